"""Archival (PDF/A) and accessible (PDF/UA) PDFs: ``render_pdf(..., pdf_variant=...)``.

Every PDF is read back with pypdf: the XMP metadata declares the part and conformance, a tagged
PDF has a structure tree whose headings follow the document, the catalog names the language,
every font is embedded, and nothing is attached.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject

from briefing import render
from briefing.model import Briefing
from briefing.resources import templates_dir
from tests.factories import make_briefing, make_digest, make_flag

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
TRUE = BooleanObject(True)
SECTIONS = ["Situation", "Actors", "Assessment", "Risks", "About this briefing"]


# ------------------------------------------------------------------------------- helpers


def resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def catalog(pdf: bytes) -> DictionaryObject:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert isinstance(root, DictionaryObject)
    return root


def xmp_ids(pdf: bytes) -> dict[str, str]:
    """``pdfaid:part``, ``pdfuaid:conformance``… declared in the XMP metadata stream."""
    stream = resolve(catalog(pdf)["/Metadata"])
    tree = ElementTree.fromstring(stream.get_data())
    found: dict[str, str] = {}
    for description in tree.iter(f"{{{NS['rdf']}}}Description"):
        for prefix in ("pdfaid", "pdfuaid"):
            for key in ("part", "conformance", "rev"):
                value = description.get(f"{{{NS[prefix]}}}{key}")
                if value is None:
                    element = description.find(f"{prefix}:{key}", NS)
                    value = element.text if element is not None else None
                if value is not None:
                    found[f"{prefix}:{key}"] = value
    return found


def xmp_title(pdf: bytes) -> str | None:
    stream = resolve(catalog(pdf)["/Metadata"])
    tree = ElementTree.fromstring(stream.get_data())
    item = tree.find(".//dc:title/rdf:Alt/rdf:li", NS)
    return item.text if item is not None else None


def structure(pdf: bytes) -> list[tuple[str, str]]:
    """(structure type, text) of every element of the structure tree, in document order.

    The text is that of the element's marked content (looked up through the page content with
    pypdf's text extraction would be slow): here only the types matter, plus the text of the
    headings, which :func:`heading_texts` finds by order in the extracted page text.
    """
    root = resolve(catalog(pdf)["/StructTreeRoot"])
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        node = resolve(node)
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            found.append((str(node["/S"]), str(node.get("/T", ""))))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/K"])
    return found


def font_dicts(pdf: bytes) -> list[DictionaryObject]:
    """Every font dictionary the pages use (a Type0 font's descendant CIDFont included)."""
    fonts: dict[int, DictionaryObject] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = resolve(page.get("/Resources")) or {}
        for ref in (resolve(resources.get("/Font")) or {}).values():
            font = resolve(ref)
            fonts[id(font)] = font
            for descendant in resolve(font.get("/DescendantFonts", ArrayObject())):
                child = resolve(descendant)
                fonts[id(child)] = child
    return list(fonts.values())


def assert_fonts_embedded(pdf: bytes) -> None:
    fonts = font_dicts(pdf)
    assert fonts
    for font in fonts:
        if font.get("/Subtype") == "/Type0":  # composite: the program is in its CIDFont
            continue
        descriptor = resolve(font["/FontDescriptor"])
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font.get("/BaseFont")


def assert_nothing_attached(pdf: bytes) -> None:
    root = catalog(pdf)
    names = resolve(root.get("/Names")) or {}
    assert "/EmbeddedFiles" not in names
    assert "/AF" not in root
    assert b"/EmbeddedFile" not in pdf and b"/Filespec" not in pdf


def html_lang(html: str) -> str:
    match = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", html)
    assert match is not None
    return match.group(1)


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sample() -> Briefing:
    return make_briefing(flags=[make_flag()])


@pytest.fixture(scope="module")
def sample_html(sample: Briefing) -> str:
    return render.render_html(sample)


@pytest.fixture(scope="module")
def pdfs(sample: Briefing, sample_html: str) -> dict[str | None, bytes]:
    """The sample as a plain PDF and in every variant (about 0.7 s each)."""
    return {
        variant: render.render_pdf(sample_html, sample, pdf_variant=variant)
        for variant in (None, *render.PDF_VARIANTS)
    }


# ------------------------------------------------------------------------------- the list


def test_variants_are_weasyprints_pdf_a_and_ua() -> None:
    from weasyprint.pdf import VARIANTS

    assert set(render.PDF_VARIANTS) <= set(VARIANTS)
    assert {"pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/ua-1"} <= set(render.PDF_VARIANTS)
    # Every PDF/A-1 to -3 and PDF/UA variant WeasyPrint has (a new one would show up here).
    offered = {v for v in VARIANTS if re.fullmatch(r"pdf/(a-[123][abu]|ua-\d)", v)}
    assert offered == set(render.PDF_VARIANTS)
    assert len(set(render.PDF_VARIANTS)) == len(render.PDF_VARIANTS)


@pytest.mark.parametrize("variant", ["pdf/a-9z", "PDF/A-3B", "pdf/x-4", "debug", ""])
def test_unknown_variant_is_a_value_error_listing_the_accepted_ones(
    variant: str, sample: Briefing, sample_html: str
) -> None:
    with pytest.raises(ValueError, match="pdf_variant must be one of") as info:
        render.render_pdf(sample_html, sample, pdf_variant=variant)
    for accepted in render.PDF_VARIANTS:
        assert accepted in str(info.value)
    digest = make_digest()
    with pytest.raises(ValueError, match=re.escape(", ".join(render.PDF_VARIANTS))):
        render.render_digest_pdf("<html></html>", digest, pdf_variant=variant)


# ------------------------------------------------------------------------------- every variant


@pytest.mark.parametrize("variant", render.PDF_VARIANTS)
def test_every_variant_declares_itself(
    variant: str, sample_html: str, pdfs: dict[str | None, bytes]
) -> None:
    pdf = pdfs[variant]
    family, part, level = re.fullmatch(r"pdf/(a|ua)-(\d)([abu]?)", variant).groups()  # type: ignore[union-attr]
    ids = xmp_ids(pdf)
    if family == "a":
        assert ids["pdfaid:part"] == part
        assert ids["pdfaid:conformance"] == level.upper()
        intents = resolve(catalog(pdf)["/OutputIntents"])
        assert resolve(intents[0])["/S"] == "/GTS_PDFA1"  # sRGB output intent
        assert PdfReader(io.BytesIO(pdf)).pdf_header == ("%PDF-1.4" if part == "1" else "%PDF-1.7")
    else:
        assert ids["pdfuaid:part"] == part
        assert "pdfaid:part" not in ids
    root = catalog(pdf)
    tagged = family == "ua" or level == "a"
    assert ("/StructTreeRoot" in root) is tagged
    if tagged:
        assert resolve(root["/MarkInfo"])["/Marked"] == TRUE
        assert resolve(root["/ViewerPreferences"])["/DisplayDocTitle"] == TRUE
    assert str(root["/Lang"]) == html_lang(sample_html)  # <html lang> of _document.html.j2
    assert PdfReader(io.BytesIO(pdf)).trailer["/ID"]  # PDF/A requires a file identifier
    assert_fonts_embedded(pdf)
    assert_nothing_attached(pdf)


def test_plain_pdf_declares_no_variant(pdfs: dict[str | None, bytes]) -> None:
    root = catalog(pdfs[None])
    assert "/Metadata" not in root and "/StructTreeRoot" not in root
    assert "/OutputIntents" not in root
    assert_fonts_embedded(pdfs[None])


def test_variants_are_reproducible(
    sample: Briefing, sample_html: str, pdfs: dict[str | None, bytes]
) -> None:
    again = render.render_pdf(sample_html, sample, pdf_variant="pdf/a-3b")
    assert (
        PdfReader(io.BytesIO(again)).trailer["/ID"]
        == PdfReader(io.BytesIO(pdfs["pdf/a-3b"])).trailer["/ID"]
    )


# ------------------------------------------------------------------------------- the two of issue 6


def test_pdf_a_3b(sample: Briefing, sample_html: str, pdfs: dict[str | None, bytes]) -> None:
    pdf = pdfs["pdf/a-3b"]
    assert xmp_ids(pdf) == {"pdfaid:part": "3", "pdfaid:conformance": "B"}
    assert xmp_title(pdf) == sample.title
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None and info.title == sample.title
    assert str(catalog(pdf)["/Lang"]) == html_lang(sample_html)
    assert_fonts_embedded(pdf)
    assert_nothing_attached(pdf)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    for heading in SECTIONS:
        assert heading.upper() in text.upper()


def test_pdf_ua_1(sample: Briefing, sample_html: str, pdfs: dict[str | None, bytes]) -> None:
    pdf = pdfs["pdf/ua-1"]
    assert xmp_ids(pdf) == {"pdfuaid:part": "1"}
    assert xmp_title(pdf) == sample.title  # shown as the window title (DisplayDocTitle)
    root = catalog(pdf)
    assert resolve(root["/MarkInfo"])["/Marked"] == TRUE
    assert resolve(root["/ViewerPreferences"])["/DisplayDocTitle"] == TRUE
    assert str(root["/Lang"]) == html_lang(sample_html)
    types = [kind for kind, _ in structure(pdf)]
    assert types[0] == "/Document"
    # Headings: the title (H1), then one H2 per section, in order, no level skipped.
    assert [t for t in types if re.fullmatch(r"/H\d", t)] == ["/H1"] + ["/H2"] * len(SECTIONS)
    assert {"/P", "/Table", "/TR", "/TH", "/TD", "/Sect", "/L", "/LI"} <= set(types)
    # Every page's content is tied to the structure tree.
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert "/StructParents" in page
    assert_fonts_embedded(pdf)
    assert_nothing_attached(pdf)


def test_heading_levels_of_the_templates_are_logical(sample_html: str) -> None:
    """h1 (the title) before any h2; no h3+ (the PDF/UA structure mirrors these)."""
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", sample_html)]
    assert levels[0] == 1 and set(levels) == {1, 2}
    digest_html = render.render_digest_html(make_digest())
    digest_levels = [int(n) for n in re.findall(r"<h([1-6])\b", digest_html)]
    assert digest_levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(digest_levels))


