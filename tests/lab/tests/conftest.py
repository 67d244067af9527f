"""Fixtures for suites that run against the lab; the API is documented in lablib/testing.py."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.dirname(HERE)
# lablib, and this folder for the product modules' shared helpers (import test_product_support),
# also under --import-mode=importlib, which puts no test folder on sys.path.
for path in (LAB, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from lablib.testing import Lab, LabPool, lab_factory, lab_pool, single, vendor3  # noqa: E402

# Re-exported: pytest finds the fixtures (lab_factory, lab_pool, single, vendor3) in this namespace.
__all__ = ["Lab", "LabPool", "lab_factory", "lab_pool", "single", "vendor3"]


def pytest_collection_modifyitems(config, items):
    """The lab needs root (namespaces, bridge, mounts): skip clearly otherwise."""
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="the lab needs root")
        for item in items:
            item.add_marker(skip)
