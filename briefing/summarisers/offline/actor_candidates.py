"""The candidate actors of one article and the state the extraction passes share.

:class:`Candidate` gathers the mentions of one actor (weight, sentences, surface forms,
title); :class:`Extraction` holds an article's sentences and tokens, the candidates found so
far, and what the passes learn of the article on the way (words capitalised mid-sentence,
words also written in lower case, sentence openings, one-word mentions left to resolve). The
passes themselves: :mod:`.actor_gazetteer`, :mod:`.actor_scripts`, :mod:`.actor_runs`,
:mod:`.actor_merging`, run in order by :func:`.actors.extract_actors`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefing.model import ActorKind
from briefing.summarisers.offline.actor_words import CASED_SCRIPT, stem_of
from briefing.text import gazetteer as gaz
from briefing.text.lines import Token, tokens
from briefing.text.sentences import Sentence

__all__ = ["Candidate", "Extraction", "Single"]

# A capitalised word met alone, resolved once the whole article is read (by
# :func:`.actor_merging.resolve_singles`): (sentence index, offset, word, sentence-initial?,
# title, locative?).
Single = tuple[int, int, str, bool, str, bool]


@dataclass
class Candidate:
    """One actor as found so far: its mentions and the forms that name it."""

    name: str
    kind: ActorKind
    known: bool  # from the lists or a clear pattern (not an unknown name-like phrase)
    score: float = 0.0
    mentions: int = 0
    first: int = 10**9
    aliases: dict[str, None] = field(default_factory=dict)
    sentences: dict[int, int] = field(default_factory=dict)  # sentence index -> char offset
    title: str = ""
    surfaces: Counter[str] = field(default_factory=Counter)  # forms that name it, by weight

    def mention(
        self, sentence: int, offset: int, weight: float, surface: str, naming: bool = True
    ) -> None:
        self.score += weight
        self.mentions += 1
        self.first = min(self.first, sentence)
        if sentence not in self.sentences:
            self.sentences[sentence] = offset
        if surface and surface != self.name:
            self.aliases.setdefault(surface, None)
        if naming:
            self.surfaces[surface or self.name] += 1


class Extraction:
    """One article's actor extraction in progress (module docstring)."""

    def __init__(self, sentences: Sequence[Sentence], text: str) -> None:
        self.sentences = sentences
        self.text = text
        self.gaz = gaz.load()
        self.names = gaz.names()
        self.actors: dict[str, Candidate] = {}
        self.singles: list[Single] = []
        self.mid_caps: set[str] = set()
        self.by_index = {s.index: s for s in sentences}
        self._tokens: dict[int, list[Token]] = {}
        # Gazetteer mentions by surface, to hand a "place" back to a person of that surname.
        self.gaz_surfaces: dict[str, set[str]] = {}
        # Words the article also writes in lower case: "Bond", "Women" are ordinary words.
        self.lower_words: set[str] = set()
        self.stems: dict[str, str] = {}  # stemmed Russian or Greek phrase -> candidate name
        # People found by their titles in Chinese, Japanese or Arabic, and bodies and places
        # by their final word in Chinese or Japanese: name -> mentions seen.
        self.script_people: dict[str, set[tuple[int, int]]] = {}
        # Capitalised phrases that open sentences, by count: one repeated ("Dynamo Moscow"
        # twice) is a name even though it is only ever sentence-initial.
        self.openings: Counter[tuple[str, ...]] = Counter()

    def tokens_of(self, sent: Sentence) -> list[Token]:
        """The tokens of ``sent`` (computed once)."""
        toks = self._tokens.get(sent.index)
        if toks is None:
            toks = self._tokens[sent.index] = tokens(sent.text)
        return toks

    def get(self, name: str, kind: ActorKind, known: bool) -> Candidate:
        """The candidate named ``name``, created with ``kind`` if new; ``known`` sticks."""
        surface = name
        if " " in name and CASED_SCRIPT.search(name):
            # Russian and Greek names inflect word by word: "Πολιτική Προστασία" and
            # "Πολιτικής Προστασίας" are one body, under the form seen first.
            name = self.stems.setdefault(" ".join(stem_of(w) for w in name.split()), name)
        cand = self.actors.get(name)
        if cand is None:
            cand = self.actors[name] = Candidate(name, kind, known)
        elif known and not cand.known:
            cand.known = True
        if surface != name:
            cand.aliases.setdefault(surface, None)
        return cand

    def known_word(self, word: str) -> bool:
        """Do the lists know ``word`` as (part of) a name?"""
        return (
            word in self.names.first_names
            or (word,) in self.names.places
            or (word,) in self.gaz.forms
            or word in self.names.surnames
        )
