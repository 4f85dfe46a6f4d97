"""The history and the endpoint on the command line: ``briefing log`` (list, show, prune),
``briefing models``, and :func:`recorded`, which keeps each build, daily and eval run in the
history and gives them ``-u/--usage``.

Registered on the main group by ``briefing.cli``; like every command they only parse options,
call one core function and print its result. Nothing heavy is imported before a command runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from briefing.cli_errors import BriefingClickError, map_errors, settings_from
from briefing.errors import EXIT_FAILURE, EXIT_LOCKED, EXIT_USAGE, BriefingError
from briefing.options import cache_dir_option, examples, setting_options

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("briefing")

_INTERRUPTED = 130  # as a shell reports a run stopped by Ctrl-C

usage_option = click.option(
    "-u",
    "--usage",
    "show_usage",
    is_flag=True,
    help="After the run, print its model requests, tokens (cached ones too, where the API "
    "reports them) and cost on stderr, in one line.",
)


def recorded(command: str) -> Callable[[F], F]:
    """Run the command as a recorded run: what it did goes to the history (unless it is off)
    however it ends, failures with their exit code and error; ``-u`` prints its usage.

    Put it under ``map_errors``: it sees our exceptions before they become exit codes."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from briefing.history import RunRecorder, history_path, recording
            from briefing.history.report import usage_line

            show_usage = kwargs.pop("show_usage", False)
            recorder = RunRecorder(
                command,
                sources_of(kwargs),
                cache_dir=kwargs.get("cache_dir"),
                history=kwargs.get("history"),
            )
            exit_code, error = 0, None
            try:
                with recording(recorder):
                    return func(*args, **kwargs)
            except BriefingError as exc:
                exit_code, error = exc.exit_code, exc.message
                raise
            except click.ClickException as exc:
                exit_code, error = exc.exit_code, exc.format_message()
                raise
            except SystemExit as exc:  # daily's exit 3: a digest with failed sources
                code = exc.code
                exit_code = code if isinstance(code, int) else 0 if code is None else 1
                raise
            except (KeyboardInterrupt, click.Abort):
                exit_code, error = _INTERRUPTED, "interrupted"
                raise
            except Exception as exc:  # a bug: map_errors reports it, the history keeps it
                exit_code, error = 1, f"internal error: {type(exc).__name__}: {exc}"
                raise
            finally:
                if exit_code == EXIT_LOCKED and not history_path(recorder.cache_dir).exists():
                    # Refused: another run holds the output. Kept only in a history that
                    # exists: a run that exits 5 makes no folder (nor a history file).
                    record = recorder.record(exit_code, error)
                else:
                    record = recorder.finish(exit_code, error)
                if show_usage:
                    click.echo(f"briefing: {usage_line(record)}", err=True)

        return usage_option(wrapper)  # type: ignore[return-value]

    return decorate


def sources_of(kwargs: dict[str, Any]) -> list[str]:
    """What a command was asked to read, as the user named it (the recorder removes
    credentials): build's SOURCE, daily's sources and folders, lists and feeds, eval's DATASET."""
    found: list[str] = []
    if kwargs.get("source") is not None:
        found.append("<stdin>" if kwargs["source"] == "-" else str(kwargs["source"]))
    found += [str(s) for s in kwargs.get("sources") or ()]
    if kwargs.get("from_dir") is not None:
        found.append(f"--from-dir {kwargs['from_dir']}")
    if kwargs.get("urls_file") is not None:
        found.append(f"--urls {kwargs['urls_file']}")
    found += [f"--feed {feed}" for feed in kwargs.get("feeds") or ()]
    if kwargs.get("dataset") is not None:
        found.append(str(kwargs["dataset"]))
    return found


