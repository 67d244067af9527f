# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One node's run record: everything the summary, the report, the campaign index, the rolling
apply's table and the gates' after-failure checks know about a node, and who wrote it.

A record is built once per node from what the roles left on the host (``build``; the filter
``run_records`` is the one adapter that hands it the hosts' variables). Every reader takes records,
never variable names: renaming a task's ``register`` changes ``SOURCES`` below and nothing else.

The record (``SCHEMA`` checks it, ``validate`` says what is wrong with one)::

    host          the inventory name
    settings      the node's inventory settings the readers need (topology host, --anm_host,
                  both installation folders, backup, database and Cassandra choices)
    phases        {PHASE: {status, start, end, seconds, warnings, errors, message, findings, result}}
                  for PREFLIGHT .. POST-UPGRADE: status PASSED | FAILED | SKIPPED | UNREACHABLE |
                  NOT RUN; start/end ISO 8601 UTC or None; findings the phase's own problems
                  (severity error) and notes (severity warning) as {severity, check, message}, in
                  the order found; result what the phase's module or role returned (None: not run)
    rolling       the rolling apply's own phases, as its table shows them ({PRE-APPLY|APPLY|
                  POST-APPLY|ROLLBACK: {result, start, end, message}}, the node's phase marks of
                  those phases), {} when the node took no part in a rolling apply
    rollback      this run's rollback result on the node (rollback.yml), or None
    rollback_timing  {start, end, seconds} of the node's rollback (rollback.yml, or the rolling
                  apply's own), all None when it did not roll back
    gates         what apply's gates found on the node: argument_errors, first_anm_check (the
                  topology read of the first Admin Node Manager), completed (the steps the gates
                  read as complete, for a node lost later)
    content_diff  the domain content compared after apply (role post_upgrade), or None
    status        the node's sysupgrade status read by status.yml, or None
    flags         failed, failure (its message), lost (this run lost the node), window_refused
                  (why the apply window refused it, or None), warnings (run warnings outside any
                  phase: {phase, check, message}), run_as and connected_as (accounts)
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY", "POST-UPGRADE")
# The phases whose result is a step module's (with its structured issues list and its timing).
STEP_PHASES = ("EXPORT", "UPGRADE", "APPLY")
# Role summaries (pre-flight, verify, after-upgrade steps): problems are errors, notes are warnings.
SUMMARY_PHASES = ("PREFLIGHT", "VERIFY", "POST-UPGRADE")
STATUSES = ("PASSED", "FAILED", "SKIPPED", "UNREACHABLE", "NOT RUN")
# The rolling apply's phases (upgrade_zdu_overview.md), as its table shows them.
ROLLING_PHASES = ("PRE-APPLY", "APPLY", "POST-APPLY", "ROLLBACK")
ROLLING_ONLY_PHASES = ("PRE-APPLY", "POST-APPLY")
# The columns of the vendor's ZDU summary table: the test upgrade's steps, then the rolling phases.
ZDU_PHASES = ("EXPORT", "UPGRADE") + ROLLING_PHASES

