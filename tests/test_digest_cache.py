"""The day's executive summary lives in the result cache: the same day written to another file
or format asks the model nothing; the state file beside a digest keeps only what unchanged-day
detection needs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from briefing.cache import (
    CACHE_FILE,
    Cache,
    CachedSummary,
    content_hash,
    key_fields,
    open_cache,
    summary_key,
    summary_key_fields,
)
from briefing.config import load_settings
from briefing.digest import executive_summary
from briefing.model import Briefing, PromptRef, SummaryMeta, SummaryPoint
from briefing.prompts import Registry
from briefing.summarisers.openai.summariser import OpenAISummariser
from tests.conftest import EXAMPLES, SAMPLE, RunCli
from tests.factories import make_baltic_briefing, make_briefing
from tests.openai_server import FakeOpenAI, Reply
from tests.pdftext import pdf_pages_text

KEY = "sk-test-DO-NOT-STORE-digest-cache"
ARTICLES = [EXAMPLES / "baltic-cable.md", SAMPLE]


@pytest.fixture
def model(llm: FakeOpenAI) -> FakeOpenAI:
    llm.default = Reply.fill()
    return llm


@pytest.fixture
def day(isolated: Path) -> list[str]:
    """``briefing daily`` arguments for a day of two articles (two briefings: the model writes
    the executive summary) with the cache in ./cache."""
    folder = isolated / "in"
    folder.mkdir()
    for n, src in enumerate(ARTICLES):
        (folder / f"{n:02d}-{src.name}").write_bytes(src.read_bytes())
    return ["daily", "--from-dir", "in", "--date", "2026-11-26", "--cache-dir", "cache"]


def summary_requests(server: FakeOpenAI) -> int:
    """Requests for a day's summary (its schema has "points") among those received."""
    return sum(
        "points" in (r.body or {})["response_format"]["json_schema"]["schema"]["properties"]
        for r in server.chat_requests
    )


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_same_day_to_another_file_and_format_asks_nothing(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str]
) -> None:
    first = run_cli(*day, "-o", "a.pdf")
    assert first.returncode == 0, first.stderr
    assert model.chat_calls == 3  # two briefings and the day's summary
    assert summary_requests(model) == 1

    second = run_cli(*day, "-o", "b.json")
    assert second.returncode == 0, second.stderr
    assert model.chat_calls == 3  # nothing asked: briefings and summary from the cache
    data = load(isolated / "b.json")
    assert data["provenance"]["prompt"]["name"] == "digest"
    assert data["provenance"]["model"] == "gpt-test"
    assert data["provenance"]["cache_hits"] == 2 and data["provenance"]["model_requests"] == 0
    points = data["executive_summary"]
    assert points and all(p["briefings"] for p in points)
    pdf = " ".join(" ".join(pdf_pages_text(isolated / "a.pdf")).split())
    assert " ".join(points[0]["text"].split()) in pdf  # the same summary in both files

    with open_cache(isolated / "cache") as cache:
        info = cache.info()
    assert (info.entries, info.summaries) == (2, 1)
    shown = run_cli("cache", "info", "--cache-dir", "cache").stdout.splitlines()
    assert shown[1:3] == ["entries: 2", "summaries: 1"]


def test_no_cache_asks_again_and_an_unchanged_day_is_kept(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str]
) -> None:
    first = run_cli(*day, "-o", "d.json", "--no-cache")
    assert first.returncode == 0, first.stderr
    assert model.chat_calls == 3
    before = (isolated / "d.json").read_bytes()
    again = run_cli(*day, "-o", "d.json", "--no-cache")
    assert again.returncode == 0, again.stderr
    assert model.chat_calls == 6  # --no-cache: every answer asked for afresh, summary too
    # The model answered the same, so the day is unchanged: the file is kept as it was.
    assert "unchanged: d.json already holds this digest" in again.stderr
    assert (isolated / "d.json").read_bytes() == before
    # Neither read nor written (the run's history beside it is not the cache: --no-history).
    assert [p.name for p in (isolated / "cache").iterdir()] == ["history.sqlite3"]


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_damaged_or_missing_cache_asks_again(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str], damage: str
) -> None:
    assert run_cli(*day, "-o", "a.json").returncode == 0
    assert model.chat_calls == 3
    db = isolated / "cache" / CACHE_FILE
    for side in db.parent.iterdir():
        side.unlink()
    if damage == "corrupt":
        db.write_bytes(b"not a database " * 500)
    result = run_cli(*day, "-o", "b.json")
    assert result.returncode == 0, result.stderr
    assert model.chat_calls == 6  # both briefings and the summary asked again
    assert summary_requests(model) == 2
    assert ("moved it to" in result.stderr) == (damage == "corrupt")
    assert (
        load(isolated / "b.json")["executive_summary"]
        == load(isolated / "a.json")["executive_summary"]
    )


