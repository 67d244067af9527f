"""Multi-node behaviour on a real vendor-3-node lab (upgrade_steps_extcass.md multi-node example,
upgrade_troubleshoot.md, contract §4 rules 2, 4, 5, 6): the two-domain split, the vendor's manual
sequence, and the refusals that need more than one node."""
import subprocess
from pathlib import Path

import test_product_support as support
from test_product_support import NODES, gateway_names, host_names

fresh = support.fresh  # the fixture, shared with the other product modules

MANUAL = Path(__file__).resolve().parent.parent / "manual-multinode.sh"


def test_two_domain_split_and_its_repair(fresh):
    """upgrade_troubleshoot.md "API Gateways missing from topology after upgrade"."""
    p = fresh
    for node in NODES:
        p.export_upgrade(node)
    p.stop_old_everywhere()
    p.ok(p.apply("node1", anm_host="NodeA"))
    p.ok(p.apply("node2", anm_host="NodeA"))
    p.ok(p.apply("node3", anm_host="NodeC"))    # the mistake
    for node in NODES:
        assert p.status(node) == "system upgrade complete"
    a, c = p.topology("node1"), p.topology("node3")
    assert host_names(a) == ["NodeA", "NodeB"]
    assert gateway_names(a) == ["APIGateway1", "APIGateway2"]
    assert host_names(c) == ["NodeC"] and gateway_names(c) == ["APIManagerGateway"]
    assert a["id"] != c["id"] and a["productVersion"] == c["productVersion"] == "7.7"
    assert p.new("node3", "groups", "certs", "private", "domain.p12").exists()
    assert not p.new("node2", "groups", "certs", "private", "domain.p12").exists()

    # the documented fix: stop NodeC's new processes, rerun apply --anm_host NodeA there
    p.stop("node3", "new")
    p.ok(p.apply("node3", "--force", anm_host="NodeA"))
    a = p.topology("node1")
    assert host_names(a) == ["NodeA", "NodeB", "NodeC"]
    assert gateway_names(a) == ["APIGateway1", "APIGateway2", "APIManagerGateway"]
    # rerunning a later node's apply first removes its old entries (upgrade_script.md Tip)
    p.stop("node2", "new")
    p.ok(p.apply("node2", "--force", anm_host="NodeA"))
    a = p.topology("node1")
    assert host_names(a) == ["NodeA", "NodeB", "NodeC"]
    assert sorted(s["id"] for s in a["services"]).count("instance-2") == 1


