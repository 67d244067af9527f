# -*- coding: utf-8 -*-
"""Integration tests: the collection's modules against lab hosts (tests/lab, see its DESIGN.md).

Reusable by every module's integration tests:

Fixtures
  single, vendor3, lab_pool, lab_factory   the lab fixtures of tests/lab/lablib/testing.py (one lab
                                           per machine; shared labs are taken down at session end;
                                           ``up`` waits while another suite's lab exists)
  ansible_on   ``ansible_on(lab)`` -> lab_ansible.AnsibleRunner for that lab (module/playbook runs,
               parsed results, transcript for leak checks)
  node1        lab_node.LabNode for node1 of the ``single`` lab, reset before the test
               (faults cleared, NEW stopped and cleaned, OLD running)

The lab needs root; without it every test here is skipped with that reason.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(os.path.dirname(HERE), "lab")
for path in (LAB, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from lablib.testing import Lab, LabPool, lab_factory, lab_pool, single, vendor3  # noqa: E402,F401 pylint: disable=unused-import
from lab_ansible import AnsibleRunner  # noqa: E402
from lab_node import LabNode  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="the lab needs root")
        for item in items:
            if str(item.fspath).startswith(HERE):
                item.add_marker(skip)


@pytest.fixture
def ansible_on():
    return AnsibleRunner


@pytest.fixture
def node1(single):
    node = LabNode(single, "node1")
    node.reset()
    try:
        yield node
    finally:
        # Leave the shared lab as we found it for the next test module.
        node.reset()
