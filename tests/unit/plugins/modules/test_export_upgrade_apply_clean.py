# -*- coding: utf-8 -*-
"""export / upgrade / apply / clean through their main(), with a fake sysupgrade behind run_command."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd

import pytest

from ansible_collections.apigw.sysupgrade.plugins.modules import apply, clean, export, upgrade
from ansible_collections.apigw.sysupgrade.plugins.module_utils.secret_masker import MASK
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.documented_logs import (
    EXPORT_SYSTEM_CONFIG, KPS_DUPLICATES, RBAC_MODIFIED, sectioned)

MODULES = {"export": export, "upgrade": upgrade, "apply": apply, "clean": clean}
PREVIOUS_STATE = {"export": "not started", "upgrade": "export", "apply": "upgrade"}

PW, DP, CPW = "Pa55-w0rd!", "dom-Phrase#9", "cass-S3cret"


def base_args(step, installs):
    args = {"new_install_dir": installs["new"]}
    if step == "export":
        args.update(old_install_dir=installs["old"], username="admin", password=PW)
    if step == "apply":
        args.update(username="admin", password=PW, domain_passphrase=DP)
    return args


# ---------------------------------------------------------------- exact command lines and stdin
# (id, step, extra args, arguments after the sub-command ({old} = OLD folder), stdin data)
COMMAND_CASES = [
    ("export-minimal", "export", {}, ["--old_install_dir", "{old}", "--username", "admin"], PW),
    ("export-anm-host-force", "export", {"anm_host": "NodeA", "force": True},
     ["--old_install_dir", "{old}", "--anm_host", "NodeA", "--force", "--username", "admin"], PW),
    ("upgrade-minimal", "upgrade", {}, [], None),
    ("upgrade-tracelevel", "upgrade", {"tracelevel": "VERBOSE"}, ["--tracelevel", "VERBOSE"], None),
    ("upgrade-cassandra", "upgrade",
     {"cass_host": "192.0.2.0", "cass_port": 9142, "cass_username": "cassandra", "cass_password": CPW},
     ["--cass_host", "192.0.2.0", "--cass_port", "9142", "--cass_username", "cassandra", "--cass_password", CPW], None),
    ("upgrade-no-cassandra-force", "upgrade", {"no_cassandra": True, "force": True}, ["--force", "--no_cassandra"], None),
    ("apply-minimal", "apply", {}, ["--username", "admin"], PW + "\n" + DP),
    ("apply-all", "apply",
     {"anm_host": "NodeA", "sign_alg": "sha384", "subj_alt_name": ["DNS.0=node1.example.com", "IP.0=10.4.6.7"],
      "skip_db_upgrade": True, "tracelevel": "DEBUG"},
     ["--anm_host", "NodeA", "--sign_alg", "sha384", "--subj_alt_name", "DNS.0=node1.example.com",
      "--subj_alt_name", "IP.0=10.4.6.7", "--username", "admin", "--skip_db_upgrade", "--tracelevel", "DEBUG"],
     PW + "\n" + DP),
    ("clean-minimal", "clean", {}, [], None),
    ("clean-tracelevel", "clean", {"tracelevel": "INFO"}, ["--tracelevel", "INFO"], None),
]


@pytest.mark.parametrize("step, extra, arguments, data", [c[1:] for c in COMMAND_CASES], ids=[c[0] for c in COMMAND_CASES])
def test_exact_command_line_and_stdin(step, extra, arguments, data, installs, fake, run_module):
    fake.state = PREVIOUS_STATE.get(step, "upgrade")
    if step == "clean":
        os.makedirs(os.path.join(installs["new"], "upgrade", "bin", "out", "export"))
    args = base_args(step, installs)
    args.update(extra)
    kind, result, _warnings = run_module(MODULES[step], dict(args, timeout=900))
    assert kind == "exit", result
    assert [c.subcommand for c in fake.calls] == ["status", step, "status"]
    call = fake.step_calls[0]
    expected = [installs["sysupgrade"], step] + [a.replace("{old}", installs["old"]) for a in arguments]
    assert call.argv == expected
    assert call.data == data
    assert call.stdin_mode == ("pipe" if data else "null")
    assert call.timeout == "900"
    assert call.kwargs["cwd"] == os.path.join(installs["new"], "upgrade", "bin")
    # the C locale, and the owner's login names (the test's folders are the running user's own)
    owner = pwd.getpwuid(os.geteuid())
    assert call.kwargs["environ_update"] == {
        "LANG": "C", "LC_ALL": "C", "HOME": owner.pw_dir, "USER": owner.pw_name, "LOGNAME": owner.pw_name}
    assert call.kwargs["binary_data"] is False
    assert call.kwargs["expand_user_and_vars"] is False
    assert result["changed"] is True
    assert result["cmd"] == [a if a != CPW else MASK for a in expected]    # an argument list, secrets masked
    assert result["answered_on_stdin"] == [n for n, v in (("password", PW), ("domain_passphrase", DP)) if data and v in data]


def test_status_calls_have_no_stdin_and_a_short_limit(installs, fake, run_module):
    run_module(upgrade, dict(base_args("upgrade", installs), timeout=7200))
    status_calls = [c for c in fake.calls if c.subcommand == "status"]
    assert status_calls and all(c.data is None and c.stdin_mode == "null" and c.timeout == "300" for c in status_calls)


# ---------------------------------------------------------------- idempotence through status
@pytest.mark.parametrize("step", ["export", "upgrade", "apply"])
def test_already_succeeded_runs_nothing(step, installs, fake, run_module):
    fake.state = step
    kind, result, _w = run_module(MODULES[step], base_args(step, installs))
    assert kind == "exit"
    assert result["changed"] is False
    assert "already succeeded" in result["msg"] and "force=true" in result["msg"]
    assert [c.subcommand for c in fake.calls] == ["status"]
    assert result["status_after"] == result["status_before"]


@pytest.mark.parametrize("step", ["export", "upgrade", "apply"])
def test_force_reruns_with_force(step, installs, fake, run_module):
    fake.state = "apply"
    kind, result, _w = run_module(MODULES[step], dict(base_args(step, installs), force=True))
    assert kind == "exit", result
    assert result["changed"] is True
    assert "--force" in fake.step_calls[0].argv


def test_force_is_never_added_silently(installs, fake, run_module):
    fake.state = "export"
    run_module(upgrade, base_args("upgrade", installs))
    assert "--force" not in fake.step_calls[0].argv


@pytest.mark.parametrize("step, state, needed", [
    ("upgrade", "not started", "export"), ("apply", "not started", "upgrade"), ("apply", "export", "upgrade")])
@pytest.mark.parametrize("force", [False, True])
def test_missing_predecessor_fails_before_running(step, state, needed, force, installs, fake, run_module):
    fake.state = state
    kind, result, _w = run_module(MODULES[step], dict(base_args(step, installs), force=force))
    assert kind == "fail"
    assert "needs %s" % needed in result["msg"] and "apigw.sysupgrade.%s" % needed in result["msg"]
    assert fake.step_calls == []


def test_unreadable_status_fails_before_running(installs, fake, run_module):
    fake.status_output = "Segmentation fault\n"
    kind, result, _w = run_module(export, base_args("export", installs))
    assert kind == "fail" and "cannot read the sysupgrade status" in result["msg"]
    assert fake.step_calls == []


# ---------------------------------------------------------------- check mode
@pytest.mark.parametrize("step", ["export", "upgrade", "apply"])
def test_check_mode_reports_the_command_and_runs_only_status(step, installs, fake, run_module):
    fake.state = PREVIOUS_STATE[step]
    args = base_args(step, installs)
    if step == "upgrade":
        args["cass_password"] = CPW
    kind, result, _w = run_module(MODULES[step], args, check_mode=True)
    assert kind == "exit"
    assert result["changed"] is True
    assert [c.subcommand for c in fake.calls] == ["status"]
    assert "would run %s %s" % (installs["sysupgrade"], step) in result["msg"]
    assert result["cmd"][:2] == [installs["sysupgrade"], step]
    assert PW not in json.dumps(result) and CPW not in json.dumps(result)
    if step == "upgrade":
        assert "--cass_password %s" % MASK in result["msg"]
        index = result["cmd"].index("--cass_password")
        assert result["cmd"][index + 1] == MASK


def test_check_mode_when_already_done_is_not_changed(installs, fake, run_module):
    fake.state = "apply"
    kind, result, _w = run_module(apply, base_args("apply", installs), check_mode=True)
    assert kind == "exit" and result["changed"] is False and fake.step_calls == []


def test_check_mode_with_missing_predecessor_fails(installs, fake, run_module):
    kind, result, _w = run_module(apply, base_args("apply", installs), check_mode=True)
    assert kind == "fail" and "needs upgrade" in result["msg"] and fake.step_calls == []


# ---------------------------------------------------------------- results after a run
def test_success_with_warnings(installs, fake, run_module):
    fake.set_outcome("export", log=EXPORT_SYSTEM_CONFIG)
    kind, result, warnings = run_module(export, base_args("export", installs))
    assert kind == "exit", result
    assert result["status_before"]["current_status"] == "not started"
    assert result["status_after"]["current_status"] == "export complete"
    assert result["counts"] == {"error": 0, "warning": 1, "info": 1}
    assert result["log_path"] == os.path.join(installs["new"], "upgrade/bin/out/logs/export.log")
    assert result["log_tail"][-1].startswith("WARN:     These jvm.xml files")
    assert [i["severity"] for i in result["issues"]] == ["info", "warning"]
    assert result["errors"] == []
    assert len(warnings) == 1 and warnings[0].startswith("sysupgrade export [System Config]: Migrating the following")
    assert "succeeded" in result["msg"] and "1 warning" in result["msg"]
    for key in ("rc", "duration", "cmd", "stdout", "stderr", "timed_out"):
        assert key in result


def test_log_found_in_another_documented_place(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", log=sectioned("WARNING", "RBAC", RBAC_MODIFIED), log_dir="upgrade/bin/out/log")
    kind, result, warnings = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "exit"
    assert result["log_path"] == os.path.join(installs["new"], "upgrade/bin/out/log/upgrade.log")
    assert warnings == ["sysupgrade upgrade [RBAC]: RBAC permissions file has been modified on old system.\n"
                        "Differences between original file (/opt/Axway-7.7/apigateway/upgrade/scripts/rbac/factory/acl6.json) "
                        "and active file (/opt/Axway-7.7/apigateway/upgrade/bin/out/export/rbac/conf/acl.json) must be "
                        "manually merged into apigateway/conf/acl.json on new system."]


def test_max_issues_limits_returned_findings(installs, fake, run_module):
    fake.state = "export"
    log = "".join(sectioned("WARNING", "C%d" % n, "WARN: w%d\n" % n) for n in range(8))
    fake.set_outcome("upgrade", log=log)
    kind, result, warnings = run_module(upgrade, dict(base_args("upgrade", installs), max_issues=3))
    assert kind == "exit"
    assert result["counts"]["warning"] == 8 and len(result["issues"]) == 3 and result["issues_truncated"]
    assert len(warnings) == 3


# ---------------------------------------------------------------- failures
def test_rc_zero_with_errors_in_the_log_fails(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", rc=0, advance=False, log=KPS_DUPLICATES, stdout="upgrade output\n", stderr="some stderr\n")
    kind, result, _w = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "fail"
    msg = result["msg"]
    assert msg.startswith("sysupgrade upgrade failed: [API Manager] Found duplicate 'apiadmin' users")
    assert "There is a KPS configuration problem on the old system." in msg     # the 3rd line of the block
    assert " / Found duplicate 'Community'" in msg                               # lines kept apart
    assert "1 error(s) in its log" in msg and "status did not advance (still 'export complete')" in msg
    assert "Log: " + os.path.join(installs["new"], "upgrade/bin/out/logs/upgrade.log") in msg
    assert "non-zero return code" not in msg
    assert result["stdout"] == "upgrade output\n" and result["stderr"] == "some stderr\n"
    assert result["changed"] is True and result["rc"] == 0
    assert result["errors"][0].startswith("[API Manager] Found duplicate")
    assert result["failure_reasons"]


def test_errors_fail_even_when_status_advanced(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", rc=0, advance=True, log="[ERROR] messages from [License] :\nERROR: bad licence\n")
    kind, result, _w = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "fail" and "[License] bad licence" in result["msg"]


def test_non_zero_exit_without_a_log(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", rc=1, advance=False, log=None, stderr="Traceback: boom\n")
    kind, result, _w = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "fail"
    assert "sysupgrade upgrade failed: Traceback: boom" in result["msg"]
    assert "exit code 1" in result["msg"] and "Log: none written by this run" in result["msg"]
    assert result["log_path"] is None and len(result["log_searched"]) == 4


def test_stale_log_is_not_reported(installs, fake, run_module):
    stale = os.path.join(installs["new"], "upgrade/bin/out/logs/upgrade.log")
    os.makedirs(os.path.dirname(stale))
    with open(stale, "w") as handle:
        handle.write("ERROR: old failure\n")
    os.utime(stale, (1000000, 1000000))
    fake.state = "export"
    fake.set_outcome("upgrade", rc=1, advance=False, log=None)
    kind, result, _w = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "fail" and "old failure" not in result["msg"] and result["log_path"] is None


def test_status_not_advancing_alone_fails(installs, fake, run_module):
    fake.set_outcome("export", rc=0, advance=False)
    kind, result, _w = run_module(export, base_args("export", installs))
    assert kind == "fail" and "status did not advance (still 'not started')" in result["msg"]


def test_timeout_is_reported(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", timed_out=True, advance=False, log="2026-11-25 03:10:00 INFO working\n")
    kind, result, _w = run_module(upgrade, dict(base_args("upgrade", installs), timeout=5))
    assert kind == "fail"
    assert "time limit of 5 s" in result["msg"] and result["timed_out"] is True and result["rc"] == 124
    assert "exit code" not in result["msg"]
    assert "watchdog" not in result["msg"]
    # The timeout is the headline; what it was doing when stopped (its last log line) follows.
    assert result["msg"].startswith("sysupgrade upgrade timed out: still running after 5 s, so it was stopped")
    assert "Last log line: 2026-11-25 03:10:00 INFO working. Why: still running after the time limit of 5 s;" in result["msg"]


def test_a_prompt_is_reported(installs, fake, run_module):
    fake.state = "upgrade"
    fake.set_outcome("apply", rc=1, advance=False, log=None, stdout="Continue anyway? [y/N] ")
    kind, result, _w = run_module(apply, base_args("apply", installs))
    assert kind == "fail" and "asked a question on standard input" in result["msg"] and "[y/N]" in result["msg"]


def test_the_lab_wording_alone_is_not_taken_for_a_prompt(installs, fake, run_module):
    """The lab's own error text for a missing credential is no evidence of a question: the step
    fails on its exit code and status, and the text is shown as the tool's message."""
    fake.set_outcome("export", rc=1, advance=False, log=None, stderr="ERROR: No value supplied for password (use --password)\n")
    kind, result, _w = run_module(export, base_args("export", installs))
    assert kind == "fail" and "No value supplied for password" in result["msg"]
    assert "asked a question" not in result["msg"]
    assert result["failure_reasons"] == ["exit code 1", "status did not advance (still 'not started')"]


