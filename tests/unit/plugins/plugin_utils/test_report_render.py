"""The renderers: HTML parses, JUnit validates, and the numbers match the input."""
import json
import os

import pytest
from lxml import etree, html

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import report_render as rr

XSD = os.path.join(os.path.dirname(__file__), "..", "..", "data", "junit.xsd")
PHASES = rr.PHASES
KPS = "ERROR: Found duplicate 'apiadmin' users in KPS table: /opt/x/sysexport_json"


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
    assert cell.get("class") == "FAILED" and "E1" in cell.text_content()
    text = doc.text_content()
    assert KPS in text
    assert "Check for duplicate API Manager data" in text
    assert "an undocumented warning" in text
    assert doc.xpath('//a[@href="logs/node2/upgrade.log"]')
    assert not doc.xpath("//script")  # host names are escaped, never markup


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
    assert "| node2 |" in md and "FAILED (W1 E1)" in md
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
    hv = {"node1": {"apigw_zdu": {}}, "node2": {"apigw_zdu": {}}}
    for phase in ("PRE-APPLY", "APPLY", "POST-APPLY"):
        hv["node1"]["apigw_zdu"] = rolling.zdu_mark(hv["node1"]["apigw_zdu"], phase, "PASSED", at=10)
    hv["node2"]["apigw_zdu"] = rolling.zdu_mark(rolling.zdu_mark({}, "PRE-APPLY", "PASSED", at=20), "APPLY", "FAILED", at=30)
    hv["node2"]["apigw_zdu"] = rolling.zdu_mark(hv["node2"]["apigw_zdu"], "ROLLBACK", "PASSED", at=40)
    done = {"node1": ["export", "upgrade", "apply"], "node2": ["export", "upgrade"]}
    return dict(sample_report(), zdu=rolling.zdu_report(["node1", "node2"], hv, done, now=50))


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
