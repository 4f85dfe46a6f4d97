"""What the command line shows on stderr: log lines, the daily progress line, a day's outcome.

The core logs to the "briefing" logger and reports progress through a callback; how that looks
on a terminal, under cron or in a log file is decided here, so cli.py stays option plumbing.

Every log line is one line: control characters in it (a file name's ESC or newline, a bidi
override) are written as visible escapes (:func:`briefing.text.controls.escape_controls`), on
stderr, in the progress line and in the log file alike. On a terminal the progress line is
cleared before a log line is written and drawn again after it, so the two never share a line.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import BriefingError, ConfigError, OutputError
from briefing.output import os_error_reason
from briefing.text.controls import escape_controls
from briefing.version import __version__

if TYPE_CHECKING:
    from briefing.daily import DailyResult, Progress

log = logging.getLogger("briefing")

# A log record with ``extra={"notice": True}`` says what the user may not expect but is no
# problem (briefing.pipeline.announce: the offline summariser in use): `daily -q` leaves it
# out, so a good night prints nothing; problems (a source that failed) still show.


class OneLineFormatter(logging.Formatter):
    """One line per record, control characters escaped; ``%(asctime)s`` is the local time in
    ISO 8601 with its offset (2026-11-26T05:30:01.250+01:00)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created).astimezone()
        return stamp.isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each record (CliRunner swaps it); while
    a progress line is shown, clears it before the record and draws it again after."""

    progress: ProgressLine | None = None

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it: ignore
        pass

    def emit(self, record: logging.LogRecord) -> None:
        line = self.progress
        if line is None:
            super().emit(record)
            return
        with line.lock:
            line.clear()
            super().emit(record)
            line.redraw()


class _NoNotices(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "notice", False)


class LogFileHandler(logging.FileHandler):
    """``--log-file``: every line, time-stamped. A write that fails (a full disk) prints no
    traceback: the first failure is kept, and :meth:`check` raises it as an OutputError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failure: OSError | None = None
        super().__init__(path, encoding="utf-8")
        self.setFormatter(OneLineFormatter("%(asctime)s briefing: %(message)s"))

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            self.failure = self.failure or error
        else:
            super().handleError(record)

    def close(self) -> None:
        try:
            super().close()  # flushes what a full disk did not take: that fails again
        except OSError as exc:
            self.failure = self.failure or exc

    def check(self) -> None:
        """Raise OutputError ("cannot write log file …") if a line could not be written."""
        if self.failure is not None:
            reason = os_error_reason(self.failure)
            raise OutputError(f"cannot write log file {self.path}: {reason}")


def setup_logging(verbose: bool, quiet: bool) -> None:
    """The core's log lines on stderr, one line each: -v adds progress, -q keeps errors only."""
    log.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    ours = [h for h in log.handlers if getattr(h, "_briefing", False)]
    if not ours:
        stderr = StderrHandler()
        stderr.setFormatter(OneLineFormatter("briefing: %(message)s"))
        stderr._briefing = True  # type: ignore[attr-defined]
        log.addHandler(stderr)
    for handler in ours:
        # A daily run in this process (library use, tests) may have raised its level.
        handler.setLevel(logging.NOTSET)
    log.propagate = False


def interactive() -> bool:
    return sys.stderr.isatty()


def _open_log_file(log_file: Path) -> LogFileHandler:
    """The log file, opened and tried with a first line: a full disk fails the run here,
    before any work, with one clear line (exit 1)."""
    try:
        handler = LogFileHandler(log_file)
    except OSError as exc:
        raise ConfigError(f"cannot open log file {log_file}: {os_error_reason(exc)}") from None
    start = log.makeRecord(
        log.name, logging.INFO, __file__, 0, "daily run started (briefing %s, pid %d)",
        (__version__, os.getpid()), None,
    )  # fmt: skip
    handler.handle(start)
    try:
        handler.check()
    except OutputError:
        handler.close()
        raise
    return handler


