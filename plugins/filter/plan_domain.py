# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Work out, once for the whole run, which node is the first Admin Node Manager and which
``--anm_host`` every node must get.

Controller-side on purpose: the decision needs what every node read, and a wrong answer splits
the domain in two (vendor troubleshooting page, "API Gateways missing from topology"), so it lives
in plain, unit-tested Python rather than in Jinja.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _host_record(result, settings):
    """One node's facts, from one item of the topology_info loop delegated to every node, and its
    inventory settings (the ``settings`` of its run record)."""
    name = result.get("item")
    return {
        "inventory_host": name,
        "topology_host": settings.get("topology_host"),
        "anm_host_setting": settings.get("anm_host") or "",
        "read_ok": not result.get("failed") and not result.get("unreachable") and "hosts" in result,
        "read": result,
    }


def _first_good_read(records):
    for rec in records:
        if rec["read_ok"]:
            return rec["read"]
    return None


def _coverage_errors(records, topology_names):
    errors = []
    mapped = {}
    for rec in records:
        th = rec["topology_host"]
        if not th:
            errors.append("host %s: apigw_topology_host is not set" % rec["inventory_host"])
        elif th not in topology_names:
            errors.append(
                "host %s: apigw_topology_host '%s' is not a host of the old topology (hosts: %s)"
                % (rec["inventory_host"], th, ", ".join(sorted(topology_names))))
        elif th in mapped:
            errors.append("hosts %s and %s both claim topology host '%s'" % (mapped[th], rec["inventory_host"], th))
        else:
            mapped[th] = rec["inventory_host"]
    missing = sorted(set(topology_names) - set(mapped))
    if missing:
        errors.append(
            "the inventory group apigw does not cover topology host(s) %s: add them with "
            "apigw_topology_host set, since every node must be upgraded" % ", ".join(missing))
    return errors, mapped


def _anm_host_setting(records, anm_hosts, errors):
    values = {}
    for rec in records:
        if rec["anm_host_setting"]:
            values.setdefault(rec["anm_host_setting"], []).append(rec["inventory_host"])
    if not values:
        return ""
    if len(values) > 1 or sum(len(v) for v in values.values()) != len(records):
        detail = "; ".join("%s on %s" % (k, ", ".join(sorted(v))) for k, v in sorted(values.items()))
        errors.append(
            "apigw_anm_host must be the same on every host, or unset everywhere (%s): different "
            "values create two separate domains" % detail)
        return ""
    value = next(iter(values))
    if value not in anm_hosts:
        errors.append(
            "apigw_anm_host '%s' is not a topology host that runs an Admin Node Manager (those are: %s)"
            % (value, ", ".join(anm_hosts) or "none"))
        return ""
    return value


def plan_domain(read_results, run_records, unreachable=None):
    """Return the domain plan for the hosts of group apigw; see plan_domain.yml. RUN_RECORDS: the
    nodes' run records (filter run_records), for their settings."""
    settings = dict((r["host"], r["settings"]) for r in run_records or [])
    if not isinstance(read_results, (list, tuple)) or not all(
            isinstance(r, dict) and r.get("item") for r in read_results):
        raise AnsibleFilterError(
            "plan_domain expects the results of topology_info looped over groups['apigw'] "
            "(register: x, then x.results)")
    # Nodes the controller could not reach were not asked (a delegated task to an unreachable
    # host ends the play, ansible/ansible#35030); they count as unread.
    read_results = list(read_results) + [
        {"item": name, "unreachable": True} for name in (unreachable or [])
        if name not in [r["item"] for r in read_results]]
    records = [_host_record(result, settings.get(result["item"]) or {}) for result in read_results]
    errors = []
    topology = _first_good_read(records)
    plan = {
        "errors": errors, "anm_hosts": [], "topology_hosts": [], "first_anm_inventory_host": "",
        "first_anm_topology_host": "", "old_first_anm_inventory_host": "", "anm_host": "",
        "unread_hosts": sorted(r["inventory_host"] for r in records if not r["read_ok"]),
        "inventory_by_topology_host": {}, "product_version": "", "gateway_groups": {},
    }
    if topology is None:
        errors.append("no host of group apigw could read the old topology (groups/topology.json)")
        return plan
    topology_names = [h["name"] for h in topology.get("hosts", [])]
    anm_hosts = list(topology.get("anm_hosts", []))
    plan["topology_hosts"] = topology_names
    plan["anm_hosts"] = anm_hosts
    # The old installation's version, as its topology file gives it (rollback checks the old ANM
    # answers with it).
    plan["product_version"] = str(topology.get("product_version") or "")
    cov_errors, mapped = _coverage_errors(records, topology_names)
    errors.extend(cov_errors)
    plan["inventory_by_topology_host"] = mapped
    # Each gateway group with the inventory hosts that run an instance of it (pre-flight compares
    # their deployed configurations: upgrade_errors.md, "Inconsistent groups").
    for group in topology.get("groups") or []:
        members = [mapped[s["host_name"]] for s in group.get("services") or []
                   if s.get("type") == "gateway" and s.get("host_name") in mapped]
        if members:
            plan["gateway_groups"][group["id"]] = {"name": group.get("name", group["id"]),
                                                   "hosts": sorted(set(members))}
    holders = [r["inventory_host"] for r in records if r["read_ok"] and r["read"].get("is_first_anm")]
    if len(holders) > 1:
        errors.append("more than one host holds groups/certs/private/domain.p12: %s" % ", ".join(holders))
    old_first = holders[0] if len(holders) == 1 else ""
    plan["old_first_anm_inventory_host"] = old_first
    setting = _anm_host_setting(records, anm_hosts, errors)
    if setting:
        first_topology = setting
    elif old_first:
        first_topology = settings[old_first].get("topology_host")
    elif len(anm_hosts) == 1:
        first_topology = anm_hosts[0]
    else:
        first_topology = ""
        errors.append(
            "cannot tell the first Admin Node Manager: no reachable host holds "
            "groups/certs/private/domain.p12; set apigw_anm_host to one of: %s" % ", ".join(anm_hosts))
    plan["first_anm_topology_host"] = first_topology
    plan["first_anm_inventory_host"] = mapped.get(first_topology, "")
    # --anm_host is needed (and must be identical everywhere) only with several ANMs (rule 6).
    plan["anm_host"] = first_topology if len(anm_hosts) > 1 else ""
    return plan


class FilterModule(object):
    def filters(self):
        return {"plan_domain": plan_domain}
