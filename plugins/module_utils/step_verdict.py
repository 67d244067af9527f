# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide whether a step that ran succeeded, and say why not in words an operator can act on.

The exit status alone is not trusted (product contract §5: "The collection must not trust the exit
status alone: it reads the log and status again after every step"). A step failed when ANY of:

- it was stopped at the time limit;
- its exit status is not 0;
- its log holds ERROR findings (errors block the next step, contract §5);
- ``status`` did not advance to include the step (or, for clean, is not back to "not started").

A question the tool asked on standard input and the module did not answer is then named as the
first reason, with the option that answers it (see unanswered_questions).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import signal

from ansible_collections.apigw.sysupgrade.plugins.module_utils import status_parser, step_watchdog

ERRORS_IN_MESSAGE = 3
ERROR_TEXT_IN_MESSAGE = 600

# ---- questions the tool asked on standard input ----------------------------------------------
#
# No wording is relied on. The vendor documents THAT sysupgrade prompts for --username, --password
# and --domain_passphrase when they are not given (upgrade_script.md) and that it may ask in other
# situations (upgrade_faq.md: "you are prompted to ..."), never WHAT a prompt looks like. What the
# module knows is the mechanism it sets up (step_watchdog, sysupgrade_runner):
#
# - standard input holds only the answers the module wrote, then end-of-file (or /dev/null when
#   there is nothing to answer): any question beyond them reads end-of-file at once;
# - answers read from a pipe are not echoed, so a question never gets a line break of its own:
#   the tool's next output continues the question's line, and a tool that ends (or is stopped at
#   the time limit) right after asking leaves the question as the last, unterminated, line.
#
# So a question is recognised by its shape: text ending in ':' or '?', or a yes/no choice such as
# [y/N] or (yes/no). Unanswered questions are:
#
# 1. a question naming a documented prompted value (user name, password, passphrase) asked more
#    often than the module answered that value (not at all, or again after the answer);
# 2. a yes/no choice anywhere (the module never answers one);
# 3. a question shape ending the output of stdout or stderr with no line break after it, or
#    ending it when the step was stopped at the time limit.

_CHOICE = r"[\[(]\s*(?:yes|y|no|n)\s*/\s*(?:yes|y|no|n)(?:\s*/\s*[a-z]{1,6})*\s*[\])]"
_CHOICE_RE = re.compile(r"[^\n]*?" + _CHOICE + r"(?:\s*[:?])?", re.IGNORECASE)
_ENDS_AS_QUESTION_RE = re.compile(r"(?:[:?]|" + _CHOICE + r")\s*$", re.IGNORECASE)
# A log record or message, never a question: "[Check] ...", "ERROR: ...", "2026-11-25 03:10 ...",
# a Java exception or stack frame.
_RECORD_RE = re.compile(r"^\s*(?:\[|\d{4}-\d{2}-\d{2}|at\s|\.\.\.\s\d|(?:ERROR|Error|WARN|WARNING|Warning|INFO|Info|"
                        r"DEBUG|VERBOSE|TRACE|SEVERE|FATAL|Exception|Caused by)\b|"
                        r"(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Error|Exception)\b)")
# The option that answers a question naming it (order matters: "passphrase" before "password").
_PROMPTED_VALUES = (
    ("domain_passphrase", re.compile(r"\bpass\s?phrase\b", re.IGNORECASE)),
    ("password", re.compile(r"\bpass\s?word\b", re.IGNORECASE)),
    ("username", re.compile(r"\b(?:user\s?(?:name|id)?|login)\b", re.IGNORECASE)),
)
_CREDENTIAL_OPTIONS = tuple(option for option, _pattern in _PROMPTED_VALUES)
_FORCE_RE = re.compile(r"(?:--|\b)force\b", re.IGNORECASE)
_QUESTION_MAX_CHARS = 120


def _named_value(question):
    for option, pattern in _PROMPTED_VALUES:
        if pattern.search(question):
            return option
    return None


def _option_for(question):
    named = _named_value(question)
    if named:
        return named
    return "force" if _FORCE_RE.search(question) else None


def _segments(line):
    """(question, rest of the line) for each part of ``line`` ending in ':' or '?', in order; each
    question is cut to its last sentence.

    ``Password: Passphrase: Applying...`` (two answered prompts, nothing echoed) gives
    ``Password:`` and ``Passphrase:``; ``Login failed. Password:`` gives ``Password:``.
    """
    for match in re.finditer(r"[^:?]+[:?]", line):
        yield re.split(r"[.!]\s+", match.group(0))[-1].strip(), line[match.end():].strip()


def _credential_questions(line):
    """(option, question) for each question of ``line`` naming a prompted value."""
    if _RECORD_RE.match(line):
        return
    for question, rest in _segments(line):
        if _RECORD_RE.match(question):
            break  # "Password: ERROR: wrong password: ..." - the rest is the tool's message
        if rest and " " not in rest and not rest.endswith((":", "?")):
            break  # "Connecting as user: admin" - a label and its value, not a prompt
        option = _named_value(question)
        if option and len(question) <= _QUESTION_MAX_CHARS:
            yield option, question


def _shorten(question):
    question = " ".join(question.split())
    return question if len(question) <= _QUESTION_MAX_CHARS else "..." + question[-_QUESTION_MAX_CHARS:]


def _scan_stream(text, given, asked, timed_out):
    """Unanswered questions of one stream, in order (see the rules above)."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return []
    found = []
    for line in lines:
        for option, question in _credential_questions(line):
            asked[option] = asked.get(option, 0) + 1
            if asked[option] > given.get(option, 0):
                found.append(dict(question=question, option=option, again=given.get(option, 0) > 0))
        if not _RECORD_RE.match(line):
            for match in _CHOICE_RE.finditer(line):
                question = re.split(r"[.!]\s+", match.group(0))[-1].strip()
                found.append(dict(question=question, option=_option_for(question), again=False))
    last = lines[filled[-1]].rstrip()
    open_end = not text.rstrip(" \t").endswith("\n")
    if (open_end or timed_out) and not _RECORD_RE.match(last) and _ENDS_AS_QUESTION_RE.search(last):
        segments = [question for question, _rest in _segments(last)]
        tail = segments[-1] if segments else last.strip()
        # A yes/no choice is already listed; a named value was counted against the answers above.
        if not _CHOICE_RE.search(last) and _named_value(tail) is None:
            found.append(dict(question=tail, option=_option_for(tail), again=False))
    return found


def unanswered_questions(stdout, stderr, answered=(), timed_out=False):
    """Questions the tool asked on standard input that the module did not answer, in order.

    ``answered``: names of the values the module wrote to standard input (``answered_on_stdin``).
    Each item: question (text as printed, shortened), option (the module option that answers it,
    or None), again (True when that value was answered and asked for once more).
    """
    given = {}
    for name in answered or ():
        given[name] = given.get(name, 0) + 1
    asked = {}
    found = []
    for text in (stdout or "", step_watchdog.without_note(stderr)):
        for item in _scan_stream(text, given, asked, timed_out):
            item["question"] = _shorten(item["question"])
            if item not in found:
                found.append(item)
    return found


def _advice(item):
    option = item["option"]
    if option is None:
        return "no option of this module answers it; run the command by hand to see what it needs"
    if option == "force":
        return "set the option force=true if the step must run again"
    if item["again"]:
        return "asked again after the value given, which it probably refused; check the option %s" % option
    return "input it was not given; set the option %s" % option


def prompt_reason(questions):
    """One failure reason naming the questions and the option to set for each."""
    shown = ["'%s' (%s)" % (q["question"], _advice(q)) for q in questions[:3]]
    if len(questions) > 3:
        shown.append("and %d more" % (len(questions) - 3))
    return ("it asked a question on standard input that the module does not answer, and read end of file: %s"
            % "; ".join(shown))


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

    An unanswered question (unanswered_questions) is reported as a reason whenever the step failed
    otherwise, as the likely cause. On its own it does not fail a step whose exit status is 0, whose
    log has no error and whose status advanced: the tool then read end-of-file, took its default and
    completed the step (see question_warning).
    """
    reasons = []
    if run["timed_out"]:
        reasons.append("still running after the time limit of %s s; its process group was stopped" % timeout)
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
    questions = _questions(run)
    if reasons and questions:
        reasons.insert(1 if run["timed_out"] else 0, prompt_reason(questions))
    return reasons


def _questions(run):
    return unanswered_questions(run["stdout"], run["stderr"], run.get("answered_on_stdin") or (), run["timed_out"])


def question_warning(step, run):
    """For a step that succeeded although it asked something: a warning text, else None.

    A credential question (user name, password, passphrase) is left out: a step cannot succeed
    without the credential it lacked, so on success such a match is a label in the output, not a
    prompt.
    """
    questions = [q for q in _questions(run) if q["option"] not in _CREDENTIAL_OPTIONS]
    if not questions:
        return None
    return ("sysupgrade %s asked a question on standard input that the module does not answer (%s); it read end "
            "of file, went on and succeeded" % (step, "; ".join("'%s'" % q["question"] for q in questions[:3])))


def error_summaries(issues, limit=ERRORS_IN_MESSAGE):
    errors = [i for i in issues if i["severity"] == "error"]
    return ["[%s] %s" % (i["check"], _short(i["message"])) for i in errors[:limit]]


def failure_message(step, reasons, log, log_path, run, timeout=None):
    """One line: step, the first errors with their check names, the reasons, the log path.

    A step stopped at its time limit says so first: its last log line is only where it was.
    """
    if run.get("timed_out"):
        tail = "\n".join(log["tail"]) if log else ""
        where = _short(_last_line(tail) or _last_line(run["stdout"]))
        head = "sysupgrade %s timed out: still running after %s s, so it was stopped (raise the step's timeout, " \
               "apigw_step_timeout, if it only needs longer)." % (step, timeout if timeout is not None else "its time limit")
        if where:
            head += " Last log line: %s" % _sentence(where)
        return "%s Why: %s. Log: %s" % (head, "; ".join(reasons), log_path or "none written by this run")
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
