"""The template files, for ``briefing templates list`` and ``briefing templates show NAME``:
ours and the user's (a file in a user folder overrides ours by name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.resources import template_search_path, templates_dir

TEMPLATE_SUFFIXES = (".j2", ".css")  # what the listing shows (not fonts, images, READMEs)
BUILT_IN = "built-in"
_DESCRIPTION = re.compile(
    r"\A\s*(?:\{#-?\s*description:(?P<jinja>.*?)-?#\}|/\*\s*description:(?P<css>.*?)\*/)",
    re.S | re.I,
)


class TemplateNotFound(LookupError):
    """No template file of that name on the search path (the message lists the names)."""


@dataclass(frozen=True)
class TemplateInfo:
    """One template file on the search path (user folders first, then ours)."""

    name: str  # "briefing.html.j2", "briefing.css", or "partials/x.html.j2" in a sub-folder
    origin: str  # "built-in", or the user template folder it is in
    overridden: bool  # True: a folder searched earlier has a file of the same name (unused)
    description: str  # from "{# description: … #}" ("/* description: … */") at the top, or ""
    path: Path


def template_description(path: Path) -> str:
    """The ``{# description: … #}`` (or ``/* description: … */``) opening ``path``, or ""."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return ""
    match = _DESCRIPTION.match(head)
    if match is None:
        return ""
    return " ".join((match.group("jinja") or match.group("css") or "").split())


def _template_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def list_templates(template_dirs: Sequence[Path] = ()) -> list[TemplateInfo]:
    """Every template file on the search path, by name; for one name, the file used first."""
    default = templates_dir()
    rows: list[TemplateInfo] = []
    seen: set[str] = set()
    for folder in template_search_path(template_dirs):
        origin = BUILT_IN if folder == default else str(folder)
        for path in _template_files(folder):
            name = path.relative_to(folder).as_posix()
            rows.append(TemplateInfo(name, origin, name in seen, template_description(path), path))
            seen.add(name)
    return sorted(rows, key=lambda row: row.name)  # stable: search order within a name


def template_source(name: str, template_dirs: Sequence[Path] = ()) -> tuple[Path, str]:
    """The file that ``name`` renders from (the first on the search path) and its text.

    Raises :class:`TemplateNotFound` (a LookupError) naming the templates there are.
    """
    parts = Path(name).parts
    usable = (
        bool(parts)
        and not Path(name).is_absolute()
        and ".." not in parts
        and "\\" not in name
        and name.endswith(TEMPLATE_SUFFIXES)
    )
    if usable:
        for row in list_templates(template_dirs):
            if row.name == Path(name).as_posix() and not row.overridden:
                return row.path, row.path.read_text(encoding="utf-8")
    names = ", ".join(dict.fromkeys(row.name for row in list_templates(template_dirs)))
    raise TemplateNotFound(f"no template named {name!r} (there are: {names})")
