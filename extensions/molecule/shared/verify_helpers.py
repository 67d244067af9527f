"""What the scenarios' testinfra checks share: the converge's recorded steps, PLAY RECAP parsing,
the lab (its audit logs), and the first Admin Node Manager's topology read over HTTPS.

Imported by each scenario's tests/conftest.py. Runs on the controller.
"""
import base64
import calendar
import json
import os
import re
import ssl
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
sys.path.insert(0, str(REPO / "tests" / "lab"))
sys.path.insert(0, str(REPO / "tests" / "support"))

from browser import png_size, render_in_chromium  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from lablib.testing import Lab  # noqa: E402  pylint: disable=wrong-import-position

RECAP_LINE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$")


def lab():
    return Lab(os.environ["APIGW_LAB_DIR"])


def steps():
    """The converge's steps by name: {name: {rc, stdout, stderr, step}}."""
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "steps.json"
    return {s["name"]: s for s in json.loads(path.read_text())}


def recap(output):
    """PLAY RECAP counters per host from ansible-playbook's default output."""
    counts = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap = True
            continue
        match = RECAP_LINE.match(line.strip()) if in_recap else None
        if match:
            counts[match.group(1)] = {k: int(v) for k, v in (kv.split("=") for kv in match.group(2).split())}
    return counts


def custom_stats(output):
    """What the run handed to set_stats (per_host: false), from the CUSTOM STATS block that
    ANSIBLE_SHOW_CUSTOM_STATS prints: the data an AWX workflow's next node receives."""
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("RUN: {")]
    assert len(lines) == 1, "expected one CUSTOM STATS RUN line, found %d" % len(lines)
    return json.loads(lines[0][len("RUN: "):])


FAILED_TASK = re.compile(r'^fatal: \[([^\]]+)\]: FAILED! => .*?"msg": "(.*?)"\}?\s*$', re.MULTILINE)


def failures(output):
    """[(host, message)] of every failed task in a playbook's output (the default callback's
    ``fatal: [host]: FAILED! => {... "msg": "..."}`` lines), messages unescaped: a check on a
    refusal's own text, never on a host name that PLAY RECAP prints anyway."""
    return [(host, json.loads('"%s"' % msg)) for host, msg in FAILED_TASK.findall(output)]


def table_rows(output, host):
    """The rows for HOST of every phase table the playbook printed (debug output of the summary)."""
    pattern = re.compile(r'^\s*"?\|\s*%s\s*\|(.*)\|"?,?\s*$' % re.escape(host))
    return [[cell.strip() for cell in m.group(1).split("|")]
            for m in (pattern.match(line) for line in output.splitlines()) if m]


CELL_COUNT = re.compile(r"^(\d+) (warning|error)s?$")
DURATION = re.compile(r"^(<1 s|\d+ s|\d+ min \d\d s|\d+ h \d\d min)$")


def cell_parts(text):
    """A phase cell as printed ("PASSED", "FAILED, 12 s, 1 error", or on a page with " \u00b7 ") read
    back: {result, duration (text or None), warnings, errors}. A part it does not know fails the
    test, so a format change cannot slip past the checks that read cells."""
    parts = [p.strip() for p in re.split(r",|\u00b7", " ".join(text.split()))]
    cell = {"result": parts[0], "duration": None, "warnings": 0, "errors": 0}
    for part in parts[1:]:
        count = CELL_COUNT.match(part)
        if count:
            cell[count.group(2) + "s"] = int(count.group(1))
        else:
            assert DURATION.match(part) or part == "log", "unexpected cell part %r in %r" % (part, text)
            cell["duration"] = cell["duration"] if part == "log" else part
    assert "W0" not in text and "E0" not in text, text
    return cell


def cell_counts(text):
    """(result, warnings, errors) of a printed phase cell."""
    cell = cell_parts(text)
    return cell["result"], cell["warnings"], cell["errors"]


def sysupgrade_calls(the_lab, node, command=None):
    """The node's audit 'end' records (one per finished sysupgrade call), optionally one command."""
    calls = [r for r in the_lab.audit(node) if r.get("event") == "end"]
    if command:
        calls = [r for r in calls if len(r.get("argv", [])) > 1 and r["argv"][1] == command]
    return calls


def node_path(the_lab, node, path):
    """A path under /opt of a lab host, as the controller sees it (the hosts' /opt is a folder of the
    lab), for checks that read one node's files without a testinfra host of their own."""
    relative = Path(path).relative_to("/opt")
    return the_lab.opt(node) / relative


def audit_time(record, field="start"):
    """The epoch second a lab audit record's call started (or ended: field "end"; UTC, to the second)."""
    return calendar.timegm(time.strptime(record[field], "%Y-%m-%dT%H:%M:%SZ"))


def option_value(argv, option):
    """The value of OPTION in an argv list (``OPTION VALUE`` or ``OPTION=VALUE``), or None."""
    for i, arg in enumerate(argv):
        if arg == option:
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg[len(option) + 1:]
    return None


def anm_topology(the_lab, node="node1"):
    """GET https://NODE:8090/api/topology as the collection would, with the lab CA and creds."""
    info = the_lab.info
    context = ssl.create_default_context(cafile=str(the_lab.ca_path))
    request = urllib.request.Request("https://%s:8090/api/topology" % the_lab.address(node))
    token = base64.b64encode(("%s:%s" % (info["admin_username"], info["admin_password"])).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    with urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)).open(request, timeout=10) as response:
        return json.loads(response.read().decode())["result"]


