"""topology_info: both sources, local facts, and every failure naming the file or URL."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
import socket

import pytest

from ansible.module_utils import basic

from ansible_collections.apigw.sysupgrade.plugins.modules import topology_info
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.modules.conftest import WATCHDOG_PREFIX
from ansible_collections.apigw.sysupgrade.tests.unit.tls_server import FakeAnm, der_sha256


def run(monkeypatch, args):
    return run_main(monkeypatch, topology_info.main, args)


TOPOLOGY = {
    "productVersion": "7.5.3",
    "hosts": [{"id": "host-1", "name": "NodeA"}, {"id": "host-2", "name": "NodeB"},
              {"id": "host-3", "name": "NodeC"}],
    "groups": [
        {"id": "group-1", "name": "Node Manager Group", "services": [
            {"id": "nodemanager-%d" % n, "type": "nodemanager", "hostID": "host-%d" % n,
             "tags": {"internal_admin_nm": "true"} if n != 2 else {}} for n in (1, 2, 3)]},
        {"id": "group-2", "name": "GatewayGroup", "services": [
            {"id": "instance-%d" % n, "name": "APIGateway%d" % n, "type": "gateway", "hostID": "host-%d" % n}
            for n in (1, 2, 3)]},
    ],
}


@pytest.fixture
def install(tmp_path):
    (tmp_path / "groups").mkdir()
    (tmp_path / "groups" / "topology.json").write_text(json.dumps(TOPOLOGY))
    return tmp_path


@pytest.fixture(autouse=True)
def not_a_topology_host(monkeypatch):
    # Keep the machine running the tests out of local-host detection unless a test says otherwise.
    monkeypatch.setattr(topology_info, "detect_local_host", lambda names: (None, None))


def test_file_source(monkeypatch, install):
    result = run(monkeypatch, {"install_dir": str(install)})
    assert result["changed"] is False
    assert result["source"] == "file"
    assert result["topology_source"] == str(install / "groups" / "topology.json")
    assert result["anm_hosts"] == ["NodeA", "NodeC"]
    assert result["product_version"] == "7.5.3"
    assert [h["name"] for h in result["hosts"]] == ["NodeA", "NodeB", "NodeC"]
    assert len(result["services"]) == 6 and len(result["groups"]) == 2
    assert result["is_first_anm"] is False
    assert result["first_anm_marker"] == str(install / "groups" / "certs" / "private" / "domain.p12")
    assert result["local_host"] is None and result["local_is_anm"] is None


def test_first_anm_and_local_host(monkeypatch, install):
    (install / "groups" / "certs" / "private").mkdir(parents=True)
    (install / "groups" / "certs" / "private" / "domain.p12").write_bytes(b"k")
    monkeypatch.setattr(topology_info, "detect_local_host", lambda names: ("NodeC", "address"))
    result = run(monkeypatch, {"install_dir": str(install), "_ansible_check_mode": True})
    assert result["is_first_anm"] is True
    assert (result["local_host"], result["local_host_method"], result["local_is_anm"]) == ("NodeC", "address", True)


def test_local_host_detection_can_be_switched_off(monkeypatch, install):
    monkeypatch.setattr(topology_info, "detect_local_host", lambda names: pytest.fail("must not run"))
    result = run(monkeypatch, {"install_dir": str(install), "detect_local_host": False})
    assert result["local_host"] is None


def test_missing_file_names_it(monkeypatch, tmp_path):
    result = run(monkeypatch, {"install_dir": str(tmp_path)})
    assert result["failed"]
    assert "cannot read topology file %s/groups/topology.json" % tmp_path in result["msg"]


def test_missing_install_dir(monkeypatch, tmp_path):
    result = run(monkeypatch, {"install_dir": str(tmp_path / "nope")})
    assert result["failed"] and str(tmp_path / "nope") in result["msg"]


def test_bad_json_file_names_it(monkeypatch, install):
    (install / "groups" / "topology.json").write_text("{oops")
    result = run(monkeypatch, {"install_dir": str(install)})
    assert result["failed"] and "topology.json is not valid JSON" in result["msg"]


def test_needs_a_source(monkeypatch):
    result = run(monkeypatch, {})
    assert result["failed"] and "one of the following is required" in result["msg"]


# ---- API source ----

@pytest.fixture
def anm(pki):
    """A real HTTPS server answering as an ANM with a certificate of the test domain's CA."""
    server = FakeAnm(pki.anm).start()
    server.body = {"result": TOPOLOGY}
    yield server
    server.stop()


def api_args(anm, **extra):
    return dict({"anm_url": anm.url(path=""), "username": FakeAnm.USER, "password": FakeAnm.PASSWORD,
                 "timeout": 5}, **extra)


