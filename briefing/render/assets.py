"""The URL fetcher of the PDF renderer: template files only, everything else refused.

WeasyPrint asks its URL fetcher for every resource a document names (stylesheets, images,
fonts, attachments). :class:`TemplateFetcher` serves regular files inside the template folders
(after resolving symlinks) and refuses all else (other files, http(s), ftp, data:), recording
each request so tests can prove nothing was fetched. WeasyPrint is imported lazily, on first
use, so importing this module stays cheap. Log records go to DEBUG on ``briefing.render``.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

__all__ = ["MAX_RESOURCE_BYTES", "FetchDenied", "FetchRecord", "TemplateFetcher"]

LOG = logging.getLogger("briefing.render")

MAX_RESOURCE_BYTES = 20 * 1024 * 1024  # a template asset larger than this is refused


class FetchDenied(ValueError):
    """A resource outside the template folders was requested. WeasyPrint logs it and goes on."""


@dataclass(frozen=True)
class FetchRecord:
    url: str
    allowed: bool
    reason: str


@dataclass
class TemplateFetcher:
    """Serve only regular files inside ``roots`` (after resolving symlinks); refuse the rest.

    Every request is appended to :attr:`requests`, allowed or not. :meth:`fetch` has the
    signature of ``weasyprint.urls.URLFetcher.fetch``; :meth:`for_weasyprint` wraps this object
    in a real ``URLFetcher`` subclass, as WeasyPrint 70 expects.
    """

    roots: Sequence[Path]
    requests: list[FetchRecord] = field(default_factory=list)
    max_bytes: int = MAX_RESOURCE_BYTES
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.roots = tuple(Path(root).resolve() for root in self.roots)

    @property
    def denied(self) -> list[FetchRecord]:
        return [record for record in self.requests if not record.allowed]

    def _record(self, url: str, allowed: bool, reason: str) -> None:
        with self._lock:
            self.requests.append(FetchRecord(url, allowed, reason))
        LOG.debug("fetch %s %s (%s)", "allowed" if allowed else "DENIED", url[:200], reason)

    def _deny(self, url: str, reason: str) -> FetchDenied:
        self._record(url, False, reason)
        return FetchDenied(f"{reason}: {url[:200]}")

    def resolve(self, url: str) -> Path:
        """Return the file ``url`` names if it may be served; record the request either way."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise self._deny(url, "malformed URL") from exc
        scheme = parts.scheme.lower()
        if scheme != "file":
            raise self._deny(url, f"scheme {scheme or 'none'!r} is not allowed")
        if parts.netloc not in ("", "localhost"):
            raise self._deny(url, "remote file host is not allowed")
        raw = unquote(parts.path)
        if not raw or "\x00" in raw:
            raise self._deny(url, "empty or invalid path")
        path = Path(url2pathname(parts.path))
        if not path.is_absolute():
            raise self._deny(url, "relative path")
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._deny(url, "no such file") from None
        if not any(real.is_relative_to(root) for root in self.roots):
            raise self._deny(url, "outside the template folders")
        if not real.is_file():
            raise self._deny(url, "not a regular file")
        return real

    def read(self, url: str) -> tuple[Path, bytes]:
        """Resolve and read ``url``; the request is recorded as allowed only once it was read."""
        real = self.resolve(url)
        try:
            with real.open("rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError as exc:
            raise self._deny(url, f"unreadable ({exc.strerror or exc})") from None
        if len(data) > self.max_bytes:
            raise self._deny(url, "file too large")
        self._record(url, True, "inside the template folders")
        return real, data

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """WeasyPrint's fetch API: a ``URLFetcherResponse`` or an exception (logged by it)."""
        from weasyprint.urls import URLFetcherResponse

        real, data = self.read(url)
        mime_type, _ = mimetypes.guess_type(real.name)
        content_type = mime_type or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(real.as_uri(), data, {"Content-Type": content_type}, 200)

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)

    def for_weasyprint(self) -> Any:
        """A ``weasyprint.urls.URLFetcher`` instance whose fetches go through this object."""
        return _weasyprint_fetcher_class()(self)


_FETCHER_CLASS: type | None = None


def _weasyprint_fetcher_class() -> type:
    """Define the URLFetcher subclass on first use, so WeasyPrint is imported lazily."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is None:
        from weasyprint.urls import URLFetcher

        class _DelegatingFetcher(URLFetcher):  # type: ignore[misc]
            """Never opens anything itself: every fetch is decided by the TemplateFetcher."""

            def __init__(self, policy: TemplateFetcher) -> None:
                # fail_on_errors=False: a refused URL is a missing resource (WeasyPrint logs it,
                # we record it), not a failed document. No handler of the base class is used.
                super().__init__(
                    timeout=1, allowed_protocols=("file",), allow_redirects=False,
                    fail_on_errors=False,
                )  # fmt: skip
                self.policy = policy

            def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
                return self.policy.fetch(url, headers)

            def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
                target = url.full_url if hasattr(url, "full_url") else str(url)
                return self.policy.fetch(target)

        _FETCHER_CLASS = _DelegatingFetcher
    return _FETCHER_CLASS
