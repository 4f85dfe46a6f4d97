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

The situation has no evidence quotes, so :func:`check_situation` checks what a reader would
act on in it: the names (capitalised words) and numbers it states must occur in the article
(see :func:`situation_gaps` for what counts as the same name or number). What does not is
listed in one ``situation_unsupported`` flag. It is not an item: the grounding summary
keeps counting actors, the assessment and risks, as its "N of M items" always has. The
offline summariser copies the article's sentences, so its situations never raise it.

Matching a quote
----------------
Article and quote are normalised the same way: Unicode NFKC, case folding, curly and
straight quotes and apostrophes unified, every dash (‐ ‑ ‒ – — ― −) made "-", "…" made
"...", invisible format characters (soft hyphen, zero-width space and joiners, BOM)
dropped and whitespace collapsed; the quote also loses leading and trailing punctuation
and quote marks. The quote is found when it is then a substring of the article.

Otherwise a *small* difference is tolerated, measured on words: a quote of ``n >= 4``
words (as a reader counts them, separated by spaces) is found when some contiguous run of
the article is within ``n // 10`` word edits of it (a word changed, added or dropped: the
Levenshtein distance over tokens, i.e. runs of letters and digits with apostrophes inside,
so other punctuation is ignored). So a 12-word quote may differ in one word, a 20-word
quote in two, and a 4-9-word quote only in punctuation; a quote of fewer than 4 words
must match exactly. A quote with an ellipsis ("A ... B", "A […] B") is matched part by
part, each part after the previous one and with the same tolerance.

Why this tolerance: language models copy long spans faithfully but often change one small
word (tense, an article, "the" for "a") or drop a filler word; failing such a quote would
call a real passage "unsupported" and teach readers to ignore the flag. One word in ten
keeps >= 90 % of the words in order (the similarity the issue asks for), so the quote still
pins down one passage a reader can find, while a fabricated or paraphrased quote, which
shares far fewer words in sequence, fails. Short quotes carry too little text for any
tolerance: one changed word in three is a different claim. The price, stated plainly: in
a long quote one changed word passes even if it is "not".

Speed: the exact test is a substring search. The fuzzy test uses an index from each
article word to its positions. By the pigeonhole principle at most ``k`` quote words are
unmatched in an alignment with ``k`` edits, so among any ``k + 1`` quote words present in
the article one is matched exactly; the rarest such words are the anchors, and only the
short article regions around their occurrences are aligned, with Myers' bit-parallel
approximate matching over word symbols. A 100,000-word article with 30 quotes takes a
fraction of a second.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from typing import TypeVar

from briefing.model import Actor, Article, Assessment, Briefing, Flag, GroundingSummary, Risk
from briefing.text.lexicon import STATE_NOUNS, TITLES, words
from briefing.text.lines import Token, tokens

__all__ = [
    "METHOD",
    "MIN_FUZZY_WORDS",
    "SITUATION_UNSUPPORTED",
    "UNSUPPORTED",
    "ArticleIndex",
    "check_situation",
    "ground",
    "name_forms",
    "normalise",
    "situation_gaps",
    "unsupported_items",
]

UNSUPPORTED = "unsupported"  # the flag kind
MIN_FUZZY_WORDS = 4  # shorter quotes (and quote parts) must match exactly
WORDS_PER_EDIT = 10  # one word edit tolerated per ten quote words
QUOTE_PREVIEW = 60  # characters of a failing quote shown in its reason

