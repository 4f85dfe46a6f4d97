"""Tests for the daily digest document: briefing.render.digest (re-exported by briefing.render)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import render
from briefing.errors import RenderError
from briefing.model import Briefing, Digest, SourceStatus, SummaryPoint, Usage
from briefing.render import digest as render_digest
from briefing.render.text import shown_location
from briefing.resources import templates_dir
from tests.factories import (
    DIGEST_PROMPT_SHA,
    FAILED_REASON,
    FAILED_URL,
    FEED_URL,
    GENERATED_AT,
    GROUNDING_METHOD,
    PROMPT_SHA,
    make_baltic_briefing,
    make_briefing,
    make_digest,
    make_source,
    make_ungrounded_briefing,
)
from tests.pdftext import pdf_pages_text, squash

SECTIONS = ("Situation", "Actors", "Assessment", "Risks")
TITLE = "Daily briefing — 26 November 2026"
HOSTILE = (
    '<img src="file:///etc/passwd"> <script>alert(1)</script> '
    '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"> '
    '<a href="javascript:alert(1)">click</a>'
)


@pytest.fixture(scope="module")
def digest() -> Digest:
    return make_digest()


@pytest.fixture(scope="module")
def html(digest: Digest) -> str:
    return render.render_digest_html(digest)


@pytest.fixture(scope="module")
def pdf(digest: Digest, html: str) -> bytes:
    return render.render_digest_pdf(html, digest)


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return pdf_pages_text(pdf)


def toc_page(toc: str, entry: str) -> int:
    """The page number after ``entry`` and its leader dots on the contents page."""
    words = r"\s*".join(re.escape(word) for word in entry.split())
    match = re.search(words + r"\s*\.{3,}[\s.]*(\d+)", toc)
    assert match is not None, entry
    return int(match.group(1))


def section_start_pages(pages: list[str], digest: Digest) -> dict[int, int]:
    """Section number -> 1-based page on which its heading "n · <title>" first appears."""
    starts = {}
    for number, briefing in enumerate(digest.briefings, start=1):
        heading = squash(f"{number} · {briefing.title}")
        found = [i for i, text in enumerate(pages, start=1) if heading in squash(text)]
        assert found, f"heading of section {number} not found"
        starts[number] = found[0]
    return starts


# ------------------------------------------------------------------------------- HTML


def test_html_has_cover_summary_contents_sections_and_appendix(digest: Digest, html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert f'<h1 class="cover-title">{TITLE}</h1>' in html
    assert "Thursday 26 November 2026" in html
    assert "3 articles briefed from 5 sources" in html
    positions = [
        html.index('id="cover"'),
        html.index('id="summary"'),
        html.index('id="contents"'),
        *(html.index(f'<article class="digest-section" id="b{n}"') for n in (1, 2, 3)),
        html.index('id="sources"'),
    ]
    assert positions == sorted(positions)
    for number, briefing in enumerate(digest.briefings, start=1):
        assert f'<span class="section-no">{number}</span> · {briefing.title}</h1>' in html
        for sub, name in enumerate(SECTIONS, start=1):
            assert f'<span class="num">{number}.{sub}</span> {name}</h2>' in html
    # Cover: the counts and how the digest was made.
    # The figures count what the line above them counts: 3 briefed, 1 of them from the cache.
    for label, value in (("sources", 5), ("briefed", 3), ("failed", 1), ("duplicate", 1)):
        assert re.search(rf'tile-num">{value}</span><span class="tile-label">{label}<', html)
    assert '<span class="tile-sub">2 now · 1 from cache</span>' in html
    assert f"briefing@v1 (sha256 {PROMPT_SHA[:12]}…) — per article" in html
    assert f"digest@v1 (sha256 {DIGEST_PROMPT_SHA[:12]}…) — executive summary" in html
    assert "26 November 2026, 09:30 UTC" in html and "briefing 0.1.0" in html
    assert f"<td>E{GROUNDING_METHOD[1:]}</td>" in html  # once, on the cover
    # The digest is self-contained, like the briefing.
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "url(" not in html and "@import" not in html
    assert html.count("<style>") == 1


def test_anchors_are_unique_and_every_link_resolves(html: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', html)
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicated == []
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and targets <= set(ids)
    for expected in ("b1", "b3", "b1-situation", "b2-actor-2", "b3-actor-4", "b3-risk-3"):
        assert expected in ids, expected
    # The unsupported marks of section 3 link to its own notes.
    assert 'href="#b3-note-1">†1</a>' in html and 'id="b3-note-1"' in html
    assert 'id="note-1"' not in html and 'id="actor-1"' not in html


def test_sections_are_the_briefing_template_not_a_copy(digest: Digest, html: str) -> None:
    """Each section's body is what render_html draws for the briefing, ids and numbers aside."""

    def body(page: str, start: str, end: str) -> str:
        part = page[page.index(start) :]
        return re.sub(r"\s+", " ", part[: part.index(end)]).strip()

    for number, briefing in enumerate(digest.briefings, start=1):
        section = html[html.index(f'<article class="digest-section" id="b{number}"') :]
        ours = body(section, f'<section class="section" id="b{number}-situation">', "</article>")
        ours = ours.replace(f'"b{number}-', '"').replace(f'"#b{number}-', '"#')
        ours = re.sub(
            rf'<span class="num">{number}\.(\d)</span>', r'<span class="num">\1</span>', ours
        )
        single = render.render_html(briefing)
        single = body(single, '<section class="section" id="situation">', "<footer")
        assert ours == single


