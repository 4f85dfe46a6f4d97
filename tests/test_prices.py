"""The price table: matching model names, the cost arithmetic, the config file's [prices]."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import load_settings
from briefing.errors import ConfigError
from briefing.model import Usage
from briefing.prices import (
    DEFAULT_PRICES,
    PRICES_DATE,
    Price,
    cost_of,
    cost_text,
    find_price,
    format_usd,
    snapshot_base,
    tokens_text,
    total_cost,
    total_usage,
)

SHIPPED = f"briefing's prices of {PRICES_DATE}"


def test_the_table_states_its_date_and_prices_the_common_models() -> None:
    assert PRICES_DATE == "2025-08-07"
    wanted = {"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o"}
    wanted |= {"gpt-4o-mini", "o4-mini", "o3"}
    assert wanted <= set(DEFAULT_PRICES)
    mini = DEFAULT_PRICES["gpt-5-mini"]
    assert (mini.input, mini.cached_input, mini.output, mini.batch) == (0.25, 0.025, 2.0, 0.5)


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("gpt-5-mini", "gpt-5-mini"),
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),  # a dated snapshot: its model's price
        ("o3-2025-04-16", "o3"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # an exact entry wins over the snapshot rule
    ],
)
def test_exact_name_or_dated_snapshot(model: str, entry: str) -> None:
    assert find_price(model) == (DEFAULT_PRICES[entry], SHIPPED)


@pytest.mark.parametrize(
    "model", ["llama3.1", "gpt-5-mini-latest", "openai/gpt-5-mini", "ft:gpt-4o-mini:org::x", ""]
)
def test_other_names_are_unknown_never_guessed(model: str) -> None:
    assert find_price(model) is None
    assert cost_of(model, Usage(prompt_tokens=10, completion_tokens=1)) is None


def test_snapshot_base() -> None:
    assert snapshot_base("gpt-4.1-mini-2025-04-14") == "gpt-4.1-mini"
    assert snapshot_base("gpt-4.1-mini") is None


def test_cost_bills_cached_tokens_at_the_cached_rate() -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=500, cached_tokens=200)
    cost = cost_of("gpt-5-mini", usage)
    assert cost is not None
    assert cost.usd == pytest.approx((800 * 0.25 + 200 * 0.025 + 500 * 2.0) / 1e6)
    assert cost.basis == SHIPPED
    # A model without a cached rate bills cached tokens as input.
    old = cost_of("gpt-4o-2024-05-13", usage)
    assert old is not None and old.usd == pytest.approx((1000 * 5.0 + 500 * 15.0) / 1e6)


def test_no_tokens_cost_nothing_even_unpriced_and_no_model_is_no_cost() -> None:
    free = cost_of("llama3.1", Usage())
    assert free is not None and free.usd == 0 and cost_text(free, "llama3.1") == "cost $0"
    assert cost_of(None, Usage()) is None
    assert cost_text(None, None) == "no model, no cost"


def test_a_total_with_an_unknown_part_is_unknown() -> None:
    known = ("gpt-5-mini", Usage(prompt_tokens=1000))
    assert total_cost([known, ("llama3.1", Usage(prompt_tokens=1))]) is None
    both = total_cost([known, ("llama3.1", Usage())])
    assert both is not None and both.usd == pytest.approx(0.00025) and both.basis == SHIPPED
    assert total_cost([]) is None


def test_config_prices_override_and_add_models(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[prices."gpt-5-mini"]\ninput = 1\ncached_input = 0.5\noutput = 4\n\n'
        '[prices."llama3.1"]\ninput = 0\noutput = 0\n',
        encoding="utf-8",
    )
    settings = load_settings(config_path=config)
    assert settings.prices["llama3.1"] == Price(input=0, output=0)
    cost = cost_of("gpt-5-mini-2025-08-07", Usage(prompt_tokens=10**6), settings.prices)
    assert cost is not None and cost.usd == 1.0 and cost.basis == "prices from the config file"
    free = cost_of("llama3.1", Usage(prompt_tokens=5000), settings.prices)
    assert free is not None and cost_text(free, "llama3.1") == (
        "cost $0 (prices from the config file)"
    )
    assert cost_of("gpt-4o", Usage(prompt_tokens=10**6), settings.prices) is not None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[prices."gpt-x"]\ninput = -1\noutput = 1\n',
            "prices.gpt-x.input: Input should be greater than or equal to 0",
        ),
        ('[prices."gpt-x"]\ninput = 1\n', "prices.gpt-x.output: Field required"),
        (
            '[prices."gpt-x"]\ninput = 1\noutput = 1\ncurrency = "EUR"\n',
            "prices.gpt-x.currency: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_price_entries_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=config)
    assert caught.value.message == f"invalid setting: {message}"


def test_words() -> None:
    assert [format_usd(x) for x in (0, 0.0000425, 0.001205, 0.5, 1.234, 1234.5)] == [
        "$0", "$0.0000425", "$0.0012", "$0.50", "$1.23", "$1,234.50",
    ]  # fmt: skip
    assert tokens_text(Usage(prompt_tokens=1234, completion_tokens=56, cached_tokens=200)) == (
        "1,234 tokens in (200 cached), 56 out"
    )
    assert tokens_text(Usage(prompt_tokens=3)) == "3 tokens in, 0 out"  # cached not reported
    assert cost_text(None, "gpt-test") == (
        "cost unknown (no price for gpt-test: give it one under [prices] in the config file)"
    )


def test_total_usage_keeps_cached_only_where_reported() -> None:
    a = Usage(prompt_tokens=10, completion_tokens=1, cached_tokens=4)
    b = Usage(prompt_tokens=5, completion_tokens=2)
    assert total_usage([a, b]) == Usage(prompt_tokens=15, completion_tokens=3, cached_tokens=4)
    assert total_usage([b, b]).cached_tokens is None
