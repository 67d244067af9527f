# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The campaign index: one view of every run of a domain's upgrade, rebuilt from the run folders.

``build_index(reports, now)`` is a pure function of the runs' report.json files: every run rebuilds
it from all of them, so that nothing is lost when a run is removed or rewritten, and rebuilding it
twice gives the same index. A report written before run times existed (no ``run`` block, no phase
times) still indexes, with null times.

The forecast of the apply window (``forecast``) is documented in docs/reports.md: per node still to
apply, the measured apply time (STOP-OLD + APPLY + VERIFY + POST-UPGRADE) of the nodes already
applied (the longest one, to stay on the safe side), else an ASSUMPTION: the node's own measured
export + upgrade (the vendor gives no apply duration; apply replays what upgrade produced).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import glob
import json
import os

SCHEMA = 1
PLAYBOOKS = ("test_upgrade", "apply", "rollback", "status", "clean")
# A cell with these results failed in the run.
BAD = ("FAILED", "UNREACHABLE")
# The phases one node's apply takes, in the standard and in the rolling apply.
APPLY_PHASES = ("STOP-OLD", "PRE-APPLY", "APPLY", "VERIFY", "POST-UPGRADE", "POST-APPLY")
TEST_PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE")
# What a playbook's run is expected to do on each of its hosts (a run that stops early is partial).
RUN_PHASES = {"test_upgrade": TEST_PHASES, "apply": ("APPLY", "VERIFY"), "rollback": ("ROLLBACK",)}
APPLY_COMMAND = "ansible-playbook apigw.sysupgrade.apply%s -e apigw_apply_confirmed=true"


class CampaignError(ValueError):
    """A value the index cannot use (an apply window that is not an ISO time)."""


def parse_time(text, option="time"):
    """ISO 8601 with an offset or Z -> aware datetime (UTC). OPTION names the value in errors."""
    if isinstance(text, datetime.datetime):
        moment = text
    else:
        value = str(text or "").strip()
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise CampaignError("%s=%r is not an ISO 8601 time with an offset, such as "
                                "2026-12-01T22:00:00+01:00 or 2026-12-01T21:00:00Z" % (option, text))
    if moment.tzinfo is None:
        raise CampaignError("%s=%r has no UTC offset: add Z or +HH:MM, so that the time means the same "
                            "on every controller" % (option, text))
    return moment.astimezone(datetime.timezone.utc)


def iso(moment):
    return None if moment is None else moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text):
    try:
        return parse_time(text) if text else None
    except CampaignError:
        return None


