"""plan_domain decides the first Admin Node Manager and --anm_host for every node.

Cases follow the vendor pages: upgrade_faq.md ("Which is the first Admin Node Manager?": the
holder of groups/certs/private/domain.p12), upgrade_script.md (--anm_host required with several
ANMs, same value on every node) and upgrade_troubleshoot.md (different values split the domain).
"""
import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter.plan_domain import plan_domain

VENDOR_HOSTS = ({"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"}, {"id": "host-3", "name": "NodeC"})


def read(item, is_first_anm=False, anm_hosts=("NodeA", "NodeC"), hosts=VENDOR_HOSTS):
    return {"item": item, "changed": False, "hosts": list(hosts), "anm_hosts": list(anm_hosts),
            "is_first_anm": is_first_anm}


def vendor_3_node(**overrides):
    hostvars = {
        "node1": {"apigw_topology_host": "NodeA"},
        "node2": {"apigw_topology_host": "NodeB"},
        "node3": {"apigw_topology_host": "NodeC"},
    }
    for host, extra in overrides.items():
        hostvars[host].update(extra)
    results = [read("node1", True), read("node2"), read("node3")]
    return results, hostvars


def test_vendor_example_uses_the_first_anm_as_anm_host_everywhere():
    results, hostvars = vendor_3_node()
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert plan["errors"] == []
    assert plan["first_anm_inventory_host"] == "node1"
    assert plan["first_anm_topology_host"] == "NodeA"
    assert plan["anm_host"] == "NodeA"
    assert plan["anm_hosts"] == ["NodeA", "NodeC"]
    assert plan["inventory_by_topology_host"] == {"NodeA": "node1", "NodeB": "node2", "NodeC": "node3"}
    assert plan["product_version"] == ""  # these reads carry none


def test_the_old_version_comes_from_the_first_good_read():
    results, hostvars = vendor_3_node()
    results[0] = {"item": "node1", "failed": True, "msg": "unreadable"}
    results[1]["product_version"] = "7.5.3"
    assert plan_domain(results, run_records(sorted(hostvars), hostvars))["product_version"] == "7.5.3"


def test_one_anm_needs_no_anm_host():
    hosts = [{"id": "host-1", "name": "gw1"}, {"id": "host-2", "name": "gw2"}]
    results = [read("a", True, ("gw1",), hosts), read("b", False, ("gw1",), hosts)]
    hostvars = {"a": {"apigw_topology_host": "gw1"}, "b": {"apigw_topology_host": "gw2"}}
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert plan["errors"] == []
    assert plan["anm_host"] == ""
    assert plan["first_anm_inventory_host"] == "a"


def test_user_given_anm_host_on_every_node_wins_when_it_is_an_anm():
    results, hostvars = vendor_3_node(**{h: {"apigw_anm_host": "NodeC"} for h in ("node1", "node2", "node3")})
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert plan["errors"] == []
    assert plan["anm_host"] == "NodeC"
    assert plan["first_anm_inventory_host"] == "node3"
    assert plan["old_first_anm_inventory_host"] == "node1"


def test_anm_host_differing_between_hosts_is_refused():
    results, hostvars = vendor_3_node(node1={"apigw_anm_host": "NodeA"}, node2={"apigw_anm_host": "NodeA"},
                                      node3={"apigw_anm_host": "NodeC"})
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert len(plan["errors"]) == 1
    assert "same on every host" in plan["errors"][0]
    assert "NodeC on node3" in plan["errors"][0] and "NodeA on node1, node2" in plan["errors"][0]


def test_anm_host_set_on_some_hosts_only_is_refused():
    results, hostvars = vendor_3_node(node1={"apigw_anm_host": "NodeA"})
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert any("same on every host" in e for e in plan["errors"])


def test_anm_host_that_runs_no_anm_is_refused():
    results, hostvars = vendor_3_node(**{h: {"apigw_anm_host": "NodeB"} for h in ("node1", "node2", "node3")})
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert plan["errors"] == ["apigw_anm_host 'NodeB' is not a topology host that runs an Admin Node Manager (those are: NodeA, NodeC)"]


def test_topology_host_missing_from_inventory_is_refused():
    results, hostvars = vendor_3_node()
    results, hostvars = results[:2], {k: hostvars[k] for k in ("node1", "node2")}
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert any("does not cover topology host(s) NodeC" in e for e in plan["errors"])


def test_unknown_topology_host_and_duplicates_are_refused():
    results, hostvars = vendor_3_node(node2={"apigw_topology_host": "NodeX"}, node3={"apigw_topology_host": "NodeA"})
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    text = " | ".join(plan["errors"])
    assert "host node2: apigw_topology_host 'NodeX' is not a host of the old topology" in text
    assert "hosts node1 and node3 both claim topology host 'NodeA'" in text


def test_unreachable_node_does_not_hide_the_plan_but_is_listed():
    results, hostvars = vendor_3_node()
    results[2] = {"item": "node3", "unreachable": True, "msg": "timed out"}
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert plan["errors"] == []
    assert plan["unread_hosts"] == ["node3"]
    assert plan["anm_host"] == "NodeA"


def test_first_anm_unknown_with_several_anms_asks_for_anm_host():
    results, hostvars = vendor_3_node()
    results[0] = {"item": "node1", "failed": True, "msg": "no such file"}
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert any("cannot tell the first Admin Node Manager" in e and "NodeA, NodeC" in e for e in plan["errors"])


def test_two_domain_key_holders_are_refused():
    results, hostvars = vendor_3_node()
    results[2]["is_first_anm"] = True
    plan = plan_domain(results, run_records(sorted(hostvars), hostvars))
    assert any("more than one host holds" in e for e in plan["errors"])


def test_no_topology_at_all():
    plan = plan_domain([{"item": "node1", "failed": True}],
                       run_records(sorted({"node1": {"apigw_topology_host": "NodeA"}}), {"node1": {"apigw_topology_host": "NodeA"}}))
    assert plan["errors"] == ["no host of group apigw could read the old topology (groups/topology.json)"]


@pytest.mark.parametrize("bad", ["node1", [{"no": "item"}], None])
def test_wrong_input_is_a_clear_error(bad):
    with pytest.raises(AnsibleFilterError, match="topology_info looped over"):
        plan_domain(bad, run_records(sorted({}), {}))


def test_hosts_not_asked_count_as_unread():
    results, hostvars = vendor_3_node()
    plan = plan_domain(results[:2], run_records(sorted(hostvars), hostvars), unreachable=["node3"])
    assert plan["errors"] == []
    assert plan["unread_hosts"] == ["node3"]
    assert plan["inventory_by_topology_host"]["NodeC"] == "node3"
