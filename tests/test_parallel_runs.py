"""A long digest laid out in parts, as runs meet it: a run killed while laying out resumes from
the parts laid out, a broken part is laid out again, a worker killed mid-run is survived, and
`briefing daily` lays out a long digest in parts and reuses them (`cache info`, `cache clear`).
The PDFs are compared with those of tests/parts_helpers.py (joined and one layout).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefing.errors import RenderError
from briefing.model import Digest
from briefing.render.join import join_pdfs
from tests.parts_helpers import SEED, day, full_html, in_parts, pair  # noqa: F401 (fixtures)
from tests.pdftext import pdf_pages_text, squash

# ------------------------------------------------------------------------------- resuming


def test_a_killed_run_resumes_from_the_parts_laid_out(
    day: Digest, full_html: str, pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    """A run killed while laying out leaves whole parts only; the rerun lays out the rest and
    makes the same PDF."""
    html_file = tmp_path / "digest.html"
    html_file.write_text(full_html, encoding="utf-8")
    parts_dir = tmp_path / "parts"
    script = (
        "import sys; from pathlib import Path\n"
        "from briefing.render.parallel import render_in_parts\n"
        f"render_in_parts(Path(sys.argv[1]).read_text(), seed={SEED!r}, title={day.title!r},"
        " workers=1, min_parts=2, max_units=1, parts_dir=Path(sys.argv[2]))\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(html_file), str(parts_dir)])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if parts_dir.is_dir() and len(list(parts_dir.glob("*.pdf"))) >= 2:
                break
            time.sleep(0.02)
        assert child.poll() is None, "finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    kept = {p: p.stat().st_mtime_ns for p in parts_dir.glob("*.pdf")}
    assert 2 <= len(kept) < 9
    for path in kept:  # whole PDFs, never a half-written one under the final name
        assert PdfReader(path).pages
    again = in_parts(full_html, day, parts_dir=parts_dir)
    assert again == pair[0]
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # reused, not laid out again
    assert len(list(parts_dir.glob("*.pdf"))) > len(kept)


def test_a_broken_part_is_laid_out_again(
    day: Digest, full_html: str, pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    in_parts(full_html, day, parts_dir=tmp_path)
    victim = sorted(tmp_path.glob("*.pdf"))[0]
    victim.write_bytes(victim.read_bytes()[:200])  # a disk that lost the end of a file
    assert in_parts(full_html, day, parts_dir=tmp_path) == pair[0]


def test_an_unusable_parts_folder_is_a_render_error(
    day: Digest, full_html: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RenderError, match=r"^cannot use .*file/parts for the parts of the PDF: "):
        in_parts(full_html, day, parts_dir=blocker / "parts")


def test_joining_parts_that_are_not_pdfs_is_a_render_error() -> None:
    with pytest.raises(RenderError, match=r"^could not join the parts of the PDF: "):
        join_pdfs([b"not a pdf", b"%PDF-1.7\n"])


# ------------------------------------------------------------------------------- the command


def copy_articles(folder: Path) -> int:
    """Every article the repository holds (examples, story texts, samples): distinct events."""
    from tests.conftest import REPO

    folder.mkdir()
    sources = [p for p in (REPO / "examples").iterdir() if p.name != "README.md"]
    sources += sorted((REPO / "tests" / "data" / "stories").glob("*.txt"))
    sources += sorted((REPO / "tests" / "samples").glob("*.txt"))
    for path in sources:
        (folder / path.name).write_bytes(path.read_bytes())
    return len(sources)


def test_daily_lays_out_a_long_digest_in_parts_and_reuses_them(
    run_cli: Any, isolated: Path
) -> None:
    count = copy_articles(isolated / "in")
    daily = ("daily", "--from-dir", "in", "-o", "d.pdf", "--cache-dir", "c", "--workers", "2")
    first = run_cli(*daily, "-q")
    assert first.returncode == 0, first.stderr
    pages = pdf_pages_text(isolated / "d.pdf")
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
    parts = {p: p.stat().st_mtime_ns for p in (isolated / "c" / "parts").glob("*.pdf")}
    assert len(parts) >= 5  # front, cards, sources and the page numbers, at least
    toc = squash(next(t for t in pages if "Contents" in t))
    first_card = next(i for i, t in enumerate(pages, 1) if re.match("STORY1[A-Z]", squash(t)))
    assert re.search(r"\.{3,}[.]*" + str(first_card) + r"\D", toc)
    # A rerun (another time on the cover) lays out only what changed: the cards are reused.
    again = run_cli(*daily, "-q", "--force")
    assert again.returncode == 0, again.stderr
    kept = [p for p, mtime in parts.items() if p.exists() and p.stat().st_mtime_ns == mtime]
    assert len(kept) >= len(parts) - 3
    assert [t.split()[-8:] for t in pdf_pages_text(isolated / "d.pdf")][2:] == [
        t.split()[-8:] for t in pages
    ][2:]
    info = run_cli("cache", "info", "--cache-dir", "c").stdout.splitlines()
    held = [line for line in info if line.startswith("laid-out parts: ")]
    assert held and re.fullmatch(r"laid-out parts: \d+ \(\d+ bytes\)", held[0])
    cleared = run_cli("cache", "clear", "--cache-dir", "c")
    number = int(re.search(r"and (\d+) laid-out parts", cleared.stdout).group(1))  # type: ignore[union-attr]
    assert cleared.stdout == f"removed {count} cached briefings and {number} laid-out parts\n"
    assert number >= len(parts) and not list((isolated / "c" / "parts").iterdir())


def test_doctor_checks_the_joiner(run_cli: Any, isolated: Path) -> None:
    result = run_cli("doctor")
    assert re.search(
        r"^ok    long digests: pypdf \d+\.\d+\.\d+ joins parts laid out by \d+ workers?$",
        result.stdout,
        re.M,
    ), result.stdout


def test_a_worker_killed_mid_run_is_survived(
    day: Digest, full_html: str, pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    """An out-of-memory kill of a worker costs only its part: the rest is laid out in the
    run's own process, and the PDF is the same."""
    import logging
    import threading
    from contextlib import suppress

    made: dict[str, bytes] = {}
    warnings: list[str] = []

    class Record(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    # Another test in this process may have left the loggers quiet (-q): hear warnings here.
    logger = logging.getLogger("briefing.render")
    saved = logger.level, logger.disabled
    logger.setLevel(logging.WARNING)
    logger.disabled = False
    handler = Record()
    logger.addHandler(handler)

    def run() -> None:
        made["pdf"] = in_parts(full_html, day, workers=2, parts_dir=tmp_path)

    def spawned() -> set[int]:
        """This process's children started by multiprocessing's spawn (pool workers)."""
        found = set()
        for task in Path("/proc/self/task").iterdir():
            for pid in (task / "children").read_text().split():
                with suppress(OSError):
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found.add(int(pid))
        return found

    before = spawned()  # another test's, if any: never to be killed here
    thread = threading.Thread(target=run)
    try:
        thread.start()
        deadline = time.monotonic() + 120
        killed = 0
        while not killed and thread.is_alive() and time.monotonic() < deadline:
            workers = sorted(spawned() - before)
            # Once a part is laid out and most are still to come: the run is mid-way.
            if workers and 1 <= len(list(tmp_path.glob("*.pdf"))) <= 3:
                os.kill(workers[0], signal.SIGKILL)
                killed = len(list(tmp_path.glob("*.pdf")))
            time.sleep(0.005)
        thread.join()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.disabled = saved[1]
    assert killed, "the run ended before a worker could be killed mid-way"
    assert made["pdf"] == pair[0]
    assert any(w.startswith("a worker laying out the PDF stopped") for w in warnings), warnings
