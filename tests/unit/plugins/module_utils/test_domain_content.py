"""The domain content snapshot read from an installation's files (config_files_reference.md): topology,
admin user names (never a credential), each group's policies and KPS collections, API Manager's lists."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import domain_content

STORE = """<?xml version="1.0" encoding="UTF-8"?>
<entityStoreData xmlns="http://www.vordel.com/2005/06/24/entityStore">
  <entity type="FilterCircuit" entityPKValue="a1"><fval name="name"><value>Health Check</value></fval></entity>
  <entity type="FilterCircuit" entityPKValue="a2"><fval name="name"><value>Version API</value></fval>
    <fval name="start"><value>x</value></fval></entity>
  <entity type="KPSCollection" entityPKValue="k1"><fval name="name"><value>API Portal</value></fval></entity>
  <entity type="DbConnection" entityPKValue="d1"><fval name="name"><value>OAuth DB</value></fval>
    <fval name="url"><value>jdbc:mysql://db1:3306/oauth</value></fval></entity>
</entityStoreData>
"""
NM_GROUP = {"id": "group-1", "name": "Node Manager Group", "services": [
    {"id": "nm-1", "name": "Node Manager on NodeA", "type": "nodemanager", "hostID": "host-1"}]}
GATEWAY_GROUP = {"id": "group-2", "name": "GatewayGroup", "services": [
    {"id": "instance-1", "name": "APIGateway1", "type": "gateway", "hostID": "host-1"},
    {"id": "instance-2", "name": "APIGateway2", "type": "gateway", "hostID": "host-2"}]}
TOPOLOGY = {"productVersion": "7.5.3", "hosts": [{"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"}],
            "groups": [NM_GROUP, GATEWAY_GROUP]}
USERS = {"version": 1, "users": [
    {"id": "user-1", "name": "admin", "password": "hash-of-S3cret", "roles": ["role-1"]},
    {"id": "user-2", "name": "operator1", "password": "hash-2", "roles": ["role-2"]}],
    "roles": [{"id": "role-1", "name": "API Server Administrator"}]}


@pytest.fixture
def install(tmp_path):
    (tmp_path / "groups" / "group-2" / "conf" / "abc").mkdir(parents=True)
    (tmp_path / "groups" / "group-2" / "conf" / "abc" / "PrimaryStore.xml").write_text(STORE)
    (tmp_path / "groups" / "topology.json").write_text(json.dumps(TOPOLOGY))
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "adminUsers.json").write_text(json.dumps(USERS))
    return tmp_path


def test_snapshot_of_an_installation(install):
    snap = domain_content.snapshot(str(install))
    assert snap["unread"] == []
    assert snap["topology"] == {"product_version": "7.5.3", "hosts": ["NodeA", "NodeB"], "groups": {
        "Node Manager Group": [], "GatewayGroup": ["APIGateway1 on NodeA", "APIGateway2 on NodeB"]}}
    assert snap["groups"] == {"group-2": {"policies": ["Health Check", "Version API"], "kps_collections": ["API Portal"]}}


def test_admin_users_are_names_only(install):
    snap = domain_content.snapshot(str(install))
    assert snap["admin_users"] == ["admin", "operator1"]   # roles are not users
    assert "hash-of-S3cret" not in json.dumps(snap)


def test_what_cannot_be_read_is_listed(install):
    (install / "conf" / "adminUsers.json").unlink()
    (install / "groups" / "group-2" / "conf" / "abc" / "Broken.xml").write_text("<entityStoreData><entity")
    snap = domain_content.snapshot(str(install))
    assert snap["admin_users"] is None
    assert any(u.startswith("conf/adminUsers.json") for u in snap["unread"])
    assert any("Broken.xml" in u for u in snap["unread"])
    assert snap["groups"]["group-2"]["policies"] == ["Health Check", "Version API"]


def test_api_manager_lists():
    answers = {"/api/portal/v1.3/organizations": [{"id": "o1", "name": "Acme"}],
               "/api/portal/v1.3/applications": [{"id": "a1", "name": "App", "organizationId": "o1"},
                                                 {"id": "a2", "name": "Other", "organizationId": "o1"}],
               "/api/portal/v1.3/proxies": []}
    assert domain_content.api_manager_content(answers.get) == {
        "organizations": {"count": 1, "names": ["Acme"]},
        "applications": {"count": 2, "names": ["App", "Other"]},
        "apis": {"count": 0, "names": []}}


def test_api_manager_answer_that_is_not_a_list():
    with pytest.raises(ValueError):
        domain_content.api_manager_content(lambda path: {"error": "x"})


@pytest.mark.parametrize("data,names", [
    ([{"name": "admin"}, {"loginName": "ops"}], ["admin", "ops"]),
    ({"adminUsers": {"u1": {"username": "admin"}}}, ["admin"]),
    ({"roles": [{"name": "r"}]}, []),
    ("nonsense", []),
])
def test_user_store_shapes(data, names):
    assert domain_content.user_names(data) == names
