"""A day's briefings as stories: grouped by event, briefed as one, compared with the previous
digest of the same output.

:func:`make_stories` is what ``briefing daily`` calls once every source is briefed:

1. each report's profile (:mod:`~briefing.stories.similarity`: its words, the names and the
   figures of its text; never the summariser's output, so offline and model runs group
   alike), and the reports grouped where they are about one event (:mod:`.grouping`, at
   :data:`SAME_EVENT`);
2. each story of several reports gets one briefing (:mod:`.briefing`): by the ``merge``
   prompt when the summariser has a model (kept in the result cache, keyed by the reports'
   briefings, so a rerun asks nothing), else by rule; a model merge that fails, or that
   leaves items unsupported under ``--strict``, gives way to the rule;
3. the previous digest of the same series (:mod:`.memory`) says which stories are
   ``developing`` and what is new in them, and which of its stories were ``dropped``
   (:mod:`.changes`).

Stories are listed most reported first, then in the order of their first report.
:meth:`DayStories.remember` records them once the digest is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from briefing.cache import ResultCache, content_hash, key_fields
from briefing.checks.grounding import unsupported_items
from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.history.database import history_path
from briefing.model import Article, Briefing, DroppedStory, Story
from briefing.render import long_date
from briefing.stories.briefing import Report, attribute, combine
from briefing.stories.changes import changes, facts, match
from briefing.stories.grouping import centrality, group, matrix
from briefing.stories.memory import (
    DigestRecord,
    StoryRecord,
    previous_digest,
    record_digest,
    series_of,
)
from briefing.stories.similarity import SAME_EVENT, Profile, merged, profile
from briefing.summarisers import Summariser

__all__ = ["DayStories", "Member", "ReportMerger", "make_stories"]

log = logging.getLogger("briefing.daily")

MERGE_WORKERS = 4  # stories merged by the model at once: few per day, polite to rate limits


@dataclass(frozen=True)
class Member:
    """One briefed source of the day."""

    number: int  # 1-based into Digest.briefings
    article: Article
    briefing: Briefing


@runtime_checkable
class ReportMerger(Protocol):
    """A summariser that can merge a story's reports with a model (the openai one)."""

    @property
    def name(self) -> str: ...

    def merge_reports(self, briefings: Sequence[Briefing], title: str) -> Briefing: ...


@dataclass(frozen=True)
class DayStories:
    stories: list[Story]
    dropped: list[DroppedStory]
    previous_day: str | None
    # Story briefings a model merged: "ok" made in this run (its tokens are the run's),
    # "cached" from the result cache.
    made: list[tuple[str, Briefing]]
    history: Path
    series: str
    record: DigestRecord

    def remember(self) -> None:
        """Record this digest's stories for the next digest of the series."""
        record_digest(self.history, self.series, self.record)


def make_stories(
    briefed: Sequence[tuple[Article, Briefing]],
    summariser: Summariser,
    cache: ResultCache,
    settings: Settings,
    cache_dir: Path | None,
    output: Path,
    day: date,
) -> DayStories:
    """The day's stories from its briefed sources (article and checked briefing, in the
    order of the digest's briefings), for the digest written to ``output``; the previous
    digest is looked up in the history file of ``cache_dir``."""
    members = [Member(n, a, b) for n, (a, b) in enumerate(briefed, 1)]
    profiles = [profile(m.article.title, m.article.text) for m in members]
    sims = matrix(profiles)
    groups = sorted(group(sims, SAME_EVENT), key=lambda g: (-len(g), g[0]))
    made: list[tuple[str, Briefing]] = []

    def brief(members_of: list[int]) -> Briefing:
        if len(members_of) == 1:
            return members[members_of[0]].briefing
        reports = [Report(members[i].article, members[i].briefing) for i in members_of]
        lead = members_of.index(centrality(sims, members_of)[0])
        if getattr(summariser, "remote", False) and isinstance(summariser, ReportMerger):
            story = _model_story(summariser, cache, reports, lead, settings.strict, made)
            if story is not None:
                return story
        return combine(reports, lead)

    with ThreadPoolExecutor(max_workers=MERGE_WORKERS) as pool:
        briefings = list(pool.map(brief, groups))

    history, series = history_path(cache_dir), series_of(output, day)
    previous = previous_digest(history, series, day)
    earlier = previous.stories if previous else []
    story_profiles = [merged([profiles[i] for i in g]) for g in groups]
    continued = {m.today: m.earlier for m in match(story_profiles, earlier)}
    stories = []
    for n, (g, briefing) in enumerate(zip(groups, briefings, strict=True)):
        before = earlier[continued[n]] if n in continued else None
        stories.append(
            Story(
                key=before.key if before else _new_key(day, members[g[0]].article.source.sha256),
                title=briefing.title,
                status="developing" if before else "new",
                sources=[members[i].briefing.source for i in g],
                briefings=[members[i].number for i in g],
                briefing=briefing,
                changes=changes(briefing, before, long_date(previous.day))
                if before and previous
                else [],
                previous_day=previous.day if before and previous else None,
            )
        )
    dropped = [
        DroppedStory(key=s.key, title=s.title, last_day=previous.day)
        for j, s in enumerate(earlier)
        if previous and j not in continued.values()
    ]
    record = DigestRecord(
        day=day.isoformat(),
        stories=[_record(s, p) for s, p in zip(stories, story_profiles, strict=True)],
    )
    return DayStories(
        stories=stories,
        dropped=dropped,
        previous_day=previous.day if previous else None,
        made=made,
        history=history,
        series=series,
        record=record,
    )


def _model_story(
    merger: ReportMerger,
    cache: ResultCache,
    reports: list[Report],
    lead: int,
    strict: bool,
    made: list[tuple[str, Briefing]],
) -> Briefing | None:
    """The story briefing the model merged (from the cache when it holds it), tied to its
    reports and checked; None when the rule must stand in."""
    ordered = [reports[lead].briefing, *(r.briefing for i, r in enumerate(reports) if i != lead)]
    key = _merge_key(ordered, merger)
    raw = cache.get(key)
    status = "cached"
    if raw is None:
        try:
            raw = merger.merge_reports(ordered, reports[lead].briefing.title)
        except BriefingError as exc:
            # The reports are briefed and paid for: a failed merge must not lose the story.
            log.warning(
                "merging a story's %d reports failed, merged by rule: %s",
                len(reports),
                exc.message,
            )
            return None
        cache.put(key, raw)
        status = "ok"
    made.append((status, raw))
    story = attribute(raw, reports)
    failed = unsupported_items(story)
    if strict and failed:
        log.warning(
            "the model's merge of a story leaves %d items unsupported (--strict): merged by "
            "rule instead",
            len(failed),
        )
        return None
    return story


def _merge_key(briefings: Sequence[Briefing], summariser: ReportMerger) -> str:
    """The cache key of a story merged by ``summariser``: its reports' briefings (content,
    lead first) and everything that shapes the model's answer (as a briefing's key has it)."""
    fields = {
        **key_fields("", summariser),
        "kind": "story",
        "briefings": [content_hash(b) for b in briefings],
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _new_key(day: date, sha256: str) -> str:
    """A new story's key: stable for a rerun of the day with the same first report."""
    return hashlib.sha256(f"{day.isoformat()}|{sha256}".encode()).hexdigest()[:12]


def _record(story: Story, terms: Profile) -> StoryRecord:
    actors, risks, figures = facts(story.briefing)
    return StoryRecord(
        key=story.key,
        title=story.title,
        terms=dict(terms.terms),
        actors=actors,
        risks=risks,
        figures=figures,
    )
