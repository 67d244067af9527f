"""Apply fails on node3; rollback brings back one old domain of 3 that serves; a second one changes nothing."""
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
    assert "node1: rolling back needs a restore: apply sends data to the Apache Cassandra" in out
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
    assert {i["check"] for i in report.issues(phase="ROLLBACK")} == {"rollback-cassandra"}


def test_the_services_point_at_the_old_installation_again(host):
    # apply's after-upgrade steps pointed them at the new installation on node1 and node2
    scripts = host.run("ls /etc/init.d/vshell-* | grep -v '\\.apigw-sysupgrade\\.orig$'").stdout.split()
    assert scripts
    for script in scripts:
        text = host.file(script).content_string
        assert 'VDISTDIR="%s"' % OLD in text and NEW not in text
