"""phase_report turns the nodes' run records (made here, as in a run, from the roles' registered
results by the adapter run_records) into the per-node phase table."""
import pytest

from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import (
    _table, cell_text, format_seconds, phase_report, resume_command)


def step(changed=True, failed=False, warnings=0, errors=0, msg=""):
    return {"changed": changed, "failed": failed, "msg": msg,
            "counts": {"error": errors, "warning": warnings, "info": 0}}


HOSTVARS = {
    "node1": {"apigw_topology_host": "NodeA",
              "__apigw_preflight": {"status": "PASSED", "problems": [], "notes": ["jdbc note"]},
              "__apigw_export": step(warnings=1), "__apigw_upgrade": step()},
    "node2": {"apigw_topology_host": "NodeB",
              "__apigw_preflight": {"status": "PASSED", "problems": [], "notes": []},
              "__apigw_export": step(), "__apigw_upgrade": step(failed=True, errors=2, msg="upgrade failed"),
              "__apigw_node_failed": True},
    "node3": {"apigw_topology_host": "NodeC",
              "__apigw_preflight": {"status": "PASSED", "problems": [], "notes": []}},
}


def test_cells_follow_what_happened():
    report = phase_report(run_records(["node1", "node2", "node3"], HOSTVARS), gone_hosts=["node3"], phases=["PREFLIGHT", "EXPORT", "UPGRADE"])
    rows = {r["host"]: r["phases"] for r in report["rows"]}
    # no phase clock on these hosts: the times are unknown (None), not made up
    assert rows["node1"]["PREFLIGHT"] == {"result": "PASSED", "warnings": 1, "errors": 0, "message": "",
                                          "start": None, "end": None, "seconds": None}
    assert rows["node1"]["EXPORT"]["result"] == "PASSED" and rows["node1"]["EXPORT"]["warnings"] == 1
    assert rows["node2"]["UPGRADE"] == {"result": "FAILED", "warnings": 0, "errors": 2, "message": "upgrade failed",
                                        "start": None, "end": None, "seconds": None}
    # node3 left the play without a recorded failure: unreachable during export.
    assert rows["node3"]["EXPORT"]["result"] == "UNREACHABLE"
    assert rows["node3"]["UPGRADE"]["result"] == "NOT RUN"


def test_resume_commands_name_the_playbook_and_host():
    report = phase_report(run_records(["node1", "node2", "node3"], HOSTVARS), gone_hosts=["node3"], command_prefix="ansible-playbook -i inv.yml")
    assert report["resume"] == [
        {"host": "node2", "phase": "UPGRADE", "command": "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade --limit node2"},
        {"host": "node3", "phase": "EXPORT", "command": "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade --limit node3"},
    ]


def test_under_awx_the_resume_commands_name_the_job_template_to_relaunch_and_its_limit():
    # a job's inventory is a temporary file, gone with the job: the template and its limit instead
    report = phase_report(run_records(["node1", "node2", "node3"], HOSTVARS), gone_hosts=["node3"],
                          command_prefix="ansible-playbook -i /runner/inventory/hosts",
                          awx_job_template="Prod apigw apply")
    assert [r["command"] for r in report["resume"]] == [
        'relaunch job template "Prod apigw test upgrade" with limit node2',
        'relaunch job template "Prod apigw test upgrade" with limit node3']


@pytest.mark.parametrize("playbook, current, expected", [
    ("apply", "apigw.sysupgrade test upgrade",
     'relaunch job template "apigw.sysupgrade apply" with limit node2 (its survey\'s confirmation answered true)'),
    ("rollback", "apigw.sysupgrade apply",
     'relaunch job template "apigw.sysupgrade rollback" with limit node2 (its survey\'s confirmation answered true)'),
    ("test_upgrade", "apigw.sysupgrade status", 'relaunch job template "apigw.sysupgrade test upgrade" with limit node2'),
    # a template the operator named otherwise: the playbook it must run
    ("apply", "Nightly upgrade",
     "relaunch job template of playbooks/apply.yml with limit node2 (its survey's confirmation answered true)"),
])
def test_the_job_template_to_relaunch_is_named_as_this_one(playbook, current, expected):
    assert resume_command("ansible-playbook -i x", playbook, "node2", current) == expected


def test_without_awx_the_resume_command_is_the_operator_s_command_line():
    assert resume_command("ansible-playbook -i inv.yml", "apply", "node2") == (
        "ansible-playbook -i inv.yml apigw.sysupgrade.apply --limit node2   # without a terminal (CI, a script) "
        "add -e apigw_apply_confirmed=true")


