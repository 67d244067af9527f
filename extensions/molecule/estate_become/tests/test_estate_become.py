"""Issue 19: the installation's owner runs the product, whoever connects.

Checked on every node with find and ps, as the issue asks."""
import pytest
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

NODES = ["node1", "node2", "node3"]
testinfra_hosts = NODES


def test_steps_ended_as_expected():
    assert {name: s["rc"] for name, s in vh.steps().items()} == {
        "owner_default_backup": 2, "test_upgrade": 0, "apply": 0}


def test_the_owner_without_become_is_refused_before_any_export(steps):
    out = steps["owner_default_backup"]["stdout"]
    lab = vh.lab()
    for node in NODES:
        refusal = [line for line in out.splitlines()
                   if "apigw_backup_dir" in line and "the connecting account axway cannot" in line and node in line]
        assert refusal, "no backup-folder refusal line for %s" % node
    # export ran only later, in the operator's run: once per node
    for node in NODES:
        exports = vh.sysupgrade_calls(lab, node, "export")
        assert len(exports) == 1, (node, exports)


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
