"""Gazetteer mentions for actor extraction (:mod:`.actors` docstring, 1): states by name,
alias, demonym or capital, international organisations and armed groups, by a longest-match
scan against the bundled gazetteer (:mod:`briefing.text.gazetteer`).

A demonym counts half unless a state noun follows it; a capital stands for its state only as
a metonym, else it is the city; a state named as a place counts :data:`LOCATIVE_WEIGHT`; a
gazetteer name that is the tail of a longer capitalised name, or the start of an
organisation's, is left to that name (:mod:`.actor_runs`). In headlines and lines in capitals
only the names the lists know are taken (:func:`scan_known`).
"""

from __future__ import annotations

from briefing.summarisers.offline.actor_candidates import Extraction
from briefing.summarisers.offline.actor_words import is_acronym, name_end, title_case
from briefing.summarisers.offline.roles import SAYS, is_locative
from briefing.text import gazetteer as gaz
from briefing.text.lexicon import (
    ARMED_HEADS,
    COMMON_CAPITALISED,
    ORG_HEADS,
    STATE_NOUNS,
    TITLES,
    words,
)
from briefing.text.lines import Token
from briefing.text.sentences import Sentence

__all__ = ["LOCATIVE_WEIGHT", "scan_gazetteer", "scan_known"]

LOCATIVE_WEIGHT = 0.4
# After a capital: it is the government speaking or acting ("Washington has argued").
_METONYM_NEXT = SAYS | STATE_NOUNS | words("has have had is was will would wants hopes fears")
# A demonym and one of these name the state acting ("Syrian authorities"), unlike a title
# ("Estonian Prime Minister").
_COLLECTIVE_NOUNS = words(
    """
    authorities government officials forces troops military army navy police diplomats
    intelligence security regime administration leadership negotiators
    """
)


def scan_gazetteer(ex: Extraction, sent: Sentence, toks: list[Token], used: list[bool]) -> None:
    """States, organisations and armed groups in ``sent`` by the longest gazetteer form at
    each token (:mod:`.actors` docstring, 1); the tokens they cover are used up."""
    words_ = [t.norm for t in toks]
    i = 0
    while i < len(toks):
        if used[i]:
            i += 1
            continue
        hit = ex.gaz.match(words_, i)
        shouting = i + 1 < len(toks) and toks[i + 1].norm.isupper()
        if hit is None or (hit[1].surface == "IS" and shouting):
            i += 1
            continue
        length, form = hit
        end = i + length
        if form.kind != "demonym" and (
            _defer(ex, sent, toks, used, i) or _names_an_organisation(form, toks, end)
        ):
            i = end
            continue
        weight = 1.0
        naming = True
        surface = sent.text[toks[i].start : name_end(toks[end - 1])]
        if form.kind == "demonym":
            naming = False
            weight, noun = _demonym_weight(toks, end)
            if noun in _COLLECTIVE_NOUNS and toks[end].norm.lower() == noun:
                surface = f"{surface} {toks[end].norm}"
                naming = True  # "Syrian authorities" can name the state
        elif form.kind == "capital":
            naming = False  # "Brussels" may be the EU: the state is named otherwise
            if not _metonym(toks, i, end):
                # The city itself, a place: "in Berlin", "Moscow's Dynamo" aside.
                city = ex.get(surface, "place", True)
                city.mention(sent.index, toks[i].start, 1.0, "")
                for k in range(i, end):
                    used[k] = True
                i = end
                continue
        elif form.entry.kind == "state" and is_locative(toks, i):
            weight = LOCATIVE_WEIGHT  # a place named, not a state acting
        cand = ex.get(form.entry.name, form.entry.kind, True)
        cand.mention(sent.index, toks[i].start, weight, surface, naming)
        ex.gaz_surfaces.setdefault(form.entry.name, set()).add(surface)
        for k in range(i, end):
            used[k] = True
        i = end


