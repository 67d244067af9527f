"""The rolling (zero-downtime) apply's decisions (plugins/filter/rolling.py), against the vendor's ZDU
page (upgrade_zdu_overview.md): its conditions, its phases and its return status codes."""
import pathlib

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter import rolling
from ansible_collections.apigw.sysupgrade.plugins.filter.phase_mark import phase_mark

ROLE = pathlib.Path(__file__).resolve().parents[4] / "roles" / "apply"
HOOKS = {"disable_tasks": "haproxy", "enable_tasks": "haproxy"}


def test_standard_mode_is_never_refused_here():
    assert rolling.rolling_refusals("standard", "7.0", no_cassandra=True) == []


def test_an_unknown_mode_is_refused_once_by_the_argument_spec_naming_the_option_and_the_choices():
    # One check, in one place: the apply role's argument spec (the gates list its errors); the
    # rolling filter does not check the mode again.
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    result = ArgumentSpecValidator({"apigw_apply_mode": spec["apigw_apply_mode"]}).validate({"apigw_apply_mode": "zero"})
    [error] = [str(e) for e in result.errors]
    assert "apigw_apply_mode" in error and "standard, rolling" in error and "zero" in error
    assert rolling.rolling_refusals("zero", "7.5.3") == []


def test_rolling_accepted_from_752_with_cassandra_and_hooks():
    assert rolling.rolling_refusals("rolling", "7.5.2", **HOOKS) == []
    assert rolling.rolling_refusals("rolling", "7.5.3", **HOOKS) == []
    assert rolling.rolling_refusals("rolling", "7.6.2", **HOOKS) == []


@pytest.mark.parametrize("old", ["7.5.1", "7.4", "7.3.1"])
def test_rolling_refused_below_752_quoting_the_vendor(old):
    [reason] = rolling.rolling_refusals("rolling", old, **HOOKS)
    assert old in reason and rolling.ZDU_CONDITION in reason and "upgrade_zdu_overview.md" in reason


def test_rolling_refused_without_cassandra_quoting_the_vendor():
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", no_cassandra=True, **HOOKS)
    assert "apigw_no_cassandra" in reason and rolling.ZDU_CONDITION in reason


def test_rolling_refused_when_the_old_version_is_unknown():
    [reason] = rolling.rolling_refusals("rolling", "", **HOOKS)
    assert "could not be read" in reason and rolling.ZDU_CONDITION in reason


def test_rolling_refused_without_hooks_naming_the_missing_ones():
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", disable_tasks="x.yml")
    assert "apigw_lb_enable_tasks" in reason and "apigw_lb_disable_tasks" not in reason
    assert "apigw_lb_hooks" in reason


def test_rolling_refuses_a_serial_above_one():
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", serial=2, **HOOKS)
    assert "apigw_apply_serial=2" in reason


def test_confirm_each_refused_under_awx_only():
    assert rolling.rolling_refusals("rolling", "7.5.3", confirm_each=True, **HOOKS) == []
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", confirm_each=True, under_awx=True, **HOOKS)
    assert "approval node" in reason and "apigw_rolling_confirm_each" in reason


def test_every_refusal_at_once():
    reasons = rolling.rolling_refusals("rolling", "7.4", no_cassandra=True, serial=3, confirm_each=True, under_awx=True)
    assert len(reasons) == 5


@pytest.mark.parametrize("sessions,waited,state", [
    (0, 0, "drained"), ("0", 50, "drained"), (3, 10, "wait"), (3, 120, "timeout"), (1, 200, "timeout"),
    (None, 0, "timeout"), ("n/a", 0, "timeout"),
])
def test_drain_verdict(sessions, waited, state):
    verdict = rolling.drain_verdict(sessions, 1000.0, 120, now=1000.0 + waited)
    assert verdict["state"] == state
    if state == "timeout" and sessions is not None and str(sessions).isdigit():
        assert "apigw_lb_drain_timeout" in verdict["message"] and "not cut" in verdict["message"]


def test_drain_verdict_names_the_hook_variable_when_no_count():
    assert "apigw_lb_sessions" in rolling.drain_verdict(None, 0, 10, now=1)["message"]


def uri(status, content="", url="http://127.0.0.1:8080/x"):
    return {"status": status, "content": content, "url": url, "msg": "OK" if status == 200 else "refused"}


def test_probe_problems_none_when_serving():
    assert rolling.rolling_probe_problems(uri(200), uri(200, '{"version": "7.7"}'), 200, '"version": "7.7"') == []


