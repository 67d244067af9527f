# -*- coding: utf-8 -*-
"""The step modules in a playbook on the vendor's 3-node sample topology (two Admin Node
Managers, so --anm_host is required and must be the same everywhere: contract §4 rules 4-6).

export and upgrade run on all nodes in parallel; old processes are stopped everywhere; apply runs
on the first ANM (node1, NodeA) first, then serially on the others. A second run changes nothing.
"""
import pytest

from lab_ansible import assert_no_secret, lab_secrets
from lab_node import LabNode

APPLY_PLAY = "- name: Apply, first ANM first"

PLAYBOOK = """
- name: Export and upgrade everywhere
  hosts: apigw
  gather_facts: false
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      new_install_dir: "{{ apigw_new_install_dir }}"
  tasks:
    - name: Export
      apigw.sysupgrade.export:
        old_install_dir: "{{ apigw_old_install_dir }}"
        anm_host: NodeA
        username: "{{ apigw_admin_username }}"
        password: "{{ apigw_admin_password }}"
    - name: Upgrade
      apigw.sysupgrade.upgrade:
        cass_host: "{{ apigw_cassandra_host }}"
        cass_port: "{{ apigw_cassandra_port }}"

- name: Apply, first ANM first
  hosts: apigw
  gather_facts: false
  serial: 1
  order: sorted
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      new_install_dir: "{{ apigw_new_install_dir }}"
  tasks:
    - name: Apply
      apigw.sysupgrade.apply:
        anm_host: NodeA
        username: "{{ apigw_admin_username }}"
        password: "{{ apigw_admin_password }}"
        domain_passphrase: "{{ apigw_domain_passphrase }}"

- name: Where is everyone
  hosts: apigw
  gather_facts: false
  tasks:
    - name: Status
      apigw.sysupgrade.status:
        new_install_dir: "{{ apigw_new_install_dir }}"
"""


@pytest.fixture
def three_nodes(vendor3):
    nodes = [LabNode(vendor3, name) for name in vendor3.nodes]
    for node in nodes:
        node.reset()
    try:
        yield nodes
    finally:
        for node in nodes:
            node.reset()


def by_task(play, task):
    return dict((r["host"], r) for r in play.results if r["task"] == task)


def test_whole_domain_upgrade_and_rerun(vendor3, ansible_on, three_nodes):
    runner = ansible_on(vendor3)
    prepare, apply_and_status = PLAYBOOK.split(APPLY_PLAY)

    first = runner.playbook(prepare)
    assert first.rc == 0, first
    for task in ("Export", "Upgrade"):
        done = by_task(first, task)
        assert sorted(done) == ["node1", "node2", "node3"], first
        assert all(r["status"] == "ok" and r["result"]["changed"] for r in done.values()), first

    # Contract rule 4: every old process on every node is down before any apply. (Stopping them is
    # the process module's job, tested elsewhere; here the lab does it directly.)
    for node in three_nodes:
        node.stop_old()

    rest = runner.playbook(APPLY_PLAY + apply_and_status)
    assert rest.rc == 0, rest
    applied = by_task(rest, "Apply")
    assert sorted(applied) == ["node1", "node2", "node3"]
    assert all(r["result"]["changed"] for r in applied.values())
    assert all(r["result"]["current_status"] == "system upgrade complete" for r in by_task(rest, "Status").values())

    # A second run of the whole playbook finds every step done and changes nothing.
    again = runner.playbook(PLAYBOOK)
    assert again.rc == 0, again
    assert not [r for r in again.results if r["result"].get("changed")], again
    assert_no_secret([run.output for run in runner.transcript], lab_secrets(vendor3))
