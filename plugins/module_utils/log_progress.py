# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How far a running step has got: the warnings and errors of its log so far.

A step can run for an hour and its log can grow to hundreds of MB, while the controller asks every
few seconds (apigw.sysupgrade.step_wait, through the step_progress module). So each call reads only
what was added since the previous one: it returns, besides the counts, a ``resume`` record (the log's
path, inode, the first bytes' digest, the offset of the last complete line and the parser's state,
log_parser.LogParser.state) that the controller hands back on the next call. A log that was
replaced, truncated or rewritten (a new run of the step: each run truncates its log) is read again
from its start. Only complete lines are read; a line still being written waits for the next call.

The log is the one log_locator finds, written since the job started: counts are those of the
same parser that judges the step at its end, so the last progress line and the result agree.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.apigw.sysupgrade.plugins.module_utils import log_locator, log_parser

HEAD_BYTES = 256
# A line longer than this many bytes is cut, as log_parser cuts lines at LINE_MAX_CHARS characters.
LINE_MAX_BYTES = log_parser.LINE_MAX_CHARS * 4


def _head_digest(path, length):
    with open(path, "rb") as stream:
        return hashlib.sha256(stream.read(length)).hexdigest()


def complete_lines(stream, max_bytes=LINE_MAX_BYTES):
    """Yield (bytes consumed, text) for each complete line from the stream's position on.

    Stops before a last line without its line break (still being written). A line longer than
    ``max_bytes`` is cut (its rest is skipped, once its line break has been written).
    """
    while True:
        raw = stream.readline(max_bytes)
        if not raw:
            return
        used = len(raw)
        if not raw.endswith(b"\n"):
            if len(raw) < max_bytes:
                return  # the last line, still being written
            while True:  # over-long: skip up to its line break
                rest = stream.readline(max_bytes)
                if not rest:
                    return  # its line break is not written yet
                used += len(rest)
                if rest.endswith(b"\n"):
                    break
            raw += log_parser.TRUNCATED_MARK.encode("ascii")
        text = raw.decode("utf-8", "replace")
        yield used, text[:log_parser.LINE_MAX_CHARS]


def _resumable(resume, path, stat):
    """The parser and offset to go on from, or None when the log must be read from its start."""
    if not isinstance(resume, dict):
        return None
    try:
        offset = int(resume["offset"])
        if (resume["path"] != path or int(resume["inode"]) != stat.st_ino or not 0 <= offset <= stat.st_size
                or resume["head"] != _head_digest(path, min(offset, HEAD_BYTES))):
            return None
        return log_parser.LogParser.from_state(resume["parser"]), offset
    except (KeyError, TypeError, ValueError, AttributeError, IOError, OSError):
        return None


def read_progress(new_install_dir, step, written_since=None, resume=None):
    """{log_path, counts, lines, resume} of the newest log of ``step`` written since ``written_since``."""
    path, _looked_in = log_locator.find_step_log(new_install_dir, step, written_since=written_since)
    empty = {"log_path": None, "counts": dict((s, 0) for s in log_parser.SEVERITIES), "lines": 0, "resume": None}
    if path is None:
        return empty
    try:
        stat = os.stat(path)
        going_on = _resumable(resume, path, stat)
        parser, offset = going_on if going_on else (log_parser.LogParser(max_issues=0, tail_lines=0), 0)
        with open(path, "rb") as stream:
            stream.seek(offset)
            for used, text in complete_lines(stream):
                offset += used
                parser.feed(text)
        head = _head_digest(path, min(offset, HEAD_BYTES))
    except (IOError, OSError):
        return dict(empty, log_path=path)
    return {
        "log_path": path,
        "counts": dict(parser.counts),
        "lines": parser.line_count,
        "resume": {"path": path, "inode": stat.st_ino, "offset": offset, "head": head, "parser": parser.state()},
    }