def test_probe_problems_health_and_body():
    problems = rolling.rolling_probe_problems(uri(503), uri(200, '{"version": "7.5.3"}'), 200, '"version": "7.7"')
    assert len(problems) == 2
    assert "/healthchecklb" in problems[0] and "503" in problems[0]
    assert "apigw_rolling_probe_body" in problems[1] and "7.5.3" in problems[1]


def test_probe_problems_no_answer():
    [problem] = rolling.rolling_probe_problems(uri(200), {"status": -1, "url": "http://127.0.0.1:8080/v", "msg": "Connection refused"})
    assert "answered nothing" in problem and "Connection refused" in problem


def test_probe_expected_status_other_than_200():
    assert rolling.rolling_probe_problems(uri(200), uri(204), 204) == []
    assert rolling.rolling_probe_problems(uri(200), uri(200), 204) != []


def node(pre=None, apply_=None, post=None, rollback=None, t=0):
    record = {}
    for phase, result in (("PRE-APPLY", pre), ("APPLY", apply_), ("POST-APPLY", post), ("ROLLBACK", rollback)):
        if result:
            record = phase_mark(record, phase, "start", at=t)
            t += 10
            if result != "RUNNING":
                record = phase_mark(record, phase, "end", result=result, at=t,
                                    message="boom" if result == "FAILED" else "")
    return {"__apigw_phase_marks": record}, t


def test_zdu_report_success_uses_the_vendors_cells_and_code():
    hv = {}
    t = 100
    for host in ("node1", "node2", "node3"):
        hv[host], t = node("PASSED", "PASSED", "PASSED", t=t)
    done = dict((h, ["export", "upgrade", "apply"]) for h in hv)
    report = rolling.zdu_report(run_records(["node1", "node2", "node3"], hv), done, now=t + 5)
    assert report["status"] == "SUCCESS" and report["code"] == 0
    assert report["title"] == "Summary table (Status.SUCCESS)"
    assert all(n["cells"] == {"EXPORT": "PASSED (0)", "UPGRADE": "PASSED (0)", "PRE-APPLY": "PASSED (0)",
                              "APPLY": "PASSED (0)", "POST-APPLY": "PASSED (0)", "ROLLBACK": "*"}
               for n in report["nodes"])
    assert "| NODE" in report["table"][1] and "ROLLBACK" in report["table"][1]
    # mixed from node1 back in service (its POST-APPLY end, 130) to node3's old installation stopped
    # (its PRE-APPLY end, 170)
    assert report["mixed"] == {"seconds": 40.0, "ongoing": False, "since_earlier_run": False}
    assert "40 s" in report["notes"][0] and "quota counts" in report["notes"][0]


def test_zdu_report_apply_failed_and_rolled_back():
    hv = {}
    hv["node1"], t = node("PASSED", "PASSED", "PASSED", t=100)
    hv["node2"], t = node("PASSED", "FAILED", None, "PASSED", t=t)
    hv["node3"] = {}
    completed = {"node1": ["export", "upgrade", "apply"], "node2": ["export", "upgrade"], "node3": ["export", "upgrade"]}
    report = rolling.zdu_report(run_records(["node1", "node2", "node3"], hv), completed, now=t + 30)
    assert report["status"] == "APPLY_FAILED" and report["code"] == 73
    n2 = report["nodes"][1]
    assert n2["cells"]["APPLY"] == "FAILED (73)" and n2["cells"]["POST-APPLY"] == "*"
    assert n2["cells"]["ROLLBACK"] == "PASSED (0)" and n2["code"] == 73
    assert n2["messages"]["APPLY"] == "boom"
    n3 = report["nodes"][2]
    assert n3["cells"]["PRE-APPLY"] == "*" and n3["code"] == 0
    assert report["mixed"]["ongoing"] is True
    assert "node1 run the new version, node2, node3 the old one" in report["notes"][0]


def test_zdu_report_rollback_failed_wins():
    hv = {}
    hv["node1"], t = node("PASSED", "FAILED", None, "FAILED", t=0)
    hv["node2"], t = node("FAILED", None, None, "PASSED", t=t)
    report = rolling.zdu_report(run_records(["node1", "node2"], hv), {}, now=t)
    assert report["status"] == "ROLLBACK_FAILED" and report["code"] == 75
    assert report["nodes"][0]["cells"]["ROLLBACK"] == "FAILED (75)"
    assert report["nodes"][1]["cells"]["PRE-APPLY"] == "FAILED (72)"


def test_zdu_report_phase_cut_short_counts_as_failed():
    hv = {"node1": node("PASSED", "RUNNING", t=0)[0]}
    assert rolling.zdu_report(run_records(["node1"], hv), {}, now=50)["nodes"][0]["cells"]["APPLY"] == "FAILED (73)"


