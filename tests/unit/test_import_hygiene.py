"""The store and the services never load Textual (STYLE.md, practice 1)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "sscp_tui.db",
        "sscp_tui.services",
        "sscp_tui.services.tracker",
        "sscp_tui.services.demo",
        "sscp_tui.config",
        "sscp_tui.cli",
    ],
)
def test_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
