"""Process command helpers: command lines, the listing parser, discovery, -d/-k verification."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import sys
import time

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import processes as p
from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_watchdog
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.modules.conftest import WATCHDOG_PREFIX, module_args

INSTALL = "/opt/Axway-7.5.3/apigateway"
BIN = INSTALL + "/posix/bin"
NM = p.nodemanager_component()
GW = p.instance_component("Gateway Group", "API Gateway 1")


@pytest.mark.parametrize("component, action, argv", [
    (NM, "start", [BIN + "/nodemanager", "-d"]),
    (NM, "stop", [BIN + "/nodemanager", "-k"]),
    (NM, "status", [BIN + "/nodemanager", "-s"]),
    (GW, "start", [BIN + "/startinstance", "-g", "Gateway Group", "-n", "API Gateway 1", "-d"]),
    (GW, "stop", [BIN + "/startinstance", "-g", "Gateway Group", "-n", "API Gateway 1", "-k"]),
    (GW, "status", [BIN + "/startinstance", "-g", "Gateway Group", "-n", "API Gateway 1", "-s"]),
])
def test_command_lines(component, action, argv):
    assert p.command(INSTALL, component, action) == argv


def test_labels():
    assert p.label(NM) == "nodemanager"
    assert p.label(GW) == "Gateway Group/API Gateway 1"


# ---- the listing parser ----

VENDOR_LISTING = """usage:"startinstance [[-n instance-name -g group-name [instance-args]] | [directory-location [instance-args]]]"

The API Gateway instances listed below are available to run on this machine as follows:

