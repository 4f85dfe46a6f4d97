"""The cache file itself: opening it safely, checking it, and moving a bad one aside.

One SQLite file in WAL mode, so that concurrent readers and one writer at a time (threads of a
daily run, overlapping runs) share it. :func:`open_database` creates the tables, or checks the
ones there: a corrupt file, or one of another ``CACHE_FORMAT``, is moved aside (with its
-wal/-shm files) and a new one started, under a lock file so that two processes starting at
once do not both repair it. A location where no file can be opened raises
:class:`CacheUnavailableError`; :mod:`briefing.cache.store` then runs without a cache.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from briefing.sqlite_files import create_tables, is_corrupt, move_aside
from briefing.version import __version__

__all__ = [
    "BUSY_TIMEOUT_S",
    "CACHE_FORMAT",
    "CacheUnavailableError",
    "first_line",
    "open_database",
]

log = logging.getLogger("briefing.cache")

CACHE_FORMAT = 1  # of the tables below; another value in ``meta`` means "move aside"
BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS briefings (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    summariser TEXT NOT NULL,
    model TEXT,
    prompt TEXT,
    article_sha256 TEXT NOT NULL,
    briefing TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS briefings_created_at ON briefings (created_at);
CREATE TABLE IF NOT EXISTS summaries (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    model TEXT,
    prompt TEXT,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    key TEXT PRIMARY KEY,
    run TEXT NOT NULL,
    batch_id TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    lines TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_run ON batches (run, state);
"""
# The summaries and batches tables came after format 1 was released; CREATE TABLE IF NOT EXISTS
# adds them to a format-1 file on open, and an older version of the tool simply ignores them:
# same format. ``batches`` are the Batch API jobs of ``daily --batch`` (briefing.cache.batches).


class CacheUnavailableError(Exception):
    """The cache file cannot be opened or created (unwritable location, locked, I/O error)."""


def open_database(path: Path) -> sqlite3.Connection:
    """The connection to the cache file at ``path``, created (with its folder) if needed; a
    corrupt or foreign-version file is moved aside first. Raises CacheUnavailableError when
    no file can be opened or created there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheUnavailableError(
            f"cannot create cache dir {path.parent}: {exc.strerror or exc}"
        ) from None
    with _open_lock(path):
        return _open_checked(path)


def _open_checked(path: Path) -> sqlite3.Connection:
    for _attempt in range(3):
        ident = _identity(path)
        conn = _connect(path)
        try:
            problem = _check_and_init(path, conn)
        except sqlite3.Error as exc:
            if not is_corrupt(exc):
                conn.close()
                raise CacheUnavailableError(f"cannot open cache file {path}: {exc}") from None
            problem = ("corrupt", f"corrupt ({first_line(exc)})")
        if problem is None:
            return conn
        # Renamed while still open: closing would make SQLite delete the -wal/-shm files.
        try:
            _move_aside(path, *problem, ident=ident)
        finally:
            conn.close()
    raise CacheUnavailableError(f"cannot start a new cache file at {path}")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,  # autocommit: each statement is its own transaction
            check_same_thread=False,  # shared between threads under the Cache's lock
        )
    except sqlite3.Error as exc:
        raise CacheUnavailableError(f"cannot open cache file {path}: {exc}") from None
    return conn


def _check_and_init(path: Path, conn: sqlite3.Connection) -> tuple[str, str] | None:
    """Set the pragmas, check the file and create the tables; (tag, why) if it must go."""
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if not mode or str(mode[0]).lower() != "wal":
        log.debug("cache %s: journal mode %s (WAL unavailable)", path, mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    check = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
    if check != ["ok"]:
        return "corrupt", f"corrupt (quick_check: {'; '.join(check[:3])})"
    conn.execute("BEGIN IMMEDIATE")
    try:
        tables = {
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None:
                conn.execute("ROLLBACK")
                return "corrupt", "not a briefing cache (no format version)"
            found = str(row[0])
            if found != str(CACHE_FORMAT):
                conn.execute("ROLLBACK")
                return f"v{found}", f"of cache format {found}, not {CACHE_FORMAT}"
        elif tables:
            conn.execute("ROLLBACK")
            return "corrupt", "not a briefing cache (no meta table)"
        create_tables(conn, _SCHEMA, {"format": str(CACHE_FORMAT), "created_by": __version__})
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return None


def _move_aside(path: Path, tag: str, why: str, *, ident: tuple[int, int] | None) -> None:
    if ident is not None and _identity(path) != ident:
        return  # another process replaced the file meanwhile: use theirs
    try:
        target = move_aside(path, tag)
    except OSError as exc:
        raise CacheUnavailableError(
            f"cache file {path} is {why} and cannot be moved aside: {exc.strerror or exc}"
        ) from None
    if target is not None:
        log.warning(
            "cache file %s is %s: moved it to %s and started a new cache", path, why, target
        )


@contextlib.contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """Serialise checking/repairing the file between processes (POSIX; elsewhere a no-op)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    try:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)  # the database's mode
        except PermissionError:
            fd = os.open(lock_path, os.O_RDONLY)  # another user's lock file: flock works too
    except OSError as exc:
        raise CacheUnavailableError(
            f"cannot write in cache dir {path.parent}: {exc.strerror or exc}"
        ) from None
    try:
        deadline = time.monotonic() + 2 * BUSY_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:  # a stuck process: go on, SQLite still locks
                    log.debug("cache %s: open lock not acquired, going on", path)
                    break
                time.sleep(0.02)
            except OSError:  # a file system without flock: go on
                break
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (at most 300 characters), for a log line."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