@contextmanager
def daily_display(
    *, verbose: bool, quiet: bool, log_file: Path | None
) -> Iterator[Callable[[Progress], None] | None]:
    """How a day's run shows: yields the progress callback (on a terminal) or None.

    Cron: one line per source on stderr (-q: only problems, no notices). A TTY: a progress line
    instead, cleared for any log line. --log-file always gets every line, with a timestamp; a
    line it could not take (a full disk) fails the run (OutputError, exit 1) when it ends."""
    on_tty = interactive() and not verbose and not quiet
    progress = ProgressLine() if on_tty else None
    ours = [h for h in log.handlers if getattr(h, "_briefing", False)]
    file_handler = _open_log_file(log_file) if log_file is not None else None
    log.setLevel(logging.INFO)
    quiet_filter = _NoNotices()
    for handler in ours:
        handler.setLevel(logging.WARNING if quiet or on_tty else logging.INFO)
        if quiet:
            handler.addFilter(quiet_filter)
        if isinstance(handler, StderrHandler):
            handler.progress = progress
    if file_handler is not None:
        log.addHandler(file_handler)
    try:
        yield progress.update if progress else None
        if file_handler is not None:
            file_handler.check()
    except BriefingError as exc:
        if file_handler is not None and file_handler.failure is None:
            # Why the night failed, in the log file too (stderr gets click's "Error:" line).
            failed = log.makeRecord(
                log.name, logging.ERROR, __file__, 0, "error: %s", (exc.message,), None
            )
            file_handler.handle(failed)
        raise
    finally:
        for handler in ours:
            handler.removeFilter(quiet_filter)
            if isinstance(handler, StderrHandler):
                handler.progress = None
        if progress:
            progress.close()
        if file_handler is not None:  # the next run in this process logs elsewhere
            log.removeHandler(file_handler)
            file_handler.close()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _cells(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (wide characters take two), with "…"."""
    used = 0
    for index, char in enumerate(text):
        used += _cells(char)
        if used > width:
            return text[: max(0, index - 1)] + "…"
    return text


class ProgressLine:
    """A one-line progress bar, redrawn in place (TTY only): done of total, time spent, an
    estimate of what is left, and the latest item's status. Never longer than the terminal is
    wide (a wrapped line could not be cleared); ``lock`` keeps log lines off it."""

    BAR = 20

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._started = time.monotonic()
        self._last: Progress | None = None
        self._shown = False

    def update(self, p: Progress) -> None:
        with self.lock:
            self._last = p
            self.redraw()

    def text(self, p: Progress, now: float | None = None) -> str:
        elapsed = (time.monotonic() if now is None else now) - self._started
        filled = self.BAR * p.done // max(1, p.total)
        parts = [f"[{'#' * filled}{'.' * (self.BAR - filled)}] {p.done}/{p.total}"]
        parts.append(f"{_clock(elapsed)} elapsed")
        if p.done > 0:
            parts.append(f"~{_clock(elapsed / p.done * max(0, p.total - p.done))} left")
        name = escape_controls(p.location)
        name = name if len(name) <= 40 else "…" + name[-39:]
        return " · ".join(parts) + f" · {name}: {escape_controls(p.outcome)}"

    def redraw(self) -> None:
        with self.lock:
            if self._last is None:
                return
            sys.stderr.write("\r\033[K" + _fit(self.text(self._last), _width() - 1))
            sys.stderr.flush()
            self._shown = True

    def clear(self) -> None:
        with self.lock:
            if self._shown:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
                self._shown = False

    def close(self) -> None:
        with self.lock:
            if self._shown:
                sys.stderr.write("\n")
                sys.stderr.flush()
                self._shown = False
            self._last = None


def _width() -> int:
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    return columns if columns >= 20 else 80


def report_daily(result: DailyResult, *, quiet: bool) -> None:
    """The day in one log line (a warning when a source failed), then any unsupported items."""
    digest = result.digest
    p = digest.provenance
    ok = sum(1 for s in digest.sources if s.status in ("ok", "cached"))
    failed = sum(1 for s in digest.sources if s.status == "failed")
    stories = ""
    if digest.stories:
        new = sum(1 for s in digest.stories if s.status == "new")
        count = len(digest.stories)
        stories = (
            f"; {count} {'story' if count == 1 else 'stories'} ({new} new, "
            f"{count - new} developing), {len(digest.dropped)} dropped"
        )
    log.log(
        logging.WARNING if failed else logging.INFO,
        "%s %s: %d briefed (%d from cache, %d summarised now), %d failed%s",
        "wrote" if result.written else "unchanged",
        result.path,
        ok,
        p.cache_hits,
        p.model_requests,
        failed,
        stories,
    )
    if result.notice:  # items the articles do not support: not a failure, so -q hides it
        log.log(logging.INFO if quiet else logging.WARNING, result.notice)  # --log-file: kept