startinstance -n "server1" -g "group1"
startinstance -n "server2" -g "group2"
"""


def names(text):
    return [(i["group"], i["name"]) for i in p.parse_instance_listing(text)]


LISTING_CASES = [
    ("vendor", VENDOR_LISTING, [("group1", "server1"), ("group2", "server2")]),
    ("odd spacing and tabs", '   startinstance\t -n   "s 1"\t-g  "g 1"   \n', [("g 1", "s 1")]),
    ("single quotes", "startinstance -n 'server1' -g 'group1'", [("group1", "server1")]),
    ("no quotes", "startinstance -n server1 -g group1", [("group1", "server1")]),
    ("group first", 'startinstance -g "group1" -n "server1"', [("group1", "server1")]),
    ("path and .sh", './startinstance -n "a" -g "b"\n/opt/x/posix/bin/startinstance.sh -n "c" -g "d"',
     [("b", "a"), ("d", "c")]),
    ("attached values", 'startinstance -n"a" -gb', [("b", "a")]),
    ("CRLF", 'startinstance -n "a" -g "b"\r\nstartinstance -n "c" -g "d"\r\n', [("b", "a"), ("d", "c")]),
    ("duplicates", 'startinstance -n "a" -g "b"\nstartinstance -n "a" -g "b"', [("b", "a")]),
    ("escaped quote", r'startinstance -n "say \"hi\"" -g "g"', [("g", 'say "hi"')]),
    ("unbalanced quote falls back", 'startinstance -n "server1" -g "group 1', [("group 1", "server1")]),
    ("missing group ignored", 'startinstance -n "a"', []),
    ("prose mentioning startinstance ignored", "Run startinstance -n to start", []),
    ("usage only", VENDOR_LISTING.split("\n\n", 1)[0], []),
    ("empty", "", []),
    ("none", None, []),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in LISTING_CASES], ids=[c[0] for c in LISTING_CASES])
def test_parse_instance_listing(text, expected):
    assert names(text) == expected


# ---- discovery from folders + topology.json ----

def make_install(tmp_path, dirs, topology=True, script_files=True):
    """An installation with instance folders ``dirs`` [(group id, instance id)]."""
    root = tmp_path / "apigateway"
    (root / "posix" / "bin").mkdir(parents=True)
    if script_files:
        for tool in ("nodemanager", "startinstance"):
            (root / "posix" / "bin" / tool).write_text("#!/bin/sh\n")
    for group_id, instance_id in dirs:
        conf = root / "groups" / group_id / instance_id / "conf"
        conf.mkdir(parents=True)
        (conf / "service.xml").write_text("<Service/>")
    if topology:
        group_ids = sorted(set(d[0] for d in dirs))
        data = {"hosts": [{"id": "host-1", "name": "NodeA"}],
                "groups": [{"id": g, "name": "Group-%s" % g,
                            "services": [{"id": i, "name": "GW-%s" % i, "type": "gateway", "hostID": "host-1"}
                                         for group_id, i in dirs if group_id == g]}
                           for g in group_ids]}
        (root / "groups").mkdir(exist_ok=True)
        (root / "groups" / "topology.json").write_text(json.dumps(data))
    return str(root)


def test_scan_ignores_debris_and_sorts_numerically(tmp_path):
    install = make_install(tmp_path, [("group-10", "instance-2"), ("group-2", "instance-11"),
                                      ("group-2", "instance-3")])
    (tmp_path / "apigateway" / "groups" / "group-2" / "instance-4").mkdir()  # no conf/service.xml
    (tmp_path / "apigateway" / "groups" / "certs").mkdir()
    assert p.scan_instance_dirs(install) == [("group-2", "instance-3"), ("group-2", "instance-11"),
                                             ("group-10", "instance-2")]


def test_instances_from_files_names_folders_through_topology(tmp_path):
    install = make_install(tmp_path, [("group-2", "instance-1")])
    assert p.instances_from_files(install) == [{"group": "Group-group-2", "name": "GW-instance-1"}]


def test_instances_from_files_unknown_folder(tmp_path):
    install = make_install(tmp_path, [("group-2", "instance-1")])
    (tmp_path / "apigateway" / "groups" / "group-3" / "instance-7" / "conf").mkdir(parents=True)
    (tmp_path / "apigateway" / "groups" / "group-3" / "instance-7" / "conf" / "service.xml").write_text("")
    with pytest.raises(p.ProcessError) as err:
        p.instances_from_files(install)
    assert "group-3/instance-7" in err.value.msg and "instances option" in err.value.msg


def test_instances_from_files_without_topology(tmp_path):
    install = make_install(tmp_path, [("group-2", "instance-1")], topology=False)
    with pytest.raises(p.ProcessError) as err:
        p.instances_from_files(install)
    assert "topology.json" in err.value.msg and "group-2/instance-1" in err.value.msg


class FakeControl(object):
    def __init__(self, install_dir, listing_text):
        self.install_dir = install_dir
        self.listing_text = listing_text
        self.listed = 0

    def listing(self):
        self.listed += 1
        return self.listing_text


LISTED = 'startinstance -n "L1" -g "LG"\nstartinstance -n "L2" -g "LG"'


@pytest.mark.parametrize("dirs, listing, method, expected, how, listed", [
    # one folder: never run the bare command that would start the lone instance
    ([("group-2", "instance-1")], LISTED, "auto", [("Group-group-2", "GW-instance-1")], "files", 0),
    ([("group-2", "instance-1"), ("group-2", "instance-2")], LISTED, "auto",
     [("LG", "L1"), ("LG", "L2")], "listing", 1),
    ([("group-2", "instance-1"), ("group-2", "instance-2")], "garbage", "auto",
     [("Group-group-2", "GW-instance-1"), ("Group-group-2", "GW-instance-2")], "files", 1),
    ([], "", "auto", [], "listing", 1),
    ([("group-2", "instance-1")], LISTED, "listing", [("LG", "L1"), ("LG", "L2")], "listing", 1),
    ([("group-2", "instance-1"), ("group-2", "instance-2")], "", "listing", [], "listing", 1),
    ([("group-2", "instance-1")], LISTED, "files", [("Group-group-2", "GW-instance-1")], "files", 0),
])
def test_discover_instances(tmp_path, dirs, listing, method, expected, how, listed):
    control = FakeControl(make_install(tmp_path, dirs), listing)
    found, used = p.discover_instances(control, method)
    assert [(i["group"], i["name"]) for i in found] == expected
    assert used == how
    assert control.listed == listed


# ---- ProcessControl: running, timing out, verifying ----

class FakeModule(object):
    """run_command answers from a list of (rc, out, err); records the command (unwrapped from the
    watchdog), the keyword arguments and the watchdog's own arguments."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []
        self.wrappers = []
        self.warnings = []

    def run_command(self, argv, **kwargs):
        wrapper = list(argv[:WATCHDOG_PREFIX])
        assert wrapper[:3] == [sys.executable, "-c", step_watchdog.WATCHDOG_SOURCE]
        self.wrappers.append(wrapper)
        self.calls.append((list(argv[WATCHDOG_PREFIX:]), kwargs))
        return self.answers.pop(0)

    def warn(self, msg):
        self.warnings.append(msg)


