# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Never two sysupgrade runs on one node: an exclusive ``flock`` on ``NEW/upgrade/bin/.apigw-sysupgrade.lock``.

Seen on a domain: the controller was killed during node2's apply, apply was rerun at once, and a
second ``sysupgrade apply`` started on node2 while the first still ran (the second truncated the
first's log). The step modules (export, upgrade, apply, clean) therefore take this lock before they
read the status and decide anything, and hold it until they exit:

- it lives exactly as long as the module process that runs the step. A controller that dies does
  not release it (the module goes on, under ``async``, and keeps it); a module that dies releases it
  at once (the kernel drops a ``flock`` with the last descriptor of the open file), so there is no
  stale lock to clean up by hand, and nothing to break by a wrong guess about a pid;
- the descriptor is not inherited (``O_CLOEXEC``): the gateway processes apply starts as daemons
  must not keep the lock after the step;
- the holder writes its pid, step and start time into the file, so that a run that has to wait
  can name it;
- a run that finds the lock taken waits for it, up to the step's own timeout, and then reads the
  status again: a step the other run completed is then ``changed: false``;
- ``sysupgrade status`` never takes it (it only reads; the status module and the gates run while a
  step runs).

A lock file that someone removed while it was held is detected (its inode changed) and taken again
on the new file. ``flock`` needs a local file system for NEW, which the vendor's layout has.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import json
import os
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_owner, install_paths

LOCK_NAME = ".apigw-sysupgrade.lock"
POLL_SECONDS = 0.5
# A lock found taken is tried again a few times at once before it counts as another run's: a
# reader's test (held_by_another, an instant's shared lock) must not look like a run to wait for.
QUICK_TRIES = 5
QUICK_SECONDS = 0.05
_BUSY = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)


def lock_path(new_install_dir):
    return os.path.join(install_paths.working_dir(new_install_dir), LOCK_NAME)


def _utc(when):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def describe_holder(holder):
    """``pid 4242, sysupgrade apply since 2026-11-25T05:00:00Z`` (what the holder wrote), or what is known."""
    if not holder:
        return "holder unknown (the lock file names none)"
    text = "pid %s" % holder.get("pid", "?")
    if holder.get("step"):
        text += ", sysupgrade %s" % holder["step"]
    if holder.get("since"):
        text += " since %s" % holder["since"]
    return text


class LockTimeout(Exception):
    """Another run still held the lock when the wait ran out."""

    def __init__(self, path, waited, holder):
        self.path = path
        self.waited = waited
        self.holder = holder
        Exception.__init__(self, "another sysupgrade run on this node still holds the lock %s after %d s "
                                 "(%s)" % (path, waited, describe_holder(holder)))


class StepLock:
    """The node's sysupgrade lock. ``acquire`` takes it (waiting when needed), ``release`` drops it."""

    def __init__(self, path, clock=time.time, sleep=time.sleep, account=None):
        self.path = path
        # The installation's owner: the lock file is created as it (install_owner.acting_as).
        self.account = account
        self.fd = None
        self._clock = clock
        self._sleep = sleep

    # -- reading ------------------------------------------------------------------------------
    def holder(self):
        """What the current (or last) holder wrote: {pid, step, since}, or {} when unreadable."""
        try:
            with open(self.path, "r") as handle:
                data = json.loads(handle.read() or "{}")
        except (IOError, OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def held_by_another(self):
        """The holder (a dict, possibly empty) when another process holds the lock, else None.

        Never creates the file and never waits: for check mode. A shared lock is taken for an
        instant to test, so a step starting at that very moment waits POLL_SECONDS more."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None  # no lock file: nobody ever held it
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except (IOError, OSError) as exc:
                if exc.errno in _BUSY:
                    return self.holder()
                raise
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    # -- taking -------------------------------------------------------------------------------
    def _open(self):
        with install_owner.acting_as(self.account):
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)

    def _try(self, fd):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            if exc.errno in _BUSY:
                return False
            raise
        return True

    def _still_the_file(self, fd):
        """False when the file was removed or replaced after we opened it: our lock guards nothing."""
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except OSError:
            return False

    def acquire(self, step, timeout):
        """Take the lock, waiting up to ``timeout`` seconds for another holder.

        Returns None when it was free, else {"waited": seconds, "holder": what the other run wrote}.
        Raises LockTimeout when another run still holds it after ``timeout``; OSError when the file
        cannot be opened or locked at all.
        """
        started = self._clock()
        deadline = started + timeout
        seen = None
        while True:
            fd = self._open()
            try:
                taken = self._try(fd)
                for _attempt in range(QUICK_TRIES):
                    if taken:
                        break
                    self._sleep(QUICK_SECONDS)
                    taken = self._try(fd)
                while not taken:
                    if seen is None:
                        seen = self.holder()
                    if self._clock() >= deadline:
                        raise LockTimeout(self.path, self._clock() - started, self.holder() or seen)
                    self._sleep(POLL_SECONDS)
                    taken = self._try(fd)
                if not self._still_the_file(fd):
                    os.close(fd)
                    continue
            except BaseException:
                os.close(fd)
                raise
            break
        self.fd = fd
        self._write_holder(step)
        if seen is None:
            return None
        return {"waited": round(self._clock() - started, 1), "holder": seen}

    def _write_holder(self, step):
        record = json.dumps({"pid": os.getpid(), "step": step, "since": _utc(self._clock())}) + "\n"
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, record.encode("utf-8"))

    def release(self):
        """Drop the lock (closing the descriptor). The file stays, naming the last holder."""
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)
