"""The run history (`briefing log`), token usage and cost (`-u`, the digest, the JSON).

A week of `build` and `daily` runs against the test server, each started at a chosen time
(the recorder's clock replaced), shows up in `briefing log` with its tokens and cost, failures
and cache hits included; the history never fails a run and keeps no secret."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from briefing.history import (
    RunRecord,
    history_path,
    read_run,
    read_runs,
    record_run,
)
from briefing.history import recorder as recorder_module
from briefing.model import Usage
from tests.conftest import EXAMPLES, SAMPLE, RunCli, use_model_server
from tests.openai_server import FakeOpenAI, Reply

KEY = "sk-test-history-DO-NOT-STORE"
TZ = timezone(timedelta(hours=1))  # the runs' own offset, kept as they saw it
SHIPPED = "briefing's prices of 2025-08-07"
# Two different events: two stories a day (copies of one article would be one story).
ARTICLES = [EXAMPLES / "syria-strike.txt", EXAMPLES / "baltic-cable.md"]

# What the test server bills: each briefing 1,000 in (200 cached) and 500 out; a day's summary
# 400 in and 100 out (no cached tokens reported); a refusal 300 in and 5 out.
BRIEFING_COST = (800 * 0.25 + 200 * 0.025 + 500 * 2.0) / 1e6  # gpt-5-mini
SUMMARY_COST = (400 * 0.25 + 100 * 2.0) / 1e6
DAY_COST = 2 * BRIEFING_COST + SUMMARY_COST


def answer(body: dict[str, Any]) -> Reply:
    if "executive summary" in body["messages"][0]["content"]:
        points = [{"text": "Two stories of the day.", "briefings": [1, 2]}]
        return Reply.json({"points": points}, prompt_tokens=400, completion_tokens=100)
    return Reply.fill(prompt_tokens=1000, completion_tokens=500, cached_tokens=200)


@pytest.fixture
def model(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The test server as gpt-5-mini, a model of the shipped price table."""
    use_model_server(monkeypatch, openai_server, KEY, model="gpt-5-mini")
    openai_server.default = Reply.dynamic(answer)
    return openai_server


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Set ``at[0]`` to the time the next run starts."""
    when = [datetime.now(TZ)]
    monkeypatch.setattr(recorder_module, "clock", lambda: when[0])
    return when


def articles(folder: Path, tag: str, count: int = 2) -> Path:
    """``count`` distinct articles in ``folder``, made new by ``tag``."""
    folder.mkdir()
    for n in range(count):
        text = ARTICLES[n % len(ARTICLES)].read_text(encoding="utf-8")
        (folder / f"{n}.txt").write_text(f"{text.rstrip()}\n\nDispatch {tag}-{n} ends.\n")
    return folder


def log_json(run_cli: RunCli, *args: str) -> dict[str, Any]:
    result = run_cli("log", "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_week_of_builds_and_dailies_in_the_log(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, at: list[datetime]
) -> None:
    first = date.today() - timedelta(days=7)
    days = [first + timedelta(days=n) for n in range(7)]
    for n, day in enumerate(days):
        at[0] = datetime(day.year, day.month, day.day, 5, 30, tzinfo=TZ)
        # Day 4 briefs day 3's articles again: every briefing and the summary from the cache.
        folder = isolated / f"news-{n}"
        if n != 4:
            articles(folder, f"day{n}")
        sources = [str(isolated / "news-3" if n == 4 else folder)]
        if n == 5:
            sources.append("gone.txt")  # a source that fails: a partial day, exit 3
        daily = run_cli("daily", *sources, "--date", day.isoformat(), "--format", "json")
        assert daily.returncode == (3 if n == 5 else 0), daily.stderr

        at[0] = datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ)
        article = isolated / f"article-{n}.txt"
        article.write_text(SAMPLE.read_text() + f"\nBuilt on day {n}.\n", encoding="utf-8")
        if n == 2:  # the model refuses: exit 4, and the refusal's tokens are billed
            model.script(Reply.refusal("I cannot help", prompt_tokens=300, completion_tokens=5))
        build = run_cli("build", str(article), "-o", f"b{n}.json")
        assert build.returncode == (4 if n == 2 else 0), build.stderr

    listed = run_cli("log", "list", "-n", "50")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:6] == ["ID", "STARTED", "COMMAND", "OUTCOME", "MODEL", "BRIEFINGS"]
    rows = lines[1:-1]
    assert len(rows) == 14
    assert [r.split()[3] for r in rows] == ["daily", "build"] * 7
    assert rows[0].split()[1:3] == [days[0].isoformat(), "05:30"]
    assert rows[-1].split()[1:3] == [days[6].isoformat(), "09:00"]
    # A day's digest: two briefings made now and the summary; tokens, cost, the file.
    assert rows[0].split()[4:13] == [
        "ok", "gpt-5-mini", "2", "new", "10/10", "2,400", "400", "1,100", "$0.00271",
    ]  # fmt: skip
    assert rows[0].endswith(f"/output/briefing-{days[0]}.json")
    assert rows[1].split()[4:12] == [
        "ok", "gpt-5-mini", "1", "new", "5/5", "1,000", "200", "500", "$0.0012",
    ][:8]  # fmt: skip
    # The refused build: its exit code and error, and the refusal's tokens and their cost.
    assert rows[5].split()[4:11] == ["failed", "(4)", "gpt-5-mini", "—", "—", "300", "—"]
    assert rows[5].split()[11:13] == ["5", "$0.000085"]
    assert rows[5].endswith("Error: the model refused to brief this article: I cannot help")
    # Day 4: a cache hit for every briefing and the summary, nothing spent.
    assert rows[8].split()[4:13] == [
        "ok", "gpt-5-mini", "2", "cached", "10/10", "0", "—", "0", "$0",
    ]  # fmt: skip
    # Day 5: partial, with the failed source counted.
    assert rows[10].split()[4:12] == [
        "partial", "(3)", "gpt-5-mini", "2", "new,", "1", "failed", "10/10",
    ]  # fmt: skip
    assert lines[-1] == (
        "total: 14 runs (12 ok, 1 partial, 1 failed); 25 model requests, 20,700 tokens in "
        "(3,600 cached), 9,605 out; cost $0.0236 (briefing's prices are of 2025-08-07; the "
        "config file's [prices] override them)"
    )

    data = log_json(run_cli, "-n", "50")
    runs = data["runs"]
    assert data["prices_date"] == "2025-08-07"
    assert data["totals"] == {
        "runs": 14,
        "outcomes": {"ok": 12, "partial": 1, "failed": 1},
        "requests": 25,
        "usage": {"prompt_tokens": 20700, "completion_tokens": 9605, "cached_tokens": 3600},
        "cost_usd": pytest.approx(6 * DAY_COST + 6 * BRIEFING_COST + (300 * 0.25 + 10) / 1e6),
        "runs_of_unknown_cost": 0,
    }
    assert runs[0]["started_at"] == f"{days[0]}T05:30:00+01:00"
    assert runs[0]["cost"] == {"usd": pytest.approx(DAY_COST), "basis": SHIPPED}
    assert runs[1]["usage"] == {
        "prompt_tokens": 1000,
        "completion_tokens": 500,
        "cached_tokens": 200,
    }
    assert runs[1]["sources"] == [str(isolated / "article-0.txt")]
    assert runs[1]["endpoint"] == f"127.0.0.1:{model.port}"
    assert runs[1]["prompt"].startswith("briefing@v")
    assert runs[1]["items_supported"] <= runs[1]["items_total"]
    assert runs[10]["sources"] == [str(isolated / "news-5"), "gone.txt"]
    assert (runs[10]["outcome"], runs[10]["exit_code"]) == ("partial", 3)
    assert runs[5]["output"] is None and runs[5]["error"].startswith("the model refused")

    # Filters: a day, an outcome, a model, a command.
    assert [r["command"] for r in log_json(run_cli, "--day", days[2].isoformat())["runs"]] == [
        "daily",
        "build",
    ]
    assert [r["id"] for r in log_json(run_cli, "--outcome", "failed")["runs"]] == [runs[5]["id"]]
    assert log_json(run_cli, "--model", "gpt-5-mini", "-n", "50")["totals"]["runs"] == 14
    assert log_json(run_cli, "--model", "gpt-4o")["runs"] == []
    assert len(log_json(run_cli, "--command", "daily", "-n", "3")["runs"]) == 3
    assert [r["id"] for r in log_json(run_cli, "-n", "2")["runs"]] == [r["id"] for r in runs[-2:]]

    # One run in full: day 4's briefings, each a cache hit, and the summary from the cache.
    shown = run_cli("log", "show", str(runs[8]["id"]))
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout.splitlines()
    assert out[0] == f"run {runs[8]['id']} · daily · {days[4]} 05:30:00+01:00 · ok"
    assert "tokens:    0 model requests, 0 tokens in, 0 out" in out
    assert "cost:      $0" in out
    statuses = [line.split()[1:3] for line in out[out.index("briefings:") + 2 :]]
    assert statuses == [["cache", "hit"]] * 3
    assert "Executive summary" in out[-1]
    full = json.loads(run_cli("log", "show", str(runs[0]["id"]), "--json").stdout)
    assert [(b["kind"], b["status"]) for b in full["briefings"]] == [
        ("article", "ok"),
        ("article", "ok"),
        ("summary", "ok"),
    ]
    assert full["briefings"][0]["usage"] == {
        "prompt_tokens": 1000,
        "completion_tokens": 500,
        "cached_tokens": 200,
    }
    assert full["briefings"][0]["cost_usd"] == pytest.approx(BRIEFING_COST)
    assert full["briefings"][0]["location"] == str(isolated / "news-0" / "0.txt")
    partial = json.loads(run_cli("log", "show", str(runs[10]["id"]), "--json").stdout)
    assert [b["status"] for b in partial["briefings"]] == ["ok", "ok", "failed", "ok"]
    assert partial["briefings"][2]["location"] == "gone.txt"


def test_the_digest_and_its_json_carry_the_runs_tokens_and_cost(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    articles(isolated / "news", "d")
    first = run_cli("daily", "news", "-o", "d.json", "-u")
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines()[-1] == (
        "briefing: usage: 3 model requests, 2,400 tokens in (400 cached), 1,100 out; cost "
        f"$0.00271 ({SHIPPED})"
    )
    prov = json.loads((isolated / "d.json").read_text())["provenance"]
    assert prov["run_usage"] == {
        "prompt_tokens": 2400,
        "completion_tokens": 1100,
        "cached_tokens": 400,
    }
    assert prov["cost"] == {"usd": pytest.approx(DAY_COST), "basis": SHIPPED}
    briefing = json.loads((isolated / "d.json").read_text())["briefings"][0]["provenance"]
    assert briefing["usage"]["cached_tokens"] == 200
    assert briefing["cost"] == {"usd": pytest.approx(BRIEFING_COST), "basis": SHIPPED}

    again = run_cli("daily", "news", "-o", "d.html", "-u")  # all from the cache
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == (
        "briefing: usage: 0 model requests, 0 tokens in, 0 out; cost $0"
    )
    html = (isolated / "d.html").read_text(encoding="utf-8")
    assert (
        '<tr><th scope="row">Tokens and cost</th><td>0 tokens in, 0 out · cost $0</td></tr>' in html
    )


def test_usage_line_of_a_build(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "b.json", "-u", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "briefing: usage: 1 model request, 1,000 tokens in (200 cached), 500 out; "
        f"cost $0.0012 ({SHIPPED})\n"
    )


def test_unknown_model_shows_tokens_and_cost_unknown_until_priced(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MODEL", "llama3.1")
    result = run_cli("build", str(SAMPLE), "-o", "b.json", "-u", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "briefing: usage: 1 model request, 1,000 tokens in (200 cached), 500 out; cost unknown "
        "(no price for llama3.1: give it one under [prices] in the config file)\n"
    )
    assert json.loads((isolated / "b.json").read_text())["provenance"]["cost"] is None
    config = isolated / "prices.toml"
    config.write_text('[prices."llama3.1"]\ninput = 0\noutput = 0\n', encoding="utf-8")
    priced = run_cli("build", str(SAMPLE), "-o", "c.json", "-u", "-q", "--config", str(config))
    assert priced.stderr.endswith("500 out; cost $0 (prices from the config file)\n")
    listed = run_cli("log", "list")
    assert listed.stdout.splitlines()[-1].startswith(
        "total: 2 runs (2 ok); 2 model requests, 2,000 tokens in (400 cached), 1,000 out; "
        "cost $0 + 1 run of unknown cost ("
    )


def test_offline_runs_and_input_failures_are_recorded(run_cli: RunCli, isolated: Path) -> None:
    ok = run_cli("build", str(SAMPLE), "-o", "a.json", "--summariser", "offline", "-u")
    assert ok.returncode == 0, ok.stderr
    assert "briefing: usage: no model requests (offline summariser); cost $0\n" in ok.stderr
    missing = run_cli("build", "missing.txt", "--summariser", "offline")
    assert missing.returncode == 2
    data = log_json(run_cli)["runs"]
    assert [(r["summariser"], r["model"], r["outcome"], r["exit_code"]) for r in data] == [
        ("offline", None, "ok", 0),
        ("offline", None, "failed", 2),
    ]
    assert data[1]["error"] == "no such file: missing.txt"
    assert data[1]["output"] is None
    assert data[0]["output"] == str(isolated / "a.json")
    assert data[0]["items_total"] >= data[0]["items_supported"] > 0


def test_eval_runs_are_recorded(run_cli: RunCli, isolated: Path) -> None:
    dataset = isolated / "set.jsonl"
    text = SAMPLE.read_text(encoding="utf-8")
    items = [
        {"id": f"a{n}", "text": f"{text}\nItem {n}.", "reference": "A summary."} for n in (0, 1)
    ]
    dataset.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    result = run_cli("eval", str(dataset), "--summariser", "offline", "-u")
    assert result.returncode == 0, result.stderr
    (run,) = log_json(run_cli)["runs"]
    assert (run["command"], run["sources"], run["outcome"]) == ("eval", [str(dataset)], "ok")
    shown = json.loads(run_cli("log", "show", str(run["id"]), "--json").stdout)
    assert [b["location"] for b in shown["briefings"]] == ["a0", "a1"]


def test_no_history_by_flag_variable_or_config(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = history_path(Path.home() / ".cache" / "briefing")
    base = ("build", str(SAMPLE), "-o", "a.json", "--summariser", "offline")
    assert run_cli(*base, "--no-history").returncode == 0
    config = isolated / "c.toml"
    config.write_text("history = false\n", encoding="utf-8")
    assert run_cli(*base, "--config", str(config)).returncode == 0
    monkeypatch.setenv("BRIEFING_HISTORY", "0")
    assert run_cli(*base).returncode == 0
    assert run_cli("build", "missing.txt", "--summariser", "offline").returncode == 2
    assert not path.exists()
    monkeypatch.delenv("BRIEFING_HISTORY")
    assert run_cli(*base).returncode == 0
    assert len(read_runs(path)) == 1


def test_a_corrupt_history_is_moved_aside_and_the_run_goes_on(
    run_cli: RunCli, isolated: Path
) -> None:
    path = history_path(Path("cache"))  # as --cache-dir gives it, and messages say it
    path.parent.mkdir()
    path.write_bytes(b"not a database " * 100)
    folder = articles(isolated / "news", "c")
    result = run_cli("daily", str(folder), "--summariser", "offline", "--cache-dir", "cache")
    assert result.returncode == 0, result.stderr
    (aside,) = path.parent.glob("history.sqlite3.bad-*")
    assert f"briefing: history file {path} is corrupt (file is not a database): moved it to " in (
        result.stderr
    )
    assert str(aside) in result.stderr
    assert [r.command for r in read_runs(path)] == ["daily"]


def test_an_unusable_history_location_is_a_warning_not_a_failure(
    run_cli: RunCli, isolated: Path
) -> None:
    (isolated / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    folder = articles(isolated / "news", "u")
    result = run_cli(
        "daily", str(folder), "--summariser", "offline", "--cache-dir", "blocker/cache"
    )
    assert result.returncode == 0, result.stderr
    assert (
        "briefing: history blocker/cache/history.sqlite3: could not record this run, going "
        "on: cannot create blocker/cache: Not a directory\n" in result.stderr
    )
    assert (isolated / "output").is_dir()  # the digest was written all the same


def test_key_credentials_and_article_text_are_never_stored(
    run_cli: RunCli, isolated: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.default = Reply.fill()
    use_model_server(monkeypatch, openai_server, KEY, require_key=False)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url.replace("http://", "http://u:p@"))
    assert run_cli("build", str(SAMPLE), "-o", "k.json").returncode == 0
    openai_server.require_key = "another-key"  # a 401 whose message could echo the key
    assert run_cli("build", str(SAMPLE), "-o", "k2.json").returncode == 4
    folder = Path.home() / ".cache" / "briefing"
    stored = b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("history"))
    assert stored
    assert KEY.encode() not in stored and b"u:p@" not in stored
    body = "Military planners described the action as precise and limited"
    assert body in SAMPLE.read_text(encoding="utf-8")
    assert body.encode() not in stored  # the article's text: only its title is kept
    (run, failed) = read_runs(history_path(folder))
    assert run.endpoint == f"127.0.0.1:{openai_server.port}"
    assert failed.error == (
        f"the API at 127.0.0.1:{openai_server.port} rejected the key (401): check OPENAI_API_KEY"
    )


def record(started_at: datetime, **fields: Any) -> RunRecord:
    """A run as the CLI records it, at a chosen time."""
    defaults: dict[str, Any] = {"command": "build", "sources": ("a.txt",), "exit_code": 0}
    return RunRecord(started_at=started_at, **(defaults | fields))


def test_prune_by_keep_days_and_by_the_default_retention(run_cli: RunCli, isolated: Path) -> None:
    path = history_path(isolated / "cache")
    now = datetime.now(TZ)
    for days in (100, 40, 10):
        assert record_run(record(now - timedelta(days=days)), path) is not None
    result = run_cli("log", "prune", "--keep-days", "30", "--cache-dir", "cache")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "removed 2 runs older than 30 days\n"
    assert [r.started_at for r in read_runs(path)] == [
        (now - timedelta(days=10)).replace(microsecond=0)
    ]
    # Recording a run prunes by the retention in force: 90 days by default.
    record_run(record(now - timedelta(days=95)), path)
    assert len(read_runs(path)) == 2
    run_cli("build", str(SAMPLE), "-o", "a.json", "--summariser", "offline")  # not this cache
    record_run(record(now), path, keep_days=90)
    assert len(read_runs(path)) == 2  # the 95-day-old run is gone
    assert run_cli("log", "prune", "--cache-dir", "cache").stdout == (
        "removed 0 runs older than 90 days\n"
    )


def test_log_show_of_no_such_run_and_an_empty_log(run_cli: RunCli, isolated: Path) -> None:
    path = history_path(Path("c"))
    empty = run_cli("log", "--cache-dir", "c")  # `briefing log` alone is `log list`
    assert (empty.returncode, empty.stdout) == (0, f"no runs recorded in {path} match\n")
    missing = run_cli("log", "show", "99", "--cache-dir", "c")
    assert (missing.returncode, missing.stderr) == (2, f"Error: no run 99 in {path}\n")
    record_run(record(datetime.now(TZ), usage=Usage(prompt_tokens=7)), path)
    short = run_cli("log", "-n", "1", "--cache-dir", "c")
    assert short.stdout.splitlines()[-1].startswith("total: 1 run (1 ok); 0 model requests, 7")


def test_runs_recorded_at_once_from_many_threads(isolated: Path) -> None:
    path = history_path(isolated / "cache")
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                assert record_run(record(datetime.now(TZ), sources=(f"{n}-{k}",)), path)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(read_runs(path, limit=100)) == 30
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert read_run(path, 30) is not None and read_run(path, 31) is None


def test_an_internal_error_is_recorded_as_one_line(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("briefing.pipeline.render_document", broken)
    result = run_cli("build", str(SAMPLE), "--summariser", "offline")
    assert result.returncode == 1
    (run,) = log_json(run_cli)["runs"]
    assert (run["exit_code"], run["error"]) == (1, "internal error: RuntimeError: boom second line")


def test_sources_are_kept_without_credentials_or_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    run = recorder_module.RunRecorder(
        "daily", ["https://u:p@example.org/a", f"--feed https://x.org/rss?key={KEY}"]
    )
    kept = run.record(2, f"failed with {KEY}")
    assert kept.sources == ("https://example.org/a", "--feed https://x.org/rss?key=[key]")
    assert kept.error == "failed with [key]"
