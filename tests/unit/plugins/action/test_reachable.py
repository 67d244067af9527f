"""The controller-side SSH port check: every node at once, reasons for the silent ones."""
import socket
import threading
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.apigw.sysupgrade.plugins.action.reachable import (
    ActionModule, check_nodes, port_answers, ssh_endpoint)


@pytest.fixture
def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_open_and_closed_ports(listening_port):
    port = closed_port()
    reachable, unreachable = check_nodes([{"name": "node1", "host": "127.0.0.1", "port": listening_port},
                                          {"name": "node2", "host": "127.0.0.1", "port": port}], timeout=2)
    assert reachable == ["node1"]
    assert list(unreachable) == ["node2"]
    assert unreachable["node2"].startswith("127.0.0.1:%d did not answer within 2 s: " % port)


def test_nodes_are_tried_at_the_same_time_and_keep_their_order():
    # Every check waits at a barrier until all eight are in flight: one after the other, the first
    # would never get past it (BrokenBarrierError).
    barrier = threading.Barrier(8, timeout=10)

    def answer_once_all_started(host, port, timeout):
        barrier.wait()
        return None if host != "b" else "silent"

    nodes = [{"name": n, "host": n, "port": 22} for n in "abcdefgh"]
    reachable, unreachable = check_nodes(nodes, 5, answers=answer_once_all_started)
    assert reachable == ["a", "c", "d", "e", "f", "g", "h"] and unreachable == {"b": "silent"}


def test_no_nodes():
    assert check_nodes([], 5) == ([], {})


def test_port_answers_names_host_and_port():
    port = closed_port()
    reason = port_answers("127.0.0.1", port, 1)
    assert reason is not None and "127.0.0.1:%d" % port in reason


def test_ssh_endpoint_defaults_like_ansible():
    assert ssh_endpoint("node1", {}) == {"name": "node1", "host": "node1", "port": 22}
    assert ssh_endpoint("node1", {"ansible_host": "10.0.0.1", "ansible_port": "2222"}) == \
        {"name": "node1", "host": "10.0.0.1", "port": 2222}


def make_action(args):
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    loader = DataLoader()
    return ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader, Templar(loader=loader), None)


def test_a_silent_node_does_not_make_the_task_unreachable(listening_port):
    # Ansible reads a true "unreachable" in any result as the task's host being unreachable, which
    # would end the play for the host the check ran on.
    hostvars = {"node1": {"ansible_host": "127.0.0.1", "ansible_port": listening_port},
                "node2": {"ansible_host": "127.0.0.1", "ansible_port": closed_port()}}
    result = make_action({"hosts": ["node1", "node2"], "timeout": 2}).run(task_vars={"hostvars": hostvars})
    assert "unreachable" not in result and not result.get("failed")
    assert result["reachable"] == ["node1"] and list(result["silent"]) == ["node2"]


def test_hosts_not_in_the_inventory_are_refused():
    with pytest.raises(AnsibleActionFail, match="hosts: not in the inventory: node9"):
        make_action({"hosts": ["node9"]}).run(task_vars={"hostvars": {}})
