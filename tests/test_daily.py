"""`briefing daily` end to end: folders, URL lists and feeds from local servers, the model
server, partial failure, the lock, the cache and cron behaviour."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from briefing.output import run_lock
from tests.conftest import EXAMPLES, RunCli, files_under
from tests.openai_server import FakeOpenAI, Reply
from tests.test_openai_summariser import KEY
from tests.web_server import WebServer, web_server_fixture  # noqa: F401

ARTICLES = [p for p in sorted(EXAMPLES.iterdir()) if p.name != "README.md"]


def make_folder(folder: Path, count: int) -> Path:
    """``count`` distinct articles (each example with a numbered closing sentence)."""
    folder.mkdir()
    for n in range(count):
        src = ARTICLES[n % len(ARTICLES)]
        text = src.read_text(encoding="utf-8")
        if src.suffix == ".html":
            text = text.replace("</article>", f"<p>Dispatch number {n} closes here.</p></article>")
        else:
            text = text.rstrip() + f"\n\nDispatch number {n} closes here.\n"
        (folder / f"{n:02d}-{src.name}").write_text(text, encoding="utf-8")
    return folder


def digest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def statuses(data: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {s["location"]: (s["status"], s["reason"]) for s in data["sources"]}


@pytest.fixture
def model(llm: FakeOpenAI) -> FakeOpenAI:
    llm.default = Reply.dynamic(answer)
    return llm


def answer(body: dict[str, Any], delay: float = 0.0) -> Reply:
    """A briefing draft, or the day's summary when asked under the digest prompt."""
    if "executive summary" in body["messages"][0]["content"]:
        points = [{"text": "A day of strikes and shortfalls.", "briefings": [1, 2]}]
        return Reply.json({"points": points}, delay=delay)
    return Reply.fill(delay=delay)  # an instance of the request's schema, from its article


def test_folder_offline_json(run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 4)
    result = run_cli(
        "daily",
        "--from-dir",
        "in",
        "--format",
        "json",
        "--date",
        "2026-11-26",
        "--summariser",
        "offline",
        "--cache-dir",
        "cache",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "output/briefing-2026-11-26.json\n"
    data = digest(isolated / "output/briefing-2026-11-26.json")
    assert data["day"] == "2026-11-26"
    assert len(data["briefings"]) == 4
    assert [s["status"] for s in data["sources"]] == ["ok"] * 4
    assert data["executive_summary"]
    # cron logging: one line per source (source | stage | outcome | ms) and a summary
    lines = result.stderr.strip().splitlines()
    assert sum(" | summarise | ok | " in line for line in lines) == 4
    assert lines[-1].startswith("briefing: wrote output/briefing-2026-11-26.json: 4 briefed")


def test_cron_run_folder_and_feed_then_zero_requests(
    model: FakeOpenAI, web_server: WebServer, isolated: Path, briefing_exe: str
) -> None:
    make_folder(isolated / "articles", 20)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
        "OPENAI_BASE_URL": model.url,
        "OPENAI_API_KEY": KEY,
        "BRIEFING_MODEL": "gpt-test",
    }
    cmd = [
        briefing_exe,
        "daily",
        "--from-dir",
        "articles",
        "--feed",
        web_server.url("/feed.rss"),
        "--allow-private",
        "--date",
        "2026-11-26",
        "--format",
        "json",
    ]
    first = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )
    assert first.returncode == 0, first.stderr
    data = digest(isolated / "output/briefing-2026-11-26.json")
    found = statuses(data)
    ok = [loc for loc, (s, _) in found.items() if s == "ok"]
    assert len(ok) == 22, found  # 20 files + 2 distinct articles from the feed
    # /article.txt serves the same text as /article: briefed once, the other a duplicate
    pair = sorted([found[web_server.url("/article")][0], found[web_server.url("/article.txt")][0]])
    assert pair == ["duplicate", "ok"]
    assert found[web_server.url("/article-2")] == ("ok", None)
    assert data["executive_summary"][0]["text"] == "A day of strikes and shortfalls."
    assert data["provenance"]["prompt"]["name"] == "digest"
    calls = model.chat_calls
    # The 20 files are the three examples, six or seven copies each: three stories, each
    # merged by the model (the feed's two articles are stories of their own).
    merged = [s for s in data["stories"] if len(s["sources"]) > 1]
    assert sorted(len(s["sources"]) for s in merged) == [6, 7, 7]
    assert calls == 22 + 3 + 1  # 22 briefings, 3 stories merged, one executive summary

    second = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )
    assert second.returncode == 0, second.stderr
    assert model.chat_calls == calls  # zero model requests: briefings and summary reused
    assert "22 from cache" in second.stderr


