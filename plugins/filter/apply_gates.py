# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply playbook's decisions, in plain, unit-tested Python.

- ``apply_readiness``: which nodes are applied, which are ready, and why the others are not, from
  the parsed ``completed`` steps of every node's ``sysupgrade status`` (never from its wording).
- ``apply_inputs``: whether the inputs this run needs are proven before anything stops: the admin
  login against the running Admin Node Manager, and the domain passphrase against ``domain.p12``.
- ``anm_problem``: what an Admin Node Manager check means, as one first line an operator can act on.
- ``apply_verification``: whether an applied node verifies (new processes run, it is in the first
  Admin Node Manager's topology).
- ``stopped_without_service``: after a failure past stop-old, the nodes that run neither
  installation, for a message that says so.

Jinja only formats what these return; the roles assert on it.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.issue_catalogue import remediation_for
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_record import as_bool

ANM_TRUST_HINT = ("Its certificate is not trusted, and waiting cannot change that, so it was not retried. "
                  "By default the collection trusts exactly the certificate the first Admin Node Manager "
                  "serves on its own node's loopback (read over SSH). Where the nodes reach it through "
                  "something that serves another certificate, set apigw_anm_ca_path to a CA file on the "
                  "nodes that signs it, or, on a trusted network only, apigw_anm_validate_certs: false.")
LOGIN_HINT = "check apigw_admin_username and apigw_admin_password (vault the password)"


def _failed(result):
    """Whether a registered module result failed. Tasks here register with ``failed_when: false``
    (so that the decision is made here), and that clears ``failed``; a module's failure still
    shows in its ``msg`` (modules that succeed return none) or ``failure_kind``."""
    result = result or {}
    if result.get("skipped") or result.get("unreachable"):
        return False
    return bool(result.get("failed") or result.get("failure_kind") or result.get("msg"))


def _reason_unreachable(result):
    return "unreachable (%s)" % (result.get("msg") or "no answer")


def apply_readiness(status_results, all_hosts, reachable_hosts=None):
    """-> {applied, ready, not_ready (lines), reasons {host: reason}, unreachable}.

    ``status_results`` are the results of the status module delegated to every reachable node
    (``include_logs: true``); a node is ready when export and upgrade completed and its last upgrade
    log holds no error, applied when apply completed.
    """
    reachable = list(all_hosts if reachable_hosts is None else reachable_hosts)
    out = {"applied": [], "ready": [], "not_ready": [], "reasons": {}, "unreachable": []}

    def refuse(host, reason, record=True):
        out["not_ready"].append("%s: %s" % (host, reason))
        if record:
            out["reasons"][host] = reason

    for host in all_hosts:
        if host not in reachable:
            out["unreachable"].append(host)
            refuse(host, "unreachable (no answer on its SSH port from the controller)", record=False)
    for result in status_results or []:
        host = result.get("item")
        if result.get("unreachable"):
            out["unreachable"].append(host)
            refuse(host, _reason_unreachable(result), record=False)
            continue
        if _failed(result):
            refuse(host, "cannot read its sysupgrade status (%s)" % (result.get("msg") or "failed"), record=False)
            continue
        completed = result.get("completed") or []
        if "apply" in completed:
            out["applied"].append(host)
            continue
        if not ("export" in completed and "upgrade" in completed):
            refuse(host, 'status is "%s": the test upgrade (export and upgrade) has not completed'
                   % (result.get("current_status") or "unknown"))
            continue
        upgrade_log = ((result.get("logs") or {}).get("upgrade") or {})
        errors = int((upgrade_log.get("counts") or {}).get("error", 0) or 0)
        if errors > 0:
            refuse(host, "its last upgrade log %s has %d error(s)" % (upgrade_log.get("path"), errors))
            continue
        out["ready"].append(host)
    return out


def apply_inputs(login, key, first_anm, first_anm_applied, new_install_dir=None):
    """Prove the inputs before anything stops. -> {refusals, warnings, pin}.

    ``login``: topology_info run on the first Admin Node Manager's node against its loopback, with
    the admin credentials (the old ANM, or the new one once the first ANM is applied).
    ``key``: domain_key_info run there with the domain passphrase. ``pin`` is the fingerprint of the
    certificate that ANM serves, when it is the new one (the others verify it by that pin).
    """
    refusals, warnings, pin = [], [], None
    which = "new" if first_anm_applied else "old"
    login = login or {}
    if login.get("skipped"):
        pass
    elif not _failed(login) and not login.get("unreachable"):
        pin = login.get("certificate_sha256") if first_anm_applied else None
    elif login.get("failure_kind") == "auth":
        refusals.append("The %s Admin Node Manager on %s refused the admin login: %s; %s."
                        % (which, first_anm, login.get("msg"), LOGIN_HINT))
    elif login.get("unreachable"):
        refusals.append("Cannot reach the first Admin Node Manager %s to check the admin login: %s."
                        % (first_anm, login.get("msg")))
    elif first_anm_applied and login.get("failure_kind") == "stopped":
        # topology_info asked the Node Manager (node_manager_dir): nothing is starting, so waiting
        # (apigw_anm_wait_timeout) cannot help.
        refusals.append("The first Admin Node Manager %s is applied, but its new Node Manager is not running "
                        "(nodemanager -s on %s), so no node can register with it. Start it on %s as %s: "
                        "%s -d, then rerun apply; apigw_anm_wait_timeout cannot help, nothing is starting."
                        % (first_anm, first_anm, first_anm, login.get("run_as") or "the installation's owner",
                           posixpath.join(new_install_dir or "<new installation>", "posix", "bin", "nodemanager")))
    elif first_anm_applied:
        refusals.append("The first Admin Node Manager %s is applied, but its new Admin Node Manager does not "
                        "answer on its own node (%s), so the admin login cannot be checked and no node can "
                        "register with it. Start the new installation's processes on %s (nodemanager -d), "
                        "then rerun apply." % (first_anm, login.get("msg"), first_anm))
    else:
        # The old ANM is already stopped (an earlier run stopped the old installation): nothing is
        # left running to protect, and apply itself will check the login.
        warnings.append("Could not prove the admin login before apply: the old Admin Node Manager on %s does "
                        "not answer (%s). An earlier run probably stopped the old installation already."
                        % (first_anm, login.get("msg")))
    key = key or {}
    if _failed(key) and key.get("failure_kind") == "passphrase":
        refusals.append("%s (on %s). Set apigw_domain_passphrase to the domain CA key passphrase of this domain."
                        % (key.get("msg"), first_anm))
    elif _failed(key):
        # No key store where the vendor puts it, or one openssl cannot read: nothing proves the
        # passphrase wrong, and apply itself will check it.
        warnings.append("Could not prove apigw_domain_passphrase before apply: %s (on %s)." % (key.get("msg"), first_anm))
    return {"refusals": refusals, "warnings": warnings, "pin": pin}


def anm_problem(result, url, version, first_anm):
    """'' when ``result`` (topology_info) shows the first ANM answering as ``version``; else the
    problem, first line first, naming what to do. A check that did not run (None) has no problem."""
    if result is None or result.get("skipped"):
        return ""
    kind = result.get("failure_kind")
    msg = result.get("msg") or "failed"
    if result.get("unreachable"):
        return "The node became unreachable while checking the first Admin Node Manager at %s: %s." % (url, msg)
    if _failed(result):
        if kind == "certificate":
            return "The first Admin Node Manager's certificate at %s was refused: %s. %s" % (url, msg, ANM_TRUST_HINT)
        if kind == "auth":
            return "The first Admin Node Manager at %s refused the admin login: %s; %s." % (url, msg, LOGIN_HINT)
        if kind == "unavailable":
            return ("The first Admin Node Manager %s does not answer at %s: %s. Start the new installation's "
                    "processes on %s (or raise apigw_anm_wait_timeout if it is only slow to start), then rerun "
                    "apply." % (first_anm, url, msg, first_anm))
        return "The first Admin Node Manager at %s could not be read: %s." % (url, msg)
    answered = str(result.get("product_version") or "")
    if not answered.startswith(str(version)):
        return ("The first Admin Node Manager at %s answers as version %s, not %s: it is not applied yet, "
                "or this is not the new installation's Admin Node Manager." % (url, answered or "unknown", version))
    return ""


def apply_verification(processes, topology, topology_host, new_install_dir, anm_url, version, first_anm):
    """-> {status: PASSED|FAILED, problems}."""
    problems = []
    processes = processes or {}
    if processes.get("unreachable"):
        problems.append("the node became unreachable while checking its new processes: %s" % processes.get("msg"))
    elif _failed(processes):
        problems.append("cannot check the new processes in %s: %s" % (new_install_dir, processes.get("msg")))
    elif processes.get("changed"):
        problems.append("new processes not running in %s: %s"
                        % (new_install_dir, ", ".join(processes.get("started") or [])))
    problem = anm_problem(topology, anm_url, version, first_anm)
    if problem:
        problems.append(problem)
    elif topology and not topology.get("skipped"):
        names = [h.get("name") for h in topology.get("hosts") or []]
        if topology_host not in names:
            problems.append("%s is missing from the topology of the first Admin Node Manager %s (hosts: %s): "
                            "was a different --anm_host used on this node?"
                            % (topology_host, anm_url, ", ".join(names)))
    return {"status": "FAILED" if problems else "PASSED", "problems": problems}


def apply_refusals(records, readiness, inputs, domain, command_prefix="ansible-playbook ",
                   limit="", inventory_sources=None, anm_url=None, version=None, drift=None):
    """Every reason this run must not start, in the order an operator fixes them; [] to go on.
    RECORDS: the run records of this play's nodes (filter run_records)."""
    refusals = []
    play_hosts = [record["host"] for record in records or []]
    prefix = (command_prefix or "ansible-playbook").strip() + " "
    sources = ", ".join(inventory_sources or []) or "the inventory"
    for record in records or []:
        errors = record["gates"]["argument_errors"]
        if errors:
            refusals.append("%s: %s (set them in %s; nothing was stopped)" % (record["host"], "; ".join(errors), sources))
    if readiness.get("not_ready"):
        refusals.append("Not every node of the domain is ready for apply, so nothing was stopped or applied: %s. "
                        "Fix them and rerun %sapigw.sysupgrade.test_upgrade until every node passes."
                        % (" | ".join(readiness["not_ready"]), prefix))
    first = domain.get("first_anm_inventory_host")
    if first not in (readiness.get("applied") or []) and first not in play_hosts:
        refusals.append("The first Admin Node Manager %s (%s) has not been applied yet, and this run (--limit %s) "
                        "does not include it. Nothing was changed. Apply it first: %sapigw.sysupgrade.apply "
                        "--limit %s" % (first, domain.get("first_anm_topology_host"), limit or "", prefix, first))
    refusals.extend((inputs or {}).get("refusals") or [])
    for record in records or []:
        problem = anm_problem(record["gates"]["first_anm_check"], anm_url, version, first)
        if problem:
            refusals.append("%s: %s Nothing was stopped." % (record["host"], problem))
    refusals.extend((drift or {}).get("refusals") or [])
    return refusals


def hosts_lost(records):
    """The nodes this run lost while working on them (their record's flag lost), for the summary."""
    return [record["host"] for record in records or [] if record["flags"]["lost"]]


def stopped_without_service(records, applied_before=None):
    """The nodes whose old installation this run stopped (phase STOP-OLD) and that are not applied
    and verified, nor rolled back by the rolling apply: they run neither installation now."""
    applied = set(applied_before or [])
    out = []
    for record in records or []:
        if not record["phases"]["STOP-OLD"]["result"] or record["host"] in applied:
            continue
        if record["phases"]["VERIFY"]["status"] == "PASSED":
            continue
        if (record["rolling"].get("ROLLBACK") or {}).get("result") == "PASSED":
            continue  # the rolling apply's rollback started its old installation again
        out.append(record["host"])
    return out


def first_anm_install(record, readiness):
    """-> {host, applied, install_dir, new_install_dir, old_install_dir} of the first Admin Node
    Manager (RECORD: its run record): INSTALL_DIR is the installation it runs now, the new one once
    applied (READINESS: filter apply_readiness), else the old one."""
    host = record["host"]
    applied = host in ((readiness or {}).get("applied") or [])
    settings = record["settings"]
    return {"host": host, "applied": applied,
            "install_dir": settings["new_install_dir"] if applied else settings["old_install_dir"],
            "new_install_dir": settings["new_install_dir"], "old_install_dir": settings["old_install_dir"]}


def anm_trust_pin(validate_certs, ca_path="", pin=""):
    """The certificate pin a node's call to the first Admin Node Manager trusts, or '' for none: a
    CA file the operator gave wins, no check (validate_certs false) has nothing to pin, else the pin
    of the certificate that Admin Node Manager serves on its own node (empty before it is read)."""
    if ca_path or not as_bool(validate_certs):
        return ""
    return str(pin or "")


def failure_advice(message):
    """The remediation for a documented sysupgrade message inside a failure, or ''."""
    return remediation_for(message) or ""


def node_failure(message):
    """What a node's run record keeps of a failed task: its message, then the vendor's remedy when
    the message is a documented one."""
    message = str(message if message is not None else "failed")
    advice = failure_advice(message)
    return "%s %s" % (message, advice) if advice else message


def apply_stop_message(host, failure, down, first_anm=False):
    """Why apply.yml stops after HOST failed, which nodes now serve nothing (DOWN: filter
    stopped_without_service), and the two ways on."""
    lines = ["Apply failed on %s%s: %s" % (host, " (the first Admin Node Manager)" if first_anm else "", failure)]
    if down:
        lines.append("The old installation is stopped and the new one is not running on %s: %s nothing now."
                     % (", ".join(down), "that node serves" if len(down) == 1 else "these nodes serve"))
    lines.append("To go on, fix the cause and rerun the same apply (applied nodes are skipped; a run without a "
                 "terminal also needs -e apigw_apply_confirmed=true). To go back to the old installation "
                 "instead: apigw.sysupgrade.rollback (its ROLLBACK column says what else needs a restore).")
    return " ".join(lines)


class FilterModule(object):
    def filters(self):
        return {
            "apply_readiness": apply_readiness,
            "apply_inputs": apply_inputs,
            "anm_problem": anm_problem,
            "apply_verification": apply_verification,
            "apply_refusals": apply_refusals,
            "failure_advice": failure_advice,
            "node_failure": node_failure,
            "first_anm_install": first_anm_install,
            "anm_trust_pin": anm_trust_pin,
            "apply_stop_message": apply_stop_message,
            "hosts_lost": hosts_lost,
            "stopped_without_service": stopped_without_service,
        }
