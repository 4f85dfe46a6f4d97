"""What a day's run spent on the model: the tokens and cost on the digest's cover and in its
JSON provenance (``run_usage``, ``cost``).

Only what this run asked for counts: briefings summarised now, and the executive summary when
the model wrote it now; those taken from the cache cost nothing today (their own provenance
still says what they cost when made).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from briefing.model import Briefing, Cost, Usage
from briefing.prices import Price, total_cost, total_usage

if TYPE_CHECKING:
    from briefing.digest import DaySummary

__all__ = ["day_spending"]


def day_spending(
    briefings: Sequence[tuple[str, Briefing]],
    summary: DaySummary,
    prices: Mapping[str, Price] | None = None,
) -> tuple[Usage, Cost | None]:
    """The tokens of a day's run and their cost, from its (status, briefing) pairs (status
    ``ok``: made now; ``cached``: from the cache) and its executive summary."""
    spent = [
        (b.provenance.model, b.provenance.usage if status == "ok" else Usage())
        for status, b in briefings
    ]
    if summary.origin in ("model", "cache"):
        usage = summary.meta.usage if summary.origin == "model" else Usage()
        spent.append((summary.meta.model, usage))
    return total_usage(u for _, u in spent), total_cost(spent, prices)
