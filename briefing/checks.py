"""The checks step: every item grounded in the article, injections and hidden text flagged.

Runs after any summariser and before rendering; the result is cached with the briefing.
"""

from __future__ import annotations

from briefing.errors import GroundingError
from briefing.grounding import ground, unsupported_items
from briefing.injection import apply_injection_flags
from briefing.model import Article, Briefing


def check(article: Article, briefing: Briefing) -> Briefing:
    """``briefing`` with grounding verdicts and injection, hidden-text and URL flags."""
    grounded = ground(article, briefing)
    return apply_injection_flags(
        article, grounded, article.hidden_removed, smuggled=article.hidden_text
    )


def enforce_strict(briefing: Briefing) -> None:
    """For --strict: any item the article does not support is an error (nothing is written)."""
    failed = unsupported_items(briefing)
    if failed:
        summary = briefing.provenance.grounding
        total = summary.total if summary else len(failed)
        raise GroundingError(
            f"{len(failed)} of {total} items are not supported by the article (--strict): "
            + "; ".join(failed)
        )


def checked(article: Article, raw: Briefing, *, strict: bool) -> Briefing:
    """What a summariser wrote, checked; with ``strict``, unsupported items are an error."""
    briefing = check(article, raw)
    if strict:
        enforce_strict(briefing)
    return briefing
