"""Tests for briefing.render: HTML template, PDF output, metadata, the deny-all URL fetcher."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import render
from briefing.errors import RenderError
from briefing.model import Actor, Assessment, Briefing, Flag, Risk
from briefing.resources import templates_dir
from tests.factories import (
    PROMPT_SHA,
    SOURCE_SHA,
    make_briefing,
    make_flag,
    make_openai_provenance,
    make_source,
)

SECTIONS = ("Situation", "Actors", "Assessment", "Risks")


# ------------------------------------------------------------------------------- helpers


def pdf_pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Drop all whitespace: PDF text extraction breaks lines inside long tokens."""
    return re.sub(r"\s+", "", text)


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
    assert "examples/syria-strike.txt" in sample_html
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
    flagged = render.render_html(make_briefing(flags=[make_flag("injection_suspected", "x y")]))
    assert 'class="flags"' in flagged
    assert "Injection suspected" in flagged
    assert "1 issue" in flagged
    unflagged = render.render_html(make_briefing(flags=[]))
    assert 'class="flags"' not in unflagged


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


class Canary:
    """A local HTTP server that counts every request it receives."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body{}")

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


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
        actors=[Actor(name=text, kind="other", role=text, evidence=[text], aliases=[text])],
        assessment=Assessment(text=text, confidence="low", evidence=[text]),
        risks=[Risk(description=text, likelihood="high", impact="low", evidence=[text])],
        flags=[Flag(kind=text, detail=text)],
    )


def test_hostile_text_is_rendered_as_text_and_never_fetched(canary: Canary) -> None:
    text = hostile_text(canary.url)
    briefing = hostile_briefing(text)
    html = render.render_html(briefing)

    # HTML: every tag of the untrusted text is escaped.
    assert "&lt;img src=" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;link rel=" in html
    assert "&lt;style&gt;@import" in html
    assert "<img" not in html and "<script" not in html and "<link" not in html
    assert 'href="javascript:' not in html
    assert html.count("<style>") == 1  # only our own stylesheet

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
