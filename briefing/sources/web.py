"""A web page as an :class:`~briefing.model.Article`: its bytes decoded, its text extracted.

:func:`fetch_article` fetches the page through the safe transport of
:mod:`briefing.sources.http` (every limit of the :class:`~briefing.sources.http.FetchPolicy`
applies), decodes it (:func:`decode_body`: BOM, UTF-8, the declared charset, then detection) and
extracts the article: trafilatura for HTML, offline (it only ever sees the HTML string, never a
URL, so it fetches nothing), with our own HTML-to-text extraction as the fallback.
"""

from __future__ import annotations

import codecs
import logging
import re

from briefing.model import Article
from briefing.sources.files import MIN_WORDS, article_from_text, decode
from briefing.sources.http import Fetched, FetchPolicy, fetch
from briefing.text.words import count_words

# trafilatura and its helpers log warnings about odd pages; under cron those would reach stderr
# through logging's last-resort handler. Our own log lines say what failed.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

__all__ = ["decode_body", "fetch_article"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


def _charset_text(body: bytes, charset: str, name: str) -> str | None:
    """Decode with a declared charset; None if it is unknown or does not fit the bytes."""
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return None
    # As browsers do (WHATWG): a "Latin-1" or "ASCII" label means windows-1252.
    candidates = ["cp1252", "latin-1"] if codec in ("latin-1", "iso8859-1", "ascii") else [codec]
    for candidate in candidates:
        try:
            text = body.decode(candidate)
        except UnicodeDecodeError:
            continue
        # Re-run the binary checks of sources.decode on the decoded text.
        return decode(text.encode("utf-8"), name)
    return None


def decode_body(fetched: Fetched) -> str:
    """Decode fetched bytes: BOM or valid UTF-8 first, then the declared charset (HTTP header,
    else an HTML ``<meta charset>``), then the detection of
    :func:`briefing.sources.files.decode`."""
    body, name = fetched.body, fetched.url
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(body, name)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return decode(body, name)
    declared = fetched.charset
    if declared is None and fetched.content_type in _HTML_TYPES:
        match = _META_CHARSET.search(body[:4096])
        declared = match.group(1).decode("ascii") if match else None
    if declared:
        text = _charset_text(body, declared, name)
        if text is not None:
            return text
    return decode(body, name)


def _extract_html(html: str) -> tuple[str | None, str | None, str | None]:
    """Article text, title and publication date (YYYY-MM-DD) by trafilatura, offline.

    trafilatura only ever sees the HTML string: no URL is passed, so it fetches nothing.
    """
    import trafilatura  # imported here: ~0.2 s, only needed for web articles

    try:
        text = trafilatura.extract(
            html,
            output_format="txt",
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=False,
        )
    except Exception:  # a parser bug on hostile HTML: fall back to our own extraction
        text = None
    title = published = None
    try:
        # extensive=False: dates from the page's markup only, never guessed from its text.
        meta = trafilatura.extract_metadata(html, extensive=False)
    except Exception:  # metadata is a bonus: a parser bug must not lose the article
        meta = None
    if meta is not None:
        title = " ".join(meta.title.split()) if meta.title else None
        published = meta.date or None
    return text, title or None, published


def fetch_article(url: str, policy: FetchPolicy) -> Article:
    """Fetch an article page and extract its text (trafilatura for HTML, else as text)."""
    fetched = fetch(url, policy, accept="article")
    text = decode_body(fetched)
    name = fetched.url
    title = published = None
    if fetched.content_type in _HTML_TYPES:
        extracted, title, published = _extract_html(text)
        if extracted and count_words(extracted) >= MIN_WORDS:
            # ".txt": the extracted text is never sniffed as HTML again.
            article = article_from_text(
                extracted, name=name, kind="url", suffix=".txt", title=title
            )
        else:  # trafilatura found nothing (or too little): our own HTML-to-text extraction
            article = article_from_text(text, name=name, kind="url", suffix=".html", title=title)
    else:
        suffix = ".md" if fetched.content_type == "text/markdown" else ".txt"
        article = article_from_text(text, name=name, kind="url", suffix=suffix)
    source = article.source.model_copy(
        update={"title": title or article.source.title, "published": published}
    )
    return article.model_copy(update={"source": source})
