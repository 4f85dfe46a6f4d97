"""Tests of the fake OpenAI server itself, driven through the real ``openai`` SDK over HTTP."""

# The fixture is imported by name (as conftest.py does), so test parameters "redefine" it.
# ruff: noqa: F811

from __future__ import annotations

import json
import threading
import time
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from tests.openai_server import FakeOpenAI, Reply, openai_server  # noqa: F401

MESSAGES: list[Any] = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello."},
]


def client_for(server: FakeOpenAI, *, max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=server.url, api_key="test-key", max_retries=max_retries, timeout=timeout
    )


def ask(client: openai.OpenAI, model: str = "gpt-test-mini") -> Any:
    return client.chat.completions.create(model=model, messages=MESSAGES)


def test_scripted_success(openai_server: FakeOpenAI) -> None:
    openai_server.script(Reply.chat("hello there", prompt_tokens=12, completion_tokens=3))
    with client_for(openai_server) as client:
        completion = ask(client, model="gpt-4o-mini")

    choice = completion.choices[0]
    assert choice.message.content == "hello there"
    assert choice.message.role == "assistant"
    assert choice.message.refusal is None
    assert choice.finish_reason == "stop"
    assert completion.model == "gpt-4o-mini"  # echoed from the request
    assert completion.object == "chat.completion"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 12
    assert completion.usage.completion_tokens == 3
    assert completion.usage.total_tokens == 15

    [req] = openai_server.requests
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.body is not None
    assert req.body["messages"] == MESSAGES
    assert req.body["model"] == "gpt-4o-mini"
    assert req.headers["authorization"] == "Bearer test-key"
    assert req.header("Content-Type") == "application/json"
    assert openai_server.chat_calls == 1
    assert openai_server.pending == 0


def test_rate_limit_retry_after_is_honoured(openai_server: FakeOpenAI) -> None:
    openai_server.script(
        Reply.error(429, "Rate limit reached", headers={"Retry-After": "1"}, code="rate_limit"),
        Reply.chat("after the wait"),
    )
    with client_for(openai_server, max_retries=2) as client:
        start = time.monotonic()
        completion = ask(client)
        elapsed = time.monotonic() - start

    assert completion.choices[0].message.content == "after the wait"
    assert openai_server.chat_calls == 2
    assert elapsed >= 0.9, f"Retry-After: 1 not honoured (retried after {elapsed:.2f}s)"
    first, second = openai_server.requests
    assert first.header("x-stainless-retry-count") == "0"
    assert second.header("x-stainless-retry-count") == "1"


def test_server_errors_exhaust_retries(openai_server: FakeOpenAI) -> None:
    # retry-after-ms keeps the SDK's back-off short so the test stays fast.
    fast = {"retry-after-ms": "10"}
    openai_server.script(*[Reply.error(500, "boom", headers=fast, type_="server_error")] * 3)
    openai_server.script(Reply.chat("never reached"))
    with (
        client_for(openai_server, max_retries=2) as client,
        pytest.raises(openai.InternalServerError) as excinfo,
    ):
        ask(client)

    assert excinfo.value.status_code == 500
    assert "boom" in str(excinfo.value)
    assert excinfo.value.type == "server_error"
    assert openai_server.chat_calls == 3
    assert openai_server.pending == 1


def test_wrong_api_key_is_401_and_not_retried(openai_server: FakeOpenAI) -> None:
    openai_server.require_key = "sk-right"
    openai_server.script(Reply.chat("never reached"))
    with (
        client_for(openai_server, max_retries=2) as client,
        pytest.raises(openai.AuthenticationError) as excinfo,
    ):
        ask(client)

    assert excinfo.value.status_code == 401
    assert excinfo.value.code == "invalid_api_key"
    assert "Incorrect API key provided" in str(excinfo.value)
    assert len(openai_server.requests) == 1
    assert openai_server.pending == 1  # a rejected request doesn't use up the script


def test_right_api_key_is_accepted(openai_server: FakeOpenAI) -> None:
    openai_server.require_key = "sk-right"
    openai_server.script(Reply.chat("welcome"))
    with openai.OpenAI(base_url=openai_server.url, api_key="sk-right", max_retries=0) as client:
        assert ask(client).choices[0].message.content == "welcome"


