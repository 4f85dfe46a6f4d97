"""One briefing for a story of several reports, every evidence quote tied to its report.

Offline (:func:`combine`), by rule and deterministically: the lead report's title and
situation (the lead is the report closest to all the others); actors merged by name (one
gazetteer entity, or one person by surname) with one quote from each report that names
them, listed by how many reports name them; risks that describe the same danger merged into
one at the highest likelihood and impact seen, with one quote from each report, most severe
first; the assessment of the report whose items its article supports best. Every quote is
the report's own, so it is verbatim in that report's article.

With a model, the ``merge`` prompt reconciles the reports' briefings into one; its quotes
are copied from theirs, and :func:`attribute` ties each back to the report it came from.

Either way :func:`ground_story` then checks every quote against the article of the report it
cites, and every actor's name against those articles (``Grounded.evidence_sources`` holds
the report numbers, 1-based into ``Story.sources``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from briefing.checks.grounding import METHOD, UNSUPPORTED, unsupported_items
from briefing.checks.matching import ArticleIndex, name_forms
from briefing.checks.situation import SITUATION_UNSUPPORTED, check_situation
from briefing.checks.untrusted import URL_NOT_IN_ARTICLE, injection_flags
from briefing.model import (
    Actor,
    Article,
    Assessment,
    Briefing,
    Flag,
    GroundingSummary,
    Risk,
    Usage,
)
from briefing.stories.similarity import actor_key, overlap_words

__all__ = ["MAX_ACTORS", "MAX_RISKS", "Report", "attribute", "combine", "ground_story"]

MAX_ACTORS = 10
MAX_RISKS = 6
SAME_RISK = 0.5  # overlap of two risks' content words from which they are one danger
_RANK = {"low": 0, "medium": 1, "high": 2}
_CONFIDENCE = {"low": 0, "moderate": 1, "high": 2}
_RECHECKED = frozenset({UNSUPPORTED, SITUATION_UNSUPPORTED, URL_NOT_IN_ARTICLE})
_Item = TypeVar("_Item", Actor, Assessment, Risk)


@dataclass(frozen=True)
class Report:
    """One source of a story: its article and its (checked) briefing."""

    article: Article
    briefing: Briefing

    @cached_property
    def index(self) -> ArticleIndex:
        return ArticleIndex.of(self.article)


def combine(reports: Sequence[Report], lead: int) -> Briefing:
    """The offline story briefing of ``reports`` (in day order); ``lead`` indexes the report
    whose title and situation stand for the story."""
    first = reports[lead].briefing
    order = [lead, *(i for i in range(len(reports)) if i != lead)]
    story = first.model_copy(
        update={
            "actors": _actors(reports, order),
            "assessment": _assessment(reports, order),
            "risks": _risks(reports, order),
            "flags": _carried_flags(reports),
            # The story's briefing asked nothing of a model: the reports' own provenance
            # says what each cost.
            "provenance": first.provenance.model_copy(
                update={"usage": Usage(), "cost": None, "duration_ms": 0, "split": None}
            ),
            "word_count": sum(r.briefing.word_count for r in reports),
            "reading_minutes": sum(r.briefing.reading_minutes for r in reports),
        }
    )
    return ground_story(story, reports)


def attribute(merged: Briefing, reports: Sequence[Report]) -> Briefing:
    """A model's story briefing with each quote tied to its report: the report whose
    briefing gave that quote, else the first whose article holds it, else the first report
    (the check then marks it unsupported); the reports' flags carried over."""

    def source(quote: str) -> int:
        wanted = " ".join(quote.split())
        for n, r in enumerate(reports, 1):
            if any(" ".join(q.split()) == wanted for q in _quotes(r.briefing)):
                return n
        for n, r in enumerate(reports, 1):
            if r.index.contains_quote(quote):
                return n
        return 1

    def tied(x: _Item) -> _Item:
        return x.model_copy(update={"evidence_sources": [source(q) for q in x.evidence]})

    flags = _carried_flags(reports)
    flags += [f for f in merged.flags if f not in flags and f.kind not in _RECHECKED]
    story = merged.model_copy(
        update={
            "actors": [tied(a) for a in merged.actors],
            "assessment": tied(merged.assessment),
            "risks": [tied(r) for r in merged.risks],
            "flags": flags,
            "word_count": sum(r.briefing.word_count for r in reports),
            "reading_minutes": sum(r.briefing.reading_minutes for r in reports),
        }
    )
    return ground_story(story, reports)


