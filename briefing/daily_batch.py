"""``briefing daily --batch``: the day's briefing requests as one OpenAI Batch job.

The first run submits the requests of the articles not in the cache as one batch (the Batch
API's 24-hour window, half the price), records it in the cache file
(``briefing.cache.batches``) and stops with exit 75 (try again later), writing nothing. The
next run for the same output (the same series: the next morning's too) finds the recorded
batch: while it runs, exit 75 again
(no second submission); once it is finished (completed, failed, expired or cancelled) its
answers are judged and cached exactly as direct answers are (``summarisers/openai/batch.py``)
and the digest is written, every article the batch did not answer (failed lines, expired or
cancelled ones, a failed batch, an article too long for one request, an article new since
the batch was submitted) briefed directly as without --batch. ``--batch-wait SECONDS`` polls
the batch every :data:`POLL_SECONDS` instead of exiting, up to that long.

A run killed between recording the job and recording the batch's id (or in any later step)
is resumed by the next: see ``briefing.cache.batches``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import BriefingError, ConfigError, TemporaryError
from briefing.model import Article, Briefing

if TYPE_CHECKING:
    from briefing.cache import ResultCache
    from briefing.daily import DailyOptions
    from briefing.summarisers import Summariser
    from briefing.summarisers.openai.batch import BatchClient, BatchLine, BatchState
    from briefing.summarisers.openai.summariser import OpenAISummariser

__all__ = ["POLL_SECONDS", "BatchPendingError", "collect_batch", "run_identity"]

log = logging.getLogger("briefing.daily")

POLL_SECONDS = 60.0  # between two looks at a running batch under --batch-wait

Outcome = Briefing | BriefingError  # an answer of the batch, judged: a briefing or why not


class BatchPendingError(TemporaryError):
    """The day's batch is still running: nothing written, run again later (exit 75)."""


