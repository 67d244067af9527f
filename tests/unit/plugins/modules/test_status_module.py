# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.apigw.sysupgrade.plugins.modules import status

DOCUMENTED = os.path.join(os.path.dirname(__file__), "..", "module_utils", "documented_logs")


@pytest.mark.parametrize("state, current, next_step, completed", [
    ("not started", "not started", "export", []),
    ("export", "export complete", "upgrade", ["export"]),
    ("upgrade", "export and upgrade complete", "apply", ["export", "upgrade"]),
    ("apply", "system upgrade complete", None, ["export", "upgrade", "apply"]),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_documented_states(state, current, next_step, completed, check_mode, installs, fake, run_module):
    fake.state = state
    kind, result, _w = run_module(status, {"new_install_dir": installs["new"]}, check_mode=check_mode)
    assert kind == "exit"
    assert result["changed"] is False
    assert (result["current_status"], result["next_step"], result["completed"]) == (current, next_step, completed)
    assert "Current status: " + current in result["raw"]
    assert result["cmd"] == [installs["sysupgrade"], "status"]
    assert result["rc"] == 0 and result["stdout"] == result["raw"] and result["stderr"] == ""
    call = fake.calls[0]
    assert call.argv == [installs["sysupgrade"], "status"] and call.data is None
    assert len(fake.calls) == 1


def test_garbage_fails_with_the_raw_output(installs, fake, run_module):
    fake.status_output = "java.lang.NoClassDefFoundError: x\n"
    kind, result, _w = run_module(status, {"new_install_dir": installs["new"]})
    assert kind == "fail" and "not understood" in result["msg"] and "NoClassDefFoundError" in result["raw"]


def test_bad_folder(fake, run_module):
    kind, result, _w = run_module(status, {"new_install_dir": "/nowhere"})
    assert kind == "fail" and result["msg"].startswith("new_install_dir: /nowhere") and fake.calls == []


def _write(path, text, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    os.utime(path, (mtime, mtime))


def test_include_logs_reads_the_newest_log_of_each_step(installs, fake, run_module):
    """Logs may sit in several documented places (contract §1); the newest of each step wins."""
    new = installs["new"]
    fake.state = "upgrade"
    with open(os.path.join(DOCUMENTED, "kps_duplicates.log")) as handle:
        kps = handle.read()
    _write(os.path.join(new, "upgrade/bin/out/logs/export.log"), "[System Config] : OK\n", 1000)
    # An old upgrade log with errors, then a newer clean one elsewhere: the newer one counts.
    _write(os.path.join(new, "upgrade/bin/out/log/upgrade.log"), kps, 1000)
    _write(os.path.join(new, "upgrade/bin/out/logs/upgrade.log"),
           "[WARNING] messages from [RBAC] :\nWARN: RBAC permissions file has been modified on old system.\n", 2000)
    kind, result, _w = run_module(status, {"new_install_dir": new, "include_logs": True}, check_mode=True)
    assert kind == "exit" and result["changed"] is False
    logs = result["logs"]
    assert logs["apply"] is None
    assert logs["export"]["counts"]["error"] == 0
    assert logs["upgrade"]["path"].endswith("out/logs/upgrade.log")
    assert logs["upgrade"]["counts"] == {"error": 0, "warning": 1, "info": 0}
    assert logs["upgrade"]["warnings"] == ["[RBAC] RBAC permissions file has been modified on old system."]
    assert len(fake.calls) == 1  # nothing but status ran

    # The same log with the KPS errors newest: they are reported, as one finding.
    _write(os.path.join(new, "upgrade/bin/out/log/upgrade.log"), kps, 3000)
    kind, result, _w = run_module(status, {"new_install_dir": new, "include_logs": True})
    upgrade = result["logs"]["upgrade"]
    assert upgrade["path"].endswith("out/log/upgrade.log") and upgrade["counts"]["error"] == 1
    assert upgrade["errors"][0].startswith("[API Manager] Found duplicate 'apiadmin' users")
    assert "There is a KPS configuration problem on the old system" in upgrade["errors"][0]


def test_without_include_logs_no_log_is_read(installs, fake, run_module):
    kind, result, _w = run_module(status, {"new_install_dir": installs["new"]})
    assert kind == "exit" and "logs" not in result
