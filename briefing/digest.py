"""The executive summary of a day's briefings.

Offline (and whenever no model is in use): a deterministic selection, one point per briefing,
most significant first (more high-impact risks, then more actors, then source order), each the
opening sentence of that briefing's situation. With a model summariser (one that has
``summarise_day``): one more request under the versioned prompt ``digest`` over the per-article
briefings, kept in the result cache (``cache.summary_key``) so that the same day rendered again
asks nothing; should it fail, the offline selection stands in (not cached: the next run asks
again).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.model import Briefing, PromptRef, SummaryPoint, Usage

if TYPE_CHECKING:
    from briefing.cache import CachedSummary, Summariser

MAX_POINTS = 8
log = logging.getLogger("briefing.daily")


class SummaryMeta(BaseModel):
    """How the executive summary was made (model, prompt, tokens), for the provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    base_url: str | None = None
    prompt: PromptRef | None = None
    usage: Usage = Field(default_factory=Usage)


def _first_sentence(text: str, limit: int = 240) -> str:
    first = re.split(r"(?<=[.!?…])\s+(?=[\"“'‘(\[A-Z0-9])", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


def offline_summary(briefings: Sequence[Briefing]) -> list[SummaryPoint]:
    def weight(numbered: tuple[int, Briefing]) -> tuple[int, int, int]:
        number, b = numbered
        high = sum(1 for r in b.risks if r.impact == "high")
        return (-high, -len(b.actors), number)

    ranked = sorted(enumerate(briefings, 1), key=weight)[:MAX_POINTS]
    return [SummaryPoint(text=_first_sentence(b.situation), briefings=[n]) for n, b in ranked]


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
    """The day's summary: the model's for two briefings or more when the summariser has one
    (from ``cache`` when it holds it), else the offline selection."""
    summarise_day: Callable[[Sequence[Briefing]], tuple[list[SummaryPoint], SummaryMeta]] | None
    # Duck typing, not isinstance: the digest need not import the openai summariser.
    summarise_day = getattr(summariser, "summarise_day", None)
    if not callable(summarise_day) or len(briefings) < 2:
        return DaySummary(offline_summary(briefings), SummaryMeta(), "offline")
    key = _summary_key(briefings, summariser, settings) if cache is not None else None
    if cache is not None and key is not None:
        cached = cache.get_summary(key)
        if cached is not None:
            return DaySummary(cached.points, cached.meta, "cache")
    try:
        points, meta = summarise_day(briefings)
    except BriefingError as exc:
        # The briefings are done and paid for: a failed summary must not lose them.
        log.warning(
            "executive summary by the model failed, using the offline selection instead: %s",
            exc.message,
        )
        return DaySummary(offline_summary(briefings), SummaryMeta(), "fallback")
    if cache is not None and key is not None:
        from briefing.cache import CachedSummary

        cache.put_summary(key, CachedSummary(points=points, meta=meta))
    return DaySummary(points, meta, "model")


def _summary_key(
    briefings: Sequence[Briefing], summariser: Summariser, settings: Settings
) -> str | None:
    """The cache key of this day's summary, or None when the digest prompt cannot be loaded
    (the request then fails and says why; nothing is cached)."""
    from briefing.cache import content_hash, summary_key
    from briefing.prompts import Registry

    try:
        # The prompt summarise_day uses: the newest "digest", yours overriding ours by name.
        prompt = Registry([settings.prompts_dir] if settings.prompts_dir else []).get("digest")
    except BriefingError:
        return None
    return summary_key([content_hash(b) for b in briefings], summariser, prompt)
