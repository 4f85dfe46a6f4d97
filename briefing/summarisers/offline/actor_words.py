"""The shapes of words in names, for actor extraction (:mod:`.actors`): acronyms, initials,
title case, words shouted in capitals, contractions, and the stems of inflecting scripts."""

from __future__ import annotations

import re

from briefing.text import gazetteer as gaz
from briefing.text.lines import Token

__all__ = [
    "CASED_SCRIPT",
    "CONTRACTION",
    "INITIALS",
    "is_acronym",
    "is_initial",
    "name_end",
    "shouted",
    "stem_of",
    "title_case",
]

INITIALS = re.compile(r"(?:[A-Z]\.){2,}")  # "B.B.", "J.K."
CONTRACTION = re.compile(r"^[A-Za-z]+['’](?:ve|m|ll|d|re|t|s)$")
# Scripts with case whose names inflect: Greek and Cyrillic.
CASED_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_ACRONYM_MAX = 6


def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def title_case(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


def stem_of(word: str) -> str:
    """``word`` as written, or its stem in Cyrillic and Greek, where names inflect."""
    return gaz.script_key(word) if CASED_SCRIPT.search(word) else word


def name_end(tok: Token) -> int:
    """Where the name in ``tok`` ends: before a possessive "'s"."""
    return tok.start + len(tok.norm)


def shouted(word: str) -> bool:
    """A word in capitals too long for an acronym ("SCHEDULE", "DIGEST")."""
    return word.isupper() and sum(c.isalpha() for c in word) > _ACRONYM_MAX


def is_initial(word: str) -> bool:
    """An initial, such as the P of "P. Simmons"."""
    return len(word) == 1 and word.isupper()
