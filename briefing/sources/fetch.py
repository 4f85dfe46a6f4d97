"""Fetch articles and feeds from the web, safely: feeds and the pages they link to are untrusted.

Every fetch follows the :class:`FetchPolicy`:

* **http and https only**, on the first URL and on every redirect hop (``file:``, ``ftp:``,
  ``data:``... are refused); at most ``max_redirects`` redirects, each hop checked like the first.
* **Private addresses refused** unless ``allow_private``: the host of every hop is resolved once
  (``socket.getaddrinfo``) and refused if *any* of its addresses is loopback, private, link-local,
  multicast, reserved, unspecified, shared (CGNAT), not globally routable, or a cloud metadata
  address; IPv4 addresses embedded in IPv6 ones (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4,
  Teredo) are checked as IPv4 too. Literal IP hosts are checked without resolving anything.
* **No DNS rebinding**: the connection goes to the address that was checked, never to the result
  of a second lookup. A small httpx transport (:class:`_PinnedTransport`) runs httpcore's
  connection pool over a network backend that dials only the checked addresses of the host; the
  URL keeps the host name, so the ``Host`` header, TLS SNI and certificate verification all use
  the name as usual. No residual check-then-connect race. What remains is trusting the system
  resolver's answer itself, and public hosts that relay requests inward (outside our reach).
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

import codecs
import functools
import ipaddress
import logging
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

import httpcore
import httpx

from briefing import __version__
from briefing.errors import ConfigError, InputError
from briefing.model import Article
from briefing.sources.files import MAX_INPUT_BYTES, MIN_WORDS, article_from_text, decode

# trafilatura and its helpers log warnings about odd pages; under cron those would reach stderr
# through logging's last-resort handler. Our own log lines say what failed.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

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
    "decode_body",
    "fetch",
    "fetch_article",
    "is_private_address",
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
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024  # most bytes one inflate step may produce
_PRIVATE_HINT = "use --allow-private for intranet sources"

# Cloud instance-metadata endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS IPv6;
# Alibaba). All but the IPv6 one are non-global anyway; listed so the intent is explicit.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Accept = Literal["article", "feed", "any"]
Resolver = Callable[[str], Sequence[str]]
"""Host name -> IP address strings (default: the system resolver, ``socket.getaddrinfo``)."""
Dialer = Callable[[str, int], tuple[str, int]]
"""Checked (address, port) -> the socket address actually dialled (default: the same)."""


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


# --- the address policy -------------------------------------------------------------------


def is_private_address(address: str) -> bool:
    """True if ``address`` (an IP address string) must not be fetched without allow_private.

    Anything that is not a public unicast address counts: loopback, RFC 1918/ULA private,
    link-local, multicast, reserved, unspecified, shared/CGNAT, documentation ranges, cloud
    metadata, and IPv6 addresses embedding such an IPv4 address. Unparseable input is refused.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        if ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            candidates.append(ip.sixtofour)
        if ip.teredo is not None:
            candidates.extend(ip.teredo)
        if ip in _NAT64:
            candidates.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return any(
        c in _METADATA
        or c.is_loopback
        or c.is_private
        or c.is_link_local
        or c.is_multicast
        or c.is_reserved
        or c.is_unspecified
        or not c.is_global
        for c in candidates
    )


# --- internals: the clock, problems, pinned connections -----------------------------------