def test_a_credential_asked_again_names_its_option(installs, fake, run_module):
    fake.state = "upgrade"
    fake.set_outcome("apply", rc=1, advance=False, log=None,
                     stdout="User password: Key passphrase: Key passphrase: ")
    kind, result, _w = run_module(apply, base_args("apply", installs))
    assert kind == "fail"
    assert result["failure_reasons"][0] == (
        "it asked a question on standard input that the module does not answer, and read end of file: 'Key passphrase:' "
        "(asked again after the value given, which it probably refused; check the option domain_passphrase)")
    assert result["answered_on_stdin"] == ["password", "domain_passphrase"]


def test_a_question_that_did_not_stop_the_step_is_a_warning(installs, fake, run_module):
    fake.set_outcome("export", stdout="Export done. Show the report now (y/n)? ")
    kind, result, warnings = run_module(export, base_args("export", installs))
    assert kind == "exit" and result["changed"] is True
    assert warnings == ["sysupgrade export asked a question on standard input that the module does not answer "
                        "('Show the report now (y/n)?'); it read end of file, went on and succeeded"]


# ---------------------------------------------------------------- validation before running
def test_new_install_dir_missing(installs, fake, run_module):
    kind, result, _w = run_module(upgrade, {"new_install_dir": "/nowhere/apigateway"})
    assert kind == "fail" and result["msg"].startswith("new_install_dir: /nowhere/apigateway")
    assert fake.calls == []


