"""What each digest reported, remembered for the next one: a table in the history file.

``history.sqlite3`` beside the cache (:mod:`briefing.history.database`) gains one table,
``digest_stories``: one row per digest, keyed by its *series* (the output's resolved path,
the day's date in its file name written ``{date}``, so ``output/briefing-2026-11-26.pdf`` and
``output/briefing-2026-11-27.pdf`` are one series while ``d.json`` and ``other.json`` are two)
and its day, holding its stories (key, title, profile, actors, risks, figures) as JSON.

The history file rather than the cache: ``briefing cache clear`` or a corrupt cache moved
aside must not make every story of tomorrow's digest "new", and ``--no-cache`` still keeps
it. It is kept whatever ``--no-history`` says: that setting is about the log of runs, and
the next digest needs to know this one. An older version of the tool ignores the table (the
history's format is unchanged). A rerun of a day replaces that day's row; the latest
:data:`KEEP_DIGESTS` digests of each series are kept.

The memory never fails a digest: an unusable file is a warning, and every story is new.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.cache.database import first_line
from briefing.history.database import HistoryUnavailable, connect

__all__ = [
    "KEEP_DIGESTS",
    "DigestRecord",
    "StoryRecord",
    "previous_digest",
    "record_digest",
    "series_of",
]

log = logging.getLogger("briefing.daily")

KEEP_DIGESTS = 60  # per series: two months of dailies, more than any gap between them

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digest_stories (
    series TEXT NOT NULL,
    day TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (series, day)
)
"""


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)  # newer fields: ignored


class StoryRecord(_Record):
    """A story as the next digest compares with it."""

    key: str
    title: str
    terms: dict[str, float] = Field(default_factory=dict)  # its similarity profile
    actors: list[str] = Field(default_factory=list)
    risks: list[tuple[str, str, str]] = Field(default_factory=list)  # description, L, I
    figures: list[str] = Field(default_factory=list)


class DigestRecord(_Record):
    day: str
    stories: list[StoryRecord]


def series_of(output: Path, day: date) -> str:
    """The series a digest written to ``output`` for ``day`` belongs to (see above)."""
    try:
        folder = output.parent.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the path as given still names it
        folder = output.parent.absolute()
    return str(folder / output.name.replace(day.isoformat(), "{date}"))


def previous_digest(history: Path, series: str, day: date) -> DigestRecord | None:
    """The latest digest of ``series`` before ``day`` (the day itself excluded: a rerun
    compares with the digest before it), or None."""
    try:
        with _open(history) as conn:
            row = conn.execute(
                "SELECT digest FROM digest_stories WHERE series = ? AND day < ? "
                "ORDER BY day DESC LIMIT 1",
                (series, day.isoformat()),
            ).fetchone()
        return DigestRecord.model_validate_json(row[0]) if row else None
    except (HistoryUnavailable, sqlite3.Error, ValidationError, ValueError) as exc:
        log.warning(
            "cannot read the previous digest's stories from %s: %s; every story is new",
            history,
            first_line(exc),
        )
        return None


def record_digest(history: Path, series: str, record: DigestRecord) -> None:
    """Remember ``record`` as the digest of ``series`` on its day (replacing a rerun's)."""
    try:
        with _open(history) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO digest_stories (series, day, recorded_at, digest) "
                "VALUES (?, ?, ?, ?)",
                (
                    series,
                    record.day,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    record.model_dump_json(),
                ),
            )
            conn.execute(
                "DELETE FROM digest_stories WHERE series = ? AND day NOT IN (SELECT day FROM "
                "digest_stories WHERE series = ? ORDER BY day DESC LIMIT ?)",
                (series, series, KEEP_DIGESTS),
            )
            conn.execute("COMMIT")
    except (HistoryUnavailable, sqlite3.Error) as exc:
        log.warning(
            "cannot remember this digest's stories in %s: %s; the next digest will mark "
            "every story new",
            history,
            first_line(exc),
        )


@contextlib.contextmanager
def _open(history: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(history)
    try:
        conn.execute(_SCHEMA)
        yield conn
    finally:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        conn.close()