def test_hang_triggers_client_timeout(openai_server: FakeOpenAI) -> None:
    openai_server.script(Reply.hang(5))
    with client_for(openai_server, max_retries=0, timeout=0.5) as client:
        with pytest.raises(openai.APITimeoutError):
            ask(client)
        assert openai_server.answered == 0  # the client gave up during the 5 s hang

    assert openai_server.chat_calls == 1


def test_close_returns_promptly_while_a_handler_hangs() -> None:
    server = FakeOpenAI().start()
    server.script(Reply.hang(30))
    errors: list[BaseException] = []

    def call() -> None:
        with client_for(server, max_retries=0, timeout=10) as client:
            try:
                ask(client)
            except BaseException as exc:
                errors.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    deadline = time.monotonic() + 3
    while server.chat_calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.chat_calls == 1

    server.close()  # wakes the handler from its 30 s hang: it drops the connection
    thread.join(timeout=3)
    assert not thread.is_alive()
    assert server.answered == 0
    assert len(errors) == 1
    assert isinstance(errors[0], openai.APIConnectionError)


def test_refusal(openai_server: FakeOpenAI) -> None:
    openai_server.script(Reply.refusal("I can't help with that."))
    with client_for(openai_server) as client:
        message = ask(client).choices[0].message

    assert message.content is None
    assert message.refusal == "I can't help with that."


def test_list_models(openai_server: FakeOpenAI) -> None:
    openai_server.models = ["gpt-a", "gpt-b"]
    with client_for(openai_server) as client:
        models = list(client.models.list())

    assert [m.id for m in models] == ["gpt-a", "gpt-b"]
    assert all(m.owned_by == "test" and m.object == "model" for m in models)
    [req] = openai_server.requests
    assert (req.method, req.path, req.body) == ("GET", "/v1/models", None)
    assert openai_server.chat_calls == 0


def test_empty_queue_fails_loudly(openai_server: FakeOpenAI) -> None:
    with (
        client_for(openai_server, max_retries=2) as client,
        pytest.raises(openai.InternalServerError) as excinfo,
    ):
        ask(client)

    assert "no scripted reply" in str(excinfo.value)
    assert openai_server.chat_calls == 1  # x-should-retry: false, so no pointless retries


def test_default_reply_is_reused(openai_server: FakeOpenAI) -> None:
    openai_server.default = Reply.chat("default")
    openai_server.script(Reply.chat("scripted"))
    with client_for(openai_server) as client:
        contents = [ask(client).choices[0].message.content for _ in range(3)]

    assert contents == ["scripted", "default", "default"]
    assert openai_server.chat_calls == 3


def test_dynamic_reply_sees_the_request(openai_server: FakeOpenAI) -> None:
    def echo_last(body: dict[str, Any]) -> Reply:
        return Reply.chat(f"you said: {body['messages'][-1]['content']}")

    openai_server.script(Reply.dynamic(echo_last))
    with client_for(openai_server) as client:
        assert ask(client).choices[0].message.content == "you said: Say hello."


def test_json_reply_parses_as_structured_output(openai_server: FakeOpenAI) -> None:
    class Summary(BaseModel):
        title: str
        points: list[str]

    openai_server.script(Reply.json({"title": "T", "points": ["a", "b"]}))
    with client_for(openai_server) as client:
        completion = client.chat.completions.parse(
            model="gpt-test", messages=MESSAGES, response_format=Summary
        )

    assert completion.choices[0].message.parsed == Summary(title="T", points=["a", "b"])
    [req] = openai_server.requests
    assert req.body is not None
    assert req.body["response_format"]["type"] == "json_schema"


def test_length_finish_reason(openai_server: FakeOpenAI) -> None:
    openai_server.script(Reply.chat("truncat", finish_reason="length"))
    with client_for(openai_server) as client:
        assert ask(client).choices[0].finish_reason == "length"


def test_unknown_path_is_404(openai_server: FakeOpenAI) -> None:
    with client_for(openai_server) as client, pytest.raises(openai.NotFoundError) as excinfo:
        client.embeddings.create(model="text-embedding-3-small", input="hi")

    assert "Unknown request URL" in str(excinfo.value)
    assert openai_server.chat_calls == 0
    assert openai_server.requests[0].path == "/v1/embeddings"


# --- as strict as the real API -------------------------------------------------------------

STRICT_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "summary",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "points": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["title", "points"],
            "additionalProperties": False,
        },
    },
}
ARTICLE = [
    {"role": "system", "content": "Summarise."},
    {
        "role": "user",
        "content": "XyZ123\nTitle: Storm\n\nA storm hit the coast of Norway on Monday. "
        "Ferries stopped running in Bergen for the day.\nEND-XyZ123",
    },
]