def test_new_install_dir_without_sysupgrade(installs, fake, run_module, tmp_path):
    kind, result, _w = run_module(upgrade, {"new_install_dir": str(tmp_path)})
    assert kind == "fail" and "new_install_dir" in result["msg"] and "upgrade/bin/sysupgrade not found" in result["msg"]
    assert fake.calls == []


def test_sysupgrade_not_executable(installs, fake, run_module):
    os.chmod(installs["sysupgrade"], 0o644)
    kind, result, _w = run_module(upgrade, {"new_install_dir": installs["new"]})
    assert kind == "fail" and "is not executable" in result["msg"] and installs["sysupgrade"] in result["msg"]


@pytest.mark.parametrize("old, words", [
    ("/nowhere", ["old_install_dir: /nowhere is not a directory"]),
    ("{tmp}", ["old_install_dir:", "posix/bin/nodemanager not found"]),
    ("{new}", ["old_install_dir:", "same folder as new_install_dir"]),
])
def test_old_install_dir_checked(old, words, installs, fake, run_module, tmp_path):
    old = old.replace("{tmp}", str(tmp_path)).replace("{new}", installs["new"])
    if old == installs["new"]:
        os.makedirs(os.path.join(old, "posix", "bin"))
        open(os.path.join(old, "posix", "bin", "nodemanager"), "w").close()
    kind, result, _w = run_module(export, dict(base_args("export", installs), old_install_dir=old))
    assert kind == "fail"
    for word in words:
        assert word in result["msg"]
    assert fake.calls == []


