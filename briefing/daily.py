"""Build one digest from many sources: gather, fetch, dedupe, summarise (bounded concurrency,
cache), check, summarise the day, render, write under a lock. Built for cron at 05:30.

Partial failure is normal at night: a source that fails becomes a line in the appendix with its
reason, and the run exits 3. Only when nothing at all was summarised is there no digest, so
yesterday's file stays untouched; the exit code then says why: 4 when every source failed on the
model (bad key, wrong model: no rerun will help until the setting is fixed), 75 when the model
was unavailable for every source (connections refused: retry later), else 1.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict

from briefing import __version__
from briefing.config import Settings
from briefing.errors import (
    EXIT_MODEL,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_TEMPFAIL,
    BriefingError,
    ConfigError,
    EndpointUnreachable,
    ModelError,
    TemporaryError,
)
from briefing.model import (
    Article,
    Briefing,
    Digest,
    DigestProvenance,
    SourceKind,
    SourceStatus,
)
from briefing.output import atomic_write, choose_format, run_lock

log = logging.getLogger("briefing.daily")

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")


def _is_article_file(path: Path) -> bool:
    """Files of a folder that are articles: no hidden files, no README (a folder's notes)."""
    name = path.name.lower()
    return (
        path.is_file()
        and path.suffix.lower() in ARTICLE_SUFFIXES
        and not name.startswith((".", "readme"))
    )


@dataclass(frozen=True)
class DailyOptions:
    sources: Sequence[str] = ()
    from_dir: Path | None = None
    urls_file: Path | None = None
    feeds: Sequence[str] = ()
    output: str | Path | None = None
    fmt: str | None = None
    day: date | None = None
    max_items: int = 10
    concurrency: int = 8
    cache_dir: Path | None = None
    use_cache: bool = True
    force: bool = False
    allow_private: bool = False
    fetch_deadline: float = 20.0  # seconds per fetch, redirects and body included
    settings: Settings = field(default_factory=Settings)


@dataclass(frozen=True)
class Progress:
    """One source finished a stage: what the CLI shows (progress bar) or logs."""

    location: str
    stage: str
    outcome: str
    ms: int
    done: int
    total: int


@dataclass(frozen=True)
class DailyResult:
    path: Path
    digest: Digest
    written: bool  # False: an unchanged day, the existing file was kept
    exit_code: int  # 0, or 3 when some sources failed
    # One line for stderr when the digest holds items their articles do not support
    # (checks.unsupported_notice); the CLI shows it unless -q.
    notice: str | None = None


class NothingBriefedError(BriefingError):
    """No source could be summarised: no digest is written (exit 1)."""


class ModelUnusableError(NothingBriefedError, ModelError):
    """Every source failed on the model (bad key, wrong model or URL): exit 4."""

    exit_code = EXIT_MODEL


class EndpointDownError(NothingBriefedError, TemporaryError):
    """The model was unavailable for every source (connections refused, rate limited past the
    deadline): exit 75, retry later."""

    exit_code = EXIT_TEMPFAIL


@dataclass
class _Item:
    """A source on its way through the run."""

    location: str
    kind: SourceKind
    via: str | None = None
    article: Article | None = None
    briefing: Briefing | None = None
    status: str = "pending"
    reason: str | None = None
    error: BriefingError | None = None  # why it failed, for the exit code of an empty day
    ms: int = 0


def default_output(day: date, fmt: str) -> Path:
    return Path("output") / f"briefing-{day.isoformat()}.{fmt}"


def run_daily(
    options: DailyOptions, progress: Callable[[Progress], None] | None = None
) -> DailyResult:
    fmt = choose_format(options.fmt, options.output)
    day = options.day or date.today()
    if options.output is None:
        path = default_output(day, fmt)
    elif Path(options.output).is_dir() or str(options.output).endswith("/"):
        path = Path(options.output) / default_output(day, fmt).name
    else:
        path = Path(options.output)
    with run_lock(path):
        return _run(options, path, fmt, day, progress)


def _run(
    options: DailyOptions,
    path: Path,
    fmt: str,
    day: date,
    progress: Callable[[Progress], None] | None,
) -> DailyResult:
    from briefing.cache import cache_key, open_cache
    from briefing.checks.apply import checked, unsupported_notice
    from briefing.digest import executive_summary
    from briefing.pipeline import announce
    from briefing.sources.fetch import FetchPolicy
    from briefing.summarisers import make_summariser

    started = time.monotonic()
    settings = options.settings
    summariser = make_summariser(settings)
    announce(settings, summariser)
    policy = FetchPolicy(allow_private=options.allow_private, deadline=options.fetch_deadline)
    items = _gather(options, policy)
    _dedupe_urls(items)
    if not items:
        raise ConfigError(
            "no sources given: name files, folders or URLs, or use --from-dir, --urls or --feed"
        )
    reporter = _Reporter(len(_pending(items)), progress)
    workers = max(1, options.concurrency)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda item: _load(item, policy, reporter), _pending(items)))
    for item in _dedupe_texts(items):
        reporter.report(item, "dedupe")

    hits = requests = 0
    counter_lock = threading.Lock()
    with open_cache(options.cache_dir, enabled=options.use_cache) as cache:

        def summarise(item: _Item) -> None:
            nonlocal hits, requests
            assert item.article is not None
            start = time.monotonic()
            key = cache_key(item.article.source.sha256, summariser)
            try:
                # The cache holds what the summariser wrote; checks run on every use, so
                # --strict and newer check rules apply to cached results too.
                raw = cache.get(key)
                if raw is not None:
                    item.status = "cached"
                    with counter_lock:
                        hits += 1
                else:
                    with counter_lock:
                        requests += 1
                    raw = summariser.summarise(item.article)
                    cache.put(key, raw)
                    item.status = "ok"
                item.briefing = checked(item.article, raw, strict=settings.strict)
            except BriefingError as exc:
                item.status, item.reason, item.briefing = "failed", exc.message, None
                item.error = exc
            except Exception as exc:  # a bug must not cost the whole morning's digest
                item.status, item.briefing = "failed", None
                item.reason = f"internal error: {type(exc).__name__}: {exc}"
            item.ms += int((time.monotonic() - start) * 1000)
            reporter.report(item, "summarise")

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(summarise, _pending(items)))

        briefings = [i.briefing for i in items if i.briefing is not None]
        if not briefings:
            raise _nothing_briefed(items)
        # From the cache when this day's briefings were summarised before (another output
        # file or format, a rerun): no model request.
        summary = executive_summary(briefings, summariser, settings, cache)

    failed = [i for i in items if i.status == "failed"]
    sources = [_status(i) for i in items]
    digest = Digest(
        title=f"Daily briefing — {_long_date(day)}",
        day=day.isoformat(),
        executive_summary=summary.points,
        briefings=briefings,
        sources=sources,
        provenance=DigestProvenance(
            summariser=summariser.name,  # type: ignore[arg-type]
            model=summary.meta.model,
            base_url=summary.meta.base_url,
            prompt=summary.meta.prompt,
            generated_at=datetime.now(UTC),
            usage=summary.meta.usage,
            duration_ms=int((time.monotonic() - started) * 1000),
            cache_hits=hits,
            model_requests=requests,
            tool_version=__version__,
        ),
    )
    exit_code = EXIT_PARTIAL if failed else EXIT_OK
    notice = unsupported_notice(briefings, fmt)
    # What the file would say, without when or how fast it was made: equal on a rerun of an
    # unchanged day. The state file beside the output remembers it, with the hash of the file
    # written: an unchanged day whose file is still the one we wrote is not rewritten.
    inputs = _fingerprint(fmt, settings, digest, cache_key("digest", summariser))
    state_path = path.parent / f".{path.name}.state.json"
    state = _read_state(state_path)
    unchanged = state is not None and state.inputs == inputs and _sha256_of(path) == state.output
    if unchanged and not options.force:
        log.info("unchanged: %s already holds this digest (use --force to rewrite)", path)
        return DailyResult(path, digest, written=False, exit_code=exit_code, notice=notice)
    data = _render(digest, fmt, settings)
    atomic_write(path, data)
    _write_state(state_path, _State(inputs=inputs, output=hashlib.sha256(data).hexdigest()))
    return DailyResult(path, digest, written=True, exit_code=exit_code, notice=notice)


