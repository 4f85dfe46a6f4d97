"""The Batch API jobs of ``daily --batch``, recorded in the cache file (table ``batches``).

A job is recorded *before* it is submitted (state ``submitting``, no batch id yet), under a
key that also goes into the batch's metadata; once the batch exists its id is recorded
(``submitted``), and once its answers are cached, it is ``collected``. A run killed anywhere
in between leaves a row that the next run of the same day resumes: by its batch id, or, with
none recorded, by finding the batch whose metadata holds the key, and only then by
submitting. So a day's requests are never submitted twice.

``run`` identifies the run a job serves: the output, the day and the summariser's
configuration (``daily_batch.run_identity``); the lines are the JSONL requests sent, kept for
the repair requests of answers that need one. Each write is its own committed transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict

from briefing.cache.database import CacheUnavailableError, first_line, open_database
from briefing.errors import BriefingError

__all__ = ["BatchRecord", "BatchStore", "BatchStoreError"]

State = Literal["submitting", "submitted", "collected"]


class BatchStoreError(BriefingError):
    """The batch cannot be recorded: without a record, --batch could submit it twice."""


class BatchRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str  # sha256 of the run and its requests; the batch's metadata holds it too
    run: str  # the run it serves: output, day, summariser configuration
    batch_id: str | None  # None: submission began, the batch's id is not known yet
    state: State  # see the module
    created_at: datetime
    lines: str  # the JSONL sent


class BatchStore:
    """The ``batches`` table of the cache file at ``path`` (a connection of its own)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._conn: sqlite3.Connection = open_database(path)
        except (CacheUnavailableError, sqlite3.Error, OSError) as exc:
            raise BatchStoreError(
                f"--batch cannot record its batch in the cache at {path}: {first_line(exc)}"
            ) from None

    def open_job(self, run: str) -> BatchRecord | None:
        """The latest job of ``run`` not collected yet, if any."""
        row = self._one(
            "SELECT key, run, batch_id, state, created_at, lines FROM batches "
            "WHERE run = ? AND state != 'collected' ORDER BY created_at DESC LIMIT 1",
            (run,),
        )
        if row is None:
            return None
        names = ("key", "run", "batch_id", "state", "created_at", "lines")
        return BatchRecord.model_validate(dict(zip(names, row, strict=True)))

    def begin(self, key: str, run: str, lines: str) -> BatchRecord:
        """Record a job about to be submitted (before any request: see the module)."""
        now = datetime.now(UTC)
        self._write(
            "INSERT OR REPLACE INTO batches (key, run, batch_id, state, created_at, lines) "
            "VALUES (?, ?, NULL, 'submitting', ?, ?)",
            (key, run, now.isoformat(), lines),
        )
        return BatchRecord(
            key=key, run=run, batch_id=None, state="submitting", created_at=now, lines=lines
        )

    def submitted(self, key: str, batch_id: str) -> None:
        self._write(
            "UPDATE batches SET batch_id = ?, state = 'submitted' WHERE key = ?", (batch_id, key)
        )

    def collected(self, key: str) -> None:
        self._write("UPDATE batches SET state = 'collected' WHERE key = ?", (key,))

    def _one(self, sql: str, args: tuple[object, ...]) -> tuple[str, ...] | None:
        with self._lock:
            try:
                row = self._conn.execute(sql, args).fetchone()
            except sqlite3.Error as exc:
                raise BatchStoreError(
                    f"cannot read the batch record in {self.path}: {first_line(exc)}"
                ) from None
        return tuple(row) if row is not None else None

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock:
            try:
                self._conn.execute(sql, args)  # autocommit: committed when it returns
            except sqlite3.Error as exc:
                raise BatchStoreError(
                    f"cannot record the batch in {self.path}: {first_line(exc)}"
                ) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
