"""What a model wrote, as a :class:`~briefing.model.Briefing`: the validated
:class:`~briefing.summarisers.openai.draft.Draft` of an article becomes its briefing.

Schema-valid but empty entries are dropped and the lists capped; the model's own report of an
injection and a language other than the one asked for become flags. The checks stage
(:mod:`briefing.checks`) then holds every item against the article.
"""

from __future__ import annotations

from briefing.model import (
    INJECTION_SUSPECTED,
    MODEL_INJECTION_DETAIL,
    Actor,
    Article,
    Assessment,
    Briefing,
    Flag,
    Provenance,
    Risk,
)
from briefing.summarisers.openai.draft import (
    MAX_ACTORS,
    MAX_RISKS,
    DigestDraft,
    Draft,
    DraftActor,
    DraftAssessment,
    DraftRisk,
)
from briefing.text.languages import LANGUAGES, Language, matches
from briefing.text.languages import detect as detect_language

__all__ = ["prose", "to_briefing", "to_draft"]


def prose(answer: object) -> str:
    """The text a model wrote itself (not its quotes), for the language check."""
    if isinstance(answer, Draft):
        parts = [answer.situation, answer.assessment.text, *(r.description for r in answer.risks)]
        return " ".join(parts)
    if isinstance(answer, DigestDraft):
        return " ".join(p.text for p in answer.points)
    return ""


def to_briefing(
    article: Article,
    draft: Draft,
    provenance: Provenance,
    *,
    language: Language | None,
    injection: bool,
) -> Briefing:
    """The briefing of ``article`` from the model's ``draft``; ``language`` is the one asked
    for (--language), ``injection`` whether the model reported instructions in the article."""
    flags = []
    if injection:
        flags.append(Flag(kind=INJECTION_SUSPECTED, detail=MODEL_INJECTION_DETAIL))
    written_in = detect_language(prose(draft))
    if language is not None and matches(prose(draft), language) is False:
        flags.append(
            Flag(
                kind="language_mismatch",
                detail=f"asked for {language.name}; the model wrote in "
                f"{LANGUAGES[written_in].name if written_in else 'another language'}",
            )
        )
    return Briefing(
        # With --language the model's headline is in that language; otherwise the
        # article's own headline, when it has one, is the most faithful title.
        # A blank headline is schema-valid: the article's title stands in.
        title=(draft.title if language else (article.source.title or draft.title)) or article.title,
        source=article.source,
        situation=draft.situation,
        # Schema-valid but empty entries (no name, no description) say nothing: dropped.
        actors=[
            Actor(name=a.name, kind=a.kind, role=a.role, evidence=_quotes(a.evidence))
            for a in draft.actors
            if a.name
        ][:MAX_ACTORS],
        assessment=Assessment(
            text=draft.assessment.text,
            confidence=draft.assessment.confidence,
            evidence=_quotes(draft.assessment.evidence),
        ),
        risks=[
            Risk(
                description=r.description,
                likelihood=r.likelihood,
                impact=r.impact,
                evidence=_quotes(r.evidence),
            )
            for r in draft.risks
            if r.description
        ][:MAX_RISKS],
        flags=flags,
        provenance=provenance,
        word_count=article.word_count,
        reading_minutes=article.reading_minutes,
        language=language.code if language else written_in,
    )


def to_draft(briefing: Briefing) -> Draft:
    """A briefing back in the draft's shape, as the ``merge`` prompt reads drafts (a story's
    reports are merged like the parts of a long article)."""
    return Draft(
        title=briefing.title,
        situation=briefing.situation,
        actors=[
            DraftActor(name=a.name, kind=a.kind, role=a.role, evidence=a.evidence)
            for a in briefing.actors
        ],
        assessment=DraftAssessment(
            text=briefing.assessment.text,
            confidence=briefing.assessment.confidence,
            evidence=briefing.assessment.evidence,
        ),
        risks=[
            DraftRisk(
                description=r.description,
                likelihood=r.likelihood,
                impact=r.impact,
                evidence=r.evidence,
            )
            for r in briefing.risks
        ],
        injection_suspected=any(f.kind == INJECTION_SUSPECTED for f in briefing.flags),
    )


def _quotes(evidence: list[str]) -> list[str]:
    return [q for q in evidence if q]
