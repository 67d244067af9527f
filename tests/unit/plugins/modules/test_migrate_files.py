# -*- coding: utf-8 -*-
"""migrate_files: the vendor's QuickStart and SSO copies, modes kept, never an overwrite by default."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.apigw.sysupgrade.plugins.modules import migrate_files
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main

SSO = ["groups/*/*/conf/service-provider.xml", "groups/*/*/conf/service-provider-apiportal.xml",
       "groups/*/*/conf/sso.jks", "groups/*/*/conf/trustStore.jks"]
KEYSTORE = b"\xfe\xed\xfe\xed\x00\x00\x00\x02binary keystore"


def write(path, data, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    path.chmod(mode)


@pytest.fixture
def installs(tmp_path):
    """The vendor's example: SSO on group-2/instance-1 (which apply created in the new installation)
    and on group-2/instance-2 (which it did not); the QuickStart tutorial."""
    old, new = tmp_path / "Axway-7.5.3" / "apigateway", tmp_path / "Axway-7.7" / "apigateway"
    conf = old / "groups/group-2/instance-1/conf"
    write(conf / "service-provider.xml", "<ServiceProvider entityID='apimgr'/>\n")
    write(conf / "service-provider-apiportal.xml", "<ServiceProvider entityID='portal'/>\n")
    write(conf / "sso.jks", KEYSTORE, 0o600)
    write(conf / "trustStore.jks", KEYSTORE + b"trust", 0o640)
    write(old / "groups/group-2/instance-2/conf/sso.jks", KEYSTORE, 0o600)
    write(old / "webapps/quickstart/index.html", "<html>QuickStart</html>\n")
    write(old / "webapps/quickstart/bin/run.sh", "#!/bin/sh\n", 0o750)
    (old / "webapps/quickstart/bin").chmod(0o710)
    (new / "groups/group-2/instance-1/conf").mkdir(parents=True)
    (new / "webapps").mkdir()
    return dict(old=old, new=new, args=dict(old_install_dir=str(old), new_install_dir=str(new)))


def run(monkeypatch, args, **extra):
    return run_main(monkeypatch, migrate_files.main, dict(args, **extra))


def tree(root):
    out = {}
    for folder, dirs, files in os.walk(str(root)):
        for name in dirs + files:
            full = os.path.join(folder, name)
            st = os.lstat(full)
            data = open(full, "rb").read() if stat.S_ISREG(st.st_mode) else None
            out[os.path.relpath(full, str(root))] = (data, stat.S_IMODE(st.st_mode))
    return out


def test_sso_files_copied_with_their_modes_where_the_instance_exists(monkeypatch, installs):
    old, new = installs["old"], installs["new"]
    result = run(monkeypatch, installs["args"], paths=SSO)
    assert result["changed"] is True
    assert result["copied"] == ["groups/group-2/instance-1/conf/service-provider.xml",
                                "groups/group-2/instance-1/conf/service-provider-apiportal.xml",
                                "groups/group-2/instance-1/conf/sso.jks",
                                "groups/group-2/instance-1/conf/trustStore.jks"]
    skipped = dict((s["path"], s["reason"]) for s in result["skipped"])
    assert skipped == {"groups/group-2/instance-2/conf/sso.jks": "no parent in new"}
    conf = new / "groups/group-2/instance-1/conf"
    assert (conf / "sso.jks").read_bytes() == KEYSTORE
    assert stat.S_IMODE((conf / "sso.jks").stat().st_mode) == 0o600
    assert stat.S_IMODE((conf / "trustStore.jks").stat().st_mode) == 0o640
    assert stat.S_IMODE((conf / "service-provider.xml").stat().st_mode) == 0o644
    assert not (new / "groups/group-2/instance-2").exists()
    assert (conf / "sso.jks").stat().st_mtime == (old / "groups/group-2/instance-1/conf/sso.jks").stat().st_mtime
    # no temporary file left behind
    assert sorted(os.listdir(str(conf))) == ["service-provider-apiportal.xml", "service-provider.xml",
                                             "sso.jks", "trustStore.jks"]

    snapshot = tree(new)
    second = run(monkeypatch, installs["args"], paths=SSO)
    assert second["changed"] is False and second["copied"] == []
    assert dict((s["path"], s["reason"]) for s in second["skipped"]) == {
        "groups/group-2/instance-1/conf/service-provider.xml": "exists in new",
        "groups/group-2/instance-1/conf/service-provider-apiportal.xml": "exists in new",
        "groups/group-2/instance-1/conf/sso.jks": "exists in new",
        "groups/group-2/instance-1/conf/trustStore.jks": "exists in new",
        "groups/group-2/instance-2/conf/sso.jks": "no parent in new"}
    assert tree(new) == snapshot


def test_quickstart_folder_copied_whole_once(monkeypatch, installs):
    old, new = installs["old"], installs["new"]
    result = run(monkeypatch, installs["args"], paths=["webapps/quickstart"])
    assert result["changed"] is True and result["copied"] == ["webapps/quickstart"]
    assert tree(new / "webapps/quickstart") == tree(old / "webapps/quickstart")
    assert stat.S_IMODE((new / "webapps/quickstart/bin").stat().st_mode) == 0o710
    assert sorted(os.listdir(str(new / "webapps"))) == ["quickstart"]  # no temporary folder left
    # there now: left alone, even with another file added in the old one
    write(old / "webapps/quickstart/new.html", "x")
    second = run(monkeypatch, installs["args"], paths=["webapps/quickstart/"])
    assert second["changed"] is False
    assert second["skipped"] == [{"path": "webapps/quickstart", "reason": "exists in new"}]
    assert not (new / "webapps/quickstart/new.html").exists()


def test_a_folder_with_no_parent_in_new_is_reported(monkeypatch, installs):
    os.rmdir(str(installs["new"] / "webapps"))
    result = run(monkeypatch, installs["args"], paths=["webapps/quickstart"])
    assert result["changed"] is False
    assert result["skipped"] == [{"path": "webapps/quickstart", "reason": "no parent in new"}]
    assert not (installs["new"] / "webapps").exists()


def test_require_new_parent_false_creates_parents_with_old_modes(monkeypatch, installs):
    old, new = installs["old"], installs["new"]
    (old / "groups/group-2/instance-2/conf").chmod(0o700)
    result = run(monkeypatch, installs["args"], paths=["groups/group-2/instance-2/conf/sso.jks"],
                 require_new_parent=False)
    assert result["copied"] == ["groups/group-2/instance-2/conf/sso.jks"]
    assert stat.S_IMODE((new / "groups/group-2/instance-2/conf").stat().st_mode) == 0o700
    assert stat.S_IMODE((new / "groups/group-2/instance-2/conf/sso.jks").stat().st_mode) == 0o600


def test_an_existing_file_is_never_overwritten_by_default(monkeypatch, installs):
    target = installs["new"] / "groups/group-2/instance-1/conf/service-provider.xml"
    write(target, "<ServiceProvider entityID='made-on-7.7'/>\n", 0o600)
    result = run(monkeypatch, installs["args"], paths=["groups/group-2/instance-1/conf/service-provider.xml"])
    assert result["changed"] is False
    assert result["skipped"] == [{"path": "groups/group-2/instance-1/conf/service-provider.xml",
                                  "reason": "exists in new"}]
    assert target.read_text() == "<ServiceProvider entityID='made-on-7.7'/>\n"


def test_overwrite_keeps_the_original_once(monkeypatch, installs):
    rel = "groups/group-2/instance-1/conf/service-provider.xml"
    target = installs["new"] / rel
    orig = installs["new"] / (rel + ".apigw-sysupgrade.orig")
    write(target, "<ServiceProvider entityID='made-on-7.7'/>\n", 0o600)
    result = run(monkeypatch, installs["args"], paths=[rel], only_if_missing=False)
    assert result["changed"] is True and result["copied"] == [rel]
    assert result["backups"] == [str(orig)]
    assert target.read_text() == "<ServiceProvider entityID='apimgr'/>\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the old file's mode
    assert orig.read_text() == "<ServiceProvider entityID='made-on-7.7'/>\n"
    assert stat.S_IMODE(orig.stat().st_mode) == 0o600
    # same content now: nothing to do
    again = run(monkeypatch, installs["args"], paths=[rel], only_if_missing=False)
    assert again["changed"] is False and again["skipped"] == [{"path": rel, "reason": "exists in new"}]
    # changed again in the new installation: overwritten again, the first original stays
    write(target, "<ServiceProvider entityID='second'/>\n")
    third = run(monkeypatch, installs["args"], paths=[rel], only_if_missing=False)
    assert third["changed"] is True
    assert orig.read_text() == "<ServiceProvider entityID='made-on-7.7'/>\n"


def test_check_mode_writes_nothing_and_diff_shows_names_for_binaries(monkeypatch, installs):
    snapshot = tree(installs["new"])
    result = run(monkeypatch, installs["args"], paths=SSO + ["webapps/quickstart"],
                 _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert result["copied"][-1] == "webapps/quickstart" and len(result["copied"]) == 5
    assert tree(installs["new"]) == snapshot
    diffs = dict((os.path.relpath(d["before_header"], str(installs["new"])), d) for d in result["diff"])
    xml = diffs["groups/group-2/instance-1/conf/service-provider.xml"]
    assert xml["before"] == "" and xml["after"] == "<ServiceProvider entityID='apimgr'/>\n"
    jks = diffs["groups/group-2/instance-1/conf/sso.jks"]
    assert jks["after"] == "(binary or large file, %d bytes, mode 0600: content not shown)\n" % len(KEYSTORE)
    assert diffs["webapps/quickstart"]["after"] == "webapps/quickstart/index.html\nwebapps/quickstart/bin/run.sh\n"
    assert "diff" not in run(monkeypatch, installs["args"], paths=SSO, _ansible_check_mode=True)


def test_absent_paths_are_reported(monkeypatch, installs):
    result = run(monkeypatch, installs["args"], paths=["webapps/missing", "groups/*/*/conf/nothing.xml"])
    assert result["changed"] is False
    assert result["skipped"] == [{"path": "webapps/missing", "reason": "absent in old"},
                                 {"path": "groups/*/*/conf/nothing.xml", "reason": "absent in old"}]


def test_a_link_is_copied_as_a_link(monkeypatch, installs):
    os.symlink("sso.jks", str(installs["old"] / "groups/group-2/instance-1/conf/current.jks"))
    result = run(monkeypatch, installs["args"], paths=["groups/group-2/instance-1/conf/current.jks"])
    assert result["copied"] == ["groups/group-2/instance-1/conf/current.jks"]
    assert os.readlink(str(installs["new"] / "groups/group-2/instance-1/conf/current.jks")) == "sso.jks"


@pytest.mark.parametrize("change, error", [
    (dict(paths=["/etc/passwd"]), "paths: '/etc/passwd' must be relative to old_install_dir and new_install_dir"),
    (dict(paths=["groups/../../x"]), "paths: 'groups/../../x' must not contain '..'"),
    (dict(old_install_dir="/nowhere/old"), "old_install_dir: /nowhere/old is not a directory"),
    (dict(new_install_dir="/nowhere/new"), "new_install_dir: /nowhere/new is not a directory"),
])
def test_bad_input_names_the_option(monkeypatch, installs, change, error):
    args = dict(installs["args"], paths=["webapps/quickstart"])
    args.update(change)
    result = run(monkeypatch, args)
    assert result["failed"] and result["msg"].startswith(error)


def test_the_same_folder_twice_is_refused(monkeypatch, installs):
    result = run(monkeypatch, dict(old_install_dir=str(installs["old"]), new_install_dir=str(installs["old"]) + "/",
                                   paths=["webapps/quickstart"]))
    assert result["failed"] and "is the same folder as old_install_dir" in result["msg"]
