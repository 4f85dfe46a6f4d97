"""The offline day summary: the executive summary of a digest without a model.

A deterministic selection, one point per briefing, most significant first (more high-impact
risks, then more actors, then source order), each the opening sentence of that briefing's
situation. It is also what a digest falls back to when a model's day summary fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.model import Briefing, SummaryPoint

MAX_POINTS = 8


def _first_sentence(text: str, limit: int = 240) -> str:
    first = re.split(r"(?<=[.!?…])\s+(?=[\"“'‘(\[A-Z0-9])", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


def day_points(briefings: Sequence[Briefing]) -> list[SummaryPoint]:
    """The day's points (briefings numbered from 1, as in the digest)."""

    def weight(numbered: tuple[int, Briefing]) -> tuple[int, int, int]:
        number, b = numbered
        high = sum(1 for r in b.risks if r.impact == "high")
        return (-high, -len(b.actors), number)

    ranked = sorted(enumerate(briefings, 1), key=weight)[:MAX_POINTS]
    return [SummaryPoint(text=_first_sentence(b.situation), briefings=[n]) for n, b in ranked]
