# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When each phase of a node ran, and how it ended: the one clock of a run.

A node's marks are the host fact ``__apigw_phase_marks``: ``{PHASE: {start, end, result,
message}}`` (controller clock, epoch seconds). Every phase that is more than one step writes it
through this filter, with set_fact at the phase's start and end: pre-flight, stop-old, verify, the
after-upgrade steps, rollback, and the rolling apply's PRE-APPLY, APPLY, POST-APPLY and ROLLBACK.
The rescues ``close`` it, so that a failed phase still gets its end. The sysupgrade steps (EXPORT,
UPGRADE, APPLY) are also timed by step_wait's result (``timing``: when the job started and ended on
the node). ``run_record`` reads both into each node's run record, the step's own times first.

A mark's result is RUNNING from its start; at its end it is the result given (PASSED, FAILED or
SKIPPED, as the rolling apply's table shows them), else ENDED: the phase's result is its role's
summary. A phase closed while RUNNING was cut short.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

EVENTS = ("start", "end", "close")
RESULTS = ("PASSED", "FAILED", "SKIPPED")
RUNNING = "RUNNING"
ENDED = "ENDED"


def phase_mark(marks, phase, event, result=None, message="", at=None):
    """A copy of MARKS with PHASE started or ended at AT (epoch seconds, now by default).

    ``end`` takes the phase's RESULT (one of RESULTS; ENDED without one) and, when it failed, the
    MESSAGE why. ``close`` ends every phase still open (PHASE is ignored): a failed node's rescue."""
    if event not in EVENTS:
        raise ValueError("phase_mark: event must be one of %s, got %r" % (", ".join(EVENTS), event))
    if result is not None and result not in RESULTS:
        raise ValueError("phase_mark: result must be one of %s, got %r" % (", ".join(RESULTS), result))
    at = time.time() if at is None else float(at)
    out = dict((k, dict(v)) for k, v in (marks or {}).items() if isinstance(v, dict))
    if event == "start":
        out[phase] = {"start": at, "end": None, "result": RUNNING, "message": ""}
    elif event == "end":
        entry = out.get(phase) or {"start": at}
        entry.update(end=at, result=result or ENDED, message=str(message or ""))
        out[phase] = entry
    else:
        for entry in out.values():
            if entry.get("start") is not None and entry.get("end") is None:
                entry["end"] = at
    return out


class FilterModule(object):
    def filters(self):
        return {"phase_mark": phase_mark}
