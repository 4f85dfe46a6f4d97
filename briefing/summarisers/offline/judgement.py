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
    A risk is a forward-looking danger the article names: a warning, a threat, a fear, what
    could go wrong. Statements of intent or commitment are not risks.

    *Detection.* A sentence names a risk when it holds a live cue:

    * a warning verb (warn, caution), whose complement is the danger;
    * a danger noun (risk, threat, fear, concern, worry, danger, warning) with a complement
      ("fears *that*…", "concerns *about*…", "a threat *to*…", "*at* risk *of*…", "risk
      complicat*ing*…") or after "poses"/"remains"/"serious"…; a bare noun is a feeling or a
      label ("strikes fear into", "emerging threats"), not a named danger;
    * a danger word (resurgence, regroup, escalation, instability, hamper, undermine,
      collapse, crisis, exploit, threatens, dangerous…); or a modal (could, may, might,
      will, would) together with a severity word (attack, war, famine…).

    A cue is dead when a negator or mitigator stands in the four words before it ("not",
    "rather than", "reduce such risks"), or when it is the object of a protective or
    committed action earlier in its clause ("commitment to … preventing X from
    exploiting instability", "efforts to combat…"): that is intent, not danger. The
    exception is a necessity claim ("is necessary to prevent a resurgence"): the danger is
    real if the measure stops, so it stays, as a *counterfactual* risk. Past threats made
    ("she threatened to…") are events, not risks.

    *Description.* The first of these spans that reads on its own wins: (a) the
    complement of a reporting or warning verb ("warned that …", "warned on Thursday
    that …", "argue that …", "analysts say the …"); (b) the whole sentence, if it fits
    the line; (c) the clause around the cue; (d) the sentence again, cut after the cue. A
    span reads on its own when it does not open with an ellipsis or a pronoun/determiner
    pointing elsewhere ("It", "Its", "They", "This", "Such", "Both"…) and — except for
    (a) — is not a lower-case fragment ("cutting electricity imports…"); see
    :func:`briefing.text.lines.self_contained`. A sentence opening with a
    quotation mark is never used whole. The span is kept from its start and
    cut only at its end, at a clause or phrase break, to at most ``MAX_RISK_LINE`` (200)
    characters, and must still show the cue. A sentence with no such span is not reported
    (a quotation or a fragment the reader cannot place is no use in a brief).

    *Likelihood.* First the modality of the description, weakest first: might, may,
    possible, potential, unlikely → low; could, would, can, likely, risk, threaten →
    medium; will, "is expected / set / bound / due to", inevitable, imminent → high. A
    danger stated as present fact (no modal: "retains the capacity to regroup",
    "insecurity hampers aid") is medium, and high when the article shows it is already
    happening or persistent — continue(d), persistent, ongoing, repeatedly, increasingly,
    already, "has long warned", growing, mounting — in the sentence or the next sentence of
    its paragraph. Then two adjustments: a counterfactual risk ("necessary to prevent…") is
    low; a risk rebutted in the next sentence of its paragraph ("… counter that …",
    "dismissed", "rejected", "reduce such risks") drops one level.

    *Impact* from a severity lexicon over the description (hyphenated words count by their
    parts: famine-like → famine): deaths/attack/war/collapse/famine/malnutrition/
    abductions… → high; instability/unrest/sanctions/disruption/aid/prices… → medium;
    else low. Near-duplicates (content-word overlap > 0.6) are dropped; at most six, most
    severe (impact, then likelihood) first, then in article order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.model import Assessment, Confidence, Rating, Risk
from briefing.text.lexicon import (
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
from briefing.text.lines import (
    content_words,
    lead_line,
    overlap,
    self_contained,
    strip_opening,
)
from briefing.text.sentences import Sentence

MAX_ASSESSMENT_SENTENCES = 3
MAX_RISKS = 6
DUPLICATE = 0.6

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ANALYSTS = words(
    "analyst analysts expert experts specialist specialists observer observers scholar "
    "scholars researcher researchers economist economists strategist strategists commentators"
)
_ACCORDING = re.compile(r"\baccording to\b|\bdescribed\b.{1,80}\bas\b", re.IGNORECASE)


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

MAX_RISK_LINE = 200
MIN_COMPLEMENT = 25  # characters: a shorter "warned that ..." clause names no danger

# Warning verbs: the clause they introduce is the danger.
_WARN_VERBS = words("warn warns warned warning caution cautions cautioned cautioning")
# Danger nouns: a named danger only with a complement ("fears that", "a threat to").
_DANGER_NOUNS = words(
    """
    risk risks threat threats fear fears feared concern concerns worry worries worried
    danger dangers warnings
    """
)
_COMPLEMENTS = words("of that about over for to from among against within")
_POSE = words(
    """
    pose poses posed posing remain remains serious grave real growing mounting major
    significant direct imminent credible biggest greatest increased heightened
    """
)
# Danger words: a named danger on their own.
_DANGER_WORDS = words(
    """
    threaten threatens threatening dangerous resurgence regroup regain escalation escalate
    escalating destabilise destabilize destabilises destabilizes destabilising
    destabilizing instability vulnerable vulnerability hamper hampers hampering undermine
    undermines undermining spillover collapse crisis retaliation retaliate jeopardise
    jeopardize jeopardises jeopardizes complicate complicates complicating exploit
    exploiting
    """
)
_MODALS = words("could may might will would")
_NEGATORS = words(
    "not no never rather than without reduce reduces reduced reducing mitigate mitigates "
    "minimise minimises minimize lower lowers avoid avoided averted"
)
# Protective or committed action: a cue after one of these in its clause is intent.
_PROTECTIVE = words(
    """
    prevent prevents preventing prevented avert averting stop stopping curb curbing
    counter countering combat combating combatting tackle tackling deter deterring thwart
    thwarting foil protect protecting guard guarding defend defending commitment committed
    pledge pledged vowed
    """
)
# ... unless a necessity claim governs it: "is necessary to prevent a resurgence".
_NECESSITY = words("necessary needed essential vital crucial required must indispensable")
_CLAUSE_PUNCT = re.compile(r"[,;:()–—…]|\s-\s")
_CLAUSE_START = re.compile(
    r"(?:[,;:–—(…]|\s-)\s*|\s(?=(?:but|yet|while|whereas|although|though|because)\s)"
)
_QUOTES = "\"'“‘"
# "warned that …", "said on Thursday that …", "analysts say the …": the complement.
_COMPLEMENT_OF = re.compile(
    r"\b(?:warn(?:s|ed|ing)?|fear(?:s|ed)?|concerns?|worr(?:y|ies|ied)|"
    r"caution(?:s|ed|ing)?|argu(?:e|es|ed|ing)|sa(?:y|ys|id)|not(?:e|es|ed)|"
    r"believ(?:e|es|ed)|suggest(?:s|ed)?|predict(?:s|ed)?|estimat(?:e|es|ed)|"
    r"establish(?:es|ed)?|f(?:ind|inds|ound)|show(?:s|ed|n)?|acknowledg(?:e|es|ed)|"
    r"insist(?:s|ed)?|claim(?:s|ed)?|stress(?:es|ed)?|emphasi[sz](?:e|es|ed))"
    r"(?:\s+(?:on|in|at|last|earlier|this|late)(?:\s+[\w'’]+){1,3}?)?"
    r"\s+(?:of\s+|about\s+)?that\b[\s,]*"
    r"|\b(?:sa(?:y|ys|id)|fear(?:s|ed)?|concerns?|believ(?:e|es|ed)|argu(?:e|es|ed))"
    r"\s+(?=(?:the|a|an)\s)",
    re.IGNORECASE,
)
_HIGH_PHRASE = re.compile(r"\b(?:is|are) (?:expected|set|poised|bound|certain|due) to\b", re.I)
_ONGOING = re.compile(
    r"\b(?:continu(?:e|es|ed|ing)|persist\w*|ongoing|repeatedly|increasingly|already|"
    r"(?:has|have) long|growing|mounting|worsening)\b",
    re.IGNORECASE,
)
_REBUTTAL = re.compile(
    r"\bcounter(?:s|ed)?\s+that\b|\bdismiss(?:es|ed)?\b|\breject(?:s|ed)?\b|\bdownplay\w*|"
    r"\bplayed down\b|\breduce[sd]?\s+(?:such|these|those|the)\s+(?:risks?|threats?|dangers?)",
    re.IGNORECASE,
)
_LEVELS: tuple[Rating, Rating, Rating] = ("low", "medium", "high")
# A quick filter (substring tests, cheap): a sentence holding none of these has no cue.
_CUE_STEMS = tuple(
    sorted(
        {w[:5] for w in _WARN_VERBS | _DANGER_NOUNS | _DANGER_WORDS | IMPACT_HIGH} | {"threatened"}
    )
)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    low: str
    start: int
    end: int
    clause: int


@dataclass(frozen=True, slots=True)
class _Cue:
    word: _Word
    frame: bool  # a warning verb: its complement is the danger
    counterfactual: bool  # "necessary to prevent ...": a danger if the measure stops


def _split_words(flat: str) -> list[_Word]:
    breaks = [m.start() for m in _CLAUSE_PUNCT.finditer(flat)]
    out: list[_Word] = []
    clause = 0
    for match in _WORD.finditer(flat):
        while clause < len(breaks) and breaks[clause] < match.start():
            clause += 1
        text = match.group(0)
        out.append(_Word(text, text.lower().replace("’", "'"), match.start(), match.end(), clause))
    return out


def _is_modal(word: _Word, first: bool) -> bool:
    return word.low in _MODALS and (word.text != "May" or first)  # May the month


def _parts(low: str) -> list[str]:
    return [low, *low.split("-")] if "-" in low else [low]


def _has_complement(ws: list[_Word], i: int) -> bool:
    word = ws[i]
    after = ws[i + 1] if i + 1 < len(ws) and ws[i + 1].clause == word.clause else None
    before = [w.low for w in ws[max(0, i - 2) : i] if w.clause == word.clause]
    if after is not None and after.low in _COMPLEMENTS:
        return True
    at_risk = before[-1:] == ["at"] or (after is not None and after.low.endswith("ing"))
    if word.low in {"risk", "risks"} and at_risk:
        return True
    if any(b in _POSE for b in before):
        return True
    # "concerns the indebted nation would default": a that-less clause with a modal.
    if after is not None and after.low in {"the", "a", "an"}:
        rest = ws[i + 2 : i + 12]
        return any(w.clause == word.clause and w.low in _MODALS for w in rest)
    return False


def _cues(ws: list[_Word]) -> list[_Cue]:
    """The live risk cues of a sentence, in order (see the module docstring)."""
    out: list[_Cue] = []
    for i, word in enumerate(ws):
        low = word.low
        frame = low in _WARN_VERBS
        if frame or low in _DANGER_WORDS:
            pass
        elif low in _DANGER_NOUNS:
            if not _has_complement(ws, i):
                continue
        elif low == "threatened":
            if i == 0 or ws[i - 1].low not in {"has", "have"}:
                continue  # a threat made in the past is an event
        else:
            continue
        if any(w.low in _NEGATORS for w in ws[max(0, i - 4) : i]):
            continue
        same = [w.low for w in ws[:i] if w.clause == word.clause]
        counterfactual = False
        if not frame and any(w in _PROTECTIVE for w in same):
            first = next(k for k, w in enumerate(same) if w in _PROTECTIVE)
            if not any(w in _NECESSITY for w in same[:first]):
                continue  # "commitment to preventing X from exploiting ...": intent
            counterfactual = True
        out.append(_Cue(word, frame, counterfactual))
    if out:
        return out
    # A modal with a severity word in the same clause: "Russia could launch an offensive".
    for i, word in enumerate(ws):
        if not any(p in IMPACT_HIGH for p in _parts(word.low)):
            continue
        clause = [w for w in ws if w.clause == word.clause]
        if not any(_is_modal(w, w is ws[0]) for w in clause):
            continue
        if any(w.low in _NEGATORS for w in ws[max(0, i - 4) : i]):
            continue
        out.append(_Cue(word, False, False))
        break
    return out


def _complement(flat: str, cue: _Cue) -> tuple[int, int] | None:
    """(start, reach) of the reported clause that holds or follows ``cue``, if any."""
    best: tuple[int, int] | None = None
    for match in _COMPLEMENT_OF.finditer(flat):
        start = match.end()
        if start <= cue.word.start:
            best = (start, cue.word.end - start)  # the cue lies in the complement
        elif cue.frame and match.start() <= cue.word.start < start:
            best = (start, 0)  # the warning verb introduces it
        else:
            break
    if best is None or len(flat) - best[0] < MIN_COMPLEMENT:
        return None
    return best


def _from(flat: str, start: int, reach: int, fragment_ok: bool) -> str | None:
    """A line from ``flat[start:]`` that stands alone and shows ``reach`` chars, or None."""
    span = flat[start:]
    stripped = strip_opening(span)
    if not self_contained(stripped, fragment_ok=fragment_ok):
        return None
    return lead_line(stripped, MAX_RISK_LINE, reach - (len(span) - len(stripped)))


def _describe(flat: str, cue: _Cue) -> str | None:
    """The first span that reads on its own (see the module docstring), or None."""
    found = _complement(flat, cue)
    if found is not None:
        line = _from(flat, found[0], found[1], fragment_ok=True)
        if line is not None:
            return line
    quoted = flat[:1] in _QUOTES
    if not quoted and len(flat) <= MAX_RISK_LINE:
        line = _from(flat, 0, 0, fragment_ok=False)
        if line is not None:
            return line
    starts = [m.end() for m in _CLAUSE_START.finditer(flat, 0, cue.word.start)]
    if starts:
        line = _from(flat, starts[-1], cue.word.end - starts[-1], fragment_ok=False)
        if line is not None:
            return line
    if not quoted:
        return _from(flat, 0, cue.word.end, fragment_ok=False)
    return None


def _likelihood(line: str, text: str, following: str, counterfactual: bool) -> Rating:
    """Modality of the description, then the article's evidence (module docstring)."""
    if counterfactual:
        return "low"
    ws = _split_words(line)
    lows = {w.low for k, w in enumerate(ws) if w.text != "May" or k == 0}
    if lows & LIKELY_LOW:
        level = 0
    elif lows & LIKELY_MEDIUM:
        level = 1
    elif lows & LIKELY_HIGH or _HIGH_PHRASE.search(line):
        level = 2
    else:  # a danger stated as present fact
        level = 2 if _ONGOING.search(text) or _ONGOING.search(following) else 1
    if _REBUTTAL.search(following):
        level -= 1
    return _LEVELS[max(0, level)]


def _impact(line: str) -> Rating:
    lows = {p for w in _split_words(line) for p in _parts(w.low)}
    if lows & IMPACT_HIGH:
        return "high"
    if lows & IMPACT_MEDIUM:
        return "medium"
    return "low"


_RANK = {"high": 2, "medium": 1, "low": 0}


def find_risks(sentences: Sequence[Sentence]) -> list[Risk]:
    """Forward-looking dangers the article names (see module docstring); may be empty."""
    found: list[tuple[int, int, Risk, set[str]]] = []
    seen: set[str] = set()
    for pos, sent in enumerate(sentences):
        if len(sent.text.split()) < 6:
            continue
        lowered = sent.text.lower()
        if not any(stem in lowered for stem in _CUE_STEMS):
            continue
        flat = " ".join(sent.text.split())
        if flat in seen:
            continue  # an exact repeat can only give a duplicate
        seen.add(flat)
        cues = _cues(_split_words(flat))
        if not cues:
            continue
        following = ""
        if pos + 1 < len(sentences) and sentences[pos + 1].paragraph == sent.paragraph:
            following = " ".join(sentences[pos + 1].text.split())
        for cue in cues:
            description = _describe(flat, cue)
            if description is not None:
                break
        else:
            continue
        bag = set(content_words(description))
        if any(overlap(bag, other) > DUPLICATE for *_, other in found):
            continue
        risk = Risk(
            description=description,
            likelihood=_likelihood(description, flat, following, cue.counterfactual),
            impact=_impact(description),
            evidence=[sent.text],
        )
        severity = _RANK[risk.impact] * 3 + _RANK[risk.likelihood]
        found.append((severity, sent.index, risk, bag))
    found.sort(key=lambda t: (-t[0], t[1]))
    return [risk for _sev, _i, risk, _bag in found[:MAX_RISKS]]
