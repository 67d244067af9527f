"""The run record: its schema, how it is built from what the roles left on a host, and that the
summary, the report and the campaign index are made from records alone (no host variables)."""
import datetime

import pytest

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign, report_render, run_record
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import phase_report

T0 = datetime.datetime(2026, 12, 1, 14, 0, 0, tzinfo=datetime.timezone.utc).timestamp()


def step(changed=True, failed=False, start=0, seconds=10, issues=(), run_as="axway"):
    return {"changed": changed, "failed": failed, "msg": "step failed" if failed else "",
            "counts": {"error": sum(1 for i in issues if i["severity"] == "error"),
                       "warning": sum(1 for i in issues if i["severity"] == "warning"), "info": 0},
            "issues": list(issues), "run_as": run_as,
            "timing": {"start": T0 + start, "end": T0 + start + seconds}}


def test_a_record_built_from_nothing_is_valid_and_says_nothing_ran():
    record = run_record.build("node1", {})
    assert run_record.validate(record) == []
    assert [record["phases"][p]["status"] for p in run_record.PHASES] == ["NOT RUN"] * len(run_record.PHASES)
    assert record["flags"] == {"failed": False, "failure": "failed", "lost": False, "window_refused": None,
                               "warnings": [], "run_as": None, "connected_as": None}
    assert record["settings"]["cassandra_port"] == 9042 and record["settings"]["backup"] is True


def test_every_source_a_record_reads_lands_in_its_declared_place():
    warning = {"severity": "warning", "check": "jdbc", "message": "a JDBC driver was copied"}
    variables = {
        "apigw_topology_host": "NodeA", "apigw_cassandra_host": "cass1", "apigw_backup": False,
        "__apigw_preflight": {"status": "PASSED", "problems": [], "notes": ["disk is 85 % full"],
                              "run_as": "axway", "connected_as": "operator"},
        "__apigw_export": step(start=5, seconds=20, issues=[warning]),
        "__apigw_upgrade": step(start=30, seconds=40),
        "__apigw_phase_marks": {"PREFLIGHT": {"start": T0, "end": T0 + 4}, "ROLLBACK": {"start": T0 + 100, "end": None},
                                "PRE-APPLY": {"result": "PASSED", "start": T0 + 80, "end": T0 + 90}},
        "__apigw_node_failed": True, "__apigw_node_failure": "the gates refused it",
        "__apigw_node_unreachable": True, "__apigw_window_refused": "the window ends at 16:00",
        "__apigw_run_warnings": [{"phase": "APPLY", "check": "drift", "message": "accepted"}, {"phase": "X"}],
        "_apigw_inputs_spec": {"argument_errors": ["missing apigw_domain_passphrase"]},
        "_apigw_first_anm_check": {"failed": True, "failure_kind": "certificate"},
        "__apigw_readiness": {"ready": ["node1"], "applied": []},
        "__apigw_content_diff": {"differences": []},
        "__apigw_status": {"current_status": "upgrade complete"},
        "__apigw_rollback": {"status": "PASSED", "problems": [], "notes": []},
    }
    record = run_record.build("node1", variables)
    assert run_record.validate(record) == []
    assert record["settings"]["topology_host"] == "NodeA" and record["settings"]["backup"] is False
    assert record["settings"]["cassandra_host"] == "cass1"
    preflight, export = record["phases"]["PREFLIGHT"], record["phases"]["EXPORT"]
    # a role's summary: its notes are warnings; the phase clock times it
    assert (preflight["status"], preflight["warnings"], preflight["start"], preflight["seconds"]) == (
        "PASSED", 1, "2026-12-01T14:00:00Z", 4.0)
    assert preflight["findings"] == [{"severity": "warning", "check": "preflight", "message": "disk is 85 % full"}]
    # a step: the step's own timing, its issues as findings
    assert (export["status"], export["warnings"], export["start"], export["end"]) == (
        "PASSED", 1, "2026-12-01T14:00:05Z", "2026-12-01T14:00:25Z")
    assert export["findings"] == [warning] and export["result"] is variables["__apigw_export"]
    assert record["rollback_timing"] == {"start": "2026-12-01T14:01:40Z", "end": None, "seconds": None}
    assert record["rolling"]["PRE-APPLY"]["result"] == "PASSED"
    assert record["gates"] == {"argument_errors": ["missing apigw_domain_passphrase"],
                               "first_anm_check": variables["_apigw_first_anm_check"],
                               "completed": ["export", "upgrade"]}
    assert record["flags"] == {"failed": True, "failure": "the gates refused it", "lost": True,
                               "window_refused": "the window ends at 16:00",
                               "warnings": [{"phase": "APPLY", "check": "drift", "message": "accepted"}],
                               "run_as": "axway", "connected_as": "operator"}
    assert record["content_diff"] == {"differences": []} and record["status"]["current_status"] == "upgrade complete"


