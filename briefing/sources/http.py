"""The safe HTTP transport of every web source: feeds and the pages they link to are untrusted.

:func:`fetch` GETs one URL and returns the raw :class:`Fetched` body; turning a page into an
article is :mod:`briefing.sources.web`, a feed into its items :mod:`briefing.sources.feeds`.
Every fetch follows the :class:`FetchPolicy`:

* **http and https only**, on the first URL and on every redirect hop (``file:``, ``ftp:``,
  ``data:``... are refused); at most ``max_redirects`` redirects, each hop checked like the first.
* **Private addresses refused** unless ``allow_private``: the host of every hop is resolved once
  (``socket.getaddrinfo``) and refused if *any* of its addresses is loopback, private, link-local,
  multicast, reserved, unspecified, shared (CGNAT), not globally routable, or a cloud metadata
  address; IPv4 addresses embedded in IPv6 ones (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4,
  Teredo) are checked as IPv4 too. Literal IP hosts are checked without resolving anything
  (:mod:`briefing.sources.addresses`).
* **No DNS rebinding**: the connection goes to the address that was checked, never to the result
  of a second lookup. A small httpx transport
  (:class:`~briefing.sources.transport.PinnedTransport`) runs httpcore's connection pool over a
  network backend that dials only the checked addresses of the host; the URL keeps the host
  name, so the ``Host`` header, TLS SNI and certificate verification all use the name as usual.
  No residual check-then-connect race. What remains is trusting the system resolver's answer
  itself, and public hosts that relay requests inward (outside our reach).
  Proxies from the environment (``HTTP_PROXY``...) are *not* used: a proxy would resolve names
  itself and void the check.
* **A total deadline** covering DNS, connecting, TLS, every redirect and the body: each socket
  operation's timeout is clamped to the time left, and the clock is checked between chunks, so a
  server dripping one byte a second cannot stretch a fetch beyond ``deadline``.
* **A cap on decompressed bytes**: we ask only for ``gzip`` or ``deflate`` and inflate the raw
  stream ourselves in 64 KiB steps, so a compression bomb costs at most ``max_bytes`` + 64 KiB
  of memory before it is refused (httpx's own decoders inflate a whole network read at once).
* **A content-type allow-list** per kind of resource (article or feed).
* **Certificates always verified** (``SSL_CERT_FILE``/``SSL_CERT_DIR`` may add an intranet CA;
  there is no switch to turn verification off).

Every problem becomes a :class:`FetchError` whose one-line message names the URL and the problem.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

import httpcore
import httpx

from briefing.errors import ConfigError, InputError
from briefing.sources.addresses import Resolver, checked_addresses
from briefing.sources.files import MAX_INPUT_BYTES
from briefing.sources.transport import (
    Clock,
    Dialer,
    PinnedBackend,
    PinnedTransport,
    Problem,
    read_body,
    ssl_context,
)
from briefing.version import __version__

__all__ = [
    "ARTICLE_TYPES",
    "FEED_TYPES",
    "USER_AGENT",
    "Accept",
    "Dialer",
    "FetchError",
    "FetchPolicy",
    "Fetched",
    "Resolver",
    "fetch",
]

USER_AGENT = f"briefing/{__version__} (+https://pypi.org/project/briefing/)"

ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

Accept = Literal["article", "feed", "any"]


class FetchError(InputError):
    """A URL could not be fetched, or what it returned is refused. Exit code 2 (bad input).

    ``url`` is the URL asked for; ``problem`` the reason (after ``"<url>: "`` in the message);
    ``transient`` is True when trying again later may help (deadline, DNS and connection
    failures, HTTP 408, 429 and 5xx), so a caller can tell a flaky night from a bad source.
    """

    def __init__(self, url: str, problem: str, *, transient: bool = False) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = " ".join(problem.split())
        self.transient = transient

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_fetch_error, (self.url, self.problem, self.transient))


def _rebuild_fetch_error(url: str, problem: str, transient: bool) -> FetchError:
    return FetchError(url, problem, transient=transient)


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of one fetch. ``resolver`` and ``dialer`` are seams for tests (see below)."""

    deadline: float = 20.0  # seconds for the whole fetch: DNS, connect, TLS, redirects, body
    max_bytes: int = MAX_INPUT_BYTES  # cap on the decompressed body
    max_redirects: int = 5
    allow_private: bool = False  # fetch loopback/private/link-local hosts (intranet sources)
    user_agent: str = USER_AGENT
    # Test seams, never set from configuration. ``resolver`` replaces DNS (host -> addresses);
    # ``dialer`` maps a *checked* address to the socket address dialled, to simulate routing
    # (e.g. a "public" test address served by a server on 127.0.0.1). Neither bypasses the
    # address check: it always runs on what the resolver returned.
    resolver: Resolver | None = field(default=None, repr=False, compare=False)
    dialer: Dialer | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.deadline > 0:
            raise ConfigError(f"the fetch deadline must be positive, not {self.deadline}")
        if self.max_bytes < 1:
            raise ConfigError(f"the fetch size cap must be positive, not {self.max_bytes}")
        if self.max_redirects < 0:
            raise ConfigError(f"max_redirects cannot be negative ({self.max_redirects})")


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: the final URL (after redirects), its media type and the raw body."""

    url: str
    content_type: str  # media type only, lower-cased, e.g. "text/html"
    charset: str | None  # the charset parameter of Content-Type, if any
    body: bytes  # decompressed, at most policy.max_bytes


# --- one fetch ---------------------------------------------------------------------------


def fetch(url: str, policy: FetchPolicy, *, accept: Accept = "any") -> Fetched:
    """GET ``url`` under ``policy``; raise :class:`FetchError` for every problem."""
    clock = Clock(policy.deadline)
    hop: str | None = None  # the URL of the current hop once redirected
    try:
        target = _parse_url(url)
        backend = PinnedBackend(clock, policy.dialer)
        transport = PinnedTransport(backend, ssl_context())
        headers = {
            "User-Agent": policy.user_agent,
            "Accept": _accept_header(accept),
            "Accept-Encoding": "gzip, deflate",
        }
        with httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False, headers=headers
        ) as client:
            for redirects in range(policy.max_redirects + 1):
                _check_url(target)
                host = target.raw_host.decode("ascii")
                addresses = checked_addresses(
                    host,
                    clock,
                    resolver=policy.resolver,
                    allow_private=policy.allow_private,
                    shown=target.host,
                )
                backend.pin(host, addresses)
                outcome = _get(client, target, policy, accept, clock)
                if isinstance(outcome, Fetched):
                    return outcome
                if redirects == policy.max_redirects:
                    break
                try:
                    hop = urljoin(str(target), outcome)  # shown in messages as the server sent it
                except ValueError as exc:
                    raise Problem(f"invalid redirect (Location {outcome!r}: {exc})") from None
                target = _parse_url(hop)
            raise Problem(f"too many redirects (more than {policy.max_redirects})", per_hop=False)
    except Problem as refused:
        raise _fetch_error(url, hop, refused) from None
    except (
        httpx.HTTPError,
        httpcore.TimeoutException,
        httpcore.NetworkError,
        httpcore.ProtocolError,
    ) as exc:
        raise _fetch_error(url, hop, _network_problem(exc, clock)) from exc
    except OSError as exc:  # e.g. an unreadable SSL_CERT_FILE
        raise FetchError(url, f"cannot fetch ({exc.strerror or exc})") from exc


def _fetch_error(url: str, hop: str | None, problem: Problem) -> FetchError:
    text = problem.problem
    if problem.per_hop and hop is not None:
        text = f"redirected to {hop}: {text}"
    return FetchError(url, text, transient=problem.transient)


def _get(
    client: httpx.Client,
    target: httpx.URL,
    policy: FetchPolicy,
    accept: Accept,
    clock: Clock,
) -> Fetched | str:
    """One hop: what was fetched, or the Location header to follow."""
    left = clock.check()
    request = client.build_request("GET", target, timeout=httpx.Timeout(left))
    try:
        response = client.send(request, stream=True)
    except httpx.RemoteProtocolError as exc:
        if "location header" in str(exc).lower():  # httpx parses Location even unasked
            raise Problem(f"invalid redirect ({exc})") from None
        raise
    try:
        status = response.status_code
        if status in _REDIRECTS and response.headers.get("location"):
            return response.headers["location"]
        if not 200 <= status < 300:
            raise Problem(f"HTTP {status}", transient=status in (408, 429) or status >= 500)
        media, charset = _media_type(response.headers.get("content-type", ""))
        allowed, what = _allowed(accept)
        if media not in allowed:
            raise Problem(
                f"content type {media or '(none)'} is not {what} "
                f"(allowed: {', '.join(ARTICLE_TYPES)}; feeds: {', '.join(FEED_TYPES)})"
            )
        body = read_body(response, policy.max_bytes, clock)
        return Fetched(url=str(target), content_type=media, charset=charset, body=body)
    finally:
        response.close()


# --- helpers -----------------------------------------------------------------------------


def _check_url(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise Problem("only http and https URLs are fetched")
    if not url.host:
        raise Problem("the URL has no host name")


def _parse_url(text: str) -> httpx.URL:
    try:
        return httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise Problem(f"not a valid URL ({exc})") from None


def _media_type(header: str) -> tuple[str, str | None]:
    media = header.split(";", 1)[0].strip().lower()
    match = re.search(r""";\s*charset\s*=\s*["']?([^"';\s]+)""", header, re.I)
    return media, (match.group(1) if match else None)


def _allowed(accept: Accept) -> tuple[tuple[str, ...], str]:
    if accept == "article":
        return ARTICLE_TYPES, "an article"
    if accept == "feed":
        # Servers often label feeds text/html or text/plain; the feed parser then decides.
        return FEED_TYPES + ARTICLE_TYPES, "a feed"
    return ARTICLE_TYPES + FEED_TYPES, "an article or a feed"


def _accept_header(accept: Accept) -> str:
    article = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,text/markdown;q=0.8"
    feed = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9"
    if accept == "article":
        return article
    if accept == "feed":
        return f"{feed},*/*;q=0.1"
    return f"{article},{feed}"


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _network_problem(exc: Exception, clock: Clock) -> Problem:
    """Turn an httpx/httpcore exception into a one-line problem."""
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException)):
        return clock.expired()
    if clock.remaining() <= 0:
        return clock.expired()
    cert = _cause(exc, ssl.SSLCertVerificationError)
    if isinstance(cert, ssl.SSLCertVerificationError):
        detail = (cert.verify_message or "").rstrip(".")
        suffix = f" ({detail})" if detail else ""
        return Problem(f"certificate verification failed{suffix}")
    tls = _cause(exc, ssl.SSLError)
    if isinstance(tls, ssl.SSLError):
        return Problem(f"TLS handshake failed ({tls.reason or tls})", transient=True)
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        os_error = _cause(exc, OSError)
        reason = os_error.strerror if isinstance(os_error, OSError) else None
        suffix = f" ({reason.lower()})" if reason else ""
        return Problem(f"cannot connect{suffix}", transient=True)
    if isinstance(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError)):
        return Problem(f"invalid HTTP response ({exc})", transient=True)
    return Problem(f"connection failed ({type(exc).__name__}: {exc})", transient=True)