def test_rerun_with_nothing_to_do_is_skipped_not_passed():
    hv = {"n": {"__apigw_export": step(changed=False), "__apigw_upgrade": {"skipped": True, "changed": False}}}
    report = phase_report(run_records(["n"], hv), phases=["EXPORT", "UPGRADE"])
    assert [report["rows"][0]["phases"][p]["result"] for p in ("EXPORT", "UPGRADE")] == ["SKIPPED", "SKIPPED"]


def test_table_has_a_row_per_node_and_a_column_per_phase():
    report = phase_report(run_records(["node1", "node2", "node3"], HOSTVARS), gone_hosts=["node3"])
    table = report["table"]
    header = [c.strip() for c in table[1].strip("|").split("|")]
    assert header == ["NODE", "PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY", "POST-UPGRADE"]
    node2 = [c.strip() for c in table[4].strip("|").split("|")]
    assert node2[0] == "node2" and node2[3] == "FAILED, 2 errors"
    assert len({len(line) for line in table}) == 1  # aligned


def test_issues_list_every_warning_and_error_with_host_and_phase():
    hv = dict(HOSTVARS)
    hv["node2"] = dict(hv["node2"], __apigw_upgrade=dict(
        step(failed=True, errors=1, msg="upgrade failed"),
        issues=[{"severity": "error", "check": "API Manager", "message": "Found duplicate 'apiadmin' users"},
                {"severity": "info", "check": "System Config", "message": "an informational line"}]))
    report = phase_report(run_records(["node1", "node2", "node3"], hv), gone_hosts=["node3"], phases=["PREFLIGHT", "EXPORT", "UPGRADE"])
    assert report["issues"] == [
        {"host": "node1", "phase": "PREFLIGHT", "severity": "warning", "check": "preflight", "message": "jdbc note"},
        {"host": "node2", "phase": "UPGRADE", "severity": "error", "check": "API Manager",
         "message": "Found duplicate 'apiadmin' users"},
        # node3 left the play: no finding of its own, so the cell's message stands as the error.
        {"host": "node3", "phase": "EXPORT", "severity": "error", "check": "unreachable",
         "message": "the host became unreachable"},
    ]
    assert report["issue_lines"][1] == "node2 UPGRADE error [API Manager]: Found duplicate 'apiadmin' users"
    assert report["all_passed"] is False
    assert report["results"]["node2"]["UPGRADE"] == "FAILED" and report["results"]["node1"]["EXPORT"] == "PASSED"


def test_a_failed_step_without_findings_is_still_an_error():
    hv = {"n": {"__apigw_export": step(failed=True, msg="sysupgrade export timed out after 60 s")}}
    report = phase_report(run_records(["n"], hv))
    assert report["issues"] == [{"host": "n", "phase": "EXPORT", "severity": "error", "check": "task",
                                 "message": "sysupgrade export timed out after 60 s"}]


def test_a_recorded_failure_outside_a_step_fails_the_first_unfinished_phase():
    # apply.yml's check that the first Admin Node Manager answers fails before the apply step runs.
    hv = {"node2": {"__apigw_stop_old": step(changed=False), "__apigw_node_failed": True,
                    "__apigw_node_failure": "The first Admin Node Manager node1 does not answer as 7.7"}}
    report = phase_report(run_records(["node2"], hv), completed={"node2": ["export", "upgrade"]})
    cells = report["rows"][0]["phases"]
    assert [cells[p]["result"] for p in ("EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY")] == [
        "SKIPPED", "SKIPPED", "SKIPPED", "FAILED", "NOT RUN"]
    assert report["issues"][0]["phase"] == "APPLY" and "does not answer" in report["issues"][0]["message"]
    assert report["resume"][0]["command"] == (
        "ansible-playbook apigw.sysupgrade.apply --limit node2"
        "   # without a terminal (CI, a script) add -e apigw_apply_confirmed=true")