@pytest.fixture
def install(tmp_path):
    return make_install(tmp_path, [])


def control_for(install, answers, **kwargs):
    module = FakeModule(answers, **kwargs)
    return module, p.ProcessControl(module, install, timeout=5, sleep=lambda s: None)


def test_commands_run_in_bin_with_c_locale(install):
    module, control = control_for(install, [(0, "", "")])
    assert control.is_running(NM) is True
    argv, kwargs = module.calls[0]
    assert argv == [install + "/posix/bin/nodemanager", "-s"]
    assert kwargs["cwd"] == install + "/posix/bin"
    assert kwargs["environ_update"] == {"LANG": "C", "LC_ALL": "C"}  # no account given: no login names
    assert kwargs["data"] is None and kwargs["expand_user_and_vars"] is False
    # under the watchdog: time limit, kill grace, standard input on /dev/null
    # ... and as the installation's owner: here root owns it, so nothing changes hands ("-")
    assert module.wrappers[0][3:] == ["5", str(p.KILL_GRACE_SECONDS), "null", "-"]
    assert control.commands == [argv]
    assert control.last == dict(cmd=argv, rc=0, stdout="", stderr="")


def test_status_other_exit_is_an_error(install):
    module, control = control_for(install, [(127, "", "boom")])
    with pytest.raises(p.ProcessError) as err:
        control.is_running(GW)
    assert "cannot tell whether Gateway Group/API Gateway 1 is running" in err.value.msg
    assert err.value.details["rc"] == 127 and err.value.details["stderr"] == "boom"


def test_missing_command_is_named(tmp_path):
    install = make_install(tmp_path, [], script_files=False)
    module, control = control_for(install, [])
    with pytest.raises(p.ProcessError) as err:
        control.is_running(NM)
    assert install + "/posix/bin/nodemanager not found" in err.value.msg
    assert module.calls == []


def test_change_verified_with_status(install):
    module, control = control_for(install, [(0, "started", ""), (0, "", "")])
    control.change(NM, True)
    assert [c[0] for c in module.calls] == [[install + "/posix/bin/nodemanager", "-d"],
                                            [install + "/posix/bin/nodemanager", "-s"]]


def test_change_waits_briefly_then_fails_naming_command_and_component(install):
    answers = [(1, "out", "err")] + [(0, "", "")] * p.SETTLE_TRIES  # -k, then -s keeps saying running
    module, control = control_for(install, answers)
    with pytest.raises(p.ProcessError) as err:
        control.change(GW, False)
    assert err.value.msg == ("%s/posix/bin/startinstance -g Gateway Group -n API Gateway 1 -k did not stop "
                             "Gateway Group/API Gateway 1: it exited 1 and -s still reports it running" % install)
    assert err.value.details["stdout"] == "out"
    assert len(module.calls) == 1 + p.SETTLE_TRIES


def test_change_late_success_and_nonzero_exit_warns(install):
    module, control = control_for(install, [(3, "", ""), (1, "", ""), (0, "", "")])
    control.change(NM, True)
    assert len(module.calls) == 3
    assert "exited 3" in module.warnings[0]


