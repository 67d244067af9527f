"""labctl up --owner: a service account owns the installations and runs the OLD processes; an
operator logs in with their own account and sudo (DESIGN.md "Accounts"; issue 19).

Real installations belong to a service account: upgrade_steps_extcass.md ("Upgrade services",
around line 339) has the operator switch user to root only to edit /etc/init.d. Needs root.
One vendor-3-node lab with --owner axway for the whole module (``owned3``).
"""
import os
import shlex

import pytest

from lablib import accounts
from lablib.testing import Lab
from lablib.util import LabError

OWNER = "axway"


@pytest.fixture(scope="module")
def owned3(lab_pool):
    return lab_pool.get("vendor-3-node", owner=OWNER)


def host_sh(lab, node, script, user=None, check=True):
    proc = lab.ssh(node, script, user=user, timeout=60)
    if check:
        assert proc.returncode == 0, "%s as %s: %r failed:\n%s%s" % (
            node, user or "root", script, proc.stdout, proc.stderr)
    return proc


def trees(lab):
    """The installation folders of both trees on the host (/opt/Axway-<version>)."""
    info = lab.info
    return sorted({"/".join(info[k].split("/")[:3]) for k in ("old_dir", "new_dir")})


def test_lab_json_names_the_accounts(owned3):
    acc = owned3.info["accounts"]
    assert (acc["owner"], acc["operator"]) == (OWNER, accounts.DEFAULT_OPERATOR)
    # the inventory never names the owner: the collection discovers it from the old tree
    assert OWNER not in owned3.inventory_path.read_text()


def test_owner_owns_both_trees_recursively(owned3):
    dirs = trees(owned3)
    assert len(dirs) == 2
    for node in owned3.nodes:
        quoted = " ".join(shlex.quote(d) for d in dirs)
        out = host_sh(owned3, node, "find %s ! -user %s ! -group %s" % (quoted, OWNER, OWNER)).stdout
        assert out == "", "%s: not %s's: %s" % (node, OWNER, out[:500])
        listed = host_sh(owned3, node, "find %s | wc -l" % quoted).stdout
        assert int(listed) > 20   # the trees really are there (find of nothing is empty too)


def test_old_processes_run_as_owner(owned3):
    for node in owned3.nodes:
        out = host_sh(owned3, node, "ps -eo user=,args= | grep '[a]pigw_lab.daemon'").stdout
        lines = out.strip().splitlines()
        want = 1 + len(owned3.host(node)["instances"])   # node manager + its gateways
        assert len(lines) == want, out
        assert all(line.split()[0] == OWNER for line in lines), out
    cass = owned3.info["cassandra"]["inventory_host"]
    out = host_sh(owned3, cass, "ps -eo user=,args= | grep '[a]pigw_lab.cassandra_stub'").stdout
    assert out.split() and all(line.split()[0] == OWNER for line in out.strip().splitlines()), out


@pytest.mark.parametrize("who", [None, OWNER, accounts.DEFAULT_OPERATOR])
def test_ssh_as_each_account(owned3, who):
    for node in owned3.nodes:
        out = host_sh(owned3, node, "id -un; echo $HOME", user=who).stdout.split()
        assert out == [who or "root", "/home/%s" % who if who else "/root"]


def test_operator_sudo_needs_no_password_and_no_terminal(owned3):
    for node in owned3.nodes:
        # ssh without -t: no terminal; -n: sudo fails instead of prompting
        out = host_sh(owned3, node, "sudo -n true && sudo -n id -un",
                      user=accounts.DEFAULT_OPERATOR).stdout
        assert out.strip() == "root"
    # the owner has no sudo: it is a service account, not an operator
    assert host_sh(owned3, "node1", "sudo -n true", user=OWNER, check=False).returncode != 0


