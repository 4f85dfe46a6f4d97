"""Command-line interface: parse options, call one core function, map our errors to exit codes.

Heavy modules (WeasyPrint, openai, pydantic models) are imported inside the commands so that
``briefing --help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click

from briefing import __version__
from briefing.errors import EXIT_FAILURE, EXIT_USAGE, BriefingError

F = TypeVar("F", bound=Callable[..., Any])


class BriefingClickError(click.ClickException):
    """A ClickException carrying our exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # ClickException declares a class default


def _map_errors(func: F) -> F:
    """Our exceptions become one-line errors with their exit code; nothing else leaks a trace."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BriefingError as exc:
            raise BriefingClickError(exc.message, exc.exit_code) from None
        except (click.ClickException, click.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:  # a bug: still one line, trace on request
            if os.environ.get("BRIEFING_DEBUG"):
                raise
            raise BriefingClickError(
                f"internal error: {type(exc).__name__}: {exc} (set BRIEFING_DEBUG=1 for details)",
                EXIT_FAILURE,
            ) from None

    return wrapper  # type: ignore[return-value]


class BriefingGroup(click.Group):
    """Reports every error as one line on stderr (cron logs), never with a usage block."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            # The reader went away (briefing templates list | head): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("Aborted.", err=True)
            sys.exit(130)
        # Without standalone mode, --help/--version and ctx.exit() return their exit code.
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=BriefingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    """Turn news articles into analyst-grade briefings (PDF, HTML draft or JSON).

    Exit codes: 0 ok, 1 failure, 2 usage or bad input, 3 partial, 4 model/API failure,
    5 locked by another run, 75 temporary failure.
    """


