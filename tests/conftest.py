"""Shared fixtures: isolation from the user's real dirs, the command (in process and installed),
the test servers as the model, sample inputs."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from tests.openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SAMPLE = EXAMPLES / "syria-strike.txt"


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as a terminal sends it, whatever started the tests. A shell without job control
    (cron, `cmd &` in a script) starts background commands with SIGINT ignored, which Python
    and every child then keep: the tests of Ctrl-C (in process and in a child) would wait
    forever. Restored here, in each process running tests (xdist's workers too)."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run every test in an empty folder with its own home, cache and config dirs."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL", "BRIEFING_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    yield work


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def briefing_exe() -> str:
    """The console script installed by pip (tests must exercise what users run)."""
    candidate = Path(sys.executable).parent / "briefing"
    exe = str(candidate) if candidate.exists() else shutil.which("briefing")
    if not exe:
        pytest.fail("the 'briefing' console script is not installed: run pip install '.[test]'")
    return exe


RunCli = Callable[..., Run]


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``briefing ARGS`` in this process, in the current (isolated) folder.

    What a test sees is what the installed command gives (tests/test_entry_point.py compares
    the two): the exit code of ``sys.exit``, stdout and stderr apart, ``input`` as stdin, the
    test's ``os.environ`` and cwd. Process-wide state the command changes is put back after each
    call, as a process exit would: the "briefing" logger, os.environ, the cwd. An uncaught
    exception is a traceback on stderr and exit code 1, as Python gives. No browser is opened
    (``briefing.browser``, ``click.launch``). Use ``run_exe`` where a separate process is the
    point.
    """
    return run_in_process


@pytest.fixture
def run_exe(briefing_exe: str) -> RunCli:
    """Run the installed console script as a subprocess (same signature as ``run_cli``):
    for what only a separate process shows (start-up imports, the entry point itself)."""

    def run(*args: str, input: bytes | None = None, timeout: float = 120) -> Run:
        proc = subprocess.run(
            [briefing_exe, *args],
            input=input,
            capture_output=True,
            timeout=timeout,
            env=os.environ.copy(),
        )
        return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    return run


class CliTimeout(BaseException):
    """An in-process run outlived its ``timeout`` (a BaseException: no ``except Exception``
    in the code under test swallows it)."""


