"""The stories of a daily digest as the document shows them: the day's picture (what is new,
developing, dropped), one compact card per story, and the story behind each summary point.

A card is a :func:`briefing.render.compact.compact_view` of the story's briefing (one page: the
opening of the situation, the first actors, the most severe risks, the first quotes) with what
only a story has: its status, what changed since the previous digest, and its sources, each
numbered S1, S2, … as ``Grounded.evidence_sources`` numbers them, so that every quote on a
card of several sources says which article it comes from. The changes and sources take room;
the card's budget for the rest shrinks by their estimated height, so a card stays one page.

All text (titles, change lines, outlets) is untrusted and reaches the HTML autoescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from briefing.model import Briefing, Digest, Grounded, SourceStatus, Story, SummaryPoint
from briefing.render.compact import (
    CARD_TIERS,
    COMPACT_SECTION_MM,
    compact_view,
    estimate_lines,
)
from briefing.render.context import SOURCE_KINDS, EvidenceMode, briefing_view
from briefing.render.text import long_date, shown_location, truncate
from briefing.text.dates import WEEKDAYS
from briefing.text.sentences import split_sentences

__all__ = [
    "CARD_CHANGES",
    "CARD_SOURCES",
    "COVER_STORIES",
    "DroppedRow",
    "StoryCounts",
    "StoryLine",
    "StorySource",
    "annex_sections",
    "day_label",
    "dropped_rows",
    "quote_count",
    "story_briefing",
    "story_cards",
    "story_counts",
    "story_lines",
    "story_refs",
]

# What a compact brief's estimate counts that a card does not have: the footer line (11 mm)
# and the line of the source under the title (3.8 mm); a card's sources are its own list.
NOT_ON_A_CARD_MM = 14.8
CARD_CHANGES = 6  # change lines shown on a developing story's card (the rest: "+2 more")
CARD_CHANGE = 220  # characters of one change line
CARD_SOURCES = 6  # sources listed on a card (the rest are in the appendix)


@dataclass(frozen=True)
class _Room:
    changes: int
    change: int
    sources: int


CARD_ROOM = (  # roomiest first; the last fits beside the last of CARD_TIERS, whatever the story
    _Room(CARD_CHANGES, CARD_CHANGE, CARD_SOURCES),
    _Room(4, 160, 4),
    _Room(2, 110, 2),
    _Room(1, 90, 1),
)
CARD_SOURCE_TITLE = 100
CARD_TITLE = 150
COVER_STORIES = 4  # stories listed on the cover (with "how it was made", the page is full)
LINE_TITLE = 120  # a story's title in the cover's and the summary's lists
LINE_DETAIL = 160
STATUS_LABELS = {"new": "New", "developing": "Developing", "dropped": "Dropped"}


@dataclass(frozen=True)
class StoryCounts:
    """The day's picture: how many stories, new, developing and dropped (the cover's figures)."""

    stories: int  # today's: new + developing
    new: int
    developing: int
    dropped: int
    previous: str | None  # the previous digest's day, "Wednesday 25 November 2026"; None: first


@dataclass(frozen=True)
class StorySource:
    """One source of a story, as its card lists it. Outlet and title are untrusted."""

    number: int  # 1-based in Story.sources: "S1"
    kind: str  # "File", "Web page", "Feed"
    outlet: str  # a web page's host (no "www."), a file's name
    title: str | None
    published: str | None  # "3 March 2026"
    row: int | None  # its row in the sources appendix (None: not found there)


@dataclass(frozen=True)
class StoryLine:
    """A story in a list (the cover's top stories, the summary's "what changed")."""

    number: int | None  # the story's number (its card); None for a dropped story
    anchor: str | None  # "s2"
    status: str  # new, developing, dropped
    label: str  # "New", "Developing", "Dropped"
    title: str
    detail: str | None  # the first change line, the opening sentence, "last reported 25 November"
    more: int = 0  # change lines not shown


@dataclass(frozen=True)
class DroppedRow:
    title: str  # untrusted
    last_day: str  # "25 November 2026"


def day_label(day: str | None) -> str | None:
    """``2026-11-25`` as "Wednesday 25 November 2026" (the string as given if not a date)."""
    if not day:
        return None
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return long_date(day)
    return f"{WEEKDAYS[parsed.weekday()]} {long_date(parsed)}"


def story_counts(digest: Digest) -> StoryCounts:
    new = sum(1 for s in digest.stories if s.status == "new")
    return StoryCounts(
        stories=len(digest.stories),
        new=new,
        developing=len(digest.stories) - new,
        dropped=len(digest.dropped),
        previous=day_label(digest.previous_day),
    )


def _title(story: Story, limit: int) -> str:
    return truncate(story.title or story.briefing.title, limit) or "Untitled story"


def _sources_phrase(count: int) -> str:
    return f"{count} {'source' if count == 1 else 'sources'}"


def story_lines(digest: Digest, *, limit: int | None = None) -> list[StoryLine]:
    """Today's stories, developing first (what changed leads), then new, then those dropped
    since the previous digest; ``limit``: at most that many, dropped ones last to go."""
    lines = []
    order = sorted(
        enumerate(digest.stories, start=1), key=lambda pair: pair[1].status != "developing"
    )
    for number, story in order:
        changes = [" ".join(c.split()) for c in story.changes if c.strip()]
        detail: str | None
        if story.status == "developing" and changes:
            detail, more = truncate(changes[0], LINE_DETAIL), len(changes) - 1
        else:  # what the story is, in its opening sentence
            opening = split_sentences(story.briefing.situation)
            detail = truncate(opening[0].text, LINE_DETAIL) if opening else None
            more = 0
        lines.append(
            StoryLine(
                number,
                f"s{number}",
                story.status,
                STATUS_LABELS.get(story.status, story.status.capitalize()),
                _title(story, LINE_TITLE),
                detail,
                more,
            )
        )
    for dropped in digest.dropped:
        lines.append(
            StoryLine(
                None,
                None,
                "dropped",
                STATUS_LABELS["dropped"],
                truncate(dropped.title, LINE_TITLE) or "Untitled story",
                f"last reported {long_date(dropped.last_day)}",
            )
        )
    return lines if limit is None else lines[:limit]


def dropped_rows(digest: Digest) -> list[DroppedRow]:
    return [
        DroppedRow(truncate(d.title, CARD_TITLE) or "Untitled story", long_date(d.last_day))
        for d in digest.dropped
    ]


def story_refs(point: SummaryPoint, digest: Digest) -> list[tuple[int, str]]:
    """The stories (number, title) a summary point draws on: in a digest with stories the
    point's numbers are 1-based in Digest.stories (the day summary is made from the stories'
    briefings); numbers that name no story are skipped."""
    numbers = dict.fromkeys(n for n in point.briefings if 1 <= n <= len(digest.stories))
    return [(n, _title(digest.stories[n - 1], LINE_TITLE)) for n in numbers]


def quote_count(briefing: Briefing) -> int:
    return sum(len(i.evidence) for i in (*briefing.actors, briefing.assessment, *briefing.risks))


def _outlet(kind: str, location: str) -> str:
    if kind in ("url", "feed"):
        host = urlsplit(location).hostname or location
        return host.removeprefix("www.")
    return shown_location(kind, location)


def _source_rows(story: Story, statuses: Sequence[SourceStatus]) -> list[StorySource]:
    rows = {s.location: n for n, s in enumerate(statuses, start=1)}
    return [
        StorySource(
            number=number,
            kind=SOURCE_KINDS.get(source.kind, source.kind),
            outlet=_outlet(source.kind, source.location),
            title=truncate(source.title, CARD_SOURCE_TITLE) if source.title else None,
            published=long_date(source.published) if source.published else None,
            row=rows.get(source.location),
        )
        for number, source in enumerate(story.sources, start=1)
    ]


def _unsourced(briefing: Briefing) -> Briefing:
    """The briefing without its quotes' source numbers (a story of one source shows none)."""

    def bare(item: Grounded) -> Any:
        return item.model_copy(update={"evidence_sources": []})

    return briefing.model_copy(
        update={
            "actors": [bare(a) for a in briefing.actors],
            "assessment": bare(briefing.assessment),
            "risks": [bare(r) for r in briefing.risks],
        }
    )


