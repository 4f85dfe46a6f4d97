"""Build one digest from many sources: gather, fetch, dedupe, summarise (bounded concurrency,
cache), check, summarise the day, render, write under a lock. Built for cron at 05:30.

Partial failure is normal at night: a source that fails becomes a line in the appendix with its
reason, and the run exits 3. Only when nothing at all was summarised is there no digest, so
yesterday's file stays untouched; the exit code then says why: 4 when every source failed on the
model (bad key, wrong model: no rerun will help until the setting is fixed), 75 when the model
was unavailable for every source (connections refused: retry later), else 1.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

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
from briefing.output import (
    atomic_write,
    choose_format,
    digest_file_name,
    output_path,
    run_lock,
)
from briefing.pipeline import without_credentials
from briefing.version import __version__

if TYPE_CHECKING:
    from briefing.sources import FetchPolicy

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
    batch: bool = False  # the day's requests as one OpenAI Batch job (daily_batch.py)
    batch_wait: float | None = None  # with batch: seconds to poll it before exit 75
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

    location: str  # as given: a URL keeps its user:password@ to be fetched with
    kind: SourceKind
    via: str | None = None
    article: Article | None = None
    briefing: Briefing | None = None
    status: str = "pending"
    reason: str | None = None
    error: BriefingError | None = None  # why it failed, for the exit code of an empty day
    ms: int = 0


def run_daily(
    options: DailyOptions, progress: Callable[[Progress], None] | None = None
) -> DailyResult:
    fmt = choose_format(options.fmt, options.output)
    day = options.day or date.today()
    path = output_path(options.output, digest_file_name(day, fmt))
    with run_lock(path):
        return _run(options, path, fmt, day, progress)


def _run(
    options: DailyOptions,
    path: Path,
    fmt: str,
    day: date,
    progress: Callable[[Progress], None] | None,
) -> DailyResult:
    from briefing.cache import cache_key, open_cache, parts_dir
    from briefing.checks.apply import checked, unsupported_notice
    from briefing.daily_batch import collect_batch
    from briefing.daily_state import fingerprint, remember, unchanged
    from briefing.digest import executive_summary
    from briefing.history import current_run
    from briefing.pipeline import announce, render_document
    from briefing.render import long_date
    from briefing.sources import FetchPolicy
    from briefing.spending import day_spending
    from briefing.stories import make_stories
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
        # --batch: the answers of the day's Batch API job, by sha256 (daily_batch.py)
        articles = [i.article for i in _pending(items) if i.article is not None]
        batched = (
            collect_batch(summariser, articles, cache, options, path, day) if options.batch else {}
        )

        def summarise(item: _Item) -> None:
            nonlocal hits, requests
            assert item.article is not None
            start = time.monotonic()
            key = cache_key(item.article.source.sha256, summariser)
            try:
                # The cache holds what the summariser wrote; checks run on every use, so
                # --strict and newer check rules apply to cached results too.
                raw = batched.pop(item.article.source.sha256, None)
                if isinstance(raw, BriefingError):  # the batch's answer was unusable
                    raise raw
                if raw is not None:
                    item.status = "ok"  # made now, by the day's batch (cached already)
                    with counter_lock:
                        requests += 1
                elif (raw := cache.get(key)) is not None:
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
        briefed = [(i.article, i.briefing) for i in items if i.article and i.briefing]
        told = make_stories(briefed, summariser, cache, settings, options.cache_dir, path, day)
        # The summary of the day's stories (its points cite story numbers): from the cache
        # when they were summarised before (another output file or format, a rerun).
        summary = executive_summary([s.briefing for s in told.stories], summariser, settings, cache)

    failed = [i for i in items if i.status == "failed"]
    sources = [_status(i) for i in items]
    current_run().add_day(sources, [i.briefing for i in items], summary)  # CLI history
    made = [(i.status, i.briefing) for i in items if i.briefing is not None]
    run_usage, cost = day_spending(made + told.made, summary, settings.prices)
    digest = Digest(
        title=f"Daily briefing — {long_date(day)}",  # English month names, not the locale's
        day=day.isoformat(),
        executive_summary=summary.points,
        briefings=briefings,
        sources=sources,
        stories=told.stories,
        dropped=told.dropped,
        previous_day=told.previous_day,
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
            run_usage=run_usage,
            cost=cost,
            tool_version=__version__,
        ),
    )
    exit_code = EXIT_PARTIAL if failed else EXIT_OK
    current_run().set_output(path)  # written now, or unchanged and kept
    # What the document shows: the stories' briefings (a merged story has items of its own).
    notice = unsupported_notice([s.briefing for s in digest.stories] or briefings, fmt)
    # What the file would say, without when or how fast it was made: equal on a rerun of an
    # unchanged day. The state file beside the output remembers it, with the hash of the file
    # written: an unchanged day whose file is still the one we wrote is not rewritten.
    inputs = fingerprint(fmt, settings, digest, cache_key("digest", summariser))
    if unchanged(path, inputs) and not options.force:
        log.info("unchanged: %s already holds this digest (use --force to rewrite)", path)
        told.remember()  # a rerun's record replaces the day's
        return DailyResult(path, digest, written=False, exit_code=exit_code, notice=notice)
    parts = parts_dir(options.cache_dir) if options.use_cache else None
    data = render_document(digest, fmt, settings, parts_dir=parts)  # parts: a rerun resumes
    atomic_write(path, data)
    remember(path, inputs, data)
    told.remember()  # once written: tomorrow's digest compares with what this one says
    return DailyResult(path, digest, written=True, exit_code=exit_code, notice=notice)


def _nothing_briefed(items: list[_Item]) -> NothingBriefedError:
    """The error of a day with no briefing: its exit code says whether the model is the cause
    (4: every source failed on it) or its endpoint is down (75: every source could not
    connect), else 1 (sources missing, unreadable or of mixed faults)."""
    failed = [i for i in items if i.status == "failed"]
    first = failed[0].reason if failed else "no articles"
    where = _shown(f"(first: {failed[0].location if failed else '-'}: {first})")
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


def _shown(text: str) -> str:
    """What may be logged or written of a location or a reason: no credentials."""
    return without_credentials(text)


def _status(item: _Item) -> SourceStatus:
    title = item.briefing.title if item.briefing else (item.article.title if item.article else None)
    return SourceStatus(
        location=_shown(item.location),
        kind=item.kind,
        via=_shown(item.via) if item.via else None,
        status=item.status if item.status != "pending" else "failed",  # type: ignore[arg-type]
        reason=_shown(item.reason) if item.reason else None,
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
                outcome += f": {_shown(item.reason)}"
            level = logging.WARNING if item.status == "failed" else logging.INFO
            where = _shown(item.location)
            log.log(level, "%s | %s | %s | %d ms", where, stage, outcome, item.ms)
            if self.callback:
                self.callback(Progress(where, stage, outcome, item.ms, self.done, self.total))


def _gather(options: DailyOptions, policy: FetchPolicy) -> list[_Item]:
    """Every source named, in a stable order; feeds expanded into their items."""
    from briefing.sources import read_feed

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
            entries = read_feed(feed, policy, options.max_items)
        except BriefingError as exc:
            ms = int((time.monotonic() - start) * 1000)
            items.append(_Item(feed, "feed", status="failed", reason=exc.message, ms=ms))
            log.warning("%s | feed | failed: %s | %d ms", _shown(feed), _shown(exc.message), ms)
            continue
        log.info(
            "%s | feed | %d items | %d ms",
            _shown(feed),
            len(entries),
            int((time.monotonic() - start) * 1000),
        )
        items.extend(_Item(e.link, "feed", via=feed) for e in entries)
    return items


def _expand(spec: str, require_dir: bool = False) -> list[_Item]:
    from briefing.pipeline import is_url

    if is_url(spec):
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


def _load(item: _Item, policy: FetchPolicy, reporter: _Reporter) -> None:
    from briefing.pipeline import read_url
    from briefing.sources import read_source

    start = time.monotonic()
    try:
        # By the kind given when gathered, never by the look of the name: a feed's link is
        # fetched (or refused) as a URL, never opened as a local file.
        if item.kind == "file":
            item.article = read_source(item.location)
        else:
            article = read_url(item.location, policy)
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
