"""Topology parsing: the vendor sample, a 3-node domain, ANM detection, errors, local host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import topology as topo

# rest_api.md, "Use curl to call the Topology REST API": the answer as the vendor prints it,
# including the top-level "services" list that repeats the groups' services.
VENDOR_SAMPLE = """
{
    "result": {
        "id": "50fd7b96-6e8f-401e-b38c-eb77891e3aeb",
        "version": 2,
        "timestamp": 1428938393531,
        "productVersion": "7.4.1",
        "hosts": [{"id": "host-1", "name": "ITEM-A21575.wks.axway.int"}],
        "groups": [
            {"id": "group-1", "name": "Node Manager Group", "tags": {},
             "services": [{"id": "nodemanager-1", "name": "Node Manager on ITEM-A21575.wks.axway.int",
                           "type": "nodemanager", "scheme": "https", "hostID": "host-1",
                           "managementPort": 8090, "tags": {"internal_admin_nm": "true"},
                           "enabled": true}]},
            {"id": "group-2", "name": "QuickStart Group", "tags": {},
             "services": [{"id": "instance-1", "name": "QuickStart Server", "type": "gateway",
                           "scheme": "https", "hostID": "host-1", "managementPort": 8085,
                           "tags": {}, "enabled": true}]}
        ],
        "uniqueIdCounters": {"NodeManager": 2, "Group": 3, "Host": 2, "Gateway": 2},
        "fips": false,
        "services": [
            {"id": "nodemanager-1", "name": "Node Manager on ITEM-A21575.wks.axway.int",
             "type": "nodemanager", "scheme": "https", "hostID": "host-1", "managementPort": 8090,
             "tags": {"internal_admin_nm": "true"}, "enabled": true},
            {"id": "instance-1", "name": "QuickStart Server", "type": "gateway", "scheme": "https",
             "hostID": "host-1", "managementPort": 8085, "tags": {}, "enabled": true}
        ]
    }
}
"""


def nm(number, host_id, admin):
    return {"id": "nodemanager-%d" % number, "name": "Node Manager on %s" % host_id,
            "type": "nodemanager", "hostID": host_id, "managementPort": 8090,
            "tags": {"internal_admin_nm": "true"} if admin else {}, "enabled": True}


def gw(instance_id, name, host_id):
    return {"id": instance_id, "name": name, "type": "gateway", "hostID": host_id,
            "managementPort": 8085, "tags": {}, "enabled": True}


def three_nodes():
    """The FAQ's domain: ANMs on NodeA and NodeC, none on NodeB; stored form (no "result")."""
    return {
        "productVersion": "7.5.3",
        "hosts": [{"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"},
                  {"id": "host-3", "name": "NodeC"}],
        "groups": [
            {"id": "group-1", "name": "Node Manager Group",
             "services": [nm(1, "host-1", True), nm(2, "host-2", False), nm(3, "host-3", True)]},
            {"id": "group-2", "name": "GatewayGroup",
             "services": [gw("instance-1", "APIGateway1", "host-1"), gw("instance-2", "APIGateway2", "host-2"),
                          gw("instance-3", "APIGateway3", "host-3")]},
        ],
    }


def test_vendor_sample_is_understood_without_double_counting():
    result = topo.parse_topology_text(VENDOR_SAMPLE, "sample")
    assert result["product_version"] == "7.4.1"
    assert result["anm_hosts"] == ["ITEM-A21575.wks.axway.int"]
    assert [s["id"] for s in result["services"]] == ["nodemanager-1", "instance-1"]
    assert [g["name"] for g in result["groups"]] == ["Node Manager Group", "QuickStart Group"]
    host = result["hosts"][0]
    assert host["admin_node_manager"] and host["node_manager"]
    assert host["gateways"] == [{"group": "QuickStart Group", "name": "QuickStart Server",
                                 "group_id": "group-2", "id": "instance-1"}]
    assert result["warnings"] == []


def test_three_node_domain_anms_and_hosts():
    result = topo.normalise_topology(three_nodes())
    assert result["anm_hosts"] == ["NodeA", "NodeC"]
    assert result["node_manager_hosts"] == ["NodeA", "NodeB", "NodeC"]
    assert [h["admin_node_manager"] for h in result["hosts"]] == [True, False, True]
    svc = result["services"][3]
    assert svc == {"id": "instance-1", "name": "APIGateway1", "type": "gateway", "group_id": "group-2",
                   "group_name": "GatewayGroup", "host_id": "host-1", "host_name": "NodeA",
                   "management_port": 8085, "scheme": None, "enabled": True, "tags": {},
                   "admin_node_manager": False}


def test_wrapped_and_bare_forms_agree():
    wrapped = topo.parse_topology_text(json.dumps({"result": three_nodes()}), "api")
    bare = topo.parse_topology_text(json.dumps(three_nodes()), "file")
    assert wrapped == bare


@pytest.mark.parametrize("tag, stype, expected", [
    ("true", "nodemanager", True),
    ("TRUE", "nodemanager", True),
    (True, "nodemanager", True),
    ("false", "nodemanager", False),
    (None, "nodemanager", False),
    ("true", "gateway", False),  # only a node manager can be an Admin Node Manager
])
def test_admin_node_manager_detection(tag, stype, expected):
    service = {"id": "svc-1", "type": stype, "hostID": "host-1", "tags": {}}
    if tag is not None:
        service["tags"]["internal_admin_nm"] = tag
    data = {"hosts": [{"id": "host-1", "name": "H"}], "groups": [{"id": "group-1", "services": [service]}]}
    result = topo.normalise_topology(data)
    assert result["services"][0]["admin_node_manager"] is expected
    assert result["anm_hosts"] == (["H"] if expected else [])


