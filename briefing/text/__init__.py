"""Text: the language tools the summarisers and the checks share (no model, no download).

* ``sentences.py``: sentence and paragraph splitting (any script: 。！？ need no space);
* ``words.py``: word counts and reading time for every script (a CJK character is a word);
* ``datelines.py``: datelines and bylines at the start of a text ("JEDDAH, 27 November -");
* ``transliterate.py``: Cyrillic and Greek in Latin letters (file names);
* ``languages.py``: language names and detection;
* ``chunking.py``: token estimates and splitting long articles;
* ``lexicon.py``: word lists (stopwords, hedges, connectives); ``lines.py``: tokens and
  readable lines cut from sentences;
* ``gazetteer.py``: states, organisations and their aliases and demonyms;
* ``hidden.py``: hidden characters (zero-width, bidi, tag smuggling) found and removed.
"""

from __future__ import annotations

from briefing.text.chunking import estimate_tokens, split_into_chunks
from briefing.text.hidden import sanitise, sanitise_report
from briefing.text.languages import detect, resolve
from briefing.text.sentences import split_sentences

__all__ = [
    "detect",
    "estimate_tokens",
    "resolve",
    "sanitise",
    "sanitise_report",
    "split_into_chunks",
    "split_sentences",
]
