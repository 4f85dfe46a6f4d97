"""A night that never surprises (issue 12, item 5): what `briefing daily` shows on a terminal
and under cron, its log file, full disks, devices and pipes as outputs, control characters and
credentials. Each test here failed before the change it checks."""

from __future__ import annotations

import errno
import json
import os
import re
import select
import subprocess
import threading
import time
from pathlib import Path

import pytest

from briefing.errors import OutputError
from briefing.output import atomic_write, run_lock
from tests.conftest import SAMPLE, RunCli, files_under
from tests.pdftext import pdf_pages_text
from tests.web_server import WebServer, web_server_fixture  # noqa: F401

# C0 and C1 controls and DEL, but the line ends and tabs of text.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ISO_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d briefing: ")


def run_on_terminal(briefing_exe: str, *args: str) -> tuple[int, bytes, str]:
    """``briefing ARGS`` with stderr on a pseudo-terminal: (exit code, stdout, what it showed)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [briefing_exe, *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


# ------------------------------------------------------------------ the terminal's progress line


def test_a_failed_source_does_not_garble_the_progress_line(
    isolated: Path, briefing_exe: str
) -> None:
    """Two sources fail while the bar is shown: each log line starts on a cleared line, the bar
    is drawn again after it, and it tells the time spent and an estimate of what is left."""
    folder = isolated / "in"
    folder.mkdir()
    (folder / "story.txt").write_bytes(SAMPLE.read_bytes())
    code, out, shown = run_on_terminal(
        briefing_exe,
        "daily",
        "in/story.txt",
        "gone-1.txt",
        "gone\x1b[2J-2.txt",  # a control character in a name is shown escaped
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "--no-cache",
    )
    assert code == 3, shown
    assert out == b"d.json\n"
    lines = [m.start() for m in re.finditer("briefing: ", shown)]
    assert len(lines) >= 2, shown
    for start in lines:  # never mid-line: at the start, after a newline, or after clearing
        before = shown[:start]
        assert before == "" or before.endswith(("\n", "\r\x1b[K")), repr(shown)
    # After the last log line, the bar again.
    assert "[" in shown[lines[-1] :].split("\n", 1)[1], repr(shown)
    assert "gone\\x1b[2J-2.txt" in shown and "\x1b[2J" not in shown
    assert re.search(r"\d+:\d\d elapsed", shown), repr(shown)
    assert re.search(r"~\d+:\d\d left", shown), repr(shown)


# ------------------------------------------------------------------ -q, stdout and the log file


def test_quiet_daily_prints_nothing_on_success(run_cli: RunCli, isolated: Path) -> None:
    """-q under cron: no offline notice, no path; without -q the path is printed."""
    quiet = run_cli("daily", str(SAMPLE), "-o", "d.json", "-q")  # auto: offline, no key set
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (isolated / "d.json").is_file()
    loud = run_cli("daily", str(SAMPLE), "-o", "e.json")
    assert loud.returncode == 0
    assert loud.stdout == "e.json\n"
    assert "using the offline summariser" in loud.stderr


def test_log_file_lines_carry_an_iso_timestamp_with_offset(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli(
        "daily", str(SAMPLE), "-o", "d.json", "--summariser", "offline", "--log-file", "n.log"
    )
    assert result.returncode == 0, result.stderr
    lines = (isolated / "n.log").read_text(encoding="utf-8").splitlines()
    assert lines and all(ISO_STAMP.match(line) for line in lines), lines


def test_log_file_on_a_full_disk_fails_the_run(run_cli: RunCli, isolated: Path) -> None:
    """/dev/full takes the open and refuses every write (ENOSPC): one clear error, exit 1."""
    result = run_cli(
        "daily",
        str(SAMPLE),
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "-q",
        "--log-file",
        "/dev/full",
    )
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write log file /dev/full: no space left on device\n"
    assert not (isolated / "d.json").exists()


def test_log_file_filling_up_mid_run_fails_the_run(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up after the log file's first lines: no traceback, exit 1, one line."""
    import io
    import logging

    class FillingUp(io.TextIOWrapper):
        lines = 0

        def write(self, text: str) -> int:
            FillingUp.lines += 1
            if FillingUp.lines > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(text)

    def open_filling(self: logging.FileHandler) -> io.TextIOWrapper:
        return FillingUp(open(self.baseFilename, "ab"), encoding="utf-8")

    monkeypatch.setattr(logging.FileHandler, "_open", open_filling)
    result = run_cli(
        "daily", str(SAMPLE), "-o", "d.json", "--summariser", "offline", "--log-file", "n.log"
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.endswith("Error: cannot write log file n.log: no space left on device\n")
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr


def test_log_file_says_why_a_night_failed(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli(
        "daily", "gone.txt", "-o", "d.json", "--summariser", "offline", "--log-file", "n.log"
    )
    assert result.returncode == 1
    lines = (isolated / "n.log").read_text(encoding="utf-8").splitlines()
    why = "nothing was summarised: 1 of 1 sources failed (first: gone.txt: no such file: gone.txt)"
    assert lines[-1].endswith(f" briefing: error: {why}; no digest written")
    assert all(ISO_STAMP.match(line) for line in lines)


def test_full_disk_while_taking_the_lock(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", no_space)
    result = run_cli("daily", str(SAMPLE), "-o", "d.json", "--summariser", "offline")
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write .d.json.lock: no space left on device\n"


# ------------------------------------------------------------------ devices, pipes and links


def test_atomic_write_writes_through_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out" / "pipe"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there: no blocking
    writer = threading.Thread(target=atomic_write, args=(fifo, b"digest bytes"))
    writer.start()
    got = b""
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([reader], [], [], 0.2)
            if ready:
                chunk = os.read(reader, 4096)
                got += chunk
                if not chunk and got:
                    break
            elif got and not writer.is_alive():
                break
    finally:
        os.close(reader)
        writer.join(10)
    assert got == b"digest bytes"
    assert fifo.is_fifo()
    assert list(fifo.parent.iterdir()) == [fifo]


def test_atomic_write_follows_a_link_to_a_device(isolated: Path) -> None:
    link = isolated / "sink"
    link.symlink_to("/dev/null")
    atomic_write(link, b"x" * 1000)
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert Path("/dev/null").is_char_device()
    assert sorted(p.name for p in isolated.iterdir()) == ["sink"]  # no temp file, no lock


def test_atomic_write_follows_a_link_to_a_file(isolated: Path) -> None:
    """A symlink is followed deliberately: its target is replaced atomically, the link stays."""
    real = isolated / "archive" / "today.json"
    real.parent.mkdir()
    real.write_bytes(b"yesterday")
    link = isolated / "latest.json"
    link.symlink_to(real)
    atomic_write(link, b"today")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() == b"today"
    assert sorted(p.name for p in isolated.iterdir()) == ["archive", "latest.json"]
    assert [p.name for p in real.parent.iterdir()] == ["today.json"]


def test_atomic_write_refuses_a_socket(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OutputError, match="only a regular file, a character device or a pipe"):
            atomic_write(path, b"x")
        assert path.is_socket()


def test_daily_and_build_write_through_a_link_to_stdout(isolated: Path, briefing_exe: str) -> None:
    """``-o`` naming a link to the process's stdout (as /dev/stdout is): the document goes down
    the pipe, the link stays, and no lock or state file is made beside it."""
    link = isolated / "out"
    link.symlink_to("/proc/self/fd/1")
    for args in (
        ("daily", str(SAMPLE), "--summariser", "offline", "--no-cache", "-q"),
        ("build", str(SAMPLE), "--summariser", "offline", "-q"),
    ):
        proc = subprocess.run(
            [briefing_exe, *args, "-o", str(link), "--format", "json"],
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)  # the document, and nothing after it
        assert data["title"]
        assert link.is_symlink()
        assert sorted(p.name for p in isolated.iterdir()) == ["out"]


def test_dev_stdout_stays_a_link(briefing_exe: str) -> None:
    before = os.readlink("/dev/stdout")
    proc = subprocess.run(
        [briefing_exe, "build", str(SAMPLE), "-o", "/dev/stdout", "--format", "json", "-q"],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"]
    assert Path("/dev/stdout").is_symlink() and os.readlink("/dev/stdout") == before


def test_a_locked_run_creates_no_folders(run_cli: RunCli, isolated: Path) -> None:
    home = Path(os.environ["HOME"])
    before = files_under(home.parent)
    with run_lock(Path("d.json")):
        result = run_cli(
            "daily", str(SAMPLE), "-o", "d.json", "--summariser", "offline", "--cache-dir", "c"
        )
    assert result.returncode == 5
    assert not (isolated / "c").exists()
    assert not (home / ".cache").exists()
    made = set(files_under(home.parent)) - set(before)
    assert made == {isolated / ".d.json.lock"}


# ------------------------------------------------------------------ control characters, credentials


def test_control_characters_are_escaped_in_logs_and_documents(
    run_cli: RunCli, isolated: Path
) -> None:
    folder = isolated / "in"
    folder.mkdir()
    body = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
    name = "evil\x1b[31m\n2026-11-26T05:30:00+00:00 briefing: all fine\u202e.txt"
    (folder / name).write_text("A \x07bell and an \x1b[2J escape\n\n" + body, encoding="utf-8")
    (folder / "plain.txt").write_bytes(SAMPLE.read_bytes())
    result = run_cli(
        "daily", "--from-dir", "in", "--summariser", "offline", "--no-cache",
        "--log-file", "n.log", "-v", "-o", "d.html",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log = (isolated / "n.log").read_text(encoding="utf-8")
    for text in (result.stderr, log):
        assert not RAW_CONTROL.search(text), repr(text)
        assert "all fine" not in text.replace("\\n2026-11-26T05:30:00+00:00 briefing: all fine", "")
        assert "evil\\x1b[31m\\n2026" in text
    html = (isolated / "d.html").read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(html)
    assert "\\x07bell" in html and "\\x1b[2J" in html and "evil\\x1b[31m" in html


def test_credentials_reach_no_log_line_and_no_pdf(
    web_server: WebServer, run_cli: RunCli, isolated: Path
) -> None:
    with_key = web_server.base.replace("http://", "http://reader:s3cret@")
    result = run_cli(
        "daily",
        with_key + "/article",
        with_key + "/missing",
        "ftp://bob:s3cret@mirror.example/x.txt",  # no URL we fetch: read as a (missing) file
        "--allow-private",
        "--summariser",
        "offline",
        "--no-cache",
        "--log-file",
        "n.log",
        "-v",
        "-o",
        "d.pdf",
    )
    assert result.returncode == 3, result.stderr
    assert "s3cret" not in result.stderr
    assert "s3cret" not in (isolated / "n.log").read_text(encoding="utf-8")
    text = "\n".join(pdf_pages_text((isolated / "d.pdf").read_bytes()))
    assert "s3cret" not in text and "mirror.example" in text
