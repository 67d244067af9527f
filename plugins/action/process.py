# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the process module, and let a long wait for the node's sysupgrade lock be seen.

With ``wait_for_sysupgrade``, the module first waits on the node for a sysupgrade step still
running there (one a killed controller left behind) to let go of the node's lock: rollback.yml
waits up to an hour. A module prints nothing while it runs, so here the wait is cut into slices
(plugin_utils/sliced_wait.py), and between two slices one line is printed on the controller::

    node1: waiting for the sysupgrade run still going on here (pid 4242, sysupgrade apply since
    2026-11-25T05:00:00Z) to end before starting or stopping processes: 0:00:20 so far, limit 1:00:00

A wait of 10 s or less, and check mode (which never waits), are one run of the module, unchanged.
At the limit, the message says how long the whole wait took. The result carries ``waited``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import sliced_wait
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.sliced_wait import SLICE, clock

OPTION = "wait_for_sysupgrade"


def go_on_waiting(result, remaining):
    """Only while another run still holds the lock (failure_kind locked), before the limit."""
    return bool(result.get("failed")) and result.get("failure_kind") == "locked" and remaining > 0


def progress_line(host, elapsed, limit, result):
    """The line printed between two slices."""
    holder = result.get("holder") or "holder unknown"
    return ("%s: waiting for the sysupgrade run still going on here (%s) to end before starting or stopping "
            "processes: %s so far, limit %s" % (host, holder, clock(elapsed), clock(limit)))


def timed_out_message(limit, result):
    """The message at the wait's limit, for the whole wait rather than its last slice."""
    return ("another sysupgrade run on this node (%s) still held its lock after %d s (%s); nothing was started "
            "or stopped. Wait for that run to end, then run this again."
            % (result.get("holder") or "holder unknown", limit, OPTION))


class ActionModule(sliced_wait.SlicedWaitAction):
    """process, with progress lines while it waits for the node's sysupgrade lock."""

    MODULE = "apigw.sysupgrade.process"
    OPTION = OPTION
    CHECK_MODE_WAITS = False  # check mode never waits: one run of the module

    def go_on(self, result, remaining):
        return go_on_waiting(result, remaining)

    def progress(self, host, args, elapsed, limit, result):
        return progress_line(host, elapsed, limit, result)

    def finish(self, host, args, limit, last, results, elapsed):
        if last.get("failed") and last.get("failure_kind") == "locked" and limit > SLICE:
            last["msg"] = timed_out_message(limit, last)
        return last
