"""Actor extraction for the offline summariser: who matters in the article, and what they did.

Method (rules only, no model):

1. Every sentence is tokenised. A longest-match scan against the bundled gazetteer finds
   states (by name, alias, demonym or capital), international organisations and armed
   groups. "British", "Britain", "UK", "London" all land on *United Kingdom*; "ISIS" and
   "Islamic State" on *Islamic State*. A demonym or capital counts as half a mention unless
   it is followed by a state noun ("Syrian authorities", "French forces"), when it counts
   fully and the phrase is kept as an alias. A state named as a place ("in eastern
   Syria", "in Burkina Faso, Mali and Niger") counts 0.4.
2. The remaining runs of capitalised words (joined by ``of``/``al``/``bin``... connectors,
   and by ``for`` after an organisation head: "International Institute for Strategic
   Studies") are classified: a head word such as Ministry/Council/Party/Forces makes an
   organisation, Brigade/Militia an armed group; two to four plain capitalised words are
   a person, whose title (President, Gen., "deputy finance minister") is moved into the
   role. A capitalised word at the start of a sentence is only trusted if the gazetteer
   knows it, it names a person already seen, or it also appears capitalised mid-sentence
   elsewhere; months, weekdays, regions, news agencies and boilerplate labels ("Topics",
   "World") never count.
3. Later one-word mentions of a person (surname, or a unique first name) merge into that
   person; acronyms defined in the text ("Congressional Research Service (CRS)") merge
   into the long form.
4. Salience = weighted mentions + a bonus for appearing early. Actors below a floor (half
   a mention, or an unknown single word seen fewer than three times) are dropped; the rest
   are ranked and capped.
5. The role and the evidence of each actor: :mod:`briefing.summarisers.offline.roles`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefing.model import Actor, ActorKind
from briefing.summarisers.offline.roles import (
    Option,
    assign_roles,
    is_locative,
    mention_score,
    pick_evidence,
    role_line,
)
from briefing.text import gazetteer as gaz
from briefing.text.lexicon import (
    ARMED_HEADS,
    COMMON_CAPITALISED,
    JUNK,
    MONTHS_DAYS,
    NOT_ACRONYMS,
    ORG_HEADS,
    PLACE_HEADS,
    STATE_NOUNS,
    TITLE_ABBREVIATIONS,
    TITLES,
)
from briefing.text.lines import Token, tokens
from briefing.text.sentences import Sentence

__all__ = ["LOCATIVE_WEIGHT", "MAX_ACTORS", "extract_actors"]

MAX_ACTORS = 10
LOCATIVE_WEIGHT = 0.4
_CONNECTORS = frozenset({"of", "de", "la", "le", "du", "da", "dos", "del", "von", "van", "der"})
_NAME_PARTICLES = frozenset({"bin", "ibn", "al", "el", "abu", "ben", "van", "von", "de"})
_CONTRACTION = re.compile(r"^[A-Za-z]+['’](?:ve|m|ll|d|re|t|s)$")
_ACRONYM_DEF = re.compile(
    r"((?:[A-Z][\w'’-]*\s+)(?:(?:of|for|and|the|on|in|[A-Z][\w'’-]*)\s+){0,7}[A-Z][\w'’-]*)"
    r"\s*\(([A-Z][A-Z0-9&]{1,9})\)"
)


@dataclass
class _Candidate:
    name: str
    kind: ActorKind
    known: bool  # from the gazetteer or a clear pattern (not an unknown single word)
    score: float = 0.0
    mentions: int = 0
    first: int = 10**9
    aliases: dict[str, None] = field(default_factory=dict)
    sentences: dict[int, int] = field(default_factory=dict)  # sentence index -> char offset
    title: str = ""

    def mention(self, sentence: int, offset: int, weight: float, surface: str) -> None:
        self.score += weight
        self.mentions += 1
        self.first = min(self.first, sentence)
        if sentence not in self.sentences:
            self.sentences[sentence] = offset
        if surface and surface != self.name:
            self.aliases.setdefault(surface, None)


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _title_case(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


class _Extractor:
    def __init__(self, sentences: Sequence[Sentence], text: str) -> None:
        self.sentences = sentences
        self.text = text
        self.gaz = gaz.load()
        self.actors: dict[str, _Candidate] = {}
        # (sentence index, offset, word, sentence-initial?, title)
        self.singles: list[tuple[int, int, str, bool, str]] = []
        self.mid_caps: set[str] = set()
        self.by_index = {s.index: s for s in sentences}
        self._tokens: dict[int, list[Token]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def tokens_of(self, sent: Sentence) -> list[Token]:
        """The tokens of ``sent`` (computed once)."""
        toks = self._tokens.get(sent.index)
        if toks is None:
            toks = self._tokens[sent.index] = tokens(sent.text)
        return toks

    def _get(self, name: str, kind: ActorKind, known: bool) -> _Candidate:
        cand = self.actors.get(name)
        if cand is None:
            cand = self.actors[name] = _Candidate(name, kind, known)
        return cand

    def _demonym_weight(self, toks: list[Token], after: int) -> tuple[float, str]:
        """Weight of a demonym/capital whose last token is ``toks[after - 1]``."""
        for k in range(after, min(after + 4, len(toks))):
            low = toks[k].norm.lower()
            if low in STATE_NOUNS:
                return 1.0, low
            if low not in {"and", "of", "the", "s"} and not toks[k].capitalised:
                break
        return 0.5, ""

    # -- pass 1: gazetteer and capitalised runs ---------------------------------------------
    def scan(self) -> None:
        for sent in self.sentences:
            toks = self.tokens_of(sent)
            if len(toks) < 3 or sum(t.capitalised for t in toks) > 0.8 * len(toks):
                continue  # labels, headings and all-caps lines carry no actors
            used = [False] * len(toks)
            self._scan_gazetteer(sent, toks, used)
            self._scan_runs(sent, toks, used)

    def _scan_gazetteer(self, sent: Sentence, toks: list[Token], used: list[bool]) -> None:
        words = [t.norm for t in toks]
        i = 0
        while i < len(toks):
            hit = self.gaz.match(words, i)
            shouting = i + 1 < len(toks) and toks[i + 1].norm.isupper()
            if hit is None or (hit[1].surface == "IS" and shouting):
                i += 1
                continue
            length, form = hit
            end = i + length
            weight = 1.0
            surface = sent.text[toks[i].start : toks[end - 1].start + len(toks[end - 1].norm)]
            if form.kind in ("demonym", "capital"):
                weight, noun = self._demonym_weight(toks, end)
                if noun and form.kind == "demonym" and toks[end].norm.lower() == noun:
                    surface = f"{surface} {toks[end].norm}"
            elif form.entry.kind == "state" and is_locative(toks, i):
                weight = LOCATIVE_WEIGHT  # a place named, not a state acting
            cand = self._get(form.entry.name, form.entry.kind, True)
            cand.mention(sent.index, toks[i].start, weight, surface)
            for k in range(i, end):
                used[k] = True
            i = end

    def _runs(self, sent: Sentence, toks: list[Token], used: list[bool]) -> list[list[int]]:
        runs: list[list[int]] = []
        cur: list[int] = []
        for i, tok in enumerate(toks):
            if used[i]:
                if cur:
                    runs.append(cur)
                cur = []
                continue
            gap = sent.text[toks[i - 1].end : tok.start] if i else ""
            joinable = bool(cur) and (
                gap.strip() == ""
                or (gap.strip() == "." and toks[i - 1].norm in TITLE_ABBREVIATIONS)
            )
            if tok.capitalised or (tok.norm[:1].isdigit() and cur and tok.norm.isalnum()):
                if cur and not joinable:
                    runs.append(cur)
                    cur = []
                cur.append(i)
            elif cur and joinable and tok.norm in _CONNECTORS | _NAME_PARTICLES:
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
        # Drop trailing connectors.
        cleaned: list[list[int]] = []
        for run in runs:
            while run and not toks[run[-1]].capitalised:
                run = run[:-1]
            if run:
                cleaned.append(run)
        return cleaned

    def _title_before(self, toks: list[Token], first: int) -> str:
        words: list[str] = []
        k = first - 1
        while k >= 0 and len(words) < 4 and toks[k].norm.lower() in TITLES:
            words.insert(0, toks[k].norm)
            k -= 1
        return " ".join(words)

    def _scan_runs(self, sent: Sentence, toks: list[Token], used: list[bool]) -> None:
        for run in self._runs(sent, toks, used):
            initial = run[0] == 0 or (
                run[0] > 0 and sent.text[: toks[run[0]].start].strip() in {"", '"', "'", "“", "‘"}
            )
            words = [toks[k].norm for k in run]
            # Sentence-initial common word ("The", "However", "Defence").
            if initial and words[0].lower() in COMMON_CAPITALISED | MONTHS_DAYS | JUNK:
                run, words, initial = run[1:], words[1:], False
            # Split at months/weekdays and drop them.
            parts: list[list[int]] = [[]]
            for k in run:
                if toks[k].norm.lower() in MONTHS_DAYS:
                    parts.append([])
                else:
                    parts[-1].append(k)
            for n, part in enumerate(parts):
                if part:
                    self._classify(sent, toks, part, initial and n == 0 and part[0] == run[0])

    def _classify(self, sent: Sentence, toks: list[Token], run: list[int], initial: bool) -> None:
        before = self._title_before(toks, run[0])
        title_words: list[str] = []
        while run and toks[run[0]].norm.lower() in TITLES and len(run) > 1:
            title_words.append(toks[run[0]].norm)
            run = run[1:]
        while run and not toks[run[0]].capitalised:
            run = run[1:]
        if not run:
            return
        if _CONTRACTION.match(toks[run[0]].norm) or toks[run[0]].norm in NOT_ACRONYMS:
            run = run[1:]
            if not run:
                return
        words = [toks[k].norm for k in run]
        phrase = sent.text[toks[run[0]].start : toks[run[-1]].start + len(toks[run[-1]].norm)]
        lows = [w.lower() for w in words]
        if phrase in self.gaz.regions or phrase in self.gaz.media or lows[-1] in PLACE_HEADS:
            return
        if any(w in self.gaz.regions or w.rstrip("s") in self.gaz.regions for w in words):
            return  # "Coptic Christians", "Sunni Arabs": communities, not actors
        gap = sent.text[max(0, toks[run[0]].start - 2) : toks[run[0]].start]
        if any(q in gap for q in '"“‘') and len(words) > 1:
            return  # a quoted title ("The Thrill Is Gone")
        if any(w in JUNK | MONTHS_DAYS for w in lows) and len(words) == 1:
            return
        title = " ".join([before, *title_words]).strip()
        offset = toks[run[0]].start
        if not initial:
            self.mid_caps.update(words)
        if len(words) == 1:
            word = words[0]
            if word.lower() in COMMON_CAPITALISED | ORG_HEADS | ARMED_HEADS | TITLES:
                return
            self.singles.append((sent.index, offset, word, initial, title))
            return
        if any(w in ARMED_HEADS for w in lows):
            self._get(phrase, "armed group", True).mention(sent.index, offset, 1.0, "")
        elif any(w in ORG_HEADS for w in lows):
            if lows[0] in ORG_HEADS and len(words) <= 1:
                return
            self._get(phrase, "organisation", True).mention(sent.index, offset, 1.0, "")
        elif 2 <= len(words) <= 4 and all(
            _title_case(w) or w.lower() in _NAME_PARTICLES for w in words
        ):
            if initial and lows[0] in COMMON_CAPITALISED:
                return
            person = self._get(phrase, "person", True)
            person.mention(sent.index, offset, 1.0, "")
            if title and not person.title:
                person.title = title

    # -- pass 2: acronyms and single words ---------------------------------------------------
    def acronyms(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for match in _ACRONYM_DEF.finditer(self.text):
            long_form = " ".join(match.group(1).split())
            long_form = re.sub(r"^(?:The|A|An)\s+", "", long_form)
            acronym = match.group(2)
            initials = "".join(w[0] for w in long_form.split() if w[0].isupper())
            if acronym[0] == initials[:1] or acronym in initials:
                found[acronym] = long_form
        return found

    def merge_names(self) -> None:
        """Fold caption run-ons ("Hillary Clinton Obsessed") into the person they contain."""
        persons = sorted(
            (a for a in self.actors.values() if a.kind == "person"),
            key=lambda a: (len(a.name.split()), -a.mentions),
        )
        names = {a.name for a in persons}
        surnames: dict[str, str] = {}
        for p in persons:
            if len(p.name.split()) >= 2:
                surnames.setdefault(p.name.split()[-1], p.name)
        for p in persons:
            parts = p.name.split()
            target = None
            for size in (3, 2):
                for k in range(len(parts) - size + 1):
                    sub = " ".join(parts[k : k + size])
                    if sub != p.name and sub in names and len(parts) > size:
                        target = target or sub
            if target is None and len(parts) == 2 and p.mentions == 1:
                for part in parts:
                    owner = surnames.get(part)
                    if owner is not None and owner != p.name:
                        target = owner
            if target is not None and target in self.actors and p.name in self.actors:
                self._fold(p, self.actors[target])

    def _fold(self, src: _Candidate, dst: _Candidate) -> None:
        dst.score += src.score
        dst.mentions += src.mentions
        dst.first = min(dst.first, src.first)
        for index, offset in src.sentences.items():
            dst.sentences.setdefault(index, offset)
        dst.title = dst.title or src.title
        del self.actors[src.name]

    def resolve_singles(self) -> None:
        persons = [a for a in self.actors.values() if a.kind == "person"]
        by_surname: dict[str, _Candidate] = {}
        by_first: dict[str, list[_Candidate]] = {}
        for p in persons:
            parts = p.name.split()
            by_surname.setdefault(parts[-1], p)
            by_first.setdefault(parts[0], []).append(p)
        acronyms = self.acronyms()
        by_name = {a.name: a for a in self.actors.values()}
        by_initials = {
            "".join(w[0] for w in a.name.split() if w[:1].isupper()): a
            for a in self.actors.values()
            if a.kind in ("organisation", "armed group") and len(a.name.split()) > 1
        }
        unknown: dict[str, list[tuple[int, int, str]]] = {}
        for sent, offset, word, initial, title in self.singles:
            if word in by_surname:
                by_surname[word].mention(sent, offset, 1.0, word)
            elif word in by_first and len(by_first[word]) == 1:
                by_first[word][0].mention(sent, offset, 1.0, word)
            elif word not in acronyms and _is_acronym(word) and word in by_initials:
                by_initials[word].mention(sent, offset, 1.0, word)
            elif word in acronyms:
                long_form = acronyms[word]
                cand = by_name.get(long_form) or self._get(long_form, "organisation", True)
                cand.mention(sent, offset, 1.0, word)
            elif title and _title_case(word):
                person = self._get(word, "person", True)
                person.mention(sent, offset, 1.0, "")
                person.title = person.title or title
            elif _CONTRACTION.match(word) or word in NOT_ACRONYMS:
                continue
            elif not initial or word in self.mid_caps:
                unknown.setdefault(word, []).append((sent, offset, title))
        for word, hits in unknown.items():
            kind: ActorKind = "organisation" if _is_acronym(word) else "other"
            needed = 2 if kind == "organisation" else 3
            if len(hits) < needed:
                continue
            cand = self._get(word, kind, False)
            for sent, offset, _title in hits:
                cand.mention(sent, offset, 1.0, "")
        # Defined acronyms name their long form.
        for acronym, long_form in acronyms.items():
            defined = self.actors.get(long_form)
            if defined is not None:
                defined.aliases.setdefault(acronym, None)

    # -- output ---------------------------------------------------------------------------
    def ranked(self) -> list[_Candidate]:
        total = max(1, len(self.sentences))
        kept: list[_Candidate] = []
        for cand in self.actors.values():
            if cand.score < 1.0:
                continue
            early = 1.5 * (1.0 - cand.first / total)
            cand.score += early
            kept.append(cand)
        kept.sort(key=lambda c: (-c.score, c.first, c.name))
        return kept[:MAX_ACTORS]

    def options(self, cand: _Candidate) -> list[Option]:
        """Each sentence mentioning ``cand``, scored by its mention (``roles.mention_score``),
        best first."""
        scored = []
        for index, offset in cand.sentences.items():
            sent = self.by_index[index]
            scored.append((mention_score(sent.text, self.tokens_of(sent), offset), index, offset))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored

    def role(self, cand: _Candidate, index: int, offset: int) -> str:
        """The role line for ``cand`` from sentence ``index`` (mention at ``offset``)."""
        return role_line(self.by_index[index].text, offset, cand.title)

    def evidence(self, options: list[Option], chosen: int) -> list[str]:
        """The role's sentence and the next best usable one, verbatim, in article order."""
        return [self.by_index[i].text for i in pick_evidence(options, chosen)]


def extract_actors(sentences: Sequence[Sentence], text: str) -> list[Actor]:
    """The most salient actors of an article, each with role, evidence and aliases."""
    ex = _Extractor(sentences, text)
    ex.scan()
    ex.merge_names()
    ex.resolve_singles()
    ranked = ex.ranked()
    options = [ex.options(cand) for cand in ranked]
    chosen = assign_roles(options)
    actors: list[Actor] = []
    for i, cand in enumerate(ranked):
        _score, index, offset = chosen[i]
        aliases = [a for a in cand.aliases if a.lower() != cand.name.lower()]
        actors.append(
            Actor(
                name=cand.name,
                kind=cand.kind,
                role=ex.role(cand, index, offset),
                evidence=ex.evidence(options[i], index),
                aliases=aliases,
            )
        )
    return actors
