# -*- coding: utf-8 -*-
"""file_migration: globs expanded in the old installation, the plan's rules, in order."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import file_migration as fm


def make(tmp_path):
    old, new = tmp_path / "old[1]", tmp_path / "new"  # a glob character in the folder itself
    for rel in ("groups/group-2/instance-1/conf/sso.jks", "groups/group-2/instance-2/conf/sso.jks",
                "groups/group-3/instance-1/conf/other.xml"):
        (old / rel).parent.mkdir(parents=True, exist_ok=True)
        (old / rel).write_text(rel)
    (new / "groups/group-2/instance-1/conf").mkdir(parents=True)
    return str(old), str(new)


def test_globs_expand_in_the_old_installation_only(tmp_path):
    old, _new = make(tmp_path)
    assert fm.expand(old, "groups/*/*/conf/sso.jks") == ["groups/group-2/instance-1/conf/sso.jks",
                                                         "groups/group-2/instance-2/conf/sso.jks"]
    assert fm.expand(old, "groups/group-9/x") == ["groups/group-9/x"]  # no glob: itself
    assert fm.expand(old, "groups/*/*/conf/none") == []


def test_plan_rules(tmp_path):
    old, new = make(tmp_path)
    todo, skipped = fm.plan(old, new, ["groups/*/*/conf/sso.jks", "groups/group-2/instance-1/conf/sso.jks",
                                       "absent", "groups/*/nothing"])
    assert todo == [{"path": "groups/group-2/instance-1/conf/sso.jks", "kind": "file", "overwrite": False}]
    assert skipped == [{"path": "groups/group-2/instance-2/conf/sso.jks", "reason": "no parent in new"},
                       {"path": "absent", "reason": "absent in old"},
                       {"path": "groups/*/nothing", "reason": "absent in old"}]
    todo, skipped = fm.plan(old, new, ["groups/*/*/conf/sso.jks"], require_new_parent=False)
    assert [t["path"] for t in todo] == ["groups/group-2/instance-1/conf/sso.jks",
                                         "groups/group-2/instance-2/conf/sso.jks"] and skipped == []


@pytest.mark.parametrize("path, error", [
    ("/abs", "paths: '/abs' must be relative"),
    ("", "paths: '' must be relative"),
    ("a/../b", "paths: 'a/../b' must not contain '..'"),
])
def test_check_relative(path, error):
    assert fm.check_relative(path).startswith(error)


def test_relative_paths_pass():
    assert fm.check_relative("groups/*/*/conf/sso.jks") is None
    assert fm.check_relative("webapps/quickstart/") is None
