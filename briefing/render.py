"""Render a Briefing: Jinja2 -> self-contained HTML; WeasyPrint -> PDF.

Article and model text are untrusted. They reach the HTML only through autoescaped Jinja
expressions (never ``|safe`` or ``Markup``), so markup in them is shown as text. The PDF renderer
gets a URL fetcher (:mod:`briefing.assets`) that serves files from the template folders only and
refuses everything else (other files, http(s), ftp, data:), recording each request so tests can
prove nothing was fetched.

Every item stays traceable: its evidence quotes are shown under it (``evidence="footnotes"``),
numbered in an appendix (``"appendix"``) or left out (``"none"``); an item the grounding check
did not find in the article carries a visible "Unsupported" marker and a numbered note with the
reason, whatever the mode. A suspected prompt injection gets a banner above the briefing.

WeasyPrint is imported lazily, inside :func:`render_pdf`: importing this module (or running
``briefing --help``) must not pay for it. Nothing here prints; WeasyPrint's log records are
re-emitted at DEBUG level on the ``briefing.render`` logger.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import traceback
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import escape

from briefing.assets import MAX_RESOURCE_BYTES, FetchDenied, FetchRecord, TemplateFetcher
from briefing.errors import RenderError
from briefing.model import Briefing, Grounded, Provenance, Source
from briefing.render_pdf import (
    DEFAULT_LANG,
    FONTS_STYLESHEET,
    PDF_VARIANTS,
    TAGGED_VARIANTS,
    PdfVariant,
    check_pdf_variant,
    fonts_stylesheet,
    render_pdf,
    write_pdf,
)
from briefing.resources import template_search_path as _search_path
from briefing.sentences import split_sentences
from briefing.template_files import (
    TemplateInfo,
    TemplateNotFound,
    list_templates,
    template_source,
)

if TYPE_CHECKING:  # re-exported lazily (see __getattr__): render_digest imports this module
    from briefing.render_digest import render_digest_html, render_digest_pdf

__all__ = [
    "DEFAULT_LANG",
    "DEFAULT_TEMPLATE",
    "EVIDENCE_MODES",
    "FONTS_STYLESHEET",
    "MAX_RESOURCE_BYTES",
    "PDF_VARIANTS",
    "TAGGED_VARIANTS",
    "DocumentInfo",
    "EvidenceMode",
    "EvidenceRef",
    "FetchDenied",
    "FetchRecord",
    "ItemTrace",
    "PdfVariant",
    "TemplateFetcher",
    "Trace",
    "build_context",
    "build_trace",
    "check_pdf_variant",
    "document_info",
    "fonts_stylesheet",
    "make_environment",
    "render_digest_html",
    "render_digest_pdf",
    "render_html",
    "render_pdf",
    "write_pdf",
]

LOG = logging.getLogger("briefing.render")

EvidenceMode = Literal["footnotes", "appendix", "none"]
EVIDENCE_MODES: tuple[EvidenceMode, ...] = get_args(EvidenceMode)


DEFAULT_TEMPLATE = "briefing.html.j2"
AUTHOR = "briefing"
RUNNING_TITLE_MAX = 70  # characters of the title shown in the running header
HEADING_MAX = 90  # characters of a risk description in an evidence-appendix heading
INJECTION_KIND = "injection_suspected"  # Flag.kind that raises the banner
NOT_SUPPORTED = "Not supported by the article"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_SOURCE_KINDS = {"file": "File", "stdin": "Standard input", "url": "Web page", "feed": "Feed"}


# --------------------------------------------------------------------------------------------
# Template context


@dataclass(frozen=True)
class DocumentInfo:
    """Display strings derived from a Briefing, computed once in Python (templates stay simple).

    Every field is plain text; the template autoescapes it like any other value.
    """

    title: str  # <title> and PDF /Title
    author: str  # PDF /Author
    subject: str  # PDF /Subject ("Briefing: <source title>")
    keywords: list[str]  # PDF /Keywords (summariser=…, model=…, prompt=name@vN (sha256 …))
    generator: str  # PDF /Creator ("briefing 0.1.0")
    created: str  # W3C datetime for <meta name="dcterms.created"> -> PDF /CreationDate
    date: str  # generation date for people: "26 November 2026"
    generated: str  # "26 November 2026, 09:30 UTC"
    running_title: str  # running header, left: "briefing · <title, truncated>"
    source_kind: str  # "File", "Standard input", "Web page", "Feed"
    source_location: str
    source_title: str | None
    published: str | None  # "3 March 2026" when parseable, else the string as given
    reference: str  # first 12 hex digits of the source sha256
    reading: str  # "3 min read"
    words: str  # "642 words"
    summariser: str  # "offline v1"
    model: str  # "gpt-4o-mini" or "none"
    prompt: str  # "briefing@v1 (sha256 abc123…)" or "none"
    provenance_line: str  # "Summariser: offline v1 · Model: none · Prompt: none"
    run_details: str | None  # "temperature 0.2 · 2,220 tokens (1,800 in, 420 out) · 5.1 s"
    grounding: str | None = None  # "7 of 9 items supported by the article"; None: not checked
    grounding_status: str | None = None  # "all", "most" (half or more), "few" (CSS class)
    grounding_method: str | None = None  # the matching rule, in words (provenance)
    split: str | None = None  # "Long article: summarised in 4 chunks (…), merged under …"


def long_date(value: datetime | date | str | None) -> str:
    """Format a date like "26 November 2026" (English month names, whatever the locale)."""
    if value is None:
        return ""
    if isinstance(value, str):
        parsed = _parse_date(value)
        if parsed is None:
            return value
        value = parsed
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _parse_date(text: str) -> datetime | None:
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:  # RSS dates: "Tue, 03 Mar 2026 10:00:00 GMT"
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(candidate)
    except (TypeError, ValueError, IndexError):
        return None


def _w3c_datetime(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss±hh:mm`` as WeasyPrint's dcterms.created parser wants it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def _keyword(text: str) -> str:
    # WeasyPrint splits <meta name="keywords"> on commas.
    return " ".join(text.replace(",", " ").split())


def _generated_label(value: datetime) -> str:
    zone = value.tzname() if value.tzinfo is not None else None
    if zone in (None, "UTC+00:00"):
        zone = "UTC"
    return f"{long_date(value)}, {value:%H:%M} {zone}"


def _run_details(p: Provenance) -> str | None:
    parts = []
    if p.temperature is not None:
        parts.append(f"temperature {p.temperature:g}")
    tokens = p.usage.prompt_tokens + p.usage.completion_tokens
    if tokens:
        parts.append(
            f"{tokens:,} tokens ({p.usage.prompt_tokens:,} in, {p.usage.completion_tokens:,} out)"
        )
    if p.duration_ms:
        parts.append(
            f"{p.duration_ms / 1000:.1f} s" if p.duration_ms >= 1000 else f"{p.duration_ms} ms"
        )
    if p.base_url:
        parts.append(f"endpoint {p.base_url}")
    return " · ".join(parts) or None


def _summariser_label(p: Provenance) -> str:
    return f"{p.summariser} v{p.summariser_version}" if p.summariser_version else p.summariser


def _prompt_label(p: Provenance) -> str:
    if p.prompt is None:
        return "none"
    return f"{p.prompt.name}@v{p.prompt.version} (sha256 {p.prompt.sha256[:12]}…)"


def _grounding(p: Provenance) -> tuple[str | None, str | None, str | None]:
    """(sentence, status, method) of the grounding summary, or Nones when it was not checked."""
    g = p.grounding
    if g is None:
        return None, None, None
    if g.total <= 0:
        return "No items to check against the article", "all", g.method
    status = "all" if g.supported >= g.total else "most" if 2 * g.supported >= g.total else "few"
    noun = "item" if g.total == 1 else "items"
    return f"{g.supported} of {g.total} {noun} supported by the article", status, g.method


def _split_label(p: Provenance) -> str | None:
    s = p.split
    if s is None:
        return None
    chunks = f"{s.chunks} chunk{'' if s.chunks == 1 else 's'}"
    merge = s.merge_prompt
    return (
        f"Long article: summarised in {chunks} ({s.strategy}, ≤ {s.max_input_tokens:,} tokens "
        f"each; ~{s.estimated_tokens:,} tokens in all), merged under "
        f"{merge.name}@v{merge.version} (sha256 {merge.sha256[:12]}…)"
    )


def _source_title(source: Source) -> str | None:
    title = " ".join((source.title or "").split())
    return title or None


def document_info(briefing: Briefing) -> DocumentInfo:
    """Compute the display strings and PDF metadata for ``briefing``."""
    p = briefing.provenance
    title = " ".join(briefing.title.split()) or "Untitled briefing"
    source_title = _source_title(briefing.source)
    keywords = ["briefing", f"summariser={_summariser_label(p)}"]
    if p.model:
        keywords.append(f"model={p.model}")
    if p.prompt is not None:
        keywords.append(
            f"prompt={p.prompt.name}@v{p.prompt.version} (sha256 {p.prompt.sha256[:12]})"
        )
    summariser = _summariser_label(p)
    model = p.model or "none"
    prompt = _prompt_label(p)
    words = briefing.word_count
    grounding, grounding_status, grounding_method = _grounding(p)
    return DocumentInfo(
        title=title,
        author=AUTHOR,
        subject=f"Briefing: {source_title or title}",
        keywords=[_keyword(k) for k in keywords],
        generator=f"briefing {p.tool_version}",
        created=_w3c_datetime(p.generated_at),
        date=long_date(p.generated_at),
        generated=_generated_label(p.generated_at),
        running_title=f"briefing · {_truncate(title, RUNNING_TITLE_MAX)}",
        source_kind=_SOURCE_KINDS.get(briefing.source.kind, briefing.source.kind),
        source_location=briefing.source.location,
        source_title=source_title,
        published=long_date(briefing.source.published) if briefing.source.published else None,
        reference=briefing.source.sha256[:12],
        reading=f"{max(1, briefing.reading_minutes)} min read",
        words=f"{words:,} word{'' if words == 1 else 's'}",
        summariser=summariser,
        model=model,
        prompt=prompt,
        provenance_line=f"Summariser: {summariser} · Model: {model} · Prompt: {prompt}",
        run_details=_run_details(p),
        grounding=grounding,
        grounding_status=grounding_status,
        grounding_method=grounding_method,
        split=_split_label(p),
    )


def paragraphs(text: str) -> list[str]:
    """Split text on blank lines into whitespace-normalised paragraphs (a Jinja filter)."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def humanise(identifier: str) -> str:
    """``injection_suspected`` -> ``Injection suspected`` (a Jinja filter)."""
    words = identifier.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class EvidenceRef:
    """One evidence quote, numbered through the whole document: E1, E2, …"""

    number: int
    quote: str  # untrusted (article text as quoted by the summariser)
    prefix: str = ""  # of the HTML id: "b3-" in section 3 of a digest

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def anchor(self) -> str:
        return f"{self.prefix}{self.label}"


