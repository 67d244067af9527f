# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fingerprint of what an old API Gateway installation's configuration is made of.

The vendor forbids changing the old installation once sysupgrade has begun (upgrade_steps_extcass.md,
Task 3): no topology change, no deployment, no change to the admin user store or to API Manager's
configuration; a change made after ``export`` only reaches the new installation if export runs again
on the nodes concerned (upgrade_faq.md, "What happens if you change the old API Gateway installation
after running export?"). The fingerprint covers the files those things live in, relative to the old
``apigateway`` folder:

* ``groups/topology.json`` - the topology;
* ``groups/certs/`` - the domain's certificates and keys;
* ``groups/<group>/`` - each group's deployed configuration (``groups/<group>/conf/`` on a real
  installation) and its instances' configuration (``groups/<group>/<instance>/conf/``), including a
  file-based KPS, where API Manager keeps its data when it does not use Cassandra;
* ``conf/`` - the Node Manager's configuration, the admin user store (``conf/adminUsers.json``),
  RBAC (``conf/acl.json``) and licences.

Logs, traces, events and the traffic monitoring database change while the gateway merely runs, so
they are never part of it (folders named in ``VOLATILE_DIRS``, files ending in ``VOLATILE_SUFFIXES``).
API Manager data kept in Cassandra is not a file of the installation and cannot be fingerprinted here.

Each file gets its own SHA-256 digest, so that a change can be named; the whole fingerprint is the
SHA-256 of the sorted ``path digest`` lines, so the same files always give the same value whatever
order the file system lists them in. Python 3.6+, standard library only (runs on the node).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.apigw.sysupgrade.plugins.module_utils import json_store

# Folders of the apigateway folder the fingerprint reads (relative paths; a file is also allowed).
COVERED = ("conf", "groups")
# Where the fingerprint taken at export is kept, inside the new installation (relative path).
STORE = os.path.join("upgrade", "apigw-sysupgrade", "export-fingerprint.json")
# Folder names whose content changes at run time and is never configuration.
VOLATILE_DIRS = frozenset(("logs", "trace", "events", "opsdb.d", "tmp", "temp", "cache"))
VOLATILE_SUFFIXES = (".log", ".pid", ".lck", ".lock", ".tmp", ".swp", ".out")
CHUNK = 1024 * 1024


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def is_volatile(relpath):
    """True for a log, trace, event or other run-time file (a relative path with / separators)."""
    parts = relpath.split("/")
    if any(part in VOLATILE_DIRS for part in parts[:-1]):
        return True
    return parts[-1].endswith(VOLATILE_SUFFIXES)


def config_files(install_dir, tops=COVERED):
    """Sorted relative paths (``/`` separators) of every configuration file of ``install_dir``
    under the folders ``tops`` (by default all the configuration: ``conf`` and ``groups``)."""
    found = []
    for top in tops:
        base = os.path.join(install_dir, top)
        if os.path.isfile(base):
            found.append(top)
            continue
        for root, dirs, files in os.walk(base):
            rel_root = os.path.relpath(root, install_dir).replace(os.sep, "/")
            dirs[:] = sorted(d for d in dirs if d not in VOLATILE_DIRS)
            for name in files:
                rel = "%s/%s" % (rel_root, name)
                full = os.path.join(root, name)
                if is_volatile(rel) or os.path.islink(full) or not os.path.isfile(full):
                    continue
                found.append(rel)
    return sorted(found)


def combine(files):
    """The whole fingerprint of {relative path: sha256}: independent of the dict's order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(("%s %s\n" % (path, files[path])).encode("utf-8"))
    return digest.hexdigest()


def fingerprint(install_dir, tops=COVERED):
    """{"fingerprint": hex, "files": {relative path: sha256}} of ``install_dir``'s configuration
    (or of the folders ``tops`` of it alone)."""
    files = dict((rel, file_sha256(os.path.join(install_dir, rel))) for rel in config_files(install_dir, tops))
    return {"fingerprint": combine(files), "files": files}


def differences(old_files, new_files):
    """Sorted [{"path", "change": added|removed|modified}] between two {path: sha256} maps."""
    out = []
    for path in sorted(set(old_files) | set(new_files)):
        if path not in new_files:
            out.append({"path": path, "change": "removed"})
        elif path not in old_files:
            out.append({"path": path, "change": "added"})
        elif old_files[path] != new_files[path]:
            out.append({"path": path, "change": "modified"})
    return out


def group_fingerprints(files):
    """{group id: fingerprint of its deployed configuration} from {relative path: sha256}.

    A group's deployed configuration is what ``groups/<group>/`` holds outside its instances'
    folders (``groups/<group>/instance-*/``, each instance's own settings and KPS data): the part
    every API Gateway of the group must share. The vendor's export refuses a group whose instances
    do not ("Group 'TestGroup' (group-2) is inconsistent", upgrade_errors.md).
    """
    per_group = {}
    for path, digest in files.items():
        parts = path.split("/")
        if len(parts) < 3 or parts[0] != "groups" or parts[1] == "certs":
            continue
        if len(parts) > 3 and parts[2].startswith("instance-"):
            continue
        per_group.setdefault(parts[1], {})["/".join(parts[2:])] = digest
    return dict((group, combine(group_files)) for group, group_files in per_group.items())


def group_of(relpath):
    """The group id a changed file belongs to (``groups/<group>/...``), or None for a file of the
    whole node or domain (topology, certificates, conf)."""
    parts = relpath.split("/")
    if len(parts) >= 3 and parts[0] == "groups" and parts[1] != "certs":
        return parts[1]
    return None


def read_stored(path):
    """The fingerprint stored at export (STORE), or None when missing or not in the shape
    ``fingerprint`` gives it."""
    data = json_store.read_json(path)
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None
