"""(d) --limit node2 before the first Admin Node Manager is applied: refused, nothing changed.

The vendor's rule (upgrade_script.md, apply rules): apply must complete on the first Admin Node
Manager before any other node. The refusal gives the exact command to run instead.
The scenario goes on to apply node1 (test_first_anm_down, test_clean): where the nodes stood after
the refusals was recorded by the steps after_refusals_NODE, before that apply.
"""
import pytest

import verify_helpers as vh

NODES = ("node1", "node2", "node3")


def test_refusal_gives_the_command_to_run_instead(steps):
    out = steps["apply_node2_first"]["stdout"]
    assert "has not been applied yet" in out
    assert "apigw.sysupgrade.apply --limit node1" in out


def test_unconfirmed_non_interactive_apply_is_refused(steps):
    out = steps["unconfirmed_apply"]["stdout"]
    assert "-e apigw_apply_confirmed=true" in out


def test_awx_job_without_confirmation_is_refused_without_a_prompt(steps):
    out = steps["awx_unconfirmed_apply"]["stdout"]
    assert "Under AWX / Tower no prompt can be answered" in out
    assert "Type yes to continue" not in out


def test_interactive_answer_other_than_yes_is_refused(steps):
    out = steps["interactive_no"]["stdout"]
    assert out.count("Type yes to continue") == 1 and "Not confirmed" in out
    assert out.rstrip().endswith("PROMPTS ANSWERED: 1")


@pytest.mark.parametrize("node", NODES)
def test_nothing_changed(steps, node):
    where = steps["after_refusals_" + node]["stdout"]
    assert "old nodemanager -s: 0" in where, "old processes must still run"
    assert "new nodemanager -s: 1" in where
    assert "Current status: export and upgrade complete" in where


@pytest.mark.parametrize("node", NODES)
def test_no_refused_run_applied(steps, lab, node):
    # The only apply on any node is the one of the step apply_first, on node1, after the refusals.
    started = [vh.audit_time(r) for r in lab.audit(node) if r.get("event") == "start" and r["argv"][1:2] == ["apply"]]
    if node == "node1":
        begun = vh.step_window(steps["apply_first"])[0]
        assert len(started) == 1 and started[0] >= int(begun), (started, begun)
    else:
        assert started == []


def test_refused_run_still_reports_where_every_node_stands(steps):
    report = vh.Report("apply_node2_first")
    for node in ("node1", "node2", "node3"):
        assert [report.cell(node, p)["result"] for p in ("UPGRADE", "STOP-OLD", "APPLY")] == ["SKIPPED", "NOT RUN", "NOT RUN"]
    assert report.issues(severity="error") == []
    # The way on: the first Admin Node Manager first.
    assert [r["host"] for r in report.data["resume"]] == ["node1", "node2", "node3"]
    assert report.data["resume"][0]["command"].endswith(
        "apigw.sysupgrade.apply --limit node1   # without a terminal (CI, a script) add -e apigw_apply_confirmed=true")
