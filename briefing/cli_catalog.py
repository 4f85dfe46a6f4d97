"""The catalogue commands: prompts, templates and the cache (list, show, inspect, empty).

Registered on the main group by ``briefing.cli``; like every command they only parse options,
call one core function and print its result.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from briefing.cli_complete import complete_prompt, complete_template
from briefing.cli_errors import BriefingClickError, map_errors, settings_from
from briefing.errors import EXIT_USAGE
from briefing.options import cache_dir_option, examples, setting_options
from briefing.terminal import setup_logging


@click.group(epilog=examples("briefing prompts list", "briefing prompts show briefing@v1"))
def prompts() -> None:
    """List and show the versioned prompts."""


@prompts.command(
    "list",
    epilog=examples("briefing prompts list", "briefing prompts list --prompts-dir my-prompts/"),
)
@setting_options("prompts list")
@map_errors
def prompts_list(**flags: Any) -> None:
    """Every prompt: name, versions, description and sha256 of the newest version."""
    from briefing.prompts import Registry

    settings = settings_from(flags)
    registry = Registry([settings.prompts_dir] if settings.prompts_dir else [])
    rows = []
    for name in registry.names():
        prompt = registry.get(name)
        versions = ",".join(f"v{v}" for v in registry.versions(name))
        origin = "" if prompt.builtin else "  (yours)"
        rows.append((name, versions, f"sha256:{prompt.sha256[:12]}", prompt.description + origin))
    for line in aligned(rows):
        click.echo(line)


@prompts.command(
    "show",
    epilog=examples(
        "briefing prompts show briefing",
        "briefing prompts show merge@v1",
        "briefing prompts show briefing@v2 --prompts-dir my-prompts/",
    ),
)
@click.argument("spec", metavar="NAME[@vN]", shell_complete=complete_prompt)
@setting_options("prompts show")
@map_errors
def prompts_show(spec: str, **flags: Any) -> None:
    """Print one prompt version: its file, hash and full text."""
    from briefing.prompts import Registry

    settings = settings_from(flags)
    prompt = Registry([settings.prompts_dir] if settings.prompts_dir else []).get(spec)
    click.echo(f"# {prompt.label}  sha256:{prompt.sha256}")
    click.echo(f"# {prompt.path}")
    click.echo(prompt.path.read_text(encoding="utf-8"), nl=False)


def aligned(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """One line a row, columns two spaces apart and padded to the widest; the last column (a
    description of any length) is not padded, so a line never ends in spaces."""
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]) - 1)] if rows else []
    return [
        "  ".join([*(cells[i].ljust(width) for i, width in enumerate(widths)), cells[-1]])
        for cells in rows
    ]


@click.group(epilog=examples("briefing cache info", "briefing cache clear"))
def cache() -> None:
    """Inspect or empty the cache of briefings and day summaries."""


@cache.command(
    "info",
    epilog=examples("briefing cache info", "briefing cache info --cache-dir /srv/briefs/cache"),
)
@cache_dir_option
@map_errors
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is, how many briefings and day summaries it holds, how big it is."""
    from briefing.cache import cache_path, open_cache, parts_dir
    from briefing.render.parallel import parts_held

    setup_logging(False, False)
    with open_cache(cache_dir) as store:
        info = store.info()
    path = info.path or cache_path(cache_dir)
    click.echo(f"path: {path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"summaries: {info.summaries}")  # days' executive summaries by a model
    click.echo(f"size: {info.bytes} bytes")
    parts, size = parts_held(parts_dir(cache_dir))
    if parts:  # a long digest's laid-out parts, kept for a rerun to resume from
        click.echo(f"laid-out parts: {parts} ({size} bytes)")
    if info.oldest and info.newest:
        click.echo(f"oldest: {info.oldest.isoformat(timespec='seconds')}")
        click.echo(f"newest: {info.newest.isoformat(timespec='seconds')}")


@cache.command(
    "clear",
    epilog=examples("briefing cache clear", "briefing cache clear --cache-dir /srv/briefs/cache"),
)
@cache_dir_option
@map_errors
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached briefing and day summary, and a long digest's laid-out parts."""
    from briefing.cache import open_cache, parts_dir
    from briefing.render.parallel import clear_parts

    setup_logging(False, False)
    with open_cache(cache_dir) as store:
        removed = store.clear()
    parts = clear_parts(parts_dir(cache_dir))
    also = f" and {parts} laid-out part{'s' if parts != 1 else ''}" if parts else ""
    click.echo(f"removed {removed} cached briefing{'s' if removed != 1 else ''}{also}")


@click.group(epilog=examples("briefing templates list", "briefing templates show briefing.html.j2"))
def templates() -> None:
    """List and show the templates (yours override ours by name)."""


@templates.command(
    "list",
    epilog=examples(
        "briefing templates list", "briefing templates list --template-dir my-templates/"
    ),
)
@setting_options("templates list")
@map_errors
def templates_list(**flags: Any) -> None:
    """Every template: name, where it comes from (ours or yours) and what it is for."""
    from briefing.render.template_files import list_templates

    settings = settings_from(flags)
    rows = []
    for row in list_templates([settings.template_dir] if settings.template_dir else []):
        note = "  (overridden)" if row.overridden else ""
        rows.append((row.name, f"[{row.origin}]", row.description + note))
    for line in aligned(rows):
        click.echo(line)


@templates.command(
    "show",
    epilog=examples(
        "briefing templates show briefing.html.j2",
        "briefing templates show base.html.j2 --template-dir my-templates/",
    ),
)
@click.argument("name", shell_complete=complete_template)
@setting_options("templates show")
@map_errors
def templates_show(name: str, **flags: Any) -> None:
    """Print the template NAME as it is used (yours if you override it)."""
    from briefing.render.template_files import template_source

    settings = settings_from(flags)
    try:
        path, text = template_source(name, [settings.template_dir] if settings.template_dir else [])
    except LookupError as exc:
        raise BriefingClickError(str(exc.args[0] if exc.args else exc), EXIT_USAGE) from None
    click.echo(f"# {path}")
    click.echo(text, nl=False)
