"""The rolling apply refuses before anything changes where the vendor says the zero downtime upgrade
does not apply (upgrade_zdu_overview.md: "Use the ZDU sample scripts only for upgrading from API
Gateway 7.5.2 or later to 7.7 when Cassandra contains all the shared data."), and without hooks.
The scenario goes on to apply: where the node stood after the refusals was recorded by the steps
after_refusals and lb_after_refusals."""
import json

import verify_helpers as vh

VENDOR = "when Cassandra contains all the shared data."


def test_no_cassandra_is_refused_quoting_the_vendor(steps):
    out = steps["no_cassandra"]["stdout"]
    assert "apigw_apply_mode=rolling: apigw_no_cassandra is set" in out
    assert VENDOR in out and "upgrade_zdu_overview.md" in out
    assert "Summary table (Status.FATAL_ERROR)" in out
    stats = vh.custom_stats(out)
    assert stats["apigw_zdu_status"] == "FATAL_ERROR" and int(stats["apigw_zdu_status_code"]) == 80
    assert vh.recap(out)["node1"]["changed"] == 0


def test_missing_hooks_are_named(steps):
    out = steps["no_hooks"]["stdout"]
    assert "set apigw_lb_disable_tasks and apigw_lb_enable_tasks" in out
    assert vh.recap(out)["node1"]["changed"] == 0


def test_nothing_was_stopped_or_applied(steps, lab):
    # recorded by the steps after the refusals, before the scenario's apply
    where = steps["after_refusals"]["stdout"]
    assert "old nodemanager -s: 0" in where
    assert "new nodemanager -s: 1" in where
    assert "Current status: export and upgrade complete" in where
    servers = json.loads(steps["lb_after_refusals"]["stdout"])
    assert sorted(servers) == sorted(lab.lb_servers()), servers  # every server of the backend
    assert all(s["status"] == "UP" for s in servers.values()), servers
    applies = [vh.audit_time(r) for r in lab.audit("node1") if r.get("event") == "start" and r["argv"][1:2] == ["apply"]]
    assert len(applies) == 1 and applies[0] >= int(vh.step_window(steps["apply"])[0]), applies