@dataclass(frozen=True)
class ItemTrace:
    """Where one item (an actor, the assessment, a risk) comes from, for display.

    ``note`` is the number of its "not supported" note (†1, †2, … through the briefing) when the
    grounding check rejected it (``supported is False``), else None. Text fields are untrusted.
    """

    anchor: str  # HTML id of the item: "actor-1", "assessment", "risk-2" ("b3-actor-1", …)
    kind: str  # "actor", "assessment", "risk"
    name: str  # short label: the actor's name, "Assessment", "R2"
    heading: str  # label in the evidence appendix: "Actor: France", "Risk R2: Unilateral …"
    refs: list[EvidenceRef]
    note: int | None = None
    reason: str | None = None  # "Not supported by the article: quote not found: “…”"
    prefix: str = ""  # of the HTML ids, as in EvidenceRef

    @property
    def unsupported(self) -> bool:
        return self.note is not None

    @property
    def note_anchor(self) -> str:
        return f"{self.prefix}note-{self.note}"

    @property
    def quotes(self) -> list[str]:
        return [ref.quote for ref in self.refs]


@dataclass(frozen=True)
class Trace:
    """The :class:`ItemTrace` of every item, in document order (the template's ``trace``)."""

    actors: list[ItemTrace]
    assessment: ItemTrace
    risks: list[ItemTrace]

    @property
    def items(self) -> list[ItemTrace]:
        return [*self.actors, self.assessment, *self.risks]

    @property
    def notes(self) -> list[ItemTrace]:
        """Items the article does not support, in note order."""
        return [item for item in self.items if item.unsupported]

    @property
    def cited(self) -> list[ItemTrace]:
        """Items with at least one evidence quote (the groups of the evidence appendix)."""
        return [item for item in self.items if item.refs]


