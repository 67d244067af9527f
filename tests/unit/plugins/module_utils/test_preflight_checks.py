# -*- coding: utf-8 -*-
"""preflight_checks: one test per problem and note, on a fake node with real executables, no Ansible.

The node (preflight_tree.Node) is healthy unless a test breaks one thing; each test then checks that
exactly the expected finding comes back, naming the file or the variable, and that the checks that
depend on a missing folder are skipped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import preflight_checks
from ansible_collections.apigw.sysupgrade.plugins.module_utils.processes import ProcessError
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.preflight_tree import (
    Node, SubprocessModule, closed_port, listening_socket, write)

# What the role passes: the messages name the inventory variables.
ROLE_NAMES = dict(
    old_install_dir="apigw_old_install_dir", new_install_dir="apigw_new_install_dir", force="apigw_force",
    min_free_disk_mb="apigw_min_free_disk_mb", cassandra_host="apigw_cassandra_host",
    cassandra_port="apigw_cassandra_port", no_cassandra="apigw_no_cassandra",
    cassandra_connect_timeout="apigw_cassandra_connect_timeout")
Usage = collections.namedtuple("Usage", "total used free")
MIB = 1024 * 1024


@pytest.fixture
def cassandra():
    sock = listening_socket()
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def disk(monkeypatch):
    """shutil.disk_usage replaced: ``disk.free_mb`` MiB free; records the paths asked."""
    class Disk(object):
        def __init__(self):
            self.free_mb = 10240
            self.asked = []
            self.error = OSError(0, "")
            self.fails = False

        def usage(self, path):
            self.asked.append(path)
            if self.fails:
                raise self.error
            return Usage(100000 * MIB, 0, self.free_mb * MIB)

    fake = Disk()
    monkeypatch.setattr(shutil, "disk_usage", fake.usage)
    return fake


@pytest.fixture
def node(tmp_path):
    return Node(tmp_path)


@pytest.fixture
def check(node, cassandra, disk):
    """check(**option overrides) -> the result, with the role's variable names."""
    def run(**overrides):
        params = node.params(cassandra, variable_names=ROLE_NAMES)
        params.update(overrides)
        return preflight_checks.run_checks(SubprocessModule(), params)
    return run


def only(result, check):
    """The result has exactly one finding, of this check; return it."""
    assert [f["check"] for f in result["findings"]] == [check], result["findings"]
    return result["findings"][0]


def assert_only_status_calls(node):
    for install in (node.old, node.new):
        assert all(call.endswith(" -s") for call in node.process_calls(install)), node.process_calls(install)


# ---- the healthy node, and the status ----

def test_a_healthy_node_passes_with_status_and_only_s_calls(node, check, disk):
    result = check()
    assert result["status"] == "PASSED"
    assert result["problems"] == result["notes"] == result["findings"] == []
    assert result["sysupgrade_status"] == "not started" and result["completed"] == []
    assert result["applied"] is False and result["will_export"] is True and result["will_upgrade"] is True
    assert result["free_mb"] == 10240 and disk.asked == [node.new]
    assert result["commands"] == [
        [node.sysupgrade, "status"],
        [node.old + "/posix/bin/nodemanager", "-s"],
        [node.old + "/posix/bin/startinstance", "-g", "GatewayGroup", "-n", "APIGateway1", "-s"],
        [node.new + "/posix/bin/nodemanager", "-s"],
    ]
    assert result["cmd"] == [node.new + "/posix/bin/nodemanager", "-s"] and result["rc"] == 1
    assert result["stdout"] == "" and result["stderr"] == ""
    assert node.process_calls(node.old) == ["nodemanager -s", "startinstance -g GatewayGroup -n APIGateway1 -s"]
    assert node.process_calls(node.new) == ["nodemanager -s"]


