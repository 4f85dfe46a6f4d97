"""Click options made from the settings' declarations (``briefing.settings_spec``).

``@setting_options("build")`` gives a command one option per setting whose ``commands``
name it, plus ``--config``: the flag, its type (a Choice for a Literal, a Path for a path,
``--x/--no-x`` for a boolean), metavar and help, all from the one declaration. Every such
option defaults to None, meaning "not given", so that the environment, the config file and
the default still apply in that order (``briefing.config.load_settings``).

No pydantic here: ``briefing --help`` builds these options without it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from briefing.cli_complete import complete_file
from briefing.settings_spec import SettingSpec, command_specs, setting_specs

F = TypeVar("F", bound=Callable[..., Any])


def setting_options(command: str) -> Callable[[F], F]:
    """The options of ``command`` (a path such as "build" or "templates list") for settings."""
    specs = command_specs(command)

    def decorate(func: F) -> F:
        # Decorators apply bottom-up: --config first, so that --help lists it after the settings.
        if specs:
            func = config_option(func)
        for spec in reversed(specs):
            func = setting_option(spec)(func)
        return func

    return decorate


def setting_option(spec: SettingSpec) -> Callable[[F], F]:
    kind = spec.value_type
    kwargs: dict[str, Any] = {"default": None, "help": setting_help(spec)}
    if kind is bool:
        decls = [f"{spec.flag}/--no-{spec.flag.removeprefix('--')}"]
    else:
        decls = [spec.flag]
        kwargs["metavar"] = spec.meta.metavar
        if spec.choices is not None:
            kwargs["type"] = click.Choice(spec.choices)
        elif kind is Path:
            folder = spec.meta.folder
            kwargs["type"] = click.Path(path_type=Path, file_okay=not folder, dir_okay=folder)
        elif kind in (int, float):
            kwargs["type"] = kind
        elif kind is not str:
            raise TypeError(f"setting {spec.name!r}: no command-line type for {kind!r}")
    # Limits are checked by Settings alone, so a value is judged the same from any layer.
    return click.option(*decls, spec.name, **kwargs)


def setting_help(spec: SettingSpec) -> str:
    """The help line: the declared text, then where else it is set and its default."""
    extra = [f"env var: {spec.env}"]
    if spec.default_words is not None:
        extra.append(f"default: {spec.default_words}")
    return f"{spec.meta.help} [{'; '.join(extra)}]"


def pop_settings(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the setting flags out of a command's keyword arguments (None: not given)."""
    names = {spec.name for spec in setting_specs()}
    return {name: kwargs.pop(name) for name in list(kwargs) if name in names}


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (TOML) with any of the settings, by name. "
    "[default: <user config dir>/briefing/config.toml]",
)


# Options that are not settings, shared by several commands: declared once here.
# A str, not a click.Path: SOURCE may be a URL or "-"; TAB still completes file names.
source_argument = click.argument("source", metavar="SOURCE", shell_complete=complete_file)
title_option = click.option(
    "--title", metavar="TEXT", help="Title to use instead of the one found in the article."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    help="Output format; with it, -o may have any suffix. [default: from the -o suffix, else pdf]",
)
cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Cache folder. [default: the user cache dir]",
)


def verbosity_options(func: F) -> F:
    """-v / -q: how much the run says on stderr."""
    func = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(func)
    return click.option(
        "-v", "--verbose", is_flag=True, help="Also print progress and a one-line summary."
    )(func)


def examples(*lines: str) -> str:
    """An epilog closing --help with realistic invocations, one a line, kept as written."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)