def run_in_process(*args: str, input: bytes | None = None, timeout: float = 120) -> Run:
    """``briefing ARGS`` through click's CliRunner, with the process state put back after."""
    from click.testing import CliRunner

    from briefing.cli import main

    environ = dict(os.environ)
    cwd = os.getcwd()
    logger = logging.getLogger("briefing")
    saved_logger = _LoggerState.of(logger)
    _LoggerState.fresh(logger).apply(logger)  # as in a new process: no CLI handler yet
    try:
        with (
            _fd_captured(1) as c_stdout,
            _fd_captured(2) as c_stderr,
            _time_limit(timeout, args),
            pytest.MonkeyPatch.context() as patch,
        ):
            patch.setattr(click, "launch", lambda *a, **k: 0)
            patch.setattr("briefing.browser.open_in_browser", lambda target: True)
            result = CliRunner().invoke(
                main,
                list(args),
                input=input,
                prog_name="briefing",
                terminal_width=_help_width(),
            )
    finally:
        for handler in logger.handlers:
            if handler not in saved_logger.handlers:
                handler.close()  # e.g. daily's --log-file
        saved_logger.apply(logger)
        if os.getcwd() != cwd:
            os.chdir(cwd)
        if os.environ != environ:
            os.environ.clear()
            os.environ.update(environ)
    stdout, stderr = result.stdout + "".join(c_stdout), result.stderr + "".join(c_stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Run(result.exit_code, stdout, stderr)


def _help_width() -> int:
    """The width click wraps help to with stdout on a pipe (CliRunner would force 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    return max(min(columns if columns > 0 else 80, 80) - 2, 50)


@dataclass
class _LoggerState:
    handlers: list[logging.Handler]
    handler_levels: list[int]
    level: int
    propagate: bool

    @classmethod
    def of(cls, logger: logging.Logger) -> _LoggerState:
        handlers = list(logger.handlers)
        return cls(handlers, [h.level for h in handlers], logger.level, logger.propagate)

    @classmethod
    def fresh(cls, logger: logging.Logger) -> _LoggerState:
        """The state after ``import briefing``: its NullHandler only."""
        nulls: list[logging.Handler] = [
            h for h in logger.handlers if type(h) is logging.NullHandler
        ]
        return cls(nulls, [h.level for h in nulls], logging.NOTSET, True)

    def apply(self, logger: logging.Logger) -> None:
        logger.handlers[:] = self.handlers
        for handler, level in zip(self.handlers, self.handler_levels, strict=True):
            handler.setLevel(level)
        logger.setLevel(self.level)
        logger.propagate = self.propagate


@contextmanager
def _fd_captured(fd: int) -> Iterator[list[str]]:
    """What C code (fontconfig, Pango...) writes straight to ``fd`` during the block: the list
    holds it, decoded, once the block is over."""
    captured: list[str] = []
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(fd)
        os.dup2(sink.fileno(), fd)
        try:
            yield captured
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            captured.append(sink.read().decode(errors="backslashreplace"))


@contextmanager
def _time_limit(seconds: float, args: tuple[str, ...]) -> Iterator[None]:
    """Raise CliTimeout in the main thread after ``seconds`` (SIGALRM, if free)."""
    usable = (
        threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CliTimeout(f"briefing {' '.join(args)} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail the test if anything resolves a name or opens a connection: proof that a refusal
    happened before any network use (tests/test_fetch.py, tests/test_build_url.py)."""
    calls: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield calls
    assert calls == []


def files_under(folder: Path) -> list[Path]:
    """Every file (hidden temp files included) below ``folder``."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


from tests.canary import canary  # noqa: E402, F401  (fixture, re-exported)
from tests.llama_server import llama_server  # noqa: E402, F401  (fixture, re-exported)
from tests.openai_server import openai_server  # noqa: E402, F401  (fixture, re-exported)

# --- the test server as the command's model --------------------------------------------------

TEST_KEY = "sk-test-DO-NOT-LEAK-conftest"


def use_model_server(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeOpenAI,
    key: str,
    *,
    model: str | None = "gpt-test",
    require_key: bool = True,
) -> FakeOpenAI:
    """Point the command at ``server``: OPENAI_BASE_URL, OPENAI_API_KEY=``key`` and, unless
    ``model`` is None (the default model then), BRIEFING_MODEL. With ``require_key`` the server
    answers any other key with OpenAI's 401."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    if model is not None:
        monkeypatch.setenv("BRIEFING_MODEL", model)
    if require_key:
        server.require_key = key
    return server


@pytest.fixture
def llm(
    openai_server: FakeOpenAI,  # noqa: F811  (the fixture imported below)
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> FakeOpenAI:
    """The test server as the command's model "gpt-test", keyed with the test module's ``KEY``
    (else :data:`TEST_KEY`), which it requires. A module changes it by overriding ``llm``
    with a fixture that takes ``llm`` (e.g. to set ``llm.default = Reply.fill()``)."""
    return use_model_server(monkeypatch, openai_server, getattr(request.module, "KEY", TEST_KEY))


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits of the test's thread (where ``run_cli`` runs the command), without waiting.

    ``time.sleep`` there returns at once and records its seconds, and ``time.monotonic`` moves
    on by as much: deadline arithmetic sees the wait it asked for, and the test checks the
    waits exactly instead of timing the run. Other threads (the test servers, worker threads)
    sleep for real; sockets and their timeouts are real. Tests that prove a wait really
    elapsed (Retry-After honoured) must not use this fixture.
    """
    slept: list[float] = []
    here = threading.current_thread()
    real_sleep, real_monotonic = time.sleep, time.monotonic

    def sleep(seconds: float) -> None:
        if threading.current_thread() is here:
            slept.append(seconds)
        else:
            real_sleep(seconds)

    def monotonic() -> float:
        return real_monotonic() + sum(slept)

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(time, "monotonic", monotonic)
    return slept
