# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what the roles recorded on each host into one row per node and one cell per phase.

The vendor's zero-downtime scripts end with such a table (upgrade_zdu_overview.md, "Log files");
this one also counts warnings and errors per cell and says how to resume each unfinished phase.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY")
# Which registered variable holds each phase's result on a host.
PHASE_VARS = {
    "PREFLIGHT": "apigw_preflight",
    "EXPORT": "apigw_export",
    "UPGRADE": "apigw_upgrade",
    "STOP-OLD": "apigw_stop_old",
    "APPLY": "apigw_apply",
    "VERIFY": "apigw_verify",
}
# The playbook that resumes each phase.
RESUME_PLAYBOOK = {
    "PREFLIGHT": "test_upgrade", "EXPORT": "test_upgrade", "UPGRADE": "test_upgrade",
    "STOP-OLD": "apply", "APPLY": "apply", "VERIFY": "apply",
}


def _count(result, key):
    value = result.get(key)
    if isinstance(value, dict):  # the step modules return counts per severity
        return int(value.get(key[:-1], 0) or 0)
    if isinstance(value, (list, tuple)):
        return len(value)
    return 0


def _cell(result):
    """One phase's cell from a registered result, or from a role's summary dict."""
    if result is None:
        return {"result": "NOT RUN", "warnings": 0, "errors": 0, "message": ""}
    if "status" in result and result.get("status") in ("PASSED", "FAILED", "SKIPPED"):
        # A role's own summary (pre-flight, verify): problems are errors, notes are warnings.
        return {"result": result["status"], "warnings": len(result.get("notes", [])),
                "errors": len(result.get("problems", [])),
                "message": "; ".join(result.get("problems", []))}
    counts = result.get("counts") if isinstance(result.get("counts"), dict) else {}
    warnings = int(counts.get("warning", 0)) if counts else _count(result, "warnings")
    errors = int(counts.get("error", 0)) if counts else _count(result, "errors")
    if result.get("unreachable"):
        state = "UNREACHABLE"
    elif result.get("failed"):
        state = "FAILED"
    elif result.get("skipped") or not result.get("changed", False):
        state = "SKIPPED"
    else:
        state = "PASSED"
    return {"result": state, "warnings": warnings, "errors": errors,
            "message": str(result.get("msg", "")) if state in ("FAILED", "UNREACHABLE") else ""}


def _row(host, hv, gone):
    cells = {}
    for phase in PHASES:
        cells[phase] = _cell(hv.get(PHASE_VARS[phase]))
    if gone and not hv.get("apigw_node_failed"):
        # The host left the play without a recorded failure: it became unreachable during the first
        # phase that has no result.
        for phase in PHASES:
            if cells[phase]["result"] == "NOT RUN":
                cells[phase] = {"result": "UNREACHABLE", "warnings": 0, "errors": 0,
                                "message": "the host became unreachable"}
                break
    return {"host": host, "topology_host": hv.get("apigw_topology_host", ""), "phases": cells}


def _resume(rows, phases, command_prefix):
    commands = []
    for row in rows:
        for phase in phases:
            state = row["phases"][phase]["result"]
            if state in ("FAILED", "UNREACHABLE"):
                commands.append({
                    "host": row["host"], "phase": phase,
                    "command": "%s apigw.sysupgrade.%s --limit %s" % (command_prefix, RESUME_PLAYBOOK[phase], row["host"]),
                })
                break
    return commands


def _table(rows, phases):
    def text(cell):
        if cell["result"] in ("NOT RUN", "SKIPPED") and not (cell["warnings"] or cell["errors"]):
            return cell["result"]
        return "%s W%d E%d" % (cell["result"], cell["warnings"], cell["errors"])

    header = ["NODE"] + list(phases)
    body = [[r["host"]] + [text(r["phases"][p]) for p in phases] for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(line):
        return "|" + "|".join(" %s " % line[i].ljust(widths[i]) for i in range(len(line))) + "|"

    return [sep, fmt(header), sep] + [fmt(line) for line in body] + [sep]


def phase_report(inventory_hosts, hostvars, gone_hosts=None, phases=None,
                 command_prefix="ansible-playbook"):
    """Rows, an ASCII table and resume commands for the hosts; see phase_report.yml."""
    phases = list(phases or PHASES)
    gone = set(gone_hosts or [])
    rows = [_row(h, hostvars[h], h in gone) for h in inventory_hosts]
    return {"rows": rows, "table": _table(rows, phases), "resume": _resume(rows, phases, command_prefix)}


class FilterModule(object):
    def filters(self):
        return {"phase_report": phase_report}