def _nothing_briefed(items: list[_Item]) -> NothingBriefedError:
    """The error of a day with no briefing: its exit code says whether the model is the cause
    (4: every source failed on it) or its endpoint is down (75: every source could not
    connect), else 1 (sources missing, unreadable or of mixed faults)."""
    failed = [i for i in items if i.status == "failed"]
    first = failed[0].reason if failed else "no articles"
    where = f"(first: {failed[0].location if failed else '-'}: {first})"
    kinds = {_failure_kind(i.error) for i in failed}
    if failed and kinds == {"temporary"}:
        return EndpointDownError(
            f"nothing was summarised: the model was unavailable for {len(failed)} of "
            f"{len(items)} sources {where}; no digest written, try again later"
        )
    if failed and kinds <= {"model", "temporary"}:
        return ModelUnusableError(
            f"nothing was summarised: {len(failed)} of {len(items)} sources failed on the "
            f"model {where}; no digest written"
        )
    return NothingBriefedError(
        f"nothing was summarised: {len(failed)} of {len(items)} sources failed {where}; "
        "no digest written"
    )


def _failure_kind(error: BriefingError | None) -> str:
    """How a source failed: "temporary" (the endpoint refused or dropped the connection, or
    the summariser said so with a TemporaryError: rate limited past the deadline), "model"
    (any other model or API failure) or "other" (reading, fetching, --strict, a bug)."""
    if isinstance(error, TemporaryError | EndpointUnreachable):
        return "temporary"
    if not isinstance(error, ModelError):
        return "other"
    # A timeout is a model failure (exit 4, as for `build`): the endpoint took connections
    # but did not answer in time.
    return "model"


