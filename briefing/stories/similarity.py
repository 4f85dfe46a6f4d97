"""Whether two reports are about the same event: a profile of each text, and one score.

A :class:`Profile` holds what a report says, as weighted *terms*: its content words (stop
words out, a crude stem so "strike", "strikes" and "striking" are one term), the names of its
actors (capitalised words and phrases; a state's demonym, capital and aliases are the state,
by the bundled gazetteer: "Syrian", "Damascus" and "Syria" are one name) and its figures
("19", "3,800", "32-22"). Words of the headline and of the opening sentences count more: a
news report says what happened first.

:func:`similarity` is the cosine of two profiles weighted by inverse document frequency over
the texts compared together (a day's articles, or a day's stories and the previous digest's),
smoothed so that a handful of texts does not make every shared word look rare. Names and
figures weigh more than words: reports of one event share its places, people and numbers
even when every sentence is worded differently, while two events in one country share only
the country (a common name, weighed down by its frequency). The thresholds the digest uses,
:data:`SAME_EVENT` (one story) and :data:`CONTINUES` (a story developing from the previous
digest), were measured on labelled pairs (``benchmarks/eval_stories.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from briefing.text.lexicon import COMMON_CAPITALISED, MONTHS_DAYS, STATE_NOUNS, STOPWORDS, TITLES
from briefing.text.lines import content_words, overlap, tokens
from briefing.text.sentences import split_sentences

__all__ = [
    "CONTINUES",
    "SAME_EVENT",
    "Profile",
    "actor_key",
    "cosine",
    "idf_of",
    "merged",
    "name_keys",
    "overlap_words",
    "profile",
    "similarity",
    "weighted",
]

# Measured on benchmarks/data/story-pairs.jsonl (benchmarks/eval_stories.py; README,
# "Stories"): the scores from which two reports of one day are one story, and a story
# continues one of the previous digest. 0.30 is the best F1 for both; for continuing, lower
# thresholds gain no recall on the pairs and cost precision, and a story wrongly called
# new (the earlier one listed as dropped) misleads less than one wrongly called developing.
SAME_EVENT = 0.30
CONTINUES = 0.30

NAME_WEIGHT = 2.0  # a name counts as much as two words
FIGURE_WEIGHT = 2.0
HEAD_WEIGHT = 2.0  # headline and opening sentences
HEAD_SENTENCES = 2
IDF_SMOOTHING = 8  # pseudo-documents: a small day does not make every shared word rare
TOP_TERMS = 80  # kept per profile (and per story in the digest history)

_FIGURE = re.compile(r"(?<![\w.,])\d[\d,.]*(?:-\d+)?(?![\w])")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_ORGANS = STATE_NOUNS | {"of", "the", "armed", "national", "federal", "central", "spokesman"}
_CONNECTORS = {"of", "al", "el", "de", "du", "la", "van", "von", "bin", "ibn", "and", "the"}


@dataclass(frozen=True)
class Profile:
    """What a text is about: term -> weight (names are ``@name``, figures ``#figure``)."""

    terms: Mapping[str, float] = field(default_factory=dict)


def profile(title: str, text: str) -> Profile:
    """The profile of a report: its headline ``title`` and its ``text``."""
    counts: defaultdict[str, float] = defaultdict(float)
    sentences = [s.text for s in split_sentences(text)]
    head = " ".join([title, *sentences[:HEAD_SENTENCES]])
    for part, weight in ((head, HEAD_WEIGHT - 1.0), (text, 1.0)):
        for word in content_words(part):
            stem = _stem(word)
            if stem and not stem.isdigit():
                counts[stem] += weight
    names: Counter[str] = Counter()
    for sentence in sentences:
        names.update(_names(sentence))
    for name, n in names.items():
        counts["@" + name] += NAME_WEIGHT * n
    for figure in _figures(text):
        counts["#" + figure] += FIGURE_WEIGHT
    weights = {t: 1.0 + math.log(c) if c >= 1 else c for t, c in counts.items()}
    return _top(weights)


def merged(profiles: Sequence[Profile]) -> Profile:
    """One profile for several reports of one story: each term at its highest weight."""
    terms: dict[str, float] = {}
    for p in profiles:
        for term, weight in p.terms.items():
            terms[term] = max(terms.get(term, 0.0), weight)
    return _top(terms)


def _top(weights: Mapping[str, float]) -> Profile:
    """The :data:`TOP_TERMS` heaviest terms (rounded: the digest history keeps them)."""
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TERMS]
    return Profile({t: round(w, 3) for t, w in top})


