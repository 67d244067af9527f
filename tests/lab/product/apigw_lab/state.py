"""sysupgrade's per-node state, derived from NEW/upgrade/bin/out (DESIGN.md "sysupgrade"), so
`clean`, which moves out/ away, resets it (upgrade_script.md "clean").

A step has succeeded when out/<step>/.sysupgrade-success exists; the marker is written last, so
a failed or killed step never counts (contract §5 ASSUMED: "a failed step leaves the status of
the last successful one").
"""
import os
import shutil
import time

STEPS = ("export", "upgrade", "apply")
MARKER = ".sysupgrade-success"

# contract §5 / upgrade_script.md "status command", verbatim
CURRENT = {None: "not started", "export": "export complete",
           "upgrade": "export and upgrade complete", "apply": "system upgrade complete"}
NEXT = {None: "sysupgrade export", "export": "sysupgrade upgrade", "upgrade": "sysupgrade apply"}


def step_dir(install, step):
    return os.path.join(install.out, step)


def succeeded(install, step):
    return os.path.exists(os.path.join(step_dir(install, step), MARKER))


def last_done(install):
    """The last step of an unbroken chain of successes (rule 1: each needs the one before)."""
    done = None
    for step in STEPS:
        if not succeeded(install, step):
            break
        done = step
    return done


def status_text(install):
    done = last_done(install)
    lines = ["System Upgrade Status", "---------------------", "Current status: " + CURRENT[done]]
    if done in NEXT:
        lines.append("Next step: " + NEXT[done])
    return "\n".join(lines)


def mark(install, step):
    with open(os.path.join(step_dir(install, step), MARKER), "w") as f:
        f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))


def clear_from(install, step):
    """Rule 3: export --force clears export, upgrade, apply; upgrade --force clears upgrade and
    apply; apply --force clears apply. Returns True if apply output was cleared."""
    cleared_apply = False
    for s in STEPS[STEPS.index(step):]:
        d = step_dir(install, s)
        if os.path.isdir(d):
            shutil.rmtree(d)
            cleared_apply = cleared_apply or s == "apply"
    return cleared_apply


def stamp():
    # upgrade_script.md: old-nm_conf-<date>_<time>
    return time.strftime("%Y%m%d_%H%M%S")


ORIGINALS = (("conf", "original_nm_conf"), ("system/conf", "original_nm_systemconf"),
             ("ext/lib", "original_nm_extlib"))


def ensure_originals(install):
    """Keep factory copies of the Node Manager folders for `clean` to restore (contract §4 rule
    9). ASSUMED: taken by the first sysupgrade call that can change anything, before any change
    (upgrade_script.md only says they exist after the first clean)."""
    for rel, name in ORIGINALS:
        dest = os.path.join(install.backup, name)
        src = install.p(*rel.split("/"))
        if not os.path.exists(dest) and os.path.isdir(src):
            shutil.copytree(src, dest, symlinks=True)
