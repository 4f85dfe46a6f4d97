"""Custom templates, the compact style and handling markings (briefing.render, render.digest)."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from markupsafe import escape
from pypdf import PdfReader

from briefing import render
from briefing.checks.apply import check
from briefing.errors import RenderError
from briefing.model import Briefing
from briefing.render import render_digest_html, render_digest_pdf
from briefing.resources import templates_dir
from briefing.sources.files import read_source
from briefing.summarisers.offline.summariser import OfflineSummariser
from tests.factories import (
    make_briefing,
    make_digest,
    make_oversized_briefing,
    make_ungrounded_briefing,
)
from tests.pdftext import pdf_pages_text as pages_text
from tests.pdftext import squash

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("syria-strike.txt", "baltic-cable.md", "sahel-aid.html")
SECTIONS = ("Situation", "Actors", "Assessment", "Risks")


def pdf_of(briefing: Briefing, **options: object) -> bytes:
    dirs = options.pop("template_dirs", ())
    html = render.render_html(briefing, template_dirs=dirs, **options)  # type: ignore[arg-type]
    return render.render_pdf(html, briefing, template_dirs=dirs)  # type: ignore[arg-type]


def tiny_png() -> bytes:
    """A valid 1×1 PNG, without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def examples() -> dict[str, Briefing]:
    """The example articles briefed by the offline summariser and checked, as `briefing build`."""
    briefed = {}
    for name in EXAMPLES:
        article = read_source(str(ROOT / "examples" / name))
        briefed[name] = check(article, OfflineSummariser().summarise(article))
    return briefed


# ------------------------------------------------------------------------------- custom templates


def test_one_overridden_block_changes_the_pdf_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block situation %}<section class="section" id="situation"><h2>Desk summary</h2>'
        "<p>Prepared for the Monday desk: {{ doc.reading }}.</p></section>{% endblock %}\n",
        encoding="utf-8",
    )
    briefing = make_briefing()
    text = "\n".join(pages_text(pdf_of(briefing, template_dirs=[tmp_path])))
    assert "Desk summary" in text
    assert "Prepared for the Monday desk: 3 min read." in text
    assert "British and French forces" not in text  # the situation block is replaced
    for name in ("Actors", "Assessment", "Risks", "ANALYTICAL BRIEFING", "ABOUT THIS BRIEFING"):
        assert name in text
    assert "Islamic State" in text and "Moderate confidence" in text


def test_custom_css_is_appended_after_ours(tmp_path: Path) -> None:
    (tmp_path / "custom.css").write_text(
        '.kicker::after { content: " · DESK COPY"; }\n', encoding="utf-8"
    )
    briefing = make_briefing()
    html = render.render_html(briefing, template_dirs=[tmp_path])
    assert html.index("--navy:") < html.index("DESK COPY") < html.index("</style>")
    assert "DESK COPY" in pages_text(pdf_of(briefing, template_dirs=[tmp_path]))[0]
    assert "DESK COPY" not in render.render_html(briefing)  # nothing without the user's file
    # The compact brief and the digest take it too.
    assert "DESK COPY" in render.render_html(briefing, template_dirs=[tmp_path], style="compact")
    assert "DESK COPY" in render_digest_html(make_digest(), template_dirs=[tmp_path])


def test_user_briefing_css_replaces_ours(tmp_path: Path) -> None:
    (tmp_path / "briefing.css").write_text("body { color: #102030; }\n", encoding="utf-8")
    html = render.render_html(make_briefing(), template_dirs=[tmp_path])
    assert "color: #102030" in html
    assert "--navy:" not in html  # ours is not included at all


def test_user_assets_are_served_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "mytemplates"
    folder.mkdir()
    (folder / "logo.png").write_bytes(tiny_png())
    (tmp_path / "secret.png").write_bytes(tiny_png())  # beside the folder, not in it
    (folder / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block title_block %}<img class="logo" src="logo.png" alt="Logo">'
        '<img src="../secret.png" alt=""><img src="file:///etc/hostname" alt="">'
        "{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    briefing = make_briefing()
    html = render.render_html(briefing, template_dirs=[folder])
    fetcher = render.TemplateFetcher([folder, templates_dir()])
    pdf = render.render_pdf(html, briefing, template_dirs=[folder], fetcher=fetcher)
    allowed = {r.url for r in fetcher.requests if r.allowed}
    denied = {r.url for r in fetcher.denied}
    assert allowed == {(folder / "logo.png").resolve().as_uri()}
    assert (tmp_path / "secret.png").resolve().as_uri() in denied
    assert "file:///etc/hostname" in denied
    images = {
        name
        for page in PdfReader(io.BytesIO(pdf)).pages
        for name in [image.name for image in page.images]
    }
    assert len(images) == 1  # the logo, and only the logo