def test_executive_summary_links_to_sections(html: str) -> None:
    summary = html[html.index('id="summary"') : html.index('id="contents"')]
    assert summary.count('<li class="point">') == 2
    first = r'&nbsp;→&nbsp;<a href="#b1"[^>]*>1</a>, <a href="#b3"[^>]*>3</a></span>'
    assert re.search(first, summary)
    assert re.search(r'&nbsp;→&nbsp;<a href="#b2"[^>]*>2</a></span>', summary)
    # A point citing a section that does not exist shows the number without a dangling link.
    odd = make_digest(executive_summary=[SummaryPoint(text="Odd.", briefings=[2, 9])])
    page = render.render_digest_html(odd)
    assert re.search(r'&nbsp;→&nbsp;<a href="#b2"[^>]*>2</a>, 9</span>', page)
    assert 'href="#b9"' not in page


def test_appendix_lists_every_source_with_status(digest: Digest, html: str) -> None:
    appendix = html[html.index('id="sources"') :]
    rows = re.findall(
        r'<tr class="source-row status-row-(\w+)" id="src-\d+">(.*?)</tr>', appendix, re.S
    )
    assert [status for status, _ in rows] == ["ok", "cached", "failed", "ok", "duplicate"]
    for (status, row), source in zip(rows, digest.sources, strict=True):
        assert shown_location(source.kind, source.location) in row  # a file by its name only
        assert f'<span class="status status-{status}">{status}</span>' in row
        assert f"{source.ms:,} ms" in row
    assert f"via {FEED_URL}" in rows[2][1] and FAILED_REASON in rows[2][1]
    assert "same text as syria-strike.txt" in rows[4][1]
    # Briefed sources link to their section; the others do not.
    assert '<a class="src-section" data-pageref href="#b1">Section 1</a>' in rows[0][1]
    assert '<a class="src-section" data-pageref href="#b2">Section 2</a>' in rows[1][1]
    assert '<a class="src-section" data-pageref href="#b3">Section 3</a>' in rows[3][1]
    assert "src-section" not in rows[2][1] and "src-section" not in rows[4][1]


def test_evidence_appendix_mode_numbers_quotes_through_the_digest(digest: Digest) -> None:
    html = render.render_digest_html(digest, evidence="appendix")
    labels = re.findall(r'<p class="evidence-entry" id="(b\d-E\d+)"><span class="ref-label">', html)
    numbers = [int(label.split("-E")[1]) for label in labels]
    quotes = sum(
        len(i.evidence) for b in digest.briefings for i in (*b.actors, b.assessment, *b.risks)
    )
    assert numbers == list(range(1, quotes + 1))  # unique, in order, across sections
    for number in (1, 2, 3):
        assert f'<span class="num">{number}.5</span> Evidence</h2>' in html
        assert f'id="b{number}-evidence"' in html
    first_of_2 = render.build_trace(digest.briefings[0]).items
    offset = sum(len(item.refs) for item in first_of_2)
    assert f'<a class="ref" href="#b2-E{offset + 1}">[E{offset + 1}]</a>' in html
    none = render.render_digest_html(digest, evidence="none")
    assert "<q" not in none and "Evidence quotations from the source articles are left out" in none
    with pytest.raises(ValueError, match="evidence must be one of"):
        render.render_digest_html(digest, evidence="margin")  # type: ignore[arg-type]