def test_timeout_reported_by_the_watchdog_is_an_error(install):
    note = "\n%s after 0.05 s; process group stopped\n" % step_watchdog.TIMEOUT_MARKER
    module, control = control_for(install, [(step_watchdog.TIMEOUT_EXIT_CODE, "half", note)])
    control.timeout = 0.05
    with pytest.raises(p.ProcessError) as err:
        control.change(NM, True)
    assert err.value.msg == ("%s/posix/bin/nodemanager -d did not finish within 0.05 seconds (timeout); "
                             "its process group was stopped" % install)
    assert err.value.details == dict(cmd=[install + "/posix/bin/nodemanager", "-d"], rc=124, stdout="half", stderr=note)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie waiting for its reaper is dead for our purpose
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split()[2] != "Z"
    except IOError:
        return False


def test_timeout_stops_the_whole_process_group_with_the_real_run_command(tmp_path):
    """A real child that forks a grandchild holding stdout: the call returns soon after the time
    limit, and the grandchild is gone too (run_command and a kill of the child alone left it)."""
    install = make_install(tmp_path, [])
    pid_file = tmp_path / "grandchild.pid"
    script = os.path.join(install, "posix", "bin", "nodemanager")
    with open(script, "w") as handle:
        handle.write("#!/bin/sh\nsleep 60 &\necho $! > '%s'\nsleep 60\n" % pid_file)
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR)
    with module_args({}):
        module = AnsibleModule(argument_spec={})
    control = p.ProcessControl(module, install, timeout=1, grace=2)
    started = time.time()
    with pytest.raises(p.ProcessError) as err:
        control.is_running(NM)
    elapsed = time.time() - started
    assert 1 <= elapsed < 1 + 2 + 3, elapsed
    assert "did not finish within 1 seconds (timeout); its process group was stopped" in err.value.msg
    assert err.value.details["rc"] == step_watchdog.TIMEOUT_EXIT_CODE
    grandchild = int(pid_file.read_text())
    deadline = time.time() + 2
    while _alive(grandchild) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_listing_reads_stdout_and_stderr(install):
    module, control = control_for(install, [(1, 'startinstance -n "a" -g "b"', 'startinstance -n "c" -g "d"')])
    assert names(control.listing()) == [("b", "a"), ("d", "c")]
    assert module.calls[0][0] == [install + "/posix/bin/startinstance"]


# ---- ensure ----

class StateControl(object):
    def __init__(self, running, fail_on=None):
        self.running = set(running)
        self.fail_on = fail_on
        self.changed = []

    def is_running(self, component):
        return p.label(component) in self.running

    def change(self, component, running):
        if p.label(component) == self.fail_on:
            raise p.ProcessError("boom")
        self.changed.append((p.label(component), running))


def empty_report():
    return dict(started=[], stopped=[], already=[], components=[])


def test_ensure_changes_only_what_differs():
    control = StateControl(["nodemanager"])
    report = p.ensure(control, [NM, GW], True, False, empty_report())
    assert control.changed == [("Gateway Group/API Gateway 1", True)]
    assert report["started"] == ["Gateway Group/API Gateway 1"] and report["already"] == ["nodemanager"]
    assert [(c["before"], c["after"]) for c in report["components"]] == [
        ("running", "running"), ("stopped", "running")]


def test_ensure_check_mode_changes_nothing():
    control = StateControl(["nodemanager", "Gateway Group/API Gateway 1"])
    report = p.ensure(control, [GW, NM], False, True, empty_report())
    assert control.changed == []
    assert report["stopped"] == ["Gateway Group/API Gateway 1", "nodemanager"]


def test_ensure_failure_keeps_partial_report():
    control = StateControl(["nodemanager", "Gateway Group/API Gateway 1"], fail_on="nodemanager")
    report = empty_report()
    with pytest.raises(p.ProcessError):
        p.ensure(control, [GW, NM], False, False, report)
    assert report["stopped"] == ["Gateway Group/API Gateway 1"]
    assert report["components"][-1]["after"] == "running"
