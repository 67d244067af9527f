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


def test_api_with_the_lab_ca(ans, vendor3):
    # Asked from NodeB (no ANM there). /tmp, and so the lab CA file, is shared by every lab host.
    run = topology_info(ans, "node2", anm_host="NodeA", ca_path=str(vendor3.ca_path), **CREDS)
    assert run.ok, run
    r = run.result
    assert r["changed"] is False and r["source"] == "api" and r["topology_source"] == API
    assert r["anm_hosts"] == ["NodeA", "NodeC"] and len(r["hosts"]) == 3
    assert r["is_first_anm"] is None  # no install_dir: nothing local was asked


def test_api_without_certificate_checks(ans):
    run = topology_info(ans, "node2", anm_url="https://NodeA:8090", validate_certs=False, **CREDS)
    assert run.ok, run
    assert run.result["anm_hosts"] == ["NodeA", "NodeC"]


def test_api_untrusted_certificate_is_explained(ans):
    run = topology_info(ans, "node2", anm_host="NodeA", **CREDS)
    assert run.failed, run
    assert API in run.result["msg"] and "ca_path" in run.result["msg"]


def test_api_wrong_password(ans, vendor3):
    run = topology_info(ans, "node2", anm_host="NodeA", ca_path=str(vendor3.ca_path),
                        username=CREDS["username"], password="not-{{ apigw_admin_password }}")
    assert run.failed, run
    assert run.result["msg"] == "ANM at %s refused the credentials of user 'admin' (HTTP 401 Unauthorized)" % API


def test_api_on_a_plain_node_manager(ans):
    # NodeB's Node Manager answers HTTPS on 8090 but is no Admin Node Manager.
    run = topology_info(ans, "node2", anm_host="NodeB", validate_certs=False, **CREDS)
    assert run.failed, run
    assert "https://NodeB:8090/api/topology" in run.result["msg"]


def test_api_unreachable(ans):
    run = topology_info(ans, "node2", anm_host="NodeA", anm_port=8099, timeout=5, validate_certs=False, **CREDS)
    assert run.failed, run
    assert run.result["msg"].startswith("cannot reach ANM at https://NodeA:8099/api/topology")