@pytest.mark.parametrize("text", [
    "System Upgrade Status\n---------------------\nCurrent status: system upgrade complete\n",
    "Current status:   System Upgrade  COMPLETE\n",  # decided from `completed`, not from the literal text
])
def test_an_applied_node_is_skipped_and_nothing_else_is_checked(node, check, disk, text):
    node.set_status("apply", text=text)
    os.remove(node.new + "/conf/licenses/apigw.lic")          # would be a problem on a node to check
    node.set_running(node.old)                                  # as would a stopped old installation
    result = check(cassandra_port=closed_port())
    assert result["status"] == "SKIPPED" and result["findings"] == [] and result["problems"] == []
    assert result["applied"] is True and result["completed"] == ["export", "upgrade", "apply"]
    assert result["will_export"] is False and result["will_upgrade"] is False
    assert result["commands"] == [[node.sysupgrade, "status"]] and result["rc"] == 0
    assert "Current status" in result["stdout"]
    assert result["free_mb"] is None and disk.asked == []
    assert node.process_calls(node.old) == node.process_calls(node.new) == []


def test_status_not_understood_is_one_problem_naming_the_tool(node, check):
    node.set_status("not started", rc=1, text="java.lang.NoClassDefFoundError: com/vordel/Upgrade\n")
    result = check()
    finding = only(result, "status")
    assert finding["severity"] == "problem" and finding["path"] == node.sysupgrade
    assert finding["message"].startswith("cannot read the sysupgrade status: %s status exited 1" % node.sysupgrade)
    assert "NoClassDefFoundError" in finding["message"]
    assert result["status"] == "FAILED" and result["problems"] == [finding["message"]]
    assert result["sysupgrade_status"] == "unknown" and result["completed"] == []
    assert result["will_export"] is True and result["applied"] is False   # as if not started: check everything


def test_status_that_hangs_is_stopped_at_the_timeout(node, check):
    write(node.new + "/upgrade/bin/sleep", "20\n")
    # timeout bounds every command of the check: 3 s, so that the fast fakes (nodemanager -s ...)
    # never reach it on a loaded machine, and only the status that hangs does
    finding = only(check(timeout=3), "status")
    assert "did not answer within 3 seconds" in finding["message"] and node.sysupgrade in finding["message"]
    assert finding["option"] == "timeout"


# ---- will_export and the old installation's processes ----

def test_old_installation_not_running_when_export_will_run(node, check):
    node.set_running(node.old, "nodemanager")
    result = check()
    finding = only(result, "old_processes")
    assert finding["message"] == ("the old installation must be running for export; not running in %s: "
                                  "GatewayGroup/APIGateway1" % node.old)
    assert finding["path"] == node.old and finding["option"] == "old_install_dir"
    assert_only_status_calls(node)


@pytest.mark.parametrize("state", ["export", "upgrade"])
def test_exported_node_does_not_need_the_old_installation_running(node, check, state):
    node.set_status(state)
    node.set_running(node.old)
    result = check()
    assert result["status"] == "PASSED" and result["will_export"] is False and result["findings"] == []
    assert result["completed"] == (["export"] if state == "export" else ["export", "upgrade"])
    # an exported node still upgrades; an upgraded one runs nothing (a rerun's fast path)
    assert result["will_upgrade"] is (state == "export")
    assert node.process_calls(node.old) == []


def test_force_makes_export_run_so_the_old_installation_must_run(node, check):
    node.set_status("upgrade")
    node.set_running(node.old)
    result = check(force=True)
    assert result["will_export"] is True and result["will_upgrade"] is True
    assert result["completed"] == ["export", "upgrade"]
    assert "nodemanager, GatewayGroup/APIGateway1" in only(result, "old_processes")["message"]


def test_old_process_state_unknown(node, check):
    node.set_status_rc(node.old, 2)
    finding = only(check(), "old_processes")
    assert finding["message"].startswith("cannot tell whether the old installation runs in %s" % node.old)
    assert "exited 2" in finding["message"]


# ---- the new installation's processes ----

def test_new_installation_processes_running(node, check):
    node.set_running(node.new, "nodemanager")
    finding = only(check(), "new_processes")
    assert finding["message"] == ("processes of the new installation run in %s (nodemanager): sysupgrade "
                                  "requires none before apply" % node.new)
    assert_only_status_calls(node)