def test_unknown_host_id_is_a_warning_not_a_crash():
    data = {"hosts": [], "groups": [{"id": "group-1", "services": [nm(1, "host-9", True)]}]}
    result = topo.normalise_topology(data, "x.json")
    assert result["anm_hosts"] == []
    assert result["services"][0]["host_name"] is None
    assert "host-9" in result["warnings"][0] and "x.json" in result["warnings"][0]


@pytest.mark.parametrize("text, fragment", [
    ("{not json", "is not valid JSON"),
    ("", "is empty"),
    ("   \n", "is empty"),
    ("[]", "does not look like an API Gateway topology"),
    ('{"result": {"hosts": []}}', "does not look like an API Gateway topology"),
    ('{"hosts": [{"name": "x"}], "groups": []}', "a host entry has no id"),
    ('{"hosts": [], "groups": [{"name": "g"}]}', "a group entry has no id"),
    ('{"hosts": [], "groups": [{"id": "g", "services": {}}]}', "is not a list"),
    ('{"hosts": [], "groups": [{"id": "g", "services": [{"type": "gateway"}]}]}', "without an id"),
    (b"\xff\xfe", "is not UTF-8"),
])
def test_malformed_input_names_the_source(text, fragment):
    with pytest.raises(topo.TopologyError) as err:
        topo.parse_topology_text(text, "/x/groups/topology.json")
    assert fragment in str(err.value)
    assert "/x/groups/topology.json" in str(err.value)


def test_read_file_and_missing_file(tmp_path):
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(three_nodes()))
    assert topo.read_topology_file(str(path))["anm_hosts"] == ["NodeA", "NodeC"]
    with pytest.raises(topo.TopologyError) as err:
        topo.read_topology_file(str(tmp_path / "missing.json"))
    assert "cannot read topology file %s" % (tmp_path / "missing.json") in str(err.value)


def test_first_anm_marker(tmp_path):
    install = str(tmp_path)
    assert topo.first_anm_marker(install) == install + "/groups/certs/private/domain.p12"
    assert topo.is_first_anm(install) is False
    (tmp_path / "groups" / "certs" / "private").mkdir(parents=True)
    (tmp_path / "groups" / "certs" / "private" / "domain.p12").write_bytes(b"key")
    assert topo.is_first_anm(install) is True


def test_gateway_names_by_id():
    index = topo.gateway_names_by_id(topo.normalise_topology(three_nodes()))
    assert index == {("group-2", "instance-1"): ("GatewayGroup", "APIGateway1"),
                     ("group-2", "instance-2"): ("GatewayGroup", "APIGateway2"),
                     ("group-2", "instance-3"): ("GatewayGroup", "APIGateway3")}


# ---- local host detection ----

ADDRESSES = {"NodeA": "10.77.0.1", "NodeB": "10.77.0.2", "NodeC": "10.77.0.3", "localhost": "127.0.0.1"}


def fake_resolve(name, port):
    if name not in ADDRESSES:
        raise socket.gaierror(-2, "Name or service not known")
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ADDRESSES[name], 0))]


def owns(*addresses):
    return lambda family, address: address in addresses


@pytest.mark.parametrize("hostname, fqdn, expected", [
    ("nodeb", "nodeb", ("NodeB", "hostname")),                  # case-insensitive
    ("web1", "NodeC", ("NodeC", "hostname")),                   # FQDN equals the topology name
    ("nodea", "nodea.example.com", ("NodeA", "hostname")),      # short names compared
])
def test_local_host_by_name(hostname, fqdn, expected):
    assert topo.detect_local_host(["NodeA", "NodeB", "NodeC"], hostname, fqdn,
                                  resolve=fake_resolve, is_local=owns()) == expected


def test_local_host_by_owned_address():
    # The lab's case: the machine is called node1, the topology says NodeA, /etc/hosts maps both.
    assert topo.detect_local_host(["NodeA", "NodeB", "NodeC"], "node1", "node1",
                                  resolve=fake_resolve, is_local=owns("10.77.0.1")) == ("NodeA", "address")


def test_local_host_unknown_or_ambiguous_gives_none():
    names = ["NodeA", "NodeB", "Unresolvable"]
    assert topo.detect_local_host(names, "x", "x", resolve=fake_resolve, is_local=owns()) == (None, None)
    assert topo.detect_local_host(names, "x", "x", resolve=fake_resolve,
                                  is_local=owns("10.77.0.1", "10.77.0.2")) == (None, None)
    # Short-name clash: two hosts share the short name, neither equals ours exactly.
    assert topo.detect_local_host(["nodea.a.com", "nodea.b.com"], "nodea", "nodea",
                                  resolve=fake_resolve, is_local=owns()) == (None, None)


def test_loopback_only_counts_in_a_single_host_topology():
    local = owns("127.0.0.1")
    assert topo.detect_local_host(["localhost", "NodeB"], "x", "x", fake_resolve, local) == (None, None)
    assert topo.detect_local_host(["localhost"], "x", "x", fake_resolve, local) == ("localhost", "address")


def test_address_is_local_really_binds():
    assert topo.address_is_local(socket.AF_INET, "127.0.0.1") is True
    assert topo.address_is_local(socket.AF_INET, "192.0.2.123") is False  # TEST-NET-1, never ours
