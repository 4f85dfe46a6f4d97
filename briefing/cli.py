"""Command-line interface: parse options, call one core function, map our errors to exit codes.

Heavy modules (WeasyPrint, openai, pydantic models) are imported inside the commands so that
``briefing --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from briefing import __version__
from briefing.errors import EXIT_FAILURE, BriefingError

F = TypeVar("F", bound=Callable[..., Any])


class BriefingClickError(click.ClickException):
    """A ClickException carrying our exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _map_errors(func: F) -> F:
    """Our exceptions become one-line errors with their exit code; nothing else leaks a trace."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BriefingError as exc:
            raise BriefingClickError(exc.message, exc.exit_code) from None
        except (click.ClickException, click.Abort, KeyboardInterrupt):
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

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
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


_source_argument = click.argument("source", metavar="SOURCE")
_title_option = click.option(
    "--title", metavar="TEXT", help="Title to use instead of the one found in the article."
)


@main.command()
@_source_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output file, or folder for the default name. [default: output/DATE-SLUG.FORMAT]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    help="Output format. [default: from the -o suffix, else pdf]",
)
@_title_option
@click.option("-v", "--verbose", is_flag=True, help="Print a one-line summary on stderr.")
@_map_errors
def build(source: str, output: Path | None, fmt: str | None, title: str | None,
          verbose: bool) -> None:
    """Brief one article: SOURCE is a text, Markdown or HTML file, or - for stdin.

    Prints the path of the file written.
    """
    from briefing.pipeline import BuildOptions, build as run_build

    result = run_build(
        BuildOptions(source=source, output=output, fmt=fmt, title=title),
        stdin=click.get_binary_stream("stdin"),
    )
    if verbose:
        b = result.briefing
        p = b.provenance
        click.echo(
            f"{result.fmt}: {result.size} bytes · summariser {p.summariser} v{p.summariser_version}"
            f" · {len(b.actors)} actors, {len(b.risks)} risks · {p.duration_ms} ms",
            err=True,
        )
    click.echo(str(result.path))


@main.command()
@_source_argument
@_title_option
@click.option("--open/--no-open", "open_browser", default=True,
              help="Open the draft in the default browser. [default: open]")
@_map_errors
def preview(source: str, title: str | None, open_browser: bool) -> None:
    """Write the HTML draft of SOURCE to a temporary file and open it in the browser."""
    from briefing.pipeline import BuildOptions, preview as run_preview

    path = run_preview(
        BuildOptions(source=source, title=title, fmt="html"),
        stdin=click.get_binary_stream("stdin"),
    )
    click.echo(str(path))
    if open_browser:
        click.launch(str(path))
