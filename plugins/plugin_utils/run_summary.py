# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run's summary: one row per node and one cell per phase, from the nodes' run records
(plugin_utils/run_record.py) alone.

The vendor's zero-downtime scripts end with such a table (upgrade_zdu_overview.md, "Log files");
this one also counts warnings and errors per cell and says how to resume each unfinished phase.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import run_record
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_record import PHASES, STEP_PHASES

# The steps whose newest log the report keeps, in the order the report lists them.
LOGGED_STEPS = ("apply", "export", "upgrade")
# The playbook that resumes each phase.
RESUME_PLAYBOOK = {
    "PREFLIGHT": "test_upgrade", "EXPORT": "test_upgrade", "UPGRADE": "test_upgrade",
    "STOP-OLD": "apply", "APPLY": "apply", "VERIFY": "apply", "POST-UPGRADE": "apply",
}
# The ROLLBACK column is not a phase of the upgrade: in a rollback run it shows that run's result
# per node (__apigw_rollback); in any other run, the rollback ledger (filter rollback_ledger): RESTART
# while going back is a plain restart of the old installation, RESTORE once something apply
# changed outside the new installation needs a restore first, UNKNOWN when the node was not read.
ROLLBACK = "ROLLBACK"
LEDGER_STATES = ("RESTART", "RESTORE", "UNKNOWN")


def _cell(entry):
    """One phase's cell of the table, from the phase's entry in a run record (None: not run)."""
    if entry is None:
        return {"result": "NOT RUN", "warnings": 0, "errors": 0, "message": ""}
    return {"result": entry["status"], "warnings": entry["warnings"], "errors": entry["errors"],
            "message": entry["message"]}


# The sysupgrade step whose success, in a node's status, means the phase needs nothing more.
DONE_WITH_STEP = {"PREFLIGHT": "export", "EXPORT": "export", "UPGRADE": "upgrade",
                  "STOP-OLD": "apply", "APPLY": "apply", "VERIFY": "apply", "POST-UPGRADE": "apply"}
TEST_UPGRADE_PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE")
UNFINISHED = ("FAILED", "UNREACHABLE", "NOT RUN")


def _row(record, gone, completed):
    completed = completed or record["gates"]["completed"]
    flags = record["flags"]
    cells = {}
    for phase in PHASES:
        cells[phase] = _cell(record["phases"].get(phase))
        # VERIFY checks this run's apply: when APPLY ran now, VERIFY is not "done earlier".
        applied_now = phase in ("VERIFY", "POST-UPGRADE") and cells["APPLY"]["result"] in ("PASSED", "FAILED", "UNREACHABLE")
        if cells[phase]["result"] == "NOT RUN" and DONE_WITH_STEP[phase] in completed and not applied_now:
            # Not run now because an earlier run did it: the node's status says so.
            cells[phase] = {"result": "SKIPPED", "warnings": 0, "errors": 0,
                            "message": "done in an earlier run (%s complete)" % DONE_WITH_STEP[phase]}
    for warning in flags["warnings"]:
        if warning["phase"] in cells:
            cells[warning["phase"]] = dict(cells[warning["phase"]], warnings=cells[warning["phase"]]["warnings"] + 1)
    already = any(c["result"] in ("FAILED", "UNREACHABLE") for c in cells.values())
    if flags["window_refused"]:
        # Refused by the apply window before it started (filter apply_window_verdict): nothing ran
        # on the node, so its APPLY is NOT RUN, with the reason, not a failure of the node.
        cells["APPLY"] = dict(cells["APPLY"], message=flags["window_refused"])
    elif not already and (flags["failed"] or gone):
        # The node failed (a recorded failure, such as a check before apply) or left the play
        # (unreachable) in a task that is not a phase's own result: that happened during the
        # first phase it had not finished.
        if flags["failed"]:
            mark = {"result": "FAILED", "warnings": 0, "errors": 1, "message": flags["failure"]}
        else:
            mark = {"result": "UNREACHABLE", "warnings": 0, "errors": 0, "message": "the host became unreachable"}
        for phase in PHASES:
            if cells[phase]["result"] == "NOT RUN":
                cells[phase] = mark
                break
    return {"host": record["host"], "topology_host": record["settings"]["topology_host"], "phases": cells,
            "run_as": flags["run_as"], "connected_as": flags["connected_as"]}


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


def _rollback_cell(record, entry):
    """The ROLLBACK cell: this run's rollback on the node, else its ledger entry, else None."""
    if record["rollback"]:
        return _cell(run_record.outcome(record["rollback"]))
    if entry:
        return {"result": entry.get("state", "UNKNOWN"), "warnings": len(entry.get("restores") or []),
                "errors": 0, "message": str(entry.get("message", ""))}
    return None


# The phases whose findings the issue list gives first (role summaries), then the others'.
ISSUE_ORDER = run_record.SUMMARY_PHASES + ("STOP-OLD",) + STEP_PHASES


