"""`briefing doctor --probe`: one briefing request of a short built-in article through the
build's own path (parameter policy, the strict Draft schema, the same parser), reported on
one line; exit 1 when it fails. Against the strict test server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from briefing.summarisers.openai.draft import Draft, response_format
from briefing.summarisers.openai.params import REASONING_TOKENS
from tests.conftest import RunCli
from tests.openai_server import FakeOpenAI, Reply

KEY = "sk-test-probe-9a8b"


def probe_line(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if " probe: " in line]
    assert len(lines) == 1, stdout
    return lines[0]


def test_probe_ok_reports_model_latency_and_parameters(llm: FakeOpenAI, run_cli: RunCli) -> None:
    llm.script(Reply.fill())
    result = run_cli("doctor", "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(
        rf"ok    probe: gpt-test at 127\.0\.0\.1:{llm.port} answered a strict-schema briefing "
        r"request with a valid briefing in \d+\.\d s; parameters sent: max_tokens=2000, "
        r"temperature=0\.2",
        probe_line(result.stdout),
    ), result.stdout
    assert llm.chat_calls == 1
    body = llm.chat_requests[0].body
    assert isinstance(body, dict)
    assert body["response_format"] == response_format(Draft)  # the build's strict schema
    assert "Harbour reopens after storm" in body["messages"][1]["content"]


def test_probe_reports_a_refused_schema(llm: FakeOpenAI, run_cli: RunCli) -> None:
    llm.script(
        Reply.error(
            400,
            "Invalid schema for response_format 'briefing_draft': In context=('properties', "
            "'title'), 'minLength' is not permitted.",
            code="invalid_json_schema",
            param="response_format",
        )
    )
    result = run_cli("doctor", "--probe")
    assert result.returncode == 1
    assert probe_line(result.stdout) == (
        f"FAIL  probe: the API at 127.0.0.1:{llm.port} refused the response schema (400): "
        "Invalid schema for response_format 'briefing_draft': In context=('properties', "
        "'title'), 'minLength' is not permitted."
    )
    assert result.stderr == "Error: some checks failed\n"
    assert llm.chat_calls == 1


def test_probe_reports_an_invalid_answer_without_repair(llm: FakeOpenAI, run_cli: RunCli) -> None:
    llm.script(Reply.chat("Sure! Here is a briefing.", breaks_schema="a non-strict server"))
    result = run_cli("doctor", "--probe")
    assert result.returncode == 1
    assert probe_line(result.stdout) == (
        "FAIL  probe: the model's answer is not valid JSON (Expecting value at line 1 column 1) "
        f"(model gpt-test at 127.0.0.1:{llm.port})"
    )
    assert llm.chat_calls == 1  # what the model answers first is what is reported


def test_probe_shows_the_parameters_a_reasoning_model_refused(
    llm: FakeOpenAI, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MODEL", "team-reasoner")  # unknown to the name policy
    llm.models = ["team-reasoner"]
    llm.reasoning_models = {"team-reasoner"}
    llm.default = Reply.fill()
    result = run_cli("doctor", "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    limit = 2000 + REASONING_TOKENS
    assert re.fullmatch(
        rf"ok    probe: team-reasoner at 127\.0\.0\.1:{llm.port} answered a strict-schema "
        r"briefing request with a valid briefing in \d+\.\d s; parameters sent: "
        rf"max_completion_tokens={limit}; refused max_tokens: sending max_completion_tokens "
        r"instead \(reasoning included\); refused temperature: no longer sending it",
        probe_line(result.stdout),
    ), result.stdout
    assert llm.chat_calls == 3


def test_probe_reports_a_parameter_problem(llm: FakeOpenAI, run_cli: RunCli) -> None:
    # A refusal it cannot correct (a parameter we must send) is reported as the server said it.
    llm.script(
        Reply.error(
            400,
            "Unsupported parameter: 'response_format' is not supported with this model.",
            code="unsupported_parameter",
            param="response_format",
        )
    )
    result = run_cli("doctor", "--probe")
    assert result.returncode == 1
    assert probe_line(result.stdout) == (
        f"FAIL  probe: the API at 127.0.0.1:{llm.port} refused the request (400): Unsupported "
        "parameter: 'response_format' is not supported with this model."
    )


def test_probe_without_a_model(run_cli: RunCli) -> None:
    result = run_cli("doctor", "--probe")
    assert result.returncode == 1
    assert probe_line(result.stdout) == (
        "FAIL  probe: no language model to probe: the offline summariser is in use "
        "(set OPENAI_API_KEY or OPENAI_BASE_URL)"
    )


def test_doctor_without_probe_sends_no_completion(llm: FakeOpenAI, run_cli: RunCli) -> None:
    result = run_cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " probe: " not in result.stdout
    assert llm.chat_calls == 0