def test_feed_faults_are_reasons_in_the_appendix(
    web_server: WebServer, run_cli: RunCli, isolated: Path
) -> None:
    urls = isolated / "urls.txt"
    paths = ["/article", "/slow", "/big", "/image.png", "/loop", "/missing", "/short"]
    urls.write_text("# tonight\n" + "\n".join(web_server.url(p) for p in paths) + "\n")
    result = run_cli(
        "daily",
        "--urls",
        "urls.txt",
        "--feed",
        web_server.url("/feed-broken"),
        "--allow-private",
        "--fetch-timeout",
        "1",
        "--format",
        "json",
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "--no-cache",
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    found = statuses(digest(isolated / "d.json"))
    assert found[web_server.url("/article")] == ("ok", None)
    reasons = {p: found[web_server.url(p)][1] or "" for p in paths[1:]}
    assert "took longer than 1 s" in reasons["/slow"]
    assert "larger than" in reasons["/big"]
    assert "content type image/png is not an article" in reasons["/image.png"]
    assert "too many redirects" in reasons["/loop"]
    assert "HTTP 404" in reasons["/missing"]
    assert "too short to brief" in reasons["/short"]
    assert "not a valid RSS/Atom feed" in (found[web_server.url("/feed-broken")][1] or "")
    assert all(found[web_server.url(p)][0] == "failed" for p in paths[1:])


def test_private_addresses_refused_by_default(
    web_server: WebServer, run_cli: RunCli, isolated: Path
) -> None:
    result = run_cli(
        "daily",
        web_server.url("/article"),
        "--format",
        "json",
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "--no-cache",
    )
    assert result.returncode == 1
    assert "refused private address 127.0.0.1" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: nothing was summarised")
    assert not (isolated / "d.json").exists()


def test_nothing_briefed_keeps_yesterday(run_cli: RunCli, isolated: Path) -> None:
    out = isolated / "output" / "briefing-2026-11-26.pdf"
    out.parent.mkdir()
    out.write_bytes(b"yesterday")
    (isolated / "empty.txt").write_text("   ")
    result = run_cli(
        "daily", "empty.txt", "nope.txt", "--date", "2026-11-26", "--summariser", "offline"
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: nothing was summarised: 2 of 2 sources failed (first: empty.txt: empty.txt is "
        "empty: there is no article text to brief); no digest written"
    )
    assert out.read_bytes() == b"yesterday"


def test_duplicates_briefed_once(run_cli: RunCli, isolated: Path) -> None:
    sample = ARTICLES[-1]
    (isolated / "copy.txt").write_bytes(sample.read_bytes())
    result = run_cli(
        "daily",
        str(sample),
        "copy.txt",
        str(sample),
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    data = digest(isolated / "d.json")
    assert len(data["briefings"]) == 1
    assert [s["status"] for s in data["sources"]] == ["ok", "duplicate", "duplicate"]
    assert data["sources"][1]["reason"] == f"same text as {sample}"


def test_lock_held_exits_5(run_cli: RunCli, isolated: Path) -> None:
    target = isolated / "output" / "briefing-2026-11-26.json"
    with run_lock(Path("output/briefing-2026-11-26.json")):
        result = run_cli(
            "daily",
            str(ARTICLES[0]),
            "--date",
            "2026-11-26",
            "--format",
            "json",
            "--summariser",
            "offline",
        )
    assert result.returncode == 5
    assert result.stderr == (
        f"Error: another briefing run (pid {os.getpid()}) is writing "
        "output/briefing-2026-11-26.json; not starting a second\n"
    )
    assert not target.exists()


def test_unchanged_day_rewrites_nothing_unless_forced(run_cli: RunCli, isolated: Path) -> None:
    args = (
        "daily",
        str(ARTICLES[0]),
        "-o",
        "d.json",
        "--summariser",
        "offline",
        "--cache-dir",
        "cache",
    )
    assert run_cli(*args).returncode == 0
    out = isolated / "d.json"
    before = out.stat().st_mtime_ns
    time.sleep(0.05)
    again = run_cli(*args)
    assert again.returncode == 0
    assert "unchanged: d.json already holds this digest" in again.stderr
    assert out.stat().st_mtime_ns == before
    assert run_cli(*args, "--force").returncode == 0
    assert out.stat().st_mtime_ns > before


def test_model_faults_part_way(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    make_folder(isolated / "in", 3)
    model.script(Reply.fill(), *[Reply.error(500, "boom", headers={"retry-after-ms": "10"})] * 3)
    result = run_cli(
        "daily", "--from-dir", "in", "-o", "d.json", "--no-cache", "--concurrency", "1"
    )
    assert result.returncode == 3, result.stderr
    data = digest(isolated / "d.json")
    states = [s["status"] for s in data["sources"]]
    assert states.count("ok") == 2 and states.count("failed") == 1
    failed = next(s for s in data["sources"] if s["status"] == "failed")
    assert "failed with HTTP 500 after 3 attempts" in failed["reason"]


def test_sigkill_mid_run_then_rerun_completes(
    openai_server: FakeOpenAI, isolated: Path, briefing_exe: str
) -> None:
    make_folder(isolated / "in", 6)
    openai_server.default = Reply.dynamic(lambda body: answer(body, delay=0.6))
    env = dict(os.environ, OPENAI_BASE_URL=openai_server.url, OPENAI_API_KEY=KEY)
    cmd = [
        briefing_exe,
        "daily",
        "--from-dir",
        "in",
        "-o",
        "d.json",
        "--cache-dir",
        "cache",
        "--concurrency",
        "2",
        "-q",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while openai_server.chat_calls < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.7)  # some answers landed in the cache, others are in flight
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (isolated / "d.json").exists()
    assert [p.name for p in files_under(isolated) if p.suffix in (".json", ".tmp")] == []
    done_before = openai_server.chat_calls
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    data = digest(isolated / "d.json")
    assert len(data["briefings"]) == 6
    assert data["provenance"]["cache_hits"] >= 1
    new = [
        (
            len(r.body["messages"]),
            r.body["messages"][0]["content"][30:70],
            r.body["messages"][-1]["content"][-60:],
        )
        for r in openai_server.chat_requests[done_before:]
    ]
    # Three examples twice each: three stories merged by the model (killed before any merge).
    assert sum(len(s["sources"]) == 2 for s in data["stories"]) == 3
    made = 6 - data["provenance"]["cache_hits"] + 3 + 1  # briefings, merges, the summary
    assert openai_server.chat_calls - done_before == made, new


def test_tty_shows_a_progress_line_not_log_lines(isolated: Path, briefing_exe: str) -> None:
    import pty

    make_folder(isolated / "in", 3)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [
            briefing_exe,
            "daily",
            "--from-dir",
            "in",
            "-o",
            "d.json",
            "--summariser",
            "offline",
            "--no-cache",
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, shown
    assert out == b"d.json\n"
    assert "[####################] 3/3 · " in shown
    assert " | summarise | " not in shown  # per-source lines give way to the progress line


def test_cache_info_and_clear(run_cli: RunCli, isolated: Path) -> None:
    assert (
        run_cli(
            "daily",
            str(ARTICLES[0]),
            str(ARTICLES[1]),
            "-o",
            "d.json",
            "--summariser",
            "offline",
            "--cache-dir",
            "c",
            "-q",
        ).returncode
        == 0
    )
    info = run_cli("cache", "info", "--cache-dir", "c")
    assert info.returncode == 0
    lines = info.stdout.splitlines()
    assert lines[0] == f"path: {Path('c') / 'briefings.sqlite3'}"
    assert lines[1] == "entries: 2"
    cleared = run_cli("cache", "clear", "--cache-dir", "c")
    assert cleared.stdout == "removed 2 cached briefings\n"
    assert run_cli("cache", "info", "--cache-dir", "c").stdout.splitlines()[1] == "entries: 0"
