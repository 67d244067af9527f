# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the old installation changed since export, and which nodes must export again.

The vendor forbids changing the old installation once sysupgrade has begun (upgrade_steps_extcass.md,
Task 3), and says that a change made after export only reaches the new installation if export runs
again, "possibly on all nodes, depending on the changes made. For example, if you deploy a new
configuration to a group of API Gateways, you must rerun export on all nodes that run instances in
that group" (upgrade_faq.md). So, for a file that changed on a node:

- under ``groups/<group>/`` (a group's deployed configuration): every node that runs an instance
  of that group (the node itself when the topology names no node for that group);
- ``groups/topology.json`` (the domain's topology): every node;
- anything else (its certificates, its ``conf``, the admin user store): the node itself.

Apply's gates call ``export_drift`` with what M(apigw.sysupgrade.config_fingerprint) (state
compared) returned on each node; Jinja only formats the result.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

TOPOLOGY = "groups/topology.json"
MAX_FILES_SHOWN = 10


def _files_text(drift):
    shown = ["%s (%s)" % (d["path"], d["change"]) for d in drift[:MAX_FILES_SHOWN]]
    if len(drift) > MAX_FILES_SHOWN:
        shown.append("and %d more" % (len(drift) - MAX_FILES_SHOWN))
    return ", ".join(shown)


def _who_exports(host, drift, group_hosts, by_topology, all_hosts):
    """{inventory host: [why]} for the changes ``drift`` seen on ``host``."""
    need = {}

    def add(other, why):
        need.setdefault(other, [])
        if why not in need[other]:
            need[other].append(why)

    for d in drift:
        members = [by_topology[t] for t in group_hosts.get(d.get("group"), []) if t in by_topology]
        if d["path"] == TOPOLOGY:
            for other in all_hosts:
                add(other, "the topology changed")
        elif d.get("group") and members:
            for other in members:
                add(other, "it runs an instance of group %s" % d["group"])
        else:
            add(host, "its own files changed")
    return need


def export_drift(results, domain, all_hosts, accept=False, command_prefix="ansible-playbook "):
    """See export_drift.yml."""
    by_topology = (domain or {}).get("inventory_by_topology_host") or {}
    changed, unchecked, reasons = {}, [], {}
    for result in results or []:
        host = result.get("item")
        if result.get("skipped"):
            continue
        if result.get("failed") or result.get("unreachable") or "drift" not in result:
            unchecked.append("%s: the configuration could not be compared with its export-time fingerprint (%s)"
                             % (host, result.get("msg", "no answer")))
            continue
        if not result.get("stored"):
            unchecked.append("%s: no fingerprint was taken at export (exported before this collection recorded "
                             "one, or by hand), so changes since export cannot be seen; export it again with "
                             "apigw_force=true to take one" % host)
            continue
        if result["drift"]:
            changed[host] = result["drift"]
            for other, why in _who_exports(host, result["drift"], result.get("group_hosts") or {},
                                           by_topology, all_hosts).items():
                reasons.setdefault(other, [])
                reasons[other].extend(w for w in why if w not in reasons[other])
    reexport = [h for h in all_hosts if h in reasons] + sorted(h for h in reasons if h not in all_hosts)
    out = {"changed": changed, "reexport": reexport, "refusals": [], "warnings": list(unchecked)}
    if not changed:
        return out
    listing = "; ".join("%s: %s" % (h, _files_text(changed[h])) for h in sorted(changed))
    nodes = ", ".join("%s (%s)" % (h, ", ".join(reasons[h])) for h in reexport)
    if accept:
        out["warnings"].append(
            "apigw_accept_drift is true: applying although the old installation changed after export (%s). "
            "These changes do not reach the new installation; nodes that would need a new export: %s."
            % (listing, ", ".join(reexport)))
        return out
    prefix = (command_prefix or "ansible-playbook").strip() + " "
    out["refusals"].append(
        "The old installation changed after export, which the vendor forbids once sysupgrade has begun, and "
        "the change would not reach the new installation: %s. Export again on %s: %sapigw.sysupgrade.test_upgrade "
        "-e apigw_force=true --limit %s (or, to apply without these changes, -e apigw_accept_drift=true). "
        "Nothing was stopped." % (listing, nodes, prefix, ",".join(reexport)))
    return out


class FilterModule(object):
    def filters(self):
        return {"export_drift": export_drift}
