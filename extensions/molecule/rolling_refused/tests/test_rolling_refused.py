"""The rolling apply refuses before anything changes where the vendor says the zero downtime upgrade
does not apply (upgrade_zdu_overview.md: "Use the ZDU sample scripts only for upgrading from API
Gateway 7.5.2 or later to 7.7 when Cassandra contains all the shared data."), and without hooks."""
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1"]
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


def test_nothing_was_stopped_or_applied(host, lab):
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 1
    status = host.run("cd %s/upgrade/bin && ./sysupgrade status" % NEW)
    assert "Current status: export and upgrade complete" in status.stdout
    assert all(s["status"] == "UP" for s in lab.lb_servers().values())