def test_new_installation_instance_running_in_a_leftover_domain(node, check):
    """A leftover NEW/groups with its topology: its instances are asked too (a leftover, reported besides)."""
    shutil.copytree(node.old + "/groups", node.new + "/groups")
    node.set_running(node.new, "GatewayGroup/APIGateway1")
    result = check()
    assert [f["check"] for f in result["findings"]] == ["new_groups", "new_processes"]
    assert "(GatewayGroup/APIGateway1)" in result["findings"][1]["message"]
    assert node.process_calls(node.new) == ["nodemanager -s", "startinstance -g GatewayGroup -n APIGateway1 -s"]


def test_leftover_instance_folders_without_topology_are_not_a_second_problem(node, check):
    write(node.new + "/groups/group-2/instance-1/conf/service.xml", "<service/>\n")
    only(check(), "new_groups")
    assert node.process_calls(node.new) == ["nodemanager -s"]


def test_new_process_state_unknown(node, check):
    node.set_status_rc(node.new, 3)
    finding = only(check(), "new_processes")
    assert finding["message"].startswith("cannot check the new installation processes in %s" % node.new)


# ---- folders and files ----

def test_a_missing_new_install_dir_is_reported_once_and_nothing_else_about_it(node, check, disk, tmp_path):
    wrong = str(tmp_path / "Axway-7.7-typo" / "apigateway")
    result = check(new_install_dir=wrong)
    finding = only(result, "new_install_dir")
    assert finding["message"].startswith("apigw_new_install_dir %s is not a folder on this node" % wrong)
    assert finding["path"] == wrong and finding["option"] == "new_install_dir"
    assert result["problems"] == [finding["message"]] and result["notes"] == []
    # No status, licence, disk, sysupgrade, new-process or upgrade/lib check ran.
    assert disk.asked == [] and result["free_mb"] is None
    assert result["sysupgrade_status"] == "unknown" and result["will_export"] is True
    assert [c[0] for c in result["commands"]] == [node.old + "/posix/bin/nodemanager",
                                                  node.old + "/posix/bin/startinstance"]
    assert node.process_calls(node.new) == []


def test_a_missing_new_install_dir_hides_no_old_or_cassandra_problem(node, check, tmp_path):
    node.set_running(node.old)
    result = check(new_install_dir=str(tmp_path / "nowhere"), cassandra_port=closed_port())
    assert [f["check"] for f in result["findings"]] == ["new_install_dir", "old_processes", "cassandra"]


def test_a_missing_old_install_dir_is_reported_once(node, check, tmp_path):
    write(node.old + "/groups/group-2/jdbc.xml", "jdbc:mysql://db/x")   # no JDBC note either
    wrong = str(tmp_path / "Axway-7.5.3-typo" / "apigateway")
    result = check(old_install_dir=wrong)
    finding = only(result, "old_install_dir")
    assert finding["message"].startswith("apigw_old_install_dir %s is not a folder on this node" % wrong)
    assert finding["path"] == wrong
    assert result["commands"] == [[node.sysupgrade, "status"], [node.new + "/posix/bin/nodemanager", "-s"]]


def test_old_folder_that_is_not_an_installation(node, check):
    os.remove(node.old + "/posix/bin/nodemanager")
    os.remove(node.old + "/groups/topology.json")   # a consequence, not reported besides
    write(node.old + "/groups/jdbc.xml", "jdbc:mysql://db/x")
    result = check()
    finding = only(result, "old_nodemanager")
    assert finding["message"] == ("apigw_old_install_dir %s is not an API Gateway installation (no "
                                  "posix/bin/nodemanager); nothing that needs the old installation was checked "
                                  "(topology, processes, external databases)" % node.old)
    assert finding["path"] == node.old + "/posix/bin/nodemanager" and finding["option"] == "old_install_dir"
    assert node.process_calls(node.old) == []


def test_old_installation_without_topology(node, check):
    os.remove(node.old + "/groups/topology.json")
    finding = only(check(), "old_topology")
    assert finding["message"] == ("apigw_old_install_dir %s has no groups/topology.json: not a configured domain"
                                  % node.old)
    assert finding["path"] == node.old + "/groups/topology.json"
    # The instances cannot be named without it: only the Node Manager was asked, and no error besides.
    assert node.process_calls(node.old) == ["nodemanager -s"]


