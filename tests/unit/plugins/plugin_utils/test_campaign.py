"""campaign.build_index, the next command, node states, the forecast and the apply window."""
import datetime
import json
import pathlib

import pytest

from ansible_collections.apigw.sysupgrade.plugins.filter import apply_window
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign

DATA = pathlib.Path(__file__).resolve().parents[2] / "data" / "campaign"
NOW = datetime.datetime(2026, 12, 1, 15, 0, 0, tzinfo=datetime.timezone.utc)


def cell(result, start=None, seconds=None, message=""):
    if start is None:
        return {"result": result, "warnings": 0, "errors": 0, "message": message, "start": None, "end": None, "seconds": None}
    begin = datetime.datetime(2026, 12, 1, 14, 0, start, tzinfo=datetime.timezone.utc)
    return {"result": result, "warnings": 0, "errors": 0, "message": message, "start": campaign.iso(begin),
            "end": campaign.iso(begin + datetime.timedelta(seconds=seconds)), "seconds": float(seconds),
            "log": "logs/x/%s.log" % result.lower()}


def report(playbook, rows, hosts, started, refused=False, limit=None):
    return {"playbook": playbook, "generated": started, "rows": [{"host": h, "phases": p} for h, p in rows.items()],
            "run": {"started": started, "ended": started, "hosts": hosts, "limit": limit, "first_anm": "node1",
                    "refused": refused, "mode": "standard" if playbook == "apply" else None,
                    "versions": {"old": "7.5.3", "new": "7.7"}, "inventory_hosts": ["node1", "node2", "node3"]}}


TESTED = {"PREFLIGHT": cell("PASSED", 1, 2), "EXPORT": cell("PASSED", 3, 10), "UPGRADE": cell("PASSED", 13, 20),
          "APPLY": cell("NOT RUN")}
APPLIED = {"STOP-OLD": cell("PASSED", 1, 3), "APPLY": cell("PASSED", 4, 30), "VERIFY": cell("PASSED", 34, 2),
           "POST-UPGRADE": cell("PASSED", 36, 5)}
WAITING = {"EXPORT": cell("SKIPPED", message="done in an earlier run (export complete)"),
           "UPGRADE": cell("SKIPPED", message="done in an earlier run (upgrade complete)"), "APPLY": cell("NOT RUN")}
HOSTS = ["node1", "node2", "node3"]


def campaign_reports():
    return [("20261201T140300Z-apply", report("apply", {"node1": APPLIED, "node2": WAITING, "node3": WAITING},
                                              ["node1"], "2026-12-01T14:03:00Z", limit="node1")),
            ("20261201T140000Z-test_upgrade", report("test_upgrade", dict((h, TESTED) for h in HOSTS), HOSTS,
                                                     "2026-12-01T14:00:00Z"))]


def test_runs_are_listed_oldest_first_with_their_outcome_and_limit():
    index = campaign.build_index(campaign_reports(), NOW)
    assert [r["id"] for r in index["runs"]] == ["20261201T140000Z-test_upgrade", "20261201T140300Z-apply"]
    assert [r["outcome"] for r in index["runs"]] == ["passed", "passed"]
    assert index["runs"][1]["limit"] == ["node1"] and index["runs"][1]["mode"] == "standard"
    assert index["runs"][0]["report"] == "20261201T140000Z-test_upgrade/report.html"


def test_node_states_and_the_next_command_follow_the_campaign():
    index = campaign.build_index(campaign_reports(), NOW)
    assert {h: n["state"] for h, n in index["nodes"].items()} == {
        "node1": "applied", "node2": "test upgrade passed", "node3": "test upgrade passed"}
    assert index["nodes"]["node1"]["version"] == "7.7" and index["nodes"]["node2"]["version"] == "7.5.3"
    assert index["nodes"]["node2"]["last_run"] == "20261201T140000Z-test_upgrade"  # not in the limited apply
    assert index["next_command"] == "ansible-playbook apigw.sysupgrade.apply -e apigw_apply_confirmed=true"


def test_next_command_before_the_first_anm_and_when_done():
    only_tested = campaign.build_index(campaign_reports()[1:], NOW)
    assert only_tested["next_command"].endswith("apply --limit node1 -e apigw_apply_confirmed=true")
    done = campaign.build_index(campaign_reports() + [("20261201T141000Z-apply", report(
        "apply", dict((h, APPLIED) for h in HOSTS), HOSTS, "2026-12-01T14:10:00Z"))], NOW)
    assert done["next_command"] is None and "complete" in done["next_why"]
    assert campaign.build_index([], NOW)["next_command"] is None


