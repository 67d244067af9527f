"""The renderers: HTML parses, JUnit validates, and the numbers match the input."""
import json
import os

import pytest
from lxml import etree, html

from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import report_render as rr

XSD = os.path.join(os.path.dirname(__file__), "..", "..", "data", "junit.xsd")
PHASES = rr.PHASES
KPS = "ERROR: Found duplicate 'apiadmin' users in KPS table: /opt/x/sysexport_json"


def shown(element):
    """An element's text as a browser shows it (runs of white space collapsed)."""
    return " ".join(element.text_content().split())


def _cell(result, w=0, e=0, msg=""):
    return {"result": result, "warnings": w, "errors": e, "message": msg}


def sample_report():
    ok = {p: _cell("PASSED") for p in PHASES[:3]}
    ok.update({p: _cell("NOT RUN") for p in PHASES[3:]})
    bad = dict(ok, UPGRADE=_cell("FAILED", 1, 1, "upgrade failed"))
    gone = dict(ok, EXPORT=_cell("UNREACHABLE", msg="the host became unreachable"),
                UPGRADE=_cell("NOT RUN"))
    return {
        "generated": "2026-11-25T05:00:00Z", "playbook": "test_upgrade",
        "rows": [{"host": "node1", "topology_host": "NodeA", "phases": ok},
                 {"host": "node2", "topology_host": "NodeB", "phases": bad},
                 {"host": "node3<script>", "topology_host": "NodeC", "phases": gone}],
        "resume": [{"host": "node2", "phase": "UPGRADE",
                    "command": "ansible-playbook apigw.sysupgrade.test_upgrade --limit node2"}],
        "issues": [{"host": "node2", "phase": "UPGRADE", "severity": "error", "check": "kps", "message": KPS},
                   {"host": "node2", "phase": "UPGRADE", "severity": "warning", "check": "x",
                    "message": "an undocumented warning"}],
        "logs": {"node2": {"upgrade": "logs/node2/upgrade.log", "export": "logs/node2/export.log"}},
    }


def test_html_parses_and_has_grid():
    doc = html.fromstring(rr.render_html(sample_report()))
    row = doc.xpath('//tr[@data-host="node2"]')[0]
    cell = row.xpath('td[@data-phase="UPGRADE"]')[0]
    assert cell.get("class") == "FAILED" and shown(cell) == "FAILED \u00b7 1 warning \u00b7 1 error"
    text = doc.text_content()
    assert KPS in text
    assert "Check for duplicate API Manager data" in text
    assert "an undocumented warning" in text
    assert doc.xpath('//a[@href="logs/node2/upgrade.log"]')
    assert not doc.xpath("//script")  # host names are escaped, never markup


def timed_report():
    """The sample with the times and log links each phase gains (start, end, seconds, log)."""
    rep = sample_report()
    node1 = rep["rows"][0]["phases"]
    node1["EXPORT"] = dict(node1["EXPORT"], start="2026-11-25T04:50:00Z", end="2026-11-25T04:50:41Z",
                           seconds=41.0, log="logs/node1/export.log")
    node1["UPGRADE"] = dict(node1["UPGRADE"], warnings=1, seconds=185.0, log="logs/node1/upgrade.log")
    node1["PREFLIGHT"] = dict(node1["PREFLIGHT"], seconds=3.0, log=None)
    node1["STOP-OLD"] = dict(node1["STOP-OLD"], seconds=None, log=None)
    rep["rows"][1]["phases"]["UPGRADE"] = dict(rep["rows"][1]["phases"]["UPGRADE"], seconds=12.4,
                                               log="logs/node2/upgrade.log")
    return rep


def test_html_cells_show_duration_link_the_log_and_drop_zero_counts():
    doc = html.fromstring(rr.render_html(timed_report()))

    def td(host, phase):
        return doc.xpath('//tr[@data-host="%s"]/td[@data-phase="%s"]' % (host, phase))[0]
    export = td("node1", "EXPORT")
    assert shown(export) == "PASSED \u00b7 41 s" and export.get("data-seconds") == "41.0"
    assert [a.get("href") for a in export.xpath("a")] == ["logs/node1/export.log"]
    assert shown(td("node1", "UPGRADE")) == "PASSED \u00b7 3 min 05 s \u00b7 1 warning"
    assert shown(td("node1", "PREFLIGHT")) == "PASSED \u00b7 3 s" and not td("node1", "PREFLIGHT").xpath("a")
    assert shown(td("node1", "STOP-OLD")) == "NOT RUN" and td("node1", "STOP-OLD").get("data-seconds") is None
    failed = td("node2", "UPGRADE")
    assert shown(failed) == "FAILED \u00b7 12 s \u00b7 1 warning \u00b7 1 error"
    assert failed.xpath("a/@href") == ["logs/node2/upgrade.log"]
    assert "W0" not in doc.text_content() and "E0" not in doc.text_content()


def test_a_log_without_a_time_is_still_linked():
    rep = sample_report()
    rep["rows"][0]["phases"]["EXPORT"] = dict(rep["rows"][0]["phases"]["EXPORT"], log="logs/node1/export.log")
    cell = html.fromstring(rr.render_html(rep)).xpath('//tr[@data-host="node1"]/td[@data-phase="EXPORT"]')[0]
    assert shown(cell) == "PASSED \u00b7 log" and cell.xpath("a/@href") == ["logs/node1/export.log"]
    assert "| PASSED \u00b7 [log](logs/node1/export.log) |" in rr.render_markdown(rep)