# Which host variable holds what, and which task writes it. The only place that knows these names.
SOURCES = {
    "phases": {
        "PREFLIGHT": ("__apigw_preflight", "role preflight, 'Record the node's pre-flight result'"),
        "EXPORT": ("__apigw_export", "role test_upgrade, 'Export the old installation's configuration'"),
        "UPGRADE": ("__apigw_upgrade", "role test_upgrade, 'Validate and upgrade the exported data'"),
        "STOP-OLD": ("__apigw_stop_old", "role apply, stop_old.yml and rolling_pre_apply.yml"),
        "APPLY": ("__apigw_apply", "role apply, 'Apply the upgraded data' (apply_step.yml)"),
        "VERIFY": ("__apigw_verify", "role apply, 'Sum up the verification' (verify.yml)"),
        "POST-UPGRADE": ("__apigw_post_upgrade_result", "role post_upgrade, 'Sum up this node's after-upgrade steps'"),
    },
    "phase_marks": ("__apigw_phase_marks", "filter phase_mark, at each phase's start and end (every phase "
                    "but the steps, and the rolling apply's PRE-APPLY, APPLY, POST-APPLY and ROLLBACK), "
                    "closed by role run_record (failed)"),
    "rollback": ("__apigw_rollback", "role rollback, 'Sum up this node's rollback'; role run_record (failed)"),
    "argument_errors": ("_apigw_inputs_spec", "role apply, 'Check every variable apply needs on this node'"),
    "first_anm_check": ("_apigw_first_anm_check", "role anm_trust, reach.yml"),
    "readiness": ("__apigw_readiness", "role apply, 'Work out readiness and what is left to apply'"),
    "content_diff": ("__apigw_content_diff", "role post_upgrade, content.yml"),
    "status": ("__apigw_status", "playbook status.yml, 'Read the status'"),
    "failed": ("__apigw_node_failed", "role apply, gates.yml (not ready); role run_record (failed)"),
    "failure": ("__apigw_node_failure", "role apply, gates.yml (not ready); role run_record (failed)"),
    "lost": ("__apigw_node_unreachable", "role run_record (failed), apply's probe of the SSH port"),
    "window_refused": ("__apigw_window_refused", "role apply, window.yml"),
    "warnings": ("__apigw_run_warnings", "roles test_upgrade (no backup) and apply (accepted drift)"),
    "settings": {
        "topology_host": "apigw_topology_host", "anm_host": "apigw_anm_host", "backup": "apigw_backup",
        "skip_db_upgrade": "apigw_skip_db_upgrade", "no_cassandra": "apigw_no_cassandra",
        "cassandra_host": "apigw_cassandra_host", "cassandra_port": "apigw_cassandra_port",
        "old_install_dir": "apigw_old_install_dir", "new_install_dir": "apigw_new_install_dir",
    },
}
SETTING_DEFAULTS = {"topology_host": "", "anm_host": "", "backup": True, "skip_db_upgrade": False,
                    "no_cassandra": False, "cassandra_host": "", "cassandra_port": 9042,
                    "old_install_dir": "", "new_install_dir": ""}
# The settings that are choices: a record holds them as booleans, whatever form the inventory,
# -e or an AWX survey gave them in ("true", "yes", 1, True).
BOOLEAN_SETTINGS = ("backup", "skip_db_upgrade", "no_cassandra")


