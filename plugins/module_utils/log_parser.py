# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming parser for sysupgrade step logs (export.log, upgrade.log, apply.log).

Log shapes (product contract §5, vendor upgrade_errors.md)::

    [System Config] : OK                                  a check passed (the lab also writes FAILED)
    [INFORMATIONAL] messages from [System Config] : text  free text, on the header line and after it
    [WARNING] messages from [System Config] :
    WARN: text                                            continuation lines start with WARN: again
    [ERROR] messages from [API Manager] :
    ERROR: text

The documentation also shows ``WARN:``/``ERROR:`` lines with no section header, messages whose
second line carries no prefix at all (licence errors, API Manager licence warning) and Java
exceptions such as ``java.lang.OutOfMemoryError: Java heap space`` (upgrade_troubleshoot.md).

Grouping rule (one rule for every documented example)
    A *message* is a run of lines of one severity. It starts at a ``WARN:``/``ERROR:`` line (or, in
    an INFORMATIONAL section, at the first free-text line) and goes on over following lines that
    carry the same prefix or no prefix at all. It ends at a blank line, a section header, a
    ``[Check] : STATUS`` line, a line with another prefix, a time-stamped trace line, a Java
    exception, or the end of the file.
    So the jvm.xml warning (3 WARN lines), the RBAC warning (2 WARN lines), the licence errors
    (ERROR line + plain line) and the KPS duplicates block (3 ERROR lines) are each ONE finding,
    as the vendor describes each of them as one check's message. Counts therefore count findings,
    not lines; every line is kept in the message (up to MESSAGE_MAX_CHARS).
    The check is the one named by the enclosing section header, or ``sysupgrade`` for lines outside
    any section, or ``java`` for Java exceptions. Unknown section kinds are kept as ``info``;
    anything else (trace lines, stack frames, unknown text) is ignored.

Memory stays bounded whatever the log size: lines are read one at a time (each cut at
LINE_MAX_CHARS), only the first ``max_issues`` findings per severity are kept (the rest are only
counted) and the tail is a fixed-size deque. This keeps AWX job events small on logs of hundreds
of MB.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import io
import re

SEVERITIES = ("error", "warning", "info")
DEFAULT_MAX_ISSUES = 50
DEFAULT_TAIL_LINES = 40
LINE_MAX_CHARS = 4000        # a single log line longer than this is cut (and the rest skipped)
TAIL_LINE_MAX_CHARS = 500    # lines kept in log_tail are cut shorter still
MESSAGE_MAX_CHARS = 2000     # one finding's text
TRUNCATED_MARK = " [...]"

SECTION_SEVERITY = {
    "INFORMATIONAL": "info",
    "INFO": "info",
    "WARNING": "warning",
    "WARN": "warning",
    "ERROR": "error",
    "SEVERE": "error",
    "FATAL": "error",
}
CHECK_OUTSIDE_SECTION = "sysupgrade"
CHECK_JAVA = "java"

_SECTION_RE = re.compile(r"^\[(?P<kind>[A-Za-z]+)\]\s+messages\s+from\s+\[(?P<check>.*?)\]\s*:\s?(?P<rest>.*)$")
_CHECK_STATUS_RE = re.compile(r"^\[(?P<check>[^\]]+)\]\s*:\s*(?P<state>[A-Za-z]+)\s*$")
_MARKER_RE = re.compile(r"^(?P<marker>WARN|WARNING|ERROR)\s*:(?P<text>.*)$")
_MARKER_SEVERITY = {"WARN": "warning", "WARNING": "warning", "ERROR": "error"}
# e.g. "2026-11-25 03:53:08 INFO Exporting..." (trace lines, lab logwriter / vendor log records)
_TRACE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_JAVA_EXCEPTION_RE = re.compile(
    r"^(?:Exception in thread \"[^\"]*\"\s+)?(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Error|Exception)\b(?::.*)?$"
)
_STACK_FRAME_RE = re.compile(r"^\s+at\s|^\s*\.\.\. \d+ more|^Caused by:")


def _cut(text, limit):
    if len(text) <= limit:
        return text
    return text[:limit] + TRUNCATED_MARK