def _folder_stamp(folder):
    """The run folder's name starts with its UTC stamp (roles/summary/tasks/report.yml)."""
    try:
        return datetime.datetime.strptime(folder.split("-", 1)[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def _playbook(folder, report):
    name = report.get("playbook") or folder.split("-", 1)[-1]
    return name if name in PLAYBOOKS else str(name)


def _run_hosts(report):
    run = report.get("run") or {}
    hosts = run.get("hosts")
    if isinstance(hosts, list) and hosts:
        return [str(h) for h in hosts]
    return [r["host"] for r in report.get("rows") or [] if isinstance(r, dict) and r.get("host")]


def _limit(report):
    limit = (report.get("run") or {}).get("limit")
    if not limit:
        return None
    if isinstance(limit, (list, tuple)):
        return [str(x) for x in limit]
    return [x for x in str(limit).replace(":", ",").split(",") if x]


def _cells(report, host):
    for row in report.get("rows") or []:
        if isinstance(row, dict) and row.get("host") == host:
            return row.get("phases") or {}
    return {}


def _result(cells, phase):
    return (cells.get(phase) or {}).get("result") or "NOT RUN"


def _outcome(report, playbook, hosts):
    run = report.get("run") or {}
    if run.get("refused"):
        return "refused"
    if run.get("window_refused"):
        # The apply window stopped the run before a node: partial when some node applied first.
        applied = any(_result(_cells(report, h), "APPLY") == "PASSED" for h in hosts)
        return "partial" if applied else "refused"
    results = [_result(_cells(report, h), p) for h in hosts for p in _cells(report, h)]
    if any(r in BAD for r in results):
        return "failed"
    expected = RUN_PHASES.get(playbook, ())
    if any(_result(_cells(report, h), p) == "NOT RUN" for h in hosts for p in expected):
        return "partial"
    return "passed"


def node_state(cells, previous):
    """A node's state after a run, from its row's cells; PREVIOUS when the run says nothing about it
    (a refused run, a phase not run now). A cell SKIPPED as done in an earlier run counts as done."""
    def done(phase):
        return _result(cells, phase) in ("PASSED", "SKIPPED")

    rollback = _result(cells, "ROLLBACK")
    if rollback == "PASSED":
        return "rolled back"
    if rollback in BAD:
        return "rollback failed"
    if any(_result(cells, p) in BAD for p in ("STOP-OLD", "PRE-APPLY", "APPLY", "VERIFY")):
        return "apply failed"
    if done("APPLY"):  # applied now, or SKIPPED: the node's status says apply completed earlier
        return "applied"
    if any(_result(cells, p) in BAD for p in TEST_PHASES):
        return "test upgrade failed"
    if done("EXPORT") and done("UPGRADE") and previous not in ("applied", "apply failed"):
        return "test upgrade passed"
    return previous


def _last_result(cells):
    results = [c.get("result") for c in cells.values() if isinstance(c, dict)]
    for word in ("FAILED", "UNREACHABLE", "PASSED"):
        if word in results:
            return word
    return "SKIPPED" if "SKIPPED" in results else "NOT RUN"


def _seconds(cell):
    value = (cell or {}).get("seconds")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def next_step(hosts, first_anm, nodes):
    """(command, why) from the nodes' states: test_upgrade until every node passed it, then apply on
    the first Admin Node Manager alone, then apply on the rest; None when every node is applied."""
    states = dict((h, (nodes.get(h) or {}).get("state", "not started")) for h in hosts)
    if not hosts:
        return None, "no node has been seen in any run yet"
    if all(s == "applied" for s in states.values()):
        return None, "every node is applied: the upgrade is complete"
    failed_apply = [h for h in hosts if states[h] == "apply failed"]
    if failed_apply:
        return (APPLY_COMMAND % (" --limit " + failed_apply[0]),
                "apply failed on %s: fix the cause (its report and logs), then rerun apply there" % failed_apply[0])
    untested = [h for h in hosts if states[h] in ("not started", "test upgrade failed", "rolled back", "rollback failed")]
    if untested:
        return ("ansible-playbook apigw.sysupgrade.test_upgrade",
                "%s not passed the test upgrade yet; apply refuses to start before every node has"
                % (", ".join(untested) + (" has" if len(untested) == 1 else " have")))
    if first_anm and states.get(first_anm) != "applied":
        return (APPLY_COMMAND % (" --limit " + first_anm),
                "every node passed the test upgrade; the first Admin Node Manager (%s) applies first, alone" % first_anm)
    rest = [h for h in hosts if states[h] != "applied"]
    return (APPLY_COMMAND % "",
            "the first Admin Node Manager is applied; apply the other nodes (%s), one at a time" % ", ".join(rest))


def forecast(hosts, first_anm, nodes, phases, window_end=None, now=None):
    """The apply window's forecast for the nodes not applied yet, serially, the first Admin Node
    Manager first, then inventory order (docs/reports.md states the rule and its assumption)."""
    last = {}  # (host, phase) -> seconds, the newest run's measure wins
    for entry in phases:
        if entry.get("seconds") is not None and entry.get("result") in ("PASSED",):
            last[(entry["host"], entry["phase"])] = entry["seconds"]
    applied = [h for h in hosts if (nodes.get(h) or {}).get("state") == "applied"]
    measured = {}
    for h in applied:
        total = sum(last.get((h, p), 0.0) for p in APPLY_PHASES)
        if last.get((h, "APPLY")) is not None:
            measured[h] = total
    todo = sorted([h for h in hosts if h not in applied], key=lambda h: h != first_anm)  # stable
    start = now
    out = []
    for h in todo:
        if measured:
            source = max(measured, key=lambda k: measured[k])
            seconds = measured[source]
            basis = "measured apply on %s (stop-old + apply + verify + post-upgrade, the longest applied node)" % source
        else:
            seconds = sum(last.get((h, p), 0.0) for p in ("EXPORT", "UPGRADE"))
            basis = ("estimated from export+upgrade measured on %s (assumption: apply takes as long; "
                     "the vendor gives no apply duration)" % h) if seconds else "no measure yet"
        end = start + datetime.timedelta(seconds=seconds) if start is not None else None
        out.append({"host": h, "seconds": round(seconds, 1), "basis": basis, "start": iso(start), "end": iso(end),
                    "fits": None if window_end is None or end is None else end <= window_end})
        start = end
    total = round(float(sum(n["seconds"] for n in out)), 1)
    return {"window_end": iso(window_end), "nodes": out, "total_seconds": total,
            "ends": out[-1]["end"] if out else None}


def build_index(reports, now, window_end=None):
    """The index (schema in docs/reports.md) from REPORTS: [(folder name, report.json dict)], any
    order. NOW is a datetime (the index's time, and the forecast's start)."""
    runs, phases, nodes = [], [], {}
    first_anm, inventory = None, []
    ordered = sorted(((f, r) for f, r in reports if isinstance(r, dict)), key=lambda fr: (
        _time((fr[1].get("run") or {}).get("started")) or _folder_stamp(fr[0]) or _time(fr[1].get("generated"))
        or now, fr[0]))
    for folder, report in ordered:
        run = report.get("run") or {}
        playbook = _playbook(folder, report)
        hosts = _run_hosts(report)
        started = _time(run.get("started")) or _folder_stamp(folder)
        ended = _time(run.get("ended")) or _time(report.get("generated"))
        first_anm = run.get("first_anm") or first_anm
        for row in report.get("rows") or []:
            if isinstance(row, dict) and row.get("host") and row["host"] not in inventory:
                inventory.append(row["host"])
        for h in run.get("inventory_hosts") or []:
            if h not in inventory:
                inventory.append(h)
        runs.append({"id": folder, "playbook": playbook, "started": iso(started), "ended": iso(ended),
                     "seconds": round((ended - started).total_seconds(), 1) if started and ended else None,
                     "outcome": _outcome(report, playbook, hosts), "hosts": hosts, "limit": _limit(report),
                     "report": folder + "/report.html",
                     "awx_job_id": None if run.get("awx_job_id") in (None, "") else str(run["awx_job_id"]),
                     "mode": run.get("mode") if playbook == "apply" else None})
        for row in report.get("rows") or []:
            if not isinstance(row, dict) or not row.get("host"):
                continue
            host, cells = row["host"], row.get("phases") or {}
            node = nodes.setdefault(host, {"state": "not started", "version": None, "last_run": None, "last_result": None})
            node["state"] = node_state(cells, node["state"])
            versions = run.get("versions") or {}
            if node["state"] == "applied":
                node["version"] = versions.get("new") or node["version"]
            elif versions.get("old") and node["state"] != "applied":
                node["version"] = versions["old"]
            if host in hosts:
                node["last_run"], node["last_result"] = folder, _last_result(cells)
            for phase, cell in cells.items():
                if isinstance(cell, dict) and cell.get("start"):
                    phases.append({"run": folder, "host": host, "phase": phase, "result": cell.get("result"),
                                   "start": cell.get("start"), "end": cell.get("end"), "seconds": _seconds(cell),
                                   "log": (folder + "/" + cell["log"]) if cell.get("log") else None})
    # Oldest first (ISO times in one format sort as text): the page's tables read as the campaign
    # went, and the forecast's "newest measure wins" holds.
    phases.sort(key=lambda p: (p["start"], p["host"]))
    for h in inventory:
        nodes.setdefault(h, {"state": "not started", "version": None, "last_run": None, "last_result": None})
    command, why = next_step(inventory, first_anm, nodes)
    return {"schema": SCHEMA, "updated": iso(now), "domain": {"first_anm": first_anm, "hosts": inventory},
            "runs": runs, "nodes": nodes, "next_command": command, "next_why": why, "phases": phases,
            "forecast": forecast(inventory, first_anm, nodes, phases, window_end, now)}


def read_reports(report_dir):
    """[(folder name, report.json)] of every run folder in REPORT_DIR; a file that cannot be read
    or parsed is left out (a run being written, a damaged file) rather than failing every run."""
    out = []
    for path in sorted(glob.glob(os.path.join(report_dir, "*", "report.json"))):
        try:
            with open(path, encoding="utf-8") as handle:
                out.append((os.path.basename(os.path.dirname(path)), json.load(handle)))
        except (OSError, ValueError):
            continue
    return out


def window_verdict(host, index, window_end, now, before_stop=False):
    """'' when HOST may start (no window, or its forecast ends in time), else why not. NOW and
    WINDOW_END are aware datetimes; the node's forecast starts NOW (it is the next to start).
    BEFORE_STOP: the verdict refuses the whole run at its gates, before anything stopped."""
    if window_end is None:
        return ""
    plan = forecast(index["domain"]["hosts"], index["domain"]["first_anm"], index["nodes"], index["phases"],
                    window_end, now)
    mine = [n for n in plan["nodes"] if n["host"] == host]
    if not mine:
        return ""  # applied already: it is verified, not applied again
    seconds = mine[0]["seconds"]
    end = now + datetime.timedelta(seconds=seconds)
    if end <= window_end:
        return ""
    return ("%s is not started: its apply is forecast to take %.1f s (%s), so it would end at %s, after the "
            "apply window's end %s (apigw_apply_window_end). %s Rerun apply in the next window, or set "
            "apigw_apply_window_end later."
            % (host, seconds, mine[0]["basis"], iso(end), iso(window_end),
               "It is the first node this run would apply: nothing was stopped or applied." if before_stop
               else "Nodes already applied stay applied."))
