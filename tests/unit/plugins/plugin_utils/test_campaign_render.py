"""The campaign page: its time axis (idle gaps cut out), the Gantt bars, and the sections it lists.

The fixture (tests/unit/data/campaign/index.json) is the demo's three nodes through a campaign with
realistic times: test_upgrade failing on node2's upgrade, test_upgrade again on node2 an hour later,
then apply on node1 three hours after that; node2 and node3 left, forecast against a window
that node3 would overrun.
"""
import copy
import json
import os

import pytest
from lxml import html

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign_render as cr

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "campaign")


@pytest.fixture
def index():
    with open(os.path.join(DATA, "index.json")) as f:
        return json.load(f)


def page(index):
    return html.fromstring(cr.render_index_html(index))


# --- the axis -----------------------------------------------------------------------------------

def test_intervals_closer_than_the_idle_limit_share_a_busy_period():
    assert cr.busy_periods([(100, 200), (250, 300), (1000, 1100), (0, 30)], max_idle=60) == [
        (0, 30), (100, 300), (1000, 1100)]
    assert cr.busy_periods([(0, 100), (10, 20)], max_idle=0) == [(0, 100)]  # contained
    assert cr.busy_periods([]) == []


def test_the_axis_cuts_long_idle_gaps_and_keeps_busy_time_to_one_scale():
    # Two 10-minute runs five hours apart, on 500 px with a 20 px break.
    axis = cr.time_axis([(0, 600), (18600, 19200)], width=500, max_idle=300, break_px=20)
    assert axis["scale"] == pytest.approx(480 / 1200.0)
    assert [s["x"] for s in axis["segments"]] == [0, pytest.approx(260)]
    assert axis["breaks"] == [{"x": pytest.approx(240), "start": 600, "end": 18600}]
    assert cr.x_at(axis, 300) == pytest.approx(120)
    assert cr.x_at(axis, 18600) == pytest.approx(260)
    assert cr.x_at(axis, 19200) == pytest.approx(500)  # the axis is used to its end


def test_a_short_gap_is_drawn_to_scale_not_cut():
    axis = cr.time_axis([(0, 100), (200, 300)], width=300, max_idle=300)
    assert axis["breaks"] == [] and axis["scale"] == pytest.approx(1.0)
    assert cr.x_at(axis, 150) == pytest.approx(150)


def test_an_empty_or_instant_axis_does_not_divide_by_zero():
    assert cr.time_axis([]) == {"scale": 1.0, "segments": [], "breaks": [], "width": cr.CHART_PX}
    axis = cr.time_axis([(50, 50)])
    assert cr.x_at(axis, 50) == 0
    assert cr.ticks(axis)[0] == (0, "00:00:50")


def test_ticks_label_each_busy_period_and_stay_few():
    axis = cr.time_axis([(0, 3600), (86400, 90000)], width=1000)
    marks = cr.ticks(axis)
    assert len(marks) <= 2 * (cr.MAX_TICKS + 1)
    assert marks[0] == (0, "00:00:00")
    assert (axis["segments"][1]["x"], "00:00:00") in marks  # the second day's period starts labelled
    xs = [mark[0] for mark in marks]
    assert xs == sorted(xs)


def test_iso_times_with_z_and_fractions_read_on_python_39():
    assert cr.epoch("1970-01-01T00:01:00Z") == 60
    assert cr.epoch("1970-01-01T00:01:00.500Z") == 60.5
    assert cr.epoch("1970-01-01T00:01:00.25Z") == 60.25
    assert cr.epoch("1970-01-01T00:01:00.123456789Z") == pytest.approx(60.123456)
    assert cr.epoch("1970-01-01T01:01:00+01:00") == 60
    assert cr.epoch(None) is None


# --- the timeline ---------------------------------------------------------------------------------

def bars(doc):
    return doc.xpath("//svg//rect[contains(concat(' ', @class, ' '), ' bar ')]")


