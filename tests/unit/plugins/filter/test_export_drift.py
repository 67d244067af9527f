"""export_drift: which nodes must export again after the old installation changed (vendor FAQ)."""
from ansible_collections.apigw.sysupgrade.plugins.filter.export_drift import export_drift

DOMAIN = {"inventory_by_topology_host": {"NodeA": "node1", "NodeB": "node2", "NodeC": "node3"}}
HOSTS = ["node1", "node2", "node3"]
GROUPS = {"group-2": ["NodeA", "NodeB"], "group-3": ["NodeC"]}


def result(host, drift=None, stored=True):
    return {"item": host, "changed": False, "stored": stored, "drift": drift or [], "group_hosts": GROUPS}


def change(path, group=None, kind="modified"):
    return {"path": path, "change": kind, "group": group}


def test_nothing_changed_goes_on():
    out = export_drift([result(h) for h in HOSTS], DOMAIN, HOSTS)
    assert out == {"changed": {}, "reexport": [], "refusals": [], "warnings": []}


def test_a_group_deployment_needs_every_node_of_that_group():
    deployed = change("groups/group-2/conf/configs.xml", "group-2")
    out = export_drift([result("node1", [deployed]), result("node2", [deployed]), result("node3")],
                       DOMAIN, HOSTS, command_prefix="ansible-playbook -i inv.yml ")
    assert out["changed"] == {"node1": [deployed], "node2": [deployed]}
    assert out["reexport"] == ["node1", "node2"]
    assert len(out["refusals"]) == 1
    msg = out["refusals"][0]
    assert msg.startswith("The old installation changed after export")
    assert "node1: groups/group-2/conf/configs.xml (modified); node2: groups/group-2/conf/configs.xml (modified)" in msg
    assert "node1 (it runs an instance of group group-2), node2 (it runs an instance of group group-2)" in msg
    assert "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade -e apigw_force=true --limit node1,node2" in msg
    assert "node3" not in msg
    assert msg.endswith("Nothing was stopped.")


def test_a_change_seen_on_one_node_reaches_the_group_s_other_nodes():
    out = export_drift([result("node3", [change("groups/group-2/conf/x", "group-2")]), result("node1")],
                       DOMAIN, HOSTS)
    assert out["reexport"] == ["node1", "node2"]


def test_a_group_file_on_a_node_outside_the_group_needs_the_group_s_nodes_only():
    out = export_drift([result("node3", [change("groups/group-2/conf/x", "group-2")])], DOMAIN, HOSTS)
    assert out["reexport"] == ["node1", "node2"]
    unknown = export_drift([result("node3", [change("groups/group-9/conf/x", "group-9")])], DOMAIN, HOSTS)
    assert unknown["reexport"] == ["node3"]


def test_a_topology_change_needs_every_node_and_a_node_s_own_file_only_that_node():
    assert export_drift([result("node1", [change("groups/topology.json")])], DOMAIN, HOSTS)["reexport"] == HOSTS
    own = export_drift([result("node3", [change("conf/adminUsers.json"), change("groups/certs/x.pem", kind="added")])],
                       DOMAIN, HOSTS)
    assert own["reexport"] == ["node3"]
    assert "node3: conf/adminUsers.json (modified), groups/certs/x.pem (added)" in own["refusals"][0]


def test_accepting_the_drift_turns_the_refusal_into_a_warning():
    out = export_drift([result("node1", [change("groups/group-3/conf/a", "group-3")])], DOMAIN, HOSTS, accept=True)
    assert out["refusals"] == []
    assert out["reexport"] == ["node3"]
    assert out["warnings"][0].startswith("apigw_accept_drift is true: applying although the old installation changed")
    assert "nodes that would need a new export: node3." in out["warnings"][0]


def test_nodes_that_cannot_be_checked_are_warned_about_not_refused():
    out = export_drift([result("node1", stored=False), {"item": "node2", "failed": True, "msg": "boom"},
                        {"item": "node3", "skipped": True}], DOMAIN, HOSTS)
    assert out["refusals"] == [] and out["reexport"] == []
    assert out["warnings"][0].startswith("node1: no fingerprint was taken at export")
    assert out["warnings"][1] == ("node2: the configuration could not be compared with its export-time "
                                  "fingerprint (boom)")


def test_a_long_list_of_files_is_cut():
    many = [change("conf/f%02d" % i) for i in range(13)]
    msg = export_drift([result("node1", many)], DOMAIN, HOSTS)["refusals"][0]
    assert "conf/f09 (modified), and 3 more" in msg and "conf/f10" not in msg
