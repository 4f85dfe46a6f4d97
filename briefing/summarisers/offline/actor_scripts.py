"""Actors in scripts other than the Latin (:mod:`.actors` docstring, 6): names written in Han,
kana, Arabic, Cyrillic or Greek script that the lists know (cities, states, organisations), by
a substring scan; people found by their titles and bodies by their final word in Chinese,
Japanese and Arabic (:mod:`.script_people`), and the later mentions of those people.
"""

from __future__ import annotations

import re
from functools import partial

from briefing.model import ActorKind
from briefing.summarisers.offline.actor_candidates import Extraction
from briefing.summarisers.offline.actor_words import CASED_SCRIPT
from briefing.summarisers.offline.script_people import find_bodies, find_people, later_mentions
from briefing.text import gazetteer as gaz
from briefing.text.lines import Token
from briefing.text.sentences import Sentence

__all__ = ["MAX_SCRIPT_PEOPLE", "in_other_script", "scan_scripts", "script_mentions"]

MAX_SCRIPT_PEOPLE = 30  # bounds the later-mention scan: people x sentences
# Scripts without case: Arabic, kana, Han, Hangul.
_UNCASED = re.compile(r"[\u0600-\u06ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def in_other_script(text: str) -> bool:
    """Does ``text`` hold words in a script :func:`scan_scripts` reads?"""
    return bool(_UNCASED.search(text) or CASED_SCRIPT.search(text))


def scan_scripts(ex: Extraction, sent: Sentence, toks: list[Token], used: list[bool]) -> None:
    """Known names in Han, kana, Arabic, Cyrillic and Greek script (:mod:`.actors` docstring, 6);
    the tokens they cover are used up, so "России" is not also an unknown word."""
    text = sent.text
    hits = ex.names.find_script_names(text)
    for start, end, name in hits:
        form = ex.gaz.forms.get(tuple(name.split()))
        surface = text[start:end]
        if form is not None and form.kind == "name":
            cand = ex.get(form.entry.name, form.entry.kind, True)
        else:
            cand = ex.get(name, "place", True)  # a city: "Москве" is Moscow
        cand.mention(sent.index, start, 1.0, surface)
    for start, _end, name, kind in find_bodies(text):
        if _script_known(ex, name) or name in ex.script_people:
            continue
        if len(ex.script_people) < MAX_SCRIPT_PEOPLE or name in ex.script_people:
            ex.script_people.setdefault(name, set()).add((sent.index, start))
            body: ActorKind = "place" if kind == "place" else "organisation"
            ex.get(name, body, False).mention(sent.index, start, 1.0, "")
    for start, end, name in find_people(text, partial(_script_known, ex)):
        if len(ex.script_people) < MAX_SCRIPT_PEOPLE or name in ex.script_people:
            ex.script_people.setdefault(name, set()).add((sent.index, start))
            # Not "known": a name after a title must come up twice, as an unknown
            # capitalised name must ("毛宁" once is left out, "习近平" twice is in).
            ex.get(name, "person", False).mention(sent.index, start, 1.0, "")
            hits.append((start, end, name))
    hits.sort()
    k = 0
    for start, end, _name in hits:  # hits and tokens are both in text order
        while k < len(toks) and toks[k].end <= start:
            k += 1
        while k < len(toks) and toks[k].start < end:
            used[k] = True
            k += 1


def _script_known(ex: Extraction, name: str) -> bool:
    """Is ``name`` (in another script) a state, organisation or place the lists know?"""
    return name in ex.names.script_forms or gaz.script_key(name) in ex.names.scripts


def script_mentions(ex: Extraction) -> None:
    """Later mentions of people found by title in another script ("习近平" without
    "主席" again, "شكري" for سامح شكري)."""
    for name, seen in ex.script_people.items():
        cand = ex.actors.get(name)
        if cand is None:
            continue
        for sent in ex.sentences:
            if not _UNCASED.search(sent.text):
                continue
            for offset in later_mentions(sent.text, name):
                if (sent.index, offset) not in seen:
                    seen.add((sent.index, offset))
                    cand.mention(sent.index, offset, 1.0, "", naming=False)
