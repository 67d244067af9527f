"""pytest fixtures every scenario's checks use; each scenario's tests/conftest.py imports them."""
import pytest

import verify_helpers as vh

NEW = "/opt/Axway-7.7/apigateway"
OLD = "/opt/Axway-7.5.3/apigateway"


@pytest.fixture(scope="module")
def lab():
    """The scenario's lab (APIGW_LAB_DIR from the molecule configuration)."""
    return vh.lab()


@pytest.fixture(scope="module")
def steps():
    """The converge's steps by name, with their exit codes and output."""
    return vh.steps()