class _ListByDefault(click.Group):
    """``briefing log`` alone, or with list's options (``briefing log -n 5``), is
    ``briefing log list``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(
    "log",
    cls=_ListByDefault,
    epilog=examples(
        "briefing log list -n 10",
        "briefing log show 42",
        "briefing log prune --keep-days 30",
    ),
)
def log_group() -> None:
    """The history of build, daily and eval runs: list, show one, prune.

    `briefing log` alone lists the recent runs (as `briefing log list`).
    """


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@log_group.command(
    "list",
    epilog=examples(
        "briefing log list",
        "briefing log list -n 50 --day 2026-11-26 --outcome failed",
        "briefing log list --model gpt-5-mini --json --cache-dir /srv/briefs/cache",
    ),
)
@click.option(
    "-n",
    "--number",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    metavar="N",
    help="How many runs: the most recent that match.",
)
@json_option
@click.option(
    "--day",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Only runs started on this day (where they ran).",
)
@click.option("--model", "model_name", metavar="NAME", help="Only runs of this model.")
@click.option(
    "--outcome", type=click.Choice(["ok", "partial", "failed"]), help="Only runs that ended so."
)
@click.option(
    "--command",
    "command_name",
    type=click.Choice(["build", "daily", "eval"]),
    help="Only runs of this command.",
)
@cache_dir_option
@map_errors
def log_list(
    number: int,
    as_json: bool,
    day: Any,
    model_name: str | None,
    outcome: str | None,
    command_name: str | None,
    cache_dir: Path | None,
) -> None:
    """The recent runs, oldest first, with their tokens and cost, and a totals line.

    Each run: when it started, the command, how it ended (and its exit code), the model,
    its briefings (new, from the cache, failed), items the articles support, tokens in
    (cached) and out, cost, time, and the file written or the error. Costs are at the
    prices in force when each run was recorded.
    """
    from briefing.history import history_path, read_runs
    from briefing.history.report import runs_json, runs_table, totals_line

    runs = _read(
        cache_dir,
        lambda path: read_runs(
            path,
            limit=number,
            day=day.date().isoformat() if day else None,
            model=model_name,
            outcome=outcome,
            command=command_name,
        ),
    )
    if as_json:
        click.echo(json.dumps(runs_json(runs), indent=2, ensure_ascii=False))
        return
    if not runs:
        click.echo(f"no runs recorded in {history_path(cache_dir)} match")
        return
    for line in runs_table(runs):
        click.echo(line)
    click.echo(totals_line(runs))


@log_group.command(
    "show",
    epilog=examples("briefing log show 42", "briefing log show 42 --json"),
)
@click.argument("run_id", metavar="ID", type=click.IntRange(min=1))
@json_option
@cache_dir_option
@map_errors
def log_show(run_id: int, as_json: bool, cache_dir: Path | None) -> None:
    """One run in full, with its briefings: title, status (a cache hit is marked as one),
    tokens, cost and items supported."""
    from briefing.history import history_path, read_run
    from briefing.history.report import run_json, show_run

    run = _read(cache_dir, lambda path: read_run(path, run_id))
    if run is None:
        raise BriefingClickError(f"no run {run_id} in {history_path(cache_dir)}", EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(run_json(run), indent=2, ensure_ascii=False))
        return
    for line in show_run(run):
        click.echo(line)


@log_group.command(
    "prune",
    epilog=examples("briefing log prune", "briefing log prune --keep-days 30"),
)
@setting_options("log prune")
@cache_dir_option
@map_errors
def log_prune(cache_dir: Path | None, **flags: Any) -> None:
    """Remove the runs older than --keep-days days (also done after every recorded run)."""
    from briefing.history import prune

    settings = settings_from(flags)
    days = settings.history_keep_days
    removed = _read(cache_dir, lambda path: prune(path, days))
    click.echo(f"removed {removed} run{'s' if removed != 1 else ''} older than {days} days")


R = TypeVar("R")


def _read(cache_dir: Path | None, read: Callable[[Path], R]) -> R:
    """``read`` the history in ``cache_dir``; a file that cannot be used is exit 1, one line."""
    import sqlite3

    from briefing.cache.database import first_line
    from briefing.history import HistoryUnavailable, history_path
    from briefing.terminal import setup_logging

    setup_logging(False, False)  # a corrupt file moved aside says so
    path = history_path(cache_dir)
    try:
        return read(path)
    except (HistoryUnavailable, sqlite3.Error, OSError) as exc:
        message = f"cannot read the history {path}: {first_line(exc)}"
        raise BriefingClickError(message, EXIT_FAILURE) from None


@click.command(
    "models",
    epilog=examples(
        "briefing models",
        "briefing models --model gpt-4.1-mini",
        "OPENAI_BASE_URL=http://localhost:11434/v1 briefing models",
    ),
)
@setting_options("models")
@map_errors
def models(**flags: Any) -> None:
    """List the models the endpoint offers (GET /models), the one in force marked *.

    One model a line, sorted; exit 4 when the endpoint cannot be asked (bad key, wrong URL).
    A warning says when the model in force is not among them.
    """
    from briefing.models_offered import list_models
    from briefing.summarisers.openai.requests import host_of
    from briefing.terminal import setup_logging

    setup_logging(False, False)
    settings = settings_from(flags)
    offered = list_models(settings)
    for name in offered:
        click.echo(f"{'*' if name == settings.model else ' '} {name}")
    if settings.model not in offered:
        log.warning(
            "the model in force, %s, is not among the %d models %s offers",
            settings.model,
            len(offered),
            host_of(settings.base_url),
        )