def test_failed_summary_is_not_cached_and_asked_again(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str]
) -> None:
    fill = Reply.fill()

    def answer(body: dict[str, Any]) -> Reply:
        schema = body["response_format"]["json_schema"]["schema"]
        if "points" in schema["properties"] and summary_requests(model) == 1:
            # The first summary request fails (and is not retried).
            return Reply.error(500, "the digest failed", headers={"x-should-retry": "false"})
        return fill.resolve(body)

    model.default = Reply.dynamic(answer)
    first = run_cli(*day, "-o", "d.json")
    assert first.returncode == 0, first.stderr
    assert "executive summary by the model failed, using the offline selection" in first.stderr
    assert load(isolated / "d.json")["provenance"]["prompt"] is None  # the offline selection
    again = run_cli(*day, "-o", "d.json")
    assert again.returncode == 0, again.stderr
    assert summary_requests(model) == 2  # asked again, now answered: the day has changed
    assert load(isolated / "d.json")["provenance"]["prompt"]["name"] == "digest"
    assert model.chat_calls == 4  # the briefings came from the cache


def test_state_file_keeps_only_the_fingerprints(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str]
) -> None:
    assert run_cli(*day, "-o", "d.json").returncode == 0
    state = load(isolated / ".d.json.state.json")
    assert sorted(state) == ["inputs", "output"]
    assert state["output"] == hashlib.sha256((isolated / "d.json").read_bytes()).hexdigest()
    assert len(state["inputs"]) == 64

    # A file changed since it was written is not "this day's digest": it is rewritten,
    # still without a model request.
    (isolated / "d.json").write_text("{}\n")
    again = run_cli(*day, "-o", "d.json")
    assert again.returncode == 0, again.stderr
    assert "unchanged" not in again.stderr
    assert load(isolated / "d.json")["day"] == "2026-11-26"
    assert model.chat_calls == 3

    # Another marking is another HTML or PDF file (JSON has none).
    assert run_cli(*day, "-o", "d.html").returncode == 0
    marked = run_cli(*day, "-o", "d.html", "--marking", "TLP:AMBER")
    assert "unchanged" not in marked.stderr
    assert "TLP:AMBER" in (isolated / "d.html").read_text(encoding="utf-8")
    same = run_cli(*day, "-o", "d.html", "--marking", "TLP:AMBER")
    assert "unchanged: d.html already holds this digest" in same.stderr
    json_marked = run_cli(*day, "-o", "d.json", "--marking", "TLP:AMBER")
    assert "unchanged: d.json already holds this digest" in json_marked.stderr
    assert model.chat_calls == 3


def test_state_file_of_an_older_version_means_one_rewrite(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, day: list[str]
) -> None:
    assert run_cli(*day, "-o", "d.json").returncode == 0
    state_path = isolated / ".d.json.state.json"
    old = {"inputs": load(state_path)["inputs"], "summary": [], "meta": {}}
    state_path.write_text(json.dumps(old))
    again = run_cli(*day, "-o", "d.json")
    assert again.returncode == 0 and "unchanged" not in again.stderr
    assert sorted(load(state_path)) == ["inputs", "output"]
    assert "unchanged" in run_cli(*day, "-o", "d.json").stderr
    assert model.chat_calls == 3


# ----------------------------------------------------------------------------------- keys


def summariser(**flags: Any) -> OpenAISummariser:
    settings = load_settings({"model": "gpt-4.1-mini", **flags}, environ={"OPENAI_API_KEY": KEY})
    return OpenAISummariser(settings, Registry().get("briefing"))


DIGEST = Registry().get("digest")
HASHES = [content_hash(make_briefing()), content_hash(make_baltic_briefing())]


def test_summary_key_fields_name_what_shapes_the_summary() -> None:
    s = summariser(base_url="https://alice:s3cr3t@llm.example.org:8443/v1", temperature=0.4)
    fields = summary_key_fields(HASHES, s, DIGEST)
    assert fields["briefings"] == HASHES
    assert fields["prompt"] == f"digest@v{DIGEST.version}"
    assert fields["prompt_sha256"] == DIGEST.sha256
    assert fields["model"] == "gpt-4.1-mini"
    assert fields["host"] == "llm.example.org:8443"
    assert fields["temperature"] == 0.4
    assert fields["max_tokens"] == DIGEST.parameters.max_tokens
    text = json.dumps(fields)
    assert KEY not in text and "s3cr3t" not in text and "alice" not in text
    # Without a setting, the prompt's own temperature is what the request sends.
    assert summary_key_fields(HASHES, summariser(), DIGEST)["temperature"] == (
        DIGEST.parameters.temperature
    )