def test_steps_done_in_earlier_runs_are_skipped_not_missing():
    hv = {"node1": {"__apigw_apply": step(), "__apigw_verify": {"status": "PASSED", "problems": [], "notes": []},
                    "__apigw_post_upgrade_result": {"status": "PASSED", "problems": [], "notes": []}},
          "node2": {}, "node3": {}}
    done = {"node1": ["export", "upgrade", "apply"], "node2": ["export", "upgrade"], "node3": ["export", "upgrade"]}
    report = phase_report(run_records(["node1", "node2", "node3"], hv), completed=done, first_anm="node1")
    assert report["results"]["node1"] == {"PREFLIGHT": "SKIPPED", "EXPORT": "SKIPPED", "UPGRADE": "SKIPPED",
                                          "STOP-OLD": "SKIPPED", "APPLY": "PASSED", "VERIFY": "PASSED",
                                          "POST-UPGRADE": "PASSED"}
    assert report["results"]["node2"]["UPGRADE"] == "SKIPPED" and report["results"]["node2"]["APPLY"] == "NOT RUN"
    assert [(r["host"], r["phase"]) for r in report["resume"]] == [("node2", "STOP-OLD"), ("node3", "STOP-OLD")]


def test_apply_is_offered_only_once_every_test_upgrade_passed_first_anm_first():
    done = {"node1": ["export", "upgrade"], "node2": ["export", "upgrade"], "node3": ["export"]}
    report = phase_report(run_records(["node2", "node1", "node3"], {"node1": {}, "node2": {}, "node3": {}}), completed=done, first_anm="node1")
    assert [(r["host"], r["phase"]) for r in report["resume"]] == [("node3", "UPGRADE")]
    done["node3"].append("upgrade")
    report = phase_report(run_records(["node2", "node1", "node3"], {"node1": {}, "node2": {}, "node3": {}}), completed=done, first_anm="node1")
    assert [r["command"].split("#")[0].split()[-1] for r in report["resume"]] == ["node1", "node2", "node3"]
    assert all("apigw.sysupgrade.apply" in r["command"] for r in report["resume"])


def test_a_node_lost_during_a_step_is_unreachable_in_that_phase_only():
    lost = {"unreachable": True, "changed": False,
            "msg": "Failed to connect to the host via ssh: connect to host 10.79.0.3 port 22: Connection timed out"}
    hv = {"node3": {"__apigw_preflight": {"status": "PASSED", "problems": [], "notes": []}, "__apigw_export": lost}}
    report = phase_report(run_records(["node3"], hv), gone_hosts=["node3"])
    assert report["results"]["node3"] == {"PREFLIGHT": "PASSED", "EXPORT": "UNREACHABLE", "UPGRADE": "NOT RUN",
                                          "STOP-OLD": "NOT RUN", "APPLY": "NOT RUN", "VERIFY": "NOT RUN",
                                          "POST-UPGRADE": "NOT RUN"}
    assert [(i["phase"], i["check"]) for i in report["issues"]] == [("EXPORT", "unreachable")]
    assert "Connection timed out" in report["issues"][0]["message"]


def test_a_node_lost_after_its_test_upgrade_is_not_sent_back_to_it():
    # node2 passed its test upgrade (apply's gates read it) and was lost during its apply: its
    # status cannot be read now, but it must resume with apply, not test_upgrade.
    readiness = {"ready": ["node2"], "applied": ["node1"]}
    hostvars = {"node1": {"__apigw_readiness": readiness}, "node2": {"__apigw_readiness": readiness}}
    report = phase_report(run_records(["node1", "node2"], hostvars), gone_hosts=["node2"],
                          completed={"node1": ["export", "upgrade", "apply"]}, first_anm="node1")
    cells = report["rows"][1]["phases"]
    assert cells["EXPORT"]["result"] == "SKIPPED" and cells["STOP-OLD"]["result"] == "UNREACHABLE"
    assert report["resume"][0]["command"].startswith("ansible-playbook apigw.sysupgrade.apply --limit node2")


def test_a_failed_cell_counts_the_error_the_list_shows():
    upgrade = {"failed": True, "changed": False, "msg": "upgrade timed out after 60 s",
               "counts": {"error": 0, "warning": 0}}
    hostvars = {"node1": {"__apigw_upgrade": upgrade}}
    report = phase_report(run_records(["node1"], hostvars), phases=["PREFLIGHT", "EXPORT", "UPGRADE"])
    cell = report["rows"][0]["phases"]["UPGRADE"]
    assert (cell["result"], cell["errors"]) == ("FAILED", 1)
    assert [i["message"] for i in report["issues"]] == ["upgrade timed out after 60 s"]
    assert "FAILED, 1 error" in "\n".join(report["table"])


