# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rolling back to the old installation: what it still takes, and how a rollback went.

- ``rollback_ledger``: per node, whether going back is still a plain restart of the old
  installation, or whether something apply changed outside the new installation now needs a
  restore first (vendor pages cited on each entry).
- ``rollback_warning``: the point of no return, in words, for the nodes an apply is about to cross
  it on (shown by apply's gates before anything stops).
- ``rollback_restore_paths``: the paths on a node that the rollback restores from the backup.
- ``rollback_verification``: whether the old installation serves again on a node: its processes
  run, the old first Admin Node Manager answers as the old version with every host of the old
  topology, and the node's instances answer ``/healthchecklb``.
- ``rollback_result``: one node's rollback, as the summary's ROLLBACK cell.

The node's facts come from ``sysupgrade status`` and the step logs (M(apigw.sysupgrade.status)
with ``include_logs``), never from what this run believes it did: a run killed half-way leaves
nothing in memory, and the next one must still see the truth.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.issue_catalogue import lookup

RESTART = "RESTART"
RESTORE = "RESTORE"
UNKNOWN = "UNKNOWN"

# upgrade_errors.md, "ActiveMQ directory not under API Gateway installation directory".
_AMQ_DIR = re.compile(r"ActiveMQ directory '([^']+)' is NOT a directory under")
# upgrade_errors.md, "Third-party JDBC JARs".
_DB_LIST = re.compile(r"external databases: (\[.*?\])")


def _by_host(statuses):
    """The status module's loop results (with ``item``), or a dict host -> result, as a dict."""
    if isinstance(statuses, dict):
        return dict(statuses)
    return dict((r.get("item"), r) for r in statuses or [] if isinstance(r, dict) and r.get("item"))


def _readable(result):
    return bool(result) and not (result.get("unreachable") or result.get("failed") or result.get("skipped")) \
        and "completed" in result


def _apply_started(result):
    """apply changed this node, or began to: it completed, or it left a log (it may have upgraded
    the external databases before it failed: upgrade_script.md, apply "first updates any
    databases used for OAuth or KPS")."""
    logs = result.get("logs") or {}
    return "apply" in (result.get("completed") or []) or bool(logs.get("apply"))


def _upgrade_warnings(result):
    upgrade = (result.get("logs") or {}).get("upgrade") or {}
    return [str(w) for w in upgrade.get("warnings") or []]


def _restores(result, settings):
    """What apply changed, or changes, outside the new installation on this node."""
    out = []
    for warning in _upgrade_warnings(result):
        entry = lookup(warning) or {}
        if entry.get("id") == "activemq-outside":
            found = _AMQ_DIR.search(warning)
            path = found.group(1) if found else ""
            out.append({
                "kind": "activemq", "paths": [path] if path else [],
                "by_rollback": bool(path) and settings["backup"],
                "message": "the new installation uses the ActiveMQ data in %s, outside the old installation, and "
                           "may leave it unusable by the old one (upgrade_errors.md, 'ActiveMQ directory not under "
                           "API Gateway installation directory'): restore it from the backup taken before apply"
                           % (path or "a folder outside the installation")})
        elif entry.get("id") == "jdbc-drivers" and not settings["skip_db_upgrade"]:
            found = _DB_LIST.search(warning)
            out.append({
                "kind": "database", "paths": [], "by_rollback": False,
                "message": "apply upgrades the OAuth/KPS tables in the external databases %s (upgrade_script.md, "
                           "apply; apigw_skip_db_upgrade is false): restore them from a database backup taken "
                           "before apply" % (found.group(1) if found else "of the old installation")})
    if not settings["no_cassandra"]:
        where = "%s:%s" % (settings["cassandra_host"] or "localhost", settings["cassandra_port"] or 9042)
        out.append({
            "kind": "cassandra", "paths": [], "by_rollback": False,
            "message": "apply sends data to the Apache Cassandra at %s (upgrade_script.md, --cass_host: 'will "
                       "receive data during the apply step'): restore its keyspaces from a snapshot taken before "
                       "apply if the old installation must not see them" % where})
    return out


def rollback_ledger(records, statuses, planned=None):
    """-> {host: {state: RESTART|RESTORE|UNKNOWN, applied, restores: [{kind, paths, by_rollback,
    message}], message}} for the nodes of RECORDS (their run records: the settings part).
    ``planned``: hosts taken as applied (an apply about to run on them)."""
    found = _by_host(statuses)
    planned = set(planned or [])
    ledger = {}
    for record in records or []:
        host = record["host"]
        result = found.get(host) or {}
        if not _readable(result):
            ledger[host] = {"state": UNKNOWN, "applied": None, "restores": [],
                            "message": "its sysupgrade status could not be read: %s" % (result.get("msg") or "no answer")}
            continue
        applied = _apply_started(result) or host in planned
        restores = _restores(result, record["settings"]) if applied else []
        if restores:
            message = "rolling back needs a restore: " + "; ".join(r["message"] for r in restores)
        elif applied:
            message = "rolling back is a plain restart of the old installation (apply changed nothing outside the new one)"
        else:
            message = "rolling back is a plain restart of the old installation (not applied)"
        ledger[host] = {"state": RESTORE if restores else RESTART, "applied": applied,
                        "restores": restores, "message": message}
    return ledger


