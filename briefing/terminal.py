"""What the command line shows on stderr: log lines, the daily progress line, a day's outcome.

The core logs to the "briefing" logger and reports progress through a callback; how that looks
on a terminal, under cron or in a log file is decided here, so cli.py stays option plumbing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefing.errors import ConfigError

if TYPE_CHECKING:
    from briefing.daily import DailyResult, Progress

log = logging.getLogger("briefing")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each record (CliRunner swaps it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it: ignore
        pass


def setup_logging(verbose: bool, quiet: bool) -> None:
    """The core's log lines on stderr, one line each: -v adds progress, -q keeps errors only."""
    log.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    if not any(getattr(h, "_briefing", False) for h in log.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("briefing: %(message)s"))
        handler._briefing = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.propagate = False


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def daily_display(
    *, verbose: bool, quiet: bool, log_file: Path | None
) -> Iterator[Callable[[Progress], None] | None]:
    """How a day's run shows: yields the progress callback (on a terminal) or None.

    Cron: one line per source on stderr (-q: only problems). A TTY: a progress line instead.
    --log-file always gets every line, with a timestamp."""
    on_tty = interactive() and not verbose and not quiet
    log.setLevel(logging.INFO)
    for handler in log.handlers:
        if getattr(handler, "_briefing", False):
            handler.setLevel(logging.WARNING if quiet or on_tty else logging.INFO)
    if log_file is not None:
        try:
            file_handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot open log file {log_file}: {exc.strerror}") from None
        file_handler.setFormatter(logging.Formatter("%(asctime)s briefing: %(message)s"))
        log.addHandler(file_handler)
    progress = ProgressLine() if on_tty else None
    try:
        yield progress.update if progress else None
    finally:
        if progress:
            progress.close()


class ProgressLine:
    """A one-line progress bar with the latest item's status, redrawn in place (TTY only)."""

    def __init__(self) -> None:
        self._shown = False

    def update(self, p: Progress) -> None:
        width = 24
        filled = width * p.done // max(1, p.total)
        name = p.location if len(p.location) <= 40 else "…" + p.location[-39:]
        line = f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} {name}: {p.outcome}"
        click.echo("\r\033[K" + line[:160], nl=False, err=True)
        self._shown = True

    def close(self) -> None:
        if self._shown:
            click.echo("", err=True)


def report_daily(result: DailyResult, *, quiet: bool) -> None:
    """The day in one log line (a warning when a source failed), then any unsupported items."""
    p = result.digest.provenance
    ok = sum(1 for s in result.digest.sources if s.status in ("ok", "cached"))
    failed = sum(1 for s in result.digest.sources if s.status == "failed")
    log.log(
        logging.WARNING if failed else logging.INFO,
        "%s %s: %d briefed (%d from cache, %d summarised now), %d failed",
        "wrote" if result.written else "unchanged",
        result.path,
        ok,
        p.cache_hits,
        p.model_requests,
        failed,
    )
    if result.notice:  # items the articles do not support: not a failure, so -q hides it
        log.log(logging.INFO if quiet else logging.WARNING, result.notice)  # --log-file: kept
