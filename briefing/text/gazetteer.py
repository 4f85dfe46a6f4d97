"""The bundled gazetteer (``briefing/data/gazetteer.json``) as a token-level lookup table.

The file lists states (all UN members plus observers and partially recognised states) with
aliases, demonyms and capitals, and international organisations and armed groups with
aliases. It is read once with :mod:`importlib.resources`, never from the current directory.

Matching is case-sensitive on purpose: ``US`` is the United States but ``us`` is a pronoun,
``WHO`` is the World Health Organization but ``Who`` is not.

A second file, ``briefing/data/places.json`` (built by ``benchmarks/build_places.py`` from
GeoNames and US Census data, see ``briefing/data/NOTICE.md``), gives :func:`names`: cities
and regions, the same cities in Cyrillic, Greek, Arabic, Han and kana script, and frequent
first names and surnames. Those are hints for classifying a capitalised phrase (a place, a
person), not actors by themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from briefing.errors import SummariserError
from briefing.model import ActorKind
from briefing.text.lines import tokens

FormKind = Literal["name", "alias", "demonym", "capital"]
MAX_FORM_TOKENS = 12


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: ActorKind


@dataclass(frozen=True, slots=True)
class Form:
    entry: Entry
    kind: FormKind
    surface: str


@dataclass(frozen=True, slots=True)
class Gazetteer:
    forms: dict[tuple[str, ...], Form]
    regions: frozenset[str]
    media: frozenset[str]
    longest: dict[str, int]  # first token -> longest form starting with it

    def match(self, words: list[str], at: int) -> tuple[int, Form] | None:
        """Longest form starting at ``words[at]``: ``(length, form)`` or None."""
        longest = self.longest.get(words[at], 0)
        for length in range(min(longest, len(words) - at), 0, -1):
            form = self.forms.get(tuple(words[at : at + length]))
            if form is not None:
                return length, form
        return None


def _key(surface: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokens(surface))


def _add(forms: dict[tuple[str, ...], Form], entry: Entry, kind: FormKind, surface: str) -> None:
    if surface.lower().startswith("the "):
        surface = surface[4:]
    key = _key(surface)
    if key and len(key) <= MAX_FORM_TOKENS and key not in forms:
        forms[key] = Form(entry, kind, surface)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


def build(data: dict[str, Any]) -> Gazetteer:
    """Build the lookup table from the JSON document's structure."""
    forms: dict[tuple[str, ...], Form] = {}
    for item in data.get("states", []):
        entry = Entry(str(item["name"]), "state")
        _add(forms, entry, "name", entry.name)
        for alias in _strings(item.get("aliases")):
            _add(forms, entry, "alias", alias)
    for item in data.get("organisations", []):
        kind: ActorKind = "armed group" if item.get("kind") == "armed group" else "organisation"
        entry = Entry(str(item["name"]), kind)
        _add(forms, entry, "name", entry.name)
        for alias in _strings(item.get("aliases")):
            _add(forms, entry, "alias", alias)
    # Demonyms and capitals last so a full name or alias wins any clash.
    for item in data.get("states", []):
        entry = Entry(str(item["name"]), "state")
        for demonym in _strings(item.get("demonyms")):
            _add(forms, entry, "demonym", demonym)
            if demonym[-1] in "ni":  # Syrians, Iraqis, Americans
                _add(forms, entry, "demonym", demonym + "s")
        for capital in _strings(item.get("capitals")):
            _add(forms, entry, "capital", capital)
    if "Britons" not in {f.surface for f in forms.values()}:
        uk = forms.get(("United", "Kingdom"))
        if uk is not None:
            _add(forms, uk.entry, "demonym", "Britons")
            _add(forms, uk.entry, "demonym", "Briton")
    longest: dict[str, int] = {}
    for key in forms:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return Gazetteer(
        forms=forms,
        regions=frozenset(_strings(data.get("regions"))),
        media=frozenset(_strings(data.get("media"))),
        longest=longest,
    )


@dataclass(frozen=True, slots=True)
class Names:
    """Places and personal names (``briefing/data/places.json``)."""

    places: dict[tuple[str, ...], str]  # token key -> "city" | "region"
    ambiguous: frozenset[tuple[str, ...]]  # a place only where the sentence says so
    first_names: frozenset[str]
    surnames: frozenset[str]
    scripts: dict[str, str]  # a name's key in another script (:func:`script_key`) -> English
    script_longest: dict[str, int]  # first character -> longest key starting with it
    script_forms: frozenset[str]  # the names in other scripts as listed (dictionary forms)

    def place(self, key: tuple[str, ...]) -> str | None:
        """The kind of place ``key`` names ("city", "region"), or None."""
        return self.places.get(key)

    def find_script_names(self, text: str) -> list[tuple[int, int, str]]:
        """Known names written in ``text`` in Han, kana, Arabic, Cyrillic or Greek script:
        ``(start, end, English name)``, longest match first, left to right. Linear in
        ``len(text)`` (each position tries at most the longest name).

        Han and kana have no spaces: any substring counts. An Arabic name must stand alone
        or after the proclitics و ف ب ل ك ("والصين", "and China"). A Cyrillic or Greek name
        is matched by its stem (:func:`script_key`) and may take a case ending of up to
        three letters ("России", "Ρωσίας"), accents aside; ``end`` is then the word's end.
        """
        folded = text.translate(_GREEK_FOLD)  # one character for one: offsets hold
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(folded):
            longest = self.script_longest.get(folded[i], 0)
            for length in range(min(longest, len(folded) - i), 1, -1):
                name = self.scripts.get(folded[i : i + length])
                if name is None:
                    continue
                end = _word_end(folded, i, i + length)
                if end is not None:
                    found.append((i, end, name))
                    i = end - 1
                    break
            i += 1
        return found


