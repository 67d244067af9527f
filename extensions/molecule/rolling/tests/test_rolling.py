"""A rolling (zero-downtime) apply of the vendor's 3-node domain behind HAProxy, under traffic
(upgrade_zdu_overview.md): no request fails, each node leaves and returns alone, the first Admin Node
Manager first, and the run ends with the vendor's summary table and return status code."""
import json
import urllib.request

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]
NODES = ("node1", "node2", "node3")
PASSED = {"EXPORT": "PASSED (0)", "UPGRADE": "PASSED (0)", "PRE-APPLY": "PASSED (0)", "APPLY": "PASSED (0)",
          "POST-APPLY": "PASSED (0)", "ROLLBACK": "*"}


def test_no_request_failed_during_the_whole_apply(steps):
    traffic = vh.traffic()
    apply_start, apply_end = vh.step_window(steps["apply"])
    # the traffic ran over the whole apply, not beside it
    window = (traffic["start"], traffic["end"], apply_start, apply_end)
    assert traffic["start"] <= apply_start and traffic["end"] >= apply_end, window
    # it ran until the test stopped it after the apply, every slot of that time sent and answered
    assert traffic["stopped_by"] == "stop_file" and traffic["sent"] < traffic["count"]
    assert traffic["sent"] >= (apply_end - apply_start) * traffic["rate"], (traffic["sent"], window)
    assert traffic["failed"] == 0, traffic["failures"][:10]
    assert traffic["ok"] == traffic["sent"]
    # both versions answered, old first and new last: the domain really changed under the traffic
    assert set(traffic["by_version"]) == {"7.5.3", "7.7"}
    assert traffic["first_seen"]["7.5.3"] < traffic["first_seen"]["7.7"]
    assert traffic["last_seen"]["7.5.3"] < traffic["last_seen"]["7.7"]
    assert traffic["mixed_seconds"] > 0


def test_the_run_ends_with_the_vendors_zdu_summary(steps):
    out = steps["apply"]["stdout"]
    assert "Apply mode: rolling (zero downtime)" in out
    assert "Summary table (Status.SUCCESS)" in out
    rows = vh.zdu_rows(out)
    assert rows == {node: PASSED for node in NODES}
    assert "Old and new nodes served side by side for" in out and "quota counts" in out
    stats = vh.custom_stats(out)
    assert stats["apigw_apply_mode"] == "rolling"
    assert stats["apigw_zdu_status"] == "SUCCESS" and int(stats["apigw_zdu_status_code"]) == 0
    assert {k: int(v) for k, v in stats["apigw_zdu_nodes"].items()} == {n: 0 for n in NODES}
    assert all(c["failed"] == 0 for c in vh.recap(out).values())


def test_one_node_at_a_time_first_anm_first_each_back_before_the_next():
    report = vh.Report("apply")
    zdu = report.data["zdu"]
    assert zdu["status"] == "SUCCESS" and zdu["code"] == 0
    times = {n["host"]: n["times"] for n in zdu["nodes"]}
    order = sorted(NODES, key=lambda h: times[h]["PRE-APPLY"]["start"])
    assert order == ["node1", "node2", "node3"]
    for earlier, later in zip(order, order[1:]):
        # the next node leaves the load balancer only after the earlier one is back in it
        assert times[earlier]["POST-APPLY"]["end"] <= times[later]["PRE-APPLY"]["start"]
    assert zdu["mixed"]["ongoing"] is False and zdu["mixed"]["seconds"] > 0
    for node in NODES:
        # the standard table's STOP-OLD cell: each node stopped its own old installation
        assert report.cell(node, "STOP-OLD")["result"] == "PASSED"
        assert report.cell(node, "VERIFY")["result"] == "PASSED"


def test_every_node_serves_the_new_version_through_haproxy(lab):
    servers = lab.lb_servers()
    assert sorted(servers) == list(NODES)
    assert all(s["status"] == "UP" for s in servers.values()), servers
    seen = set()
    for _attempt in range(9):
        with urllib.request.build_opener().open(lab.lb_url + "/version", timeout=5) as answer:
            body = json.loads(answer.read().decode())
        assert body["version"] == "7.7"
        seen.add(body["host"])
    assert seen == {"NodeA", "NodeB", "NodeC"}


def test_old_installation_stopped_new_one_running(host):
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 1


def test_the_same_command_again_changes_nothing(steps):
    out = steps["apply_again"]["stdout"]
    recap = vh.recap(out)
    assert all(recap[node]["changed"] == 0 and recap[node]["failed"] == 0 for node in NODES), recap
    assert "Summary table (Status.SUCCESS)" in out
    rows = vh.zdu_rows(out)
    for node in NODES:
        # applied by the first run: not applied again
        assert rows[node]["PRE-APPLY"] == "*" and rows[node]["APPLY"] == "*"
    # the others are verified again (the applied first Admin Node Manager is checked by the gates)
    assert rows["node2"]["POST-APPLY"] == rows["node3"]["POST-APPLY"] == "PASSED (0)"
