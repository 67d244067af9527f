"""Issue 8: node3 lost during its apply; the run still ends with the table, the resume commands and
the report folder, and says what is down."""
import json
import re

import verify_helpers as vh

FAILED_TASK = re.compile(r'^fatal: \[[^\]]+\]: FAILED! => .*?"msg": "(.*?)"\}?\s*$', re.MULTILINE)


def test_the_run_ends_with_the_table_and_the_report(steps):
    out = steps["apply"]["stdout"]
    rows = vh.table_rows(out, "node3")
    assert rows and "UNREACHABLE" in " ".join(rows[-1])
    assert "Report: " in out
    report = vh.Report("apply")
    assert report.cell("node2", "VERIFY")["result"] == "PASSED"
    assert report.cell("node3", "APPLY")["result"] == "UNREACHABLE"
    assert report.cell("node1", "APPLY")["result"] == "SKIPPED"


def test_the_lost_node_resumes_with_apply_not_test_upgrade(steps):
    report = vh.Report("apply")
    assert [(r["host"], r["phase"]) for r in report.data["resume"]] == [("node3", "APPLY")]
    assert report.data["resume"][0]["command"].split("#")[0].split()[-3:] == ["apigw.sysupgrade.apply", "--limit", "node3"]


def test_the_message_says_what_is_down(steps):
    messages = [json.loads('"%s"' % m) for m in FAILED_TASK.findall(steps["apply"]["stdout"])]
    final = messages[-1]
    assert final.startswith("Apply failed on node3: node3 became unreachable during sysupgrade apply")
    assert "The old installation is stopped and the new one is not running on node3: that node serves nothing now." in final
