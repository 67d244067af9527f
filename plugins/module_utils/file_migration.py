# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy what sysupgrade does not migrate from the old installation to the new one.

upgrade_steps_extcass.md, "After you upgrade":

* "Migrate the QuickStart tutorial": copy ``apigateway/webapps/quickstart`` from the old
  installation to the same place in the new one;
* "Migrate single sign-on configuration files": copy ``service-provider.xml``,
  ``service-provider-apiportal.xml``, ``sso.jks`` and ``trustStore.jks`` from each
  ``apigateway/groups/group-x/instance-x/conf`` of the old installation to the same folder of the
  new one, for each instance configured with SSO.

Paths are relative to both ``apigateway`` folders and may be shell-style globs
(``groups/*/*/conf/sso.jks``), expanded in the old installation. The rules, in order, for each
match:

* a folder is copied whole (recursively) only when it is absent from the new installation; one
  that is there already is left alone: merging two trees file by file could mix versions;
* with ``require_new_parent``, a file or folder is copied only where its parent folder exists in the
  new installation: an instance's ``conf`` folder exists there only when ``apply`` created that
  instance, and creating it here would make a folder the gateway does not know;
* a file that exists in the new installation is never overwritten with ``only_if_missing``;
  without it, it is overwritten when its content differs, its original kept beside it
  (``safe_write``).

Every file keeps its mode (``sso.jks`` 0600 stays 0600), its times, and its owner when running as
root. Each file lands through a temporary file and a rename, each folder through a temporary folder
renamed into place, so a run killed part way never leaves a half copy under the real name.
Python 3.6+, standard library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import glob
import os
import shutil
import stat
import tempfile

from ansible_collections.apigw.sysupgrade.plugins.module_utils import safe_write

ABSENT_IN_OLD = "absent in old"
EXISTS_IN_NEW = "exists in new"
NO_PARENT_IN_NEW = "no parent in new"
NOT_A_FILE = "not a file or folder"
GLOB_CHARS = "*?["
# Diff mode shows a file's text only when it is text and not too big for a task result.
DIFF_MAX_BYTES = 64 * 1024


class MigrationError(Exception):
    """Bad input or a copy that failed; the message names the option and the path."""


def check_relative(path):
    """An error text for a ``paths`` entry, or None."""
    if not path or os.path.isabs(path):
        return "paths: %r must be relative to old_install_dir and new_install_dir" % path
    if ".." in path.replace("\\", "/").split("/"):
        return "paths: %r must not contain '..'; it must stay inside the installations" % path
    return None


def expand(old_install_dir, pattern):
    """Sorted relative paths (``/`` separators) of what ``pattern`` names in the old installation.
    A pattern without glob characters names itself, whether it exists or not."""
    pattern = pattern.strip("/")
    if not any(c in pattern for c in GLOB_CHARS):
        return [pattern]
    base = glob.escape(old_install_dir.rstrip("/"))
    found = glob.glob(base + "/" + pattern)
    return sorted(os.path.relpath(p, old_install_dir).replace(os.sep, "/") for p in found)


def plan(old_install_dir, new_install_dir, patterns, only_if_missing=True, require_new_parent=True):
    """(to copy, skipped): to copy is [{path, kind: file|folder|link, overwrite}], skipped is
    [{path, reason}]; paths relative. Reads only."""
    todo, skipped, seen = [], [], set()
    for pattern in patterns:
        matches = expand(old_install_dir, pattern)
        if not matches:
            skipped.append(dict(path=pattern, reason=ABSENT_IN_OLD))
        for rel in matches:
            if rel in seen:
                continue
            seen.add(rel)
            src, dest = os.path.join(old_install_dir, rel), os.path.join(new_install_dir, rel)
            try:
                st = os.lstat(src)
            except OSError:
                skipped.append(dict(path=rel, reason=ABSENT_IN_OLD))
                continue
            kind = "link" if stat.S_ISLNK(st.st_mode) else "folder" if stat.S_ISDIR(st.st_mode) \
                else "file" if stat.S_ISREG(st.st_mode) else None
            if kind is None:
                skipped.append(dict(path=rel, reason=NOT_A_FILE))
                continue
            parent = os.path.dirname(dest)
            if require_new_parent and not os.path.isdir(parent):
                skipped.append(dict(path=rel, reason=NO_PARENT_IN_NEW))
                continue
            if os.path.lexists(dest):
                if only_if_missing or kind != "file" or not os.path.isfile(dest) or os.path.islink(dest) \
                        or same_content(src, dest):
                    skipped.append(dict(path=rel, reason=EXISTS_IN_NEW))
                    continue
                todo.append(dict(path=rel, kind=kind, overwrite=True))
                continue
            todo.append(dict(path=rel, kind=kind, overwrite=False))
    return todo, skipped