def test_digest_info_and_keywords(digest: Digest) -> None:
    info = render_digest.digest_info(digest)
    assert info.title == TITLE
    assert info.subject == "Daily briefing for 26 November 2026: 3 briefings from 5 sources"
    assert info.keywords == [
        "briefing",
        "daily digest",
        "summariser=openai v1",
        "model=gpt-4o-mini",
        f"prompt=digest@v1 (sha256 {DIGEST_PROMPT_SHA[:12]})",
        f"prompt=briefing@v1 (sha256 {PROMPT_SHA[:12]})",
    ]
    assert (info.counts.total, info.counts.briefed, info.counts.failed) == (5, 3, 1)
    assert info.provenance_line == (
        "Summariser: openai v1 · Model: gpt-4o-mini · Prompts: digest@v1, briefing@v1"
    )
    assert info.run_details == (
        "12.3 s · 2 summarised in this run, 1 from the cache · executive summary 2,710 tokens"
    )
    offline = make_digest(
        briefings=[make_briefing()],
        provenance=digest.provenance.model_copy(
            update={"summariser": "offline", "model": None, "prompt": None, "usage": Usage()}
        ),
    )
    info = render_digest.digest_info(offline)
    assert info.prompts == [] and info.model == "none"
    assert info.keywords == ["briefing", "daily digest", "summariser=offline v1"]
    assert info.summary_method.startswith("one point per briefing")


# ------------------------------------------------------------------------------- PDF


def test_pdf_contains_every_part(digest: Digest, pages: list[str]) -> None:
    text = "\n".join(pages)
    flat = squash(text)
    assert TITLE in pages[0]
    assert "Executive summary" in text and "Contents" in text and "Appendix · Sources" in text
    for number, briefing in enumerate(digest.briefings, start=1):
        assert squash(briefing.title) in flat
        for sub, name in enumerate(SECTIONS, start=1):
            assert re.search(rf"{number}\.{sub}\s+{name}", text), (number, name)
    for source in digest.sources:
        assert squash(shown_location(source.kind, source.location)) in flat
    assert squash(FAILED_REASON) in flat
    for status in ("OK", "CACHED", "FAILED", "DUPLICATE"):  # text-transform: uppercase
        assert status in text


def test_contents_page_numbers_are_where_sections_start(digest: Digest, pages: list[str]) -> None:
    toc = next(t for t in pages if "Contents" in t and "Appendix · Sources" in t)
    starts = section_start_pages(pages, digest)
    assert list(starts.values()) == sorted(starts.values())
    for number, briefing in enumerate(digest.briefings, start=1):
        assert toc_page(toc, briefing.title) == starts[number], (number, starts)
        # Each section starts on a new page: nothing of the section before is on it.
        if number > 1:
            assert not re.search(rf"\b{number - 1}\.\d\s", pages[starts[number] - 1])
    assert "The day in 2 points" in pages[toc_page(toc, "Executive summary") - 1]
    assert toc_page(toc, "Appendix · Sources") == len(pages)
    assert "Appendix · Sources" in pages[-1] and "Every source named" in pages[-1]
    # The appendix and the summary point at the same pages.
    flat_last = squash(pages[-1])
    for number in starts:
        assert f"Section{number},page{starts[number]}" in flat_last


def test_running_header_page_numbers_and_footer(digest: Digest, pages: list[str]) -> None:
    total = len(pages)
    starts = section_start_pages(pages, digest)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {total}" in text
        assert (
            "Summariser: openai v1 · Model: gpt-4o-mini · Prompts: digest@v1, briefing@v1" in text
        )
        if number > 1:  # the cover has no running header
            assert text.count(TITLE) == 1, number
    for section, first in starts.items():
        last = starts.get(section + 1, total) - 1 if section < len(starts) else total - 1
        for page in range(first, last + 1):
            assert f"{section} · " in pages[page - 1], (section, page)
    assert "Contents" in pages[starts[1] - 2] or "Executive summary" in pages[starts[1] - 2]


