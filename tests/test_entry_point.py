"""The installed console script, and the in-process runner the other tests use instead of it.

Most tests call ``run_cli``, which runs the click command inside pytest's process (no start-up
cost). These cases run the same command both ways and require the same exit code, stdout and
stderr, byte for byte: so the entry point stays honest, and so does the in-process runner.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

import briefing
from tests.conftest import SAMPLE, Run, RunCli
from tests.openai_server import FakeOpenAI, Reply


def same(run_exe: RunCli, run_cli: RunCli, *args: str, input: bytes | None = None) -> Run:
    """Run ``args`` both ways, each in a fresh folder ("exe", then "in-process")."""
    here = Path.cwd()
    runs = []
    for name, run in (("exe", run_exe), ("in-process", run_cli)):
        (here / name).mkdir()
        os.chdir(here / name)
        try:
            runs.append(run(*args, input=input))
        finally:
            os.chdir(here)
    installed, in_process = runs
    assert in_process == installed, f"installed: {installed}\nin process: {in_process}"
    return installed


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--version",), 0),
        (("--help",), 0),
        (("build", "--help"), 0),
        (("build",), 2),  # usage error: one line naming --help
        (("build", "missing.txt"), 2),
        (("build", "--format", "docx", "x.txt"), 2),
        (("templates", "list"), 0),
        (("cache", "info", "--cache-dir", "c"), 0),
    ],
)
def test_same_answer_in_process_and_installed(
    args: tuple[str, ...], code: int, run_exe: RunCli, run_cli: RunCli
) -> None:
    assert same(run_exe, run_cli, *args).returncode == code


def test_build_from_stdin_logs_on_stderr(run_exe: RunCli, run_cli: RunCli, isolated: Path) -> None:
    """stdin, a file written, the offline notice through the "briefing" logger."""
    args = ("build", "-", "--format", "json", "-o", "b.json")
    result = same(run_exe, run_cli, *args, input=SAMPLE.read_bytes())
    assert result.returncode == 0
    assert result.stdout == "b.json\n"
    assert result.stderr.startswith("briefing: using the offline summariser")
    assert (isolated / "exe" / "b.json").is_file()
    assert (isolated / "in-process" / "b.json").is_file()


def test_model_failure_exit_code(
    openai_server: FakeOpenAI,
    run_exe: RunCli,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error from the model server: exit 4 and one line on stderr, either way."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-entry-point")
    openai_server.default = Reply.error(401, "bad key", code="invalid_api_key")
    result = same(run_exe, run_cli, "build", str(SAMPLE), "--format", "json", "-o", "b.json")
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1
    assert openai_server.chat_calls == 2  # one request per run, no retry of a 401


def test_in_process_runs_leave_the_process_as_they_found_it(
    run_cli: RunCli, isolated: Path
) -> None:
    """What a process exit would undo is undone after each in-process run: daily's -q and
    --log-file do not reach the next run, nor do the "briefing" logger's handlers remain."""
    logger = logging.getLogger(briefing.__name__)  # as imported: with its NullHandler
    before = (list(logger.handlers), logger.level, logger.propagate)
    environ = dict(os.environ)
    (isolated / "in").mkdir()
    shutil.copy(SAMPLE, isolated / "in")
    daily = ("daily", "--from-dir", "in", "--summariser", "offline", "--no-cache", "-o", "d.json")
    quiet = run_cli(*daily, "-q", "--log-file", "run.log")
    assert quiet.returncode == 0 and quiet.stderr == ""
    logged = (isolated / "run.log").read_text(encoding="utf-8")
    assert " | summarise | ok | " in logged
    assert (list(logger.handlers), logger.level, logger.propagate) == before
    assert dict(os.environ) == environ and Path.cwd() == isolated

    loud = run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json", "-v")
    assert loud.returncode == 0
    assert "briefing: wrote b.json (json, " in loud.stderr  # -v shows INFO lines again
    assert (isolated / "run.log").read_text(encoding="utf-8") == logged  # log file closed


def test_a_daily_run_leaves_no_logging_behind(isolated: Path) -> None:
    """Library use runs several commands in one process: a daily run's -q and --log-file
    must not silence or redirect the next command's log lines. (Plain CliRunner, not
    run_cli: run_cli restores the logger after each call and would hide the leak.)"""
    from click.testing import CliRunner

    from briefing.cli import main

    logger = logging.getLogger("briefing")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    try:
        runner = CliRunner()
        first = runner.invoke(
            main, ["daily", str(SAMPLE), "-o", "d.json", "-q", "--log-file", "day.log"]
        )
        assert first.exit_code == 0, first.output
        second = runner.invoke(main, ["build", str(SAMPLE), "-o", "b.json", "-v"])
        assert second.exit_code == 0, second.output
        assert "briefing: wrote " in second.stderr  # -v's summary line reaches stderr
        assert "wrote b.json" not in (isolated / "day.log").read_text()
    finally:
        for handler in logger.handlers:
            if handler not in saved[1]:
                handler.close()
        logger.setLevel(saved[0])
        logger.handlers[:] = saved[1]
        logger.propagate = saved[2]