_GREEK_FOLD = str.maketrans("άέήίόύώΐΰϊϋΆΈΉΊΌΎΏ", "αεηιουωιυιυΑΕΗΙΟΥΩ")
_CASED_SCRIPTS = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ENDINGS = "аяьйоеыиуюэαεηιουωςϊϋ"
_PROCLITICS = "وفبلك"
MAX_ENDING = 3


def script_key(name: str) -> str:
    """The lookup key of a name in another script: Greek without accents, and a Cyrillic or
    Greek word (not an acronym) without a final ς, ь or й and then up to two vowels ("Росс"
    for Россия and России, "Αιγυπτ" for Αίγυπτος and Αιγύπτου), so inflected forms share
    it."""
    key = name.translate(_GREEK_FOLD)
    if not _CASED_SCRIPTS.search(key) or key.isupper():
        return key
    if len(key) > 4 and key[-1] in "ςьй":  # a case or gender mark, then the vowels
        key = key[:-1]
    stripped = 0
    while stripped < 2 and len(key) > 4 and key[-1] in _ENDINGS:
        key = key[:-1]
        stripped += 1
    return key


def _word_end(text: str, start: int, end: int) -> int | None:
    """Where a name matched at ``text[start:end]`` ends, or None when the match is part of
    another word (see :meth:`Names.find_script_names`)."""
    before = text[start - 1] if start else " "
    if _CASED_SCRIPTS.match(text[start]):
        if before.isalpha():
            return None
        stop = end
        while stop < len(text) and text[stop].isalpha():
            stop += 1
        if stop - end > MAX_ENDING or (stop > end and text[start:end].isupper()):
            return None  # "Китайский" is no form of Китай; "НАТОвский" no form of НАТО
        return stop
    if _ARABIC.match(text[start]):
        k = start
        while k > start - 2 and k > 0 and text[k - 1] in _PROCLITICS:
            k -= 1
        if (k > 0 and text[k - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
            return None
    return end


def build_names(data: dict[str, Any], extra_scripts: dict[str, str]) -> Names:
    """Build the lookup tables from ``places.json``; ``extra_scripts`` adds the gazetteer's
    own names in other scripts (states and organisations)."""
    places = {_key(name): str(kind) for name, kind in dict(data.get("places", {})).items()}
    places.pop((), None)
    scripts = {script_key(str(k)): str(v) for k, v in dict(data.get("script_places", {})).items()}
    scripts.update({script_key(k): v for k, v in extra_scripts.items()})
    longest: dict[str, int] = {}
    for name in scripts:
        longest[name[0]] = max(longest.get(name[0], 0), len(name))
    return Names(
        places=places,
        ambiguous=frozenset(_key(n) for n in _strings(data.get("ambiguous_places"))),
        first_names=frozenset(_strings(data.get("first_names"))),
        surnames=frozenset(_strings(data.get("surnames"))),
        scripts=scripts,
        script_longest=longest,
        script_forms=frozenset(dict(data.get("script_places", {}))) | frozenset(extra_scripts),
    )


def _read(name: str) -> dict[str, Any]:
    try:
        raw = (files("briefing") / "data" / name).read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as exc:  # pragma: no cover - broken installation
        raise SummariserError(f"the bundled {name} cannot be read: {exc}") from exc
    if not isinstance(data, dict):  # pragma: no cover - broken installation
        raise SummariserError(f"the bundled {name} is not a JSON object")
    return data


@cache
def names() -> Names:
    """The packaged places and personal names (cached), with the gazetteer's names of states
    and organisations in other scripts (its ``scripts`` field)."""
    gazetteer = _read("gazetteer.json")
    extra: dict[str, str] = {}
    for section in ("states", "organisations"):
        for item in gazetteer.get(section, []):
            for form in _strings(item.get("scripts")):
                extra[form] = str(item["name"])
    data = _read("places.json")
    # The gazetteer's own hand-made places (regions, disputed areas) join the generated ones.
    places = dict(data.get("places", {}))
    places.update({name: "region" for name in _strings(gazetteer.get("places"))})
    return build_names({**data, "places": places}, extra)


@cache
def load() -> Gazetteer:
    """The packaged gazetteer (cached)."""
    return build(_read("gazetteer.json"))
