"""BRIEFING_DEADLINE bounds everything one article waits for: every attempt, every wait
between retries and the repair request. Retries are ours (briefing/summarisers/retry.py),
counted against the requests the test server on 127.0.0.1 actually received.

The assertions are on messages, request counts, the answers the server did not get to send
(a client that gave up during a hang) and the waits between attempts, never on how long a run
took, which a loaded machine stretches. The ``waits`` fixture (tests/conftest.py) records
those waits and moves the clock on instead of sleeping; tests/test_openai_summariser.py
proves through the command that a Retry-After wait really elapses.
"""

from __future__ import annotations

import json
import re
import socket
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from briefing.summarisers.openai.retry import backoff, retry_after, should_retry
from tests.conftest import SAMPLE, RunCli, files_under
from tests.openai_server import FakeOpenAI, Reply

KEY = "sk-test-deadlines-3c4d"
FAST_RETRY = {"retry-after-ms": "10"}


def build(run_cli: RunCli, *extra: str) -> Any:
    return run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json", *extra)


def assert_failed(result: Any, message: str, work: Path, code: int = 4) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert [p for p in files_under(work) if p.suffix in (".json", ".tmp")] == []


# --- the rules, without a server -------------------------------------------------------------


def test_retry_rules() -> None:
    assert should_retry(None, None)  # no answer at all: connection error or timeout
    for status in (408, 409, 429, 500, 502, 503, 504):
        assert should_retry(status, {})
    for status in (400, 401, 403, 404, 422):
        assert not should_retry(status, {})
    assert not should_retry(503, {"x-should-retry": "false"})
    assert should_retry(400, {"x-should-retry": "true"})


def test_retry_after_forms() -> None:
    now = 1_000_000.0
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "7"}) == 7.0
    assert retry_after({"retry-after-ms": "100", "retry-after": "7"}) == 0.1  # ms first
    assert retry_after({"retry-after": formatdate(now + 90, usegmt=True)}, now=now) == 90.0
    assert retry_after({"retry-after": formatdate(now - 90, usegmt=True)}, now=now) == 0.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None
    assert retry_after(None) is None


