"""Render a Digest (the daily briefing): Jinja2 -> self-contained HTML; WeasyPrint -> PDF.

The document: a cover (title, date, counts of sources and how they fared, how it was generated),
the executive summary (each point linked to the sections it draws on), the contents with page
numbers, one section per briefing and an appendix listing every source with its status.

Each section is the single briefing's body, drawn by the same macros (templates/_briefing.html.j2)
from a :func:`briefing.render.context.briefing_view` numbered for the section: HTML ids carry a
prefix ("b3-actor-2") and evidence numbers run on through the digest (E1, E2, … never repeat).
The Jinja environment and template error handling are :mod:`briefing.render.html`'s, the PDF
writer (deny-all URL fetcher, quiet WeasyPrint logs, reproducible identifier) is
:mod:`briefing.render.pdf`'s. All text from articles, models and fetch failures is untrusted and
reaches the HTML only through autoescaping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from briefing.model import Briefing, Digest, PromptRef, SourceStatus
from briefing.render.assets import TemplateFetcher
from briefing.render.compact import COMPACT_SECTION_MM, compact_view
from briefing.render.context import (
    AUTHOR,
    RUNNING_TITLE_MAX,
    SOURCE_KINDS,
    EvidenceMode,
    briefing_view,
    check_evidence_mode,
    summariser_label,
)
from briefing.render.html import Style, check_style, render_template
from briefing.render.marking import Marking, check_marked, check_marking, marked_info
from briefing.render.pdf import write_pdf
from briefing.render.text import (
    generated_label,
    language_attributes,
    long_date,
    pdf_keyword,
    truncate,
    w3c_datetime,
)
from briefing.text.dates import WEEKDAYS

__all__ = [
    "DIGEST_TEMPLATE",
    "DigestInfo",
    "SourceCounts",
    "SourceRow",
    "SummaryItem",
    "SummaryRef",
    "build_digest_context",
    "digest_info",
    "render_digest_html",
    "render_digest_pdf",
]

DIGEST_TEMPLATE = "digest.html.j2"
SECTION_TITLE_MAX = 60  # characters of a briefing title in the running header
TOC_LOCATION_MAX = 90  # characters of a source location under its contents entry


@dataclass(frozen=True)
class SourceCounts:
    """How the digest's sources fared (the cover's figures)."""

    total: int
    ok: int  # summarised in this run
    cached: int  # taken from the cache
    failed: int
    duplicate: int

    @property
    def briefed(self) -> int:
        return self.ok + self.cached


@dataclass(frozen=True)
class DigestInfo:
    """Display strings and PDF metadata of a digest, computed once in Python (plain text)."""

    title: str  # <title>, PDF /Title, cover
    author: str  # PDF /Author
    subject: str  # PDF /Subject: "Daily briefing for 26 November 2026: 3 briefings from 5 sources"
    keywords: list[str]  # PDF /Keywords
    generator: str  # PDF /Creator: "briefing 0.1.0"
    created: str  # W3C datetime -> PDF /CreationDate
    date: str  # the day the digest is for: "26 November 2026"
    day: str  # "Thursday 26 November 2026"
    generated: str  # "26 November 2026, 09:30 UTC"
    running_title: str  # running header, left
    provenance_line: str  # running footer
    items: int  # briefings in the digest
    counts: SourceCounts
    summariser: str  # "offline v1" (several, comma-separated, if the briefings differ)
    model: str  # "gpt-4o-mini" or "none"
    prompts: list[str]  # "briefing@v1 (sha256 ab12cd34ef56…) — per article", …; [] offline
    summary_method: str  # how the executive summary was made, in words
    grounding_methods: list[str]  # the grounding checks' rules, in words (usually one)
    run_details: str | None  # "12.3 s · 5 summarised in this run, 3 from the cache · …"


@dataclass(frozen=True)
class SummaryRef:
    """A section an executive-summary point cites: its number, and its id if it exists."""

    number: int
    anchor: str | None  # "b3"; None when the number names no section (then shown unlinked)
    title: str | None


@dataclass(frozen=True)
class SummaryItem:
    text: str  # untrusted (model output, or a briefing's opening sentence)
    refs: list[SummaryRef]


@dataclass(frozen=True)
class SourceRow:
    """One line of the sources appendix. Location, via, title and reason are untrusted."""

    number: int
    status: str  # ok, cached, failed, duplicate (also the CSS class status-…)
    kind: str  # "File", "Web page", "Feed", …
    location: str
    via: str | None
    title: str | None
    reason: str | None
    time: str  # "840 ms"
    section: int | None  # the section of its briefing
    anchor: str | None


def _prompt(ref: PromptRef, short: bool = False) -> str:
    return f"{ref.name}@v{ref.version}" + ("" if short else f" (sha256 {ref.sha256[:12]}…)")


def _distinct(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _counts(sources: Sequence[SourceStatus]) -> SourceCounts:
    seen = Counter(s.status for s in sources)
    return SourceCounts(len(sources), seen["ok"], seen["cached"], seen["failed"], seen["duplicate"])


def _duration(ms: int) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:,} ms"


def _day_label(day: str) -> str:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return long_date(day)
    return f"{WEEKDAYS[parsed.weekday()]} {long_date(parsed)}"


def digest_info(digest: Digest) -> DigestInfo:
    """Compute the display strings and PDF metadata for ``digest``."""
    p = digest.provenance
    briefings = digest.briefings
    title = " ".join(digest.title.split()) or "Daily briefing"
    counts = _counts(digest.sources)
    summariser = ", ".join(_distinct([summariser_label(b.provenance) for b in briefings]))
    summariser = summariser or p.summariser
    models = _distinct([p.model or "", *(b.provenance.model or "" for b in briefings)])
    article_prompts = {
        _prompt(b.provenance.prompt): b.provenance.prompt
        for b in briefings
        if b.provenance.prompt is not None
    }
    prompts = [f"{label} — per article" for label in article_prompts]
    if p.prompt is not None:
        prompts.append(f"{_prompt(p.prompt)} — executive summary")
    keywords = ["briefing", "daily digest", f"summariser={summariser}"]
    keywords += [f"model={m}" for m in models]
    refs = ([p.prompt] if p.prompt is not None else []) + list(article_prompts.values())
    keywords += [f"prompt={r.name}@v{r.version} (sha256 {r.sha256[:12]})" for r in refs]
    if p.prompt is not None:
        method = f"written by {p.model or 'the model'} under {_prompt(p.prompt, short=True)}"
        method += " from the briefings of this digest"
    else:
        method = "one point per briefing, most significant first: the opening of its situation"
    run = [_duration(p.duration_ms)] if p.duration_ms else []
    run.append(f"{p.model_requests} summarised in this run, {p.cache_hits} from the cache")
    tokens = p.usage.prompt_tokens + p.usage.completion_tokens
    if tokens:
        run.append(f"executive summary {tokens:,} tokens")
    prompt_line = ", ".join(_distinct([_prompt(r, short=True) for r in refs]))  # digest's first
    day = long_date(digest.day)
    noun = "briefing" if len(briefings) == 1 else "briefings"
    sources = "source" if counts.total == 1 else "sources"
    return DigestInfo(
        title=title,
        author=AUTHOR,
        subject=f"Daily briefing for {day}: {len(briefings)} {noun} from {counts.total} {sources}",
        keywords=[pdf_keyword(k) for k in keywords],
        generator=f"briefing {p.tool_version}",
        created=w3c_datetime(p.generated_at),
        date=day,
        day=_day_label(digest.day),
        generated=generated_label(p.generated_at),
        running_title=truncate(title, RUNNING_TITLE_MAX),
        provenance_line=(
            f"Summariser: {summariser} · Model: {', '.join(models) or 'none'} · "
            f"Prompts: {prompt_line or 'none'}"
        ),
        items=len(briefings),
        counts=counts,
        summariser=summariser,
        model=", ".join(models) or "none",
        prompts=prompts,
        summary_method=method,
        grounding_methods=_distinct(
            [b.provenance.grounding.method for b in briefings if b.provenance.grounding]
        ),
        run_details=" · ".join(run) or None,
    )


def _source_sections(digest: Digest) -> list[int | None]:
    """The section number of each source's briefing (None: failed, duplicate or not found).

    Briefed sources (ok, cached) and briefings are in the same order when their numbers agree
    (as ``briefing daily`` writes them); otherwise sources are matched on location.
    """
    briefed = [s.status in ("ok", "cached") for s in digest.sources]
    if sum(briefed) == len(digest.briefings):
        numbers = iter(range(1, len(digest.briefings) + 1))
        return [next(numbers) if b else None for b in briefed]
    where: dict[str, int] = {}
    for number, b in enumerate(digest.briefings, start=1):
        where.setdefault(b.source.location, number)
    return [
        where.get(s.location) if b else None for s, b in zip(digest.sources, briefed, strict=True)
    ]


def _section_title(number: int, briefing: Briefing) -> str:
    return f"{number} · {truncate(briefing.title, SECTION_TITLE_MAX) or 'Untitled briefing'}"


def _common_language(digest: Digest) -> str | None:
    languages = {b.language for b in digest.briefings}
    return languages.pop() if len(languages) == 1 else None


def build_digest_context(
    digest: Digest,
    evidence: EvidenceMode | None = None,
    *,
    style: Style = "standard",
    marking: str | Marking | None = None,
) -> dict[str, Any]:
    """The variables digest.html.j2 sees; documented in templates/README.md.

    ``style`` "compact" makes every section a compact brief (briefing.render.compact.compact_view);
    ``evidence`` None is the style's default, as in :func:`briefing.render.html.build_context`.
    """
    check_style(style)
    evidence = evidence or ("none" if style == "compact" else "footnotes")
    check_evidence_mode(evidence)
    mark = marking if isinstance(marking, Marking) else check_marking(marking)
    sections = []
    first_quote = 1
    for number, briefing in enumerate(digest.briefings, start=1):
        compact = None
        if style == "compact":
            view, compact = compact_view(
                briefing, evidence, number=number, first_quote=first_quote,
                page_mm=COMPACT_SECTION_MM,
            )  # fmt: skip
        else:
            view = briefing_view(briefing, evidence, number=number, first_quote=first_quote)
        first_quote += sum(
            len(item.evidence) for item in (*briefing.actors, briefing.assessment, *briefing.risks)
        )
        location = truncate(view["doc"].source_location, TOC_LOCATION_MAX)
        sections.append(
            {
                **view,
                "anchor": f"b{number}",
                "running_title": _section_title(number, briefing),
                "toc_source": f"{view['doc'].source_kind} · {location}",
                "compact": compact,
            }
        )
    count = len(sections)
    summary = [
        SummaryItem(
            point.text,
            [
                SummaryRef(n, f"b{n}", digest.briefings[n - 1].title)
                if 1 <= n <= count
                else SummaryRef(n, None, None)
                for n in point.briefings
            ],
        )
        for point in digest.executive_summary
    ]
    rows = [
        SourceRow(
            number=number,
            status=source.status,
            kind=SOURCE_KINDS.get(source.kind, source.kind),
            location=source.location,
            via=source.via,
            title=" ".join((source.title or "").split()) or None,
            reason=source.reason,
            time=f"{source.ms:,} ms",
            section=section,
            anchor=f"b{section}" if section else None,
        )
        for number, (source, section) in enumerate(
            zip(digest.sources, _source_sections(digest), strict=True), start=1
        )
    ]
    return {
        "digest": digest,
        "doc": marked_info(digest_info(digest), mark),
        "style": style,
        "marking": mark,
        "evidence_mode": evidence,
        "summary": summary,
        "sections": sections,
        "sources": rows,
        # The digest's own text (cover, summary) is in the language of its briefings when
        # they agree; each section keeps its own direction through its dir attribute.
        **language_attributes(_common_language(digest)),
    }


def render_digest_html(
    digest: Digest,
    *,
    template_dirs: Sequence[Path] = (),
    template_name: str = DIGEST_TEMPLATE,
    evidence: EvidenceMode | None = None,
    style: Style = "standard",
    marking: str | None = None,
) -> str:
    """Render ``digest`` as one self-contained HTML document (CSS inlined, no external URL).

    ``evidence`` applies to every section as in :func:`briefing.render.html.render_html`; in
    ``"appendix"`` mode each section ends with its own Evidence sub-section. None: the style's
    default (``"footnotes"``, or ``"none"`` when compact).
    ``style`` ``"compact"``: every section is a one-page compact brief (the cover, summary,
    contents and appendix stay). ``marking``: printed at the top and bottom of every page and
    added to the metadata, as for a briefing (:class:`briefing.render.marking.MarkingError` if
    unusable).
    """
    context = build_digest_context(digest, evidence, style=style, marking=marking)
    html = render_template(context, template_dirs, template_name)
    return check_marked(html, context["marking"], template_name)


def render_digest_pdf(
    html: str,
    digest: Digest,
    *,
    template_dirs: Sequence[Path] = (),
    fetcher: TemplateFetcher | None = None,
    pdf_variant: str | None = None,
    font_fetcher: TemplateFetcher | None = None,
) -> bytes:
    """Lay out ``html`` (from :func:`render_digest_html`) as an A4 PDF and return its bytes.

    ``pdf_variant`` and ``font_fetcher`` as in :func:`briefing.render.pdf.write_pdf`.
    """
    seed = f"digest|{digest.day}|{digest.provenance.generated_at.isoformat()}"
    return write_pdf(
        html,
        seed=seed,
        title=digest.title,
        template_dirs=template_dirs,
        fetcher=fetcher,
        pdf_variant=pdf_variant,
        font_fetcher=font_fetcher,
    )