def test_summary_key_changes_with_each_of_its_fields() -> None:
    base = summary_key(HASHES, summariser(), DIGEST)
    others = [
        summary_key(HASHES[::-1], summariser(), DIGEST),  # order: the summary cites numbers
        summary_key(HASHES[:1], summariser(), DIGEST),
        summary_key(HASHES, summariser(model="gpt-4o"), DIGEST),
        summary_key(HASHES, summariser(base_url="http://localhost:11434/v1"), DIGEST),
        summary_key(HASHES, summariser(temperature=0.9), DIGEST),
        summary_key(HASHES, summariser(language="fr"), DIGEST),
        summary_key(HASHES, summariser(), dataclasses.replace(DIGEST, sha256="0" * 64)),
        summary_key(HASHES, summariser(), dataclasses.replace(DIGEST, version=99)),
    ]
    assert len({base, *others}) == 1 + len(others)
    assert summary_key(list(HASHES), summariser(), DIGEST) == base
    # A reasoning model (the only kind sent an effort) thinking harder writes another summary.
    reasoning = summary_key(HASHES, summariser(model="gpt-5-mini"), DIGEST)
    harder = summary_key(HASHES, summariser(model="gpt-5-mini", reasoning_effort="high"), DIGEST)
    assert reasoning != harder


def test_language_is_part_of_a_briefings_key() -> None:
    assert key_fields("ab" * 32, summariser(language="French"))["language"] == "fr"
    assert key_fields("ab" * 32, summariser())["language"] is None


def test_content_hash_ignores_when_and_how_fast() -> None:
    b = make_briefing()
    later = b.model_copy(
        update={"provenance": b.provenance.model_copy(update={"duration_ms": 99999})}
    )
    assert content_hash(later) == content_hash(b)
    assert content_hash(b.model_copy(update={"situation": "Another day."})) != content_hash(b)


class DaySummariser:
    """A model summariser as the digest sees it: a name, ``remote`` and ``summarise_day``."""

    name = "openai"
    version = "1"
    remote = True

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.calls = 0

    def summarise(self, article: Any) -> Briefing:  # pragma: no cover - not called
        raise NotImplementedError

    def summarise_day(self, briefings: Any) -> tuple[list[SummaryPoint], SummaryMeta]:
        self.calls += 1
        meta = SummaryMeta(
            model="gpt-test", prompt=PromptRef(name="digest", version=2, sha256="d" * 64)
        )
        return [SummaryPoint(text="A day.", briefings=[1, 2])], meta


def test_executive_summary_from_the_cache(tmp_path: Path) -> None:
    settings = load_settings({"model": "gpt-test"}, environ={"OPENAI_API_KEY": KEY})
    s = DaySummariser(settings)
    briefings = [make_briefing(), make_baltic_briefing()]
    with Cache(tmp_path / CACHE_FILE) as cache:
        made = executive_summary(briefings, s, settings, cache)
        assert (made.origin, s.calls) == ("model", 1)
        again = executive_summary(briefings, s, settings, cache)
        assert (again.origin, s.calls) == ("cache", 1)
        assert (again.points, again.meta) == (made.points, made.meta)
        assert executive_summary(briefings[:1], s, settings, cache).origin == "offline"
        assert executive_summary(briefings[::-1], s, settings, cache).origin == "model"
        assert cache.info().summaries == 2
        assert cache.clear() == 0 and cache.info().summaries == 0  # no briefings, summaries gone
    assert executive_summary(briefings, s, settings, None).origin == "model"  # no cache


def test_unreadable_summary_row_is_a_miss(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / CACHE_FILE
    stored = CachedSummary(points=[SummaryPoint(text="A day.", briefings=[1])], meta=SummaryMeta())
    with Cache(db) as cache:
        cache.put_summary("k", stored)
        assert cache.get_summary("k") == stored
    conn = sqlite3.connect(db)
    conn.execute("UPDATE summaries SET summary = '{\"points\": 1}'")
    conn.commit()
    conn.close()
    with Cache(db) as cache:
        assert cache.get_summary("k") is None
        assert cache.info().summaries == 0  # dropped
