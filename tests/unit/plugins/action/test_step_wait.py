"""step_wait: the controller's wait for a step's async job, with a fake node behind _execute_module.

The fake node answers async_status and step_progress from a script of polls, one entry per poll:
"running" (with counts), "finished" (with the step module's result), "ends" (running when the poll
asks, then ends half-way through step_progress's wait on the node, with the step module's result), "drop"
(the node does not answer: the bare command of the poll raises AnsibleConnectionFailure), "lost"
(async_status: could not find job). Time is a fake clock that sleeps instantly; step_progress's
wait on the node is one of its sleeps.
"""
from unittest import mock

import pytest

from ansible.errors import AnsibleConnectionFailure
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.apigw.sysupgrade.plugins.action import step_wait as sw

JOB = {"ansible_job_id": "j123.456", "results_file": "/root/.ansible_async/j123.456", "started": 1,
       "finished": 0, "changed": False}
STEP_RESULT = {"changed": True, "failed": False, "step": "upgrade", "msg": "sysupgrade upgrade completed",
               "counts": {"error": 0, "warning": 2, "info": 1}, "issues": [], "duration": 42.0,
               "status_after": {"completed": ["export", "upgrade"]}}


class Clock:
    def __init__(self):
        self.t = 1000.0
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


class FakeNode:
    """Answers the wait's module calls from ``script`` (one entry per poll); the last entry repeats."""

    def __init__(self, clock, script, poll_cost=0.5):
        self.clock = clock
        self.script = list(script)
        self.poll_cost = poll_cost
        self.calls = []
        self.resets = 0
        self.job_started = clock.t - 3.0   # the job started 3 s before the wait
        self.current = None

    def next_poll(self):
        self.current = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.clock.t += self.poll_cost

    def probe(self):
        self.next_poll()
        if self.current[0] == "drop":
            self.clock.t += 9.5  # a connection timeout
            raise AnsibleConnectionFailure("Failed to connect to the host via ssh: Connection timed out")

    def execute(self, module_name=None, module_args=None, task_vars=None, **_kwargs):
        """step_progress answers from the script (async_wrapper's status file, read on the node);
        async_status only serves the wait when step_progress fails (see that test)."""
        self.calls.append((module_name, dict(module_args or {})))
        kind, data = self.current
        if module_name == "apigw.sysupgrade.step_progress":
            assert module_args["job_file"] == JOB["results_file"]
            assert module_args["step"] == "upgrade"
            if kind == "garbled":
                return {"failed": True, "msg": "Module result deserialization failed.", "_ansible_parsed": False}
            state, result = {"finished": ("finished", data), "lost": ("missing", None)}.get(kind, ("running", None))
            waited = module_args["wait_seconds"] if state == "running" else 0
            if kind == "ends":  # the job ends half-way through the wait on the node
                waited = module_args["wait_seconds"] / 2.0
                state, result = "finished", data
            if waited:
                self.clock.sleep(waited)  # the long poll waits on the node
            return {"job_state": state, "job_result": result, "waited_seconds": float(waited), "changed": False,
                    "log_path": "/opt/new/upgrade/bin/out/logs/upgrade.log",
                    "counts": dict(data or {"error": 0, "warning": 0, "info": 0}) if kind == "running" else
                    {"error": 0, "warning": 0, "info": 0},
                    "lines": 10, "job_age": self.clock.t - self.job_started,
                    "waiting_for": data if kind == "waiting" else None,
                    "lock_held": kind != "orphan",
                    "resume": {"offset": len(self.calls)}}
        if module_name == "ansible.builtin.async_status":
            assert module_args["jid"] == JOB["ansible_job_id"]
            assert module_args["_async_dir"] == "/root/.ansible_async"
            if kind == "finished":
                return dict(data, finished=True, ansible_job_id=JOB["ansible_job_id"], _ansible_parsed=True)
            return {"started": True, "finished": False, "ansible_job_id": JOB["ansible_job_id"],
                    "results_file": JOB["results_file"], "_ansible_parsed": True}
        raise AssertionError("unexpected module call %s %s" % (module_name, module_args))

    def remove_file(self, path):
        self.calls.append(("rm -f", {"path": path}))


class Lines:
    def __init__(self):
        self.lines = []

    def display(self, text, **_kwargs):
        self.lines.append(text)


@pytest.fixture
def shown(monkeypatch):
    lines = Lines()
    monkeypatch.setattr(sw, "display", lines)
    return lines.lines


