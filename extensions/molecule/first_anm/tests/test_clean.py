"""clean.yml (upgrade_script.md, "clean command"; upgrade_faq.md on cleaning the first Admin Node
Manager): behind the apply confirmation; resets the chosen node's new installation, keeps backups;
on the first Admin Node Manager it says every other node must apply again; a rerun changes nothing."""
import verify_helpers as vh
from scenario_fixtures import NEW, OLD

BACKUP_KINDS = ("out-", "old-nm_conf-", "old-nm_systemconf-", "old-nm_extlib-")


def test_unconfirmed_clean_is_refused_and_runs_nothing(steps, lab):
    assert "-e apigw_apply_confirmed=true" in steps["unconfirmed_clean"]["stdout"]
    # The only clean that ran is the confirmed one (a second clean had nothing to do).
    assert len(vh.sysupgrade_calls(lab, "node1", "clean")) == 1


def test_first_anm_is_reset_with_backups(lab):
    status = lab.ssh("node1", NEW + "/upgrade/bin/sysupgrade status", check=True).stdout
    assert "Current status: not started" in status
    new = lab.opt("node1") / "Axway-7.7/apigateway"
    assert not (new / "groups").exists(), "clean removes NEW/groups, the new topology and domain CA with it"
    for step in ("export", "upgrade", "apply"):
        assert not (new / "upgrade/bin/out" / step).exists(), "%s output survived the clean" % step
    backups = [p.name for p in (new / "upgrade_backup").iterdir()]
    for kind in BACKUP_KINDS:
        assert [b for b in backups if b.startswith(kind)], "no %s* backup in %s" % (kind, backups)
    # The new installation's processes were stopped before the clean; the old ones stay stopped
    # (apply stopped them everywhere), so the operator decides what runs next.
    assert lab.ssh("node1", NEW + "/posix/bin/nodemanager -s").returncode == 1
    assert lab.ssh("node1", OLD + "/posix/bin/nodemanager -s").returncode == 1


def test_says_every_other_node_must_apply_again(steps):
    out = steps["clean_first_anm"]["stdout"]
    assert "node1 is the first Admin Node Manager" in out
    assert "every other node must apply again (vendor FAQ, upgrade_faq.md)" in out
    # the way there names what the playbooks take, never a module option (issue 19)
    assert "apigw.sysupgrade.clean -e apigw_apply_confirmed=true), then run test_upgrade.yml and apply.yml" in out
    assert "force=true" not in out


def test_other_nodes_untouched(lab):
    for node in ("node2", "node3"):
        assert vh.sysupgrade_calls(lab, node, "clean") == []
        status = lab.ssh(node, NEW + "/upgrade/bin/sysupgrade status", check=True).stdout
        assert "Current status: export and upgrade complete" in status


def test_second_clean_changes_nothing(steps):
    counts = vh.recap(steps["clean_again"]["stdout"])
    assert counts["node1"]["changed"] == 0 and counts["node1"]["failed"] == 0
    assert "node1 is the first Admin Node Manager" not in steps["clean_again"]["stdout"]


def test_clean_ends_with_the_status_table(steps):
    rows = vh.status_rows(steps["clean_first_anm"]["stdout"])
    assert rows["node1"][1] == "not started"