def test_new_folder_that_is_not_an_installation(node, check, disk):
    os.remove(node.new + "/posix/bin/nodemanager")
    os.remove(node.new + "/conf/licenses/apigw.lic")   # not reported besides
    result = check()
    finding = only(result, "new_nodemanager")
    assert finding["message"] == ("apigw_new_install_dir %s is not an API Gateway installation (no "
                                  "posix/bin/nodemanager); nothing that needs the new installation was checked "
                                  "(sysupgrade, status, licence, processes, disk space, upgrade/lib)" % node.new)
    assert finding["path"] == node.new + "/posix/bin/nodemanager" and finding["option"] == "new_install_dir"
    assert node.process_calls(node.new) == [] and disk.asked == []
    assert [node.sysupgrade, "status"] not in result["commands"]


def test_new_install_dir_one_level_too_high_is_one_problem(node, check, disk):
    """/opt/Axway-7.7 instead of /opt/Axway-7.7/apigateway: the folder exists but is no installation."""
    parent = os.path.dirname(node.new)
    result = check(new_install_dir=parent)
    finding = only(result, "new_nodemanager")
    assert finding["message"].startswith("apigw_new_install_dir %s is not an API Gateway installation" % parent)
    assert disk.asked == [] and result["sysupgrade_status"] == "unknown"


def test_missing_sysupgrade_is_one_problem_and_no_status_problem(node, check):
    os.remove(node.sysupgrade)
    result = check()
    finding = only(result, "sysupgrade")
    assert finding["message"].startswith("%s is missing: apigw_new_install_dir %s" % (node.sysupgrade, node.new))
    assert finding["path"] == node.sysupgrade
    assert [node.sysupgrade, "status"] not in result["commands"]


def test_sysupgrade_not_executable(node, check):
    os.chmod(node.sysupgrade, 0o644)
    finding = only(check(), "sysupgrade")
    assert finding["message"].startswith("%s is not executable" % node.sysupgrade)


def test_no_licence(node, check):
    os.remove(node.new + "/conf/licenses/apigw.lic")
    write(node.new + "/conf/licenses/readme.txt", "not a licence")
    finding = only(check(), "licence")
    folder = node.new + "/conf/licenses"
    assert finding["message"] == ("no licence (*.lic) in %s: upgrade fails without a valid licence "
                                  "(vendor error reference)" % folder)
    assert finding["path"] == folder


def test_leftover_new_groups_while_not_started(node, check):
    os.makedirs(node.new + "/groups")
    finding = only(check(), "new_groups")
    assert finding["message"] == ("%s/groups exists although sysupgrade has not started: a leftover of an "
                                  "earlier attempt; run clean.yml on this host first" % node.new)


def test_new_groups_once_started_is_no_leftover(node, check):
    os.makedirs(node.new + "/groups")
    node.set_status("upgrade")
    assert check()["findings"] == []


# ---- disk space ----

def test_too_little_free_space(check, disk, node):
    disk.free_mb = 1000
    result = check(min_free_disk_mb=2048)
    finding = only(result, "disk_space")
    assert finding["message"] == "only 1000 MiB free for %s, apigw_min_free_disk_mb asks for 2048" % node.new
    assert finding["option"] == "min_free_disk_mb" and result["free_mb"] == 1000
    disk.free_mb = 2048
    assert check(min_free_disk_mb=2048)["findings"] == []


def test_free_space_cannot_be_measured(check, disk, node):
    disk.error, disk.fails = OSError(13, "Permission denied"), True
    result = check()
    assert only(result, "disk_space")["message"].startswith("cannot measure free space of %s" % node.new)
    assert result["free_mb"] is None


# ---- Cassandra ----

def test_cassandra_not_reachable(check):
    port = closed_port()
    finding = only(check(cassandra_port=port), "cassandra")
    assert finding["message"].startswith(
        "Cassandra is not reachable from this node at 127.0.0.1:%d within 1 s "
        "(apigw_cassandra_host / apigw_cassandra_port): " % port)
    assert finding["path"] is None and finding["option"] == "cassandra_host"


@pytest.mark.parametrize("host", [None, ""])
def test_cassandra_host_missing(check, host):
    finding = only(check(cassandra_host=host), "cassandra")
    assert finding["message"] == "apigw_cassandra_host is not set: set it, or apigw_no_cassandra: true"