def test_list_templates_shows_origin_overrides_and_descriptions(tmp_path: Path) -> None:
    (tmp_path / "briefing.html.j2").write_text(
        '{# description: Our desk layout. #}{% extends "base.html.j2" %}', encoding="utf-8"
    )
    (tmp_path / "custom.css").write_text("/* description: Desk colours. */\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(tiny_png())  # an asset, not a template
    rows = render.list_templates([tmp_path])
    names = [row.name for row in rows]
    assert names == sorted(names)
    assert "logo.png" not in names and "README.md" not in names

    def row(name: str, origin: str) -> render.TemplateInfo:
        return next(r for r in rows if r.name == name and r.origin == origin)

    assert row("briefing.html.j2", str(tmp_path)).overridden is False
    assert row("briefing.html.j2", str(tmp_path)).description == "Our desk layout."
    assert row("briefing.html.j2", "built-in").overridden is True
    assert row("custom.css", str(tmp_path)).description == "Desk colours."
    assert rows[names.index("briefing.html.j2")].origin == str(tmp_path)
    built_in = {r.name: r for r in render.list_templates() if r.origin == "built-in"}
    ours = {
        "_briefing.html.j2", "_compact.html.j2", "_document.html.j2", "_macros.html.j2",
        "base.html.j2", "briefing.html.j2", "compact.html.j2", "digest.html.j2",
        "briefing.css", "compact.css", "marking.css",
    }  # fmt: skip
    assert ours <= set(built_in)
    for name in ours:
        assert built_in[name].description, name
        assert not built_in[name].overridden
        assert "description:" not in built_in[name].description


def test_template_source(tmp_path: Path) -> None:
    path, text = render.template_source("base.html.j2")
    assert path == templates_dir() / "base.html.j2"
    assert "{% block situation %}" in text
    (tmp_path / "base.html.j2").write_text("mine", encoding="utf-8")
    assert render.template_source("base.html.j2", [tmp_path]) == (tmp_path / "base.html.j2", "mine")
    for bad in ("nope.html.j2", "../pyproject.toml", "/etc/passwd", "README.md", ""):
        with pytest.raises(render.TemplateNotFound, match=r"there are: .*base\.html\.j2"):
            render.template_source(bad, [tmp_path])


def test_rendering_without_the_marking_attribute_is_refused(tmp_path: Path) -> None:
    """A custom skeleton that drops the marking must not silently make unmarked output."""
    (tmp_path / "_document.html.j2").write_text(
        "<html><body>{% block body %}{% endblock %}</body></html>", encoding="utf-8"
    )
    briefing = make_briefing()
    assert "Actors" in render.render_html(briefing, template_dirs=[tmp_path])
    with pytest.raises(RenderError, match="does not show the marking"):
        render.render_html(briefing, template_dirs=[tmp_path], marking="TLP:RED")


# ------------------------------------------------------------------------------- compact style


@pytest.mark.parametrize("name", EXAMPLES)
def test_compact_brief_of_each_example_is_one_page(
    examples: dict[str, Briefing], name: str
) -> None:
    briefing = examples[name]
    html = render.render_html(briefing, style="compact")
    assert '<body class="compact"' in html
    assert "Compact brief" in html and "About this briefing" not in html
    pages = pages_text(render.render_pdf(html, briefing))
    assert len(pages) == 1
    for number, section in enumerate(SECTIONS, start=1):
        assert re.search(rf"{number}\s+{section}", pages[0]), section
    assert squash(briefing.title[:40]) in squash(pages[0])
    assert "page 1 of 1" in pages[0]
    # Evidence "none" by default: no quotations (the offline summary quotes itself, so look
    # for the markup of quotes, not their text).
    assert '<q class="quote">' not in html and 'class="ref"' not in html
    assert "Evidence quotations, every item and how it was made are in the full brief." in html


def test_compact_brief_says_what_it_left_out(examples: dict[str, Briefing]) -> None:
    sahel = examples["sahel-aid.html"]
    html = render.render_html(sahel, style="compact")
    shown = len(re.findall(r'<tr id="actor-\d+"', html))
    hidden = len(sahel.actors) - shown
    assert shown > 0 and hidden > 0  # the page fits some actors and says so for the rest
    body = html[html.index("<body") :]  # not the stylesheet's comments
    assert f"+{hidden} more actors in the full brief" in body
    standard = render.render_html(sahel)
    assert "more actors in the full brief" not in standard
    assert len(re.findall(r'<tr id="actor-\d+"', standard)) == len(sahel.actors)


def test_compact_brief_is_the_base_template_not_a_copy() -> None:
    source = (templates_dir() / "compact.html.j2").read_text(encoding="utf-8")
    assert '{% extends "base.html.j2" %}' in source
    assert "<table" not in source and "<h2" not in source  # sections come from the macros
    for part in ("situation", "actors", "assessment", "risks"):
        assert f"parts.{part}(view)" in source


def test_compact_keeps_unsupported_markers_and_most_severe_risks() -> None:
    briefing = make_ungrounded_briefing()
    html = render.render_html(briefing, style="compact")
    assert "Unsupported" in html
    assert 'class="note" id="note-1"' in html
    view, info = render.compact_view(briefing)
    shown = [r.description for r in view["briefing"].risks]
    assert len(shown) == info.risks_shown <= 4
    assert any("chemical weapons" in d for d in shown)  # low likelihood but high impact
    names = [item.name for item in view["trace"].risks]
    assert names == sorted(names)  # numbered as in the full brief, in its order
    text = "\n".join(pages_text(render.render_pdf(html, briefing)))
    assert "Possible prompt injection" in text
    assert "Check before use" in text


@pytest.mark.parametrize("evidence", ["none", "appendix"])
def test_compact_brief_of_an_oversized_briefing_still_fits_one_page(
    evidence: render.EvidenceMode,
) -> None:
    briefing = make_oversized_briefing()
    html = render.render_html(
        briefing, style="compact", evidence=evidence, marking="OFFICIAL-SENSITIVE"
    )
    pages = pages_text(render.render_pdf(html, briefing))
    assert len(pages) == 1
    assert "more actors in the full brief (10 marked unsupported)" in pages[0]
    assert pages[0].count("OFFICIAL-SENSITIVE") >= 2


def test_compact_short_references_resolve(examples: dict[str, Briefing]) -> None:
    briefing = examples["syria-strike.txt"]
    html = render.render_html(briefing, style="compact", evidence="appendix")
    targets = set(re.findall(r'href="#(E\d+)"', html))
    assert targets
    for target in targets:
        assert f'id="{target}"' in html
    assert len(pages_text(render.render_pdf(html, briefing))) == 1


def test_compact_digest_sections() -> None:
    digest = make_digest()
    html = render_digest_html(digest, style="compact")
    assert html.count('class="digest-section compact"') == len(digest.briefings)
    assert "About this briefing" not in html
    pages = pages_text(render_digest_pdf(html, digest))
    first = next(n for n, text in enumerate(pages) if "COMPACT BRIEF" in text)
    appendix = next(n for n, text in enumerate(pages) if "Appendix · Sources" in text[:40])
    assert appendix - first == len(digest.briefings)  # one page each
    assert all("COMPACT BRIEF" in text for text in pages[first:appendix])


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="style must be one of standard, compact"):
        render.render_html(make_briefing(), style="fancy")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- markings