def make_action(node, clock, **args):
    task = mock.MagicMock()
    task.args = dict({"job": JOB, "step": "upgrade", "new_install_dir": "/opt/new", "timeout": 10000}, **args)
    task.async_val = 0
    task.check_mode = False
    connection = mock.MagicMock()
    connection._shell.tmpdir = "/root/.ansible/tmp/ansible-tmp-1"
    loader = DataLoader()
    action = sw.ActionModule(task, connection, mock.MagicMock(), loader, Templar(loader=loader), None)
    action._execute_module = node.execute
    action._probe = node.probe
    action._remove_file = node.remove_file
    action._now = clock.now
    action._sleep = clock.sleep

    def reset():
        node.resets += 1
    action._reset_connection = reset
    return action


def run(script, clock=None, **args):
    clock = clock or Clock()
    node = FakeNode(clock, script)
    action = make_action(node, clock, **args)
    result = action.run(task_vars={"inventory_hostname": "node2"})
    return result, node, action, clock


def test_finished_at_the_first_poll_gives_the_step_modules_own_result(shown):
    result, node, _action, clock = run([("finished", STEP_RESULT)])
    timing = result.pop("timing")
    assert result == STEP_RESULT
    # the job's start (from its age on the node) and the controller's time at the end
    assert timing["start"] < timing["end"] == clock.now()
    for key in ("started", "finished", "results_file", "ansible_job_id"):
        assert key not in result
    assert clock.sleeps == []  # asked at once: the job had already ended
    # the job's status file is removed once read
    assert node.calls[-1] == ("rm -f", {"path": JOB["results_file"]})
    # one module call per poll: the job's state and result come with the progress
    assert [name for name, _args in node.calls] == ["apigw.sysupgrade.step_progress", "rm -f"]
    assert shown == ["node2: sysupgrade upgrade done (changed), sysupgrade ran 0:00:42; its log: 2 warnings, 0 errors"]


def test_cleanup_can_be_turned_off(shown):
    _result, node, _action, _clock = run([("finished", STEP_RESULT)], cleanup=False)
    assert not [c for c in node.calls if c[0] == "rm -f"]


def test_still_running_shows_a_line_per_poll_with_the_logs_counts(shown):
    running = ("running", {"error": 1, "warning": 2, "info": 0})
    result, _node, _action, clock = run([running] * 6 + [("finished", dict(STEP_RESULT, changed=False))],
                                        poll_interval=15)
    assert result["changed"] is False
    # 1, 2, 4, 8 and 16 s after the start, then every poll interval, each waited on the node (a long
    # poll); the poll that finds the job ended comes right after the last wait
    assert clock.sleeps == [1, 1, 2, 4, 8, 15]
    running_lines = shown[:-1]
    assert len(running_lines) == 6
    assert running_lines[0] == "node2: sysupgrade upgrade running for 0:00:04, its log so far: 2 warnings, 1 error"
    # elapsed is the job's age on the node (it started 3 s before the wait), not the wait's:
    # 3 + the waits (1 + 1 + 2 + 4 + 8 + 15) + six polls of 0.5 s
    assert running_lines[-1].startswith("node2: sysupgrade upgrade running for 0:00:37,")
    assert shown[-1] == "node2: sysupgrade upgrade done (nothing to change), sysupgrade ran 0:00:42; its log: 2 warnings, 0 errors"


def test_progress_is_read_on_from_where_it_stopped(shown):
    _result, node, _action, _clock = run([("running", None)] * 3 + [("finished", STEP_RESULT)])
    progress_calls = [args for name, args in node.calls if name == "apigw.sysupgrade.step_progress"]
    assert progress_calls[0]["resume"] is None
    assert progress_calls[1]["resume"] == {"offset": 1}
    assert progress_calls[2]["resume"] == {"offset": 2}


def test_a_short_poll_interval_skips_the_longer_first_delays(shown):
    _result, _node, _action, clock = run([("running", None)] * 5 + [("finished", STEP_RESULT)], poll_interval=3)
    assert clock.sleeps == [1, 1, 2, 3, 3]


def test_a_step_that_ends_during_the_wait_on_the_node_is_seen_at_once(shown):
    result, node, _action, clock = run([("running", None), ("ends", STEP_RESULT)], poll_interval=15)
    assert result.pop("timing") == {"start": 997.0, "end": clock.now()}
    assert result == STEP_RESULT
    # the second poll's wait on the node ended with the job: its result is read at once, no third poll
    assert clock.sleeps == [1, 0.5]
    names = [name for name, _args in node.calls]
    assert names == ["apigw.sysupgrade.step_progress", "apigw.sysupgrade.step_progress", "rm -f"]
    waits = [args["wait_seconds"] for name, args in node.calls if name == "apigw.sysupgrade.step_progress"]
    assert waits == [1, 1]


