"""Build one briefing: load -> summarise -> render -> write. The core of ``build`` and
``preview``; ``daily`` shares its loading (files and URLs) and its rendering.

A SOURCE is a file, ``-`` for standard input, or an http(s) URL. A URL is fetched by the safe
fetcher of :mod:`briefing.sources` under the same policy as ``daily`` (private addresses
refused unless ``allow_private``; pinned connections; a deadline; size and type limits).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from briefing.config import Settings
from briefing.errors import EXIT_TEMPFAIL, ConfigError, InputError, TemporaryError
from briefing.history import current_run
from briefing.model import Article, Briefing, Digest
from briefing.output import FORMATS, atomic_write, choose_format, resolve_output
from briefing.sources import FetchError, FetchPolicy, fetch_article, read_source
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


def render_document(
    document: Briefing | Digest,
    fmt: str,
    settings: Settings | None = None,
    parts_dir: Path | None = None,
) -> bytes:
    """A briefing or a day's digest as the bytes of a PDF, a self-contained HTML draft or
    JSON: one render path for ``build``, ``preview`` and ``daily``. A long digest's PDF is laid
    out in parts on ``settings.workers`` processes, kept in ``parts_dir`` (None: a temporary
    folder) so that a rerun after a crash resumes."""
    if fmt == "json":
        return (document.model_dump_json(indent=2) + "\n").encode("utf-8")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    from briefing import render  # WeasyPrint is imported only when a document is rendered

    settings = settings or Settings()
    try:
        if isinstance(document, Digest):
            options = html_options(settings)
            html = render.render_digest_html(document, **options, detail=settings.detail)
            if fmt == "html":
                return html.encode("utf-8")
            return render.render_digest_pdf(
                html, document, **pdf_options(settings), workers=settings.workers,
                parts_dir=parts_dir,
            )  # fmt: skip
        html = render.render_html(document, **html_options(settings))
        if fmt == "html":
            return html.encode("utf-8")
        return render.render_pdf(html, document, **pdf_options(settings))
    except ValueError as exc:  # an option the renderer refuses (marking, PDF variant, ...)
        raise ConfigError(str(exc)) from None


# --- reading the article: a file, standard input or a URL ---------------------------------

# The user:password@ of a URL: used to fetch (HTTP Basic), never shown or written. After
# "scheme:/" too: a URL given as a file name comes back from the path functions with its
# "//" made one ("no such file: ftp:/user:pw@host/x.txt").
_CREDENTIALS = re.compile(r"(?:(?<=://)|(?<=:/))[^/?#\s]*@")


class FetchUnavailable(FetchError, TemporaryError):
    """A URL that could not be fetched *for now* (no answer in time, DNS or connection
    failure, HTTP 408, 429 or 5xx): exit 75, so a scheduler tries again later. Still a
    FetchError, for callers that catch those."""

    exit_code = EXIT_TEMPFAIL

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(url, problem, transient=True)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.url, self.problem))


def is_url(source: str) -> bool:
    """True when a SOURCE names a web page (http or https) rather than a file."""
    return source[:8].lower().startswith(("http://", "https://"))


def without_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` part of any URL in it removed."""
    return _CREDENTIALS.sub("", text)


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy the settings ask for (``allow_private``, ``fetch_timeout``)."""
    return FetchPolicy(allow_private=settings.allow_private, deadline=settings.fetch_timeout)


def load_article(
    source: str,
    *,
    policy: FetchPolicy,
    stdin: BinaryIO | None = None,
    title: str | None = None,
) -> Article:
    """Read the article SOURCE names: an http(s) URL (:func:`read_url`), ``-`` for ``stdin``,
    or a file. ``title`` replaces the one found in the article."""
    if is_url(source):
        return read_url(source, policy, title=title)
    return read_source(source, stdin, title=title)


def read_url(url: str, policy: FetchPolicy, *, title: str | None = None) -> Article:
    """Fetch the page at ``url`` under ``policy`` and extract its article.

    A page that cannot be read is an :class:`InputError` (exit 2: a private address refused,
    HTTP 404, a type that is not an article, too big, too short, not http or https); one that
    cannot be fetched *for now* is :class:`FetchUnavailable` (exit 75). Messages and
    ``source.location`` (the page's URL after redirects) never show credentials embedded in
    the URL.
    """
    try:
        article = fetch_article(url, policy)
    except FetchError as exc:
        shown, problem = without_credentials(exc.url), without_credentials(exc.problem)
        if exc.transient:
            raise FetchUnavailable(shown, problem) from None
        raise FetchError(shown, problem) from None
    except InputError as exc:  # the page's text: empty, binary, too short
        raise InputError(without_credentials(exc.message)) from None
    location = without_credentials(article.source.location)
    update: dict[str, Any] = {"source": article.source.model_copy(update={"location": location})}
    if title:
        update["title"] = " ".join(title.split())
    return article.model_copy(update=update)


def _load(options: BuildOptions, stdin: BinaryIO | None) -> tuple[Summariser, Article]:
    summariser = make_summariser(options.settings)  # bad settings fail before reading input
    article = load_article(
        options.source, policy=fetch_policy(options.settings), stdin=stdin, title=options.title
    )
    return summariser, article


def announce(settings: Settings, summariser: Summariser) -> None:
    """Say once per run what the user may not expect: no model in use, or one ignored option."""
    # Notices, not problems: `daily -q` leaves them out (briefing.terminal).
    if settings.summariser == "auto" and summariser.name == "offline":
        log.warning(
            "using the offline summariser (set OPENAI_API_KEY or OPENAI_BASE_URL "
            "to use a language model)",
            extra={"notice": True},
        )
    if settings.language and summariser.name == "offline":
        log.warning(
            "--language needs a language model: the offline summariser quotes the article "
            "in its own language",
            extra={"notice": True},
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
    fmt = choose_format(options.fmt, options.output)  # a bad --format fails before reading
    summariser, article = _load(options, stdin)
    return _build(article, summariser, options, fmt)


def build_article(article: Article, options: BuildOptions) -> BuildResult:
    """:func:`build` for an article already read (``options.source`` is not read)."""
    fmt = choose_format(options.fmt, options.output)
    summariser = make_summariser(options.settings)
    if options.title:
        article = article.model_copy(update={"title": " ".join(options.title.split())})
    return _build(article, summariser, options, fmt)


def _build(
    article: Article, summariser: Summariser, options: BuildOptions, fmt: str
) -> BuildResult:
    # The output is settled before the (possibly slow, paid) model call, so a bad -o fails fast.
    path = resolve_output(
        options.output,
        title=article.title,  # from the article or --title, never from model output
        fmt=fmt,
        day=options.day or date.today(),
        source=Path(article.source.location) if article.source.kind == "file" else None,
    )
    announce(options.settings, summariser)
    briefing = summarise(options.settings, summariser, article)
    current_run().add_briefing(briefing)  # the history of a CLI run; else nothing
    data = render_document(briefing, fmt, options.settings)
    atomic_write(path, data)
    current_run().set_output(path)
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
