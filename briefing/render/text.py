"""Small text helpers of the renderers: dates in words, cutting text short, PDF keywords, the
document language. Plain functions of strings and dates (no briefing, no template, no PDF).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import PurePath

from markupsafe import Markup

from briefing.text.controls import escape_controls
from briefing.text.dates import day_month_year

__all__ = [
    "DEFAULT_LANG",
    "generated_label",
    "humanise",
    "language_attributes",
    "long_date",
    "paragraphs",
    "pdf_keyword",
    "shown_location",
    "shown_text",
    "truncate",
    "w3c_datetime",
]

DEFAULT_LANG = "en"  # <html lang> and the PDF /Lang when the document's language is unknown

_RTL = frozenset({"ar", "fa", "ur", "he"})


def long_date(value: datetime | date | str | None) -> str:
    """Format a date like "26 November 2026" (English month names, whatever the locale)."""
    if value is None:
        return ""
    if isinstance(value, str):
        parsed = _parse_date(value)
        if parsed is None:
            return value
        value = parsed
    return day_month_year(value)


def _parse_date(text: str) -> datetime | None:
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:  # RSS dates: "Tue, 03 Mar 2026 10:00:00 GMT"
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(candidate)
    except (TypeError, ValueError, IndexError):
        return None


def w3c_datetime(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss±hh:mm`` as WeasyPrint's dcterms.created parser wants it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def generated_label(value: datetime) -> str:
    """When a document was generated, for people: "26 November 2026, 09:30 UTC"."""
    zone = value.tzname() if value.tzinfo is not None else None
    if zone in (None, "UTC+00:00"):
        zone = "UTC"
    return f"{long_date(value)}, {value:%H:%M} {zone}"


def truncate(text: str, limit: int) -> str:
    """``text`` with whitespace collapsed, cut at a word to at most ``limit`` characters (…)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def shown_location(kind: str, location: str) -> str:
    """Where an article came from, as a printed page shows it: a file by its name alone.

    A local path says where the reader's files live (home folder, user name), which has no
    place on a page that is printed and passed on; the JSON keeps the path for tools.
    Control characters in it (a newline or an ESC in a file name) are shown escaped.
    """
    if kind != "file":
        return escape_controls(location)
    return escape_controls(PurePath(location).name or location)


def shown_text(value: object) -> object:
    """What a template prints of ``value`` (the Jinja environment's ``finalize``): text with
    its control characters but line ends and tabs shown escaped (``\x1b``), since no reader
    can see them; markup made by our own macros and anything not text, as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape_controls(value, keep="\n\r\t")
    return value


def pdf_keyword(text: str) -> str:
    """One entry of the PDF /Keywords: WeasyPrint splits <meta name="keywords"> on commas."""
    return " ".join(text.replace(",", " ").split())


def paragraphs(text: str) -> list[str]:
    """Split text on blank lines into whitespace-normalised paragraphs (a Jinja filter)."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def humanise(identifier: str) -> str:
    """``injection_suspected`` -> ``Injection suspected`` (a Jinja filter)."""
    words = identifier.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# The labels of our documents are English (left to right); article and model text may be
# right to left. So the page stays ltr and each paragraph of such text takes its direction
# from its own first strong character (CSS unicode-bidi: plaintext, in briefing.css).


def language_attributes(code: str | None) -> dict[str, str]:
    """``lang`` and ``dir`` of the document (screen readers, PDF/UA /Lang, text direction)."""
    lang = code or DEFAULT_LANG
    return {"lang": lang, "text_dir": "rtl" if lang.split("-")[0] in _RTL else "ltr"}
