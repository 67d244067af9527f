# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide, from ``sysupgrade status`` alone, whether a step must run (product contract §4 rules 1 and 3,
§6 "Every step is idempotent through status").

- A step that already succeeded is skipped (changed false) unless ``force`` is set.
- A step whose predecessor has not succeeded fails before anything runs, naming that predecessor;
  ``force`` does not bypass the order (the tool would refuse anyway, rule 1).
- ``clean`` is skipped when there is nothing to clean: status ``not started`` and none of the things
  clean moves or removes exists (see clean_leftovers).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_paths, status_parser

RUN, SKIP, FAIL = "run", "skip", "fail"

PREDECESSOR = {"export": None, "upgrade": "export", "apply": "upgrade"}

# Files clean itself may leave in a fresh out/ (its own log); they are not something to clean.
_CLEAN_OWN_LOG_DIRS = ("logs", "log")


def decide(step, status, force=False, leftovers=None):
    """Return (RUN|SKIP|FAIL, reason)."""
    if step == "clean":
        return _decide_clean(status, leftovers or [])
    shown = status_parser.describe(status)
    if not status.get("known"):
        return FAIL, "cannot tell whether %s already ran: the output of 'sysupgrade status' was not understood" % step
    completed = status["completed"]
    predecessor = PREDECESSOR[step]
    if predecessor and predecessor not in completed:
        return FAIL, (
            "%s needs %s to have succeeded on this node first (status: %s); run apigw.sysupgrade.%s first"
            % (step, predecessor, shown, predecessor)
        )
    if step in completed and not force:
        return SKIP, "%s already succeeded on this node (status: %s); nothing run. Set force=true to rerun it" % (step, shown)
    if step in completed:
        return RUN, "%s already succeeded (status: %s); rerunning because force=true" % (step, shown)
    return RUN, "%s has not succeeded yet (status: %s)" % (step, shown)


def _decide_clean(status, leftovers):
    shown = status_parser.describe(status)
    if status.get("known") and not status["completed"] and not leftovers:
        return SKIP, "nothing to clean (status: %s, no sysupgrade output, no new groups folder)" % shown
    if leftovers:
        return RUN, "clean needed (status: %s; found %s)" % (shown, ", ".join(leftovers))
    return RUN, "clean needed (status: %s)" % shown


def clean_leftovers(new_install_dir):
    """What ``clean`` would move or remove (upgrade_script.md "clean command", contract rule 9).

    - anything in ``NEW/upgrade/bin/out`` other than clean's own log (clean moves out/ away, and a
      clean.log it writes afterwards must not make the next clean look necessary);
    - a non-empty ``NEW/groups`` folder (clean removes it; it is only created by apply).
    """
    found = []
    out = install_paths.out_dir(new_install_dir)
    if os.path.isdir(out):
        for entry in sorted(os.listdir(out)):
            path = os.path.join(out, entry)
            if entry in _CLEAN_OWN_LOG_DIRS and os.path.isdir(path):
                if any(not name.startswith("clean") for name in os.listdir(path)):
                    found.append(path)
            else:
                found.append(path)
    elif os.path.lexists(out):
        found.append(out)
    groups = install_paths.groups_dir(new_install_dir)
    if os.path.isdir(groups) and os.listdir(groups):
        found.append(groups)
    return found
