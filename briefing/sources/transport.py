"""What one fetch runs on: its deadline, connections pinned to checked addresses, a verifying
TLS context and a body read within a size cap.

:func:`briefing.sources.http.fetch` puts these together (the policy is described there):

* :class:`Clock`: the fetch's total deadline; every socket operation is clamped to what is left
  (:class:`DeadlineStream`), so a server dripping one byte a second cannot stretch a fetch;
* :class:`PinnedTransport`: httpx over httpcore's connection pool with a network backend
  (:class:`PinnedBackend`) that dials only the addresses pinned for a host after they passed
  the address check (:mod:`briefing.sources.addresses`), never the result of a second lookup;
  the URL keeps the host name, so the ``Host`` header, TLS SNI and certificate checks use it;
* :func:`ssl_context`: certificates always verified (certifi, or ``SSL_CERT_FILE`` /
  ``SSL_CERT_DIR`` for an intranet CA);
* :func:`read_body`: ``gzip``/``deflate`` inflated in 64 KiB steps, so a compression bomb
  costs at most the cap + 64 KiB before it is refused.

Every failure of a hop is a :class:`Problem`, turned into a ``FetchError`` naming the URL by
``fetch``.
"""

from __future__ import annotations

import functools
import os
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

__all__ = [
    "Clock",
    "DeadlineStream",
    "Dialer",
    "PinnedBackend",
    "PinnedTransport",
    "Problem",
    "read_body",
    "ssl_context",
]

CHUNK = 64 * 1024  # most bytes one inflate step may produce

Dialer = Callable[[str, int], tuple[str, int]]
"""Checked (address, port) -> the socket address actually dialled (default: the same)."""


class Problem(Exception):
    """Why a hop failed, before it is turned into a FetchError naming the URL."""

    def __init__(self, problem: str, *, transient: bool = False, per_hop: bool = True) -> None:
        super().__init__(problem)
        self.problem = problem
        self.transient = transient
        self.per_hop = per_hop  # False: about the whole fetch (deadline, redirect count)


class Clock:
    """The total deadline of one fetch: DNS, connecting, TLS, every redirect and the body."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> Problem:
        problem = f"took longer than {self.seconds:g} s (deadline)"
        return Problem(problem, transient=True, per_hop=False)

    def check(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise self.expired()
        return left


# --- connections pinned to checked addresses ----------------------------------------------


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation times out at the fetch's deadline at the latest."""

    def __init__(self, inner: httpcore.NetworkStream, clock: Clock) -> None:
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
        return DeadlineStream(inner, self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Dial only addresses that passed the check for that host; never resolve names itself."""

    def __init__(self, clock: Clock, dialer: Dialer | None) -> None:
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
            return DeadlineStream(stream, self._clock)
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


class PinnedTransport(httpx.BaseTransport):
    """httpx over httpcore's connection pool with the pinned network backend (no proxies)."""

    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext) -> None:
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


def ssl_context() -> ssl.SSLContext:
    """A verifying context (cached): certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR if set."""
    return _ssl_context_for(
        os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None
    )


# --- the body, within the size cap ---------------------------------------------------------


def _size(n: int) -> str:
    if n % 2**20 == 0:
        return f"{n // 2**20} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def _inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Inflate gzip/deflate data in bounded steps (at most CHUNK bytes out per step)."""
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
                out = inflater.decompress(data, CHUNK)
            except zlib.error:
                if raw_fallback:
                    raw_fallback = False
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if next_member:  # junk after a complete gzip member: ignored, as gzip does
                    done = True
                    break
                raise Problem(f"the body is not valid {encoding} data") from None
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


def read_body(response: httpx.Response, max_bytes: int, clock: Clock) -> bytes:
    """The decompressed body of ``response``; a Problem past ``max_bytes`` or the deadline.

    We asked only for ``gzip`` or ``deflate`` and inflate the raw stream ourselves: httpx's own
    decoders inflate a whole network read at once, unbounded.
    """
    too_big = Problem(f"larger than {_size(max_bytes)}")
    header = response.headers.get("content-encoding", "")
    encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    for encoding in encodings:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise Problem(f"unsupported content encoding {encoding}")
    length = response.headers.get("content-length", "")
    if not encodings and length.isdigit() and int(length) > max_bytes:
        raise too_big
    chunks: Iterable[bytes] = response.iter_raw()
    for encoding in reversed(encodings):  # the last encoding applied is undone first
        chunks = _inflate(chunks, encoding)
    body = bytearray()
    for chunk in chunks:
        clock.check()
        body += chunk
        if len(body) > max_bytes:
            raise too_big
    clock.check()
    return bytes(body)