@pytest.mark.parametrize("module, extra, word", [
    (upgrade, {"tracelevel": "TRACE"}, "tracelevel"),
    (apply, {"sign_alg": "md5"}, "sign_alg"),
    (clean, {"tracelevel": "debug"}, "tracelevel"),
])
def test_choices_are_validated(module, extra, word, installs, fake, run_module):
    step = module.STEP
    kind, result, _w = run_module(module, dict(base_args(step, installs), **extra))
    assert kind == "fail" and word in result["msg"] and fake.calls == []


@pytest.mark.parametrize("extra, word", [
    ({"no_cassandra": True, "cass_host": "h"}, "no_cassandra: cannot be combined with cass_host"),
    ({"cass_port": 70000}, "cass_port: 70000"),
    ({"timeout": 0}, "timeout: must be a positive"),
    ({"max_issues": -1}, "max_issues"),
])
def test_option_rules(extra, word, installs, fake, run_module):
    kind, result, _w = run_module(upgrade, dict(base_args("upgrade", installs), **extra))
    assert kind == "fail" and word in result["msg"] and fake.calls == []


@pytest.mark.parametrize("step, missing", [("export", "password"), ("apply", "domain_passphrase"), ("apply", "username")])
def test_credentials_are_required(step, missing, installs, fake, run_module):
    args = base_args(step, installs)
    del args[missing]
    kind, result, _w = run_module(MODULES[step], args)
    assert kind == "fail" and missing in result["msg"] and fake.calls == []


