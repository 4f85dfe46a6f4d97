"""The *assessment* section, chosen by transparent rules (the risks: :mod:`.risks`).

Assessment
    A sentence is a judgement when it is **attributed** (an assessor noun such as analysts,
    experts, specialists or officials together with a verb of judgement such as say, note,
    warn, argue, underscore; or "according to"; or "described ... as") and/or
    **evaluative** (words such as significant, strategy, deterrent, effectiveness,
    designed to). Score = 2 × attributed + 1 if the assessors are analysts/experts/
    specialists + 0.5 × evaluative words. Up to three of the best (at least score 2; a
    near-repeat only when another assessor says it) form the text, in article order; the
    sentences are the evidence.

    Confidence: *moderate* by default. *High* only when two attributed judgements by
    different assessors make the same point (content words overlap by ``CORROBORATE``,
    0.2) and neither hedges: unrelated judgements side by side corroborate nothing. *Low*
    when most chosen sentences hedge (may, might, could, unclear, questions, whether...),
    or none is attributed.

    Evidence and text: each judgement is its own paragraph of the text, and its own quote
    in the evidence: separate claims, read and rated one by one, never glued together.
    Quotations ("…," an official said) and reports of events ("officials said its forces
    repelled an assault") are not judgements; "according to" attributes a judgement only to
    analysts, experts or specialists (not "according to the grid operator"). A warning that
    is listed as a risk is left to the risks.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from briefing.model import Assessment, Confidence
from briefing.summarisers.offline.risks import MAX_SENTENCE_CHARS, find_risks
from briefing.text.lexicon import ASSESSORS, EVALUATIVE, HEDGES, JUDGEMENT_VERBS, words
from briefing.text.lines import content_words, overlap
from briefing.text.sentences import Sentence
from briefing.text.words import count_words

__all__ = ["assess", "find_risks"]  # find_risks: where it used to live

MAX_ASSESSMENT_SENTENCES = 3
DUPLICATE = 0.6

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ANALYSTS = words(
    "analyst analysts expert experts specialist specialists observer observers scholar "
    "scholars researcher researchers economist economists strategist strategists commentators"
)
_ACCORDING = re.compile(r"\baccording to\b|\bdescribed\b.{1,80}\bas\b", re.IGNORECASE)
_REPORTING = words("say says said")  # report as much as judge: only analysts' count
# A quotation is what someone said, shown as evidence elsewhere; it is not the analysis.
_QUOTED = re.compile(r"^\s*[\"“‘'«]|[\"“”]\s*,?\s*(?:a|an|the)?\s*[\w\s-]{0,40}\bsaid\b")
CORROBORATE = 0.2  # content-word overlap at which two judgements make the same point


def _lower_words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _attributed(low: list[str], text: str) -> tuple[bool, str]:
    """(is the sentence attributed to assessors?, which assessor word)."""
    assessor = next((w for w in low if w in ASSESSORS), "")
    verbs = {w for w in low if w in JUDGEMENT_VERBS}
    if assessor and verbs and (verbs - _REPORTING or assessor in _ANALYSTS):
        # "Officials said its forces repelled an assault" reports an event; "analysts say"
        # or "officials warned" judges it.
        return True, assessor
    according = _ACCORDING.search(text)
    if according and (assessor in _ANALYSTS or according.group(0).lower() != "according to"):
        # "according to specialists" judges, "described … as" judges; "according to the
        # grid operator" only says where a fact comes from.
        return True, assessor or "according to"
    if verbs and any(w in {"arguing", "argued", "argues", "warned", "stressing"} for w in low):
        return True, assessor or "source"
    return False, ""


def assess(sentences: Sequence[Sentence], exclude: set[int]) -> Assessment:
    """Pick 1–3 judgement sentences and rate confidence (see module docstring)."""
    scored: list[tuple[float, int, str]] = []
    for sent in sentences:
        if count_words(sent.text) < 6 or len(sent.text) > MAX_SENTENCE_CHARS:
            continue
        if _QUOTED.search(sent.text):
            continue
        low = _lower_words(sent.text)
        attributed, assessor = _attributed(low, sent.text)
        evaluative = sum(1 for w in low if w in EVALUATIVE)
        score = 2.0 * attributed + (1.0 if assessor in _ANALYSTS else 0.0) + 0.5 * evaluative
        if sent.index in exclude:
            score -= 1.0  # already in the situation
        if score >= 2.0:
            scored.append((score, sent.index, assessor if attributed else ""))
    scored.sort(key=lambda t: (-t[0], t[1]))
    chosen: list[tuple[int, str]] = []
    for _score, index, assessor in scored:
        bag = set(content_words(sentences[index].text))
        # A near-repeat is dropped, unless another assessor says it: that is corroboration.
        if any(
            overlap(bag, set(content_words(sentences[c].text))) > DUPLICATE
            and not (assessor and other and assessor != other)
            for c, other in chosen
        ):
            continue
        chosen.append((index, assessor))
        if len(chosen) >= MAX_ASSESSMENT_SENTENCES:
            break
    if not chosen:
        return _fallback(sentences, exclude)
    chosen.sort()
    texts = [sentences[i].text for i, _ in chosen]
    return Assessment(
        # One paragraph a judgement: they are separate claims, read (and rated) one by one.
        text="\n\n".join(" ".join(t.split()) for t in texts),
        confidence=_confidence(texts, [a for _, a in chosen]),
        evidence=texts,
    )


def _confidence(texts: list[str], assessors: list[str]) -> Confidence:
    """How far the article's judgements support each other (module docstring).

    Several judgements side by side are not corroboration: *high* needs two attributed
    judgements by different assessors that make the same point (content words overlap by
    ``CORROBORATE``), neither hedged; *low* when none is attributed or most hedge.
    """
    hedged = [bool(set(_lower_words(t)) & HEDGES) or t.rstrip().endswith("?") for t in texts]
    attributed = [i for i, a in enumerate(assessors) if a]
    if not attributed or sum(hedged) * 2 > len(texts):
        return "low"
    bags = [set(content_words(t)) for t in texts]
    for i, j in itertools.combinations(attributed, 2):
        if assessors[i] == assessors[j] or hedged[i] or hedged[j]:
            continue
        if overlap(bags[i], bags[j]) >= CORROBORATE:
            return "high"
    return "moderate"


def _fallback(sentences: Sequence[Sentence], exclude: set[int]) -> Assessment:
    """No attributed judgement: the most evaluative sentence, at low confidence."""
    best: Sentence | None = None
    best_score = 0
    for sent in sentences:
        if sent.index in exclude or count_words(sent.text) < 6:
            continue
        if len(sent.text) > MAX_SENTENCE_CHARS or _QUOTED.search(sent.text):
            continue
        score = sum(1 for w in _lower_words(sent.text) if w in EVALUATIVE)
        if score > best_score:
            best, best_score = sent, score
    if best is None:
        body = [s for s in sentences if s.index not in exclude] or list(sentences)
        body = [s for s in body if len(s.text) <= MAX_SENTENCE_CHARS]
        if not body:
            return Assessment(text="The article states no assessment.", confidence="low")
        best = body[-1]
    return Assessment(text=" ".join(best.text.split()), confidence="low", evidence=[best.text])
