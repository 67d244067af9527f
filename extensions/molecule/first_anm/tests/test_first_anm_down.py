"""(g) The first ANM's new processes are down when the other nodes apply.

Later nodes' apply registers with the first ANM and checks it runs 7.7 (upgrade_script.md, apply
rules). The gates find it silent on its own node, ask its Node Manager there (``nodemanager -s``,
process_commands.md), find it stopped, and refuse the run at once, before it stops or applies
anything: waiting apigw_anm_wait_timeout (300 s by default) is only for an ANM that is starting.
(The old installation was already stopped everywhere by the first ANM's apply, as the vendor
requires.)
"""
import datetime

import verify_helpers as vh

from scenario_fixtures import NEW

# The issue's bound: the refusal within 30 s of the gates' start (their first status read).
REFUSED_WITHIN = 30


def test_the_run_is_refused_with_a_clear_message(steps):
    messages = [msg for _host, msg in vh.failures(steps["apply_rest"]["stdout"])]
    assert messages[-1].startswith(
        "The first Admin Node Manager node1 is applied, but its new Node Manager is not running "
        "(nodemanager -s on node1), so no node can register with it. Start it on node1 as root: "
        + NEW + "/posix/bin/nodemanager -d, then rerun apply; apigw_anm_wait_timeout cannot help")


def test_the_refusal_came_without_waiting_out_apigw_anm_wait_timeout(steps):
    step = steps["apply_rest"]
    begun = datetime.datetime.strptime(step["start"], "%Y-%m-%d %H:%M:%S.%f")
    ended = datetime.datetime.strptime(step["end"], "%Y-%m-%d %H:%M:%S.%f")
    # The gates' first command on the nodes: each node's sysupgrade status, read in this run.
    reads = [datetime.datetime.strptime(r["start"], "%Y-%m-%dT%H:%M:%SZ")
             for node in ("node1", "node2", "node3") for r in vh.lab().audit(node)
             if r.get("event") == "start" and r["argv"][1:2] == ["status"]]
    gates_began = min(t for t in reads if t >= begun.replace(microsecond=0))
    assert (ended - gates_began).total_seconds() <= REFUSED_WITHIN, (gates_began, ended)
    assert "waiting for the Admin Node Manager" not in step["stdout"]  # no wait was started
    assert "TASK [apigw.sysupgrade.apply : Prove the admin login on the first Admin Node Manager's node" in step["stdout"]


def test_nothing_was_applied_on_the_other_nodes(steps):
    lab = vh.lab()
    for node in ("node2", "node3"):
        assert vh.sysupgrade_calls(lab, node, "apply") == [], node
        assert "Current status: export and upgrade complete" in lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status").stdout
    assert "TASK [apigw.sysupgrade.apply : Stop the old installation on every node of the domain]" not in \
        steps["apply_rest"]["stdout"]


def test_report_shows_where_every_node_stands(steps):
    report = vh.Report("apply_rest")
    assert report.cell("node1", "APPLY")["result"] == "SKIPPED"
    for node in ("node2", "node3"):
        assert [report.cell(node, p)["result"] for p in ("UPGRADE", "STOP-OLD", "APPLY")] == ["SKIPPED", "NOT RUN", "NOT RUN"]
    assert [r["host"] for r in report.data["resume"]] == ["node2", "node3"]
