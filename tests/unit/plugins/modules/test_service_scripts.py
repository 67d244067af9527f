# -*- coding: utf-8 -*-
"""service_scripts: init.d and systemd scripts moved to the new installation, originals kept once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.apigw.sysupgrade.plugins.modules import service_scripts
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main

NM_SCRIPT = """#!/bin/sh
# chkconfig: 2345 90 10
# Node Manager service (managedomain)
VDISTDIR="{old}"
export VDISTDIR
exec "$VDISTDIR/posix/bin/nodemanager" "$@"
"""
GW_SCRIPT = """#!/bin/sh
VDISTDIR='{old}'
export VINSTDIR={old}/groups/group-2/instance-1
"""
UNIT = """[Unit]
Description=API Gateway Node Manager
# installed from {old}
[Service]
Environment=VDISTDIR={old}
ExecStart={old}/posix/bin/nodemanager -d
ExecStop={old}X/posix/bin/nodemanager -k
"""
OTHER_UNIT = "[Service]\nExecStart=/usr/sbin/sshd -D\n"


@pytest.fixture
def node(tmp_path):
    old, new = tmp_path / "Axway-7.5.3" / "apigateway", tmp_path / "Axway-7.7" / "apigateway"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    init, systemd = tmp_path / "init.d", tmp_path / "systemd"
    init.mkdir()
    systemd.mkdir()
    files = {
        init / "vshell-Node-Manager-on-XUbuntu02": NM_SCRIPT.format(old=old),
        init / "vshell-Default-Group-Gateway1": GW_SCRIPT.format(old=old),
        init / "vshell-elsewhere": 'VDISTDIR="/srv/other/apigateway"\n',
        init / "network": "VDISTDIR=%s\n" % old,  # not a vshell-* script
        systemd / "apigw-nm.service": UNIT.format(old=old),
        systemd / "sshd.service": OTHER_UNIT,
    }
    for path, text in files.items():
        path.write_text(text)
        path.chmod(0o755 if path.parent == init else 0o644)
    args = dict(old_install_dir=str(old), new_install_dir=str(new), init_dir=str(init), systemd_dir=str(systemd))
    return dict(old=str(old), new=str(new), init=init, systemd=systemd, args=args, files=files)


def run(monkeypatch, args, **extra):
    return run_main(monkeypatch, service_scripts.main, dict(args, **extra))


def snapshot(*folders):
    out = {}
    for folder in folders:
        for root, _dirs, files in os.walk(str(folder)):
            for name in files:
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    out[full] = (f.read(), stat.S_IMODE(os.stat(full).st_mode))
    return out


def by_name(result):
    return dict((os.path.basename(s["path"]), s) for s in result["scripts"])


def test_rewrites_points_keeps_originals_and_is_idempotent(monkeypatch, node):
    old, new = node["old"], node["new"]
    first = run(monkeypatch, node["args"])
    assert first["changed"] is True and first["daemon_reload_needed"] is True
    scripts = by_name(first)
    assert sorted(scripts) == ["apigw-nm.service", "vshell-Default-Group-Gateway1", "vshell-Node-Manager-on-XUbuntu02",
                               "vshell-elsewhere"]
    gw = scripts["vshell-Default-Group-Gateway1"]
    assert gw["kind"] == "init.d" and gw["changed"] and gw["points_at"] == "old"
    assert gw["before"] == {"VDISTDIR": old, "VINSTDIR": old + "/groups/group-2/instance-1"}
    assert gw["after"] == {"VDISTDIR": new, "VINSTDIR": new + "/groups/group-2/instance-1"}
    assert gw["backup"] == gw["path"] + ".apigw-sysupgrade.orig"
    assert (node["init"] / "vshell-Default-Group-Gateway1").read_text() == GW_SCRIPT.format(old=new)
    assert (node["init"] / "vshell-Node-Manager-on-XUbuntu02").read_text() == NM_SCRIPT.format(old=new)
    # the original, byte for byte, with the script's mode
    orig = node["init"] / "vshell-Default-Group-Gateway1.apigw-sysupgrade.orig"
    assert orig.read_text() == GW_SCRIPT.format(old=old)
    assert stat.S_IMODE(orig.stat().st_mode) == 0o755
    assert stat.S_IMODE((node["init"] / "vshell-Default-Group-Gateway1").stat().st_mode) == 0o755
    # a script pointing elsewhere is listed and left alone; other files are not scripts
    elsewhere = scripts["vshell-elsewhere"]
    assert elsewhere["changed"] is False and elsewhere["points_at"] == "neither" and elsewhere["backup"] == ""
    assert (node["init"] / "network").read_text() == "VDISTDIR=%s\n" % old
    # the unit: references on a path boundary, not comments, not the X folder
    unit = scripts["apigw-nm.service"]
    assert unit["kind"] == "systemd" and unit["changed"]
    assert unit["before"] == {"VDISTDIR": old, "ExecStart": old + "/posix/bin/nodemanager -d"}
    assert unit["after"] == {"VDISTDIR": new, "ExecStart": new + "/posix/bin/nodemanager -d"}
    text = (node["systemd"] / "apigw-nm.service").read_text()
    assert "# installed from %s\n" % old in text and "ExecStop=%sX/" % old in text
    assert "Environment=VDISTDIR=%s\n" % new in text and "ExecStart=%s/posix/bin" % new in text
    assert stat.S_IMODE((node["systemd"] / "apigw-nm.service").stat().st_mode) == 0o644
    assert (node["systemd"] / "sshd.service").read_text() == OTHER_UNIT

    before_second = snapshot(node["init"], node["systemd"])
    second = run(monkeypatch, node["args"])
    assert second["changed"] is False and second["daemon_reload_needed"] is False
    assert all(not s["changed"] for s in second["scripts"])
    assert by_name(second)["vshell-Default-Group-Gateway1"]["points_at"] == "new"
    assert by_name(second)["apigw-nm.service"]["points_at"] == "new"
    # the originals are not listed as scripts and are never rewritten
    assert snapshot(node["init"], node["systemd"]) == before_second


def test_an_original_is_written_once(monkeypatch, node):
    run(monkeypatch, node["args"])
    script = node["init"] / "vshell-Default-Group-Gateway1"
    # someone points the script back at the old installation by hand; a rerun fixes it again but
    # keeps the first original
    script.write_text(GW_SCRIPT.format(old=node["old"]) + "# edited\n")
    again = run(monkeypatch, node["args"])
    assert by_name(again)["vshell-Default-Group-Gateway1"]["changed"] is True
    orig = node["init"] / "vshell-Default-Group-Gateway1.apigw-sysupgrade.orig"
    assert orig.read_text() == GW_SCRIPT.format(old=node["old"])
    assert script.read_text() == GW_SCRIPT.format(old=node["new"]) + "# edited\n"


def test_check_mode_changes_nothing_and_diff_shows_each_file(monkeypatch, node):
    before = snapshot(node["init"], node["systemd"])
    result = run(monkeypatch, node["args"], _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and result["daemon_reload_needed"] is True
    assert snapshot(node["init"], node["systemd"]) == before
    diffs = dict((d["before_header"], d) for d in result["diff"])
    gw = str(node["init"] / "vshell-Default-Group-Gateway1")
    assert sorted(os.path.basename(p) for p in diffs) == [
        "apigw-nm.service", "vshell-Default-Group-Gateway1", "vshell-Node-Manager-on-XUbuntu02"]
    assert diffs[gw]["before"] == GW_SCRIPT.format(old=node["old"])
    assert diffs[gw]["after"] == GW_SCRIPT.format(old=node["new"])
    # the backup it would make is named, but not made
    assert by_name(result)["vshell-Default-Group-Gateway1"]["backup"].endswith(".apigw-sysupgrade.orig")
    no_diff = run(monkeypatch, node["args"], _ansible_check_mode=True)
    assert "diff" not in no_diff


def test_query_reports_and_never_writes(monkeypatch, node):
    before = snapshot(node["init"], node["systemd"])
    result = run(monkeypatch, node["args"], state="query")
    assert result["changed"] is False and result["daemon_reload_needed"] is False
    scripts = by_name(result)
    assert scripts["vshell-Default-Group-Gateway1"]["points_at"] == "old"
    assert scripts["vshell-Default-Group-Gateway1"]["after"] == scripts["vshell-Default-Group-Gateway1"]["before"]
    assert snapshot(node["init"], node["systemd"]) == before


def test_init_only_needs_no_daemon_reload(monkeypatch, node):
    os.remove(str(node["systemd"] / "apigw-nm.service"))
    result = run(monkeypatch, node["args"])
    assert result["changed"] is True and result["daemon_reload_needed"] is False


def test_missing_folders_are_nothing_to_do(monkeypatch, node, tmp_path):
    result = run(monkeypatch, node["args"], init_dir=str(tmp_path / "none"), systemd_dir=str(tmp_path / "nope"))
    assert result["changed"] is False and result["scripts"] == [] and result["daemon_reload_needed"] is False


def test_a_link_is_edited_at_its_target(monkeypatch, node, tmp_path):
    real = tmp_path / "real-vshell"
    real.write_text('VDISTDIR="%s"\n' % node["old"])
    link = node["init"] / "vshell-linked"
    link.symlink_to(real)
    result = run(monkeypatch, node["args"])
    assert by_name(result)["vshell-linked"]["changed"] is True
    assert link.is_symlink() and real.read_text() == 'VDISTDIR="%s"\n' % node["new"]
    assert (tmp_path / "real-vshell.apigw-sysupgrade.orig").read_text() == 'VDISTDIR="%s"\n' % node["old"]


def test_other_references_are_warned_about(run_module, node):
    script = node["init"] / "vshell-Default-Group-Gateway1"
    script.write_text(GW_SCRIPT.format(old=node["old"]) + "PIDFILE=%s/groups/group-2/instance-1/gw.pid\n" % node["old"])
    kind, result, warnings = run_module(service_scripts, node["args"])
    assert kind == "exit"
    entry = by_name(result)["vshell-Default-Group-Gateway1"]
    assert entry["other_old_references"] == 1
    assert warnings == ["%s still names %s on 1 line(s) other than VDISTDIR/VINSTDIR; they were left as they are"
                        % (script, node["old"])]


@pytest.mark.parametrize("change, error", [
    (dict(old_install_dir="relative/old"), "old_install_dir: relative/old is not an absolute path"),
    (dict(new_install_dir="/nowhere/Axway-7.7/apigateway"),
     "new_install_dir: /nowhere/Axway-7.7/apigateway is not a directory on this node"),
])
def test_bad_input_names_the_option_and_the_path(monkeypatch, node, change, error):
    result = run(monkeypatch, node["args"], **change)
    assert result["failed"] and result["msg"].startswith(error)


def test_new_inside_old_is_refused(monkeypatch, node):
    inside = os.path.join(node["old"], "new")
    os.mkdir(inside)
    result = run(monkeypatch, node["args"], new_install_dir=inside)
    assert result["failed"] and result["msg"].startswith("new_install_dir: %s is inside old_install_dir" % inside)


def test_a_drop_in_is_rewritten_like_its_unit(monkeypatch, node):
    dropin = node["systemd"] / "apigw-gw.service.d"
    dropin.mkdir()
    (dropin / "env.conf").write_text("[Service]\nEnvironment=\"VINSTDIR=%s/groups/group-2/instance-1\"\n" % node["old"])
    result = run(monkeypatch, node["args"])
    entry = by_name(result)["env.conf"]
    assert entry["kind"] == "systemd" and entry["changed"]
    assert entry["after"] == {"VINSTDIR": node["new"] + "/groups/group-2/instance-1"}
    assert (dropin / "env.conf").read_text() == "[Service]\nEnvironment=\"VINSTDIR=%s/groups/group-2/instance-1\"\n" % node["new"]


def test_without_root_the_scripts_it_may_not_write_are_warnings_with_the_command(run_module, node, monkeypatch):
    # An account that is not root and may not write init.d (root's): the unit folder it may write.
    init = str(node["init"])
    monkeypatch.setattr(service_scripts.os, "geteuid", lambda: 1000)
    real_access = os.access
    monkeypatch.setattr(service_scripts.os, "access",
                        lambda path, mode: False if path == init else real_access(path, mode))
    monkeypatch.setattr(service_scripts.install_owner, "connection",
                        lambda: service_scripts.install_owner.Account("axway", 1000, 1000, [1000], "/home/axway"))
    before = snapshot(node["init"])
    kind, result, warnings = run_module(service_scripts, node["args"])
    assert kind == "exit"  # root-only work never fails the run
    assert snapshot(node["init"]) == before  # nothing written where it may not write
    gw = node["init"] / "vshell-Default-Group-Gateway1"
    pending = dict((os.path.basename(p["path"]), p) for p in result["needs_root"])
    assert sorted(pending) == ["vshell-Default-Group-Gateway1", "vshell-Node-Manager-on-XUbuntu02"]
    assert pending["vshell-Default-Group-Gateway1"]["command"] == (
        "become root and rerun (ansible_become: true), or as root set VDISTDIR=%s VINSTDIR=%s/groups/group-2/instance-1 in %s"
        % (node["new"], node["new"], gw))
    assert by_name(result)["vshell-Default-Group-Gateway1"]["changed"] is False
    assert by_name(result)["apigw-nm.service"]["changed"] is True  # the unit it may write is rewritten
    assert ("%s must change to point at the new installation (VDISTDIR %s -> %s, VINSTDIR %s/groups/group-2/instance-1 "
            "-> %s/groups/group-2/instance-1), but axway may not write it: %s"
            % (gw, node["old"], node["new"], node["old"], node["new"], pending["vshell-Default-Group-Gateway1"]["command"])
            ) in warnings
