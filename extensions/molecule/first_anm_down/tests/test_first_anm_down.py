"""(g) The first ANM's new processes are down when the other nodes apply.

Later nodes' apply registers with the first ANM and checks it runs 7.7 (upgrade_script.md, apply
rules); the playbook checks first and stops at the first node, with max_fail_percentage 0.
"""
import verify_helpers as vh

from scenario_fixtures import NEW


def test_next_node_fails_with_a_clear_message(steps):
    out = steps["apply_rest"]["stdout"]
    assert "does not answer as 7.7" in out
    recap = vh.recap(out)
    failed = [h for h, c in recap.items() if c["failed"]]
    assert len(failed) == 1 and failed[0] in ("node2", "node3")


def test_no_further_node_attempted(steps):
    lab = vh.lab()
    recap = vh.recap(steps["apply_rest"]["stdout"])
    failed = [h for h, c in recap.items() if c["failed"]][0]
    other = "node3" if failed == "node2" else "node2"
    for node in (failed, other):
        assert vh.sysupgrade_calls(lab, node, "apply") == [], node
        assert "Current status: export and upgrade complete" in lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status").stdout


def test_report_shows_where_the_apply_stopped(steps):
    report = vh.Report("apply_rest")
    recap = vh.recap(steps["apply_rest"]["stdout"])
    failed = [h for h, c in recap.items() if c["failed"]][0]
    other = "node3" if failed == "node2" else "node2"
    assert report.cell(failed, "APPLY")["result"] == "FAILED"
    assert report.cell(other, "APPLY")["result"] == "NOT RUN"
    [error] = report.issues(failed, "APPLY", "error")
    assert "does not answer as 7.7" in error["message"]
    assert report.data["resume"][0]["host"] == failed
    assert report.data["resume"][0]["command"].endswith(
        "apigw.sysupgrade.apply --limit %s   # without a terminal (CI, a script) add -e apigw_apply_confirmed=true"
        % failed)
