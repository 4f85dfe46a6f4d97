"""The result cache: keys, round trips, damaged files, unusable places, threads, processes,
kill -9."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

import briefing.cache.database as cache_database
import briefing.cache.keys as cache_keys
import briefing.version as tool_version
from briefing.cache import (
    CACHE_FILE,
    Cache,
    CacheInfo,
    NullCache,
    cache_key,
    cache_path,
    default_cache_dir,
    key_fields,
    open_cache,
)
from briefing.config import load_settings
from briefing.errors import ConfigError
from briefing.model import Article, Briefing, PromptRef
from briefing.prompts import Prompt, Registry
from briefing.summarisers.offline.summariser import OfflineSummariser
from briefing.summarisers.openai.summariser import OpenAISummariser
from tests.factories import SOURCE_SHA, make_briefing, make_openai_provenance, make_source

REPO = Path(__file__).resolve().parent.parent
API_KEY = "sk-test-DO-NOT-STORE-4f9c2e7a1b3d5f60"


# ------------------------------------------------------------------------------------ helpers


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


@pytest.fixture
def logs() -> Iterator[Records]:
    """Records of the ``briefing.cache`` logger, whatever the CLI did to ``briefing``'s level."""
    logger = logging.getLogger("briefing.cache")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cache" / CACHE_FILE


def openai_summariser(**settings: Any) -> OpenAISummariser:
    values: dict[str, Any] = {"api_key": API_KEY, "model": "gpt-4.1-mini"}
    values.update(settings)
    flags = {k: v for k, v in values.items() if k != "api_key"}
    env = {"OPENAI_API_KEY": values["api_key"]} if values["api_key"] else {}
    return OpenAISummariser(load_settings(flags, environ=env), Registry().get("briefing@v1"))


def openai_briefing(n: int = 0) -> Briefing:
    return make_briefing(
        title=f"Briefing number {n}",
        source=make_source(sha256=f"{n:064x}"),
        provenance=make_openai_provenance(),
    )


def side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm")]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def child_env() -> dict[str, str]:
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


# A child process: puts (and reads back) briefings, writing each committed key to stdout.
CHILD = """
import logging, sys
from pathlib import Path
from briefing.cache import Cache
from tests.factories import make_briefing, make_source
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
import time
path, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
cache = Cache(path)
go = Path(sys.argv[4]) if len(sys.argv) > 4 else None
deadline = time.monotonic() + 20
while go is not None and not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
i = 0
while count < 0 or i < count:
    key = f"{prefix}-{i}"
    b = make_briefing(title=key, source=make_source(sha256=f"{i:064x}"))
    cache.put(key, b)
    sys.stdout.write(key + "\\n")
    sys.stdout.flush()
    if count >= 0:
        assert cache.get(key) == b, key
        assert cache.get(f"{prefix}-0") is not None
    i += 1
cache.close()
"""


def start_child(
    path: Path, prefix: str, count: int, go: Path | None = None
) -> subprocess.Popen[str]:
    """Start CHILD; with ``go``, it opens the cache and waits for that file before putting."""
    extra = [str(go)] if go else []
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), prefix, str(count), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


# ---------------------------------------------------------------------------------------- keys


def test_key_is_sha256_of_stable_fields() -> None:
    offline = OfflineSummariser()
    key = cache_key(SOURCE_SHA, offline)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == cache_key(SOURCE_SHA.upper(), OfflineSummariser())
    fields = key_fields(SOURCE_SHA, offline)
    assert fields["summariser"] == "offline"
    assert fields["summariser_version"] == OfflineSummariser.version
    assert fields["model"] is None and fields["prompt"] is None and fields["host"] is None
    assert fields["schema_version"] == 1 and fields["tool_version"] == "0.1"
    json.dumps(fields)  # loggable as is


def test_openai_key_fields_name_what_shapes_the_answer() -> None:
    s = openai_summariser(base_url="https://alice:s3cr3t@llm.example.org:8443/v1", temperature=0.3)
    fields = key_fields(SOURCE_SHA, s)
    prompt = s.prompt
    assert fields["model"] == "gpt-4.1-mini"
    assert fields["host"] == "llm.example.org:8443"
    assert fields["prompt"] == f"briefing@v{prompt.version}"
    assert fields["prompt_sha256"] == prompt.sha256
    assert fields["temperature"] == 0.3
    assert fields["max_input_tokens"] == 16_000
    merge = getattr(s, "merge_prompt", None)  # the map-reduce merge prompt, when there is one
    assert fields["merge_prompt"] == (f"{merge.name}@v{merge.version}" if merge else None)
    assert fields["merge_prompt_sha256"] == (merge.sha256 if merge else None)
    text = json.dumps(fields)
    assert API_KEY not in text and "s3cr3t" not in text and "alice" not in text