def ground_story(story: Briefing, reports: Sequence[Report]) -> Briefing:
    """``story`` with every actor, the assessment and every risk checked against the
    articles of the reports its quotes cite, the situation checked against all the reports
    together, ``provenance.grounding`` set and one ``unsupported`` flag if anything fails."""

    def checked(item: _Item) -> _Item:
        reasons: list[str] = []
        # A quote without a source number (or with one no source has) is tied to none: 0.
        numbers = [*item.evidence_sources, *[0] * len(item.evidence)]
        cited = [
            (q, n if 1 <= n <= len(reports) else 0)
            for q, n in zip(item.evidence, numbers, strict=False)
            if q.strip()
        ]
        if not cited:
            reasons.append("no evidence given")
        missing = [(q, n) for q, n in cited if not n or not reports[n - 1].index.contains_quote(q)]
        if missing:
            q, n = missing[0]
            where = f"the article of source {n}" if n else "any source it is tied to"
            reasons.append(f'quote not found in {where}: "{_preview(q)}"')
        if isinstance(item, Actor):
            cites = sorted({n for _, n in cited if n}) or [1]
            forms = name_forms(item)
            if not any(reports[n - 1].index.contains_name(f) for n in cites for f in forms):
                reasons.append(f'actor name "{item.name}" does not occur in its sources')
        return item.model_copy(
            update={"supported": not reasons, "reason": "; ".join(reasons) or None}
        )

    story = story.model_copy(
        update={
            "actors": [checked(a) for a in story.actors],
            "assessment": checked(story.assessment),
            "risks": [checked(r) for r in story.risks],
        }
    )
    failed = unsupported_items(story)
    total = len(story.actors) + 1 + len(story.risks)
    flags = [f for f in story.flags if f.kind not in _RECHECKED]
    if failed:
        verb = "is" if len(failed) == 1 else "are"
        flags.append(
            Flag(
                kind=UNSUPPORTED,
                detail=f"{len(failed)} of {total} items {verb} not supported by the articles "
                f"of the sources they cite: {'; '.join(failed)}",
            )
        )
    together = _together(story, reports)
    flags += [f for f in injection_flags(together, story) if f.kind == URL_NOT_IN_ARTICLE]
    summary = GroundingSummary(
        supported=total - len(failed),
        total=total,
        method=METHOD.replace("in the article", "in the article of the source it cites"),
    )
    story = story.model_copy(
        update={
            "flags": flags,
            "provenance": story.provenance.model_copy(update={"grounding": summary}),
        }
    )
    return check_situation(together, story)


# -- the rule's parts --------------------------------------------------------------------------


