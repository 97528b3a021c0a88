"""Where the shipped assets (styles, demo data, help text) are found."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def asset_path(name: str) -> Path:
    return ASSETS_DIR / name
