# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny watchdog that runs one command with a time limit and no terminal.

It is the one way this collection runs a product command: every sysupgrade step and status call
(sysupgrade_runner) and every process command (``nodemanager``/``startinstance``, processes) goes
through ``run()`` below.

Why not ``module.run_command`` alone: it has no timeout in the ansible-core versions we support.
Why not GNU ``timeout``: it leaves the command in the caller's session, so a prompt that opens
``/dev/tty`` (``ssh -tt``, Ansible's default without pipelining) would still reach a terminal, it
cannot replace an inherited standard input with an empty one, and its exit code 124 is ambiguous.

The watchdog is this Python source, run with the module's own interpreter through
``module.run_command([sys.executable, "-c", WATCHDOG_SOURCE, ...])`` so the call is still an
argument list and works on any managed node that runs the module (Python 3.6+ syntax). It:

- starts the command in a new session (``start_new_session``): no controlling terminal, and its
  own process group, so the whole tree (shell script, java) can be stopped at once;
- when the module runs as root for an installation that belongs to another account, starts the
  command as that account (``setgroups``, ``setgid``, ``setuid`` in the child, before ``exec``), so
  every process and file of the product is the owner's (install_owner). The watchdog itself stays
  root, so it can still stop the group;
- gives it the pipe run_command wrote the answers to (run_command closes it after writing), or
  ``/dev/null`` when there is nothing to answer, so a prompt always reads end-of-file at once;
- on the deadline sends SIGTERM to the process group, SIGKILL after a grace period, prints
  TIMEOUT_MARKER on standard error and exits with TIMEOUT_EXIT_CODE;
- forwards SIGTERM/SIGINT it receives (an explicit stop, e.g. an async job's time limit) to the
  group, so no step is left running alone; SIGHUP (a dropped SSH session) is ignored instead: a
  half-done apply is worse than one that finishes, and the time limit still holds. To be sure to
  get the result of a long step whatever happens to the connection, run the task with ``async``.

The source must not contain a dollar sign: although run_command is called with
``expand_user_and_vars=False``, keeping it free of ``$`` avoids any surprise with older cores.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_owner

TIMEOUT_EXIT_CODE = 124
# Every command the collection runs on a node runs in the C locale: the texts it parses (sysupgrade's
# status and messages, the process commands' output) must not depend on the node's language.
C_LOCALE = {"LANG": "C", "LC_ALL": "C"}
TIMEOUT_MARKER = "apigw-sysupgrade-watchdog: timed out"
DEFAULT_GRACE_SECONDS = 10
# The watchdog's own arguments before the command: python, -c, source, timeout, grace, stdin mode,
# identity.
PREFIX_LENGTH = 7

WATCHDOG_SOURCE = r'''
import os, signal, subprocess, sys, time
deadline_s, grace_s, stdin_mode, identity = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
command = sys.argv[5:]
stdin = subprocess.DEVNULL if stdin_mode == "null" else None
become_owner = None
if identity != "-":
    uid, gid, groups = identity.split(":")
    uid, gid = int(uid), int(gid)
    groups = [int(g) for g in groups.split(",") if g]

    def become_owner():
        os.setgroups(groups)
        os.setgid(gid)
        os.setuid(uid)
try:
    child = subprocess.Popen(command, stdin=stdin, start_new_session=True, preexec_fn=become_owner)
except OSError as exc:
    sys.stderr.write("apigw-sysupgrade-watchdog: cannot run %s: %s\n" % (command[0], exc))
    sys.exit(127)

def stop_group(sig):
    try:
        os.killpg(child.pid, sig)
    except OSError:
        pass

def end_group(grace):
    stop_group(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        stop_group(signal.SIGKILL)
        child.wait()
    # Children of the step that outlived it (same group) get the same treatment.
    stop_group(signal.SIGKILL)

def forward(signum, frame):
    end_group(grace_s)
    sys.exit(128 + signum)

for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, forward)
signal.signal(signal.SIGHUP, signal.SIG_IGN)

try:
    rc = child.wait(timeout=deadline_s)
except subprocess.TimeoutExpired:
    end_group(grace_s)
    sys.stderr.write("\napigw-sysupgrade-watchdog: timed out after %g s; process group stopped\n" % deadline_s)
    sys.exit(124)
sys.exit(128 - rc if rc < 0 else rc)
'''


def watchdog_argv(command, timeout, answers_on_stdin, grace=DEFAULT_GRACE_SECONDS, python=None, identity="-"):
    """Argument list that runs ``command`` (a list) under the watchdog; ``identity`` is
    ``uid:gid:groups`` to run it as (install_owner.identity_argument), ``-`` for no change."""
    return [
        python or sys.executable,
        "-c",
        WATCHDOG_SOURCE,
        str(timeout),
        str(grace),
        "pipe" if answers_on_stdin else "null",
        identity,
    ] + list(command)


def timed_out(rc, stderr):
    return rc == TIMEOUT_EXIT_CODE and TIMEOUT_MARKER in (stderr or "")


def run(module, command, timeout, cwd, data=None, environ_update=None, grace=DEFAULT_GRACE_SECONDS,
        account=None):
    """Run ``command`` (a list) under the watchdog with ``module.run_command``.

    ``account`` (install_owner.Account) is who runs it: the installation's owner. From root the
    command drops to it; as the owner nothing changes; from any other account the module fails
    before running anything, naming both accounts and the two ways out.

    ``data`` (text) is written to the command's standard input, followed by a newline, and the
    pipe is then closed; without it the command's standard input is ``/dev/null``. Either way a
    read past the answers gets end-of-file at once.

    Returns a dict: rc, stdout, stderr (the watchdog's own note included after a timeout),
    timed_out, started (time.time()), duration (seconds).
    """
    environ = dict(environ_update or {})
    if account is not None:
        if install_owner.how(account) == install_owner.REFUSE:
            module.fail_json(msg="cannot run %s: %s" % (command[0], install_owner.refusal(account, install_owner.connection())),
                             cmd=list(command))
        environ.update(install_owner.environment(account))
    started = time.time()
    rc, stdout, stderr = module.run_command(
        watchdog_argv(command, timeout, data is not None, grace=grace,
                      identity=install_owner.identity_argument(account)),
        data=data,
        binary_data=False,
        cwd=cwd,
        environ_update=environ,
        expand_user_and_vars=False,
    )
    return {
        "rc": rc,
        "stdout": stdout,
        "stderr": stderr,
        "timed_out": timed_out(rc, stderr),
        "started": started,
        "duration": round(time.time() - started, 1),
    }


def without_note(stderr):
    """``stderr`` as the command wrote it: the watchdog's timeout note (and its line break) removed."""
    text = stderr or ""
    index = text.find("\n" + TIMEOUT_MARKER)
    if index < 0:
        index = 0 if text.startswith(TIMEOUT_MARKER) else -1
    return text if index < 0 else text[:index]
