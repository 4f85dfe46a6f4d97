"""When to retry a model request, and how long to wait first.

The SDK's own retries each get the full request timeout, so they can overrun an article's
deadline many times over; ``openai.py`` turns them off (``max_retries=0``) and retries here
instead, with the SDK's rules: connection errors, timeouts, 408, 409, 429 and 5xx are retried
unless the server says ``x-should-retry: false`` (``true`` makes anything retryable); a
server-directed wait (``retry-after-ms``, ``Retry-After`` in seconds or as an HTTP date) is
honoured, otherwise an exponential backoff with jitter. The caller owns the deadline: it
never starts a wait that would end past it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

INITIAL_DELAY = 0.5  # seconds before the first retry; doubled for each next one
MAX_DELAY = 8.0
_RETRY_STATUSES = frozenset({408, 409, 429})


def should_retry(status: int | None, headers: Mapping[str, str] | None) -> bool:
    """Whether a failed request is worth sending again; ``status`` None: no HTTP answer
    (cannot connect, timed out)."""
    if status is None:
        return True
    verdict = (headers or {}).get("x-should-retry")
    if verdict in ("true", "false"):  # the server knows best
        return verdict == "true"
    return status in _RETRY_STATUSES or status >= 500


def retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait (``inf`` for an unbounded wait); None when it does
    not say or says something unreadable."""
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue
        return None if math.isnan(seconds) else max(0.0, seconds)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(retry: int, rand: float | None = None) -> float:
    """The wait before retry number ``retry`` (0 for the first): 0.5 s doubling up to 8 s,
    less up to 25 % jitter so parallel requests do not retry in step."""
    delay = min(INITIAL_DELAY * 2.0 ** min(retry, 30), MAX_DELAY)
    return delay * (1 - 0.25 * (random.random() if rand is None else rand))
