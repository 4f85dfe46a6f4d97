"""The Files and Batches endpoints of the test OpenAI server (``tests/openai_server.py``).

As strict as the real API, so that ``daily --batch`` cannot pass on an exchange OpenAI would
refuse:

* ``POST /v1/files`` takes a multipart upload whose ``purpose`` is ``batch`` (anything else,
  or no file, is a 400); ``GET /v1/files/{id}`` and ``GET /v1/files/{id}/content``;
* ``POST /v1/batches`` takes exactly ``input_file_id`` (a file of purpose ``batch``),
  ``endpoint`` (``/v1/chat/completions``), ``completion_window`` (``24h`` only) and optional
  ``metadata`` (at most 16 string pairs, keys up to 64 and values up to 512 characters);
  ``GET /v1/batches/{id}``, ``GET /v1/batches`` (newest first, ``limit`` and ``after``) and
  ``POST /v1/batches/{id}/cancel``; an unknown id is a 404;
* the input file is validated as the API does while a batch is ``validating``: each line a
  JSON object of exactly ``custom_id``, ``method`` (``POST``), ``url`` (the batch's endpoint)
  and ``body``; custom_ids unique; one model in the whole file. A file that breaks a rule
  fails the batch (status ``failed``, its ``errors`` naming the line);
* each line's body is answered by :meth:`FakeOpenAI.answer_chat`: the same request rules,
  scripted replies (``Reply.fill()``…) and answer check as a direct request; a 200 goes to the
  output file, anything else to the error file, as ``{"id", "custom_id", "response":
  {"status_code", "request_id", "body"}, "error": null}``; lines a batch never ran (expired,
  cancelled) go to the error file with ``response: null`` and ``error.code``
  ``batch_expired`` / ``batch_cancelled``.

Tests drive a batch's life: :meth:`BatchAPI.move` (``in_progress``, ``finalizing``,
``completed``, ``expired``, ``cancelled``, ``failed``), or :attr:`BatchAPI.steps`, states a
new batch takes one per ``GET /v1/batches/{id}`` (for polling). :attr:`BatchAPI.line_errors`
fails chosen lines (0-based) with an HTTP status; :attr:`BatchAPI.hold_create` keeps the
answer to the next batch creation until the server closes (the batch exists: a client killed
meanwhile never learns its id).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tests.openai_server import JSONBody, Reply, error_body

if TYPE_CHECKING:
    from tests.openai_server import FakeOpenAI

__all__ = ["BatchAPI"]

_ENDPOINTS = frozenset(
    {"/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/completions"}
)
_CREATE_PARAMS = frozenset({"input_file_id", "endpoint", "completion_window", "metadata"})
_LINE_KEYS = frozenset({"custom_id", "method", "url", "body"})
_DAY = 24 * 3600


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def object(self) -> JSONBody:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }


@dataclass
class FakeBatch:
    id: str
    endpoint: str
    input_file_id: str
    metadata: dict[str, str] | None
    created_at: int
    status: str = "validating"
    lines: list[JSONBody] = field(default_factory=list)
    errors: list[JSONBody] = field(default_factory=list)  # validation errors of the file
    steps: deque[str] = field(default_factory=deque)
    times: dict[str, int] = field(default_factory=dict)  # in_progress_at, completed_at, …
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0

    def object(self) -> JSONBody:
        stamps = (
            "in_progress_at",
            "finalizing_at",
            "completed_at",
            "failed_at",
            "expired_at",
            "cancelling_at",
            "cancelled_at",
        )
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "expires_at": self.created_at + _DAY,
            **{name: self.times.get(name) for name in stamps},
            "request_counts": {
                "total": len(self.lines),
                "completed": self.completed,
                "failed": self.failed,
            },
            "metadata": self.metadata,
        }


class BatchAPI:
    """The batch state of one :class:`FakeOpenAI` (see the module docstring)."""

    def __init__(self, server: FakeOpenAI) -> None:
        self.server = server
        self._lock = threading.RLock()
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, FakeBatch] = {}
        self.steps: list[str] = []  # states a new batch takes, one per retrieval
        self.line_errors: dict[int, tuple[int, str]] = {}  # line -> (HTTP status, message)
        self.hold_create = 0  # how many batch creations to leave unanswered
        self.create_received = threading.Event()  # set when a batch is created
        self.retrievals = 0  # GET /v1/batches/{id}
        # The API's limits on one input file (its batch guide): tests lower them.
        self.max_requests = 50_000
        self.max_bytes = 200 * 1024 * 1024

    # --- for tests ----------------------------------------------------------------------

    @property
    def created(self) -> int:
        """How many batches were created (POST /v1/batches accepted)."""
        with self._lock:
            return len(self.batches)

    def only(self) -> FakeBatch:
        """The one batch created (a test error if there is not exactly one)."""
        with self._lock:
            assert len(self.batches) == 1, f"{len(self.batches)} batches created"
            return next(iter(self.batches.values()))

    def input_lines(self, batch: FakeBatch | None = None) -> list[JSONBody]:
        return list((batch or self.only()).lines)

    def move(self, batch_id: str, status: str, *, ran: int | None = None) -> None:
        """Put the batch in ``status``; a finished state answers its lines (``ran``: how many
        ran before it expired or was cancelled; default all for completed, none otherwise)."""
        with self._lock:
            batch = self.batches[batch_id]
            self._move(batch, status, ran)

    # --- routing ------------------------------------------------------------------------

    def route(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        raw: bytes,
        body: Any | None,
    ) -> Reply:
        parts = path.rstrip("/").split("/")[2:]  # after "/v1"
        if parts[0] == "files":
            if method == "POST" and len(parts) == 1:
                return self._upload(headers.get("content-type", ""), raw)
            if method == "GET" and len(parts) >= 2:
                stored = self.files.get(parts[1])
                if stored is None:
                    return _not_found("file", parts[1])
                if len(parts) == 2:
                    return Reply(body=stored.object())
                if parts[2:] == ["content"]:
                    return Reply.raw(stored.data, headers={"Content-Type": "application/jsonl"})
        if parts[0] == "batches":
            if method == "POST" and len(parts) == 1:
                return self._create(body)
            if method == "GET" and len(parts) == 1:
                return self._list(query)
            if len(parts) >= 2 and parts[1] not in self.batches:
                return _not_found("batch", parts[1])
            if method == "GET" and len(parts) == 2:
                return self._retrieve(parts[1])
            if method == "POST" and parts[2:] == ["cancel"]:
                return self._cancel(parts[1])
        return Reply.error(404, f"Unknown request URL: {method} {path}", code="unknown_url")

    # --- files --------------------------------------------------------------------------

    def _upload(self, content_type: str, raw: bytes) -> Reply:
        if not content_type.startswith("multipart/form-data"):
            return _bad("the upload must be multipart/form-data", None)
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = (part.get_filename(), payload)
        purpose = fields.get("purpose", (None, b""))[1].decode()
        if purpose != "batch":
            return _bad(f"purpose must be 'batch' here, not {purpose!r}", "purpose")
        if "file" not in fields:
            return _bad("Missing required parameter: 'file'", "file")
        filename, data = fields["file"]
        if len(data) > self.max_bytes:
            return _bad(f"File exceeds the maximum size of {self.max_bytes} bytes.", "file")
        stored = self._store(filename or "upload.jsonl", "batch", data)
        return Reply(body=stored.object())

    def _store(self, filename: str, purpose: str, data: bytes) -> StoredFile:
        with self._lock:
            stored = StoredFile(
                f"file-{uuid.uuid4().hex[:24]}", filename, purpose, data, int(time.time())
            )
            self.files[stored.id] = stored
            return stored

    # --- batches ------------------------------------------------------------------------

    def _create(self, body: Any | None) -> Reply:
        if not isinstance(body, dict):
            return _bad("the request body must be a JSON object", None)
        unknown = sorted(set(body) - _CREATE_PARAMS)
        if unknown:
            return _bad(f"Unrecognized request argument supplied: {unknown[0]}", unknown[0])
        for name in ("input_file_id", "endpoint", "completion_window"):
            if not isinstance(body.get(name), str):
                return _bad(f"Missing required parameter: '{name}'", name)
        if body["completion_window"] != "24h":
            return _bad(
                f"Invalid value: {body['completion_window']!r}. Supported values are: '24h'.",
                "completion_window",
            )
        if body["endpoint"] not in _ENDPOINTS:
            return _bad(f"Invalid value for 'endpoint': {body['endpoint']!r}", "endpoint")
        problem = _metadata_problem(body.get("metadata"))
        if problem:
            return _bad(problem, "metadata")
        stored = self.files.get(body["input_file_id"])
        if stored is None:
            return _not_found("file", body["input_file_id"])
        if stored.purpose != "batch":
            return _bad("the input file's purpose must be 'batch'", "input_file_id")
        with self._lock:
            batch = FakeBatch(
                id=f"batch_{uuid.uuid4().hex[:24]}",
                endpoint=body["endpoint"],
                input_file_id=stored.id,
                metadata=body.get("metadata"),
                created_at=int(time.time()),
                steps=deque(self.steps),
            )
            batch.lines, batch.errors = _validate(stored.data, batch.endpoint)
            if len(batch.lines) > self.max_requests:
                batch.errors.append(
                    {
                        "code": "too_many_requests",
                        "message": f"A batch may hold at most {self.max_requests} requests, "
                        f"not {len(batch.lines)}.",
                        "param": None,
                        "line": None,
                    }
                )
            self.batches[batch.id] = batch
            held = self.hold_create > 0
            self.hold_create -= 1 if held else 0
            answer = batch.object()
        self.create_received.set()
        # Held: the answer waits until the server closes (see LoopbackServer.stopping).
        return Reply(body=answer, delay=3600.0 if held else 0.0)

    def _retrieve(self, batch_id: str) -> Reply:
        with self._lock:
            self.retrievals += 1
            batch = self.batches[batch_id]
            if batch.steps:
                self._move(batch, batch.steps.popleft(), None)
            return Reply(body=batch.object())

    def _list(self, query: str) -> Reply:
        args = parse_qs(query)
        limit = int(args.get("limit", ["20"])[0])
        if not 1 <= limit <= 100:
            return _bad("limit must be between 1 and 100", "limit")
        with self._lock:
            newest = sorted(self.batches.values(), key=lambda b: (b.created_at, b.id), reverse=True)
            ids = [b.id for b in newest]
            after = args.get("after", [None])[0]
            start = ids.index(after) + 1 if after in ids else 0
            page = newest[start : start + limit]
            return Reply(
                body={
                    "object": "list",
                    "data": [b.object() for b in page],
                    "first_id": page[0].id if page else None,
                    "last_id": page[-1].id if page else None,
                    "has_more": start + limit < len(newest),
                }
            )

    def _cancel(self, batch_id: str) -> Reply:
        with self._lock:
            batch = self.batches[batch_id]
            if batch.status not in ("validating", "in_progress", "finalizing"):
                return Reply.error(
                    409, f"Cannot cancel a batch with status '{batch.status}'.", code=None
                )
            self._move(batch, "cancelling", None)
            return Reply(body=batch.object())

    def _move(self, batch: FakeBatch, status: str, ran: int | None) -> None:
        now = int(time.time())
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            raise AssertionError(f"batch {batch.id} is {batch.status} already")
        if batch.errors and status != "failed":  # a file that breaks a rule never runs
            status = "failed"
        batch.status = status
        batch.times[f"{status}_at"] = now
        if status in ("completed", "expired", "cancelled"):
            if status == "cancelled":
                batch.times.setdefault("cancelling_at", now)
            self._finish(batch, len(batch.lines) if status == "completed" else ran or 0)

    def _finish(self, batch: FakeBatch, ran: int) -> None:
        """Answer the first ``ran`` lines; the rest never ran (expired or cancelled)."""
        output: list[str] = []
        errors: list[str] = []
        never = "batch_expired" if batch.status == "expired" else "batch_cancelled"
        for number, line in enumerate(batch.lines):
            result: JSONBody = {"id": f"batch_req_{uuid.uuid4().hex[:24]}"}
            result["custom_id"] = line["custom_id"]
            if number >= ran:
                result["response"] = None
                result["error"] = {
                    "code": never,
                    "message": "This request could not be executed before the completion "
                    "window expired."
                    if never == "batch_expired"
                    else "This request was cancelled before it could be executed.",
                }
                errors.append(json.dumps(result))
                batch.failed += 1
                continue
            if number in self.line_errors:
                status, message = self.line_errors[number]
                reply = Reply.error(status, message, type_="server_error")
            else:
                reply = self.server.answer_chat(line["body"])
            result["response"] = {
                "status_code": reply.status,
                "request_id": f"req_{uuid.uuid4().hex[:24]}",
                "body": json.loads(reply.encode(line["body"])),
            }
            result["error"] = None
            if reply.status == 200:
                output.append(json.dumps(result))
                batch.completed += 1
            else:
                errors.append(json.dumps(result))
                batch.failed += 1
        if output:
            batch.output_file_id = self._store(
                "batch_output.jsonl", "batch_output", "\n".join(output).encode() + b"\n"
            ).id
        if errors:
            batch.error_file_id = self._store(
                "batch_errors.jsonl", "batch_output", "\n".join(errors).encode() + b"\n"
            ).id


def _validate(data: bytes, endpoint: str) -> tuple[list[JSONBody], list[JSONBody]]:
    """The lines of an input file and the errors that fail its batch (the API's checks)."""
    lines: list[JSONBody] = []
    errors: list[JSONBody] = []
    seen: set[str] = set()
    models: set[str] = set()

    def error(number: int, code: str, message: str, param: str | None = None) -> None:
        errors.append({"code": code, "message": message, "param": param, "line": number})

    for number, raw in enumerate(data.decode("utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            error(number, "invalid_json_line", "This line is not parseable as valid JSON.")
            continue
        if not isinstance(line, dict) or set(line) != _LINE_KEYS:
            keys = sorted(line) if isinstance(line, dict) else []
            error(number, "invalid_request", f"a line has exactly {sorted(_LINE_KEYS)}: {keys}")
            continue
        if not isinstance(line["custom_id"], str) or line["custom_id"] in seen:
            error(number, "duplicate_custom_id", "The custom_id for this request is a duplicate.")
            continue
        seen.add(line["custom_id"])
        if line["method"] != "POST":
            error(number, "invalid_method", "method must be POST", "method")
        if line["url"] != endpoint:
            error(number, "mismatched_endpoint", f"url must be the batch's endpoint {endpoint}")
        body = line["body"]
        if not isinstance(body, dict):
            error(number, "invalid_request", "body must be a JSON object", "body")
            continue
        models.add(str(body.get("model")))
        if len(models) > 1:
            error(number, "mismatched_model", "All requests in a batch must use the same model.")
        lines.append(line)
    if not lines and not errors:
        errors.append({"code": "empty_file", "message": "The input file is empty.", "line": None})
    return lines, errors


def _metadata_problem(metadata: Any) -> str | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or len(metadata) > 16:
        return "metadata: at most 16 key-value pairs"
    for key, value in metadata.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > 512:
            return f"metadata: {key!r}: keys up to 64 characters, string values up to 512"
    return None


def _bad(message: str, param: str | None) -> Reply:
    return Reply(
        status=400, body=error_body(message, param=param), headers={"x-should-retry": "false"}
    )


def _not_found(kind: str, ident: str) -> Reply:
    return Reply.error(404, f"No such {kind}: '{ident}'", code=None, headers={})
