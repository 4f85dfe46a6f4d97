"""Actor extraction for the offline summariser: who matters in the article, and what they did.

Method (rules and bundled lists only, no model; linear in the article's length):

1. Every sentence is tokenised. A longest-match scan against the bundled gazetteer finds
   states (by name, alias, demonym or capital), international organisations and armed
   groups. "British", "Britain", "UK" all land on *United Kingdom*; "ISIS" and "Islamic
   State" on *Islamic State*. A demonym counts as half a mention unless it is followed by a
   state noun ("Syrian authorities", "French forces"), when it counts fully. A capital
   stands for its state only as a metonym ("London's commitment", "Washington has argued",
   "officials in Damascus"); otherwise it is the city, a place. A state named as a place
   ("in eastern Syria") counts 0.4. A gazetteer name that is the tail of a longer
   capitalised name ("MaliVai Washington", "Dynamo Moscow", "Bank of England") is left to
   that name. (:mod:`.actor_gazetteer`)
2. The remaining runs of capitalised words (joined by ``of``/``al``/``bin``... connectors,
   initials "P. Simmons", "&", and ``for`` after an organisation head) are classified, in
   order: a gazetteer form or a known place (cities and regions from GeoNames, see
   :mod:`briefing.text.gazetteer`); a head word such as Ministry/Council/Party/Club makes an
   organisation, Brigade/Militia an armed group, Street/River/Province a place; two to four
   capitalised words are a person when a title precedes, the first word is a known first
   name or an initial, or the last a known surname (else a name-like phrase of unknown kind,
   kept only when seen twice). A person's title (President, Gen.) is moved into the role.
   A capitalised word at the start of a sentence is only trusted if the lists know it, it
   names a person already seen, or it also appears capitalised mid-sentence elsewhere.
   Headlines and all-capitals lines only contribute names the lists know ("KANSAS CITY").
   (:mod:`.actor_runs`)
3. Later one-word mentions of a person (surname, or a unique first name) merge into that
   person; acronyms defined in the text ("Congressional Research Service (CRS)") merge
   into the long form; a gazetteer place that is only ever a person's surname merges into
   the person. (:mod:`.actor_merging`)
4. Salience = weighted mentions + a bonus for appearing early. Actors below a floor (one
   mention; an unknown name needs two) are dropped; the rest are ranked, those mentioned
   twice first, and capped at ``MAX_ACTORS``.
5. Each actor is named as the article names it: the gazetteer's name when the article uses
   it, else the article's most frequent form ("Britain", "U.S."), so the name can be found
   in the text; the other forms become aliases.
6. Scripts without case: names written in Han, kana, Arabic, Cyrillic or Greek script that
   the lists know (cities, states, organisations) are found by a substring scan; in
   Cyrillic and Greek, capitalised runs work as in English. (:mod:`.actor_scripts`)
7. The role and the evidence of each actor: :mod:`briefing.summarisers.offline.roles`.

This module runs the passes in order over one :class:`.actor_candidates.Extraction` and does
steps 4 and 5; the shapes of words the passes share are in :mod:`.actor_words`.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.model import Actor
from briefing.summarisers.offline.actor_candidates import Candidate, Extraction
from briefing.summarisers.offline.actor_gazetteer import scan_gazetteer, scan_known
from briefing.summarisers.offline.actor_merging import merge_names, resolve_singles
from briefing.summarisers.offline.actor_runs import scan_runs
from briefing.summarisers.offline.actor_scripts import (
    in_other_script,
    scan_scripts,
    script_mentions,
)
from briefing.summarisers.offline.roles import (
    WINDOW,
    Option,
    around,
    assign_roles,
    evidence_quote,
    mention_score,
    pick_evidence,
    role_line,
)
from briefing.text.lines import tokens
from briefing.text.sentences import Sentence

__all__ = ["MAX_ACTORS", "extract_actors"]

MAX_ACTORS = 10
# A line with more capitalised words than this share is a headline or a table row.
_HEADLINE_SHARE = 0.8


def extract_actors(sentences: Sequence[Sentence], text: str) -> list[Actor]:
    """The most salient actors of an article, each with role, evidence and aliases."""
    ex = Extraction(sentences, text)
    _scan(ex)
    script_mentions(ex)
    merge_names(ex)
    resolve_singles(ex)
    ranked = _ranked(ex)
    options = [_options(ex, cand) for cand in ranked]
    chosen = assign_roles(options)
    actors: list[Actor] = []
    for i, cand in enumerate(ranked):
        _score, index, offset = chosen[i]
        name = _display_name(ex, cand)
        aliases = [a for a in cand.aliases if a.lower() != name.lower()]
        if name != cand.name:
            aliases.insert(0, cand.name)  # the gazetteer's name, for matching across articles
        actors.append(
            Actor(
                name=name,
                kind=cand.kind,
                role=_role(ex, cand, index, offset),
                evidence=_evidence(ex, options[i], index),
                aliases=aliases,
            )
        )
    return actors


def _scan(ex: Extraction) -> None:
    """The first pass over every sentence: names in other scripts, gazetteer forms and
    capitalised runs (module docstring, 1, 2 and 6)."""
    # Words capitalised other than first in their sentence, over the whole article, so
    # that a sentence-initial word can be judged by what comes later as well.
    for sent in ex.sentences:
        toks = ex.tokens_of(sent)
        if sum(t.capitalised for t in toks) <= _HEADLINE_SHARE * len(toks):
            ex.mid_caps.update(t.norm for t in toks[1:] if t.capitalised)
            lead = 0
            while lead < min(4, len(toks)) and toks[lead].capitalised:
                lead += 1
            for size in range(2, lead + 1):
                ex.openings[tuple(t.norm for t in toks[:size])] += 1
        ex.lower_words.update(t.norm for t in toks if t.norm[:1].islower())
    for sent in ex.sentences:
        toks = ex.tokens_of(sent)
        used = [False] * len(toks)
        if in_other_script(sent.text):
            scan_scripts(ex, sent, toks, used)
        if len(toks) < 2:
            continue
        if len(toks) < 3 or sum(t.capitalised for t in toks) > _HEADLINE_SHARE * len(toks):
            # Headlines, tables and all-capitals lines: only names the lists know.
            scan_known(ex, sent, toks)
            continue
        scan_gazetteer(ex, sent, toks, used)
        scan_runs(ex, sent, toks, used)


def _ranked(ex: Extraction) -> list[Candidate]:
    """The candidates kept as actors, most salient first (module docstring, 4)."""
    total = max(1, len(ex.sentences))
    kept: list[Candidate] = []
    for cand in ex.actors.values():
        if not cand.known and cand.mentions < 2:
            continue
        if cand.score < 1.0 and cand.mentions < 2:
            continue  # one mention as a place ("in Mali") or an adjective ("Malian")
        if cand.kind == "place" and cand.mentions < 2:
            continue  # a place named once is where something happened, not an actor
        if cand.kind == "state" and not cand.surfaces:
            continue  # only ever an adjective or a city: "Chilean striker"
        cand.score += 1.5 * (1.0 - cand.first / total)  # appearing early
        kept.append(cand)
    # Named twice or more first: a name seen once is rarely what the article is about.
    kept.sort(key=lambda c: (c.mentions < 2, -c.score, c.first, c.name))
    return kept[:MAX_ACTORS]


def _display_name(ex: Extraction, cand: Candidate) -> str:
    """The name as the article gives it (module docstring, 5)."""
    if not cand.surfaces:
        return cand.name
    # The dictionary form of a name in another script when the article uses it
    # ("Россия", not "России"), else the article's most frequent form; the gazetteer's
    # name wins a tie.
    forms = ex.names.script_forms
    return max(
        cand.surfaces.items(),
        key=lambda kv: (kv[0] in forms, kv[1], kv[0] == cand.name, len(kv[0])),
    )[0]


def _options(ex: Extraction, cand: Candidate) -> list[Option]:
    """Each sentence mentioning ``cand``, scored by its mention (``roles.mention_score``),
    best first."""
    scored = []
    for index, offset in cand.sentences.items():
        sent = ex.by_index[index]
        if len(sent.text) > 2 * WINDOW:
            text, start = around(sent.text, offset)
            toks = tokens(text)
            score = mention_score(text, toks, offset - start)
        else:
            score = mention_score(sent.text, ex.tokens_of(sent), offset)
        scored.append((score, index, offset))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return scored


def _role(ex: Extraction, cand: Candidate, index: int, offset: int) -> str:
    """The role line for ``cand`` from sentence ``index`` (mention at ``offset``)."""
    return role_line(ex.by_index[index].text, offset, cand.title)


def _evidence(ex: Extraction, options: list[Option], chosen: int) -> list[str]:
    """The role's sentence and the next best usable one, verbatim, in article order."""
    offsets = {index: offset for _s, index, offset in options}
    return [evidence_quote(ex.by_index[i].text, offsets[i]) for i in pick_evidence(options, chosen)]
