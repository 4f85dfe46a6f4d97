"""The result cache: briefings and the days' executive summaries stored in SQLite.

:class:`Cache` keeps them in one file, ``<user cache dir>/briefing/briefings.sqlite3``
(platformdirs) or ``<--cache-dir>/briefings.sqlite3`` (opened by
:mod:`briefing.cache.database`), under the keys of :mod:`briefing.cache.keys`; each ``put`` is
its own committed transaction, so a killed process leaves every earlier entry intact.
:class:`NullCache` is no cache (``--no-cache``, or no usable file); both are a
:class:`ResultCache`.

The cache never fails a run: an unusable location gives a NullCache; an SQLite error during
``get``/``put`` is a miss / a skipped write; an unreadable entry is dropped. Each case logs a
warning on the ``briefing.cache`` logger.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.cache.database import CacheUnavailableError, first_line, open_database
from briefing.model import Briefing, SummaryMeta, SummaryPoint

__all__ = [
    "CACHE_FILE",
    "Cache",
    "CacheInfo",
    "CachedSummary",
    "NullCache",
    "ResultCache",
    "cache_path",
    "default_cache_dir",
    "open_cache",
    "parts_dir",
]

log = logging.getLogger("briefing.cache")

CACHE_FILE = "briefings.sqlite3"
PARTS_FOLDER = "parts"


def default_cache_dir() -> Path:
    """``user_cache_dir("briefing")`` (platformdirs), e.g. ``~/.cache/briefing`` on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("briefing"))


def parts_dir(cache_dir: Path | None = None) -> Path:
    """Where a long digest's laid-out parts are kept (``briefing.render.parallel``): beside
    the cache file, so a rerun after a crash resumes and ``cache clear`` empties it."""
    return (cache_dir if cache_dir is not None else default_cache_dir()) / PARTS_FOLDER


def cache_path(cache_dir: Path | None = None) -> Path:
    """The cache file in ``cache_dir`` (``--cache-dir``) or in the default cache dir."""
    return (cache_dir if cache_dir is not None else default_cache_dir()) / CACHE_FILE


@dataclass(frozen=True)
class CacheInfo:
    path: Path | None
    entries: int
    bytes: int  # the database and its WAL file on disk
    oldest: datetime | None
    newest: datetime | None
    summaries: int = 0  # executive summaries of days (not counted in ``entries``)


