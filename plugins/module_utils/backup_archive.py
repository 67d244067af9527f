# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Back up an old API Gateway installation before export, and restore it (vendor Task 1).

upgrade_steps_extcass.md, "Task 1 - Back up the old API Gateway installation": back up the
``apigateway`` directory on each node; no process needs to stop. upgrade_errors.md, "ActiveMQ
directory not under API Gateway installation directory": the new installation uses (and may make
unusable for the old one) an ActiveMQ data directory outside the installation, and the tool's own
copy of it may be removed by ``clean`` or ``export --force``; such folders are the ``extra_paths``.

One backup in ``backup_dir`` is three files:

* ``apigw-backup-<UTC time>.tar.gz`` - every file, folder and link under the paths, stored under
  their absolute path (without the leading ``/``), so that a restore puts them back where they were;
* ``apigw-backup-<UTC time>.tar.gz.sha256`` - its SHA-256, in ``sha256sum`` format;
* ``apigw-backup.json`` - the manifest: the archive's name and checksum, the paths, the installation
  fingerprint, the time, and every regular file's path, size, mode and SHA-256.

Each is written under a temporary name first; the manifest is renamed into place last and is the
only thing that makes a backup current, so a run killed part way leaves at most an orphan temporary
file, never a backup that looks complete. Older archives are removed once a new manifest is in place.
Python 3.6+, standard library only (runs on the node).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import stat
import tarfile
import tempfile
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import config_fingerprint

MANIFEST = "apigw-backup.json"
PREFIX = "apigw-backup-"
SUFFIX = ".tar.gz"
FORMAT = 1
# The archive is compressed, but a tree of jars and keys hardly shrinks: ask for its full size,
# plus a margin for the tar headers, the manifest and the file system.
SPACE_MARGIN = 16 * 1024 * 1024


class BackupError(Exception):
    """A backup or a restore cannot go on; the message names the path and what to do."""


def _walk(path):
    """Every entry under ``path`` (itself included), in a stable order: [(abs path, lstat)]."""
    out = [(path, os.lstat(path))]
    if stat.S_ISDIR(out[0][1].st_mode):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in dirs + sorted(files):
                full = os.path.join(root, name)
                out.append((full, os.lstat(full)))
    return out


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def check_paths(old_install_dir, backup_dir, extra_paths):
    """An error text naming the option and the path, or None."""
    if not os.path.isdir(old_install_dir):
        return "old_install_dir: %s is not a directory (expected the OLD apigateway folder)" % old_install_dir
    for path in extra_paths:
        if not os.path.isabs(path):
            return "extra_paths: %s is not an absolute path" % path
        if not os.path.lexists(path):
            return "extra_paths: %s does not exist on this node" % path
        if _inside(path, old_install_dir):
            return "extra_paths: %s is inside old_install_dir %s, which the backup already holds" % (
                path, old_install_dir)
    if not os.path.isabs(backup_dir):
        return "backup_dir: %s is not an absolute path" % backup_dir
    for path in [old_install_dir] + list(extra_paths):
        if _inside(backup_dir, path):
            return "backup_dir: %s is inside %s, which it backs up; choose a folder outside it" % (backup_dir, path)
    return None


def installation_fingerprint(old_install_dir, extra_paths):
    """The old installation's configuration fingerprint, bound to the set of paths backed up."""
    config = config_fingerprint.fingerprint(old_install_dir)["fingerprint"]
    digest = hashlib.sha256(("%s\n%s\n" % (config, "\n".join(sorted(extra_paths)))).encode("utf-8"))
    return digest.hexdigest()


