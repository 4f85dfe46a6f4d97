"""Hidden characters in article text: found, counted, decoded and removed.

Used by the sources (every article is cleaned as it is read, before anyone or any model sees
it) and by the checks (what the hidden characters spelled is reported as a flag).

Removed from article text before anyone (or any model) reads it:

* zero-width characters (U+200B–U+200F, U+2060–U+2064, U+FEFF), bidi embedding, override
  and isolate controls (U+202A–U+202E, U+2066–U+2069) and every other invisible format
  character (Unicode category Cf, e.g. U+061C, U+180E, U+FFF9–U+FFFB);
* Unicode tag characters (U+E0000–U+E007F), the classic "ASCII smuggling" channel: each
  encodes one ASCII character no reader sees. Their decoded text is returned so it can be
  checked and reported;
* runs of two or more variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF): a character
  takes at most one, so a run is a byte-smuggling channel; it is decoded too.

Kept, because scripts need them: ZWNJ/ZWJ (U+200C/U+200D) and U+180E after a non-ASCII
letter, mark or symbol and not before an ASCII letter or digit (Persian, Arabic and Indic
words, Malayalam chillus, emoji sequences such as a family emoji) — next to ASCII letters
they only serve to break words up ("ig<ZWJ>nore"); the visible prepended concatenation
marks (U+0600–U+0605, U+06DD, U+070F, U+0890–U+0891, U+08E2, U+110BD, U+110CD), Egyptian
hieroglyph format controls (U+13430–U+1345F), single variation selectors, and emoji tag
sequences (the flags of England, Scotland, Wales: U+1F3F4, tag letters, U+E007F). A
leading BOM and soft hyphens (U+00AD, routine in scraped news) are removed but not counted
as hidden.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_JOINERS = frozenset("\u200c\u200d\u180e")
_SOFT_HYPHEN = "\u00ad"
_KEEP_CF = frozenset(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)
TAGS = re.compile("[\U000e0000-\U000e007f]+")
_EMOJI_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]{1,6}\U000e007f")
VS_RUN = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,}")


@dataclass(frozen=True, slots=True)
class Sanitised:
    """Text without hidden characters, how many were removed, and what they smuggled."""

    text: str
    removed: int
    smuggled: str  # decoded text of tag characters / variation-selector runs ("" if none)


def is_format(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"
        and ch not in _KEEP_CF
        and not 0x13430 <= cp <= 0x1345F
        and not 0xE0000 <= cp <= 0xE007F  # tag characters are handled as runs
    )


def _joins_script(text: str, i: int) -> bool:
    """Does the joiner at ``text[i]`` follow a non-ASCII letter, mark or symbol, and not
    precede an ASCII letter or digit (so it cannot split an English word)?"""

    def script(ch: str) -> bool:
        return ord(ch) > 0x7F and unicodedata.category(ch)[0] in "LMS"

    after = text[i + 1 : i + 2]
    return i > 0 and script(text[i - 1]) and not (after.isascii() and after.isalnum())


def decode_tags(run: str) -> str:
    return "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


def decode_selectors(run: str) -> str:
    data = bytes(ord(c) - 0xFE00 if ord(c) <= 0xFE0F else ord(c) - 0xE0100 + 16 for c in run)
    decoded = data.decode("utf-8", errors="replace")
    return "".join(c for c in decoded if c.isprintable() and c != "\ufffd")


def protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _EMOJI_TAG_SEQUENCE.finditer(text)] if "\U0001f3f4" in text else []


def sanitise_report(text: str) -> Sanitised:
    """Remove hidden characters from ``text`` (rules in the module docstring)."""
    start = 1 if text.startswith("\ufeff") else 0
    formats = {c for c in set(text) if is_format(c)}
    has_tags = TAGS.search(text) is not None
    has_vs = VS_RUN.search(text) is not None
    if not formats and not has_tags and not has_vs:
        return Sanitised(text[start:], 0, "")
    keep = protected_spans(text) if has_tags else []
    cuts: list[tuple[int, int]] = []  # spans to delete
    smuggled: list[str] = []
    counted = 0
    if has_tags:
        for m in TAGS.finditer(text):
            if any(lo <= m.start() and m.end() <= hi for lo, hi in keep):
                continue
            cuts.append(m.span())
            counted += m.end() - m.start()
            smuggled.append(decode_tags(m.group()))
    if has_vs:
        for m in VS_RUN.finditer(text):
            cuts.append(m.span())
            counted += m.end() - m.start()
            smuggled.append(decode_selectors(m.group()))
    if formats:
        pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(formats)) + "]")
        for m in pattern.finditer(text, start):
            ch = m.group()
            if ch in _JOINERS and _joins_script(text, m.start()):
                continue
            cuts.append(m.span())
            if ch != _SOFT_HYPHEN:
                counted += 1
    cuts.sort()
    out: list[str] = []
    pos = start
    for lo, hi in cuts:
        if hi <= pos:
            continue
        out.append(text[pos : max(pos, lo)])
        pos = hi
    out.append(text[pos:])
    return Sanitised("".join(out), counted, " ".join(s for s in smuggled if s.strip()))


def sanitise(text: str) -> str:
    """``text`` without hidden characters."""
    return sanitise_report(text).text


def hidden_characters(text: str) -> int:
    """How many hidden characters :func:`sanitise` removes from ``text``."""
    return sanitise_report(text).removed
