# -*- coding: utf-8 -*-
"""The pre-flight additions of issue 12 against lab hosts (upgrade_steps_extcass.md, "Before you
upgrade"): third-party JARs of the old ext/lib already in the new system/lib, external databases
without JDBC drivers and the drivers copied in, Cassandra's new client port closed while the old one
answers, and a group deployed differently on its nodes."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# scripts/bootstrap links the repository as .collections/ansible_collections/apigw/sysupgrade
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), ".collections"))

from ansible_collections.apigw.sysupgrade.plugins.filter.checklist import group_consistency  # noqa: E402  pylint: disable=wrong-import-position

OLD = "/opt/Axway-7.5.3/apigateway"
NEW = "/opt/Axway-7.7/apigateway"
PREFLIGHT = {"old_install_dir": OLD, "new_install_dir": NEW, "cassandra_host": "{{ apigw_cassandra_host }}",
             "cassandra_port": "{{ apigw_cassandra_port }}", "cassandra_connect_timeout": 2}


def preflight(runner, node, **overrides):
    """The module's result. Ansible marks an ad hoc result failed when its last command's rc is not 0
    (here `nodemanager -s` of the new installation: not running, as it should be); the role registers
    it with failed_when: false and decides on `status`, as this does."""
    run = runner.module(node, "apigw.sysupgrade.preflight", dict(PREFLIGHT, **overrides))
    assert run.result.get("status") in ("PASSED", "FAILED"), run.output
    return run.result


def checks(result):
    return [f["check"] for f in result["findings"]]


def test_duplicate_jar_and_external_database_then_the_driver(lab_factory, ansible_on):
    lab = lab_factory("vendor-3-node", external_db=True, duplicate_jar=True)
    runner = ansible_on(lab)
    node1 = preflight(runner, "node1")
    assert node1["status"] == "PASSED"
    assert "httpclient-4.5.2.jar" in node1["ext_lib_jars"]
    [dup] = [f for f in node1["findings"] if f["check"] == "ext_lib"]
    assert "httpclient-4.5.2.jar in the old ext/lib is already in the new installation as" in dup["message"]
    assert "httpclient-4.5.13.jar" in dup["message"]
    # GatewayGroup (node1, node2) uses an external database; NodeC's group does not
    assert "jdbc_drivers" in checks(node1)
    assert "jdbc_drivers" not in checks(preflight(runner, "node3"))
    # the role's apigw_jdbc_drivers: a driver in NEW/upgrade/lib, and the note is gone
    play = runner.playbook(
        "- hosts: node1\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.copy: {content: 'driver', dest: '%s/upgrade/lib/mysql-connector-j-8.0.33.jar', mode: '0644'}\n" % NEW)
    assert play.rc == 0, play.output
    assert "jdbc_drivers" not in checks(preflight(runner, "node1"))


def test_cassandra_new_port_closed_while_the_old_one_answers(lab_factory, ansible_on):
    lab = lab_factory("vendor-3-node")
    runner = ansible_on(lab)
    assert "cassandra" not in checks(preflight(runner, "node2"))
    lab.cassandra_port("close")
    try:
        result = preflight(runner, "node2")
        [finding] = [f for f in result["findings"] if f["check"] == "cassandra"]
        assert result["status"] == "FAILED"
        assert "The old client port 9160 answers, so 9042 is most likely closed on a firewall" in finding["message"]
        # configured with the old port, 9042 must answer too
        old_port = preflight(runner, "node2", cassandra_port=9160)
        [finding] = [f for f in old_port["findings"] if f["check"] == "cassandra"]
        assert "not on the new client port 9042" in finding["message"]
    finally:
        lab.cassandra_port("open")
    assert "cassandra" not in checks(preflight(runner, "node2"))


def test_a_group_deployed_differently_on_one_node_is_named(lab_factory, ansible_on):
    lab = lab_factory("vendor-3-node")
    runner = ansible_on(lab)
    groups = {"group-2": {"name": "GatewayGroup", "hosts": ["node1", "node2"]},
              "group-3": {"name": "GatewayManagerGroup", "hosts": ["node3"]}}
    results = [dict(preflight(runner, n), item=n) for n in ("node1", "node2", "node3")]
    assert group_consistency(results, groups) == {"notes": {}, "inconsistent": []}
    # node2's copy of the GatewayGroup's entity store changes (a deployment that reached one node only)
    play = runner.playbook(
        "- hosts: node2\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.shell: \"sed -i 's/Health Check/Health Check v2/' %s/groups/group-2/conf/*/PrimaryStore.xml\"\n" % OLD)
    assert play.rc == 0, play.output
    results = [dict(preflight(runner, n), item=n) for n in ("node1", "node2", "node3")]
    out = group_consistency(results, groups)
    assert out["inconsistent"] == ["group-2"]
    assert sorted(out["notes"]) == ["node1", "node2"]
    assert "Group 'GatewayGroup' (group-2) is inconsistent." in out["notes"]["node2"][0]
    assert json.dumps(out)  # what the role records is plain data