def read_manifest(backup_dir):
    """The current manifest, or None when there is no complete backup."""
    path = os.path.join(backup_dir, MANIFEST)
    try:
        with open(path) as f:
            data = json.load(f)
    except (IOError, OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def archive_is_intact(backup_dir, manifest):
    archive = os.path.join(backup_dir, manifest["archive"])
    return os.path.isfile(archive) and config_fingerprint.file_sha256(archive) == manifest["checksum"]


def needed_bytes(entries):
    return sum(st.st_size for _path, st in entries if stat.S_ISREG(st.st_mode)) + SPACE_MARGIN


def check_space(backup_dir, needed):
    free = shutil.disk_usage(backup_dir).free
    if free < needed:
        raise BackupError("Not enough free space in %s for the backup: it needs %d MiB (%d bytes), %d MiB are "
                          "free. Free some space or set another backup_dir." % (
                              backup_dir, -(-needed // 1048576), needed, free // 1048576))


def _tmp(backup_dir, suffix):
    fd, path = tempfile.mkstemp(prefix=".apigw-backup-", suffix=suffix + ".partial", dir=backup_dir)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def create(old_install_dir, backup_dir, extra_paths, now=None):
    """Write a new backup; return its manifest. Raises BackupError."""
    started = time.time()
    roots = [old_install_dir.rstrip("/") or "/"] + [p.rstrip("/") or "/" for p in extra_paths]
    entries = []
    for root in roots:
        entries.extend(_walk(root))
    if not os.path.isdir(backup_dir):
        os.makedirs(backup_dir, 0o700)
    check_space(backup_dir, needed_bytes(entries))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else started))
    name = "%s%s%s" % (PREFIX, stamp, SUFFIX)
    files = {}
    tmp_archive = _tmp(backup_dir, SUFFIX)
    tmp_sum = tmp_manifest = None
    try:
        with tarfile.open(tmp_archive, "w:gz") as tar:
            for path, st in entries:
                arcname = path.lstrip("/")
                if stat.S_ISREG(st.st_mode):
                    # Digest and archive from one open file, so the manifest describes what was stored.
                    with open(path, "rb") as f:
                        info = tar.gettarinfo(arcname=arcname, fileobj=f)
                        reader = _HashingReader(f)
                        tar.addfile(info, reader)
                    files[path] = {"size": info.size, "mode": "%04o" % stat.S_IMODE(info.mode),
                                   "sha256": reader.digest.hexdigest()}
                elif stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode):
                    tar.add(path, arcname, recursive=False)
        checksum = config_fingerprint.file_sha256(tmp_archive)
        tmp_sum = _tmp(backup_dir, ".sha256")
        with open(tmp_sum, "w") as f:
            f.write("%s  %s\n" % (checksum, name))
        manifest = {
            "format": FORMAT,
            "archive": name,
            "checksum": checksum,
            "size_bytes": os.path.getsize(tmp_archive),
            "old_install_dir": old_install_dir,
            "extra_paths": list(extra_paths),
            "fingerprint": installation_fingerprint(old_install_dir, extra_paths),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "files": files,
        }
        tmp_manifest = _tmp(backup_dir, ".json")
        with open(tmp_manifest, "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp_archive, os.path.join(backup_dir, name))
        os.rename(tmp_sum, os.path.join(backup_dir, name + ".sha256"))
        os.rename(tmp_manifest, os.path.join(backup_dir, MANIFEST))  # the backup is current from here
    finally:
        for path in (tmp_archive, tmp_sum, tmp_manifest):
            if path and os.path.exists(path):
                os.remove(path)
    _remove_older(backup_dir, name)
    return manifest


def _remove_older(backup_dir, keep):
    for entry in os.listdir(backup_dir):
        if entry.startswith(PREFIX) and entry not in (keep, keep + ".sha256") and \
                (entry.endswith(SUFFIX) or entry.endswith(SUFFIX + ".sha256")):
            os.remove(os.path.join(backup_dir, entry))


class _HashingReader(object):
    """Hands tarfile.addfile the bytes of an open file and digests exactly those bytes."""

    def __init__(self, f):
        self._f, self.digest = f, hashlib.sha256()

    def read(self, size=-1):
        chunk = self._f.read(size)
        self.digest.update(chunk)
        return chunk


def _selected(path, wanted):
    return not wanted or any(path == w or path.startswith(w.rstrip("/") + "/") for w in wanted)


def _matches(path, record):
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and "%04o" % stat.S_IMODE(st.st_mode) == record["mode"] and \
        st.st_size == record["size"] and config_fingerprint.file_sha256(path) == record["sha256"]


def restore_plan(manifest, paths):
    """(files to restore, files already as backed up) for the absolute ``paths`` (all when empty)."""
    wanted = [p.rstrip("/") or "/" for p in paths]
    unknown = [p for p in wanted if not any(_selected(f, [p]) for f in manifest["files"])
               and not any(_selected(p, [r]) for r in [manifest["old_install_dir"]] + manifest["extra_paths"])]
    if unknown:
        raise BackupError("paths: %s is not in the backup %s (it holds %s)" % (
            ", ".join(unknown), manifest["archive"], ", ".join([manifest["old_install_dir"]] + manifest["extra_paths"])))
    todo, same = [], []
    for path in sorted(manifest["files"]):
        if _selected(path, wanted):
            (same if _matches(path, manifest["files"][path]) else todo).append(path)
    return todo, same


def restore(backup_dir, manifest, todo):
    """Extract the files ``todo`` (and the folders and links they need) to their original places,
    each through a temporary name, then check each against the manifest. Returns the paths written."""
    archive = os.path.join(backup_dir, manifest["archive"])
    if not archive_is_intact(backup_dir, manifest):
        raise BackupError("The backup archive %s is missing or does not match its checksum %s; it cannot be "
                          "restored." % (archive, manifest["checksum"]))
    wanted = set(todo)
    written = []
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar:
            dest = "/" + info.name
            if info.isdir():
                if any(w.startswith(dest.rstrip("/") + "/") for w in wanted) and not os.path.isdir(dest):
                    os.makedirs(dest, info.mode)
                continue
            if dest not in wanted or not info.isfile():
                continue
            folder = os.path.dirname(dest)
            if not os.path.isdir(folder):
                os.makedirs(folder)
            fd, tmp = tempfile.mkstemp(prefix=".apigw-restore-", dir=folder)
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(tar.extractfile(info), out)
                os.chmod(tmp, int(manifest["files"][dest]["mode"], 8))
                os.utime(tmp, (info.mtime, info.mtime))
                os.rename(tmp, dest)
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
            written.append(dest)
    bad = [p for p in todo if not _matches(p, manifest["files"][p])]
    if bad:
        raise BackupError("After the restore from %s, these files still differ from the backup: %s" % (
            archive, ", ".join(bad[:20])))
    return written
