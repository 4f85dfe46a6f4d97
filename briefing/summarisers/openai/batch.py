"""Briefing requests through the OpenAI Batch API (``briefing daily --batch``).

One line of a batch file is the very request a direct briefing sends: the same messages,
schema and parameters, built by the same code (:meth:`OpenAISummariser.messages`,
:meth:`Endpoint.body`). One answer of a batch goes through the same checks as a direct answer:
its envelope (:meth:`Endpoint.answer`: refusal, cut-off, filter), the strict schema and content
rules, and one repair request, sent directly (:meth:`OpenAISummariser.settle`), then
:meth:`OpenAISummariser.briefing_of`. Its tokens are marked as batch tokens, which cost half
(``briefing.prices.cost_of``).

:class:`BatchClient` speaks to the Files and Batches endpoints through the official SDK:
upload the JSONL (purpose ``batch``), create the batch (``/v1/chat/completions``, the 24-hour
window, our run key in its ``metadata``), find a batch by that key (after a crash between
creating it and recording its id), retrieve it, and read its output and error files.

An article too long for one request (map-reduce, several dependent requests) has no line: it
is briefed directly when the batch is collected.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.errors import ModelError, TemporaryError
from briefing.model import Article, Briefing
from briefing.summarisers.openai.draft import Draft, response_format
from briefing.summarisers.openai.requests import Tally

if TYPE_CHECKING:
    from openai.types import Batch

    from briefing.summarisers.openai.summariser import OpenAISummariser

__all__ = [
    "BATCH_ENDPOINT",
    "COMPLETION_WINDOW",
    "FINISHED",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_REQUESTS",
    "RUN_KEY",
    "BatchClient",
    "BatchGoneError",
    "BatchLine",
    "BatchState",
    "OutputLine",
    "batch_line",
    "brief_answer",
    "when",
]

BATCH_ENDPOINT: Final = "/v1/chat/completions"
COMPLETION_WINDOW: Final = "24h"  # the only window the Batch API offers
RUN_KEY = "briefing_run"  # the metadata key holding our run key
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})
_LIST_PAGES = 5  # pages of 100 batches searched for a run key: far more than a day makes
# What one batch input file may hold (the Batch API guide): past either, articles are briefed
# directly rather than the whole batch refused.
MAX_BATCH_REQUESTS = 50_000
MAX_BATCH_BYTES = 200 * 1024 * 1024


class BatchGoneError(ModelError):
    """The API does not know a batch or file (404): deleted, or another account's."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BatchLine(_Strict):
    """One request of a batch's input file."""

    custom_id: str
    method: Literal["POST"] = "POST"
    url: Literal["/v1/chat/completions"] = "/v1/chat/completions"
    body: dict[str, Any]


class LineResponse(_Strict):
    status_code: int
    request_id: str | None = None
    body: dict[str, Any]


class LineError(_Strict):
    code: str | None = None
    message: str | None = None


class OutputLine(_Strict):
    """One line of a batch's output or error file."""

    id: str | None = None
    custom_id: str
    response: LineResponse | None = None
    error: LineError | None = None

    @property
    def answered(self) -> bool:
        """A chat completion came back (HTTP 200): the answer is judged as a direct one."""
        return self.response is not None and self.response.status_code == 200

    def failure(self) -> str:
        """Why this request has no answer, in words."""
        if self.error is not None:
            return f"{self.error.code or 'error'}: {self.error.message or 'no message'}"
        if self.response is not None:
            detail = self.response.body.get("error")
            message = detail.get("message") if isinstance(detail, dict) else None
            return f"HTTP {self.response.status_code}: {message or 'no message'}"
        return "no answer"


@dataclass(frozen=True)
class BatchState:
    """What a run needs of a batch object (``openai.types.Batch``)."""

    id: str
    status: str
    created_at: int
    expires_at: int | None
    completed: int
    failed: int
    total: int
    output_file_id: str | None
    error_file_id: str | None
    errors: tuple[str, ...]  # why validation failed (a failed batch)
    metadata: dict[str, str]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def of(cls, batch: Batch) -> BatchState:
        counts = batch.request_counts
        errors = batch.errors.data if batch.errors and batch.errors.data else []
        return cls(
            id=batch.id,
            status=batch.status,
            created_at=batch.created_at,
            expires_at=batch.expires_at,
            completed=counts.completed if counts else 0,
            failed=counts.failed if counts else 0,
            total=counts.total if counts else 0,
            output_file_id=batch.output_file_id,
            error_file_id=batch.error_file_id,
            errors=tuple(
                f"line {e.line}: {e.code}: {e.message}" if e.line else f"{e.code}: {e.message}"
                for e in errors
            ),
            metadata=dict(batch.metadata or {}),
        )


def batch_line(summariser: OpenAISummariser, article: Article) -> BatchLine | None:
    """The line that briefs ``article``: the body a direct request would send; None when the
    article needs map-reduce (briefed directly instead). Its custom_id is the article's
    sha256, unique in a day's batch (duplicates are briefed once)."""
    if not summariser.fits_one_request(article):
        return None
    prompt = summariser.prompt
    messages = summariser.messages(prompt, article_text=article.text, article_title=article.title)
    body, _ = summariser.endpoint.body(messages, summariser.params(prompt), response_format(Draft))
    return BatchLine(custom_id=article.source.sha256, body=body)