def test_product_command_of_an_account_that_cannot_write_fails_with_the_os_error(owned3):
    info = owned3.info
    cmd = "cd /tmp && %s/upgrade/bin/sysupgrade export --old_install_dir %s --username u " \
          "--password p" % (info["new_dir"], info["old_dir"])
    proc = host_sh(owned3, "node1", cmd, user=accounts.DEFAULT_OPERATOR, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0, text
    assert "PermissionError: [Errno 13] Permission denied: '%s/" % info["new_dir"] in text, text


def test_root_startinstance_gives_a_root_gateway(owned3):
    """The bug the collection must avoid, shown truthfully: a process runs as whoever started it."""
    info, node = owned3.info, "node1"
    inst = owned3.host(node)["instances"][0]
    bin_dir = info["old_dir"] + "/posix/bin"
    args = "-g %s -n %s" % (shlex.quote(inst["group"]), shlex.quote(inst["name"]))
    pattern = "[a]pigw_lab.daemon gateway %s %s %s" % (info["old_dir"], inst["group_id"], inst["id"])
    try:
        host_sh(owned3, node, "%s/startinstance %s -k && %s/startinstance %s -d"
                % (bin_dir, args, bin_dir, args))
        users = host_sh(owned3, node, "ps -eo user=,args= | grep '%s'" % pattern).stdout.split()
        assert users[:1] == ["root"]
    finally:
        # put it back: anything the root gateway created is root's and would stop the owner
        host_sh(owned3, node, "%s/startinstance %s -k; chown -R %s: %s" % (
            bin_dir, args, OWNER, "/".join(info["old_dir"].split("/")[:3])), check=False)
        host_sh(owned3, node, "%s/startinstance %s -d" % (bin_dir, args), user=OWNER)
    users = host_sh(owned3, node, "ps -eo user=,args= | grep '%s'" % pattern).stdout.split()
    assert users[:1] == [OWNER]


def test_down_removes_what_up_made(owned3, lab_pool):
    lab_dir = owned3.lab_dir
    homes = [lab_dir / "hosts" / n / "home" for n in owned3.nodes]
    assert all((h / OWNER / ".ssh" / "authorized_keys").exists() for h in homes)
    lab_pool.release()
    assert not lab_dir.exists()
    # nothing was added to the machine's own account files (the accounts live in $LAB_DIR)
    with open("/etc/passwd") as handle:
        assert not any(line.split(":")[0] in (OWNER, accounts.DEFAULT_OPERATOR) for line in handle)
    assert not os.path.exists("/etc/sudoers.d/" + accounts.SUDOERS_FILE)


# ---------------------------------------------------------------- without a lab

def test_plan_picks_free_ids_and_rejects_bad_names(tmp_path):
    (tmp_path / "passwd").write_text("root:x:0:0::/root:/bin/sh\ntaken:x:999:999::/:/bin/sh\n"
                                     "u:x:2000:2000::/:/bin/sh\n")
    (tmp_path / "group").write_text("root:x:0:\ntaken:x:999:\nshadowgrp:x:998:\n")
    got = accounts.plan("axway", None, etc=str(tmp_path))
    assert (got["owner"]["name"], got["owner"]["uid"]) == ("axway", 997)
    assert (got["operator"]["name"], got["operator"]["uid"]) == ("ops", 2001)
    assert accounts.plan(None, None, etc=str(tmp_path)) is None
    for owner, operator, needle in (("taken", None, "--owner taken"), ("Bad!", None, "--owner"),
                                    ("axway", "axway", "both axway"), (None, "ops", "needs --owner"),
                                    ("axway", "root", "--operator root")):
        with pytest.raises(LabError, match=needle):
            accounts.plan(owner, operator, etc=str(tmp_path))


def test_run_as_without_accounts_is_the_command_itself():
    assert accounts.run_as({}, ["nodemanager", "-d"]) == ["nodemanager", "-d"]
    lab = {"accounts": accounts.lab_json(
        {"owner": {"name": "axway", "uid": 990, "gid": 990, "home": "/home/axway"},
         "operator": {"name": "ops", "uid": 2000, "gid": 2000, "home": "/home/ops"}})}
    argv = accounts.run_as(lab, ["nodemanager", "-d"])
    assert argv[:5] == ["setpriv", "--reuid", "990", "--regid", "990"]
    assert argv[-2:] == ["nodemanager", "-d"] and "USER=axway" in argv


def test_up_without_owner_adds_no_accounts_files(tmp_path):
    assert accounts.bind_files(tmp_path) == []


def test_labctl_rejects_operator_without_owner(lab_pool):
    proc = Lab().labctl("up", "--topology", "single", "--operator", "ops", check=False)
    assert proc.returncode != 0 and "--operator ops needs --owner" in proc.stderr
