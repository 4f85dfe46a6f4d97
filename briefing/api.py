"""The library face: brief an article from Python, as ``briefing build`` does from a shell.

Import these names from :mod:`briefing` itself (``from briefing import brief``); this module is
where they live, loaded on first use so that ``import briefing`` stays cheap.

* :func:`read_article`: a file, an http(s) URL or a string of text -> :class:`Article`;
* :func:`brief`: the same, summarised and checked -> :class:`Briefing` (nothing written);
* :func:`render_document`: a :class:`Briefing` -> the bytes of a PDF, an HTML draft or JSON;
* :func:`build`: all of it, written atomically to a file -> :class:`BuildResult`.

``settings`` is a :class:`Settings`; None means the settings the command line would use
without flags: the config file, then the environment (:func:`load_settings`). Every failure
is a :class:`BriefingError` with a one-line message and the command's exit code.
"""

from __future__ import annotations

import os
from pathlib import Path

from briefing.config import Settings, load_settings
from briefing.errors import BriefingError
from briefing.model import Article, Briefing
from briefing.pipeline import (
    BuildOptions,
    BuildResult,
    announce,
    build_article,
    fetch_policy,
    load_article,
    render_document,
    summarise,
)
from briefing.sources.files import text_article
from briefing.summarisers import make_summariser

__all__ = [
    "Article",
    "Briefing",
    "BriefingError",
    "BuildResult",
    "Settings",
    "brief",
    "build",
    "load_settings",
    "read_article",
    "render_document",
]

Source = str | os.PathLike[str]
"""A file path, or an ``http://`` / ``https://`` URL (fetched under the safe policy)."""


def read_article(
    source: Source | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
) -> Article:
    """Read one article: ``source`` (a file or a URL) or ``text`` (plain text, Markdown or
    HTML; ``source.kind`` "stdin", ``source.location`` "<text>"). ``title`` replaces the one
    found in it. A URL is fetched under ``settings.allow_private`` and the fetch timeout."""
    if text is not None:
        if source is not None:
            raise TypeError("give a source or text=, not both")
        return text_article(text, title=title)
    if source is None:
        raise TypeError("give a source (a file or a URL) or text=")
    settings = settings if settings is not None else load_settings()
    return load_article(os.fspath(source), policy=fetch_policy(settings), title=title)


def brief(
    source: Source | Article | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
) -> Briefing:
    """Summarise one article and check every item against it; nothing is written.

    ``source``: a file, a URL or an :class:`Article` (from :func:`read_article`); or ``text``.
    """
    settings = settings if settings is not None else load_settings()
    summariser = make_summariser(settings)  # bad settings fail before anything is read
    article = _article(source, text, title, settings)
    announce(settings, summariser)
    return summarise(settings, summariser, article)


def build(
    source: Source | Article | None = None,
    output: str | Path | None = None,
    *,
    text: str | None = None,
    format: str | None = None,  # the name of the command's --format
    title: str | None = None,
    settings: Settings | None = None,
) -> BuildResult:
    """Brief one article and write it, as ``briefing build`` does: ``output`` is a file, a
    folder (existing, or ending with "/") for the default name, or None for
    ``output/<date>-<slug of the title>.<format>``; ``format`` is pdf, html or json (default:
    from the output's suffix, else pdf). Returns the path written and the briefing."""
    settings = settings if settings is not None else load_settings()
    article = _article(source, text, title, settings)
    options = BuildOptions(
        source=article.source.location, output=output, fmt=format, settings=settings
    )
    return build_article(article, options)


def _article(
    source: Source | Article | None, text: str | None, title: str | None, settings: Settings
) -> Article:
    if isinstance(source, Article):
        if text is not None:
            raise TypeError("give a source or text=, not both")
        if title:
            return source.model_copy(update={"title": " ".join(title.split())})
        return source
    return read_article(source, text=text, title=title, settings=settings)