def as_bool(value):
    """A setting's truth as Ansible's inventories write it: "1", "true", "yes" or "on" (any case),
    or a true non-text value."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


SCHEMA = {
    "host": str,
    "settings": dict,
    "phases": dict,
    "rolling": dict,
    "rollback": (dict, type(None)),
    "rollback_timing": dict,
    "gates": dict,
    "content_diff": (dict, type(None)),
    "status": (dict, type(None)),
    "flags": dict,
}
PHASE_SCHEMA = {
    "status": str, "start": (str, type(None)), "end": (str, type(None)),
    "seconds": (int, float, type(None)), "warnings": int, "errors": int, "message": str,
    "findings": list, "result": (dict, type(None)),
}
FLAG_SCHEMA = {"failed": bool, "failure": str, "lost": bool, "window_refused": (str, type(None)),
               "warnings": list, "run_as": (str, type(None)), "connected_as": (str, type(None))}
GATE_SCHEMA = {"argument_errors": list, "first_anm_check": (dict, type(None)), "completed": list}


def validate(record):
    """What is wrong with RECORD against SCHEMA, as sentences; [] when nothing is."""
    problems = []

    def check(where, value, schema):
        if not isinstance(value, dict):
            problems.append("%s is not a mapping" % where)
            return
        for key, kind in schema.items():
            if key not in value:
                problems.append("%s has no %s" % (where, key))
            elif not isinstance(value[key], kind) or (kind is int and isinstance(value[key], bool)):
                problems.append("%s.%s is a %s" % (where, key, type(value[key]).__name__))
        for key in sorted(set(value) - set(schema)):
            problems.append("%s has an undeclared field %s" % (where, key))

    check("record", record, SCHEMA)
    if problems:
        return problems
    name = "record %s" % record["host"]
    for phase in PHASES:
        entry = record["phases"].get(phase)
        if entry is None:
            problems.append("%s has no phase %s" % (name, phase))
            continue
        check("%s phase %s" % (name, phase), entry, PHASE_SCHEMA)
        if isinstance(entry, dict) and entry.get("status") not in STATUSES:
            problems.append("%s phase %s has status %r" % (name, phase, entry.get("status")))
        for finding in entry.get("findings") or [] if isinstance(entry, dict) else []:
            if finding.get("severity") not in ("error", "warning"):
                problems.append("%s phase %s has a finding of severity %r" % (name, phase, finding.get("severity")))
    for phase in sorted(set(record["phases"]) - set(PHASES)):
        problems.append("%s has an undeclared phase %s" % (name, phase))
    check("%s flags" % name, record["flags"], FLAG_SCHEMA)
    check("%s gates" % name, record["gates"], GATE_SCHEMA)
    return problems


# ---- times: the one timing contract ------------------------------------------------------------

def iso(epoch):
    """Epoch seconds as ISO 8601 UTC with Z (whole seconds), or None."""
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(float(epoch), datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(entry, key):
    value = (entry or {}).get(key) if isinstance(entry, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def phase_timing(result, mark=None):
    """The report's times of one phase: {start, end, seconds} (ISO, ISO, float with 1 decimal),
    from the step's result (``timing``: when the job started and ended on the node), else the
    phase's mark (filter phase_mark). All None when neither knows the phase."""
    for entry in ((result or {}).get("timing") if isinstance(result, dict) else None, mark):
        start = _epoch(entry, "start")
        if start is not None:
            end = _epoch(entry, "end")
            return {"start": iso(start), "end": iso(end),
                    "seconds": round(max(end - start, 0.0), 1) if end is not None else None}
    return {"start": None, "end": None, "seconds": None}


# ---- one phase's entry -----------------------------------------------------------------------

def _count(result, key):
    value = result.get(key)
    if isinstance(value, dict):  # the step modules return counts per severity
        return int(value.get(key[:-1], 0) or 0)
    if isinstance(value, (list, tuple)):
        return len(value)
    return 0


def outcome(result):
    """{status, warnings, errors, message} of a phase from its module's result or a role's summary."""
    if result is None:
        return {"status": "NOT RUN", "warnings": 0, "errors": 0, "message": ""}
    if result.get("status") in ("PASSED", "FAILED", "SKIPPED"):
        # A role's own summary (pre-flight, verify): problems are errors, notes are warnings.
        return {"status": result["status"], "warnings": len(result.get("notes", [])),
                "errors": len(result.get("problems", [])),
                "message": "; ".join(result.get("problems", []))}
    counts = result.get("counts") if isinstance(result.get("counts"), dict) else {}
    warnings = int(counts.get("warning", 0)) if counts else _count(result, "warnings")
    errors = int(counts.get("error", 0)) if counts else _count(result, "errors")
    if result.get("unreachable"):
        status = "UNREACHABLE"
    elif result.get("failed"):
        status = "FAILED"
    elif result.get("skipped") or not result.get("changed", False):
        status = "SKIPPED"
    else:
        status = "PASSED"
    return {"status": status, "warnings": warnings, "errors": errors,
            "message": str(result.get("msg", "")) if status in ("FAILED", "UNREACHABLE") else ""}


def findings(phase, result):
    """The phase's own problems and notes, as {severity, check, message}, in the order found."""
    result = result or {}
    found = []
    if phase in SUMMARY_PHASES:
        found.extend({"severity": "error", "check": phase.lower(), "message": str(p)}
                     for p in result.get("problems", []) or [])
        found.extend({"severity": "warning", "check": phase.lower(), "message": str(n)}
                     for n in result.get("notes", []) or [])
    else:
        found.extend({"severity": i["severity"], "check": i.get("check") or "", "message": str(i.get("message", ""))}
                     for i in result.get("issues", []) or [] if i.get("severity") in ("error", "warning"))
    return found


