# -*- coding: utf-8 -*-
"""status, export, upgrade, apply and clean on a real lab node (tests/lab, single topology).

Each test starts from a reset node (fixture node1): nothing exported, OLD running, no faults.
Module arguments take the lab's values from its inventory variables, so no secret is ever on the
controller's command line; every ansible output is checked for the secrets at the end of each test.
"""
import time

import pytest

from lab_ansible import assert_no_secret, lab_secrets

NEW = "{{ apigw_new_install_dir }}"
OLD = "{{ apigw_old_install_dir }}"
CREDS = {"username": "{{ apigw_admin_username }}", "password": "{{ apigw_admin_password }}"}


def export_args(**extra):
    return dict(new_install_dir=NEW, old_install_dir=OLD, **dict(CREDS, **extra))


def apply_args(**extra):
    return dict(new_install_dir=NEW, domain_passphrase="{{ apigw_domain_passphrase }}", **dict(CREDS, **extra))


@pytest.fixture
def ans(single, ansible_on):
    runner = ansible_on(single)
    yield runner
    # Whatever happened, no secret value may appear in any ansible output of the test.
    assert_no_secret([run.output for run in runner.transcript], lab_secrets(single))


def run(ans, module, args, check=False, **kwargs):
    return ans.module("node1", "apigw.sysupgrade." + module, args, check=check, **kwargs)


def test_every_step_rerun_force_check_mode_and_clean(ans, node1):
    r = run(ans, "status", {"new_install_dir": NEW})
    assert r.ok and r.result["current_status"] == "not started" and r.result["completed"] == []

    # upgrade before export: refused before running anything
    mark = len(node1.audit())
    r = run(ans, "upgrade", {"new_install_dir": NEW})
    assert r.failed and "needs export" in r.result["msg"] and "apigw.sysupgrade.export" in r.result["msg"]
    assert node1.audit_calls(mark, "upgrade") == []

    # check mode: only status runs
    mark = len(node1.audit())
    r = run(ans, "export", export_args(), check=True)
    assert r.ok and r.result["changed"] is True and "would run" in r.result["msg"]
    assert [c["argv"][1] for c in node1.audit_calls(mark)] == ["status"]

    r = run(ans, "export", export_args())
    assert r.ok, r
    assert r.result["changed"] is True
    assert r.result["status_after"]["current_status"] == "export complete"
    assert r.result["log_path"] == "/opt/Axway-7.7/apigateway/upgrade/bin/out/logs/export.log"
    assert r.result["answered_on_stdin"] == ["password"]

    # rerun without force: nothing runs
    mark = len(node1.audit())
    r = run(ans, "export", export_args())
    assert r.ok and r.result["changed"] is False and "already succeeded" in r.result["msg"]
    assert node1.audit_calls(mark, "export") == []

    # with force: --force on the command line
    mark = len(node1.audit())
    r = run(ans, "export", export_args(force=True))
    assert r.ok and r.result["changed"] is True, r
    assert "--force" in node1.audit_calls(mark, "export")[0]["argv"]

    r = run(ans, "upgrade", {"new_install_dir": NEW, "tracelevel": "DEBUG"})
    assert r.ok and r.result["status_after"]["current_status"] == "export and upgrade complete", r
    r = run(ans, "upgrade", {"new_install_dir": NEW})
    assert r.ok and r.result["changed"] is False

    # apply with the old installation still running: the tool's own check fails the step
    r = run(ans, "apply", apply_args())
    print("apply with OLD running:", r.result["msg"])
    assert r.failed and r.result["msg"].startswith("sysupgrade apply failed"), r
    assert "non-zero return code" not in r.result["msg"]

    node1.stop_old()
    r = run(ans, "apply", apply_args(sign_alg="sha512", subj_alt_name=["DNS.0=node1.example.com"]))
    assert r.ok, r
    assert r.result["status_after"]["current_status"] == "system upgrade complete"
    assert r.result["answered_on_stdin"] == ["password", "domain_passphrase"]
    r = run(ans, "status", {"new_install_dir": NEW}, check=True)
    assert r.ok and r.result["completed"] == ["export", "upgrade", "apply"] and r.result["next_step"] is None

    node1.stop("new")
    r = run(ans, "clean", {"new_install_dir": NEW})
    assert r.ok and r.result["changed"] is True, r
    assert r.result["status_after"]["current_status"] == "not started"
    r = run(ans, "clean", {"new_install_dir": NEW})
    assert r.ok and r.result["changed"] is False and "nothing to clean" in r.result["msg"], r


def test_catalogue_warning_comes_back_as_warning_and_issue(ans, node1, single):
    single.fault("node1", "instance_jvm_xml")
    r = run(ans, "export", export_args())
    assert r.ok, r
    warnings = [i for i in r.result["issues"] if i["severity"] == "warning"]
    assert r.result["counts"]["warning"] == 1 and len(warnings) == 1
    assert warnings[0]["check"] == "System Config"
    lines = warnings[0]["message"].split("\n")
    assert lines[0] == "Migrating the following instance-specific jvm.xml files from the old system:"
    assert len(lines) >= 3
    # raised as an Ansible warning with its check name
    assert [w for w in r.warnings if w.startswith("sysupgrade export [System Config]: Migrating the following")], r.warnings