@pytest.fixture(scope="module")
def amber_pdf() -> bytes:
    paragraph = "Coordination between London and Paris appears robust. " * 30
    briefing = make_ungrounded_briefing(situation="\n\n".join([paragraph] * 4))
    return pdf_of(briefing, marking="TLP:AMBER")


def test_marking_on_every_page_top_and_bottom(amber_pdf: bytes) -> None:
    pages = pages_text(amber_pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("TLP:AMBER") >= 2, number
        assert f"page {number} of {len(pages)}" in text  # the running footer is kept
        assert "briefing · UK and France strike" in text  # and the running header


def test_marking_in_pdf_metadata(amber_pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(amber_pdf)).metadata
    assert meta is not None
    assert meta.subject is not None and meta.subject.startswith("[TLP:AMBER] Briefing: ")
    assert meta.keywords is not None and meta.keywords.endswith(", marking=TLP:AMBER")


def test_marking_in_the_html_draft() -> None:
    html = render.render_html(make_briefing(), marking="TLP:AMBER")
    opening = (
        '<html lang="en" dir="ltr" data-text-dir="ltr" class="marked marking-tlp-amber" '
        'data-marking="TLP:AMBER">'
    )
    assert opening in html
    assert html.count('class="marking-banner marking-') == 2
    assert html.index('marking-banner marking-top"') < html.index('<main class="page">')
    assert html.index('marking-banner marking-bottom"') > html.index("</main>")
    assert "position: sticky" in html and "#ffc000" in html
    assert "marking-banner" not in render.render_html(make_briefing())


@pytest.mark.parametrize(
    ("marking", "css_class"),
    [
        ("TLP:RED", "marking-tlp-red"),
        ("TLP:AMBER", "marking-tlp-amber"),
        ("TLP:AMBER+STRICT", "marking-tlp-amber"),
        ("TLP:GREEN", "marking-tlp-green"),
        ("TLP:CLEAR", "marking-tlp-clear"),
        ("TLP:WHITE", "marking-tlp-clear"),
        ("tlp:red – project Kite", "marking-tlp-red"),
        ("OFFICIAL-SENSITIVE", "marking-neutral"),
        ("TLP:AMBERISH", "marking-neutral"),
        ("SECRET TLP:RED", "marking-neutral"),
    ],
)
def test_marking_colour_classes(marking: str, css_class: str) -> None:
    checked = render.check_marking(marking)
    assert checked is not None and checked.css_class == css_class
    html = render.render_html(make_briefing(), marking=marking)
    assert f'class="marked {css_class}"' in html
    assert f"html.{css_class}" in html or css_class == "marking-neutral"


def test_hostile_marking_is_escaped() -> None:
    marking = '"><script>alert(1)</script><img src=x>&amp;'
    briefing = make_briefing()
    html = render.render_html(briefing, marking=marking)
    assert "<script>" not in html and "<img src=x>" not in html
    escaped = str(escape(marking))
    assert f'data-marking="{escaped}"' in html
    assert html.count(escaped) >= 4  # attribute, two banners, <meta name="description">
    pdf = render.render_pdf(html, briefing)
    for text in pages_text(pdf):
        assert text.count("<script>alert(1)</script>") >= 2
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.subject is not None
    assert meta.subject.startswith(f"[{marking}] ")


@pytest.mark.parametrize(
    ("marking", "message"),
    [
        ("X" * 61, "61 characters long; at most 60"),
        ("   ", "the marking is empty"),
        ("TLP:RED\x07", "control character"),
        ("TLP:\u202eDER", "invisible or control character"),
    ],
)
def test_unusable_markings_are_refused(marking: str, message: str) -> None:
    with pytest.raises(render.MarkingError, match=message):
        render.render_html(make_briefing(), marking=marking)
    with pytest.raises(ValueError, match=message):
        render_digest_html(make_digest(), marking=marking)


def test_marking_is_normalised_and_sixty_characters_fit() -> None:
    assert render.check_marking("  OFFICIAL \n SENSITIVE ") == render.Marking("OFFICIAL SENSITIVE")
    assert render.check_marking(None) is None
    sixty = "OFFICIAL-SENSITIVE " + "W" * 41
    briefing = make_briefing()
    pages = pages_text(pdf_of(briefing, marking=sixty))
    for text in pages:
        assert squash(text).count(squash(sixty)) >= 2


def test_digest_marking_on_every_page_and_in_metadata() -> None:
    digest = make_digest()
    html = render_digest_html(digest, marking="OFFICIAL-SENSITIVE")
    assert html.count('class="marking-banner marking-') == 2
    pdf = render_digest_pdf(html, digest)
    pages = pages_text(pdf)
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # the cover too
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.subject is not None and meta.keywords is not None
    assert meta.subject.startswith("[OFFICIAL-SENSITIVE] Daily briefing for")
    assert "marking=OFFICIAL-SENSITIVE" in meta.keywords
