"""The offline day summary: the executive summary of a digest without a model.

A deterministic selection, one point per briefing, most significant first (more high-impact
risks, then more actors, then source order), each the opening sentence of that briefing's
situation without its dateline or byline ("JEDDAH, 27 November -", "(CNN) --",
"By Jane Smith, Reuters -": where and by whom a story was filed is not a point of the day;
see :mod:`briefing.text.datelines`). It is also what a digest falls back to when a model's day
summary fails, so it cleans model-written situations too.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.model import Briefing, SummaryPoint
from briefing.text.datelines import strip_dateline
from briefing.text.sentences import split_sentences
from briefing.text.words import has_cjk

MAX_POINTS = 8
MAX_CHARS = 240


def _first_sentence(text: str, limit: int = MAX_CHARS) -> str:
    body = strip_dateline(" ".join(text.split()))
    sentences = split_sentences(body)
    first = sentences[0].text if sentences else body
    if len(first) <= limit:
        return first
    cut = first[:limit]
    if " " in cut and not has_cjk(cut):  # Chinese and Japanese have no spaces to cut at
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:—–-、，") + "…"


def day_points(briefings: Sequence[Briefing]) -> list[SummaryPoint]:
    """The day's points (briefings numbered from 1, as in the digest)."""

    def weight(numbered: tuple[int, Briefing]) -> tuple[int, int, int]:
        number, b = numbered
        high = sum(1 for r in b.risks if r.impact == "high")
        return (-high, -len(b.actors), number)

    ranked = sorted(enumerate(briefings, 1), key=weight)[:MAX_POINTS]
    return [SummaryPoint(text=_first_sentence(b.situation), briefings=[n]) for n, b in ranked]
