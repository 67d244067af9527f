# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils.status_parser import parse_status
from ansible_collections.apigw.sysupgrade.plugins.module_utils.step_rules import (
    FAIL, RUN, SKIP, clean_leftovers, decide)

STATES = {
    "not started": "Current status: not started\nNext step: sysupgrade export\n",
    "export": "Current status: export complete\nNext step: sysupgrade upgrade\n",
    "upgrade": "Current status: export and upgrade complete\nNext step: sysupgrade apply\n",
    "complete": "Current status: system upgrade complete\n",
    "garbage": "bzzt\n",
}

# (step, state, force, expected action, words the reason must contain)
DECISIONS = [
    ("export", "not started", False, RUN, []),
    ("export", "export", False, SKIP, ["already succeeded", "force=true"]),
    ("export", "export", True, RUN, ["force=true"]),
    ("export", "complete", False, SKIP, ["already succeeded"]),
    ("upgrade", "not started", False, FAIL, ["needs export", "apigw.sysupgrade.export"]),
    ("upgrade", "not started", True, FAIL, ["needs export"]),
    ("upgrade", "export", False, RUN, []),
    ("upgrade", "upgrade", False, SKIP, ["already succeeded"]),
    ("upgrade", "upgrade", True, RUN, []),
    ("apply", "not started", False, FAIL, ["needs upgrade", "apigw.sysupgrade.upgrade"]),
    ("apply", "export", False, FAIL, ["needs upgrade", "export complete"]),
    ("apply", "upgrade", False, RUN, []),
    ("apply", "complete", False, SKIP, ["already succeeded"]),
    ("apply", "complete", True, RUN, []),
    ("export", "garbage", False, FAIL, ["not understood"]),
    ("apply", "garbage", True, FAIL, ["not understood"]),
]


@pytest.mark.parametrize("step, state, force, action, words", DECISIONS)
def test_decisions(step, state, force, action, words):
    got, reason = decide(step, parse_status(STATES[state]), force)
    assert got == action, reason
    for word in words:
        assert word in reason


@pytest.mark.parametrize("state, leftovers, action", [
    ("not started", [], SKIP),
    ("not started", ["/x/upgrade/bin/out/export"], RUN),
    ("export", [], RUN),
    ("complete", ["/x/groups"], RUN),
    ("garbage", [], RUN),
])
def test_clean_decisions(state, leftovers, action):
    assert decide("clean", parse_status(STATES[state]), False, leftovers)[0] == action


def test_clean_leftovers(tmp_path):
    new = str(tmp_path)
    assert clean_leftovers(new) == []
    os.makedirs(os.path.join(new, "groups"))
    assert clean_leftovers(new) == []                      # an empty groups folder is nothing to clean
    os.makedirs(os.path.join(new, "upgrade", "bin", "out", "logs"))
    open(os.path.join(new, "upgrade", "bin", "out", "logs", "clean.log"), "w").close()
    assert clean_leftovers(new) == []                      # clean's own log does not count
    open(os.path.join(new, "upgrade", "bin", "out", "logs", "export.log"), "w").close()
    assert clean_leftovers(new) == [os.path.join(new, "upgrade", "bin", "out", "logs")]
    os.makedirs(os.path.join(new, "upgrade", "bin", "out", "export"))
    open(os.path.join(new, "groups", "topology.json"), "w").close()
    assert clean_leftovers(new) == [
        os.path.join(new, "upgrade", "bin", "out", "export"),
        os.path.join(new, "upgrade", "bin", "out", "logs"),
        os.path.join(new, "groups"),
    ]