def _reason(item: Grounded) -> str:
    """The note text: "Not supported by the article: <reason>." (the reason is untrusted)."""
    reason = " ".join((item.reason or "").split())
    if not reason:
        return f"{NOT_SUPPORTED}."
    ended = reason.rstrip("”’»\"')]").endswith((".", "!", "?", "…"))
    return f"{NOT_SUPPORTED}: {reason}{'' if ended else '.'}"


def build_trace(briefing: Briefing, *, prefix: str = "", first_quote: int = 1) -> Trace:
    """Number evidence quotes (E1…) and "not supported" notes (1…) in document order.

    In a digest, ``prefix`` ("b3-") makes HTML ids unique; E-numbers start at ``first_quote``.
    """
    quote_count = first_quote - 1
    note_count = 0

    def item(source: Grounded, anchor: str, kind: str, name: str, heading: str) -> ItemTrace:
        nonlocal quote_count, note_count
        refs = []
        for quote in source.evidence:
            quote_count += 1
            refs.append(EvidenceRef(quote_count, quote, prefix))
        anchor = prefix + anchor
        if source.supported is not False:
            return ItemTrace(anchor, kind, name, heading, refs, prefix=prefix)
        note_count += 1
        return ItemTrace(anchor, kind, name, heading, refs, note_count, _reason(source), prefix)

    actors = [
        item(actor, f"actor-{n}", "actor", actor.name, f"Actor: {actor.name}")
        for n, actor in enumerate(briefing.actors, start=1)
    ]
    assessment = item(briefing.assessment, "assessment", "assessment", "Assessment", "Assessment")
    risks = [
        item(
            risk,
            f"risk-{n}",
            "risk",
            f"R{n}",
            f"Risk R{n}: {_truncate(risk.description, HEADING_MAX)}",
        )
        for n, risk in enumerate(briefing.risks, start=1)
    ]
    return Trace(actors, assessment, risks)


_RTL = frozenset({"ar", "fa", "ur", "he"})


def language_attributes(code: str | None) -> dict[str, str]:
    """``lang`` and ``dir`` of the document (screen readers, PDF/UA /Lang, text direction)."""
    lang = code or DEFAULT_LANG
    return {"lang": lang, "text_dir": "rtl" if lang.split("-")[0] in _RTL else "ltr"}


