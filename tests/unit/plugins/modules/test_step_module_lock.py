# -*- coding: utf-8 -*-
"""The step modules take the node's sysupgrade lock before deciding anything (a real second process holds it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock
from ansible_collections.apigw.sysupgrade.plugins.modules import apply, export, status
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.test_step_lock import Holder

PW = "Pa55-w0rd!"
DP = "dom-Phrase#9"


def apply_args(installs, **extra):
    return dict({"new_install_dir": installs["new"], "username": "admin", "password": PW, "domain_passphrase": DP}, **extra)


def test_a_run_waits_for_the_other_then_reads_the_status_afresh(installs, fake, run_module):
    """The observed case: apply rerun while the first apply still runs. The rerun waits; the other
    run completed the step meanwhile, so the rerun changes nothing and runs no second apply."""
    path = step_lock.lock_path(installs["new"])
    fake.state = "apply"  # what the other run will have done by the time the lock is free
    holder = Holder(path, 1.5)
    started = time.time()
    kind, result, warnings = run_module(apply, apply_args(installs))
    took = time.time() - started
    assert holder.wait() == 0
    assert kind == "exit", result
    assert result["changed"] is False
    assert fake.step_calls == []          # no second sysupgrade apply
    assert took >= 1.0                    # it did wait
    [waited] = [w for w in warnings if w.startswith("waited ")]
    assert "another sysupgrade run on this node to end (pid %d, sysupgrade apply since " % holder.pid in waited
    assert path in waited


def test_nothing_is_read_before_the_lock_is_free(installs, fake, run_module, mocker):
    path = step_lock.lock_path(installs["new"])
    fake.state = "upgrade"
    holder = Holder(path, 1.0)
    locked_at = time.time()  # the holder keeps the lock 1 s from about now
    first_call = []
    original = fake.__call__

    def record(args, **kwargs):
        first_call.append(time.time())
        return original(args, **kwargs)
    mocker.patch("ansible.module_utils.basic.AnsibleModule.run_command", side_effect=record)
    kind, result, _warnings = run_module(apply, apply_args(installs))
    assert holder.wait() == 0
    assert kind == "exit", result
    assert result["changed"] is True      # the other run did not apply: this one does, after it
    # not even status was read while the other run held the lock
    assert min(first_call) >= locked_at + 0.9


def test_a_holder_that_outlasts_the_timeout_fails_the_step_and_runs_nothing(installs, fake, run_module):
    path = step_lock.lock_path(installs["new"])
    holder = Holder(path, 30)
    try:
        kind, result, _warnings = run_module(apply, apply_args(installs, timeout=1))
    finally:
        holder.kill()
    assert kind == "fail"
    assert fake.calls == []
    msg = result["msg"]
    assert msg.startswith("another sysupgrade run on this node still holds the lock %s after 1 s (pid %d, sysupgrade apply since "
                          % (path, holder.pid))
    assert "nothing was run" in msg and "then run apply again" in msg


def test_the_lock_is_free_again_after_the_module(installs, fake, run_module):
    fake.state = "not started"
    args = {"new_install_dir": installs["new"], "old_install_dir": installs["old"], "username": "admin", "password": PW}
    kind, result, _warnings = run_module(export, args)
    assert kind == "exit" and result["changed"] is True, result
    assert os.path.exists(step_lock.lock_path(installs["new"]))
    assert step_lock.StepLock(step_lock.lock_path(installs["new"])).held_by_another() is None
    # a failing run releases it too
    fake.set_outcome("export", rc=1, log="[ERROR] messages from [Export] :\nERROR: boom\n", advance=False)
    kind, _result, _warnings = run_module(export, dict(args, force=True))
    assert kind == "fail"
    assert step_lock.StepLock(step_lock.lock_path(installs["new"])).held_by_another() is None


def test_check_mode_never_waits_and_says_when_a_run_is_going_on(installs, fake, run_module):
    path = step_lock.lock_path(installs["new"])
    fake.state = "upgrade"
    kind, result, warnings = run_module(apply, apply_args(installs), check_mode=True)
    assert kind == "exit" and result["changed"] is True
    assert not os.path.exists(path)       # check mode creates no lock file
    assert warnings == []
    holder = Holder(path, 30)
    try:
        started = time.time()
        kind, result, warnings = run_module(apply, apply_args(installs), check_mode=True)
        assert time.time() - started < 1
    finally:
        holder.kill()
    assert kind == "exit"
    [warning] = warnings
    assert warning.startswith("another sysupgrade run is going on on this node (pid %d, sysupgrade apply" % holder.pid)


def test_status_does_not_take_the_lock(installs, fake, run_module):
    path = step_lock.lock_path(installs["new"])
    holder = Holder(path, 30)
    try:
        started = time.time()
        kind, result, _warnings = run_module(status, {"new_install_dir": installs["new"]})
        assert time.time() - started < 1
    finally:
        holder.kill()
    assert kind == "exit", result
