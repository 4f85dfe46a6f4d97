"""The compact brief: what of a briefing fits one A4 page, and what was left out.

:func:`compact_view` is a :func:`briefing.render.context.briefing_view` cut to fit: the first
actors, the most severe risks, the opening sentences of the situation and the assessment, every
text field cut to a line or two. How much is cut is chosen by estimating the height of the
rendered page (:data:`COMPACT_TIERS`, roomiest first); :class:`CompactInfo` tells the template
what was left out, so it can say so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefing.model import Briefing
from briefing.render.context import (
    NOT_SUPPORTED,
    DocumentInfo,
    EvidenceMode,
    ItemTrace,
    Trace,
    briefing_view,
    check_evidence_mode,
)
from briefing.render.text import truncate
from briefing.text.sentences import split_sentences

__all__ = [
    "CARD_TIERS",
    "COMPACT_PAGE_MM",
    "COMPACT_SECTION_MM",
    "COMPACT_TIERS",
    "CompactInfo",
    "compact_view",
    "estimate_lines",
]

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
# A story card of a digest (briefing.render.stories) puts the situation first: more of it, and
# fewer actors and quotes, before anything else is cut; then the compact brief's last tier, and
# a tighter one still for a card that must also hold many changes and warnings.
CARD_TIERS = (
    # actors, risks, situation, assessment, role, risk, reason, quotes, banners, title
    _Tier(6, 4, 900, 360, 110, 140, 100, 6, 2, 150),
    _Tier(5, 4, 800, 300, 90, 120, 90, 4, 2, 150),
    _Tier(4, 3, 700, 260, 80, 110, 80, 4, 2, 150),
    _Tier(4, 3, 600, 220, 70, 100, 60, 2, 2, 120),
    _Tier(4, 3, 480, 180, 60, 90, 50, 0, 2, 120),
    _Tier(4, 3, 360, 160, 60, 80, 40, 0, 1, 100),
    COMPACT_TIERS[-1],
    _Tier(3, 2, 160, 120, 50, 70, 30, 0, 1, 90),  # beside many changes and warnings
    _Tier(2, 1, 120, 100, 40, 60, 20, 0, 1, 80),
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
    elsewhere: str = "in the full brief"  # where the rest is: "in the annex" (a story card)
    height_mm: float = 0.0  # the estimated height of what is shown (see compact_view)

    @property
    def more_actors(self) -> str | None:
        """The line "+4 more actors in the full brief (1 marked unsupported)", or None."""
        hidden = self.actors_total - self.actors_shown
        return _more(hidden, "actor", self.hidden_unsupported_actors, self.elsewhere)

    @property
    def more_risks(self) -> str | None:
        hidden = self.risks_total - self.risks_shown
        return _more(hidden, "risk", self.hidden_unsupported_risks, self.elsewhere)

    @property
    def more_quotes(self) -> str | None:
        hidden = self.quotes_total - self.quotes_shown
        return (
            _more(hidden, "quotation", 0, self.elsewhere) if self.quotes_shown and hidden else None
        )

    @property
    def more_situation(self) -> str | None:
        return f"The situation continues {self.elsewhere}." if self.situation_cut else None

    @property
    def more_assessment(self) -> str | None:
        return f"The assessment continues {self.elsewhere}." if self.assessment_cut else None


def _more(count: int, noun: str, unsupported: int, elsewhere: str) -> str | None:
    if count <= 0:
        return None
    text = f"+{count} more {noun}{'' if count == 1 else 's'} {elsewhere}"
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
        kept.append(words if len(words) <= limit else truncate(words, limit))
        used += len(words) + 1
    return " ".join(kept) or truncate(flat, limit), True


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


def estimate_lines(text: str, width_mm: float, size_pt: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a box ``width_mm`` wide (greedy wrapping at spaces),
    in the fonts of briefing.css, on the side of too many."""
    return _lines(text, width_mm, size_pt, bold)


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
    prefix: str | None = None,
    elsewhere: str = "in the full brief",
    tiers: Sequence[_Tier] = COMPACT_TIERS,
) -> tuple[dict[str, Any], CompactInfo]:
    """A :func:`briefing_view` of what fits the one-page compact brief, and what was left out.

    Items keep their numbers from the full brief (R3 is R3 in both; quotes keep their E-number),
    so the two can be read side by side. "Not supported" notes are renumbered 1… over the items
    shown, their reasons cut short. ``evidence``: ``"none"`` shows no quotes (the default);
    ``"footnotes"`` or ``"appendix"`` show short references ([E3]) after each item and a short
    list of the first quotes, cut, at the end. How much is kept: the first of
    :data:`COMPACT_TIERS` estimated to take at most ``page_mm`` millimetres (the last if none).
    ``prefix`` of the HTML ids as in :func:`briefing_view`; ``elsewhere``: where the "+4 more
    actors …" lines say the rest is; ``tiers``: :data:`COMPACT_TIERS`, or :data:`CARD_TIERS`.
    """
    check_evidence_mode(evidence)
    mode: EvidenceMode = "none" if evidence == "none" else "appendix"
    full = briefing_view(briefing, mode, number=number, first_quote=first_quote, prefix=prefix)
    doc: DocumentInfo = full["doc"]
    source_title = doc.source_title and truncate(doc.source_title, COMPACT_SOURCE_TITLE)
    full["doc"] = dataclasses.replace(
        doc,
        source_location=_middle_cut(doc.source_location, COMPACT_LOCATION),
        source_title=source_title,
    )
    full["other_flags"] = [
        flag.model_copy(update={"kind": truncate(flag.kind, 30), "detail": ""})
        for flag in full["other_flags"][:COMPACT_FLAG_KINDS]
    ]
    for index, tier in enumerate(tiers):
        view, info = _compact_tier(briefing, full, mode, tier, index)
        info = dataclasses.replace(info, elsewhere=elsewhere)
        info = dataclasses.replace(info, height_mm=_compact_height(view, info))
        if info.height_mm <= page_mm:
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
            "title": truncate(briefing.title, tier.title),
            "situation": situation,
            "actors": [
                briefing.actors[i].model_copy(
                    update={
                        "name": truncate(briefing.actors[i].name, COMPACT_NAME),
                        "role": truncate(briefing.actors[i].role, tier.role),
                    }
                )
                for i in actors
            ],
            "assessment": briefing.assessment.model_copy(update={"text": assessment}),
            "risks": [
                briefing.risks[i].model_copy(
                    update={"description": truncate(briefing.risks[i].description, tier.risk)}
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
        refs = [dataclasses.replace(r, quote=truncate(r.quote, COMPACT_QUOTE)) for r in item.refs]
        name = truncate(item.name, COMPACT_NOTE_NAME)
        item = dataclasses.replace(item, name=name, refs=refs[:room])
        if not item.unsupported:
            return item
        notes += 1
        reason = truncate(item.reason or NOT_SUPPORTED, tier.reason)
        return dataclasses.replace(item, note=notes, reason=reason)

    kept = Trace(
        [shown(trace.actors[i]) for i in actors],
        shown(trace.assessment),
        [shown(trace.risks[i]) for i in risks],
    )
    banners = [
        flag.model_copy(update={"detail": truncate(flag.detail, COMPACT_FLAG)})
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