def _stdin() -> BinaryIO | None:
    # Under cron stdin may be closed (None); the core then reports "no standard input".
    return getattr(sys.stdin, "buffer", None)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each record (CliRunner swaps it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it: ignore
        pass


def _setup_logging(verbose: bool, quiet: bool) -> None:
    """The core logs to the "briefing" logger; the CLI shows it on stderr, one line each."""
    logger = logging.getLogger("briefing")
    logger.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    if not any(getattr(h, "_briefing", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("briefing: %(message)s"))
        handler._briefing = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False


_prompts_dir_option = click.option(
    "--prompts-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of your own prompts; overrides ours by name.",
)

_cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Cache folder. [default: the user cache dir]",
)


def _model_options(func: F) -> F:
    """Options choosing and tuning the summariser; None means "not given" (env/file/default)."""
    options = [
        click.option(
            "--summariser",
            type=click.Choice(["auto", "offline", "openai"]),
            help="auto: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set, "
            "else offline. [env BRIEFING_SUMMARISER; default auto]",
        ),
        click.option(
            "--model", metavar="NAME", help="Model name. [env BRIEFING_MODEL; default gpt-5-mini]"
        ),
        click.option(
            "--base-url",
            metavar="URL",
            help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1. "
            "[env OPENAI_BASE_URL]",
        ),
        click.option(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="Seconds per model request. [default 60]",
        ),
        click.option(
            "--temperature",
            type=float,
            metavar="T",
            help="Sampling temperature. [default: the prompt's]",
        ),
        click.option(
            "--max-tokens",
            type=int,
            metavar="N",
            help="Longest answer, in tokens. [default: the prompt's]",
        ),
        click.option(
            "--reasoning-effort",
            type=click.Choice(["minimal", "low", "medium", "high"]),
            help="How hard a reasoning model (o-series, gpt-5) thinks; not sent to other "
            "models. [env BRIEFING_REASONING_EFFORT; default: the model's]",
        ),
        click.option(
            "--prompt",
            metavar="NAME[@vN]",
            help="Prompt and version, e.g. briefing@v1. [default: newest briefing]",
        ),
        _prompts_dir_option,
        click.option(
            "--max-input-tokens",
            type=int,
            metavar="N",
            help="Model input budget; longer articles are summarised in chunks and merged. "
            "[default 16000]",
        ),
        click.option(
            "--template-dir",
            type=click.Path(path_type=Path, file_okay=False),
            help="Folder of your own templates; a file there overrides ours by name.",
        ),
        click.option(
            "--style",
            type=click.Choice(["standard", "compact"]),
            help="standard, or compact: one page for quick reading. [default standard]",
        ),
        click.option(
            "--marking",
            metavar="TEXT",
            help="Handling marking on every page and in the metadata, e.g. TLP:AMBER.",
        ),
        click.option(
            "--pdf-variant",
            metavar="VARIANT",
            help="Archival or accessible PDF, e.g. pdf/a-3b or pdf/ua-1 (see briefing doctor).",
        ),
        click.option(
            "--language",
            metavar="LANG",
            help="Write the briefing in this language (code or name, e.g. fr, Arabic), "
            "whatever the article's. Needs a language model.",
        ),
        click.option(
            "--evidence",
            type=click.Choice(["footnotes", "appendix", "none"]),
            help="Where evidence quotes go in the PDF/HTML. [default footnotes]",
        ),
        click.option(
            "--strict/--no-strict",
            default=None,
            help="Fail (exit 1, nothing written) when any item is not supported by the article.",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Config file (TOML). [default: user config dir/config.toml]",
        ),
        click.option("-v", "--verbose", is_flag=True, help="Also print progress and a summary."),
        click.option("-q", "--quiet", is_flag=True, help="Print errors only."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_SETTING_FLAGS = (
    "summariser",
    "model",
    "base_url",
    "timeout",
    "temperature",
    "max_tokens",
    "reasoning_effort",
    "prompt",
    "prompts_dir",
    "max_input_tokens",
    "evidence",
    "strict",
    "language",
    "template_dir",
    "style",
    "marking",
    "pdf_variant",
)


def _settings(kwargs: dict[str, Any]) -> Any:
    """Pop the model options from a command's kwargs and load the layered settings."""
    from briefing.config import load_settings

    _setup_logging(kwargs.pop("verbose"), kwargs.pop("quiet"))
    config_path = kwargs.pop("config_path")
    flags = {name: kwargs.pop(name) for name in _SETTING_FLAGS}
    return load_settings(flags, config_path=config_path)


_source_argument = click.argument("source", metavar="SOURCE")
_title_option = click.option(
    "--title", metavar="TEXT", help="Title to use instead of the one found in the article."
)


@main.command()
@_source_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(),  # a str: a trailing "/" means a folder
    help="Output file, or folder for the default name. [default: output/DATE-SLUG.FORMAT]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    help="Output format. [default: from the -o suffix, else pdf]",
)
@_title_option
@_model_options
@_map_errors
def build(
    source: str, output: str | None, fmt: str | None, title: str | None, **kwargs: Any
) -> None:
    """Brief one article: SOURCE is a text, Markdown or HTML file, or - for stdin.

    Prints the path of the file written.
    """
    from briefing.pipeline import BuildOptions
    from briefing.pipeline import build as run_build

    settings = _settings(kwargs)
    result = run_build(
        BuildOptions(source=source, output=output, fmt=fmt, title=title, settings=settings),
        stdin=_stdin(),
    )
    logging.getLogger("briefing").info(result.summary())
    click.echo(str(result.path))


@main.command()
@_source_argument
@_title_option
@click.option(
    "--open/--no-open",
    "open_browser",
    default=True,
    help="Open the draft in the default browser. [default: open]",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve a live draft on 127.0.0.1 that rebuilds and reloads itself when the article, "
    "a template or a prompt changes; Ctrl-C stops it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port of --serve (0: any free port).",
)
@_model_options
@_map_errors
def preview(
    source: str, title: str | None, open_browser: bool, serve: bool, port: int, **kwargs: Any
) -> None:
    """Write the HTML draft of SOURCE to a temporary file and open it in the browser.

    With --serve, show it live instead at http://127.0.0.1:PORT/ (with a link to the PDF).
    """
    from briefing.pipeline import BuildOptions
    from briefing.pipeline import preview as run_preview

    settings = _settings(kwargs)
    options = BuildOptions(source=source, title=title, fmt="html", settings=settings)
    if serve:
        from briefing.preview import PreviewServer

        dirs = [settings.template_dir] if settings.template_dir else []
        with PreviewServer(options, port=port, template_dirs=dirs) as server:
            click.echo(f"Serving {server.title} at {server.url} (Ctrl-C to stop)")
            if open_browser:
                click.launch(server.url)
            server.serve_forever()  # returns on Ctrl-C, stopped
        click.echo("stopped")
        return
    path = run_preview(options, stdin=_stdin())
    click.echo(str(path))
    if open_browser:
        click.launch(str(path))


@main.command()
@click.option(
    "--probe",
    is_flag=True,
    help="Also send the model one short briefing request with the strict schema and check "
    "the answer (costs a few thousand tokens).",
)
@_model_options
@_map_errors
def doctor(probe: bool, **kwargs: Any) -> None:
    """Check the set-up: PDF libraries, settings in force, and the model endpoint."""
    from briefing.doctor import run_checks

    config_path = kwargs["config_path"]
    settings = _settings(kwargs)
    failed = False
    for check in run_checks(settings, config_path, probe=probe):
        failed |= not check.ok
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if failed:
        raise BriefingClickError("some checks failed", EXIT_FAILURE)


@main.group()
def prompts() -> None:
    """List and show the versioned prompts."""


@prompts.command("list")
@_prompts_dir_option
@_map_errors
def prompts_list(prompts_dir: Path | None) -> None:
    """Every prompt: name, versions, description and hash of the newest version."""
    from briefing.prompts import Registry

    registry = Registry([prompts_dir] if prompts_dir else [])
    for name in registry.names():
        prompt = registry.get(name)
        versions = ",".join(f"v{v}" for v in registry.versions(name))
        origin = "" if prompt.builtin else "  (yours)"
        click.echo(f"{name}  {versions}  sha256:{prompt.sha256[:12]}  {prompt.description}{origin}")


@prompts.command("show")
@click.argument("spec", metavar="NAME[@vN]")
@_prompts_dir_option
@_map_errors
def prompts_show(spec: str, prompts_dir: Path | None) -> None:
    """Print one prompt version: its file, hash and full text."""
    from briefing.prompts import Registry

    prompt = Registry([prompts_dir] if prompts_dir else []).get(spec)
    click.echo(f"# {prompt.label}  sha256:{prompt.sha256}")
    click.echo(f"# {prompt.path}")
    click.echo(prompt.path.read_text(encoding="utf-8"), nl=False)


@main.command("eval")
@click.argument("dataset", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--summariser",
    "summarisers",
    multiple=True,
    type=click.Choice(["auto", "offline", "openai"]),
    help="Summariser to score; repeat to compare. [default: auto]",
)
@click.option(
    "--prompt",
    "prompt_specs",
    multiple=True,
    metavar="NAME[@vN]",
    help="Prompt version for openai; repeat to compare versions.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N items.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Articles summarised at once.",
)
@click.option("--model", metavar="NAME", help="Model name. [env BRIEFING_MODEL]")
@click.option("--base-url", metavar="URL", help="OpenAI-compatible endpoint. [env OPENAI_BASE_URL]")
@click.option("--timeout", type=float, metavar="SECONDS", help="Seconds per model request.")
@click.option("--temperature", type=float, metavar="T", help="Sampling temperature.")
@_prompts_dir_option
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (TOML).",
)
@_map_errors
def eval_command(
    dataset: Path,
    summarisers: tuple[str, ...],
    prompt_specs: tuple[str, ...],
    limit: int | None,
    concurrency: int,
    config_path: Path | None,
    **flags: Any,
) -> None:
    """Score summarisers and prompt versions on DATASET.jsonl ({id, text, reference} lines).

    Prints one Markdown table: ROUGE-1/2/Lsum of the situation against the reference,
    evidence quotes found verbatim, actors and risks per briefing, failures, latency, tokens.
    """
    from briefing.config import load_settings
    from briefing.evaluate import configurations, format_table, load_dataset, run_eval

    _setup_logging(False, True)
    base = load_settings(flags, config_path=config_path)
    items = load_dataset(dataset, limit)
    configs = configurations(summarisers, prompt_specs, base)
    click.echo(format_table(run_eval(items, configs, concurrency)))


@main.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--from-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of article files (.txt, .md, .html).",
)
@click.option(
    "--urls",
    "urls_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File with one article URL per line (# comments).",
)
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="RSS/Atom feed; repeatable.")
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Items taken from each feed.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file or folder. [default: output/briefing-DATE.FORMAT]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    help="Output format. [default: from the -o suffix, else pdf]",
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Date of the digest.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Articles fetched and summarised at once.",
)
@_cache_dir_option
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached briefings.")
@click.option("--force", is_flag=True, help="Rewrite the digest even if nothing changed.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Fetch from loopback/private addresses (intranet sources).",
)
@click.option(
    "--fetch-timeout",
    type=click.FloatRange(min=0.1),
    default=20.0,
    show_default=True,
    help="Seconds per web fetch, redirects and body included.",
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append the log lines to this file.",
)
@_model_options
@_map_errors
def daily(
    sources: tuple[str, ...],
    from_dir: Path | None,
    urls_file: Path | None,
    feeds: tuple[str, ...],
    max_items: int,
    output: str | None,
    fmt: str | None,
    day: Any,
    concurrency: int,
    cache_dir: Path | None,
    no_cache: bool,
    force: bool,
    allow_private: bool,
    log_file: Path | None,
    fetch_timeout: float,
    **kwargs: Any,
) -> None:
    """Brief many sources into one dated digest (for cron).

    SOURCE is a file, a folder of articles or an article URL. Exit 0: all sources briefed;
    3: digest written but some sources failed (see its appendix); 1: nothing briefed, nothing
    written; 4: nothing briefed, every source failed on the model; 75: nothing briefed, the
    model was unavailable for every source (retry later); 5: another run holds the lock.
    """
    from briefing.daily import DailyOptions, run_daily

    verbose, quiet = kwargs["verbose"], kwargs["quiet"]
    settings = _settings(kwargs)
    interactive = _interactive() and not verbose and not quiet
    _daily_logging(quiet=quiet, interactive=interactive, log_file=log_file)
    progress = _ProgressLine() if interactive else None
    try:
        result = run_daily(
            DailyOptions(
                sources=sources,
                from_dir=from_dir,
                urls_file=urls_file,
                feeds=feeds,
                output=output,
                fmt=fmt,
                day=day.date() if day else None,
                max_items=max_items,
                concurrency=concurrency,
                cache_dir=cache_dir,
                use_cache=not no_cache,
                force=force,
                allow_private=allow_private or settings.allow_private,
                fetch_deadline=fetch_timeout,
                settings=settings,
            ),
            progress=progress.update if progress else None,
        )
    finally:
        if progress:
            progress.close()
    logger = logging.getLogger("briefing")
    p = result.digest.provenance
    ok = sum(1 for s in result.digest.sources if s.status in ("ok", "cached"))
    failed = sum(1 for s in result.digest.sources if s.status == "failed")
    logger.log(
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
        logger.log(logging.INFO if quiet else logging.WARNING, result.notice)  # --log-file: kept
    click.echo(str(result.path))
    if result.exit_code:
        sys.exit(result.exit_code)


def _interactive() -> bool:
    return sys.stderr.isatty()


def _daily_logging(*, quiet: bool, interactive: bool, log_file: Path | None) -> None:
    """Cron: one line per source on stderr (-q: only problems). A TTY: a progress line instead.
    --log-file always gets every line, with a timestamp."""
    logger = logging.getLogger("briefing")
    logger.setLevel(logging.INFO)
    for handler in logger.handlers:
        if getattr(handler, "_briefing", False):
            handler.setLevel(logging.WARNING if quiet or interactive else logging.INFO)
    if log_file is not None:
        try:
            file_handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise BriefingClickError(
                f"cannot open log file {log_file}: {exc.strerror}", EXIT_USAGE
            ) from None
        file_handler.setFormatter(logging.Formatter("%(asctime)s briefing: %(message)s"))
        logger.addHandler(file_handler)


class _ProgressLine:
    """A one-line progress bar with the latest item's status, redrawn in place (TTY only)."""

    def __init__(self) -> None:
        self._shown = False

    def update(self, p: Any) -> None:
        width = 24
        filled = width * p.done // max(1, p.total)
        name = p.location if len(p.location) <= 40 else "…" + p.location[-39:]
        line = f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} {name}: {p.outcome}"
        click.echo("\r\033[K" + line[:160], nl=False, err=True)
        self._shown = True

    def close(self) -> None:
        if self._shown:
            click.echo("", err=True)