def test_catalogue_error_fails_with_check_and_message(ans, node1, single):
    assert run(ans, "export", export_args()).ok
    single.fault("node1", "kps_duplicates")
    r = run(ans, "upgrade", {"new_install_dir": NEW})
    assert r.failed
    msg = r.result["msg"]
    print("kps duplicates:", msg)
    assert msg.startswith("sysupgrade upgrade failed: [API Manager] Found duplicate 'apiadmin' users")
    assert "Log: /opt/Axway-7.7/apigateway/upgrade/bin/out/logs/upgrade.log" in msg
    errors = [i for i in r.result["issues"] if i["severity"] == "error"]
    assert len(errors) == 1 and len(errors[0]["message"].split("\n")) == 3
    assert r.result["stdout"]


def test_error_with_a_lying_exit_code_still_fails(ans, node1, single):
    assert run(ans, "export", export_args()).ok
    single.fault("node1", "license_feature")
    single.fault("node1", "exit_code_lies")
    r = run(ans, "upgrade", {"new_install_dir": NEW})
    assert r.failed and r.result["rc"] == 0
    assert "[License] A LicenseException" in r.result["msg"]


def test_log_in_another_documented_place(ans, node1, single):
    single.fault("node1", "log_location", dir="out/log")
    r = run(ans, "export", export_args())
    assert r.ok, r
    assert r.result["log_path"] == "/opt/Axway-7.7/apigateway/upgrade/bin/out/log/export.log"


def test_wrong_password(ans, node1):
    r = run(ans, "export", export_args(password="definitely-not-the-password"))
    print("wrong password:", r.result["msg"])
    assert r.failed
    assert r.result["msg"].startswith("sysupgrade export failed")
    assert "401" in r.result["msg"] or "password" in r.result["msg"]
    assert "definitely-not-the-password" not in r.output


def test_a_prompt_is_never_waited_for(ans, node1, single):
    single.fault("node1", "prompt", step="export")
    started = time.time()
    r = run(ans, "export", export_args(), timeout=300)
    print("prompt:", r.result["msg"])
    assert r.failed and "asked a question on standard input" in r.result["msg"], r
    assert time.time() - started < 120


def test_timeout_stops_the_step(ans, node1, single):
    single.fault("node1", "slow", step="export", seconds=300)
    started = time.time()
    r = run(ans, "export", export_args(timeout=5))
    print("timeout:", r.result["msg"])
    assert r.failed and r.result["timed_out"] is True, r
    assert "time limit of 5 s" in r.result["msg"]
    assert time.time() - started < 120
    assert node1.ssh("pgrep -f 'sysupgrade export'").returncode == 1     # nothing left running
    assert node1.status() == "not started"


def test_secrets_never_reach_argv_or_output(ans, node1, single):
    mark = len(node1.audit())
    assert run(ans, "export", export_args(), verbosity=3).ok
    assert run(ans, "upgrade", {"new_install_dir": NEW}).ok
    node1.stop_old()
    assert run(ans, "apply", apply_args(), verbosity=3).ok
    calls = node1.audit_calls(mark)
    export_call = [c for c in calls if c["argv"][1] == "export"][0]
    apply_call = [c for c in calls if c["argv"][1] == "apply"][0]
    assert export_call["secrets"]["password"] == "stdin"
    assert apply_call["secrets"]["password"] == "stdin"
    assert apply_call["secrets"]["domain_passphrase"] == "stdin"
    for call in calls:
        assert "--password" not in call["argv"] and "--domain_passphrase" not in call["argv"]
        for secret in lab_secrets(single):
            assert secret not in " ".join(call["argv"])
    # ans fixture teardown checks every ansible output (here at -vvv too) for the secret values


def test_cass_password_goes_on_argv_but_is_masked(ans, node1):
    assert run(ans, "export", export_args()).ok
    mark = len(node1.audit())
    r = run(ans, "upgrade", {"new_install_dir": NEW, "cass_host": "localhost", "cass_password": "cass-Secret-42"})
    assert r.ok, r
    assert r.result["cmd"][r.result["cmd"].index("--cass_password") + 1] == "********"
    assert "cass-Secret-42" not in r.output
    assert [w for w in r.warnings if "process list" in w and "cass_password" in w], r.warnings
    call = node1.audit_calls(mark, "upgrade")[0]
    # Documented vendor limitation: on argv (the lab's audit masks the value it saw there).
    assert call["argv"][call["argv"].index("--cass_password") + 1] == "********"


def test_java_out_of_memory_is_an_error_of_check_java(ans, node1, single):
    assert run(ans, "export", export_args()).ok
    single.fault("node1", "large_config", required_heap_mb=65536)
    r = run(ans, "upgrade", {"new_install_dir": NEW})
    assert r.failed
    assert "[java] Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space" in r.result["msg"]
    assert r.result["counts"]["error"] == 1


def test_a_step_that_dies_half_way(ans, node1, single):
    single.fault("node1", "crash", step="export")
    r = run(ans, "export", export_args())
    print("crash:", r.result["msg"])
    assert r.failed and r.result["rc"] == 137
    assert "exit code 137" in r.result["msg"] and "status did not advance (still 'not started')" in r.result["msg"]
    assert r.result["log_path"] and r.result["log_tail"]          # the partial log is shown
