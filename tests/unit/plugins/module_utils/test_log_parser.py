# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import tracemalloc

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import log_parser

from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.documented_logs import (
    CASES, EXPORT_SYSTEM_CONFIG, KPS_DUPLICATES, RBAC_MODIFIED, sectioned)


@pytest.mark.parametrize("text, expected, counts", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_documented_message(text, expected, counts):
    result = log_parser.parse_text(text)
    assert result["counts"] == counts
    got = [(i["severity"], i["check"], i["message"]) for i in result["issues"]]
    assert len(got) == len(expected), got
    for (severity, check, message), (want_sev, want_check, want_start, want_lines) in zip(got, expected):
        assert severity == want_sev
        assert check == want_check
        assert message.startswith(want_start), message
        assert len(message.split("\n")) == want_lines, message


def test_multi_line_warning_keeps_every_line_without_prefix():
    issue = log_parser.parse_text(EXPORT_SYSTEM_CONFIG)["issues"][1]
    lines = issue["message"].split("\n")
    assert lines[1] == "/opt/Axway-7.4.1/apigateway/groups/group-2/instance-1/conf/jvm.xml"
    assert lines[2].startswith("These jvm.xml files are not part")
    assert not any(line.startswith("WARN:") for line in lines)


def test_kps_block_is_one_error_with_three_lines_in_order():
    issue = log_parser.parse_text(KPS_DUPLICATES)["issues"][0]
    lines = issue["message"].split("\n")
    assert [line.split()[0:3] for line in lines] == [
        ["Found", "duplicate", "'apiadmin'"], ["Found", "duplicate", "'Community'"], ["There", "is", "a"]]
    assert issue["line"] == 2


def test_checks_ok_and_failed_are_counted():
    text = "[System Config] : OK\n[Licenses] : OK\n" + sectioned("ERROR", "API Manager", KPS_DUPLICATES.split("\n", 1)[1])
    result = log_parser.parse_text(text)
    assert result["checks_ok"] == 2
    assert result["checks_failed"] == ["API Manager"]


def test_separate_sections_give_separate_findings():
    text = sectioned("WARNING", "RBAC", RBAC_MODIFIED) + sectioned("WARNING", "ActiveMQ", "WARN: one\n")
    result = log_parser.parse_text(text)
    assert [(i["check"], i["severity"]) for i in result["issues"]] == [("RBAC", "warning"), ("ActiveMQ", "warning")]


def test_blank_line_and_trace_line_end_a_message():
    text = "WARN: first\n\nWARN: second\n2026-11-25 03:10:00 INFO narrative\nnot a continuation\n"
    result = log_parser.parse_text(text)
    assert [i["message"] for i in result["issues"]] == ["first", "second"]


def test_prefix_change_starts_a_new_finding_in_the_same_section():
    text = "[WARNING] messages from [Mixed] :\nWARN: a warning\nERROR: an error\n"
    result = log_parser.parse_text(text)
    assert [(i["severity"], i["check"], i["message"]) for i in result["issues"]] == [
        ("warning", "Mixed", "a warning"), ("error", "Mixed", "an error")]


def test_unknown_sections_and_lines_are_tolerated():
    text = ("[DEBUGDUMP] messages from [Weird] : something\nmore\n"
            "random noise line\n[Strange] : SKIPPED\n<xml/>\n")
    result = log_parser.parse_text(text)
    assert result["counts"] == {"error": 0, "warning": 0, "info": 1}
    assert result["issues"][0]["check"] == "Weird"
    # Free text in a section of unknown kind belongs to its (info) message, as in INFORMATIONAL.
    assert result["issues"][0]["message"] == "something\nmore\nrandom noise line"


def test_header_with_marker_on_the_same_line():
    result = log_parser.parse_text("[ERROR] messages from [X] : ERROR: inline\n")
    assert [(i["severity"], i["message"]) for i in result["issues"]] == [("error", "inline")]


def test_empty_log():
    result = log_parser.parse_text("")
    assert result["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert result["issues"] == [] and result["tail"] == [] and result["lines"] == 0


def test_max_issues_keeps_the_first_per_severity_and_counts_all():
    text = "".join("[WARNING] messages from [W%d] :\nWARN: w%d\n" % (n, n) for n in range(10))
    text += "".join("[ERROR] messages from [E%d] :\nERROR: e%d\n" % (n, n) for n in range(4))
    result = log_parser.parse_text(text, max_issues=3)
    assert result["counts"] == {"error": 4, "warning": 10, "info": 0}
    assert [i["message"] for i in result["issues"]] == ["w0", "w1", "w2", "e0", "e1", "e2"]
    assert result["issues_truncated"] is True


def test_max_issues_zero_only_counts():
    result = log_parser.parse_text(KPS_DUPLICATES, max_issues=0)
    assert result["counts"]["error"] == 1 and result["issues"] == []


def test_tail_is_bounded_in_lines_and_width():
    text = "".join("line %d %s\n" % (n, "x" * 1000) for n in range(100))
    result = log_parser.parse_text(text, tail_lines=5)
    assert len(result["tail"]) == 5
    assert result["tail"][-1].startswith("line 99 ")
    assert all(len(line) <= log_parser.TAIL_LINE_MAX_CHARS + len(log_parser.TRUNCATED_MARK) for line in result["tail"])


def test_long_message_is_cut():
    text = "[ERROR] messages from [Big] :\n" + "".join("ERROR: %s\n" % ("y" * 500) for dummy in range(50))
    message = log_parser.parse_text(text)["issues"][0]["message"]
    assert len(message) <= log_parser.MESSAGE_MAX_CHARS + len(log_parser.TRUNCATED_MARK)
    assert message.endswith(log_parser.TRUNCATED_MARK)


def test_over_long_line_is_cut_and_the_rest_skipped():
    stream = io.StringIO("ERROR: " + "z" * 50000 + "\nWARN: next\n")
    lines = list(log_parser.iter_bounded_lines(stream, max_chars=100))
    assert len(lines) == 2
    assert lines[0].startswith("ERROR: zzz") and lines[0].endswith(log_parser.TRUNCATED_MARK)
    assert lines[1] == "WARN: next\n"


def test_undecodable_bytes_do_not_break_parsing(tmp_path):
    path = tmp_path / "upgrade.log"
    path.write_bytes(b"ERROR: bad \xff\xfe bytes\n")
    result = log_parser.parse_log_file(str(path))
    assert result["counts"]["error"] == 1


def test_big_log_streams_in_bounded_memory(tmp_path):
    """~30 MB of log with 100 000 findings: memory must not grow with the file."""
    path = tmp_path / "upgrade.log"
    block = (sectioned("WARNING", "ActiveMQ", "WARN: The ActiveMQ directory is not configured correctly\n")
             + "2026-11-25 03:10:00 INFO " + "n" * 200 + "\n") * 1000
    with open(str(path), "w") as handle:
        for dummy in range(100):
            handle.write(block)
    assert os.path.getsize(str(path)) > 25 * 1024 * 1024
    tracemalloc.start()
    try:
        result = log_parser.parse_log_file(str(path), max_issues=50)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["counts"]["warning"] == 100000
    assert len(result["issues"]) == 50
    assert peak < 5 * 1024 * 1024, peak