def phase_entry(phase, result, mark=None):
    """One phase of a record from what its module or role returned and the mark that timed it."""
    result = result if isinstance(result, dict) else None
    entry = outcome(result)
    entry.update(phase_timing(result if phase in STEP_PHASES else None, mark))
    entry.update(findings=findings(phase, result), result=result)
    return entry


# ---- the record ------------------------------------------------------------------------------

def rolling_marks(marks):
    """The rolling apply's part of a node's phase marks: its phases, when the node took part in one.
    Only the rolling apply marks PRE-APPLY and POST-APPLY (a node applied by an earlier run has only
    POST-APPLY); ROLLBACK is also rollback.yml's phase."""
    if not any(phase in marks for phase in ROLLING_ONLY_PHASES):
        return {}
    return dict((phase, dict(marks[phase])) for phase in ROLLING_PHASES if phase in marks)


def _accounts(results):
    """(the account that ran the product's commands, the account the modules ran as): from the
    step results of this run (each returns run_as), else pre-flight's; None unknown."""
    preflight = results.get("PREFLIGHT") or {}
    run_as = next((r["run_as"] for r in results.values() if isinstance(r, dict) and r.get("run_as")), None)
    return run_as or preflight.get("run_as"), preflight.get("connected_as")


def _completed_known_to_gates(host, readiness):
    """What apply's gates read at the start of the run, for a node whose status cannot be read now:
    a node lost after passing its test upgrade is not sent back to it."""
    readiness = readiness if isinstance(readiness, dict) else {}
    if host in (readiness.get("applied") or []):
        return ["export", "upgrade", "apply"]
    if host in (readiness.get("ready") or []):
        return ["export", "upgrade"]
    return []


def _dict_or_none(value):
    return value if isinstance(value, dict) and value else None


def build(host, variables):
    """The run record of HOST from its variables (a mapping of variable name to value)."""
    # Each variable is read once: a host's variables are templated on every read.
    found = dict((key, variables.get(source[0])) for key, source in SOURCES.items()
                 if key not in ("phases", "settings"))
    results = {}
    for phase, (name, _writer) in SOURCES["phases"].items():
        value = variables.get(name)
        results[phase] = value if isinstance(value, dict) else None
    marks = dict((k, v) for k, v in (found["phase_marks"] or {}).items() if isinstance(v, dict))
    run_as, connected_as = _accounts(results)
    refused = found["window_refused"]
    settings = dict(SETTING_DEFAULTS)
    for key, name in SOURCES["settings"].items():
        if key in BOOLEAN_SETTINGS:
            if name in variables:  # set, even to null (which is false)
                settings[key] = as_bool(variables[name])
            continue
        value = variables.get(name)
        if value is not None:
            settings[key] = value
    return {
        "host": host,
        "settings": settings,
        "phases": dict((phase, phase_entry(phase, results[phase], marks.get(phase))) for phase in PHASES),
        "rolling": rolling_marks(marks),
        "rollback": _dict_or_none(found["rollback"]),
        "rollback_timing": phase_timing(None, marks.get("ROLLBACK")),
        "gates": {
            "argument_errors": list((found["argument_errors"] or {}).get("argument_errors") or []),
            "first_anm_check": _dict_or_none(found["first_anm_check"]),
            "completed": _completed_known_to_gates(host, found["readiness"]),
        },
        "content_diff": _dict_or_none(found["content_diff"]),
        "status": _dict_or_none(found["status"]),
        "flags": {
            "failed": bool(found["failed"]),
            "failure": "failed" if found["failure"] is None else str(found["failure"]),
            "lost": bool(found["lost"]),
            "window_refused": str(refused) if refused else None,
            "warnings": [w for w in found["warnings"] or [] if isinstance(w, dict) and w.get("message")],
            "run_as": run_as,
            "connected_as": connected_as,
        },
    }


def by_host(records):
    """{host: record} of a list of records."""
    return dict((r["host"], r) for r in records or [])
