# -*- coding: utf-8 -*-
"""The watchdog really runs (with this interpreter): time limit, process group, stdin handling."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import time

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_watchdog


def run(command, timeout=30, data=None, grace=1):
    argv = step_watchdog.watchdog_argv(command, timeout, data is not None, grace=grace)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if data is not None else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    out, err = proc.communicate(data)
    return proc.returncode, out, err


def py(code):
    return [sys.executable, "-c", code]


def test_source_has_no_dollar_sign():
    assert "$" not in step_watchdog.WATCHDOG_SOURCE


def test_exit_code_and_output_pass_through():
    rc, out, err = run(py("import sys; print('hello'); sys.stderr.write('oops\\n'); sys.exit(3)"))
    assert (rc, out, err) == (3, "hello\n", "oops\n")
    assert not step_watchdog.timed_out(rc, err)


def test_answers_reach_the_command_then_end_of_file():
    code = "import sys; print(repr(sys.stdin.readline())); print(repr(sys.stdin.readline())); print(repr(sys.stdin.readline()))"
    rc, out, _err = run(py(code), data="first\nsecond\n")
    assert rc == 0
    assert out.splitlines() == ["'first\\n'", "'second\\n'", "''"]


def test_without_answers_stdin_is_empty_not_inherited():
    # The watchdog itself gets a pipe that is never closed: the command must still see EOF at once.
    argv = step_watchdog.watchdog_argv(py("import sys; print(repr(sys.stdin.read()))"), 10, False)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
    try:
        out = proc.stdout.read()
        proc.wait(timeout=10)
    finally:
        proc.stdin.close()
    assert out == "''\n"


def test_no_controlling_terminal():
    rc, out, _err = run(py("import os\ntry:\n    os.open('/dev/tty', os.O_RDONLY); print('tty')\nexcept OSError:\n    print('no tty')"))
    assert out.strip() == "no tty"


def test_time_limit_stops_the_whole_process_group(tmp_path):
    marker = tmp_path / "grandchild.pid"
    code = ("import subprocess, sys, time\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "open(%r, 'w').write(str(p.pid))\n"
            "time.sleep(60)\n" % str(marker))
    started = time.time()
    rc, _out, err = run(py(code), timeout=1, grace=1)
    assert time.time() - started < 15
    assert rc == step_watchdog.TIMEOUT_EXIT_CODE
    assert step_watchdog.timed_out(rc, err)
    assert "timed out after 1 s" in err
    pid = int(marker.read_text())
    time.sleep(0.2)
    assert not _alive(pid)


def test_term_is_escalated_to_kill():
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
    started = time.time()
    rc, _out, err = run(py(code), timeout=1, grace=1)
    assert rc == 124 and time.time() - started < 15


def test_signal_death_is_reported_like_a_shell():
    rc, _out, _err = run(py("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"))
    assert rc == 137


def test_missing_command():
    rc, _out, err = run(["/nonexistent/sysupgrade", "status"])
    assert rc == 127 and "cannot run /nonexistent/sysupgrade" in err


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie waiting for its reaper is dead for our purpose.
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split()[2] != "Z"
    except IOError:
        return False


def _started_watchdog(code, timeout=30):
    # The step says when it runs, and the test waits for that line (an event, not a clock): the
    # watchdog sets its signal handlers as soon as it has started the step, long before the step's
    # interpreter is up and prints.
    argv = step_watchdog.watchdog_argv(py("print('started', flush=True); " + code), timeout, False, grace=1)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.stdout.readline() == "started\n"
    return proc


def test_hangup_is_ignored_and_the_step_finishes():
    import signal
    proc = _started_watchdog("import time; time.sleep(1.5); print('finished')")
    proc.send_signal(signal.SIGHUP)
    out, _err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and out == "finished\n"


def test_term_stops_the_step_too():
    import signal
    proc = _started_watchdog("import time; time.sleep(30); print('finished')")
    proc.send_signal(signal.SIGTERM)
    out, _err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGTERM and out == ""


# ---- run(): the one way commands run, through module.run_command ----

class RecordingModule(object):
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def run_command(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        return self.answer


def test_run_wraps_the_command_and_reports_a_timeout():
    note = "\n%s after 2 s; process group stopped\n" % step_watchdog.TIMEOUT_MARKER
    module = RecordingModule((124, "out", "err" + note))
    result = step_watchdog.run(module, ["/bin/tool", "-s"], 2, cwd="/tmp", environ_update={"LANG": "C"}, grace=3)
    argv, kwargs = module.calls[0]
    assert argv == step_watchdog.watchdog_argv(["/bin/tool", "-s"], 2, False, grace=3)
    assert kwargs == dict(data=None, binary_data=False, cwd="/tmp", environ_update={"LANG": "C"},
                          expand_user_and_vars=False)
    assert (result["rc"], result["stdout"], result["stderr"], result["timed_out"]) == (124, "out", "err" + note, True)
    assert step_watchdog.without_note(result["stderr"]) == "err"


def test_run_with_answers_gives_the_pipe():
    module = RecordingModule((0, "", ""))
    result = step_watchdog.run(module, ["/bin/tool"], 5, cwd="/tmp", data="a\nb")
    argv, kwargs = module.calls[0]
    assert argv[5] == "pipe" and kwargs["data"] == "a\nb"
    assert result["timed_out"] is False


@pytest.mark.parametrize("stderr, expected", [
    ("", ""),
    (None, ""),
    ("plain\n", "plain\n"),
    ("Passphrase: \n%s after 1 s\n" % step_watchdog.TIMEOUT_MARKER, "Passphrase: "),
    ("%s after 1 s\n" % step_watchdog.TIMEOUT_MARKER, ""),
])
def test_without_note(stderr, expected):
    assert step_watchdog.without_note(stderr) == expected
