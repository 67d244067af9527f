"""Make ``ansible_collections.apigw.sysupgrade`` importable for plain pytest runs.

The collection's Python code imports itself by its collection path, as Ansible does on a managed
node. ``scripts/bootstrap`` creates ``.collections/ansible_collections/apigw/sysupgrade`` as a link
to the repository root; this puts ``.collections`` on ``sys.path`` (creating the link if a
developer skipped the bootstrap).
"""
import os
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, ".collections")
LINK = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "apigw", "sysupgrade")


def _ensure_collection_link():
    # Inside an ansible-test copy the repository already sits at .../ansible_collections/apigw/sysupgrade.
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "apigw"]:
        return os.sep.join(parts[:-3])
    if not os.path.lexists(LINK):
        os.makedirs(os.path.dirname(LINK), exist_ok=True)
        os.symlink(os.path.join("..", "..", ".."), LINK)
    return COLLECTIONS_ROOT


_root = _ensure_collection_link()
if _root not in sys.path:
    sys.path.insert(0, _root)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """Real openssl certificates of a test domain and of a forger (tests/unit/tls_server.py), made
    once per test module, for the tests that talk TLS to a fake Admin Node Manager."""
    from ansible_collections.apigw.sysupgrade.tests.unit.tls_server import Pki
    return Pki(tmp_path_factory.mktemp("pki"))
