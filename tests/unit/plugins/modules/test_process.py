"""process: exact command lines per component and state, order, idempotence, check mode, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import basic

from ansible_collections.apigw.sysupgrade.plugins.module_utils import processes, step_watchdog
from ansible_collections.apigw.sysupgrade.plugins.modules import process
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.modules.conftest import WATCHDOG_PREFIX


class FakeGateway(object):
    """Stands in for posix/bin/nodemanager and startinstance behind run_command.

    ``running`` holds labels (``nodemanager`` or ``GROUP/NAME``); ``broken`` labels ignore -d/-k.
    """

    def __init__(self, bin_dir, running=(), listing="", broken=()):
        self.bin_dir = bin_dir
        self.running = set(running)
        self.listing = listing
        self.broken = set(broken)
        self.calls = []

    def handle(self, argv, **kwargs):
        assert argv[2] == step_watchdog.WATCHDOG_SOURCE and argv[5] == "null"  # always under the watchdog
        argv = list(argv[WATCHDOG_PREFIX:])
        assert kwargs["cwd"] == self.bin_dir and kwargs["environ_update"]["LANG"] == "C"
        self.calls.append(argv)
        tool, args = argv[0].rsplit("/", 1)[1], argv[1:]
        if tool == "startinstance" and not args:
            return 0, self.listing, ""
        who = "nodemanager" if tool == "nodemanager" else "%s/%s" % (args[1], args[3])
        flag = args[-1]
        if flag == "-s":
            return (0 if who in self.running else 1), "", ""
        if who in self.broken:
            return 1, "", "ERROR: %s refused" % who
        (self.running.add if flag == "-d" else self.running.discard)(who)
        return 0, "", ""


@pytest.fixture
def install(tmp_path):
    bin_dir = tmp_path / "posix" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("nodemanager", "startinstance"):
        (bin_dir / tool).write_text("#!/bin/sh\n")
    return str(tmp_path)


@pytest.fixture
def gateway(monkeypatch, install):
    fake = FakeGateway(install + "/posix/bin")
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda module, argv, **kw: fake.handle(argv, **kw))
    monkeypatch.setattr(process, "detach_stdin", lambda: None)  # never touch pytest's own stdin
    monkeypatch.setattr(processes, "SETTLE_DELAY", 0)
    return fake


def run(monkeypatch, args):
    return run_main(monkeypatch, process.main, args)


def nm(install, flag):
    return [install + "/posix/bin/nodemanager", flag]


def gw(install, group, name, flag):
    return [install + "/posix/bin/startinstance", "-g", group, "-n", name, flag]


TWO = [{"group": "G", "name": "I1"}, {"group": "G", "name": "I2"}]


def test_start_nodemanager(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "started"})
    assert gateway.calls == [nm(install, "-s"), nm(install, "-d"), nm(install, "-s")]
    assert result["changed"] is True and result["started"] == ["nodemanager"]
    assert result["commands"] == gateway.calls and result["discovery"] is None


def test_stop_nodemanager_already_stopped(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "stopped"})
    assert gateway.calls == [nm(install, "-s")]
    assert result["changed"] is False and result["already"] == ["nodemanager"]
    # The last command, `nodemanager -s`, exits 1 (stopped): without an explicit failed=False,
    # Ansible takes a result with a non-zero rc for a failed task.
    assert result["rc"] == 1 and result["failed"] is False


@pytest.mark.parametrize("state, flag, running", [("started", "-d", set()), ("stopped", "-k", {"My G/My I"})])
def test_one_instance(monkeypatch, install, gateway, state, flag, running):
    gateway.running = set(running)
    result = run(monkeypatch, {"install_dir": install, "component": "instance", "group": "My G",
                               "name": "My I", "state": state})
    assert gateway.calls == [gw(install, "My G", "My I", "-s"), gw(install, "My G", "My I", flag),
                             gw(install, "My G", "My I", "-s")]
    assert result["changed"] is True and result[state] == ["My G/My I"]


def test_instance_needs_group_and_name(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "instance", "group": "G", "state": "started"})
    assert result["failed"] and "name" in result["msg"]
    assert gateway.calls == []


def test_stop_all_instances_first_then_nodemanager(monkeypatch, install, gateway):
    gateway.running = {"nodemanager", "G/I1", "G/I2"}
    result = run(monkeypatch, {"install_dir": install, "component": "all", "state": "stopped", "instances": TWO})
    assert gateway.calls == [
        gw(install, "G", "I1", "-s"), gw(install, "G", "I1", "-k"), gw(install, "G", "I1", "-s"),
        gw(install, "G", "I2", "-s"), gw(install, "G", "I2", "-k"), gw(install, "G", "I2", "-s"),
        nm(install, "-s"), nm(install, "-k"), nm(install, "-s")]
    assert result["stopped"] == ["G/I1", "G/I2", "nodemanager"] and result["discovery"] == "option"
    assert gateway.running == set()


def test_start_all_nodemanager_first(monkeypatch, install, gateway):
    gateway.running = {"G/I2"}
    result = run(monkeypatch, {"install_dir": install, "component": "all", "state": "started", "instances": TWO})
    assert gateway.calls == [
        nm(install, "-s"), nm(install, "-d"), nm(install, "-s"),
        gw(install, "G", "I1", "-s"), gw(install, "G", "I1", "-d"), gw(install, "G", "I1", "-s"),
        gw(install, "G", "I2", "-s")]
    assert result["started"] == ["nodemanager", "G/I1"] and result["already"] == ["G/I2"]


def test_all_is_idempotent(monkeypatch, install, gateway):
    args = {"install_dir": install, "component": "all", "state": "stopped", "instances": TWO}
    gateway.running = {"nodemanager", "G/I1"}
    assert run(monkeypatch, args)["changed"] is True
    del gateway.calls[:]
    again = run(monkeypatch, args)
    assert again["changed"] is False and again["already"] == ["G/I1", "G/I2", "nodemanager"]
    assert all(argv[-1] == "-s" for argv in gateway.calls)


def test_instances_discovered_from_listing(monkeypatch, install, gateway):
    gateway.listing = ('usage:"startinstance [[-n instance-name -g group-name]]"\n\n'
                       'startinstance -n "I1" -g "G"\nstartinstance  -n "I2"  -g "G"\n')
    gateway.running = {"G/I1", "G/I2"}
    result = run(monkeypatch, {"install_dir": install, "component": "instances", "state": "stopped"})
    assert gateway.calls[0] == [install + "/posix/bin/startinstance"]
    assert result["discovery"] == "listing" and result["stopped"] == ["G/I1", "G/I2"]
    assert nm(install, "-s") not in gateway.calls  # "instances" leaves the node manager alone


def test_no_instances_at_all(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "instances", "state": "started"})
    assert result["changed"] is False and result["components"] == []


def test_check_mode_only_asks(monkeypatch, install, gateway):
    gateway.running = {"nodemanager", "G/I1"}
    result = run(monkeypatch, {"install_dir": install, "component": "all", "state": "stopped",
                               "instances": TWO, "_ansible_check_mode": True})
    assert gateway.calls == [gw(install, "G", "I1", "-s"), gw(install, "G", "I2", "-s"), nm(install, "-s")]
    assert result["changed"] is True
    assert result["stopped"] == ["G/I1", "nodemanager"] and result["already"] == ["G/I2"]
    assert gateway.running == {"nodemanager", "G/I1"}


def test_failed_start_names_command_and_component(monkeypatch, install, gateway):
    gateway.broken = {"G/I2"}
    result = run(monkeypatch, {"install_dir": install, "component": "all", "state": "started", "instances": TWO})
    assert result["failed"]
    assert result["msg"] == ("%s/posix/bin/startinstance -g G -n I2 -d did not start G/I2: it exited 1 and -s "
                             "still reports it stopped" % install)
    assert result["stderr"] == "ERROR: G/I2 refused" and result["rc"] == 1
    assert result["cmd"] == gw(install, "G", "I2", "-d")
    assert result["started"] == ["nodemanager", "G/I1"] and result["changed"] is True
    assert gateway.calls.count(gw(install, "G", "I2", "-s")) == 1 + processes.SETTLE_TRIES


def test_missing_install_dir(monkeypatch, tmp_path, gateway):
    result = run(monkeypatch, {"install_dir": str(tmp_path / "nope"), "component": "all", "state": "stopped"})
    assert result["failed"] and "is not a folder" in result["msg"]


def test_not_an_installation(monkeypatch, tmp_path, gateway):
    other = tmp_path / "empty"
    other.mkdir()
    result = run(monkeypatch, {"install_dir": str(other), "component": "nodemanager", "state": "stopped"})
    assert result["failed"]
    assert result["msg"] == "%s/posix/bin/nodemanager not found: is %s an API Gateway installation?" % (
        other, other)
    assert gateway.calls == []


def test_stdin_is_detached_before_any_command(monkeypatch, install, gateway):
    order = []
    monkeypatch.setattr(process, "detach_stdin", lambda: order.append("detach"))
    original = gateway.handle
    monkeypatch.setattr(gateway, "handle", lambda argv, **kw: order.append("run") or original(argv, **kw))
    run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "started"})
    assert order[0] == "detach" and "run" in order


# ---- the installation: install_dir, or the group's old_install_dir / new_install_dir ----

GROUP_DEFAULTS = {"username": "admin", "password": "Pa55-w0rd!", "domain_passphrase": "dom-Phrase#9"}


@pytest.mark.parametrize("installation", ["old", "new"])
def test_installation_picks_the_group_folder(monkeypatch, install, gateway, tmp_path, installation):
    folders = {"old": install, "new": str(tmp_path / "elsewhere")}
    if installation == "new":
        folders = {"old": str(tmp_path / "elsewhere"), "new": install}
    args = dict(GROUP_DEFAULTS, old_install_dir=folders["old"], new_install_dir=folders["new"],
                installation=installation, component="nodemanager", state="stopped")
    result = run(monkeypatch, args)
    assert result["failed"] is False, result
    assert result["install_dir"] == install and gateway.calls == [nm(install, "-s")]


def test_install_dir_keeps_working_next_to_the_group_defaults(monkeypatch, install, gateway, tmp_path):
    args = dict(GROUP_DEFAULTS, old_install_dir=str(tmp_path / "old"), new_install_dir=str(tmp_path / "new"),
                install_dir=install, component="nodemanager", state="stopped")
    result = run(monkeypatch, args)
    assert result["install_dir"] == install and gateway.calls == [nm(install, "-s")]


def test_installation_without_its_folder_is_refused(monkeypatch, install, gateway):
    result = run(monkeypatch, {"installation": "old", "new_install_dir": install, "component": "all",
                               "state": "stopped"})
    assert result["failed"] and result["msg"] == (
        "installation=old needs old_install_dir (usually set once for the action group in module_defaults); "
        "or give install_dir")
    assert gateway.calls == []


@pytest.mark.parametrize("args, words", [
    ({}, "one of the following is required: install_dir, installation"),
    ({"installation": "new"}, "mutually exclusive: install_dir|installation"),
])
def test_install_dir_or_installation(monkeypatch, install, gateway, args, words):
    if args:
        args = dict(args, install_dir=install, new_install_dir=install)
    result = run(monkeypatch, dict(args, component="nodemanager", state="started"))
    assert result["failed"] and words in result["msg"]
    assert gateway.calls == []


# ---- one result contract: cmd (a list), rc, stdout, stderr ----

def test_success_returns_the_last_command(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "started"})
    assert result["cmd"] == nm(install, "-s") == result["commands"][-1]
    assert (result["rc"], result["stdout"], result["stderr"]) == (0, "", "")


def test_nothing_ran_nothing_returned(monkeypatch, install, gateway):
    result = run(monkeypatch, {"install_dir": install, "component": "instances", "state": "started",
                               "instances": []})
    assert result["commands"] == [] and "cmd" not in result and "rc" not in result


def test_stopping_waits_for_a_sysupgrade_run_still_going_on_the_node(monkeypatch, install, gateway):
    """rollback.yml after a controller killed mid-apply: the apply job still runs on the node; the
    new processes are stopped only once it ended, under the node's sysupgrade lock."""
    import os
    import time
    from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock
    from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.test_step_lock import Holder
    os.makedirs(os.path.join(install, "upgrade", "bin"))
    holder = Holder(step_lock.lock_path(install), 1.0)
    gateway.running = {"nodemanager"}
    started = time.time()
    result = run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "stopped",
                               "wait_for_sysupgrade": 30})
    assert holder.wait() == 0
    assert time.time() - started >= 0.8 and result["stopped"] == ["nodemanager"]


def test_a_sysupgrade_run_that_outlasts_the_wait_stops_nothing(monkeypatch, install, gateway):
    import os
    from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_lock
    from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.test_step_lock import Holder
    os.makedirs(os.path.join(install, "upgrade", "bin"))
    holder = Holder(step_lock.lock_path(install), 3.0)
    gateway.running = {"nodemanager"}
    result = run(monkeypatch, {"install_dir": install, "component": "nodemanager", "state": "stopped",
                               "wait_for_sysupgrade": 1})
    holder.wait()
    assert result["failed"] and "still holds the lock" in result["msg"] and gateway.calls == []
    # what the action plugin's slices go on waiting for, and name in their progress lines
    assert result["failure_kind"] == "locked" and result["holder"].startswith("pid "), result
