# -*- coding: utf-8 -*-
"""The runner with the REAL module.run_command and a shell-script sysupgrade (no mocks)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils.secret_masker import SecretMasker
from ansible_collections.apigw.sysupgrade.plugins.module_utils.sysupgrade_runner import SysupgradeRunner
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.modules.conftest import module_args

SCRIPT = r"""#!/bin/sh
# records what a real sysupgrade would see
echo "cwd=$(pwd)"
echo "lang=$LANG lc_all=$LC_ALL"
echo "args=$*"
case "$1" in
  status) printf 'System Upgrade Status\n---------------------\nCurrent status: export complete\nNext step: sysupgrade upgrade\n' ;;
  read3) for n in 1 2 3; do if read line; then echo "line$n=$line"; else echo "line$n=EOF"; fi; done ;;
  sleep) sleep 30 ;;
  fail) echo "bad" >&2; exit 3 ;;
esac
"""


@pytest.fixture
def runner(tmp_path):
    new = tmp_path / "apigateway"
    script = new / "upgrade" / "bin" / "sysupgrade"
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with module_args({}):
        module = AnsibleModule(argument_spec={})
    return SysupgradeRunner(module, str(new), timeout=2, masker=SecretMasker(["s3cret"]))


def test_environment_cwd_and_arguments(runner):
    result = runner.run("upgrade", ["--tracelevel", "DEBUG", "--cass_host", "$HOME"])
    lines = result["stdout"].splitlines()
    assert lines[0] == "cwd=" + os.path.join(runner.new_install_dir, "upgrade", "bin")
    assert lines[1] == "lang=C lc_all=C"
    assert lines[2] == "args=upgrade --tracelevel DEBUG --cass_host $HOME"     # no variable expansion
    assert result["rc"] == 0 and not result["timed_out"]


def test_answers_then_end_of_file(runner):
    result = runner.run("read3", answers=[("password", "s3cret"), ("domain_passphrase", "two words")])
    assert "line1=********" in result["stdout"]         # masked on the way back
    assert "line2=two words" in result["stdout"]
    assert "line3=EOF" in result["stdout"]              # run_command closed stdin after the answers
    assert result["answered_on_stdin"] == ["password", "domain_passphrase"]


def test_no_answers_means_immediate_end_of_file(runner):
    result = runner.run("read3")
    assert "line1=EOF" in result["stdout"]


def test_timeout_kills_and_says_so(runner):
    started = time.time()
    result = runner.run("sleep", timeout=1)
    assert result["timed_out"] is True and result["rc"] == 124
    assert time.time() - started < 20


def test_failure_passes_rc_and_stderr(runner):
    result = runner.run("fail")
    assert result["rc"] == 3 and result["stderr"] == "bad\n"


def test_status(runner):
    status, result = runner.status()
    assert status["completed"] == ["export"] and result["cmd"] == [runner.executable, "status"]


def test_display_masks_secret_option_values(runner):
    shown = runner.display("upgrade", ["--cass_password", "anything", "--cass_host", "h"])
    assert shown.endswith("sysupgrade upgrade --cass_password ******** --cass_host h")


def test_cmd_is_the_argument_list_with_secrets_masked(runner):
    result = runner.run("upgrade", ["--cass_password", "s3cret", "--cass_host", "h"])
    assert result["cmd"] == [runner.executable, "upgrade", "--cass_password", "********", "--cass_host", "h"]
    assert "args=upgrade --cass_password ******** --cass_host h" in result["stdout"]