# The labels of our documents are English (left to right); article and model text may be
# right to left. So the page stays ltr and each paragraph of such text takes its direction
# from its own first strong character (CSS unicode-bidi: plaintext, in briefing.css).


def check_evidence_mode(evidence: str) -> None:
    if evidence not in EVIDENCE_MODES:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_MODES)}, not {evidence!r}")


def briefing_view(
    briefing: Briefing,
    evidence: EvidenceMode = "footnotes",
    *,
    number: int | None = None,
    first_quote: int = 1,
) -> dict[str, Any]:
    """What the macros of _briefing.html.j2 take; ``number``: its section in a digest, which
    prefixes the HTML ids ("b3-actor-2") and numbers the sub-sections ("3.2 Actors")."""
    check_evidence_mode(evidence)
    prefix = "" if number is None else f"b{number}-"
    return {
        "briefing": briefing,
        "doc": document_info(briefing),
        "evidence_mode": evidence,
        "trace": build_trace(briefing, prefix=prefix, first_quote=first_quote),
        "injection_flags": [f for f in briefing.flags if f.kind == INJECTION_KIND],
        "other_flags": [f for f in briefing.flags if f.kind != INJECTION_KIND],
        "number": number,
        "prefix": prefix,
    }


def build_context(
    briefing: Briefing,
    evidence: EvidenceMode | None = None,
    *,
    style: Style = "standard",
    marking: str | Marking | None = None,
) -> dict[str, Any]:
    """The variables a template sees (``view`` holds them all again, for the macros).

    ``evidence`` None means the style's default: ``"footnotes"`` for the standard brief, ``"none"``
    for the compact one. ``marking`` is checked by :func:`check_marking` (ValueError if bad).
    """
    check_style(style)
    mark = marking if isinstance(marking, Marking) else check_marking(marking)
    compact: CompactInfo | None = None
    if style == "compact":
        view, compact = compact_view(briefing, evidence or "none")
    else:
        view = briefing_view(briefing, evidence or "footnotes")
    view["doc"] = marked_info(view["doc"], mark)
    return {
        **view,
        "view": view,
        "style": style,
        "marking": mark,
        "compact": compact,
        **language_attributes(briefing.language),
    }


# --------------------------------------------------------------------------------------------
# Styles: the standard brief and the one-page compact brief

Style = Literal["standard", "compact"]
STYLES: tuple[Style, ...] = get_args(Style)
COMPACT_TEMPLATE = "compact.html.j2"
STYLE_TEMPLATES: dict[str, str] = {"standard": DEFAULT_TEMPLATE, "compact": COMPACT_TEMPLATE}

# What the compact brief keeps so that any briefing fits one A4 page: the first actors, the most
# severe risks, the opening sentences of the situation and the assessment, every text field cut
# to a line or two. The first tier that the estimate (_compact_height) fits on the page is used;
# the last one fits the worst case (tests/test_templates.py). Lengths are in characters.


@dataclass(frozen=True)
class _Tier:
    actors: int  # in the briefing's order (two columns)
    risks: int  # the most severe (impact, then likelihood), shown in the briefing's order
    situation: int  # whole sentences, at least the first one (cut if longer)
    assessment: int
    role: int
    risk: int
    reason: int  # of a "not supported" note
    quotes: int  # evidence quotes listed in short-reference mode
    banners: int  # injection-banner details
    title: int


COMPACT_TIERS = (
    # actors, risks, situation, assessment, role, risk, reason, quotes, banners, title
    _Tier(8, 5, 800, 700, 130, 160, 110, 8, 2, 150),
    _Tier(6, 4, 620, 520, 105, 135, 95, 8, 2, 150),
    _Tier(6, 4, 420, 360, 90, 120, 80, 6, 2, 150),
    _Tier(4, 3, 300, 260, 80, 110, 70, 4, 2, 120),
    _Tier(4, 3, 160, 160, 60, 80, 40, 0, 1, 100),
)
COMPACT_NAME = 48  # an actor's name
COMPACT_NOTE_NAME = 28  # an item's name in its "not supported" note
COMPACT_LOCATION = 90  # the source's path or URL (its start and its end)
COMPACT_SOURCE_TITLE = 110
COMPACT_FLAG = 110  # an injection-banner detail
COMPACT_FLAG_KINDS = 6  # kinds of flag named in the "Check before use" line, each cut to 30
COMPACT_QUOTE = 70  # a listed evidence quote
COMPACT_PAGE_MM = 244.0  # the estimate's budget: the page has 253 mm (estimates are -4 to +12)
COMPACT_SECTION_MM = COMPACT_PAGE_MM - 12  # a compact section of a digest: its page has 241 mm
_LEVELS = {"low": 1, "medium": 2, "moderate": 2, "high": 3}


def check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")


