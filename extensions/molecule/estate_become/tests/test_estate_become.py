"""Issue 19: the installation's owner runs the product, whoever connects.

Checked on every node with find and ps, as the issue asks."""
import pytest
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

NODES = ["node1", "node2", "node3"]
testinfra_hosts = NODES


def test_steps_ended_as_expected():
    assert {name: s["rc"] for name, s in vh.steps().items()} == {
        "owner_default_backup": 2, "owner_home_backup": 0, "test_upgrade": 0, "apply": 0}


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
