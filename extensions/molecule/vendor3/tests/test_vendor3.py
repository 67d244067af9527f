"""(a) End state of the vendor's multi-node example run through the playbooks, and (e) reruns.

upgrade_steps_extcass.md, "Upgrade steps - Multi-node upgrade example": one 7.7 domain whose first
Admin Node Manager (NodeA) lists every host; old processes down, new ones up; the same
--anm_host NodeA on every export and apply (upgrade_script.md, upgrade_troubleshoot.md).
"""
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]


def test_every_step_succeeded(steps):
    assert [name for name, s in steps.items() if s["rc"] != 0] == []


def test_one_new_domain_lists_all_three_hosts(lab):
    topology = vh.anm_topology(lab, "node1")
    assert topology["productVersion"].startswith("7.7")
    assert sorted(h["name"] for h in topology["hosts"]) == ["NodeA", "NodeB", "NodeC"]


def test_node_c_has_no_domain_of_its_own(lab):
    # NodeC is an ANM too: had it been applied with --anm_host NodeC it would hold a second
    # domain CA (upgrade_troubleshoot.md, "API Gateways missing from topology").
    assert not (lab.opt("node3") / "Axway-7.7/apigateway/groups/certs/private/domain.p12").exists()
    assert (lab.opt("node1") / "Axway-7.7/apigateway/groups/certs/private/domain.p12").exists()


def test_status_is_complete(host):
    out = host.run(NEW + "/upgrade/bin/sysupgrade status")
    assert out.rc == 0
    assert "Current status: system upgrade complete" in out.stdout


def test_old_processes_down_and_new_ones_up(host):
    assert host.run(OLD + "/posix/bin/nodemanager -s").rc == 1
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 0
    assert host.socket("tcp://0.0.0.0:8090").is_listening or host.socket("tcp://:::8090").is_listening


def test_same_anm_host_on_every_export_and_apply(lab):
    for node in ("node1", "node2", "node3"):
        for command in ("export", "apply"):
            calls = vh.sysupgrade_calls(lab, node, command)
            assert calls, "no %s call on %s" % (command, node)
            assert {vh.option_value(c["argv"], "--anm_host") for c in calls} == {"NodeA"}


def test_apply_order_first_anm_first(lab):
    first_end = max(c["end"] for c in vh.sysupgrade_calls(lab, "node1", "apply"))
    for node in ("node2", "node3"):
        assert min(c["start"] for c in vh.sysupgrade_calls(lab, node, "apply")) >= first_end


def test_secrets_never_on_a_command_line_nor_in_output(lab, steps):
    for node in ("node1", "node2", "node3"):
        for call in vh.sysupgrade_calls(lab, node):
            assert "--password" not in call["argv"] and "--domain_passphrase" not in call["argv"]
        for call in vh.sysupgrade_calls(lab, node, "export") + vh.sysupgrade_calls(lab, node, "apply"):
            assert call["secrets"]["password"] == "stdin"
        for call in vh.sysupgrade_calls(lab, node, "apply"):
            assert call["secrets"]["domain_passphrase"] == "stdin"
    for secret in vh.secrets(lab):
        for step in steps.values():
            assert secret not in step["stdout"] and secret not in step["stderr"]


def test_rerun_changes_nothing_and_never_forces(lab, steps):
    for name in ("rerun_test_upgrade", "rerun_apply"):
        counts = vh.recap(steps[name]["stdout"])
        assert set(counts) >= {"node1", "node2", "node3"}, steps[name]["stdout"][-2000:]
        assert {h: c["changed"] for h, c in counts.items()} == {h: 0 for h in counts}
    for node in ("node1", "node2", "node3"):
        assert all("--force" not in c["argv"] for c in vh.sysupgrade_calls(lab, node))
        # The rerun ran no step again: one export, one upgrade, one apply per node.
        assert [len(vh.sysupgrade_calls(lab, node, c)) for c in ("export", "upgrade", "apply")] == [1, 1, 1]