# ---------------------------------------------------------------- secrets
def test_secrets_appear_in_no_field_and_no_warning(installs, fake, run_module):
    """The fake tool echoes every secret in stdout, stderr and log: none may come back."""
    fake.state = "upgrade"
    echo = "user admin password %s passphrase %s\n" % (PW, DP)
    fake.set_outcome("apply", rc=1, advance=False, stdout=echo, stderr=echo,
                     log="[WARNING] messages from [Creds] :\nWARN: %s\n[ERROR] messages from [Creds] :\nERROR: %s\n" % (echo, echo))
    kind, result, warnings = run_module(apply, base_args("apply", installs))
    assert kind == "fail"
    dumped = json.dumps(result) + json.dumps(warnings)
    assert PW not in dumped and DP not in dumped
    assert MASK in result["stdout"] and MASK in result["msg"] and MASK in warnings[0]
    assert fake.step_calls[0].data == PW + "\n" + DP          # ...while the tool did get them
    assert PW not in fake.step_calls[0].argv and DP not in fake.step_calls[0].argv


def test_cass_password_is_masked_in_every_field(installs, fake, run_module):
    fake.state = "export"
    fake.set_outcome("upgrade", stdout="connecting with %s\n" % CPW)
    kind, result, _w = run_module(upgrade, dict(base_args("upgrade", installs), cass_password=CPW))
    assert kind == "exit"
    assert CPW not in json.dumps(result)
    assert result["cmd"][result["cmd"].index("--cass_password") + 1] == MASK
    assert CPW in fake.step_calls[0].argv     # vendor limitation: no other way to hand it over


