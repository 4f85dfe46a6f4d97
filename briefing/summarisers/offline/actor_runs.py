"""Capitalised runs for actor extraction (:mod:`.actors` docstring, 2): the names the
gazetteer scan (:mod:`.actor_gazetteer`) left, found as runs of capitalised words and
classified.

A run joins capitalised words by ``of``/``al``/``bin``... connectors, initials ("P.
Simmons"), "&", and ``for`` after an organisation head. It is classified, in order: a news
agency; a known place (cities and regions from GeoNames, see :mod:`briefing.text.gazetteer`);
a head word such as Ministry/Council/Party/Club makes an organisation, Brigade/Militia an
armed group, Street/River/Province a place; two to four capitalised words are a person when a
title precedes, the first word is a known first name or an initial, or the last a known
surname (else a name-like phrase of unknown kind, kept only when seen twice). A person's
title (President, Gen.) is moved into the role. A capitalised word at the start of a sentence
is only trusted if the lists know it or the article also capitalises it mid-sentence. One-word
runs are left for :func:`.actor_merging.resolve_singles`, which sees the whole article.
"""

from __future__ import annotations

from briefing.model import ActorKind
from briefing.summarisers.offline.actor_candidates import Extraction
from briefing.summarisers.offline.actor_gazetteer import scan_known
from briefing.summarisers.offline.actor_words import (
    CONTRACTION,
    INITIALS,
    is_acronym,
    is_initial,
    name_end,
    shouted,
    title_case,
)
from briefing.summarisers.offline.roles import is_locative
from briefing.text.lexicon import (
    ARMED_HEADS,
    COMMON_CAPITALISED,
    JUNK,
    MONTHS_DAYS,
    NOT_ACRONYMS,
    ORG_HEADS,
    PLACE_HEADS,
    TITLE_ABBREVIATIONS,
    TITLES,
    words,
)
from briefing.text.lines import Token
from briefing.text.sentences import Sentence

__all__ = ["MEDIA_WEIGHT", "scan_runs"]

MEDIA_WEIGHT = 0.5  # a news agency is cited as a source more than it acts
_CONNECTORS = frozenset({"of", "de", "la", "le", "du", "da", "dos", "del", "von", "van", "der"})
_NAME_PARTICLES = frozenset({"bin", "ibn", "al", "el", "abu", "ben", "van", "von", "de", "der"})
# Unions built once: they are consulted for every token.
_JOINERS = _CONNECTORS | _NAME_PARTICLES
_NOT_OPENING_NAMES = COMMON_CAPITALISED | MONTHS_DAYS | JUNK
_HEADS = ORG_HEADS | ARMED_HEADS
_JUNK_DATES = JUNK | MONTHS_DAYS
_NOT_SINGLE_NAMES = COMMON_CAPITALISED | ORG_HEADS | ARMED_HEADS | TITLES
# Capitalised words that are no names, beyond the shared lists: ordinals and numbers
# ("Second one-day international").
_NOT_NAMES = words(
    """
    first second third fourth fifth sixth seventh eighth ninth tenth last next final one two
    three four five six seven eight nine ten
    """
)
_PLACE_FIRST = words("fort mount lake port cape gulf bay")  # "Fort Meade", "Lake Chad"
_COMPASS = words("north south east west northern southern eastern western upper lower central")
# Words in titles that only qualify one: "former Olympic champion" holds no title.
_TITLE_MODIFIERS = words(
    """
    former acting senior deputy state federal opposition shadow party labour conservative
    republican democrat democratic socialist veteran vice chief special foreign defence
    defense interior finance home health justice trade economy energy education
    """
)


def scan_runs(ex: Extraction, sent: Sentence, toks: list[Token], used: list[bool]) -> None:
    """The runs of capitalised words in ``sent`` not used up by the gazetteer, each
    classified (module docstring); one-word runs are left in ``ex.singles``."""
    for run in _runs(sent, toks, used):
        # Only the first token of a sentence is sentence-initial: testing the text
        # before each run instead made this quadratic in the sentence's length.
        initial = run[0] == 0
        words_ = [toks[k].norm for k in run]
        # Sentence-initial common word ("The", "However", "Defence").
        if initial and words_[0].lower() in _NOT_OPENING_NAMES:
            run, words_, initial = run[1:], words_[1:], False
        # Split at months/weekdays and drop them.
        parts: list[list[int]] = [[]]
        for k in run:
            if toks[k].norm.lower() in MONTHS_DAYS:
                parts.append([])
            else:
                parts[-1].append(k)
        for n, part in enumerate(parts):
            if part:
                _classify(ex, sent, toks, part, initial and n == 0 and part[0] == run[0])


