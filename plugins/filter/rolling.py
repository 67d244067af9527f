# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rolling (zero-downtime) apply's decisions, in plain, unit-tested Python.

The vendor's zero-downtime upgrade (ZDU, upgrade_zdu_overview.md) takes one node at a time out of
the load balancer, applies it, verifies it and puts it back, while the other nodes keep serving.

- ``rolling_refusals``: whether this run may use the rolling mode at all (the vendor's conditions,
  the hooks it needs, a confirmation it could not ask).
- ``drain_verdict``: whether a node the load balancer no longer sends traffic to is drained.
- ``rolling_probe_problems``: whether the node serves again (health check and a real API call).
- ``zdu_report``: the vendor's summary table (PASSED (0), FAILED (73), ...), the return status
  codes, the time the domain spent with old and new nodes side by side, and the vendor's warning
  about quota counts.

Jinja only formats what these return; the roles assert on it.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_record import ROLLING_PHASES, ZDU_PHASES

# upgrade_zdu_overview.md, the note at the top of the page, word for word.
ZDU_CONDITION = ("Use the ZDU sample scripts only for upgrading from API Gateway 7.5.2 or later to 7.7 "
                 "when Cassandra contains all the shared data.")
QUOTA_NOTE = ("We recommend that you perform a full upgrade that is completed in a single attempt. Because "
              "shared data (in particular quota counts) are involved, it is possible that this data could "
              "degrade if an upgraded subset of the domain coexists with a non-upgraded subset for a "
              "significant period of time.")
ZDU_SOURCE = "(upgrade_zdu_overview.md)"
MIN_ZDU_VERSION = (7, 5, 2)

# The vendor's return status codes (upgrade_zdu_overview.md, "Log files").
STATUS_CODES = {
    "SUCCESS": 0, "EXPORT_FAILED": 70, "UPGRADE_FAILED": 71, "PRE_APPLY_FAILED": 72, "APPLY_FAILED": 73,
    "POST_APPLY_FAILED": 74, "ROLLBACK_FAILED": 75, "FATAL_ERROR": 80,
}


def _status_name(phase):
    return phase.replace("-", "_") + "_FAILED"


def _version_tuple(text):
    parts = re.findall(r"\d+", str(text or ""))
    return tuple(int(p) for p in parts[:3]) if parts else None


def rolling_refusals(mode, old_version, no_cassandra=False, disable_tasks="", enable_tasks="",
                     confirm_each=False, under_awx=False, serial=1, hooks=""):
    """-> the reasons this run may not start in MODE (empty: it may).

    Checked before anything changes anywhere; each reason names the variable to change. HOOKS
    (apigw_lb_hooks): the shipped hooks, which give every kind a task file.
    """
    # Any other mode than rolling is the standard one here: apigw_apply_mode's choices in the apply
    # role's argument spec refuse an unknown one, among the gates' argument errors.
    if str(mode or "") != "rolling":
        return []
    out = []
    version = _version_tuple(old_version)
    if version is None:
        out.append("apigw_apply_mode=rolling: the old installation's version could not be read (neither its "
                   "groups/topology.json nor its Admin Node Manager gave one), so the vendor's condition "
                   "cannot be checked: \"%s\" %s" % (ZDU_CONDITION, ZDU_SOURCE))
    elif version < MIN_ZDU_VERSION:
        out.append("apigw_apply_mode=rolling: the old installation is %s, below 7.5.2. The vendor says: \"%s\" "
                   "%s Use the standard apply." % (old_version, ZDU_CONDITION, ZDU_SOURCE))
    if no_cassandra:
        out.append("apigw_apply_mode=rolling: apigw_no_cassandra is set, so Cassandra does not hold the shared "
                   "data. The vendor says: \"%s\" %s Use the standard apply." % (ZDU_CONDITION, ZDU_SOURCE))
    missing = [name for name, value in (("apigw_lb_disable_tasks", disable_tasks),
                                        ("apigw_lb_enable_tasks", enable_tasks)) if not (task_files(value) or hooks)]
    if missing:
        out.append("apigw_apply_mode=rolling needs the load balancer hooks that take each node out of service "
                   "and back: set %s (task files), or apigw_lb_hooks=haproxy or http for the ones this "
                   "collection ships (docs/rolling-apply.md)." % " and ".join(missing))
    if str(serial) != "1":
        out.append("apigw_apply_mode=rolling takes one node at a time; apigw_apply_serial=%s is for the standard "
                   "apply only: unset it." % serial)
    if confirm_each and under_awx:
        out.append("apigw_rolling_confirm_each cannot be answered under AWX / Tower (no prompt there): run one "
                   "job per node (--limit) with a workflow approval node between them (docs/awx.md), or unset "
                   "apigw_rolling_confirm_each.")
    return out


