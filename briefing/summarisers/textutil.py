"""Small text helpers shared by the offline summariser's modules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.summarisers.lexicon import STOPWORDS

MAX_LINE = 160

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W_][\w'’-]*")
_CLAUSE_BREAK = re.compile(r"(?:[,;:]\s+|\s+[–—-]\s+|\s*\(|\)\s*)")
_TRAILING = " \t\n,;:–—-(\"'“‘"


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a sentence: ``text`` is the surface form, ``norm`` without a possessive."""

    text: str
    norm: str
    start: int
    end: int
    possessive: bool

    @property
    def capitalised(self) -> bool:
        return self.norm[:1].isupper()


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
        out.append(Token(text, norm, start, start + len(text), possessive))
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


def trim_line(sentence: str, focus: int = 0, limit: int = MAX_LINE) -> str:
    """One readable line of at most ``limit`` characters from ``sentence``.

    Keeps the clause around character offset ``focus`` and ends at a clause boundary when
    one is available; otherwise cuts at a word boundary and adds an ellipsis.
    """
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return _finish(text, cut=False)
    focus = max(0, min(focus, len(text) - 1))
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
    start = 0
    if focus > limit * 0.6:
        earlier = [b for b in breaks if b <= focus]
        start = earlier[-1] if earlier else 0
    ends = [m.start() for m in _CLAUSE_BREAK.finditer(text) if start < m.start() <= start + limit]
    ends = [e for e in ends if e > max(focus, start + 30)]
    if ends:
        return _finish(text[start : ends[-1]], cut=False)
    window = text[start : start + limit - 1]
    space = window.rfind(" ")
    if space > limit // 2:
        window = window[:space]
    return _finish(window, cut=True)
