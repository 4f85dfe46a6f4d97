"""A small, real OpenAI-compatible HTTP server for tests.

The server listens on ``127.0.0.1`` (random port) in a background thread and speaks just
enough of the OpenAI REST API for the official ``openai`` SDK to talk real HTTP to it:

* ``POST /v1/chat/completions`` answers from a FIFO queue of scripted :class:`Reply` objects
  (then from ``server.default``; if that is ``None`` too, a loud 500 "no scripted reply"),
* ``GET /v1/models`` lists ``server.models``,
* ``/v1/files`` and ``/v1/batches``: the Batch API (``tests/batch_server.py``,
  ``server.batch_api``),
  each line of a batch answered by :meth:`FakeOpenAI.answer_chat` as a direct request is,
* anything else is a 404 in OpenAI's error format.

It is as strict as the real API, so a test cannot pass on an exchange OpenAI would never have:

* the request is checked like OpenAI checks it: a strict ``json_schema`` outside the
  documented subset (``tests/strict_rules.py``) is a 400 naming the rule, as are unknown
  arguments, an out-of-range ``temperature`` and a ``max_tokens`` that is not a positive
  integer; models listed in ``server.reasoning_models`` refuse ``max_tokens`` and any
  ``temperature`` but 1 with OpenAI's 400 ``unsupported_parameter`` / ``unsupported_value``;
* an answer to a strict-schema request that does not validate against *that request's*
  schema cannot come from a strict server: the client gets a 500 and the test fails
  (``server.errors``), unless the reply says why it is deliberately broken
  (``Reply.chat(..., breaks_schema="a non-strict server ignores the schema")``). Truncated
  (``finish_reason="length"``), filtered and refused answers are exempt, as on a real server.
* ``Reply.fill()`` answers with an instance of the request's own schema made from the
  article's sentences (``tests/schema_fill.py``), so most tests need no hand-written JSON.

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
from typing import Any

import jsonschema
import pytest

from tests import schema_fill, strict_rules
from tests.http_base import LoopbackServer, QuietHandler

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
    # Why this answer deliberately breaks the request's schema (bad JSON, a non-strict server):
    # without a reason, a schema-breaking answer is a test error, since no strict server sends it.
    breaks_schema: str | None = None

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def chat(
        cls,
        content: str | None,
        *,
        finish_reason: str = "stop",
        prompt_tokens: int = 10,
        completion_tokens: int = 20,
        cached_tokens: int | None = None,
        refusal: str | None = None,
        delay: float = 0.0,
        model: str | None = None,
        headers: Mapping[str, str] | None = None,
        breaks_schema: str | None = None,
    ) -> Reply:
        """A ``chat.completion`` with one assistant choice.

        ``model`` defaults to echoing the model named in the request. ``breaks_schema``: see
        the class; required for content that does not match a strict request's schema.
        ``cached_tokens``: reported as OpenAI does (``usage.prompt_tokens_details``); None
        leaves the details out, as servers that do not report them do.
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
        if cached_tokens is not None:
            body["usage"]["prompt_tokens_details"] = {"cached_tokens": cached_tokens}
        return cls(
            status=200,
            body=body,
            headers=dict(headers or {}),
            delay=delay,
            echo_model=model is None,
            breaks_schema=breaks_schema,
        )

    @classmethod
    def json(cls, obj: Any, **kw: Any) -> Reply:
        """A chat reply whose message content is ``json.dumps(obj)`` (for structured output)."""
        return cls.chat(json.dumps(obj), **kw)

    @classmethod
    def fill(cls, *, items: int = 2, **kw: Any) -> Reply:
        """An answer that is an instance of the request's own ``json_schema``, filled from the
        article's sentences (``tests/schema_fill.py``); ``kw`` as for :meth:`chat`."""

        def answer(body: JSONBody) -> Reply:
            fmt = body.get("response_format") or {}
            schema = (fmt.get("json_schema") or {}).get("schema")
            if not isinstance(schema, dict):
                raise ValueError("Reply.fill() needs a request with a json_schema")
            data = schema_fill.article_data(body)
            return cls.json(schema_fill.fill(schema, data, items=items), **kw)

        return cls.dynamic(answer)

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
        param: str | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """An OpenAI-style error with this HTTP status, e.g. ``Reply.error(429, "slow down",
        headers={"Retry-After": "1"})``. Add ``{"retry-after-ms": "10"}`` to make the SDK's
        retries quick, or ``{"x-should-retry": "false"}`` to stop it retrying."""
        return cls(
            status=status,
            body=error_body(message, type_=type_, code=code, param=param),
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
        base = (
            then
            if then is not None
            else cls.chat("(late reply)", breaks_schema="never read: the client gives up first")
        )
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


_CHAT_PATH = "/v1/chat/completions"
# Arguments the Chat Completions endpoint takes (OpenAI's API reference); others are a 400.
_CHAT_PARAMS = frozenset(
    {
        "model",
        "messages",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
_MODELS_PATH = "/v1/models"


class FakeOpenAI(LoopbackServer):
    """An OpenAI-compatible server on 127.0.0.1 for tests. See the module docstring."""

    thread_name = "fake-openai-server"
    methods = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, *, models: list[str] | None = None) -> None:
        super().__init__()
        self.default: Reply | None = None
        self.models: list[str] = list(models) if models is not None else ["gpt-test"]
        self.require_key: str | None = None
        # Models that behave like OpenAI's reasoning models (o-series, gpt-5): they refuse
        # max_tokens and any temperature but the default.
        self.reasoning_models: set[str] = set()
        # Exchanges no real server could have (a schema-breaking answer to a strict request):
        # the fixture fails the test when any happened.
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._answered = 0
        from tests.batch_server import BatchAPI  # it builds on this module's Reply

        self.batch_api = BatchAPI(self)  # the Files and Batches endpoints

    # --- test-facing API (start, close, port: see LoopbackServer) ------------------------

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
    def answered(self) -> int:
        """Replies written in full (one still in a hang, or cut short by close(), is not)."""
        with self._lock:
            return self._answered

    @property
    def chat_calls(self) -> int:
        """Number of ``POST /v1/chat/completions`` received (including rejected ones)."""
        return len(self.chat_requests)

    # --- request handling (runs in handler threads) -------------------------------------

    def handle_request(self, h: QuietHandler) -> None:
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
        self._send(h, self._route(h.command, path, query, headers, raw, body), body)

    @staticmethod
    def _read_body(h: QuietHandler) -> bytes:
        length = h.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return h.rfile.read(n) if n > 0 else b""

    def _route(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        raw: bytes,
        body: Any | None,
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
            return self.answer_chat(body)
        if path.startswith(("/v1/files", "/v1/batches")):  # tests/batch_server.py
            return self.batch_api.route(method, path, query, headers, raw, body)
        return Reply.error(
            404,
            f"Unknown request URL: {method} {path}",
            code="unknown_url",
        )

    def answer_chat(self, body: JSONBody) -> Reply:
        """The answer to one chat completion request, sent directly or as a line of a batch:
        the same checks of the request, the same scripted replies, the same answer check."""
        refused = self._check_request(body)
        if refused is not None:
            return refused
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
            resolved = reply.resolve(body)
        except Exception as exc:  # a broken dynamic reply should fail loudly, not hang
            self._error(f"dynamic reply raised {type(exc).__name__}: {exc}")
            return Reply.error(
                500,
                f"dynamic reply raised {type(exc).__name__}: {exc}",
                type_="server_error",
                code="dynamic_reply_error",
                headers={"x-should-retry": "false"},
            )
        return self._check_answer(body, resolved)

    # --- the real API's contract ---------------------------------------------------------

    def _error(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)

    def _check_request(self, body: JSONBody) -> Reply | None:
        """OpenAI's 400s for a request it would refuse; None when it is acceptable."""

        def bad(message: str, param: str | None, code: str | None = None) -> Reply:
            return Reply(
                status=400,
                body=error_body(message, code=code, param=param),
                headers={"x-should-retry": "false"},
            )

        unknown = sorted(set(body) - _CHAT_PARAMS)
        if unknown:
            return bad(f"Unrecognized request argument supplied: {unknown[0]}", unknown[0])
        if not isinstance(body.get("model"), str) or not body["model"]:
            return bad("you must provide a model parameter", "model")
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return bad("'messages' must contain at least one message", "messages")
        model = body["model"]
        if model in self.reasoning_models:
            if "max_tokens" in body:
                return bad(
                    "Unsupported parameter: 'max_tokens' is not supported with this model. "
                    "Use 'max_completion_tokens' instead.",
                    "max_tokens",
                    "unsupported_parameter",
                )
            if "temperature" in body and body["temperature"] != 1:
                return bad(
                    f"Unsupported value: 'temperature' does not support {body['temperature']} "
                    "with this model. Only the default (1) value is supported.",
                    "temperature",
                    "unsupported_value",
                )
        elif "reasoning_effort" in body:
            return bad(
                "Unrecognized request argument supplied: reasoning_effort", "reasoning_effort"
            )
        temperature = body.get("temperature")
        if temperature is not None and not (
            isinstance(temperature, int | float) and 0 <= temperature <= 2
        ):
            return bad(f"{temperature!r} is not valid: 'temperature' is 0 to 2", "temperature")
        for name in ("max_tokens", "max_completion_tokens"):
            value = body.get(name)
            if value is not None and not (isinstance(value, int) and value > 0):
                return bad(f"Invalid '{name}': expected a positive integer", name)
        fmt = body.get("response_format")
        if fmt is not None:
            kind = fmt.get("type") if isinstance(fmt, dict) else None
            if kind not in ("text", "json_object", "json_schema"):
                return bad(f"Invalid value for 'response_format.type': {kind!r}", "response_format")
            if kind == "json_schema":
                spec = fmt.get("json_schema")
                if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                    return bad(
                        "Missing required parameter: 'response_format.json_schema.name'",
                        "response_format",
                    )
                if spec.get("strict"):
                    problems = strict_rules.violations(spec.get("schema"))
                    if problems:
                        return bad(
                            f"Invalid schema for response_format '{spec['name']}': In context="
                            f"{problems[0]}",
                            "response_format",
                            "invalid_json_schema",
                        )
        return None

    def _check_answer(self, body: JSONBody, reply: Reply) -> Reply:
        """A strict server only ever sends an instance of the request's schema."""
        fmt = body.get("response_format")
        spec = fmt.get("json_schema") if isinstance(fmt, dict) else None
        if not (isinstance(spec, dict) and spec.get("strict")) or reply.breaks_schema:
            return reply
        if reply.status != 200 or not isinstance(reply.body, dict):
            return reply
        choices = reply.body.get("choices") or []
        if not choices:
            return reply
        choice = choices[0]
        content = (choice.get("message") or {}).get("content")
        if choice.get("finish_reason") != "stop" or content is None:
            return reply  # truncated, filtered or refused: not bound to the schema
        try:
            jsonschema.validate(json.loads(content), spec["schema"])
            return reply
        except (ValueError, jsonschema.ValidationError) as exc:
            reason = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
            problem = (
                f"scripted answer breaks the request's strict schema '{spec.get('name')}' "
                f"({reason[:200]}); no strict server can send it: script it with "
                "breaks_schema='why', or use Reply.fill()"
            )
        self._error(problem)
        return Reply.error(
            500,
            problem,
            type_="server_error",
            code="unfaithful_test_reply",
            headers={"x-should-retry": "false"},
        )

    def _send(self, h: QuietHandler, reply: Reply, request_body: Any | None) -> None:
        if reply.delay > 0 and self.stopping.wait(reply.delay):
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
            return
        with self._lock:
            self._answered += 1


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A running :class:`FakeOpenAI`, closed after the test."""
    with FakeOpenAI() as server:
        yield server
    if server.errors:
        pytest.fail(
            "the test server saw an exchange no real server could have:\n"
            + "\n".join(server.errors)
        )
