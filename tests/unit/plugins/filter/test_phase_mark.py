"""The one clock of a run (filter phase_mark) and how a node's run record reads it."""
import pytest

from ansible_collections.apigw.sysupgrade.plugins.filter.phase_mark import phase_mark
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import run_record


def test_a_phase_runs_from_its_start_and_ends_with_its_result_or_ended():
    marks = phase_mark({}, "VERIFY", "start", at=100)
    assert marks["VERIFY"] == {"start": 100.0, "end": None, "result": "RUNNING", "message": ""}
    ended = phase_mark(marks, "VERIFY", "end", at=112.34)
    assert ended["VERIFY"] == {"start": 100.0, "end": 112.34, "result": "ENDED", "message": ""}
    failed = phase_mark(phase_mark({}, "APPLY", "start", at=10), "APPLY", "end", result="FAILED", at=25,
                        message="CSR signing failed")
    assert failed["APPLY"] == {"start": 10.0, "end": 25.0, "result": "FAILED", "message": "CSR signing failed"}
    assert marks["VERIFY"]["end"] is None  # a copy: the fact changes only through set_fact


def test_an_end_without_a_start_starts_there():
    assert phase_mark({}, "ROLLBACK", "end", result="PASSED", at=40)["ROLLBACK"]["start"] == 40.0


def test_close_ends_every_open_phase_and_leaves_it_running():
    marks = phase_mark(phase_mark({}, "VERIFY", "start", at=100), "VERIFY", "end", at=112)
    marks = phase_mark(marks, "POST-UPGRADE", "start", at=113)
    closed = phase_mark(marks, None, "close", at=120)
    assert closed["VERIFY"]["end"] == 112.0  # already ended: untouched
    # cut short: its end is known, its result says it never finished
    assert (closed["POST-UPGRADE"]["end"], closed["POST-UPGRADE"]["result"]) == (120.0, "RUNNING")


@pytest.mark.parametrize("event, result", [("begin", None), ("end", "OK"), ("end", "RUNNING")])
def test_an_unknown_event_or_result_is_refused(event, result):
    with pytest.raises(ValueError) as err:
        phase_mark({}, "VERIFY", event, result=result)
    assert "phase_mark" in str(err.value)


def test_the_steps_own_timing_wins_over_the_mark():
    mark = phase_mark({}, "VERIFY", "end", at=112.34)["VERIFY"]
    mark["start"] = 100.0
    assert run_record.phase_timing(None, mark) == {
        "start": "1970-01-01T00:01:40Z", "end": "1970-01-01T00:01:52Z", "seconds": 12.3}
    assert run_record.phase_timing({"timing": {"start": 0, "end": 5}}, mark)["seconds"] == 5.0


def test_only_a_node_of_a_rolling_apply_has_a_rolling_part():
    standard = phase_mark(phase_mark({}, "STOP-OLD", "start", at=1), "VERIFY", "start", at=2)
    rollback_run = phase_mark({}, "ROLLBACK", "end", at=3)  # rollback.yml's own phase
    assert run_record.rolling_marks(standard) == {} and run_record.rolling_marks(rollback_run) == {}
    rolling = phase_mark(phase_mark(standard, "PRE-APPLY", "end", result="PASSED", at=4),
                         "APPLY", "end", result="FAILED", at=5, message="boom")
    assert sorted(run_record.rolling_marks(rolling)) == ["APPLY", "PRE-APPLY"]
    # a node applied by an earlier run only passes POST-APPLY
    again = phase_mark({}, "POST-APPLY", "end", result="PASSED", at=6)
    assert list(run_record.rolling_marks(again)) == ["POST-APPLY"]
    record = run_record.build("node1", {"__apigw_phase_marks": rolling})
    assert record["rolling"]["APPLY"]["message"] == "boom"
    assert record["phases"]["VERIFY"]["start"] == "1970-01-01T00:00:02Z"