def test_no_cassandra_checks_nothing(check):
    assert check(cassandra_host=None, no_cassandra=True, cassandra_port=closed_port())["findings"] == []


def test_connect_retries_a_refused_port_until_the_timeout():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    error = preflight_checks.tcp_connect_error("127.0.0.1", closed_port(), 2, sleep=sleep, clock=lambda: clock[0])
    assert error and len(slept) == 4 and sum(slept) == 2


# ---- external databases ----

def test_external_database_without_driver_is_a_note(node, check):
    config = node.old + "/groups/group-2/instance-1/conf/fed/store.xml"
    write(config, '<entity><field name="url" value="jdbc:mysql://127.0.0.1:3306/testdb"/></entity>\n')
    result = check()
    assert result["status"] == "PASSED" and result["problems"] == []
    finding = only(result, "jdbc_drivers")
    assert finding["severity"] == "note" and result["notes"] == [finding["message"]]
    lib = node.new + "/upgrade/lib"
    assert finding["message"] == (
        "the old installation uses external databases (%s): copy their JDBC drivers to %s before apply, or "
        "run apply with skip_db_upgrade after upgrading the OAuth/KPS tables yourself (vendor error "
        "reference, \"Third-party JDBC JARs\")" % (config, lib))
    assert finding["path"] == lib


def test_external_database_with_a_driver_needs_no_note(node, check):
    write(node.old + "/groups/group-2/conn.props", "url=jdbc:oracle:thin:@db:1521/x\n")
    write(node.new + "/upgrade/lib/ojdbc8.jar", "jar")
    assert check()["findings"] == []


def test_only_small_configuration_files_are_searched(node, check):
    write(node.old + "/groups/notes.txt", "jdbc:mysql://db/x\n")           # not *.xml/*.json/*.props
    write(node.old + "/groups/.hidden.xml", "jdbc:mysql://db/x\n")         # hidden, as find
    with open(node.old + "/groups/big.json", "wb") as handle:             # 10 MB or more
        handle.write(b"jdbc:" + b" " * (10 * MIB))
    assert check()["findings"] == []


# ---- messages without variable_names, options, no Ansible ----

def test_without_variable_names_messages_name_the_options(node, cassandra, disk, tmp_path):
    params = node.params(cassandra, new_install_dir=str(tmp_path / "x"), cassandra_host=None)
    result = preflight_checks.run_checks(SubprocessModule(), params)
    assert result["problems"][0].startswith("new_install_dir %s is not a folder" % (tmp_path / "x"))
    assert result["problems"][1] == "cassandra_host is not set: set it, or no_cassandra: true"


@pytest.mark.parametrize("overrides, error", [
    ({"timeout": 0}, "timeout must be a positive number of seconds"),
    ({"cassandra_connect_timeout": -1}, "cassandra_connect_timeout must be a positive"),
    ({"min_free_disk_mb": -5}, "min_free_disk_mb must be 0 or more"),
    ({"cassandra_port": 70000}, "cassandra_port must be a TCP port"),
    ({"variable_names": {"new_dir": "x"}}, "variable_names: unknown option(s) new_dir"),
    ({"variable_names": {"new_install_dir": ""}}, "the name for new_install_dir must be a non-empty string"),
    ({"new_install_dir": ""}, "new_install_dir is required"),
])
def test_option_errors(overrides, error):
    params = dict(preflight_checks.DEFAULTS, old_install_dir="/o", new_install_dir="/n")
    params.update(overrides)
    assert error in preflight_checks.option_error(params)


def test_option_errors_name_the_variables():
    params = dict(preflight_checks.DEFAULTS, old_install_dir="/o", new_install_dir="/n", variable_names=ROLE_NAMES,
                  min_free_disk_mb=-1)
    assert preflight_checks.option_error(params) == "apigw_min_free_disk_mb must be 0 or more, got -1"


def test_valid_options_have_no_error():
    params = dict(preflight_checks.DEFAULTS, old_install_dir="/o", new_install_dir="/n", variable_names=ROLE_NAMES)
    assert preflight_checks.option_error(params) is None


