# -*- coding: utf-8 -*-
"""Harness for the module tests: module arguments, exit/fail capture and a fake sysupgrade.

Follows Ansible's documented unit-test pattern (set the module arguments, make exit_json/fail_json
raise, mock run_command). ansible-core 2.19 replaced the old ``set_module_args`` trick with
``ansible.module_utils.testing.patch_module_args``; the older way is used when it is missing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import os
import stat

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_watchdog

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.15 - 2.18
    patch_module_args = None

STATUS_TEXT = {
    "not started": "Current status: not started\nNext step: sysupgrade export\n",
    "export": "Current status: export complete\nNext step: sysupgrade upgrade\n",
    "upgrade": "Current status: export and upgrade complete\nNext step: sysupgrade apply\n",
    "apply": "Current status: system upgrade complete\n",
}
STEP_ORDER = ["not started", "export", "upgrade", "apply"]
WATCHDOG_PREFIX = step_watchdog.PREFIX_LENGTH  # python, -c, source, timeout, grace, stdin mode, identity


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


class Call:
    """One run_command call, unwrapped from the watchdog."""

    def __init__(self, args, kwargs):
        self.wrapper = list(args[:WATCHDOG_PREFIX])
        self.argv = list(args[WATCHDOG_PREFIX:])
        self.timeout = args[3]
        self.stdin_mode = args[5]
        self.data = kwargs.get("data")
        self.kwargs = kwargs

    @property
    def subcommand(self):
        return self.argv[1]


class FakeSysupgrade:
    """Stands in for NEW/upgrade/bin/sysupgrade behind run_command.

    ``state`` is the last successful step ("not started" .. "apply"). ``outcome[step]`` says what a
    step does: rc, log text, log folder, stdout, stderr, whether status advances, timed out.
    """

    def __init__(self, new_install_dir):
        self.new = new_install_dir
        self.state = "not started"
        self.calls = []
        self.outcome = {}
        self.status_output = None

    def set_outcome(self, step, **kwargs):
        self.outcome[step] = kwargs

    def __call__(self, args, **kwargs):
        call = Call(args, kwargs)
        self.calls.append(call)
        assert kwargs.get("binary_data") is False or call.data is None
        if call.subcommand == "status":
            text = self.status_output if self.status_output is not None else STATUS_TEXT[self.state]
            return 0, "System Upgrade Status\n---------------------\n" + text, ""
        return self._step(call.subcommand)

    def _step(self, step):
        outcome = dict(rc=0, log="[Checks] : OK\n", log_dir="upgrade/bin/out/logs", stdout="", stderr="",
                       advance=True, timed_out=False)
        outcome.update(self.outcome.get(step, {}))
        if outcome["log"] is not None:
            path = os.path.join(self.new, outcome["log_dir"], step + ".log")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(outcome["log"])
        if step == "clean":
            if outcome["advance"]:
                self.state = "not started"
        elif outcome["advance"]:
            self.state = step
        stderr = outcome["stderr"]
        rc = outcome["rc"]
        if outcome["timed_out"]:
            rc = step_watchdog.TIMEOUT_EXIT_CODE
            stderr += "\n%s after 5 s; process group stopped\n" % step_watchdog.TIMEOUT_MARKER
        return rc, outcome["stdout"], stderr

    @property
    def step_calls(self):
        return [c for c in self.calls if c.subcommand != "status"]


def _executable(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write("#!/bin/sh\nexit 99\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def installs(tmp_path):
    """A NEW folder with upgrade/bin/sysupgrade and an OLD folder with posix/bin/nodemanager."""
    new = str(tmp_path / "Axway-7.7" / "apigateway")
    old = str(tmp_path / "Axway-7.5.3" / "apigateway")
    _executable(os.path.join(new, "upgrade", "bin", "sysupgrade"))
    _executable(os.path.join(old, "posix", "bin", "nodemanager"))
    return {"new": new, "old": old, "sysupgrade": os.path.join(new, "upgrade", "bin", "sysupgrade")}


@pytest.fixture
def fake(installs, mocker):
    product = FakeSysupgrade(installs["new"])
    mocker.patch.object(basic.AnsibleModule, "run_command", side_effect=product, autospec=False)
    return product


@pytest.fixture
def run_module(mocker):
    """run_module(module, args, check_mode=False) -> (kind "exit"/"fail", result dict, warnings)."""
    warnings = []

    def exit_json(self, **kwargs):
        raise AnsibleExitJson(kwargs)

    def fail_json(self, **kwargs):
        raise AnsibleFailJson(kwargs)

    mocker.patch.object(basic.AnsibleModule, "exit_json", exit_json)
    mocker.patch.object(basic.AnsibleModule, "fail_json", fail_json)
    mocker.patch.object(basic.AnsibleModule, "warn", lambda self, text, **kw: warnings.append(text))

    def run(module, args, check_mode=False):
        del warnings[:]
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        with module_args(args):
            try:
                module.main()
            except AnsibleExitJson as exc:
                return "exit", exc.args[0], list(warnings)
            except AnsibleFailJson as exc:
                return "fail", exc.args[0], list(warnings)
        raise AssertionError("module returned without exit_json/fail_json")

    return run
