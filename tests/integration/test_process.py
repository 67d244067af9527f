# -*- coding: utf-8 -*-
"""process against the lab's vendor-3-node domain, on node2 (NodeB: no ANM, one instance
GatewayGroup/APIGateway2), so the ANMs other tests talk to keep running.

The state is always proved with the product's own ``-s`` over ssh, not with the module's word.
Each test leaves node2's old installation running again (LabNode, not the module under test).
"""
import pytest

from lab_node import LabNode

MODULE = "apigw.sysupgrade.process"
NODE = "node2"
OLD = "{{ apigw_old_install_dir }}"
GROUP, NAME = "GatewayGroup", "APIGateway2"
INSTANCE = "%s/%s" % (GROUP, NAME)


@pytest.fixture
def node2(vendor3):
    node = LabNode(vendor3, NODE)
    node.start("old")
    try:
        yield node
    finally:
        node.start("old")


@pytest.fixture
def ans(vendor3, ansible_on):
    return ansible_on(vendor3)


def process(ans, component, state, check=False, **extra):
    return ans.module(NODE, MODULE, dict(install_dir=OLD, component=component, state=state, **extra), check=check)


def running(node):
    """(node manager, instance) as the product's -s says: True when running (exit 0)."""
    nm = node.ssh("%s/posix/bin/nodemanager -s" % node.old_dir).returncode
    gw = node.ssh("%s/posix/bin/startinstance -g %s -n %s -s" % (node.old_dir, GROUP, NAME)).returncode
    assert nm in (0, 1) and gw in (0, 1)
    return nm == 0, gw == 0


def test_stop_all_then_rerun_is_unchanged(ans, node2):
    run = process(ans, "all", "stopped")
    assert run.ok, run
    assert run.result["changed"] is True
    assert run.result["stopped"] == [INSTANCE, "nodemanager"]  # instances first
    assert run.result["discovery"] == "files"  # one instance: a bare startinstance would start it
    assert running(node2) == (False, False)

    again = process(ans, "all", "stopped")
    assert again.ok, again
    assert again.result["changed"] is False and again.result["already"] == [INSTANCE, "nodemanager"]


def test_check_mode_changes_nothing(ans, node2):
    node2.stop("old")
    run = process(ans, "all", "started", check=True)
    assert run.ok, run
    assert run.result["changed"] is True and run.result["started"] == ["nodemanager", INSTANCE]
    assert all(argv[-1] == "-s" for argv in run.result["commands"])
    assert running(node2) == (False, False)


def test_start_all_over_ssh_returns_and_runs(ans, node2):
    node2.stop("old")
    run = process(ans, "all", "started", timeout=60)
    assert run.ok, run
    assert run.result["changed"] is True and run.result["started"] == ["nodemanager", INSTANCE]
    assert running(node2) == (True, True)
    assert process(ans, "all", "started").result["changed"] is False


def test_one_instance_by_group_and_name(ans, node2):
    run = process(ans, "instance", "stopped", group=GROUP, name=NAME)
    assert run.ok, run
    assert run.result["changed"] is True and run.result["stopped"] == [INSTANCE]
    assert running(node2) == (True, False)  # the node manager is left alone

    run = process(ans, "instance", "started", group=GROUP, name=NAME)
    assert run.ok, run
    assert run.result["started"] == [INSTANCE] and running(node2) == (True, True)


def test_node_manager_alone(ans, node2):
    run = process(ans, "nodemanager", "stopped")
    assert run.ok, run
    assert run.result["stopped"] == ["nodemanager"] and running(node2) == (False, True)


def test_unknown_instance_fails_naming_command_and_component(ans, node2):
    run = process(ans, "instance", "started", group=GROUP, name="NoSuchGateway")
    assert run.failed, run
    assert run.result["msg"].startswith("%s/posix/bin/startinstance -g %s -n NoSuchGateway -d did not start %s/NoSuchGateway"
                                        % (node2.old_dir, GROUP, GROUP))


def test_new_installation_without_instances(ans, node2):
    # NEW before apply has no groups/ at all: the listing is empty and there is nothing to do.
    run = ans.module(NODE, MODULE, dict(install_dir="{{ apigw_new_install_dir }}", component="instances",
                                        state="stopped"))
    assert run.ok, run
    assert run.result["changed"] is False and run.result["components"] == []
    assert run.result["discovery"] == "listing"
