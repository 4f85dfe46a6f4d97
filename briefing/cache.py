"""The result cache: briefings and the days' executive summaries stored in SQLite, keyed by
everything that shapes them.

One file, ``<user cache dir>/briefing/briefings.sqlite3`` (platformdirs) or ``<--cache-dir>/
briefings.sqlite3``, in WAL mode so that concurrent readers and one writer at a time (threads of
a daily run, overlapping runs) share it; each ``put`` is its own committed transaction, so a
killed process leaves every earlier entry intact.

The key (:func:`cache_key`) is a sha256 over a canonical JSON of :func:`key_fields`: the article's
sha256, the summariser's name and version, model, endpoint host, prompt (and merge prompt)
name@version and sha256, temperature, token limits, reasoning effort, the language asked for
(--language),
``SCHEMA_VERSION`` and the tool's major.minor version. Never the API key.

A day's executive summary by a model (the ``digest`` prompt) is stored too, under
:func:`summary_key`: the briefings it summarises (their :func:`content_hash`, in order), the
digest prompt's name@version and sha256, model, endpoint host, temperature, token limit and
language. So the same day rendered again, to another file or format, asks the model nothing.
The offline selection costs nothing and is not stored.

The cache never fails a run: a corrupt file or one of another format version is moved aside
(with its -wal/-shm files) and a new one started; an unusable location gives a :class:`NullCache`;
an SQLite error during ``get``/``put`` is a miss / a skipped write. Each case logs a warning on
the ``briefing.cache`` logger.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

import briefing
from briefing.model import SCHEMA_VERSION, Briefing, SummaryMeta, SummaryPoint

log = logging.getLogger("briefing.cache")

CACHE_FILE = "briefings.sqlite3"
CACHE_FORMAT = 1  # of the tables below; another value in ``meta`` means "move aside"
BUSY_TIMEOUT_S = 5.0
_SIDE_FILES = ("-wal", "-shm", "-journal")
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}

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
"""
# The summaries table came after format 1 was released; CREATE TABLE IF NOT EXISTS adds it to
# a format-1 file on open, and an older version of the tool simply ignores it: same format.


# ---------------------------------------------------------------------------------------- keys


class Summariser(Protocol):
    """All the key needs of a summariser: a name; the rest is read with getattr when present
    (version, settings, model, host, prompt, merge_prompt, temperature, max_tokens,
    max_input_tokens). Every :class:`briefing.summarisers.Summariser` qualifies."""

    @property
    def name(self) -> str: ...


def key_fields(article_sha256: str, summariser: Summariser) -> dict[str, Any]:
    """Everything that shapes a briefing of this article by this summariser (safe to log).

    Attributes a summariser lacks are None (the offline summariser has no model, prompt or
    endpoint). Only the endpoint's host is used, never the URL's credentials, nor the API key.
    """
    settings = _attr(summariser, "settings")
    prompt = _attr(summariser, "prompt")
    merge_prompt = _attr(summariser, "merge_prompt")  # may be loaded on first access
    model = _str_or_none(_attr(summariser, "model")) or _str_or_none(_attr(settings, "model"))
    host = _str_or_none(_attr(summariser, "host"))
    if host is None and settings is not None:
        host = _host(_str_or_none(_attr(settings, "base_url")))
    temperature = _attr(summariser, "temperature")
    max_input_tokens = _attr(summariser, "max_input_tokens")
    if max_input_tokens is None and settings is not None:
        # Only summarisers configured by Settings (the model ones) split long articles.
        max_input_tokens = _attr(settings, "max_input_tokens")
    return {
        "article_sha256": article_sha256.strip().lower(),
        "summariser": str(summariser.name),
        "summariser_version": _str_or_none(_attr(summariser, "version")),
        "model": model,
        "host": host,
        "prompt": _label(prompt),
        "prompt_sha256": _str_or_none(_attr(prompt, "sha256")),
        "merge_prompt": _label(merge_prompt),
        "merge_prompt_sha256": _str_or_none(_attr(merge_prompt, "sha256")),
        "temperature": _float_or_none(temperature),
        "max_tokens": _int_or_none(_attr(summariser, "max_tokens")),
        "max_input_tokens": _int_or_none(max_input_tokens),
        # --reasoning-effort: a reasoning model thinking harder writes another briefing.
        "reasoning_effort": _str_or_none(_attr(summariser, "reasoning_effort")),
        # --language: the same article briefed in French is not the English briefing.
        "language": _language(summariser),
        "schema_version": SCHEMA_VERSION,
        "tool_version": _major_minor(briefing.__version__),
    }


