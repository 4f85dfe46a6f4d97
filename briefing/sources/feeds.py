"""Read RSS/Atom feeds fetched under a :class:`~briefing.sources.http.FetchPolicy`.

The feed's bytes are fetched by :func:`briefing.sources.http.fetch` (all its limits apply) and
handed to feedparser wrapped in a ``BytesIO``: feedparser treats a *string or bytes* argument as
a URL to download or a file path to open when it looks like one (its docs: "Wrap an untrusted
string in a BytesIO"), so a feed body such as ``/etc/passwd`` must never reach it bare.
feedparser's XML parser does not resolve external entities, and expat (>= 2.4) refuses entity-
expansion bombs.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.sax import SAXParseException

import feedparser  # type: ignore[import-untyped]

from briefing.errors import ConfigError
from briefing.sources.http import FetchError, FetchPolicy, fetch

__all__ = ["FeedItem", "parse_feed", "read_feed"]

_TAG = re.compile(r"</?[A-Za-z!][^>]*>")


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: the article's absolute http(s) link, its title and date if given."""

    link: str
    title: str | None
    published: str | None  # ISO-8601 in UTC, e.g. "2024-05-14T06:30:00+00:00"


def read_feed(url: str, policy: FetchPolicy, max_items: int) -> list[FeedItem]:
    """Fetch and parse the feed at ``url``: its items' links, newest first, at most ``max_items``.

    Links are resolved against the feed's final URL; only http(s) links are kept, each once.
    A body that is not a feed raises :class:`FetchError` ("not a valid RSS/Atom feed (...)").
    """
    if max_items < 1:
        raise ConfigError(f"max_items must be at least 1, not {max_items}")
    fetched = fetch(url, policy, accept="feed")
    content_type = fetched.content_type
    if fetched.charset:
        content_type += f"; charset={fetched.charset}"
    try:
        return parse_feed(fetched.body, base=fetched.url, content_type=content_type)[:max_items]
    except _NotAFeed as exc:
        raise FetchError(url, f"not a valid RSS/Atom feed ({exc})") from None


class _NotAFeed(Exception):
    pass


def parse_feed(body: bytes, *, base: str, content_type: str = "application/xml") -> list[FeedItem]:
    """Parse feed bytes (never a URL or a path) into items, newest first; all of them."""
    if not body.strip():
        raise _NotAFeed("empty document")
    parsed = feedparser.parse(
        io.BytesIO(body),  # a stream: feedparser never opens URLs or files for it
        response_headers={"content-type": content_type, "content-location": base},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    items = _items(parsed.get("entries", []), base)
    if not items and (parsed.get("bozo") or not parsed.get("version")):
        raise _NotAFeed(_reason(parsed))
    return items


def _reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if isinstance(exc, SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    if exc is not None:
        return " ".join(str(exc).split())[:200] or type(exc).__name__
    return "no RSS or Atom elements found"


def _items(entries: list[Any], base: str) -> list[FeedItem]:
    dated: list[tuple[float, FeedItem]] = []
    undated: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        link = _link(entry, base)
        if link is None:
            continue
        key = urlunsplit(urlsplit(link)._replace(fragment=""))
        if key in seen:
            continue
        seen.add(key)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        when = calendar.timegm(stamp) if isinstance(stamp, time.struct_time) else None
        published = None if when is None else datetime.fromtimestamp(when, UTC).isoformat()
        item = FeedItem(link=link, title=_title(entry.get("title")), published=published)
        if when is None:
            undated.append(item)
        else:
            dated.append((when, item))
    dated.sort(key=lambda pair: pair[0], reverse=True)  # stable: feed order among equals
    return [item for _, item in dated] + undated


def _link(entry: Any, base: str) -> str | None:
    candidates = [entry.get("link")]
    if entry.get("guidislink") or not entry.get("link"):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        link = urljoin(base, candidate.strip())
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and parts.hostname:
            return link
    return None


def _title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(_TAG.sub(" ", value)).split())
    return text or None
