"""What a command-line run did, gathered as it goes and recorded when it ends.

The CLI wraps each ``build``, ``daily`` and ``eval`` in :func:`recording`; the core reports
what it made to :func:`current_run` (``add_briefing``, ``add_day``, ``add_results``,
``set_output``) without taking a recorder as an argument, so that the Python API and the
preview server, which record nothing, call the same code: outside a recorded run
:func:`current_run` is a recorder that keeps nothing. While recording, every model request is
metered (``briefing.metering``): the run's tokens and cost include requests that made nothing.

Call :func:`current_run` from the thread that runs the command (the core does, after its
worker pools): one run is recorded per process at a time.

What is kept: when, the command, its sources (credentials removed), summariser, model,
endpoint host, prompt, tokens, cost, duration, outcome, exit code and one-line error, items
supported, the output path, and per briefing its title, location, status and tokens. Never
the API key (removed from every text kept) and never article text beyond a title.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from briefing.history.database import history_path
from briefing.history.records import BriefingRow, RunRecord, outcome_of, record_run
from briefing.metering import Meter, metered
from briefing.model import Briefing, Cost, SourceStatus, Usage
from briefing.prices import NO_TOKENS, Price, cost_of, total_cost, total_usage
from briefing.settings_spec import SettingsFields

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.digest import DaySummary

__all__ = ["Result", "RunRecorder", "clock", "current_run", "recording"]

_CREDENTIALS = re.compile(r"(?<=://)[^/?#\s@]*@")
_OFF = ("0", "false", "f", "no", "n", "off")
_ERROR_MAX = 500  # characters of an error message kept


def clock() -> datetime:
    """Now, timezone-aware in local time: when a run starts (tests replace it)."""
    return datetime.now().astimezone()


class Result(Protocol):
    """One item of an eval run: its briefing, or why there is none."""

    @property
    def briefing(self) -> Briefing | None: ...

    @property
    def error(self) -> str | None: ...


class RunRecorder:
    """One run's facts, gathered from the CLI and the core, recorded by :meth:`finish`."""

    def __init__(
        self,
        command: str,
        sources: Sequence[str] = (),
        *,
        cache_dir: Path | None = None,
        history: bool | None = None,
        keep: bool = True,
    ) -> None:
        self.command = command
        self.sources = tuple(sources)
        self.cache_dir = cache_dir
        self._flag = history  # --history/--no-history as given; None: not given
        self._keep = keep  # False: the recorder outside any run, which keeps nothing
        self.settings: Settings | None = None
        self.started_at = clock()
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._rows: list[BriefingRow] = []
        self._made: dict[str, dict[str, None]] = {"summariser": {}, "endpoint": {}, "prompt": {}}
        self._models: dict[str, None] = {}
        self._grounding: list[tuple[int, int]] = []
        self.output: str | None = None
        self.meter: Meter | None = None

    # --- what the CLI and the core report --------------------------------------------------

    def use_settings(self, settings: Settings) -> None:
        """The settings of the run (model, prices, history on or off, retention)."""
        if self._keep:
            self.settings = settings

    def add_briefing(
        self, briefing: Briefing, *, status: str = "ok", location: str | None = None
    ) -> None:
        """A briefing of the run: made now (``ok``) or taken from the cache (``cached``)."""
        if not self._keep:
            return
        p = briefing.provenance
        made_now = status == "ok"
        usage = p.usage if made_now else Usage()
        grounding = p.grounding
        with self._lock:
            for key, value in (
                ("summariser", p.summariser),
                ("endpoint", p.base_url),
                ("prompt", f"{p.prompt.name}@v{p.prompt.version}" if p.prompt else None),
            ):
                if value:
                    self._made[key][value] = None
            if p.model:
                self._models[p.model] = None
            if grounding is not None:
                self._grounding.append((grounding.supported, grounding.total))
            self._rows.append(
                BriefingRow(
                    kind="article",
                    status=status,
                    title=briefing.title,
                    location=self._scrub(location or briefing.source.location),
                    model=p.model,
                    usage=usage,
                    cost=cost_of(p.model, usage, self._prices()),
                    supported=grounding.supported if grounding else None,
                    total=grounding.total if grounding else None,
                )
            )

    def add_missing(
        self, location: str, status: str, reason: str | None, title: str | None = None
    ) -> None:
        """A source of the run with no briefing: failed, or a duplicate of another."""
        if not self._keep:
            return
        row = BriefingRow(
            kind="article",
            status=status,
            title=title,
            location=self._scrub(location),
            reason=self._scrub(reason) if reason else None,
        )
        with self._lock:
            self._rows.append(row)

    def add_day(
        self,
        sources: Sequence[SourceStatus],
        briefings: Sequence[Briefing | None],
        summary: DaySummary,
    ) -> None:
        """A day's sources (each with its briefing, if any) and its executive summary."""
        for source, briefing in zip(sources, briefings, strict=True):
            if briefing is not None and source.status in ("ok", "cached"):
                self.add_briefing(briefing, status=source.status, location=source.location)
            else:
                self.add_missing(source.location, source.status, source.reason, source.title)
        status = {"model": "ok", "cache": "cached", "fallback": "failed"}.get(summary.origin)
        if status is None or not self._keep:
            return  # the offline selection: no model asked
        meta = summary.meta
        usage = meta.usage if status == "ok" else Usage()
        row = BriefingRow(
            kind="summary",
            status=status,
            title="Executive summary",
            model=meta.model,
            usage=usage,
            cost=cost_of(meta.model, usage, self._prices()) if meta.model else None,
            reason="the model failed: the offline selection stands in"
            if status == "failed"
            else None,
        )
        with self._lock:
            self._rows.append(row)

    def add_results(self, results: Iterable[tuple[str, Result]]) -> None:
        """The items of an eval run: (id, outcome) pairs."""
        for name, result in results:
            if result.briefing is not None:
                self.add_briefing(result.briefing, location=name)
            else:
                self.add_missing(name, "failed", result.error)

    def set_output(self, path: Path) -> None:
        """The file written (or kept, for an unchanged day)."""
        if self._keep:
            self.output = str(Path(path).absolute())

    # --- the end of the run ----------------------------------------------------------------

    def finish(self, exit_code: int, error: str | None = None) -> RunRecord:
        """The record of the run, written to the history unless it is off for this run."""
        record = self.record(exit_code, error)
        if self._keep and self._wanted():
            record_run(record, history_path(self.cache_dir), keep_days=self._keep_days())
        return record

    def record(self, exit_code: int, error: str | None = None) -> RunRecord:
        with self._lock:
            rows = tuple(self._rows)
            made = {key: list(values) for key, values in self._made.items()}
            models = list(self._models)
            grounding = list(self._grounding)
        parts = self.meter.parts() if self.meter else []
        for model, _ in parts:
            if model not in models:
                models.append(model)
        # What the settings asked for, where nothing was made to say what was used.
        summarisers, endpoints, prompts = made["summariser"], made["endpoint"], made["prompt"]
        settings = self.settings
        if settings is not None:
            summarisers = summarisers or [settings.resolved_summariser]
            if settings.resolved_summariser == "openai":
                models = models or [settings.model]
                endpoints = endpoints or [_host(settings.base_url)]
                prompts = prompts or ([settings.prompt] if settings.prompt else [])
        cost: Cost | None
        if parts:
            cost = total_cost(parts, self._prices())
        else:  # no request answered: nothing to pay, whatever the model
            cost = Cost(usd=0.0, basis=NO_TOKENS) if models else None
        return RunRecord(
            started_at=self.started_at,
            command=self.command,
            sources=tuple(self._scrub(s) for s in self.sources),
            exit_code=exit_code,
            duration_ms=int((time.monotonic() - self._started) * 1000),
            summariser=", ".join(summarisers) or None,
            model=", ".join(models) or None,
            endpoint=", ".join(endpoints) or None,
            prompt=", ".join(prompts) or None,
            usage=total_usage(u for _, u in parts),
            requests=self.meter.requests if self.meter else 0,
            cost=cost,
            error=self._scrub(" ".join(error.split()))[:_ERROR_MAX] if error else None,
            items_supported=sum(s for s, _ in grounding) if grounding else None,
            items_total=sum(t for _, t in grounding) if grounding else None,
            # A run that failed after choosing its file did not write it.
            output=self.output if outcome_of(exit_code) != "failed" else None,
            briefings=rows,
        )

    # --- helpers ---------------------------------------------------------------------------

    def _prices(self) -> Mapping[str, Price] | None:
        return self.settings.prices if self.settings else None

    def _wanted(self) -> bool:
        """History on for this run: the settings say so, or, when they could not be read (a
        bad config file), the flag or BRIEFING_HISTORY, else the default (on)."""
        if self.settings is not None:
            return self.settings.history
        if self._flag is not None:
            return self._flag
        return os.environ.get("BRIEFING_HISTORY", "").strip().lower() not in _OFF

    def _keep_days(self) -> int:
        if self.settings is not None:
            return self.settings.history_keep_days
        return SettingsFields.history_keep_days

    def _scrub(self, text: str) -> str:
        """``text`` without URL credentials or the API key."""
        text = _CREDENTIALS.sub("", text)
        keys = {os.environ.get("OPENAI_API_KEY", "")}
        if self.settings is not None and self.settings.api_key is not None:
            keys.add(self.settings.api_key.get_secret_value())
        for key in keys:
            if key:
                text = text.replace(key, "[key]")
        return text


def _host(base_url: str | None) -> str:
    from briefing.summarisers.openai.requests import host_of

    return host_of(base_url)


_lock = threading.Lock()
_current: RunRecorder | None = None
_IGNORED = RunRecorder("-", keep=False)


def current_run() -> RunRecorder:
    """The run being recorded, or (outside one) a recorder that keeps nothing."""
    with _lock:
        return _current or _IGNORED


@contextmanager
def recording(recorder: RunRecorder) -> Iterator[RunRecorder]:
    """Make ``recorder`` the current run, its requests metered, until the block ends."""
    global _current
    with metered() as meter:
        recorder.meter = meter
        with _lock:
            previous, _current = _current, recorder
        try:
            yield recorder
        finally:
            with _lock:
                _current = previous
