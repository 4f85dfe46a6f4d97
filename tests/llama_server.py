"""llama.cpp's real ``llama-server`` on 127.0.0.1 for end-to-end tests of the openai summariser.

The session fixture ``llama_server`` gives the server's base URL (``http://127.0.0.1:PORT/v1``):

* ``BRIEFING_LLAMA_URL`` set: a server someone else started (it must be on loopback and serve
  the model of ``tests/llama_model.py``);
* otherwise we start one ourselves, with the tiny generated model, from the binary named by
  ``BRIEFING_LLAMA_SERVER`` or the one ``.ci/llama-server.sh`` builds into its cache folder,
  on a free loopback port, and stop it at the end of the session;
* neither: the tests skip, except under ``CI=true``, where they fail: CI built the binary, so
  a missing one is a broken pipeline, not an optional extra.

The server turns each request's JSON schema into a grammar and constrains decoding to it, so
these tests check the contract a strict-schema client has with a real server. The model writes
noise (see ``tests/llama_model.py``): assert protocol, validity and exit codes, never content.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.llama_model import write_model

__all__ = ["MODEL_ALIAS", "VERSION", "default_binary", "llama_server"]

VERSION = "0.3.36"  # of llama-cpp-python whose sdist .ci/llama-server.sh builds from
MODEL_ALIAS = "briefing-noise"  # the model id the server lists and answers to
SLOTS = 2  # requests served at once (map-reduce and daily send several)
# Tokens per slot, the model's maximum: tokens are mostly bytes, so a 2,000-word article is
# ~15,000 of them. Narrow attention keeps the cache small (128 bytes a token).
CONTEXT_PER_SLOT = 32_768
STARTUP_SECONDS = 60.0

# Read at import (collection) time: the autouse ``isolated`` fixture later points HOME and
# XDG_CACHE_HOME of every test at an empty folder, where no binary was ever built.
_CI_CACHE = Path(
    os.environ.get("BRIEFING_CI_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing-ci"
)
# Loopback must never go through a proxy configured for the outside world.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def default_binary() -> Path:
    """Where ``.ci/llama-server.sh`` puts the server (same rule as the script)."""
    return _CI_CACHE / f"llama-server-{VERSION}" / "llama-server"


def _binary() -> Path | None:
    named = os.environ.get("BRIEFING_LLAMA_SERVER")
    path = Path(named) if named else default_binary()
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _missing(reason: str) -> None:
    """No server: a skip on a developer's machine, a failure in CI (which builds one)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: run bash .ci/llama-server.sh first)", pytrace=False)
    pytest.skip(f"{reason}: build it with bash .ci/llama-server.sh")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(root: str) -> bool:
    """True once the server has loaded the model (``/health`` is 503 while it loads)."""
    try:
        with _DIRECT.open(f"{root}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _die_with_parent() -> Callable[[], object] | None:
    """For the child, on Linux: get SIGTERM when pytest dies, so a killed session (a CI
    timeout, kill -9) leaves no server behind. Resolved here, in the parent: the child,
    between fork and exec, must not import anything (another thread may hold the import lock)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def _tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start(binary: Path, model: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server on a free loopback port and wait until it is healthy."""
    last_error = ""
    for _ in range(3):  # the free port may be taken between our check and the server's bind
        port = _free_port()
        command = [
            str(binary),
            "--model", str(model),
            "--alias", MODEL_ALIAS,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--ctx-size", str(CONTEXT_PER_SLOT * SLOTS),
            "--parallel", str(SLOTS),
            "--threads", "2",
            "--seed", "42",  # the default for requests that name no seed
            "--offline",  # never reach for the network (no model download, ever)
            "--no-webui",
        ]  # fmt: skip
        with log.open("ab") as out:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(),
            )
        root = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and proc.poll() is None:
            if _healthy(root):
                return proc, root
            time.sleep(0.05)
        if proc.poll() is None:
            _stop(proc)
            last_error = f"not healthy within {STARTUP_SECONDS:g} s"
        else:
            last_error = f"exited with code {proc.returncode}"
    raise RuntimeError(f"llama-server {last_error}; its log ends:\n{_tail(log)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running llama-server with the test model: ``http://127.0.0.1:PORT/v1``."""
    given = os.environ.get("BRIEFING_LLAMA_URL")
    if given:
        if urlsplit(given).hostname not in ("127.0.0.1", "localhost", "::1"):
            pytest.fail(f"BRIEFING_LLAMA_URL must be a loopback address, not {given}")
        root = given.rstrip("/").removesuffix("/v1")
        if not _healthy(root):
            pytest.fail(f"BRIEFING_LLAMA_URL={given}: {root}/health does not answer 200")
        yield f"{root}/v1"
        return
    binary = _binary()
    if binary is None:
        where = os.environ.get("BRIEFING_LLAMA_SERVER") or default_binary()
        _missing(f"llama-server not found at {where}")
        return
    folder = tmp_path_factory.mktemp("llama-server")
    model = write_model(folder / "noise.gguf")
    try:
        proc, root = _start(binary, model, folder / "server.log")
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield f"{root}/v1"
    finally:
        _stop(proc)
