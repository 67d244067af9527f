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

A wait of SLICE seconds or less is one run of the module, exactly as without this plugin. A wait
the ANM ends by answering, after more than one attempt, ends with a line that says how long it
took (``answered_line``); the result carries ``waited``, its seconds. Whatever
ends the wait early ends it here too: an answer, a certificate or a login the ANM refused, or a
Node Manager that is not running (``node_manager_dir``: failure_kind ``stopped``). The result is
the module's last result, with ``attempts`` counted over every slice, and at the limit the message
says how long the whole wait took.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import sliced_wait
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.sliced_wait import SLICE, clock


def anm_of(args):
    """The ANM the task asks, for the lines it prints."""
    return args.get("anm_url") or args.get("anm_host") or "the ANM"


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


def answered_line(host, url, version, elapsed, attempts):
    """The line that ends a wait the ANM ended by answering (more than one attempt): how long it took."""
    return "%s: the Admin Node Manager at %s answered%s after %s and %d attempts" % (
        host, url, " as %s" % version if version else "", clock(elapsed), attempts)


def timed_out_message(url, limit, attempts, result):
    """The message at the wait's limit, for the whole wait rather than its last slice."""
    return "ANM at %s: still not ready after %d s and %d attempts: %s" % (
        result.get("topology_source") or url, limit, attempts,
        result.get("last_reason") or result.get("msg") or "no answer")


class ActionModule(sliced_wait.SlicedWaitAction):
    """topology_info, with progress lines while it waits (see the module docstring)."""

    MODULE = "apigw.sysupgrade.topology_info"
    OPTION = "wait_timeout"

    def go_on(self, result, remaining):
        return go_on_waiting(result, remaining)

    def progress(self, host, args, elapsed, limit, result):
        return progress_line(host, anm_of(args), args.get("wait_for_version"), elapsed, limit, result)

    def finish(self, host, args, limit, last, results, elapsed):
        attempts = sum(int(r.get("attempts") or 0) for r in results)
        last["attempts"] = attempts
        if last.get("failed") and last.get("failure_kind") == "unavailable" and limit > SLICE:
            last["msg"] = timed_out_message(anm_of(args), limit, attempts, last)
        if not last.get("failed") and attempts > 1:
            sliced_wait.display.display(answered_line(host, anm_of(args), args.get("wait_for_version"), elapsed,
                                                      attempts))
        return last