class _Problem(Exception):
    """Why a hop failed, before it is turned into a FetchError naming the URL."""

    def __init__(self, problem: str, *, transient: bool = False, per_hop: bool = True) -> None:
        super().__init__(problem)
        self.problem = problem
        self.transient = transient
        self.per_hop = per_hop  # False: about the whole fetch (deadline, redirect count)


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> _Problem:
        problem = f"took longer than {self.seconds:g} s (deadline)"
        return _Problem(problem, transient=True, per_hop=False)

    def check(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise self.expired()
        return left


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation times out at the fetch's deadline at the latest."""

    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self._inner = inner
        self._clock = clock

    def _clamp(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._clock.remaining()
        if left <= 0:
            raise error("deadline reached")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, self._clamp(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner, self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Dial only addresses that passed the check for that host; never resolve names itself."""

    def __init__(self, clock: _Clock, dialer: Dialer | None) -> None:
        self._clock = clock
        self._dialer = dialer
        self._pins: dict[str, list[str]] = {}
        self._tcp = httpcore.SyncBackend()

    def pin(self, host: str, addresses: list[str]) -> None:
        self._pins[host] = addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get(host)
        if not addresses:  # cannot happen through fetch(): every hop is pinned before it is sent
            raise httpcore.ConnectError(f"no checked address for {host}")
        error: Exception = httpcore.ConnectError(f"cannot connect to {host}")
        for address in addresses:
            left = self._clock.remaining()
            if left <= 0:
                raise httpcore.ConnectTimeout("deadline reached")
            target = self._dialer(address, port) if self._dialer else (address, port)
            try:
                stream = self._tcp.connect_tcp(
                    target[0],
                    target[1],
                    timeout=left if timeout is None else min(timeout, left),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self._clock)
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(0.0, self._clock.remaining())))


class _PinnedTransport(httpx.BaseTransport):
    """httpx over httpcore's connection pool with the pinned network backend (no proxies)."""

    def __init__(self, backend: _PinnedBackend, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=backend,
            max_connections=4,
            http1=True,
            http2=False,
            retries=0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


@functools.lru_cache(maxsize=4)
def _ssl_context_for(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile:
        context = ssl.create_default_context(cafile=cafile)
    elif capath:
        context = ssl.create_default_context(capath=capath)
    else:
        context = httpx.create_ssl_context(verify=True, trust_env=False)  # certifi's CAs
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # Verification is not negotiable: refuse to run with a context that does not verify.
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise RuntimeError("TLS context does not verify certificates")
    return context


def _ssl_context() -> ssl.SSLContext:
    """A verifying context (cached): certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR if set."""
    return _ssl_context_for(
        os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None
    )


def _system_resolver(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _resolve(host: str, resolver: Resolver, clock: _Clock) -> list[str]:
    """Resolve in a daemon thread so a hanging DNS server cannot outlast the deadline."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["addresses"] = list(resolver(host))
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="briefing-resolve", daemon=True)
    thread.start()
    thread.join(clock.check())
    if thread.is_alive():
        raise clock.expired()
    if "error" in outcome or not outcome.get("addresses"):
        raise _Problem(f"cannot resolve host name {host}", transient=True)
    addresses: list[str] = []
    for address in outcome["addresses"]:
        if address not in addresses:
            addresses.append(address)
    return addresses


def _check_url(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise _Problem("only http and https URLs are fetched")
    if not url.host:
        raise _Problem("the URL has no host name")


def _addresses_for(url: httpx.URL, policy: FetchPolicy, clock: _Clock) -> list[str]:
    """The addresses to connect to for this hop, after the private-address check."""
    host = url.raw_host.decode("ascii")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        addresses = _resolve(host, policy.resolver or _system_resolver, clock)
        literal = False
    else:
        addresses, literal = [host], True
    if not policy.allow_private:
        for address in addresses:
            if is_private_address(address):
                where = "" if literal else f" for {url.host}"
                raise _Problem(f"refused private address {address}{where} ({_PRIVATE_HINT})")
    return addresses


def _parse_url(text: str) -> httpx.URL:
    try:
        return httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _Problem(f"not a valid URL ({exc})") from None


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


def _size(n: int) -> str:
    if n % 2**20 == 0:
        return f"{n // 2**20} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def _inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Inflate gzip/deflate data in bounded steps (at most _CHUNK bytes out per step)."""
    gzip = encoding in ("gzip", "x-gzip")
    wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    raw_fallback = not gzip  # "deflate" is often sent as a raw stream without the zlib header
    next_member = False  # inflating a further gzip member (or trailing garbage)
    done = False
    for chunk in chunks:
        data = chunk
        while data and not done:
            try:
                out = inflater.decompress(data, _CHUNK)
            except zlib.error:
                if raw_fallback:
                    raw_fallback = False
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if next_member:  # junk after a complete gzip member: ignored, as gzip does
                    done = True
                    break
                raise _Problem(f"the body is not valid {encoding} data") from None
            raw_fallback = next_member = False
            if out:
                yield out
            if not inflater.eof:
                data = inflater.unconsumed_tail
            elif gzip and inflater.unused_data:  # concatenated gzip members
                data = inflater.unused_data
                inflater = zlib.decompressobj(wbits)
                next_member = True
            else:
                done = True
        if done:
            break
    if not done:
        tail = inflater.flush()
        if tail:
            yield tail


def _read_body(response: httpx.Response, policy: FetchPolicy, clock: _Clock) -> bytes:
    too_big = _Problem(f"larger than {_size(policy.max_bytes)}")
    header = response.headers.get("content-encoding", "")
    encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    for encoding in encodings:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise _Problem(f"unsupported content encoding {encoding}")
    length = response.headers.get("content-length", "")
    if not encodings and length.isdigit() and int(length) > policy.max_bytes:
        raise too_big
    chunks: Iterable[bytes] = response.iter_raw()
    for encoding in reversed(encodings):  # the last encoding applied is undone first
        chunks = _inflate(chunks, encoding)
    body = bytearray()
    for chunk in chunks:
        clock.check()
        body += chunk
        if len(body) > policy.max_bytes:
            raise too_big
    clock.check()
    return bytes(body)


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _network_problem(exc: Exception, clock: _Clock) -> _Problem:
    """Turn an httpx/httpcore exception into a one-line problem."""
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException)):
        return clock.expired()
    if clock.remaining() <= 0:
        return clock.expired()
    cert = _cause(exc, ssl.SSLCertVerificationError)
    if isinstance(cert, ssl.SSLCertVerificationError):
        detail = (cert.verify_message or "").rstrip(".")
        suffix = f" ({detail})" if detail else ""
        return _Problem(f"certificate verification failed{suffix}")
    tls = _cause(exc, ssl.SSLError)
    if isinstance(tls, ssl.SSLError):
        return _Problem(f"TLS handshake failed ({tls.reason or tls})", transient=True)
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        os_error = _cause(exc, OSError)
        reason = os_error.strerror if isinstance(os_error, OSError) else None
        suffix = f" ({reason.lower()})" if reason else ""
        return _Problem(f"cannot connect{suffix}", transient=True)
    if isinstance(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError)):
        return _Problem(f"invalid HTTP response ({exc})", transient=True)
    return _Problem(f"connection failed ({type(exc).__name__}: {exc})", transient=True)


# --- the public API -----------------------------------------------------------------------


def fetch(url: str, policy: FetchPolicy, *, accept: Accept = "any") -> Fetched:
    """GET ``url`` under ``policy``; raise :class:`FetchError` for every problem."""
    clock = _Clock(policy.deadline)
    hop: str | None = None  # the URL of the current hop once redirected
    try:
        target = _parse_url(url)
        backend = _PinnedBackend(clock, policy.dialer)
        transport = _PinnedTransport(backend, _ssl_context())
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
                backend.pin(target.raw_host.decode("ascii"), _addresses_for(target, policy, clock))
                outcome = _get(client, target, policy, accept, clock)
                if isinstance(outcome, Fetched):
                    return outcome
                if redirects == policy.max_redirects:
                    break
                try:
                    hop = urljoin(str(target), outcome)  # shown in messages as the server sent it
                except ValueError as exc:
                    raise _Problem(f"invalid redirect (Location {outcome!r}: {exc})") from None
                target = _parse_url(hop)
            raise _Problem(f"too many redirects (more than {policy.max_redirects})", per_hop=False)
    except _Problem as refused:
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


def _fetch_error(url: str, hop: str | None, problem: _Problem) -> FetchError:
    text = problem.problem
    if problem.per_hop and hop is not None:
        text = f"redirected to {hop}: {text}"
    return FetchError(url, text, transient=problem.transient)


def _get(
    client: httpx.Client,
    target: httpx.URL,
    policy: FetchPolicy,
    accept: Accept,
    clock: _Clock,
) -> Fetched | str:
    """One hop: what was fetched, or the Location header to follow."""
    left = clock.check()
    request = client.build_request("GET", target, timeout=httpx.Timeout(left))
    try:
        response = client.send(request, stream=True)
    except httpx.RemoteProtocolError as exc:
        if "location header" in str(exc).lower():  # httpx parses Location even unasked
            raise _Problem(f"invalid redirect ({exc})") from None
        raise
    try:
        status = response.status_code
        if status in _REDIRECTS and response.headers.get("location"):
            return response.headers["location"]
        if not 200 <= status < 300:
            raise _Problem(f"HTTP {status}", transient=status in (408, 429) or status >= 500)
        media, charset = _media_type(response.headers.get("content-type", ""))
        allowed, what = _allowed(accept)
        if media not in allowed:
            raise _Problem(
                f"content type {media or '(none)'} is not {what} "
                f"(allowed: {', '.join(ARTICLE_TYPES)}; feeds: {', '.join(FEED_TYPES)})"
            )
        body = _read_body(response, policy, clock)
        return Fetched(url=str(target), content_type=media, charset=charset, body=body)
    finally:
        response.close()


# --- articles -----------------------------------------------------------------------------

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
        if extracted and len(extracted.split()) >= MIN_WORDS:
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
