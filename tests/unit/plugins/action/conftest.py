"""Fixtures of the action plugins' tests."""
from unittest import mock

import pytest

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import sliced_wait


@pytest.fixture
def shown(monkeypatch):
    """The lines an action that cuts a wait into slices printed on the controller."""
    lines = []
    monkeypatch.setattr(sliced_wait, "display", mock.Mock(display=lines.append))
    return lines
