"""Build one briefing: load -> summarise -> render -> write. The only entry point the CLI calls."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.model import Article, Briefing
from briefing.output import FORMATS, atomic_write, choose_format, resolve_output
from briefing.sources.files import read_source
from briefing.summarisers import Summariser, make_summariser


@dataclass(frozen=True)
class BuildOptions:
    source: str
    output: str | Path | None = None  # a str keeps a trailing '/' (= a folder)
    fmt: str | None = None  # None: from the output file's suffix, else pdf
    title: str | None = None
    settings: Settings = field(default_factory=Settings)
    day: date | None = None  # the date in the default file name; today when None


@dataclass(frozen=True)
class BuildResult:
    path: Path
    fmt: str
    briefing: Briefing
    size: int

    def summary(self) -> str:
        """One line: what was written and how it was made (for -v)."""
        b, p = self.briefing, self.briefing.provenance
        made_by = f"{p.summariser} v{p.summariser_version}"
        if p.model:
            made_by += f", model {p.model} at {p.base_url}"
        if p.prompt:
            made_by += f", prompt {p.prompt.name}@v{p.prompt.version} ({p.prompt.sha256[:12]})"
        if p.temperature is not None:
            made_by += f", temperature {p.temperature:g}"
        tokens = f", {p.usage.prompt_tokens}+{p.usage.completion_tokens} tokens" if p.model else ""
        return (
            f"wrote {self.path} ({self.fmt}, {self.size} bytes): {len(b.actors)} actors, "
            f"{len(b.risks)} risks; {made_by}{tokens}; {p.duration_ms} ms"
        )


log = logging.getLogger("briefing")


def html_options(settings: Settings) -> dict[str, Any]:
    """The renderer's HTML options from the settings (one place for build, preview, daily)."""
    return {
        "template_dirs": [settings.template_dir] if settings.template_dir else [],
        "evidence": settings.evidence,
        "style": settings.style,
        "marking": settings.marking,
    }


def pdf_options(settings: Settings) -> dict[str, Any]:
    return {
        "template_dirs": [settings.template_dir] if settings.template_dir else [],
        "pdf_variant": settings.pdf_variant,
    }


def render_document(briefing: Briefing, fmt: str, settings: Settings | None = None) -> bytes:
    """The briefing as the bytes of a PDF, a self-contained HTML draft or JSON."""
    if fmt == "json":
        return (briefing.model_dump_json(indent=2) + "\n").encode("utf-8")
    from briefing import render  # WeasyPrint is imported only when a document is rendered

    settings = settings or Settings()
    try:
        html = render.render_html(briefing, **html_options(settings))
        if fmt == "html":
            return html.encode("utf-8")
        if fmt == "pdf":
            return render.render_pdf(html, briefing, **pdf_options(settings))
    except ValueError as exc:  # an option the renderer refuses (marking, PDF variant, ...)
        raise ConfigError(str(exc)) from None
    raise ConfigError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")


def _load(options: BuildOptions, stdin: BinaryIO | None) -> tuple[Summariser, Article]:
    summariser = make_summariser(options.settings)  # bad settings fail before reading input
    article = read_source(options.source, stdin, title=options.title)
    return summariser, article


def announce(settings: Settings, summariser: Summariser) -> None:
    """Say once per run what the user may not expect: no model in use, or one ignored option."""
    if settings.summariser == "auto" and summariser.name == "offline":
        log.warning(
            "using the offline summariser (set OPENAI_API_KEY or OPENAI_BASE_URL "
            "to use a language model)"
        )
    if settings.language and summariser.name == "offline":
        log.warning(
            "--language needs a language model: the offline summariser quotes the article "
            "in its own language"
        )


def warn_unsupported(briefings: list[Briefing], fmt: str) -> None:
    """Say on stderr (a warning: -q hides it) what was written that the articles do not
    support: the marks are in the document, but a cron job or a script never looks at it."""
    from briefing.checks.apply import unsupported_notice

    notice = unsupported_notice(briefings, fmt)
    if notice:
        log.warning(notice)


def summarise(settings: Settings, summariser: Summariser, article: Article) -> Briefing:
    """Summarise, then check every item against the article (and fail if --strict says so)."""
    from briefing.checks.apply import checked

    return checked(article, summariser.summarise(article), strict=settings.strict)


def build(options: BuildOptions, stdin: BinaryIO | None = None) -> BuildResult:
    """Read the article, summarise it, render it and write it atomically. Returns what was done."""
    fmt = choose_format(options.fmt, options.output)
    summariser, article = _load(options, stdin)
    # The output is settled before the (possibly slow, paid) model call, so a bad -o fails fast.
    path = resolve_output(
        options.output,
        title=article.title,  # from the article or --title, never from model output
        fmt=fmt,
        day=options.day or date.today(),
        source=Path(options.source) if options.source != "-" else None,
    )
    announce(options.settings, summariser)
    briefing = summarise(options.settings, summariser, article)
    data = render_document(briefing, fmt, options.settings)
    atomic_write(path, data)
    warn_unsupported([briefing], fmt)
    return BuildResult(path=path, fmt=fmt, briefing=briefing, size=len(data))


def preview(options: BuildOptions, stdin: BinaryIO | None = None) -> Path:
    """Write the HTML draft to a new temporary file and return its path."""
    summariser, article = _load(options, stdin)
    announce(options.settings, summariser)
    briefing = summarise(options.settings, summariser, article)
    data = render_document(briefing, "html", options.settings)
    fd, name = tempfile.mkstemp(prefix="briefing-preview-", suffix=".html")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)
