"""Finding what a briefing says in its article: quotes, within a small tolerance, and names,
in every form the bundled gazetteer knows for the same entity.

:class:`ArticleIndex` holds the article in comparison form; the grounding check
(:mod:`briefing.checks.grounding`) and the situation check (:mod:`briefing.checks.situation`)
both search it.

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

Matching a name
---------------
A name is found when it occurs as a whole word (an acronym such as "US" or "WHO" only in
capitals), or another form of the same entity does: :func:`entity_surfaces` adds every alias,
demonym and capital the gazetteer lists ("United Kingdom" ~ "UK", "British", "London"), also
for a name made of an entity and words for its organs or members ("Syrian authorities",
"Government of Syria", "Islamic State fighters"); :func:`name_forms` adds a person's surname.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, cached_property

from briefing.model import Actor, Article
from briefing.text.lexicon import STATE_NOUNS, TITLES, words
from briefing.text.lines import tokens
from briefing.text.words import has_cjk

__all__ = [
    "MIN_FUZZY_WORDS",
    "WORDS_PER_EDIT",
    "ArticleIndex",
    "entity_forms",
    "entity_key",
    "entity_surfaces",
    "name_forms",
    "normalise",
]

MIN_FUZZY_WORDS = 4  # shorter quotes (and quote parts) must match exactly
WORDS_PER_EDIT = 10  # one word edit tolerated per ten quote words

_ARABIC = re.compile("[\u0600-\u06ff]")  # names that may carry a prefix (contains_name)
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
_ORGAN_WORDS = words(
    """
    of the armed national federal central special border coast guard guards security
    interior defence defense ministry forces fighters militants members spokesman
    spokeswoman spokesperson
    """
)


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
        if has_cjk(needle):
            # Chinese and Japanese have no word breaks to check: 日本 in 日本航空 is Japan.
            return needle in haystack
        # Arabic writes "and", "by", "for", "as" and "the" as prefixes: والاتحاد, للأمم.
        clitic = r"(?:[وفبلك]|ال|لل|وال|بال|فال|كال)?" if _ARABIC.search(needle) else ""
        return re.search(rf"(?<!\w){clitic}{re.escape(needle)}(?!\w)", haystack) is not None


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


# -- names --------------------------------------------------------------------------------


@cache
def entity_forms() -> tuple[dict[tuple[str, ...], str], dict[str, tuple[str, ...]]]:
    """Gazetteer key (:func:`entity_key`) -> entity name, and entity name -> all its surface
    forms."""
    from briefing.text import gazetteer

    table = gazetteer.load()
    entity: dict[tuple[str, ...], str] = {}
    surfaces: dict[str, list[str]] = {}
    for key, form in table.forms.items():
        entity[key] = form.entry.name
        surfaces.setdefault(form.entry.name, [form.entry.name]).append(form.surface)
    return entity, {name: tuple(dict.fromkeys(s)) for name, s in surfaces.items()}


def entity_key(surface: str) -> tuple[str, ...]:
    """The gazetteer key of ``surface``: its normalised tokens, without a leading "the"."""
    if surface.lower().startswith("the "):
        surface = surface[4:]
    return tuple(t.norm for t in tokens(surface))


def name_forms(actor: Actor) -> list[str]:
    """Every form whose occurrence in the article shows the actor is named there."""
    forms = entity_surfaces([actor.name, *actor.aliases])
    if actor.kind == "person":
        words = [w for w in entity_key(actor.name) if w.lower().rstrip(".") not in TITLES]
        if len(words) > 1:
            surname = words[-1]
            forms.append(surname)
            particle = re.match(r"(?:al|el|ad|as|ash|bin|ibn)[-‐](\w{3,})$", surname, re.I)
            if particle:
                forms.append(particle.group(1))  # "al-Assad" ~ "Assad"
    bare = [f[4:] if f.lower().startswith("the ") else f for f in forms]
    return [f for f in dict.fromkeys(bare) if f.strip()]


def entity_surfaces(names: Sequence[str]) -> list[str]:
    """``names`` and every gazetteer form of the entities they name (see the module docstring),
    an entity followed or preceded by words for the organs of a state included."""
    entity, surfaces = entity_forms()
    organs = STATE_NOUNS | _ORGAN_WORDS
    forms: list[str] = list(names)
    for surface in names:
        key = entity_key(surface)
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