METHOD = (
    "each item needs at least one evidence quote, and every quote must occur in the article "
    "after Unicode (NFKC), case, quote-mark, dash, ellipsis and whitespace normalisation; "
    f"a quote of {MIN_FUZZY_WORDS} or more words may differ by one word per "
    f"{WORDS_PER_EDIT} words (word-level edit distance), shorter quotes must match exactly; "
    "'...' splits a quote into parts found in order; an actor's name, an alias, another "
    "gazetteer form of the same entity or a person's surname must occur in the article"
)

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u00b4`"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TABLE: dict[int, str | None] = {
    **{ord(c): "-" for c in _DASHES},
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): None for c in _INVISIBLE},
    ord("\u2026"): "...",
}
_STRIP = string.punctuation + string.whitespace
_ELLIPSIS = re.compile(r"\s*\[?\.{3,}\]?\s*")
_WORD = re.compile(r"\w+(?:'\w+)*")  # a token: "ukraine's" is one, "air-defence" two
_READER_WORD = re.compile(r"\S*\w\S*")  # a word as a reader counts it (not a lone dash)
_MAX_REASON_QUOTES = 1
_ORGAN_WORDS = words(
    """
    of the armed national federal central special border coast guard guards security
    interior defence defense ministry forces fighters militants members spokesman
    spokeswoman spokesperson
    """
)
_Item = TypeVar("_Item", Actor, Assessment, Risk)


def normalise(text: str, *, fold: bool = True) -> str:
    """The comparison form of ``text`` (see the module docstring); ``fold`` case-folds."""
    if not text.isascii() or "`" in text:  # ASCII text is already in NFKC
        text = unicodedata.normalize("NFKC", text.translate(_TABLE)).translate(_TABLE)
    if fold:
        text = text.casefold()
    return " ".join(text.split())


def _quote_form(quote: str) -> str:
    return normalise(quote).strip(_STRIP)