def test_verify_after_this_runs_apply_is_never_done_earlier():
    # apply completed now (status says so) but the node failed before verifying: VERIFY is where
    # it failed, not "done in an earlier run".
    hostvars = {"node1": {"__apigw_apply": {"changed": True, "counts": {"error": 0, "warning": 0}},
                          "__apigw_node_failed": True, "__apigw_node_failure": "the new ANM does not answer"}}
    report = phase_report(run_records(["node1"], hostvars), completed={"node1": ["export", "upgrade", "apply"]})
    cells = report["rows"][0]["phases"]
    assert (cells["APPLY"]["result"], cells["VERIFY"]["result"]) == ("PASSED", "FAILED")
    assert cells["VERIFY"]["message"] == "the new ANM does not answer"


def test_warnings_recorded_outside_a_step_are_counted_and_listed():
    hostvars = dict(HOSTVARS)
    hostvars["node1"] = dict(HOSTVARS["node1"], __apigw_run_warnings=[
        {"phase": "EXPORT", "check": "backup", "message": "apigw_backup is false: not backed up"}])
    report = phase_report(run_records(["node1"], hostvars), phases=["PREFLIGHT", "EXPORT", "UPGRADE"])
    assert report["rows"][0]["phases"]["EXPORT"]["warnings"] == 2
    assert {"host": "node1", "phase": "EXPORT", "severity": "warning", "check": "backup",
            "message": "apigw_backup is false: not backed up"} in report["issues"]
    assert HOSTVARS["node1"]["__apigw_export"]["counts"]["warning"] == 1


LEDGER = {"node1": {"state": "RESTORE", "applied": True, "message": "rolling back needs a restore: x",
                    "restores": [{"kind": "activemq", "paths": ["/data/amq"], "by_rollback": True,
                                  "message": "the ActiveMQ data in /data/amq"}]},
          "node2": {"state": "RESTART", "applied": False, "message": "plain restart", "restores": []}}


def test_the_rollback_column_shows_the_ledger_outside_a_rollback_run():
    hv = {"node1": {"__apigw_export": step()}, "node2": {"__apigw_export": step()}}
    report = phase_report(run_records(["node1", "node2"], hv), phases=["EXPORT", "ROLLBACK"], ledger=LEDGER)
    assert [line.split("|")[3].strip() for line in report["table"][3:5]] == ["RESTORE, 1 warning", "RESTART"]
    assert report["all_passed"] is True  # a ledger cell is a fact, not a failure
    assert report["issue_lines"] == ["node1 ROLLBACK warning [rollback-activemq]: the ActiveMQ data in /data/amq"]
    assert report["results"]["node2"]["ROLLBACK"] == "RESTART"


def test_without_a_ledger_there_is_no_rollback_column_unless_asked():
    report = phase_report(run_records(["node1"], {"node1": {}}), phases=["EXPORT"])
    assert "ROLLBACK" not in report["rows"][0]["phases"]
    report = phase_report(run_records(["node1"], {"node1": {}}), phases=["EXPORT", "ROLLBACK"])
    assert report["rows"][0]["phases"]["ROLLBACK"]["result"] == "NOT RUN"


def test_a_rollback_run_shows_its_result_and_resumes_only_failed_rollbacks():
    hv = {"node1": {"__apigw_rollback": {"status": "SKIPPED", "problems": [], "notes": []}},
          "node2": {"__apigw_rollback": {"status": "FAILED", "problems": ["start old: refused"], "notes": []}},
          "node3": {"__apigw_rollback": {"status": "PASSED", "problems": [],
                                         "notes": ["still to do by hand: restore Cassandra"]}}}
    report = phase_report(run_records(["node1", "node2", "node3"], hv), phases=["APPLY", "ROLLBACK"],
                          ledger=LEDGER, command_prefix="ansible-playbook -i inv.yml", rollback=True)
    cells = [line.split("|")[3].strip() for line in report["table"][3:6]]
    assert cells == ["SKIPPED", "FAILED, 1 error", "PASSED, 1 warning"]
    assert [r["command"].split("   #")[0] for r in report["resume"]] == [
        "ansible-playbook -i inv.yml apigw.sysupgrade.rollback --limit node2"]
    assert "node2 ROLLBACK error [rollback]: start old: refused" in report["issue_lines"]