def _issues(row, record):
    """Every warning and error recorded on the row's node, as {host, phase, severity, check, message}.

    A failed or unreachable phase without any error finding of its own (a timeout, a refused
    precondition, a lost node) still gets one error with the task's message, so that no failure
    goes unlisted.
    """
    host = row["host"]
    found = []

    def add(phase, severity, check, message):
        found.append({"host": host, "phase": phase, "severity": severity,
                      "check": check or "", "message": str(message)})

    for phase in ISSUE_ORDER:
        for finding in record["phases"][phase]["findings"]:
            add(phase, finding["severity"], finding["check"], finding["message"])
    for warning in record["flags"]["warnings"]:
        add(warning.get("phase", ""), "warning", warning.get("check"), warning["message"])
    if record["flags"]["window_refused"]:
        add("APPLY", "error", "apply-window", record["flags"]["window_refused"])
    rollback = record["rollback"] or {}
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
    if whole < 1:  # round() takes 0.5 to 0: half a second is still under one
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


# A cell with one of these results did not run in this run: it has no times.
NOT_RUN_NOW = ("SKIPPED", "NOT RUN") + LEDGER_STATES


def _add_times(row, record):
    """Each cell's start, end and seconds (the record's); None for a phase that did not run in this
    run, even when an earlier phase record is still on the host."""
    rolling = record["rolling"]
    # The rolling apply's own phases (its marks, filter phase_mark): cells of their own where they ran.
    for phase in run_record.ROLLING_ONLY_PHASES:
        entry = rolling.get(phase)
        if isinstance(entry, dict) and entry.get("start") is not None:
            result = entry.get("result") or "NOT RUN"
            row["phases"][phase] = {"result": "FAILED" if result == "RUNNING" else result, "warnings": 0,
                                    "errors": 0, "message": str(entry.get("message") or "")}
    for phase, cell in row["phases"].items():
        if cell["result"] in NOT_RUN_NOW:
            cell.update(start=None, end=None, seconds=None)
        elif phase in record["phases"]:
            entry = record["phases"][phase]
            cell.update(start=entry["start"], end=entry["end"], seconds=entry["seconds"])
        elif phase == ROLLBACK:
            cell.update(record["rollback_timing"])
        else:  # the rolling apply's own phases, timed by its record
            cell.update(run_record.phase_timing(None, rolling.get(phase)))


def phase_report(records, gone_hosts=None, phases=None,
                 command_prefix="ansible-playbook", completed=None, first_anm=None, ledger=None,
                 rollback=False, awx_job_template=None):
    """Rows, an ASCII table and resume commands for the nodes of RECORDS (in their order); see the
    filter phase_report's documentation."""
    phases = list(phases or PHASES)
    gone = set(gone_hosts or [])
    completed = completed or {}
    ledger = ledger or {}
    rows = []
    for record in records:
        h = record["host"]
        row = _row(record, h in gone, completed.get(h) or [])
        cell = _rollback_cell(record, ledger.get(h))
        if cell is not None:
            row["phases"][ROLLBACK] = cell
            row["ledger_restores"] = (ledger.get(h) or {}).get("restores") or []
        elif ROLLBACK in phases:
            row["phases"][ROLLBACK] = _cell(None)
        _add_times(row, record)
        rows.append(row)
    records_by_host = run_record.by_host(records)
    issues = [issue for row in rows for issue in _issues(row, records_by_host[row["host"]])]
    _count_listed_errors(rows, issues)
    lines = ["%s %s %s [%s]: %s" % (i["host"], i["phase"] or "-", i["severity"], i["check"], i["message"])
             for i in issues]
    resume = _resume_rollback(rows, command_prefix, awx_job_template) if rollback else \
        _resume(rows, command_prefix, first_anm, awx_job_template)
    accounts = [line for line in (account_line(row) for row in rows) if line]
    return {"rows": rows, "table": _table(rows, phases), "resume": resume, "accounts": accounts,
            "issues": issues, "issue_lines": lines, "all_passed": _all_passed(rows, [ROLLBACK] if rollback else phases),
            "results": dict((r["host"], dict((p, c["result"]) for p, c in r["phases"].items())) for r in rows)}


def report_run(records, playbook, started=None, ended=None, hosts=None, limit=None, first_anm=None,
               awx_job_id=None, rolling=False, refusals=None, window_end="", versions=None):
    """The report's ``run`` block (docs/reports.md): what this run was, from the nodes' RECORDS (in
    inventory order) and what the summary knows of the run. The mode is an apply's only; the run was
    refused when the gates gave any refusal, and refused by the window when any node's record says
    the apply window refused it."""
    return {"started": started, "ended": ended, "hosts": list(hosts or []), "limit": limit,
            "inventory_hosts": [record["host"] for record in records],
            "first_anm": first_anm, "awx_job_id": awx_job_id,
            "mode": ("rolling" if rolling else "standard") if playbook == "apply" else None,
            "refused": bool(refusals),
            "window_refused": any(record["flags"]["window_refused"] for record in records),
            "window_end": window_end, "versions": dict(versions or {})}
