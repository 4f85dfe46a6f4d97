"""Shell completion (bash, zsh, fish) for the words Click cannot complete from a type alone.

Click completes commands, options and choices itself, and the README says how to turn it on
(``_BRIEFING_COMPLETE=bash_source briefing``). What it cannot know: that SOURCE is usually a
file (it may also be a URL or ``-``, so it is not a click.Path), and which prompts and
templates exist. Each function here is a ``shell_complete`` callback: (context, parameter,
the word typed so far) -> the candidates.

A completion never fails: a bad setting is reported when the command runs, not while the user
presses TAB, so the built-in names are offered instead.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

__all__ = ["complete_file", "complete_prompt", "complete_template"]


def complete_file(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """File names: the shell lists them (Click's "file" type), as for a click.Path."""
    return [CompletionItem(incomplete, type="file")]


def complete_prompt(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Prompt names and their versions (``merge``, ``merge@v1``...), yours included."""
    from briefing.prompts import Registry

    try:
        registry = Registry(_user_dirs(ctx, "prompts_dir"))
    except Exception:  # a missing --prompts-dir: offer ours
        registry = Registry()
    words = []
    for name in registry.names():
        words.append(name)
        words.extend(f"{name}@v{version}" for version in registry.versions(name))
    return [CompletionItem(word) for word in words if word.startswith(incomplete)]


def complete_template(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Template names (ours and those of --template-dir)."""
    from briefing.render.template_files import list_templates

    try:
        rows = list_templates(_user_dirs(ctx, "template_dir"))
    except Exception:  # a missing --template-dir: offer ours
        rows = list_templates()
    return [CompletionItem(row.name) for row in rows if row.name.startswith(incomplete)]


def _user_dirs(ctx: click.Context, setting: str) -> list[Path]:
    """The user folder of ``setting`` as the command would see it: its flag if typed before
    the word being completed, else the environment, else the config file."""
    from briefing.config import load_settings

    try:
        settings = load_settings(
            {setting: ctx.params.get(setting)}, config_path=ctx.params.get("config_path")
        )
    except Exception:  # a broken config file or variable: the command will say so
        return []
    folder = getattr(settings, setting)
    return [Path(folder)] if folder else []
