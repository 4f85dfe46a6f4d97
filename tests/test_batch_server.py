"""The test server's Files and Batches endpoints (``tests/batch_server.py``), through the SDK:
as strict as the real API, so a client cannot pass on an exchange OpenAI would refuse."""

# ruff: noqa: F811

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.openai_server import FakeOpenAI, Reply, openai_server  # noqa: F401


def client_for(server: FakeOpenAI) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test-key", max_retries=0)


def line(custom_id: str, model: str = "gpt-test", **body: Any) -> dict[str, Any]:
    messages = [{"role": "user", "content": f"Say hello to {custom_id}."}]
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": model, "messages": messages, **body},
    }


def upload(client: openai.OpenAI, lines: list[dict[str, Any]]) -> str:
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    return client.files.create(file=("in.jsonl", data), purpose="batch").id


def create(client: openai.OpenAI, file_id: str) -> Any:
    return client.batches.create(
        input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
    )


def results(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    return [json.loads(x) for x in client.files.content(file_id).text.splitlines()]


def test_a_batch_from_upload_to_output(openai_server: FakeOpenAI) -> None:
    openai_server.default = Reply.chat("hello")
    client = client_for(openai_server)
    file_id = upload(client, [line("a"), line("b", max_tokens=0)])
    batch = create(client, file_id)
    assert (batch.object, batch.status, batch.completion_window) == ("batch", "validating", "24h")
    assert batch.expires_at == batch.created_at + 24 * 3600
    openai_server.batch_api.move(batch.id, "in_progress")
    assert client.batches.retrieve(batch.id).in_progress_at is not None
    openai_server.batch_api.move(batch.id, "finalizing")
    openai_server.batch_api.move(batch.id, "completed")
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed" and done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (2, 1)
    [ok] = results(client, done.output_file_id)
    assert ok["custom_id"] == "a" and ok["error"] is None
    assert ok["response"]["status_code"] == 200
    assert ok["response"]["body"]["object"] == "chat.completion"
    assert ok["response"]["body"]["model"] == "gpt-test"
    # The second line breaks the same rule a direct request would: its 400 in the error file.
    [bad] = results(client, done.error_file_id)
    assert bad["custom_id"] == "b" and bad["response"]["status_code"] == 400
    assert "max_tokens" in bad["response"]["body"]["error"]["message"]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([line("a"), line("a")], "duplicate_custom_id"),
        ([line("a"), line("b", model="gpt-other")], "mismatched_model"),
        ([{**line("a"), "url": "/v1/embeddings"}], "mismatched_endpoint"),
        ([{**line("a"), "extra": 1}], "invalid_request"),
    ],
)
def test_a_file_that_breaks_a_rule_fails_its_batch(
    openai_server: FakeOpenAI, lines: list[dict[str, Any]], code: str
) -> None:
    client = client_for(openai_server)
    batch = create(client, upload(client, lines))
    openai_server.batch_api.move(batch.id, "in_progress")
    failed = client.batches.retrieve(batch.id)
    assert failed.status == "failed" and failed.failed_at is not None
    assert failed.errors is not None and failed.errors.data
    assert [e.code for e in failed.errors.data] == [code]


def test_requests_the_api_refuses(openai_server: FakeOpenAI) -> None:
    client = client_for(openai_server)
    data = (json.dumps(line("a")) + "\n").encode()
    with pytest.raises(openai.BadRequestError, match="purpose must be 'batch'"):
        client.files.create(file=("in.jsonl", data), purpose="assistants")
    file_id = upload(client, [line("a")])
    with pytest.raises(openai.BadRequestError, match="Supported values are: '24h'"):
        client.batches.create(
            input_file_id=file_id,
            endpoint="/v1/chat/completions",
            completion_window="1h",  # type: ignore[arg-type]
        )
    with pytest.raises(openai.BadRequestError, match="metadata"):
        client.batches.create(
            input_file_id=file_id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"k": "v" * 513},
        )
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_unknown")
    with pytest.raises(openai.NotFoundError):
        client.files.content("file-unknown")
    with pytest.raises(openai.NotFoundError):
        create(client, "file-unknown")


def test_expired_and_cancelled_lines_and_listing(openai_server: FakeOpenAI) -> None:
    openai_server.default = Reply.chat("hello")
    client = client_for(openai_server)
    first = create(client, upload(client, [line("a"), line("b"), line("c")]))
    openai_server.batch_api.move(first.id, "in_progress")
    openai_server.batch_api.move(first.id, "expired", ran=1)
    expired = client.batches.retrieve(first.id)
    assert [r["custom_id"] for r in results(client, expired.output_file_id)] == ["a"]
    errors = results(client, expired.error_file_id)
    assert [(e["custom_id"], e["response"], e["error"]["code"]) for e in errors] == [
        ("b", None, "batch_expired"),
        ("c", None, "batch_expired"),
    ]
    second = create(client, upload(client, [line("d")]))
    assert client.batches.cancel(second.id).status == "cancelling"
    openai_server.batch_api.move(second.id, "cancelled")
    cancelled = client.batches.retrieve(second.id)
    assert cancelled.cancelled_at is not None
    assert results(client, cancelled.error_file_id)[0]["error"]["code"] == "batch_cancelled"
    with pytest.raises(openai.ConflictError):
        client.batches.cancel(second.id)
    listed = [b.id for b in client.batches.list(limit=1)]  # pages of one, newest first
    assert sorted(listed) == sorted([first.id, second.id]) and len(listed) == 2
