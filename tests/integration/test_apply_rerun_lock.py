# -*- coding: utf-8 -*-
"""Never two sysupgrade runs on one node, even when the controller dies mid-apply and apply is rerun at once.

Seen on a domain: the controller was killed during node2's apply, apply was rerun at once, and a
second ``sysupgrade apply`` started on node2 while the first still ran (the second truncated the
first's log). Here node2's apply is held half way (lab fault ``hold``), the controller's
``ansible-playbook`` is killed (SIGKILL to its whole process group) while that apply runs, and
apply is rerun at once. The lab's audit log (one ``start`` and one ``end`` record per sysupgrade
call, appended in order) must show no two step runs overlapping on any node, and one apply on node2.
"""
import os
import signal
import subprocess
import time

from lab_ansible import VENV_BIN, assert_no_secret, lab_secrets

STEPS = ("export", "upgrade", "apply", "clean")
APPLY_TASK = "Apply the upgraded data (sysupgrade apply)"


def step_runs(audit):
    """The audit's step runs (status calls left out), in the order they started: [(id, argv[1])]."""
    return [(r["id"], r["argv"][1]) for r in audit if r["event"] == "start" and r["argv"][1] in STEPS]


def overlaps(audit):
    """Pairs of step runs whose start/end records interleave in the audit log (appended in order)."""
    running, found = {}, []
    for record in audit:
        if record["argv"][1] not in STEPS:
            continue
        if record["event"] == "start":
            found += [(other, record["id"]) for other in running]
            running[record["id"]] = record
        else:
            running.pop(record["id"], None)
    return found


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.2)


def test_a_rerun_after_the_controller_died_waits_for_the_apply_still_running(lab_factory, ansible_on, tmp_path):
    lab = lab_factory("vendor-3-node")
    runner = ansible_on(lab)
    extra = {"apigw_apply_confirmed": True, "apigw_report_dir": str(tmp_path / "reports")}

    prepared = runner.playbook("apigw.sysupgrade.test_upgrade", extra_vars=extra)
    assert prepared.rc == 0, prepared
    first_anm = runner.playbook("apigw.sysupgrade.apply", extra_vars=extra, limit="node1")
    assert first_anm.rc == 0, first_anm

    # node2's apply is held half way (lab fault `hold`) until this test releases it: the controller
    # is killed while it runs, and the rerun finds it running for as long as the test needs.
    lab.fault("node2", "hold", step="apply")
    argv = [str(VENV_BIN / "ansible-playbook"), "apigw.sysupgrade.apply", "-e", "apigw_apply_confirmed=true",
            "-e", "apigw_report_dir=%s" % (tmp_path / "reports")]
    try:
        with open(str(tmp_path / "killed-run.log"), "w") as output:
            controller = subprocess.Popen(argv, env=runner.env(), cwd=str(tmp_path), stdout=output,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_for(lambda: any(name == "apply" for _id, name in step_runs(lab.audit("node2"))), 240,
                         "node2's apply to start")
            finally:
                # The controller dies: ansible-playbook, its workers and their ssh clients at once.
                os.killpg(controller.pid, signal.SIGKILL)
                controller.wait()
        assert [r["event"] for r in lab.audit("node2") if r["argv"][1] == "apply"] == ["start"], \
            "node2's apply must still be running when the rerun starts"

        # The rerun, released only once it says it waits for the apply still running on node2.
        rerun = runner.playbook_releasing("apigw.sysupgrade.apply", extra, cwd=tmp_path,
                                          seen="node2: sysupgrade apply waiting for ",
                                          release=lambda: lab.clear_faults("node2", "hold"))
    finally:
        lab.clear_faults("node2")
    assert rerun.rc == 0, rerun

    for node in lab.nodes:
        audit = lab.audit(node)
        assert overlaps(audit) == [], "%s: overlapping sysupgrade runs %s" % (node, overlaps(audit))
    applies = [run_id for run_id, name in step_runs(lab.audit("node2")) if name == "apply"]
    assert len(applies) == 1, "node2 ran sysupgrade apply %d times" % len(applies)
    [end] = [r for r in lab.audit("node2") if r["event"] == "end" and r["id"] == applies[0]]
    assert end["exit"] == 0

    # The rerun waited for the first run's apply, then found it done.
    [node2_apply] = [r for r in rerun.results if r["host"] == "node2" and r["task"].endswith(APPLY_TASK)]
    assert node2_apply["status"] == "ok" and node2_apply["result"]["changed"] is False, node2_apply
    assert any(w.startswith("waited ") and "another sysupgrade run on this node" in w for w in node2_apply["warnings"]), node2_apply
    assert "node2: sysupgrade apply waiting for " in rerun.stdout
    # node3, after it, was applied by the rerun
    [node3_apply] = [r for r in rerun.results if r["host"] == "node3" and r["task"].endswith(APPLY_TASK)]
    assert node3_apply["result"]["changed"] is True
    for node in lab.nodes:
        status = lab.ssh(node, lab.info["new_dir"] + "/upgrade/bin/sysupgrade status", check=True).stdout
        assert "Current status: system upgrade complete" in status
    assert_no_secret([run.output for run in runner.transcript], lab_secrets(lab))
