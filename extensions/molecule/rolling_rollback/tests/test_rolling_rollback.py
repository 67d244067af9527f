"""A rolling apply in which node2's apply fails (upgrade_errors.md, CSR signing): node2 is rolled back
to its old installation and takes traffic again, no request fails, and the run stops with node3
untouched (upgrade_zdu_overview.md: APPLY_FAILED, 73)."""
import urllib.request

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]


def test_no_request_failed(steps):
    traffic = vh.traffic()
    apply_start, apply_end = vh.step_window(steps["apply"])
    assert traffic["start"] <= apply_start and traffic["end"] >= apply_end
    # it ran until the test stopped it after the apply, every slot of that time sent and answered
    assert traffic["stopped_by"] == "stop_file" and traffic["sent"] < traffic["count"]
    assert traffic["sent"] >= (apply_end - apply_start) * traffic["rate"], traffic["sent"]
    assert traffic["failed"] == 0 and traffic["ok"] == traffic["sent"], traffic["failures"][:10]
    # node1 serves the new version, node2 (rolled back) and node3 the old one
    assert set(traffic["by_version"]) == {"7.5.3", "7.7"}


def test_node2_failed_in_apply_and_was_rolled_back(steps):
    out = steps["apply"]["stdout"]
    assert "Failed to sign CSR" in out
    assert "Apply failed on node2: in its APPLY phase:" in out and "Rolled back: its old installation serves again" in out
    assert "Summary table (Status.APPLY_FAILED)" in out
    rows = vh.zdu_rows(out)
    assert rows["node1"]["POST-APPLY"] == "PASSED (0)" and rows["node1"]["ROLLBACK"] == "*"
    assert rows["node2"]["PRE-APPLY"] == "PASSED (0)" and rows["node2"]["APPLY"] == "FAILED (73)"
    assert rows["node2"]["POST-APPLY"] == "*" and rows["node2"]["ROLLBACK"] == "PASSED (0)"
    assert [rows["node3"][p] for p in ("PRE-APPLY", "APPLY", "POST-APPLY", "ROLLBACK")] == ["*"] * 4
    stats = vh.custom_stats(out)
    assert stats["apigw_zdu_status"] == "APPLY_FAILED" and int(stats["apigw_zdu_status_code"]) == 73
    assert {k: int(v) for k, v in stats["apigw_zdu_nodes"].items()} == {"node1": 0, "node2": 73, "node3": 0}
    # the domain is left mixed, and the summary says so with the vendor's warning
    assert "The domain is mixed now: node1 run the new version, node2, node3 the old one" in out
    assert "quota counts" in out
    recap = vh.recap(out)
    assert recap["node2"]["failed"] == 1


def test_a_list_of_enable_hooks_ran_in_order_for_each_node_put_back():
    # node1 after its POST-APPLY, node2 in its ROLLBACK; each file of apigw_lb_enable_tasks in turn,
    # and the shipped disable and sessions hooks still ran (no request failed, above)
    notes = vh.step_output("apply", "hook-notes.txt").read_text().splitlines()
    assert notes == ["node1 before enable", "node1 enabled", "node2 before enable", "node2 enabled"]


def test_the_report_carries_the_codes():
    report = vh.Report("apply")
    zdu = report.data["zdu"]
    assert zdu["status"] == "APPLY_FAILED" and zdu["code"] == 73
    node2 = [n for n in zdu["nodes"] if n["host"] == "node2"][0]
    assert node2["code"] == 73 and "CSR" in node2["messages"]["APPLY"]
    assert report.html.xpath("//table[@class='zdu']//tr[@data-zdu-host='node2']/td[@data-zdu-phase='APPLY']")[0].text == "FAILED (73)"


def test_each_node_runs_what_it_should(host):
    name = host.backend.get_hostname()
    running = {"node1": NEW, "node2": OLD, "node3": OLD}[name]
    stopped = {"node1": OLD, "node2": NEW, "node3": NEW}[name]
    assert host.run(running + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(stopped + "/posix/bin/nodemanager -s").rc == 1


def test_node3_untouched(lab):
    # no apply ever ran there: its status is still the test upgrade's
    status = lab.ssh("node3", "cd %s/upgrade/bin && ./sysupgrade status" % NEW, check=True)
    assert "Current status: export and upgrade complete" in status.stdout


def test_every_node_is_in_service(lab):
    servers = lab.lb_servers()
    assert all(s["status"] == "UP" for s in servers.values()), servers
    versions = set()
    for _attempt in range(9):
        with urllib.request.build_opener().open(lab.lb_url + "/version", timeout=5) as answer:
            versions.add(answer.read().decode())
    assert any('"version": "7.7"' in v for v in versions) and any('"version": "7.5.3"' in v for v in versions)
