"""(c) A catalogue upgrade error on node2: reported with host and message; others complete; apply refuses."""
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
    assert vh.table_rows(out, "node2")[-1][:3] == ["PASSED W0 E0", "PASSED W0 E0", "FAILED W0 E1"]
    for node in ("node1", "node3"):
        assert vh.table_rows(out, node)[-1][2].startswith("PASSED")


def test_other_nodes_completed():
    lab = vh.lab()
    for node in ("node1", "node3"):
        out = lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status", check=True).stdout
        assert "Current status: export and upgrade complete" in out
    assert "Current status: export complete" in lab.ssh("node2", NEW + "/upgrade/bin/sysupgrade status").stdout


def test_apply_refused_naming_node2(steps):
    out = steps["apply"]["stdout"]
    assert "Not every node of the domain is ready" in out and "node2" in out


def test_nothing_stopped_or_applied(host):
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 0
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 1
    lab = vh.lab()
    assert vh.sysupgrade_calls(lab, host.backend.get_hostname(), "apply") == []
