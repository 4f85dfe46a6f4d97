"""Evidence checks: is every actor, the assessment and every risk supported by the article?

An item is **supported** when it quotes at least one piece of evidence and every quote is
found in the article (its title or text). An actor must also be *named* in the article:
its name, one of its aliases, another form of the same entity in the bundled gazetteer
("United Kingdom" ~ "UK", "British", "London"), the surname of a person ("Gary Locke" ~
"Locke"), or — for a name made of an entity and words for its organs or members ("Syrian
authorities", "Government of Syria", "Islamic State fighters") — any form of that entity,
as a whole word (an acronym such as "US" or "WHO" only in capitals).

Items are never dropped: each gets ``supported`` True/False and, when False, a short
``reason``; the briefing gets a :class:`~briefing.model.GroundingSummary` and, when
anything fails, one ``unsupported`` flag.

How a quote or a name is found in the article, and the tolerance allowed, is
:mod:`briefing.checks.matching`. The situation has no evidence quotes: its names and numbers
are checked by :mod:`briefing.checks.situation`.
"""

from __future__ import annotations

import re
from typing import TypeVar

from briefing.checks.matching import MIN_FUZZY_WORDS, WORDS_PER_EDIT, ArticleIndex, name_forms
from briefing.model import Actor, Article, Assessment, Briefing, Flag, GroundingSummary, Risk

__all__ = ["METHOD", "UNSUPPORTED", "ground", "unsupported_items"]

UNSUPPORTED = "unsupported"  # the flag kind
QUOTE_PREVIEW = 60  # characters of a failing quote shown in its reason

METHOD = (
    "each item needs at least one evidence quote, and every quote must occur in the article "
    "after Unicode (NFKC), case, quote-mark, dash, ellipsis and whitespace normalisation; "
    f"a quote of {MIN_FUZZY_WORDS} or more words may differ by one word per "
    f"{WORDS_PER_EDIT} words (word-level edit distance), shorter quotes must match exactly; "
    "'...' splits a quote into parts found in order; an actor's name, an alias, another "
    "gazetteer form of the same entity or a person's surname must occur in the article"
)

_MAX_REASON_QUOTES = 1
_Item = TypeVar("_Item", Actor, Assessment, Risk)


def _preview(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= QUOTE_PREVIEW else flat[:QUOTE_PREVIEW].rstrip() + "…"


def _verdict(index: ArticleIndex, item: Actor | Assessment | Risk) -> tuple[bool, str | None]:
    reasons: list[str] = []
    if isinstance(item, Actor) and not any(index.contains_name(f) for f in name_forms(item)):
        reasons.append(f'actor name "{item.name}" does not occur in the article')
    quotes = [q for q in item.evidence if q.strip()]
    if not quotes:
        reasons.append("no evidence given")
    missing = [q for q in quotes if not index.contains_quote(q)]
    if missing:
        reason = f'quote not found in the article: "{_preview(missing[0])}"'
        if len(missing) > _MAX_REASON_QUOTES:
            more = len(missing) - _MAX_REASON_QUOTES
            reason += f" (and {more} more quote{'s' if more > 1 else ''})"
        reasons.append(reason)
    return (not reasons, "; ".join(reasons) or None)


def _checked(index: ArticleIndex, item: _Item) -> _Item:
    supported, reason = _verdict(index, item)
    return item.model_copy(update={"supported": supported, "reason": reason})


def _labelled(briefing: Briefing) -> list[tuple[str, Actor | Assessment | Risk]]:
    items: list[tuple[str, Actor | Assessment | Risk]] = [
        (f"actor {a.name}", a) for a in briefing.actors
    ]
    items.append(("assessment", briefing.assessment))
    items.extend((f"risk R{i}", r) for i, r in enumerate(briefing.risks, 1))
    return items


def unsupported_items(briefing: Briefing) -> list[str]:
    """Labels of the items checked and found unsupported: "actor X", "assessment", "risk R2"."""
    return [label for label, item in _labelled(briefing) if item.supported is False]


_OUR_FLAG = re.compile(r"^\d+ of \d+ items? (?:is|are) not supported by the article")


def _flag_detail(failed: list[str], total: int) -> str:
    verb = "is" if len(failed) == 1 else "are"
    return (
        f"{len(failed)} of {total} item{'s' if total != 1 else ''} {verb} not supported "
        f"by the article: {'; '.join(failed)}"
    )


def ground(article: Article, briefing: Briefing) -> Briefing:
    """A copy of ``briefing`` with every actor, the assessment and every risk checked
    against ``article`` (``supported``/``reason``), ``provenance.grounding`` set and one
    ``unsupported`` flag when anything fails. Idempotent; items are never dropped."""
    index = ArticleIndex.of(article)
    checked = briefing.model_copy(
        update={
            "actors": [_checked(index, a) for a in briefing.actors],
            "assessment": _checked(index, briefing.assessment),
            "risks": [_checked(index, r) for r in briefing.risks],
        }
    )
    labelled = _labelled(checked)
    failed = unsupported_items(checked)
    total = len(labelled)
    summary = GroundingSummary(supported=total - len(failed), total=total, method=METHOD)
    flags = [f for f in briefing.flags if not (f.kind == UNSUPPORTED and _OUR_FLAG.match(f.detail))]
    if failed:
        flags.append(Flag(kind=UNSUPPORTED, detail=_flag_detail(failed, total)))
    return checked.model_copy(
        update={
            "flags": flags,
            "provenance": briefing.provenance.model_copy(update={"grounding": summary}),
        }
    )
