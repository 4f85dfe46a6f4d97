"""The executive summary of a day's briefings, for the digest.

Each summariser writes its own (``summarise_day``). A remote one (a model) costs a request under
the versioned prompt ``digest``: its summary is kept in the result cache
(:func:`briefing.cache.summary_key`), so the same day rendered again asks nothing; should it
fail, the offline selection (:mod:`briefing.summarisers.offline.day`) stands in, not cached, so
the next run asks again. A day of one briefing needs no model: its own opening stands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from briefing.cache import CachedSummary, content_hash, summary_key
from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.model import Briefing, SummaryMeta, SummaryPoint
from briefing.prompts import Registry
from briefing.summarisers import Summariser
from briefing.summarisers.offline import day_points

log = logging.getLogger("briefing.daily")


class SummaryCache(Protocol):
    """Where summaries are kept: ``briefing.cache.Cache`` (or ``NullCache``)."""

    def get_summary(self, key: str) -> CachedSummary | None: ...

    def put_summary(self, key: str, summary: CachedSummary) -> None: ...


SummaryOrigin = Literal["offline", "model", "cache", "fallback"]


@dataclass(frozen=True)
class DaySummary:
    """The day's summary, how it was made (for the provenance) and where it came from."""

    points: list[SummaryPoint]
    meta: SummaryMeta
    origin: SummaryOrigin  # fallback: the model failed and the offline selection stands in


def executive_summary(
    briefings: Sequence[Briefing],
    summariser: Summariser,
    settings: Settings,
    cache: SummaryCache | None = None,
) -> DaySummary:
    """The day's summary: a remote summariser's for two briefings or more (from ``cache`` when
    it holds it), else the offline selection."""
    if not summariser.remote or len(briefings) < 2:
        return DaySummary(day_points(briefings), SummaryMeta(), "offline")
    key = _summary_key(briefings, summariser, settings) if cache is not None else None
    if cache is not None and key is not None:
        cached = cache.get_summary(key)
        if cached is not None:
            return DaySummary(cached.points, cached.meta, "cache")
    try:
        points, meta = summariser.summarise_day(briefings)
    except BriefingError as exc:
        # The briefings are done and paid for: a failed summary must not lose them.
        log.warning(
            "executive summary by the model failed, using the offline selection instead: %s",
            exc.message,
        )
        return DaySummary(day_points(briefings), SummaryMeta(), "fallback")
    if cache is not None and key is not None:
        cache.put_summary(key, CachedSummary(points=points, meta=meta))
    return DaySummary(points, meta, "model")


def _summary_key(
    briefings: Sequence[Briefing], summariser: Summariser, settings: Settings
) -> str | None:
    """The cache key of this day's summary, or None when the digest prompt cannot be loaded
    (the request then fails and says why; nothing is cached)."""
    try:
        # The prompt summarise_day uses: the newest "digest", yours overriding ours by name.
        prompt = Registry([settings.prompts_dir] if settings.prompts_dir else []).get("digest")
    except BriefingError:
        return None
    return summary_key([content_hash(b) for b in briefings], summariser, prompt)