def test_sources_name_a_variable_and_its_writer_for_every_part_of_the_record():
    # the one file a newcomer reads: every part but host and the parts derived from the phase marks
    # (the rolling apply's phases, the rollback's times) has a source
    sourced = set(run_record.SOURCES) - {"phase_marks", "argument_errors", "first_anm_check", "readiness",
                                         "failed", "failure", "lost", "window_refused", "warnings"}
    assert sourced | {"host", "gates", "flags", "rolling", "rollback_timing"} == set(run_record.SCHEMA)
    assert set(run_record.SOURCES["phases"]) == set(run_record.PHASES)
    # names by kind: what a run writes is __apigw_ (or a role's private _apigw_ register), never
    # an apigw_ name, which is an inventory setting
    for name, writer in list(run_record.SOURCES["phases"].values()) + [
            v for k, v in run_record.SOURCES.items() if k not in ("phases", "settings")]:
        assert name.startswith(("__apigw_", "_apigw_")) and writer, name
    assert all(name.startswith("apigw_") for name in run_record.SOURCES["settings"].values())


@pytest.mark.parametrize("damage, problem", [
    (lambda r: r.pop("flags"), "record has no flags"),
    (lambda r: r.update(extra=1), "record has an undeclared field extra"),
    (lambda r: r["phases"].pop("APPLY"), "record node1 has no phase APPLY"),
    (lambda r: r["phases"]["APPLY"].update(status="DONE"), "record node1 phase APPLY has status 'DONE'"),
    (lambda r: r["phases"]["APPLY"].update(warnings=True), "record node1 phase APPLY.warnings is a bool"),
    (lambda r: r["phases"]["EXPORT"]["findings"].append({"severity": "info"}),
     "record node1 phase EXPORT has a finding of severity 'info'"),
    (lambda r: r["phases"].update(DEPLOY={}), "record node1 has an undeclared phase DEPLOY"),
    (lambda r: r["flags"].update(lost="yes"), "record node1 flags.lost is a str"),
    (lambda r: r["gates"].pop("completed"), "record node1 gates has no completed"),
])
def test_validate_names_what_is_wrong(damage, problem):
    record = run_record.build("node1", {})
    damage(record)
    assert problem in run_record.validate(record)


def record(host, **phases):
    """A record written by hand, as a reader receives it: no host variables anywhere."""
    made = run_record.build(host, {})
    for phase, (status, start, seconds) in phases.items():
        made["phases"][phase].update(status=status, start=run_record.iso(T0 + start),
                                     end=run_record.iso(T0 + start + seconds), seconds=float(seconds),
                                     result={"changed": True})
    made["settings"]["topology_host"] = host.upper()
    return made


