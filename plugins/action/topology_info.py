# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the topology_info module, and let a long wait for an Admin Node Manager be seen.

The module waits on the node for an ANM that does not answer yet (``wait_timeout``), but a module
prints nothing while it runs, so a five-minute wait would look hung. Here the wait is cut into
slices of at most SLICE seconds: the module is run with the slice as its ``wait_timeout``, and
between two slices one line is printed on the controller::

    node1: waiting for the Admin Node Manager at https://127.0.0.1:8090 to answer as 7.7:
    0:00:20 so far, limit 0:05:00 (its Node Manager runs; last: connection refused)

A wait of SLICE seconds or less is one run of the module, exactly as without this plugin. Whatever
ends the wait early ends it here too: an answer, a certificate or a login the ANM refused, or a
Node Manager that is not running (``node_manager_dir``: failure_kind ``stopped``). The result is
the module's last result, with ``attempts`` counted over every slice, and at the limit the message
says how long the whole wait took.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

MODULE = "apigw.sysupgrade.topology_info"
# Seconds of one slice: the longest silence of a wait (the issue asks for a line every 15 s).
SLICE = 10


def clock(seconds):
    """0:05:00"""
    seconds = int(max(0, seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def go_on_waiting(result, remaining):
    """Whether another slice is worth running after ``result`` (the module's), with ``remaining``
    seconds of the wait left: only an ANM that is still unavailable, on a node that answered,
    before the limit."""
    return (bool(result.get("failed")) and not result.get("unreachable")
            and result.get("failure_kind") == "unavailable" and remaining > 0)


def progress_line(host, url, version, elapsed, limit, result):
    """The line printed between two slices."""
    state = {"running": "its Node Manager runs; "}.get(result.get("node_manager"), "")
    return "%s: waiting for the Admin Node Manager at %s to answer%s: %s so far, limit %s (%slast: %s)" % (
        host, url, " as %s" % version if version else "", clock(elapsed), clock(limit), state,
        result.get("last_reason") or result.get("msg") or "no answer")


def timed_out_message(url, limit, attempts, result):
    """The message at the wait's limit, for the whole wait rather than its last slice."""
    return "ANM at %s: still not ready after %d s and %d attempts: %s" % (
        result.get("topology_source") or url, limit, attempts,
        result.get("last_reason") or result.get("msg") or "no answer")


class ActionModule(ActionBase):
    """topology_info, with progress lines while it waits (see the module docstring)."""

    _VALID_ARGS = None  # every option is the module's own; it validates them

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used
        task_vars = task_vars or {}
        args = dict(self._task.args)
        try:
            limit = int(args.get("wait_timeout") or 0)
        except (TypeError, ValueError):
            limit = 0  # the module names the bad value
        if limit <= SLICE:
            result.update(self._run_module(args, task_vars))
            return result
        host = self._task.delegate_to or task_vars.get("inventory_hostname") or "?"
        url = args.get("anm_url") or args.get("anm_host") or "the ANM"
        start = self._now()
        attempts = 0
        while True:
            elapsed = self._now() - start
            one = self._run_module(dict(args, wait_timeout=int(max(1, min(SLICE, limit - elapsed)))), task_vars)
            attempts += int(one.get("attempts") or 0)
            elapsed = self._now() - start
            if not go_on_waiting(one, limit - elapsed):
                break
            display.display(progress_line(host, url, args.get("wait_for_version"), elapsed, limit, one))
        one["attempts"] = attempts
        if one.get("failed") and one.get("failure_kind") == "unavailable":
            one["msg"] = timed_out_message(url, limit, attempts, one)
        result.update(one)
        return result

    @staticmethod
    def _now():
        return time.monotonic()

    def _run_module(self, args, task_vars):
        return self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
