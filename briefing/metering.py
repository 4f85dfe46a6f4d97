"""Tokens of every model request a command-line run makes, whichever thread sends it.

A briefing's provenance counts the tokens of the requests that made it; a run also pays for
requests that made nothing (an answer refused, cut off or invalid, a failed day summary).
While :func:`metered` is active (the CLI's recorded runs, see ``briefing.history``), the
endpoint reports each answered request's usage here (:func:`meter_request`), so the run's
tokens and cost are what the provider bills. Outside it (the Python API, the preview
server) nothing is counted here.

One meter per process at a time, not per context: a daily run sends its requests from a
pool of worker threads, which a context variable would not reach.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from briefing.model import Usage
from briefing.prices import total_usage

__all__ = ["Meter", "meter_request", "metered"]


class Meter:
    """Usage summed per model (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_model: dict[str, Usage] = {}
        self.requests = 0

    def add(
        self, model: str, prompt: int, completion: int, cached: int | None, batch: bool = False
    ) -> None:
        used = Usage(prompt_tokens=prompt, completion_tokens=completion, cached_tokens=cached)
        if batch:  # answered through the Batch API: billed at its discount (prices.cost_of)
            used = used.model_copy(update={"batch": used})
        with self._lock:
            seen = self._by_model.get(model, Usage())
            self._by_model[model] = total_usage([seen, used])
            self.requests += 1

    def parts(self) -> list[tuple[str, Usage]]:
        """(model, usage) of every model asked, in the order first asked."""
        with self._lock:
            return list(self._by_model.items())


_lock = threading.Lock()
_active: Meter | None = None


@contextmanager
def metered() -> Iterator[Meter]:
    """Count every request reported until the block ends (the previous meter, if any, is
    restored then)."""
    global _active
    meter = Meter()
    with _lock:
        previous, _active = _active, meter
    try:
        yield meter
    finally:
        with _lock:
            _active = previous


def meter_request(
    model: str, prompt: int, completion: int, cached: int | None, *, batch: bool = False
) -> None:
    """Count one answered request (a no-op when no run is metered); ``batch``: answered
    through the Batch API."""
    with _lock:
        meter = _active
    if meter is not None:
        meter.add(model, prompt, completion, cached, batch)