def test_backoff_doubles_to_eight_seconds_with_jitter() -> None:
    assert [backoff(n, rand=0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff(0, rand=1.0) == 0.375  # at most 25 % less


# --- through the command ---------------------------------------------------------------------


def test_hanging_server_is_bounded_by_the_deadline(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_DEADLINE", "3")
    llm.default = Reply.hang(30)
    result = build(run_cli, "--timeout", "30")
    # One attempt, its timeout cut to the 3 s left; no retry starts after the deadline.
    assert_failed(
        result, "no answer within the 3 s deadline for this article (1 attempt)", isolated
    )
    assert llm.chat_calls == 1
    assert llm.answered == 0  # given up during the 30 s hang (the SDK's own retries waited)


def test_retries_stop_when_the_deadline_leaves_no_room(
    llm: FakeOpenAI,
    run_cli: RunCli,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    # 1 s timeouts, 5 retries allowed, 3.5 s deadline: attempt 1 ends at 1 s, a wait of at
    # most 0.5 s, attempt 2 (a full 1 s) ends by 2.5 s; the next wait (0.75-1 s) plus a 1 s
    # attempt is past 3.5 s.
    monkeypatch.setenv("BRIEFING_DEADLINE", "3.5")
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "5")
    llm.default = Reply.hang(30)
    result = build(run_cli, "--timeout", "1")
    assert_failed(
        result,
        f"no answer from 127.0.0.1:{llm.port} within 1 s (timeout, 2 attempts); the 3.5 s "
        "deadline for this article leaves no time for another attempt",
        isolated,
    )
    assert llm.chat_calls == 2
    assert llm.answered == 0  # both cut at their 1 s timeout (the SDK's retries took 34-49 s)
    assert len(waits) == 1 and 0.375 <= waits[0] <= 0.5  # the first back-off only


def test_server_errors_retried_up_to_max_retries(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "3")
    llm.default = Reply.error(503, "overloaded", headers=FAST_RETRY, type_="server_error")
    assert_failed(
        build(run_cli),
        f"the API at 127.0.0.1:{llm.port} failed with HTTP 503 after 4 attempts: overloaded",
        isolated,
    )
    assert llm.chat_calls == 4


def test_zero_retries_means_one_attempt(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "0")
    llm.default = Reply.error(500, "boom", headers=FAST_RETRY, type_="server_error")
    assert_failed(
        build(run_cli),
        f"the API at 127.0.0.1:{llm.port} failed with HTTP 500 after 1 attempt: boom",
        isolated,
    )
    assert llm.chat_calls == 1


def test_backoff_is_cut_by_the_deadline(
    llm: FakeOpenAI,
    run_cli: RunCli,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    # No server-directed wait: 0.5 s, 1 s, then 2 s would end past the 3 s deadline.
    monkeypatch.setenv("BRIEFING_DEADLINE", "3")
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "5")
    llm.default = Reply.error(500, "boom", type_="server_error")
    assert_failed(
        build(run_cli),
        f"the API at 127.0.0.1:{llm.port} failed with HTTP 500 after 3 attempts: boom; the 3 s "
        "deadline for this article leaves no time for another attempt",
        isolated,
    )
    assert llm.chat_calls == 3
    assert len(waits) == 2  # the third (2 s) was not started


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_past_the_deadline_is_a_temporary_failure(
    status: int,
    llm: FakeOpenAI,
    run_cli: RunCli,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    monkeypatch.setenv("BRIEFING_DEADLINE", "10")
    llm.default = Reply.error(status, "slow down", headers={"Retry-After": "100"})
    result = build(run_cli)
    assert result.returncode == 75, result.stderr
    what = (
        f"rate limited by 127.0.0.1:{llm.port} (429)"
        if status == 429
        else f"the API at 127.0.0.1:{llm.port} is unavailable (503)"
    )
    assert re.fullmatch(
        re.escape(
            f"Error: {what}: slow down; the server asks to wait 100 s, past the 10 s deadline "
            "for this article: retry after "
        )
        + r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n",
        result.stderr,
    ), result.stderr
    assert llm.chat_calls == 1
    assert waits == []  # no wait that could not end in time


def test_retry_after_http_date_past_the_deadline(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.default = Reply.error(
        429, "quota", headers={"Retry-After": formatdate(time.time() + 3600, usegmt=True)}
    )
    result = build(run_cli)
    assert result.returncode == 75, result.stderr
    assert re.fullmatch(
        rf"Error: rate limited by 127\.0\.0\.1:{llm.port} \(429\): quota; the server asks to wait "
        r"(3599|3600) s, past the 180 s deadline for this article: retry after .* UTC\n",
        result.stderr,
    ), result.stderr
    assert llm.chat_calls == 1


def test_retry_after_within_the_deadline_is_honoured(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, waits: list[float]
) -> None:
    llm.script(
        Reply.error(429, "slow down", headers={"Retry-After": "1"}, type_="rate_limit_error"),
        Reply.fill(),
    )
    result = build(run_cli)
    assert result.returncode == 0, result.stderr
    assert llm.chat_calls == 2
    assert waits == [1.0]  # the server's Retry-After, not our back-off


def test_x_should_retry_false_is_not_retried(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.default = Reply.error(
        500, "do not repeat this", headers={"x-should-retry": "false"}, type_="server_error"
    )
    assert_failed(
        build(run_cli),
        f"the API at 127.0.0.1:{llm.port} failed with HTTP 500 after 1 attempt: do not repeat this",
        isolated,
    )
    assert llm.chat_calls == 1


def test_x_should_retry_true_is_retried(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    llm.script(
        Reply.error(400, "try again", headers={"x-should-retry": "true", **FAST_RETRY}),
        Reply.fill(),
    )
    assert build(run_cli).returncode == 0
    assert llm.chat_calls == 2


def test_connection_refused_counts_attempts(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    result = build(run_cli)
    assert_failed(
        result, f"cannot connect to 127.0.0.1:{port} (3 attempts): is the server running?", isolated
    )
    assert len(waits) == 2 and sum(waits) <= 1.5  # two short back-offs: 0.5 s, then 1 s at most


def test_the_repair_request_is_inside_the_deadline(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_DEADLINE", "2.5")
    llm.script(
        Reply.chat("{not json", delay=0.5, breaks_schema="an invalid answer to repair"),
        Reply.hang(30, then=Reply.fill()),
    )
    result = build(run_cli, "--timeout", "30")
    assert_failed(
        result,
        "no answer within the 2.5 s deadline for this article (1 attempt of the repair request)",
        isolated,
    )
    assert llm.chat_calls == 2  # the answer, then the repair request cut at the deadline
    assert llm.answered == 1  # the repair request's 30 s hang was not waited out


def test_retries_and_answer_within_the_deadline(
    llm: FakeOpenAI,
    run_cli: RunCli,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    monkeypatch.setenv("BRIEFING_DEADLINE", "20")
    llm.script(
        Reply.error(502, "bad gateway", headers=FAST_RETRY, type_="server_error"),
        Reply.hang(30),  # the second attempt times out (1 s) and is retried too
        Reply.fill(),
    )
    result = build(run_cli, "--timeout", "1")
    assert result.returncode == 0, result.stderr
    assert llm.chat_calls == 3
    assert waits[0] == 0.01 and 0.75 <= waits[1] <= 1.0  # retry-after-ms, then a back-off
    assert json.loads((isolated / "b.json").read_text("utf-8"))["provenance"]["model"] == "gpt-test"
