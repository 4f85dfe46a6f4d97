"""A digest laid out in parts and joined (briefing.render.parts, .parallel, .join) is the digest
laid out in one run: the same pages with the same text, the contents' page numbers right, the
same outline, links to the same pages, the same metadata, and PDF/A and PDF/UA that still hold.

Small digests are cut into parts of one card each (``max_units=1``) so that every kind of part
(front matter, cards, dropped stories, annex, sources) is laid out apart; most tests lay the
parts out in this process (``workers=1``), one in two worker processes.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from briefing import render
from briefing.errors import RenderError
from briefing.model import Digest
from briefing.render.join import join_pdfs
from briefing.render.parallel import render_in_parts
from briefing.render.parts import PART_LINK, split_parts
from briefing.render.pdf import write_pdf
from tests.factories import make_digest, make_next_day
from tests.pdftext import pdf_pages_text, squash
from tests.test_pdf_variants import xmp_ids

SEED = "digest|test"


def one_layout(html: str, digest: Digest, variant: str | None = None) -> bytes:
    return write_pdf(html, seed=SEED, title=digest.title, pdf_variant=variant)


def in_parts(html: str, digest: Digest, variant: str | None = None, **options: Any) -> bytes:
    options = {"workers": 1, "min_parts": 2, "max_units": 1, **options}
    pdf = render_in_parts(html, seed=SEED, title=digest.title, pdf_variant=variant, **options)
    assert pdf is not None
    return pdf


@pytest.fixture(scope="module")
def day() -> Digest:
    return make_next_day()


@pytest.fixture(scope="module")
def full_html(day: Digest) -> str:
    return render.render_digest_html(day, detail="full")


@pytest.fixture(scope="module")
def pair(day: Digest, full_html: str) -> tuple[bytes, bytes]:
    """(joined, one layout) of a digest with stories, dropped stories and the annex."""
    return in_parts(full_html, day), one_layout(full_html, day)


def outline(pdf: bytes) -> list[tuple[int, str, int | None]]:
    reader = PdfReader(io.BytesIO(pdf))

    def walk(items: list[Any], depth: int) -> Iterator[tuple[int, str, int | None]]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, str(item.title), reader.get_destination_page_number(item)

    return list(walk(reader.outline, 0))


def links(pdf: bytes) -> list[tuple[int, int | None, str | None]]:
    """(page, the page it leads to, or its URI) of every link, in order."""
    reader = PdfReader(io.BytesIO(pdf))
    named = reader.named_destinations
    found = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots", []) or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            dest = annotation.get("/Dest")
            if dest is None:
                found.append((number, None, str(annotation["/A"].get("/URI"))))
                continue
            dest = dest.get_object()
            if not isinstance(dest, list):  # a named destination
                dest = named[str(dest)]
                found.append((number, reader.get_destination_page_number(dest), None))
            else:
                found.append((number, reader.get_page_number(dest[0].get_object()), None))
    return found


# ------------------------------------------------------------------------------- cutting


def test_parts_are_cut_where_the_template_says(day: Digest, full_html: str) -> None:
    parts = split_parts(full_html, max_units=1)
    assert parts is not None
    firsts = [re.search(r'id="([^"]+)"', p.text).group(1) for p in parts.parts]  # type: ignore[union-attr]
    # Front matter (cover, summary, contents) together; each card; the dropped stories; the
    # annex title with its first section (one page); the next section; sources with "about".
    assert firsts == ["cover", "s1", "s2", "dropped", "annex", "b2", "sources"]
    assert [p.numbered for p in parts.parts] == [True, False, False, False, True, True, True]
    assert {"summary", "contents"} <= parts.parts[0].anchors
    assert "about" in parts.parts[-1].anchors
    assert "".join(p.text for p in parts.parts) in full_html
    assert parts.prefix.endswith('<main class="page" data-parts>')


def test_a_template_without_marks_is_one_document(day: Digest) -> None:
    html = render.render_digest_html(day).replace(" data-parts", "")
    assert split_parts(html) is None
    assert render_in_parts(html, seed=SEED, title=day.title, min_parts=1) is None


def test_a_short_digest_is_laid_out_in_one_run(day: Digest) -> None:
    html = render.render_digest_html(day)
    assert render_in_parts(html, seed=SEED, title=day.title) is None  # 3 parts < 4


# ------------------------------------------------------------------------------- the join


def test_joined_pages_have_the_same_text(pair: tuple[bytes, bytes]) -> None:
    joined, single = map(pdf_pages_text, pair)
    assert len(joined) == len(single) >= 8
    for number, (a, b) in enumerate(zip(joined, single, strict=True), start=1):
        assert a.split() == b.split(), number
        assert f"page {number} of {len(single)}" in a


def test_contents_and_page_references_are_right(day: Digest, pair: tuple[bytes, bytes]) -> None:
    pages = pdf_pages_text(pair[0])
    toc = squash(next(t for t in pages if "Contents" in t and "Appendix · Sources" in t))
    for number, story in enumerate(day.stories, start=1):
        title = squash(story.briefing.title)
        card = next(i for i, t in enumerate(pages, 1) if re.match(f"STORY{number}[A-Z]", squash(t)))
        assert re.search(re.escape(title) + r"\.{3,}[.]*" + str(card) + r"\D", toc), number
        # The annex's link back to the card, and the sources appendix, say the same page.
        annex = next(
            i for i, t in enumerate(pages, 1) if f"STORY{number}·FULLBRIEFING" in squash(t)
        )
        assert f"Card:page{card}" in squash(pages[annex - 1])
        assert f"Story{number},page{card}" in squash(pages[-1]) + squash(pages[-2])
    sources = next(i for i, t in enumerate(pages, 1) if "Every source named" in t)
    assert re.search(r"AppendixSources\.{3,}[.]*" + str(sources), toc.replace("·", ""))


def test_outline_is_the_same(pair: tuple[bytes, bytes]) -> None:
    joined, single = map(outline, pair)
    assert joined == single
    assert {depth for depth, _, _ in single} == {0, 1}  # levels kept across the parts


def test_links_lead_to_the_same_pages(pair: tuple[bytes, bytes]) -> None:
    joined, single = map(links, pair)
    assert joined == single
    assert len(joined) > 20
    assert not any(uri and uri.startswith(PART_LINK) for _, _, uri in joined)
    reader = PdfReader(io.BytesIO(pair[0]))
    assert set(reader.named_destinations) == set(PdfReader(io.BytesIO(pair[1])).named_destinations)


def test_metadata_and_catalog_are_the_documents(pair: tuple[bytes, bytes]) -> None:
    joined, single = (PdfReader(io.BytesIO(p)) for p in pair)
    assert joined.metadata == single.metadata
    assert joined.metadata is not None and joined.metadata.producer == single.metadata.producer
    for key in ("/Lang", "/PageMode"):
        assert joined.trailer["/Root"].get(key) == single.trailer["/Root"].get(key), key


def test_joining_is_reproducible(day: Digest, full_html: str, pair: tuple[bytes, bytes]) -> None:
    assert in_parts(full_html, day) == pair[0]


def test_worker_processes_make_the_same_pdf(
    day: Digest, full_html: str, pair: tuple[bytes, bytes]
) -> None:
    assert in_parts(full_html, day, workers=2) == pair[0]


def test_a_digest_without_stories_joins_too() -> None:
    digest = make_digest()
    html = render.render_digest_html(digest)
    joined, single = in_parts(html, digest), one_layout(html, digest)
    assert [p.split() for p in pdf_pages_text(joined)] == [
        p.split() for p in pdf_pages_text(single)
    ]
    assert outline(joined) == outline(single)
    assert links(joined) == links(single)


# ------------------------------------------------------------------------------- PDF/A, PDF/UA


def resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def structure_checks(pdf: bytes) -> list[str]:
    """Every page's marked content maps to elements of the one tree, and every element's /P
    leads up to the root: the tree a PDF/UA reader walks."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    nums = list(root["/ParentTree"].get_object()["/Nums"])
    tree = {int(k): resolve(v) for k, v in zip(nums[0::2], nums[1::2], strict=True)}
    assert int(root.get("/ParentTreeNextKey", max(tree) + 1)) > max(tree)
    keys = [int(page["/StructParents"]) for page in reader.pages]
    assert len(set(keys)) == len(keys)
    headings = []
    for key in keys:
        for element in tree[key]:
            node = resolve(element)
            assert isinstance(node, DictionaryObject)
            seen = 0
            while node.get("/Type") != "/StructTreeRoot":
                node = resolve(node["/P"])
                seen += 1
                assert seen < 200
    stack = [resolve(root["/K"])]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(resolve(n) for n in reversed(node))
        elif isinstance(node, DictionaryObject) and "/S" in node:
            if str(node["/S"]) in ("/H1", "/H2"):
                headings.append(str(node["/S"]))
            stack.extend(resolve(k) for k in reversed(list(_kids(node))))
    return headings