def test_markdown_cells_link_the_duration_to_the_log():
    md = rr.render_markdown(timed_report())
    assert "| node1 | PASSED \u00b7 3 s | PASSED \u00b7 [41 s](logs/node1/export.log) | " in md
    assert "FAILED \u00b7 [12 s](logs/node2/upgrade.log) \u00b7 1 warning \u00b7 1 error" in md


def test_junit_validates_and_counts():
    schema = etree.XMLSchema(etree.parse(XSD))
    tree = etree.fromstring(rr.render_junit(sample_report()).encode("utf-8"))
    schema.assertValid(tree)
    assert tree.get("tests") == str(3 * len(PHASES))
    assert tree.get("failures") == "1" and tree.get("errors") == "1"
    case = tree.xpath('//testsuite[@name="node2"]/testcase[@name="UPGRADE"]')[0]
    failure = case.find("failure")
    assert KPS in failure.text and "Check for duplicate API Manager data" in failure.text
    assert tree.xpath('//testsuite[@name="node3<script>"]/testcase[@name="EXPORT"]/error')


def test_markdown_and_json():
    rep = sample_report()
    md = rr.render_markdown(rep)
    assert "| node2 |" in md and "| FAILED \u00b7 1 warning \u00b7 1 error |" in md and "W0" not in md
    assert "--limit node2" in md and "[upgrade](logs/node2/upgrade.log)" in md
    data = json.loads(rr.render_json(rep))
    assert data["issues"][0]["catalogue_id"] == "kps-duplicates"
    assert data["issues"][1]["remediation"] is None


@pytest.mark.parametrize("secrets", [["s3cret", "s3cret-longer"], []])
def test_mask(secrets):
    text = "pw=s3cret-longer and s3cret"
    out = rr.mask(text, secrets)
    assert all(s not in out for s in secrets)


def test_html_says_so_when_there_is_nothing_to_list():
    rep = dict(sample_report(), issues=[], resume=[])
    doc = html.fromstring(rr.render_html(rep))
    assert not doc.xpath('//table[@class="issues"]')
    assert "No warnings or errors." in doc.text_content()
    assert "Nothing to resume" in doc.text_content()


def zdu_report():
    from ansible_collections.apigw.sysupgrade.plugins.filter import rolling
    from ansible_collections.apigw.sysupgrade.plugins.filter.phase_mark import phase_mark
    marks = {"node1": {}, "node2": {}}
    for phase in ("PRE-APPLY", "APPLY", "POST-APPLY"):
        marks["node1"] = phase_mark(marks["node1"], phase, "end", result="PASSED", at=10)
    marks["node2"] = phase_mark(phase_mark({}, "PRE-APPLY", "end", result="PASSED", at=20), "APPLY", "end", result="FAILED", at=30)
    marks["node2"] = phase_mark(marks["node2"], "ROLLBACK", "end", result="PASSED", at=40)
    hv = dict((host, {"__apigw_phase_marks": m}) for host, m in marks.items())
    done = {"node1": ["export", "upgrade", "apply"], "node2": ["export", "upgrade"]}
    return dict(sample_report(), zdu=rolling.zdu_report(run_records(["node1", "node2"], hv), done, now=50))


def test_rolling_report_shows_the_vendors_zdu_table_in_html_and_markdown():
    rep = zdu_report()
    doc = html.fromstring(rr.render_html(rep))
    assert doc.xpath("//h2[starts-with(., 'Zero-downtime summary: APPLY_FAILED (73)')]")
    cell = doc.xpath("//table[@class='zdu']//tr[@data-zdu-host='node2']/td[@data-zdu-phase='APPLY']")[0]
    assert cell.text == "FAILED (73)" and cell.get("class") == "FAILED"
    rollback = doc.xpath("//table[@class='zdu']//tr[@data-zdu-host='node2']/td[@data-zdu-phase='ROLLBACK']")[0]
    assert rollback.text == "PASSED (0)"
    assert any("quota counts" in p.text_content() for p in doc.xpath("//p"))
    md = rr.render_markdown(rep)
    assert "## Zero-downtime summary: APPLY_FAILED (73)" in md
    assert "| node2 | PASSED (0) | PASSED (0) | PASSED (0) | FAILED (73) | * | PASSED (0) |" in md
    assert '"code": 73' in rr.render_json(rep)


def test_standard_report_has_no_zdu_table():
    assert "Zero-downtime" not in rr.render_html(sample_report())
    assert "Zero-downtime" not in rr.render_markdown(sample_report())


def test_junit_cases_carry_the_phase_time():
    tree = etree.fromstring(rr.render_junit(timed_report()).encode("utf-8"))
    etree.XMLSchema(etree.parse(XSD)).assertValid(tree)
    assert tree.xpath('//testsuite[@name="node1"]/testcase[@name="UPGRADE"]/@time') == ["185.0"]
    assert tree.xpath('//testsuite[@name="node1"]/testcase[@name="STOP-OLD"]/@time') == ["0"]
