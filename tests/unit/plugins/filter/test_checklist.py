"""Group consistency from the pre-flight's fingerprints (upgrade_errors.md, "Inconsistent groups")."""
from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import (
    QUOTA_RESET, content_diff, group_consistency, post_upgrade_summary)

GROUPS = {"group-2": {"name": "GatewayGroup", "hosts": ["node1", "node2"]},
          "group-3": {"name": "GatewayManagerGroup", "hosts": ["node3"]}}


def result(host, **prints):
    return {"item": host, "group_fingerprints": dict((k.replace("_", "-"), v) for k, v in prints.items())}


def test_consistent_groups_give_no_note():
    results = [result("node1", group_2="a", group_3="x"), result("node2", group_2="a", group_3="y"),
               result("node3", group_3="c")]
    # node1 and node2 hold group-3's folder too but run no instance of it: not compared
    assert group_consistency(results, GROUPS) == {"notes": {}, "inconsistent": []}


def test_a_node_that_differs_is_named_with_the_vendors_message():
    out = group_consistency([result("node1", group_2="a"), result("node2", group_2="b")], GROUPS)
    assert out["inconsistent"] == ["group-2"]
    [note] = out["notes"]["node2"]
    assert out["notes"]["node1"] == [note]
    assert "group GatewayGroup (group-2) is not deployed alike on its nodes (2 different configurations)" in note
    assert "node1 deploys one; node2 deploys one" in note
    assert "Group 'GatewayGroup' (group-2) is inconsistent." in note and "upgrade_errors.md" in note


def test_a_node_not_read_is_left_out():
    out = group_consistency([result("node1", group_2="a"), {"item": "node2", "skipped": True}], GROUPS)
    assert out["inconsistent"] == []


def test_majority_first():
    groups = {"group-2": {"name": "G", "hosts": ["node1", "node2", "node3"]}}
    out = group_consistency([result("node1", group_2="a"), result("node2", group_2="b"),
                             result("node3", group_2="b")], groups)
    assert "node2, node3 deploy one; node1 deploys one" in out["notes"]["node1"][0]


def snap(version="7.5.3", users=("admin", "operator1"), policies=("Health Check", "Version API"), apps=3):
    return {"topology": {"product_version": version, "hosts": ["NodeA", "NodeB"],
                         "groups": {"GatewayGroup": ["APIGateway1 on NodeA", "APIGateway2 on NodeB"]}},
            "admin_users": list(users),
            "groups": {"group-2": {"policies": list(policies), "kps_collections": ["API Portal"]}},
            "api_manager": {"organizations": {"count": 2, "names": ["Acme", "Beta"]},
                            "applications": {"count": apps, "names": ["app%d" % i for i in range(apps)]},
                            "apis": {"count": 1, "names": ["Petstore"]}},
            "unread": []}


def test_only_the_version_differs_and_it_is_expected():
    out = content_diff(snap(), snap(version="7.7"), "7.7")
    assert out["flagged"] == []
    assert out["expected"] == [{"section": "topology", "item": "product version", "change": "changed",
                                "value": "7.5.3 -> 7.7", "expected": True}]
    assert QUOTA_RESET in out["notes"] and "quotas are reset" in QUOTA_RESET


def test_a_dropped_admin_user_is_flagged():
    out = content_diff(snap(), snap(version="7.7", users=("admin",)), "7.7")
    assert out["flagged"] == [{"section": "admin users", "item": "names", "change": "removed",
                               "value": "operator1", "expected": False}]


def test_lost_policies_and_applications_are_flagged_with_counts_and_names():
    out = content_diff(snap(), snap(version="7.7", policies=("Health Check",), apps=2), "7.7")
    flagged = [(d["section"], d["item"], d["change"], d["value"]) for d in out["flagged"]]
    assert ("group group-2", "policies", "removed", "Version API") in flagged
    assert ("API Manager", "applications count", "changed", "3 -> 2") in flagged
    assert ("API Manager", "applications", "removed", "app2") in flagged


def test_an_unexpected_version_is_flagged():
    assert content_diff(snap(), snap(version="7.6"), "7.7")["flagged"][0]["item"] == "product version"


def test_what_could_not_be_read_is_said_not_hidden():
    after = dict(snap(version="7.7"), api_manager=None, unread=["conf/adminUsers.json: no such file"])
    out = content_diff(snap(), after, "7.7")
    assert "not compared (after the upgrade, could not read) conf/adminUsers.json: no such file" in out["notes"]
    assert "API Manager not compared: it was read before the upgrade only" in out["notes"]


