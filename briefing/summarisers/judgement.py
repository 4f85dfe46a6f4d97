"""The *assessment* and *risks* sections, chosen by transparent rules.

Assessment
    A sentence is a judgement when it is **attributed** (an assessor noun such as analysts,
    experts, specialists or officials together with a verb of judgement such as say, note,
    warn, argue, underscore; or "according to"; or "described ... as") and/or
    **evaluative** (words such as significant, strategy, deterrent, effectiveness,
    designed to). Score = 2 × attributed + 1 if the assessors are analysts/experts/
    specialists + 0.5 × evaluative words. Up to three of the best (at least score 2, no
    near-duplicates) form the text, in article order; the sentences are the evidence.

    Confidence: start at *moderate*. *High* when at least two attributed sentences from
    different assessors agree and none hedges. *Low* when most chosen sentences hedge
    (may, might, could, unclear, questions, whether...), or none is attributed.

Risks
    A sentence names a risk when it holds a strong cue (risk, threat, warn, fear, concern,
    danger, resurgence, regroup, escalation, instability, undermine, hamper, collapse...)
    that is not negated or mitigated ("rather than ... escalation", "reduce such risks"), or
    a modal (could, may, might, will) together with a severity word. The description is
    the warned-about clause (after "warned that", "fears that"...) or the clause around
    the cue, trimmed to one line.

    Likelihood from modality, weakest first: might/may/possible/potential → low;
    could/likely/would/can/risk/threaten → medium; will/expected/inevitable/imminent →
    high; otherwise medium (the article states it as a present danger).
    Impact from a severity lexicon: deaths/attack/war/collapse/famine/nuclear... → high;
    instability/unrest/sanctions/disruption/aid... → medium; else low.
    Near-duplicates (content-word overlap > 0.6) are dropped; at most six, most severe
    first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.model import Assessment, Confidence, Rating, Risk
from briefing.sentences import Sentence
from briefing.summarisers.lexicon import (
    ASSESSORS,
    DEFINITE,
    EVALUATIVE,
    HEDGES,
    IMPACT_HIGH,
    IMPACT_MEDIUM,
    JUDGEMENT_VERBS,
    LIKELY_HIGH,
    LIKELY_LOW,
    LIKELY_MEDIUM,
    words,
)
from briefing.summarisers.textutil import content_words, overlap, trim_line

MAX_ASSESSMENT_SENTENCES = 3
MAX_RISKS = 6
DUPLICATE = 0.6

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ANALYSTS = words(
    "analyst analysts expert experts specialist specialists observer observers scholar "
    "scholars researcher researchers economist economists strategist strategists commentators"
)
_ACCORDING = re.compile(r"\baccording to\b|\bdescribed\b.{1,80}\bas\b", re.IGNORECASE)
_STRONG_CUES = words(
    """
    risk risks risking threat threats threaten threatens threatened warn warns warned warning
    warnings fear fears feared concern concerns danger dangers dangerous resurgence regroup
    regain escalation escalate escalating destabilise destabilize destabilising instability
    vulnerable vulnerability hamper hampers hampering undermine undermines undermining
    spillover collapse crisis retaliation retaliate jeopardise jeopardize complicate
    complicating complicates exploit exploiting worries worried
    """
)
_MODALS = words("could may might will would")
_NEGATORS = words(
    "not no never rather than without reduce reduces reduced reducing mitigate mitigates "
    "minimise minimises minimize lower lowers avoid avoided averted"
)
_PHRASE = re.compile(r"\s(?=(?:to|from|that|which|as|while|and)\b)")
_CLAUSE_CUE = re.compile(
    r"\b(?:warn(?:s|ed|ing)?|fear(?:s|ed)?|concerns?|worr(?:y|ies|ied)|cautions?|"
    r"caution(?:ed)?|argu(?:es|ed|ing)|said|says|say)\s+(?:of\s+|about\s+)?that\s+",
    re.IGNORECASE,
)


def _lower_words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _attributed(low: list[str], text: str) -> tuple[bool, str]:
    """(is the sentence attributed to assessors?, which assessor word)."""
    assessor = next((w for w in low if w in ASSESSORS), "")
    verb = any(w in JUDGEMENT_VERBS for w in low)
    if assessor and verb:
        return True, assessor
    if _ACCORDING.search(text):
        return True, assessor or "according to"
    if verb and any(w in {"arguing", "argued", "argues", "warned", "stressing"} for w in low):
        return True, assessor or "source"
    return False, ""


def assess(sentences: Sequence[Sentence], exclude: set[int]) -> Assessment:
    """Pick 1–3 judgement sentences and rate confidence (see module docstring)."""
    scored: list[tuple[float, int, str]] = []
    for sent in sentences:
        if len(sent.text.split()) < 6:
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
        if any(overlap(bag, set(content_words(sentences[c].text))) > DUPLICATE for c, _ in chosen):
            continue
        chosen.append((index, assessor))
        if len(chosen) >= MAX_ASSESSMENT_SENTENCES:
            break
    if not chosen:
        return _fallback(sentences, exclude)
    chosen.sort()
    texts = [sentences[i].text for i, _ in chosen]
    return Assessment(
        text=" ".join(" ".join(t.split()) for t in texts),
        confidence=_confidence(texts, [a for _, a in chosen]),
        evidence=texts,
    )


def _confidence(texts: list[str], assessors: list[str]) -> Confidence:
    hedged = 0
    definite = 0
    for text in texts:
        low = set(_lower_words(text))
        if low & HEDGES or text.rstrip().endswith("?"):
            hedged += 1
        if low & DEFINITE:
            definite += 1
    attributed = [a for a in assessors if a]
    if not attributed or hedged * 2 > len(texts):
        return "low"
    if len(attributed) >= 2 and len(set(attributed)) >= 2 and hedged == 0:
        return "high"
    if definite and hedged == 0 and len(attributed) >= 2:
        return "high"
    return "moderate"


def _fallback(sentences: Sequence[Sentence], exclude: set[int]) -> Assessment:
    """No attributed judgement: the most evaluative sentence, at low confidence."""
    best: Sentence | None = None
    best_score = 0
    for sent in sentences:
        if sent.index in exclude or len(sent.text.split()) < 6:
            continue
        score = sum(1 for w in _lower_words(sent.text) if w in EVALUATIVE)
        if score > best_score:
            best, best_score = sent, score
    if best is None:
        body = [s for s in sentences if s.index not in exclude] or list(sentences)
        if not body:
            return Assessment(text="The article states no assessment.", confidence="low")
        best = body[-1]
    return Assessment(text=" ".join(best.text.split()), confidence="low", evidence=[best.text])


# -- risks -------------------------------------------------------------------------------


def _cue_at(low: list[str]) -> int:
    """Index of the first live risk cue in ``low`` (-1 if none)."""
    for i, word in enumerate(low):
        if word in _STRONG_CUES:
            window = low[max(0, i - 4) : i]
            if not any(w in _NEGATORS for w in window):
                return i
    if any(w in _MODALS for w in low) and any(w in IMPACT_HIGH for w in low):
        return next(i for i, w in enumerate(low) if w in _MODALS)
    return -1


def _describe(text: str, cue_word: str) -> str:
    flat = " ".join(text.split())
    match = _CLAUSE_CUE.search(flat)
    if match and len(flat) - match.end() > 25:
        return trim_line(flat[match.end() :])
    focus = 0
    found = re.search(rf"\b{re.escape(cue_word)}\b", flat, re.IGNORECASE)
    if found:
        focus = found.start()
    line = trim_line(flat, focus)
    if line.endswith("…") and focus > 100:
        # A long sentence without clause breaks: keep its end, where the danger is named.
        starts = [m.start() + 1 for m in _PHRASE.finditer(flat, 0, focus)]
        starts = [p for p in starts if 50 <= len(flat) - p <= 150] or [
            flat.find(" ", max(0, len(flat) - 150)) + 1
        ]
        tail = flat[starts[-1] :]
        line = "…" + tail[:1].lower() + trim_line(tail)[1:]
    return line


def _likelihood(low: list[str], text: str) -> Rating:
    flat = " ".join(text.lower().split())
    if any(w in LIKELY_LOW for w in low):
        return "low"
    if any(w in LIKELY_MEDIUM for w in low):
        return "medium"
    if any(w in LIKELY_HIGH for w in low) or re.search(r"\b(?:is|are) expected to\b", flat):
        return "high"
    return "medium"


def _impact(low: list[str]) -> Rating:
    if any(w in IMPACT_HIGH for w in low):
        return "high"
    if any(w in IMPACT_MEDIUM for w in low):
        return "medium"
    return "low"


_RANK = {"high": 2, "medium": 1, "low": 0}


def find_risks(sentences: Sequence[Sentence]) -> list[Risk]:
    """Forward-looking dangers the article names (see module docstring); may be empty."""
    found: list[tuple[int, int, Risk, set[str]]] = []
    for sent in sentences:
        if len(sent.text.split()) < 6:
            continue
        low = _lower_words(sent.text)
        at = _cue_at(low)
        if at < 0:
            continue
        description = _describe(sent.text, low[at])
        bag = set(content_words(description))
        if any(overlap(bag, other) > DUPLICATE for *_, other in found):
            continue
        risk = Risk(
            description=description,
            likelihood=_likelihood(low, sent.text),
            impact=_impact(_lower_words(description)),
            evidence=[sent.text],
        )
        severity = _RANK[risk.impact] * 3 + _RANK[risk.likelihood]
        found.append((severity, sent.index, risk, bag))
    found.sort(key=lambda t: (-t[0], t[1]))
    return [risk for _sev, _i, risk, _bag in found[:MAX_RISKS]]
