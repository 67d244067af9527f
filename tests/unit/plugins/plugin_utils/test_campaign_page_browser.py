"""The campaign index and a failed run's page as headless Chromium renders them (no lab needed).

The pages are rendered from fixtures in the index.json / report.json contract, laid out as in
apigw-reports/ (index.html beside the run folders), loaded from files, and read back from the DOM
the browser built. Screenshots are kept under tests/output/campaign/ for people to look at.
"""
import json
import sys
from pathlib import Path

import pytest
from lxml import html

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign_render, report_render

REPO = Path(__file__).resolve().parents[4]
DATA = REPO / "tests" / "unit" / "data" / "campaign"
SHOTS = REPO / "tests" / "output" / "campaign"
sys.path.insert(0, str(REPO / "tests" / "support"))

from browser import png_size, render_in_chromium  # noqa: E402  pylint: disable=wrong-import-position

FAILED_RUN = "20261201T090200Z-test_upgrade"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """An apigw-reports folder: index.html, and the failed run's report.html in its run folder."""
    root = tmp_path_factory.mktemp("apigw-reports")
    index = json.loads((DATA / "index.json").read_text())
    (root / "index.html").write_text(campaign_render.render_index_html(index), encoding="utf-8")
    run = root / FAILED_RUN
    run.mkdir()
    report = json.loads((DATA / "failed_run_report.json").read_text())
    (run / "report.html").write_text(report_render.render_html(report), encoding="utf-8")
    return {"root": root, "index": index, "report": report}


@pytest.fixture(scope="module")
def index_dom(reports):
    dom = render_in_chromium(reports["root"] / "index.html", SHOTS / "index.png", size=(1280, 1100))
    return html.fromstring(dom)


@pytest.fixture(scope="module")
def run_dom(reports):
    dom = render_in_chromium(reports["root"] / FAILED_RUN / "report.html", SHOTS / "failed-run.png")
    return html.fromstring(dom)


def _bars(dom, host):
    return [r for r in dom.xpath("//svg//rect") if "bar" in r.get("class", "").split() and r.get("data-host") == host]


def test_the_timeline_has_each_hosts_bars_in_time_order(reports, index_dom):
    assert index_dom.xpath("//svg[@class='timeline']"), "the browser kept no timeline"
    for host in ("node1", "node2", "node3"):
        phases = [p for p in reports["index"]["phases"] if p["host"] == host]
        found = _bars(index_dom, host)
        assert len(found) == len(phases), host
        xs = [float(r.get("x")) for r in found]
        assert xs == sorted(xs), "%s's bars are not in time order" % host
        assert [r.get("data-phase") for r in found] == [p["phase"] for p in phases]


def test_bar_widths_are_proportional_to_seconds(index_dom):
    found = [r for host in ("node1", "node2", "node3") for r in _bars(index_dom, host)
             if float(r.get("data-seconds")) >= 10]  # a bar has at least 1 px; longer ones are to scale
    longest = max(found, key=lambda r: float(r.get("data-seconds")))
    scale = float(longest.get("width")) / float(longest.get("data-seconds"))
    for rect in found:  # to the page's 0.01 px
        assert abs(float(rect.get("width")) - float(rect.get("data-seconds")) * scale) < 0.02, rect.attrib
    # node1's 17-minute upgrade is drawn wider than all of its apply-day bars together.
    node1 = _bars(index_dom, "node1")
    [upgrade] = [float(r.get("width")) for r in node1 if r.get("data-phase") == "UPGRADE"]
    assert upgrade > sum(float(r.get("width")) for r in node1 if r.get("data-run").endswith("-apply"))


def test_the_failed_phase_bar_is_failed_and_links_its_log(index_dom):
    failed = [r for r in index_dom.xpath("//svg//rect") if r.get("data-result") == "FAILED"]
    assert [(r.get("data-host"), r.get("data-phase"), r.get("data-run")) for r in failed] == [
        ("node2", "UPGRADE", FAILED_RUN)]
    assert "FAILED" in failed[0].get("class").split()
    assert failed[0].getparent().get("href") == FAILED_RUN + "/logs/node2/upgrade.log"
    assert "node2 UPGRADE: FAILED, 6 min 25 s" in failed[0].findtext("title")


def test_the_index_shows_the_next_command_and_the_window_overrun(reports, index_dom):
    assert index_dom.xpath("//pre[@class='next']/code/text()") == [reports["index"]["next_command"]]
    assert index_dom.xpath("//table[@class='forecast']//tr[@data-host='node3']/td[@class='exceeds']")
    assert index_dom.xpath("//table[@class='runs']//a/@href")[0] == FAILED_RUN + "/report.html"


def test_the_failed_run_cell_shows_duration_and_log_without_zero_counts(run_dom):
    cell = run_dom.xpath("//tr[@data-host='node2']/td[@data-phase='UPGRADE']")[0]
    assert cell.get("class") == "FAILED"
    assert " ".join(cell.text_content().split()) == "FAILED \u00b7 6 min 25 s \u00b7 1 error"
    assert cell.xpath("a/@href") == ["logs/node2/upgrade.log"] and cell.xpath("a/text()") == ["6 min 25 s"]
    passed = run_dom.xpath("//tr[@data-host='node1']/td[@data-phase='EXPORT']")[0]
    assert " ".join(passed.text_content().split()) == "PASSED \u00b7 4 min 10 s"
    grid = run_dom.xpath("//table[@class='grid']")[0].text_content()
    assert "W0" not in grid and "E0" not in grid


def test_screenshots_are_kept(index_dom, run_dom):
    assert png_size(SHOTS / "index.png") == (1280, 1100)
    assert png_size(SHOTS / "failed-run.png") == (1280, 900)
