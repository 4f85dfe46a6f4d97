"""The executive summary of a day's briefings.

Offline (and whenever no model is in use): a deterministic selection, one point per briefing,
most significant first (more high-impact risks, then more actors, then source order), each the
opening sentence of that briefing's situation. With the openai summariser: one more request
under the versioned prompt ``digest`` over the per-article briefings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.model import Briefing, PromptRef, SummaryPoint, Usage

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


def executive_summary(
    briefings: Sequence[Briefing], summariser: object, settings: Settings
) -> tuple[list[SummaryPoint], SummaryMeta]:
    """The day's summary and how it was made (model, prompt, tokens) for the digest's provenance."""
    if getattr(summariser, "name", "offline") == "openai" and len(briefings) > 1:
        from briefing.summarisers.openai import OpenAISummariser

        if isinstance(summariser, OpenAISummariser):
            try:
                return summariser.summarise_day(briefings)
            except BriefingError as exc:
                # The briefings are done and paid for: a failed summary must not lose them.
                log.warning(
                    "executive summary by the model failed, using the offline "
                    "selection instead: %s",
                    exc.message,
                )
    return offline_summary(briefings), SummaryMeta()
