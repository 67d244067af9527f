"""haproxy_server against a fake runtime API on a unix socket: the commands HAProxy's management
guide documents, answered in HAProxy's own formats (``show servers state`` version 1, ``show stat``
CSV), and a state that the ``set server`` commands really change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import haproxy_runtime
from ansible_collections.apigw.sysupgrade.plugins.modules import haproxy_server

from ...module_runner import run_main

STATE_HEADER = ("# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
                "srv_iweight srv_time_since_last_change srv_check_status srv_check_result "
                "srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id "
                "srv_fqdn srv_port srvrecord")
STAT_HEADER = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,status"
ADMIN_BITS = {"ready": 0, "drain": 8, "maint": 1}


class FakeHaproxy(object):
    """A runtime API that keeps each server's admin state, op state and sessions."""

    def __init__(self, path, servers):
        self.path = path
        self.servers = dict((name, {"admin": "ready", "op": 2, "scur": 0}) for name in servers)
        self.commands = []
        self.up_after_ready = 0  # status checks before a server set ready shows RUNNING
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve)
        self.thread.daemon = True
        self.thread.start()

    def answer(self, command):
        self.commands.append(command)
        words = command.split()
        if command.startswith("show servers state"):
            rows = ["1", STATE_HEADER]
            for i, (name, s) in enumerate(sorted(self.servers.items()), start=1):
                if s["op"] != 2 and s.get("pending", 0) > 0:
                    s["pending"] -= 1
                    if s["pending"] == 0:
                        s["op"] = 2
                rows.append("3 apigw %d %s 10.0.0.%d %d %d 1 1 0 6 3 4 6 0 0 0 - 8080 -" % (
                    i, name, i, s["op"], ADMIN_BITS[s["admin"]]))
            return "\n".join(rows) + "\n\n"
        if command == "show stat":
            rows = [STAT_HEADER, "apigw,FRONTEND,,,3,9,,100,OPEN"]
            for name, s in sorted(self.servers.items()):
                status = {"drain": "DRAIN", "maint": "MAINT"}.get(s["admin"], "UP" if s["op"] == 2 else "DOWN")
                rows.append("apigw,%s,0,0,%d,5,,40,%s" % (name, s["scur"], status))
            return "\n".join(rows) + "\n\n"
        if words[:2] == ["set", "server"] and len(words) == 5 and words[3] == "state":
            backend, name = words[2].split("/", 1)
            if backend != "apigw" or name not in self.servers:
                return "No such server.\n\n"
            self.servers[name]["admin"] = words[4]
            if words[4] == "ready" and self.up_after_ready:
                self.servers[name]["op"] = 0
                self.servers[name]["pending"] = self.up_after_ready
            return "\n"
        return "Unknown command.\n\n"

    def serve(self):
        while True:
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(self.answer(data.decode().strip()).encode())

    def close(self):
        self.sock.close()


@pytest.fixture
def lb(tmp_path):
    fake = FakeHaproxy(str(tmp_path / "admin.sock"), ["node1", "node2", "node3"])
    yield fake
    fake.close()


def run(monkeypatch, lb, check_mode=False, **args):
    args = dict({"runtime_api": lb.path, "backend": "apigw", "servers": ["node1"]}, **args)
    if check_mode:
        args["_ansible_check_mode"] = True
    return run_main(monkeypatch, haproxy_server.main, args)


def test_drain_sends_set_server_once_and_is_idempotent(monkeypatch, lb):
    first = run(monkeypatch, lb, state="drain")
    assert first["changed"] is True and first["changed_servers"] == ["node1"]
    assert first["servers"][0]["admin_state"] == "drain" and first["servers"][0]["status"] == "DRAIN"
    assert "set server apigw/node1 state drain" in lb.commands
    again = run(monkeypatch, lb, state="drain")
    assert again["changed"] is False and again["changed_servers"] == []
    assert lb.commands.count("set server apigw/node1 state drain") == 1


def test_query_reads_sessions_and_changes_nothing(monkeypatch, lb):
    lb.servers["node2"]["scur"] = 4
    result = run(monkeypatch, lb, servers=["node2", "node1"])
    assert result["changed"] is False
    assert [s["name"] for s in result["servers"]] == ["node2", "node1"]
    assert result["sessions"] == 4
    assert not any(c.startswith("set server") for c in lb.commands)


def test_check_mode_tells_what_would_change_and_sends_nothing(monkeypatch, lb):
    result = run(monkeypatch, lb, check_mode=True, state="maint")
    assert result["changed"] is True and result["changed_servers"] == ["node1"]
    assert lb.servers["node1"]["admin"] == "ready"
    assert not any(c.startswith("set server") for c in lb.commands)


def test_ready_waits_until_the_health_checks_see_the_server_up(monkeypatch, lb):
    lb.servers["node1"]["admin"] = "drain"
    lb.up_after_ready = 3
    result = run(monkeypatch, lb, state="ready", wait_running=True, wait_timeout=30)
    assert result["changed"] is True
    assert result["servers"][0]["op_state"] == "RUNNING" and result["servers"][0]["admin_state"] == "ready"


def test_ready_fails_when_the_server_never_comes_up(monkeypatch, lb):
    lb.servers["node1"]["admin"] = "drain"
    lb.up_after_ready = 10 ** 6
    result = run(monkeypatch, lb, state="ready", wait_running=True, wait_timeout=1)
    assert result["failed"] is True
    assert "node1 is STOPPED" in result["msg"] and "apigw" in result["msg"]


def test_unknown_server_is_named_with_the_backends_servers(monkeypatch, lb):
    result = run(monkeypatch, lb, servers=["node9"], state="drain")
    assert result["failed"] is True
    assert "node9" in result["msg"] and "node1, node2, node3" in result["msg"]


def test_unreachable_socket_names_the_address(monkeypatch, tmp_path):
    missing = str(tmp_path / "nothing.sock")
    result = run_main(monkeypatch, haproxy_server.main,
                      {"runtime_api": missing, "backend": "apigw", "servers": ["node1"], "state": "drain"})
    assert result["failed"] is True and missing in result["msg"]


def test_refused_command_raises_with_haproxys_answer(lb):
    with pytest.raises(haproxy_runtime.RuntimeApiError) as err:
        haproxy_runtime.set_state(lb.path, "other", "node1", "drain")
    assert "No such server" in str(err.value)


@pytest.mark.parametrize("address,expected", [
    ("/run/haproxy/admin.sock", (socket.AF_UNIX, "/run/haproxy/admin.sock")),
    ("unix@/tmp/a.sock", (socket.AF_UNIX, "/tmp/a.sock")),
    ("lb1:9999", (socket.AF_INET, ("lb1", 9999))),
    ("ipv4@10.0.0.1:9999", (socket.AF_INET, ("10.0.0.1", 9999))),
])
def test_addresses(address, expected):
    assert haproxy_runtime.parse_address(address) == expected


@pytest.mark.parametrize("address", ["", "lb1", "lb1:http"])
def test_bad_addresses_are_refused(address):
    with pytest.raises(haproxy_runtime.RuntimeApiError):
        haproxy_runtime.parse_address(address)


def test_admin_state_bits():
    assert haproxy_runtime._admin_state(0) == "ready"
    assert haproxy_runtime._admin_state(0x08) == "drain"
    assert haproxy_runtime._admin_state(0x10) == "drain"
    assert haproxy_runtime._admin_state(0x09) == "maint"