def test_cells_carry_the_times_of_the_phases_that_ran_now():
    hv = {"node1": {"__apigw_preflight": {"status": "PASSED", "problems": [], "notes": []},
                    "__apigw_phase_marks": {"PREFLIGHT": {"start": 0.0, "end": 2.26}, "VERIFY": {"start": 9.0, "end": None},
                                            "PRE-APPLY": {"result": "PASSED", "start": 20.0, "end": 25.0, "message": ""}},
                    "__apigw_export": dict(step(), timing={"start": 3.0, "end": 13.04}),
                    "__apigw_upgrade": step(changed=False)}}  # skipped: done already
    cells = phase_report(run_records(["node1"], hv))["rows"][0]["phases"]
    assert cells["PREFLIGHT"]["start"] == "1970-01-01T00:00:00Z" and cells["PREFLIGHT"]["seconds"] == 2.3
    assert cells["EXPORT"]["end"] == "1970-01-01T00:00:13Z" and cells["EXPORT"]["seconds"] == 10.0  # the step's own
    assert (cells["UPGRADE"]["start"], cells["UPGRADE"]["seconds"]) == (None, None)  # SKIPPED: no times
    assert cells["VERIFY"]["result"] == "NOT RUN" and cells["VERIFY"]["start"] is None  # a stale clock entry is not used
    assert cells["PRE-APPLY"]["result"] == "PASSED" and cells["PRE-APPLY"]["seconds"] == 5.0


def test_a_node_refused_by_the_apply_window_did_not_fail():
    hv = {"node2": {"__apigw_node_failed": True, "__apigw_node_failure": "node2 is not started: ...",
                    "__apigw_window_refused": "node2 is not started: ... (apigw_apply_window_end)"}}
    report = phase_report(run_records(["node2"], hv))
    cell = report["rows"][0]["phases"]["APPLY"]
    assert cell["result"] == "NOT RUN" and "apigw_apply_window_end" in cell["message"]
    assert [i["check"] for i in report["issues"]] == ["apply-window"]
    assert report["resume"][0]["host"] == "node2"


@pytest.mark.parametrize("seconds, text", [
    (0.2, "<1 s"), (0.5, "<1 s"), (0.6, "1 s"), (41.4, "41 s"), (59.6, "1 min 00 s"), (185, "3 min 05 s"),
    (3725, "1 h 02 min")])
def test_durations_read_as_people_say_them(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize("cell, text", [
    ({"result": "PASSED", "warnings": 0, "errors": 0}, "PASSED"),
    ({"result": "PASSED", "warnings": 1, "errors": 0, "seconds": 41.0}, "PASSED, 41 s, 1 warning"),
    ({"result": "FAILED", "warnings": 2, "errors": 3, "seconds": 12.0}, "FAILED, 12 s, 2 warnings, 3 errors"),
    ({"result": "SKIPPED", "warnings": 0, "errors": 0, "seconds": None}, "SKIPPED"),
    ({"result": "NOT RUN"}, "NOT RUN"),
])
def test_a_cell_says_its_duration_and_only_the_counts_it_has(cell, text):
    assert cell_text(cell) == text
    assert "W0" not in cell_text(cell) and "E0" not in cell_text(cell)


def test_the_console_table_shows_each_phase_time_when_the_row_has_it():
    report = phase_report(run_records(["node1"], {"node1": {"__apigw_export": step()}}), phases=["EXPORT", "UPGRADE"])
    row = report["rows"][0]
    row["phases"]["EXPORT"]["seconds"] = 95.0
    table = _table([row], ["EXPORT", "UPGRADE"])
    assert [c.strip() for c in table[3].strip("|").split("|")] == ["node1", "PASSED, 1 min 35 s", "NOT RUN"]


def test_the_account_that_ran_the_product_is_said_per_node():
    hv = {
        # connected through become: the modules ran as root and dropped to the owner
        "node1": {"__apigw_preflight": {"status": "PASSED", "run_as": "axway", "connected_as": "root"},
                  "__apigw_export": {"changed": True, "run_as": "axway"}},
        # connected as the owner itself
        "node2": {"__apigw_preflight": {"status": "PASSED", "run_as": "axway", "connected_as": "axway"}},
        # an apply run (no pre-flight): the step's own result says who ran it
        "node3": {"__apigw_apply": {"changed": True, "run_as": "gw"}},
        # nothing ran
        "node4": {},
    }
    report = phase_report(run_records(["node1", "node2", "node3", "node4"], hv))
    assert [(r["run_as"], r["connected_as"]) for r in report["rows"]] == [
        ("axway", "root"), ("axway", "axway"), ("gw", None), (None, None)]
    assert report["accounts"] == [
        "node1: product commands ran as axway (the collection's modules ran as root and dropped to it)",
        "node2: product commands ran as axway (the connection's own account)",
        "node3: product commands ran as gw (the installation's owner)"]
