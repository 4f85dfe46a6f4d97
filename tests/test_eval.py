"""`briefing eval` over a JSONL set, offline and against the OpenAI-compatible test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, RunCli
from tests.openai_server import FakeOpenAI, Reply
from tests.test_openai_summariser import good_draft

EVAL = REPO.parent / "shared" / "eval" / "cnndm-dev.jsonl"


@pytest.fixture
def dataset(isolated: Path) -> Path:
    """Five real news items: the shared eval set when present, else our examples."""
    path = isolated / "set.jsonl"
    if EVAL.exists():
        path.write_text("".join(EVAL.read_text(encoding="utf-8").splitlines(True)[:5]))
    else:
        from tests.conftest import SAMPLE

        text = SAMPLE.read_text(encoding="utf-8")
        path.write_text(
            "".join(
                json.dumps({"id": f"s{i}", "text": text, "reference": text.split(". ")[0]}) + "\n"
                for i in range(5)
            )
        )
    return path


def rows(output: str) -> list[list[str]]:
    lines = output.strip().splitlines()
    assert lines[0].startswith("| configuration | n | R-1 | R-2 | R-Lsum | evidence verbatim %")
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


def test_eval_offline(run_cli: RunCli, dataset: Path) -> None:
    result = run_cli("eval", str(dataset), "--summariser", "offline", "--limit", "3")
    assert result.returncode == 0, result.stderr
    (row,) = rows(result.stdout)
    assert row[0] == "offline" and row[1] == "3"
    assert 20 < float(row[2]) < 100  # ROUGE-1 of a real extractive summary
    assert float(row[5]) == 100.0  # offline evidence is always verbatim
    assert row[8] == "0"  # no failures


def test_eval_openai_and_offline(
    run_cli: RunCli, dataset: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)

    def answer(body: dict[str, Any]) -> Reply:
        draft = good_draft()
        article = body["messages"][1]["content"]
        first = article.split("\n\n", 1)[1].split(". ")[0]
        draft["situation"] = first + "."
        draft["actors"][0]["evidence"] = [first]
        draft["risks"][0]["evidence"] = ["A quote the model invented, found in no article."]
        return Reply.json(draft, prompt_tokens=900, completion_tokens=300)

    openai_server.default = Reply.dynamic(answer)
    result = run_cli(
        "eval",
        str(dataset),
        "--summariser",
        "offline",
        "--summariser",
        "openai",
        "--prompt",
        "briefing@v1",
        "--model",
        "gpt-test",
        "--concurrency",
        "3",
    )
    assert result.returncode == 0, result.stderr
    offline, model = rows(result.stdout)
    assert offline[0] == "offline"
    assert model[0] == "openai gpt-test briefing@v1"
    assert model[1] == "5" and model[8] == "0"
    assert float(model[10]) == 1200  # tokens per article
    assert 0 < float(model[5]) < 100  # one verbatim quote, one invented
    assert openai_server.chat_calls == 5


def test_eval_counts_failures(
    run_cli: RunCli, dataset: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    openai_server.default = Reply.error(400, "bad request")
    result = run_cli("eval", str(dataset), "--summariser", "openai", "--limit", "2")
    assert result.returncode == 0, result.stderr
    (row,) = rows(result.stdout)
    assert row[8] == "2"


def test_eval_bad_dataset(run_cli: RunCli, isolated: Path) -> None:
    bad = isolated / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "t"}\n')
    result = run_cli("eval", str(bad))
    assert result.returncode == 2
    assert result.stderr == f"Error: {bad} line 1: want a reference or gold entities\n"
