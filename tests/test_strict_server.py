"""The whole model path against a server that fills exactly the schema it receives.

The test server's ``Reply.fill()`` answers every request with an instance of *that request's*
strict schema, built from the request's own data (verbatim sentences of the article, or of the
part briefings for a merge), as a schema-following model would. Through the command:
``build``, ``daily`` (with the day's summary under the ``digest`` prompt), a long article
briefed map-reduce under the ``merge`` prompt, and ``doctor --probe``. Each answer is checked by
the server against the request's schema, so nothing here can pass on an answer no strict
server could send; and since the fill copies sentences, every item must come out supported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing.text.sentences import split_sentences
from tests.conftest import EXAMPLES, SAMPLE, RunCli
from tests.openai_server import FakeOpenAI, Reply

KEY = "sk-test-strict-5e6f"


@pytest.fixture
def llm(llm: FakeOpenAI) -> FakeOpenAI:
    llm.default = Reply.fill()
    return llm


def schemas_sent(llm: FakeOpenAI) -> list[str]:
    return [r.body["response_format"]["json_schema"]["name"] for r in llm.chat_requests]


def all_supported(briefing: dict[str, Any]) -> bool:
    items = [*briefing["actors"], briefing["assessment"], *briefing["risks"]]
    return all(item["supported"] for item in items)


def test_build(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "b.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "b.json").read_text())
    assert data["provenance"]["summariser"] == "openai"
    assert data["actors"] and all_supported(data)
    assert [f["kind"] for f in data["flags"]] == []  # the situation is the article's own words
    assert schemas_sent(llm) == ["briefing_draft"]  # valid at once: no repair request
    pdf = run_cli("build", str(SAMPLE), "-o", "b.pdf")
    assert pdf.returncode == 0, pdf.stderr
    assert (isolated / "b.pdf").read_bytes().startswith(b"%PDF-")


def test_daily(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    news = isolated / "news"
    news.mkdir()
    for example in ("syria-strike.txt", "baltic-cable.md", "sahel-aid.html"):
        (news / example).write_bytes((EXAMPLES / example).read_bytes())
    result = run_cli("daily", "--from-dir", str(news), "-o", "day.json", "-q")
    assert result.returncode == 0, result.stderr
    digest = json.loads((isolated / "day.json").read_text())
    assert len(digest["briefings"]) == 3
    assert all(all_supported(b) for b in digest["briefings"])
    assert digest["executive_summary"]  # by the model, under the digest prompt
    assert sorted(schemas_sent(llm)) == ["briefing_draft"] * 3 + ["digestdraft"]


def test_long_article_map_reduce(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences = [s.text for s in split_sentences(SAMPLE.read_text())]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    body = "\n\n".join(paragraphs[i % len(paragraphs)] for i in range(60))
    article = isolated / "long.txt"
    article.write_text("A long report on the strike\n\n" + body + "\n", "utf-8")
    monkeypatch.setenv("BRIEFING_MAX_INPUT_TOKENS", "2000")
    result = run_cli("build", str(article), "-o", "long.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "long.json").read_text())
    assert data["provenance"]["split"]["chunks"] >= 2
    # The merge answer quotes the parts' quotes: still the article's own sentences.
    assert all_supported(data)
    merges = [r for r in llm.chat_requests if "merge" in r.body["messages"][0]["content"].lower()]
    assert merges, "no merge request was sent"


def test_doctor_probe(llm: FakeOpenAI, run_cli: RunCli) -> None:
    result = run_cli("doctor", "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    probe: gpt-test" in result.stdout
    assert schemas_sent(llm) == ["briefing_draft"]
