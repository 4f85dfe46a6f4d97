"""Counting words and reading time in any script, including those written without spaces.

Chinese and Japanese put no spaces between words, so ``len(text.split())`` counts a whole
paragraph as one word (a 300-character Chinese article was refused as "1 words"). The rule
here is the one word processors and CJK publishing use (字数, 文字数): **each Han ideograph
and each kana counts as one word**; everything else counts as ``str.split`` does, one word per
run of non-space characters. So for text without CJK characters :func:`count_words` equals
``len(text.split())`` exactly, and nothing changes for spaced scripts. CJK punctuation
(。、「」 …) and full-width forms are not words.

Reading time (:func:`reading_minutes`) uses measured silent-reading speeds
(Trauzettel-Klosinski et al., "Standardized Assessment of Reading Performance: The New
International Reading Speed Texts IReST", IOVS 2012): English 228 words a minute (we keep the
round 230), Chinese 255 characters a minute, Japanese 357 characters a minute. A text is read
at the Japanese rate when kana make up at least a tenth of its CJK characters (Japanese
prose is 60-70 % kana; Chinese has none).

Korean is written with spaces and counts as spaced text; Thai, Lao, Khmer and Burmese have
no spaces between words either but no one-character-one-word convention, so they still count
by ``str.split`` (a phrase a word: an under-count).

All functions are linear in the text's length and use the standard library only.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "CJK_LETTERS",
    "WORDS_PER_MINUTE",
    "cjk_share",
    "count_words",
    "has_cjk",
    "reading_minutes",
]

WORDS_PER_MINUTE = 230  # adult reading speed for non-fiction prose (English: 228 measured)
HAN_PER_MINUTE = 255  # Chinese characters a minute (IReST)
KANA_TEXT_PER_MINUTE = 357  # Japanese characters a minute (IReST)

# Han ideographs (unified, extension A, compatibility, the supplementary planes' extensions
# B-G), hiragana, katakana (with the phonetic extensions and half-width katakana) and the
# iteration marks 々〆〻: the characters that are words of their own.
CJK_LETTERS = (
    "\u3005\u3006\u303b\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_KANA = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# CJK symbols and punctuation, full-width punctuation: never words on their own.
_CJK_PUNCT = (
    "\u3000-\u3004\u3007-\u303a\u303c-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
)
# One word: a CJK letter, or a run of characters that are neither space, CJK letters nor
# CJK punctuation (so "G20" inside Chinese text is one word, as it would be in English).
_WORD = re.compile(rf"[{CJK_LETTERS}]|[^\s{CJK_LETTERS}{_CJK_PUNCT}]+")
_CJK = re.compile(rf"[{CJK_LETTERS}]")
_KANA_RE = re.compile(rf"[{_KANA}]")


def has_cjk(text: str) -> bool:
    """Does ``text`` hold any Han ideograph or kana?"""
    return _CJK.search(text) is not None


def cjk_share(text: str) -> float:
    """The share of ``text``'s non-space characters that are CJK letters (0 for empty)."""
    visible = len(text) - sum(1 for ch in text if ch.isspace())
    return len(_CJK.findall(text)) / visible if visible else 0.0


def count_words(text: str) -> int:
    """Words in ``text``: CJK letters one each, other runs of non-space characters one each."""
    if text.isascii():
        return len(text.split())  # the common case, and the fast one
    return sum(1 for _ in _WORD.finditer(text))


def reading_minutes(text: str) -> int:
    """Whole minutes to read ``text`` silently (at least 1): see the module docstring."""
    if text.isascii():
        return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))
    cjk = len(_CJK.findall(text))
    other = count_words(text) - cjk
    rate = HAN_PER_MINUTE
    if cjk and len(_KANA_RE.findall(text)) * 10 >= cjk:
        rate = KANA_TEXT_PER_MINUTE
    return max(1, math.ceil(other / WORDS_PER_MINUTE + cjk / rate))
