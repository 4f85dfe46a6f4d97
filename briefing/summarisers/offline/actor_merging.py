"""Merging for actor extraction (:mod:`.actors` docstring, 3), once the whole article is
scanned: caption run-ons and surnames fold into the person they name; one-word mentions
become later mentions of a person (surname, or a unique first name), an organisation's
acronym, a place, a person by title, or an unknown name kept when seen twice; acronyms the
text defines ("Congressional Research Service (CRS)") merge into the long form; a gazetteer
place that is only ever a person's surname merges into the person.
"""

from __future__ import annotations

import re
from collections import Counter

from briefing.model import ActorKind
from briefing.summarisers.offline.actor_candidates import Candidate, Extraction
from briefing.summarisers.offline.actor_words import (
    CONTRACTION,
    is_acronym,
    is_initial,
    stem_of,
    title_case,
)
from briefing.text.lexicon import NOT_ACRONYMS

__all__ = ["merge_names", "resolve_singles"]

_ACRONYM_DEF = re.compile(
    r"((?:[A-Z][\w'’-]*\s+)(?:(?:of|for|and|the|on|in|[A-Z][\w'’-]*)\s+){0,7}[A-Z][\w'’-]*)"
    r"\s*\(([A-Z][A-Z0-9&]{1,9})\)"
)


def merge_names(ex: Extraction) -> None:
    """Fold caption run-ons ("Hillary Clinton Obsessed") into the person they contain, and
    a gazetteer entry only ever named by a person's surname into that person."""
    persons = sorted(
        (a for a in ex.actors.values() if a.kind == "person"),
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
        if target is not None and target in ex.actors and p.name in ex.actors:
            _fold(ex, p, ex.actors[target])
    for name, forms in ex.gaz_surfaces.items():
        owner_name = surnames.get(next(iter(forms))) if len(forms) == 1 else None
        if owner_name and name in ex.actors and owner_name in ex.actors:
            _fold(ex, ex.actors[name], ex.actors[owner_name])  # "Washington" (PER)
    for cand in list(ex.actors.values()):
        if cand.kind == "place" and cand.name in surnames and cand.name in ex.actors:
            _fold(ex, cand, ex.actors[surnames[cand.name]])


def resolve_singles(ex: Extraction) -> None:
    """Each capitalised word met alone (``ex.singles``): a later mention of a person, an
    organisation's acronym, a place, a person by title, or an unknown name kept when seen
    twice."""
    # An unknown name-like phrase whose last word is later used alone is a person's name
    # ("Florian Schwarthoff" ... "Schwarthoff"): it takes those mentions and the kind.
    persons = [
        a
        for a in ex.actors.values()
        if a.kind == "person" or (a.kind == "other" and len(a.name.split()) in (2, 3))
    ]
    by_surname: dict[str, Candidate] = {}
    by_first: dict[str, list[Candidate]] = {}
    for p in persons:
        parts = p.name.split()
        by_surname.setdefault(stem_of(parts[-1]), p)
        by_first.setdefault(stem_of(parts[0]), []).append(p)
    acronyms = _acronyms(ex.text)
    by_name = {a.name: a for a in ex.actors.values()}
    by_initials = {
        "".join(w[0] for w in a.name.split() if w[:1].isupper()): a
        for a in ex.actors.values()
        if a.kind in ("organisation", "armed group") and len(a.name.split()) > 1
    }
    unknown: dict[str, list[tuple[int, int, bool, bool, str]]] = {}
    for sent, offset, word, initial, title, locative in ex.singles:
        place = ex.names.place((word,))
        stem = stem_of(word)
        if stem in by_surname:
            by_surname[stem].mention(sent, offset, 1.0, word, naming=False)
            by_surname[stem].kind = "person"
        elif stem in by_first and len(by_first[stem]) == 1:
            by_first[stem][0].mention(sent, offset, 1.0, word, naming=False)
        elif word in by_name and not initial:
            by_name[word].mention(sent, offset, 1.0, "")
        elif word not in acronyms and is_acronym(word) and word in by_initials:
            by_initials[word].mention(sent, offset, 1.0, word, naming=False)
        elif word in acronyms:
            long_form = acronyms[word]
            cand = by_name.get(long_form) or ex.get(long_form, "organisation", True)
            cand.mention(sent, offset, 1.0, word)
        elif place is not None and ((word,) not in ex.names.ambiguous or locative):
            cand = ex.get(word, "place", True)
            cand.mention(sent, offset, 1.0, "")
            by_name[word] = cand
        elif title and title_case(word) and word.lower() not in ex.lower_words:
            person = ex.get(word, "person", True)
            person.mention(sent, offset, 1.0, "")
            person.title = person.title or title
        elif CONTRACTION.match(word) or word in NOT_ACRONYMS or is_initial(word):
            continue
        else:
            unknown.setdefault(stem, []).append((sent, offset, initial, locative, word))
    for hits in unknown.values():
        # Seen capitalised mid-sentence at least once, and at least twice in all. Forms
        # of one Russian or Greek name ("Шойгу", "Навального") count together.
        if len(hits) < 2 or all(hit[2] for hit in hits):
            continue
        word = Counter(hit[4] for hit in hits).most_common(1)[0][0]
        if not any(hit[4] in ex.mid_caps for hit in hits) and not is_acronym(word):
            continue
        kind: ActorKind = "organisation" if is_acronym(word) else "other"
        if kind == "other" and 2 * sum(hit[3] for hit in hits) >= len(hits):
            kind = "place"  # mostly "in X", "near X": a town the lists do not know
        cand = ex.get(word, kind, False)
        for sent, offset, _first, _locative, surface in hits:
            cand.mention(sent, offset, 1.0, surface if surface != word else "")
    # Defined acronyms name their long form.
    for acronym, long_form in acronyms.items():
        defined = ex.actors.get(long_form)
        if defined is not None:
            defined.aliases.setdefault(acronym, None)


def _fold(ex: Extraction, src: Candidate, dst: Candidate) -> None:
    """Merge ``src`` into ``dst``: its mentions count for ``dst``, and ``src`` is gone."""
    dst.score += src.score
    dst.mentions += src.mentions
    dst.first = min(dst.first, src.first)
    dst.known = dst.known or src.known
    for index, offset in src.sentences.items():
        dst.sentences.setdefault(index, offset)
    dst.title = dst.title or src.title
    del ex.actors[src.name]


def _acronyms(text: str) -> dict[str, str]:
    """The acronyms ``text`` defines ("Congressional Research Service (CRS)"): acronym -> long
    form."""
    found: dict[str, str] = {}
    for match in _ACRONYM_DEF.finditer(text):
        long_form = " ".join(match.group(1).split())
        long_form = re.sub(r"^(?:The|A|An)\s+", "", long_form)
        acronym = match.group(2)
        initials = "".join(w[0] for w in long_form.split() if w[0].isupper())
        if acronym[0] == initials[:1] or acronym in initials:
            found[acronym] = long_form
    return found
