"""Render a Digest (the daily briefing): Jinja2 -> self-contained HTML; WeasyPrint -> PDF.

A digest with stories (``Digest.stories``): a cover with the day's picture (stories new,
developing, dropped; the sources; the top stories), the executive summary led by what changed,
the contents, one card per story (:mod:`briefing.render.stories`), the stories dropped since the
previous digest, with ``detail="full"`` an annex of each story's full briefing, the sources
appendix and how the digest was made. A digest without stories (older JSON): a cover (title,
date, counts of sources and how they fared, how it was generated), the executive summary (each
point linked to the sections it draws on), the contents with page numbers, one section per
briefing and the sources appendix.

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
from pathlib import Path
from typing import Any, Literal, get_args

from briefing.model import Briefing, Digest, PromptRef, SourceStatus
from briefing.prices import cost_text, tokens_text
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
from briefing.render.parallel import render_in_parts
from briefing.render.pdf import write_pdf
from briefing.render.stories import (
    COVER_STORIES,
    StoryCounts,
    annex_sections,
    day_label,
    dropped_rows,
    quote_count,
    story_cards,
    story_counts,
    story_lines,
    story_refs,
)
from briefing.render.text import (
    generated_label,
    language_attributes,
    long_date,
    pdf_keyword,
    shown_location,
    truncate,
    w3c_datetime,
)

__all__ = [
    "DETAILS",
    "DIGEST_TEMPLATE",
    "LIST_CHUNKS",
    "Detail",
    "DigestInfo",
    "SourceCounts",
    "SourceRow",
    "SummaryItem",
    "SummaryRef",
    "build_digest_context",
    "check_detail",
    "digest_info",
    "render_digest_html",
    "render_digest_pdf",
]

DIGEST_TEMPLATE = "digest.html.j2"
# How much of each story a digest shows: its card, or its card and its full briefing (annex).
Detail = Literal["cards", "full"]
DETAILS: tuple[Detail, ...] = get_args(Detail)
# Lines of a long list per group, each group on a new page (digest.html.j2): what one part of
# a long digest holds at most (briefing.render.parts). About six pages each, so the part-empty
# last page of a group comes seldom (276 sources: 21 pages in one table, 22 in groups).
LIST_CHUNKS = {"changes": 100, "contents": 200, "sources": 100}
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
    # "2,400 tokens in (400 cached), 1,050 out · cost $0.0031 (briefing's prices of …)": what
    # this run spent on the model; None when no model was used.
    usage: str | None = None
    stories: StoryCounts | None = None  # the day's picture; None: a digest without stories


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
    stories = story_counts(digest) if digest.stories else None
    count = stories.stories if stories else len(briefings)
    noun = ("story" if count == 1 else "stories") if stories else "briefing" + "s" * (count != 1)
    sources = "source" if counts.total == 1 else "sources"
    return DigestInfo(
        title=title,
        author=AUTHOR,
        subject=f"Daily briefing for {day}: {count} {noun} from {counts.total} {sources}",
        keywords=[pdf_keyword(k) for k in keywords],
        generator=f"briefing {p.tool_version}",
        created=w3c_datetime(p.generated_at),
        date=day,
        day=day_label(digest.day) or day,
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
        usage=f"{tokens_text(p.run_usage)} · {cost_text(p.cost, models[0])}" if models else None,
        stories=stories,
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


def _shown_paths(reason: str | None, sources: Sequence[SourceStatus]) -> str | None:
    """A failure reason with the files' paths cut to their names, as the rows show them
    ("same text as /home/me/news/a.txt" is "same text as a.txt")."""
    if not reason:
        return reason
    for source in sorted(sources, key=lambda s: len(s.location), reverse=True):
        if source.kind == "file":
            reason = reason.replace(source.location, shown_location("file", source.location))
    return reason


def _section_title(number: int, briefing: Briefing) -> str:
    return f"{number} · {truncate(briefing.title, SECTION_TITLE_MAX) or 'Untitled briefing'}"


def _common_language(digest: Digest) -> str | None:
    languages = {b.language for b in digest.briefings}
    return languages.pop() if len(languages) == 1 else None


def check_detail(detail: str) -> None:
    """Raise ValueError, naming the accepted ones, unless ``detail`` is a detail setting."""
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")


def _sections(digest: Digest, evidence: EvidenceMode, style: Style) -> list[dict[str, Any]]:
    """One section per briefing: a digest without stories (older JSON), as before stories."""
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
        first_quote += quote_count(briefing)
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
    return sections


def _summary(digest: Digest, count: int) -> list[SummaryItem]:
    """The executive summary's points, each pointing at the stories (or, in a digest without
    stories, the sections) it draws on."""
    if digest.stories:
        return [
            SummaryItem(p.text, [SummaryRef(n, f"s{n}", t) for n, t in story_refs(p, digest)])
            for p in digest.executive_summary
        ]
    return [
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


def _source_rows(digest: Digest) -> list[SourceRow]:
    """The appendix rows; each briefed source points at its section, or at its story's card."""
    targets = _source_sections(digest)
    prefix = "b"
    if digest.stories:
        of_briefing = {b: n for n, s in enumerate(digest.stories, start=1) for b in s.briefings}
        targets = [of_briefing.get(t) if t else None for t in targets]
        prefix = "s"
    return [
        SourceRow(
            number=number,
            status=source.status,
            kind=SOURCE_KINDS.get(source.kind, source.kind),
            location=shown_location(source.kind, source.location),
            via=source.via,
            title=" ".join((source.title or "").split()) or None,
            reason=_shown_paths(source.reason, digest.sources),
            time=f"{source.ms:,} ms",
            section=target,
            anchor=f"{prefix}{target}" if target else None,
        )
        for number, (source, target) in enumerate(zip(digest.sources, targets, strict=True), 1)
    ]