def test_api_source_with_a_pin(monkeypatch, anm, pki):
    pin = der_sha256(pki.anm[0])
    result = run(monkeypatch, api_args(anm, pin_sha256=pin))
    assert not result.get("failed"), result
    assert result["source"] == "api" and result["anm_hosts"] == ["NodeA", "NodeC"]
    assert result["topology_source"] == anm.url()
    assert (result["trust"], result["certificate_sha256"], result["attempts"]) == ("pin", pin, 1)
    assert result["is_first_anm"] is None
    assert anm.requests == [("/api/topology", "admin")]


def test_loopback_read_returns_the_fingerprint_to_pin(monkeypatch, anm, pki):
    result = run(monkeypatch, api_args(anm, validate_certs=False))
    assert (result["trust"], result["certificate_sha256"]) == ("none", der_sha256(pki.anm[0]))


def test_ca_path_trust(monkeypatch, anm, pki):
    result = run(monkeypatch, api_args(anm, ca_path=pki.ca_path))
    assert result["trust"] == "ca" and result["product_version"] == "7.5.3"


def test_forged_certificate_fails_at_once_with_its_kind(monkeypatch, anm, pki):
    anm.cert = pki.forged
    result = run(monkeypatch, api_args(anm, pin_sha256=der_sha256(pki.anm[0]), wait_timeout=60))
    assert result["failed"] and result["failure_kind"] == "certificate"
    assert result["msg"].startswith("ANM at %s: the server's certificate (SHA-256 %s) is not the pinned one"
                                    % (anm.url(), der_sha256(pki.forged[0])))
    assert result["certificate_sha256"] == der_sha256(pki.forged[0])
    assert result["attempts"] == 1 and anm.requests == []  # never retried, never sent


def test_system_trust_names_the_verification_error(monkeypatch, anm):
    result = run(monkeypatch, api_args(anm))
    assert result["failed"] and result["failure_kind"] == "certificate" and result["trust"] == "system"
    assert "certificate verify failed" in result["msg"] and anm.url() in result["msg"]


def test_waits_for_a_starting_anm_and_the_new_version(monkeypatch, anm):
    anm.answers_left_before_ready = 1
    result = run(monkeypatch, api_args(anm, validate_certs=False, wait_for_version="7.5", wait_timeout=30))
    assert not result.get("failed") and result["attempts"] == 2


def test_wait_deadline_names_the_version_it_waited_for(monkeypatch, anm):
    result = run(monkeypatch, api_args(anm, validate_certs=False, wait_for_version="7.7", wait_timeout=1))
    assert result["failed"] and result["failure_kind"] == "unavailable"
    assert "still not ready after 1 s" in result["msg"] and "answers as version 7.5.3, not 7.7" in result["msg"]


@pytest.mark.parametrize("args, url", [
    ({"anm_url": "https://anm.example:9443"}, "https://anm.example:9443/api/topology"),
    ({"anm_url": "https://anm.example:9443/"}, "https://anm.example:9443/api/topology"),
    ({"anm_url": "https://anm.example/api/topology"}, "https://anm.example/api/topology"),
    ({"anm_host": "NodeC", "anm_port": 8443}, "https://NodeC:8443/api/topology"),
    ({"anm_host": "fd00::1"}, "https://[fd00::1]:8090/api/topology"),
])
def test_api_urls(args, url):
    params = dict({"anm_url": None, "anm_host": None, "anm_port": 8090}, **args)
    assert topology_info.topology_url(params) == url


def test_api_with_install_dir_adds_local_facts(monkeypatch, anm, install):
    result = run(monkeypatch, api_args(anm, validate_certs=False, install_dir=str(install)))
    assert result["source"] == "api" and result["is_first_anm"] is False


def test_refused_credentials(monkeypatch, anm):
    result = run(monkeypatch, api_args(anm, validate_certs=False, password="wrong-Pass"))
    assert result["failed"] and result["failure_kind"] == "auth"
    assert "user 'admin' was refused: HTTP 401" in result["msg"] and "wrong-Pass" not in result["msg"]


@pytest.mark.parametrize("body, kind, fragment", [
    (b"<html>login</html>", "protocol", "the answer is not JSON"),
    ({"result": []}, "protocol", "does not look like an API Gateway topology"),
])
def test_api_bad_body(monkeypatch, anm, body, kind, fragment):
    anm.body = body
    result = run(monkeypatch, api_args(anm, validate_certs=False))
    assert result["failed"] and result["failure_kind"] == kind and fragment in result["msg"]


def test_api_needs_credentials(monkeypatch, anm):
    result = run(monkeypatch, {"anm_url": anm.url(path="")})
    assert result["failed"] and "username and password are required" in result["msg"]
    assert anm.url() in result["msg"] and anm.requests == []


@pytest.mark.parametrize("extra, fragment", [({"pin_sha256": "abc"}, "pin_sha256: not a SHA-256"),
                                             ({"wait_timeout": -1}, "wait_timeout must be 0 or")])
def test_bad_options(monkeypatch, anm, extra, fragment):
    result = run(monkeypatch, api_args(anm, **extra))
    assert result["failed"] and fragment in result["msg"] and anm.requests == []


