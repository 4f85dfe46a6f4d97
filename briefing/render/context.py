"""The template context of a briefing: display strings, provenance labels and the trace of
evidence, computed once in Python so that templates stay simple.

:func:`document_info` gives the strings and PDF metadata of a briefing (:class:`DocumentInfo`);
:func:`build_trace` numbers its evidence quotes (E1, E2, …) and its "not supported" notes, so
every item stays traceable; :func:`briefing_view` gathers what the macros of _briefing.html.j2
take, for a briefing or for one section of a digest. Article and model text stay plain
(untrusted) strings here: the templates autoescape them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from briefing.model import Briefing, Grounded, Provenance, Source
from briefing.render.text import (
    generated_label,
    long_date,
    pdf_keyword,
    shown_location,
    truncate,
    w3c_datetime,
)

__all__ = [
    "AUTHOR",
    "EVIDENCE_MODES",
    "HEADING_MAX",
    "INJECTION_KIND",
    "NOT_SUPPORTED",
    "RUNNING_TITLE_MAX",
    "SOURCE_KINDS",
    "DocumentInfo",
    "EvidenceMode",
    "EvidenceRef",
    "ItemTrace",
    "Trace",
    "briefing_view",
    "build_trace",
    "check_evidence_mode",
    "document_info",
    "summariser_label",
]

EvidenceMode = Literal["footnotes", "appendix", "none"]
EVIDENCE_MODES: tuple[EvidenceMode, ...] = get_args(EvidenceMode)

AUTHOR = "briefing"
RUNNING_TITLE_MAX = 70  # characters of the title shown in the running header
HEADING_MAX = 90  # characters of a risk description in an evidence-appendix heading
INJECTION_KIND = "injection_suspected"  # Flag.kind that raises the banner
NOT_SUPPORTED = "Not supported by the article"
SOURCE_KINDS = {"file": "File", "stdin": "Standard input", "url": "Web page", "feed": "Feed"}


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


def summariser_label(p: Provenance) -> str:
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
    keywords = ["briefing", f"summariser={summariser_label(p)}"]
    if p.model:
        keywords.append(f"model={p.model}")
    if p.prompt is not None:
        keywords.append(
            f"prompt={p.prompt.name}@v{p.prompt.version} (sha256 {p.prompt.sha256[:12]})"
        )
    summariser = summariser_label(p)
    model = p.model or "none"
    prompt = _prompt_label(p)
    words = briefing.word_count
    grounding, grounding_status, grounding_method = _grounding(p)
    return DocumentInfo(
        title=title,
        author=AUTHOR,
        subject=f"Briefing: {source_title or title}",
        keywords=[pdf_keyword(k) for k in keywords],
        generator=f"briefing {p.tool_version}",
        created=w3c_datetime(p.generated_at),
        date=long_date(p.generated_at),
        generated=generated_label(p.generated_at),
        running_title=f"briefing · {truncate(title, RUNNING_TITLE_MAX)}",
        source_kind=SOURCE_KINDS.get(briefing.source.kind, briefing.source.kind),
        source_location=shown_location(briefing.source.kind, briefing.source.location),
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


@dataclass(frozen=True)
class EvidenceRef:
    """One evidence quote, numbered through the whole document: E1, E2, …"""

    number: int
    quote: str  # untrusted (article text as quoted by the summariser)
    prefix: str = ""  # of the HTML id: "b3-" in section 3 of a digest
    # In a story of several sources, the quote's source: its 1-based number in Story.sources
    # (from Grounded.evidence_sources, shown "S2"); None in a single article's briefing.
    source: int | None = None

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

    @property
    def sources(self) -> list[int | None]:
        """The source number of each quote (parallel to ``quotes``; None where not known)."""
        return [ref.source for ref in self.refs]


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
        sources: list[int | None] = [*source.evidence_sources]
        sources += [None] * (len(source.evidence) - len(sources))
        for quote, origin in zip(source.evidence, sources, strict=False):
            quote_count += 1
            refs.append(EvidenceRef(quote_count, quote, prefix, origin))
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
            f"Risk R{n}: {truncate(risk.description, HEADING_MAX)}",
        )
        for n, risk in enumerate(briefing.risks, start=1)
    ]
    return Trace(actors, assessment, risks)


def check_evidence_mode(evidence: str) -> None:
    """Raise ValueError, naming the accepted ones, unless ``evidence`` is an evidence mode."""
    if evidence not in EVIDENCE_MODES:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_MODES)}, not {evidence!r}")


def briefing_view(
    briefing: Briefing,
    evidence: EvidenceMode = "footnotes",
    *,
    number: int | None = None,
    first_quote: int = 1,
    prefix: str | None = None,
) -> dict[str, Any]:
    """What the macros of _briefing.html.j2 take; ``number``: its section in a digest, which
    prefixes the HTML ids ("b3-actor-2") and numbers the sub-sections ("3.2 Actors").
    ``prefix``: another prefix of the ids ("s3-": a digest's story card, beside section 3)."""
    check_evidence_mode(evidence)
    if prefix is None:
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
