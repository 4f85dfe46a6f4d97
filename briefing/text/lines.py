"""Small text helpers shared by the offline summariser's modules.

Lines shown to a reader (actor roles, risk descriptions) follow three rules:

* **They end cleanly**: a line that had to be cut stops at a clause break (comma,
  semicolon, colon, dash, bracket) or before a connective word ("as", "with", "which"...);
  dangling last words ("saying", "and", "the", "of"...) are removed. A line cut by
  :func:`lead_line` always ends in an ellipsis (a clause break may still leave its verb
  out); an uncut line ends in a full stop.
* **They start cleanly**: :func:`trim_line` may start at any clause of a sentence (used
  where the focus is what matters), :func:`lead_line` always keeps the start of its text
  and only cuts the end (used where the line must carry its own subject).
* **They stand alone** (:func:`self_contained`): a line must not open with an ellipsis, a
  pronoun or determiner that points outside it ("It", "Its", "They", "This", "Such",
  "Both"...), nor — unless the caller allows it — with a lower-case word other than a
  determiner or quantifier ("cutting electricity imports...", "worse in their careers...").
  A leading conjunction ("But", "and", "while") is dropped before the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.text.lexicon import (
    DANGLING,
    LEADING_CONJUNCTIONS,
    STOPWORDS,
    SUBJECT_OPENERS,
    words,
)
from briefing.text.words import CJK_LETTERS

MAX_LINE = 160

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’-]*")
_CLAUSE_BREAK = re.compile(r"(?:[,;:]\s+|\s+[–—-]\s+|\s*\(|\)\s*)")
_PHRASE_START = re.compile(
    r"\s(?=(?:as|with|which|who|that|while|after|before|because|over|against|across|"
    r"outside|following|including|amid|despite|where|when|and|but|to|in|on|for)\b)"
)
_LEAD_BREAK = re.compile(r"(?:[,;:]\s+|\s+[–—-]\s+|\s+\()")
_TRAILING = " \t\n,;:–—-(\"'“‘"
_OPENING = " \t\n,;:–—-\"'“‘(["
# Words a line must not end on: it would stop mid-phrase ("..., saying.", "... and.").
_DANGLING_END = words(
    """
    saying adding noting arguing stressing warning including such as and or but nor the a an
    of to in on at by for from with into than that which who whose whom while whereas
    because although though if its their our your my said says
    """
)
_LAST_WORD = re.compile(r"\s+([^\W\d_][\w'’-]*)\W*$")
_CJK_RUN = re.compile(rf"[{CJK_LETTERS}]+")
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309f]+")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a sentence: ``text`` is the surface form, ``norm`` without a possessive."""

    text: str
    norm: str
    start: int
    end: int
    possessive: bool
    capitalised: bool