def test_url_and_host_are_exclusive(monkeypatch):
    result = run(monkeypatch, {"anm_url": "https://x", "anm_host": "NodeA", "username": "u", "password": "p"})
    assert result["failed"] and "mutually exclusive" in result["msg"]


def test_topology_warnings_become_ansible_warnings(monkeypatch, anm):
    warned = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, msg: warned.append(msg))
    anm.body = {"hosts": [], "groups": [{"id": "g", "services": [{"id": "s", "type": "gateway", "hostID": "h9"}]}]}
    result = run(monkeypatch, api_args(anm, validate_certs=False))
    assert "unknown host id h9" in warned[0]
    assert "warnings" not in result  # the internal list is not returned as data


def closed_port_url():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "https://127.0.0.1:%d" % port


def test_an_alternate_url_is_tried_when_the_first_is_silent(monkeypatch, anm, pki):
    # An ANM that does not listen on the loopback: the node's own name answers instead.
    result = run(monkeypatch, api_args(anm, anm_url=closed_port_url(), alternate_urls=[anm.url(path="")],
                                       validate_certs=False))
    assert not result.get("failed"), result
    assert result["topology_source"] == anm.url() and result["certificate_sha256"] == der_sha256(pki.anm[0])


def test_an_answer_of_any_kind_ends_the_search(monkeypatch, anm, pki):
    anm.status = 503  # the first URL answers (starting): the alternate is not asked
    other = FakeAnm(pki.anm).start()
    try:
        result = run(monkeypatch, api_args(anm, alternate_urls=[other.url(path="")], validate_certs=False))
    finally:
        other.stop()
    assert result["failed"] and result["failure_kind"] == "unavailable" and other.requests == []


# ---- node_manager_dir: a silent ANM whose Node Manager is stopped is not waited for ----

@pytest.fixture
def new_install(tmp_path):
    """A new installation whose posix/bin/nodemanager -s answers as the test says (rc 0 running)."""
    folder = tmp_path / "new"
    (folder / "posix" / "bin").mkdir(parents=True)
    (folder / "posix" / "bin" / "nodemanager").write_text("#!/bin/sh\n")
    return folder


def fake_nodemanager(monkeypatch, running):
    """run_command stands in for the watchdog running nodemanager -s; ``running`` is a list of
    answers, one per call (True runs). Returns the calls' argument lists."""
    calls = []

    def handle(module, argv, **kwargs):
        argv = list(argv[WATCHDOG_PREFIX:])
        calls.append(argv)
        return (0 if running.pop(0) else 1), "", ""
    monkeypatch.setattr(basic.AnsibleModule, "run_command", handle)
    return calls


def closed_url():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return "https://127.0.0.1:%d" % port


def test_a_stopped_node_manager_ends_the_wait_at_once(monkeypatch, new_install):
    calls = fake_nodemanager(monkeypatch, [False])
    result = run(monkeypatch, {"anm_url": closed_url(), "username": "admin", "password": "pw",
                               "validate_certs": False, "wait_timeout": 300, "node_manager_dir": str(new_install)})
    assert result["failed"] and result["failure_kind"] == "stopped" and result["node_manager"] == "stopped"
    assert result["attempts"] == 1  # one request, not the 150 of a 300 s wait
    assert calls == [[str(new_install / "posix" / "bin" / "nodemanager"), "-s"]]
    assert "its Node Manager is not running (%s -s reports it stopped)" % (
        new_install / "posix" / "bin" / "nodemanager") in result["msg"]
    assert result["last_reason"] and result["last_reason"] in result["msg"]
    assert result["run_as"] == pwd.getpwuid(os.getuid()).pw_name  # the folder's owner asked


def test_a_running_node_manager_is_waited_for(monkeypatch, anm, new_install):
    anm.answers_left_before_ready = 1
    calls = fake_nodemanager(monkeypatch, [True])
    result = run(monkeypatch, api_args(anm, validate_certs=False, wait_timeout=30,
                                       node_manager_dir=str(new_install)))
    assert not result.get("failed"), result
    assert result["attempts"] == 2 and result["node_manager"] == "running" and len(calls) == 1


def test_an_answer_at_once_never_asks_the_node_manager(monkeypatch, anm, new_install):
    calls = fake_nodemanager(monkeypatch, [])
    result = run(monkeypatch, api_args(anm, validate_certs=False, node_manager_dir=str(new_install)))
    assert not result.get("failed") and result["node_manager"] is None and calls == []


def test_a_missing_node_manager_dir_names_the_option(monkeypatch, tmp_path):
    result = run(monkeypatch, {"anm_url": "https://127.0.0.1:1", "username": "a", "password": "b",
                               "node_manager_dir": str(tmp_path / "nowhere")})
    assert result["failed"] and result["msg"] == "node_manager_dir %s is not a folder on this node" % (tmp_path / "nowhere")