def test_post_upgrade_summary_says_what_changed_and_flags_content():
    from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import post_upgrade_summary
    scripts = [{"path": "/etc/init.d/vshell-Node-Manager-on-NodeA", "changed": True,
                "backup": "/etc/init.d/vshell-Node-Manager-on-NodeA.apigw-sysupgrade.orig"},
               {"path": "/etc/init.d/vshell-GatewayGroup-APIGateway1", "changed": False}]
    steps = {"services": {"changed": True, "scripts": scripts},
             "sso": {"changed": True, "copied": ["groups/group-3/instance-3/conf/sso.jks"]},
             "quickstart": {"changed": False, "copied": []},
             "jvm": {"skipped": True}}
    diff = content_diff(snap(), snap(version="7.7", users=("admin",)), "7.7")
    out = post_upgrade_summary(steps, diff)
    assert out["status"] == "PASSED" and out["changed"] is True and out["problems"] == []
    assert out["changes"] == [
        "service /etc/init.d/vshell-Node-Manager-on-NodeA now points at the new installation "
        "(original kept as /etc/init.d/vshell-Node-Manager-on-NodeA.apigw-sysupgrade.orig)",
        "single sign-on file copied from the old installation: groups/group-3/instance-3/conf/sso.jks"]
    assert out["notes"] == ["content admin users: names removed operator1 (not expected from the upgrade)"]


def test_post_upgrade_summary_nothing_to_do_and_a_failure():
    from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import post_upgrade_summary
    assert post_upgrade_summary({"services": {"changed": False, "scripts": []}})["changed"] is False
    failed = post_upgrade_summary({"jvm": {"failed": True, "msg": "path: /x/jvm.xml is not XML"}})
    assert failed["status"] == "FAILED" and failed["problems"] == ["jvm: path: /x/jvm.xml is not XML"]


def test_content_report_merges_the_nodes_and_puts_flagged_first():
    from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import content_report
    ok = content_diff(snap(), snap(version="7.7"), "7.7")
    dropped = content_diff(snap(), snap(version="7.7", users=("admin",)), "7.7")
    hostvars = {"node1": {"__apigw_content_diff": ok}, "node2": {"__apigw_content_diff": dropped}, "node3": {}}
    report = content_report(run_records(["node1", "node2", "node3"], hostvars))
    assert report["compared_on"] == ["node1", "node2"]
    first, second = report["differences"]
    assert (first["item"], first["value"], first["nodes"], first["expected"]) == ("names", "operator1", ["node2"], False)
    assert (second["item"], second["nodes"], second["expected"]) == ("product version", ["node1", "node2"], True)
    assert report["notes"] == [QUOTA_RESET]
    assert content_report(run_records(["node1"], {"node1": {}})) is None


def test_post_upgrade_changes_are_listed_per_node_in_host_order():
    from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import post_upgrade_changes
    hv = {"node2": {"__apigw_post_upgrade_result": {"changes": ["b"]}},
          "node1": {"__apigw_post_upgrade_result": {"changes": ["a1", "a2"]}}, "node3": {}}
    assert post_upgrade_changes(run_records(["node1", "node2", "node3"], hv)) == ["node1: a1", "node1: a2", "node2: b"]


def test_nodes_not_applied_yet_are_expected_missing_from_the_new_topology():
    before = snap()
    after = snap(version="7.7")
    after["topology"] = {"product_version": "7.7", "hosts": ["NodeA"],
                         "groups": {"GatewayGroup": ["APIGateway1 on NodeA"]}}
    before["topology"]["groups"]["GatewayManagerGroup"] = ["APIManagerGateway on NodeB"]
    out = content_diff(before, after, "7.7", pending_hosts=["NodeB"])
    assert out["flagged"] == []
    pending = [(d["item"], d["value"]) for d in out["expected"] if d.get("why")]
    assert sorted(pending) == [("groups", "GatewayManagerGroup"), ("hosts", "NodeB"),
                               ("instances of GatewayGroup", "APIGateway2 on NodeB")]
    # without it, the same differences are flagged
    assert len(content_diff(before, after, "7.7")["flagged"]) == 3


def test_the_first_anms_topology_replaces_a_nodes_stale_copy():
    stale = snap(version="7.7")
    stale["topology"]["hosts"] = ["NodeA"]
    anm = {"product_version": "7.7", "hosts": [{"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"}],
           "groups": [{"id": "group-2", "name": "GatewayGroup", "services": [
               {"name": "APIGateway1", "type": "gateway", "host_name": "NodeA"},
               {"name": "APIGateway2", "type": "gateway", "host_name": "NodeB"},
               {"name": "Node Manager on NodeA", "type": "nodemanager", "host_name": "NodeA"}]}]}
    assert content_diff(snap(), stale, "7.7")["flagged"] != []
    assert content_diff(snap(), stale, "7.7", anm_topology=anm)["flagged"] == []
    assert content_diff(snap(), stale, "7.7", anm_topology={"failed": True, "msg": "x"})["flagged"] != []


def test_service_scripts_that_need_root_are_warnings_not_failures():
    services = {"changed": False, "scripts": [], "needs_root": [
        {"path": "/etc/init.d/vshell-Node-Manager", "kind": "init.d",
         "command": "become root and rerun (ansible_become: true), or as root set VDISTDIR=/opt/new in /etc/init.d/vshell-Node-Manager"}]}
    out = post_upgrade_summary({"services": services})
    assert out["status"] == "PASSED" and out["problems"] == [] and out["changes"] == []
    assert out["notes"] == [
        "service /etc/init.d/vshell-Node-Manager still points at the old installation: it needs root to change "
        "(become root and rerun (ansible_become: true), or as root set VDISTDIR=/opt/new in /etc/init.d/vshell-Node-Manager)"]
