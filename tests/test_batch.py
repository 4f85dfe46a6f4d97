"""``briefing daily --batch``: the day's briefing requests as one OpenAI Batch job, against
the test server's Files and Batches endpoints (``tests/batch_server.py``), through the SDK.

Each state of a batch is scripted by the test (``BatchAPI.move`` / ``BatchAPI.steps``);
the server counts the batches created, so a second submission cannot hide.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import openai
import pytest

from briefing import daily_batch
from briefing.model import Usage
from briefing.prices import Price, cost_of
from tests.batch_server import BatchAPI
from tests.conftest import REPO, RunCli, files_under
from tests.openai_server import FakeOpenAI, Reply
from tests.test_daily import answer, digest, make_folder

KEY = "sk-test-batch-key"
DAILY = ("daily", "--from-dir", "in", "-o", "d.json", "--cache-dir", "cache", "--batch")
PENDING = re.compile(
    r"Error: batch (batch_[0-9a-f]+) is (\w+) \((\d+) of (\d+) briefing requests done, submitted "
    r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\): nothing written; run the same command again once it has "
    r"finished \(by \d{4}-\d\d-\d\d \d\d:\d\d UTC\), or wait for it with --batch-wait SECONDS\n"
)


@pytest.fixture
def model(llm: FakeOpenAI) -> FakeOpenAI:
    llm.default = Reply.dynamic(answer)
    return llm


def api(server: FakeOpenAI) -> BatchAPI:
    return server.batch_api


def briefing_requests(server: FakeOpenAI) -> int:
    """Chat requests sent directly under the briefing prompt (not merges, not the summary)."""
    return sum(
        "briefing on one news article" in r.body["messages"][0]["content"]
        for r in server.chat_requests
    )


def submit(run_cli: RunCli, server: FakeOpenAI, *extra: str) -> str:
    """The first run: submits the batch, exits 75; the id of the batch."""
    result = run_cli(*DAILY, *extra)
    assert result.returncode == 75, result.stderr
    match = PENDING.fullmatch(result.stderr)
    assert match, result.stderr
    assert api(server).created == 1
    return match.group(1)


def test_submit_exits_75_and_writes_nothing(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 2)
    (isolated / "d.json").write_text("yesterday", encoding="utf-8")
    batch_id = submit(run_cli, model)
    assert (isolated / "d.json").read_text(encoding="utf-8") == "yesterday"
    assert model.chat_calls == 0
    batch = api(model).only()
    assert batch.id == batch_id and batch.status == "validating"
    assert batch.endpoint == "/v1/chat/completions"
    assert batch.metadata is not None and re.fullmatch(
        r"[0-9a-f]{64}", batch.metadata["briefing_run"]
    )
    upload = model.batch_api.files[batch.input_file_id]
    assert upload.purpose == "batch"
    lines = batch.lines
    assert len(lines) == 2
    # custom_id: the sha256 of each article; the body: what a direct request sends.
    direct_keys = {"model", "messages", "response_format", "max_tokens", "temperature"}
    for line in lines:
        assert re.fullmatch(r"[0-9a-f]{64}", line["custom_id"])
        assert set(line["body"]) == direct_keys
        assert line["body"]["response_format"]["json_schema"]["strict"] is True
    # A second run while it runs: exit 75 again, no second batch, nothing sent.
    api(model).move(batch_id, "in_progress")
    again = run_cli(*DAILY)
    assert again.returncode == 75
    match = PENDING.fullmatch(again.stderr)
    assert match and match.group(1) == batch_id and match.group(2) == "in_progress"
    assert api(model).created == 1 and model.chat_calls == 0
    assert (isolated / "d.json").read_text(encoding="utf-8") == "yesterday"


def test_completed_batch_is_collected_cached_and_costs_half(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model)
    api(model).move(batch_id, "in_progress")
    api(model).move(batch_id, "completed")
    result = run_cli(*DAILY, "-u")
    assert result.returncode == 0, result.stderr
    data = digest(isolated / "d.json")
    assert [s["status"] for s in data["sources"]] == ["ok", "ok"]
    assert briefing_requests(model) == 0  # both answers came from the batch
    assert api(model).created == 1
    for briefing in data["briefings"]:
        usage = briefing["provenance"]["usage"]
        assert usage["batch"] == {"prompt_tokens": 10, "completion_tokens": 20}
    # -u: the batch's tokens named, and priced at half (gpt-test has no price: unknown).
    assert "(20 in and 40 out by batch)" in result.stderr
    # A third run asks nothing: the answers are cached and the batch is collected.
    before = len(model.requests)
    third = run_cli(*DAILY)
    assert third.returncode == 0, third.stderr
    assert len(model.requests) == before


def test_validating_batch_waits(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 1)
    batch_id = submit(run_cli, model)
    again = run_cli(*DAILY)
    match = PENDING.fullmatch(again.stderr)
    assert again.returncode == 75 and match, again.stderr
    assert (match.group(1), match.group(2), match.group(3), match.group(4)) == (
        batch_id,
        "validating",
        "0",
        "1",
    )
    assert not (isolated / "d.json").exists()


def test_failed_batch_is_briefed_directly(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model)
    api(model).move(batch_id, "failed")
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    assert [s["status"] for s in digest(isolated / "d.json")["sources"]] == ["ok", "ok"]
    assert briefing_requests(model) == 2
    assert api(model).created == 1


def test_expired_batch_uses_what_it_answered(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 3)
    batch_id = submit(run_cli, model)
    api(model).move(batch_id, "in_progress")
    api(model).move(batch_id, "expired", ran=1)
    batch = api(model).only()
    errors = model.batch_api.files[batch.error_file_id or ""].data.decode().splitlines()
    assert [json.loads(e)["error"]["code"] for e in errors] == ["batch_expired"] * 2
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    data = digest(isolated / "d.json")
    assert [s["status"] for s in data["sources"]] == ["ok", "ok", "ok"]
    assert briefing_requests(model) == 2  # the two that expired, briefed directly
    batched = [b for b in data["briefings"] if "batch" in b["provenance"]["usage"]]
    assert len(batched) == 1


def test_partial_error_file(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model)
    api(model).line_errors = {1: (500, "The server had an error processing your request.")}
    api(model).move(batch_id, "completed")
    batch = api(model).only()
    assert (batch.completed, batch.failed) == (1, 1)
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    assert briefing_requests(model) == 1
    failed_line = batch.lines[1]
    direct = next(
        r
        for r in model.chat_requests
        if "briefing on one news article" in r.body["messages"][0]["content"]
    )
    # The same request, made afresh (a fresh random delimiter): the same article and prompt.
    assert (
        direct.body["messages"][0]["content"][:80]
        == failed_line["body"]["messages"][0]["content"][:80]
    )


def test_cancelled_batch(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model)
    client = openai.OpenAI(base_url=model.url, api_key=KEY, max_retries=0)
    assert client.batches.cancel(batch_id).status == "cancelling"
    pending = run_cli(*DAILY)
    assert pending.returncode == 75 and "is cancelling" in pending.stderr
    api(model).move(batch_id, "cancelled", ran=1)
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    assert briefing_requests(model) == 1
    assert api(model).created == 1


def test_an_answer_that_breaks_the_schema_gets_one_direct_repair(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 1)
    batch_id = submit(run_cli, model)
    model.script(Reply.chat("{not json", breaks_schema="the batch's broken answer"))
    api(model).move(batch_id, "completed")
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    [repair] = [r for r in model.chat_requests if len(r.body["messages"]) == 4]
    line = api(model).only().lines[0]
    assert repair.body["messages"][:2] == line["body"]["messages"]  # the batch's own request
    assert repair.body["messages"][2] == {"role": "assistant", "content": "{not json"}
    assert briefing_requests(model) == 1  # the repair, nothing else
    usage = digest(isolated / "d.json")["briefings"][0]["provenance"]["usage"]
    assert usage["batch"] == {"prompt_tokens": 10, "completion_tokens": 20}
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (20, 40)


def test_batch_wait_polls_to_completion(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(daily_batch, "POLL_SECONDS", 0.01)
    make_folder(isolated / "in", 2)
    api(model).steps = ["in_progress", "in_progress", "finalizing", "completed"]
    result = run_cli(*DAILY[:-1], "--batch-wait", "3600")
    assert result.returncode == 0, result.stderr
    assert api(model).retrievals == 4  # one look per poll, until completed
    assert briefing_requests(model) == 0
    assert [s["status"] for s in digest(isolated / "d.json")["sources"]] == ["ok", "ok"]


def test_batch_wait_gives_up_with_75(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(daily_batch, "POLL_SECONDS", 10.0)
    make_folder(isolated / "in", 1)
    result = run_cli(*DAILY, "--batch-wait", "5")  # less than one poll: no look
    assert result.returncode == 75 and PENDING.fullmatch(result.stderr), result.stderr
    assert api(model).retrievals == 0


def test_batch_needs_the_openai_summariser(run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 1)
    result = run_cli(*DAILY, "--summariser", "offline")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: --batch needs the openai summariser (the Batch API), not offline: set "
        "OPENAI_API_KEY or --summariser openai\n"
    )


def test_batch_tokens_cost_half() -> None:
    price = Price(input=1.0, output=2.0)  # per million tokens
    direct = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)
    batched = direct.model_copy(update={"batch": direct})
    assert cost_of("m", direct, {"m": price}).usd == 3.0  # type: ignore[union-attr]
    assert cost_of("m", batched, {"m": price}).usd == 1.5  # type: ignore[union-attr]
    # A batch answer and its direct repair: the batch half at half price, the repair in full.
    mixed = Usage(prompt_tokens=2_000_000, completion_tokens=2_000_000, batch=direct)
    assert cost_of("m", mixed, {"m": price}).usd == 4.5  # type: ignore[union-attr]


def test_killed_between_submit_and_record_resumes_the_same_batch(
    openai_server: FakeOpenAI, isolated: Path, briefing_exe: str
) -> None:
    make_folder(isolated / "in", 2)
    openai_server.default = Reply.dynamic(answer)
    batches = api(openai_server)
    batches.hold_create = 1  # the batch is created, its id never reaches the client
    env = dict(os.environ, OPENAI_BASE_URL=openai_server.url, OPENAI_API_KEY=KEY)
    env["BRIEFING_MODEL"] = "gpt-test"
    cmd = [briefing_exe, *DAILY]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert batches.create_received.wait(60), "the batch was never created"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert batches.created == 1
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 75, rerun.stderr
    match = PENDING.fullmatch(rerun.stderr)
    assert match and match.group(1) == batches.only().id, rerun.stderr
    batches.move(batches.only().id, "completed")
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert batches.created == 1  # exactly one batch, whatever the kill
    assert [s["status"] for s in digest(isolated / "d.json")["sources"]] == ["ok", "ok"]
    assert briefing_requests(openai_server) == 0
    assert [p.name for p in files_under(isolated) if p.suffix == ".tmp"] == []


def test_usage_and_log_show_batch_answers_at_half_price(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    config = isolated / "config.toml"
    config.write_text('[prices."gpt-test"]\ninput = 1.0\noutput = 2.0\n', encoding="utf-8")
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model, "--config", str(config))
    api(model).move(batch_id, "completed")
    result = run_cli(*DAILY, "--config", str(config), "-u")
    assert result.returncode == 0, result.stderr
    # Two batch answers (10 in, 20 out each) at half price, the day's summary (10, 20) direct:
    # (20 * 1 + 40 * 2) / 1e6 / 2 + (10 * 1 + 20 * 2) / 1e6 = $0.0001 (not $0.00015).
    assert result.stderr.splitlines()[-1] == (
        "briefing: usage: 3 model requests, 30 tokens in, 60 out (20 in and 40 out by batch); "
        "cost $0.0001 (prices from the config file)"
    )
    logged = run_cli("log", "list", "--json", "--cache-dir", "cache")
    runs = json.loads(logged.stdout)["runs"]
    assert [r["exit_code"] for r in runs] == [75, 0]
    assert runs[-1]["cost"] == {
        "usd": pytest.approx(0.0001),
        "basis": "prices from the config file",
    }


def test_the_morning_run_collects_the_evening_batch(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 2)
    evening = ("daily", "--from-dir", "in", "--cache-dir", "cache", "--format", "json")
    first = run_cli(*evening, "--date", "2026-11-30", "--batch")
    assert first.returncode == 75 and PENDING.fullmatch(first.stderr), first.stderr
    api(model).move(api(model).only().id, "completed")
    morning = run_cli(*evening, "--date", "2026-12-01", "--batch")
    assert morning.returncode == 0, morning.stderr
    assert api(model).created == 1 and briefing_requests(model) == 0
    written = digest(isolated / "output" / "briefing-2026-12-01.json")
    assert written["day"] == "2026-12-01"
    assert not (isolated / "output" / "briefing-2026-11-30.json").exists()


def test_readme_batch_crontab_under_cron_conditions(
    openai_server: FakeOpenAI, tmp_path: Path, briefing_exe: str
) -> None:
    """The README's two-line batch crontab, run as cron would (env -i, no TTY, no stdin)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```crontab\n(.*?)```", readme, re.S)
    [block] = [b for b in blocks if "--batch" in b]
    evening, morning = block.strip().splitlines()
    assert evening.split(" ", 5)[:5] == ["0", "21", "*", "*", "*"]
    assert morning.split(" ", 5)[:5] == ["30", "5", "*", "*", "*"]
    news, briefs = tmp_path / "news", tmp_path / "briefs"
    make_folder(news, 2)
    briefs.mkdir()
    openai_server.default = Reply.dynamic(answer)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OPENAI_API_KEY": "sk-cron",
        "OPENAI_BASE_URL": openai_server.url,
    }

    def cron(line: str) -> subprocess.CompletedProcess[str]:
        command = (
            line.split(" ", 5)[5]
            .replace("/opt/briefing/.venv/bin/briefing", briefing_exe)
            .replace("/srv/news/today", str(news))
            .replace("/srv/briefs", str(briefs))
        )
        return subprocess.run(
            ["/bin/sh", "-c", command],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )

    submitted = cron(evening)
    assert submitted.returncode == 75
    assert PENDING.fullmatch(submitted.stderr), submitted.stderr  # -q: the error line only
    assert list(briefs.glob("output/*.pdf")) == []  # nothing written
    api(openai_server).move(api(openai_server).only().id, "completed")
    collected = cron(morning)
    assert collected.returncode == 0, collected.stderr
    assert (collected.stdout, collected.stderr) == ("", "")
    written = briefs / "output" / f"briefing-{date.today().isoformat()}.pdf"
    assert written.read_bytes().startswith(b"%PDF-")
    assert api(openai_server).created == 1 and briefing_requests(openai_server) == 0


