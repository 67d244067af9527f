# -*- coding: utf-8 -*-
"""log_progress: a running step's log read a piece at a time gives the counts of the whole log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import log_parser, log_progress
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.documented_logs import CASES

ZERO = {"error": 0, "warning": 0, "info": 0}


@pytest.fixture
def new(tmp_path):
    path = tmp_path / "apigateway"
    (path / "upgrade" / "bin" / "out" / "logs").mkdir(parents=True)
    return str(path)


def log_of(new, step="upgrade"):
    return os.path.join(new, "upgrade", "bin", "out", "logs", step + ".log")


def grow(path, data):
    with open(path, "ab") as handle:
        handle.write(data)


@pytest.mark.parametrize("case_id, text, expected_counts", [(c[0], c[1], c[3]) for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("piece", [1, 7, 64, 100000])
def test_pieces_add_up_to_the_whole_log(new, case_id, text, expected_counts, piece):
    """Whatever the byte boundaries the step writes at (mid-line, mid-character), the counts at the
    end are the parser's counts of the whole log: the same as the step module's result."""
    data = ("2026-11-25 05:00:00 INFO sysupgrade upgrade started\n" + text +
            "\n2026-11-25 05:00:09 INFO sysupgrade upgrade completed\n").encode("utf-8")
    path = log_of(new)
    open(path, "wb").close()
    resume = None
    for start in range(0, len(data), piece):
        grow(path, data[start:start + piece])
        progress = log_progress.read_progress(new, "upgrade", resume=resume)
        assert progress["log_path"] == path
        resume = progress["resume"]
    whole = log_parser.parse_log_file(path)
    assert progress["counts"] == whole["counts"] == expected_counts
    assert progress["lines"] == whole["lines"]
    assert resume["offset"] == len(data)


def test_a_line_still_being_written_waits_for_the_next_call(new):
    path = log_of(new)
    grow(path, b"[WARNING] messages from [RBAC] :\nWARN: The RBAC file")
    first = log_progress.read_progress(new, "upgrade")
    assert first["lines"] == 1 and first["counts"] == ZERO
    grow(path, b" was modified\nWARN: and more\n[ERROR] messages from [X] :\nERROR: boom\n")
    second = log_progress.read_progress(new, "upgrade", resume=first["resume"])
    assert second["counts"] == {"error": 1, "warning": 1, "info": 0}
    assert second["lines"] == 5


def test_only_the_new_part_is_read(new, mocker):
    path = log_of(new)
    grow(path, b"[WARNING] messages from [A] :\nWARN: one\n" * 1000)
    first = log_progress.read_progress(new, "upgrade")
    assert first["counts"]["warning"] == 1000
    fed = mocker.spy(log_parser.LogParser, "feed")
    grow(path, b"[ERROR] messages from [B] :\nERROR: two\n")
    second = log_progress.read_progress(new, "upgrade", resume=first["resume"])
    assert fed.call_count == 2
    assert second["counts"] == {"error": 1, "warning": 1000, "info": 0}


def test_a_rewritten_log_is_read_from_its_start(new):
    """Each run of a step truncates its log: a new run's log is counted afresh, even when it has
    grown past where the old one was read to."""
    path = log_of(new)
    grow(path, b"2026-11-25 05:00:00 INFO run one\n[WARNING] messages from [A] :\nWARN: one\n")
    first = log_progress.read_progress(new, "upgrade")
    assert first["counts"]["warning"] == 1
    with open(path, "wb") as handle:
        handle.write(b"2026-11-25 06:00:00 INFO run two\n" + b"[ERROR] messages from [B] :\nERROR: two\n" * 3)
    second = log_progress.read_progress(new, "upgrade", resume=first["resume"])
    assert second["counts"] == {"error": 3, "warning": 0, "info": 0}
    # truncated to less than was read
    with open(path, "wb") as handle:
        handle.write(b"x\n")
    third = log_progress.read_progress(new, "upgrade", resume=second["resume"])
    assert third["counts"] == ZERO and third["lines"] == 1


@pytest.mark.parametrize("resume", ["garbage", {"offset": "x"}, {"path": None}, {
    "path": "elsewhere", "inode": 1, "offset": 0, "head": "", "parser": {}}])
def test_a_malformed_resume_reads_from_the_start(new, resume):
    grow(log_of(new), b"[WARNING] messages from [A] :\nWARN: one\n")
    assert log_progress.read_progress(new, "upgrade", resume=resume)["counts"]["warning"] == 1


def test_no_log_written_since_the_job_started(new):
    path = log_of(new)
    grow(path, b"[ERROR] messages from [Old] :\nERROR: from an earlier run\n")
    old = time.time() - 3600
    os.utime(path, (old, old))
    progress = log_progress.read_progress(new, "upgrade", written_since=time.time())
    assert progress == {"log_path": None, "counts": ZERO, "lines": 0, "resume": None}
    assert log_progress.read_progress(new, "upgrade")["counts"]["error"] == 1


def test_an_over_long_line_is_cut(new):
    path = log_of(new)
    grow(path, b"ERROR: " + b"x" * (log_progress.LINE_MAX_BYTES * 3))
    assert log_progress.read_progress(new, "upgrade")["lines"] == 0   # its line break is not written yet
    grow(path, b"\nWARN: next\n")
    progress = log_progress.read_progress(new, "upgrade")
    assert progress["lines"] == 2
    assert progress["counts"] == {"error": 1, "warning": 1, "info": 0}


def test_parser_state_round_trip():
    parser = log_parser.LogParser(max_issues=0, tail_lines=0)
    for line in ("[WARNING] messages from [RBAC] :", "WARN: first line"):
        parser.feed(line)
    state = parser.state()
    again = log_parser.LogParser.from_state(state)
    for target in (parser, again):
        target.feed("WARN: continuation of the same finding")
        target.feed("[ERROR] messages from [X] :")
        target.feed("ERROR: boom")
    assert again.counts == parser.counts == {"error": 1, "warning": 1, "info": 0}
    assert again.state() == parser.state()
    with pytest.raises((KeyError, TypeError, ValueError)):
        log_parser.LogParser.from_state({"counts": {}})
