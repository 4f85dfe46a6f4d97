"""The checks step: every item grounded in the article, the situation's names and numbers found
in it, injections and hidden text flagged.

Runs after any summariser and before rendering; the cache keeps what the summariser wrote, so
the checks (and --strict) run again on every use.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.checks.grounding import ground, unsupported_items
from briefing.checks.situation import SITUATION_DETAIL, SITUATION_UNSUPPORTED, check_situation
from briefing.checks.untrusted import apply_injection_flags
from briefing.errors import GroundingError
from briefing.model import Article, Briefing

# Where a reader finds the marks, per output format (the notice on stderr says it).
_WHERE = {
    "pdf": "see the PDF's marks",
    "html": "see the HTML's marks",
    "json": 'see "supported": false and the flags in the JSON',
}


def check(article: Article, briefing: Briefing) -> Briefing:
    """``briefing`` with grounding verdicts, the situation check and injection, hidden-text and
    URL flags."""
    grounded = check_situation(article, ground(article, briefing))
    return apply_injection_flags(
        article, grounded, article.hidden_removed, smuggled=article.hidden_text
    )


def situation_gaps(briefing: Briefing) -> str | None:
    """What the situation has that the article does not ("Zorvania, 4,700"), or None."""
    for flag in briefing.flags:
        if flag.kind == SITUATION_UNSUPPORTED:
            return flag.detail.removeprefix(SITUATION_DETAIL)
    return None


def enforce_strict(briefing: Briefing) -> None:
    """For --strict: any item the article does not support, or a situation with names or
    numbers it does not contain, is an error (nothing is written)."""
    failed = unsupported_items(briefing)
    gaps = situation_gaps(briefing)
    if failed:
        summary = briefing.provenance.grounding
        total = summary.total if summary else len(failed)
        labels = [*failed, f"situation: {SITUATION_DETAIL}{gaps}"] if gaps else failed
        raise GroundingError(
            f"{len(failed)} of {total} items are not supported by the article (--strict): "
            + "; ".join(labels)
        )
    if gaps:
        raise GroundingError(f"the situation has {SITUATION_DETAIL}{gaps} (--strict)")


def checked(article: Article, raw: Briefing, *, strict: bool) -> Briefing:
    """What a summariser wrote, checked; with ``strict``, unsupported items are an error."""
    briefing = check(article, raw)
    if strict:
        enforce_strict(briefing)
    return briefing


def _sections(briefings: Sequence[Briefing]) -> str:
    """ "actors 2, risks 1": how many unsupported items each section holds (none: left out)."""
    counts = {
        "actors": sum(a.supported is False for b in briefings for a in b.actors),
        "assessment": sum(b.assessment.supported is False for b in briefings),
        "risks": sum(r.supported is False for b in briefings for r in b.risks),
    }
    return ", ".join(f"{name} {n}" for name, n in counts.items() if n)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def unsupported_notice(briefings: Sequence[Briefing], fmt: str) -> str | None:
    """One line for stderr when what was written holds anything the articles do not support:
    how many items and in which sections, and the situations with names or numbers their
    articles lack; None when everything is supported. One briefing (``build``):

        warning: 3 of 9 items are not supported by the article (actors 2, risks 1); see the
        PDF's marks, or --strict to refuse

    A digest (``daily``, any number of briefings) says how many of its briefings are
    concerned.
    """
    unsupported = sum(len(unsupported_items(b)) for b in briefings)
    total = sum(len(b.actors) + 1 + len(b.risks) for b in briefings)
    gaps = [g for b in briefings if (g := situation_gaps(b)) is not None]
    if not unsupported and not gaps:
        return None
    parts = []
    if len(briefings) == 1:
        if unsupported:
            verb = "is" if unsupported == 1 else "are"
            parts.append(
                f"{unsupported} of {_plural(total, 'item')} {verb} not supported by the "
                f"article ({_sections(briefings)})"
            )
        if gaps:
            parts.append(f"the situation has {SITUATION_DETAIL}{gaps[0]}")
    else:
        if unsupported:
            concerned = sum(1 for b in briefings if unsupported_items(b))
            verb = "is" if unsupported == 1 else "are"
            parts.append(
                f"{unsupported} of {_plural(total, 'item')} in {concerned} of "
                f"{_plural(len(briefings), 'briefing')} {verb} not supported by their "
                f"articles ({_sections(briefings)})"
            )
        if gaps:
            situations = "situation has" if len(gaps) == 1 else "situations have"
            parts.append(f"{len(gaps)} {situations} names or numbers not in their articles")
    where = _WHERE.get(fmt, "see the marks in the output")
    return f"warning: {' and '.join(parts)}; {where}, or --strict to refuse"