def tokens(sentence: str) -> list[Token]:
    """Word tokens of ``sentence`` with offsets; ``U.S.`` stays one token."""
    out: list[Token] = []
    for match in _TOKEN.finditer(sentence):
        text = match.group(0).rstrip("'’-")
        if not text:
            continue
        norm = text
        possessive = False
        for suffix in ("'s", "’s"):
            if norm.endswith(suffix) and len(norm) > 2:
                norm = norm[: -len(suffix)]
                possessive = True
        start = match.start()
        out.append(Token(text, norm, start, start + len(text), possessive, norm[:1].isupper()))
    return out


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` minus stopwords (for overlap and centrality).

    Chinese and Japanese runs give their character pairs (see :func:`_cjk_words`).
    """
    out: list[str] = []
    for word in _WORD.findall(text):
        if not word.isascii() and _CJK_RUN.search(word):
            out.extend(_cjk_words(word))
            continue
        low = word.lower().replace("’", "'")
        if low.endswith("'s"):
            low = low[:-2]
        if len(low) > 1 and low not in STOPWORDS:
            out.append(low)
    return out


def _cjk_words(word: str) -> list[str]:
    """Chinese and Japanese have no spaces: overlapping character pairs stand in for words.

    Pairs (bigrams) are the usual unit of dictionary-free CJK retrieval: most words are one
    or two characters, so shared pairs mean shared words. Pairs of hiragana only are left out
    (mostly Japanese particles and endings: の, は, です). The parts of ``word`` in other
    scripts ("G20") count as ordinary words.
    """
    out: list[str] = []
    pos = 0
    for run in _CJK_RUN.finditer(word):
        if run.start() > pos:
            out.extend(content_words(word[pos : run.start()]))
        chars = run.group(0)
        pairs = [chars] if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)]
        out.extend(p for p in pairs if not _HIRAGANA_ONLY.fullmatch(p))
        pos = run.end()
    if pos < len(word):
        out.extend(content_words(word[pos:]))
    return out


def overlap(a: set[str], b: set[str]) -> float:
    """Overlap coefficient |a∩b| / min(|a|,|b|) (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _finish(line: str, cut: bool) -> str:
    line = line.strip().rstrip(_TRAILING).strip()
    while line[-1:].isalnum():  # no closing punctuation: it may stop mid-phrase
        last = _LAST_WORD.search(line)
        if last is None or last.group(1).lower() not in _DANGLING_END:
            break
        line = line[: last.start()].rstrip(_TRAILING).strip()
    if not line:
        return line
    line = line[0].upper() + line[1:]
    if cut:
        return line + "…"
    if line[-1] not in ".!?…\"'”’":
        line += "."
    return line


def _soft_cut(text: str, limit: int, floor: int | None = None) -> str:
    """Cut ``text`` before a connective word so the line stops at a phrase boundary.

    The cut falls at or after ``floor`` (default: half the limit) when it can.
    """
    low = limit // 2 if floor is None else floor
    window = text[: limit - 1]
    best = -1
    for match in _PHRASE_START.finditer(window):
        if match.start() >= low:
            best = match.start()
    if best < 0:
        space = window.rfind(" ")
        best = space if space >= low else len(window)
    return window[:best]


def trim_line(sentence: str, focus: int = 0, limit: int = MAX_LINE) -> str:
    """One readable line of at most ``limit`` characters from ``sentence``.

    The sentence is cut into clauses (at commas, semicolons, colons, dashes, brackets); the
    clause holding character offset ``focus`` is kept and neighbouring clauses are added,
    left first, while the line fits. A clause longer than the limit is cut before a
    connective word ("as", "with", "which"...) and marked with an ellipsis.
    """
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return _finish(text, cut=False)
    focus = max(0, min(focus, len(text) - 1))
    bounds = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(text)), len(text)]
    bounds = sorted(set(bounds))
    seg = max(i for i in range(len(bounds) - 1) if bounds[i] <= focus)
    lo, hi = seg, seg + 1
    while True:
        if lo > 0 and bounds[hi] - bounds[lo - 1] <= limit:
            lo -= 1
        elif hi < len(bounds) - 1 and bounds[hi + 1] - bounds[lo] <= limit:
            hi += 1
        else:
            break
    piece = text[bounds[lo] : bounds[hi]]
    if len(piece) <= limit:
        return _finish(piece, cut=False)
    return _finish(_soft_cut(piece, limit), cut=True)


def lead_line(text: str, limit: int = MAX_LINE, reach: int = 0) -> str | None:
    """The start of ``text`` as one line of at most ``limit`` characters, or None.

    Unlike :func:`trim_line` the line always begins where ``text`` begins (so it keeps its
    subject). A text longer than the limit is cut at the last clause break, else before the
    last connective word, that still keeps the first ``reach`` characters (the part that
    must be shown, e.g. the word naming a danger); None when no such cut exists.
    """
    flat = " ".join(text.split()).lstrip(" ,;:")
    if len(flat) <= limit:
        line = _finish(flat, cut=False)
        return line or None
    reach = max(0, min(reach, len(flat)))
    if reach > limit - 2:
        return None
    floor = max(reach, limit // 3)
    cut = -1
    for match in _LEAD_BREAK.finditer(flat, 0, limit):
        if floor <= match.start() <= limit - 2:
            cut = match.start()
    # Always an ellipsis: a clause break may still leave the sentence's verb out
    # ("Attacks by JNIM, an al-Qaeda affiliate…").
    piece = flat[:cut] if cut >= 0 else _soft_cut(flat, limit, floor)
    line = _finish(piece, cut=True)
    if len(line) - 1 < reach or not line:
        return None
    return line


def strip_opening(text: str) -> str:
    """``text`` without leading punctuation, quotes and conjunctions ("But", "and")."""
    out = text.lstrip(_OPENING)
    while True:
        word = _WORD.match(out)
        if word is None or word.group(0).lower() not in LEADING_CONJUNCTIONS:
            return out
        rest = out[word.end() :]
        if not rest[:1].isspace() and rest[:1] != ",":
            return out
        out = rest.lstrip(_OPENING)


def self_contained(text: str, fragment_ok: bool = False) -> bool:
    """Can a line starting like ``text`` be read without the sentences around it?

    ``text`` should already have passed :func:`strip_opening`. False when it opens with an
    ellipsis or a word of ``DANGLING``; unless ``fragment_ok``, also when it opens with a
    lower-case word that is not a determiner or quantifier (a participle or a fragment).
    """
    if not text or text[0] in "….":
        return False
    word = _WORD.match(text)
    if word is None:
        return text[0].isdigit() or text[0] in "$£€"
    first = word.group(0).lower().replace("’", "'")
    if first in DANGLING:
        return False
    return fragment_ok or not text[0].islower() or first in SUBJECT_OPENERS
