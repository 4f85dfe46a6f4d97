"""Rule-based paragraph and sentence splitting that keeps exact offsets into the input.

Every :class:`Sentence` is an exact substring of the text it came from
(``text[s.start:s.end] == s.text``), so evidence quoted from it stays verbatim.
Pure standard library: no tokenizer models or data are downloaded.

Blocks (paragraphs) first:

* a blank line always ends a paragraph;
* in a block whose lines look hard-wrapped (three or more lines of similar width) a single
  newline is a space, except after a short line (the end of a wrapped paragraph);
* otherwise every single newline ends a paragraph (one paragraph a line, as web text and
  headings such as "Topics" usually come).

Then sentence boundaries inside a block:

* ``.``, ``!``, ``?`` or ``…`` (optionally followed by closing quotes or brackets, straight or
  curly: ``.”``, ``.'``, ``?"``, ``.)``) then whitespace then something that can start a
  sentence (an upper-case letter, a digit, an opening quote or bracket);
* a missing space after a full stop: a lower-case letter, ``.``, then a capitalised word
  (``valley.The strike``). ``U.S.Army`` is not split (the letter before is upper case);
* a missing full stop, as web pages glue a photo caption or a subheading to the next
  sentence (``… than a colleague The cost of divorce …``, ``(pictured) A series of …``):
  a lower-case word (or its closing quote) or a number, a space, then a capitalised
  sentence opener (``The``, ``An``, ``He``, ``She``, ``They``, ``His``, ``Her``, ``Their``,
  ``This``, ``These``, ``In``, ``As``, ``But``, ``However``, ``After``, ``When``, ``While``)
  and a lower-case word, since those words are capitalised inside a sentence only in names
  and titles, which go on with a capital ("The Times", "The Hague", "Her Majesty"); after a
  closing bracket ``A`` too (not after a word: "vitamin A deficiency", "Patient A and").
  Not ``It``: titles end in it ("Don't Push It won the race");
* a full stop does *not* end a sentence after a title or other abbreviation usually followed
  by a capitalised word or a number (Mr., Dr., Gen., St., No., Jan., ...), after an initial
  (``J. K. Rowling``), or after a dotted abbreviation (``U.S.``, ``U.K.``, ``a.m.``) unless the
  next word is a common sentence opener (``The``, ``He``, ``But``, ...).
  Decimals (``3.7``) never match because a boundary needs whitespace or a letter after it.
* never before a lower-case letter in any script (``т.е. что``, ``etc. à Paris``);
* other scripts' sentence marks: ``؟`` and ``۔`` (Arabic, Urdu), ``।`` ``॥`` (Devanagari),
  ``։`` (Armenian), ``።`` (Ethiopic), ``။`` (Burmese) like ``!``; in Greek text ``;`` is the
  question mark, so it ends a sentence before a capital Greek letter;
* Chinese and Japanese (no spaces): ``。``, ``！``, ``？``, ``｡``, ``．`` and runs of them end a
  sentence with or without a space after them; ``!``, ``?`` and ``.`` too between CJK
  characters. A mark followed by a closing quote or bracket (``。」``, ``。”``) ends the sentence
  only when a space, an opening quote or the end follows: in ``「…です。」と述べた`` and
  ``“……。”他说`` the quotation is part of the sentence that reports it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = ["Sentence", "normalise_space", "paragraph_spans", "split_sentences"]


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    index: int
    paragraph: int


# Abbreviations that are (almost) always followed by a capitalised word or a number and
# so never end a sentence. Compared lower-case, without the trailing period.
_NEVER_END = _words(
    """
    mr mrs ms mx dr prof gen lt col maj capt cpt sgt cpl pvt adm cmdr cdr brig gov sen rep
    pres supt insp det rev fr hon messrs mme mlle st mt ft jr sr sra srta esq
    approx dept univ assn jan feb mar apr jun jul aug sep sept oct nov dec vs cf viz
    """
)
# Abbreviations that only precede a number ("No. 10", "pp. 4", "c. 1900").
_BEFORE_NUMBER = _words("no nos nr vol pp p fig figs art sec ch op c ca v")

# After a dotted abbreviation such as "U.S." or "a.m." a sentence ends only if one of
# these openers follows.
_OPENERS = _words(
    """
    the a an he she it its they we i you his her their our this that these those there
    but and so yet or however meanwhile in on at for after before when while if as
    what who why how where mr mrs ms dr officials police authorities some many most
    both one two three according last earlier later since then now still also
    """
)

_TERMINAL = r"[.!?…؟۔।॥։።။]+"
_CLOSERS = r"[\"'”’»)\]]*"
# Terminal punctuation, closers, whitespace, then a plausible sentence start (a lower-case
# letter of any script is ruled out in _cuts_in_block: the regex only knows ASCII case).
_BOUNDARY = re.compile(
    rf"(?P<punct>{_TERMINAL}){_CLOSERS}(?P<space>\s+)(?=[\"'“‘«(\[]*[^\W_a-z])",
)
_OPENING_QUOTES = "\"'“‘«(["
# Chinese and Japanese sentence ends: no space needed after them (see the module docstring).
_CJK = "\u3005\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_BOUNDARY = re.compile(
    rf"(?:[。！？｡．]+|(?<=[{_CJK}])[.!?]+(?=[{_CJK}]))"
    r"(?P<closers>[」』）】〕〉》”’\"')\]]*)"
)
_CJK_OPENERS = "「『（【〔〈《“‘\"'(["
# Greek question mark (";" after NFC) before a capital Greek letter.
_GREEK_QUESTION = re.compile(r";(?=\s+[\"'«“(]*[\u0386\u0388-\u038f\u0391-\u03ab])")
# Missing space: "valley.The" (two lower-case letters so "e.g.The"-style runs are excluded).
_NOSPACE = re.compile(r"(?<=[a-z][a-z])\.[\"'”’]?(?=[A-Z][a-z])")
# A missing full stop (see the module docstring).
_GLUE_WORDS = "The|An|He|She|They|His|Her|Their|This|These|In|As|But|However|After|When|While"
# The space is matched first and what precedes it checked per match (_glued_cuts): three
# lookbehinds tried at every position made this the slowest pass over a long line.
_GLUED = re.compile(rf"\s+(?=(?:{_GLUE_WORDS}|(?P<a>A))\s+[a-z])")
_GLUED_AFTER = re.compile(r"(?:[a-z][a-z]|[a-z]['’\"”]|\d)$")
_WORD_BEFORE = re.compile(r"([\w.’'&-]*)$")
_FIRST_WORD = re.compile(r"[\"'“‘«(\[]*([\w’'-]+)")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WS = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        s, e = _strip_span(text, pos, stop)
        if e > s:
            spans.append((s, e))
        pos = stop + 1
    return spans


def _looks_wrapped(lengths: list[int]) -> bool:
    if len(lengths) < 3:
        return False
    body = lengths[:-1]
    widest = max(body)
    if widest > 120 or widest < 30:
        return False
    similar = sum(1 for n in body if n >= 0.7 * widest)
    return similar >= 0.7 * len(body)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each paragraph, whitespace-trimmed, in order."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    for match in _BLANK_LINES.finditer(text):
        blocks.append((pos, match.start()))
        pos = match.end()
    blocks.append((pos, len(text)))

    paragraphs: list[tuple[int, int]] = []
    for b_start, b_end in blocks:
        lines = _line_spans(text, b_start, b_end)
        if not lines:
            continue
        lengths = [e - s for s, e in lines]
        if not _looks_wrapped(lengths):
            paragraphs.extend(lines)
            continue
        short = 0.6 * max(lengths[:-1])
        cur: int | None = None
        for s, e in lines:
            if cur is None:
                cur = s
            if e - s < short:  # a short line ends a wrapped paragraph
                paragraphs.append((cur, e))
                cur = None
        if cur is not None:
            paragraphs.append((cur, lines[-1][1]))
    return paragraphs


def _is_boundary(text: str, match: re.Match[str], block_start: int) -> bool:
    punct = match.group("punct")
    if punct != ".":
        return True  # "!", "?", "…", "..." and runs of them
    before = text[max(block_start, match.start("punct") - 64) : match.start("punct")]
    word_match = _WORD_BEFORE.search(before)
    word = word_match.group(1) if word_match else ""
    word = word.lstrip("'’-&")
    if not word:
        return True
    lowered = word.lower()
    if lowered in _NEVER_END:
        return False
    if lowered in _BEFORE_NUMBER and text[match.end() : match.end() + 1].isdigit():
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "J. K. Rowling"
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        # Dotted abbreviation: "U.S", "U.K", "a.m", "e.g".
        after = text[match.end() : match.end() + 40]
        first = _FIRST_WORD.match(after)
        return bool(first) and first is not None and first.group(1).lower() in _OPENERS
    return True


def _cuts_in_block(text: str, start: int, end: int) -> list[int]:
    """Offsets where a new sentence starts inside ``text[start:end]``."""
    cuts: list[int] = []
    segment = text[start:end]
    for match in _BOUNDARY.finditer(segment):
        # A short window: slicing to the end of the block would be quadratic on one line.
        after = segment[match.end("space") : match.end("space") + 8].lstrip(_OPENING_QUOTES)[:1]
        if after.islower():
            continue  # "т.е. что", "etc. à Paris": the regex only rules out ASCII a-z
        if _is_boundary(segment, match, 0):
            cuts.append(start + match.end("space"))
    for match in _NOSPACE.finditer(segment):
        cuts.append(start + match.end())
    for match in _GLUED.finditer(segment):
        before = segment[max(0, match.start() - 2) : match.start()]
        if before.endswith(")") or (not match.group("a") and _GLUED_AFTER.search(before)):
            cuts.append(start + match.end())
    if not segment.isascii():
        cuts.extend(start + cut for cut in _other_script_cuts(segment))
    return sorted(set(cuts))


def _other_script_cuts(segment: str) -> list[int]:
    """Sentence starts after CJK sentence marks and Greek question marks."""
    cuts: list[int] = []
    for match in _CJK_BOUNDARY.finditer(segment):
        end = match.end()
        rest = segment[end : end + 1]
        if not rest:
            continue  # the end of the block
        if match.group("closers") and not (rest.isspace() or rest in _CJK_OPENERS):
            continue  # "。」と述べた": the quotation belongs to the sentence reporting it
        while end < len(segment) and segment[end].isspace():
            end += 1
        cuts.append(end)
    cuts.extend(m.end() for m in _GREEK_QUESTION.finditer(segment))
    return cuts


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences that are exact substrings of it, in order."""
    sentences: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(paragraph_spans(text)):
        bounds = [p_start, *_cuts_in_block(text, p_start, p_end), p_end]
        for s, e in itertools.pairwise(bounds):
            s, e = _strip_span(text, s, e)
            if e > s:
                sentences.append(Sentence(text[s:e], s, e, len(sentences), p_index))
    return sentences