def test_the_read_only_control_refuses_to_start_stop_or_list(node):
    control = preflight_checks.ReadOnlyProcessControl(SubprocessModule(), node.old, 10)
    for call in (lambda: control.change({"kind": "nodemanager", "group": None, "name": None}, True),
                 control.listing):
        with pytest.raises(ProcessError):
            call()
    assert control.commands == [] and node.process_calls(node.old) == []


def test_the_checks_import_without_ansible():
    root = os.path.abspath(os.path.join(os.path.dirname(preflight_checks.__file__), "..", "..", "..", "..", ".."))
    code = ("import sys; sys.modules['ansible'] = None; sys.path.insert(0, %r); "
            "from ansible_collections.apigw.sysupgrade.plugins.module_utils import preflight_checks; "
            "print('ok')" % root)
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# ---- issue 12: ext/lib jars, Cassandra's new client port, group fingerprints ----

def test_a_third_party_jar_already_in_the_new_system_lib_is_a_note(node, check):
    write(node.old + "/ext/lib/commons-codec-1.15.jar", "jar")
    write(node.old + "/ext/lib/acme-filter.jar", "jar")
    write(node.new + "/system/lib/modules/commons-codec-1.11.jar", "jar")   # same artifact, other version
    write(node.new + "/system/lib/vordel-core.jar", "jar")
    result = check()
    assert result["status"] == "PASSED" and result["ext_lib_jars"] == ["acme-filter.jar", "commons-codec-1.15.jar"]
    finding = only(result, "ext_lib")
    assert finding["severity"] == "note" and finding["path"] == node.old + "/ext/lib/commons-codec-1.15.jar"
    assert ("commons-codec-1.15.jar in the old ext/lib is already in the new installation as %s"
            % (node.new + "/system/lib/modules/commons-codec-1.11.jar")) in finding["message"]
    assert "upgrade_steps_extcass.md Task 4" in finding["message"]


def test_the_same_jar_name_is_a_duplicate_and_other_jars_are_not(node, check):
    write(node.old + "/ext/lib/bcprov.jar", "jar")
    write(node.new + "/system/lib/bcprov.jar", "jar")
    write(node.new + "/system/lib/bcpkix.jar", "jar")
    assert [f["check"] for f in check()["findings"]] == ["ext_lib"]


@pytest.mark.parametrize("name,artifact", [
    ("commons-codec-1.15.jar", "commons-codec"), ("mysql-connector-java-8.0.33.jar", "mysql-connector-java"),
    ("guava-31.1-jre.jar", "guava"), ("acme-filter.jar", "acme-filter"), ("Log4J_2.17.jar", "log4j")])
def test_jar_artifact(name, artifact):
    assert preflight_checks.jar_artifact(name) == artifact


def test_old_thrift_port_configured_and_new_port_closed(check, monkeypatch):
    asked = []

    def connect(host, port, timeout, **_kwargs):
        asked.append(port)
        return None if port == 9160 else "Connection refused"
    monkeypatch.setattr(preflight_checks, "tcp_connect_error", connect)
    finding = only(check(cassandra_port=9160), "cassandra")
    assert asked == [9160, 9042]
    assert "not on the new client port 9042" in finding["message"] and finding["option"] == "cassandra_port"


def test_new_port_closed_while_the_old_one_answers_says_firewall(check, monkeypatch):
    monkeypatch.setattr(preflight_checks, "tcp_connect_error",
                        lambda host, port, timeout, **_k: None if port == 9160 else "timed out")
    finding = only(check(cassandra_port=9042), "cassandra")
    assert "The old client port 9160 answers" in finding["message"]
    assert '"You must open the port 9042 on your firewall"' in finding["message"]


def test_group_fingerprints_cover_the_group_but_not_its_instances(node, check):
    write(node.old + "/groups/group-2/conf/fed/PrimaryStore.xml", "<entityStoreData/>")
    first = check()["group_fingerprints"]
    write(node.old + "/groups/group-2/instance-1/conf/kps/file/data.json", "{}")   # instance data: not the group's
    assert check()["group_fingerprints"] == first
    write(node.old + "/groups/group-2/conf/fed/PrimaryStore.xml", "<entityStoreData><entity/></entityStoreData>")
    changed = check()["group_fingerprints"]
    assert set(changed) == {"group-2"} and changed["group-2"] != first["group-2"]
