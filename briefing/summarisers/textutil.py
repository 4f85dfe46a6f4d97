"""Small text helpers shared by the offline summariser's modules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.summarisers.lexicon import STOPWORDS

MAX_LINE = 160

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’-]*")
_CLAUSE_BREAK = re.compile(r"(?:[,;:]\s+|\s+[–—-]\s+|\s*\(|\)\s*)")
_PHRASE_START = re.compile(
    r"\s(?=(?:as|with|which|who|that|while|after|before|because|over|against|across|"
    r"outside|following|including|amid|despite|where|when|and|but|to|in|on|for)\b)"
)
_TRAILING = " \t\n,;:–—-(\"'“‘"


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
    """Lower-cased words of ``text`` minus stopwords (for overlap and centrality)."""
    out: list[str] = []
    for word in _WORD.findall(text):
        low = word.lower().replace("’", "'")
        if low.endswith("'s"):
            low = low[:-2]
        if len(low) > 1 and low not in STOPWORDS:
            out.append(low)
    return out


def overlap(a: set[str], b: set[str]) -> float:
    """Overlap coefficient |a∩b| / min(|a|,|b|) (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _finish(line: str, cut: bool) -> str:
    line = line.strip().rstrip(_TRAILING).strip()
    if not line:
        return line
    line = line[0].upper() + line[1:]
    if cut:
        return line + "…"
    if line[-1] not in ".!?…\"'”’":
        line += "."
    return line


def _soft_cut(text: str, limit: int) -> str:
    """Cut ``text`` before a connective word so the line stops at a phrase boundary."""
    window = text[: limit - 1]
    best = -1
    for match in _PHRASE_START.finditer(window):
        if match.start() >= limit // 2:
            best = match.start()
    if best < 0:
        space = window.rfind(" ")
        best = space if space > limit // 2 else len(window)
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