def cache_key(article_sha256: str, summariser: Summariser) -> str:
    """The sha256 (hex) of the canonical JSON of :func:`key_fields`."""
    return _hash(key_fields(article_sha256, summariser))


def content_hash(briefing: Briefing) -> str:
    """The sha256 (hex) of what a briefing says, without when it was made or how long it
    took: equal for the same briefing read back from the cache or re-rendered."""
    data = briefing.model_dump(mode="json", exclude={"provenance": {"generated_at", "duration_ms"}})
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def summary_key_fields(
    briefing_hashes: Sequence[str], summariser: Summariser, prompt: object
) -> dict[str, Any]:
    """Everything that shapes a day's executive summary by ``summariser`` under the digest
    ``prompt`` (safe to log): the briefings, by :func:`content_hash` in digest order (their
    numbers are the summary's references), and the prompt, model, endpoint, sampling and
    language as a briefing's key has them. The temperature and token limit are the ones the
    request sends: the setting, else the prompt's own."""
    base = key_fields("", summariser)
    settings = _attr(summariser, "settings")
    parameters = _attr(prompt, "parameters")
    temperature = _attr(settings, "temperature")
    if temperature is None:
        temperature = _attr(parameters, "temperature")
    max_tokens = _attr(settings, "max_tokens") or _attr(parameters, "max_tokens")
    return {
        "kind": "executive summary",
        "briefings": [h.strip().lower() for h in briefing_hashes],
        "summariser": base["summariser"],
        "summariser_version": base["summariser_version"],
        "model": base["model"],
        "host": base["host"],
        "prompt": _label(prompt),
        "prompt_sha256": _str_or_none(_attr(prompt, "sha256")),
        "temperature": _float_or_none(temperature),
        "max_tokens": _int_or_none(max_tokens),
        "reasoning_effort": base["reasoning_effort"],
        "language": base["language"],
        "schema_version": SCHEMA_VERSION,
        "tool_version": base["tool_version"],
    }


def summary_key(briefing_hashes: Sequence[str], summariser: Summariser, prompt: object) -> str:
    """The sha256 (hex) of the canonical JSON of :func:`summary_key_fields`."""
    return _hash(summary_key_fields(briefing_hashes, summariser, prompt))


def _hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _language(summariser: Summariser) -> str | None:
    """The language the summariser is asked to write in: its resolved code when it has one
    ("fr" for "French"), else the setting as given, else None (the article's own)."""
    language = _attr(summariser, "language")
    if language is not None and not isinstance(language, str):
        language = _attr(language, "code")
    if language is None:
        language = _attr(_attr(summariser, "settings"), "language")
    return _str_or_none(language)


def _attr(obj: object, name: str) -> Any:
    """``obj.name``, or None when absent or when computing it fails (a lazily loaded prompt
    that cannot be found): the key then says None and the summariser reports the problem."""
    if obj is None:
        return None
    try:
        return getattr(obj, name, None)
    except Exception as exc:
        log.debug("cache key: %s.%s unavailable: %s", type(obj).__name__, name, exc)
        return None


def _float_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _label(prompt: object) -> str | None:
    if prompt is None:
        return None
    return f"{_attr(prompt, 'name')}@v{_attr(prompt, 'version')}"


def _host(base_url: str | None) -> str | None:
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if not parts.hostname:
        return "?"
    return parts.hostname + (f":{parts.port}" if parts.port else "")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# ----------------------------------------------------------------------------------- the cache


