"""The configuration fingerprint: what it covers, what it ignores, and that its order is stable."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.apigw.sysupgrade.plugins.module_utils import config_fingerprint as fp


def write(root, rel, text="x"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_tree(root):
    """What a real old apigateway folder holds, and what the lab's holds."""
    for rel in ("groups/topology.json", "groups/certs/domaincert.pem", "groups/certs/private/domain.p12",
                "groups/group-2/conf/1234-abcd/configs.xml", "groups/group-2/instance-1/conf/envSettings.props",
                "groups/group-2/lab-config.json", "conf/adminUsers.json", "conf/acl.json", "conf/licenses/lab.lic"):
        write(root, rel, rel)
    for rel in ("logs/lab/nodemanager.log", "trace/node.trc", "events/ev.log", "groups/group-2/instance-1/logs/a",
                "groups/group-2/instance-1/trace/x.trc", "groups/group-2/instance-1/events/e.json",
                "groups/group-2/instance-1/conf/opsdb.d/db.bin", "conf/nodemanager.pid", "system/lib/x.jar"):
        write(root, rel, "volatile")
    return root


def test_covers_the_configuration_and_nothing_else(tmp_path):
    files = fp.fingerprint(str(make_tree(tmp_path)))["files"]
    assert sorted(files) == [
        "conf/acl.json", "conf/adminUsers.json", "conf/licenses/lab.lic", "groups/certs/domaincert.pem",
        "groups/certs/private/domain.p12", "groups/group-2/conf/1234-abcd/configs.xml",
        "groups/group-2/instance-1/conf/envSettings.props", "groups/group-2/lab-config.json",
        "groups/topology.json"]


def test_logs_traces_and_events_change_nothing(tmp_path):
    root = make_tree(tmp_path)
    before = fp.fingerprint(str(root))
    write(root, "groups/group-2/instance-1/trace/x.trc", "more trace")
    write(root, "groups/group-2/instance-1/logs/new.log", "new")
    write(root, "logs/lab/nodemanager.log", "more")
    write(root, "conf/x.log", "a log under conf")
    assert fp.fingerprint(str(root)) == before


def test_a_deployed_configuration_changes_it_and_is_named(tmp_path):
    root = make_tree(tmp_path)
    before = fp.fingerprint(str(root))
    write(root, "groups/group-2/conf/1234-abcd/configs.xml", "deployed again")
    write(root, "conf/adminUsers.json.new", "a new user store file")
    os.remove(str(root / "groups/certs/domaincert.pem"))
    after = fp.fingerprint(str(root))
    assert after["fingerprint"] != before["fingerprint"]
    assert fp.differences(before["files"], after["files"]) == [
        {"path": "conf/adminUsers.json.new", "change": "added"},
        {"path": "groups/certs/domaincert.pem", "change": "removed"},
        {"path": "groups/group-2/conf/1234-abcd/configs.xml", "change": "modified"}]


def test_the_fingerprint_does_not_depend_on_listing_order(tmp_path):
    files = fp.fingerprint(str(make_tree(tmp_path)))["files"]
    reordered = dict(reversed(list(files.items())))
    assert list(reordered) != list(files)
    assert fp.combine(reordered) == fp.combine(files)
    assert fp.config_files(str(tmp_path)) == sorted(fp.config_files(str(tmp_path)))


def test_the_same_tree_elsewhere_has_the_same_fingerprint(tmp_path):
    a = fp.fingerprint(str(make_tree(tmp_path / "a")))
    b = fp.fingerprint(str(make_tree(tmp_path / "b")))
    assert a == b


def test_group_of_a_changed_file():
    assert fp.group_of("groups/group-2/conf/x/configs.xml") == "group-2"
    assert fp.group_of("groups/group-2/lab-config.json") == "group-2"
    assert fp.group_of("groups/topology.json") is None
    assert fp.group_of("groups/certs/domaincert.pem") is None
    assert fp.group_of("conf/adminUsers.json") is None
