"""Cut a rendered digest into parts that can be laid out apart, and write each part's HTML.

The template says where the cuts may go: the element holding the document's body carries
``data-parts``, and each of its children that begins on a new page carries ``data-part`` (a
child without it stays with the one before). A link that shows a page number carries
``data-pageref``: laid out apart, WeasyPrint cannot count pages in another part, so the number is
written into the link as ``data-page="12"`` and the stylesheet shows ``attr(data-page)`` in place
of ``target-counter()`` (templates/README.md, "Parts").

A link to an anchor in another part points at :data:`PART_LINK` + the anchor: WeasyPrint keeps it
as a link annotation, and :mod:`briefing.render.join` turns it back into a link inside the
document. Everything here works on our own template's output, whose text is escaped: no ``<``
or ``"`` of an article or a model can open a tag or end an attribute.

Pure string work: no WeasyPrint, nothing printed.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from briefing.text.markup import VOID_ELEMENTS

__all__ = [
    "MAX_PART_BYTES",
    "MAX_PART_UNITS",
    "PART_LINK",
    "Part",
    "Parts",
    "content_key",
    "part_html",
    "split_parts",
]

# Not a place anything is fetched from (links are never fetched): the ".invalid" top-level
# domain is reserved, so a leftover link could never reach a real host either.
PART_LINK = "https://part.briefing.invalid/#"
# Units (a card, a section) per part at most: what one worker holds in memory, whatever the
# number of articles. Measured on cards: parts of 12 lay out as fast per page as parts of 48.
MAX_PART_UNITS = 12
# ... and at most this much HTML (twelve cards are about 90 KB), so a part of long-list groups
# (contents, sources: briefing.render.digest.LIST_CHUNKS) stays as small.
MAX_PART_BYTES = 120_000

_CONTAINER = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\sdata-parts\b[^>]*>")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_UNIT_ATTR = re.compile(r"\sdata-part\b(?!s)")
_ID = re.compile(r"\sid=\"([^\"]+)\"")
_HREF = re.compile(r"(\shref=\")#([^\"]+)(\")")
_PAGEREF = re.compile(r"<a\b[^>]*\sdata-pageref\b[^>]*>")


@dataclass(frozen=True)
class Part:
    """Consecutive children of the body container, laid out together."""

    index: int
    text: str  # the children's HTML
    anchors: frozenset[str]  # ids defined here
    pagerefs: frozenset[str]  # anchors whose page number is shown here (data-pageref links)
    units: tuple[frozenset[str], ...] = ()  # the ids of each unit (card, group), in order

    def unit_of(self, anchor: str) -> int:
        """Which of the part's units (0-based) defines ``anchor`` (0 if none does)."""
        return next((i for i, ids in enumerate(self.units) if anchor in ids), 0)

    @property
    def numbered(self) -> bool:
        """Whether the part shows page numbers of anchors, and so depends on the layout."""
        return bool(self.pagerefs)


@dataclass(frozen=True)
class Parts:
    """A document cut into parts: ``prefix + part.text + suffix`` is each part's document."""

    prefix: str
    suffix: str
    parts: tuple[Part, ...]

    def owner(self) -> dict[str, int]:
        """The part that defines each anchor."""
        return {anchor: p.index for p in self.parts for anchor in p.anchors}


def _units(body: str) -> list[str]:
    """The body cut before each child marked ``data-part`` (text before the first stays)."""
    starts = [0]
    depth = 0
    # Only top-level start tags can begin a unit; track depth through the tags themselves.
    for match in re.finditer(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>", body):
        closing, name, self_closing = match.groups()
        if closing:
            depth -= 1
            continue
        # What comes before the first marked child (white space) stays with it.
        leading = len(starts) == 1 and not body[: match.start()].strip()
        if depth == 0 and _UNIT_ATTR.search(match.group(0)) and not leading:
            starts.append(match.start())
        if not self_closing and name.lower() not in VOID_ELEMENTS:
            depth += 1
    bounds = [*starts, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds) if body[a:b]]


def split_parts(html: str, max_units: int = MAX_PART_UNITS) -> Parts | None:
    """Cut ``html`` into parts, or None when the template marks no cut (one document).

    A part holds at most ``max_units`` units and :data:`MAX_PART_BYTES` of HTML (unless one
    unit is larger), and units that show page numbers are kept apart from those that do not:
    only the former are laid out again once the numbers are known.
    """
    container = _CONTAINER.search(html)
    if container is None:
        return None
    close = html.rfind(f"</{container.group(1)}>")
    if close < container.end():
        return None
    body = html[container.end() : close]
    units = _units(body)
    if len(units) < 2:
        return None
    groups: list[list[str]] = []
    previous: bool | None = None
    for unit in units:
        numbered = _PAGEREF.search(unit) is not None
        full = groups and (
            len(groups[-1]) >= max_units or sum(map(len, groups[-1])) + len(unit) > MAX_PART_BYTES
        )
        if not groups or numbered != previous or full:
            groups.append([])
        groups[-1].append(unit)
        previous = numbered
    parts = []
    for index, group in enumerate(groups):
        text = "".join(group)
        refs = {m.group(2) for tag in _PAGEREF.findall(text) for m in _HREF.finditer(tag)}
        ids = tuple(frozenset(_ID.findall(member)) for member in group)
        anchors: frozenset[str] = frozenset().union(*ids)
        parts.append(Part(index, text, anchors, frozenset(refs), ids))
    return Parts(html[: container.end()], html[close:], tuple(parts))


def part_html(parts: Parts, part: Part, pages: Mapping[str, int]) -> str:
    """The document of one part: links to other parts marked, page numbers written in.

    ``pages``: the page number of each anchor this part shows the page of; a missing one is
    written as 0 (only while the layout is not yet known: such a part is laid out again).
    """

    def number(tag: re.Match[str]) -> str:
        text = tag.group(0)
        target = _HREF.search(text)
        if target is None:
            return text
        return f'{text[:-1]} data-page="{pages.get(target.group(2), 0)}">'

    def link(match: re.Match[str]) -> str:
        if match.group(2) in part.anchors:
            return match.group(0)
        return f"{match.group(1)}{PART_LINK}{match.group(2)}{match.group(3)}"

    text = _PAGEREF.sub(number, part.text) if part.pagerefs else part.text
    text = _TAG.sub(lambda tag: _HREF.sub(link, tag.group(0)), text)
    return parts.prefix + text + parts.suffix


def content_key(*pieces: str) -> str:
    """A file name for a laid-out part: the hash of everything its bytes depend on."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()