def test_reports_follow_the_upgrade_phase_by_phase(lab):
    nodes = ("node1", "node2", "node3")
    tested = vh.Report("test_upgrade")
    assert tested.data["playbook"] == "test_upgrade" and tested.data["all_passed"] is True
    for node in nodes:
        assert [tested.cell(node, p)["result"] for p in vh.PHASES] == ["PASSED"] * 3 + ["NOT RUN"] * 3
    # What comes next: apply, the first Admin Node Manager first.
    assert [r["host"] for r in tested.data["resume"]] == ["node1", "node2", "node3"]
    assert tested.data["resume"][0]["command"].endswith(
        "apigw.sysupgrade.apply --limit node1   # without a terminal (CI, a script) add -e apigw_apply_confirmed=true")

    first = vh.Report("apply_first")
    assert [first.cell("node1", p)["result"] for p in ("STOP-OLD", "APPLY", "VERIFY")] == ["PASSED"] * 3
    for node in ("node2", "node3"):
        # Their old installation was stopped too (vendor rule), but they are not applied yet.
        assert [first.cell(node, p)["result"] for p in ("STOP-OLD", "APPLY", "VERIFY")] == ["PASSED", "NOT RUN", "NOT RUN"]
    assert [r["host"] for r in first.data["resume"]] == ["node2", "node3"]
    assert sorted(first.data["logs"]["node1"]) == ["apply", "export", "upgrade"]

    rest = vh.Report("apply_rest")
    assert rest.data["all_passed"] is True and rest.data["resume"] == []
    # The only issues: the rollback ledger's, the Cassandra that apply sends data to.
    assert {(i["phase"], i["check"]) for i in rest.data["issues"]} == {("ROLLBACK", "rollback-cassandra")}
    assert [rest.cell("node1", p)["result"] for p in ("APPLY", "VERIFY")] == ["SKIPPED", "SKIPPED"]
    for node in ("node2", "node3"):
        assert [rest.cell(node, p)["result"] for p in ("APPLY", "VERIFY")] == ["PASSED", "PASSED"]
        assert sorted(rest.data["logs"][node]) == ["apply", "export", "upgrade"]

    # Reruns: every step is skipped (pre-flight too: the nodes are applied); the nodes other than
    # the first Admin Node Manager are verified again by apply.yml.
    rerun = vh.Report("rerun_test_upgrade")
    for node in nodes:
        assert [rerun.cell(node, p)["result"] for p in vh.PHASES] == ["SKIPPED"] * 6
    rerun = vh.Report("rerun_apply")
    assert [rerun.cell("node1", p)["result"] for p in vh.PHASES] == ["SKIPPED"] * 6
    for node in ("node2", "node3"):
        assert [rerun.cell(node, p)["result"] for p in vh.PHASES] == ["SKIPPED"] * 5 + ["PASSED"]

    for step in ("test_upgrade", "apply_first", "apply_rest", "rerun_test_upgrade", "rerun_apply"):
        for path, text in vh.Report(step).files_text().items():
            assert all(secret not in text for secret in vh.secrets(lab)), path


def test_workflow_stats_hand_readiness_to_apply(steps):
    tested = vh.custom_stats(steps["test_upgrade"]["stdout"])
    assert tested["apigw_all_nodes_passed"] is True and tested["apigw_first_anm"] == "node1"
    assert tested["apigw_report_playbook"] == "test_upgrade"
    assert {n: r["UPGRADE"] for n, r in tested["apigw_nodes"].items()} == dict.fromkeys(("node1", "node2", "node3"), "PASSED")
    applied = vh.custom_stats(steps["apply_rest"]["stdout"])
    assert applied["apigw_all_nodes_passed"] is True and applied["apigw_unfinished_nodes"] == []


def test_with_one_fork_the_exports_still_ran_at_once(lab, steps):
    assert steps["test_upgrade"]["step"]["args"] == ["-f", "1"]
    exports = dict((node, vh.sysupgrade_calls(lab, node, "export")[0]) for node in ("node1", "node2", "node3"))
    # node1's export (held until node3's started) ended after every other export started
    for node in ("node2", "node3"):
        assert exports[node]["start"] <= exports["node1"]["end"], exports
