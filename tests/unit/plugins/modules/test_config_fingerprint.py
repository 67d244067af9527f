"""config_fingerprint: stored at export, compared before apply, with the changed files named."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.apigw.sysupgrade.plugins.modules import config_fingerprint
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main

NODE_MANAGERS = {"id": "group-1", "name": "Node Manager Group",
                 "services": [{"id": "nm-1", "type": "nodemanager", "hostID": "host-1"}]}
GATEWAYS = {"id": "group-2", "name": "GatewayGroup",
            "services": [{"id": "instance-1", "type": "gateway", "hostID": "host-1"},
                         {"id": "instance-2", "type": "gateway", "hostID": "host-2"}]}
TOPOLOGY = {"hosts": [{"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"}],
            "groups": [NODE_MANAGERS, GATEWAYS]}


def run(monkeypatch, **args):
    return run_main(monkeypatch, config_fingerprint.main, args)


def make(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "groups/group-2/conf").mkdir(parents=True)
    (old / "groups/topology.json").write_text(json.dumps(TOPOLOGY))
    (old / "groups/group-2/conf/configs.xml").write_text("<config v='1'/>")
    (old / "conf").mkdir()
    (old / "conf/adminUsers.json").write_text("{}")
    new.mkdir()
    return str(old), str(new)


def test_present_stores_once_and_compared_names_the_changes(monkeypatch, tmp_path):
    old, new = make(tmp_path)
    first = run(monkeypatch, old_install_dir=old, new_install_dir=new)
    assert first["changed"] and not first["stored"] and first["files_count"] == 3
    assert first["path"] == os.path.join(new, "upgrade/apigw-sysupgrade/export-fingerprint.json")
    assert oct(os.stat(first["path"]).st_mode & 0o777) == "0o600"
    assert run(monkeypatch, old_install_dir=old, new_install_dir=new)["changed"] is False
    same = run(monkeypatch, old_install_dir=old, new_install_dir=new, state="compared")
    assert same["drift"] == [] and same["stored"] and same["stored_fingerprint"] == first["fingerprint"]
    assert same["group_hosts"] == {"group-2": ["NodeA", "NodeB"]}
    with open(os.path.join(old, "groups/group-2/conf/configs.xml"), "w") as f:
        f.write("<config v='2'/>")
    os.makedirs(os.path.join(old, "groups/group-2/instance-1/trace"))
    with open(os.path.join(old, "groups/group-2/instance-1/trace/t.trc"), "w") as f:
        f.write("trace")
    changed = run(monkeypatch, old_install_dir=old, new_install_dir=new, state="compared")
    assert changed["changed"] is False
    assert changed["drift"] == [{"path": "groups/group-2/conf/configs.xml", "change": "modified", "group": "group-2"}]
    # compared never writes: the stored fingerprint is still the export's
    assert run(monkeypatch, old_install_dir=old, new_install_dir=new, state="compared")["drift"] == changed["drift"]
    # a new export takes a new one
    retaken = run(monkeypatch, old_install_dir=old, new_install_dir=new)
    assert retaken["changed"] and retaken["fingerprint"] != first["fingerprint"]
    assert run(monkeypatch, old_install_dir=old, new_install_dir=new, state="compared")["drift"] == []


def test_nothing_stored_is_said_and_check_mode_writes_nothing(monkeypatch, tmp_path):
    old, new = make(tmp_path)
    compared = run(monkeypatch, old_install_dir=old, new_install_dir=new, state="compared")
    assert not compared["stored"] and compared["drift"] == [] and compared["stored_fingerprint"] == ""
    check = run(monkeypatch, old_install_dir=old, new_install_dir=new, _ansible_check_mode=True)
    assert check["changed"] and not os.path.exists(check["path"])


def test_a_missing_old_folder_names_the_option(monkeypatch, tmp_path):
    result = run(monkeypatch, old_install_dir=str(tmp_path / "nope"), path=str(tmp_path / "fp.json"))
    assert result["failed"] and result["msg"].startswith("old_install_dir: %s is not a directory" % (tmp_path / "nope"))
