"""(b) Single node: export, upgrade, apply; no --anm_host (one Admin Node Manager).

The apply runs on a terminal without apigw_apply_confirmed: it asks once, and the answer yes lets
it through."""
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1"]


def test_steps_succeeded():
    assert {name: s["rc"] for name, s in vh.steps().items()} == {
        "wrong_cassandra_password": 2, "test_upgrade": 0, "no_cassandra": 2, "no_hooks": 2,
        "after_refusals": 0, "lb_after_refusals": 0, "apply": 0}


def test_an_authenticated_cassandra_gets_the_inventory_login(steps):
    lab = vh.lab()
    upgrades = vh.sysupgrade_calls(lab, "node1", "upgrade")
    assert len(upgrades) == 2
    for call in upgrades:
        assert vh.option_value(call["argv"], "--cass_username") == lab.info["cassandra"]["username"]
        assert vh.option_value(call["argv"], "--cass_password") == "********"
    wrong = vh.Report("wrong_cassandra_password")
    assert wrong.cell("node1", "EXPORT")["result"] == "PASSED"
    assert wrong.cell("node1", "UPGRADE")["result"] == "FAILED"
    for name in ("wrong_cassandra_password", "test_upgrade"):
        out = steps[name]["stdout"]
        assert "Wrong-Cass-1" not in out and lab.info["cassandra"]["password"] not in out


def test_upgraded_and_running(host):
    assert "Current status: system upgrade complete" in host.run(NEW + "/upgrade/bin/sysupgrade status").stdout
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 1
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 0


def test_topology_and_no_anm_host():
    lab = vh.lab()
    topology = vh.anm_topology(lab, "node1")
    assert topology["productVersion"].startswith("7.7")
    assert [h["name"] for h in topology["hosts"]] == ["node1"]
    for call in vh.sysupgrade_calls(lab, "node1"):
        assert "--anm_host" not in call["argv"]
    # The run with a wrong Cassandra password: export, then a failed upgrade; then the good run:
    # upgrade (export is done), apply.
    assert [c["argv"][1] for c in vh.sysupgrade_calls(lab, "node1") if c["argv"][1] != "status"] == \
        ["export", "upgrade", "upgrade", "apply"]


def test_interactive_apply_asks_once(steps):
    out = steps["apply"]["stdout"]
    assert out.count("Type yes to continue") == 1
    assert out.rstrip().endswith("PROMPTS ANSWERED: 1")