def test_digest_as_pdf_ua_1(sample: Briefing) -> None:
    digest = make_digest(briefings=[sample])  # one briefing: the parts of a digest, not its size
    html = render.render_digest_html(digest)
    pdf = render.render_digest_pdf(html, digest, pdf_variant="pdf/ua-1")
    assert xmp_ids(pdf) == {"pdfuaid:part": "1"}
    root = catalog(pdf)
    assert resolve(root["/MarkInfo"])["/Marked"] == TRUE
    assert str(root["/Lang"]) == html_lang(html)
    headings = [t for t, _ in structure(pdf) if re.fullmatch(r"/H\d", t)]
    assert headings[0] == "/H1" and "/H2" in headings
    assert_fonts_embedded(pdf)


# ------------------------------------------------------------------------------- language, files


def test_document_without_lang_gets_the_default_language(
    sample: Briefing, sample_html: str
) -> None:
    html = re.sub(r"(<html\b[^>]*?)\s+lang=\"[^\"]*\"", r"\1", sample_html, count=1)
    assert 'lang="' not in html.split("<head>")[0]
    pdf = render.render_pdf(html, sample, pdf_variant="pdf/ua-1")
    assert str(catalog(pdf)["/Lang"]) == render.DEFAULT_LANG == "en"
    plain = render.render_pdf(html, sample)
    assert str(catalog(plain)["/Lang"]) == "en"


