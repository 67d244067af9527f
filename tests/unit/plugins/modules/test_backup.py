"""The backup module: a backup before export, its reuse, the free-space check, and restores that
reproduce the old folder byte for byte."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import hashlib
import json
import os
import tarfile

from ansible_collections.apigw.sysupgrade.plugins.module_utils import backup_archive
from ansible_collections.apigw.sysupgrade.plugins.modules import backup
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main


def run(monkeypatch, **args):
    return run_main(monkeypatch, backup.main, args)


def write(path, data, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(str(path), mode)


def make_old(tmp_path):
    old = tmp_path / "Axway-7.5.3" / "apigateway"
    write(old / "posix/bin/nodemanager", b"#!/bin/sh\n", 0o755)
    write(old / "groups/topology.json", b'{"hosts": [], "groups": []}')
    write(old / "groups/certs/private/domain.p12", os.urandom(2048), 0o600)
    write(old / "groups/group-2/lab-config.json", b'{"api_manager": false}')
    write(old / "conf/acl.json", b"{}")
    write(old / "ext/lib/custom.jar", os.urandom(4096))
    write(old / "logs/lab/nodemanager.log", b"started\n")
    os.symlink("nodemanager", str(old / "posix/bin/nm-link"))
    amq = tmp_path / "activemq" / "data"
    write(amq / "kahadb/db-1.log", os.urandom(1024))
    return str(old), str(amq)


def tree_digests(root):
    """{relative path: (sha256, mode)} of every regular file under root."""
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(folder, name)
            if os.path.islink(full):
                continue
            with open(full, "rb") as f:
                out[os.path.relpath(full, root)] = (hashlib.sha256(f.read()).hexdigest(), os.stat(full).st_mode)
    return out


def test_a_backup_holds_every_file_with_its_digest_and_a_checksum(monkeypatch, tmp_path):
    old, amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    result = run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    assert result["changed"] and not result["reused"] and not result.get("failed")
    assert os.path.isfile(result["archive"]) and result["size_bytes"] == os.path.getsize(result["archive"])
    with open(result["archive"], "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == result["checksum"]
    with open(result["archive"] + ".sha256") as f:
        assert f.read() == "%s  %s\n" % (result["checksum"], os.path.basename(result["archive"]))
    with open(result["manifest"]) as f:
        manifest = json.load(f)
    assert manifest["fingerprint"] == result["fingerprint"] and manifest["created"]
    expected = dict((os.path.join(old, rel), d) for rel, d in tree_digests(old).items())
    expected.update((os.path.join(amq, rel), d) for rel, d in tree_digests(amq).items())
    assert set(manifest["files"]) == set(expected)
    for path, (digest, mode) in expected.items():
        assert manifest["files"][path]["sha256"] == digest
        assert manifest["files"][path]["mode"] == "%04o" % (mode & 0o7777)
    with tarfile.open(result["archive"]) as tar:
        names = tar.getnames()
    assert old.lstrip("/") + "/posix/bin/nm-link" in names
    assert all(not n.startswith("/") for n in names)
    assert oct(os.stat(dest).st_mode & 0o777) == "0o700"
    assert all(os.stat(os.path.join(dest, n)).st_mode & 0o077 == 0 for n in os.listdir(dest))


def test_a_rerun_reuses_the_backup_while_the_configuration_is_unchanged(monkeypatch, tmp_path):
    old, amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    first = run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    with open(os.path.join(old, "logs/lab/nodemanager.log"), "a") as f:
        f.write("a log line is no configuration change\n")
    again = run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    assert not again["changed"] and again["reused"] and again["archive"] == first["archive"]
    write(tmp_path / "Axway-7.5.3/apigateway/groups/group-2/lab-config.json", b'{"api_manager": true}')
    third = run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    assert third["changed"] and not third["reused"] and third["fingerprint"] != first["fingerprint"]
    # Only the new backup is left, and it is the current one.
    assert sorted(os.listdir(dest)) == sorted(["apigw-backup.json", os.path.basename(third["archive"]),
                                               os.path.basename(third["archive"]) + ".sha256"])


def test_a_damaged_archive_is_not_reused(monkeypatch, tmp_path):
    old, _amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    first = run(monkeypatch, old_install_dir=old, backup_dir=dest)
    with open(first["archive"], "ab") as f:
        f.write(b"junk")
    again = run(monkeypatch, old_install_dir=old, backup_dir=dest)
    assert again["changed"] and not again["reused"]


def test_check_mode_writes_nothing(monkeypatch, tmp_path):
    old, _amq = make_old(tmp_path)
    dest = tmp_path / "backups"
    result = run(monkeypatch, old_install_dir=old, backup_dir=str(dest), _ansible_check_mode=True)
    assert result["changed"] and not dest.exists()


def test_not_enough_space_names_the_folder_and_the_space_needed(monkeypatch, tmp_path):
    old, _amq = make_old(tmp_path)
    dest = tmp_path / "backups"
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(backup_archive.shutil, "disk_usage", lambda path: usage(100, 99, 1000))
    result = run(monkeypatch, old_install_dir=old, backup_dir=str(dest))
    assert result["failed"]
    assert result["msg"].startswith("Not enough free space in %s for the backup: it needs 17 MiB (" % dest)
    assert "1000" not in result["msg"].split("(")[0]
    assert os.listdir(str(dest)) == []  # nothing half-written is left


def test_a_killed_run_leaves_no_backup_that_looks_complete(monkeypatch, tmp_path):
    old, _amq = make_old(tmp_path)
    dest = tmp_path / "backups"

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(backup_archive.json, "dump", killed)
    try:
        run(monkeypatch, old_install_dir=old, backup_dir=str(dest))
    except KeyboardInterrupt:
        pass
    assert backup_archive.read_manifest(str(dest)) is None
    assert not [n for n in os.listdir(str(dest)) if not n.endswith(".partial")]


def test_bad_paths_are_refused_naming_the_option(monkeypatch, tmp_path):
    old, amq = make_old(tmp_path)
    result = run(monkeypatch, old_install_dir=old, backup_dir=os.path.join(old, "backups"))
    assert result["failed"] and result["msg"].startswith("backup_dir: %s/backups is inside %s" % (old, old))
    result = run(monkeypatch, old_install_dir=old, backup_dir=str(tmp_path / "b"), extra_paths=["/nonexistent/amq"])
    assert result["failed"] and result["msg"] == "extra_paths: /nonexistent/amq does not exist on this node"
    result = run(monkeypatch, old_install_dir=old, backup_dir=str(tmp_path / "b"),
                 extra_paths=[os.path.join(old, "conf")])
    assert result["failed"] and result["msg"].startswith("extra_paths: %s/conf is inside old_install_dir" % old)


def test_a_restore_reproduces_the_old_folder_byte_for_byte(monkeypatch, tmp_path):
    old, amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    before_old, before_amq = tree_digests(old), tree_digests(amq)
    # What an apply may do: change ActiveMQ data, change and delete configuration, change a mode.
    write(tmp_path / "activemq/data/kahadb/db-1.log", b"rewritten by the new version")
    write(tmp_path / "Axway-7.5.3/apigateway/groups/group-2/lab-config.json", b"changed")
    os.remove(os.path.join(old, "conf/acl.json"))
    os.chmod(os.path.join(old, "groups/certs/private/domain.p12"), 0o644)
    assert (tree_digests(old), tree_digests(amq)) != (before_old, before_amq)
    result = run(monkeypatch, backup_dir=dest, state="restored")
    assert result["changed"] and not result.get("failed")
    assert sorted(result["restored"]) == sorted([
        os.path.join(amq, "kahadb/db-1.log"), os.path.join(old, "groups/group-2/lab-config.json"),
        os.path.join(old, "conf/acl.json"), os.path.join(old, "groups/certs/private/domain.p12")])
    assert tree_digests(old) == before_old and tree_digests(amq) == before_amq
    again = run(monkeypatch, backup_dir=dest, state="restored")
    assert not again["changed"] and again["restored"] == []


def test_a_restore_of_some_paths_touches_nothing_else(monkeypatch, tmp_path):
    old, amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    run(monkeypatch, old_install_dir=old, backup_dir=dest, extra_paths=[amq])
    write(tmp_path / "activemq/data/kahadb/db-1.log", b"rewritten")
    write(tmp_path / "Axway-7.5.3/apigateway/conf/acl.json", b"changed")
    result = run(monkeypatch, backup_dir=dest, state="restored", paths=[amq])
    assert result["restored"] == [os.path.join(amq, "kahadb/db-1.log")]
    with open(os.path.join(old, "conf/acl.json"), "rb") as f:
        assert f.read() == b"changed"
    check = run(monkeypatch, backup_dir=dest, state="restored", paths=[os.path.join(old, "conf")],
                _ansible_check_mode=True)
    assert check["changed"] and check["restored"] == [os.path.join(old, "conf/acl.json")]
    with open(os.path.join(old, "conf/acl.json"), "rb") as f:
        assert f.read() == b"changed"
    unknown = run(monkeypatch, backup_dir=dest, state="restored", paths=["/etc/passwd"])
    assert unknown["failed"] and unknown["msg"].startswith("paths: /etc/passwd is not in the backup")


def test_a_restore_refuses_a_damaged_archive(monkeypatch, tmp_path):
    old, _amq = make_old(tmp_path)
    dest = str(tmp_path / "backups")
    made = run(monkeypatch, old_install_dir=old, backup_dir=dest)
    write(tmp_path / "Axway-7.5.3/apigateway/conf/acl.json", b"changed")
    with open(made["archive"], "r+b") as f:
        f.seek(100)
        f.write(b"\0\0\0\0")
    result = run(monkeypatch, backup_dir=dest, state="restored")
    assert result["failed"] and "does not match its checksum" in result["msg"]
    empty = run(monkeypatch, backup_dir=str(tmp_path / "none"), state="restored")
    assert empty["failed"] and empty["msg"].startswith("backup_dir: %s holds no complete backup" % (tmp_path / "none"))