def test_a_poll_whose_progress_fails_waits_on_the_controller(shown):
    clock = Clock()
    node = FakeNode(clock, [("running", None)] * 3 + [("finished", STEP_RESULT)])
    answer = node.execute

    def progress_fails(module_name=None, module_args=None, **kwargs):
        if module_name == "apigw.sysupgrade.step_progress":
            node.calls.append((module_name, dict(module_args)))
            return {"failed": True, "msg": "boom"}
        return answer(module_name=module_name, module_args=module_args, **kwargs)
    action = make_action(node, clock)
    action._execute_module = progress_fails
    assert action.run(task_vars={"inventory_hostname": "node2"})["changed"] is True
    # the node did not wait, so the controller did: never a busy loop
    assert clock.sleeps == [1, 1, 2]
    # and the job's state came from async_status instead
    assert [name for name, _args in node.calls].count("ansible.builtin.async_status") == 4


def test_waiting_for_another_run_says_so(shown):
    holder = {"pid": 580, "step": "apply", "since": "2026-12-01T04:22:48Z"}
    run([("waiting", holder), ("finished", STEP_RESULT)])
    assert shown[0] == ("node2: sysupgrade upgrade waiting for 0:00:04: another run of sysupgrade on the node "
                        "holds its lock (pid 580, sysupgrade apply since 2026-12-01T04:22:48Z)")


def test_a_drop_then_an_answer_carries_on(shown):
    script = [("running", {"error": 0, "warning": 1, "info": 0}), ("drop", None), ("drop", None), ("drop", None),
              ("running", {"error": 0, "warning": 3, "info": 0}), ("finished", STEP_RESULT)]
    result, node, action, clock = run(script, unreachable_grace=300, poll_interval=15)
    assert result.pop("timing")["end"] == clock.now()  # the wait's end, drops included
    assert result == STEP_RESULT
    assert "unreachable" not in result
    assert node.resets == 3
    # after a poll without answer, the next comes after RETRY_DELAY seconds, not the full interval
    assert clock.sleeps[1:4] == [sw.RETRY_DELAY] * 3
    silence = [line for line in shown if "no answer" in line]
    # the first silence at once; the next only once a poll interval has passed since the last shown
    assert silence[0].startswith("node2: sysupgrade upgrade running for 0:00:")
    assert [line.split("no answer for ")[1].split(" s ")[0] for line in silence] == ["10", "25", "40"]
    assert silence[0].endswith("(waiting up to 300 s for one): Failed to connect to the host via ssh: Connection timed out")
    assert "its log so far: 3 warnings, 0 errors" in shown[-2]
    assert action._connection._shell.tmpdir is not None


def test_a_node_that_stays_gone_is_unreachable_after_the_grace(shown):
    script = [("running", {"error": 0, "warning": 2, "info": 0}), ("drop", None)]
    result, _node, action, clock = run(script, unreachable_grace=60, poll_interval=15)
    assert result["unreachable"] is True
    assert result["changed"] is False and result["step"] == "upgrade" and result["ansible_job_id"] == "j123.456"
    msg = result["msg"]
    # the first poll past the grace: tries at 10, 25, 40, 55 and 70 s of silence (10 s each, 5 s apart)
    assert msg.startswith("no answer from node2 for 70 s during sysupgrade upgrade (job j123.456, 0:01:14 into the step;")
    assert "its log then: 2 warnings, 0 errors" in msg
    assert "Connection timed out" in msg
    assert "a rerun waits for it instead of starting a second one" in msg
    # given up once the grace has passed since the last answer, no sooner
    last_answer = 1000 + 0.5 + 1  # the first poll, and its wait on the node
    assert clock.t - last_answer >= 60
    assert clock.t - last_answer < 60 + sw.RETRY_DELAY + 10.5
    assert shown[-1].endswith(": given up")
    # the remote temporary folder cannot be removed any more: forgotten, so cleanup does not fail on it
    assert action._connection._shell.tmpdir is None


