# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a domain holds, read from one installation's files: the snapshot that the content diff
compares before the upgrade (the old installation, at export) and after it (the new installation,
once verified).

The vendor's guide has the operator check these by hand after the upgrade (upgrade_steps_extcass.md,
"Verify the multi-node upgrade"); the files are those of config_files_reference.md:

* ``groups/topology.json`` - the topology: hosts, groups, and each group's instances;
* ``conf/adminUsers.json`` - the admin user store: user **names** only (never a credential);
* ``groups/<group>/conf/`` - each group's deployed entity store (XML ``<entity type="...">`` elements
  with ``<fval name="name"><value>...</value></fval>``): the names of its policies (``FilterCircuit``)
  and of its KPS collections.

API Manager's organisations, applications and APIs live in its data store (Cassandra), not in a
file: ``api_manager_content`` reads them over API Manager's REST API.

Python 3.6+, standard library only (runs on the node). Every reader returns what it could read and
a list of what it could not, so that a snapshot is never silently partial.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import xml.etree.ElementTree as ET

POLICY_TYPES = ("FilterCircuit",)
KPS_TYPES = ("KPSCollection",)
# Keys of a user entry that hold its name; everything else of it (passwords, hashes) is never read.
USER_NAME_KEYS = ("name", "loginName", "username", "userName")
ENTITY_STORE_MAX_BYTES = 50 * 1024 * 1024


def _local(tag):
    """An element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def topology_content(install_dir):
    path = os.path.join(install_dir, "groups", "topology.json")
    with open(path) as f:
        data = json.load(f)
    if isinstance(data.get("result"), dict):
        data = data["result"]
    host_names = dict((h.get("id"), h.get("name") or h.get("id")) for h in data.get("hosts") or [])
    groups = {}
    for group in data.get("groups") or []:
        instances = sorted("%s on %s" % (s.get("name"), host_names.get(s.get("hostID"), s.get("hostID")))
                           for s in group.get("services") or [] if s.get("type") == "gateway")
        groups[group.get("name") or group.get("id")] = instances
    return {"product_version": str(data.get("productVersion") or ""),
            "hosts": sorted(host_names.values()), "groups": groups}


def user_names(data):
    """The user names of an admin user store: the entries of a top-level list, or of the lists (or
    maps) kept under a key that names users ("users", "adminUsers"); roles and other lists are not
    users. Only a name key is read from each entry."""
    if isinstance(data, list):
        entries = data
    elif isinstance(data, dict):
        entries = []
        for key, value in data.items():
            if "user" in key.lower():
                entries.extend(value.values() if isinstance(value, dict) else value if isinstance(value, list) else [])
    else:
        entries = []
    names = set()
    for entry in entries:
        if isinstance(entry, dict):
            name = next((entry[k] for k in USER_NAME_KEYS if isinstance(entry.get(k), str)), None)
            if name:
                names.add(name)
    return sorted(names)


def admin_user_names(install_dir):
    path = os.path.join(install_dir, "conf", "adminUsers.json")
    with open(path) as f:
        return user_names(json.load(f))


def _entity_names(path, types):
    names = dict((t, set()) for t in types)
    if os.path.getsize(path) > ENTITY_STORE_MAX_BYTES:
        return names
    for _event, element in ET.iterparse(path):
        if _local(element.tag) != "entity":
            continue
        kind = element.get("type")
        if kind in names:
            for fval in element:
                if _local(fval.tag) == "fval" and fval.get("name") == "name":
                    value = next((v for v in fval if _local(v.tag) == "value"), None)
                    if value is not None and value.text:
                        names[kind].add(value.text.strip())
        element.clear()
    return names


def group_content(install_dir, unread):
    """{group id: {"policies": [...], "kps_collections": [...]}} from each group's deployed entity store."""
    groups_dir = os.path.join(install_dir, "groups")
    out = {}
    try:
        group_ids = sorted(g for g in os.listdir(groups_dir) if os.path.isdir(os.path.join(groups_dir, g)) and g != "certs")
    except OSError as e:
        unread.append("groups: %s" % e)
        return out
    for gid in group_ids:
        conf = os.path.join(groups_dir, gid, "conf")
        policies, kps = set(), set()
        for root, dirs, files in os.walk(conf):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".xml"):
                    continue
                path = os.path.join(root, name)
                try:
                    names = _entity_names(path, POLICY_TYPES + KPS_TYPES)
                except (ET.ParseError, IOError, OSError) as e:
                    unread.append("%s: %s" % (path, e))
                    continue
                for kind in POLICY_TYPES:
                    policies |= names[kind]
                for kind in KPS_TYPES:
                    kps |= names[kind]
        if policies or kps:
            out[gid] = {"policies": sorted(policies), "kps_collections": sorted(kps)}
    return out


def snapshot(install_dir):
    """{topology, admin_users, groups, unread} of one installation."""
    unread = []
    out = {"install_dir": install_dir, "topology": None, "admin_users": None, "groups": {}, "unread": unread}
    try:
        out["topology"] = topology_content(install_dir)
    except (IOError, OSError, ValueError, AttributeError) as e:
        unread.append("groups/topology.json: %s" % e)
    try:
        out["admin_users"] = admin_user_names(install_dir)
    except (IOError, OSError, ValueError) as e:
        unread.append("conf/adminUsers.json: %s" % e)
    out["groups"] = group_content(install_dir, unread)
    return out


# API Manager's REST API (the API Manager web console's own API): organisations, applications and
# the published APIs ("proxies"), each a JSON list of objects with at least "id" and "name".
API_MANAGER_LISTS = (("organizations", "/api/portal/v1.3/organizations"),
                     ("applications", "/api/portal/v1.3/applications"),
                     ("apis", "/api/portal/v1.3/proxies"))


def api_manager_content(get_json):
    """{organizations, applications, apis: {count, names}} through GET_JSON(path) -> parsed JSON."""
    out = {}
    for key, path in API_MANAGER_LISTS:
        items = get_json(path)
        if not isinstance(items, list):
            raise ValueError("%s did not answer a list" % path)
        names = sorted(str(i.get("name")) for i in items if isinstance(i, dict) and i.get("name") is not None)
        out[key] = {"count": len(items), "names": names}
    return out