HOOK_KINDS = ("disable", "enable", "sessions")


def task_files(value):
    """The task files a hook variable names, in the order they run: a list of paths (as kubespray's
    hooks are), or a text of them separated by commas, as Ansible's list options take a text (one
    path, from -e or an AWX survey, is a list of one); empty entries are dropped."""
    if isinstance(value, str):
        value = value.split(",")
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    raise ValueError("a load balancer hook (apigw_lb_disable_tasks, apigw_lb_enable_tasks or "
                     "apigw_lb_sessions_tasks) is a task file's path or a list of them, got %r" % (value,))


def lb_hook(kind, disable_tasks="", enable_tasks="", sessions_tasks="", hooks=""):
    """-> {files, shipped, runs}: what runs the load balancer hook KIND (disable, enable or sessions)
    for a node: the task files the user named for it (apigw_lb_<kind>_tasks, one or a list, run in
    order) win; else (shipped true) the shipped role of apigw_lb_hooks (haproxy or http) runs its
    tasks file KIND; neither: no hook (runs false)."""
    if kind not in HOOK_KINDS:
        raise ValueError("lb_hook: the hook must be one of %s, got %r" % (", ".join(HOOK_KINDS), kind))
    named = task_files({"disable": disable_tasks, "enable": enable_tasks, "sessions": sessions_tasks}[kind])
    shipped = not named and bool(hooks)
    return {"files": named, "shipped": shipped, "runs": bool(named) or shipped}


def drain_verdict(sessions, since, timeout, now=None):
    """-> {state: drained | wait | timeout, message}: a node is drained once the load balancer
    counts no session on it. SINCE is when its PRE-APPLY started (epoch seconds); after TIMEOUT
    seconds it is not drained, and the node fails PRE-APPLY (and is put back in service, its old
    installation untouched) rather than cut the sessions it still has."""
    waited = max((time.time() if now is None else float(now)) - float(since), 0.0)
    try:
        count = int(sessions)
    except (TypeError, ValueError):
        return {"state": "timeout", "message": "the load balancer hook gave no session count (apigw_lb_sessions "
                                               "must be set to a number by the sessions hook), got %r" % (sessions,)}
    if count <= 0:
        return {"state": "drained", "message": "no session left after %d s" % int(waited)}
    if waited >= float(timeout):
        return {"state": "timeout",
                "message": "%d session(s) still open after %d s (apigw_lb_drain_timeout); the node was not "
                           "stopped, so that they are not cut" % (count, int(waited))}
    return {"state": "wait", "message": "%d session(s) still open after %d s" % (count, int(waited))}


def rolling_probe_problems(health, probe, expected_status=200, expected_body=""):
    """-> problems (empty: the node serves). HEALTH and PROBE are registered ``uri`` results (the
    node's /healthchecklb and the site's own API through the node's traffic port)."""
    out = []
    for label, result, body in (("/healthchecklb", health, ""), ("the API call", probe, expected_body)):
        result = result or {}
        if result.get("skipped"):
            continue
        status = result.get("status", -1)
        url = result.get("url", "")
        if status != int(expected_status if label == "the API call" else 200):
            out.append("%s %s answered %s (%s)" % (label, url, status if status != -1 else "nothing",
                                                   result.get("msg") or "no answer"))
        elif body and body not in str(result.get("content", "")):
            out.append("%s %s answered %s without the expected %r (apigw_rolling_probe_body): %s" % (
                label, url, status, body, str(result.get("content", ""))[:200]))
    return out


def _cell(phase, entry):
    """The vendor's cell text for one phase: PASSED (0), FAILED (code), or * when not run."""
    if not entry:
        return "*"
    result = entry.get("result")
    if result in ("FAILED", "RUNNING"):  # a phase still RUNNING at the summary was cut short
        return "FAILED (%d)" % STATUS_CODES[_status_name(phase)]
    if result == "SKIPPED":
        return "SKIPPED (0)"
    return "PASSED (0)"


