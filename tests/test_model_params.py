"""What a request carries per model (briefing/summarisers/openai/params.py) and the base URL check.

Reasoning models (o-series, gpt-5) take max_completion_tokens and no temperature; a model the
name policy does not know learns it from the server's 400s. Every case but the pure policy
table runs the command against the strict test server on 127.0.0.1, whose
``reasoning_models`` refuse max_tokens and temperature like OpenAI's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing.config import DEFAULT_MODEL, Settings
from briefing.summarisers.openai.params import (
    CHAT,
    GPT5_CHAT,
    REASONING,
    REASONING_TOKENS,
    ParameterPolicy,
    Wanted,
    traits_of,
)
from tests.conftest import SAMPLE, RunCli, files_under, use_model_server
from tests.openai_server import FakeOpenAI, Reply

KEY = "sk-test-params-5e6f"
PROMPT_MAX_TOKENS = 2000  # the briefing prompt's [parameters]
REASONING_LIMIT = PROMPT_MAX_TOKENS + REASONING_TOKENS


@pytest.fixture
def llm(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The default model (no BRIEFING_MODEL), answering with the request's schema."""
    use_model_server(monkeypatch, openai_server, KEY, model=None)
    openai_server.default = Reply.fill()
    return openai_server


def build(run_cli: RunCli, *extra: str) -> Any:
    return run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json", *extra)


def provenance(work: Path) -> Any:
    return json.loads((work / "b.json").read_text("utf-8"))["provenance"]


def bodies(server: FakeOpenAI) -> list[dict[str, Any]]:
    """The JSON body of every chat request, in order."""
    return [r.body if isinstance(r.body, dict) else {} for r in server.chat_requests]


def sampling(body: dict[str, Any]) -> dict[str, Any]:
    names = ("max_tokens", "max_completion_tokens", "temperature", "reasoning_effort")
    return {k: body[k] for k in names if k in body}


# --- the name policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "traits"),
    [
        ("o1", REASONING),
        ("o3-mini", REASONING),
        ("o4-mini-2025-04-16", REASONING),
        ("gpt-5", REASONING),
        ("gpt-5-mini", REASONING),
        ("gpt-5.1", REASONING),
        ("GPT-5-Nano", REASONING),
        ("openai/o3", REASONING),  # a gateway's provider prefix
        ("ft:o4-mini-2025-04-16:acme::abc123", REASONING),  # a fine-tune
        ("gpt-5-chat-latest", GPT5_CHAT),
        ("gpt-5.1-chat-latest", GPT5_CHAT),
        ("gpt-4.1-mini", CHAT),
        ("gpt-4o", CHAT),
        ("gpt-oss:20b", CHAT),  # local servers take max_tokens and temperature
        ("llama3.1", CHAT),
        ("olmo2", CHAT),
        ("o3x", CHAT),
        ("my-deployment", CHAT),
    ],
)
def test_policy_by_model_name(model: str, traits: Any) -> None:
    assert traits_of(model) == traits


def test_policy_parameters() -> None:
    wanted = Wanted(temperature=0.2, max_tokens=2000, max_tokens_set=False, reasoning_effort="low")
    assert ParameterPolicy("gpt-4.1").parameters(wanted) == {"max_tokens": 2000, "temperature": 0.2}
    assert ParameterPolicy("o4-mini").parameters(wanted) == {
        "max_completion_tokens": REASONING_LIMIT,
        "reasoning_effort": "low",
    }
    assert ParameterPolicy("gpt-5-chat-latest").parameters(wanted) == {
        "max_completion_tokens": 2000,
        "temperature": 0.2,
    }
    # The user's own --max-tokens is sent as given: for a reasoning model it is the whole limit.
    mine = Wanted(temperature=None, max_tokens=500, max_tokens_set=True, reasoning_effort=None)
    assert ParameterPolicy("o3").parameters(mine) == {"max_completion_tokens": 500}


def test_policy_learns_renames_then_drops() -> None:
    policy = ParameterPolicy("my-deployment")
    wanted = Wanted(temperature=0.2, max_tokens=2000, max_tokens_set=False, reasoning_effort=None)
    sent = policy.parameters(wanted)
    assert sent == {"max_tokens": 2000, "temperature": 0.2}
    assert policy.fixable("unsupported_parameter", "max_tokens", sent) == "max_tokens"
    assert policy.fixable("invalid_value", "max_tokens", sent) is None  # not a refusal
    assert policy.fixable("unsupported_parameter", "response_format", sent) is None  # not ours
    policy.learn("max_tokens")
    assert policy.parameters(wanted) == {
        "max_completion_tokens": REASONING_LIMIT,
        "temperature": 0.2,
    }
    policy.learn("temperature")
    policy.learn("max_completion_tokens")  # both limits refused: none is sent
    assert policy.parameters(wanted) == {}
    assert set(policy.adjustments) == {"max_tokens", "temperature", "max_completion_tokens"}


