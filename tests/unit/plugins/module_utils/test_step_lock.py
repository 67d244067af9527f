# -*- coding: utf-8 -*-
"""step_lock with real processes: one run at a time on a node, waits, timeouts, a dead holder."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock

# The folder that holds ansible_collections/, for the child processes' sys.path.
COLLECTIONS_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(step_lock.__file__)))))))

HOLDER = r'''
import subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock
lock = step_lock.StepLock(sys.argv[2])
lock.acquire(sys.argv[3], 30)
if len(sys.argv) > 5:
    # a daemon started while the lock is held (as apply starts the gateway's processes)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"], close_fds=False, start_new_session=True)
print("locked", flush=True)
time.sleep(float(sys.argv[4]))
'''


class Holder:
    """Another process that takes the lock and keeps it for ``seconds``."""

    def __init__(self, path, seconds, step="apply", daemon=False):
        argv = [sys.executable, "-c", HOLDER, COLLECTIONS_ROOT, path, step, str(seconds)] + (["daemon"] if daemon else [])
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, universal_newlines=True)
        assert self.proc.stdout.readline().strip() == "locked"

    @property
    def pid(self):
        return self.proc.pid

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def wait(self):
        return self.proc.wait()


@pytest.fixture
def lock_file(tmp_path):
    return str(tmp_path / step_lock.LOCK_NAME)


def test_lock_path_is_beside_sysupgrade():
    assert step_lock.lock_path("/opt/Axway-7.7/apigateway") == "/opt/Axway-7.7/apigateway/upgrade/bin/.apigw-sysupgrade.lock"


def test_a_free_lock_is_taken_at_once_and_names_its_holder(lock_file):
    lock = step_lock.StepLock(lock_file)
    try:
        assert lock.acquire("upgrade", 5) is None
        assert stat.S_IMODE(os.stat(lock_file).st_mode) == 0o600
        holder = json.loads(open(lock_file).read())
        assert holder["pid"] == os.getpid() and holder["step"] == "upgrade"
        assert time.strptime(holder["since"], "%Y-%m-%dT%H:%M:%SZ")
    finally:
        lock.release()
    # the file stays, naming the last holder; the lock itself is free again
    assert os.path.exists(lock_file)
    assert step_lock.StepLock(lock_file).held_by_another() is None


def test_a_second_run_waits_for_the_first_then_takes_it(lock_file):
    holder = Holder(lock_file, 1.5)
    lock = step_lock.StepLock(lock_file)
    started = time.time()
    try:
        waited = lock.acquire("apply", 30)
        took = time.time() - started
        assert holder.wait() == 0
        # the holder's sleep ended before we got it
        assert 1.0 <= took < 10
        assert waited["holder"]["pid"] == holder.pid and waited["holder"]["step"] == "apply"
        assert waited["waited"] >= 1.0
        assert json.loads(open(lock_file).read())["pid"] == os.getpid()
    finally:
        lock.release()


def never_sleep(seconds):
    """A StepLock's sleep for the checks that it does not wait: an event, not a clock."""
    pytest.fail("the lock waited (sleep %s) where it must not" % seconds)


def test_the_wait_is_bounded_and_names_the_lock_and_the_holder(lock_file):
    holder = Holder(lock_file, 30)
    try:
        lock = step_lock.StepLock(lock_file)
        started = time.time()
        with pytest.raises(step_lock.LockTimeout) as caught:
            lock.acquire("apply", 1)
        assert 1 <= time.time() - started < 5
        assert lock.fd is None
        text = str(caught.value)
        assert lock_file in text
        assert "pid %d, sysupgrade apply since " % holder.pid in text
        assert caught.value.holder["pid"] == holder.pid
    finally:
        holder.kill()


def test_a_dead_holder_releases_the_lock_at_once(lock_file):
    holder = Holder(lock_file, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    # at once: a lock that had to wait would sleep between its tries, and this one may not
    lock = step_lock.StepLock(lock_file, sleep=never_sleep)
    try:
        assert lock.acquire("apply", 10) is None
    finally:
        lock.release()


def test_a_daemon_started_by_the_holder_does_not_keep_the_lock(lock_file):
    """The descriptor is close-on-exec: processes apply starts (node manager, gateways) never hold it."""
    holder = Holder(lock_file, 0.2, daemon=True)
    assert holder.wait() == 0
    lock = step_lock.StepLock(lock_file)
    try:
        assert lock.acquire("apply", 2) is None
    finally:
        lock.release()


def test_held_by_another_reads_without_creating_or_waiting(tmp_path, lock_file):
    assert step_lock.StepLock(lock_file).held_by_another() is None
    assert not os.path.exists(lock_file)
    holder = Holder(lock_file, 30)
    try:
        seen = step_lock.StepLock(lock_file, sleep=never_sleep).held_by_another()  # never waits
        assert seen["pid"] == holder.pid and seen["step"] == "apply"
    finally:
        holder.kill()
    assert step_lock.StepLock(lock_file).held_by_another() is None


def test_a_lock_file_replaced_while_waiting_is_taken_again(lock_file, monkeypatch):
    lock = step_lock.StepLock(lock_file)
    checks = []

    def still_the_file(fd):
        checks.append(fd)
        return len(checks) > 1  # the first file we locked was removed meanwhile
    monkeypatch.setattr(lock, "_still_the_file", still_the_file)
    try:
        assert lock.acquire("export", 5) is None
        assert len(checks) == 2
    finally:
        lock.release()


def test_describe_holder():
    assert step_lock.describe_holder({}) == "holder unknown (the lock file names none)"
    assert step_lock.describe_holder({"pid": 7, "step": "clean", "since": "2026-11-25T05:00:00Z"}) == \
        "pid 7, sysupgrade clean since 2026-11-25T05:00:00Z"


def test_a_readers_instant_test_is_not_a_run_to_wait_for(lock_file, monkeypatch):
    """held_by_another takes a shared lock for an instant (step_progress on every poll); a step
    starting at that instant takes the lock a moment later and reports no wait."""
    lock = step_lock.StepLock(lock_file)
    tries = []
    real_try = lock._try

    def busy_once(fd):
        tries.append(fd)
        return len(tries) > 1 and real_try(fd)
    monkeypatch.setattr(lock, "_try", busy_once)
    try:
        assert lock.acquire("apply", 5) is None
    finally:
        lock.release()