def test_summary_report_and_campaign_index_are_made_from_records_alone():
    records = [record("node1", PREFLIGHT=("PASSED", 0, 2), EXPORT=("PASSED", 2, 10), UPGRADE=("PASSED", 12, 20)),
               record("node2", PREFLIGHT=("PASSED", 0, 2), EXPORT=("PASSED", 2, 11), UPGRADE=("FAILED", 13, 5))]
    records[1]["phases"]["UPGRADE"]["findings"] = [{"severity": "error", "check": "upgrade-log", "message": "boom"}]
    records[1]["phases"]["UPGRADE"]["errors"] = 1
    assert [run_record.validate(r) for r in records] == [[], []]

    summary = phase_report(records, phases=["PREFLIGHT", "EXPORT", "UPGRADE"], first_anm="node1")
    assert summary["results"]["node2"]["UPGRADE"] == "FAILED"
    assert summary["rows"][0]["phases"]["UPGRADE"]["seconds"] == 20.0
    assert summary["issue_lines"] == ["node2 UPGRADE error [upgrade-log]: boom"]
    assert [r["command"] for r in summary["resume"]] == ["ansible-playbook apigw.sysupgrade.test_upgrade --limit node2"]

    report = dict(summary, playbook="test_upgrade", generated="2026-12-01T14:01:00Z",
                  run={"started": "2026-12-01T14:00:00Z", "ended": "2026-12-01T14:01:00Z", "hosts": ["node1", "node2"],
                       "limit": None, "inventory_hosts": ["node1", "node2"], "first_anm": "node1", "refused": False,
                       "mode": None, "versions": {"old": "7.5.3", "new": "7.7"}})
    markdown = report_render.render_markdown(report)
    assert "boom" in markdown and "20 s" in markdown

    index = campaign.build_index([("20261201T140000Z-test_upgrade", report)],
                                 now=datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.timezone.utc))
    assert index["domain"] == {"first_anm": "node1", "hosts": ["node1", "node2"]}
    assert [(n["state"], n["last_result"]) for n in (index["nodes"]["node1"], index["nodes"]["node2"])] == [
        ("test upgrade passed", "PASSED"), ("test upgrade failed", "FAILED")]
    assert index["next_command"] == "ansible-playbook apigw.sysupgrade.test_upgrade"
    assert [(p["host"], p["phase"], p["seconds"]) for p in index["phases"] if p["phase"] == "UPGRADE"] == [
        ("node1", "UPGRADE", 20.0), ("node2", "UPGRADE", 5.0)]


def test_the_reports_run_block_says_what_the_run_was_from_the_records():
    from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import report_run
    refused = run_record.build("node2", {"__apigw_window_refused": "the window ends at 16:00"})
    records = [run_record.build("node1", {}), refused]
    run = report_run(records, "apply", started="S", ended="E", hosts=["node2"], limit="node2", first_anm="node1",
                     awx_job_id=7, rolling=True, refusals=[], window_end="2026-12-01T16:00:00Z",
                     versions={"old": "7.5.3", "new": "7.7"})
    assert run == {"started": "S", "ended": "E", "hosts": ["node2"], "limit": "node2",
                   "inventory_hosts": ["node1", "node2"], "first_anm": "node1", "awx_job_id": 7, "mode": "rolling",
                   "refused": False, "window_refused": True, "window_end": "2026-12-01T16:00:00Z",
                   "versions": {"old": "7.5.3", "new": "7.7"}}
    standard = report_run(records[:1], "apply", refusals=["node3: not ready"])
    assert (standard["mode"], standard["refused"], standard["window_refused"]) == ("standard", True, False)
    assert report_run(records, "test_upgrade", rolling=True)["mode"] is None


@pytest.mark.parametrize("given, expected", [
    ("true", True), ("Yes", True), (" on ", True), ("1", True), (1, True), (True, True),
    ("false", False), ("no", False), ("", False), (0, False), (None, False)])
def test_a_records_choices_are_booleans_whatever_form_they_came_in(given, expected):
    # as the inventory, -e or an AWX survey give them; null counts as set, and false
    settings = run_record.build("node1", {"apigw_backup": given, "apigw_no_cassandra": given})["settings"]
    assert (settings["backup"], settings["no_cassandra"]) == (expected, expected)
    assert run_record.as_bool(given) is expected


def test_a_choice_left_unset_keeps_its_default():
    settings = run_record.build("node1", {})["settings"]
    assert (settings["backup"], settings["skip_db_upgrade"], settings["no_cassandra"]) == (True, False, False)
