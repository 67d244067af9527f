# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change a file on a node without ever losing what was there.

The post-upgrade modules (service_scripts, migrate_files, jvm_heap) edit files the operator owns:
``/etc/init.d/vshell-*`` scripts, systemd units, ``system/conf/jvm.xml``, SSO files. Two rules hold
for every one of them:

* the file as it was before this collection first touched it is kept beside it, as
  ``<file>.apigw-sysupgrade.orig``, written once and never overwritten by a later run: a rerun after a
  partial or wrong run must not replace the true original with an already edited copy;
* the new content replaces the file in one ``rename`` from a temporary file in the same folder, so a
  reader (init, systemd, the gateway) sees the old file or the new one, never half of one, and a run
  killed part way leaves the file as it was. The temporary file gets the file's mode and owner
  first; the original copy too, because it holds the same secrets (an ``sso.jks`` stays 0600).

``move`` lets a module pass ``AnsibleModule.atomic_move``, which also keeps the file's SELinux
context (an init script needs ``initrc_exec_t``, a unit ``systemd_unit_file_t``); the default is a
plain ``os.rename``. Python 3.6+, standard library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil
import stat
import tempfile

ORIG_SUFFIX = ".apigw-sysupgrade.orig"
TMP_PREFIX = ".apigw-sysupgrade-"


def original_path(path):
    return path + ORIG_SUFFIX


def is_ours(name):
    """True for a file name this module wrote beside another (an original copy or a leftover
    temporary file), which a module that lists a folder must never treat as one of the user's files."""
    base = os.path.basename(name)
    return base.endswith(ORIG_SUFFIX) or base.startswith(TMP_PREFIX)


def _set_owner(path, uid, gid):
    """Give ``path`` that owner when this process may (root, or the owner already); a user that may
    not chown keeps its own ownership, as ``cp`` would."""
    try:
        os.lchown(path, uid, gid)
    except OSError as e:
        if e.errno != errno.EPERM:
            raise


def _temp_beside(path):
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=os.path.dirname(path) or ".")
    return fd, tmp


def keep_original(path):
    """Copy ``path`` to ``<path>.apigw-sysupgrade.orig`` unless that copy exists already; return the
    copy's path. The copy has the file's content, mode, owner and times, and is itself written
    through a temporary file, so an interrupted run never leaves a partial "original" that a later
    run would then keep forever."""
    orig = original_path(path)
    if os.path.lexists(orig):
        return orig
    st = os.stat(path)
    fd, tmp = _temp_beside(orig)
    os.close(fd)
    try:
        shutil.copy2(path, tmp)
        _set_owner(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.rename(tmp, orig)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return orig


def write_file(path, data, mode=None, uid=None, gid=None, move=None):
    """Put the bytes ``data`` in ``path`` through a temporary file in the same folder.

    Mode, owner and group default to those of the existing ``path``; a new file needs ``mode``.
    ``move(tmp, path)`` does the final rename (``os.rename`` by default)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno != errno.ENOENT:
            raise
        st = None
    if mode is None:
        if st is None:
            raise ValueError("write_file: %s does not exist and no mode was given" % path)
        mode = stat.S_IMODE(st.st_mode)
    if uid is None and st is not None:
        uid, gid = st.st_uid, st.st_gid
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if uid is not None:
            _set_owner(tmp, uid, gid)
        os.chmod(tmp, mode)
        (move or os.rename)(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def replace_keeping_original(path, data, move=None):
    """Keep the original of the existing ``path`` once, then write ``data`` in its place with its
    mode and owner. Returns the original copy's path."""
    orig = keep_original(path)
    write_file(path, data, move=move)
    return orig
