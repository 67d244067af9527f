"""The generic HTTP load balancer hooks (role apigw.sysupgrade.lb_http) against a small HTTP server that
records what it is sent: the disable and enable calls for the node being upgraded, the sessions
count read from the answer's JSON, basic authentication never printed, and the fixed drain wait
without a sessions URL. Runs ansible-playbook on the controller only (no lab needed)."""
import base64
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "lb-S3cret-value"


class Recorder(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.server.calls.append({"method": self.command, "path": self.path, "body": body,
                                  "auth": self.headers.get("Authorization", "")})
        payload = json.dumps({"sessions": self.server.sessions}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def lb():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.calls, server.sessions = [], 3
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def play(tmp_path, lb, hook, extra):
    url = "http://127.0.0.1:%d" % lb.server_address[1]
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"node2": {
        "ansible_connection": "local", "ansible_python_interpreter": os.path.realpath(REPO / ".venv" / "bin" / "python")}}}}))
    variables = dict({
        "apigw_lb_http_disable_url": url + "/pools/apigw/members/{{ inventory_hostname }}/disable",
        "apigw_lb_http_enable_url": url + "/pools/apigw/members/{{ inventory_hostname }}/enable",
        "apigw_lb_http_disable_body": {"member": "{{ inventory_hostname }}", "drain": True},
        "apigw_lb_http_sessions_url": url + "/pools/apigw/members/{{ inventory_hostname }}",
        "apigw_lb_http_username": "automation", "apigw_lb_http_password": PASSWORD,
    }, **extra)
    (tmp_path / "vars.json").write_text(json.dumps(variables))
    (tmp_path / "play.yml").write_text(
        "- hosts: node2\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.include_role: {name: apigw.sysupgrade.lb_http, tasks_from: %s}\n"
        "    - ansible.builtin.debug: {msg: 'SESSIONS={{ apigw_lb_sessions | default(\"unset\") }}'}\n" % hook)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".collections"), ANSIBLE_NOCOLOR="1",
               PATH="%s:%s" % (REPO / ".venv" / "bin", os.environ.get("PATH", "")))
    start = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", str(inventory), str(tmp_path / "play.yml"),
                           "-e", "@" + str(tmp_path / "vars.json")], env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    proc.seconds = time.monotonic() - start
    return proc


def test_disable_calls_the_nodes_url_with_its_body_and_basic_auth(tmp_path, lb):
    proc = play(tmp_path, lb, "disable", {})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [call] = lb.calls
    assert call["method"] == "POST" and call["path"] == "/pools/apigw/members/node2/disable"
    assert json.loads(call["body"]) == {"member": "node2", "drain": True}
    assert call["auth"] == "Basic " + base64.b64encode(("automation:" + PASSWORD).encode()).decode()
    assert PASSWORD not in proc.stdout + proc.stderr


def test_enable_uses_the_method_asked_and_sends_no_empty_body(tmp_path, lb):
    proc = play(tmp_path, lb, "enable", {"apigw_lb_http_method": "PATCH"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [call] = lb.calls
    assert call["method"] == "PATCH" and call["path"] == "/pools/apigw/members/node2/enable" and call["body"] == ""


def test_sessions_come_from_the_answers_json_field(tmp_path, lb):
    proc = play(tmp_path, lb, "sessions", {})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SESSIONS=3" in proc.stdout
    assert lb.calls[0]["method"] == "GET" and lb.calls[0]["path"] == "/pools/apigw/members/node2"


def test_without_a_sessions_url_the_hook_waits_then_reports_zero(tmp_path, lb):
    proc = play(tmp_path, lb, "sessions", {"apigw_lb_http_sessions_url": "", "apigw_lb_http_drain_seconds": 3})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SESSIONS=0" in proc.stdout and lb.calls == []
    assert proc.seconds >= 3


def test_a_refused_call_fails_the_hook(tmp_path, lb):
    proc = play(tmp_path, lb, "disable", {"apigw_lb_http_status_code": [204]})
    assert proc.returncode == 2
    assert "Status code was 200 and not [204]" in proc.stdout