@dataclass(frozen=True)
class CompactInfo:
    """What the compact brief left out (the template's ``compact``); counts and plain text."""

    actors_total: int
    actors_shown: int
    risks_total: int
    risks_shown: int
    situation_cut: bool  # only the opening sentences of the situation are shown
    assessment_cut: bool
    quotes_total: int  # evidence quotes of the shown items
    quotes_shown: int  # listed in short-reference mode (0 with evidence "none")
    hidden_unsupported_actors: int = 0  # left-out items the article does not support
    hidden_unsupported_risks: int = 0
    flags_total: int = 0  # all flags ("Check before use" and injection)
    tier: int = 0  # 0: the roomiest cut; higher: more was left out to fit the page

    @property
    def more_actors(self) -> str | None:
        """The line "+4 more actors in the full brief (1 marked unsupported)", or None."""
        return _more(self.actors_total - self.actors_shown, "actor", self.hidden_unsupported_actors)

    @property
    def more_risks(self) -> str | None:
        return _more(self.risks_total - self.risks_shown, "risk", self.hidden_unsupported_risks)

    @property
    def more_quotes(self) -> str | None:
        hidden = self.quotes_total - self.quotes_shown
        return _more(hidden, "quotation", 0) if self.quotes_shown and hidden else None

    @property
    def more_situation(self) -> str | None:
        return "The situation continues in the full brief." if self.situation_cut else None

    @property
    def more_assessment(self) -> str | None:
        return "The assessment continues in the full brief." if self.assessment_cut else None


def _more(count: int, noun: str, unsupported: int) -> str | None:
    if count <= 0:
        return None
    text = f"+{count} more {noun}{'' if count == 1 else 's'} in the full brief"
    return text + (f" ({unsupported} marked unsupported)" if unsupported else "")


def _opening(text: str, limit: int) -> tuple[str, bool]:
    """The whole sentences of ``text`` that fit in ``limit`` characters (at least the first,
    cut at a word if it alone is longer), as one paragraph; and whether any was left out."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return text, False
    kept: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        words = " ".join(sentence.text.split())
        if kept and used + len(words) + 1 > limit:
            break
        kept.append(words if len(words) <= limit else _truncate(words, limit))
        used += len(words) + 1
    return " ".join(kept) or _truncate(flat, limit), True


def _middle_cut(text: str, limit: int) -> str:
    """A long path or URL as its start … its end."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def _severity(level: str) -> int:
    return _LEVELS.get(level, 0)


# Advance widths in ems, roughly those of DejaVu Serif and Sans (the fonts of briefing.css).
_NARROW = frozenset(" .,:;'!|()[]ijlft-‘’")
_WIDE = frozenset("mwMW@%&—")


def _char_em(char: str) -> float:
    if char in _NARROW:
        return 0.34
    if char in _WIDE:
        return 0.92
    if char.isupper() or char.isdigit():
        return 0.70
    return 0.56


