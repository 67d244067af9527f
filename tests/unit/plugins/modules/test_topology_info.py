"""topology_info: both sources, local facts, and every failure naming the file or URL."""
import io
import json
import socket
import ssl

import pytest
from urllib.error import HTTPError, URLError

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.apigw.sysupgrade.plugins.modules import topology_info


class Done(Exception):
    """exit_json or fail_json was called; args[0] is the result."""


def run(monkeypatch, args):
    """Run the module's main() with ``args``; return its result dict (failed=True on fail_json)."""
    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        result.update(msg=msg, failed=True)
        raise Done(result)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    if hasattr(basic, "_ANSIBLE_PROFILE"):  # ansible-core 2.19 also wants a serialization profile
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(Done) as done:
        topology_info.main()
    return done.value.args[0]


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

class Response(object):
    def __init__(self, body):
        self.body = body

    def read(self):
        return self.body


@pytest.fixture
def open_url(monkeypatch):
    """Replace open_url; set .answer to bytes or to an exception to raise. Calls are recorded."""
    class Fake(object):
        answer = to_bytes(json.dumps({"result": TOPOLOGY}))
        calls = []

        def __call__(self, url, **kwargs):
            self.calls.append((url, kwargs))
            if isinstance(self.answer, Exception):
                raise self.answer
            return Response(self.answer)

    fake = Fake()
    monkeypatch.setattr(topology_info, "open_url", fake)
    return fake


API_ARGS = {"anm_host": "NodeA", "username": "admin", "password": "s3cret"}


def test_api_source_request(monkeypatch, open_url):
    result = run(monkeypatch, dict(API_ARGS, ca_path="/etc/ca.pem", timeout=7))
    assert result["source"] == "api" and result["anm_hosts"] == ["NodeA", "NodeC"]
    assert result["topology_source"] == "https://NodeA:8090/api/topology"
    assert result["is_first_anm"] is None
    url, kwargs = open_url.calls[0]
    assert url == "https://NodeA:8090/api/topology"
    assert kwargs["url_username"] == "admin" and kwargs["url_password"] == "s3cret"
    assert kwargs["force_basic_auth"] is True and kwargs["validate_certs"] is True
    assert kwargs["ca_path"] == "/etc/ca.pem" and kwargs["timeout"] == 7 and kwargs["method"] == "GET"


@pytest.mark.parametrize("args, url", [
    ({"anm_url": "https://anm.example:9443"}, "https://anm.example:9443/api/topology"),
    ({"anm_url": "https://anm.example:9443/"}, "https://anm.example:9443/api/topology"),
    ({"anm_url": "https://anm.example/api/topology"}, "https://anm.example/api/topology"),
    ({"anm_host": "NodeC", "anm_port": 8443}, "https://NodeC:8443/api/topology"),
    ({"anm_host": "fd00::1"}, "https://[fd00::1]:8090/api/topology"),
])
def test_api_urls(monkeypatch, open_url, args, url):
    run(monkeypatch, dict(args, username="u", password="p", validate_certs=False))
    assert open_url.calls[0][0] == url
    assert open_url.calls[0][1]["validate_certs"] is False


def test_api_with_install_dir_adds_local_facts(monkeypatch, open_url, install):
    result = run(monkeypatch, dict(API_ARGS, install_dir=str(install)))
    assert result["source"] == "api" and result["is_first_anm"] is False


def http_error(code, reason):
    return HTTPError("https://NodeA:8090/api/topology", code, reason, {}, io.BytesIO(b""))


@pytest.mark.parametrize("error, fragment", [
    (http_error(401, "Unauthorized"), "ANM at https://NodeA:8090/api/topology refused the credentials of "
                                      "user 'admin' (HTTP 401 Unauthorized)"),
    (http_error(403, "Forbidden"), "denied user 'admin' access to the topology (HTTP 403 Forbidden)"),
    (http_error(500, "Server Error"), "ANM at https://NodeA:8090/api/topology answered HTTP 500 Server Error"),
    (URLError(ConnectionRefusedError(111, "Connection refused")),
     "cannot reach ANM at https://NodeA:8090/api/topology: [Errno 111] Connection refused"),
    (URLError(ssl.SSLCertVerificationError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")),
     "or validate_certs: false"),
    (socket.timeout("timed out"), "cannot reach ANM at https://NodeA:8090/api/topology: timed out"),
    (ValueError("odd"), "cannot read topology from ANM at https://NodeA:8090/api/topology: odd"),
])
def test_api_errors_are_clear(monkeypatch, open_url, error, fragment):
    open_url.answer = error
    result = run(monkeypatch, API_ARGS)
    assert result["failed"] and fragment in result["msg"]
    assert "s3cret" not in result["msg"]


@pytest.mark.parametrize("body, fragment", [
    (b"<html>login</html>", "https://NodeA:8090/api/topology is not valid JSON"),
    (b'{"result": []}', "does not look like an API Gateway topology"),
])
def test_api_bad_body(monkeypatch, open_url, body, fragment):
    open_url.answer = body
    result = run(monkeypatch, API_ARGS)
    assert result["failed"] and fragment in result["msg"]


def test_api_needs_credentials(monkeypatch, open_url):
    result = run(monkeypatch, {"anm_host": "NodeA"})
    assert result["failed"] and "username and password are required" in result["msg"]
    assert "https://NodeA:8090/api/topology" in result["msg"]
    assert open_url.calls == []


def test_url_and_host_are_exclusive(monkeypatch, open_url):
    result = run(monkeypatch, dict(API_ARGS, anm_url="https://x"))
    assert result["failed"] and "mutually exclusive" in result["msg"]


def test_topology_warnings_become_ansible_warnings(monkeypatch, open_url):
    warned = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, msg: warned.append(msg))
    broken = {"hosts": [], "groups": [{"id": "g", "services": [{"id": "s", "type": "gateway", "hostID": "h9"}]}]}
    open_url.answer = to_bytes(json.dumps(broken))
    result = run(monkeypatch, API_ARGS)
    assert "unknown host id h9" in warned[0]
    assert "warnings" not in result  # the internal list is not returned as data