def test_manual_multinode_script(fresh):
    p = fresh
    r = subprocess.run(["bash", str(MANUAL), str(p.lab.lab_dir)], capture_output=True, check=False, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "RESULT: productVersion=7.7 hosts=['NodeA', 'NodeB', 'NodeC'] -> OK" in r.stdout
    assert p.password not in r.stdout + r.stderr
    topo = p.topology("node1")       # checked again, independently of the script
    assert topo["productVersion"] == "7.7"
    assert host_names(topo) == ["NodeA", "NodeB", "NodeC"]
    admins = sorted(topo_name for topo_name in (
        [h["name"] for h in topo["hosts"] if any(
            s["hostID"] == h["id"] and s.get("tags", {}).get("internal_admin_nm") == "true"
            for s in topo["services"])]))
    assert admins == ["NodeA", "NodeC"]
    for node in NODES:
        assert p.status(node) == "system upgrade complete"
        assert p.proc(node, "new", "nodemanager", "-s").returncode == 0
        assert p.proc(node, "old", "nodemanager", "-s").returncode == 1
    # secrets were given on stdin only
    for node in NODES:
        for rec in p.lab.audit(node):
            if rec["event"] == "end" and rec["argv"][1] in ("export", "apply"):
                assert set(rec["secrets"].values()) == {"stdin"}, rec


def test_export_fails_when_old_anm_down(fresh):
    p = fresh
    p.ok(p.proc("node1", "old", "nodemanager", "-k"))
    r = p.export("node2")
    assert r.returncode == 1
    log = p.log("node2", "export")
    assert "[ERROR] messages from [Admin Node Manager] :" in log
    assert "ERROR: Failed to connect to the Admin Node Manager at https://NodeA:8090" in log
    assert p.status("node2") == "not started"
    p.ok(p.proc("node1", "old", "nodemanager", "-d"))
    p.ok(p.export("node2"))               # a failed export reruns without --force


def test_remote_node_manager_down_makes_group_inconsistent(fresh):
    """upgrade_troubleshoot.md "Group inconsistency errors"; upgrade_errors.md text."""
    p = fresh
    p.ok(p.proc("node2", "old", "nodemanager", "-k"))
    r = p.export("node1")
    assert r.returncode == 1
    log = p.log("node1", "export")
    assert "[ERROR] messages from [Group Consistency] :" in log
    assert ("ERROR: Group 'GatewayGroup' (group-2) is inconsistent. Upgrade requires all groups "
            "to be consistent.") in log
    assert "GatewayManagerGroup" not in log
    assert p.status("node1") == "not started"
    p.ok(p.proc("node2", "old", "nodemanager", "-d"))
    p.ok(p.export("node1"))


def test_zero_downtime_rule_needs_7_5_2_and_cassandra():
    """upgrade_zdu_overview.md: node by node only "from API Gateway 7.5.2 or later to 7.7 when
    Cassandra contains all the shared data" (DESIGN.md, ASSUMED reading of rule 4)."""
    import importlib
    import sys
    product = str(Path(__file__).resolve().parent.parent / "product")
    if product not in sys.path:
        sys.path.insert(0, product)
    apply = importlib.import_module("apigw_lab.steps.apply")
    with_cassandra, without = {"no_cassandra": False}, {"no_cassandra": True}
    assert apply.zero_downtime("7.5.3", with_cassandra)
    assert apply.zero_downtime("7.5.2", with_cassandra)
    assert apply.zero_downtime("7.6.2", with_cassandra)
    assert not apply.zero_downtime("7.5.1", with_cassandra)
    assert not apply.zero_downtime("7.4", with_cassandra)
    assert not apply.zero_downtime("7.5.3", without)


def test_apply_and_old_processes_here_and_on_other_nodes(lab_factory):
    """Rule 4 with the zero downtime upgrade (DESIGN.md "apply and the old installation on other
    nodes"): old processes on this node always refuse apply; on other nodes only when this node's
    upgrade ran with --no_cassandra. N-node (2 hosts, both ANMs): no API Manager group, so
    upgrade --no_cassandra can succeed."""
    p = support.Product(lab_factory("N-node", nodes=2))
    p.ok(p.export("node1", anm_host="node1"))
    p.ok(p.sysupgrade("node1", "upgrade", "--cass_host", "node1"))
    # this node's old installation runs: refused, whatever the Cassandra choice
    r = p.apply("node1", anm_host="node1")
    assert r.returncode == 1
    log = p.log("node1", "apply")
    assert "[ERROR] messages from [Processes] :" in log
    assert "Node Manager on this node" in log and "on node2" not in log
    assert "Shut down the old installation on all nodes before running apply." in log

    # upgrade without Cassandra: old processes on node2 refuse node1's apply
    p.ok(p.sysupgrade("node1", "upgrade", "--force", "--no_cassandra"))
    p.stop("node1", "old")
    p.ok(p.proc("node2", "old", "nodemanager", "-k"))     # node2's gateway still runs
    r = p.apply("node1", anm_host="node1")
    assert r.returncode == 1
    log = p.log("node1", "apply")
    assert "[ERROR] messages from [Processes] :" in log
    assert "API Gateway 'APIGateway2' on node2 (node2:8085)" in log
    assert "on this node" not in log
    assert p.status("node1") == "export and upgrade complete"
    assert not p.new("node1", "groups").exists()
    assert p.proc("node1", "new", "nodemanager", "-s").returncode == 1

    # with Cassandra the zero downtime conditions hold: node1 applies while node2's old serves
    p.ok(p.sysupgrade("node1", "upgrade", "--force", "--cass_host", "node1"))
    p.ok(p.proc("node2", "old", "nodemanager", "-d"))
    p.ok(p.apply("node1", anm_host="node1"))
    assert p.status("node1") == "system upgrade complete"
    assert p.proc("node2", "old", "nodemanager", "-s").returncode == 0
    assert p.proc("node2", "old", "startinstance", "-g", "GatewayGroup", "-n", "APIGateway2",
                  "-s").returncode == 0


def test_later_apply_refused_when_first_anm_down(fresh):
    p = fresh
    for node in ("node1", "node2"):
        p.export_upgrade(node)
    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    p.ok(p.proc("node1", "new", "nodemanager", "-k"))
    r = p.apply("node2")
    assert r.returncode == 1
    log = p.log("node2", "apply")
    assert "The version 7.7 Admin Node Manager on host 'NodeA'" in log and "not running" in log
    assert p.status("node2") == "export and upgrade complete"
    # back up: the later node registers with a wrong passphrase refused as a CSR failure
    p.ok(p.proc("node1", "new", "nodemanager", "-d"))
    r = p.apply("node2", stdin="%s\n%s\nwrong-passphrase\n" % (p.user, p.password))
    assert r.returncode == 1
    assert ("ERROR: Node Manager error: Failed to sign CSR for service. None of the available "
            "Admin Node Managers have the domain private key, or were able to unlock it with "
            "provided passphrase.") in p.log("node2", "apply")
    p.ok(p.apply("node2"))
    assert host_names(p.topology("node1")) == ["NodeA", "NodeB"]
    # a wrong password is refused by the new ANM (HTTP 401)
    p.stop("node2", "new")
    r = p.apply("node2", "--force", stdin="%s\nbad\n%s\n" % (p.user, p.passphrase))
    assert r.returncode == 1 and "HTTP 401 Unauthorized" in p.log("node2", "apply")


def test_first_apply_must_be_on_an_anm(fresh):
    """upgrade_faq.md: the first ANM of the new domain cannot be NodeB (no ANM in the old one)."""
    p = fresh
    p.export_upgrade("node2")
    p.stop_old_everywhere()
    r = p.apply("node2", anm_host="NodeB")
    assert r.returncode == 1
    assert ("ERROR: Host 'NodeB' does not have an Admin Node Manager. Retry with a valid "
            "--anm_host <hostname> parameter, where where hostname is one of: 'NodeA', 'NodeC'"
            ) in p.log("node2", "apply")
    r = p.apply("node2", anm_host="NodeA")     # NodeA has not applied: its new ANM is not up
    assert r.returncode == 1 and "not running" in p.log("node2", "apply")


def test_export_after_apply_on_the_anm_node_fails(fresh):
    """upgrade_troubleshoot.md "Apply was run before export was run on all nodes": NodeB's export
    then meets the new 7.7 ANM on NodeA and cannot export from it."""
    p = fresh
    p.export_upgrade("node1")
    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    for node in ("node2", "node3"):
        p.start_old(node)
    r = p.export("node2")
    assert r.returncode == 1
    assert "is version 7.7, not the version of the old installation (7.5.3)" in \
        p.log("node2", "export")
    # the documented way out: new processes down and old ones up on NodeA, export B and C ...
    p.stop("node1", "new")
    p.start_old("node1")
    p.ok(p.export("node2"))
    p.ok(p.upgrade("node2"))
    p.ok(p.export("node3"))
    p.ok(p.upgrade("node3"))
    # ... old installation down everywhere, NodeA's new processes up again, apply B and C
    p.stop_old_everywhere()
    p.ok(p.proc("node1", "new", "nodemanager", "-d"))
    p.ok(p.apply("node2"))
    p.ok(p.apply("node3"))
    assert host_names(p.topology("node1")) == ["NodeA", "NodeB", "NodeC"]


def test_anm_host_naming_a_later_anm(fresh):
    """upgrade_errors.md "Incorrect Admin Node Manager host": --anm_host names an ANM that is not
    the first one; the CSR fails while the first ANM is not running."""
    p = fresh
    for node in NODES:
        p.export_upgrade(node)
    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    p.ok(p.apply("node3"))                       # NodeC joins NodeA's domain, without the key
    p.ok(p.proc("node1", "new", "nodemanager", "-k"))
    r = p.apply("node2", anm_host="NodeC")
    assert r.returncode == 1
    assert ("ERROR: Node Manager error: Failed to sign CSR for service. None of the available "
            "Admin Node Managers have the domain private key, or were able to unlock it with "
            "provided passphrase.") in p.log("node2", "apply")
    assert p.status("node2") == "export and upgrade complete"
    p.ok(p.proc("node1", "new", "nodemanager", "-d"))
    p.ok(p.apply("node2", anm_host="NodeC"))     # NodeC passes it on to NodeA: one domain
    assert host_names(p.topology("node1")) == ["NodeA", "NodeB", "NodeC"]
    assert host_names(p.topology("node3")) == ["NodeA", "NodeB", "NodeC"]