def _node(host, record, completed):
    phases = dict((p, (record or {}).get(p)) for p in ROLLING_PHASES)
    for step, phase in (("export", "EXPORT"), ("upgrade", "UPGRADE")):
        phases[phase] = {"result": "PASSED"} if step in (completed or []) else None
    cells = dict((p, _cell(p, phases[p])) for p in ZDU_PHASES)
    failed = [p for p in ZDU_PHASES if cells[p].startswith("FAILED")]
    if "ROLLBACK" in failed:
        status = "ROLLBACK_FAILED"
    elif failed:
        status = _status_name(failed[0])
    else:
        status = "SUCCESS"
    durations = dict((p, round(e["end"] - e["start"], 1)) for p, e in phases.items()
                     if e and e.get("end") is not None and e.get("start") is not None)
    times = dict((p, {"start": e.get("start"), "end": e.get("end")}) for p, e in phases.items()
                 if e and e.get("start") is not None)
    messages = dict((p, e.get("message", "")) for p, e in phases.items() if e and e.get("message"))
    return {"host": host, "cells": cells, "status": status, "code": STATUS_CODES[status],
            "durations": durations, "times": times, "messages": messages}


def _mixed(records, applied, all_hosts, now):
    """The window during which old and new nodes served side by side in this run: from the first node
    back in service as the new version (its POST-APPLY end) to the last old installation's stop (the
    last PRE-APPLY end), or to NOW when the run ended with the domain mixed."""
    back = [r["POST-APPLY"]["end"] for r in records.values()
            if ((r or {}).get("POST-APPLY") or {}).get("result") == "PASSED" and r["POST-APPLY"].get("end")]
    still_mixed = 0 < len(applied) < len(all_hosts)
    if not back:
        return {"seconds": 0.0, "ongoing": still_mixed, "since_earlier_run": still_mixed}
    begin = min(back)
    stops = [r["PRE-APPLY"]["end"] for r in records.values()
             if ((r or {}).get("PRE-APPLY") or {}).get("result") == "PASSED" and r["PRE-APPLY"].get("end")]
    end = now if still_mixed or not stops else max(stops)
    return {"seconds": round(max(end - begin, 0.0), 1), "ongoing": still_mixed, "since_earlier_run": False}


def _table(nodes):
    header = ["NODE"] + list(ZDU_PHASES)
    body = [[n["host"]] + [n["cells"][p] for p in ZDU_PHASES] for n in nodes]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(line):
        return "|" + "|".join(" %s " % line[i].ljust(widths[i]) for i in range(len(line))) + "|"

    return [sep, fmt(header), sep] + [fmt(line) for line in body] + [sep]


def zdu_report(run_records, completed=None, refused=False, now=None):
    """-> {status, code, nodes, table, mixed, notes} for a rolling apply run.

    RUN_RECORDS: the domain's nodes' run records in inventory order (their ``rolling`` part);
    COMPLETED: {host: [steps]} from the nodes' status (filter completed_steps); REFUSED: the gates
    refused the run (FATAL_ERROR: nothing ran).
    """
    now = time.time() if now is None else float(now)
    completed = completed or {}
    hosts = [record["host"] for record in run_records or []]
    records = dict((record["host"], record["rolling"]) for record in run_records or [])
    nodes = [_node(h, records[h], completed.get(h)) for h in hosts]
    failing = [n for n in nodes if n["status"] != "SUCCESS"]
    if refused:
        status = "FATAL_ERROR"
    elif any(n["status"] == "ROLLBACK_FAILED" for n in nodes):
        status = "ROLLBACK_FAILED"
    elif failing:
        status = failing[0]["status"]
    else:
        status = "SUCCESS"
    applied = [h for h in hosts if "apply" in (completed.get(h) or [])]
    mixed = _mixed(records, applied, hosts, now)
    notes = []
    if mixed["ongoing"]:
        notes.append("The domain is mixed now: %s run the new version, %s the old one%s. %s %s" % (
            ", ".join(applied), ", ".join(h for h in hosts if h not in applied),
            " (for %d s of this run)" % mixed["seconds"] if mixed["seconds"] else "",
            QUOTA_NOTE, ZDU_SOURCE))
    elif mixed["seconds"]:
        notes.append("Old and new nodes served side by side for %d s. %s %s" % (mixed["seconds"], QUOTA_NOTE, ZDU_SOURCE))
    return {"status": status, "code": STATUS_CODES[status], "nodes": nodes, "table": _table(nodes),
            "mixed": mixed, "notes": notes,
            "title": "Summary table (Status.%s)" % status}


class FilterModule(object):
    def filters(self):
        return {
            "rolling_refusals": rolling_refusals,
            "lb_hook": lb_hook,
            "drain_verdict": drain_verdict,
            "rolling_probe_problems": rolling_probe_problems,
            "zdu_report": zdu_report,
        }
