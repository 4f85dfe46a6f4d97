"""The history of runs: every ``build``, ``daily`` and ``eval`` the command line ran, kept in
``history.sqlite3`` beside the cache, for ``briefing log``.

* ``database.py``: the file (WAL, checked, a bad one moved aside) and where it is;
* ``records.py``: :class:`RunRecord` and :class:`BriefingRow`, :func:`record_run` (the one
  recording function), :func:`read_runs`, :func:`read_run` and :func:`prune`;
* ``recorder.py``: :class:`RunRecorder`, what a run gathers as it goes: :func:`recording`
  around a CLI run, :func:`current_run` for the core to report to;
* ``report.py``: the history in words and as JSON, and the ``-u/--usage`` line.

The history never fails a run: a file that cannot be written is a warning, and the run goes on.
"""

from __future__ import annotations

from briefing.history.database import HISTORY_FILE, HistoryUnavailable, history_path
from briefing.history.recorder import RunRecorder, current_run, recording
from briefing.history.records import (
    OUTCOMES,
    BriefingRow,
    RunRecord,
    prune,
    read_run,
    read_runs,
    record_run,
)

__all__ = [
    "HISTORY_FILE",
    "OUTCOMES",
    "BriefingRow",
    "HistoryUnavailable",
    "RunRecord",
    "RunRecorder",
    "current_run",
    "history_path",
    "prune",
    "read_run",
    "read_runs",
    "record_run",
    "recording",
]
