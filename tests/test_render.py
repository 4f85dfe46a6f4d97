"""Tests for briefing.render: HTML template, PDF output, metadata, the deny-all URL fetcher."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import render
from briefing.errors import RenderError
from briefing.model import Actor, Assessment, Briefing, Flag, Risk
from briefing.render import assets
from briefing.resources import templates_dir
from tests.canary import Canary
from tests.factories import (
    ACTOR_REASON,
    GROUNDING_METHOD,
    INJECTION_DETAIL,
    MERGE_SHA,
    PROMPT_SHA,
    RISK_REASON,
    SOURCE_SHA,
    make_briefing,
    make_flag,
    make_grounding,
    make_openai_provenance,
    make_source,
    make_split,
    make_ungrounded_briefing,
)
from tests.pdftext import pdf_pages_text, squash

SECTIONS = ("Situation", "Actors", "Assessment", "Risks")


# ------------------------------------------------------------------------------- helpers


def long_briefing() -> Briefing:
    """Enough content for several pages: exercises running headers and page counters."""
    paragraph = (
        "Coordination between London, Paris and Washington appears robust, and improved "
        "intelligence-sharing is allowing faster responses to emerging threats. However, "
        "friction over deconfliction could complicate future operations. "
    )
    return make_briefing(
        assessment=Assessment(
            text="\n\n".join(paragraph * 2 for _ in range(6)),
            confidence="high",
            evidence=["raising questions about the long-term effectiveness of air strikes"],
        ),
        flags=[make_flag("injection_suspected", "Text addressed to an AI model was ignored.")],
        provenance=make_openai_provenance(),
    )


@pytest.fixture(scope="module")
def sample() -> Briefing:
    return make_briefing(flags=[make_flag()])


@pytest.fixture(scope="module")
def sample_html(sample: Briefing) -> str:
    return render.render_html(sample)


@pytest.fixture(scope="module")
def sample_pdf(sample: Briefing, sample_html: str) -> bytes:
    return render.render_pdf(sample_html, sample)


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    briefing = long_briefing()
    return render.render_pdf(render.render_html(briefing), briefing)


# ------------------------------------------------------------------------------- HTML


def test_html_has_title_block_and_numbered_sections(sample: Briefing, sample_html: str) -> None:
    assert sample_html.startswith("<!DOCTYPE html>")
    assert "Analytical briefing" in sample_html
    assert sample.title in sample_html
    assert "26 November 2026" in sample_html  # provenance.generated_at
    assert "3 min read" in sample_html
    assert "642 words" in sample_html
    assert "syria-strike.txt" in sample_html  # a file by its name, not its folders
    assert "examples/syria-strike.txt" not in sample_html
    assert "3 March 2026" in sample_html  # source.published
    assert SOURCE_SHA[:12] in sample_html
    for number, name in enumerate(SECTIONS, start=1):
        assert re.search(rf'<span class="num">{number}</span>\s*{name}</h2>', sample_html)
    # Sections appear in order.
    positions = [sample_html.index(f"</span> {name}</h2>") for name in SECTIONS]
    assert positions == sorted(positions)


def test_html_is_self_contained(sample_html: str) -> None:
    head, _, _ = sample_html.partition("</head>")
    assert "<style>" in head and "@page" in head  # CSS inlined
    assert "<link" not in sample_html
    assert "<script" not in sample_html
    assert "<img" not in sample_html
    assert "url(" not in sample_html
    assert "@import" not in sample_html
    assert "http://" not in sample_html and "https://" not in sample_html
    assert "src=" not in sample_html
    assert "Content-Security-Policy" in head


def test_html_shows_actors_with_kind_aliases_and_evidence(
    sample: Briefing, sample_html: str
) -> None:
    for actor in sample.actors:
        assert actor.name in sample_html
        assert f"badge-{actor.kind.replace(' ', '-')}" in sample_html
        for quote in actor.evidence:
            assert f'<q class="quote">{quote}</q>' in sample_html
    assert "also ISIS, IS" in sample_html


def test_html_shows_coloured_ratings_with_text_labels(sample: Briefing, sample_html: str) -> None:
    for level in ("low", "medium", "high"):
        assert f"rating rating-{level}" in sample_html
        assert f'<span class="rating-label">{level.capitalize()}</span>' in sample_html
    # Three segments per rating, filled up to the level (greyscale-readable as well).
    high = re.search(r'class="rating rating-high">(.*?)</span></span>', sample_html, re.S)
    assert high is not None
    assert high.group(1).count('class="seg on"') == 3
    assert "confidence confidence-moderate" in sample_html
    assert "Moderate confidence" in sample_html


def test_html_shows_flags_box_only_when_flagged() -> None:
    flagged = render.render_html(make_briefing(flags=[make_flag("hidden_text", "x y")]))
    assert 'class="flags"' in flagged
    assert "Hidden text" in flagged
    assert "1 issue" in flagged
    unflagged = render.render_html(make_briefing(flags=[]))
    assert 'class="flags"' not in unflagged
    assert 'class="injection"' not in unflagged
    # An injection flag raises the banner instead; the box lists the other flags only.
    injected = render.render_html(make_briefing(flags=[make_flag("injection_suspected", "x y")]))
    assert 'class="injection"' in injected
    assert 'class="flags"' not in injected


def test_empty_lists_render_a_sentence() -> None:
    html = render.render_html(make_briefing(actors=[], risks=[]))
    assert "No actors identified." in html
    assert "No risks stated in the article." in html
    assert '<table class="grid' not in html


def test_paragraphs_are_split_on_blank_lines() -> None:
    briefing = make_briefing(situation="First paragraph.\n\nSecond   paragraph\nwrapped.")
    html = render.render_html(briefing)
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second paragraph wrapped.</p>" in html


def test_provenance_line_offline_and_openai() -> None:
    offline = render.document_info(make_briefing())
    assert offline.provenance_line == "Summariser: offline v1 · Model: none · Prompt: none"
    openai = render.document_info(make_briefing(provenance=make_openai_provenance()))
    assert openai.provenance_line == (
        f"Summariser: openai v1 · Model: gpt-4o-mini · Prompt: briefing@v1 "
        f"(sha256 {PROMPT_SHA[:12]}…)"
    )
    assert openai.keywords == [
        "briefing",
        "summariser=openai v1",
        "model=gpt-4o-mini",
        f"prompt=briefing@v1 (sha256 {PROMPT_SHA[:12]})",
    ]
    assert openai.run_details is not None and "2,220 tokens" in openai.run_details
    html = render.render_html(make_briefing(provenance=make_openai_provenance()))
    assert 'data-provenance="Summariser: openai v1 · Model: gpt-4o-mini' in html


def test_document_info_dates_and_truncation() -> None:
    naive = make_briefing(
        title="A " * 80,
        provenance=make_openai_provenance(generated_at=datetime(2026, 1, 5, 7, 4)),
        source=make_source(published="Tue, 03 Mar 2026 10:00:00 GMT"),
    )
    info = render.document_info(naive)
    assert info.date == "5 January 2026"
    assert info.created == "2026-01-05T07:04:00Z"
    assert info.generated == "5 January 2026, 07:04 UTC"
    assert info.published == "3 March 2026"
    assert info.running_title.startswith("briefing · A A")
    assert info.running_title.endswith("…")
    assert len(info.running_title) <= len("briefing · ") + render.RUNNING_TITLE_MAX
    odd = render.document_info(make_briefing(source=make_source(published="last spring")))
    assert odd.published == "last spring"
    assert render.long_date(datetime(2026, 11, 26, tzinfo=UTC)) == "26 November 2026"


# ------------------------------------------------------------------------------- traceability


def row(html: str, anchor: str) -> str:
    """The HTML of the table row (or section) with id ``anchor``."""
    match = re.search(rf'<(tr|section)[^>]* id="{anchor}".*?</\1>', html, re.S)
    assert match is not None, anchor
    return match.group(0)


@pytest.fixture(scope="module")
def ungrounded() -> Briefing:
    return make_ungrounded_briefing()


@pytest.fixture(scope="module")
def ungrounded_html(ungrounded: Briefing) -> str:
    return render.render_html(ungrounded)


@pytest.fixture(scope="module")
def ungrounded_pdf_text(ungrounded: Briefing, ungrounded_html: str) -> str:
    return "\n".join(pdf_pages_text(render.render_pdf(ungrounded_html, ungrounded)))


def test_trace_numbers_quotes_and_notes_in_document_order(ungrounded: Briefing) -> None:
    trace = render.build_trace(ungrounded)
    assert [(item.note, item.name) for item in trace.notes] == [(1, "Russia"), (2, "R3")]
    assert trace.notes[0].reason == f"Not supported by the article: {ACTOR_REASON}."
    assert trace.notes[1].anchor == "risk-3"
    labels = [ref.label for item in trace.items for ref in item.refs]
    assert labels == [f"E{n}" for n in range(1, len(labels) + 1)]
    quotes = [q for a in ungrounded.actors for q in a.evidence]
    quotes += ungrounded.assessment.evidence + [q for r in ungrounded.risks for q in r.evidence]
    assert [ref.quote for item in trace.items for ref in item.refs] == quotes
    assert all(item.refs for item in trace.cited)
    assert trace.risks[0].heading.startswith("Risk R1: Islamic State cells regroup")


def test_unsupported_items_are_marked_and_explained(ungrounded_html: str) -> None:
    html = ungrounded_html
    assert html.count('<span class="unsupported">') == 2
    russia = row(html, "actor-4")
    assert "Russia" in russia and "Unsupported" in russia
    assert '<a class="note-ref" href="#note-1">†1</a>' in russia
    assert 'href="#note-2">†2</a>' in row(html, "risk-3")
    for supported in ("actor-1", "actor-3", "risk-1", "risk-4", "assessment"):
        assert "Unsupported" not in row(html, supported), supported
    # The notes: numbered, after their own section, with the reason.
    note1 = re.search(r'<p class="note" id="note-1">(.*?)</p>', html, re.S)
    note2 = re.search(r'<p class="note" id="note-2">(.*?)</p>', html, re.S)
    assert note1 is not None and note2 is not None
    assert "Russia:" in note1.group(1)
    assert f"Not supported by the article: {ACTOR_REASON}." in note1.group(1)
    assert f"Not supported by the article: {RISK_REASON}." in note2.group(1)
    assert html.index('id="actor-7"') < html.index('id="note-1"') < html.index('id="assessment"')
    assert html.index('id="risk-5"') < html.index('id="note-2"')
    # The quotes of an unsupported item are set off as unverified.
    assert '<div class="unverified">' in russia


def test_unsupported_markers_and_notes_in_pdf(ungrounded_pdf_text: str) -> None:
    flat = squash(ungrounded_pdf_text)
    assert flat.count("UNSUPPORTED†") == 2  # the badges (text-transform: uppercase)
    assert "⚠UNSUPPORTED†1" in flat and "⚠UNSUPPORTED†2" in flat
    assert squash(f"†1 Russia: Not supported by the article: {ACTOR_REASON}.") in flat
    assert squash(f"†2 R3: Not supported by the article: {RISK_REASON}.") in flat


def test_supported_or_unchecked_items_have_no_marker() -> None:
    unchecked = make_briefing()  # supported is None everywhere
    checked = make_briefing(
        actors=[a.model_copy(update={"supported": True}) for a in unchecked.actors],
        assessment=unchecked.assessment.model_copy(update={"supported": True}),
        risks=[r.model_copy(update={"supported": True}) for r in unchecked.risks],
        provenance=make_openai_provenance(grounding=make_grounding(11, 11)),
    )
    for briefing in (unchecked, checked):
        for mode in render.EVIDENCE_MODES:
            html = render.render_html(briefing, evidence=mode)
            assert 'class="unsupported"' not in html
            assert 'class="notes"' not in html
            assert "Not supported by the article" not in html
    pdf = render.render_pdf(render.render_html(checked), checked)
    text = "\n".join(pdf_pages_text(pdf))
    assert "UNSUPPORTED" not in text and "Not supported" not in text


def test_unsupported_assessment_without_reason() -> None:
    base = make_briefing()
    briefing = make_briefing(assessment=base.assessment.model_copy(update={"supported": False}))
    html = render.render_html(briefing)
    section = row(html, "assessment")
    assert re.search(r'class="confidence-line">.*?class="unsupported">.*?†1</a>', section, re.S)
    assert re.search(
        r'id="note-1">.*?Assessment:</span> Not supported by the article\.</p>', section, re.S
    )


def test_grounding_line_in_title_block_and_about(ungrounded_html: str) -> None:
    title_block = ungrounded_html[: ungrounded_html.index("</header>")]
    assert '<span class="grounding grounding-most">11 of 13 items supported by the article' in (
        title_block
    )
    assert "2 marked" in title_block
    about = ungrounded_html[ungrounded_html.index('<footer class="provenance">') :]
    assert "11 of 13 items supported by the article" in about
    assert f'<p class="method">Grounding check: {GROUNDING_METHOD}</p>' in about
    for supported, total, status in ((9, 9, "all"), (5, 9, "most"), (4, 9, "few")):
        info = render.document_info(
            make_briefing(
                provenance=make_openai_provenance(grounding=make_grounding(supported, total))
            )
        )
        assert info.grounding == f"{supported} of {total} items supported by the article"
        assert info.grounding_status == status
    assert render.document_info(make_briefing()).grounding is None
    assert "Grounding" not in render.render_html(make_briefing())


def test_grounding_line_in_pdf(ungrounded_pdf_text: str) -> None:
    flat = squash(ungrounded_pdf_text)
    assert squash("GROUNDING 11 of 13 items supported by the article") in flat
    assert squash(f"Grounding check: {GROUNDING_METHOD}") in flat


def test_injection_banner_above_the_situation(ungrounded_html: str) -> None:
    html = ungrounded_html
    banner = re.search(r'<aside class="injection" role="alert">(.*?)</aside>', html, re.S)
    assert banner is not None
    text = banner.group(1)
    assert "Possible prompt injection in the source" in text
    assert INJECTION_DETAIL in text
    assert "looks like instructions to an AI" in text and "Treat this briefing with caution" in text
    assert html.index("</header>") < banner.start() < html.index('id="situation"')
    # The other flags stay in the warning box, after the banner; the injection is not repeated.
    box = re.search(r'<aside class="flags" role="note">(.*?)</aside>', html, re.S)
    assert box is not None
    assert banner.start() < box.start()
    assert "2 issues" in box.group(1)
    assert "Hidden text" in box.group(1) and "Unsupported" in box.group(1)
    assert "Injection" not in box.group(1)


def test_injection_banner_in_pdf(ungrounded_pdf_text: str) -> None:
    first = ungrounded_pdf_text.split("1 Situation")[0]
    assert "Possible prompt injection in the source" in first
    assert squash(INJECTION_DETAIL) in squash(first)
    assert squash("Treat this briefing with caution and check it against the source.") in squash(
        first
    )


def all_quotes(briefing: Briefing) -> list[str]:
    items = [*briefing.actors, briefing.assessment, *briefing.risks]
    return [quote for item in items for quote in item.evidence]


def without_notes(html: str) -> str:
    """Drop the notes: a reason may cite the quote that was not found in the article.

    (Callers also start from the actors: the situation may well paraphrase a quote.)
    """
    return re.sub(r'<p class="note".*?</p>', "", html, flags=re.S)


def test_evidence_footnotes_is_the_default(ungrounded: Briefing, ungrounded_html: str) -> None:
    assert render.render_html(ungrounded, evidence="footnotes") == ungrounded_html
    for quote in all_quotes(ungrounded):
        assert f'<q class="quote">{quote}</q>' in ungrounded_html
    quote = ungrounded.risks[0].evidence[0]
    assert f'<q class="quote">{quote}</q>' in row(ungrounded_html, "risk-1")
    assert "[E1]" not in ungrounded_html
    assert 'id="evidence"' not in ungrounded_html
    assert "Role, with evidence from the article" in ungrounded_html


def test_evidence_appendix(ungrounded: Briefing) -> None:
    html = render.render_html(ungrounded, evidence="appendix")
    quotes = all_quotes(ungrounded)
    assert '<a class="ref" href="#E1">[E1]</a>' in row(html, "actor-1")
    assert '<a class="ref" href="#E3">[E3]</a> <a class="ref" href="#E4">[E4]</a>' in row(
        html, "actor-3"
    )
    body, _, appendix = html.partition('<section class="section appendix" id="evidence">')
    assert appendix, "no Evidence section"
    items = without_notes(body[body.index('id="actors"') :])
    assert re.search(r'<span class="num">5</span>\s*Evidence</h2>', appendix)
    assert appendix.index("Actor: United Kingdom") < appendix.index("Assessment")
    assert appendix.index("Assessment") < appendix.index("Risk R1: ")
    for number, quote in enumerate(quotes, start=1):
        entry = (
            f'<p class="evidence-entry" id="E{number}"><span class="ref-label">E{number}</span> '
            f'<q class="quote">{quote}</q></p>'
        )
        assert entry in appendix
        assert quote not in items  # quotes appear once, in the appendix only
        assert f'href="#E{number}">[E{number}]</a>' in body
    assert "Actor: Russia" in appendix and 'href="#note-1">†1</a>' in appendix
    assert appendix.index("</section>") < appendix.index("About this briefing")
    assert "Role, with evidence references" in body

    pdf = render.render_pdf(html, ungrounded)
    text = "\n".join(pdf_pages_text(pdf))
    flat = squash(text)
    assert re.search(r"5\s+Evidence", text)
    assert "[E1]" in text and f"[E{len(quotes)}]" in text
    for quote in quotes:
        assert squash(quote) in flat


def test_evidence_none_shows_no_quotes_but_marks_unsupported(ungrounded: Briefing) -> None:
    html = render.render_html(ungrounded, evidence="none")
    assert "<q" not in html and 'class="evidence' not in html and "[E1]" not in html
    items = without_notes(html[html.index('id="actors"') :])
    for quote in all_quotes(ungrounded):
        assert quote not in items, quote
    assert html.count('<span class="unsupported">') == 2
    assert 'id="note-1"' in html and 'id="note-2"' in html
    assert '<th scope="col">Role</th>' in html
    assert "Evidence quotations from the source article are left out" in html


def test_unknown_evidence_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="evidence must be one of footnotes, appendix, none"):
        render.render_html(make_briefing(), evidence="margin")  # type: ignore[arg-type]


def test_split_line_in_about() -> None:
    briefing = make_briefing(provenance=make_openai_provenance(split=make_split()))
    expected = (
        "Long article: summarised in 4 chunks (map-reduce, ≤ 8,000 tokens each; ~31,200 tokens "
        f"in all), merged under merge@v1 (sha256 {MERGE_SHA[:12]}…)"
    )
    assert render.document_info(briefing).split == expected
    html = render.render_html(briefing)
    about = html[html.index('<footer class="provenance">') :]
    assert f'<p class="facts split">{expected}</p>' in about
    text = "\n".join(pdf_pages_text(render.render_pdf(html, briefing)))
    assert squash(expected) in squash(text)
    assert "Long article" not in render.render_html(make_briefing())
    one = make_briefing(provenance=make_openai_provenance(split=make_split(chunks=1)))
    assert "summarised in 1 chunk (" in (render.document_info(one).split or "")


def test_fetcher_is_reexported_by_render() -> None:
    assert render.TemplateFetcher is assets.TemplateFetcher
    assert render.FetchDenied is assets.FetchDenied
    assert render.FetchRecord is assets.FetchRecord


# ------------------------------------------------------------------------------- templates


def test_make_environment_is_strict_and_autoescaping(tmp_path: Path) -> None:
    env = render.make_environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()
    # User folders are searched first.
    (tmp_path / "briefing.html.j2").write_text("custom", encoding="utf-8")
    assert render.make_environment([tmp_path]).get_template("briefing.html.j2").render() == (
        "custom"
    )


def test_custom_template_can_extend_base_and_override_blocks(tmp_path: Path) -> None:
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block footer %}<p>Prepared for the desk. {{ doc.summariser }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    html = render.render_html(make_briefing(), template_dirs=[tmp_path])
    assert "Prepared for the desk. offline v1" in html
    assert "About this briefing" not in html
    assert "</span> Situation</h2>" in html


def test_template_syntax_error_becomes_render_error(tmp_path: Path) -> None:
    (tmp_path / "briefing.html.j2").write_text("line one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(RenderError) as info:
        render.render_html(make_briefing(), template_dirs=[tmp_path])
    message = info.value.message
    assert "briefing.html.j2 line 2" in message
    assert "TemplateSyntaxError" in message
    assert "\n" not in message


def test_undefined_variable_becomes_render_error(tmp_path: Path) -> None:
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block situation %}{{ doc.nope }}{% endblock %}',
        encoding="utf-8",
    )
    with pytest.raises(RenderError) as info:
        render.render_html(make_briefing(), template_dirs=[tmp_path])
    message = info.value.message
    assert "briefing.html.j2" in message
    assert "UndefinedError" in message and "nope" in message
    assert "\n" not in message


def test_missing_template_becomes_render_error() -> None:
    with pytest.raises(RenderError, match=r"no-such\.html\.j2"):
        render.render_html(make_briefing(), template_name="no-such.html.j2")


def test_templates_never_mark_values_safe() -> None:
    for path in templates_dir().iterdir():
        if path.suffix in (".j2", ".css"):
            text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
            assert "|safe" not in text.replace(" ", ""), path
            assert "Markup" not in text, path
            assert "autoescape false" not in text, path


# ------------------------------------------------------------------------------- PDF


def test_pdf_contains_sections_evidence_ratings_and_flags(
    sample: Briefing, sample_pdf: bytes
) -> None:
    assert sample_pdf.startswith(b"%PDF-")
    text = "\n".join(pdf_pages_text(sample_pdf))
    flat = squash(text)
    for number, name in enumerate(SECTIONS, start=1):
        assert re.search(rf"{number}\s+{name}", text), name
    assert "ANALYTICAL BRIEFING" in text
    assert "26 November 2026" in text
    assert "3 min read" in text
    for actor in sample.actors:
        for quote in actor.evidence:
            assert squash(quote) in flat
    for quote in sample.assessment.evidence:
        assert squash(quote) in flat
    for label in ("Low", "Medium", "High", "Moderate confidence"):
        assert label in text
    assert "Check before use" in text
    assert "Unsupported" in text


def test_pdf_metadata(sample: Briefing, sample_pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(sample_pdf)).metadata
    assert meta is not None
    assert meta.title == sample.title
    assert meta.author == "briefing"
    assert meta.subject == f"Briefing: {sample.source.title}"
    assert meta.keywords == "briefing, summariser=offline v1"
    assert meta.creator == "briefing 0.1.0"
    assert meta.creation_date == sample.provenance.generated_at


def test_pdf_metadata_names_model_and_prompt() -> None:
    briefing = make_briefing(provenance=make_openai_provenance())
    pdf = render.render_pdf(render.render_html(briefing), briefing)
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None
    assert meta.keywords == (
        "briefing, summariser=openai v1, model=gpt-4o-mini, "
        f"prompt=briefing@v1 (sha256 {PROMPT_SHA[:12]})"
    )


def test_every_page_has_running_header_page_number_and_provenance(long_pdf: bytes) -> None:
    pages = pdf_pages_text(long_pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "briefing · UK and France strike" in text
        assert "26 November 2026" in text
        assert f"page {number} of {len(pages)}" in text
        assert "Summariser: openai v1 · Model: gpt-4o-mini · Prompt: briefing@v1" in text


def test_pdf_is_a4_and_reproducible(sample: Briefing, sample_html: str, sample_pdf: bytes) -> None:
    page = PdfReader(io.BytesIO(sample_pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert render.render_pdf(sample_html, sample) == sample_pdf


def test_weasyprint_failure_becomes_render_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    def explode(*args: object, **kwargs: object) -> bytes:
        raise ValueError("layout exploded")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", explode)
    briefing = make_briefing()
    with pytest.raises(RenderError, match="layout exploded") as info:
        render.render_pdf("<p>x</p>", briefing)
    assert "\n" not in info.value.message


def test_importing_render_does_not_import_weasyprint() -> None:
    code = (
        "import sys, briefing.render; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------------------- security


def hostile_text(canary_url: str) -> str:
    return (
        '<img src="file:///etc/passwd"> '
        "<script>alert(1)</script> "
        '<link rel="attachment" href="file:///etc/hostname"> '
        f"<style>@import url({canary_url}/x.css)</style> "
        f'<img src="{canary_url}/pixel.png"> '
        '<a href="javascript:alert(1)">click</a> '
        '<link rel="stylesheet" href="https://example.com/evil.css">'
    )


def hostile_briefing(text: str) -> Briefing:
    return make_briefing(
        title=f"Title {text}",
        source=make_source(location=text, title=text, published=text),
        situation=text,
        actors=[
            Actor(
                name=text,
                kind="other",
                role=text,
                evidence=[text],
                aliases=[text],
                supported=False,
                reason=text,
            )
        ],
        assessment=Assessment(text=text, confidence="low", evidence=[text]),
        risks=[Risk(description=text, likelihood="high", impact="low", evidence=[text])],
        flags=[Flag(kind=text, detail=text), Flag(kind="injection_suspected", detail=text)],
        provenance=make_openai_provenance(
            grounding=make_grounding(0, 3, method=text), split=make_split()
        ),
    )


def test_hostile_text_is_rendered_as_text_and_never_fetched(canary: Canary) -> None:
    text = hostile_text(canary.url)
    briefing = hostile_briefing(text)
    html = render.render_html(briefing)

    # HTML: every tag of the untrusted text is escaped, in every evidence mode.
    for page in (html, *(render.render_html(briefing, evidence=m) for m in ("appendix", "none"))):
        assert "&lt;img src=" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;link rel=" in page
        assert "&lt;style&gt;@import" in page
        assert "<img" not in page and "<script" not in page and "<link" not in page
        assert 'href="javascript:' not in page
        assert page.count("<style>") == 1  # only our own stylesheet
    # The untrusted reason (a note), injection detail (the banner) and method are text too.
    note = re.search(r'<p class="note" id="note-1">(.*?)</p>', html, re.S)
    assert note is not None and "Not supported by the article: &lt;img src=" in note.group(1)
    banner = re.search(r'<aside class="injection" role="alert">(.*?)</aside>', html, re.S)
    assert banner is not None and "&lt;script&gt;alert(1)&lt;/script&gt;" in banner.group(1)
    assert '<p class="method">Grounding check: &lt;img src=' in html

    fetcher = render.TemplateFetcher([templates_dir()])
    pdf = render.render_pdf(html, briefing, fetcher=fetcher)

    # PDF: the markup is visible text.
    flat = squash("\n".join(pdf_pages_text(pdf)))
    for fragment in (
        '<imgsrc="file:///etc/passwd">',
        "<script>alert(1)</script>",
        '<linkrel="attachment"href="file:///etc/hostname">',
        f"@importurl({canary.url}/x.css)",
        '<ahref="javascript:alert(1)">',
    ):
        assert fragment in flat, fragment

    # Nothing embedded, nothing linked, nothing fetched.
    assert b"/EmbeddedFile" not in pdf
    assert b"/EmbeddedFiles" not in pdf
    assert b"/JavaScript" not in pdf and b"/URI" not in pdf
    assert fetcher.requests == []
    assert canary.hits == []


def test_canary_server_counts_requests(canary: Canary) -> None:
    # Guard against a vacuous "zero hits": the canary does see a real request.
    import urllib.request

    with urllib.request.urlopen(f"{canary.url}/probe", timeout=5) as response:
        assert response.status == 200
    assert canary.hits == ["/probe"]


def test_fetcher_allows_only_files_inside_template_folders(tmp_path: Path) -> None:
    inside = templates_dir() / "briefing.css"
    fetcher = render.TemplateFetcher([templates_dir()])

    response = fetcher.fetch(inside.as_uri())
    assert response.read() == inside.read_bytes()
    assert response.content_type == "text/css"

    escaping = templates_dir().as_uri() + "/../pyproject.toml"
    denied_urls = [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "data:text/css;base64,Ym9keXt9",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        escaping,
        "file://evil.example/share/x.css",
        templates_dir().as_uri() + "/missing.css",
        templates_dir().as_uri(),  # a folder, not a file
    ]
    for url in denied_urls:
        with pytest.raises(render.FetchDenied):
            fetcher.fetch(url)

    assert [r.url for r in fetcher.requests] == [inside.as_uri(), *denied_urls]
    assert [r.allowed for r in fetcher.requests] == [True] + [False] * len(denied_urls)
    assert len(fetcher.denied) == len(denied_urls)


def test_fetcher_refuses_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (root / "ok.css").write_text("body{}", encoding="utf-8")
    (root / "link.css").symlink_to(secret)
    (root / "inner.css").symlink_to(root / "ok.css")
    fetcher = render.TemplateFetcher([root])

    with pytest.raises(render.FetchDenied, match="outside the template folders"):
        fetcher.fetch((root / "link.css").as_uri())
    assert fetcher.fetch((root / "inner.css").as_uri()).read() == b"body{}"
    assert [r.allowed for r in fetcher.requests] == [False, True]


def test_pdf_fetches_go_through_the_fetcher(tmp_path: Path, canary: Canary) -> None:
    """A custom template may use its own files; anything else is refused and recorded."""
    (tmp_path / "extra.css").write_text("h1 { color: #123456; }", encoding="utf-8")
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block head %}{{ super() }}<link rel="stylesheet" href="extra.css">'
        f'<link rel="stylesheet" href="{canary.url}/remote.css">'
        '<link rel="attachment" href="file:///etc/hostname">{% endblock %}\n',
        encoding="utf-8",
    )
    briefing = make_briefing()
    html = render.render_html(briefing, template_dirs=[tmp_path])
    fetcher = render.TemplateFetcher([tmp_path, templates_dir()])
    pdf = render.render_pdf(html, briefing, template_dirs=[tmp_path], fetcher=fetcher)

    allowed = {r.url for r in fetcher.requests if r.allowed}
    denied = {r.url for r in fetcher.denied}
    assert allowed == {(tmp_path / "extra.css").resolve().as_uri()}
    assert denied == {f"{canary.url}/remote.css", "file:///etc/hostname"}
    assert canary.hits == []
    assert b"/EmbeddedFile" not in pdf


def test_weasyprint_logs_are_routed_not_printed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even with root logging configured, WeasyPrint's complaints are not printed."""
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block head %}{{ super() }}'
        '<link rel="stylesheet" href="https://example.com/x.css">{% endblock %}',
        encoding="utf-8",
    )
    code = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from briefing import render\n"
        "from tests.factories import make_briefing\n"
        f"dirs = [Path({str(tmp_path)!r})]\n"
        "b = make_briefing()\n"
        "html = render.render_html(b, template_dirs=dirs)\n"
        "pdf = render.render_pdf(html, b, template_dirs=dirs)\n"
        "assert pdf.startswith(b'%PDF')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.stdout == ""
    assert result.stderr == ""
    assert logging.getLogger("weasyprint").propagate is False

    # In-process, the records are re-emitted at DEBUG on our own logger.
    briefing = make_briefing()
    html = render.render_html(briefing, template_dirs=[tmp_path])
    with caplog.at_level(logging.DEBUG, logger="briefing.render"):
        render.render_pdf(html, briefing, template_dirs=[tmp_path])
    rerouted = [r for r in caplog.records if r.name == "briefing.render"]
    assert any("Failed to load stylesheet" in r.getMessage() for r in rerouted)
    assert all(r.levelno == logging.DEBUG for r in rerouted)