def _render(digest: Digest, fmt: str, settings: Settings) -> bytes:
    if fmt == "json":
        return (digest.model_dump_json(indent=2) + "\n").encode("utf-8")
    from briefing import render
    from briefing.pipeline import html_options, pdf_options

    try:
        html = render.render_digest_html(digest, **html_options(settings))
        if fmt == "html":
            return html.encode("utf-8")
        return render.render_digest_pdf(html, digest, **pdf_options(settings))
    except ValueError as exc:  # an option the renderer refuses (marking, PDF variant, ...)
        raise ConfigError(str(exc)) from None


def _fingerprint(fmt: str, settings: Settings, digest: Digest, summariser_key: str) -> str:
    """What goes into the digest's file, without when or how fast it was made: the briefings,
    the sources' fates, the executive summary, the format and the rendering options."""
    data = {
        "fmt": fmt,
        "tool": __version__,
        "summariser": summariser_key,
        # A rerun with another marking, style or template is another PDF or HTML file.
        "render": None
        if fmt == "json"
        else {
            "evidence": settings.evidence,
            "style": settings.style,
            "marking": settings.marking,
            "pdf_variant": settings.pdf_variant,
            "template_dir": str(settings.template_dir) if settings.template_dir else None,
        },
        "briefings": [
            b.model_dump(mode="json", exclude={"provenance": {"generated_at", "duration_ms"}})
            for b in digest.briefings
        ],
        "sources": [
            s.model_dump(mode="json", exclude={"ms"})
            | {"status": "ok" if s.status == "cached" else s.status}
            for s in digest.sources
        ],
        "summary": [p.model_dump(mode="json") for p in digest.executive_summary],
        "summary_prompt": digest.provenance.prompt.model_dump()
        if digest.provenance.prompt
        else None,
    }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _State(BaseModel):
    """Beside each digest (hidden file): what it was made from and the hash of the file.

    Why it stays when the executive summary moved to the cache: a digest's file is never
    the same twice byte for byte (its provenance says when it was made and how long it
    took), so re-rendering cannot tell whether the file already holds this day's digest.
    Only what that needs is kept: the inputs' fingerprint, and the output's sha256 (a file
    edited or replaced since is rewritten). The summary itself is in the cache; a state file
    of an older version (with the summary in it) does not validate, so that day is rewritten
    once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    inputs: str
    output: str


def _read_state(path: Path) -> _State | None:
    try:
        return _State.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # ValidationError is a ValueError
        return None  # missing or unreadable: the digest is simply written afresh


def _write_state(path: Path, state: _State) -> None:
    try:
        atomic_write(path, state.model_dump_json().encode("utf-8"))
    except BriefingError as exc:  # only an optimisation: the digest itself is written
        log.warning("cannot save the digest state %s: %s", path, exc.message)


def _sha256_of(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read (missing: not unchanged)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _status(item: _Item) -> SourceStatus:
    title = item.briefing.title if item.briefing else (item.article.title if item.article else None)
    return SourceStatus(
        location=item.location,
        kind=item.kind,
        via=item.via,
        status=item.status if item.status != "pending" else "failed",  # type: ignore[arg-type]
        reason=item.reason,
        title=title,
        ms=item.ms,
    )


def _pending(items: list[_Item]) -> list[_Item]:
    return [i for i in items if i.status == "pending"]


class _Reporter:
    """Thread-safe progress: one log line per source and stage, plus the CLI's callback."""

    def __init__(self, total: int, callback: Callable[[Progress], None] | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self._lock = threading.Lock()

    def report(self, item: _Item, stage: str) -> None:
        """Called once per source, when it is done (briefed, cached, failed or a duplicate)."""
        with self._lock:
            self.done += 1
            outcome = item.status
            if item.reason:
                outcome += f": {item.reason}"
            level = logging.WARNING if item.status == "failed" else logging.INFO
            log.log(level, "%s | %s | %s | %d ms", item.location, stage, outcome, item.ms)
            if self.callback:
                self.callback(
                    Progress(item.location, stage, outcome, item.ms, self.done, self.total)
                )


def _gather(options: DailyOptions, policy: object) -> list[_Item]:
    """Every source named, in a stable order; feeds expanded into their items."""
    from briefing.sources.feeds import read_feed

    items: list[_Item] = []
    for spec in options.sources:
        items.extend(_expand(spec))
    if options.from_dir is not None:
        items.extend(_expand(str(options.from_dir), require_dir=True))
    if options.urls_file is not None:
        items.extend(_url_item(u) for u in _read_url_list(options.urls_file))
    for feed in options.feeds:
        start = time.monotonic()
        try:
            entries = read_feed(feed, policy, options.max_items)  # type: ignore[arg-type]
        except BriefingError as exc:
            ms = int((time.monotonic() - start) * 1000)
            items.append(_Item(feed, "feed", status="failed", reason=exc.message, ms=ms))
            log.warning("%s | feed | failed: %s | %d ms", feed, exc.message, ms)
            continue
        log.info(
            "%s | feed | %d items | %d ms",
            feed,
            len(entries),
            int((time.monotonic() - start) * 1000),
        )
        items.extend(_Item(e.link, "feed", via=feed) for e in entries)
    return items


def _expand(spec: str, require_dir: bool = False) -> list[_Item]:
    if spec.startswith(("http://", "https://")):
        return [_url_item(spec)]
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if _is_article_file(p))
        return [_Item(str(p), "file") for p in files]
    if require_dir:
        raise ConfigError(f"--from-dir {spec}: not a folder")
    return [_Item(spec, "file")]


