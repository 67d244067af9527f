# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Understand the output of ``sysupgrade status``.

The vendor documents exactly four states (upgrade_script.md "status command", product contract §5):

    System Upgrade Status
    ---------------------
    Current status: not started | export complete | export and upgrade complete | system upgrade complete
    Next step: sysupgrade export | sysupgrade upgrade | sysupgrade apply      (absent when complete)

The product is not ours, so the parser is lenient (case, spacing) and falls back on the
``Next step`` line when the ``Current status`` text is unknown (contract: "fall back, or fail with a
clear message"). ``known`` tells the caller whether the state could be understood at all.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

STEPS = ("export", "upgrade", "apply")

# Documented "Current status" texts -> steps that have succeeded on this node.
COMPLETED_BY_STATUS = {
    "not started": [],
    "export complete": ["export"],
    "export and upgrade complete": ["export", "upgrade"],
    "system upgrade complete": ["export", "upgrade", "apply"],
}

# Fallback when only "Next step" is understood.
COMPLETED_BY_NEXT_STEP = {
    "export": [],
    "upgrade": ["export"],
    "apply": ["export", "upgrade"],
}

_CURRENT_RE = re.compile(r"^\s*current\s+status\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_NEXT_RE = re.compile(r"^\s*next\s+step\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_NEXT_STEP_WORD_RE = re.compile(r"(?:sysupgrade\s+)?(?P<step>export|upgrade|apply)\b", re.IGNORECASE)


def _normalise(text):
    return " ".join(text.lower().split())


def next_step_after(completed):
    """The step the vendor would name next, or None when all three have succeeded."""
    for step in STEPS:
        if step not in completed:
            return step
    return None


def parse_status(text):
    """Return {current_status, next_step, completed, known, raw} from ``sysupgrade status`` output.

    ``current_status`` is the text as printed (None if no such line); ``completed`` lists the steps
    that have succeeded, in order; ``next_step`` is ``export``/``upgrade``/``apply`` or None.
    """
    text = text or ""
    current = None
    next_text = None
    for line in text.splitlines():
        match = _CURRENT_RE.match(line)
        if match and current is None:
            current = match.group("value")
            continue
        match = _NEXT_RE.match(line)
        if match and next_text is None:
            next_text = match.group("value")

    next_step = None
    if next_text:
        word = _NEXT_STEP_WORD_RE.search(next_text)
        if word:
            next_step = word.group("step").lower()

    completed = None
    if current is not None:
        completed = COMPLETED_BY_STATUS.get(_normalise(current))
    if completed is None and next_step is not None:
        completed = COMPLETED_BY_NEXT_STEP[next_step]

    known = completed is not None
    if known and next_step is None:
        next_step = next_step_after(completed)

    return {
        "current_status": current,
        "next_step": next_step,
        "completed": list(completed) if known else [],
        "known": known,
        "raw": text,
    }


def describe(status):
    """Short human text for messages: the printed status, or a note that it was not understood."""
    if status is None:
        return "unknown"
    if status.get("current_status"):
        return status["current_status"]
    return "unknown (status output not understood)"


def public_fields(status):
    """The status module's return values: current_status, next_step, completed, raw."""
    return dict((key, status[key]) for key in ("current_status", "next_step", "completed", "raw"))