def test_one_bar_per_timed_phase_in_its_hosts_lane_linked_to_its_log(index):
    doc = page(index)
    found = bars(doc)
    assert len(found) == len(index["phases"])
    for host in ("node1", "node2", "node3"):
        lane = doc.xpath("//svg//g[@class='lane'][@data-host='%s']" % host)[0]
        expected = [p for p in index["phases"] if p["host"] == host]
        assert len(lane.xpath(".//rect")) == len(expected)
    logged = [p for p in index["phases"] if p["log"]]
    assert sorted(a.get("href") for a in doc.xpath("//svg//a[rect]")) == sorted(p["log"] for p in logged)


def test_bars_are_placed_by_time_and_sized_by_seconds(index):
    doc = page(index)
    node1 = [r for r in bars(doc) if r.get("data-host") == "node1"]
    starts = [cr.epoch(p["start"]) for p in index["phases"] if p["host"] == "node1"]
    assert [float(r.get("x")) for r in node1] == sorted(float(r.get("x")) for r in node1)
    assert starts == sorted(starts)
    scale = {float(r.get("width")) / float(r.get("data-seconds")) for r in node1}
    assert max(scale) - min(scale) < 1e-3  # one scale for every bar, breaks or not
    upgrade = [r for r in node1 if r.get("data-phase") == "UPGRADE"][0]
    assert upgrade.get("data-run") == "20261201T090200Z-test_upgrade" and upgrade.get("data-seconds") == "1041.0"
    assert "17 min 21 s" in upgrade.findtext("title")


def test_the_failed_phase_is_a_failed_bar(index):
    [failed] = [r for r in bars(page(index)) if r.get("data-result") == "FAILED"]
    assert (failed.get("data-host"), failed.get("data-phase")) == ("node2", "UPGRADE")
    assert "FAILED" in failed.get("class").split()


def test_idle_hours_between_runs_are_breaks(index):
    doc = page(index)
    gaps = doc.xpath("//svg//g[@class='break']")
    # 09:25 -> 10:15 and 10:33 -> 13:30: two breaks, each saying how long it stood idle.
    assert [int(g.get("data-idle-seconds")) for g in gaps] == [2948, 10606]
    assert "idle 49 min 08 s" in gaps[0].findtext("title")
    assert doc.xpath("//svg//g[@class='tick']/text")


def test_a_phase_without_times_is_listed_but_not_drawn(index):
    index["phases"].append({"run": "r", "host": "node3", "phase": "APPLY", "result": "FAILED",
                            "start": None, "end": None, "seconds": None, "log": None})
    doc = page(index)
    assert len(bars(doc)) == len(index["phases"]) - 1
    rows = doc.xpath("//table[@class='phases'][@data-host='node3']/tr")
    assert len(rows) == 1 + len([p for p in index["phases"] if p["host"] == "node3"])


def test_the_forecast_and_the_window_are_drawn(index):
    doc = page(index)
    forecast = doc.xpath("//svg//rect[contains(@class, 'forecast')]")
    assert [(r.get("data-host"), r.get("class")) for r in forecast] == [
        ("node2", "forecast"), ("node3", "forecast over")]
    assert doc.xpath("//svg//g[@class='window']/line")


# --- the sections ---------------------------------------------------------------------------------

def test_runs_in_order_with_outcome_duration_and_report_link(index):
    rows = page(index).xpath("//table[@class='runs']/tr[@data-run]")
    assert [r.get("data-run") for r in rows] == [run["id"] for run in index["runs"]]
    first = rows[0]
    assert first.xpath("td/a/@href") == ["20261201T090200Z-test_upgrade/report.html"]
    assert first.xpath("td[@class='failed']/text()") == ["failed"]
    assert "23 min 52 s" in first.text_content()
    assert "--limit node1" in rows[2].text_content() and "4711" in rows[2].text_content()


def test_nodes_next_command_and_why(index):
    doc = page(index)
    assert doc.xpath("//table[@class='nodes']/tr[@data-host='node1']/td/text()")[0] == "applied"
    assert doc.xpath("//pre[@class='next']/code/text()") == [index["next_command"]]
    assert index["next_why"] in doc.xpath("//p[@class='why']/text()")


