"""Our SQLite files: creating their tables, telling corruption apart, moving a bad file aside.

The cache (``briefing/cache/``) and the run history (``briefing/history/``) are both SQLite
files that must never stop a run: a corrupt or foreign file is renamed out of the way, with
its journal files, and a new one is started with its ``meta`` table and schema. One
implementation for both, so the two can never disagree on what "corrupt" means or leave a
stale ``-wal`` to be replayed into the new file.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SIDE_FILES = ("-wal", "-shm", "-journal")


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file is not a (sound) SQLite database."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def move_aside(path: Path, tag: str) -> Path | None:
    """Rename ``path`` to ``<name>.<tag>-<UTC time>`` (a free name), its journal files with it.

    Returns the new path, or None when the file was gone already (another process moved it
    first). Raises OSError when the file cannot be moved, or when a journal file can be neither
    moved nor deleted (a ``-wal`` left beside the new file would be replayed into it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe_tag = "".join(c if c.isalnum() else "_" for c in tag)[:20]
    target = path.with_name(f"{path.name}.{safe_tag}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{safe_tag}-{stamp}-{n}")
        n += 1
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return None
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        try:
            os.replace(side, target.with_name(target.name + suffix))
        except FileNotFoundError:
            continue
        except OSError:
            side.unlink(missing_ok=True)
    return target


def create_tables(conn: sqlite3.Connection, schema: str, meta: dict[str, str]) -> None:
    """Within the caller's open transaction: the ``meta`` table with ``meta``'s rows (kept
    if already there) and the tables of ``schema`` (statements separated by ";"), then
    COMMIT. The caller rolls back on failure."""
    conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
    conn.executemany("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)", list(meta.items()))
    for statement in schema.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("COMMIT")
