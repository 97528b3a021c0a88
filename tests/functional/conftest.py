"""What the screen tests share: the app on the demo partnership."""

from __future__ import annotations

import pytest

from sscp_tui.app import SSCPApp
from sscp_tui.services.tracker import Tracker


@pytest.fixture
def app(demo: Tracker) -> SSCPApp:
    return SSCPApp(demo)