def test_nothing_to_run_next_says_so(index):
    index.update(next_command=None, next_why="every node is applied")
    doc = page(index)
    assert not doc.xpath("//pre[@class='next']") and "Nothing to run next." in doc.text_content()


def test_phase_tables_give_start_end_duration_and_log(index):
    table = page(index).xpath("//table[@class='phases'][@data-host='node2']")[0]
    failed = [tr for tr in table.xpath("tr") if "FAILED" in tr.text_content()][0]
    cells = [td.text_content() for td in failed.xpath("td")]
    assert cells == ["20261201T090200Z-test_upgrade", "UPGRADE", "FAILED", "2026-12-01 09:06:12",
                     "2026-12-01 09:12:37", "6 min 25 s", "log"]
    assert failed.xpath("td/a/@href") == ["20261201T090200Z-test_upgrade/logs/node2/upgrade.log"]


def test_the_forecast_marks_a_node_that_exceeds_the_window(index):
    doc = page(index)
    assert doc.xpath("//table[@class='forecast']/tr[@data-host='node3']/td[@class='exceeds']/text()") == [
        "exceeds window"]
    assert doc.xpath("//table[@class='forecast']/tr[@data-host='node2']/td[@class='fits']")
    assert "Exceeds the window: node3." in doc.xpath("//p[@class='exceeds']")[0].text_content()
    assert "window ends 2026-12-01 14:00:00 UTC" in doc.text_content()


def test_without_a_window_nothing_is_marked(index):
    forecast = index["forecast"]
    forecast["window_end"] = None
    for node in forecast["nodes"]:
        node["fits"] = None
    doc = page(index)
    assert not doc.xpath("//*[@class='exceeds']") and "no window set" in doc.text_content()
    assert not doc.xpath("//svg//g[@class='window']")


def test_a_forecast_without_seconds_renders(index):
    index["forecast"]["nodes"][0]["seconds"] = None
    doc = page(index)
    assert "forecast node2: unknown" in doc.xpath("//svg//rect[@class='forecast'][@data-host='node2']/title/text()")[0]


def test_an_empty_index_renders():
    doc = page({"schema": 1, "updated": None, "domain": {"first_anm": None, "hosts": []}, "runs": [],
                "nodes": {}, "next_command": None, "next_why": "", "phases": [], "forecast": {}})
    assert doc.xpath("//svg[@class='timeline']") and "No phase has a recorded time yet." in doc.text_content()


def test_every_text_is_escaped(index):
    evil = '<script>alert(1)</script>'
    index = copy.deepcopy(index)
    index["phases"][0]["host"] = evil
    index["domain"]["hosts"].append(evil)
    index["next_command"] = "apply --limit '%s'" % evil
    index["runs"][0]["playbook"] = evil
    text = cr.render_index_html(index)
    doc = html.fromstring(text)
    assert not doc.xpath("//script") and evil not in text
    assert doc.xpath("//svg//g[@class='lane']")[-1].get("data-host") == evil


def test_the_page_is_self_contained(index):
    text = cr.render_index_html(index)
    doc = html.fromstring(text)
    assert not doc.xpath("//script | //link | //img | //iframe")
    assert "http://" not in text and "https://" not in text


def test_markdown_tells_the_same_story(index):
    md = cr.render_index_markdown(index)
    assert "```\n%s\n```" % index["next_command"] in md
    assert "| [20261201T090200Z-test_upgrade](20261201T090200Z-test_upgrade/report.html) | test_upgrade | " \
           "2026-12-01 09:02:00 | 23 min 52 s | failed |" in md
    assert "| node3 | 10 min 35 s | node1's apply, stop to post-upgrade (measured) | 2026-12-01 14:06:10 | " \
           "**exceeds window** |" in md
    assert "| node1 | applied | 7.7.20240830 | 20261201T133000Z-apply | PASSED |" in md
