# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's long wait, seen from the controller: cut into slices, with a line between two.

A module prints nothing while it runs, so a module that waits minutes on its node (for an Admin
Node Manager to answer, for another sysupgrade run to let go of the node's lock) would look hung.
The action plugins of those modules (topology_info, process) run the module with its wait option
cut to SLICE seconds at most, again and again while the module says waiting longer may help, and
print one line between two runs: never more than SLICE seconds of silence (the collection's rule is
a line at least every 15 s). A wait of SLICE seconds or less is one run of the module, unchanged.
Both action plugins are a SlicedWaitAction: the module, its wait option, and what to say.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

# Seconds of one slice: the longest silence of a wait.
SLICE = 10


def clock(seconds):
    """0:12:40 (hours, minutes, seconds; negative and fractional seconds count as whole ones)."""
    seconds = int(max(0, seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def run_sliced(run, args, option, limit, go_on, show, now=time.monotonic, slice_seconds=SLICE):
    """Run ``run(module_args)`` with ``args[option]`` (a wait of ``limit`` seconds) cut into
    slices, until ``go_on(result, seconds_left)`` says another slice cannot help; call
    ``show(result, seconds_so_far)`` between two slices. Returns (the last result, every result
    in order, the seconds the whole wait took)."""
    start = now()
    results = []
    while True:
        elapsed = now() - start
        sliced = dict(args, **{option: int(max(1, min(slice_seconds, limit - elapsed)))}) \
            if limit > slice_seconds else args
        one = run(sliced)
        results.append(one)
        elapsed = now() - start
        if limit <= slice_seconds or not go_on(one, limit - elapsed):
            return one, results, elapsed
        show(one, elapsed)


class SlicedWaitAction(ActionBase):
    """An action plugin that runs MODULE with its wait option OPTION cut into slices (run_sliced).
    Subclasses say when to go on (go_on), what to print between slices (progress) and what the
    last result becomes (finish). The result gets ``waited``: the seconds of the whole call."""

    MODULE = None
    OPTION = None
    CHECK_MODE_WAITS = True  # False: check mode is one run of the module (it never waits)

    _VALID_ARGS = None  # every option is the module's own; it validates them

    def go_on(self, result, remaining):
        raise NotImplementedError

    def progress(self, host, args, elapsed, limit, result):
        raise NotImplementedError

    def finish(self, host, args, limit, last, results, elapsed):
        return last

    def run(self, tmp=None, task_vars=None):
        result = super(SlicedWaitAction, self).run(tmp, task_vars)
        del tmp  # not used
        task_vars = task_vars or {}
        args = dict(self._task.args)
        try:
            limit = int(args.get(self.OPTION) or 0)
        except (TypeError, ValueError):
            limit = 0  # the module names the bad value
        if self._task.check_mode and not self.CHECK_MODE_WAITS:
            limit = 0
        host = self._task.delegate_to or task_vars.get("inventory_hostname") or "?"
        last, results, elapsed = run_sliced(
            lambda module_args: self._execute_module(module_name=self.MODULE, module_args=module_args,
                                                     task_vars=task_vars),
            args, self.OPTION, limit, self.go_on,
            lambda one, so_far: display.display(self.progress(host, args, so_far, limit, one)), now=self._now)
        last["waited"] = round(elapsed, 1)
        result.update(self.finish(host, args, limit, last, results, elapsed))
        return result

    @staticmethod
    def _now():
        return time.monotonic()
