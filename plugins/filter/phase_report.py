# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what the roles recorded on each host into one row per node and one cell per phase.

The vendor's zero-downtime scripts end with such a table (upgrade_zdu_overview.md, "Log files");
this one also counts warnings and errors per cell and says how to resume each unfinished phase.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.filter.phase_clock import phase_timing

PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY", "POST-UPGRADE")
# Which registered variable holds each phase's result on a host.
PHASE_VARS = {
    "PREFLIGHT": "apigw_preflight",
    "EXPORT": "apigw_export",
    "UPGRADE": "apigw_upgrade",
    "STOP-OLD": "apigw_stop_old",
    "APPLY": "apigw_apply",
    "VERIFY": "apigw_verify",
    "POST-UPGRADE": "apigw_post_upgrade_result",
}
# The playbook that resumes each phase.
RESUME_PLAYBOOK = {
    "PREFLIGHT": "test_upgrade", "EXPORT": "test_upgrade", "UPGRADE": "test_upgrade",
    "STOP-OLD": "apply", "APPLY": "apply", "VERIFY": "apply", "POST-UPGRADE": "apply",
}
# The ROLLBACK column is not a phase of the upgrade: in a rollback run it shows that run's result
# per node (apigw_rollback); in any other run, the rollback ledger (filter rollback_ledger): RESTART
# while going back is a plain restart of the old installation, RESTORE once something apply
# changed outside the new installation needs a restore first, UNKNOWN when the node was not read.
ROLLBACK = "ROLLBACK"
LEDGER_STATES = ("RESTART", "RESTORE", "UNKNOWN")


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


# The sysupgrade step whose success, in a node's status, means the phase needs nothing more.
DONE_WITH_STEP = {"PREFLIGHT": "export", "EXPORT": "export", "UPGRADE": "upgrade",
                  "STOP-OLD": "apply", "APPLY": "apply", "VERIFY": "apply", "POST-UPGRADE": "apply"}
TEST_UPGRADE_PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE")
UNFINISHED = ("FAILED", "UNREACHABLE", "NOT RUN")


def _completed_known_to_gates(host, hv):
    """For a node whose status could not be read now (it was lost), what apply's gates read at
    the start of the run: a node lost after passing its test upgrade is not sent back to it."""
    readiness = hv.get("apigw_readiness") or {}
    if host in (readiness.get("applied") or []):
        return ["export", "upgrade", "apply"]
    if host in (readiness.get("ready") or []):
        return ["export", "upgrade"]
    return []


def _run_warnings(hv):
    """Warnings a role recorded on the host outside any phase's result (``apigw_run_warnings``: a
    list of {phase, check, message}), such as a skipped backup or an accepted drift."""
    return [w for w in hv.get("apigw_run_warnings") or [] if isinstance(w, dict) and w.get("message")]


def _row(host, hv, gone, completed):
    completed = completed or _completed_known_to_gates(host, hv)
    cells = {}
    for phase in PHASES:
        cells[phase] = _cell(hv.get(PHASE_VARS[phase]))
        # VERIFY checks this run's apply: when APPLY ran now, VERIFY is not "done earlier".
        applied_now = phase in ("VERIFY", "POST-UPGRADE") and cells["APPLY"]["result"] in ("PASSED", "FAILED", "UNREACHABLE")
        if cells[phase]["result"] == "NOT RUN" and DONE_WITH_STEP[phase] in completed and not applied_now:
            # Not run now because an earlier run did it: the node's status says so.
            cells[phase] = {"result": "SKIPPED", "warnings": 0, "errors": 0,
                            "message": "done in an earlier run (%s complete)" % DONE_WITH_STEP[phase]}
    for warning in _run_warnings(hv):
        if warning["phase"] in cells:
            cells[warning["phase"]] = dict(cells[warning["phase"]], warnings=cells[warning["phase"]]["warnings"] + 1)
    already = any(c["result"] in ("FAILED", "UNREACHABLE") for c in cells.values())
    if hv.get("apigw_window_refused"):
        # Refused by the apply window before it started (filter apply_window_verdict): nothing ran
        # on the node, so its APPLY is NOT RUN, with the reason, not a failure of the node.
        cells["APPLY"] = dict(cells["APPLY"], message=str(hv["apigw_window_refused"]))
    elif not already and (hv.get("apigw_node_failed") or gone):
        # The node failed (a recorded failure, such as a check before apply) or left the play
        # (unreachable) in a task that is not a phase's own result: that happened during the
        # first phase it had not finished.
        if hv.get("apigw_node_failed"):
            mark = {"result": "FAILED", "warnings": 0, "errors": 1,
                    "message": str(hv.get("apigw_node_failure", "failed"))}
        else:
            mark = {"result": "UNREACHABLE", "warnings": 0, "errors": 0, "message": "the host became unreachable"}
        for phase in PHASES:
            if cells[phase]["result"] == "NOT RUN":
                cells[phase] = mark
                break
    run_as, connected_as = _accounts(hv)
    return {"host": host, "topology_host": hv.get("apigw_topology_host", ""), "phases": cells,
            "run_as": run_as, "connected_as": connected_as}


