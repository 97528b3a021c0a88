from __future__ import annotations

from pathlib import Path

import pytest

from sscp_tui.config import ConfigError, Settings, load_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml")
    assert settings.due_soon_days == 28 and settings.stale_days == 90
    assert settings.protective_marking == "OFFICIAL-SENSITIVE"
    assert settings.author  # the OS user


def test_a_full_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[user]\nauthor = "Chair, CRP"\ndefault_agency = "SCC"\n'
        "[alerts]\ndue_soon_days = 14\nstale_days = 60\n"
        '[packs]\nprotective_marking = "OFFICIAL"\nforbidden_words = ["Smith", " "]\n'
        '[keymap]\nrate = "ctrl+r"\n'
    )
    settings = load_settings(path)
    assert settings == Settings(
        author="Chair, CRP", default_agency="SCC", due_soon_days=14, stale_days=60,
        protective_marking="OFFICIAL", forbidden_words=("Smith",),
        keymap=(("rate", "ctrl+r"),), source=path,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[alerts]\nstale_days = 0\n", "(line 2): 'alerts.stale_days' must be between 1 and 3650"),
        ("[alerts]\n\nstale_days = true\n", "(line 3): 'alerts.stale_days' must be a whole number"),
        ("[user]\nauthour = 'x'\n", "(line 2): unknown key 'user.authour'"),
        ("[colours]\nx = 1\n", "(line 1): unknown section 'colours'"),
        ("[user\nauthor = 'x'\n", "is not valid TOML"),
        ("[packs]\nforbidden_words = 'Smith'\n", "'packs.forbidden_words' must be a list"),
    ],
)
def test_malformed_files_name_the_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