def _actors(reports: Sequence[Report], order: Sequence[int]) -> list[Actor]:
    """Actors merged when a name or alias of one is a name or alias of the other (by
    :func:`actor_key`: "Syrian government" with alias "Syria" is Syria's entry), and a lone
    word merged into the one full name it ends (a surname)."""
    found: list[tuple[int, Actor]] = [(i, a) for i in order for a in reports[i].briefing.actors]
    keys = [{actor_key(n) for n in (a.name, *a.aliases)} for _, a in found]
    parent = list(range(len(found)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, int] = {}
    for x, ks in enumerate(keys):
        for k in sorted(ks):
            if k in owner:
                parent[root(x)] = root(owner[k])
            else:
                owner[k] = x
    for k, x in owner.items():
        full = {root(owner[f]) for f in owner if " " not in k and f.endswith(" " + k)}
        if len(full) == 1 and root(x) not in full:
            parent[root(x)] = full.pop()
    groups: dict[int, list[tuple[int, Actor]]] = {}
    for x, item in enumerate(found):
        groups.setdefault(root(x), []).append(item)
    actors: list[tuple[int, int, Actor]] = []
    for rank, members in enumerate(sorted(groups.values(), key=lambda g: found.index(g[0]))):
        # The name most reports use (the lead's, of equals) names the merged actor.
        names = Counter(a.name for _, a in members)
        first = next(a for _, a in members if names[a.name] == max(names.values()))
        evidence: list[str] = []
        sources: list[int] = []
        aliases = list(first.aliases)
        for i, actor in members:
            for alias in (actor.name, *actor.aliases):
                if alias != first.name and alias not in aliases:
                    aliases.append(alias)
            quote = next((q for q in actor.evidence if q.strip()), None)
            if quote is not None and i + 1 not in sources:
                evidence.append(quote)
                sources.append(i + 1)
        reporters = len({i for i, _ in members})
        actor = first.model_copy(
            update={
                "aliases": aliases,
                "evidence": evidence,
                "evidence_sources": sources,
                "supported": None,
                "reason": None,
            }
        )
        actors.append((-reporters, rank, actor))
    return [a for _, _, a in sorted(actors, key=lambda x: x[:2])][:MAX_ACTORS]


def _risks(reports: Sequence[Report], order: Sequence[int]) -> list[Risk]:
    """Risks that describe one danger (shared content words, or a shared quote) as one."""
    groups: list[list[tuple[int, Risk]]] = []
    for i in order:
        for risk in reports[i].briefing.risks:
            for found in groups:
                if any(_same_risk(risk, other) for _, other in found):
                    found.append((i, risk))
                    break
            else:
                groups.append([(i, risk)])
    risks: list[tuple[int, int, Risk]] = []
    for rank, found in enumerate(groups):
        worst = max(found, key=lambda ir: _RANK[ir[1].likelihood] + _RANK[ir[1].impact])[1]
        likelihood = max((r.likelihood for _, r in found), key=_RANK.__getitem__)
        impact = max((r.impact for _, r in found), key=_RANK.__getitem__)
        evidence, sources = [], []
        for i, risk in found:
            quote = next((q for q in risk.evidence if q.strip()), None)
            if quote is not None and i + 1 not in sources:
                evidence.append(quote)
                sources.append(i + 1)
        merged = worst.model_copy(
            update={
                "likelihood": likelihood,
                "impact": impact,
                "evidence": evidence,
                "evidence_sources": sources,
                "supported": None,
                "reason": None,
            }
        )
        risks.append((-(_RANK[likelihood] + _RANK[impact]), rank, merged))
    return [r for _, _, r in sorted(risks, key=lambda x: x[:2])][:MAX_RISKS]


def _same_risk(a: Risk, b: Risk) -> bool:
    if set(a.evidence) & set(b.evidence):
        return True
    return overlap_words(a.description, b.description) >= SAME_RISK


def _assessment(reports: Sequence[Report], order: Sequence[int]) -> Assessment:
    """The assessment of the report with the most support: the highest share of items its
    article supports, then a supported assessment, then confidence, then the lead first."""

    def support(i: int) -> tuple[float, int, int]:
        b = reports[i].briefing
        g = b.provenance.grounding
        share = g.supported / g.total if g and g.total else 0.0
        return (share, int(b.assessment.supported is True), _CONFIDENCE[b.assessment.confidence])

    best = max(order, key=support)  # max keeps the first of equals: the lead
    chosen = reports[best].briefing.assessment
    return chosen.model_copy(
        update={
            "evidence_sources": [best + 1] * len(chosen.evidence),
            "supported": None,
            "reason": None,
        }
    )


def _carried_flags(reports: Sequence[Report]) -> list[Flag]:
    """The reports' flags (injection, hidden text...) once each; the ones the story's own
    checks set again are left out."""
    flags: list[Flag] = []
    for r in reports:
        flags += [f for f in r.briefing.flags if f.kind not in _RECHECKED and f not in flags]
    return flags


def _together(story: Briefing, reports: Sequence[Report]) -> Article:
    """All the reports as one article, for the checks that read the story as a whole."""
    return Article(
        title=story.title,
        text="\n\n".join(r.article.text for r in reports),
        source=story.source,
    )


def _quotes(briefing: Briefing) -> list[str]:
    items: list[Actor | Assessment | Risk] = [*briefing.actors, briefing.assessment]
    items += briefing.risks
    return [q for item in items for q in item.evidence]


def _preview(quote: str, limit: int = 60) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"