def _url_item(url: str) -> _Item:
    return _Item(url, "url")


def _read_url_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the URL list {path}: {exc}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _load(item: _Item, policy: object, reporter: _Reporter) -> None:
    from briefing.sources.fetch import fetch_article
    from briefing.sources.files import read_source

    start = time.monotonic()
    try:
        if item.kind == "file":
            item.article = read_source(item.location)
        else:
            article = fetch_article(item.location, policy)  # type: ignore[arg-type]
            if item.kind == "feed":
                source = article.source.model_copy(update={"kind": "feed"})
                article = article.model_copy(update={"source": source})
            item.article = article
    except BriefingError as exc:
        item.status, item.reason = "failed", exc.message
    except Exception as exc:  # never let one source break the run
        item.status, item.reason = "failed", f"internal error: {type(exc).__name__}: {exc}"
    item.ms = int((time.monotonic() - start) * 1000)
    if item.status == "failed":
        reporter.report(item, "fetch" if item.kind != "file" else "read")


def _normal_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def _dedupe_urls(items: list[_Item]) -> None:
    """The same URL (from two feeds, or a feed and the URL list) is fetched once."""
    seen: dict[str, str] = {}
    for item in _pending(items):
        if item.kind == "file":
            continue
        key = _normal_url(item.location)
        if key in seen:
            item.status, item.reason = "duplicate", f"same URL as {seen[key]}"
        else:
            seen[key] = item.location


def _dedupe_texts(items: list[_Item]) -> list[_Item]:
    """The same text under two names is briefed once; returns the duplicates found."""
    seen: dict[str, str] = {}
    duplicates = []
    for item in _pending(items):
        assert item.article is not None
        sha = item.article.source.sha256
        if sha in seen:
            item.status, item.reason = "duplicate", f"same text as {seen[sha]}"
            duplicates.append(item)
        else:
            seen[sha] = item.location
    return duplicates


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # not locale-dependent