def _lines(text: str, width_mm: float, size_pt: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a box ``width_mm`` wide (greedy wrapping at spaces)."""
    em = size_pt * 25.4 / 72 * (1.1 if bold else 1.0)
    lines, used = 1, 0.0
    for word in text.split():
        width = sum(_char_em(c) for c in word) * em
        if used and used + 0.32 * em + width <= width_mm:
            used += 0.32 * em + width
            continue
        if used:
            lines += 1
        lines += int(width // width_mm)  # a word wider than the box breaks
        used = width % width_mm
    return lines


def _compact_height(view: dict[str, Any], info: CompactInfo) -> float:
    """An estimate, in millimetres, of the compact brief's body height, on the side of too much
    (compact.css: 8.4 pt text 176 mm wide, actors in two columns, 7.9 pt tables)."""
    b: Briefing = view["briefing"]
    doc: DocumentInfo = view["doc"]
    trace: Trace = view["trace"]
    width, column, risk_column = 176.0, 84.5, 107.0
    body, table, small = 4.15, 3.8, 3.2  # line heights
    source = f"{doc.source_kind} {doc.source_location} {doc.source_title or ''}"
    facts = f"Published {doc.published} Length {doc.reading} · {doc.words} Reference 0123456789ab"
    facts += f" {doc.grounding or ''} · 10 shown marked Unsupported"
    mm = 8.0 + 6.2 * _lines(b.title, width, 14.5, True)
    mm += 3.8 * (_lines(source, width, 7.4) + _lines(facts, width, 7.4, True)) + 5.0
    if view["injection_flags"]:
        details = sum(_lines(f.detail, width - 12, 7.6) for f in view["injection_flags"])
        mm += 17.0 + 3.4 * details
    if view["other_flags"]:
        kinds = "Check before use: " + ", ".join(f.kind for f in view["other_flags"])
        mm += 6.0 + 3.4 * _lines(kinds + ". Details in the full brief.", width - 8, 7.6)
    mm += 4 * 10.5  # section headings and spacing
    mm += body * _lines(b.situation, width, 8.4) + 1.6
    entries = []
    for actor, item in zip(b.actors, trace.actors, strict=True):
        head = f"{actor.name} {actor.kind} " + ("Unsupported †10" if item.unsupported else "")
        role = actor.role + " [E10]" * len(item.refs)
        lines = 3.9 * _lines(head, column, 8.2, True) + 3.6 * _lines(role, column, 7.9)
        entries.append(lines + 2.3)
    if entries:  # two balanced columns of unbreakable entries
        mm += max(sum(entries) / 2 + max(entries) / 2, max(entries))
    mm += 6.5 + body * _lines(b.assessment.text + " [E10]" * len(trace.assessment.refs), width, 8.4)
    mm += 5.0
    for risk, item in zip(b.risks, trace.risks, strict=True):
        text = risk.description + (" Unsupported †10" if item.unsupported else "")
        mm += table * _lines(text + " [E10]" * len(item.refs), risk_column, 7.9) + 2.2
    for kind in ("actor", "assessment", "risk"):  # the notes of a section run on
        notes = [f"†{i.note} {i.name}: {i.reason}" for i in trace.notes if i.kind == kind]
        mm += (small * _lines(" ".join(notes), width, 6.8) + 1.8) if notes else 0.0
    more = (info.more_situation, info.more_actors, info.more_assessment, info.more_risks)
    mm += 3.6 * sum(1 for line in more if line)
    if info.quotes_shown:
        quotes = [r.quote for item in trace.items for r in item.refs]
        rows = [_lines(f"E10 “{q}”", column - 6.5, 6.9) for q in quotes]
        mm += 7.0 + 3.1 * max(sum(rows) / 2 + max(rows) / 2, max(rows))
        mm += 3.6 if info.more_quotes else 0.0
    return mm + 11.0  # footer line


def compact_view(
    briefing: Briefing,
    evidence: EvidenceMode = "none",
    *,
    number: int | None = None,
    first_quote: int = 1,
    page_mm: float = COMPACT_PAGE_MM,
) -> tuple[dict[str, Any], CompactInfo]:
    """A :func:`briefing_view` of what fits the one-page compact brief, and what was left out.

    Items keep their numbers from the full brief (R3 is R3 in both; quotes keep their E-number),
    so the two can be read side by side. "Not supported" notes are renumbered 1… over the items
    shown, their reasons cut short. ``evidence``: ``"none"`` shows no quotes (the default);
    ``"footnotes"`` or ``"appendix"`` show short references ([E3]) after each item and a short
    list of the first quotes, cut, at the end. How much is kept: the first of
    :data:`COMPACT_TIERS` estimated to take at most ``page_mm`` millimetres (the last if none).
    """
    check_evidence_mode(evidence)
    mode: EvidenceMode = "none" if evidence == "none" else "appendix"
    full = briefing_view(briefing, mode, number=number, first_quote=first_quote)
    doc: DocumentInfo = full["doc"]
    source_title = doc.source_title and _truncate(doc.source_title, COMPACT_SOURCE_TITLE)
    full["doc"] = dataclasses.replace(
        doc,
        source_location=_middle_cut(doc.source_location, COMPACT_LOCATION),
        source_title=source_title,
    )
    full["other_flags"] = [
        flag.model_copy(update={"kind": _truncate(flag.kind, 30), "detail": ""})
        for flag in full["other_flags"][:COMPACT_FLAG_KINDS]
    ]
    for index, tier in enumerate(COMPACT_TIERS):
        view, info = _compact_tier(briefing, full, mode, tier, index)
        if _compact_height(view, info) <= page_mm:
            break
    return view, info


def _compact_tier(
    briefing: Briefing, full: dict[str, Any], mode: EvidenceMode, tier: _Tier, number: int
) -> tuple[dict[str, Any], CompactInfo]:
    trace: Trace = full["trace"]
    actors = list(range(min(len(briefing.actors), tier.actors)))
    by_severity = sorted(
        range(len(briefing.risks)),
        key=lambda i: (
            -_severity(briefing.risks[i].impact),
            -_severity(briefing.risks[i].likelihood),
        ),
    )
    risks = sorted(by_severity[: tier.risks])
    situation, situation_cut = _opening(briefing.situation, tier.situation)
    assessment, assessment_cut = _opening(briefing.assessment.text, tier.assessment)
    trimmed = briefing.model_copy(
        update={
            "title": _truncate(briefing.title, tier.title),
            "situation": situation,
            "actors": [
                briefing.actors[i].model_copy(
                    update={
                        "name": _truncate(briefing.actors[i].name, COMPACT_NAME),
                        "role": _truncate(briefing.actors[i].role, tier.role),
                    }
                )
                for i in actors
            ],
            "assessment": briefing.assessment.model_copy(update={"text": assessment}),
            "risks": [
                briefing.risks[i].model_copy(
                    update={"description": _truncate(briefing.risks[i].description, tier.risk)}
                )
                for i in risks
            ],
        }
    )
    notes = quotes = listed = 0

    def shown(item: ItemTrace) -> ItemTrace:
        """The item as shown: its first quotes while they last (cut), its note renumbered."""
        nonlocal notes, quotes, listed
        quotes += len(item.refs)
        room = min(len(item.refs), tier.quotes - listed) if mode != "none" else 0
        listed += room
        refs = [dataclasses.replace(r, quote=_truncate(r.quote, COMPACT_QUOTE)) for r in item.refs]
        name = _truncate(item.name, COMPACT_NOTE_NAME)
        item = dataclasses.replace(item, name=name, refs=refs[:room])
        if not item.unsupported:
            return item
        notes += 1
        reason = _truncate(item.reason or NOT_SUPPORTED, tier.reason)
        return dataclasses.replace(item, note=notes, reason=reason)

    kept = Trace(
        [shown(trace.actors[i]) for i in actors],
        shown(trace.assessment),
        [shown(trace.risks[i]) for i in risks],
    )
    banners = [
        flag.model_copy(update={"detail": _truncate(flag.detail, COMPACT_FLAG)})
        for flag in full["injection_flags"][: tier.banners]
    ]
    view = {
        **full,
        "briefing": trimmed,
        "trace": kept,
        "injection_flags": banners,
        "evidence_mode": mode if listed else "none",  # no [E3] shown: no "with references"
    }
    info = CompactInfo(
        actors_total=len(briefing.actors),
        actors_shown=len(actors),
        risks_total=len(briefing.risks),
        risks_shown=len(risks),
        situation_cut=situation_cut,
        assessment_cut=assessment_cut,
        quotes_total=quotes,
        quotes_shown=listed,
        hidden_unsupported_actors=sum(
            1 for i, item in enumerate(trace.actors) if i not in actors and item.unsupported
        ),
        hidden_unsupported_risks=sum(
            1 for i, item in enumerate(trace.risks) if i not in risks and item.unsupported
        ),
        flags_total=len(briefing.flags),
        tier=number,
    )
    return view, info


# --------------------------------------------------------------------------------------------
# Handling markings ("OFFICIAL-SENSITIVE", "TLP:AMBER"): a banner on every page, top and bottom

MARKING_MAX = 60  # characters
MARKING_BOX_MM = 160  # the widest page-margin label (the page's text is 166 mm wide, 176 compact)
# Traffic Light Protocol 2.0 labels (FIRST) -> the colour class; TLP:WHITE is TLP 1.0's CLEAR.
_TLP = re.compile(r"TLP:(RED|AMBER\+STRICT|AMBER|GREEN|CLEAR|WHITE)(?![A-Z0-9+])", re.I)
_TLP_COLOURS = {"RED": "red", "AMBER+STRICT": "amber", "AMBER": "amber", "GREEN": "green"}
_ZERO_WIDTH_JOINERS = ("\u200c", "\u200d")  # format characters that some scripts need


class MarkingError(ValueError):
    """The handling marking is empty, too long or holds control characters."""


@dataclass(frozen=True)
class Marking:
    """A checked handling marking (the template's ``marking``). ``text`` is user text: autoescaped.

    ``tlp`` is ``"red"``, ``"amber"`` (TLP:AMBER and TLP:AMBER+STRICT), ``"green"`` or
    ``"clear"`` (TLP:CLEAR, and TLP 1.0's TLP:WHITE) when the marking starts with a
    Traffic Light Protocol label, else None (an organisation's classification).
    """

    text: str
    tlp: str | None = None

    @property
    def css_class(self) -> str:
        """``marking-tlp-amber`` … or ``marking-neutral``: the banner's colours (marking.css)."""
        return f"marking-tlp-{self.tlp}" if self.tlp else "marking-neutral"

    @property
    def keyword(self) -> str:
        return _keyword(f"marking={self.text}")

    def _em(self) -> float:
        """The text's width in ems of bold sans (DejaVu Sans Bold), letter-spacing included."""
        ems = 0.0
        for char in self.text:
            if char in "MW@%&mw":
                ems += 1.1
            elif char.isupper() or char.isdigit() or char in "+#":
                ems += 0.85
            elif char in " .,:;|!'()[]il-":
                ems += 0.45
            else:
                ems += 0.72
        return ems

    @property
    def font_size(self) -> float:
        """Points: 10 (TLP asks for large type), smaller for a long marking, at least 6.5."""
        fits = (MARKING_BOX_MM - 8) / (self._em() * 25.4 / 72)  # points for the text to fit
        return round(max(6.5, min(10.0, fits)), 1)

    @property
    def width(self) -> str:
        """The width of the page-margin label, from the text at :attr:`font_size` ("41mm")."""
        millimetres = self._em() * self.font_size * 25.4 / 72 + 8
        return f"{min(MARKING_BOX_MM, round(millimetres))}mm"


def check_marking(marking: str | None) -> Marking | None:
    """Check and normalise a marking: whitespace collapsed, 1 to :data:`MARKING_MAX` characters,
    no control or other invisible format characters. Raises :class:`MarkingError` (a ValueError)."""
    if marking is None:
        return None
    if not isinstance(marking, str):
        raise MarkingError(f"the marking must be text, not {type(marking).__name__}")
    text = " ".join(marking.split())
    if not text:
        raise MarkingError(
            "the marking is empty: give a text such as OFFICIAL-SENSITIVE or TLP:AMBER"
        )
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn") or (
            category == "Cf" and char not in _ZERO_WIDTH_JOINERS
        ):
            raise MarkingError(
                f"the marking holds an invisible or control character (U+{ord(char):04X}); "
                "use printable text only"
            )
    if len(text) > MARKING_MAX:
        raise MarkingError(
            f"the marking is {len(text)} characters long; at most {MARKING_MAX} fit the "
            f"banner (it starts {_truncate(text, 30)!r})"
        )
    match = _TLP.match(text)
    tlp = _TLP_COLOURS.get(match.group(1).upper(), "clear") if match else None
    return Marking(text, tlp)


def marked_info(doc: Any, marking: Marking | None) -> Any:
    """``doc`` (a DocumentInfo or DigestInfo) with the marking in the PDF metadata: subject
    "[TLP:AMBER] Briefing: …" and the keyword "marking=TLP:AMBER"."""
    if marking is None:
        return doc
    return dataclasses.replace(
        doc,
        subject=f"[{marking.text}] {doc.subject}",
        keywords=[*doc.keywords, marking.keyword],
    )


def check_marked(html: str, marking: Marking | None, template_name: str) -> str:
    """Refuse a rendering that dropped the marking (a custom template without it)."""
    if marking is not None:
        attribute = f'data-marking="{escape(marking.text)}"'
        if attribute not in html:
            raise RenderError(
                f"template {template_name} does not show the marking: its <html> element needs "
                "the data-marking attribute of _document.html.j2 (see templates/README.md)"
            )
    return html


__all__ += [
    "COMPACT_TEMPLATE",
    "MARKING_MAX",
    "STYLES",
    "CompactInfo",
    "Marking",
    "MarkingError",
    "Style",
    "TemplateInfo",
    "TemplateNotFound",
    "check_marking",
    "check_style",
    "compact_view",
    "list_templates",
    "template_source",
]


# --------------------------------------------------------------------------------------------
# HTML


def make_environment(template_dirs: Sequence[Path] = ()) -> Environment:
    """The Jinja2 environment: autoescape on, StrictUndefined, user folders before ours."""
    dirs = _search_path(template_dirs)
    loader: FileSystemLoader | ChoiceLoader
    if len(dirs) == 1:
        loader = FileSystemLoader(dirs[0])
    else:
        loader = ChoiceLoader([FileSystemLoader(d) for d in dirs])
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["paragraphs"] = paragraphs
    env.filters["humanise"] = humanise
    return env


def _template_location(exc: BaseException, default: str) -> str:
    """``name line N`` of the innermost template frame in the traceback (Jinja rewrites them)."""
    if isinstance(exc, TemplateSyntaxError):
        name = exc.name or (Path(exc.filename).name if exc.filename else default)
        return f"{name} line {exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".css")):
            return f"{Path(frame.filename).name} line {frame.lineno}"
    return default


def render_html(
    briefing: Briefing,
    *,
    template_dirs: Sequence[Path] = (),
    template_name: str | None = None,
    evidence: EvidenceMode | None = None,
    style: Style = "standard",
    marking: str | None = None,
) -> str:
    """Render ``briefing`` as one self-contained HTML document (CSS inlined, no external URL).

    ``evidence`` chooses how the evidence quotes appear: under each item (``"footnotes"``),
    as [E1]-style references to a numbered "Evidence" section at the end (``"appendix"``), or
    not at all (``"none"``). Unsupported items are marked in every mode. None: the style's
    default (``"footnotes"``; ``"none"`` for the compact brief, where the other two modes give
    short [E3] references and a few cut quotes).

    ``style``: ``"standard"`` (briefing.html.j2) or ``"compact"`` (compact.html.j2, one page:
    see :func:`compact_view`); ``template_name`` overrides the style's template.
    ``marking`` (at most :data:`MARKING_MAX` characters, e.g. ``"TLP:AMBER"``) is printed at the
    top and bottom of every page and added to the metadata; :class:`MarkingError` if unusable.
    """
    context = build_context(briefing, evidence, style=style, marking=marking)
    name = template_name or STYLE_TEMPLATES[style]
    return check_marked(render_template(context, template_dirs, name), context["marking"], name)


def render_template(
    context: dict[str, Any], template_dirs: Sequence[Path], template_name: str
) -> str:
    """Render ``template_name`` in :func:`make_environment`; template faults -> RenderError."""
    env = make_environment(template_dirs)
    try:
        template = env.get_template(template_name)
        return template.render(context)
    except TemplateError as exc:
        where = _template_location(exc, template_name)
        detail = exc.message or type(exc).__name__
        raise RenderError(f"template {where}: {type(exc).__name__}: {detail}") from exc


def __getattr__(name: str) -> Any:  # the digest renderers, imported on first use (circular)
    if name in ("render_digest_html", "render_digest_pdf"):
        from briefing import render_digest

        return getattr(render_digest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
