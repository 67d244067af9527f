# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When each phase of a node ran: the one timing contract of the report.

A phase's times are ``{"start": epoch, "end": epoch or None}`` (controller clock, seconds). The step
phases (EXPORT, UPGRADE, APPLY) get them from step_wait's result (``timing``), which knows when the
job started on the node and when it ended, node by node. The other phases are plays of several
tasks; they keep them in the host fact ``apigw_phase_times`` ({PHASE: {start, end}}) through this
filter, called with set_fact at the phase's start and end (and ``close`` in the rescues, so that a
failed phase still gets its end). The rolling phases keep theirs in ``apigw_zdu`` (zdu_mark), in the
same shape. ``phase_timing`` reads them in that order and turns them into the report's ISO times.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
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


def iso(epoch):
    """Epoch seconds as ISO 8601 UTC with Z (whole seconds), or None."""
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(float(epoch), datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(entry, key):
    value = (entry or {}).get(key) if isinstance(entry, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def phase_timing(result, clock=None, zdu=None):
    """The report's times of one phase: {start, end, seconds} (ISO, ISO, float with 1 decimal),
    from the step's result (``timing``), else the phase clock's entry, else the rolling record.
    All None when none of them knows the phase."""
    for entry in ((result or {}).get("timing") if isinstance(result, dict) else None, clock, zdu):
        start = _epoch(entry, "start")
        if start is not None:
            end = _epoch(entry, "end")
            return {"start": iso(start), "end": iso(end),
                    "seconds": round(max(end - start, 0.0), 1) if end is not None else None}
    return {"start": None, "end": None, "seconds": None}


class FilterModule(object):
    def filters(self):
        return {"phase_clock": phase_clock}