def story_briefing(story: Story) -> Briefing:
    """The story's briefing as its card and its annex section show it: under the story's
    title, its quotes marked with their sources only when it has several."""
    briefing = story.briefing.model_copy(update={"title": _title(story, CARD_TITLE)})
    return briefing if len(story.sources) > 1 else _unsourced(briefing)


def _extra_mm(changes: list[str], more_changes: bool, sources: list[StorySource]) -> float:
    """The height of what a card has beyond a compact brief (changes box, sources list), on
    the side of too much (digest.css: 8 pt changes 150 mm wide, 7.4 pt sources 160 mm), less
    what a compact brief has and a card has not (:data:`NOT_ON_A_CARD_MM`)."""
    mm = 4.0 - NOT_ON_A_CARD_MM  # the status line and the quotes' source marks; no footer
    if changes:
        mm += 9.0 + sum(3.6 * estimate_lines(f"– {line}", 150, 8.0) for line in changes)
        mm += 3.4 if more_changes else 0.0
    if sources:
        texts = [f"S10 {s.kind} {s.outlet} {s.title or ''} {s.published or ''}" for s in sources]
        mm += 8.0 + sum(3.4 * estimate_lines(text, 160, 7.4) for text in texts)
    return mm


def story_cards(
    digest: Digest, evidence: EvidenceMode, *, full: bool
) -> list[tuple[dict[str, Any], int]]:
    """One card view per story (what _story.html.j2's ``card`` takes) and the number of its
    first quote (E-numbers run on through the digest; the annex numbers them the same).

    ``evidence`` "none": no quotes on the cards; else short references and the first quotes,
    each with its source. ``full``: the story's full briefing is in the annex (so the "+4
    more actors …" lines say "in the annex")."""
    cards = []
    first_quote = 1
    elsewhere = "in the annex" if full else "in the full briefing"
    for number, story in enumerate(digest.stories, start=1):
        several = len(story.sources) > 1
        title = _title(story, CARD_TITLE)
        briefing = story_briefing(story)
        changes = [c for c in story.changes if c.strip()]
        sources = _source_rows(story, digest.sources)
        # Fewer change lines and sources (the rest said in a line) when even the card's last
        # tier would not fit beside them: a card is one page, whatever the story.
        for room in CARD_ROOM:
            shown = [truncate(c, room.change) for c in changes[: room.changes]]
            hidden = len(changes) - len(shown)
            listed, unlisted = sources[: room.sources], len(sources) - room.sources
            budget = COMPACT_SECTION_MM - _extra_mm(shown, hidden > 0, listed)
            view, info = compact_view(
                briefing, "none" if evidence == "none" else "appendix", number=number,
                first_quote=first_quote, page_mm=budget, prefix=f"s{number}-",
                elsewhere=elsewhere, tiers=CARD_TIERS,
            )  # fmt: skip
            if info.height_mm <= budget:
                break
        since = long_date(story.previous_day or digest.previous_day or "") or None
        card: dict[str, Any] = {
            **view,
            "story": story,
            "compact": info,
            "anchor": f"s{number}",
            "title": title,
            "status": story.status,
            "status_label": STATUS_LABELS.get(story.status, story.status.capitalize()),
            "since": since if story.status == "developing" else None,
            "changes": shown,
            "more_changes": _more(hidden, "change", elsewhere),
            "sources": listed,
            "more_sources": _more(unlisted, "source", "in the appendix"),
            "sources_line": _sources_phrase(len(sources)),
            "several": several,
            "running_title": f"Story {number} · {truncate(title, 60)}",
        }
        cards.append((card, first_quote))
        first_quote += quote_count(story.briefing)
    return cards


def _more(count: int, noun: str, where: str) -> str | None:
    if count <= 0:
        return None
    return f"+{count} more {noun}{'' if count == 1 else 's'} {where}"


def annex_sections(
    digest: Digest, cards: list[tuple[dict[str, Any], int]], evidence: EvidenceMode
) -> list[dict[str, Any]]:
    """``detail="full"``: each story's full briefing (what _story.html.j2's ``annex`` takes),
    numbered as its card, quotes included; ``cards`` as :func:`story_cards` gives them."""
    sections = []
    for number, (story, (card, first_quote)) in enumerate(
        zip(digest.stories, cards, strict=True), start=1
    ):
        briefing = story_briefing(story)
        view = briefing_view(briefing, evidence, number=number, first_quote=first_quote)
        sections.append(
            {
                **view,
                "anchor": f"b{number}",
                "running_title": f"Annex · {number} · {truncate(card['title'], 60)}",
                "toc_source": card["sources_line"],
                "compact": None,
                "card": card,
            }
        )
    return sections
