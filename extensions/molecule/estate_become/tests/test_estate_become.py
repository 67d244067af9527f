"""Issue 19: the installation's owner runs the product, whoever connects.

Checked on every node with find and ps, as the issue asks."""
import pytest
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

NODES = ["node1", "node2", "node3"]
testinfra_hosts = NODES


def test_steps_ended_as_expected():
    assert {name: s["rc"] for name, s in vh.steps().items()} == {
        "owner_default_backup": 2, "owner_home_backup": 0, "test_upgrade": 0, "apply_first_as_owner": 0,
        "hold_node2_apply": 0, "apply": 0}  # release_node2_apply ran in the background (not recorded)


def test_the_owner_without_become_is_refused_before_any_export(steps):
    out = steps["owner_default_backup"]["stdout"]
    lab = vh.lab()
    for node in NODES:
        # the refusal's first words name the node, the variable and the account
        refusals = [msg for host, msg in vh.failures(out)
                    if host == node and msg.startswith("Pre-flight failed on %s: apigw_backup_dir " % node)]
        assert refusals, vh.failures(out)
        assert "the connecting account axway cannot" in refusals[0], refusals[0]
        assert "/home/axway/apigw-backups" in refusals[0], refusals[0]  # a folder it could use
    # export ran only in the later runs: the owner's with its own backup folder, the operator's forced one
    for node in NODES:
        exports = vh.sysupgrade_calls(lab, node, "export")
        assert len(exports) == 2, (node, exports)


def test_the_owner_with_a_backup_folder_in_its_home_runs_the_test_upgrade_as_itself(steps, host):
    recap = vh.recap(steps["owner_home_backup"]["stdout"])
    node = host.backend.get_hostname()
    assert recap[node]["failed"] == 0 and recap[node]["unreachable"] == 0, recap
    backups = host.run("find /home/axway/apigw-backups -mindepth 1 -maxdepth 2 -printf '%u %p\\n'")
    assert backups.rc == 0 and backups.stdout.strip(), backups.stderr
    assert {line.split()[0] for line in backups.stdout.splitlines()} == {"axway"}, backups.stdout


def test_the_lab_gave_both_installations_to_axway(host):
    assert host.file(OLD).user == "axway" and host.file(NEW).user == "axway"


@pytest.mark.parametrize("tree", [OLD, NEW])
def test_no_file_of_either_installation_belongs_to_anyone_but_the_owner(host, tree):
    found = host.run("find %s ! -user axway -o ! -group axway" % tree)
    assert found.rc == 0, found.stderr
    assert found.stdout.strip() == ""


def test_every_process_of_the_new_installation_runs_as_the_owner(host):
    listing = host.run("ps -eo user=,args=")
    assert listing.rc == 0
    new = [line.split(None, 1) for line in listing.stdout.splitlines() if NEW in line]
    assert new, "no process of the new installation runs"
    assert {user for user, _args in new} == {"axway"}, new
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 0


def test_the_summary_says_which_account_ran_the_product(steps):
    for node in NODES:
        assert "%s: product commands ran as axway (the collection's modules ran as root and dropped to it)" % node \
            in steps["test_upgrade"]["stdout"]
        assert "%s: product commands ran as axway (the connection's own account)" % node \
            in steps["owner_home_backup"]["stdout"]


def service_scripts(lab, node):
    """The node's vshell-* scripts (its /etc/init.d is $LAB_DIR/hosts/NODE/init.d), without the
    originals the collection keeps beside the ones it rewrote."""
    return sorted(p.name for p in (lab.lab_dir / "hosts" / node / "init.d").iterdir()
                  if p.name.startswith("vshell-") and not p.name.endswith(".apigw-sysupgrade.orig"))


def test_the_owner_applying_without_root_names_the_service_scripts_it_could_not_change(steps):
    out = steps["apply_first_as_owner"]["stdout"]
    # an apply has no pre-flight to say how it connected: the step results name the owner
    assert "node1: product commands ran as axway (the installation's owner)" in out
    lab = vh.lab()
    scripts = service_scripts(lab, "node1")
    assert scripts, "the lab gave node1 no service script"
    for name in scripts:
        # a POST-UPGRADE warning per script, with the command; the script itself untouched (root's)
        assert ("node1 POST-UPGRADE warning [post-upgrade]: service /etc/init.d/%s still points at the old "
                "installation: it needs root to change (become root and rerun (ansible_become: true), or as root set "
                % name) in out, name
        assert OLD in (lab.lab_dir / "hosts" / "node1" / "init.d" / name).read_text(), name
    # the operator's apply with become, afterwards, did not touch node1 again (applied): the scripts
    # of node2 and node3 it could change point at the new installation
    for node in ("node2", "node3"):
        for name in service_scripts(lab, node):
            text = (lab.lab_dir / "hosts" / node / "init.d" / name).read_text()
            assert OLD not in text and NEW in text, (node, name)


def test_apigw_apply_serial_2_applied_node2_and_node3_at_once(steps):
    lab = vh.lab()
    calls = {node: vh.sysupgrade_calls(lab, node, "apply") for node in NODES}
    assert all(len(c) == 1 for c in calls.values()), calls
    start = {node: vh.audit_time(c[0]) for node, c in calls.items()}
    end = {node: vh.audit_time(c[0], "end") for node, c in calls.items()}
    # node2's apply, held until node3's started, ended after that start: both ran at once ...
    assert start["node3"] <= end["node2"] and start["node2"] <= end["node3"], (start, end)
    # ... after the first Admin Node Manager's, which the owner's earlier run applied
    assert end["node1"] <= min(start["node2"], start["node3"]), (start, end)
    recap = vh.recap(steps["apply"]["stdout"])
    assert all(recap[node]["failed"] == 0 for node in NODES), recap
    # each node of the pair was verified after its apply
    report = vh.Report("apply")
    assert [report.cell(node, "VERIFY")["result"] for node in ("node2", "node3")] == ["PASSED", "PASSED"]
