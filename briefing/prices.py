"""What model tokens cost: a small, dated price table and the cost of a run's tokens.

Prices are US dollars per million tokens: input, cached input (prompt tokens the provider
served from its prompt cache, billed lower) and output, plus the Batch API's discount. The
table shipped here is OpenAI's published list as of :data:`PRICES_DATE`, which every cost
shown names, so a stale table is visible as such. The config file's ``[prices]`` table adds
models or overrides ours by name (``Settings.prices``)::

    [prices."gpt-5-mini"]
    input = 0.25
    cached_input = 0.025
    output = 2.0

A model is priced by its exact name, else as the model a dated snapshot belongs to
(``gpt-4.1-mini-2025-04-14`` is ``gpt-4.1-mini``). Any other model's cost is unknown, never
guessed: a local model, an Azure deployment name or a gateway alias shows its tokens and
"cost unknown" until the config file gives it a price (0 for a free local model).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from briefing.model import Cost, Usage

__all__ = [
    "DEFAULT_PRICES",
    "NO_TOKENS",
    "PRICES_DATE",
    "Price",
    "cost_of",
    "cost_text",
    "find_price",
    "format_usd",
    "snapshot_base",
    "tokens_text",
    "total_cost",
    "total_usage",
]

# The day the shipped table was taken from https://openai.com/api/pricing (standard tier).
PRICES_DATE = "2025-08-07"
SHIPPED = f"briefing's prices of {PRICES_DATE}"
CONFIGURED = "prices from the config file"
NO_TOKENS = "no tokens"  # the basis of a cost of nothing: no token needed a price


class Price(BaseModel):
    """One model's price, in US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)  # None: billed as input
    output: float = Field(ge=0)
    # Fraction off with the Batch API: applied to the tokens of requests answered through
    # it (``daily --batch``: ``Usage.batch``), see :func:`cost_of`.
    batch: float = Field(default=0.5, ge=0, le=1)


def _p(input: float, cached_input: float | None, output: float) -> Price:
    return Price(input=input, cached_input=cached_input, output=output)


DEFAULT_PRICES: Mapping[str, Price] = MappingProxyType(
    {
        "gpt-5": _p(1.25, 0.125, 10.00),
        "gpt-5-chat-latest": _p(1.25, 0.125, 10.00),
        "gpt-5-mini": _p(0.25, 0.025, 2.00),
        "gpt-5-nano": _p(0.05, 0.005, 0.40),
        "gpt-4.1": _p(2.00, 0.50, 8.00),
        "gpt-4.1-mini": _p(0.40, 0.10, 1.60),
        "gpt-4.1-nano": _p(0.10, 0.025, 0.40),
        "gpt-4o": _p(2.50, 1.25, 10.00),
        # The first gpt-4o snapshot kept its launch price: exact names win over snapshots.
        "gpt-4o-2024-05-13": _p(5.00, None, 15.00),
        "gpt-4o-mini": _p(0.15, 0.075, 0.60),
        "o4-mini": _p(1.10, 0.275, 4.40),
        "o3": _p(2.00, 0.50, 8.00),
        "o3-mini": _p(1.10, 0.55, 4.40),
    }
)

_SNAPSHOT = re.compile(r"^(?P<base>.+)-\d{4}-\d{2}-\d{2}$")


def snapshot_base(model: str) -> str | None:
    """The model a dated snapshot belongs to (``o3-2025-04-16`` -> ``o3``), else None."""
    match = _SNAPSHOT.match(model)
    return match.group("base") if match else None


def find_price(
    model: str, overrides: Mapping[str, Price] | None = None
) -> tuple[Price, str] | None:
    """The price of ``model`` and where it comes from (the config file's, else ours), by
    exact name first, then as its snapshot's model; None when neither table has it."""
    names = [model]
    base = snapshot_base(model)
    if base:
        names.append(base)
    for name in names:
        if overrides and name in overrides:
            return overrides[name], CONFIGURED
        if name in DEFAULT_PRICES:
            return DEFAULT_PRICES[name], SHIPPED
    return None


def _tokens(usage: Usage) -> int:
    return usage.prompt_tokens + usage.completion_tokens


