"""`briefing models` (GET /models through the SDK) and doctor naming the models on offer."""

from __future__ import annotations

import pytest

from tests.conftest import RunCli
from tests.openai_server import FakeOpenAI, Reply


def test_models_lists_them_sorted_and_marks_the_one_in_force(
    llm: FakeOpenAI, run_cli: RunCli
) -> None:
    llm.models = ["zeta", "gpt-test", "alpha"]
    result = run_cli("models")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "  alpha\n* gpt-test\n  zeta\n"
    assert result.stderr == ""
    assert [r.path for r in llm.requests] == ["/v1/models"]
    other = run_cli("models", "--model", "zeta")
    assert other.stdout == "  alpha\n  gpt-test\n* zeta\n"


def test_models_warns_when_the_model_in_force_is_not_offered(
    llm: FakeOpenAI, run_cli: RunCli
) -> None:
    llm.models = ["alpha"]
    result = run_cli("models", "--model", "gpt-5-mini")
    assert result.returncode == 0
    assert result.stdout == "  alpha\n"
    assert result.stderr == (
        f"briefing: the model in force, gpt-5-mini, is not among the 1 models "
        f"127.0.0.1:{llm.port} offers\n"
    )


def test_models_bad_key_is_exit_4_in_one_line(
    llm: FakeOpenAI, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-bad")
    result = run_cli("models")
    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr == (
        f"Error: the API at 127.0.0.1:{llm.port} rejected the key (401): check OPENAI_API_KEY\n"
    )
    assert "sk-bad" not in result.stderr


def test_models_server_error_is_exit_4(llm: FakeOpenAI, run_cli: RunCli) -> None:
    llm.require_key = None
    result = run_cli("models", "--base-url", llm.url.replace("/v1", "/nowhere"))
    assert result.returncode == 4
    assert result.stderr.startswith(f"Error: not found at 127.0.0.1:{llm.port} (404): ")


def test_models_unreachable_is_exit_4(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    result = run_cli("models")
    assert result.returncode == 4
    assert result.stderr == (
        "Error: cannot connect to 127.0.0.1:9 (1 attempt): is the server running?\n"
    )


def test_models_needs_a_key_or_an_endpoint(run_cli: RunCli) -> None:
    result = run_cli("models")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: listing models needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)\n"
    )


def test_doctor_names_the_available_models_when_the_one_in_force_is_missing(
    llm: FakeOpenAI, run_cli: RunCli
) -> None:
    llm.models = [f"model-{n:02d}" for n in range(12)]
    llm.default = Reply.fill()
    result = run_cli("doctor")
    assert result.returncode == 1
    assert (
        f"FAIL  model endpoint: 127.0.0.1:{llm.port} answers GET /models (12 models); gpt-test "
        "NOT listed; available: model-00, model-01, model-02, model-03, model-04, model-05, "
        "model-06, model-07, model-08, model-09 (and 2 more)\n" in result.stdout
    )
    llm.models = ["b", "a"]
    few = run_cli("doctor")
    assert "gpt-test NOT listed; available: a, b\n" in few.stdout
