"""(f) node3 unreachable during test_upgrade: node1 and node2 complete; apply refuses; nothing applied."""
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]


def test_node3_unreachable_others_complete(steps):
    recap = vh.recap(steps["test_upgrade"]["stdout"])
    assert recap["node3"]["unreachable"] >= 1
    assert recap["node1"]["failed"] == 0 and recap["node2"]["failed"] == 0
    lab = vh.lab()
    for node in ("node1", "node2"):
        assert "Current status: export and upgrade complete" in lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status").stdout


def test_summary_shows_node3_unreachable(steps):
    rows = vh.table_rows(steps["test_upgrade"]["stdout"], "node3")
    assert rows and "UNREACHABLE" in " ".join(rows[-1])
    assert vh.table_rows(steps["test_upgrade"]["stdout"], "node1")[-1][2].startswith("PASSED")


def test_apply_refused_because_of_node3(steps):
    [refusal] = [msg for _host, msg in vh.failures(steps["apply"]["stdout"])
                 if msg.startswith("Not every node of the domain is ready")]
    assert refusal.startswith("Not every node of the domain is ready for apply, so nothing was stopped or "
                              "applied: node3: ")


def test_nothing_applied_anywhere(host):
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 0
    assert vh.sysupgrade_calls(vh.lab(), host.backend.get_hostname(), "apply") == []


def test_report_shows_node3_unreachable_and_how_to_resume():
    report = vh.Report("test_upgrade")
    assert report.cell("node3", "EXPORT")["result"] == "UNREACHABLE"
    for node in ("node1", "node2"):
        assert report.cell(node, "UPGRADE")["result"] == "PASSED"
    [lost] = report.issues("node3", severity="error")
    assert lost["phase"] == "EXPORT" and lost["check"] == "unreachable"
    assert [(r["host"], r["phase"]) for r in report.data["resume"]] == [("node3", "EXPORT")]
    # Logs of the nodes that answered are beside the report; node3's could not be fetched.
    assert sorted(report.data["logs"]) == ["node1", "node2"]


def test_refused_apply_reports_node3_unreachable():
    report = vh.Report("apply")
    assert report.cell("node3", "PREFLIGHT")["result"] == "UNREACHABLE"
    for node in ("node1", "node2"):
        assert report.cell(node, "UPGRADE")["result"] == "SKIPPED"
    assert [(r["host"], r["phase"]) for r in report.data["resume"]] == [("node3", "PREFLIGHT")]