class ArticleIndex:
    """The article (title and text) in comparison form; word index built on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = normalise(text)

    @classmethod
    def of(cls, article: Article) -> ArticleIndex:
        return cls(f"{article.title}\n\n{article.text}")

    @cached_property
    def cased(self) -> str:
        return normalise(self.text, fold=False)

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.folded)

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            positions.setdefault(word, []).append(i)
        return positions

    @cached_property
    def spans(self) -> tuple[list[int], list[int]]:
        """Start and end offsets (in ``folded``) of every word."""
        matches = list(_WORD.finditer(self.folded))
        return [m.start() for m in matches], [m.end() for m in matches]

    # -- quotes ---------------------------------------------------------------------------

    def contains_quote(self, quote: str) -> bool:
        """Is ``quote`` in the article, within the tolerance of the module docstring?"""
        form = _quote_form(quote)
        if not form:
            return False
        if form in self.folded:
            return True
        parts = [p.strip(_STRIP) for p in _ELLIPSIS.split(form)]
        parts = [p for p in parts if p]
        pos = 0
        for i, part in enumerate(parts):
            end = self._find_part(part, pos, last=i == len(parts) - 1)
            if end is None:
                return False
            pos = end
        return bool(parts)

    def _find_part(self, part: str, pos: int, *, last: bool) -> int | None:
        """End offset (in ``folded``) of the first match of ``part`` at or after ``pos``
        (any offset when ``last``: nothing follows), or None."""
        at = self.folded.find(part, pos)
        if at >= 0:
            return at + len(part)
        size = len(_READER_WORD.findall(part))
        if size < MIN_FUZZY_WORDS:
            return None
        first = bisect.bisect_left(self.spans[0], pos) if pos else 0
        end = self._fuzzy_end(_WORD.findall(part), first, size // WORDS_PER_EDIT)
        if end is None:
            return None
        return len(self.folded) if last else self.spans[1][end - 1]

    def _fuzzy_end(self, words: list[str], first: int, k: int) -> int | None:
        """Exclusive end (token index) of the earliest run of article tokens from ``first``
        on within ``k`` token edits of ``words``."""
        positions = self.positions
        n = len(words)
        if not n:
            return None
        counts = [len(positions.get(w, ())) for w in words]
        absent = counts.count(0)
        if absent > k:
            return None
        # Among k - absent + 1 quote words present in the article, one is matched exactly.
        anchors = sorted((c, i) for i, c in enumerate(counts) if c)[: k - absent + 1]
        total = len(self.words)
        spans: list[tuple[int, int]] = []
        for _, i in anchors:
            occurrences = positions[words[i]]
            for p in occurrences[bisect.bisect_left(occurrences, first + i - 2 * k) :]:
                lo, hi = max(first, p - i - 2 * k), min(total, p - i + n + 2 * k)
                if hi > lo:
                    spans.append((lo, hi))
        spans.sort()
        best: int | None = None
        for lo, hi in _merge(spans):
            if best is not None and lo >= best:
                break
            end = _myers_first_end(words, self.words, lo, hi, k)
            if end is not None and (best is None or end < best):
                best = end
        return best

    # -- names ----------------------------------------------------------------------------

    def contains_name(self, form: str) -> bool:
        """Does ``form`` occur as a whole word? Acronyms ("US", "WHO") keep their case."""
        letters = form.replace(".", "")
        cased = letters.isupper() and len(letters) <= 6
        needle = normalise(form, fold=not cased).strip(" ,;:!?\"'")
        if not needle:
            return False
        haystack = self.cased if cased else self.folded
        return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _myers_first_end(
    pattern: Sequence[str], text: Sequence[str], lo: int, hi: int, k: int
) -> int | None:
    """First ``j`` in ``(lo, hi]`` such that some ``text[i:j]`` (``lo <= i``) is within
    ``k`` edits of ``pattern``: Myers' bit-vector algorithm (1999) over word symbols."""
    m = len(pattern)
    peq: dict[str, int] = {}
    for i, word in enumerate(pattern):
        peq[word] = peq.get(word, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for j in range(lo, hi):
        eq = peq.get(text[j], 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        if score <= k:
            return j + 1
    return None


# -- actors -------------------------------------------------------------------------------


@cache
def _entity_forms() -> tuple[dict[tuple[str, ...], str], dict[str, tuple[str, ...]]]:
    """Gazetteer key -> entity name, and entity name -> all its surface forms."""
    from briefing.text import gazetteer

    table = gazetteer.load()
    entity: dict[tuple[str, ...], str] = {}
    surfaces: dict[str, list[str]] = {}
    for key, form in table.forms.items():
        entity[key] = form.entry.name
        surfaces.setdefault(form.entry.name, [form.entry.name]).append(form.surface)
    return entity, {name: tuple(dict.fromkeys(s)) for name, s in surfaces.items()}


def _key(surface: str) -> tuple[str, ...]:
    if surface.lower().startswith("the "):
        surface = surface[4:]
    return tuple(t.norm for t in tokens(surface))


def name_forms(actor: Actor) -> list[str]:
    """Every form whose occurrence in the article shows the actor is named there."""
    forms = _entity_surfaces([actor.name, *actor.aliases])
    if actor.kind == "person":
        words = [w for w in _key(actor.name) if w.lower().rstrip(".") not in TITLES]
        if len(words) > 1:
            surname = words[-1]
            forms.append(surname)
            particle = re.match(r"(?:al|el|ad|as|ash|bin|ibn)[-‐](\w{3,})$", surname, re.I)
            if particle:
                forms.append(particle.group(1))  # "al-Assad" ~ "Assad"
    bare = [f[4:] if f.lower().startswith("the ") else f for f in forms]
    return [f for f in dict.fromkeys(bare) if f.strip()]


def _entity_surfaces(names: Sequence[str]) -> list[str]:
    """``names`` and every gazetteer form of the entities they name (see the module docstring)."""
    entity, surfaces = _entity_forms()
    organs = STATE_NOUNS | _ORGAN_WORDS
    forms: list[str] = list(names)
    for surface in names:
        key = _key(surface)
        name = entity.get(key)
        if name is None:
            # An entity and the organs of a state: "Syrian authorities", "French armed
            # forces", "Government of Syria" stand for the entity.
            for i in range(len(key)):
                for j in range(len(key), i, -1):
                    found = entity.get(key[i:j])
                    rest = key[:i] + key[j:]
                    if found and rest and all(w.lower() in organs for w in rest):
                        name = found
                        break
                if name is not None:
                    break
        if name is not None:
            forms.extend(surfaces.get(name, ()))
    return forms


# -- the check ----------------------------------------------------------------------------


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


# -- the situation ------------------------------------------------------------------------

SITUATION_UNSUPPORTED = "situation_unsupported"  # the flag kind
SITUATION_DETAIL = "names or numbers not in the article: "
MAX_SITUATION_GAPS = 6  # shown in the flag; the rest are counted

# A number in digits, with thousands commas and decimals, then any letters glued to it
# (ordinal "3rd", decade "1990s", unit "5km", scale "1.2bn") and a scale word. Not inside a
# word: "G7" and "A320" are names and checked as names. "2025-26" and "14:30" give the same
# numbers on both sides, so such formats need no rule of their own.
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?([a-z]*)(?!\w)"
    r"(?:\s+(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_SCALES = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "bn": 9, "billion": 9}
_SCALES |= {"tn": 12, "trillion": 12}


def _counted(spaced: str) -> dict[str, int]:
    """Each word of ``spaced`` and its place: {"zero": 0, "one": 1, …}."""
    return {word: n for n, word in enumerate(spaced.split())}


_NUMBER_WORDS = _counted(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
) | _counted(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)
_NUMBER_WORDS |= {"dozen": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_NUMBER_WORDS |= {"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:[-\s](one|two|three|four|five|six|seven|eight|nine))?\b(\s+hundred\b)?"
    r"(?:\s+(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
# What may precede a sentence's (or a quotation's) first word, capitalised whatever it is.
_SENTENCE_BREAK = re.compile(r"[.!?:;\"“”(\[]|\n")


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _number_forms(value: Decimal, *scales: str | None) -> set[str]:
    """The values a number may stand for: as written and, after a scale ("bn", "million"),
    scaled ("5m" may be metres, so both)."""
    forms = {_canonical(value)}
    for scale in scales:
        power = _SCALES.get((scale or "").lower())
        if power:
            forms.add(_canonical(value.scaleb(power)))
    return forms


def _numbers(text: str) -> list[tuple[int, str, set[str]]]:
    """Each number in digits in ``text``: (offset, as written, the values it may stand for);
    "1,200" and "1200" alike, "1.50" as "1.5", "3rd" as "3"."""
    found = []
    for m in _NUMBER.finditer(text):
        digits = m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else "")
        forms = _number_forms(Decimal(digits), m.group(3), m.group(4))
        found.append((m.start(), m.group(0), forms))
    return found


def _article_numbers(article: Article) -> set[str]:
    """Every value the article states: in digits, in words ("three", "twenty-five", "a
    dozen", "third", "two hundred") and in its publication date (a model may date by it)."""
    text = f"{article.title}\n{article.text}\n{article.source.published or ''}"
    values: set[str] = set()
    for _, _, forms in _numbers(text):
        values |= forms
    for m in _WORD_NUMBER.finditer(text):
        n = _NUMBER_WORDS[m.group(1).lower()] + _NUMBER_WORDS.get((m.group(2) or "").lower(), 0)
        values |= _number_forms(Decimal(n * 100 if m.group(3) else n), m.group(4))
    return values


@cache
def _not_names() -> frozenset[str]:
    """Capitalised words that are not names: sentence openers, titles, organs of a state."""
    from briefing.text.lexicon import COMMON_CAPITALISED

    return COMMON_CAPITALISED | TITLES | STATE_NOUNS


def _known(index: ArticleIndex, name: str) -> bool:
    """Does the article name this: the words themselves, or another gazetteer form of the
    same entity ("UK" for "Britain", "Syrian" for "Syria")?"""
    return any(index.contains_name(form) for form in _entity_surfaces([name]))


# Endings of words derived from a name ("Asian", "Catalan", "Congolese", "Democrats"): such
# a word is found when a word of the article starts with its stem ("Asia", "Catalonia").
_DERIVED = ("ians", "ian", "ans", "an", "ese", "ish", "is", "i", "n", "s")
_MIN_STEM = 4


def _word_known(index: ArticleIndex, word: str) -> bool:
    if _known(index, word):
        return True
    parts = [p for p in re.split(r"[-‐]", word) if p]
    if len(parts) > 1:
        # "Iranian-backed", "Franco-German": the capitalised parts are the names.
        names = [p for p in parts if p[:1].isupper() and len(p) > 1]
        return bool(names) and all(_word_known(index, p) for p in names)
    folded = normalise(word)
    for ending in _DERIVED:
        stem = folded[: -len(ending)]
        if folded.endswith(ending) and len(stem) >= _MIN_STEM:
            return re.search(rf"(?<!\w){re.escape(stem)}", index.folded) is not None
    return False


def _name_runs(text: str) -> list[tuple[list[Token], bool]]:
    """Runs of adjacent capitalised words of two or more letters (punctuation or a possessive
    ends a run), each with whether it opens a sentence or a quotation."""
    runs: list[tuple[list[Token], bool]] = []
    run: list[Token] = []
    opens = False
    end: int | None = None
    for token in tokens(text):
        gap = text[end or 0 : token.start]
        starts = end is None or bool(_SENTENCE_BREAK.search(gap))
        end = token.end
        name_like = token.capitalised and len(token.norm.replace(".", "")) > 1
        if run and (not name_like or gap.strip() or run[-1].possessive):
            runs.append((run, opens))
            run = []
        if name_like:
            if not run:
                opens = starts
            run.append(token)
    if run:
        runs.append((run, opens))
    return runs


def situation_gaps(article: Article, situation: str) -> list[str]:
    """Names and numbers of ``situation`` that ``article`` does not contain, as written, in
    order.

    A *name* is a run of capitalised words of two or more letters ("Zorvania Liberation
    Front", "U.S."). It is found when the whole run occurs in the article as a whole word
    (any case; acronyms in capitals), or another gazetteer form of the same entity does, or
    each of its words does, leaving out common, title and state words ("However", "Defence",
    "Minister", "Government"), and a word derived from an article's word ("Asian" from
    "Asia"). A capital at a sentence's start says nothing, so a sentence's first word counts
    only when the gazetteer knows it (the words after it do count). A *number* is one written in
    digits; it is found when the article states the same value in digits or words: "1,200"
    and "1200", "3rd", "3" and "third", "1990s" and "1990", "1.2bn" and "1.2 billion" and
    "1,200,000,000" all match, as do the numbers of the article's publication date.
    """
    index = ArticleIndex(f"{article.title}\n\n{article.text}\n\n{_published(article)}")
    entity, _ = _entity_forms()
    not_names = _not_names()
    gaps: list[tuple[int, str]] = []
    for run, opens in _name_runs(situation):
        if _known(index, situation[run[0].start : run[-1].end]):
            continue
        words = list(run)
        while words and words[0].norm.lower() in not_names:
            words = words[1:]
        significant = [w for w in words if w.norm.lower() not in not_names]
        if opens and significant and significant[0] is run[0] and _key(run[0].norm) not in entity:
            # "Coordinated strikes…", "Suspects Adnan Farah…": an ordinary word at a
            # sentence's start; the words after it still count.
            significant = significant[1:]
        if any(not _word_known(index, w.norm) for w in significant):
            gaps.append((words[0].start, situation[words[0].start : words[-1].end]))
    values = _article_numbers(article)
    gaps.extend((at, written) for at, written, forms in _numbers(situation) if not forms & values)
    return list(dict.fromkeys(text for _, text in sorted(gaps)))


_WEEKDAYS = tuple(_counted("Monday Tuesday Wednesday Thursday Friday Saturday Sunday"))
_MONTHS = tuple(
    _counted(
        "January February March April May June July August September October November December"
    )
)


def _published(article: Article) -> str:
    """The publication date in words ("Tuesday 3 March 2026"; not locale-dependent), or "":
    a model may date the events by it, as a reader of the page would."""
    found = re.match(r"(\d{4})-(\d{2})-(\d{2})", article.source.published or "")
    if not found:
        return ""
    try:
        day = date(*(int(part) for part in found.groups()))
    except ValueError:
        return ""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def check_situation(article: Article, briefing: Briefing) -> Briefing:
    """``briefing`` with one ``situation_unsupported`` flag when its situation has names or
    numbers the article does not contain (:func:`situation_gaps`); idempotent. Skipped for a
    briefing written in another language than the article's (--language): its names are
    translations, not inventions, and its numbers may be formatted the other language's way.
    """
    from briefing.text.languages import detect

    flags = [f for f in briefing.flags if f.kind != SITUATION_UNSUPPORTED]
    translated = briefing.language is not None and detect(article.text) not in (
        None,
        briefing.language,
    )
    gaps = [] if translated else situation_gaps(article, briefing.situation)
    if gaps:
        more = len(gaps) - MAX_SITUATION_GAPS
        detail = SITUATION_DETAIL + ", ".join(gaps[:MAX_SITUATION_GAPS])
        flags.append(
            Flag(
                kind=SITUATION_UNSUPPORTED,
                detail=detail + (f" (and {more} more)" if more > 0 else ""),
            )
        )
    if flags == briefing.flags:
        return briefing
    return briefing.model_copy(update={"flags": flags})
