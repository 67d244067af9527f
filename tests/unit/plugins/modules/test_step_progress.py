# -*- coding: utf-8 -*-
"""step_progress: a running step's log counts, the job's age, and the other run it waits for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
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


# ---- waiting on the node for the job to end (the controller's long poll) ----

def test_job_state_reads_async_wrappers_status_file(tmp_path):
    path = tmp_path / "j9.9"
    assert step_progress.job_state(str(path)) == ("missing", None)               # no such job
    path.write_text('{"started": 1, "finished": 0, "ansible_job_id": "j9.9"}')
    assert step_progress.job_state(str(path)) == ("running", None)
    path.write_text('{"changed": true, "step": "upgrade"}')
    assert step_progress.job_state(str(path)) == ("finished", {"changed": True, "step": "upgrade"})
    timed_out = {"started": 1, "finished": 1, "failed": 1, "msg": "Timeout exceeded"}
    path.write_text(json.dumps(timed_out))
    assert step_progress.job_state(str(path)) == ("finished", timed_out)           # async_wrapper's own end
    path.write_text('{"started": 1, "fini')
    state, why = step_progress.job_state(str(path))
    assert state == "unreadable" and why
    path.write_text('[1, 2]')
    assert step_progress.job_state(str(path)) == ("unreadable", "not a JSON object")


class FakeTime:
    def __init__(self, on_sleep=None):
        self.t = 0.0
        self.sleeps = []
        self.on_sleep = on_sleep

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds
        if self.on_sleep:
            self.on_sleep(self.t)


def test_wait_for_end_returns_as_soon_as_the_job_ends(tmp_path):
    path = tmp_path / "j1.1"
    path.write_text('{"started": 1, "finished": 0}')

    def end_at_two_seconds(now):
        if now >= 2:
            path.write_text('{"changed": false}')
    clock = FakeTime(end_at_two_seconds)
    assert step_progress.wait_for_end(str(path), 15, now=clock.now, sleep=clock.sleep) == \
        ("finished", {"changed": False}, 2.0)
    assert clock.sleeps == [0.5] * 4


def test_wait_for_end_gives_up_at_the_time_asked_or_when_there_is_no_job(tmp_path):
    path = tmp_path / "j1.1"
    path.write_text('{"started": 1, "finished": 0}')
    clock = FakeTime()
    assert step_progress.wait_for_end(str(path), 2, now=clock.now, sleep=clock.sleep) == ("running", None, 2.0)
    assert step_progress.wait_for_end(str(path), 0, now=clock.now, sleep=clock.sleep) == ("running", None, 0.0)
    path.unlink()
    assert step_progress.wait_for_end(str(path), 15, now=clock.now, sleep=clock.sleep) == ("missing", None, 0.0)


def test_a_waiting_call_returns_the_jobs_result(installs, tmp_path, run_module):
    path = job_file(tmp_path, time.time() - 10)
    with open(path, "w") as handle:
        handle.write('{"changed": true, "step": "upgrade"}')
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "job_file": path, "wait_seconds": 30})
    assert kind == "exit", result
    assert result["job_state"] == "finished" and result["waited_seconds"] < 30
    assert result["job_result"] == {"changed": True, "step": "upgrade"}


def test_a_running_job_has_no_result(installs, tmp_path, run_module):
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "job_file": job_file(tmp_path, time.time() - 10)})
    assert kind == "exit", result
    assert result["job_state"] == "running" and result["job_result"] is None and result["waited_seconds"] == 0


def test_bad_wait_seconds_are_refused(installs, tmp_path, run_module):
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "wait_seconds": -1})
    assert kind == "fail" and result["msg"] == "wait_seconds: must be 0 or more, got -1"
    kind, result, _warnings = run_module(step_progress, {
        "new_install_dir": installs["new"], "step": "upgrade", "wait_seconds": 5})
    assert kind == "fail" and result["msg"] == "wait_seconds: needs job_file (the job whose end to wait for)"