def _prompt_with_sha(s: OpenAISummariser) -> None:
    s.prompt = dataclasses.replace(s.prompt, sha256="0" * 64)


CHANGES: dict[str, Callable[[OpenAISummariser], None]] = {
    "model": lambda s: setattr(s, "settings", s.settings.model_copy(update={"model": "gpt-4o"})),
    "prompt sha256": _prompt_with_sha,
    "prompt version": lambda s: setattr(s, "prompt", dataclasses.replace(s.prompt, version=9)),
    "temperature": lambda s: setattr(s, "temperature", 0.7),
    "reasoning effort": lambda s: setattr(s, "reasoning_effort", "high"),
    "summariser version": lambda s: setattr(s, "version", "2"),
    "host": lambda s: setattr(s, "host", "localhost:11434"),
    "max_input_tokens": lambda s: setattr(
        s, "settings", s.settings.model_copy(update={"max_input_tokens": 4000})
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_key_field_change_is_a_miss(db: Path, change: str) -> None:
    s = openai_summariser()
    with Cache(db) as cache:
        cache.put(cache_key(SOURCE_SHA, s), openai_briefing())
        assert cache.get(cache_key(SOURCE_SHA, s)) is not None
        CHANGES[change](s)
        assert cache.get(cache_key(SOURCE_SHA, s)) is None


@dataclasses.dataclass
class FakeSplitter:
    """A summariser-like object with a merge prompt (as a map-reduce summariser has)."""

    prompt: Prompt
    merge_prompt: Prompt | None
    name: str = "fake"
    version: str = "1"

    def summarise(self, article: Article) -> Briefing:  # pragma: no cover - not called
        raise NotImplementedError


class BrokenMergePrompt:
    name = "broken"

    @property
    def merge_prompt(self) -> Prompt:
        raise ConfigError("unknown prompt 'merge'")


def test_merge_prompt_is_part_of_the_key() -> None:
    prompt = Registry().get("briefing@v1")
    merge = dataclasses.replace(prompt, name="merge", sha256="1" * 64)
    plain = cache_key(SOURCE_SHA, FakeSplitter(prompt, None))
    with_merge = cache_key(SOURCE_SHA, FakeSplitter(prompt, merge))
    changed = cache_key(
        SOURCE_SHA, FakeSplitter(prompt, dataclasses.replace(merge, sha256="2" * 64))
    )
    assert len({plain, with_merge, changed}) == 3
    fields = key_fields(SOURCE_SHA, FakeSplitter(prompt, merge))
    assert fields["merge_prompt"] == "merge@v1" and fields["merge_prompt_sha256"] == "1" * 64
    # A merge prompt that cannot be loaded does not break the key (the summariser reports it).
    assert key_fields(SOURCE_SHA, BrokenMergePrompt())["merge_prompt"] is None


def test_schema_tool_version_and_article_changes_are_misses(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = OfflineSummariser()
    key = cache_key(SOURCE_SHA, s)
    with Cache(db) as cache:
        cache.put(key, make_briefing())
        assert cache.get(cache_key("f" * 64, s)) is None
        monkeypatch.setattr(cache_keys, "SCHEMA_VERSION", 2)
        assert cache_key(SOURCE_SHA, s) != key
        assert cache.get(cache_key(SOURCE_SHA, s)) is None
        monkeypatch.setattr(cache_keys, "SCHEMA_VERSION", 1)
        monkeypatch.setattr(tool_version, "__version__", "0.2.0")
        assert cache.get(cache_key(SOURCE_SHA, s)) is None
        monkeypatch.setattr(tool_version, "__version__", "0.1.7")  # a patch release keeps the cache
        assert cache.get(cache_key(SOURCE_SHA, s)) is not None


def test_api_key_is_not_part_of_the_key() -> None:
    one = openai_summariser(api_key=API_KEY)
    other = openai_summariser(api_key="sk-another-key")
    assert cache_key(SOURCE_SHA, one) == cache_key(SOURCE_SHA, other)


# -------------------------------------------------------------------------------- round trips


def test_round_trip_returns_an_equal_briefing(db: Path, logs: Records) -> None:
    b = openai_briefing(1)
    with Cache(db) as cache:
        assert cache.enabled
        assert cache.get("missing") is None
        cache.put("k", b)
        got = cache.get("k")
        assert got == b and isinstance(got, Briefing)
        assert got.provenance.generated_at.tzinfo is not None
        cache.put("k", make_briefing())  # replaces
        assert cache.get("k") == make_briefing()
    with Cache(db) as again:  # persisted
        assert again.get("k") == make_briefing()
    assert logs.warnings == []


def test_rows_carry_descriptive_columns_and_wal_mode(db: Path) -> None:
    with Cache(db) as cache:
        cache.put("k", openai_briefing(3))
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT summariser, model, prompt, article_sha256, created_at FROM briefings"
        ).fetchone()
        assert row[:4] == ("openai", "gpt-4o-mini", "briefing@v1", f"{3:064x}")
        assert row[4].endswith("+00:00")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()[0] == "1"
    finally:
        conn.close()


def test_info_and_clear(db: Path) -> None:
    with Cache(db) as cache:
        empty = cache.info()
        assert (empty.path, empty.entries, empty.oldest, empty.newest) == (db, 0, None, None)
        for n in range(30):
            cache.put(f"k{n}", openai_briefing(n))
        info = cache.info()
        assert info.entries == 30 and info.bytes > 30 * 3000
        assert info.oldest is not None and info.newest is not None
        assert info.oldest <= info.newest and info.oldest.tzinfo == UTC
        assert cache.clear() == 30
        after = cache.info()
        assert after.entries == 0 and after.oldest is None and after.bytes < info.bytes
        assert cache.clear() == 0
        cache.put("k", make_briefing())  # still usable
        assert cache.info().entries == 1


def test_invalid_row_is_deleted_and_missed(db: Path, logs: Records) -> None:
    with Cache(db) as cache:
        cache.put("bad", make_briefing())
        cache.put("good", make_briefing())
    conn = sqlite3.connect(db)
    conn.execute("UPDATE briefings SET briefing = '{\"title\": 1}' WHERE key = 'bad'")
    conn.commit()
    conn.close()
    with Cache(db) as cache:
        assert cache.get("bad") is None
        assert cache.get("good") == make_briefing()
        assert cache.info().entries == 1
    assert len(logs.warnings) == 1 and "unreadable entry" in logs.warnings[0]


def test_closed_cache_and_context_manager(db: Path) -> None:
    with Cache(db) as cache:
        cache.put("k", make_briefing())
    assert cache.get("k") is None  # closed: a miss, not an error
    cache.put("k2", make_briefing())
    cache.close()  # idempotent


def test_default_location_is_the_user_cache_dir(isolated: Path) -> None:
    home = Path(os.environ["XDG_CACHE_HOME"])
    assert default_cache_dir() == home / "briefing"
    assert cache_path() == home / "briefing" / CACHE_FILE
    assert cache_path(isolated / "mine") == isolated / "mine" / CACHE_FILE
    with open_cache() as cache:
        assert isinstance(cache, Cache) and cache.path == home / "briefing" / CACHE_FILE
        cache.put("k", make_briefing())
    with open_cache(isolated / "mine") as mine:
        assert mine.get("k") is None
    assert (home / "briefing" / CACHE_FILE).exists()


# ------------------------------------------------------------------------- damaged cache files


def _assert_moved_aside(db: Path, logs: Records, tag: str, original: bytes | None) -> Path:
    moved = sorted(db.parent.glob(f"{CACHE_FILE}.{tag}-*"))
    main = [p for p in moved if not p.name.endswith(("-wal", "-shm"))]
    assert len(main) == 1, moved
    if original is not None:
        assert main[0].read_bytes() == original
    assert len(logs.warnings) == 1
    line = logs.warnings[0]
    assert "\n" not in line and str(db) in line and str(main[0]) in line
    return main[0]


def _assert_fresh_cache_works(db: Path) -> None:
    with Cache(db) as cache:
        assert cache.info().entries == 0
        cache.put("k", make_briefing())
        assert cache.get("k") == make_briefing()
    assert integrity(db) == "ok"


def test_garbage_file_is_moved_aside_with_its_wal(db: Path, logs: Records) -> None:
    db.parent.mkdir(parents=True)
    garbage = os.urandom(8192)
    db.write_bytes(garbage)
    for side in side_files(db):
        side.write_bytes(b"junk")
    with Cache(db) as cache:
        assert cache.get("k") is None
    target = _assert_moved_aside(db, logs, "corrupt", garbage)
    assert "corrupt" in logs.warnings[0]
    wal, shm = side_files(target)
    assert wal.read_bytes() == b"junk"  # the log as it was (SQLite rewrites the -shm index)
    assert shm.exists()
    assert not any(p.exists() for p in side_files(db)) or integrity(db) == "ok"
    _assert_fresh_cache_works(db)


def test_text_file_is_not_a_database(db: Path, logs: Records) -> None:
    db.parent.mkdir(parents=True)
    db.write_text("this is not a database\n" * 10)
    assert isinstance(Cache.open(db), Cache)
    _assert_moved_aside(db, logs, "corrupt", None)
    _assert_fresh_cache_works(db)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_database_is_moved_aside(db: Path, logs: Records, keep: float) -> None:
    with Cache(db) as cache:
        for n in range(60):
            cache.put(f"k{n}", openai_briefing(n))
    data = db.read_bytes()
    assert not any(p.exists() for p in side_files(db))  # checkpointed on close
    db.write_bytes(data[: int(len(data) * keep)])
    with Cache(db) as cache:
        assert cache.get("k1") is None
    _assert_moved_aside(db, logs, "corrupt", None)
    _assert_fresh_cache_works(db)


def test_other_format_version_is_moved_aside(db: Path, logs: Records) -> None:
    with Cache(db) as cache:
        cache.put("k", make_briefing())
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '7' WHERE name = 'format'")
    conn.commit()
    conn.close()
    with Cache(db) as cache:
        assert cache.get("k") is None
    target = _assert_moved_aside(db, logs, "v7", None)
    assert "format 7" in logs.warnings[0]
    old = sqlite3.connect(target)
    assert old.execute("SELECT count(*) FROM briefings").fetchone()[0] == 1  # kept, not lost
    old.close()
    _assert_fresh_cache_works(db)


def test_foreign_sqlite_file_is_moved_aside(db: Path, logs: Records) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    assert isinstance(Cache.open(db), Cache)
    _assert_moved_aside(db, logs, "corrupt", None)


def test_empty_file_becomes_a_cache(db: Path, logs: Records) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    _assert_fresh_cache_works(db)
    assert logs.warnings == []


# ---------------------------------------------------------------------- unusable places, errors


def test_cache_dir_under_a_file_gives_null_cache(tmp_path: Path, logs: Records) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    cache = Cache.open(blocker / "cache" / CACHE_FILE)
    assert isinstance(cache, NullCache) and not cache.enabled
    assert len(logs.warnings) == 1 and "running without the result cache" in logs.warnings[0]
    with cache:
        cache.put("k", make_briefing())
        assert cache.get("k") is None
        assert cache.info() == CacheInfo(blocker / "cache" / CACHE_FILE, 0, 0, None, None)
        assert cache.clear() == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_dir_gives_null_cache(tmp_path: Path, logs: Records) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        cache = Cache.open(ro / CACHE_FILE)
        assert isinstance(cache, NullCache)
        assert len(logs.warnings) == 1
    finally:
        ro.chmod(0o700)


def test_no_cache_flag_gives_silent_null_cache(logs: Records) -> None:
    cache = open_cache(enabled=False)
    assert isinstance(cache, NullCache) and cache.get("k") is None
    assert logs.warnings == []


def test_locked_at_open_is_no_cache_and_not_corruption(
    db: Path, logs: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Cache(db) as cache:
        cache.put("k", make_briefing())
    monkeypatch.setattr(cache_database, "BUSY_TIMEOUT_S", 0.1)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another run writing, for longer than our timeout
    try:
        opened = Cache.open(db)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert isinstance(opened, NullCache)
    assert len(logs.warnings) == 1 and "locked" in logs.warnings[0]
    assert not list(db.parent.glob(f"{CACHE_FILE}.*-*"))  # never moved aside
    with Cache(db) as again:
        assert again.get("k") == make_briefing()


def test_sqlite_errors_in_use_are_misses_and_skipped_writes(
    db: Path, logs: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_database, "BUSY_TIMEOUT_S", 0.1)
    with Cache(db) as cache:
        cache.put("k", make_briefing())
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock past our timeout
        cache.put("k2", make_briefing())
        cache.put("k3", make_briefing())
        conn = cache._conn  # each locked write waited BUSY_TIMEOUT_S at most, then was skipped
        assert conn is not None and conn.execute("PRAGMA busy_timeout").fetchone() == (100,)
        assert cache.get("k") == make_briefing()  # WAL: readers go on
        other.execute("ROLLBACK")
        assert len(logs.warnings) == 1 and "locked" in logs.warnings[0]  # once, not per put
        assert cache.get("k2") is None
        other.execute("DROP TABLE briefings")
        other.close()
        assert cache.get("k") is None
        assert cache.info().entries == 0
    assert any("no such table" in w for w in logs.warnings)


def test_api_key_never_reaches_the_database(
    db: Path, logs: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    settings = load_settings()
    assert settings.api_key is not None
    summariser = OpenAISummariser(settings, Registry().get("briefing"))
    key = cache_key(SOURCE_SHA, summariser)
    b = make_briefing(
        provenance=make_openai_provenance(
            prompt=PromptRef(name="briefing", version=1, sha256=summariser.prompt.sha256)
        )
    )

    def stored_bytes() -> bytes:
        return b"".join(p.read_bytes() for p in db.parent.iterdir() if p.is_file())

    with Cache(db) as cache:
        cache.put(key, b)
        assert cache.get(key) == b
        assert API_KEY.encode() not in stored_bytes()  # database and WAL while open
    assert API_KEY.encode() not in stored_bytes()
    assert all(API_KEY not in r.getMessage() for r in logs.records)
    assert API_KEY not in json.dumps(key_fields(SOURCE_SHA, summariser))


# ------------------------------------------------------------------------- threads, processes


def test_eight_threads_put_and_get_concurrently(db: Path, logs: Records) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)
    with Cache(db) as cache:

        def work(t: int) -> None:
            try:
                barrier.wait()
                for n in range(25):
                    b = openai_briefing(t * 100 + n)
                    cache.put(f"{t}-{n}", b)
                    assert cache.get(f"{t}-{n}") == b
                    cache.get(f"{(t + 1) % 8}-{n}")  # another thread's, maybe not there yet
                    cache.info()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert cache.info().entries == 200
        assert all(cache.get(f"{t}-{n}") is not None for t in range(8) for n in range(25))
    assert logs.warnings == []


def test_two_processes_share_the_cache(db: Path, logs: Records) -> None:
    go = db.parent / "go"
    children = [start_child(db, prefix, 300, go) for prefix in ("a", "b")]  # both open it too
    with Cache(db) as cache:  # and this process as a third writer
        time.sleep(0.3)  # let the children start and open the cache
        go.touch()
        for n in range(100):
            cache.put(f"main-{n}", make_briefing())
            assert cache.get(f"main-{n}") == make_briefing()
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert err == ""  # no cache warnings (locked, …) in the children
        assert len(out.split()) == 300
    with Cache(db) as cache:
        assert cache.info().entries == 700
        assert cache.get("a-149") is not None and cache.get("b-0") is not None
    assert integrity(db) == "ok"
    assert logs.warnings == []


@pytest.mark.parametrize("after", [50, 400])
def test_sigkill_mid_burst_leaves_the_cache_intact(db: Path, logs: Records, after: int) -> None:
    with Cache(db) as cache:
        cache.put("before", make_briefing())
    committed: list[str] = []
    for round_ in range(2):  # killed twice: the second child starts on a killed one's file
        child = start_child(db, f"burst{round_}", -1)  # puts until killed
        assert child.stdout is not None
        started = len(committed)
        deadline = time.monotonic() + 30
        while len(committed) - started < after and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            committed.append(line.strip())
        assert len(committed) - started >= after, child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)  # while it goes on putting
        out, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL, err
        committed += out.split()  # every key printed was committed before the kill

    assert integrity(db) == "ok"
    with Cache(db) as cache:
        assert cache.get("before") == make_briefing()
        missing = [key for key in committed if cache.get(key) is None]
        assert missing == []
        assert cache.info().entries >= len(committed) + 1
    assert logs.warnings == []  # not moved aside: the file is sound
    assert not list(db.parent.glob(f"{CACHE_FILE}.corrupt-*"))


def test_concurrent_opens_of_a_corrupt_file_move_it_once(db: Path, logs: Records) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(4096))
    caches: list[Cache | NullCache] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait()
        caches.append(Cache.open(db))

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(caches) == 4 and all(isinstance(c, Cache) for c in caches)
    caches[0].put("k", make_briefing())
    assert all(c.get("k") == make_briefing() for c in caches)
    for c in caches:
        c.close()
    assert len(list(db.parent.glob(f"{CACHE_FILE}.corrupt-*"))) == 1
    assert len(logs.warnings) == 1