def test_pdf_metadata(digest: Digest, pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None
    assert meta.title == TITLE
    assert meta.author == "briefing"
    assert meta.subject == "Daily briefing for 26 November 2026: 3 briefings from 5 sources"
    assert meta.keywords == (
        "briefing, daily digest, summariser=openai v1, model=gpt-4o-mini, "
        f"prompt=digest@v1 (sha256 {DIGEST_PROMPT_SHA[:12]}), "
        f"prompt=briefing@v1 (sha256 {PROMPT_SHA[:12]})"
    )
    assert meta.creator == "briefing 0.1.0"
    assert meta.creation_date == GENERATED_AT


def test_pdf_is_a4_reproducible_and_has_an_outline(digest: Digest, html: str, pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert render.render_digest_pdf(html, digest) == pdf
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:3] == ["Cover", "Executive summary", "Contents"]
    assert top[-1] == "Appendix · Sources"
    assert [t for t in top if re.match(r"\d · ", t)] == [
        f"{n} · {b.title}" for n, b in enumerate(digest.briefings, start=1)
    ]


# ------------------------------------------------------------------------------- safety


def test_hostile_text_is_escaped_and_nothing_is_fetched() -> None:
    hostile = make_briefing(
        title=f"Title {HOSTILE}",
        source=make_source(location=f"https://example.org/{HOSTILE}", kind="url", title=HOSTILE),
        situation=HOSTILE,
    )
    baltic = make_baltic_briefing()
    digest = make_digest(
        briefings=[hostile, baltic],
        executive_summary=[SummaryPoint(text=HOSTILE, briefings=[1])],
        sources=[
            SourceStatus(location=hostile.source.location, kind="url", status="ok", title=HOSTILE),
            SourceStatus(location=f"{FAILED_URL}?{HOSTILE}", kind="feed", via=HOSTILE,
                         status="failed", reason=f"HTTP 500: {HOSTILE}"),
            SourceStatus(location=baltic.source.location, kind="file", status="cached"),
        ],
    )  # fmt: skip
    html = render.render_digest_html(digest)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "HTTP 500: &lt;img src=" in html
    assert "<img" not in html and "<script" not in html and "<link" not in html
    assert 'href="javascript:' not in html and 'href="http' not in html
    assert html.count("<style>") == 1
    fetcher = render.TemplateFetcher([templates_dir()])
    pdf = render.render_digest_pdf(html, digest, fetcher=fetcher)
    flat = squash("\n".join(pdf_pages_text(pdf)))
    assert squash('HTTP 500: <img src="file:///etc/passwd">') in flat
    assert "<script>alert(1)</script>" in flat
    assert fetcher.requests == []
    assert b"/URI" not in pdf and b"/JavaScript" not in pdf and b"/EmbeddedFile" not in pdf


def test_template_errors_become_render_errors(tmp_path: Path, digest: Digest) -> None:
    (tmp_path / "digest.html.j2").write_text(
        '{% extends "_document.html.j2" %}{% block body %}{{ doc.nope }}{% endblock %}',
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as info:
        render.render_digest_html(digest, template_dirs=[tmp_path])
    assert "digest.html.j2" in info.value.message and "nope" in info.value.message


def test_weasyprint_failure_becomes_render_error(
    monkeypatch: pytest.MonkeyPatch, digest: Digest
) -> None:
    import weasyprint

    def explode(*args: object, **kwargs: object) -> bytes:
        raise ValueError("layout exploded")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", explode)
    with pytest.raises(RenderError, match=r"Daily briefing — 26 November 2026.*layout exploded"):
        render.render_digest_pdf("<p>x</p>", digest)


def test_render_reexports_and_import_order() -> None:
    assert render.render_digest_html is render_digest.render_digest_html
    assert render.render_digest_pdf is render_digest.render_digest_pdf
    with pytest.raises(AttributeError):
        render.no_such_name  # noqa: B018
    # Neither the digest module nor the package imports WeasyPrint.
    code = (
        "import sys, briefing.render.digest as d, briefing.render as r; "
        "assert r.render_digest_html is d.render_digest_html; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------------------- size


def ten_briefings() -> list[Briefing]:
    kinds = (make_briefing, make_baltic_briefing, make_ungrounded_briefing)
    briefings = []
    for n in range(10):
        base = kinds[n % 3]()
        briefings.append(
            base.model_copy(
                update={
                    "title": f"{base.title} (report {n + 1})",
                    "source": base.source.model_copy(
                        update={"location": f"articles/{n + 1:02d}.txt", "sha256": f"{n:02d}" * 32}
                    ),
                }
            )
        )
    return briefings


def test_ten_briefings_render_in_order() -> None:
    """Ten briefings, each section after the last (render time: benchmarks/bench_scaling.py)."""
    digest = make_digest(briefings=ten_briefings())
    html = render.render_digest_html(digest)
    pdf = render.render_digest_pdf(html, digest)
    pages = pdf_pages_text(pdf)
    starts = section_start_pages(pages, digest)
    assert len(starts) == 10 and list(starts.values()) == sorted(starts.values())
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
