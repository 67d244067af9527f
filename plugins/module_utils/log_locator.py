# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find the log a sysupgrade step wrote.

The vendor pages disagree on where the logs are (product contract §1):

- upgrade_script.md: ``NEW/upgrade/bin/out/logs/<step>.log``
- contract §1 also names ``NEW/upgrade/bin/out/log/``
- upgrade_errors.md: ``NEW/export/bin/out/logs/export.log`` and ``NEW/apply/bin/out/logs/apply.log``

So every candidate is looked at and the newest (mtime) wins. A log older than the start of this
run was not written by it (a step that died before logging, or a leftover) and is ignored, so
stale errors are never reported as fresh ones.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

# Relative to NEW (the new apigateway folder); {step} is export/upgrade/apply/clean.
CANDIDATE_LOG_PATHS = (
    "upgrade/bin/out/logs/{step}.log",
    "upgrade/bin/out/log/{step}.log",
    "export/bin/out/logs/{step}.log",
    "apply/bin/out/logs/{step}.log",
)

# File systems with coarse timestamps (1 s, or 2 s on some) must not hide a fresh log.
MTIME_SLACK_SECONDS = 2.0


def candidate_logs(new_install_dir, step):
    return [os.path.join(new_install_dir, rel.format(step=step)) for rel in CANDIDATE_LOG_PATHS]


def find_step_log(new_install_dir, step, written_since=None):
    """Return (path or None, candidates looked at).

    ``written_since`` (a time.time() value) excludes logs not modified since then.
    """
    candidates = candidate_logs(new_install_dir, step)
    best_path, best_mtime = None, None
    for path in candidates:
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            continue
        if not os.path.isfile(path):
            continue
        if written_since is not None and mtime < written_since - MTIME_SLACK_SECONDS:
            continue
        if best_mtime is None or mtime > best_mtime:
            best_path, best_mtime = path, mtime
    return best_path, candidates
