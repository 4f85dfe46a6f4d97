"""The README's reference tables, made from the code so that they cannot drift from it.

Commands and their options come from the Click commands themselves (docstrings and option
help), settings from their declarations (``briefing.settings_spec``), exit codes from
``briefing.errors``. The README runs these through cog (``cog -r README.md`` rewrites the
tables; ``cog --check README.md`` in .ci/run and tests/test_docs.py fail when it is stale).
Nothing here needs cog: each function returns Markdown.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence

import click

from briefing.errors import ALL_EXIT_CODES
from briefing.settings_spec import SettingSpec, setting_specs


def commands_table() -> str:
    """Every command that runs (not the groups): its usage and what it does."""
    rows = [
        (f"`{ctx.command_path} {' '.join(command.collect_usage_pieces(ctx))}`", _about(command))
        for ctx, command in leaf_commands()
    ]
    return _table(("command", "what it does"), rows)


def settings_table() -> str:
    """Every setting: its flag, variable, default, config key, commands and meaning."""
    flags = _flag_usages()
    rows = []
    for spec in setting_specs():
        rows.append(
            (
                f"`{flags[spec.name]}`" if spec.meta.commands else "—",
                f"`{spec.env}`",
                _default(spec),
                f"`{spec.config_key}`",
                ", ".join(f"`{c}`" for c in spec.meta.commands) or "—",
                spec.meta.help,
            )
        )
    header = ("option", "environment", "default", "config key", "commands", "meaning")
    return _table(header, rows)


def command_options_table() -> str:
    """The options that are not settings, each once with the commands that take it."""
    settings = {spec.name for spec in setting_specs()}
    seen: dict[tuple[str, str], list[str]] = {}
    for ctx, command in leaf_commands():
        for param in command.get_params(ctx):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is None or param.name in settings or param is command.get_help_option(ctx):
                continue
            seen.setdefault(record, []).append(ctx.command_path.removeprefix("briefing "))
    rows = [
        (f"`{opts}`", ", ".join(f"`{c}`" for c in cmds), text)
        for (opts, text), cmds in seen.items()
    ]
    return _table(("option", "commands", "meaning"), rows)


def exit_codes_table() -> str:
    rows = [
        (str(code), f"{c.label}: {c.meaning}" if c.meaning else c.label)
        for code, c in ALL_EXIT_CODES.items()
    ]
    return _table(("code", "meaning"), rows)


def prices_table() -> str:
    """The shipped price table: US dollars per million tokens, and its date."""
    from briefing.prices import DEFAULT_PRICES, PRICES_DATE

    def usd(value: float | None) -> str:  # as the price list writes them: $10.00, $0.125
        return "—" if value is None else "$" + f"{value:.3f}".removesuffix("0")

    rows = [
        (f"`{name}`", usd(p.input), usd(p.cached_input), usd(p.output), f"{p.batch:.0%}")
        for name, p in DEFAULT_PRICES.items()
    ]
    header = ("model", "input", "cached input", "output", "batch discount")
    return f"OpenAI's published prices as of {PRICES_DATE}:\n\n" + _table(header, rows)


def leaf_commands() -> Iterator[tuple[click.Context, click.Command]]:
    """Every command that runs, with a context named as a user types it ("briefing build")."""
    from briefing.cli import main

    def walk(
        command: click.Command, ctx: click.Context
    ) -> Iterator[tuple[click.Context, click.Command]]:
        if not isinstance(command, click.Group):
            yield ctx, command
            return
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from walk(sub, click.Context(sub, info_name=name, parent=ctx))

    yield from walk(main, click.Context(main, info_name="briefing", **main.context_settings))


def _flag_usages() -> dict[str, str]:
    """Each setting's flag as --help shows it, e.g. ``--style [standard|compact]``."""
    usages: dict[str, str] = {}
    for ctx, command in leaf_commands():
        for param in command.get_params(ctx):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is not None and param.name is not None:
                usages.setdefault(param.name, record[0])
    return usages


def _default(spec: SettingSpec) -> str:
    """A value as code (`auto`), a number as is, words as words (the prompt's), else a dash."""
    words = spec.default_words
    if words is None:
        return "—"
    is_text = spec.meta.default_text is None and isinstance(spec.default, str)
    return f"`{words}`" if is_text else words


def _about(command: click.Command) -> str:
    """A command's help text in one paragraph (Markdown table cells hold no line breaks)."""
    return " ".join(inspect.cleandoc(command.help or "").replace("\b", "").split())


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = [_row(header), _row(tuple("---" for _ in header))]
    lines += [_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _row(cells: tuple[str, ...]) -> str:
    # A "|" inside a cell would end it, even inside backticks: GitHub wants it escaped.
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
