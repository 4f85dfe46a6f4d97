"""Runs as the history keeps them: :class:`RunRecord` and its :class:`BriefingRow` s, written
by :func:`record_run` (the one recording function: the CLI's runs and tests alike) and read
back by :func:`read_runs` and :func:`read_run`; :func:`prune` drops the old ones.

Recording never fails a run: any problem with the file (corrupt, unwritable, locked past the
busy timeout) is a warning on the ``briefing.history`` logger and the run goes on. Reading
raises :class:`~briefing.history.database.HistoryUnavailable` for ``briefing log`` to report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from briefing.cache.database import first_line
from briefing.errors import EXIT_OK, EXIT_PARTIAL
from briefing.history.database import HistoryUnavailable, connect
from briefing.model import Cost, Usage
from briefing.version import __version__

__all__ = ["OUTCOMES", "BriefingRow", "RunRecord", "prune", "read_run", "read_runs", "record_run"]

log = logging.getLogger("briefing.history")

OUTCOMES = ("ok", "partial", "failed")


def outcome_of(exit_code: int) -> str:
    """ok (0), partial (3: a digest with failed sources) or failed (any other code)."""
    return "ok" if exit_code == EXIT_OK else "partial" if exit_code == EXIT_PARTIAL else "failed"


@dataclass(frozen=True)
class BriefingRow:
    """One briefing of a run (or a day's executive summary), without its text."""

    kind: str  # "article" or "summary" (a digest's executive summary)
    status: str  # ok (made in this run), cached (a cache hit), failed, duplicate
    title: str | None = None
    location: str | None = None
    model: str | None = None
    usage: Usage = field(default_factory=Usage)  # spent in this run: none for a cache hit
    cost: Cost | None = None  # of usage; None: no model, or no price for it
    supported: int | None = None  # items the article supports (None: not checked)
    total: int | None = None
    reason: str | None = None  # why it failed, or what it duplicates


@dataclass(frozen=True)
class RunRecord:
    """One run of build, daily or eval: what it was asked, what it used and how it ended."""

    started_at: datetime  # timezone-aware
    command: str
    sources: tuple[str, ...]
    exit_code: int
    duration_ms: int = 0
    summariser: str | None = None
    model: str | None = None
    endpoint: str | None = None  # host (and port) only
    prompt: str | None = None  # name@vN
    usage: Usage = field(default_factory=Usage)  # every request answered, failed ones too
    requests: int = 0
    cost: Cost | None = None  # of usage; None: no model, or no price for one of its models
    error: str | None = None  # the one-line error of a failed run
    items_supported: int | None = None
    items_total: int | None = None
    output: str | None = None
    briefings: tuple[BriefingRow, ...] = ()
    tool_version: str = __version__
    id: int | None = None  # given by the history
    # Sources briefed now, taken from the cache, failed: read back with the run by read_runs,
    # which leaves its briefings out; None: count ``briefings``.
    briefing_counts: tuple[int, int, int] | None = None

    @property
    def outcome(self) -> str:
        return outcome_of(self.exit_code)

    def counts(self) -> tuple[int, int, int]:
        """Sources briefed in this run, taken from the cache, and failed."""
        if self.briefing_counts is not None:
            return self.briefing_counts
        articles = Counter(b.status for b in self.briefings if b.kind == "article")
        return articles["ok"], articles["cached"], articles["failed"]


def record_run(record: RunRecord, path: Path, *, keep_days: int | None = None) -> int | None:
    """Add ``record`` to the history at ``path`` and drop runs older than ``keep_days``; the
    new run's id, or None (with a warning) when the history cannot be written."""
    try:
        with _open(path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                run_id = _insert(conn, record)
                if keep_days is not None:
                    _prune(conn, keep_days, time.time())
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return run_id
    except (HistoryUnavailable, sqlite3.Error, OSError) as exc:
        log.warning("history %s: could not record this run, going on: %s", path, first_line(exc))
        return None


def read_runs(
    path: Path,
    *,
    limit: int = 20,
    day: str | None = None,
    model: str | None = None,
    outcome: str | None = None,
    command: str | None = None,
) -> list[RunRecord]:
    """The ``limit`` most recent runs that match, oldest first (without their briefings)."""
    if not path.exists():
        return []
    where, args = [], []
    for column, value in (("day", day), ("model", model), ("outcome", outcome)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if command is not None:
        where.append("command = ?")
        args.append(command)
    sql = f"SELECT *, {_COUNTS} FROM runs" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY started_ts DESC, id DESC LIMIT ?"
    with _open(path) as conn:
        rows = conn.execute(sql, (*args, limit)).fetchall()
    return [
        replace(_run(row, ()), briefing_counts=(row["made"], row["cached"], row["failed"]))
        for row in reversed(rows)
    ]


def read_run(path: Path, run_id: int) -> RunRecord | None:
    """The run ``run_id`` with its briefings, or None when the history has no such run."""
    if not path.exists():
        return None
    with _open(path) as conn:
        row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        briefings = conn.execute(
            "SELECT * FROM briefings WHERE run_id = ? ORDER BY position", (run_id,)
        ).fetchall()
    return _run(row, tuple(_briefing(b) for b in briefings))


def prune(path: Path, keep_days: int, now: float | None = None) -> int:
    """Remove the runs that started more than ``keep_days`` days before ``now``; how many."""
    if not path.exists():
        return 0
    with _open(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        removed = _prune(conn, keep_days, time.time() if now is None else now)
        conn.execute("COMMIT")
    return removed


# ------------------------------------------------------------------------------------- helpers


_COUNTS = ", ".join(
    f"(SELECT count(*) FROM briefings WHERE run_id = runs.id AND kind = 'article' "
    f"AND status = '{status}') AS {name}"
    for status, name in (("ok", "made"), ("cached", "cached"), ("failed", "failed"))
)


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(path)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def _prune(conn: sqlite3.Connection, keep_days: int, now: float) -> int:
    cutoff = now - keep_days * 86400
    conn.execute(
        "DELETE FROM briefings WHERE run_id IN (SELECT id FROM runs WHERE started_ts < ?)",
        (cutoff,),
    )
    return max(conn.execute("DELETE FROM runs WHERE started_ts < ?", (cutoff,)).rowcount, 0)


def _insert(conn: sqlite3.Connection, r: RunRecord) -> int:
    if r.started_at.tzinfo is None:
        raise ValueError("a run's start time must be timezone-aware")
    cursor = conn.execute(
        "INSERT INTO runs (started_at, started_ts, day, command, sources, summariser, model, "
        "endpoint, prompt, prompt_tokens, completion_tokens, cached_tokens, requests, cost, "
        "cost_basis, duration_ms, outcome, exit_code, error, items_supported, items_total, "
        "output, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?)",
        (
            r.started_at.isoformat(timespec="seconds"),
            r.started_at.timestamp(),
            r.started_at.date().isoformat(),  # the day where the run was (its own offset)
            r.command,
            json.dumps(list(r.sources), ensure_ascii=False),
            r.summariser,
            r.model,
            r.endpoint,
            r.prompt,
            *_usage_values(r.usage),
            r.requests,
            *_cost_values(r.cost),
            r.duration_ms,
            r.outcome,
            r.exit_code,
            r.error,
            r.items_supported,
            r.items_total,
            r.output,
            r.tool_version,
        ),
    )
    run_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT INTO briefings (run_id, position, kind, status, title, location, model, "
        "prompt_tokens, completion_tokens, cached_tokens, cost, supported, total, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                position,
                b.kind,
                b.status,
                b.title,
                b.location,
                b.model,
                *_usage_values(b.usage),
                b.cost.usd if b.cost else None,
                b.supported,
                b.total,
                b.reason,
            )
            for position, b in enumerate(r.briefings, start=1)
        ],
    )
    return run_id


def _usage_values(usage: Usage) -> tuple[int, int, int | None]:
    return usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens


def _cost_values(cost: Cost | None) -> tuple[float | None, str | None]:
    return (cost.usd, cost.basis) if cost else (None, None)


def _usage(row: sqlite3.Row) -> Usage:
    return Usage(
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cached_tokens=row["cached_tokens"],
    )


def _run(row: sqlite3.Row, briefings: tuple[BriefingRow, ...]) -> RunRecord:
    cost = row["cost"]
    return RunRecord(
        id=row["id"],
        started_at=datetime.fromisoformat(row["started_at"]),
        command=row["command"],
        sources=tuple(_strings(row["sources"])),
        exit_code=row["exit_code"],
        duration_ms=row["duration_ms"],
        summariser=row["summariser"],
        model=row["model"],
        endpoint=row["endpoint"],
        prompt=row["prompt"],
        usage=_usage(row),
        requests=row["requests"],
        cost=Cost(usd=cost, basis=row["cost_basis"] or "") if cost is not None else None,
        error=row["error"],
        items_supported=row["items_supported"],
        items_total=row["items_total"],
        output=row["output"],
        briefings=briefings,
        tool_version=row["tool_version"],
    )


def _briefing(row: sqlite3.Row) -> BriefingRow:
    cost = row["cost"]
    return BriefingRow(
        kind=row["kind"],
        status=row["status"],
        title=row["title"],
        location=row["location"],
        model=row["model"],
        usage=_usage(row),
        cost=Cost(usd=cost, basis="") if cost is not None else None,
        supported=row["supported"],
        total=row["total"],
        reason=row["reason"],
    )


def _strings(text: str) -> list[str]:
    try:
        value: Any = json.loads(text)
    except ValueError:
        return [text]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