def scan_known(ex: Extraction, sent: Sentence, toks: list[Token]) -> None:
    """Only the names the lists know in ``toks``, for headlines, tables and lines in capitals
    ("KANSAS CITY"), where capitals say nothing of a name."""
    i = 0
    while i < len(toks):
        step = 1
        for length in range(min(4, len(toks) - i), 0, -1):
            part = toks[i : i + length]
            if not all(t.capitalised for t in part):
                continue
            key = tuple(t.norm if title_case(t.norm) else t.norm.title() for t in part)
            raw = tuple(t.norm for t in part)
            # An acronym as written only where the words around it are not capitals too
            # ("SHE IS LYING" holds no Islamic State).
            caps_around = (i > 0 and toks[i - 1].norm.isupper()) or (
                i + length < len(toks) and toks[i + length].norm.isupper()
            )
            form = (None if caps_around else ex.gaz.forms.get(raw)) or ex.gaz.forms.get(key)
            surface = " ".join(key)
            if form is not None and form.kind in ("name", "alias"):
                cand = ex.get(form.entry.name, form.entry.kind, True)
                cand.mention(sent.index, part[0].start, 1.0, form.surface)
            elif ex.names.place(key) and key not in ex.names.ambiguous:
                ex.get(surface, "place", True).mention(sent.index, part[0].start, 1.0, "")
            else:
                continue
            step = length
            break
        i += step


def _defer(ex: Extraction, sent: Sentence, toks: list[Token], used: list[bool], i: int) -> bool:
    """Is the gazetteer hit at ``toks[i]`` the tail of a longer capitalised name?"""
    if i == 0 or used[i - 1]:
        return False
    prev = toks[i - 1]
    gap = sent.text[prev.end : toks[i].start]
    if gap.strip():
        return False
    low = prev.norm.lower()
    if low == "of" and i >= 2 and not used[i - 2]:
        head = toks[i - 2].norm.lower()
        return toks[i - 2].capitalised and (head in ORG_HEADS or head in ARMED_HEADS)
    if not prev.capitalised or low in TITLES or low in COMMON_CAPITALISED:
        return False
    if prev.possessive:
        return False
    if i - 1 == 0 and prev.norm not in ex.mid_caps:
        return ex.openings[(prev.norm, toks[i].norm)] >= 2  # "Dynamo Moscow", twice
    return not is_acronym(prev.norm)


def _names_an_organisation(form: gaz.Form, toks: list[Token], end: int) -> bool:
    """Is the state's name the start of an organisation's name ("Niger Basin Authority",
    "Kenya Airways")? Then the organisation's run takes it, and the state is not named."""
    if form.kind != "name" or form.entry.kind != "state" or toks[end - 1].possessive:
        return False
    for k in range(end, min(end + 3, len(toks))):
        if not toks[k].capitalised:
            return False
        if toks[k].norm.lower() in ORG_HEADS:
            return True
        if toks[k].possessive:
            return False
    return False


def _demonym_weight(toks: list[Token], after: int) -> tuple[float, str]:
    """Weight of a demonym whose last token is ``toks[after - 1]``."""
    for k in range(after, min(after + 4, len(toks))):
        low = toks[k].norm.lower()
        if low in STATE_NOUNS:
            return 1.0, low
        if low not in {"and", "of", "the", "s"} and not toks[k].capitalised:
            break
    return 0.5, ""


def _metonym(toks: list[Token], start: int, end: int) -> bool:
    """Does the capital at ``toks[start:end]`` stand for its government?"""
    if toks[end - 1].possessive:
        return True  # "London's commitment"
    if end < len(toks) and toks[end].norm.lower() in _METONYM_NEXT:
        return True  # "Washington has argued", "Moscow said", "Beijing officials"
    # "officials in London and Paris", "authorities in Damascus".
    k = start - 1
    while k >= 0 and (toks[k].capitalised or toks[k].norm.lower() in {"and", "or"}):
        k -= 1
    return k >= 1 and toks[k].norm.lower() == "in" and toks[k - 1].norm.lower() in STATE_NOUNS