def same_content(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(1024 * 1024), fb.read(1024 * 1024)
            if ca != cb:
                return False
            if not ca:
                return True


def _is_root():
    return os.geteuid() == 0


def _copy_owner(src_stat, dest):
    if _is_root():
        os.lchown(dest, src_stat.st_uid, src_stat.st_gid)


def _make_parents(old_install_dir, new_install_dir, rel):
    """Create the missing parent folders of ``rel`` in the new installation, each with the mode
    (and, as root, the owner) of the same folder in the old one."""
    parts = rel.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        sub = "/".join(parts[:i])
        dest = os.path.join(new_install_dir, sub)
        if os.path.isdir(dest):
            continue
        st = os.stat(os.path.join(old_install_dir, sub))
        os.mkdir(dest)
        os.chmod(dest, stat.S_IMODE(st.st_mode))
        _copy_owner(st, dest)


def _copy_tree_owners(src, dest):
    """shutil.copytree keeps modes and times; as root, give every entry its old owner too."""
    if not _is_root():
        return
    _copy_owner(os.lstat(src), dest)
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, dest)
            _copy_owner(os.lstat(os.path.join(src, rel)), full)


def copy_one(old_install_dir, new_install_dir, item):
    """Copy one planned item; returns the original kept beside an overwritten file, or ''."""
    rel = item["path"]
    src, dest = os.path.join(old_install_dir, rel), os.path.join(new_install_dir, rel)
    _make_parents(old_install_dir, new_install_dir, rel)
    parent = os.path.dirname(dest)
    st = os.lstat(src)
    if item["kind"] == "link":
        # symlink() creates the link itself and fails rather than follow anything already there.
        tmp = os.path.join(parent, safe_write.TMP_PREFIX + binascii.hexlify(os.urandom(8)).decode("ascii"))
        os.symlink(os.readlink(src), tmp)
        _copy_owner(st, tmp)
        os.rename(tmp, dest)
        return ""
    if item["kind"] == "folder":
        holder = tempfile.mkdtemp(prefix=safe_write.TMP_PREFIX, dir=parent)
        try:
            staged = os.path.join(holder, os.path.basename(dest))
            shutil.copytree(src, staged, symlinks=True)
            _copy_tree_owners(src, staged)
            os.rename(staged, dest)
        finally:
            shutil.rmtree(holder, ignore_errors=True)
        return ""
    backup = safe_write.keep_original(dest) if item["overwrite"] else ""
    fd, tmp = tempfile.mkstemp(prefix=safe_write.TMP_PREFIX, dir=parent)
    os.close(fd)
    try:
        shutil.copy2(src, tmp)
        _copy_owner(st, tmp)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.rename(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return backup


def _text_or_none(path):
    """The file's text for a diff, or None when it is binary or too big to show."""
    try:
        if os.path.getsize(path) > DIFF_MAX_BYTES:
            return None
        with open(path, "rb") as f:
            data = f.read()
    except (IOError, OSError):
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _describe(path):
    st = os.lstat(path)
    return "(binary or large file, %d bytes, mode %04o: content not shown)\n" % (st.st_size, stat.S_IMODE(st.st_mode))


def diff_for(old_install_dir, new_install_dir, item):
    """A before/after dict for Ansible's diff output. Text files show their text; binary ones
    (keystores) and folders show names only."""
    rel = item["path"]
    src, dest = os.path.join(old_install_dir, rel), os.path.join(new_install_dir, rel)
    header = dict(before_header=dest, after_header="%s (from %s)" % (dest, src))
    if item["kind"] == "folder":
        names = []
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(files):
                names.append(os.path.relpath(os.path.join(root, name), old_install_dir).replace(os.sep, "/"))
        return dict(header, before="", after="".join(n + "\n" for n in names))
    if item["kind"] == "link":
        return dict(header, before="", after="symbolic link to %s\n" % os.readlink(src))
    after = _text_or_none(src)
    if not item["overwrite"]:
        before = ""
    else:
        before = _text_or_none(dest)
        if before is None or after is None:
            before = _describe(dest)
    if after is None:
        after = _describe(src)
    return dict(header, before=before, after=after)