def secrets(the_lab):
    info = the_lab.info
    cassandra_password = (info.get("cassandra") or {}).get("password")
    return [info["admin_password"], info["domain_passphrase"]] + ([cassandra_password] if cassandra_password else [])


PHASES = ("PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY")
JUNIT_XSD = REPO / "tests" / "unit" / "data" / "junit.xsd"
REPORT_FILES = ("report.html", "report.md", "report.json", "junit.xml")


class Report(object):
    """The report folder one step's playbook wrote (apigw-reports/<run>/ in the step's folder),
    checked for form as it is loaded: every file 0600 and every folder 0700, report.json loads,
    report.html parses, junit.xml validates against a JUnit schema."""

    def __init__(self, step_name):
        from lxml import etree, html  # controller requirement; imported here for the report checks only

        root = (REPO / "tests" / "output" / "molecule" / os.environ["MOLECULE_SCENARIO_NAME"]
                / step_name / "apigw-reports")
        entries = sorted(root.iterdir())
        runs = [e for e in entries if e.is_dir()]
        assert len(runs) == 1, "one report folder per run, found %s" % runs
        self.path = runs[0]
        # Beside the run folders, the campaign index every run rebuilds (and its lock), private too.
        assert sorted(e.name for e in entries if not e.is_dir()) == [".index.lock", "index.html", "index.json"], entries
        for item in entries:
            if not item.is_dir():
                assert item.stat().st_mode & 0o777 == 0o600, "%s has mode %o" % (item, item.stat().st_mode & 0o777)
        self.index = json.loads((root / "index.json").read_text())
        assert [r["id"] for r in self.index["runs"]] == [self.path.name], self.index["runs"]
        for name in REPORT_FILES:
            assert (self.path / name).is_file(), "%s missing from %s" % (name, self.path)
        for item in [self.path] + list(self.path.rglob("*")):
            mode = item.stat().st_mode & 0o777
            assert mode == (0o700 if item.is_dir() else 0o600), "%s has mode %o" % (item, mode)
        self.data = json.loads((self.path / "report.json").read_text())
        self.html = html.fromstring((self.path / "report.html").read_text())
        self.junit = etree.parse(str(self.path / "junit.xml"))
        etree.XMLSchema(etree.parse(str(JUNIT_XSD))).assertValid(self.junit)

    def cell(self, host, phase):
        """The phase's cell of HOST in report.json, checked against the HTML grid and junit.xml."""
        row = [r for r in self.data["rows"] if r["host"] == host][0]
        cell = row["phases"][phase]
        td = self.html.xpath('//tr[@data-host="%s"]/td[@data-phase="%s"]' % (host, phase))[0]
        assert td.get("class") == cell["result"].replace(" ", "-")
        shown = cell_parts(td.text_content())
        assert (shown["result"], shown["warnings"], shown["errors"]) == (
            cell["result"], cell["warnings"], cell["errors"])
        # A phase that ran shows its duration, linked to its log when the run kept one.
        assert (shown["duration"] is not None) == (cell.get("seconds") is not None), td.text_content()
        assert td.xpath("a/@href") == ([cell["log"]] if cell.get("log") else [])
        case = self.junit.xpath('//testsuite[@name="%s"]/testcase[@name="%s"]' % (host, phase))[0]
        expected = {"FAILED": "failure", "UNREACHABLE": "error", "SKIPPED": "skipped", "NOT RUN": "skipped"}
        assert [child.tag for child in case if child.tag != "system-out"] == (
            [expected[cell["result"]]] if cell["result"] in expected else [])
        return cell

    def issues(self, host=None, phase=None, severity=None):
        """report.json's issues (with the catalogue's remediation), optionally filtered."""
        return [i for i in self.data["issues"]
                if (host is None or i["host"] == host) and (phase is None or i["phase"] == phase)
                and (severity is None or i["severity"] == severity)]

    def files_text(self):
        """The text of every file in the folder, logs included, by path."""
        return {p: p.read_text(errors="replace") for p in self.path.rglob("*") if p.is_file()}


STATUS_ROW = re.compile(r'^\s*"(\S+)\s*\| (.*)",?\s*$')


def status_rows(output):
    """The rows of status.yml's table in OUTPUT: {node: [topology host, status, next step]}."""
    rows = {}
    for line in output.splitlines():
        match = STATUS_ROW.match(line)
        if match and match.group(1) != "NODE":
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def step_output(step_name, filename):
    """A file a converge step wrote in its own folder (tests/output/molecule/<scenario>/<step>/)."""
    return (REPO / "tests" / "output" / "molecule" / os.environ["MOLECULE_SCENARIO_NAME"] / step_name / filename)


def traffic(step_name="traffic"):
    """The result of `labctl traffic --json traffic.json` run by a converge step."""
    return json.loads(step_output(step_name, "traffic.json").read_text())


def step_window(step):
    """(start, end) of a converge step, in epoch seconds (ansible's command start/end, local time)."""
    import datetime

    def parse(text):
        return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()
    return parse(step["start"]), parse(step["end"])


def zdu_rows(output):
    """The rows of the vendor's ZDU summary table printed by a rolling apply: {host: [cells]}."""
    rows = {}
    header = None
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip('",').strip("|").split("|")]
        if cells and cells[0] == "NODE" and "PRE-APPLY" in cells:
            header = cells
            continue
        if header and len(cells) == len(header) and cells[0].startswith("node"):
            rows[cells[0]] = dict(zip(header[1:], cells[1:]))
    return rows
