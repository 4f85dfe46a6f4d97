"""Locate the data folders (templates, prompts) that ship inside the package.

In a wheel they are ``briefing/templates`` and ``briefing/prompts`` (pyproject force-include).
In a source checkout they are the top-level ``templates/`` and ``prompts/`` beside the package.
Never the current directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """Return the folder holding the packaged data called ``name`` ("templates" or "prompts")."""
    packaged = Path(str(files("briefing"))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"briefing data folder {name!r} is missing from the installation")


def templates_dir() -> Path:
    return data_dir("templates")


def template_search_path(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """User template folders first, then the packaged one."""
    dirs = [Path(d) for d in template_dirs]
    default = templates_dir()
    if default not in dirs:
        dirs.append(default)
    return dirs


def prompts_dir() -> Path:
    return data_dir("prompts")
