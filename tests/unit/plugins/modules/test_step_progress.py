# -*- coding: utf-8 -*-
"""step_progress: a running step's log counts, the job's age, and the other run it waits for."""
import os
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock
from ansible_collections.apigw.sysupgrade.plugins.modules import step_progress
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.test_step_lock import Holder


def write_log(installs, text, step="upgrade"):
    path = os.path.join(installs["new"], "upgrade", "bin", "out", "logs", step + ".log")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def job_file(tmp_path, started):
    path = str(tmp_path / "j1.2")
    with open(path, "w") as handle:
        handle.write('{"started": true, "finished": false, "ansible_job_id": "j1.2"}')
    os.utime(path, (started, started))
    return path


def test_counts_age_and_resume(installs, tmp_path, run_module):
    log = write_log(installs, "[WARNING] messages from [RBAC] :\nWARN: changed\n[ERROR] messages from [X] :\nERROR: boom\n")
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "job_file": job_file(tmp_path, time.time() - 30)})
    assert kind == "exit", result
    assert result["changed"] is False
    assert result["log_path"] == log
    assert result["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert 29 <= result["job_age"] < 40
    assert result["waiting_for"] is None and result["lock_held"] is False
    with open(log, "a") as handle:
        handle.write("[WARNING] messages from [Y] :\nWARN: more\n")
    kind, again, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "resume": result["resume"]})
    assert again["counts"] == {"error": 1, "warning": 2, "info": 0}
    assert again["job_age"] is None


def test_a_log_older_than_the_job_is_not_this_runs(installs, tmp_path, run_module):
    log = write_log(installs, "[ERROR] messages from [X] :\nERROR: from yesterday\n")
    os.utime(log, (time.time() - 86400, time.time() - 86400))
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "job_file": job_file(tmp_path, time.time() - 5)})
    assert kind == "exit"
    assert result["log_path"] is None and result["resume"] is None


def test_a_job_that_waits_for_another_run_names_it(installs, tmp_path, run_module):
    holder = Holder(step_lock.lock_path(installs["new"]), 30)
    try:
        # the job started after the other run took the lock
        args = {"new_install_dir": installs["new"], "step": "apply", "job_file": job_file(tmp_path, time.time() + 5)}
        kind, result, _warnings = run_module(step_progress, args)
        assert kind == "exit", result
        assert result["waiting_for"]["pid"] == holder.pid and result["waiting_for"]["step"] == "apply"
        assert result["lock_held"] is True
        # a holder that took the lock after the job started is the job's own module
        kind, result, _warnings = run_module(step_progress, dict(args, job_file=job_file(tmp_path, time.time() - 60)))
        assert result["waiting_for"] is None
    finally:
        holder.kill()
