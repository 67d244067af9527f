# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils.status_parser import describe, parse_status

HEADER = "System Upgrade Status\n---------------------\n"

# The four documented states (upgrade_script.md "status command", contract §5).
DOCUMENTED = [
    ("Current status: not started\nNext step: sysupgrade export\n", "not started", "export", []),
    ("Current status: export complete\nNext step: sysupgrade upgrade\n", "export complete", "upgrade", ["export"]),
    ("Current status: export and upgrade complete\nNext step: sysupgrade apply\n",
     "export and upgrade complete", "apply", ["export", "upgrade"]),
    ("Current status: system upgrade complete\n", "system upgrade complete", None, ["export", "upgrade", "apply"]),
]


@pytest.mark.parametrize("body, current, next_step, completed", DOCUMENTED, ids=[d[1] for d in DOCUMENTED])
def test_documented_states(body, current, next_step, completed):
    status = parse_status(HEADER + body)
    assert status == {"current_status": current, "next_step": next_step, "completed": completed,
                      "known": True, "raw": HEADER + body}


def test_lenient_spacing_and_case():
    status = parse_status("  CURRENT STATUS :   Export  Complete  \r\nnext step:sysupgrade UPGRADE\r\n")
    assert status["completed"] == ["export"] and status["next_step"] == "upgrade" and status["known"]


def test_unknown_current_status_falls_back_on_next_step():
    status = parse_status(HEADER + "Current status: export done (partially)\nNext step: sysupgrade upgrade\n")
    assert status["known"] and status["completed"] == ["export"]
    assert status["current_status"] == "export done (partially)"


@pytest.mark.parametrize("garbage", [
    "", "\n\n", "Traceback (most recent call last):\n  File x\nKeyError: 'x'\n",
    HEADER + "Current status: rebooting the universe\n", "Next step: make coffee\n", None,
], ids=["empty", "blank", "traceback", "unknown-status", "unknown-next", "none"])
def test_garbage_is_not_known(garbage):
    status = parse_status(garbage)
    assert status["known"] is False
    assert status["completed"] == []
    assert describe(status).startswith("unknown") or status["current_status"]


def test_describe():
    assert describe(parse_status("Current status: export complete\n")) == "export complete"
    assert describe(parse_status("")) == "unknown (status output not understood)"
    assert describe(None) == "unknown"
