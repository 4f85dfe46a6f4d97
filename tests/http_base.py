"""What every test HTTP server here shares: a ``ThreadingHTTPServer`` on 127.0.0.1.

:class:`LoopbackServer` listens on a random loopback port, serves from a daemon thread, and
closes promptly even while handlers sleep (they wait on :attr:`LoopbackServer.stopping`, which
``close()`` sets). Subclasses answer requests in ``handle_request`` (called for each method in
``methods``; others are a 501) and may wrap the listening socket (TLS) or clean up after closing.

Handlers never print: no access log, and an exception in a handler (usually the client hanging
up, as deadline and size-cap tests make it do) is recorded in ``handler_errors`` instead of a
traceback on ``sys.stderr``. That matters because the CLI runs in-process in the tests: while it
runs, ``sys.stderr`` is the captured stream a test compares byte for byte.
"""

from __future__ import annotations

import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self

__all__ = ["LoopbackServer", "QuietHandler"]

_HUNG_UP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() must not wait for handlers that are sleeping
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exception()
        if isinstance(exc, _HUNG_UP):
            return  # the client gave up (deadline, size cap, TLS refusal): expected here
        self.owner.handler_errors.append(traceback.format_exc())


class QuietHandler(BaseHTTPRequestHandler):
    """Hands every request to the owning :class:`LoopbackServer`; logs nothing."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers; replies send lengths
    timeout = 30  # an idle keep-alive connection's thread gives up after this

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        owner = self.server.owner
        if self.command in owner.methods:
            owner.handle_request(self)
        else:
            self.send_error(501, f"Unsupported method ({self.command!r})")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class LoopbackServer:
    """A test HTTP server on ``127.0.0.1``, random port, in a daemon thread."""

    handler_class: ClassVar[type[QuietHandler]] = QuietHandler
    thread_name: ClassVar[str] = "test-http-server"
    methods: ClassVar[frozenset[str]] = frozenset({"GET", "HEAD"})  # others: 501

    def __init__(self) -> None:
        self.stopping = threading.Event()  # set by close(): sleeping handlers wake and drop
        self.handler_errors: list[str] = []  # tracebacks of handlers that failed (not hang-ups)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- for subclasses ---------------------------------------------------------------------

    def handle_request(self, h: QuietHandler) -> None:
        """Answer one request (runs in a handler thread)."""
        raise NotImplementedError

    def _prepare(self, httpd: ThreadingHTTPServer) -> None:
        """Before serving: e.g. wrap ``httpd.socket`` for TLS."""

    def _closed(self) -> None:
        """After the server has stopped: e.g. remove temporary files."""

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self.stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", 0), self.handler_class)
        httpd.owner = self
        self._prepare(httpd)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; returns promptly even if a handler is sleeping in a delay."""
        self.stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._closed()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return int(self._httpd.server_address[1])