def run_identity(path: Path, day: date, summariser: Summariser) -> str:
    """Which runs a batch serves: those of the output's series (its path, the day's date in
    its file name standing for any date, as for the stories' memory) with everything that
    keys a briefing but the article (the summariser's configuration, as the cache keys it).
    Not the day itself: the morning's run collects the batch the evening's run submitted."""
    from briefing.cache import cache_key
    from briefing.stories.memory import series_of

    fields = {"series": series_of(path, day), "config": cache_key("batch", summariser)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def collect_batch(
    summariser: Summariser,
    articles: Sequence[Article],
    cache: ResultCache,
    options: DailyOptions,
    path: Path,
    day: date,
) -> dict[str, Outcome]:
    """The day's batch answers by article sha256 (each cached already), once the batch is
    finished; submits it first when the day has none. Raises BatchPendingError while it runs
    (after polling up to ``options.batch_wait`` seconds). Articles missing from the result
    are the caller's to brief directly."""
    from briefing.cache import cache_key, cache_path
    from briefing.cache.batches import BatchStore
    from briefing.summarisers.openai import OpenAISummariser
    from briefing.summarisers.openai.batch import BatchClient, BatchGoneError

    if not isinstance(summariser, OpenAISummariser):
        raise ConfigError(
            f"--batch needs the openai summariser (the Batch API), not {summariser.name}: "
            "set OPENAI_API_KEY or --summariser openai"
        )
    run = run_identity(path, day, summariser)
    by_sha = {a.source.sha256: a for a in articles}
    wait, workers = options.batch_wait, options.concurrency
    with BatchStore(cache_path(options.cache_dir)) as store:
        job = store.open_job(run)
        client = BatchClient(summariser)
        if job is None:
            todo = [
                a for a in articles if cache.get(cache_key(a.source.sha256, summariser)) is None
            ]
            lines = _lines(summariser, todo)
            if not lines:
                return {}  # everything cached, or too long for one request: all direct
            text = "".join(line.model_dump_json() + "\n" for line in lines)
            key = hashlib.sha256(f"{run}\n{text}".encode()).hexdigest()
            job = store.begin(key, run, text)  # before any request: see briefing.cache.batches
            state = client.submit(lines, key)
            store.submitted(key, state.id)
            log.debug("submitted batch %s: %d briefing requests", state.id, len(lines))
        elif job.batch_id is None:  # killed between recording the job and its batch's id
            since = int(job.created_at.timestamp()) - 3600
            found = client.find(job.key, since)
            lines = _parse(job.lines)
            state = found if found is not None else client.submit(lines, job.key)
            store.submitted(job.key, state.id)
            log.debug("%s batch %s", "found" if found else "submitted", state.id)
        else:
            try:
                state = client.retrieve(job.batch_id)
            except BatchGoneError as exc:  # never to be answered: brief its articles directly
                log.warning("%s; briefing its articles directly", exc.message)
                store.collected(job.key)
                return {}
        state = _wait(client, state, len(_parse(job.lines)), wait)
        outcomes = _judge(summariser, client, state, _parse(job.lines), by_sha, workers)
        for sha, outcome in outcomes.items():
            if isinstance(outcome, Briefing):
                cache.put(cache_key(sha, summariser), outcome)
        store.collected(job.key)  # its answers are cached: a rerun needs it no more
    return outcomes


def _lines(summariser: OpenAISummariser, articles: Sequence[Article]) -> list[BatchLine]:
    """The batch's lines: one per article that fits one request, as many as one batch file
    may hold (the rest are briefed directly, and the log says how many)."""
    from briefing.summarisers.openai import batch

    lines: list[BatchLine] = []
    size = over = 0
    for article in articles:
        line = batch.batch_line(summariser, article)
        if line is None:
            log.debug("%s: too long for one request, briefed directly", article.title)
            continue
        length = len(line.model_dump_json().encode("utf-8")) + 1
        if len(lines) >= batch.MAX_BATCH_REQUESTS or size + length > batch.MAX_BATCH_BYTES:
            over += 1
            continue
        lines.append(line)
        size += length
    if over:  # debug: a run that exits 75 says one line (the README documents the limits)
        log.debug(
            "%d articles more than one batch holds (%d requests, %d MB): briefed directly",
            over, batch.MAX_BATCH_REQUESTS, batch.MAX_BATCH_BYTES // 2**20,
        )  # fmt: skip
    return lines


def _parse(text: str) -> list[BatchLine]:
    from briefing.summarisers.openai.batch import BatchLine

    return [BatchLine.model_validate_json(line) for line in text.splitlines() if line.strip()]


def _wait(client: BatchClient, state: BatchState, n: int, wait: float | None) -> BatchState:
    """``state`` once finished, polling every POLL_SECONDS for up to ``wait`` seconds."""
    from briefing.summarisers.openai.batch import when

    end = time.monotonic() + (wait or 0.0)
    while not state.finished:
        if wait is None or time.monotonic() + POLL_SECONDS > end:
            expires = f"by {when(state.expires_at)}" if state.expires_at else "within 24 h"
            raise BatchPendingError(
                f"batch {state.id} is {state.status} ({state.completed} of {n} briefing "
                f"requests done, submitted {when(state.created_at)}): nothing written; run "
                f"the same command again once it has finished ({expires}), or wait for it "
                "with --batch-wait SECONDS"
            )
        time.sleep(POLL_SECONDS)
        state = client.retrieve(state.id)
    return state


def _judge(
    summariser: OpenAISummariser,
    client: BatchClient,
    state: BatchState,
    lines: list[BatchLine],
    by_sha: dict[str, Article],
    workers: int,
) -> dict[str, Outcome]:
    """Each answered line of a finished batch, judged as a direct answer would be."""
    from briefing.summarisers.openai.batch import brief_answer

    if state.status == "failed":
        why = "; ".join(state.errors[:3]) or "no reason given"
        log.warning("batch %s failed (%s): briefing its articles directly", state.id, why)
        return {}
    results = client.results(state)
    todo = [(line, results[line.custom_id]) for line in lines if line.custom_id in results]
    answered = [(line, result) for line, result in todo if result.answered]
    missing = len(lines) - len(answered)
    if missing:
        log.warning(
            "batch %s %s: %d of %d requests unanswered, briefed directly",
            state.id,
            state.status,
            missing,
            len(lines),
        )

    def judge(line: BatchLine, result: object) -> tuple[str, Outcome]:
        from briefing.summarisers.openai.batch import OutputLine

        article = by_sha.get(line.custom_id)
        assert isinstance(result, OutputLine)
        if article is None:  # no longer among the day's sources: nothing to brief
            return line.custom_id, BriefingError("not among today's sources")
        try:
            return line.custom_id, brief_answer(summariser, article, line, result)
        except BriefingError as exc:
            return line.custom_id, exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        judged = list(pool.map(lambda pair: judge(*pair), answered))
    return {sha: outcome for sha, outcome in judged if sha in by_sha}
