"""A small, real OpenAI-compatible HTTP server for tests.

The server listens on ``127.0.0.1`` (random port) in a background thread and speaks just
enough of the OpenAI REST API for the official ``openai`` SDK to talk real HTTP to it:

* ``POST /v1/chat/completions`` answers from a FIFO queue of scripted :class:`Reply` objects
  (then from ``server.default``; if that is ``None`` too, a loud 500 "no scripted reply"),
* ``GET /v1/models`` lists ``server.models``,
* anything else is a 404 in OpenAI's error format.

Every request is recorded (method, path, lower-cased headers, parsed JSON body) before it is
answered, so tests can count retries and inspect what the client sent.

Usage::

    def test_something(openai_server: FakeOpenAI) -> None:
        openai_server.script(
            Reply.error(429, "slow down", headers={"Retry-After": "1"}),
            Reply.chat("hello"),
        )
        client = openai.OpenAI(base_url=openai_server.url, api_key="test-key")
        ...
        assert openai_server.chat_calls == 2
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "openai_server"]

JSONBody = dict[str, Any]


def error_body(
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> JSONBody:
    """An error payload shaped like OpenAI's: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  # without the query string, e.g. "/v1/chat/completions"
    headers: dict[str, str]  # header names lower-cased, e.g. headers["authorization"]
    body: Any | None  # parsed JSON, or None when there was no body or it wasn't JSON
    raw_body: bytes = b""
    query: str = ""

    def header(self, name: str, default: str | None = None) -> str | None:
        """Case-insensitive header lookup."""
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True)
class Reply:
    """A scripted answer. Build one with the classmethods (``Reply.chat``, ``Reply.error``...)."""

    status: int = 200
    body: Any = None  # JSON-serialisable object, or str/bytes sent verbatim
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (interrupted by server.close())
    echo_model: bool = False  # fill body["model"] with the request's "model"
    fn: Callable[[JSONBody], Reply] | None = None  # dynamic reply, resolved per request

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def chat(
        cls,
        content: str | None,
        *,
        finish_reason: str = "stop",
        prompt_tokens: int = 10,
        completion_tokens: int = 20,
        refusal: str | None = None,
        delay: float = 0.0,
        model: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A ``chat.completion`` with one assistant choice.

        ``model`` defaults to echoing the model named in the request.
        """
        body: JSONBody = {
            "id": f"chatcmpl-test-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": None,
        }
        return cls(
            status=200,
            body=body,
            headers=dict(headers or {}),
            delay=delay,
            echo_model=model is None,
        )

    @classmethod
    def json(cls, obj: Any, **kw: Any) -> Reply:
        """A chat reply whose message content is ``json.dumps(obj)`` (for structured output)."""
        return cls.chat(json.dumps(obj), **kw)

    @classmethod
    def refusal(cls, text: str, **kw: Any) -> Reply:
        """A chat reply where the model refused: content None, ``refusal=text``."""
        return cls.chat(None, refusal=text, **kw)

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        type_: str = "invalid_request_error",
        delay: float = 0.0,
    ) -> Reply:
        """An OpenAI-style error with this HTTP status, e.g. ``Reply.error(429, "slow down",
        headers={"Retry-After": "1"})``. Add ``{"retry-after-ms": "10"}`` to make the SDK's
        retries quick, or ``{"x-should-retry": "false"}`` to stop it retrying."""
        return cls(
            status=status,
            body=error_body(message, type_=type_, code=code),
            headers=dict(headers or {}),
            delay=delay,
        )

    @classmethod
    def raw(
        cls,
        body: Any,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """Anything at all: a JSON-serialisable object, or str/bytes sent verbatim."""
        return cls(status=status, body=body, headers=dict(headers or {}), delay=delay)

    @classmethod
    def hang(cls, seconds: float, then: Reply | None = None) -> Reply:
        """Sleep ``seconds`` before answering (with ``then``, default a chat reply).

        The sleep ends early when the server is closed, in which case the connection is
        dropped without an answer.
        """
        base = then if then is not None else cls.chat("(late reply)")
        return replace(base, delay=seconds)

    @classmethod
    def dynamic(cls, fn: Callable[[JSONBody], Reply]) -> Reply:
        """Compute the reply from the request body: ``fn(body) -> Reply``."""
        return cls(fn=fn)

    # --- rendering ----------------------------------------------------------------------

    def resolve(self, request_body: JSONBody) -> Reply:
        """Follow dynamic replies down to a concrete one (delays add up)."""
        reply, delay = self, 0.0
        for _ in range(100):
            if reply.fn is None:
                return replace(reply, delay=delay + reply.delay) if delay else reply
            delay += reply.delay
            reply = reply.fn(request_body)
        raise RuntimeError("dynamic reply nested too deeply")

    def encode(self, request_body: JSONBody | None) -> bytes:
        body = self.body
        if self.echo_model and isinstance(body, dict):
            model = (request_body or {}).get("model") or "gpt-test"
            body = {**body, "model": model}
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body).encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() must not wait for handlers that are sleeping
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; we always send lengths
    timeout = 30  # an idle keep-alive connection's thread gives up after this

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_PUT(self) -> None:
        self.server.fake._handle(self)

    def do_PATCH(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)


_CHAT_PATH = "/v1/chat/completions"
_MODELS_PATH = "/v1/models"


class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 for tests. See the module docstring."""

    def __init__(self, *, models: list[str] | None = None) -> None:
        self.default: Reply | None = None
        self.models: list[str] = list(models) if models is not None else ["gpt-test"]
        self.require_key: str | None = None
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-openai-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving. Returns promptly even if a handler is in a ``Reply.hang``."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- test-facing API ----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for the SDK: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        """Append replies to the queue for ``POST /v1/chat/completions`` (FIFO)."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies have not been used yet."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._requests if r.method == "POST" and r.path == _CHAT_PATH]

    @property
    def chat_calls(self) -> int:
        """Number of ``POST /v1/chat/completions`` received (including rejected ones)."""
        return len(self.chat_requests)

    # --- request handling (runs in handler threads) -------------------------------------

    def _handle(self, h: _Handler) -> None:
        path, _, query = h.path.partition("?")
        raw = self._read_body(h)
        body: Any | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    method=h.command,
                    path=path,
                    headers=headers,
                    body=body,
                    raw_body=raw,
                    query=query,
                )
            )
        self._send(h, self._route(h.command, path, headers, raw, body), body)

    @staticmethod
    def _read_body(h: _Handler) -> bytes:
        length = h.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return h.rfile.read(n) if n > 0 else b""

    def _route(
        self, method: str, path: str, headers: dict[str, str], raw: bytes, body: Any | None
    ) -> Reply:
        key = self.require_key
        if key is not None and headers.get("authorization") != f"Bearer {key}":
            return Reply(
                status=401,
                body=error_body(
                    "Incorrect API key provided",
                    type_="invalid_request_error",
                    code="invalid_api_key",
                ),
            )
        if path.rstrip("/") == _MODELS_PATH and method == "GET":
            return Reply(
                body={
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                        for m in self.models
                    ],
                }
            )
        if path.rstrip("/") == _CHAT_PATH and method == "POST":
            if not isinstance(body, dict):
                return Reply.error(
                    400,
                    "could not parse the request body as a JSON object"
                    if raw
                    else "request body is empty",
                    headers={"x-should-retry": "false"},
                )
            with self._lock:
                reply = self._queue.popleft() if self._queue else self.default
            if reply is None:
                return Reply.error(
                    500,
                    "no scripted reply: FakeOpenAI's queue is empty and server.default is None",
                    type_="server_error",
                    code="no_scripted_reply",
                    headers={"x-should-retry": "false"},
                )
            try:
                return reply.resolve(body)
            except Exception as exc:  # a broken dynamic reply should fail loudly, not hang
                return Reply.error(
                    500,
                    f"dynamic reply raised {type(exc).__name__}: {exc}",
                    type_="server_error",
                    code="dynamic_reply_error",
                    headers={"x-should-retry": "false"},
                )
        return Reply.error(
            404,
            f"Unknown request URL: {method} {path}",
            code="unknown_url",
        )

    def _send(self, h: _Handler, reply: Reply, request_body: Any | None) -> None:
        if reply.delay > 0 and self._stopping.wait(reply.delay):
            h.close_connection = True  # closing down: drop the connection unanswered
            return
        payload = reply.encode(request_body if isinstance(request_body, dict) else None)
        try:
            h.send_response(reply.status)
            names = {k.lower() for k in reply.headers}
            if "content-type" not in names:
                h.send_header("Content-Type", "application/json")
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
        except OSError:  # the client gave up (e.g. timed out) before we answered
            h.close_connection = True


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A running :class:`FakeOpenAI`, closed after the test."""
    with FakeOpenAI() as server:
        yield server