def _accounts(hv):
    """(the account that ran the product's commands, the account the modules ran as) on a node:
    from the step results of this run (each returns run_as), else pre-flight's; None unknown."""
    preflight = hv.get("apigw_preflight") if isinstance(hv.get("apigw_preflight"), dict) else {}
    run_as = None
    for var in PHASE_VARS.values():
        result = hv.get(var)
        if isinstance(result, dict) and result.get("run_as"):
            run_as = result["run_as"]
            break
    return run_as or preflight.get("run_as"), preflight.get("connected_as")


def account_line(row):
    """'node1: product commands ran as axway (...)', or None when no product command ran."""
    if not row.get("run_as"):
        return None
    connected = row.get("connected_as")
    if connected and connected != row["run_as"]:
        how = "the collection's modules ran as %s and dropped to it" % connected
    elif connected:
        how = "the connection's own account"
    else:
        how = "the installation's owner"
    return "%s: product commands ran as %s (%s)" % (row["host"], row["run_as"], how)


def _rollback_cell(hv, entry):
    """The ROLLBACK cell: this run's rollback on the node, else its ledger entry, else None."""
    if hv.get("apigw_rollback"):
        return _cell(hv["apigw_rollback"])
    if entry:
        return {"result": entry.get("state", "UNKNOWN"), "warnings": len(entry.get("restores") or []),
                "errors": 0, "message": str(entry.get("message", ""))}
    return None


# The phases whose registered result is a step module's (with its structured issues list).
STEP_PHASES = ("EXPORT", "UPGRADE", "APPLY")
# Role summaries (pre-flight, verify): problems are errors, notes are warnings.
SUMMARY_PHASES = ("PREFLIGHT", "VERIFY", "POST-UPGRADE")


def _issues(row, hv):
    """Every warning and error recorded on the row's host, as {host, phase, severity, check, message}.

    A failed or unreachable phase without any error finding of its own (a timeout, a refused
    precondition, a lost node) still gets one error with the task's message, so that no failure
    goes unlisted.
    """
    host = row["host"]
    found = []

    def add(phase, severity, check, message):
        found.append({"host": host, "phase": phase, "severity": severity,
                      "check": check or "", "message": str(message)})

    for phase in SUMMARY_PHASES:
        result = hv.get(PHASE_VARS[phase]) or {}
        for problem in result.get("problems", []) or []:
            add(phase, "error", phase.lower(), problem)
        for note in result.get("notes", []) or []:
            add(phase, "warning", phase.lower(), note)
    for phase in ("STOP-OLD",) + STEP_PHASES:
        result = hv.get(PHASE_VARS[phase]) or {}
        for issue in result.get("issues", []) or []:
            if issue.get("severity") in ("error", "warning"):
                add(phase, issue["severity"], issue.get("check"), issue.get("message", ""))
    for warning in _run_warnings(hv):
        add(warning.get("phase", ""), "warning", warning.get("check"), warning["message"])
    if hv.get("apigw_window_refused"):
        add("APPLY", "error", "apply-window", hv["apigw_window_refused"])
    rollback = hv.get("apigw_rollback") or {}
    for problem in rollback.get("problems") or []:
        add(ROLLBACK, "error", "rollback", problem)
    for note in rollback.get("notes") or []:
        add(ROLLBACK, "warning", "rollback", note)
    if not rollback and row["phases"].get(ROLLBACK, {}).get("result") == "RESTORE":
        for restore in row.get("ledger_restores") or []:
            add(ROLLBACK, "warning", "rollback-" + restore.get("kind", "restore"), restore.get("message", ""))
    for phase in PHASES:
        cell = row["phases"][phase]
        if cell["result"] in ("FAILED", "UNREACHABLE") and not any(
                i["phase"] == phase and i["severity"] == "error" for i in found):
            add(phase, "error", cell["result"].lower() if cell["result"] == "UNREACHABLE" else "task",
                cell["message"] or cell["result"].lower())
    return found


