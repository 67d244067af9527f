"""json_store: the one stored-JSON file code of the modules (config_fingerprint, domain_content)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.apigw.sysupgrade.plugins.module_utils import config_fingerprint, json_store


def test_written_file_is_private_in_a_private_folder_and_reads_back(tmp_path):
    path = str(tmp_path / "upgrade" / "apigw-sysupgrade" / "store.json")
    json_store.write_json(path, {"hosts": ["NodeA"], "n": 1})
    assert json_store.read_json(path) == {"hosts": ["NodeA"], "n": 1}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert os.listdir(os.path.dirname(path)) == ["store.json"]  # no temporary file left beside it


def test_rewrite_replaces_the_whole_file(tmp_path):
    path = str(tmp_path / "store.json")
    json_store.write_json(path, {"a": list(range(100))})
    json_store.write_json(path, {"b": 2})
    assert json_store.read_json(path) == {"b": 2}


def test_missing_or_broken_file_reads_as_none(tmp_path):
    assert json_store.read_json(str(tmp_path / "absent.json")) is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"half": ')
    assert json_store.read_json(str(broken)) is None


def test_fingerprint_of_groups_alone_skips_conf(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "envSettings.props").write_text("x=1\n")
    (tmp_path / "groups" / "group-2").mkdir(parents=True)
    (tmp_path / "groups" / "group-2" / "configs.xml").write_text("<c/>\n")
    whole = config_fingerprint.fingerprint(str(tmp_path))["files"]
    groups_only = config_fingerprint.fingerprint(str(tmp_path), tops=("groups",))["files"]
    assert sorted(whole) == ["conf/envSettings.props", "groups/group-2/configs.xml"]
    assert sorted(groups_only) == ["groups/group-2/configs.xml"]
    assert groups_only["groups/group-2/configs.xml"] == whole["groups/group-2/configs.xml"]