def rollback_limit_refusal(play_hosts, first_anm, first_anm_status, command_prefix="ansible-playbook "):
    """-> why this rollback may not start (empty: it may): a --limit that leaves out the first
    Admin Node Manager while its apply completed. The old domain's first Admin Node Manager is the
    one the rolled-back nodes rejoin and are verified against; while its node runs the new
    installation, no node rolled back alone can rejoin the old domain (it would wait
    apigw_anm_wait_timeout for an old version that never answers)."""
    hosts = list(play_hosts or [])
    if not first_anm or first_anm in hosts or not hosts:
        return ""
    status = first_anm_status or {}
    if status.get("skipped") or "apply" not in (status.get("completed") or []):
        return ""
    return ("rollback of %s alone refused: the first Admin Node Manager, %s, runs the new installation "
            "(its apply completed), and a node rolled back without it cannot rejoin the old domain. Roll it "
            "back too: %sapigw.sysupgrade.rollback --limit %s" % (
                ", ".join(hosts), first_anm, command_prefix, ",".join([first_anm] + hosts)))


def rollback_warning(ledger_now, ledger_planned, hosts):
    """Lines naming, per host of this apply, what becomes a restore once its apply runs; [] when
    rolling back stays a plain restart everywhere."""
    lines = []
    for host in hosts or []:
        now = (ledger_now or {}).get(host) or {}
        then = (ledger_planned or {}).get(host) or {}
        before = set(r["kind"] for r in now.get("restores") or [])
        new = [r for r in then.get("restores") or [] if r["kind"] not in before]
        if new:
            lines.append("Point of no return on %s: once its apply starts, rolling back is no longer a plain restart "
                         "of the old installation: %s." % (host, "; ".join(r["message"] for r in new)))
    return lines


def rollback_restore_paths(ledger_entry):
    """The paths the rollback restores from the backup on this node (those it can restore)."""
    paths = []
    for restore in (ledger_entry or {}).get("restores") or []:
        if restore.get("by_rollback"):
            paths.extend(p for p in restore.get("paths") or [] if p not in paths)
    return paths


def rollback_verification(processes, anm, healthchecks, old_install_dir, anm_url, version, topology_hosts,
                          topology_host):
    """-> problems ([] when the old installation serves on this node)."""
    problems = []
    processes = processes or {}
    if processes.get("unreachable") or processes.get("failed"):
        problems.append("cannot check the old processes in %s: %s" % (old_install_dir, processes.get("msg")))
    elif processes.get("changed"):
        problems.append("old processes not running in %s: %s"
                        % (old_install_dir, ", ".join(processes.get("started") or [])))
    anm = anm or {}
    if anm.get("skipped"):
        problems.append("the old first Admin Node Manager at %s was not asked (its node did not answer)" % anm_url)
    elif anm.get("unreachable") or anm.get("failed") or anm.get("failure_kind"):
        problems.append("the old first Admin Node Manager at %s does not answer from this node: %s"
                        % (anm_url, anm.get("msg") or "failed"))
    else:
        answered = str(anm.get("product_version") or "")
        if answered != str(version):
            problems.append("the first Admin Node Manager at %s answers as version %s, not the old installation's %s"
                            % (anm_url, answered or "unknown", version))
        names = [h.get("name") for h in anm.get("hosts") or []]
        missing = [h for h in topology_hosts or [] if h not in names]
        if missing:
            problems.append("the old topology at %s lacks %s (hosts: %s)" % (anm_url, ", ".join(missing), ", ".join(names)))
    for check in (healthchecks or {}).get("results") or []:
        if check.get("skipped"):
            continue
        if check.get("status") != 200:
            problems.append("%s on %s answers %s: %s" % (check.get("url") or "/healthchecklb", topology_host,
                                                         check.get("status"), check.get("msg") or ""))
    return problems


def _changed(result):
    return bool(result) and not result.get("skipped") and bool(result.get("changed"))


def _problem(result, what):
    result = result or {}
    if result.get("skipped"):
        return ""
    if result.get("unreachable"):
        return "%s: the node became unreachable (%s)" % (what, result.get("msg") or "no answer")
    if result.get("failed") or (result.get("msg") and result.get("rc", 0) not in (0, None)):
        return "%s: %s" % (what, result.get("msg") or "failed")
    return ""


def rollback_result(steps, verify_problems=None, ledger_entry=None):
    """One node's rollback as a summary cell: {status: PASSED|SKIPPED|FAILED, changed, problems,
    notes, changes}. ``steps``: {name: registered result} for stop_new, restore, start_old, clean,
    in that order. SKIPPED means nothing needed to change and the old installation verified."""
    problems, changes = [], []
    for name in ("stop_new", "restore", "start_old", "clean"):
        result = (steps or {}).get(name)
        problem = _problem(result, name.replace("_", " "))
        if problem:
            problems.append(problem)
        elif _changed(result):
            changes.append(name)
    problems.extend(verify_problems or [])
    notes = ["still to do by hand: %s" % r["message"]
             for r in (ledger_entry or {}).get("restores") or [] if not r.get("by_rollback")]
    status = "FAILED" if problems else "PASSED" if changes else "SKIPPED"
    return {"status": status, "changed": bool(changes), "changes": changes, "problems": problems, "notes": notes}


class FilterModule(object):
    def filters(self):
        return {
            "rollback_ledger": rollback_ledger,
            "rollback_warning": rollback_warning,
            "rollback_limit_refusal": rollback_limit_refusal,
            "rollback_restore_paths": rollback_restore_paths,
            "rollback_result": rollback_result,
            "rollback_verification": rollback_verification,
        }