def _all_passed(rows, phases):
    """True when no node has a phase FAILED, UNREACHABLE or NOT RUN among PHASES (a ledger cell
    is a fact about rolling back, not a result)."""
    return all(row["phases"][p]["result"] in ("PASSED", "SKIPPED") for row in rows for p in phases
               if p in row["phases"] and row["phases"][p]["result"] not in LEDGER_STATES)


def _resume_rollback(rows, command_prefix, awx_job_template=None):
    """After a rollback run: the nodes whose rollback failed, and the command that reruns it."""
    return [{"host": r["host"], "phase": ROLLBACK,
             "command": resume_command(command_prefix, "rollback", r["host"], awx_job_template)}
            for r in rows if r["phases"].get(ROLLBACK, {}).get("result") in ("FAILED", "UNREACHABLE")]


def _resume(rows, command_prefix, first_anm, awx_job_template=None):
    """Per node, its first unfinished phase and the command that resumes it.

    While any node's test upgrade is unfinished, only test_upgrade commands are given: apply.yml
    refuses to start until every node passed. Then the apply commands, the first Admin Node
    Manager's first (vendor rule: it applies before any other node).
    """
    first = {}
    for row in rows:
        unfinished = [p for p in PHASES if row["phases"][p]["result"] in UNFINISHED]
        if unfinished:
            first[row["host"]] = unfinished[0]
    testing = [h for h, p in first.items() if p in TEST_UPGRADE_PHASES]
    hosts = testing or sorted(first, key=lambda h: h != first_anm)  # sorted() is stable
    return [{"host": h, "phase": first[h],
             "command": resume_command(command_prefix, RESUME_PLAYBOOK[first[h]], h, awx_job_template)}
            for h in hosts]


# apply and rollback ask for confirmation on a terminal; a copy of their command in a script or CI
# job would be refused without this. A shell comment, so the command still runs as copied.
CONFIRM_NOTE = {"apply": "   # without a terminal (CI, a script) add -e apigw_apply_confirmed=true",
                "rollback": "   # without a terminal (CI, a script) add -e apigw_rollback_confirmed=true"}
# The job template of each playbook that playbooks/awx_setup.yml creates: "<prefix> <name>".
AWX_TEMPLATES = {"test_upgrade": "test upgrade", "apply": "apply", "rollback": "rollback", "clean": "clean",
                 "status": "status"}


def awx_template_for(playbook, current):
    """The job template that runs PLAYBOOK, named as the one of this job (CURRENT, AWX's
    awx_job_template_name) is: the same prefix before the name awx_setup.yml gives it. None when
    CURRENT is not one of those names (a template the operator named otherwise)."""
    for name in sorted(AWX_TEMPLATES.values(), key=len, reverse=True):
        if current.endswith(" " + name):
            return current[:-len(name)] + AWX_TEMPLATES[playbook]
    return None


def resume_command(command_prefix, playbook, host, awx_job_template=None):
    """How to go on with HOST: the ansible-playbook command line, or under AWX (the job's template
    name given) the job template to relaunch with its limit: the inventory a job ran with is a
    temporary file that is gone once it ended."""
    if awx_job_template:
        template = awx_template_for(playbook, awx_job_template)
        named = '"%s"' % template if template else "of playbooks/%s.yml" % playbook
        confirm = " (its survey's confirmation answered true)" if playbook in CONFIRM_NOTE else ""
        return "relaunch job template %s with limit %s%s" % (named, host, confirm)
    return "%s apigw.sysupgrade.%s --limit %s%s" % (command_prefix, playbook, host, CONFIRM_NOTE.get(playbook, ""))


def _count_listed_errors(rows, issues):
    """A cell shows at least as many errors as the issue list gives its phase (a timeout or a
    refusal has no log finding, but is listed as one error)."""
    for row in rows:
        for phase, cell in row["phases"].items():
            listed = sum(1 for i in issues if i["host"] == row["host"] and i["phase"] == phase
                         and i["severity"] == "error")
            cell["errors"] = max(cell["errors"], listed)


