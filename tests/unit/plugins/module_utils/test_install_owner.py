# -*- coding: utf-8 -*-
"""install_owner: who runs the product, and the watchdog dropping from root to that account."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
import shutil
import tempfile

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_owner, preflight_checks, step_watchdog
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.preflight_tree import (
    Node, SubprocessModule, listening_socket)

NOBODY = pwd.getpwnam("nobody")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping to another account needs root")


def test_how_decides_from_the_effective_uid():
    owner = install_owner.by_name("nobody")
    assert install_owner.how(owner, euid=NOBODY.pw_uid) == install_owner.SAME
    assert install_owner.how(owner, euid=0) == install_owner.DROP
    assert install_owner.how(owner, euid=NOBODY.pw_uid + 1) == install_owner.REFUSE


def test_refusal_names_both_accounts_and_both_ways_out():
    text = install_owner.refusal(install_owner.by_name("nobody"), install_owner.Account("ops", 2000, 2000, (2000,), "/home/ops"))
    assert "connected as ops" in text and "belongs to nobody" in text
    assert "become root (ansible_become: true" in text and "connect as nobody (ansible_user: nobody)" in text


def test_an_unknown_override_names_the_option():
    with pytest.raises(install_owner.OwnerError, match="install_owner=no-such-user: no such user"):
        install_owner.resolve("/", "no-such-user")


@needs_root
def test_the_owner_is_the_folders_and_the_watchdog_drops_to_it(tmp_path):
    folder = tmp_path / "apigateway"
    folder.mkdir()
    os.chown(str(folder), NOBODY.pw_uid, NOBODY.pw_gid)
    os.chmod(str(tmp_path), 0o755)
    owner = install_owner.resolve(str(folder))
    assert (owner.name, owner.uid, owner.gid) == ("nobody", NOBODY.pw_uid, NOBODY.pw_gid)
    assert install_owner.identity_argument(owner).startswith("%d:%d:" % (NOBODY.pw_uid, NOBODY.pw_gid))
    run = step_watchdog.run(SubprocessModule(), ["/bin/sh", "-c", "id -u; id -g; echo $USER; touch made"], 10,
                            cwd=str(folder), account=owner)
    assert run["rc"] == 0, run
    assert run["stdout"].split() == [str(NOBODY.pw_uid), str(NOBODY.pw_gid), "nobody"]
    assert os.stat(str(folder / "made")).st_uid == NOBODY.pw_uid


@needs_root
def test_files_written_as_the_owner_and_root_restored():
    # A folder the owner can reach (pytest's own tmp folders are root's alone, as no installation is).
    folder = tempfile.mkdtemp(dir="/tmp")
    try:
        os.chmod(folder, 0o777)
        with install_owner.acting_as(install_owner.by_name("nobody")):
            with open(os.path.join(folder, "state.json"), "w") as handle:
                handle.write("{}")
        assert os.stat(os.path.join(folder, "state.json")).st_uid == NOBODY.pw_uid
        assert os.geteuid() == 0 and os.getegid() == 0
    finally:
        shutil.rmtree(folder)


def _checks(node, **params):
    sock = listening_socket()
    try:
        return preflight_checks.run_checks(SubprocessModule(), node.params(sock.getsockname()[1], **params))
    finally:
        sock.close()


@needs_root
def test_preflight_refuses_a_new_installation_of_another_owner_before_running_anything(tmp_path):
    node = Node(tmp_path)
    for root, dirs, files in os.walk(node.old):
        for name in dirs + files + ["."]:
            os.chown(os.path.join(root, name), NOBODY.pw_uid, NOBODY.pw_gid)
    result = _checks(node, variable_names={"new_install_dir": "apigw_new_install_dir"})
    assert result["status"] == "FAILED" and result["run_as"] == "nobody" and result["commands"] == []
    [problem] = result["problems"]
    assert problem.startswith("apigw_new_install_dir %s belongs to root, but the product runs as nobody" % node.new)
    assert "chown -R nobody: %s" % node.new in problem


def test_preflight_refuses_a_connection_that_is_neither_root_nor_the_owner(tmp_path, monkeypatch):
    node = Node(tmp_path)
    ops = install_owner.Account("ops", 2000, 2000, (2000,), "/home/ops")
    monkeypatch.setattr(install_owner, "connection", lambda: ops)
    monkeypatch.setattr(install_owner, "how", lambda account, euid=None: install_owner.REFUSE)
    result = _checks(node, variable_names={"install_owner": "apigw_install_owner"})
    assert result["status"] == "FAILED" and result["commands"] == [] and result["connected_as"] == "ops"
    [problem] = result["problems"]
    owner = pwd.getpwuid(os.stat(node.old).st_uid).pw_name
    assert problem.startswith("connected as ops, but the installation belongs to %s" % owner)
    assert "(apigw_install_owner)" in problem


def test_preflight_names_the_backup_folder_the_account_and_one_it_could_use(tmp_path, monkeypatch):
    node = Node(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if "backups" in str(path) else real_access(path, mode))
    backups = tmp_path / "backups"
    backups.mkdir()
    result = _checks(node, backup_dir=str(backups), variable_names={"backup_dir": "apigw_backup_dir"})
    me = install_owner.connection()
    [problem] = result["problems"]
    assert problem.startswith("apigw_backup_dir %s: the connecting account %s cannot write to %s" % (backups, me.name, backups))
    assert "set apigw_backup_dir to a folder %s can write, for example %s/apigw-backups" % (me.name, me.home) in problem
    assert not any(c[-1] == "status" and "export" in c for c in result["commands"])
