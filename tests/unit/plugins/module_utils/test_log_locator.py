# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils.log_locator import candidate_logs, find_step_log


def _write(path, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write("x\n")
    os.utime(path, (mtime, mtime))


def test_candidates_cover_every_documented_location(tmp_path):
    new = str(tmp_path)
    assert candidate_logs(new, "export") == [
        os.path.join(new, "upgrade/bin/out/logs/export.log"),
        os.path.join(new, "upgrade/bin/out/log/export.log"),
        os.path.join(new, "export/bin/out/logs/export.log"),
        os.path.join(new, "apply/bin/out/logs/export.log"),
    ]


def test_newest_wins(tmp_path):
    new = str(tmp_path)
    now = time.time()
    _write(os.path.join(new, "upgrade/bin/out/logs/upgrade.log"), now - 50)
    _write(os.path.join(new, "upgrade/bin/out/log/upgrade.log"), now - 10)
    _write(os.path.join(new, "apply/bin/out/logs/upgrade.log"), now - 30)
    assert find_step_log(new, "upgrade")[0] == os.path.join(new, "upgrade/bin/out/log/upgrade.log")


def test_logs_older_than_the_run_are_ignored(tmp_path):
    new = str(tmp_path)
    now = time.time()
    _write(os.path.join(new, "upgrade/bin/out/logs/apply.log"), now - 600)
    path, looked_in = find_step_log(new, "apply", written_since=now - 5)
    assert path is None and len(looked_in) == 4
    _write(os.path.join(new, "export/bin/out/logs/apply.log"), now - 1)
    assert find_step_log(new, "apply", written_since=now)[0] == os.path.join(new, "export/bin/out/logs/apply.log")


def test_nothing_found(tmp_path):
    assert find_step_log(str(tmp_path), "export")[0] is None
