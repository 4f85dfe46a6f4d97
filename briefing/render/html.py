"""Render a briefing as HTML: the Jinja2 environment, the template context, template errors.

Article and model text are untrusted. They reach the HTML only through autoescaped Jinja
expressions (never ``|safe`` or ``Markup``), so markup in them is shown as text; undefined
variables are errors (StrictUndefined). A template fault becomes a :class:`RenderError` naming
the template and line. The daily digest (:mod:`briefing.render.digest`) uses the same
environment through :func:`render_template`.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)

from briefing.errors import RenderError
from briefing.model import Briefing
from briefing.render.compact import CompactInfo, compact_view
from briefing.render.context import EvidenceMode, briefing_view
from briefing.render.marking import Marking, check_marked, check_marking, marked_info
from briefing.render.text import (
    humanise,
    language_attributes,
    long_date,
    paragraphs,
    shown_text,
)
from briefing.resources import template_search_path

__all__ = [
    "COMPACT_TEMPLATE",
    "DEFAULT_TEMPLATE",
    "STYLES",
    "STYLE_TEMPLATES",
    "Style",
    "build_context",
    "check_style",
    "make_environment",
    "render_html",
    "render_template",
]

DEFAULT_TEMPLATE = "briefing.html.j2"

# Styles: the standard brief and the one-page compact brief (briefing.render.compact)
Style = Literal["standard", "compact"]
STYLES: tuple[Style, ...] = get_args(Style)
COMPACT_TEMPLATE = "compact.html.j2"
STYLE_TEMPLATES: dict[str, str] = {"standard": DEFAULT_TEMPLATE, "compact": COMPACT_TEMPLATE}


def check_style(style: str) -> None:
    """Raise ValueError, naming the accepted ones, unless ``style`` is a style."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")


def build_context(
    briefing: Briefing,
    evidence: EvidenceMode | None = None,
    *,
    style: Style = "standard",
    marking: str | Marking | None = None,
) -> dict[str, Any]:
    """The variables a template sees (``view`` holds them all again, for the macros).

    ``evidence`` None means the style's default: ``"footnotes"`` for the standard brief, ``"none"``
    for the compact one. ``marking`` is checked by :func:`check_marking` (ValueError if bad).
    """
    check_style(style)
    mark = marking if isinstance(marking, Marking) else check_marking(marking)
    compact: CompactInfo | None = None
    if style == "compact":
        view, compact = compact_view(briefing, evidence or "none")
    else:
        view = briefing_view(briefing, evidence or "footnotes")
    view["doc"] = marked_info(view["doc"], mark)
    return {
        **view,
        "view": view,
        "style": style,
        "marking": mark,
        "compact": compact,
        **language_attributes(briefing.language),
    }


def make_environment(template_dirs: Sequence[Path] = ()) -> Environment:
    """The Jinja2 environment: autoescape on, StrictUndefined, user folders before ours."""
    dirs = template_search_path(template_dirs)
    loader: FileSystemLoader | ChoiceLoader
    if len(dirs) == 1:
        loader = FileSystemLoader(dirs[0])
    else:
        loader = ChoiceLoader([FileSystemLoader(d) for d in dirs])
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=shown_text,  # control characters in article or model text: shown escaped
    )
    env.filters["long_date"] = long_date
    env.filters["paragraphs"] = paragraphs
    env.filters["humanise"] = humanise
    return env


def _template_location(exc: BaseException, default: str) -> str:
    """``name line N`` of the innermost template frame in the traceback (Jinja rewrites them)."""
    if isinstance(exc, TemplateSyntaxError):
        name = exc.name or (Path(exc.filename).name if exc.filename else default)
        return f"{name} line {exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".css")):
            return f"{Path(frame.filename).name} line {frame.lineno}"
    return default


def render_html(
    briefing: Briefing,
    *,
    template_dirs: Sequence[Path] = (),
    template_name: str | None = None,
    evidence: EvidenceMode | None = None,
    style: Style = "standard",
    marking: str | None = None,
) -> str:
    """Render ``briefing`` as one self-contained HTML document (CSS inlined, no external URL).

    ``evidence`` chooses how the evidence quotes appear: under each item (``"footnotes"``),
    as [E1]-style references to a numbered "Evidence" section at the end (``"appendix"``), or
    not at all (``"none"``). Unsupported items are marked in every mode. None: the style's
    default (``"footnotes"``; ``"none"`` for the compact brief, where the other two modes give
    short [E3] references and a few cut quotes).

    ``style``: ``"standard"`` (briefing.html.j2) or ``"compact"`` (compact.html.j2, one page:
    see :func:`briefing.render.compact.compact_view`); ``template_name`` overrides the style's
    template. ``marking`` (at most :data:`briefing.render.marking.MARKING_MAX` characters, e.g.
    ``"TLP:AMBER"``) is printed at the top and bottom of every page and added to the metadata;
    :class:`briefing.render.marking.MarkingError` if unusable.
    """
    context = build_context(briefing, evidence, style=style, marking=marking)
    name = template_name or STYLE_TEMPLATES[style]
    return check_marked(render_template(context, template_dirs, name), context["marking"], name)


def render_template(
    context: dict[str, Any], template_dirs: Sequence[Path], template_name: str
) -> str:
    """Render ``template_name`` in :func:`make_environment`; template faults -> RenderError."""
    env = make_environment(template_dirs)
    try:
        template = env.get_template(template_name)
        return template.render(context)
    except TemplateError as exc:
        where = _template_location(exc, template_name)
        detail = exc.message or type(exc).__name__
        raise RenderError(f"template {where}: {type(exc).__name__}: {detail}") from exc
