"""The *risks* section: forward-looking dangers the article names, by transparent rules.

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
    exploiting instability", "efforts to combat…", "its presence is necessary to prevent a
    resurgence"): that is intent or an argument for a policy, not a danger the article
    names. Past threats made ("she threatened to…") are events, not risks.

    *Forward-looking.* A risk is about what may come: the cue is a warning verb or a danger
    noun ("fears that…", "a threat to…"), or the description holds a modal or future
    marker (could, may, will, likely, "is expected to", "if …", "threatens to"), or the
    sentence shows a trend that goes on (increasingly, growing, "continues to"…). A danger word
    in a statement of present or past fact ("the withdrawal has left a vacuum that armed
    groups have been quick to exploit", "its strategy relies on violence to undermine
    stability") describes the situation or a judgement of it: not a risk.

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
    its paragraph. Then one adjustment: a risk rebutted in the next sentence of its
    paragraph ("… counter that …", "dismissed", "rejected", "reduce such risks") drops one
    level. When the next sentence decided the rating (it shows the danger going on, or
    rebuts it), it joins the evidence, so the reason for the likelihood is on the page.

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

from briefing.model import Rating, Risk
from briefing.text.lexicon import (
    IMPACT_HIGH,
    IMPACT_MEDIUM,
    LIKELY_HIGH,
    LIKELY_LOW,
    LIKELY_MEDIUM,
    words,
)
from briefing.text.lines import content_words, lead_line, overlap, self_contained, strip_opening
from briefing.text.sentences import Sentence
from briefing.text.words import count_words

MAX_RISKS = 6
DUPLICATE = 0.6
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

MAX_RISK_LINE = 200
# Longer "sentences" are run-ons (a page without full stops, a list, a 5 MB line): no readable
# risk or judgement comes of them, and the cue scan is quadratic within one sentence, so this
# bound keeps the whole pass linear in the article's length.
MAX_SENTENCE_CHARS = 1500
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
# Future and condition markers beside the modals (could, may, might, will, would).
_FUTURE = words("can cannot likely unlikely if unless until soon imminent looming possible")
# A trend that goes on ("increasingly dangerous"); not "persistent" or "already", which
# describe what is ("relies on persistent violence").
_TREND = re.compile(
    r"\b(?:increasingly|growing|mounting|worsening|rising|spreading|deteriorating|"
    r"escalating|continu(?:e|es|ing)\s+to|still)\b",
    re.IGNORECASE,
)
_THREATENS_TO = re.compile(r"\bthreaten(?:s|ed|ing)?\s+to\b", re.IGNORECASE)
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
        if not frame and any(w in _PROTECTIVE for w in same):
            continue  # "commitment to preventing X from exploiting ...": intent
        out.append(_Cue(word, frame))
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
        out.append(_Cue(word, False))
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


def _likelihood(line: str, text: str, following: str) -> tuple[Rating, bool]:
    """Modality of the description, then the article's evidence (module docstring).

    The flag says whether ``following`` (the next sentence) decided the rating.
    """
    ws = _split_words(line)
    lows = {w.low for k, w in enumerate(ws) if w.text != "May" or k == 0}
    from_next = False
    if lows & LIKELY_LOW:
        level = 0
    elif lows & LIKELY_MEDIUM:
        level = 1
    elif lows & LIKELY_HIGH or _HIGH_PHRASE.search(line) or _ONGOING.search(text):
        level = 2  # "will", "is expected to", or a danger stated as fact and shown going on
    elif _ONGOING.search(following):
        level, from_next = 2, True
    else:
        level = 1
    if _REBUTTAL.search(following):
        level, from_next = level - 1, True
    return _LEVELS[max(0, level)], from_next


def _forward_looking(cues: list[_Cue], flat: str) -> bool:
    """Is the danger about what may come, not a description of what is (module docstring)?"""
    if any(c.frame or c.word.low in _DANGER_NOUNS for c in cues):
        return True
    ws = _split_words(flat)
    if any(_is_modal(w, k == 0) or w.low in _FUTURE for k, w in enumerate(ws)):
        return True
    return bool(_HIGH_PHRASE.search(flat) or _TREND.search(flat) or _THREATENS_TO.search(flat))


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
        if count_words(sent.text) < 6 or len(sent.text) > MAX_SENTENCE_CHARS:
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
        if not _forward_looking(cues, flat):
            continue
        for cue in cues:
            description = _describe(flat, cue)
            if description is not None:
                break
        else:
            continue
        bag = set(content_words(description))
        if any(overlap(bag, other) > DUPLICATE for *_, other in found):
            continue
        likelihood, from_next = _likelihood(description, flat, following)
        risk = Risk(
            description=description,
            likelihood=likelihood,
            impact=_impact(description),
            # The sentence naming the danger, and the one the rating rests on if not itself.
            evidence=[sent.text, sentences[pos + 1].text] if from_next else [sent.text],
        )
        severity = _RANK[risk.impact] * 3 + _RANK[risk.likelihood]
        found.append((severity, sent.index, risk, bag))
    found.sort(key=lambda t: (-t[0], t[1]))
    return [risk for _sev, _i, risk, _bag in found[:MAX_RISKS]]
