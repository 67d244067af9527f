# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When each phase of a node ran: the one timing contract of the report.

A phase's times are ``{"start": epoch, "end": epoch or None}`` (controller clock, seconds). The step
phases (EXPORT, UPGRADE, APPLY) get them from step_wait's result (``timing``), which knows when the
job started on the node and when it ended, node by node. The other phases are plays of several
tasks; they keep them in the host fact ``__apigw_phase_times`` ({PHASE: {start, end}}) through this
filter, called with set_fact at the phase's start and end (and ``close`` in the rescues, so that a
failed phase still gets its end). The rolling phases keep theirs in ``__apigw_zdu`` (zdu_mark), in the
same shape. ``run_record.phase_timing`` reads them in that order into each node's run record.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

EVENTS = ("start", "end", "close")


def phase_clock(record, phase, event, at=None):
    """A copy of RECORD with PHASE started or ended at AT (epoch seconds, now by default).

    ``close`` ends every phase still open (PHASE is ignored): the rescue of a failed node."""
    if event not in EVENTS:
        raise ValueError("phase_clock: event must be one of %s, got %r" % (", ".join(EVENTS), event))
    at = time.time() if at is None else float(at)
    out = dict((k, dict(v)) for k, v in (record or {}).items() if isinstance(v, dict))
    if event == "start":
        out[phase] = {"start": at, "end": None}
    elif event == "end":
        entry = out.get(phase) or {"start": at}
        entry["end"] = at
        out[phase] = entry
    else:
        for entry in out.values():
            if entry.get("start") is not None and entry.get("end") is None:
                entry["end"] = at
    return out


class FilterModule(object):
    def filters(self):
        return {"phase_clock": phase_clock}
