"""Apply fails on node3; rollback brings back one old domain of 3 that serves; a second one changes nothing."""
import re
import urllib.request

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]
NODES = ("node1", "node2", "node3")


def test_apply_failed_on_node3_after_node1_and_node2(steps):
    out = steps["apply"]["stdout"]
    assert "Failed to sign CSR" in out
    assert vh.recap(out)["node3"]["failed"] == 1
    # The confirmation's text named the point of no return, per node, before anything stopped.
    assert "Point of no return on node1: once its apply starts" in out
    assert out.index("Point of no return on node1") < out.index("Stop the old installation on every node")


def test_an_unconfirmed_rollback_changes_nothing(steps):
    out = steps["rollback_unconfirmed"]["stdout"]
    assert "-e apigw_rollback_confirmed=true" in out
    assert all(counts["changed"] == 0 for counts in vh.recap(out).values())


def test_the_rollback_names_what_it_takes_then_passes_everywhere(steps):
    out = steps["rollback"]["stdout"]
    # node1's ActiveMQ data outside its installation (upgrade_errors.md) and everyone's Cassandra
    assert "node1: rolling back needs a restore: the new installation uses the ActiveMQ data in /opt/activemq/data" in out
    assert re.search(r"node1: rolling back needs a restore: the new installation uses the ActiveMQ data [^\n]*; "
                     r"apply sends data to the Apache Cassandra", out)
    assert "node2: rolling back needs a restore: apply sends data to the Apache Cassandra" in out
    recap = vh.recap(out)
    for node in NODES:
        assert recap[node]["failed"] == 0 and recap[node]["changed"] > 0
        assert vh.table_rows(out, node)[-1][-1].startswith("PASSED")
    report = vh.Report("rollback")
    assert report.data["all_passed"] is True and report.data["resume"] == []
    for node in NODES:
        assert report.cell(node, "ROLLBACK")["result"] == "PASSED"


def test_one_old_domain_of_three_serves(host, lab):
    name = host.backend.get_hostname()
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 1
    topology = vh.anm_topology(lab, "node1")  # the old first Admin Node Manager, with the lab CA
    assert topology["productVersion"] == "7.5.3"
    assert sorted(h["name"] for h in topology["hosts"]) == ["NodeA", "NodeB", "NodeC"]
    with urllib.request.build_opener().open("http://%s:8080/healthchecklb" % lab.address(name), timeout=10) as answer:
        assert answer.status == 200


def test_a_second_rollback_changes_nothing_and_says_so(steps):
    out = steps["rollback_again"]["stdout"]
    assert "Nothing changed: the old installation already ran and verified on node1, node2, node3" in out
    recap = vh.recap(out)
    assert all(recap[node]["changed"] == 0 and recap[node]["failed"] == 0 for node in NODES)
    report = vh.Report("rollback_again")
    for node in NODES:
        assert report.cell(node, "ROLLBACK")["result"] == "SKIPPED"


def test_the_apply_report_carries_the_ledger():
    report = vh.Report("apply")
    for node in NODES:
        assert report.cell(node, "ROLLBACK")["result"] == "RESTORE"
    assert sorted((i["host"], i["check"]) for i in report.issues(phase="ROLLBACK")) == [
        ("node1", "rollback-activemq"), ("node1", "rollback-cassandra"), ("node2", "rollback-cassandra"),
        ("node3", "rollback-cassandra")]


def test_the_services_point_at_the_old_installation_again(host):
    # apply's after-upgrade steps pointed them at the new installation on node1 and node2
    scripts = host.run("ls /etc/init.d/vshell-* | grep -v '\\.apigw-sysupgrade\\.orig$'").stdout.split()
    assert scripts
    for script in scripts:
        text = host.file(script).content_string
        assert 'VDISTDIR="%s"' % OLD in text and NEW not in text


def test_the_rollback_brought_node1_s_activemq_data_back(steps):
    # The new version took the store over in apply (its marker says 7.7); rollback.yml restored
    # it from the backup test_upgrade took before export, byte for byte.
    assert steps["amq_after_apply"]["stdout"].strip() == "7.7"
    assert steps["amq_after_rollback"]["stdout"] == steps["amq_before"]["stdout"]
    assert "/opt/activemq/data/lab-store-version" in steps["amq_before"]["stdout"]


def test_apigw_rollback_clean_cleaned_every_new_installation_once(host, lab, steps):
    name = host.backend.get_hostname()
    assert "Current status: not started" in host.run(NEW + "/upgrade/bin/sysupgrade status").stdout
    assert not host.file(NEW + "/groups").exists, "clean removes NEW/groups"
    # the first rollback cleaned; the second found nothing to clean
    cleans = [vh.audit_time(r) for r in lab.audit(name) if r.get("event") == "start" and r["argv"][1:2] == ["clean"]]
    rollback = vh.step_window(steps["rollback"])
    assert len(cleans) == 1 and rollback[0] - 1 <= cleans[0] <= rollback[1], (cleans, rollback)


def test_the_apply_accepted_the_deployment_since_export_and_warned(steps):
    out = steps["apply"]["stdout"]
    assert ("WARNING: apigw_accept_drift is true: applying although the old installation changed after export "
            "(node1: groups/group-2/lab-config.json (modified); node2: groups/group-2/lab-config.json (modified)). "
            "These changes do not reach the new installation; nodes that would need a new export: node1, node2.") in out
    assert "The old installation changed after export, which the vendor forbids" not in out  # not refused
    # node1 and node2 were applied although their configuration changed; the report says so
    assert [len(vh.sysupgrade_calls(vh.lab(), node, "apply")) for node in NODES] == [1, 1, 1]
    report = vh.Report("apply")
    drift = {i["host"]: i["message"] for i in report.issues(phase="APPLY") if i["check"] == "drift"}
    assert drift == {node: "applied with apigw_accept_drift although the old installation changed after export: "
                           "groups/group-2/lab-config.json" for node in ("node1", "node2")}, drift