def test_a_job_that_runs_without_the_lock_is_gone(shown):
    """The node restarted mid-step: the job's status file still says "running", but nobody holds
    the node's sysupgrade lock (a step module holds it until it exits). Not waited for for hours."""
    script = [("running", None)] * 6 + [("orphan", None)] * 10
    result, node, _action, clock = run(script, poll_interval=15)
    assert result["failed"] is True and result["step"] == "upgrade"
    assert result["msg"].startswith("the job of sysupgrade upgrade on node2 (j123.456) is no longer running")
    assert "status playbook" in result["msg"]
    orphan_polls = [c for c in node.calls if c[0] == "apigw.sysupgrade.step_progress"][6:]
    # the first comes 52 s into the job (too young to tell); the next two, past ORPHAN_AGE, decide
    assert len(orphan_polls) == 1 + sw.ORPHAN_POLLS


def test_a_young_job_without_the_lock_is_not_gone(shown):
    """In its first second a job has not taken the lock yet."""
    result, _node, _action, _clock = run([("orphan", None)] * 3 + [("finished", STEP_RESULT)])
    assert result["changed"] is True


def test_a_garbled_answer_counts_as_no_answer(shown):
    result, node, _action, _clock = run([("garbled", None), ("finished", STEP_RESULT)])
    assert result["changed"] is True
    assert node.resets == 1


def test_a_failed_step_fails_the_task_with_the_modules_message(shown):
    failed = dict(STEP_RESULT, failed=True, changed=True, counts={"error": 1, "warning": 0, "info": 0},
                  msg="sysupgrade upgrade failed: [API Manager] Found duplicate 'apiadmin' users in KPS table")
    result, _node, _action, _clock = run([("running", None), ("finished", failed)])
    assert result["failed"] is True
    assert result["msg"] == failed["msg"]
    assert shown[-1] == "node2: sysupgrade upgrade failed, sysupgrade ran 0:00:42; its log: 0 warnings, 1 error"


def test_a_job_the_node_lost_fails_clearly(shown):
    result, _node, _action, _clock = run([("running", None), ("lost", None)])
    assert result["failed"] is True and result["step"] == "upgrade"
    assert "no longer knows the job of sysupgrade upgrade (j123.456, in /root/.ansible_async: could not find job)" in result["msg"]


def test_the_async_time_limit_is_explained(shown):
    killed = {"failed": True, "msg": "Timeout exceeded", "child_pid": 4242}
    result, _node, _action, _clock = run([("finished", killed)])
    assert result["failed"] is True and result["step"] == "upgrade"
    assert result["msg"].startswith("sysupgrade upgrade ran out of its async time limit on node2")
    assert "Timeout exceeded" in result["msg"]


def test_the_wait_itself_is_bounded(shown):
    result, _node, _action, _clock = run([("running", None)], timeout=100, poll_interval=15)
    assert result["failed"] is True
    assert "had not finished on node2 after 0:01:" in result["msg"] and "timeout 100 s" in result["msg"]


@pytest.mark.parametrize("job, expected", [
    ({"skipped": True, "changed": False}, {"skipped": True, "changed": False}),
    ({"unreachable": True, "changed": False, "msg": "Failed to connect"}, {"unreachable": True, "changed": False, "msg": "Failed to connect"}),
    ({"failed": True, "msg": "module failed to start"}, {"failed": True, "msg": "module failed to start"}),
])
def test_a_start_that_did_not_start_is_passed_on(shown, job, expected):
    result, node, _action, _clock = run([("finished", STEP_RESULT)], job=job)
    for key, value in expected.items():
        assert result[key] == value
    assert node.calls == []


def test_a_job_without_id_is_refused(shown):
    result, _node, _action, _clock = run([("finished", STEP_RESULT)], job={"changed": True})
    assert result["failed"] is True and "no ansible_job_id" in result["msg"]


def test_bad_numbers_are_refused(shown):
    result, _node, _action, _clock = run([("finished", STEP_RESULT)], poll_interval=0)
    assert result["failed"] is True and result["msg"].startswith("poll_interval: must be 1 or more")


def test_clock_format():
    assert sw.clock(0) == "0:00:00"
    assert sw.clock(3725.9) == "1:02:05"
    assert sw.describe_counts(None) == "no log yet"
    assert sw.describe_counts({"warning": 1, "error": 2}) == "1 warning, 2 errors"


def test_the_step_modules_own_timing_is_kept(shown):
    # a job that ended before the wait began: only the module knows when sysupgrade really ran
    own = dict(STEP_RESULT, timing={"start": 900.0, "end": 942.0})
    result, _node, _action, _clock = run([("finished", own)])
    assert result["timing"] == {"start": 900.0, "end": 942.0}
