"""Fixtures from Quanke's plugin author's kit (``core.testing``)."""
import pytest

pytest_plugins = ["core.testing"]


@pytest.fixture
def world(quanke):
    """The kit's test world; its approvers and lead work for the residents' committee."""
    from quanke_residence.plugin import DEPARTMENT

    from core.api import seed_world
    return seed_world(quanke, department=DEPARTMENT[0])