def cost_of(
    model: str | None, usage: Usage, overrides: Mapping[str, Price] | None = None
) -> Cost | None:
    """What ``usage`` of ``model`` cost; None without a model, or for tokens of a model no
    table prices (unknown, not guessed). No tokens cost nothing, whatever the model.

    The rule for the Batch API: the part of ``usage`` answered through it (``usage.batch``)
    costs ``1 - price.batch`` of its listed price (half, by default); the rest, repair
    requests sent directly included, costs the listed price."""
    if model is None:
        return None
    if _tokens(usage) == 0:
        return Cost(usd=0.0, basis=NO_TOKENS)
    found = find_price(model, overrides)
    if found is None:
        return None
    price, basis = found
    usd = _listed_usd(usage, price)
    if usage.batch is not None:
        usd -= price.batch * _listed_usd(usage.batch, price)
    return Cost(usd=round(usd, 10), basis=basis)  # rounded: no 4.2500000000000003e-05


def _listed_usd(usage: Usage, price: Price) -> float:
    """``usage`` at the listed (standard) price, in dollars."""
    cached = min(usage.cached_tokens or 0, usage.prompt_tokens)
    cached_rate = price.input if price.cached_input is None else price.cached_input
    return (
        (usage.prompt_tokens - cached) * price.input
        + cached * cached_rate
        + usage.completion_tokens * price.output
    ) / 1_000_000


def total_cost(
    parts: Iterable[tuple[str | None, Usage]], overrides: Mapping[str, Price] | None = None
) -> Cost | None:
    """The cost of several (model, usage) parts: None when none had a model, or when any
    part's cost is unknown (a sum missing a part would be a guess)."""
    costs = [cost_of(model, usage, overrides) for model, usage in parts if model is not None]
    if not costs or any(c is None for c in costs):
        return None
    known = [c for c in costs if c is not None]
    bases = list(dict.fromkeys(c.basis for c in known if c.basis != NO_TOKENS))
    return Cost(
        usd=round(math.fsum(c.usd for c in known), 10), basis=" and ".join(bases) or NO_TOKENS
    )


def total_usage(usages: Iterable[Usage]) -> Usage:
    """The sum of ``usages``; cached tokens are None unless some part reported them, and so
    is the batch part (``Usage.batch``) unless some part had one."""
    prompt = completion = 0
    cached: int | None = None
    batches: list[Usage] = []
    for usage in usages:
        prompt += usage.prompt_tokens
        completion += usage.completion_tokens
        if usage.cached_tokens is not None:
            cached = (cached or 0) + usage.cached_tokens
        if usage.batch is not None:
            batches.append(usage.batch)
    batch = total_usage(batches) if batches else None
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, cached_tokens=cached, batch=batch
    )


def format_usd(usd: float) -> str:
    """Dollars, to three significant digits below a dollar, cents above: $0.0000425,
    $0.0123, $0.50, $1.23, $1,234.50."""
    if usd == 0:
        return "$0"
    decimals = max(2, 2 - math.floor(math.log10(abs(usd))))
    whole, _, fraction = f"{usd:,.{decimals}f}".partition(".")
    return f"${whole}.{fraction[:2]}{fraction[2:].rstrip('0')}"


def tokens_text(usage: Usage) -> str:
    """``1,234 tokens in (200 cached), 456 out``: cached only where the API reported them."""
    cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens is not None else ""
    text = f"{usage.prompt_tokens:,} tokens in{cached}, {usage.completion_tokens:,} out"
    if usage.batch is not None:  # billed at the batch discount: say how much of it
        b = usage.batch
        text += f" ({b.prompt_tokens:,} in and {b.completion_tokens:,} out by batch)"
    return text


def cost_text(cost: Cost | None, model: str | None) -> str:
    """``cost $0.0012 (briefing's prices of 2025-08-07)``, ``cost unknown (…)`` or ``cost $0``."""
    if cost is None:
        if model is None:
            return "no model, no cost"
        return f"cost unknown (no price for {model}: give it one under [prices] in the config file)"
    if cost.basis == NO_TOKENS:
        return f"cost {format_usd(cost.usd)}"
    return f"cost {format_usd(cost.usd)} ({cost.basis})"
