"""Map-reduce for articles longer than the model's input budget: never truncate, split.

*Map.* The article is cut into chunks (:func:`briefing.text.chunking.split_into_chunks`: whole
paragraphs, else sentences, else words, each chunk an exact substring of the article) and
each chunk is briefed on its own with the normal briefing prompt, its title marked
"(part i of n)". Up to :data:`MAX_WORKERS` requests run at once.

*Reduce.* The part drafts go, as JSON data, to the ``merge`` prompt, which returns one draft
for the whole article in the same strict schema, with evidence quotes copied from the part
drafts (so they stay verbatim in the article). When the drafts' JSON is over the merge
budget they are merged hierarchically: consecutive drafts are packed greedily into groups
within the budget, each group is merged, and the merges are merged again. A group holds at
least two drafts (even if two are over the budget, which can only happen when
``max_input_tokens`` is below twice ``max_tokens`` plus the merge prompt's overhead), so
every level at least halves the number of drafts and the depth is at most
``ceil(log2(chunks))``; with at most :data:`MAX_CHUNKS` chunks that is 8 levels.

Merge prompt templates receive ``drafts`` (the JSON: a list of drafts, each with a
``part`` label such as ``"3 of 7"`` or ``"1-3 of 7"``), ``parts`` (how many drafts),
``article_title`` and ``delimiter``; ``article_text`` holds the same JSON, so the random
delimiter is chosen to be absent from it.

A failure of any request fails the whole article at once: the first error is raised with
the part it concerns, no further request starts, and requests in flight are abandoned (the
worker threads are daemons, so neither a failure nor Ctrl-C waits for them).
The caller owns deadlines, repair requests and usage counting (see ``openai.py``).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefing.errors import BriefingError
from briefing.summarisers.openai.draft import Draft
from briefing.text.chunking import estimate_tokens

MAX_WORKERS = 4  # concurrent requests: polite to rate limits, 4x faster than one at a time
MAX_CHUNKS = 200  # beyond this the settings are wrong, not the article: fail before paying

BriefPart = Callable[[str, int, int], Draft]  # (chunk text, part number from 1, parts)
MergeParts = Callable[[str, int], Draft]  # (drafts JSON, number of drafts)


@dataclass(frozen=True)
class Part:
    """A draft covering parts ``first``..``last`` (1-based) of ``total``."""

    draft: Draft
    first: int
    last: int
    total: int

    @property
    def label(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first}-{self.last}"
        return f"{span} of {self.total}"

    def as_json(self) -> str:
        data = {"part": self.label, **self.draft.model_dump(mode="json")}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Result:
    draft: Draft
    chunks: int
    merges: int  # merge requests made (at least one)
    injection_suspected: bool  # reported by any part or merge


def drafts_json(parts: Sequence[Part]) -> str:
    """The data block of a merge request: a JSON list of labelled drafts, in article order."""
    return "[" + ",".join(p.as_json() for p in parts) + "]"


def map_reduce(
    chunks: Sequence[str],
    brief_part: BriefPart,
    merge_parts: MergeParts,
    merge_budget: int,
    *,
    workers: int = MAX_WORKERS,
) -> Result:
    """Brief each chunk, then merge the drafts (in levels if needed) into one draft."""
    n = len(chunks)
    if n < 2:
        raise ValueError("map-reduce needs at least two chunks")
    workers = max(1, min(workers, n))

    def part_job(i: int) -> Callable[[], Part]:
        def job() -> Part:
            draft = _labelled(lambda: brief_part(chunks[i - 1], i, n), f"briefing part {i} of {n}")
            return Part(draft, i, i, n)

        return job

    def merge_job(group: list[Part]) -> Callable[[], Part]:
        def job() -> Part:
            if len(group) == 1:  # a leftover single draft waits for the next level
                return group[0]
            first, last = group[0].first, group[-1].last
            draft = _labelled(
                lambda: merge_parts(drafts_json(group), len(group)),
                f"merging the drafts of parts {first}-{last} of {n}",
            )
            return Part(draft, first, last, n)

        return job

    parts = _gather([part_job(i) for i in range(1, n + 1)], workers)
    injection = any(p.draft.injection_suspected for p in parts)
    merges = 0
    while len(parts) > 1:
        groups = group_for_merge(parts, merge_budget)
        parts = _gather([merge_job(g) for g in groups], workers)
        merges += sum(1 for g in groups if len(g) > 1)
        injection = injection or any(p.draft.injection_suspected for p in parts)
    return Result(draft=parts[0].draft, chunks=n, merges=merges, injection_suspected=injection)


def group_for_merge(parts: Sequence[Part], budget: int) -> list[list[Part]]:
    """Consecutive parts packed greedily into groups whose drafts JSON fits ``budget``.

    Every group but possibly the last holds at least two parts, so a level of merges always
    reduces the number of drafts (a lone last part is carried to the next level unmerged).
    """
    groups: list[list[Part]] = []
    current: list[Part] = []
    cost = 2  # the list's brackets
    for part in parts:
        size = estimate_tokens(part.as_json()) + 1  # and a comma
        if current and len(current) >= 2 and cost + size > budget:
            groups.append(current)
            current, cost = [], 2
        current.append(part)
        cost += size
    if current:
        groups.append(current)
    return groups


def _labelled(call: Callable[[], Draft], where: str) -> Draft:
    """``call()``, with an error's message naming the part it concerns."""
    try:
        return call()
    except BriefingError as exc:
        raise type(exc)(f"{exc.message} ({where})") from None


def _gather(jobs: Sequence[Callable[[], Part]], workers: int) -> list[Part]:
    """Run ``jobs`` on up to ``workers`` threads: their results in order, or the first error.

    The threads are daemons and nobody waits for them after a failure (or Ctrl-C): the error
    is raised at once, no further job starts, and requests in flight are abandoned.
    """
    pending = iter(enumerate(jobs))
    lock = threading.Lock()
    stop = threading.Event()
    done: queue.SimpleQueue[tuple[int, Part | BaseException]] = queue.SimpleQueue()

    def work() -> None:
        while not stop.is_set():
            with lock:
                item = next(pending, None)
            if item is None:
                return
            index, job = item
            try:
                done.put((index, job()))
            except BaseException as exc:  # handed to the caller's thread
                done.put((index, exc))

    for _ in range(min(workers, len(jobs))):
        threading.Thread(target=work, name="briefing-part", daemon=True).start()
    results: dict[int, Part] = {}
    try:
        while len(results) < len(jobs):
            index, value = done.get()
            if isinstance(value, BaseException):
                raise value
            results[index] = value
    finally:
        stop.set()
    return [results[i] for i in range(len(jobs))]