def build_digest_context(
    digest: Digest,
    evidence: EvidenceMode | None = None,
    *,
    style: Style = "standard",
    marking: str | Marking | None = None,
    detail: Detail = "cards",
) -> dict[str, Any]:
    """The variables digest.html.j2 sees; documented in templates/README.md.

    A digest with stories: one card per story (briefing.render.stories), and with ``detail``
    "full" each story's full briefing in an annex; ``evidence`` None: short references and the
    first quotes on the cards, footnotes in the annex. A digest without stories (older JSON):
    one section per briefing; ``style`` "compact" makes each a compact brief
    (briefing.render.compact.compact_view); ``evidence`` None is the style's default, as in
    :func:`briefing.render.html.build_context`.
    """
    check_style(style)
    check_detail(detail)
    stories = bool(digest.stories)
    evidence = evidence or ("none" if style == "compact" and not stories else "footnotes")
    check_evidence_mode(evidence)
    mark = marking if isinstance(marking, Marking) else check_marking(marking)
    cards = story_cards(digest, evidence, full=detail == "full") if stories else []
    if stories:
        sections = annex_sections(digest, cards, evidence) if detail == "full" else []
    else:
        sections = _sections(digest, evidence, style)
    lines = story_lines(digest)
    today = [line for line in lines if line.number is not None]
    return {
        "digest": digest,
        "doc": marked_info(digest_info(digest), mark),
        "style": style,
        "marking": mark,
        "evidence_mode": evidence,
        "detail": detail,
        "summary": _summary(digest, len(sections)),
        "sections": sections,
        "sources": _source_rows(digest),
        "cards": [card for card, _ in cards],
        "changes": lines,
        "top": today[:COVER_STORIES],
        "more_top": max(0, len(today) - COVER_STORIES),
        "dropped": dropped_rows(digest),
        "chunk": LIST_CHUNKS,
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
    detail: Detail = "cards",
) -> str:
    """Render ``digest`` as one self-contained HTML document (CSS inlined, no external URL).

    A digest with stories (``Digest.stories``) is read in minutes: a cover with the day's
    picture (stories new, developing and dropped; the top stories), the executive summary led
    by what changed, one card per story (one page at most), the stories dropped since the
    previous digest, the sources and how the digest was made; ``detail`` "full" adds each
    story's full briefing in an annex. Without stories (older JSON): one section per briefing,
    as follows.

    ``evidence`` applies to every section as in :func:`briefing.render.html.render_html`; in
    ``"appendix"`` mode each section ends with its own Evidence sub-section. None: the style's
    default (``"footnotes"``, or ``"none"`` when compact).
    ``style`` ``"compact"``: every section is a one-page compact brief (the cover, summary,
    contents and appendix stay). ``marking``: printed at the top and bottom of every page and
    added to the metadata, as for a briefing (:class:`briefing.render.marking.MarkingError` if
    unusable).
    """
    context = build_digest_context(digest, evidence, style=style, marking=marking, detail=detail)
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
    workers: int = 0,
    parts_dir: Path | None = None,
) -> bytes:
    """Lay out ``html`` (from :func:`render_digest_html`) as an A4 PDF and return its bytes.

    ``pdf_variant`` and ``font_fetcher`` as in :func:`briefing.render.pdf.write_pdf`. A long
    digest is laid out in parts on ``workers`` processes (0: every core), kept in
    ``parts_dir`` so that a rerun resumes (:mod:`briefing.render.parallel`); 1: in parts, in
    this process. A custom ``fetcher`` or ``font_fetcher`` (whose requests the caller reads)
    means one layout in this process.
    """
    seed = f"digest|{digest.day}|{digest.provenance.generated_at.isoformat()}"
    if fetcher is None and font_fetcher is None:
        pdf = render_in_parts(
            html, seed=seed, title=digest.title, template_dirs=template_dirs,
            pdf_variant=pdf_variant, workers=workers, parts_dir=parts_dir,
        )  # fmt: skip
        if pdf is not None:
            return pdf
    return write_pdf(
        html,
        seed=seed,
        title=digest.title,
        template_dirs=template_dirs,
        fetcher=fetcher,
        pdf_variant=pdf_variant,
        font_fetcher=font_fetcher,
    )
