"""The README's quick start is exactly two commands, and CI runs the second one verbatim."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLES, REPO
from tests.openai_server import FakeOpenAI, Reply
from tests.web_server import WebServer, web_server_fixture  # noqa: F401


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quick_start_has_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    build, test = commands
    assert "pip install ." in build and "briefing build examples/syria-strike.txt" in build
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_documents_every_exit_code() -> None:
    from briefing import errors

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    for code in codes:
        assert re.search(rf"^\| {code} \|", readme, re.M), code


def test_crontab_line_works_under_cron_conditions(
    tmp_path: Path, briefing_exe: str, openai_server: FakeOpenAI, web_server: WebServer
) -> None:
    """The README's crontab line, run as cron would: env -i, no TTY, no stdin, paths swapped
    for test folders, the feed served locally (hence --allow-private) and a local model."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```crontab\n(.*?)```", readme, re.S)
    assert block is not None
    env_line, cron_line = block.group(1).strip().splitlines()
    schedule, command = cron_line.split(" ", 5)[:5], cron_line.split(" ", 5)[5]
    assert schedule == ["30", "5", "*", "*", "*"]
    assert env_line.startswith("OPENAI_API_KEY=")
    news, briefs = tmp_path / "news", tmp_path / "briefs"
    news.mkdir()
    briefs.mkdir()
    for example in EXAMPLES.iterdir():
        if example.name != "README.md":
            (news / example.name).write_bytes(example.read_bytes())
    command = (
        command.replace("/opt/briefing/.venv/bin/briefing", briefing_exe)
        .replace("/srv/news/today", str(news))
        .replace("/srv/briefs", str(briefs))
        .replace("https://example.org/world/rss", web_server.url("/feed.atom"))
        + " --allow-private"
    )
    openai_server.default = Reply.dynamic(_answer)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OPENAI_API_KEY": "sk-cron",
        "OPENAI_BASE_URL": openai_server.url,
    }
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")  # -q: nothing at all on success
    written = briefs / "output" / f"briefing-{date.today().isoformat()}.pdf"
    assert written.read_bytes().startswith(b"%PDF-")
    log = (briefs / "daily.log").read_text(encoding="utf-8")
    assert log.count(" | summarise | ok | ") == 5  # 3 files and 2 distinct feed articles
    first_requests = openai_server.chat_calls
    again = subprocess.run(
        ["/bin/sh", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert openai_server.chat_calls == first_requests  # zero model requests


def _answer(body: dict[str, Any]) -> Reply:
    from tests.test_daily import answer

    return answer(body)
