"""The bundled gazetteer (``briefing/data/gazetteer.json``) as a token-level lookup table.

The file lists states (all UN members plus observers and partially recognised states) with
aliases, demonyms and capitals, and international organisations and armed groups with
aliases. It is read once with :mod:`importlib.resources`, never from the current directory.

Matching is case-sensitive on purpose: ``US`` is the United States but ``us`` is a pronoun,
``WHO`` is the World Health Organization but ``Who`` is not.
"""

from __future__ import annotations

import json
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


@cache
def load() -> Gazetteer:
    """The packaged gazetteer (cached)."""
    try:
        raw = (files("briefing") / "data" / "gazetteer.json").read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as exc:  # pragma: no cover - broken installation
        raise SummariserError(f"the bundled gazetteer cannot be read: {exc}") from exc
    if not isinstance(data, dict):  # pragma: no cover - broken installation
        raise SummariserError("the bundled gazetteer is not a JSON object")
    return build(data)
