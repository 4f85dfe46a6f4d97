"""Token estimates and chunking for articles longer than the model's input budget.

Offline and dependency-free: no tokenizer tables are downloaded (tiktoken fetches its BPE
files at run time, so it is not used). The estimate is a deliberately simple rule, documented
in :func:`estimate_tokens`. The chunker cuts at whitespace (inside a word only when one word
alone is over the budget), and every chunk is an exact substring of the article, so evidence
quoted from a chunk is verbatim in the whole article.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator

from briefing.text.sentences import split_sentences

__all__ = ["chunk_spans", "estimate_tokens", "split_into_chunks"]

# Scripts a BPE tokenizer spends about one token a character on: Han ideographs, kana,
# Hangul, Yi, CJK punctuation and full-width forms, and everything outside the BMP (emoji,
# rare ideographs), which is 4 UTF-8 bytes a character.
_WIDE = re.compile(
    "[\u1100-\u11ff\u2e80-\u303f\u3040-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00010000-\U0010ffff]"
)
# Other non-Latin alphabets (Greek, Cyrillic, Armenian, Hebrew, Arabic, Indic scripts, Thai,
# Georgian, Ethiopic, Khmer, ...): about one token per two characters.
_HALF = re.compile(
    "[\u0370-\u10ff\u1200-\u1dff\u1f00-\u1fff\u2c00-\u2dff\ua4d0-\ua95f\ua980-\uabff]"
)
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NON_SPACE = re.compile(r"\S+")
_CJK_STOPS = "。！？；"


def estimate_tokens(text: str) -> int:
    """Estimate how many tokens a model's tokenizer makes of ``text``, offline.

    Rule: ``ceil(max(C, 1.3 × W))`` where ``W`` is the number of whitespace-separated words
    and ``C`` weighs each character by its script:

    * 1 token per character for CJK ideographs, kana, Hangul, CJK punctuation, full-width
      forms and characters outside the Basic Multilingual Plane (emoji);
    * 1/2 token per character for other non-Latin alphabets (Greek, Cyrillic, Hebrew,
      Arabic, Indic scripts, Thai, Georgian, ...);
    * 1/4 token per character for everything else (Latin letters with or without
      accents, digits, punctuation, spaces).

    Computed in integers (quarter tokens and tenths of tokens), so it is exact,
    deterministic and *subadditive*: ``estimate(a + b) <= estimate(a) + estimate(b)``, which
    lets the chunker bound a chunk by the sum of its pieces.

    Error bounds (typical, from published tokenizer statistics; no tokenizer is available
    offline to measure them here):

    * English news prose: OpenAI's ``cl100k_base`` and ``o200k_base`` make about 1.3 tokens
      a word and 4-5 characters a token; formal prose with long words runs at about 7
      characters a word, where ``chars / 4`` wins. The estimate is usually 0-30 % *above*
      the real count (never far below it). Text dense with numbers, URLs, identifiers or
      tables can tokenise at 2-3 characters a token and be under-estimated by up to 2x.
    * Chinese on ``o200k_base`` (gpt-4o, gpt-4.1) is usually below one token a character,
      so the estimate is safe; on ``cl100k_base`` and byte-level tokenizers (Llama 3)
      Chinese and Japanese can reach about 1.5 and Korean about 2 tokens a character, an
      under-estimate of up to about 2x.
    * Cyrillic, Greek and Arabic prose usually takes 2.5-4 characters a token (safe);
      Indic scripts and Thai on ``cl100k_base`` can take a token a character (up to 2x
      under).

    So set ``max_input_tokens`` comfortably (at least 25 %, 50 % for Asian scripts on
    older tokenizers) below the model's context window.
    """
    if not text:
        return 0
    tenths = 13 * len(text.split())
    return max(-(-_quarters(text) // 4), -(-tenths // 10))


def _quarters(text: str) -> int:
    """The character part of the estimate, in quarter tokens."""
    if text.isascii():
        return len(text)
    wide = len(_WIDE.findall(text))
    half = len(_HALF.findall(text))
    return 4 * wide + 2 * half + (len(text) - wide - half)


def split_into_chunks(text: str, budget_tokens: int) -> list[str]:
    """Split ``text`` into chunks of at most ``budget_tokens`` estimated tokens each.

    Every chunk is an exact substring of ``text`` (``text[start:end]`` for the spans of
    :func:`chunk_spans`): consecutive chunks are separated in ``text`` by whitespace only, so
    joining them with the original separators reproduces ``text`` (minus leading and
    trailing whitespace), and nothing is lost or duplicated.
    """
    return [text[start:end] for start, end in chunk_spans(text, budget_tokens)]


def chunk_spans(text: str, budget_tokens: int) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the chunks of :func:`split_into_chunks`, in order.

    Rule: the text is cut into *pieces*, then pieces are packed greedily, in order, into
    chunks whose estimate (pieces plus the whitespace between them) stays within the budget.

    * A piece is a whole paragraph (paragraphs are separated by blank lines).
    * A paragraph over the budget is cut into sentences (:func:`split_sentences`).
    * A sentence over the budget is cut into words (runs of non-whitespace).
    * A single word over the budget (a CJK paragraph without spaces, a giant token) is cut
      between characters, after a CJK full stop (。！？；) when one lies in the second half
      of the slice: the last resort, the only cut that is not at whitespace.

    Runs in time linear in the length of the text.
    """
    if budget_tokens < 2:
        raise ValueError("budget_tokens must be at least 2 (one word is estimated at 2 tokens)")
    spans: list[tuple[int, int]] = []
    start = end = cost = -1
    for p_start, p_end, p_cost in _pieces(text, budget_tokens):
        if start >= 0:
            gap = estimate_tokens(text[end:p_start])
            if cost + gap + p_cost <= budget_tokens:
                end, cost = p_end, cost + gap + p_cost
                continue
            spans.append((start, end))
        start, end, cost = p_start, p_end, p_cost
    if start >= 0:
        spans.append((start, end))
    return spans