def brief_answer(
    summariser: OpenAISummariser, article: Article, line: BatchLine, result: OutputLine
) -> Briefing:
    """The briefing made of a batch's answer to ``line``, judged exactly as a direct answer
    (a repair, if needed, is sent directly); a ModelError when it cannot be used."""
    import openai

    if not result.answered or result.response is None:
        raise ModelError(f"the batch did not answer: {result.failure()}")
    started = time.monotonic()
    try:
        completion = openai.types.chat.ChatCompletion.model_validate(result.response.body)
    except ValidationError as exc:
        raise ModelError(
            f"the batch's answer is not a chat completion: {exc.errors()[0]}"
        ) from None
    usage = Tally()
    label = summariser.prompt.label
    sent = {k: v for k, v in line.body.items() if k not in ("model", "messages", "response_format")}
    content = summariser.endpoint.answer(completion, sent, tally=usage, label=label, batch=True)
    deadline = started + summariser.settings.deadline
    messages = line.body["messages"]
    draft = summariser.settle(summariser.prompt, Draft, messages, content, deadline, usage)
    return summariser.briefing_of(
        article,
        draft,
        usage.usage(),
        int((time.monotonic() - started) * 1000),
        injection=draft.injection_suspected,
        split=None,
        parameters=usage.parameters.get(label, {}),
    )


class BatchClient:
    """The Files and Batches endpoints, through the summariser's SDK client. Every failure is
    one line: an unreachable endpoint an EndpointUnreachable (the run may be retried), a
    rate limit or 5xx a TemporaryError, anything else a ModelError."""

    def __init__(self, summariser: OpenAISummariser) -> None:
        self.summariser = summariser
        settings = summariser.settings
        # The SDK's own retries here: these calls are cheap and have no per-article deadline.
        self.client = summariser.client().with_options(max_retries=settings.max_retries)

    def submit(self, lines: list[BatchLine], run_key: str) -> BatchState:
        """Upload ``lines`` as a JSONL file and create the batch (``run_key`` in its metadata)."""
        data = "".join(line.model_dump_json() + "\n" for line in lines).encode("utf-8")
        with self._errors("submit the batch"):
            upload = self.client.files.create(
                file=("briefing-batch.jsonl", data, "application/jsonl"), purpose="batch"
            )
            batch = self.client.batches.create(
                input_file_id=upload.id,
                endpoint=BATCH_ENDPOINT,
                completion_window=COMPLETION_WINDOW,
                metadata={RUN_KEY: run_key},
            )
        return BatchState.of(batch)

    def find(self, run_key: str, since: int) -> BatchState | None:
        """The batch created with ``run_key`` no earlier than ``since`` (Unix time), if any:
        the batch of a run killed after creating it and before recording its id."""
        with self._errors("list the batches"):
            page = self.client.batches.list(limit=100)
            for _ in range(_LIST_PAGES):
                for batch in page.data:  # newest first
                    if (batch.metadata or {}).get(RUN_KEY) == run_key:
                        return BatchState.of(batch)
                    if batch.created_at < since:
                        return None
                if not page.has_next_page():
                    return None
                page = page.get_next_page()
        return None

    def retrieve(self, batch_id: str) -> BatchState:
        with self._errors(f"retrieve batch {batch_id}"):
            return BatchState.of(self.client.batches.retrieve(batch_id))

    def results(self, state: BatchState) -> dict[str, OutputLine]:
        """The output and error files' lines by custom_id (none for a failed batch)."""
        found: dict[str, OutputLine] = {}
        for file_id in (state.error_file_id, state.output_file_id):  # answers win
            if not file_id:
                continue
            with self._errors(f"read file {file_id} of batch {state.id}"):
                text = self.client.files.content(file_id).text
            for number, raw in enumerate(text.splitlines(), 1):
                if not raw.strip():
                    continue
                try:
                    line = OutputLine.model_validate(json.loads(raw))
                except (ValueError, ValidationError) as exc:
                    raise ModelError(
                        f"line {number} of file {file_id} of batch {state.id} is not a batch "
                        f"result: {str(exc).splitlines()[0][:200]}"
                    ) from None
                found[line.custom_id] = line
        return found

    def _errors(self, doing: str) -> _Translated:
        return _Translated(self.summariser, doing)


class _Translated:
    """``with``: an SDK error while ``doing`` becomes one of our errors, on one line."""

    def __init__(self, summariser: OpenAISummariser, doing: str) -> None:
        self.summariser = summariser
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        import openai

        if not isinstance(exc, openai.APIError):
            return
        if isinstance(exc, openai.NotFoundError):  # not the model's name: the batch's id
            host = self.summariser.host
            raise BatchGoneError(f"cannot {self.doing}: the API at {host} does not know it (404)")
        told = f"cannot {self.doing}: {self.summariser.describe_error(exc)}"
        # Unreachable, timed out, rate limited or a 5xx: the batch is the server's, not
        # lost; the run can be repeated (exit 75) and finds it again.
        if isinstance(exc, openai.APIConnectionError) or (
            isinstance(exc, openai.APIStatusError)
            and (exc.status_code in (408, 409, 429) or exc.status_code >= 500)
        ):
            raise TemporaryError(f"{told}; try again later") from None
        raise ModelError(told) from None


def when(timestamp: int | None) -> str:
    """A batch's Unix time as ``2026-11-30 21:00 UTC``."""
    if timestamp is None:
        return "?"
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y-%m-%d %H:%M} UTC"