def ask_strict(client: openai.OpenAI, response_format: Any = None, **kw: Any) -> Any:
    return client.chat.completions.create(
        model=kw.pop("model", "gpt-test"),
        messages=ARTICLE,
        response_format=response_format or STRICT_FORMAT,
        **kw,
    )


def test_an_answer_that_breaks_the_strict_schema_is_a_test_error() -> None:
    with FakeOpenAI() as server:
        server.script(Reply.json({"points": ["a"]}))  # no title: no strict server sends this
        with client_for(server) as client, pytest.raises(openai.InternalServerError) as excinfo:
            ask_strict(client)
    assert "breaks the request's strict schema 'summary' ('title' is a required property)" in str(
        excinfo.value
    )
    assert len(server.errors) == 1  # the fixture turns this into a failed test


def test_a_deliberately_broken_answer_says_why_and_passes() -> None:
    with FakeOpenAI() as server:
        server.script(Reply.chat("{not json", breaks_schema="a JSON-mode server cut short"))
        server.script(Reply.chat('{"title": "cut', finish_reason="length"))
        with client_for(server) as client:
            assert ask_strict(client).choices[0].message.content == "{not json"
            assert ask_strict(client).choices[0].finish_reason == "length"
    assert server.errors == []


def test_fill_answers_with_an_instance_of_the_requests_schema(openai_server: FakeOpenAI) -> None:
    openai_server.script(Reply.fill())
    with client_for(openai_server) as client:
        content = ask_strict(client).choices[0].message.content
    answer = json.loads(content)
    assert answer == {
        "title": "A storm hit the coast of Norway on",
        "points": [
            "A storm hit the coast of Norway on Monday.",
            "Ferries stopped running in Bergen for the day.",
        ],
    }


@pytest.mark.parametrize(
    "schema,message",
    [
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "'additionalProperties' is required to be supplied and to be false",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}, "title": {"type": "string"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "'required' is required to be supplied and to be an array including every key in "
            "properties. Missing ['title']",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "minLength": 1}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "('properties', 'a'): 'minLength' is not permitted",
        ),
    ],
)
def test_a_schema_outside_the_strict_subset_is_a_400(
    openai_server: FakeOpenAI, schema: dict[str, Any], message: str
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "s", "strict": True, "schema": schema}}
    openai_server.script(Reply.fill())
    with client_for(openai_server) as client, pytest.raises(openai.BadRequestError) as excinfo:
        ask_strict(client, fmt)
    assert message in str(excinfo.value)
    assert excinfo.value.code == "invalid_json_schema"
    assert openai_server.pending == 1  # refused before any answer was used


def test_reasoning_models_refuse_max_tokens_and_temperature(openai_server: FakeOpenAI) -> None:
    openai_server.reasoning_models = {"o4-mini"}
    openai_server.default = Reply.fill()
    with client_for(openai_server) as client:
        with pytest.raises(openai.BadRequestError) as excinfo:
            ask_strict(client, model="o4-mini", max_tokens=100)
        assert (excinfo.value.code, excinfo.value.param) == ("unsupported_parameter", "max_tokens")
        with pytest.raises(openai.BadRequestError) as excinfo:
            ask_strict(client, model="o4-mini", temperature=0.2)
        assert (excinfo.value.code, excinfo.value.param) == ("unsupported_value", "temperature")
        ok = ask_strict(client, model="o4-mini", max_completion_tokens=100, reasoning_effort="low")
        assert ok.choices[0].finish_reason == "stop"
        with pytest.raises(openai.BadRequestError, match="reasoning_effort"):
            ask_strict(client, model="gpt-test", reasoning_effort="low")


def test_unknown_arguments_and_bad_values_are_400(openai_server: FakeOpenAI) -> None:
    openai_server.default = Reply.fill()
    with client_for(openai_server) as client:
        with pytest.raises(
            openai.BadRequestError, match="Unrecognized request argument supplied: foo"
        ):
            ask_strict(client, extra_body={"foo": 1})
        with pytest.raises(openai.BadRequestError, match="'temperature' is 0 to 2"):
            ask_strict(client, temperature=3)
        with pytest.raises(openai.BadRequestError, match="expected a positive integer"):
            ask_strict(client, max_tokens=0)