def format_seconds(seconds):
    """A duration as people read it on a report: '41 s', '3 min 05 s', '1 h 02 min'."""
    whole = int(round(seconds))
    if seconds < 0.5:
        return "<1 s"
    if whole < 60:
        return "%d s" % whole
    if whole < 3600:
        return "%d min %02d s" % divmod(whole, 60)
    return "%d h %02d min" % (whole // 3600, whole % 3600 // 60)


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def cell_parts(cell):
    """What a phase's cell says, in order: its result, its duration when it ran, and its warnings
    and errors only when there are some ("W0 E0" on every cell hid the cells that had any)."""
    parts = [cell.get("result", "NOT RUN")]
    if cell.get("seconds") is not None:
        parts.append(format_seconds(cell["seconds"]))
    if cell.get("warnings"):
        parts.append(_plural(cell["warnings"], "warning"))
    if cell.get("errors"):
        parts.append(_plural(cell["errors"], "error"))
    return parts


# The console keeps to ASCII (a job's output may pass through a terminal or log that is not UTF-8).
CONSOLE_SEPARATOR = ", "


def cell_text(cell, separator=CONSOLE_SEPARATOR):
    return separator.join(cell_parts(cell))


def _table(rows, phases):
    header = ["NODE"] + list(phases)
    body = [[r["host"]] + [cell_text(r["phases"].get(p) or _cell(None)) for p in phases] for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(line):
        return "|" + "|".join(" %s " % line[i].ljust(widths[i]) for i in range(len(line))) + "|"

    return [sep, fmt(header), sep] + [fmt(line) for line in body] + [sep]


# The rolling apply's own phases (apigw_zdu, filter zdu_mark): cells of their own where they ran.
ROLLING_PHASES = ("PRE-APPLY", "POST-APPLY")
# A cell with one of these results did not run in this run: it has no times.
NOT_RUN_NOW = ("SKIPPED", "NOT RUN") + LEDGER_STATES


def _add_times(row, hv):
    """Each cell's start, end and seconds (phase_clock.phase_timing); None for a phase that did not
    run in this run, even when an earlier phase record is still on the host."""
    zdu = hv.get("apigw_zdu") or {}
    clock = hv.get("apigw_phase_times") or {}
    for phase in ROLLING_PHASES:
        entry = zdu.get(phase)
        if isinstance(entry, dict) and entry.get("start") is not None:
            result = entry.get("result") or "NOT RUN"
            row["phases"][phase] = {"result": "FAILED" if result == "RUNNING" else result, "warnings": 0,
                                    "errors": 0, "message": str(entry.get("message") or "")}
    for phase, cell in row["phases"].items():
        if cell["result"] in NOT_RUN_NOW:
            cell.update(start=None, end=None, seconds=None)
            continue
        registered = hv.get(PHASE_VARS[phase]) if phase in STEP_PHASES else None
        cell.update(phase_timing(registered, clock.get(phase), zdu.get(phase)))


def phase_report(inventory_hosts, hostvars, gone_hosts=None, phases=None,
                 command_prefix="ansible-playbook", completed=None, first_anm=None, ledger=None,
                 rollback=False, awx_job_template=None):
    """Rows, an ASCII table and resume commands for the hosts; see phase_report.yml."""
    phases = list(phases or PHASES)
    gone = set(gone_hosts or [])
    completed = completed or {}
    ledger = ledger or {}
    rows = []
    for h in inventory_hosts:
        row = _row(h, hostvars[h], h in gone, completed.get(h) or [])
        cell = _rollback_cell(hostvars[h], ledger.get(h))
        if cell is not None:
            row["phases"][ROLLBACK] = cell
            row["ledger_restores"] = (ledger.get(h) or {}).get("restores") or []
        elif ROLLBACK in phases:
            row["phases"][ROLLBACK] = _cell(None)
        _add_times(row, hostvars[h])
        rows.append(row)
    issues = [issue for row in rows for issue in _issues(row, hostvars[row["host"]])]
    _count_listed_errors(rows, issues)
    lines = ["%s %s %s [%s]: %s" % (i["host"], i["phase"] or "-", i["severity"], i["check"], i["message"])
             for i in issues]
    resume = _resume_rollback(rows, command_prefix, awx_job_template) if rollback else \
        _resume(rows, command_prefix, first_anm, awx_job_template)
    accounts = [line for line in (account_line(row) for row in rows) if line]
    return {"rows": rows, "table": _table(rows, phases), "resume": resume, "accounts": accounts,
            "issues": issues, "issue_lines": lines, "all_passed": _all_passed(rows, [ROLLBACK] if rollback else phases),
            "results": dict((r["host"], dict((p, c["result"]) for p, c in r["phases"].items())) for r in rows)}


class FilterModule(object):
    def filters(self):
        return {"phase_report": phase_report}
