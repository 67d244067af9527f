"""(c) A catalogue upgrade error on node2: reported with host and message; others complete; apply refuses."""
import lxml.html
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]


def test_test_upgrade_names_the_host_and_the_message(steps):
    out = steps["test_upgrade"]["stdout"]
    assert "Found duplicate 'apiadmin' users in KPS table" in out
    recap = vh.recap(out)
    assert recap["node2"]["failed"] == 1
    assert recap["node1"]["failed"] == 0 and recap["node3"]["failed"] == 0
    # The summary table: node2 failed its upgrade with one error, the others passed it.
    assert [vh.cell_counts(c) for c in vh.table_rows(out, "node2")[-1][:3]] == [
        ("PASSED", 0, 0), ("PASSED", 0, 0), ("FAILED", 0, 1)]
    for node in ("node1", "node3"):
        assert vh.table_rows(out, node)[-1][2].startswith("PASSED")


def test_other_nodes_completed():
    lab = vh.lab()
    for node in ("node1", "node3"):
        out = lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status", check=True).stdout
        assert "Current status: export and upgrade complete" in out
    assert "Current status: export complete" in lab.ssh("node2", NEW + "/upgrade/bin/sysupgrade status").stdout


def test_apply_refused_naming_node2(steps):
    [refusal] = [msg for _host, msg in vh.failures(steps["apply"]["stdout"])
                 if msg.startswith("Not every node of the domain is ready")]
    assert refusal.startswith("Not every node of the domain is ready for apply, so nothing was stopped or "
                              "applied: node2: ")


def test_nothing_stopped_or_applied(host):
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 1
    lab = vh.lab()
    assert vh.sysupgrade_calls(lab, host.backend.get_hostname(), "apply") == []


def test_report_puts_the_error_on_node2_upgrade_with_its_remediation():
    report = vh.Report("test_upgrade")
    assert report.cell("node2", "UPGRADE")["result"] == "FAILED"
    assert report.cell("node2", "UPGRADE")["errors"] == 1
    for node in ("node1", "node3"):
        assert [report.cell(node, p)["result"] for p in ("PREFLIGHT", "EXPORT", "UPGRADE")] == ["PASSED"] * 3
    [kps] = report.issues("node2", "UPGRADE", "error")
    assert kps["check"] == "API Manager"
    assert "Found duplicate 'apiadmin' users in KPS table" in kps["message"]
    assert kps["catalogue_id"] == "kps-duplicates" and "upgrade_errors.md" in kps["remediation"]
    assert [i for i in report.issues() if i["severity"] == "error"] == [kps]
    # The page and the JUnit case carry the message with the advice beside it.
    row = [tr for tr in report.html.xpath('//table[@class="issues"]/tr') if "apiadmin" in tr.text_content()]
    assert len(row) == 1 and kps["remediation"] in row[0].text_content()
    failure = report.junit.xpath('//testsuite[@name="node2"]/testcase[@name="UPGRADE"]/failure')[0]
    assert "apiadmin" in failure.text and kps["remediation"] in failure.text
    # How to resume: test_upgrade on node2 alone; apply is not offered while a node is unfinished.
    assert [(r["host"], r["phase"]) for r in report.data["resume"]] == [("node2", "UPGRADE")]
    assert "apigw.sysupgrade.test_upgrade --limit node2" in report.data["resume"][0]["command"]
    assert report.data["all_passed"] is False


def test_report_has_each_nodes_logs(lab):
    report = vh.Report("test_upgrade")
    for node in ("node1", "node2", "node3"):
        assert sorted(report.data["logs"][node]) == ["export", "upgrade"]
        for step in ("export", "upgrade"):
            fetched = (report.path / report.data["logs"][node][step]).read_text()
            assert fetched == (lab.opt(node) / ("Axway-7.7/apigateway/upgrade/bin/out/logs/%s.log" % step)).read_text()
    assert "Found duplicate 'apiadmin' users" in (report.path / "logs/node2/upgrade.log").read_text()
    for text in report.files_text().values():
        assert all(secret not in text for secret in vh.secrets(lab))


def test_report_renders_in_a_browser(lab):
    """report.html in headless Chromium: the grid shows node2's failed upgrade; a screenshot is kept
    under tests/output/artifacts/ for people to look at."""
    report = vh.Report("test_upgrade")
    shot = vh.REPO / "tests" / "output" / "artifacts" / "upgrade_error-report.png"
    dom = vh.render_in_chromium(report.path / "report.html", shot)
    cell = lxml.html.fromstring(dom).xpath('//tr[@data-host="node2"]/td[@data-phase="UPGRADE"]')[0]
    assert vh.cell_counts(cell.text_content()) == ("FAILED", 0, 1)
    assert vh.png_size(shot) == (1280, 900)


def test_workflow_stats_say_not_ready(steps):
    stats = vh.custom_stats(steps["test_upgrade"]["stdout"])
    assert stats["apigw_all_nodes_passed"] is False
    assert stats["apigw_unfinished_nodes"] == ["node2"]
    assert stats["apigw_nodes"]["node2"]["UPGRADE"] == "FAILED"
    assert stats["apigw_report_folder"] == str(vh.Report("test_upgrade").path)


def test_refused_apply_reports_why_node2_is_not_ready():
    report = vh.Report("apply")
    cell = report.cell("node2", "UPGRADE")
    assert cell["result"] == "FAILED" and "not ready for apply" in cell["message"]
    assert [i["phase"] for i in report.issues(severity="error")] == ["UPGRADE"]
    for node in ("node1", "node3"):
        assert [report.cell(node, p)["result"] for p in ("UPGRADE", "STOP-OLD", "APPLY")] == ["SKIPPED", "NOT RUN", "NOT RUN"]
    assert [(r["host"], r["phase"]) for r in report.data["resume"]] == [("node2", "UPGRADE")]