# --- through the command ---------------------------------------------------------------------


def test_default_model_is_a_current_reasoning_model(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    assert Settings().model == DEFAULT_MODEL == "gpt-5-mini"
    llm.reasoning_models = {DEFAULT_MODEL}
    result = build(run_cli)
    assert result.returncode == 0, result.stderr
    assert llm.chat_calls == 1
    body = bodies(llm)[0]
    assert body["model"] == "gpt-5-mini"
    assert sampling(body) == {"max_completion_tokens": REASONING_LIMIT}
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    assert "| `--model NAME` | `BRIEFING_MODEL` | `gpt-5-mini` |" in readme


def test_known_reasoning_model_needs_no_correction(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.reasoning_models = {"o4-mini"}
    result = build(run_cli, "--model", "o4-mini", "--reasoning-effort", "low", "-v")
    assert result.returncode == 0, result.stderr
    assert llm.chat_calls == 1  # the policy knew: no 400 to learn from
    assert sampling(bodies(llm)[0]) == {
        "max_completion_tokens": REASONING_LIMIT,
        "reasoning_effort": "low",
    }
    prov = provenance(isolated)
    assert prov["parameters"] == {
        "max_completion_tokens": REASONING_LIMIT,
        "reasoning_effort": "low",
    }
    assert prov["temperature"] is None  # none was sent
    assert "does not take" not in result.stderr


def test_unknown_reasoning_model_learns_from_the_server(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    # An Azure-style deployment name: the name policy takes it for a chat model.
    llm.reasoning_models = {"team-reasoner"}
    result = build(run_cli, "--model", "team-reasoner", "-v")
    assert result.returncode == 0, result.stderr
    sent = [sampling(b) for b in bodies(llm)]
    assert sent == [
        {"max_tokens": PROMPT_MAX_TOKENS, "temperature": 0.2},  # 400 unsupported_parameter
        {"max_completion_tokens": REASONING_LIMIT, "temperature": 0.2},  # 400 unsupported_value
        {"max_completion_tokens": REASONING_LIMIT},  # answered
    ]
    prov = provenance(isolated)
    assert prov["parameters"] == {"max_completion_tokens": REASONING_LIMIT}
    assert prov["temperature"] is None
    log = [line for line in result.stderr.splitlines() if "does not take" in line]
    assert log == [
        "briefing: model team-reasoner does not take max_tokens: sending max_completion_tokens "
        "instead (reasoning included) for the rest of this run",
        "briefing: model team-reasoner does not take temperature: no longer sending it for the "
        "rest of this run",
    ]


def test_chat_model_keeps_max_tokens_and_temperature(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.reasoning_models = {"o4-mini"}  # only that one: gpt-4.1-mini takes everything
    result = build(run_cli, "--model", "gpt-4.1-mini", "--temperature", "0.4")
    assert result.returncode == 0, result.stderr
    assert sampling(bodies(llm)[0]) == {
        "max_tokens": PROMPT_MAX_TOKENS,
        "temperature": 0.4,
    }
    prov = provenance(isolated)
    assert prov["parameters"] == {"max_tokens": PROMPT_MAX_TOKENS, "temperature": 0.4}
    assert prov["temperature"] == 0.4


def test_settings_a_model_does_not_take_are_named_once(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.reasoning_models = {"o4-mini"}
    result = build(run_cli, "--model", "o4-mini", "--temperature", "0.5")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "briefing: model o4-mini is a reasoning model and takes no temperature: "
        "temperature 0.5 is not sent\n"
    )
    # The test server refuses reasoning_effort from a chat model: it must not be sent.
    result = build(run_cli, "--model", "gpt-test", "--reasoning-effort", "high")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "briefing: model gpt-test is not known as a reasoning model: "
        "reasoning_effort high is not sent\n"
    )
    assert "reasoning_effort" not in bodies(llm)[-1]


def test_reasoning_effort_from_env_and_config(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm.reasoning_models = {"o3"}
    config = isolated / "c.toml"
    config.write_text('model = "o3"\nreasoning_effort = "medium"\n', "utf-8")
    assert build(run_cli, "--config", str(config)).returncode == 0
    assert bodies(llm)[-1]["reasoning_effort"] == "medium"
    monkeypatch.setenv("BRIEFING_REASONING_EFFORT", "minimal")
    assert build(run_cli, "--config", str(config)).returncode == 0
    assert bodies(llm)[-1]["reasoning_effort"] == "minimal"  # env > file
    assert build(run_cli, "--config", str(config), "--reasoning-effort", "high").returncode == 0
    assert bodies(llm)[-1]["reasoning_effort"] == "high"  # flag > env
    bad = build(run_cli, "--reasoning-effort", "extreme")
    assert bad.returncode == 2
    assert "'extreme' is not one of 'minimal', 'low', 'medium', 'high'" in bad.stderr


def test_each_parameter_is_corrected_once(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    # A gateway that refuses temperature, then refuses the request again for another reason.
    llm.script(
        Reply.error(
            400, "Unsupported value: 'temperature'", code="unsupported_value", param="temperature"
        ),
        Reply.error(
            400, "Unsupported value: 'temperature'", code="unsupported_value", param="temperature"
        ),
    )
    result = build(run_cli, "--model", "gpt-test")
    assert result.returncode == 4, result.stderr
    assert result.stderr == (
        f"Error: the API at 127.0.0.1:{llm.port} refused the request (400): "
        "Unsupported value: 'temperature'\n"
    )
    assert llm.chat_calls == 2  # dropped once; the second refusal names nothing we sent
    assert "temperature" not in bodies(llm)[1]


def test_unfixable_refusal_is_not_retried(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    llm.script(
        Reply.error(
            400,
            "Unsupported parameter: 'response_format' is not supported with this model.",
            code="unsupported_parameter",
            param="response_format",
        )
    )
    result = build(run_cli, "--model", "gpt-test")
    assert result.returncode == 4
    assert result.stderr == (
        f"Error: the API at 127.0.0.1:{llm.port} refused the request (400): Unsupported "
        "parameter: 'response_format' is not supported with this model.\n"
    )
    assert llm.chat_calls == 1


def test_map_reduce_learns_once_for_all_parts(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    # Four copies of the sample over a small input budget: several parts briefed in parallel.
    text = SAMPLE.read_text("utf-8")
    long = isolated / "long.txt"
    long.write_text(text + "\n\n" + "\n\n".join(text.split("\n", 1)[1] for _ in range(3)), "utf-8")
    llm.reasoning_models = {"team-reasoner"}
    result = run_cli(
        "build", str(long), "--format", "json", "-o", "b.json", "--model", "team-reasoner",
        "--max-input-tokens", "2000", "-v",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "b.json").read_text("utf-8"))
    assert data["provenance"]["split"]["chunks"] >= 3
    assert data["provenance"]["parameters"] == {"max_completion_tokens": REASONING_LIMIT}
    sent = [sampling(b) for b in bodies(llm)]
    refused = [p for p in sent if "max_tokens" in p or "temperature" in p]
    answered = [p for p in sent if not ("max_tokens" in p or "temperature" in p)]
    # At most one refusal per parameter per request in flight (4 parts run at once); every
    # request after the lesson carries the corrected parameters.
    assert 2 <= len(refused) <= 2 * 4
    assert answered and all(p == {"max_completion_tokens": REASONING_LIMIT} for p in answered)
    assert sent[-1] == {"max_completion_tokens": REASONING_LIMIT}  # the merge
    assert sum("does not take max_tokens" in line for line in result.stderr.splitlines()) == 1
    assert sum("does not take temperature" in line for line in result.stderr.splitlines()) == 1


# --- the base URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://x", "'ftp://x' is not an http or https URL"),
        ("localhost:8080", "'localhost:8080' has no scheme: write http:// or https:// before it"),
        ("http://", "'http://' has no host"),
        ("http://localhost:80a/v1", "'http://localhost:80a/v1' is not a valid URL"),
        ("http://local host/v1", "'http://local host/v1' contains whitespace"),
        ("ftp://user:pw@x/v1", "'ftp://x/v1' is not an http or https URL"),  # no credentials shown
    ],
)
def test_bad_base_url_is_a_config_error(
    url: str, problem: str, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args, env in (((), {"OPENAI_BASE_URL": url}), (("--base-url", url), {})):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = build(run_cli, *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"Error: invalid setting: base_url: {problem}\n"
        assert files_under(isolated) == []
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    doctor = run_cli("doctor", "--base-url", url)
    assert (doctor.returncode, doctor.stderr) == (
        2,
        f"Error: invalid setting: base_url: {problem}\n",
    )


def test_bad_base_url_sends_nothing(openai_server: FakeOpenAI, run_cli: RunCli) -> None:
    # The right port with a wrong scheme: refused before any request could reach the server.
    result = build(run_cli, "--base-url", f"htp://127.0.0.1:{openai_server.port}/v1")
    assert result.returncode == 2
    assert openai_server.requests == []
