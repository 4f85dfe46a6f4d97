"""Read an article from a file or stdin: size limit, encoding detection, format extraction.

Every problem with the input becomes an ``InputError`` with a one-line message naming it.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import BinaryIO

from briefing.errors import InputError
from briefing.model import Article, Source
from briefing.sources.extract import html_to_text, looks_like_html, markdown_to_text
from briefing.text.hidden import sanitise_report
from briefing.text.words import count_words, has_cjk

MAX_INPUT_BYTES = 20 * 1024 * 1024  # a very long article is ~1 MB; anything bigger is not one
MIN_WORDS = 40  # below this there is nothing to brief

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".text"}
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}

# Magic numbers of common binary formats, to name what was given instead of an article.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3", "an SQLite database"),
]
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Trailing page furniture scraped along with articles ("Topics", "World", "Share this").
_FURNITURE = re.compile(
    r"^(?:topics?|tags?|world|news|share( this( article)?)?|advertisement|related( articles?)?|"
    r"read more|more on this story|comments?|follow us|subscribe|sign up|print)$",
    re.I,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_source(spec: str, stdin: BinaryIO | None = None, *, title: str | None = None) -> Article:
    """Read the article named by ``spec``: a path, or ``-`` for ``stdin``."""
    if spec == "-":
        if stdin is None:
            raise InputError("no standard input to read the article from")
        data = stdin.read(MAX_INPUT_BYTES + 1)
        name, kind, suffix = "<stdin>", "stdin", ""
    else:
        data = _read_file(Path(spec))
        name, kind, suffix = spec, "file", Path(spec).suffix.lower()
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name} is larger than the {MAX_INPUT_BYTES // 2**20} MB input limit")
    text = decode(data, name)
    return article_from_text(text, name=name, kind=kind, suffix=suffix, title=title)


def text_article(text: str, *, title: str | None = None, name: str = "<text>") -> Article:
    """An article from text already in memory (the library's ``text=``), read as standard
    input would be: the same limits, checks and cleaning; ``source.kind`` "stdin" (the JSON
    contract has no other kind for text that is neither a file nor a URL)."""
    # Through bytes so that the size limit and the binary checks are those of stdin.
    data = text.encode("utf-8", "replace")
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name} is larger than the {MAX_INPUT_BYTES // 2**20} MB input limit")
    return article_from_text(decode(data, name), name=name, kind="stdin", title=title)


def _read_file(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not an article file")
        if not path.exists():
            raise InputError(f"no such file: {path}")
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path} is larger than the {MAX_INPUT_BYTES // 2**20} MB input limit")
        with path.open("rb") as fh:
            return fh.read(MAX_INPUT_BYTES + 1)
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "I/O error")
        raise InputError(f"cannot read {path}: {reason.lower()}") from None


def decode(data: bytes, name: str) -> str:
    """Decode article bytes: BOM, UTF-8, BOM-less UTF-16, then charset detection."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name} is binary data ({what}), not an article")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(f"{name} is not valid {encoding.upper()} text") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data, name)
    if "\x00" in text:
        raise InputError(f"{name} contains NUL bytes: binary data, not an article")
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 200):
        raise InputError(f"{name} is binary data, not an article ({controls} control characters)")
    return text


