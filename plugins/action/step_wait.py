# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait on the controller for a sysupgrade step started with ``async`` and ``poll: 0``.

The roles start export and upgrade on every node at once (``async``, so ``forks`` only limits how
many starts are in flight), and apply in its serial order, then wait here. On every poll this asks
the node for the step's progress (the step_progress module: the log's warnings and errors so far,
the job's age) and for the job's state (``ansible.builtin.async_status``), and prints one line::

    node2: sysupgrade upgrade running for 0:12:40, its log so far: 2 warnings, 0 errors

so that an hour-long step never looks hung. Lines come 1, 2, 4, 8 and 16 seconds after the wait
starts, then every ``poll_interval`` seconds: a long step is not polled for nothing. Each poll waits
on the node (step_progress's ``wait_seconds``) for the job to end, and returns as soon as it does:
the end of a step is seen within a second, whatever the poll interval.

A poll the node does not answer (the SSH connection dropped, the node is cut off) is not an error:
the step goes on on the node whatever happens to the connection (async_wrapper detached it; the
module's watchdog keeps enforcing the step's own time limit). The wait says so, resets the
connection and polls again, until ``unreachable_grace`` seconds have passed without any answer;
only then is the result ``unreachable: true``, with a message saying what was last known.

When the job has finished, its result (the step module's own result: changed, failed, msg, counts,
issues, ...) is this task's result, so the variable the task registers is what the step module
would have returned run synchronously.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import time
from shlex import quote as shlex_quote

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.apigw.sysupgrade.plugins.module_utils.step_lock import describe_holder
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.sliced_wait import clock

display = Display()

STEPS = ("export", "upgrade", "apply", "clean")
FIRST_DELAYS = (1, 1, 2, 4, 8)
# Seconds before a poll the node did not answer is tried again.
RETRY_DELAY = 5
# A job whose status file says it runs, older than this, with nobody holding the node's sysupgrade
# lock on this many polls in a row, is no longer running (the node restarted, the job was killed):
# a step module holds the lock from its first second until it exits.
ORPHAN_AGE = 60
ORPHAN_POLLS = 2
# What async_status adds to the module's own result.
ASYNC_KEYS = ("started", "finished", "results_file", "ansible_job_id")
ASYNC_TIMEOUT_MSG = "Timeout exceeded"
ERROR_TEXT_LIMIT = 300

ARGUMENT_SPEC = dict(
    job=dict(type="dict", required=True),
    step=dict(type="str", required=True, choices=list(STEPS)),
    # A path on the node: no expansion on the controller.
    new_install_dir=dict(type="str", required=True),
    poll_interval=dict(type="int", default=15),
    unreachable_grace=dict(type="int", default=300),
    timeout=dict(type="int", required=True),
    cleanup=dict(type="bool", default=True),
)


def plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def describe_counts(counts):
    if not isinstance(counts, dict):
        return "no log yet"
    return "%s, %s" % (plural(int(counts.get("warning", 0) or 0), "warning"), plural(int(counts.get("error", 0) or 0), "error"))


def job_lost(status):
    """async_status's own failure (no status file, or one it cannot read), not the step's."""
    msg = str(status.get("msg", ""))
    return bool(status.get("failed")) and "step" not in status and (
        msg == "could not find job" or msg.startswith("Could not parse job output"))


def job_status(state, result):
    """What async_status would have answered, from step_progress's job_state and job_result."""
    if state == "finished":
        return dict(result or {}, finished=True)
    if state == "missing":
        return {"failed": True, "finished": True, "msg": "could not find job"}
    if state == "unreadable":
        return {"failed": True, "finished": True, "msg": "Could not parse job output: %s" % (result or "")}
    return {"started": True, "finished": False}


def short(text, limit=ERROR_TEXT_LIMIT):
    text = " ".join(to_text(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    # Seams for the unit tests.
    _now = staticmethod(time.time)
    _sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        for name in ("poll_interval", "unreachable_grace", "timeout"):
            if args[name] < (1 if name == "poll_interval" else 0):
                result.update(failed=True, msg="%s: must be %s, got %s" % (
                    name, "1 or more" if name == "poll_interval" else "0 or more", args[name]))
                return result
        job = args["job"]
        if job.get("skipped"):
            result.update(skipped=True, changed=False, msg="the %s step was not started (skipped)" % args["step"])
            return result
        if job.get("unreachable") or job.get("failed"):
            # The start itself went wrong (the node was lost, the module could not start): that is
            # the step's result.
            return dict(job)
        if not job.get("ansible_job_id"):
            result.update(failed=True, msg="job: not the result of a task run with async and poll: 0 (no ansible_job_id)")
            return result
        waiter = _StepWait(self, task_vars or {}, args)
        result.update(waiter.wait())
        # When the step ran on this node (epoch seconds; filter phase_mark's contract), per node,
        # whatever the other nodes took: the step module's own measure of sysupgrade when it has
        # one, else the controller's view of the job (a job that ended without the module's result).
        if not isinstance(result.get("timing"), dict):
            result["timing"] = {"start": waiter.started if waiter.started is not None else waiter.waiting_since,
                                "end": self._now()}
        return result

    # -- what the wait needs from Ansible (a fake replaces these in the unit tests) -------------
    def _host(self, task_vars):
        return task_vars.get("inventory_hostname") or self._play_context.remote_addr or "?"

    def _async_dir(self, job):
        """Where async_wrapper wrote the job's status file: beside its results_file."""
        if job.get("results_file"):
            return posixpath.dirname(job["results_file"])
        return self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))

    def _probe(self):
        """A bare command on the node; raises AnsibleError when the node does not answer."""
        res = self._low_level_execute_command("echo apigw-step-wait", sudoable=False)
        if res.get("rc") != 0:
            raise AnsibleError("the node did not answer a bare command (exit code %s): %s"
                               % (res.get("rc"), short(res.get("stderr") or res.get("stdout") or "")))

    def _remove_file(self, path):
        """Remove a file on the node with a bare command (async_status's cleanup without Python)."""
        self._low_level_execute_command("rm -f %s" % shlex_quote(path), sudoable=False)

    def _reset_connection(self):
        try:
            self._connection.reset()
        except Exception:  # pylint: disable=broad-except
            pass  # best effort: the next poll opens a new connection anyway


class _StepWait:
    """One wait: poll, show, decide. ``action`` is the ActionModule (its _execute_module etc.)."""

    def __init__(self, action, task_vars, args):
        self.action = action
        self.task_vars = task_vars
        self.job = args["job"]
        self.jid = self.job["ansible_job_id"]
        self.step = args["step"]
        self.new_install_dir = args["new_install_dir"]
        self.poll_interval = args["poll_interval"]
        self.grace = args["unreachable_grace"]
        self.timeout = args["timeout"]
        self.cleanup = args["cleanup"]
        self.host = action._host(task_vars)
        self.async_dir = action._async_dir(self.job)
        self.job_file = self.job.get("results_file") or posixpath.join(self.async_dir, self.jid)
        self.waiting_since = None    # controller time at which this wait began
        self.started = None          # controller time at which the job started (from its age on the node)
        self.counts = None           # the log's counts at the last answer
        self.waiting_for = None      # the other run of sysupgrade the job waits for (its lock), if any
        self.resume = None           # step_progress's resume record
        self.last_error = None
        self.orphan_polls = 0        # polls in a row that found the job running without the lock
        self.check_mode = bool(action._task.check_mode)  # a step module in check mode takes no lock

    # -- talking to the node ------------------------------------------------------------------
    def execute(self, module, module_args):
        return self.action._execute_module(module_name=module, module_args=module_args, task_vars=self.task_vars)

    def ask(self, wait_seconds):
        """One poll: (job status or None when the node did not answer, error text, whether the node
        waited).

        A bare command first: on a node that does not answer it fails after one connection
        timeout, where a module call tries each file transfer method in turn (three timeouts).
        Then one module call, step_progress: it waits on the node up to ``wait_seconds`` for the job
        to end (a long poll: the end of a step is seen within a second, not at the next poll), and
        returns the job's state from its status file as async_status would, its result once it
        ended, and the log's counts so far. Only when step_progress itself fails is the job's state
        asked of async_status."""
        try:
            self.action._probe()
            progress = self.execute("apigw.sysupgrade.step_progress", {
                "new_install_dir": self.new_install_dir, "step": self.step, "job_file": self.job_file,
                "resume": self.resume, "wait_seconds": int(wait_seconds)})
            if progress.get("unreachable") or progress.get("_ansible_parsed") is False:
                # No usable answer: the connection broke, or it cut the answer short.
                return None, progress.get("msg", "unreachable"), False
            if progress.get("failed") or progress.get("job_state") is None:
                # Progress is for the eye only; the job's state still has to be known.
                status = self.execute("ansible.builtin.async_status", {"jid": self.jid, "_async_dir": self.async_dir})
                if status.get("unreachable") or status.get("_ansible_parsed") is False:
                    return None, status.get("msg", "unreachable"), False
                return status, None, False
        except AnsibleError as exc:
            return None, to_text(exc), False
        if progress.get("log_path"):
            self.counts = progress.get("counts", self.counts)
        self.resume = progress.get("resume")
        self.waiting_for = progress.get("waiting_for")
        orphan = (progress.get("lock_held") is False and not self.check_mode
                  and float(progress.get("job_age") or 0) > ORPHAN_AGE)
        self.orphan_polls = self.orphan_polls + 1 if orphan else 0
        if progress.get("job_age") is not None:
            # The job's status file is rewritten when the job ends, so a job that ended right after
            # async_status answered looks younger: the earliest start seen is the right one.
            started = self.action._now() - float(progress["job_age"])
            self.started = started if self.started is None else min(self.started, started)
        return job_status(progress["job_state"], progress.get("job_result")), None, True

    # -- the loop -----------------------------------------------------------------------------
    def elapsed(self, now):
        return now - (self.started if self.started is not None else self.waiting_since)

    def wait(self):
        self.waiting_since = last_answer = last_silence_shown = self.action._now()
        first = [delay for delay in FIRST_DELAYS if delay < self.poll_interval]
        delay = first.pop(0) if first else self.poll_interval
        while True:
            status, error, waited = self.ask(delay)
            now = self.action._now()
            if status is not None:
                last_answer = now
                self.last_error = None
                if job_lost(status):
                    return self.job_lost(status)
                if status.get("finished"):
                    return self.finished(status, now)
                if self.orphan_polls >= ORPHAN_POLLS:
                    return self.job_gone(now)
                if self.waiting_for:
                    self.show("waiting for %s: another run of sysupgrade on the node holds its lock (%s)"
                              % (clock(self.elapsed(now)), describe_holder(self.waiting_for)))
                else:
                    self.show("running for %s, its log so far: %s" % (clock(self.elapsed(now)), describe_counts(self.counts)))
                if not waited:
                    self.action._sleep(delay)  # the node could not wait (no progress answer): wait here
                delay = first.pop(0) if first else self.poll_interval
            else:
                silent = now - last_answer
                if silent >= self.grace:
                    self.last_error = short(error)
                    return self.unreachable(silent, now)
                # The first silence at once, then one line per poll interval: a node that refuses
                # connections fails every few seconds.
                if self.last_error is None or now - last_silence_shown >= self.poll_interval:
                    self.show("running for %s; no answer for %d s (waiting up to %d s for one): %s"
                              % (clock(self.elapsed(now)), silent, self.grace, short(error)))
                    last_silence_shown = now
                self.last_error = short(error)
                self.action._reset_connection()
                # Try again soon: during a cut each try takes the connection timeout anyway, and
                # once the node is back the wait should know at once.
                self.action._sleep(min(self.poll_interval, RETRY_DELAY))
            if now - self.waiting_since >= self.timeout:
                return self.too_long(now)

    def show(self, text):
        display.display("%s: sysupgrade %s %s" % (self.host, self.step, text))

    # -- endings ------------------------------------------------------------------------------
    def finished(self, status, now):
        result = dict((key, value) for key, value in status.items() if key not in ASYNC_KEYS)
        if "step" not in result:
            # Not the step module's own result: async_wrapper's (time limit, crash).
            result["step"] = self.step
            if result.get("msg") == ASYNC_TIMEOUT_MSG:
                result["msg"] = (
                    "sysupgrade %s ran out of its async time limit on %s and its module was killed there "
                    "(async_wrapper: %s), so its result is lost; the step's own time limit should have "
                    "ended it first. Read what it did with the status playbook before going on."
                    % (self.step, self.host, ASYNC_TIMEOUT_MSG))
        if self.cleanup:
            try:
                self.action._remove_file(self.job_file)
            except AnsibleError:
                pass  # a leftover status file in the async folder harms nothing
        counts = result.get("counts") if isinstance(result.get("counts"), dict) else self.counts
        outcome = "failed" if result.get("failed") else "done (changed)" if result.get("changed") else "done (nothing to change)"
        if isinstance(result.get("duration"), (int, float)):
            took = ", sysupgrade ran %s" % clock(result["duration"])  # the step module's own measure
        else:
            took = " after %s" % clock(self.elapsed(now))
        self.show("%s%s%s" % (outcome, took, "; its log: %s" % describe_counts(counts) if counts is not None else ""))
        return result

    def last_known(self):
        if self.counts is None:
            return "no log yet"
        return "its log then: %s" % describe_counts(self.counts)

    def unreachable(self, silent, now):
        self.show("running for %s; no answer for %d s: given up" % (clock(self.elapsed(now)), silent))
        # The remote temporary folder cannot be removed now; forget it instead of failing on it.
        self.action._connection._shell.tmpdir = None
        return {
            "unreachable": True, "changed": False, "step": self.step, "ansible_job_id": self.jid,
            "msg": ("no answer from %s for %d s during sysupgrade %s (job %s, %s into the step; %s; last "
                    "error: %s). The step may still be running there; a rerun waits for it instead of "
                    "starting a second one."
                    % (self.host, silent, self.step, self.jid, clock(self.elapsed(now)), self.last_known(),
                       self.last_error or "none")),
        }

    def job_lost(self, status):
        return {
            "failed": True, "changed": False, "step": self.step, "ansible_job_id": self.jid,
            "msg": ("the node no longer knows the job of sysupgrade %s (%s, in %s: %s): it may have "
                    "restarted, or the job's status file was removed. Read what the step did with the "
                    "status playbook, then run it again."
                    % (self.step, self.jid, self.async_dir, short(status.get("msg", "no status")))),
        }

    def job_gone(self, now):
        self.show("no longer running after %s: given up" % clock(self.elapsed(now)))
        return {
            "failed": True, "changed": False, "step": self.step, "ansible_job_id": self.jid,
            "msg": ("the job of sysupgrade %s on %s (%s) is no longer running: its status file still says it "
                    "runs, but no process holds the node's sysupgrade lock, which the step module holds until "
                    "it ends (the node restarted, or the job was killed; %s). Read what the step did with the "
                    "status playbook, then run it again."
                    % (self.step, self.host, self.jid, self.last_known())),
        }

    def too_long(self, now):
        return {
            "failed": True, "changed": False, "step": self.step, "ansible_job_id": self.jid,
            "msg": ("sysupgrade %s had not finished on %s after %s of waiting (timeout %d s; %s). "
                    "Its job %s may still be running there: read the node's state with the status "
                    "playbook before going on."
                    % (self.step, self.host, clock(now - self.waiting_since), self.timeout, self.last_known(), self.jid)),
        }
