# -*- coding: utf-8 -*-
"""preflight module: the result contract, check mode, options, and the documented return values.

The checks themselves are tested one by one in module_utils/test_preflight_checks.py; here the
module runs through AnsibleModule with its real run_command on the same fake node.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import shutil

import pytest
import yaml

from ansible_collections.apigw.sysupgrade.plugins.modules import preflight
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.module_utils.preflight_tree import (
    Node, closed_port, listening_socket)

Usage = collections.namedtuple("Usage", "total used free")
CONTRACT = {"changed", "status", "problems", "notes", "findings", "sysupgrade_status", "completed", "applied",
            "will_export", "will_upgrade", "free_mb", "commands", "cmd", "rc", "stdout", "stderr",
            "ext_lib_jars", "group_fingerprints", "run_as", "connected_as", "run_as_mode", "rerun_forced", "drift"}


@pytest.fixture
def node(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(1 << 40, 0, 8 << 30))
    return Node(tmp_path)


@pytest.fixture
def cassandra():
    sock = listening_socket()
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("check_mode", [False, True])
def test_healthy_node(node, cassandra, run_module, check_mode):
    kind, result, warnings = run_module(preflight, node.params(cassandra), check_mode=check_mode)
    assert kind == "exit" and warnings == []
    assert set(result) == CONTRACT
    assert result["changed"] is False and result["status"] == "PASSED"
    assert result["free_mb"] == 8192 and result["sysupgrade_status"] == "not started"
    assert result["commands"][0] == [node.sysupgrade, "status"] and len(result["commands"]) == 4
    assert result["cmd"] == result["commands"][-1]
    assert all(call.endswith(" -s") for call in node.process_calls(node.old) + node.process_calls(node.new))


def test_problems_do_not_fail_the_task(node, run_module):
    params = node.params(closed_port(), cassandra_connect_timeout=1,
                         variable_names={"cassandra_host": "apigw_cassandra_host"})
    kind, result, _w = run_module(preflight, params)
    assert kind == "exit" and result["changed"] is False and "failed" not in result
    assert result["status"] == "FAILED" and len(result["problems"]) == 1
    assert "(apigw_cassandra_host / cassandra_port)" in result["problems"][0]
    assert result["findings"][0]["option"] == "cassandra_host"


def test_missing_new_install_dir_through_the_module(node, run_module, tmp_path):
    params = node.params(closed_port(), new_install_dir=str(tmp_path / "typo"), no_cassandra=True)
    kind, result, _w = run_module(preflight, params, check_mode=True)
    assert kind == "exit" and [f["check"] for f in result["findings"]] == ["new_install_dir"]
    assert result["free_mb"] is None and result["completed"] == []


def test_applied_node_is_skipped(node, run_module):
    node.set_status("apply")
    kind, result, _w = run_module(preflight, node.params(closed_port()))
    assert kind == "exit" and result["status"] == "SKIPPED" and result["applied"] is True
    assert result["commands"] == [[node.sysupgrade, "status"]]


@pytest.mark.parametrize("overrides, error", [
    ({"variable_names": {"install_dir": "apigw_install_dir"}}, "variable_names: unknown option(s) install_dir"),
    ({"timeout": 0}, "timeout must be a positive number of seconds"),
])
def test_invalid_options_fail_before_running_anything(node, run_module, overrides, error):
    kind, result, _w = run_module(preflight, node.params(closed_port(), **overrides))
    assert kind == "fail" and error in result["msg"]
    assert node.process_calls(node.old) == node.process_calls(node.new) == []


def test_group_options_are_accepted_and_ignored(node, cassandra, run_module):
    params = node.params(cassandra, username="admin", password="secret", domain_passphrase="phrase")
    kind, result, _w = run_module(preflight, params)
    assert kind == "exit" and result["status"] == "PASSED"


def test_every_returned_key_is_documented():
    documented = set(yaml.safe_load(preflight.RETURN))
    assert CONTRACT - {"changed"} == documented
    finding = yaml.safe_load(preflight.RETURN)["findings"]["contains"]
    assert set(finding) == {"check", "severity", "message", "path", "option"}


def test_documented_defaults_are_the_argument_spec_defaults():
    options = yaml.safe_load(preflight.DOCUMENTATION)["options"]
    spec = preflight.argument_spec()
    for name, doc in options.items():
        assert doc.get("default") == spec[name].get("default"), name
        assert doc["type"] == spec[name]["type"], name


def store_export_fingerprint(node):
    """What test_upgrade's config_fingerprint task stores after an export, for this node's old tree."""
    from ansible_collections.apigw.sysupgrade.plugins.module_utils import config_fingerprint, json_store
    json_store.write_json(os.path.join(node.new, config_fingerprint.STORE),
                          dict(config_fingerprint.fingerprint(node.old), old_install_dir=node.old))


def test_a_plain_rerun_after_success_skips_export_and_upgrade(node, cassandra, run_module):
    node.set_status("upgrade")
    store_export_fingerprint(node)
    kind, result, _w = run_module(preflight, node.params(cassandra))
    assert kind == "exit" and result["status"] == "PASSED"
    assert (result["will_export"], result["will_upgrade"], result["rerun_forced"], result["drift"]) == (False, False, False, [])


def test_a_rerun_after_a_configuration_change_exports_and_upgrades_again_and_says_why(node, cassandra, run_module):
    node.set_status("upgrade")
    store_export_fingerprint(node)
    with open(os.path.join(node.old, "groups/group-2/instance-1/conf/service.xml"), "w") as handle:
        handle.write("<service fixed='yes'/>\n")
    kind, result, _w = run_module(preflight, node.params(cassandra))
    assert kind == "exit" and result["status"] == "PASSED"
    assert (result["will_export"], result["will_upgrade"], result["rerun_forced"]) == (True, True, True)
    assert result["drift"] == ["groups/group-2/instance-1/conf/service.xml"]
    assert result["notes"] == [
        "the old installation's configuration changed since its export (groups/group-2/instance-1/conf/service.xml): "
        "export and upgrade run again, with --force (the vendor's rerun)"]


def test_apigw_force_needs_no_comparison(node, cassandra, run_module):
    node.set_status("upgrade")
    store_export_fingerprint(node)
    with open(os.path.join(node.old, "groups/group-2/instance-1/conf/service.xml"), "w") as handle:
        handle.write("<service fixed='yes'/>\n")
    kind, result, _w = run_module(preflight, node.params(cassandra, force=True))
    assert result["will_export"] is True and result["rerun_forced"] is False and result["drift"] == []


def test_a_change_on_the_applied_first_anm_is_refused_naming_the_cascade(node, cassandra, run_module):
    node.set_status("apply")
    store_export_fingerprint(node)
    os.makedirs(os.path.join(node.old, "groups/certs/private"))
    with open(os.path.join(node.old, "groups/certs/private/domain.p12"), "wb") as handle:
        handle.write(b"key store")
    with open(os.path.join(node.old, "groups/group-2/instance-1/conf/service.xml"), "w") as handle:
        handle.write("<service fixed='yes'/>\n")
    kind, result, _w = run_module(preflight, node.params(cassandra))
    assert result["status"] == "FAILED" and result["will_export"] is False and result["rerun_forced"] is False
    [problem] = result["problems"]
    assert "this node is the applied first Admin Node Manager: exporting it again would clean the new domain's " \
           "topology, and every node would have to apply again (upgrade_faq.md). Nothing was exported." in problem
    assert [f["option"] for f in result["findings"]] == ["old_install_dir"]