def _kids(node: DictionaryObject) -> list[Any]:
    kids = resolve(node.get("/K"))
    return [] if kids is None else (list(kids) if isinstance(kids, list) else [kids])


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b", "pdf/a-2a"])
def test_archival_and_accessible_variants_hold(day: Digest, full_html: str, variant: str) -> None:
    joined, single = in_parts(full_html, day, variant), one_layout(full_html, day, variant)
    assert xmp_ids(joined) == xmp_ids(single)
    catalog_j, catalog_s = (PdfReader(io.BytesIO(p)).trailer["/Root"] for p in (joined, single))
    for key in ("/MarkInfo", "/Lang", "/ViewerPreferences"):
        assert (key in catalog_j) == (key in catalog_s), key
    if variant.startswith("pdf/a"):
        intents = [len(resolve(c["/OutputIntents"])) for c in (catalog_j, catalog_s)]
        assert intents[0] == intents[1] == 1
    else:
        assert "/OutputIntents" not in catalog_j
    for page in PdfReader(io.BytesIO(joined)).pages:
        for font in resolve(page["/Resources"]).get("/Font", {}).values():
            descriptor = resolve(resolve(font).get("/FontDescriptor")) or {}
            descendants = resolve(font).get("/DescendantFonts")
            if descendants:
                descriptor = resolve(resolve(descendants[0])["/FontDescriptor"])
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    if "/StructTreeRoot" in catalog_s:
        assert structure_checks(joined) == structure_checks(single)
        assert structure_checks(joined).count("/H1") >= 8
    else:
        assert "/StructTreeRoot" not in catalog_j


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
