"""How the command line reports what went wrong: one line on stderr and our exit code.

Our exceptions (``briefing.errors``) become ``Error: <message>`` with their exit code; a bug
becomes one line too (``BRIEFING_DEBUG=1`` shows its traceback); Click's usage errors lose
their usage block (cron logs want one line); a closed pipe ends quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import click

from briefing.errors import EXIT_FAILURE, BriefingError
from briefing.options import pop_settings
from briefing.text.controls import escape_controls

if TYPE_CHECKING:
    from briefing.config import Settings

F = TypeVar("F", bound=Callable[..., Any])


class BriefingClickError(click.ClickException):
    """A ClickException carrying our exit code; control characters in the message (a file
    name's ESC or newline) are shown escaped, so the error stays one honest line."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(escape_controls(message))
        self.exit_code = exit_code  # type: ignore[misc]  # ClickException declares a class default


def map_errors(func: F) -> F:
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


def stdin() -> BinaryIO | None:
    # Under cron stdin may be closed (None); the core then reports "no standard input".
    return getattr(sys.stdin, "buffer", None)


def settings_from(flags: dict[str, Any]) -> Settings:
    """The layered settings from a command's flags (popped from its kwargs) and --config."""
    from briefing.config import load_settings
    from briefing.history import current_run

    config_path = flags.pop("config_path")
    settings = load_settings(pop_settings(flags), config_path=config_path)
    current_run().use_settings(settings)  # a recorded run (build, daily, eval) keeps them
    return settings