def test_a_failed_test_upgrade_sends_back_to_test_upgrade():
    failed = dict(TESTED, UPGRADE=cell("FAILED", 13, 20))
    index = campaign.build_index([("20261201T140000Z-test_upgrade", report(
        "test_upgrade", {"node1": TESTED, "node2": failed, "node3": TESTED}, HOSTS, "2026-12-01T14:00:00Z"))], NOW)
    assert index["runs"][0]["outcome"] == "failed"
    assert index["nodes"]["node2"]["state"] == "test upgrade failed" and index["nodes"]["node2"]["last_result"] == "FAILED"
    assert index["next_command"] == "ansible-playbook apigw.sysupgrade.test_upgrade"


def test_a_refused_run_changes_no_node_state():
    reports = campaign_reports() + [("20261201T140500Z-apply", report(
        "apply", {"node1": APPLIED, "node2": WAITING, "node3": WAITING}, ["node2", "node3"], "2026-12-01T14:05:00Z",
        refused=True))]
    index = campaign.build_index(reports, NOW)
    assert index["runs"][-1]["outcome"] == "refused"
    assert index["nodes"]["node2"]["state"] == "test upgrade passed"


def test_phases_list_every_timed_cell_with_its_log_in_the_run_folder():
    index = campaign.build_index(campaign_reports(), NOW)
    timed = [p for p in index["phases"] if p["run"] == "20261201T140300Z-apply"]
    assert [p["phase"] for p in timed] == ["STOP-OLD", "APPLY", "VERIFY", "POST-UPGRADE"]  # untimed cells left out
    assert timed[1]["seconds"] == 30.0 and timed[1]["log"] == "20261201T140300Z-apply/logs/x/passed.log"


def test_forecast_uses_the_measured_apply_of_applied_nodes_in_order():
    index = campaign.build_index(campaign_reports(), NOW, window_end=NOW + datetime.timedelta(seconds=60))
    nodes = index["forecast"]["nodes"]
    assert [n["host"] for n in nodes] == ["node2", "node3"]
    assert [n["seconds"] for n in nodes] == [40.0, 40.0]  # 3 + 30 + 2 + 5 on node1
    assert "measured apply on node1" in nodes[0]["basis"]
    assert [n["fits"] for n in nodes] == [True, False]  # 40 s, then 80 s: past the 60 s window
    assert index["forecast"]["total_seconds"] == 80.0 and index["forecast"]["ends"] == "2026-12-01T15:01:20Z"


def test_forecast_without_applied_nodes_is_estimated_from_export_and_upgrade_first_anm_first():
    index = campaign.build_index(campaign_reports()[1:], NOW)
    nodes = index["forecast"]["nodes"]
    assert [n["host"] for n in nodes] == HOSTS and nodes[0]["seconds"] == 30.0  # 10 + 20
    assert nodes[0]["basis"].startswith("estimated from export+upgrade") and nodes[0]["fits"] is None


def test_window_verdict_refuses_a_node_that_would_end_after_the_window():
    reports = campaign_reports()
    assert apply_window.apply_window_verdict("", "node2", "/nonexistent", reports=reports) == ""
    ok = apply_window.apply_window_verdict("2026-12-01T17:00:00+01:00", "node2", "", now="2026-12-01T15:00:00Z",
                                           reports=reports)
    assert ok == ""  # 17:00+01:00 is 16:00Z: an hour for a 40 s forecast
    late = apply_window.apply_window_verdict("2026-12-01T15:00:05Z", "node2", "", now="2026-12-01T15:00:00Z",
                                             reports=reports)
    for word in ("node2", "40.0 s", "2026-12-01T15:00:05Z", "apigw_apply_window_end"):
        assert word in late
    assert apply_window.apply_window_verdict("2026-12-01T15:00:05Z", "node1", "", now="2026-12-01T15:00:00Z",
                                             reports=reports) == ""  # applied already: stays done


@pytest.mark.parametrize("value", ["tonight", "2026-12-01T22:00:00", "22:00"])
def test_a_bad_window_end_fails_naming_the_option(value):
    with pytest.raises(Exception) as err:
        apply_window.apply_window_verdict(value, None, "")
    assert "apigw_apply_window_end" in str(err.value)