def idf_of(profiles: Sequence[Profile]) -> dict[str, float]:
    """Inverse document frequency of every term over ``profiles``, smoothed with
    :data:`IDF_SMOOTHING` pseudo-documents holding none of them."""
    df: Counter[str] = Counter()
    for p in profiles:
        df.update(p.terms.keys())
    n = len(profiles) + IDF_SMOOTHING
    return {term: math.log((n + 1) / (count + 1)) + 1.0 for term, count in df.items()}


def similarity(a: Profile, b: Profile, idf: Mapping[str, float]) -> float:
    """Cosine of the two profiles weighted by ``idf`` (a term it lacks weighs as the rarest)."""
    return cosine(weighted(a, idf), weighted(b, idf))


def weighted(p: Profile, idf: Mapping[str, float]) -> dict[str, float]:
    """The profile's terms weighted by ``idf`` and scaled to unit length (for :func:`cosine`)."""
    rarest = max(idf.values(), default=1.0)
    vector = {t: w * idf.get(t, rarest) for t, w in p.terms.items()}
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two unit vectors from :func:`weighted`."""
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def actor_key(name: str) -> str:
    """One key for the forms of an actor's name: the gazetteer's entity ("Syrian", "Damascus"
    -> syria), else its words in lower case without titles ("President Joe Biden" -> joe
    biden)."""
    entity = _entity(name)
    if entity:
        return entity
    # A state and words for its organs ("Syrian government", "Government of Syria",
    # "Turkish officials") stand for the state, as the grounding check has it.
    rest = [t.norm for t in tokens(name) if t.norm.lower() not in _ORGANS]
    if rest and len(rest) < len(tokens(name)):
        entity = _entity(" ".join(rest))
        if entity:
            return entity
    words = [t.norm.lower() for t in tokens(name)]
    kept = [w for w in words if w not in TITLES and w != "the"]
    return " ".join(kept or words) or name.strip().lower()


def overlap_words(a: str, b: str) -> float:
    """Overlap coefficient of the stemmed content words of two texts (0 to 1)."""
    return overlap({_stem(w) for w in content_words(a)}, {_stem(w) for w in content_words(b)})


# -- the parts of a profile ----------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude, consistent stem: "strikes", "striking", "strike" -> "strik". Not a linguist's
    stem, only the same key for the forms a news report uses."""
    word = word.lower().strip("'’-")
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _names(sentence: str) -> list[str]:
    """The name keys of a sentence's capitalised phrases (not its first word alone, which
    is capitalised anyway, unless the gazetteer knows it)."""
    found: list[str] = []
    toks = tokens(sentence)
    i = 0
    while i < len(toks):
        if not toks[i].capitalised or toks[i].norm.lower() in COMMON_CAPITALISED:
            i += 1
            continue
        j = i + 1
        while j < len(toks) and (
            toks[j].capitalised or (toks[j].norm.lower() in _CONNECTORS and j + 1 < len(toks))
        ):
            j += 1
        while j > i + 1 and not toks[j - 1].capitalised:
            j -= 1
        phrase = " ".join(t.norm for t in toks[i:j])
        if i > 0 or j > i + 1 or _entity(phrase):
            found.extend(name_keys(phrase))
        i = j
    return found


def name_keys(phrase: str) -> list[str]:
    """The keys of a name in a profile (``@key``): the gazetteer's entity for any form of
    it ("Syrian" -> syria), else its words that are not titles or common capitalised words
    ("Ahmad Yousef" -> ahmad, yousef): reports spell a full name once, then the surname."""
    entity = _entity(phrase)
    if entity:
        return [entity]
    keys = []
    for token in tokens(phrase):
        low = token.norm.lower()
        if (
            len(low) > 1
            and low not in COMMON_CAPITALISED
            and low not in MONTHS_DAYS
            and low not in TITLES
            and low not in _CONNECTORS
            and low not in STOPWORDS
        ):
            keys.append(_entity(token.norm) or low)
    return keys


def _entity(phrase: str) -> str | None:
    """The gazetteer entity a phrase names (lower case), or None."""
    key = tuple(t.norm for t in tokens(phrase))
    if key and key[0].lower() == "the":
        key = key[1:]
    name = _gazetteer().get(key)
    return name.lower() if name else None


@cache
def _gazetteer() -> dict[tuple[str, ...], str]:
    from briefing.text import gazetteer

    return {key: form.entry.name for key, form in gazetteer.load().forms.items()}


def _figures(text: str) -> set[str]:
    """The figures of a text that can tell one event from another: numbers above ten, not
    years ("19", "3,800", "32-22")."""
    out = set()
    for match in _FIGURE.finditer(text):
        value = match.group(0).rstrip(".,")
        plain = value.replace(",", "")
        if _YEAR.match(value):  # "2019", not "2,000"
            continue
        try:
            if "-" not in plain and float(plain) <= 10:
                continue
        except ValueError:
            continue
        out.add(plain)
    return out
