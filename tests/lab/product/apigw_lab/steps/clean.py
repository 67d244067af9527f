"""sysupgrade clean (upgrade_script.md "clean command"; contract §4 rule 9).

1. moves upgrade/bin/out to a backup folder (ASSUMED: upgrade_backup/out-<date>_<time>);
2. removes NEW/groups (on the first ANM this removes the new topology and domain CA, rule 7);
3. moves conf and system/conf to upgrade_backup/old-nm_conf-<date>_<time> and
   old-nm_systemconf-<date>_<time>, copies ext/lib to old-nm_extlib-<date>_<time>;
4. restores them from upgrade_backup/original_nm_*, keeping the current conf/licenses.
A second clean within the same second appends -2, -3, ... to <date>_<time> (ASSUMED; the doc
names the folders to the second only), so backups never collide.
"""
import os
import shutil

from .. import state


def _restore(install, rel, original, backup_name, stamp, keep_licences=False):
    src = install.p(*rel.split("/"))
    backup = os.path.join(install.backup, "%s-%s" % (backup_name, stamp))
    orig = os.path.join(install.backup, original)
    if not os.path.isdir(orig):
        return "%s: no original copy in %s, left unchanged" % (rel, orig)
    licences = None
    if os.path.isdir(src):
        if keep_licences and os.path.isdir(os.path.join(src, "licenses")):
            licences = os.path.join(install.backup, ".licenses-%s" % stamp)
            shutil.copytree(os.path.join(src, "licenses"), licences)
        if rel == "ext/lib":
            shutil.copytree(src, backup, symlinks=True)  # "is backed up to"
            shutil.rmtree(src)
        else:
            shutil.move(src, backup)
    shutil.copytree(orig, src, symlinks=True)
    if licences:
        shutil.rmtree(os.path.join(src, "licenses"), ignore_errors=True)
        shutil.move(licences, os.path.join(src, "licenses"))
    return "%s: moved to %s, restored from %s" % (rel, backup, orig)


# Every name clean gives its backups, for one stamp (see unique_stamp).
BACKUP_PATTERNS = ("out-%s", "old-nm_conf-%s", "old-nm_systemconf-%s", "old-nm_extlib-%s",
                   ".licenses-%s")


def unique_stamp(install):
    """<date>_<time>, or <date>_<time>-2, -3, ... when a clean of the same second already used
    it: the backups of one clean share one stamp, and never land in an earlier clean's folders."""
    base = stamp = state.stamp()
    n = 1
    while any(os.path.lexists(os.path.join(install.backup, pattern % stamp))
              for pattern in BACKUP_PATTERNS):
        n += 1
        stamp = "%s-%d" % (base, n)
    return stamp


def run(install, log):
    stamp = unique_stamp(install)
    info = []
    if os.path.isdir(install.out):
        dest = os.path.join(install.backup, "out-%s" % stamp)
        shutil.move(install.out, dest)
        info.append("Moved %s to %s" % (install.out, dest))
    if os.path.isdir(install.groups):
        shutil.rmtree(install.groups)
        info.append("Removed %s" % install.groups)
    info.append(_restore(install, "conf", "original_nm_conf", "old-nm_conf", stamp, True))
    info.append(_restore(install, "system/conf", "original_nm_systemconf", "old-nm_systemconf",
                         stamp))
    info.append(_restore(install, "ext/lib", "original_nm_extlib", "old-nm_extlib", stamp))
    return info