def test_a_cache_file_from_before_batches_gains_the_table(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    """A format-1 cache file without the ``batches`` table keeps its entries and records the
    batch (CREATE TABLE IF NOT EXISTS on open: no new format, nothing moved aside)."""
    make_folder(isolated / "in", 1)
    (isolated / "cache").mkdir()
    old = sqlite3.connect(isolated / "cache" / "briefings.sqlite3")
    old.executescript(
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO meta VALUES ('format', '1');"
        "CREATE TABLE briefings (key TEXT PRIMARY KEY, created_at TEXT NOT NULL, summariser "
        "TEXT NOT NULL, model TEXT, prompt TEXT, article_sha256 TEXT NOT NULL, briefing TEXT "
        "NOT NULL);"
        "INSERT INTO briefings VALUES ('k', '2026-01-01', 'offline', NULL, NULL, 's', '{}');"
    )
    old.close()
    batch_id = submit(run_cli, model)
    kept = sqlite3.connect(isolated / "cache" / "briefings.sqlite3")
    assert kept.execute("SELECT key FROM briefings").fetchall() == [("k",)]
    assert kept.execute("SELECT batch_id, state FROM batches").fetchall() == [
        (batch_id, "submitted")
    ]
    kept.close()
    assert sorted(p.name for p in (isolated / "cache").iterdir() if ".bad" in p.name) == []


def test_an_article_too_long_for_one_request_is_briefed_directly(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    folder = make_folder(isolated / "in", 2)
    long = folder / "01-sahel-aid.html"
    long.write_text(long.read_text(encoding="utf-8").replace("</article>", "") * 4 + "</article>")
    tokens = ("--max-input-tokens", "2600")
    batch_id = submit(run_cli, model, *tokens)
    assert len(api(model).only().lines) == 1  # the short one only
    api(model).move(batch_id, "completed")
    result = run_cli(*DAILY, *tokens)
    assert result.returncode == 0, result.stderr
    data = digest(isolated / "d.json")
    assert [s["status"] for s in data["sources"]] == ["ok", "ok"]
    split = [b["provenance"].get("split") for b in data["briefings"]]
    assert split[0] is None and split[1]["chunks"] >= 2
    assert briefing_requests(model) == split[1]["chunks"]  # its parts, sent directly


def test_a_batch_the_api_no_longer_knows_is_briefed_directly(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    make_folder(isolated / "in", 2)
    batch_id = submit(run_cli, model)
    del api(model).batches[batch_id]  # deleted, or another account's key now
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    host = model.url.split("/")[2]
    assert (
        f"cannot retrieve batch {batch_id}: the API at {host} does not know it (404); "
        "briefing its articles directly\n"
    ) in result.stderr
    assert briefing_requests(model) == 2
    again = run_cli(*DAILY)  # the job is closed: no second look, no new batch
    assert again.returncode == 0 and api(model).created == 0


@pytest.mark.parametrize("limit", ["requests", "bytes"])
def test_articles_past_one_batch_file_are_briefed_directly(
    model: FakeOpenAI,
    run_cli: RunCli,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
) -> None:
    """One batch file holds at most 50,000 requests and 200 MB (the API refuses more): the
    articles past that are briefed directly, never a batch the API would fail."""
    from briefing.summarisers.openai import batch as batch_module

    make_folder(isolated / "in", 3)
    server = api(model)
    if limit == "requests":
        server.max_requests = 2
        monkeypatch.setattr(batch_module, "MAX_BATCH_REQUESTS", 2)
    else:  # room for the first two lines exactly (a probe run, elsewhere, measures them)
        probe = run_cli(*DAILY[:3], "-o", "probe.json", "--cache-dir", "probe", "--batch")
        assert probe.returncode == 75, probe.stderr
        lines = server.input_lines(next(iter(server.batches.values())))
        sizes = [len(json.dumps(x, separators=(",", ":"), ensure_ascii=False)) + 1 for x in lines]
        server.max_bytes = sizes[0] + sizes[1]
        monkeypatch.setattr(batch_module, "MAX_BATCH_BYTES", sizes[0] + sizes[1])
    result = run_cli(*DAILY)
    assert result.returncode == 75, result.stderr
    batch = list(server.batches.values())[-1]
    assert len(server.input_lines(batch)) == 2
    server.move(batch.id, "completed")
    result = run_cli(*DAILY)
    assert result.returncode == 0, result.stderr
    assert [s["status"] for s in digest(isolated / "d.json")["sources"]] == ["ok"] * 3
    assert briefing_requests(model) == 1  # the third article, directly
    assert batch.status == "completed" and not batch.errors


def test_the_server_fails_a_batch_past_its_limits(model: FakeOpenAI) -> None:
    server = api(model)
    server.max_requests = 1
    client = openai.OpenAI(api_key=KEY, base_url=model.url, max_retries=0)
    line = {"method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-test"}}
    data = "".join(json.dumps({"custom_id": str(i), **line}) + "\n" for i in range(2))
    upload = client.files.create(file=("b.jsonl", data.encode(), "application/jsonl"),
                                 purpose="batch")  # fmt: skip
    created = client.batches.create(
        input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    server.move(created.id, "failed")
    batch = client.batches.retrieve(created.id)
    assert batch.status == "failed" and batch.errors is not None and batch.errors.data
    assert batch.errors.data[0].code == "too_many_requests"
    server.max_bytes = 10
    with pytest.raises(openai.BadRequestError, match="File exceeds the maximum size of 10 bytes"):
        client.files.create(file=("b.jsonl", data.encode(), "application/jsonl"), purpose="batch")