def _pieces(text: str, budget: int) -> Iterator[tuple[int, int, int]]:
    """``(start, end, estimate)`` of pieces no larger than ``budget``, in text order."""
    pos = 0
    for match in [*_BLANK_LINES.finditer(text), None]:
        stop = match.start() if match else len(text)
        start, end = _strip(text, pos, stop)
        pos = match.end() if match else len(text)
        if end <= start:
            continue
        cost = estimate_tokens(text[start:end])
        if cost <= budget:
            yield start, end, cost
        else:
            yield from _sentence_pieces(text, start, end, budget)


def _sentence_pieces(
    text: str, start: int, end: int, budget: int
) -> Iterator[tuple[int, int, int]]:
    paragraph = text[start:end]
    # Sentences are exact substrings of the paragraph; whatever lies between them is
    # whitespace. Guard anyway: any non-space text between sentences becomes a piece too.
    bounds: list[tuple[int, int]] = []
    pos = 0
    for sentence in split_sentences(paragraph):
        if paragraph[pos : sentence.start].strip():
            bounds.append((pos, sentence.start))
        bounds.append((sentence.start, sentence.end))
        pos = sentence.end
    if paragraph[pos:].strip():
        bounds.append((pos, len(paragraph)))
    for s, e in bounds:
        s, e = _strip(text, start + s, start + e)
        if e <= s:
            continue
        cost = estimate_tokens(text[s:e])
        if cost <= budget:
            yield s, e, cost
        else:
            yield from _word_pieces(text, s, e, budget)


def _word_pieces(text: str, start: int, end: int, budget: int) -> Iterator[tuple[int, int, int]]:
    for match in _NON_SPACE.finditer(text, start, end):
        s, e = match.span()
        cost = estimate_tokens(match.group())
        if cost <= budget:
            yield s, e, cost
        else:
            yield from _character_pieces(text, s, e, budget)


def _character_pieces(
    text: str, start: int, end: int, budget: int
) -> Iterator[tuple[int, int, int]]:
    """Cut one word (no whitespace inside) into slices of at most ``budget`` tokens."""
    # A slice of one word is estimated at ceil(max(quarters / 4, 1.3)) tokens, and every
    # character weighs at least one quarter: a slice holds at most 4 * budget characters.
    limit = 4 * budget
    s = start
    while s < end:
        window = text[s : min(end, s + limit)]
        if _quarters(window) <= limit:
            n = len(window)
        else:  # the longest prefix within the limit
            weights = [1] * len(window)
            for pattern, weight in ((_WIDE, 4), (_HALF, 2)):
                for match in pattern.finditer(window):
                    weights[match.start()] = weight
            n = bisect.bisect_right(list(itertools.accumulate(weights)), limit)
        if s + n < end:  # prefer to cut after a CJK sentence end in the slice's second half
            stop = max(window.rfind(mark, 0, n) for mark in _CJK_STOPS) + 1
            if stop > n // 2:
                n = stop
        yield s, s + n, estimate_tokens(window[:n])
        s += n


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