def test_zdu_report_refused_run_is_a_fatal_error():
    report = rolling.zdu_report(run_records(["node1"], {"node1": {}}), {"node1": ["export", "upgrade"]}, refused=True, now=0)
    assert report["status"] == "FATAL_ERROR" and report["code"] == 80
    assert report["nodes"][0]["cells"]["EXPORT"] == "PASSED (0)" and report["nodes"][0]["cells"]["APPLY"] == "*"
    assert report["mixed"]["seconds"] == 0.0 and report["notes"] == []


def test_zdu_report_durations():
    hv = {"node1": node("PASSED", "PASSED", "PASSED", t=0)[0]}
    node1 = rolling.zdu_report(run_records(["node1"], hv), {}, now=99)["nodes"][0]
    assert node1["durations"] == {"PRE-APPLY": 10.0, "APPLY": 10.0, "POST-APPLY": 10.0}
    assert node1["times"]["APPLY"] == {"start": 10.0, "end": 20.0}


def test_status_codes_are_the_vendors():
    assert rolling.STATUS_CODES == {"SUCCESS": 0, "EXPORT_FAILED": 70, "UPGRADE_FAILED": 71, "PRE_APPLY_FAILED": 72,
                                    "APPLY_FAILED": 73, "POST_APPLY_FAILED": 74, "ROLLBACK_FAILED": 75,
                                    "FATAL_ERROR": 80}


@pytest.mark.parametrize("kind, named, hooks, expected", [
    ("disable", {"disable_tasks": "out.yml"}, "haproxy", {"files": ["out.yml"], "shipped": False, "runs": True}),
    ("disable", {"enable_tasks": "in.yml"}, "haproxy", {"files": [], "shipped": True, "runs": True}),
    ("enable", {"enable_tasks": "in.yml"}, "", {"files": ["in.yml"], "shipped": False, "runs": True}),
    ("sessions", {"disable_tasks": "out.yml"}, "http", {"files": [], "shipped": True, "runs": True}),
    ("sessions", {}, "", {"files": [], "shipped": False, "runs": False}),
    # a list runs in order, as kubespray's hooks do; an empty list or entry is no file
    ("disable", {"disable_tasks": ["ticket.yml", "out.yml"]}, "http",
     {"files": ["ticket.yml", "out.yml"], "shipped": False, "runs": True}),
    ("enable", {"enable_tasks": ["", None]}, "http", {"files": [], "shipped": True, "runs": True}),
    ("enable", {"enable_tasks": []}, "", {"files": [], "shipped": False, "runs": False}),
    # a text, from -e or an AWX survey, is split at its commas as Ansible's list options do
    ("sessions", {"sessions_tasks": "/h/count.yml, /h/log.yml"}, "",
     {"files": ["/h/count.yml", "/h/log.yml"], "shipped": False, "runs": True}),
])
def test_the_users_hook_files_win_over_the_shipped_role(kind, named, hooks, expected):
    assert rolling.lb_hook(kind, hooks=hooks, **named) == expected


def test_a_hook_that_is_neither_a_path_nor_a_list_is_refused_naming_the_variables():
    with pytest.raises(ValueError, match="apigw_lb_disable_tasks"):
        rolling.lb_hook("disable", disable_tasks={"file": "out.yml"})


def test_a_list_of_hook_files_satisfies_the_rolling_mode_and_an_empty_one_does_not():
    assert rolling.rolling_refusals("rolling", "7.5.3", disable_tasks=["a.yml", "b.yml"], enable_tasks=["c.yml"]) == []
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", disable_tasks=["a.yml"], enable_tasks=[])
    assert "apigw_lb_enable_tasks" in reason and "apigw_lb_disable_tasks" not in reason


def test_an_unknown_hook_is_refused():
    with pytest.raises(ValueError, match="disable, enable, sessions"):
        rolling.lb_hook("drain")


def test_the_shipped_hooks_satisfy_both_task_files_of_the_rolling_mode():
    assert rolling.rolling_refusals("rolling", "7.5.3", hooks="http") == []
    [reason] = rolling.rolling_refusals("rolling", "7.5.3", disable_tasks="x.yml", hooks="")
    assert "apigw_lb_enable_tasks" in reason


def test_an_unanswered_survey_question_is_no_hook_file():
    # AWX passes null for an optional text question left empty; the spec's type is raw for that
    expected = {"files": [], "shipped": True, "runs": True}
    assert rolling.lb_hook("disable", disable_tasks=None, hooks="haproxy") == expected
