"""Lay out a long digest on every core, in bounded memory, and resume after a crash.

The digest's HTML is cut into parts (:mod:`briefing.render.parts`: a few story cards each, the
front matter, the sources appendix), each laid out by WeasyPrint in a worker process and
written as a PDF named by the hash of what it depends on, so a run killed while laying out
resumes from the parts already done. The parts are then joined (:mod:`briefing.render.join`).

Page numbers. A part cannot count pages in another, so the parts that show page numbers (the
contents, the cover's top stories, the sources' "page 12", the annex's card links) get them
written in, from the sizes of the parts laid out so far; once every part is laid out, those
whose numbers turn out wrong are laid out again, until nothing changes (usually: the front
matter twice, everything else once). The running "page 7 of 312" is drawn over each page from
one document of page numbers laid out for the whole (``stamps``).

Memory: one worker holds one part (at most :data:`briefing.render.parts.MAX_PART_UNITS`
cards), whatever the number of articles; the parent holds the HTML and the joined PDF.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from briefing.errors import RenderError
from briefing.render.join import join_pdfs, measure
from briefing.render.parts import (
    MAX_PART_UNITS,
    Part,
    Parts,
    content_key,
    part_html,
    split_parts,
)
from briefing.render.pdf import write_pdf
from briefing.version import __version__

__all__ = [
    "MIN_PARTS",
    "PARTS_KEEP_DAYS",
    "clear_parts",
    "default_workers",
    "parts_held",
    "render_in_parts",
]

LOG = logging.getLogger("briefing.render")

# Fewer parts than this: one WeasyPrint run is as fast (starting workers costs about a second).
MIN_PARTS = 4
PARTS_KEEP_DAYS = 7  # a laid-out part unused this long is removed
_MAX_ROUNDS = 6  # layouts of the numbered parts before giving up on stable page numbers
_TASKS_PER_WORKER = 16  # a worker is replaced after this many parts: memory never creeps
# A part leaves its page numbers to the stamps; the stamps are nothing but page numbers.
_NO_PAGE_NUMBER = "@page { @bottom-right { content: none !important; } }"
_ONLY_PAGE_NUMBER = """
@page {
  border-top: none !important; border-bottom: none !important;
  @top-left { content: none !important; } @top-center { content: none !important; }
  @top-right { content: none !important; } @bottom-left { content: none !important; }
  @bottom-center { content: none !important; }
}
html, body, main { background: none !important; }
.briefing-stamp + .briefing-stamp { break-before: page; }
"""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Job:
    """One layout: everything a worker needs (picklable)."""

    html: str
    path: Path
    seed: str
    title: str
    template_dirs: tuple[Path, ...]
    pdf_variant: str | None
    extra_css: str


def _lay_out(job: _Job) -> tuple[int, dict[str, int]]:
    """Lay out one part (in a worker) unless an earlier run left it; its page count and the
    page of each anchor in it (read here, once, not again by the parent)."""
    if job.path.is_file():
        try:
            return measure(job.path)
        except RenderError:
            job.path.unlink(missing_ok=True)  # a part cut short: lay it out again
    pdf = write_pdf(
        job.html,
        seed=job.seed,
        title=job.title,
        template_dirs=job.template_dirs,
        pdf_variant=job.pdf_variant,
        extra_css=job.extra_css,
    )
    partial = job.path.with_name(f".{job.path.name}.{os.getpid()}.tmp")
    partial.write_bytes(pdf)
    os.replace(partial, job.path)  # whole or not at all: a kill leaves no half part
    laid_out = measure(pdf)
    del pdf
    _release_memory()
    return laid_out


def _release_memory() -> None:
    """Give a laid-out part's memory back to the system: a worker lays out many parts, and
    glibc keeps freed heap for the process unless asked (the worker would grow part by part)."""
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: nothing to ask
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class _InProcess(Executor):
    """One worker: the parts one after the other, in this process."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future[object] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


