"""sscp-tui as a user installs it: a wheel built from this checkout (through its sdist, as
`python -m build` does), installed into a fresh virtual environment outside the checkout, and
run from there. Run by `make test-install`, which .ci/run calls; never against the checkout.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

CHECKOUT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-28"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    home: Path  # SSCP_TUI_HOME: the installed copy's data, settings and documents
    work: Path  # the working folder commands run in, outside the checkout

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def package(self) -> Path:
        found = list((self.venv / "lib").glob("python3.*/site-packages/sscp_tui"))
        assert len(found) == 1, found
        return found[0]

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SSCP_TUI_", "VIRTUAL_ENV"))
        }
        env.update(SSCP_TUI_HOME=str(self.home), PATH=f"{self.venv / 'bin'}:{env.get('PATH', '')}")
        return env

    def run(self, *args: str, program: str = "sscp-tui") -> subprocess.CompletedProcess[str]:
        command = [str(self.venv / "bin" / program), *args]
        return subprocess.run(
            command, cwd=self.work, env=self.env(), capture_output=True, text=True, timeout=180
        )


def _pip_quiet(*args: str) -> None:
    subprocess.run(
        [*args, "--quiet", "--disable-pip-version-check"], check=True, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    assert CHECKOUT not in root.parents, "the installed copy must live outside the checkout"
    source = root / "source"  # a clean copy: a build never sees the checkout's build/ or .venv
    shutil.copytree(CHECKOUT, source, ignore=shutil.ignore_patterns(
        ".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "bench"))  # fmt: skip
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True, text=True)  # fmt: skip
    (wheel,) = dist.glob("sscp_tui-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    _pip_quiet(str(venv / "bin" / "python"), "-m", "pip", "install", str(wheel))
    work = root / "work"
    work.mkdir()
    return Installed(wheel, venv, root / "home", work)


def _shipped_files() -> set[str]:
    """Every file of the package and its assets, as the checkout keeps them, named as the
    wheel must hold them."""
    names: set[str] = set()
    for folder, prefix in ((CHECKOUT / "sscp_tui", "sscp_tui"), (CHECKOUT / "assets", "sscp_tui/assets")):
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                names.add(f"{prefix}/{path.relative_to(folder).as_posix()}")
    return names


def test_the_wheel_carries_every_file_the_app_needs(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        held = set(wheel.namelist())
        metadata = next(n for n in held if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(metadata).decode()
    missing = _shipped_files() - held
    assert not missing, f"missing from the wheel: {sorted(missing)}"
    assert {"sscp_tui/assets/app.tcss", "sscp_tui/assets/demo.json",
            "sscp_tui/db/migrations/script.py.mako"} <= held  # fmt: skip
    assert not any(n.startswith(("assets/", "tests/", "bench/")) for n in held)
    for field in ("Summary: A keyboard-first terminal tracker", "Requires-Python: >=3.11",
                  "License-Expression: MIT", "Provides-Extra: postgres", "Classifier: Environment :: Console",
                  "Description-Content-Type: text/markdown", "# sscp-tui"):  # fmt: skip
        assert field in meta, field
    assert 'extra == "postgres"' in meta and "psycopg" in meta


def test_the_installed_copy_runs_from_its_own_files(installed: Installed) -> None:
    probe = installed.run("-c", "import sscp_tui.resources as r; print(r.stylesheet()); print(r.migrations_dir())",
                          program="python")  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    for line in probe.stdout.splitlines():
        assert Path(line).is_relative_to(installed.package), line
    version = installed.run("--version")
    module = installed.run("-m", "sscp_tui", "--version", program="python")
    assert version.returncode == 0 and module.returncode == 0
    assert version.stdout == module.stdout == "sscp-tui, version 0.1.0\n"
    paths = installed.run("paths")
    assert paths.returncode == 0 and str(installed.home) in paths.stdout


@pytest.fixture(scope="session")
def demo_db(installed: Installed) -> Path:
    target = installed.work / "demo.sqlite3"
    result = installed.run("demo", "--db", str(target), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote the demo partnership to {target}: 18 agencies, 32 reviews")
    return target


def test_the_installed_tui_paints_its_first_screen_and_the_log(installed: Installed, demo_db: Path) -> None:
    script = installed.work / "first_screen.py"
    shutil.copy(HERE / "first_screen.py", script)  # run from outside the checkout
    result = installed.run(str(script), str(demo_db), AS_OF, program="python")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"imported from {installed.package / '__init__.py'}"
    assert lines[1:3] == ["screen DashboardScreen", "screen LogScreen"]
    screen = "\n".join(lines[3:])
    assert "Dashboard" in screen and "Overdue" in screen and "Red" in screen
    assert "SCR Child D (2019)" in screen  # a review's row in the log


def test_the_installed_alerts_command_gives_json(installed: Installed, demo_db: Path) -> None:
    result = installed.run("alerts", "--db", str(demo_db), "--as-of", AS_OF, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == AS_OF and data["count"] == len(data["items"]) > 10
    assert {"overdue", "due soon", "stale"} <= {alert for item in data["items"] for alert in item["alerts"]}


@pytest.mark.parametrize("suffix", ["docx", "html", "md", "xlsx"])
def test_the_installed_copy_writes_a_pack_in_each_format(
    installed: Installed, demo_db: Path, suffix: str
) -> None:
    target = installed.work / f"panel.{suffix}"
    result = installed.run("pack", "--db", str(demo_db), "--meeting", "Case Review Panel", "--date", AS_OF,
                           "--as-of", AS_OF, "-o", str(target))  # fmt: skip
    assert result.returncode == 0, result.stderr
    if suffix == "docx":
        text = "\n".join(p.text for p in Document(str(target)).paragraphs)
        text += "\n".join(c.text for t in Document(str(target)).tables for r in t.rows for c in r.cells)
    elif suffix == "xlsx":
        book = load_workbook(target, read_only=True)
        text = "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    else:
        text = target.read_text(encoding="utf-8")
    assert "Case Review Panel" in text
    assert "SCR Child D (2019)" in text
    assert "OFFICIAL-SENSITIVE" in text


def test_the_installed_copy_exports_and_imports(installed: Installed, demo_db: Path) -> None:
    exported = installed.work / "log.xlsx"
    result = installed.run("export", str(exported), "--db", str(demo_db), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    rows = list(load_workbook(exported, read_only=True).worksheets[0].iter_rows(values_only=True))
    fresh = installed.work / "fresh.sqlite3"
    result = installed.run("import", str(exported), "--db", str(fresh), "--create-agencies")
    assert result.returncode == 0, result.stderr
    again = installed.work / "again.csv"
    result = installed.run("export", str(again), "--db", str(fresh), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert len(again.read_text(encoding="utf-8").splitlines()) == len(rows)


def test_the_installed_copy_upgrades_an_older_tracker(installed: Installed) -> None:
    from sqlalchemy import text

    from sscp_tui.db import migrate
    from sscp_tui.db.store import open_store
    from tests.unit.test_store import first_revision_tracker

    old = first_revision_tracker(installed.work / "old.sqlite3")
    exported = installed.work / "old-log.csv"
    result = installed.run("export", str(exported), "--db", str(old), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    (item,) = list(csv.DictReader(exported.open(encoding="utf-8-sig")))
    assert (item["Review"], item["Review type"], item["Recommendation"], item["RAG"]) == (
        "Child A", "SCR", "Share Information Promptly", "Blue")  # fmt: skip
    with open_store(old, create=False).read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.head()


@pytest.fixture
def broken(installed: Installed) -> Iterator[Path]:
    """The installed package folder; whatever a test breaks in it is put back afterwards."""
    package, backup = installed.package, installed.work.parent / "package-backup"
    shutil.copytree(package, backup)
    yield package
    shutil.rmtree(package)
    shutil.move(backup, package)


def _one_sentence(result: subprocess.CompletedProcess[str], names: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("sscp-tui is not installed correctly: "), result.stderr
    assert names in result.stderr and result.stderr.rstrip().endswith("reinstall it.")


def test_a_missing_stylesheet_is_one_sentence_not_a_traceback(
    installed: Installed, demo_db: Path, broken: Path
) -> None:
    (broken / "assets" / "app.tcss").unlink()
    _one_sentence(installed.run("--db", str(demo_db)), "assets/app.tcss is missing")


def test_missing_or_damaged_demo_data_is_one_sentence(installed: Installed, broken: Path) -> None:
    demo = broken / "assets" / "demo.json"
    demo.write_text('{"agencies": [', encoding="utf-8")
    _one_sentence(
        installed.run("demo", "--db", str(installed.work / "d1.sqlite3")), "assets/demo.json is damaged"
    )
    demo.unlink()
    _one_sentence(installed.run("--demo"), "assets/demo.json is missing")


def test_missing_migrations_are_one_sentence_and_leave_no_tracker_behind(
    installed: Installed, broken: Path
) -> None:
    versions = broken / "db" / "migrations" / "versions"
    for script in versions.glob("0003_*.py"):
        script.unlink()
    target = installed.work / "never.sqlite3"
    _one_sentence(installed.run("demo", "--db", str(target)), "migrations will not load")
    assert not target.exists()
    shutil.rmtree(versions)
    _one_sentence(installed.run("demo", "--db", str(target)), "db/migrations/versions is missing")
    assert not target.exists()
