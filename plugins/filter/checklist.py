# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions about the vendor's manual checklist steps around the upgrade (upgrade_steps_extcass.md),
in plain, unit-tested Python.

- ``group_consistency``: whether every node that runs an instance of a group deploys the same
  configuration (the pre-flight's fingerprints), before export refuses an inconsistent group.
- ``content_diff``: what differs between the domain's content before and after the upgrade, each
  difference expected (the version) or flagged.

Jinja only formats what these return; the roles assert on it.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

INCONSISTENT = ("export refuses it (\"Group '%s' (%s) is inconsistent. Upgrade requires all groups to be "
                "consistent.\", upgrade_errors.md): deploy the same configuration to every API Gateway of the group")


def group_consistency(results, gateway_groups):
    """-> {notes: {host: [note]}, inconsistent: [group id]} from the pre-flight results of the nodes
    (a loop-shaped list, ``item`` the host, ``group_fingerprints`` each group's fingerprint there) and
    the domain's gateway groups ({id: {name, hosts}}). Only nodes that run an instance of a group are
    compared; a node that was not read is left out, and said so when the others disagree."""
    prints = dict((r.get("item"), r.get("group_fingerprints") or {}) for r in results or [] if r.get("item"))
    notes = {}
    inconsistent = []
    for gid in sorted(gateway_groups or {}):
        group = gateway_groups[gid]
        seen = {}
        for host in group.get("hosts") or []:
            value = prints.get(host, {}).get(gid)
            if value:
                seen.setdefault(value, []).append(host)
        if len(seen) < 2:
            continue
        inconsistent.append(gid)
        variants = sorted(seen.values(), key=lambda hosts: (-len(hosts), hosts))
        described = "; ".join("%s deploy%s one" % (", ".join(hosts), "" if len(hosts) > 1 else "s")
                              for hosts in variants)
        message = ("group %s (%s) is not deployed alike on its nodes (%d different configurations): %s. The vendor's "
                   % (group.get("name", gid), gid, len(variants), described)
                   + INCONSISTENT % (group.get("name", gid), gid))
        for hosts in variants:
            for host in hosts:
                notes.setdefault(host, []).append(message)
    return {"notes": notes, "inconsistent": inconsistent}


def _changed(result):
    return bool((result or {}).get("changed")) and not (result or {}).get("skipped")


def post_upgrade_summary(steps, content=None):
    """-> {status, changed, changes, notes, problems} of one node's after-upgrade steps (the registered
    results of service_scripts, migrate_files for the SSO files and QuickStart, jvm_heap) and its
    content diff, for the summary's POST-UPGRADE phase: what each step changed, and every flagged
    content difference as a note (a warning) naming it."""
    steps = steps or {}
    changes, notes, problems = [], [], []
    services = steps.get("services") or {}
    for script in services.get("scripts") or []:
        if script.get("changed"):
            changes.append("service %s now points at the new installation (original kept as %s)"
                           % (script.get("path"), script.get("backup")))
    for pending in services.get("needs_root") or []:
        # Root-only work the connecting account could not do: a warning naming the file, the change
        # and the command, and no failure (issue 19).
        notes.append("service %s still points at the old installation: it needs root to change (%s)"
                     % (pending.get("path"), pending.get("command")))
    for key, label in (("sso", "single sign-on file"), ("quickstart", "QuickStart")):
        for path in (steps.get(key) or {}).get("copied") or []:
            changes.append("%s copied from the old installation: %s" % (label, path))
    jvm = steps.get("jvm") or {}
    if _changed(jvm):
        changes.append("jvm.xml -Xmx %s -> %s (original kept as %s)" % (jvm.get("before"), jvm.get("after"), jvm.get("backup")))
    for key, result in steps.items():
        if (result or {}).get("failed"):
            problems.append("%s: %s" % (key, result.get("msg", "failed")))
    for diff in (content or {}).get("flagged") or []:
        notes.append("content %s: %s %s %s (not expected from the upgrade)" % (
            diff["section"], diff["item"], diff["change"], diff["value"]))
    status = "FAILED" if problems else "PASSED"
    return {"status": status, "changed": bool(changes), "changes": changes, "notes": notes, "problems": problems}


def post_upgrade_changes(records):
    """"node: change" lines for every change the after-upgrade steps made this run, in host order."""
    return ["%s: %s" % (record["host"], change) for record in records or []
            for change in (record["phases"]["POST-UPGRADE"]["result"] or {}).get("changes") or []]


def content_report(records):
    """The domain's content differences for the report: each distinct difference once, with the nodes
    that saw it, flagged ones first; the notes (quota reset, what was not compared) once each.
    None when no node compared its content in this run."""
    diffs, notes, compared = {}, [], []
    for record in records or []:
        host, diff = record["host"], record["content_diff"]
        if not diff:
            continue
        compared.append(host)
        for d in diff.get("differences") or []:
            key = (d["section"], d["item"], d["change"], str(d["value"]), bool(d.get("expected")))
            diffs.setdefault(key, dict(d, nodes=[]))["nodes"].append(host)
        for note in diff.get("notes") or []:
            if note not in notes:
                notes.append(note)
    if not compared:
        return None
    ordered = sorted(diffs.values(), key=lambda d: (d["expected"], d["section"], d["item"], str(d["value"])))
    return {"compared_on": compared, "differences": ordered, "flagged": [d for d in ordered if not d["expected"]],
            "notes": notes}


class FilterModule(object):
    def filters(self):
        return {"group_consistency": group_consistency, "content_diff": content_diff,
                "post_upgrade_summary": post_upgrade_summary, "content_report": content_report,
                "post_upgrade_changes": post_upgrade_changes}  # topology_from_anm: a helper of content_diff


# upgrade_steps_extcass.md, "Before you upgrade", word for word.
QUOTA_RESET = ("During an upgrade, including zero downtime upgrade (ZDU), quotas are reset, meaning that your "
               "quotas might be too lenient for a period after the upgrade. (upgrade_steps_extcass.md)")


def _set_diff(section, item, before, after):
    before, after = set(before or []), set(after or [])
    return ([{"section": section, "item": item, "change": "removed", "value": v} for v in sorted(before - after)]
            + [{"section": section, "item": item, "change": "added", "value": v} for v in sorted(after - before)])


def _pending(diff, pending, before_groups):
    """Whether a topology difference only says that a node has not applied yet: the new domain
    gains each node when its apply registers it (upgrade_script.md)."""
    if diff["section"] != "topology" or diff["change"] != "removed":
        return False
    if diff["item"] == "hosts":
        return diff["value"] in pending
    if diff["item"].startswith("instances of "):
        return diff["value"].rsplit(" on ", 1)[-1] in pending
    if diff["item"] == "groups":
        instances = before_groups.get(diff["value"]) or []
        return bool(instances) and all(i.rsplit(" on ", 1)[-1] in pending for i in instances)
    return False


def topology_from_anm(info):
    """A domain_content topology ({product_version, hosts, groups - {name - [instance on host]}}) from what
    topology_info returned when it asked the first Admin Node Manager, or None when it did not answer."""
    if not isinstance(info, dict) or info.get("failed") or info.get("skipped") or not info.get("hosts"):
        return None
    groups = {}
    for group in info.get("groups") or []:
        groups[group.get("name") or group.get("id")] = sorted(
            "%s on %s" % (s.get("name"), s.get("host_name")) for s in group.get("services") or []
            if s.get("type") == "gateway")
    return {"product_version": str(info.get("product_version") or ""),
            "hosts": sorted(h.get("name") for h in info["hosts"]), "groups": groups}


def content_diff(before, after, expected_version="", pending_hosts=None, anm_topology=None):
    """-> {differences, flagged, expected, notes} between two domain_content snapshots (the old domain at
    export, the new one after verify). Every difference is either expected (the product version the
    upgrade installs; a host, instance or group of PENDING_HOSTS, the topology names of the nodes not
    applied yet, which join the new domain when they apply) or flagged: the upgrade must carry
    everything else across unchanged. ANM_TOPOLOGY (topology_info's answer from the first Admin Node
    Manager) replaces the node's own topology file after the upgrade: the Admin Node Manager holds the
    domain's topology, and a node's copy may lag behind the nodes that registered after it."""
    before, after = before or {}, dict(after or {})
    anm = topology_from_anm(anm_topology)
    if anm is not None:
        after["topology"] = anm
    diffs, notes = [], [QUOTA_RESET]
    for side, snap in (("before", before), ("after", after)):
        for item in snap.get("unread") or []:
            notes.append("not compared (%s the upgrade, could not read) %s" % (side, item))
    bt, at = before.get("topology"), after.get("topology")
    if bt and at:
        if bt.get("product_version") != at.get("product_version"):
            diffs.append({"section": "topology", "item": "product version", "change": "changed",
                          "value": "%s -> %s" % (bt.get("product_version"), at.get("product_version")),
                          "expected": not expected_version or at.get("product_version") == expected_version})
        diffs += _set_diff("topology", "hosts", bt.get("hosts"), at.get("hosts"))
        diffs += _set_diff("topology", "groups", (bt.get("groups") or {}).keys(), (at.get("groups") or {}).keys())
        for group in sorted(set(bt.get("groups") or {}) & set(at.get("groups") or {})):
            diffs += _set_diff("topology", "instances of %s" % group, bt["groups"][group], at["groups"][group])
    if before.get("admin_users") is not None and after.get("admin_users") is not None:
        diffs += _set_diff("admin users", "names", before["admin_users"], after["admin_users"])
    bg, ag = before.get("groups") or {}, after.get("groups") or {}
    for gid in sorted(set(bg) | set(ag)):
        for key, label in (("policies", "policies"), ("kps_collections", "KPS collections")):
            diffs += _set_diff("group %s" % gid, label, (bg.get(gid) or {}).get(key), (ag.get(gid) or {}).get(key))
    bm, am = before.get("api_manager"), after.get("api_manager")
    if bm and am:
        for key, label in (("organizations", "organisations"), ("applications", "applications"), ("apis", "APIs")):
            b, a = bm.get(key) or {}, am.get(key) or {}
            if b.get("count") != a.get("count"):
                diffs.append({"section": "API Manager", "item": "%s count" % label, "change": "changed",
                              "value": "%s -> %s" % (b.get("count"), a.get("count"))})
            diffs += _set_diff("API Manager", label, b.get("names"), a.get("names"))
    elif bm or am:
        notes.append("API Manager not compared: it was read %s the upgrade only" % ("before" if bm else "after"))
    pending = set(pending_hosts or [])
    for d in diffs:
        if _pending(d, pending, (bt or {}).get("groups") or {}):
            d.update(expected=True, why="not applied yet: it joins the new domain when it applies")
        d.setdefault("expected", False)
    return {"differences": diffs, "flagged": [d for d in diffs if not d["expected"]],
            "expected": [d for d in diffs if d["expected"]], "notes": notes}
