# -*- coding: utf-8 -*-
"""topology_info against the lab's vendor-3-node domain (upgrade_faq.md: ANMs on NodeA and NodeC,
none on NodeB, NodeA the first ANM).

Credentials come from the lab inventory's variables, so no secret is on the controller's command
line; every ansible output of a test is checked for the secrets afterwards.
"""
import pytest

from lab_ansible import assert_no_secret, lab_secrets

MODULE = "apigw.sysupgrade.topology_info"
OLD = "{{ apigw_old_install_dir }}"
CREDS = {"username": "{{ apigw_admin_username }}", "password": "{{ apigw_admin_password }}"}
API = "https://NodeA:8090/api/topology"


@pytest.fixture
def ans(vendor3, ansible_on):
    runner = ansible_on(vendor3)
    yield runner
    assert_no_secret([run.output for run in runner.transcript], lab_secrets(vendor3))


def topology_info(ans, node, check=False, **args):
    return ans.module(node, MODULE, args, check=check)


def test_file_source_on_the_first_anm(ans, vendor3):
    run = topology_info(ans, "node1", install_dir=OLD)
    assert run.ok, run
    r = run.result
    assert r["changed"] is False and r["source"] == "file"
    assert r["topology_source"] == vendor3.info["old_dir"] + "/groups/topology.json"
    assert [h["name"] for h in r["hosts"]] == ["NodeA", "NodeB", "NodeC"]
    assert r["anm_hosts"] == ["NodeA", "NodeC"]
    assert r["product_version"] == vendor3.info["old_version"]
    assert r["is_first_anm"] is True
    # node1 is not called NodeA; the lab's /etc/hosts maps NodeA to node1's own address, so the
    # module finds it by address (no lab-only file is read).
    assert (r["local_host"], r["local_host_method"], r["local_is_anm"]) == ("NodeA", "address", True)


@pytest.mark.parametrize("node, name, is_anm", [("node2", "NodeB", False), ("node3", "NodeC", True)])
def test_first_anm_marker_only_on_node1(ans, node, name, is_anm):
    run = topology_info(ans, node, check=True, install_dir=OLD)
    assert run.ok, run
    assert run.result["is_first_anm"] is False
    assert run.result["anm_hosts"] == ["NodeA", "NodeC"]
    assert (run.result["local_host"], run.result["local_is_anm"]) == (name, is_anm)


def loopback_pin(ans, node="node1"):
    """What the operator's run does: read the certificate the ANM serves on its own node's loopback
    (through the SSH connection Ansible authenticated)."""
    run = topology_info(ans, node, anm_url="https://127.0.0.1:8090", validate_certs=False, **CREDS)
    assert run.ok, run
    assert run.result["trust"] == "none" and len(run.result["certificate_sha256"]) == 64
    return run.result["certificate_sha256"]


def test_api_with_the_pin_read_on_the_anm_loopback(ans):
    # No CA file and no system trust: the lab's ANMs, like a real domain's, serve certificates of
    # the domain's own CA (upgrade_script.md; rest_api.md calls them with curl --insecure).
    pin = loopback_pin(ans)
    run = topology_info(ans, "node2", anm_host="NodeA", pin_sha256=pin, **CREDS)
    assert run.ok, run
    r = run.result
    assert r["changed"] is False and r["source"] == "api" and r["topology_source"] == API
    assert (r["trust"], r["certificate_sha256"]) == ("pin", pin)
    assert r["anm_hosts"] == ["NodeA", "NodeC"] and len(r["hosts"]) == 3
    assert r["is_first_anm"] is None  # no install_dir: nothing local was asked


def test_the_pin_refuses_another_host_at_once(ans):
    # NodeC also runs an ANM with a certificate of the same domain CA: it is still not NodeA's.
    pin = loopback_pin(ans)
    run = topology_info(ans, "node2", anm_host="NodeC", pin_sha256=pin, wait_timeout=60, **CREDS)
    assert run.failed and run.result["failure_kind"] == "certificate", run
    assert run.result["msg"].startswith("ANM at https://NodeC:8090/api/topology: the server's certificate (SHA-256 ")
    assert "is not the pinned one (SHA-256 %s)" % pin in run.result["msg"]
    assert run.result["attempts"] == 1  # refused before the request was sent, and never retried


def test_a_ca_file_checks_the_host_name(ans, vendor3):
    # The lab's CA file (test equipment, on the controller's /tmp, which the lab hosts share):
    # the certificate is the domain's, but 127.0.0.1 is not a name it was issued for.
    ok = topology_info(ans, "node2", anm_host="NodeA", ca_path=str(vendor3.ca_path), **CREDS)
    assert ok.ok and ok.result["trust"] == "ca", ok
    run = topology_info(ans, "node1", anm_url="https://127.0.0.1:8090", ca_path=str(vendor3.ca_path), **CREDS)
    assert run.failed and run.result["failure_kind"] == "certificate", run
    assert "certificate verify failed" in run.result["msg"] and "127.0.0.1" in run.result["msg"]


def test_api_without_certificate_checks(ans):
    run = topology_info(ans, "node2", anm_url="https://NodeA:8090", validate_certs=False, **CREDS)
    assert run.ok, run
    assert run.result["anm_hosts"] == ["NodeA", "NodeC"]


def test_api_untrusted_certificate_is_explained(ans):
    # The system trust store does not hold the domain CA, as on a real domain.
    run = topology_info(ans, "node2", anm_host="NodeA", **CREDS)
    assert run.failed and run.result["failure_kind"] == "certificate", run
    assert run.result["msg"].startswith("ANM at %s: certificate verify failed" % API)


def test_api_wrong_password(ans):
    run = topology_info(ans, "node2", anm_host="NodeA", pin_sha256=loopback_pin(ans),
                        username=CREDS["username"], password="not-{{ apigw_admin_password }}")
    assert run.failed and run.result["failure_kind"] == "auth", run
    assert run.result["msg"] == "ANM at %s: user 'admin' was refused: HTTP 401 Unauthorized" % API