def test_real_reports_index_including_one_written_before_times_existed():
    # Trimmed report.json files of a lab campaign: a test_upgrade written before run times existed,
    # then test_upgrade, apply --limit node1, apply refused by a 5 s window, apply.
    reports = [(p.parent.name, json.loads(p.read_text())) for p in sorted(DATA.glob("*/report.json"))]
    index = campaign.build_index(reports, NOW)
    assert [(r["playbook"], r["outcome"]) for r in index["runs"]] == [
        ("test_upgrade", "passed"), ("test_upgrade", "passed"), ("apply", "passed"), ("apply", "refused"),
        ("apply", "passed")]
    old = index["runs"][0]
    assert old["started"] is not None and old["limit"] is None  # from the folder's stamp
    assert not [p for p in index["phases"] if p["run"] == old["id"]]  # no times then: no phase listed
    assert index["runs"][2]["limit"] == ["node1"] and index["runs"][2]["mode"] == "standard"
    assert {h: (n["state"], n["version"]) for h, n in index["nodes"].items()} == dict(
        (h, ("applied", "7.7")) for h in ("node1", "node2", "node3"))
    assert index["next_command"] is None and index["forecast"]["nodes"] == []
    starts = [p["start"] for p in index["phases"]]
    assert starts == sorted(starts)  # oldest first, as the page's tables read
    preflight = [p for p in index["phases"] if p["host"] == "node1" and p["phase"] in ("PREFLIGHT", "EXPORT")]
    assert [p["phase"] for p in preflight][:2] == ["PREFLIGHT", "EXPORT"]  # time order, not name order
    for entry in index["phases"]:
        assert entry["start"] <= entry["end"] and entry["seconds"] >= 0
        assert entry["log"].startswith(entry["run"] + "/logs/" + entry["host"] + "/")
    applied = set((p["host"], p["phase"]) for p in index["phases"] if p["run"] == index["runs"][-1]["id"])
    assert {("node2", "APPLY"), ("node3", "VERIFY"), ("node3", "POST-UPGRADE")} <= applied
    # rebuilt from the same files: the same index
    assert campaign.build_index(list(reversed(reports)), NOW) == index


@pytest.mark.parametrize("play_hosts, applied, first", [
    (["node1", "node2", "node3"], [], "node1"),          # the first Admin Node Manager goes first
    (["node3", "node1", "node2"], [], "node1"),          # whatever the play's order
    (["node1", "node2", "node3"], ["node1"], "node2"),   # then the play's order
    (["node2", "node3"], ["node1", "node2"], "node3"),
    (["node1", "node2"], ["node1", "node2"], None),      # nothing left to apply
])
def test_first_to_apply(play_hosts, applied, first):
    assert apply_window.first_to_apply(play_hosts, applied, "node1") == first


def test_the_window_gate_refuses_the_run_before_anything_stops_when_its_first_node_cannot_end_in_time():
    reports = campaign_reports()  # node1 applied; node2 and node3 forecast at 40 s each
    late = apply_window.apply_window_gate("2026-12-01T15:00:05Z", ["node1", "node2", "node3"], ["node1"], "node1", "",
                                          now="2026-12-01T15:00:00Z", reports=reports)
    assert len(late) == 1 and late[0].startswith("node2 is not started: its apply is forecast to take 40.0 s")
    assert "It is the first node this run would apply: nothing was stopped or applied." in late[0]
    assert "Nodes already applied stay applied" not in late[0]
    # a window the first node fits in: the gate passes (later nodes are asked before each starts)
    assert apply_window.apply_window_gate("2026-12-01T15:01:00Z", ["node1", "node2", "node3"], ["node1"], "node1", "",
                                          now="2026-12-01T15:00:00Z", reports=reports) == []
    # no window: a blank survey answer arrives as "" or as null
    for blank in ("", None):
        assert apply_window.apply_window_gate(blank, ["node2"], ["node1"], "node1", "/nonexistent") == []
    # every node applied: nothing to start, nothing to refuse
    assert apply_window.apply_window_gate("2026-12-01T15:00:05Z", ["node1"], ["node1"], "node1", "",
                                          now="2026-12-01T15:00:00Z", reports=reports) == []


def test_a_node_refused_during_the_run_is_told_that_the_applied_ones_stay():
    late = apply_window.apply_window_verdict("2026-12-01T15:00:05Z", "node2", "", now="2026-12-01T15:00:00Z",
                                             reports=campaign_reports())
    assert "Nodes already applied stay applied." in late and "nothing was stopped" not in late


def test_the_window_may_come_as_the_datetime_yaml_makes_of_it():
    # an unquoted time in YAML, or an AWX survey's answer under ansible-core 2.19 (!unsafe "..."),
    # arrives as a datetime, not as text
    import datetime
    reports = campaign_reports()
    late = datetime.datetime(2026, 12, 1, 15, 0, 5, tzinfo=datetime.timezone.utc)
    refused = apply_window.apply_window_gate(late, ["node2"], ["node1"], "node1", "", now="2026-12-01T15:00:00Z",
                                             reports=reports)
    assert len(refused) == 1 and "2026-12-01T15:00:05Z (apigw_apply_window_end)" in refused[0]
    assert apply_window.apply_window_verdict(late, None, "") == ""  # a valid value
    with pytest.raises(Exception) as err:  # YAML's datetime of a time without an offset
        apply_window.apply_window_verdict(datetime.datetime(2026, 12, 1, 22, 0), None, "")
    assert "has no UTC offset" in str(err.value) and "apigw_apply_window_end" in str(err.value)
