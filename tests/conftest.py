"""Shared fixtures: isolation from the user's real dirs, the installed command, sample inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SAMPLE = EXAMPLES / "syria-strike.txt"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run every test in an empty folder with its own home, cache and config dirs."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL", "BRIEFING_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    yield work


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def briefing_exe() -> str:
    """The console script installed by pip (tests must exercise what users run)."""
    candidate = Path(sys.executable).parent / "briefing"
    exe = str(candidate) if candidate.exists() else shutil.which("briefing")
    if not exe:
        pytest.fail("the 'briefing' console script is not installed: run pip install '.[test]'")
    return exe


RunCli = Callable[..., Run]


@pytest.fixture
def run_cli(briefing_exe: str) -> RunCli:
    """Run the installed command in the current (isolated) folder."""

    def run(*args: str, input: bytes | None = None, timeout: float = 120) -> Run:
        proc = subprocess.run(
            [briefing_exe, *args],
            input=input,
            capture_output=True,
            timeout=timeout,
            env=os.environ.copy(),
        )
        return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    return run


def files_under(folder: Path) -> list[Path]:
    """Every file (hidden temp files included) below ``folder``."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


from tests.canary import canary  # noqa: E402, F401  (fixture, re-exported)
from tests.llama_server import llama_server  # noqa: E402, F401  (fixture, re-exported)
from tests.openai_server import openai_server  # noqa: E402, F401  (fixture, re-exported)