def test_secrets_are_no_log_values(installs, fake, run_module, mocker):
    seen = {}
    from ansible.module_utils import basic

    def capture(self, **kwargs):
        seen["no_log_values"] = set(self.no_log_values)
        raise SystemExit(0)

    mocker.patch.object(basic.AnsibleModule, "exit_json", capture)
    fake.state = "upgrade"
    with pytest.raises(SystemExit):
        from ansible_collections.apigw.sysupgrade.tests.unit.plugins.modules.conftest import module_args
        with module_args(base_args("apply", installs)):
            apply.main()
    assert {PW, DP} <= seen["no_log_values"]


# ---------------------------------------------------------------- clean
def test_clean_with_nothing_to_clean(installs, fake, run_module):
    kind, result, _w = run_module(clean, {"new_install_dir": installs["new"]})
    assert kind == "exit" and result["changed"] is False and "nothing to clean" in result["msg"]
    assert fake.step_calls == [] and result["clean_leftovers"] == []


def test_clean_after_export(installs, fake, run_module):
    fake.state = "export"
    out_export = os.path.join(installs["new"], "upgrade", "bin", "out", "export")
    os.makedirs(out_export)
    kind, result, _w = run_module(clean, {"new_install_dir": installs["new"]})
    assert kind == "exit", result
    assert result["changed"] is True and result["clean_leftovers"] == [out_export]
    assert result["status_after"]["current_status"] == "not started"


def test_clean_needed_by_leftovers_alone(installs, fake, run_module):
    os.makedirs(os.path.join(installs["new"], "groups", "group-2"))
    kind, result, _w = run_module(clean, {"new_install_dir": installs["new"]}, check_mode=True)
    assert kind == "exit" and result["changed"] is True and fake.step_calls == []
    assert result["clean_leftovers"] == [os.path.join(installs["new"], "groups")]


def test_clean_that_does_not_reset_status_fails(installs, fake, run_module):
    fake.state = "upgrade"
    fake.set_outcome("clean", advance=False)
    kind, result, _w = run_module(clean, {"new_install_dir": installs["new"]})
    assert kind == "fail" and "instead of 'not started'" in result["msg"]


def test_a_prompt_answered_by_end_of_file_is_reported(installs, fake, run_module):
    """The lab's `prompt` fault: a yes/no choice (recognised by its shape), then the tool's own error
    on the same line, since the end-of-file answer was not echoed."""
    fake.state = "export"
    fake.set_outcome("upgrade", rc=1, advance=False,
                     log="[Confirmation] : FAILED\n[ERROR] messages from [Confirmation] :\nERROR: Operation cancelled by user.\n",
                     stdout="Some checks need your confirmation. Do you want to continue? [y/N]: "
                            "ERROR: [Confirmation] Operation cancelled by user.\nsysupgrade upgrade failed.\n")
    kind, result, _w = run_module(upgrade, base_args("upgrade", installs))
    assert kind == "fail"
    assert "asked a question on standard input" in result["msg"] and "[Confirmation] Operation cancelled" in result["msg"]


@pytest.mark.parametrize("step, option", [("export", "password"), ("apply", "domain_passphrase"), ("apply", "username")])
def test_line_breaks_in_answers_are_refused(step, option, installs, fake, run_module):
    kind, result, _w = run_module(MODULES[step], dict(base_args(step, installs), **{option: "a\nb"}))
    assert kind == "fail" and result["msg"].startswith(option + ": must not contain a line break")
    assert fake.calls == [] and "a\nb" not in json.dumps(result)


def test_clean_runs_even_when_status_is_not_understood(installs, fake, run_module):
    fake.status_output = "garbled\n"
    fake.set_outcome("clean", advance=True)
    kind, result, _w = run_module(clean, {"new_install_dir": installs["new"]})
    assert [c.subcommand for c in fake.calls] == ["status", "clean", "status"]
    # status stays garbled in the fake, so the module cannot confirm the reset
    assert kind == "fail" and "status after the run was not understood" in result["msg"]


def test_a_killed_step_names_the_signal_and_the_last_log_line(installs, fake, run_module):
    fake.set_outcome("export", rc=137, advance=False, log="[Checks] : OK\n2026-11-25 03:10:00 INFO Processing ...\n")
    kind, result, _w = run_module(export, base_args("export", installs))
    assert kind == "fail"
    assert result["msg"].startswith("sysupgrade export failed: 2026-11-25 03:10:00 INFO Processing ...")
    assert "exit code 137 (killed by SIGKILL)" in result["msg"]
