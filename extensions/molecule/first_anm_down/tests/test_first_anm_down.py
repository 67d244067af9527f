"""(g) The first ANM's new processes are down when the other nodes apply.

Later nodes' apply registers with the first ANM and checks it runs 7.7 (upgrade_script.md, apply
rules). The gates find it silent on its own node (after waiting apigw_anm_wait_timeout, as for an
Admin Node Manager that is restarting) and refuse the run before it stops or applies anything.
(The old installation was already stopped everywhere by the first ANM's apply, as the vendor
requires.)
"""
import json
import re

import verify_helpers as vh

from scenario_fixtures import NEW

FAILED_TASK = re.compile(r'^fatal: \[[^\]]+\]: FAILED! => .*?"msg": "(.*?)"\}?\s*$', re.MULTILINE)


def test_the_run_is_refused_with_a_clear_message(steps):
    messages = [json.loads('"%s"' % m) for m in FAILED_TASK.findall(steps["apply_rest"]["stdout"])]
    assert messages[-1].startswith("The first Admin Node Manager node1 is applied, but its new Admin Node Manager "
                                   "does not answer on its own node")
    assert "still not ready after 10 s" in messages[-1]
    assert "Start the new installation's processes on node1 (nodemanager -d), then rerun apply." in messages[-1]


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
