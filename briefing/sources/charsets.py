"""Which legacy 8-bit encoding an article is in, when it is not UTF-8 or UTF-16/32.

charset-normalizer does the detection. Its one weak spot for us: Western European text
(Latin-1, Windows-1252) with only a few accented letters is often read as Windows-1250 or
another Central or Northern European code page, whose bytes decode just as cleanly, so a
French "à" (0xE0) comes out as "ŕ". Those code pages share ASCII and most of the accented
letters, and the few letters that differ are too rare for its measures to settle it. When the
detector names such a code page, the bytes also read as Windows-1252, and the language it
found in the text is one written in Western European letters, the Western reading wins.

Cyrillic, Greek, Arabic, Hebrew, CJK and other detections are never second-guessed; nor is
Central European text the detector recognises as Czech, Polish, Hungarian and so on.
"""

from __future__ import annotations

__all__ = ["WESTERN", "detect"]

WESTERN = "cp1252"  # Latin-1's printable characters, plus curly quotes, dashes and the euro

# Code pages whose bytes are Latin letters where Windows-1252's are other Latin letters
# (Python codec names, as charset-normalizer reports them). Latin-1 is here too: it reads
# 0x80-0x9F as control characters where Windows-1252 has quotes and dashes.
_OTHER_LATIN = frozenset(
    {
        "cp1250", "cp1254", "cp1257", "cp1258", "cp775", "cp850", "cp852", "cp858",
        "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13",
        "iso8859_14", "iso8859_16", "mac_latin2", "mac_iceland", "mac_roman",
        "mac_turkish", "hp_roman8", "latin_1",
    }
)  # fmt: skip

# Languages written with Windows-1252's letters (charset-normalizer's names; it may add "—").
_WESTERN_LANGUAGES = frozenset(
    {
        "English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Danish",
        "Norwegian", "Swedish", "Finnish", "Estonian", "Indonesian",
    }
)  # fmt: skip

_MAX_ACCENTED = 0.25  # Western text is mostly ASCII letters: at most this share is not


def detect(data: bytes) -> str | None:
    """The text of ``data`` in the legacy encoding that fits it best, or None when none does."""
    from charset_normalizer import from_bytes  # only needed for non-UTF-8 input

    best = from_bytes(data).best()
    if best is None:
        return None
    if best.encoding in _OTHER_LATIN and best.language.rstrip("—") in _WESTERN_LANGUAGES:
        western = _western(data)
        if western is not None:
            return western
    return str(best)


def _western(data: bytes) -> str | None:
    """``data`` read as Windows-1252, if the bytes allow it and the text is ASCII-Latin apart
    from a few accented letters (and the punctuation and symbols of that code page)."""
    try:
        text = data.decode(WESTERN)
    except UnicodeDecodeError:  # one of its five unassigned bytes: not Windows-1252
        return None
    letters = [ch for ch in text if ch.isalpha()]
    accented = [ch for ch in letters if not ch.isascii()]
    if not letters or len(accented) > _MAX_ACCENTED * len(letters):
        return None
    return text
