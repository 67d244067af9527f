# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide whether a step that ran succeeded, and say why not in words an operator can act on.

The exit status alone is not trusted (product contract §5: "The collection must not trust the exit
status alone: it reads the log and status again after every step"). A step failed when ANY of:

- it was stopped at the time limit;
- it asked a question on standard input (a prompt the module does not answer);
- its exit status is not 0;
- its log holds ERROR findings (errors block the next step, contract §5);
- ``status`` did not advance to include the step (or, for clean, is not back to "not started").
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import signal

from ansible_collections.apigw.sysupgrade.plugins.module_utils import status_parser, step_watchdog

ERRORS_IN_MESSAGE = 3
ERROR_TEXT_IN_MESSAGE = 600

# The lab says "No value supplied for X (use --X)"; a real prompt left on stdout without a newline
# typically ends with ':' or '?' or a '[y/N]' choice.
_NO_VALUE_RE = re.compile(r"No value supplied for (?P<what>\S+)")
_PROMPT_END_RE = re.compile(r"(?:[:?]|\[[^\]]*\]|\([yYnN]/[yYnN]\))\s*$")
# A yes/no question anywhere in the output: the answer (end-of-file) may have been printed after it.
_YES_NO_RE = re.compile(r"[^\n]*[\[(]\s*y(?:es)?\s*/\s*n(?:o)?\s*[\])][^\n]*", re.IGNORECASE)


def prompt_seen(stdout, stderr):
    """Return the prompt text if the tool asked something on stdin, else None."""
    for stream in (stdout or "", stderr or ""):
        match = _NO_VALUE_RE.search(stream)
        if match:
            return match.group(0)
    match = _YES_NO_RE.search(stdout or "")
    if match:
        return match.group(0).strip()
    out = stdout or ""
    if out and not out.endswith("\n"):
        last = out.splitlines()[-1].strip() if out.splitlines() else ""
        if last and _PROMPT_END_RE.search(last):
            return last
    return None


def _lines(text):
    # The watchdog's own note is reported as a reason, not as the tool's output.
    return [line.strip() for line in (text or "").splitlines()
            if line.strip() and step_watchdog.TIMEOUT_MARKER not in line]


def _first_line(text):
    lines = _lines(text)
    return lines[0] if lines else ""


def _last_line(text):
    lines = _lines(text)
    return lines[-1] if lines else ""


def _short(text, limit=ERROR_TEXT_IN_MESSAGE):
    """One line: the message's lines joined with ' / ', cut at ``limit`` characters."""
    text = " / ".join(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())
    return text if len(text) <= limit else text[:limit] + "..."


def _sentence(text):
    return text if text.endswith("...") else text.rstrip(" .") + "."


def _exit_reason(rc):
    # The watchdog reports a command killed by signal N as 128 + N, as shells do.
    if isinstance(rc, int) and 128 < rc < 128 + 65:
        try:
            name = signal.Signals(rc - 128).name
        except ValueError:
            name = "signal %d" % (rc - 128)
        return "exit code %d (killed by %s)" % (rc, name)
    return "exit code %s" % rc


def judge(step, run, log, status_after, timeout):
    """Return a list of failure reasons (empty = the step succeeded).

    ``run``: runner result; ``log``: parser result or None; ``status_after``: parsed status.
    """
    reasons = []
    if run["timed_out"]:
        reasons.append("still running after the time limit of %s s; its process group was stopped" % timeout)
    prompt = prompt_seen(run["stdout"], run["stderr"])
    if prompt:
        reasons.append("it asked a question on standard input that the module does not answer (%s)" % _short(prompt, 120))
    if run["rc"] != 0 and not run["timed_out"]:
        reasons.append(_exit_reason(run["rc"]))
    if log is not None and log["counts"]["error"]:
        reasons.append("%d error(s) in its log" % log["counts"]["error"])
    if not status_after.get("known"):
        reasons.append("the status after the run was not understood")
    elif step == "clean":
        if status_after["completed"]:
            reasons.append("status is still '%s' instead of 'not started'" % status_parser.describe(status_after))
    elif step not in status_after["completed"]:
        reasons.append("status did not advance (still '%s')" % status_parser.describe(status_after))
    return reasons


def error_summaries(issues, limit=ERRORS_IN_MESSAGE):
    errors = [i for i in issues if i["severity"] == "error"]
    return ["[%s] %s" % (i["check"], _short(i["message"])) for i in errors[:limit]]


def failure_message(step, reasons, log, log_path, run):
    """One line: step, the first errors with their check names, the reasons, the log path."""
    text = ""
    if log is not None and log["counts"]["error"]:
        shown = error_summaries(log["issues"])
        more = log["counts"]["error"] - len(shown)
        text = "; ".join(shown)
        if more > 0:
            text += " (and %d more error(s))" % more
    else:
        tail = "\n".join(log["tail"]) if log else ""
        text = _short(_first_line(run["stderr"]) or _last_line(run["stdout"]) or _last_line(tail))
    head = "sysupgrade %s failed" % step
    if text:
        head = _sentence("%s: %s" % (head, text))
    else:
        head += "."
    return "%s Why: %s. Log: %s" % (head, "; ".join(reasons), log_path or "none written by this run")


def success_message(step, status_after, log, log_path):
    counts = log["counts"] if log else {"warning": 0}
    text = "sysupgrade %s succeeded (status: %s)" % (step, status_parser.describe(status_after))
    if counts.get("warning"):
        text += " with %d warning(s)" % counts["warning"]
    return text + ". Log: %s" % (log_path or "none found")