class CachedSummary(BaseModel):
    """A day's executive summary by a model, as the cache keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    points: list[SummaryPoint]
    meta: SummaryMeta


R = TypeVar("R", bound=BaseModel)  # what a cache row holds: a Briefing or a CachedSummary


class ResultCache(Protocol):
    """What callers use: :class:`Cache` or, when there is no usable cache, :class:`NullCache`."""

    @property
    def enabled(self) -> bool: ...

    def get(self, key: str) -> Briefing | None: ...

    def put(self, key: str, briefing: Briefing) -> None: ...

    def get_summary(self, key: str) -> CachedSummary | None: ...

    def put_summary(self, key: str, summary: CachedSummary) -> None: ...

    def info(self) -> CacheInfo: ...

    def clear(self) -> int: ...

    def close(self) -> None: ...


class Cache:
    """Briefings in an SQLite file; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        """Open or create the cache at ``path``; a corrupt or foreign-version file is moved aside.

        Raises CacheUnavailableError when the file cannot be opened or created at all.
        """
        self.path = Path(path)
        self._lock = threading.RLock()
        self._warned: set[tuple[str, str]] = set()
        self._conn: sqlite3.Connection | None = open_database(self.path)

    @classmethod
    def open(cls, path: Path) -> Cache | NullCache:
        """A cache at ``path``, or a NullCache (with a warning) when it cannot be used."""
        try:
            return cls(path)
        except (CacheUnavailableError, sqlite3.Error, OSError) as exc:
            log.warning("running without the result cache: %s", first_line(exc))
            return NullCache(path, reason=first_line(exc))

    @property
    def enabled(self) -> bool:
        return True

    def get(self, key: str) -> Briefing | None:
        """The cached briefing, or None (a miss, an unreadable row, any SQLite error)."""
        return self._read("briefings", "briefing", key, Briefing, "entry")

    def get_summary(self, key: str) -> CachedSummary | None:
        """The cached executive summary, or None (a miss, an unreadable row, an SQLite error)."""
        return self._read("summaries", "summary", key, CachedSummary, "summary")

    def _read(self, table: str, column: str, key: str, model: type[R], what: str) -> R | None:
        """The row of ``table`` under ``key`` as ``model``; an unreadable row is dropped (with
        a warning) and is a miss, as is any SQLite error. ``table`` and ``column`` are ours,
        never user input."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    f"SELECT {column} FROM {table} WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._warn("read", exc)
                return None
        if row is None:
            return None
        try:
            return model.model_validate_json(row[0])  # outside the lock: threads go on
        except (ValidationError, ValueError, TypeError) as exc:
            log.warning(
                "cache %s: dropped an unreadable %s %s… (%s)",
                self.path,
                what,
                key[:12],
                first_line(exc),
            )
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(  # only that row: a thread may have replaced it
                        f"DELETE FROM {table} WHERE key = ? AND {column} = ?", (key, row[0])
                    )
                except sqlite3.Error as exc:
                    self._warn("delete", exc)
        return None

    def put_summary(self, key: str, summary: CachedSummary) -> None:
        """Store a day's executive summary under ``key``; an SQLite error skips it."""
        prompt = summary.meta.prompt
        values = (
            key,
            datetime.now(UTC).isoformat(timespec="microseconds"),
            summary.meta.model,
            f"{prompt.name}@v{prompt.version}" if prompt else None,
            summary.model_dump_json(),
        )
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO summaries (key, created_at, model, prompt, summary) "
                    "VALUES (?, ?, ?, ?, ?)",
                    values,
                )
            except sqlite3.Error as exc:
                self._warn("write", exc)

    def put(self, key: str, briefing: Briefing) -> None:
        """Store ``briefing`` under ``key`` (committed at once); an SQLite error skips it."""
        p = briefing.provenance
        prompt = f"{p.prompt.name}@v{p.prompt.version}" if p.prompt else None
        values = (
            key,
            datetime.now(UTC).isoformat(timespec="microseconds"),
            p.summariser,
            p.model,
            prompt,
            briefing.source.sha256,
            briefing.model_dump_json(),
        )
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO briefings (key, created_at, summariser, model, "
                    "prompt, article_sha256, briefing) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            except sqlite3.Error as exc:
                self._warn("write", exc)

    def info(self) -> CacheInfo:
        """Briefings, bytes on disk, the oldest and newest briefing's time, and summaries."""
        entries, oldest, newest, summaries = 0, None, None, 0
        with self._lock:
            if self._conn is not None:
                try:
                    row = self._conn.execute(
                        "SELECT count(*), min(created_at), max(created_at) FROM briefings"
                    ).fetchone()
                    entries, oldest, newest = int(row[0]), _when(row[1]), _when(row[2])
                    summaries = int(
                        self._conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
                    )
                except sqlite3.Error as exc:
                    self._warn("read", exc)
        size = sum(_size(self.path.with_name(self.path.name + s)) for s in ("", "-wal"))
        return CacheInfo(self.path, entries, size, oldest, newest, summaries)

    def clear(self) -> int:
        """Remove every entry (briefings and summaries) and shrink the file; the number of
        briefings removed."""
        with self._lock:
            if self._conn is None:
                return 0
            try:
                removed = self._conn.execute("DELETE FROM briefings").rowcount
                self._conn.execute("DELETE FROM summaries")
            except sqlite3.Error as exc:
                self._warn("clear", exc)
                return 0
            try:
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.debug("cache %s: could not shrink the file: %s", self.path, exc)
            return max(removed, 0)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    log.debug("cache %s: error on close: %s", self.path, exc)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _warn(self, op: str, exc: sqlite3.Error) -> None:
        """A warning the first time an operation fails a given way, debug after that."""
        message = first_line(exc)
        level = logging.DEBUG if (op, message) in self._warned else logging.WARNING
        self._warned.add((op, message))
        log.log(level, "cache %s: %s failed, going on without it: %s", self.path, op, message)


class NullCache:
    """No cache: every get misses, every put is dropped (``--no-cache`` or no usable file)."""

    def __init__(self, path: Path | None = None, *, reason: str = "disabled") -> None:
        self.path = path
        self.reason = reason

    @property
    def enabled(self) -> bool:
        return False

    def get(self, key: str) -> Briefing | None:
        return None

    def put(self, key: str, briefing: Briefing) -> None:
        return None

    def get_summary(self, key: str) -> CachedSummary | None:
        return None

    def put_summary(self, key: str, summary: CachedSummary) -> None:
        return None

    def info(self) -> CacheInfo:
        return CacheInfo(self.path, 0, 0, None, None)

    def clear(self) -> int:
        return 0

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_cache(cache_dir: Path | None = None, *, enabled: bool = True) -> Cache | NullCache:
    """The cache in ``cache_dir`` (default: the user cache dir); NullCache if off or unusable."""
    if not enabled:
        return NullCache(None, reason="disabled (--no-cache)")
    return Cache.open(cache_path(cache_dir))


# ------------------------------------------------------------------------------------- helpers


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