def _decode_legacy(data: bytes, name: str) -> str:
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise InputError(f"{name} contains NUL bytes: binary data, not an article")
    from briefing.sources.charsets import detect

    text = detect(data)
    if text is None:
        raise InputError(f"cannot decode {name}: no text encoding fits its bytes")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: Latin-script text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    encoding = "utf-16-le" if odd_nuls > 0.3 > even_nuls else None
    if even_nuls > 0.3 > odd_nuls:
        encoding = "utf-16-be"
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def article_from_text(
    raw: str, *, name: str, kind: str, suffix: str = "", title: str | None = None
) -> Article:
    """Clean decoded text into an Article (extracting HTML/Markdown, finding a title)."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    found_title: str | None = None
    # A .txt file is text whatever it contains; other inputs (stdin, unknown suffixes) are sniffed.
    sniff = suffix not in _MARKDOWN_SUFFIXES and suffix not in _TEXT_SUFFIXES
    if suffix in _HTML_SUFFIXES or (sniff and looks_like_html(raw)):
        raw, found_title = html_to_text(raw)
    elif suffix in _MARKDOWN_SUFFIXES:
        raw, found_title = markdown_to_text(raw)
    # Invisible characters are a channel for instructions a reader cannot see. Stripped after
    # extraction (HTML entities such as &#8203; only become characters there), counted so the
    # briefing can say so.
    hidden = sanitise_report(raw)
    raw = hidden.text
    if found_title:
        found_title = sanitise_report(found_title).text
    text = clean_text(raw)
    if not text:
        raise InputError(f"{name} is empty: there is no article text to brief")
    if found_title is None:
        text, found_title = _split_title_line(text)
    words = count_words(text)  # Chinese and Japanese: a character a word (text/words.py)
    if words < MIN_WORDS:
        raise InputError(
            f"{name} is too short to brief: {words} words (at least {MIN_WORDS} needed)"
        )
    final_title = " ".join((title or found_title or headline_from(text)).split())
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = Source(kind=kind, location=name, sha256=sha, title=found_title)  # type: ignore[arg-type]
    return Article(
        title=final_title,
        text=text,
        source=source,
        hidden_removed=hidden.removed,
        hidden_text=hidden.smuggled,
    )


def clean_text(text: str) -> str:
    """Normalise Unicode and whitespace into paragraphs; drop page furniture after the article."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\t", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    # Strip trailing labels, but never the article's only line (then it is just too short).
    while sum(1 for line in lines if line) > 1 and (
        not lines[-1] or _FURNITURE.match(lines[-1]) or _is_label(lines[-1])
    ):
        lines.pop()
    blocks = "\n".join(lines).strip()
    if "\n\n" in blocks:
        # Blank lines separate paragraphs; single newlines inside one are hard wraps.
        paragraphs = [" ".join(b.split()) for b in re.split(r"\n\s*\n", blocks)]
    else:
        paragraphs = blocks.split("\n")
    return "\n\n".join(p for p in paragraphs if p)


def _is_label(line: str) -> bool:
    """A short trailing line with no sentence punctuation: a tag list or section label."""
    # Counted per script: a Chinese paragraph has no spaces but is no three-word label.
    return count_words(line) <= 3 and not re.search(r"[.!?:;\"”’)。！？：；」』]$", line)


def _split_title_line(text: str) -> tuple[str, str | None]:
    """A short first line without a final full stop is the headline of a plain-text article."""
    first, _, rest = text.partition("\n\n")
    longest = 40 if has_cjk(first) else 20  # a CJK character counts as a word
    ends = re.search(r"[.!?:;,。！？：；，]$", first)
    if rest and 2 <= count_words(first) <= longest and not ends:
        return rest, first
    return text, None


def headline_from(text: str) -> str:
    """A title for an untitled article: the first sentence's main clause, at most 20 words."""
    if has_cjk(text[:200]):  # no spaces: cut at the CJK full stop and comma, in characters
        first = re.split(r"(?<=[。！？])", text.lstrip(), maxsplit=1)[0].rstrip("。！？")
        clause = re.split(r"[，；：]", first, maxsplit=1)[0]
        clause = first if len(clause) < 6 else clause
        return clause if len(clause) <= 30 else clause[:28] + "…"
    first = re.split(r"(?<=[.!?])\s+|(?<=[a-z][.!?])(?=[A-Z])", text, maxsplit=1)[0]
    clause = re.split(r",\s|;\s|\s[–—]\s|\s-\s", first, maxsplit=1)[0]
    if len(clause.split()) < 5:
        clause = first
    words = clause.rstrip(".!?").split()
    if len(words) > 20:
        return " ".join(words[:16]) + "…"
    return " ".join(words)
