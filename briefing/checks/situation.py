"""The situation checked against the article: the names and numbers it states must be there.

The situation has no evidence quotes, so :func:`check_situation` checks what a reader would
act on in it: the names (capitalised words) and numbers it states must occur in the article
(see :func:`situation_gaps` for what counts as the same name or number). What does not is
listed in one ``situation_unsupported`` flag. It is not an item: the grounding summary
(:mod:`briefing.checks.grounding`) keeps counting actors, the assessment and risks, as its
"N of M items" always has. The offline summariser copies the article's sentences, so its
situations never raise it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from briefing.checks.matching import (
    ArticleIndex,
    entity_forms,
    entity_key,
    entity_surfaces,
    normalise,
)
from briefing.model import Article, Briefing, Flag
from briefing.text.dates import weekday_date
from briefing.text.lexicon import STATE_NOUNS, TITLES
from briefing.text.lines import Token, tokens

__all__ = [
    "MAX_SITUATION_GAPS",
    "SITUATION_DETAIL",
    "SITUATION_UNSUPPORTED",
    "check_situation",
    "situation_gaps",
]

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
    return any(index.contains_name(form) for form in entity_surfaces([name]))


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
    entity, _ = entity_forms()
    not_names = _not_names()
    gaps: list[tuple[int, str]] = []
    for run, opens in _name_runs(situation):
        if _known(index, situation[run[0].start : run[-1].end]):
            continue
        words = list(run)
        while words and words[0].norm.lower() in not_names:
            words = words[1:]
        significant = [w for w in words if w.norm.lower() not in not_names]
        if (
            opens
            and significant
            and significant[0] is run[0]
            and entity_key(run[0].norm) not in entity
        ):
            # "Coordinated strikes…", "Suspects Adnan Farah…": an ordinary word at a
            # sentence's start; the words after it still count.
            significant = significant[1:]
        if any(not _word_known(index, w.norm) for w in significant):
            gaps.append((words[0].start, situation[words[0].start : words[-1].end]))
    values = _article_numbers(article)
    gaps.extend((at, written) for at, written, forms in _numbers(situation) if not forms & values)
    return list(dict.fromkeys(text for _, text in sorted(gaps)))


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
    return weekday_date(day)


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