def default_cache_dir() -> Path:
    """``user_cache_dir("briefing")`` (platformdirs), e.g. ``~/.cache/briefing`` on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("briefing"))


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


class CacheUnavailableError(Exception):
    """The cache file cannot be opened or created (unwritable location, locked, I/O error)."""


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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheUnavailableError(
                f"cannot create cache dir {self.path.parent}: {exc.strerror or exc}"
            ) from None
        with _open_lock(self.path):
            self._conn: sqlite3.Connection | None = self._open_checked()

    @classmethod
    def open(cls, path: Path) -> Cache | NullCache:
        """A cache at ``path``, or a NullCache (with a warning) when it cannot be used."""
        try:
            return cls(path)
        except (CacheUnavailableError, sqlite3.Error, OSError) as exc:
            log.warning("running without the result cache: %s", _first_line(exc))
            return NullCache(path, reason=_first_line(exc))

    @property
    def enabled(self) -> bool:
        return True

    # -- opening -------------------------------------------------------------------------------

    def _open_checked(self) -> sqlite3.Connection:
        for _attempt in range(3):
            ident = _identity(self.path)
            conn = self._connect()
            try:
                problem = self._check_and_init(conn)
            except sqlite3.Error as exc:
                if not _is_corrupt(exc):
                    conn.close()
                    raise CacheUnavailableError(
                        f"cannot open cache file {self.path}: {exc}"
                    ) from None
                problem = ("corrupt", f"corrupt ({_first_line(exc)})")
            if problem is None:
                return conn
            # Renamed while still open: closing would make SQLite delete the -wal/-shm files.
            try:
                self._move_aside(*problem, ident=ident)
            finally:
                conn.close()
        raise CacheUnavailableError(f"cannot start a new cache file at {self.path}")

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # autocommit: each statement is its own transaction
                check_same_thread=False,  # shared between threads under self._lock
            )
        except sqlite3.Error as exc:
            raise CacheUnavailableError(f"cannot open cache file {self.path}: {exc}") from None
        return conn

    def _check_and_init(self, conn: sqlite3.Connection) -> tuple[str, str] | None:
        """Set the pragmas, check the file and create the tables; (tag, why) if it must go."""
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if not mode or str(mode[0]).lower() != "wal":
            log.debug("cache %s: journal mode %s (WAL unavailable)", self.path, mode)
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
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            conn.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES ('format', ?), ('created_by', ?)",
                (str(CACHE_FORMAT), briefing.__version__),
            )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        return None

    def _move_aside(self, tag: str, why: str, *, ident: tuple[int, int] | None) -> None:
        if ident is not None and _identity(self.path) != ident:
            return  # another process replaced the file meanwhile: use theirs
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safe_tag = "".join(c if c.isalnum() else "_" for c in tag)[:20]
        target = self.path.with_name(f"{self.path.name}.{safe_tag}-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.{safe_tag}-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return  # another process moved it first
        except OSError as exc:
            raise CacheUnavailableError(
                f"cache file {self.path} is {why} and cannot be moved aside: {exc.strerror or exc}"
            ) from None
        for suffix in _SIDE_FILES:
            # A -wal left beside the new file would be replayed into it: move it, or delete it.
            side = self.path.with_name(self.path.name + suffix)
            try:
                os.replace(side, target.with_name(target.name + suffix))
            except FileNotFoundError:
                continue
            except OSError:
                try:
                    side.unlink(missing_ok=True)
                except OSError as exc:
                    raise CacheUnavailableError(
                        f"cannot remove {side} of the old cache file: {exc.strerror or exc}"
                    ) from None
        log.warning(
            "cache file %s is %s: moved it to %s and started a new cache", self.path, why, target
        )

    # -- use -----------------------------------------------------------------------------------

    def get(self, key: str) -> Briefing | None:
        """The cached briefing, or None (a miss, an unreadable row, any SQLite error)."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    "SELECT briefing FROM briefings WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._warn("read", exc)
                return None
        if row is None:
            return None
        try:
            return Briefing.model_validate_json(row[0])  # outside the lock: threads go on
        except (ValidationError, ValueError, TypeError) as exc:
            log.warning(
                "cache %s: dropped an unreadable entry %s… (%s)",
                self.path,
                key[:12],
                _first_line(exc),
            )
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(  # only that row: a thread may have replaced it
                        "DELETE FROM briefings WHERE key = ? AND briefing = ?", (key, row[0])
                    )
                except sqlite3.Error as exc:
                    self._warn("delete", exc)
        return None

    def get_summary(self, key: str) -> CachedSummary | None:
        """The cached executive summary, or None (a miss, an unreadable row, an SQLite error)."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    "SELECT summary FROM summaries WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._warn("read", exc)
                return None
        if row is None:
            return None
        try:
            return CachedSummary.model_validate_json(row[0])
        except (ValidationError, ValueError, TypeError) as exc:
            log.warning(
                "cache %s: dropped an unreadable summary %s… (%s)",
                self.path,
                key[:12],
                _first_line(exc),
            )
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(
                        "DELETE FROM summaries WHERE key = ? AND summary = ?", (key, row[0])
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
        message = _first_line(exc)
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


def _is_corrupt(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
