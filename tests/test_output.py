"""Output naming and atomic writes: the previous file survives every failure."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.errors import OutputError
from briefing.output import atomic_write, format_from_path, resolve_output, slugify
from tests.conftest import SAMPLE, files_under

DAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("British forces strike Islamic State", "british-forces-strike-islamic-state"),
        ("../../etc/cron.d/x", "etc-cron-d-x"),
        ("Ça va: Zürich & São Paulo", "ca-va-zurich-sao-paulo"),
        ("ملخص", "briefing-c4be7405"),  # no ASCII form: a hash keeps titles apart
        ("Москва и Αθήνα", "moskva-i-athina"),
        ("", "briefing"),
        ("word " * 40, "word-" * 11 + "word"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert "/" not in slugify(title) and ".." not in slugify(title)


def test_resolve_output(tmp_path: Path) -> None:
    assert resolve_output(None, title="A b", fmt="pdf", day=DAY) == Path(
        "output/2026-11-26-a-b.pdf"
    )
    assert resolve_output(tmp_path, title="A b", fmt="json", day=DAY) == (
        tmp_path / "2026-11-26-a-b.json"
    )
    assert resolve_output("new/", title="A", fmt="html", day=DAY) == Path("new/2026-11-26-a.html")
    assert resolve_output(Path("x.pdf"), title="A", fmt="pdf", day=DAY) == Path("x.pdf")
    assert format_from_path(Path("x.HTM")) == "html"
    assert format_from_path(Path("x.txt")) is None


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"
    atomic_write(target, b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert files_under(tmp_path) == [target]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_full_disk_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"yesterday")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)  # simulate the disk filling up mid-write
    with pytest.raises(OutputError, match="no space left on device"):
        atomic_write(target, b"x" * 100_000)
    assert target.read_bytes() == b"yesterday"
    assert files_under(tmp_path) == [target]


def test_cli_full_disk_exit_code(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = isolated / "b.json"
    previous.write_text("yesterday")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", "b.json", "-q"])
    assert result.exit_code == 1
    assert result.output == "Error: cannot write b.json: no space left on device\n"
    assert previous.read_text() == "yesterday"
    assert files_under(isolated) == [previous]


def test_unwritable_folder(isolated: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", "/proc/brief.json", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write /proc/brief.json: ")
    assert not Path("/proc/brief.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_keeps_previous(isolated: Path) -> None:
    folder = isolated / "ro"
    folder.mkdir()
    previous = folder / "b.json"
    previous.write_text("yesterday")
    folder.chmod(0o555)
    try:
        result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(previous), "-q"])
        assert result.exit_code == 1
        assert result.output == f"Error: cannot write {previous}: permission denied\n"
        assert previous.read_text() == "yesterday"
    finally:
        folder.chmod(0o755)
