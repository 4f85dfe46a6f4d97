"""A digest laid out in parts and joined (briefing.render.parts, .parallel, .join) is the digest
laid out in one run: the same pages with the same text, the contents' page numbers right, the
same outline, links to the same pages, the same metadata, and PDF/A and PDF/UA that still hold.

Small digests are cut into parts of one card each (``max_units=1``) so that every kind of part
(front matter, cards, dropped stories, annex, sources) is laid out apart; most tests lay the
parts out in this process (``workers=1``), one in two worker processes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from briefing import render
from briefing.model import Digest
from briefing.render.parallel import render_in_parts
from briefing.render.parts import PART_LINK, split_parts
from tests.factories import make_digest
from tests.parts_helpers import SEED, day, full_html, in_parts, one_layout, pair  # noqa: F401
from tests.pdftext import pdf_pages_text, squash
from tests.test_pdf_variants import xmp_ids


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


# PDF/UA-1 (tags), PDF/A-2a (tags, XMP and output intent): between them every catalogue
# entry and the structure tree the join rebuilds (PDF/A-3b is PDF/A-2a without the tags).
@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-2a"])
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
