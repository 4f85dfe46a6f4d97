"""Today's stories against the previous digest's: which continue one (``developing``, with
what is new), which are ``new``, and which of the previous digest's nobody reported today.

A story continues an earlier one when their profiles (:mod:`briefing.stories.similarity`,
weighted over both digests' stories) score at least :data:`CONTINUES`; pairs are taken best
first, each earlier story continued by at most one of today's. What is new, one short line
each: actors who appeared, risks that are new or rose, risks that fell or are no longer
reported, figures not in the earlier story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.model import Briefing
from briefing.stories.memory import StoryRecord
from briefing.stories.similarity import (
    CONTINUES,
    Profile,
    actor_key,
    idf_of,
    name_keys,
    overlap_words,
    similarity,
)
from briefing.text.lexicon import STOPWORDS

__all__ = ["MAX_CHANGES", "Match", "changes", "facts", "match"]

MAX_CHANGES = 5  # lines per story
MAX_LINE = 200  # characters
SAME_RISK = 0.5
_RANK = {"low": 0, "medium": 1, "high": 2}
_FIGURE = re.compile(r"(?<![\w.,])(\d[\d,.]*\d|\d)(?:\s+([a-z]+)(?:\s+([a-z]+))?)?")
_SMALL = 10  # figures up to this are too common to be news ("two", "3 of them")


@dataclass(frozen=True)
class Match:
    today: int  # index into today's stories
    earlier: int  # index into the previous digest's
    score: float


def match(today: Sequence[Profile], earlier: Sequence[StoryRecord]) -> list[Match]:
    """Today's stories that continue an earlier one, best pairs first, one to one."""
    before = [Profile(dict(r.terms)) for r in earlier]
    idf = idf_of([*today, *before])
    pairs = [
        Match(i, j, similarity(p, q, idf))
        for i, p in enumerate(today)
        for j, q in enumerate(before)
    ]
    taken_today: set[int] = set()
    taken_earlier: set[int] = set()
    found: list[Match] = []
    for m in sorted(pairs, key=lambda m: (-m.score, m.today, m.earlier)):
        if m.score < CONTINUES:
            break
        if m.today in taken_today or m.earlier in taken_earlier:
            continue
        taken_today.add(m.today)
        taken_earlier.add(m.earlier)
        found.append(m)
    return found


def facts(briefing: Briefing) -> tuple[list[str], list[tuple[str, str, str]], list[str]]:
    """What the next digest compares: actors' names and aliases, risks (description,
    likelihood, impact) and figures of the story's situation and quotes."""
    actors = list(dict.fromkeys(n for a in briefing.actors for n in (a.name, *a.aliases)))
    risks = [(r.description, str(r.likelihood), str(r.impact)) for r in briefing.risks]
    return actors, risks, _figures(_text(briefing))


def changes(briefing: Briefing, earlier: StoryRecord, since: str) -> list[str]:
    """What is new in today's ``briefing`` since the ``earlier`` story (of the digest of the
    day ``since``, for the line that says nothing is)."""
    lines: list[str] = []
    before = {actor_key(a) for a in earlier.actors}
    # Named in the earlier story's articles, if not among its actors: not news today (the
    # summariser's choice of actors varies more from day to day than the reports do).
    named = {t[1:] for t in earlier.terms if t.startswith("@")}
    appeared = [
        a.name
        for a in briefing.actors
        if actor_key(a.name) not in before and not set(name_keys(a.name)) <= named
    ]
    if appeared:
        lines.append(_line("New actors: " + ", ".join(appeared) + "."))
    lines += _risk_lines(briefing, earlier)
    known = {_value(f) for f in earlier.figures} | {_value(f) for f in _profile_figures(earlier)}
    fresh = [f for f in _figures(_text(briefing)) if _value(f) not in known]
    if fresh:
        lines.append(_line("New figures: " + ", ".join(fresh[:6]) + "."))
    if not lines:
        lines.append(f"Reported again; no new actors, risks or figures since {since}.")
    return lines[:MAX_CHANGES]


def _risk_lines(briefing: Briefing, earlier: StoryRecord) -> list[str]:
    lines: list[str] = []
    matched: set[int] = set()
    for risk in briefing.risks:
        j = next(
            (
                j
                for j, (desc, _, _) in enumerate(earlier.risks)
                if j not in matched and overlap_words(risk.description, desc) >= SAME_RISK
            ),
            None,
        )
        if j is None:
            lines.append(
                _line(
                    f"New risk: {_short(risk.description)} ({risk.likelihood} likelihood, "
                    f"{risk.impact} impact)."
                )
            )
            continue
        matched.add(j)
        _, likelihood, impact = earlier.risks[j]
        moves = [
            (name, old, new)
            for name, old, new in (
                ("likelihood", likelihood, risk.likelihood),
                ("impact", impact, risk.impact),
            )
            if old != new
        ]
        if moves:
            up = sum(_RANK.get(new, 0) - _RANK.get(old, 0) for _, old, new in moves) > 0
            said = ", ".join(f"{name} {old} → {new}" for name, old, new in moves)
            verb = "Risk rose" if up else "Risk fell"
            lines.append(_line(f"{verb}: {_short(risk.description)} ({said})."))
    gone = [desc for j, (desc, _, _) in enumerate(earlier.risks) if j not in matched]
    if gone:
        lines.append(_line("Risk no longer reported: " + "; ".join(map(_short, gone)) + "."))
    return lines


def _text(briefing: Briefing) -> str:
    quotes = [q for a in briefing.actors for q in a.evidence]
    quotes += briefing.assessment.evidence + [q for r in briefing.risks for q in r.evidence]
    return "\n".join([briefing.situation, *quotes])


def _figures(text: str) -> list[str]:
    """Figures above :data:`_SMALL`, not years, with the word or two after them that say what
    they count ("2,000 families", "60 million euros", "27"), each value once, in order."""
    out: dict[str, str] = {}
    for m in _FIGURE.finditer(text):
        number = m.group(1)
        counted = [w for w in m.groups()[1:] if w and len(w) > 2 and w not in STOPWORDS]
        # What the figure counts is mostly a plural noun: "2,000 families" (not "families
        # fled"), "70 container ships", "60 million euros".
        if len(counted) == 2 and (counted[0].endswith("s") or not counted[1].endswith("s")):
            counted = counted[:1]
        if counted and m.group(2) not in counted:  # the word right after was not one
            counted = []
        value = _value(number)
        try:
            amount = float(value)
        except ValueError:
            continue
        year = number.isdigit() and len(number) == 4 and 1900 <= amount <= 2100  # not "2,000"
        if amount <= _SMALL or year:
            continue
        if value not in out:
            out[value] = " ".join([number, *counted])
    return list(out.values())


def _value(figure: str) -> str:
    return figure.split(" ", 1)[0].replace(",", "").rstrip(".")


def _profile_figures(record: StoryRecord) -> list[str]:
    return [t[1:] for t in record.terms if t.startswith("#")]


def _short(description: str, limit: int = 90) -> str:
    """A risk's description for a change line: its first ``limit`` characters, cut at a word."""
    flat = " ".join(description.split()).rstrip(".")
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _line(text: str) -> str:
    text = text.replace("….", "…").replace("…)", "…)")
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1].rstrip(" ,;") + "…"
