"""The history file: ``history.sqlite3`` beside the cache file, in WAL mode, checked on open.

A sibling of ``briefings.sqlite3`` rather than tables inside it: emptying the cache
(``briefing cache clear``), or a corrupt cache moved aside, keeps the history; the history
keeps its own retention; and ``--no-cache`` still records the run. WAL lets a daily run, a
build and ``briefing log`` share the file. A corrupt file, or one of another
:data:`HISTORY_FORMAT`, is moved aside (with its -wal/-shm files) with a warning and a new one
started; a location where no file can be opened raises :class:`HistoryUnavailable`. Callers
that record a run catch it and go on: the history never fails a run.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from briefing.cache import default_cache_dir
from briefing.cache.database import first_line
from briefing.sqlite_files import create_tables, is_corrupt, move_aside

__all__ = [
    "HISTORY_FILE",
    "HISTORY_FORMAT",
    "HistoryUnavailable",
    "connect",
    "history_path",
]

log = logging.getLogger("briefing.history")

HISTORY_FILE = "history.sqlite3"
HISTORY_FORMAT = 1  # of the tables below; another value in ``meta`` means "move aside"
_BUSY_TIMEOUT_MS = 5000

# Times are kept three ways: as the run saw them (ISO 8601 with its UTC offset), as seconds
# since the epoch (ordering and pruning across offset changes) and as the local day (--day).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    started_ts REAL NOT NULL,
    day TEXT NOT NULL,
    command TEXT NOT NULL,
    sources TEXT NOT NULL,
    summariser TEXT,
    model TEXT,
    endpoint TEXT,
    prompt TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens INTEGER,
    requests INTEGER NOT NULL,
    cost REAL,
    cost_basis TEXT,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    error TEXT,
    items_supported INTEGER,
    items_total INTEGER,
    output TEXT,
    tool_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_ts);
CREATE INDEX IF NOT EXISTS runs_day ON runs (day);
CREATE TABLE IF NOT EXISTS briefings (
    run_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT,
    location TEXT,
    model TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens INTEGER,
    cost REAL,
    supported INTEGER,
    total INTEGER,
    reason TEXT,
    PRIMARY KEY (run_id, position)
);
"""


class HistoryUnavailable(Exception):
    """The history file cannot be opened or created (unwritable location, I/O error)."""


def history_path(cache_dir: Path | None = None) -> Path:
    """The history file in ``cache_dir`` (``--cache-dir``) or in the default cache dir."""
    return (cache_dir if cache_dir is not None else default_cache_dir()) / HISTORY_FILE


def connect(path: Path) -> sqlite3.Connection:
    """The history at ``path``, created (with its folder) if needed; a corrupt file or one of
    another format is moved aside first. Raises HistoryUnavailable when none can be opened."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryUnavailable(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    for _attempt in range(3):
        try:
            conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryUnavailable(f"cannot open {path}: {first_line(exc)}") from None
        try:
            problem = _check(conn)
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                conn.close()
                raise HistoryUnavailable(f"cannot open {path}: {first_line(exc)}") from None
            problem = f"corrupt ({first_line(exc)})"
        if problem is None:
            return conn
        try:  # renamed while still open: closing first would let SQLite delete its -wal
            _move_aside(path, problem)
        finally:
            conn.close()
    raise HistoryUnavailable(f"cannot start a new history file at {path}")


def _check(conn: sqlite3.Connection) -> str | None:
    """Set the pragmas, check the file and create the tables; why it must go, else None."""
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    check = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
    if check != ["ok"]:
        return f"corrupt (quick_check: {'; '.join(check[:3])})"
    conn.execute("BEGIN IMMEDIATE")  # one process creates the tables, the others wait
    try:
        tables = {
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None or str(row[0]) != str(HISTORY_FORMAT):
                conn.execute("ROLLBACK")
                found = "none" if row is None else str(row[0])
                return f"of history format {found}, not {HISTORY_FORMAT}"
        elif tables - {"sqlite_sequence"}:
            conn.execute("ROLLBACK")
            return "not a briefing history (no meta table)"
        create_tables(conn, _SCHEMA, {"format": str(HISTORY_FORMAT)})
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return None


def _move_aside(path: Path, why: str) -> None:
    try:
        target = move_aside(path, "bad")
    except OSError as exc:
        raise HistoryUnavailable(
            f"history file {path} is {why} and cannot be moved aside: {exc.strerror or exc}"
        ) from None
    if target is not None:
        log.warning(
            "history file %s is %s: moved it to %s and started a new one", path, why, target
        )