def test_pdf_a_3_embeds_no_attachment_even_when_the_template_asks(tmp_path: Path) -> None:
    """PDF/A-3 allows attachments; the fetcher still refuses anything outside the templates."""
    (tmp_path / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        '{% block head %}{{ super() }}<link rel="attachment" href="file:///etc/hostname">'
        '<link rel="attachment" href="http://127.0.0.1:9/report.xml">'
        '<link rel="attachment" href="data:text/plain;base64,c2VjcmV0">{% endblock %}\n',
        encoding="utf-8",
    )
    briefing = make_briefing()
    html = render.render_html(briefing, template_dirs=[tmp_path])
    fetcher = render.TemplateFetcher([tmp_path, templates_dir()])
    pdf = render.render_pdf(
        html, briefing, template_dirs=[tmp_path], fetcher=fetcher, pdf_variant="pdf/a-3b"
    )
    assert {r.url for r in fetcher.denied} == {
        "file:///etc/hostname",
        "http://127.0.0.1:9/report.xml",
        "data:text/plain;base64,c2VjcmV0",
    }
    assert not any(r.allowed for r in fetcher.requests)
    assert_nothing_attached(pdf)


def test_font_requests_are_logged_apart_from_the_documents(
    sample: Briefing, sample_html: str
) -> None:
    fetcher = render.TemplateFetcher([templates_dir()])
    fonts = render.TemplateFetcher([templates_dir()])
    render.render_pdf(
        sample_html, sample, fetcher=fetcher, font_fetcher=fonts, pdf_variant="pdf/ua-1"
    )
    assert fetcher.requests == []  # the document itself asked for nothing
    assert fonts.requests and all(r.allowed for r in fonts.requests)
    names = [r.url.removeprefix(templates_dir().resolve().as_uri() + "/") for r in fonts.requests]
    assert names[0] == "fonts.css"
    assert all(re.fullmatch(r"fonts/[A-Za-z-]+\.ttf", name) for name in names[1:])