def _runs(sent: Sentence, toks: list[Token], used: list[bool]) -> list[list[int]]:
    """The runs of capitalised words (and their joiners) in ``toks``, as token indices."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, tok in enumerate(toks):
        if used[i]:
            if cur:
                runs.append(cur)
            cur = []
            continue
        gap = sent.text[toks[i - 1].end : tok.start].strip() if i else ""
        prev = toks[i - 1].norm if i else ""
        joinable = bool(cur) and (
            gap == ""
            or (gap == "." and (prev in TITLE_ABBREVIATIONS or is_initial(prev)))
            or (gap == "&" and tok.capitalised)
        )
        if tok.capitalised or (tok.norm[:1].isdigit() and cur and tok.norm.isalnum()):
            if cur and not joinable:
                runs.append(cur)
                cur = []
            cur.append(i)
        elif cur and joinable and tok.norm in _JOINERS:
            cur.append(i)
        elif cur and joinable and tok.norm == "for" and toks[i - 1].norm.lower() in ORG_HEADS:
            cur.append(i)  # "International Institute for Strategic Studies"
        else:
            if cur:
                runs.append(cur)
            cur = []
        if tok.possessive and cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    # Drop trailing connectors and numbers.
    cleaned: list[list[int]] = []
    for run in runs:
        while run and not toks[run[-1]].capitalised:
            run = run[:-1]
        if run:
            cleaned.append(run)
    return cleaned


def _title_before(toks: list[Token], first: int) -> str:
    """The title words just before ``toks[first]`` ("President", "former Gen."), if any."""
    words_: list[str] = []
    k = first - 1
    while k >= 0 and len(words_) < 4 and toks[k].norm.lower() in TITLES:
        words_.insert(0, toks[k].norm)
        k -= 1
    if all(w.lower() in _TITLE_MODIFIERS for w in words_):
        return ""  # "former Olympic champion": "former" qualifies, it is no title
    return " ".join(words_)


def _classify(
    ex: Extraction, sent: Sentence, toks: list[Token], run: list[int], initial: bool
) -> None:
    """Classify the run ``toks[run]`` and record it (module docstring); ``initial``: it opens
    the sentence."""
    before = _title_before(toks, run[0])
    title_words: list[str] = []
    while run and toks[run[0]].norm.lower() in TITLES and len(run) > 1:
        title_words.append(toks[run[0]].norm)
        run = run[1:]
        initial = False
    while run and not toks[run[0]].capitalised:
        run = run[1:]
    if not run:
        return
    if CONTRACTION.match(toks[run[0]].norm) or toks[run[0]].norm in NOT_ACRONYMS:
        run = run[1:]
        if not run:
            return
    first = toks[run[0]].norm
    if (
        len(run) > 1
        and is_acronym(first)
        and not INITIALS.fullmatch(first)  # "B.B. King" is one name
        and title_case(toks[run[1]].norm)
    ):
        # "NATO Secretary-General Mark Rutte", "МИД Мария Захарова": two names.
        _classify(ex, sent, toks, run[:1], initial)
        _classify(ex, sent, toks, run[1:], False)
        return
    # An unknown capitalised first word of a sentence is an ordinary word ("Add Women",
    # "Family-controlled Douglas", Greek "Ο") unless the article capitalises it
    # elsewhere too.
    dotted = is_initial(first) and sent.text.startswith(".", toks[run[0]].end)
    if (
        initial
        and len(run) > 1
        and first not in ex.mid_caps
        and not ex.known_word(first)
        and not dotted
        and ex.openings[tuple(toks[k].norm for k in run[:4])] < 2
        and first.lower() not in _HEADS
    ):
        rest = run[1:]
        if (toks[rest[0]].norm,) in ex.names.places or toks[rest[0]].capitalised:
            _classify(ex, sent, toks, rest, False)
        return
    if len(run) > 1 and toks[run[0]].norm in {"The", "A", "An"}:
        run = run[1:]  # "told The Associated Press"
    words_ = [toks[k].norm for k in run]
    caps = sum(w.isupper() and sum(c.isalpha() for c in w) >= 3 for w in words_)
    if any(shouted(w) for w in words_) or caps >= 2:
        scan_known(ex, sent, [toks[k] for k in run])  # "PRESS DIGEST", "NEW YORK"
        return
    if words_[0].lower() in _NOT_NAMES:
        if len(run) > 1:
            _classify(ex, sent, toks, run[1:], False)
        return
    start, end = toks[run[0]].start, name_end(toks[run[-1]])
    phrase = sent.text[start:end]
    lows = [w.lower() for w in words_]
    key = tuple(words_)
    offset = start
    if phrase in ex.gaz.media:
        ex.get(phrase, "organisation", True).mention(sent.index, offset, MEDIA_WEIGHT, "")
        return
    place = ex.names.place(key)
    if place is not None and (key not in ex.names.ambiguous or is_locative(toks, run[0])):
        ex.get(phrase, "place", True).mention(sent.index, offset, 1.0, "")
        return
    if phrase in ex.gaz.regions or any(
        w in ex.gaz.regions or w.rstrip("s") in ex.gaz.regions for w in words_
    ):
        return  # "Coptic Christians", "Sunni Arabs": communities, not actors
    gap = sent.text[max(0, start - 2) : start]
    if any(q in gap for q in '"“‘') and len(words_) > 1:
        return  # a quoted title ("The Thrill Is Gone")
    if len(words_) == 1 and lows[0] in _JUNK_DATES:
        return
    title = " ".join([before, *title_words]).strip()
    if len(words_) == 1:
        word = words_[0]
        if word.lower() in _NOT_SINGLE_NAMES:
            return
        if word.lower() in ex.lower_words and not ex.known_word(word):
            return
        ex.singles.append((sent.index, offset, word, initial, title, is_locative(toks, run[0])))
        return
    # A head that is both ("Swansea City", "Brisbane Centre") makes an organisation: the
    # places known by name ("Mexico City") were found above.
    if (
        (lows[-1] in PLACE_HEADS and lows[-1] not in ORG_HEADS) or lows[0] in _PLACE_FIRST
    ) and not any(w in ORG_HEADS for w in lows[:-1]):
        ex.get(phrase, "place", True).mention(sent.index, offset, 1.0, "")
    elif any(w in ARMED_HEADS or w in ORG_HEADS for w in lows):
        # The last head word decides: "Free Syrian Army" is armed, "Army Times" is not.
        head = next(w for w in reversed(lows) if w in ARMED_HEADS or w in ORG_HEADS)
        kind: ActorKind = "armed group" if head in ARMED_HEADS else "organisation"
        ex.get(phrase, kind, True).mention(sent.index, offset, 1.0, "")
    elif 2 <= len(words_) <= 4 and all(
        (title_case(w) and w not in NOT_ACRONYMS)  # "Tory MPs" is no one's name
        or w.lower() in _NAME_PARTICLES
        or is_initial(w)
        or INITIALS.fullmatch(w)
        or "&" in w
        for w in words_
    ):
        _name_like(ex, sent, run, toks, words_, title, offset)


def _name_like(
    ex: Extraction,
    sent: Sentence,
    run: list[int],
    toks: list[Token],
    words_: list[str],
    title: str,
    offset: int,
) -> None:
    """Two to four capitalised words without a head word: a person, a club or unknown."""
    phrase = sent.text[toks[run[0]].start : name_end(toks[run[-1]])]
    first, last = words_[0], words_[-1]
    in_places = [(w,) in ex.names.places or (w,) in ex.gaz.forms for w in words_]
    personal = (
        bool(title)
        or is_initial(first)
        or bool(INITIALS.fullmatch(first))
        or first in ex.names.first_names
        or (last in ex.names.surnames and not in_places[-1])
    )
    compass = first.lower() in _COMPASS
    if not personal and (compass or is_locative(toks, run[0])):
        # "in North Darfur", "near El Fasher": a place the lists do not know.
        ex.get(phrase, "place", False).mention(sent.index, offset, 1.0, "")
    elif personal and not all(in_places):
        person = ex.get(phrase, "person", True)
        person.mention(sent.index, offset, 1.0, "")
        if title and not person.title:
            person.title = title
    elif any(in_places):
        # A place with a word that is no head: a club ("Dynamo Moscow", "Bayern Munich").
        ex.get(phrase, "organisation", False).mention(sent.index, offset, 1.0, "")
    elif any(w.lower() in COMMON_CAPITALISED for w in words_) or all(
        w.lower() in ex.lower_words for w in words_
    ):
        return  # "Financial Data": ordinary words the article also writes in lower case
    else:
        # Name-like but nothing says who or what: "Florian Schwarthoff", "Grand National".
        ex.get(phrase, "other", False).mention(sent.index, offset, 1.0, "")