@main.group()
def cache() -> None:
    """Inspect or empty the cache of briefings."""


@cache.command("info")
@_cache_dir_option
@_map_errors
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is, how many briefings it holds and how big it is."""
    from briefing.cache import cache_path, open_cache

    _setup_logging(False, False)
    with open_cache(cache_dir) as store:
        info = store.info()
    path = info.path or cache_path(cache_dir)
    click.echo(f"path: {path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"summaries: {info.summaries}")  # days' executive summaries by a model
    click.echo(f"size: {info.bytes} bytes")
    if info.oldest and info.newest:
        click.echo(f"oldest: {info.oldest.isoformat(timespec='seconds')}")
        click.echo(f"newest: {info.newest.isoformat(timespec='seconds')}")


@cache.command("clear")
@_cache_dir_option
@_map_errors
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached briefing."""
    from briefing.cache import open_cache

    _setup_logging(False, False)
    with open_cache(cache_dir) as store:
        removed = store.clear()
    click.echo(f"removed {removed} cached briefing{'s' if removed != 1 else ''}")


@main.group()
def templates() -> None:
    """List and show the templates (yours override ours by name)."""


_template_dir_option = click.option(
    "--template-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of your own templates; a file there overrides ours by name.",
)


@templates.command("list")
@_template_dir_option
@_map_errors
def templates_list(template_dir: Path | None) -> None:
    """Every template: name, where it comes from, and what it is for."""
    from briefing.render.template_files import list_templates

    for row in list_templates([template_dir] if template_dir else []):
        note = "  (overridden)" if row.overridden else ""
        click.echo(f"{row.name}  [{row.origin}]  {row.description}{note}")


@templates.command("show")
@click.argument("name")
@_template_dir_option
@_map_errors
def templates_show(name: str, template_dir: Path | None) -> None:
    """Print the template NAME as it is used (yours if you override it)."""
    from briefing.render.template_files import template_source

    try:
        path, text = template_source(name, [template_dir] if template_dir else [])
    except LookupError as exc:
        raise BriefingClickError(str(exc.args[0] if exc.args else exc), EXIT_USAGE) from None
    click.echo(f"# {path}")
    click.echo(text, nl=False)