class LogParser:
    """Feed lines one by one with :meth:`feed`, then call :meth:`result`."""

    def __init__(self, max_issues=DEFAULT_MAX_ISSUES, tail_lines=DEFAULT_TAIL_LINES):
        self.max_issues = max(0, int(max_issues))
        self.counts = dict((severity, 0) for severity in SEVERITIES)
        self.issues = []
        self.tail = collections.deque(maxlen=max(0, int(tail_lines)))
        self.line_count = 0
        self.checks_ok = 0
        self.checks_failed = []
        self._section = None        # (severity, check) of the open section header
        self._open = None           # the finding being collected: dict with "kept" flag

    # -- input -------------------------------------------------------------------------------
    def feed(self, line):
        line = line.rstrip("\r\n")
        self.line_count += 1
        self.tail.append(_cut(line, TAIL_LINE_MAX_CHARS))

        if not line.strip():
            self._close()
            return

        match = _SECTION_RE.match(line)
        if match:
            self._close()
            severity = SECTION_SEVERITY.get(match.group("kind").upper(), "info")
            check = match.group("check").strip() or CHECK_OUTSIDE_SECTION
            self._section = (severity, check)
            rest = match.group("rest").strip()
            if rest:
                marker = _MARKER_RE.match(rest)
                if marker:
                    self._start(_MARKER_SEVERITY[marker.group("marker")], check, marker.group("text"), marker=True)
                else:
                    self._start(severity, check, rest)
            return

        match = _CHECK_STATUS_RE.match(line)
        if match:
            self._close()
            self._section = None
            if match.group("state").upper() == "OK":
                self.checks_ok += 1
            elif len(self.checks_failed) < self.max_issues:
                self.checks_failed.append(match.group("check"))
            return

        match = _MARKER_RE.match(line)
        if match:
            severity = _MARKER_SEVERITY[match.group("marker")]
            text = match.group("text")
            if self._open is not None and self._open["severity"] == severity and self._open["marker"]:
                self._continue(text)
                return
            self._close()
            self._start(severity, self._check(), text, marker=True)
            return

        if _JAVA_EXCEPTION_RE.match(line.strip()):
            self._close()
            self._section = None
            self._start("error", CHECK_JAVA, line.strip())
            self._close()
            return

        if _TRACE_RE.match(line) or _STACK_FRAME_RE.match(line):
            self._close()
            if _TRACE_RE.match(line):
                self._section = None
            return

        # Plain text: continues the open finding, or starts one inside an INFORMATIONAL section.
        if self._open is not None:
            self._continue(line)
        elif self._section is not None and self._section[0] == "info":
            self._start("info", self._section[1], line)
        # otherwise: narrative text the vendor does not classify; only the tail keeps it.

    # -- findings ----------------------------------------------------------------------------
    def _check(self):
        return self._section[1] if self._section is not None else CHECK_OUTSIDE_SECTION

    def _start(self, severity, check, text, marker=False):
        self.counts[severity] += 1
        kept = self.counts[severity] <= self.max_issues
        self._open = {
            "severity": severity,
            "check": check,
            "line": self.line_count,
            "parts": [text.strip()] if kept else [],
            "chars": len(text.strip()),
            "kept": kept,
            "marker": marker,
        }

    def _continue(self, text):
        finding = self._open
        if not finding["kept"] or finding["chars"] > MESSAGE_MAX_CHARS:
            return
        text = text.strip()
        if text:
            finding["parts"].append(text)
            finding["chars"] += len(text) + 1

    def _close(self):
        finding = self._open
        self._open = None
        if finding is None or not finding["kept"]:
            return
        message = _cut("\n".join(finding["parts"]), MESSAGE_MAX_CHARS)
        self.issues.append({
            "severity": finding["severity"],
            "check": finding["check"],
            "message": message,
            "line": finding["line"],
        })

    # -- going on later (log_progress: a log read a piece at a time while its step runs) -------
    def state(self):
        """What a parser needs to go on counting after the last line fed: the counts and the open
        section and finding. Kept findings and the tail are not carried (JSON-serialisable)."""
        finding = None
        if self._open is not None:
            finding = dict((key, self._open[key]) for key in ("severity", "check", "line", "marker"))
        return {"counts": dict(self.counts), "lines": self.line_count, "checks_ok": self.checks_ok,
                "section": list(self._section) if self._section is not None else None, "open": finding}

    @classmethod
    def from_state(cls, state, max_issues=0, tail_lines=0):
        """A parser that goes on from ``state()``; raises ValueError (or KeyError, TypeError) on a malformed one.

        The finding open at that point goes on being counted but not kept, so ``max_issues`` only
        applies to findings that start afterwards."""
        parser = cls(max_issues=max_issues, tail_lines=tail_lines)
        parser.counts.update((severity, int(state["counts"][severity])) for severity in SEVERITIES)
        parser.line_count = int(state["lines"])
        parser.checks_ok = int(state["checks_ok"])
        if state.get("section") is not None:
            severity, check = state["section"]
            parser._section = (str(severity), str(check))
        finding = state.get("open")
        if finding is not None:
            parser._open = {"severity": str(finding["severity"]), "check": str(finding["check"]),
                            "line": int(finding["line"]), "marker": bool(finding["marker"]),
                            "parts": [], "chars": 0, "kept": False}
        return parser

    # -- output ------------------------------------------------------------------------------
    def result(self):
        self._close()
        return {
            "counts": dict(self.counts),
            "issues": list(self.issues),
            "issues_truncated": any(self.counts[s] > self.max_issues for s in SEVERITIES),
            "checks_ok": self.checks_ok,
            "checks_failed": list(self.checks_failed),
            "lines": self.line_count,
            "tail": list(self.tail),
        }


def iter_bounded_lines(stream, max_chars=LINE_MAX_CHARS):
    """Yield lines of a text stream, each at most ``max_chars`` long, never holding more.

    A longer line is cut: its first ``max_chars`` characters are yielded and the rest is skipped.
    """
    while True:
        line = stream.readline(max_chars)
        if not line:
            return
        if len(line) >= max_chars and not line.endswith("\n"):
            # Skip the remainder of an over-long line without keeping it.
            while True:
                rest = stream.readline(max_chars)
                if not rest or rest.endswith("\n"):
                    break
            line += TRUNCATED_MARK
        yield line


def parse_lines(lines, max_issues=DEFAULT_MAX_ISSUES, tail_lines=DEFAULT_TAIL_LINES):
    parser = LogParser(max_issues=max_issues, tail_lines=tail_lines)
    for line in lines:
        parser.feed(line)
    return parser.result()


def parse_text(text, max_issues=DEFAULT_MAX_ISSUES, tail_lines=DEFAULT_TAIL_LINES):
    return parse_lines(iter_bounded_lines(io.StringIO(text)), max_issues, tail_lines)


def parse_log_file(path, max_issues=DEFAULT_MAX_ISSUES, tail_lines=DEFAULT_TAIL_LINES):
    """Parse the log at ``path``; undecodable bytes are replaced, never fatal."""
    with io.open(path, "r", encoding="utf-8", errors="replace") as stream:
        return parse_lines(iter_bounded_lines(stream), max_issues, tail_lines)