@contextmanager
def _executor(workers: int) -> Iterator[Executor]:
    if workers <= 1:
        yield _InProcess()
        return
    # Spawned, not forked: the parent may hold Pango and fontconfig state from earlier
    # renders (tests, the preview server), which a forked child must not inherit.
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), max_tasks_per_child=_TASKS_PER_WORKER
    ) as pool:
        yield pool


def render_in_parts(
    html: str,
    *,
    seed: str,
    title: str,
    template_dirs: Sequence[Path] = (),
    pdf_variant: str | None = None,
    workers: int = 0,
    parts_dir: Path | None = None,
    min_parts: int = MIN_PARTS,
    max_units: int = MAX_PART_UNITS,
) -> bytes | None:
    """The PDF of ``html`` laid out in parts on ``workers`` processes (0: every core), or None
    when the document is too short to gain from it or its template marks no parts (then lay it
    out in one run: :func:`briefing.render.pdf.write_pdf`).

    ``parts_dir``: where laid-out parts are kept between runs (a rerun after a crash takes them
    from there); None: a temporary folder, removed at the end. ``min_parts``: fewer parts than
    this is one layout (None returned); ``max_units``: cards or sections per part.
    """
    parts = split_parts(html, max_units)
    if parts is None or len(parts.parts) < min_parts:
        return None
    workers = workers or default_workers()
    started = time.monotonic()
    with _parts_folder(parts_dir) as folder:
        layout = _Layout(parts, folder, seed, title, tuple(template_dirs), pdf_variant)
        width = min(workers, len(parts.parts))
        try:
            with _executor(width) as pool:
                stamps = layout.run(pool, width)
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory) or could not start (a script that
            # imports briefing without `if __name__ == "__main__":`): what is laid out is
            # kept; the rest is laid out here, one part at a time, the smallest footprint.
            LOG.warning("a worker laying out the PDF stopped (%s); going on in this process", exc)
            stamps = layout.run(_InProcess(), 1)
        pdf = join_pdfs([layout.files[p.index] for p in parts.parts], stamps)
        if parts_dir is not None:
            _prune(folder)
    LOG.debug(
        "laid out %d parts (%d layouts) on %d workers in %.1f s",
        len(parts.parts), layout.layouts, workers, time.monotonic() - started,
    )  # fmt: skip
    return pdf


@contextmanager
def _parts_folder(parts_dir: Path | None) -> Iterator[Path]:
    if parts_dir is None:
        with tempfile.TemporaryDirectory(prefix="briefing-parts-") as temporary:
            yield Path(temporary)
        return
    try:
        parts_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot use {parts_dir} for the parts of the PDF: {exc}") from None
    yield parts_dir


def parts_held(folder: Path) -> tuple[int, int]:
    """How many laid-out parts ``folder`` holds, and their bytes."""
    files = [p for p in folder.glob("*.pdf") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def clear_parts(folder: Path) -> int:
    """Remove every laid-out part (and half-written one) of ``folder``; how many parts."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.suffix in (".pdf", ".tmp"):
            path.unlink(missing_ok=True)
            removed += path.suffix == ".pdf"
    return removed


def _prune(folder: Path) -> None:
    """Remove parts unused for :data:`PARTS_KEEP_DAYS` days, and temporary files of runs
    killed more than a day ago."""
    now = time.time()
    for path in folder.iterdir():
        try:
            age = now - path.stat().st_mtime
            stale = age > PARTS_KEEP_DAYS * 86400 or (path.name.startswith(".") and age > 86400)
            if stale and path.is_file():
                path.unlink()
        except OSError:  # another run removed it first
            continue


class _Layout:
    """The parts' layouts: their sizes, where their anchors fall, the numbers they show."""

    def __init__(
        self,
        parts: Parts,
        folder: Path,
        seed: str,
        title: str,
        template_dirs: tuple[Path, ...],
        pdf_variant: str | None,
    ) -> None:
        self.parts = parts
        self.folder = folder
        self.seed = seed
        self.title = title
        self.template_dirs = template_dirs
        self.pdf_variant = pdf_variant
        self.owner = parts.owner()
        self.sizes: dict[int, int] = {}
        self.files: dict[int, Path] = {}
        self.anchor_pages: dict[str, int] = {}  # anchor -> its page within its part (0-based)
        self.shown: dict[int, dict[str, int]] = {}  # the numbers each part was laid out with
        self.layouts = 0

    def job(self, part: Part, numbers: Mapping[str, int]) -> _Job:
        # The first part's identifier becomes the joined document's: the digest's seed.
        seed = self.seed if part.index == 0 else f"{self.seed}|part"
        html = part_html(self.parts, part, numbers)
        return self._job(html, seed, self.pdf_variant, _NO_PAGE_NUMBER)

    def _job(self, html: str, seed: str, pdf_variant: str | None, extra_css: str) -> _Job:
        """A layout, in the file named by the hash of everything its bytes depend on."""
        key = content_key(
            html, seed, self.title, pdf_variant or "", extra_css, __version__,
            *map(str, self.template_dirs),
        )  # fmt: skip
        path = self.folder / f"{key[:40]}.pdf"
        return _Job(html, path, seed, self.title, self.template_dirs, pdf_variant, extra_css)

    def per_unit(self, part: Part) -> float:
        """Pages a unit of ``part`` takes, from the parts of its kind laid out so far (a story
        card: one page)."""
        known = [p for p in self.parts.parts if p.index in self.sizes]
        alike = [p for p in known if p.numbered == part.numbered] or known
        units = sum(len(p.units) for p in alike)
        return sum(self.sizes[p.index] for p in alike) / units if units else 1.0

    def pages(self, part: Part) -> int:
        """The pages of ``part``: as laid out, or estimated (:meth:`per_unit`)."""
        if part.index in self.sizes:
            return self.sizes[part.index]
        return max(1, round(len(part.units) * self.per_unit(part)))

    def numbers(self, part: Part) -> dict[str, int]:
        """The page numbers ``part`` shows, from what is known of the layout now: where each
        anchor fell in its part, or for a part not laid out yet, where its unit should."""
        starts, page = {}, 1
        for p in self.parts.parts:
            starts[p.index] = page
            page += self.pages(p)
        numbers = {}
        for anchor in sorted(part.pagerefs):
            if anchor not in self.owner:
                continue
            owner = self.parts.parts[self.owner[anchor]]
            if owner.index in self.sizes:
                local = self.anchor_pages.get(anchor, 0)
            else:
                local = int(owner.unit_of(anchor) * self.per_unit(owner))
            numbers[anchor] = starts[owner.index] + local
        return numbers

    def resolved(self, part: Part) -> bool:
        """Whether every page number ``part`` shows is known (all parts up to the one holding
        each anchor are laid out)."""
        last = max((self.owner.get(a, -1) for a in part.pagerefs), default=-1)
        return all(p.index in self.sizes for p in self.parts.parts[: last + 1])

    def run(self, pool: Executor, width: int) -> Path:
        """Lay out every part and the page numbers until no number shown is wrong; the file of
        the page numbers.

        A worker that comes free takes, in this order: the front matter's first layouts (their
        size moves every page after them), the parts without page numbers (the cards), the
        parts whose numbers are all known; the parts after the cards (sources, annex) start
        beside the last cards, on numbers estimated from the parts laid out so far (a card is
        a page); the page numbers of the whole once every part's size is known. A part whose
        numbers turn out wrong is laid out again (the front matter always is, once: it shows
        the pages of everything after it). Measured on 200 articles: 22 layouts of 20 parts,
        both workers busy until the last second or two.
        """
        started = time.monotonic()
        running: dict[
            Future[tuple[int, dict[str, int]]], tuple[Part | None, _Job, dict[str, int]]
        ] = {}
        tries: dict[int, int] = {}
        stamps: tuple[str, Path] | None = None  # (html, file) of the page numbers laid out
        while True:
            busy = {entry[0].index for entry in running.values() if entry[0] is not None}
            todo = self._todo(busy, width)
            wanted = self.stamps()
            stamps_busy = any(entry[0] is None for entry in running.values())
            while len(running) < width:
                if todo:
                    part = todo.pop(0)
                    tries[part.index] = tries.get(part.index, 0) + 1
                    if tries[part.index] > _MAX_ROUNDS:
                        raise RenderError(
                            "the page numbers of the digest did not settle; try --workers 1"
                        )
                    numbers = self.numbers(part)
                    if tries[part.index] > 1:
                        LOG.debug("part %d laid out again: its page numbers changed", part.index)
                    job = self.job(part, numbers)
                    running[pool.submit(_lay_out, job)] = (part, job, numbers)
                elif (
                    not stamps_busy
                    and len(self.sizes) == len(self.parts.parts)  # the total, not a guess
                    and (stamps is None or stamps[0] != wanted.html)
                ):
                    running[pool.submit(_lay_out, wanted)] = (None, wanted, {})
                    stamps_busy = True
                else:
                    break
            if not running:
                assert stamps is not None  # nothing to do means the stamps are laid out
                LOG.debug("laid out %d parts in %.1f s", len(tries), time.monotonic() - started)
                return stamps[1]
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                laid_out, job, numbers = running.pop(future)
                pages, anchors = future.result()
                if laid_out is None:
                    stamps = (job.html, job.path)
                    continue
                self.sizes[laid_out.index] = pages
                self.files[laid_out.index] = job.path
                self.shown[laid_out.index] = numbers
                self.layouts += 1
                self.anchor_pages.update(
                    (name, page) for name, page in anchors.items() if name in laid_out.anchors
                )

    def _todo(self, busy: set[int], width: int) -> list[Part]:
        """The parts to lay out next, best first (see :meth:`run`): those never laid out, and
        those whose numbers are wrong once every number they show is known. A part already
        laid out is laid out again on a guess only when a worker would otherwise wait."""
        # The front matter's first layouts go first (the numbered parts before the last part
        # without numbers: cover, summary, contents): their sizes move every page after them.
        plain = [p.index for p in self.parts.parts if not p.numbered]
        front = max(plain, default=1)

        def rank(part: Part) -> int:
            if part.index < front and part.index not in self.sizes:
                return 0
            if not part.numbered:
                return 1
            return 2 if self.resolved(part) else 3

        def stale(part: Part) -> bool:
            return part.numbered and self.shown.get(part.index) != self.numbers(part)

        free = [p for p in self.parts.parts if p.index not in busy]
        todo = [p for p in free if p.index not in self.sizes or (stale(p) and self.resolved(p))]
        if not todo:  # a worker would wait: lay out again on the numbers as they stand
            todo = [p for p in free if stale(p)]
        todo.sort(key=lambda p: (rank(p), p.index))
        # The parts after the cards (sources, annex) start beside the last cards rather than
        # after them: their numbers are good guesses by then, and the end of the run waits
        # for them.
        late = [p for p in todo if rank(p) == 3 and p.index not in self.sizes]
        plain_left = [p for p in todo if rank(p) <= 1]
        if late and len(plain_left) <= width:
            todo = [late[0], *(p for p in todo if p is not late[0])]
        return todo

    def stamps(self) -> _Job:
        """The page numbers of the joined document, one page each (never tagged: an
        artifact over each page)."""
        total = sum(self.pages(p) for p in self.parts.parts)
        html = self.parts.prefix + '<div class="briefing-stamp"></div>' * total + self.parts.suffix
        return self._job(html, f"{self.seed}|stamps", None, _ONLY_PAGE_NUMBER)
