"""Grounding: every item's evidence is checked against the article, within a stated tolerance."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from briefing.checks.grounding import METHOD, ground, unsupported_items
from briefing.model import Actor, Article, Assessment, Briefing, Flag, Risk
from briefing.sources.files import article_from_text, read_source
from tests.factories import make_briefing, make_flag

TEXT = (
    "Officials in Kyiv said on Tuesday that the new air-defence system had intercepted "
    "“most of the incoming drones” over the capital — a claim that could not be "
    "independently verified.\n\n"
    "The Ukrainian defence ministry said the system, supplied by Germany, would be deployed "
    "to protect critical energy infrastructure across the country during the coming winter "
    "months.\n\n"
    "President Volodymyr Zelensky thanked Berlin for its support. “We can’t win this war "
    "without our partners’ help, and they must help us now,” he said in his nightly "
    "address. British officials declined to comment.\n\n"
    "Analysts warned that Russia is likely to adapt its tactics, launching larger waves of "
    "cheaper drones to exhaust Ukraine’s stocks of interceptor missiles – a pattern seen "
    "repeatedly since 2022."
)
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "syria-strike.txt"
TWELVE = "would be deployed to protect critical energy infrastructure across the country during"


@pytest.fixture(scope="module")
def article() -> Article:
    return article_from_text(TEXT, name="t", kind="file")


def risk(*quotes: str) -> Risk:
    return Risk(description="A risk.", likelihood="medium", impact="medium", evidence=list(quotes))


def check(article: Article, *quotes: str) -> Risk:
    """Ground a briefing whose only risk quotes ``quotes``; return that risk."""
    briefing = make_briefing(actors=[], risks=[risk(*quotes)])
    return ground(article, briefing).risks[0]


@pytest.mark.parametrize(
    "quote",
    [
        "the new air-defence system had intercepted",  # exact
        "\"We can't win this war without our partners' help, and they must help us now,\" he",
        "“most of the incoming drones”",  # curly quotes kept
        "interceptor missiles - a pattern seen repeatedly",  # hyphen for an en dash
        "over the capital -- a claim".replace("--", "—"),  # em dash as in the article
        "over the capital – a claim",  # en dash for an em dash
        "OFFICIALS IN KYIV SAID ON TUESDAY",  # case
        "Officials   in\nKyiv\tsaid",  # whitespace
        "…could not be independently verified.",  # leading ellipsis and trailing full stop
        "larger waves of",  # a short quote that is exact
    ],
)
def test_quote_found_after_normalisation(article: Article, quote: str) -> None:
    item = check(article, quote)
    assert item.supported is True, item.reason
    assert item.reason is None


def test_one_changed_word_in_a_twelve_word_quote_is_tolerated(article: Article) -> None:
    assert len(TWELVE.split()) == 12
    changed = TWELVE.replace("critical", "vital")
    assert check(article, changed).supported is True


def test_one_dropped_or_added_word_is_tolerated(article: Article) -> None:
    assert check(article, TWELVE.replace("critical ", "")).supported is True
    assert check(article, TWELVE.replace("energy", "national energy")).supported is True


def test_two_changed_words_in_twelve_are_not(article: Article) -> None:
    changed = TWELVE.replace("critical", "vital").replace("country", "region")
    item = check(article, changed)
    assert item.supported is False
    assert item.reason is not None and item.reason.startswith("quote not found in the article")


def test_fabricated_quote_is_rejected(article: Article) -> None:
    item = check(article, "the system shot down every missile fired at the capital last night")
    assert item.supported is False
    assert item.reason == (
        'quote not found in the article: "the system shot down every missile fired at the '
        'capital last…"'
    )


def test_short_quotes_must_match_exactly(article: Article) -> None:
    assert check(article, "bigger waves of").supported is False  # 3 words, one changed
    # 9 words: below ten words no word may change (only punctuation may differ).
    nine = "launching larger waves of cheaper drones to exhaust Ukraine’s"
    assert check(article, nine).supported is True
    assert check(article, nine.replace("cheaper", "costly")).supported is False
    assert check(article, "launching larger waves, of cheaper drones").supported is True


def test_ellipsis_quotes_match_part_by_part_in_order(article: Article) -> None:
    ellipsis = "Officials in Kyiv said … could not be independently verified"
    assert check(article, ellipsis).supported is True
    assert check(article, "Officials in Kyiv said [...] could not be verified").supported is False
    reversed_parts = "could not be independently verified ... Officials in Kyiv said"
    assert check(article, reversed_parts).supported is False
    two_parts = "the Ukrainian defence ministry said... larger waves of"
    assert check(article, two_parts).supported is True
    # A part of ten words or more gets the same tolerance as a whole quote.
    fuzzy_part = f"Officials in Kyiv said ... {TWELVE.replace('critical', 'vital')}"
    assert check(article, fuzzy_part).supported is True


def test_every_quote_of_an_item_must_be_found(article: Article) -> None:
    item = check(article, "larger waves of", "an invented sentence about a naval blockade")
    assert item.supported is False
    assert "an invented sentence" in (item.reason or "")


def test_item_without_evidence_is_unsupported(article: Article) -> None:
    item = check(article)
    assert (item.supported, item.reason) == (False, "no evidence given")
    assert check(article, "   ").reason == "no evidence given"


def assessment() -> Assessment:
    return Assessment(text="An assessment.", confidence="low", evidence=["larger waves of"])


def actor(name: str, kind: str = "organisation", aliases: list[str] | None = None) -> Actor:
    return Actor(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        role="A role.",
        evidence=["thanked Berlin for its support"],
        aliases=aliases or [],
    )


def test_actor_whose_name_is_not_in_the_article_is_rejected_despite_a_real_quote(
    article: Article,
) -> None:
    grounded = ground(article, make_briefing(actors=[actor("Invented Corp")], risks=[]))
    invented = grounded.actors[0]
    assert invented.supported is False
    assert invented.reason == 'actor name "Invented Corp" does not occur in the article'


@pytest.mark.parametrize(
    ("name", "kind", "aliases"),
    [
        ("Germany", "state", []),
        ("Volodymyr Zelenskyy", "person", ["Zelensky"]),  # an alias
        ("President Volodymyr Zelensky", "person", []),
        ("Oleksandr Zelensky", "person", []),  # the surname
        ("United Kingdom", "state", []),  # the demonym "British"
        ("Ukraine", "state", []),  # "Ukraine’s"
        ("Russian Federation", "state", ["Russia"]),
        ("Ukrainian defence ministry", "organisation", []),
        ("German forces", "organisation", []),  # entity + state noun: "Germany"
    ],
)
def test_actor_named_by_name_alias_or_recognisable_part(
    article: Article, name: str, kind: str, aliases: list[str]
) -> None:
    grounded = ground(article, make_briefing(actors=[actor(name, kind, aliases)], risks=[]))
    assert grounded.actors[0].supported is True, grounded.actors[0].reason


def test_acronyms_keep_their_case(article: Article) -> None:
    # The article has "us" (a pronoun), never "US".
    grounded = ground(article, make_briefing(actors=[actor("USA Inc", aliases=["US"])]))
    assert grounded.actors[0].supported is False


def test_counts_flag_and_labels(article: Article) -> None:
    briefing = make_briefing(
        actors=[actor("Germany", "state"), actor("Invented Corp")],
        assessment=assessment(),
        risks=[risk("larger waves of"), risk("larger waves of"), risk("a fabricated claim")],
    )
    grounded = ground(article, briefing)
    assert grounded.provenance.grounding is not None
    assert grounded.provenance.grounding.supported == 4
    assert grounded.provenance.grounding.total == 6
    assert grounded.provenance.grounding.method == METHOD
    assert unsupported_items(grounded) == ["actor Invented Corp", "risk R3"]
    assert grounded.flags == [
        Flag(
            kind="unsupported",
            detail="2 of 6 items are not supported by the article: actor Invented Corp; risk R3",
        )
    ]
    # Items are never dropped, and the input is not modified.
    assert len(grounded.actors) == 2 and len(grounded.risks) == 3
    assert briefing.actors[1].supported is None and briefing.provenance.grounding is None


def test_flag_added_once_and_other_flags_kept(article: Article) -> None:
    other = make_flag(detail="One risk has no evidence.")
    briefing = make_briefing(
        actors=[actor("Invented Corp")], assessment=assessment(), risks=[], flags=[other]
    )
    once = ground(article, briefing)
    twice = ground(article, once)
    assert twice == once
    assert [f.detail for f in twice.flags if f.kind == "unsupported"] == [
        "One risk has no evidence.",
        "1 of 2 items is not supported by the article: actor Invented Corp",
    ]


def test_fully_supported_briefing_has_no_flag(article: Article) -> None:
    briefing = make_briefing(
        actors=[actor("Germany", "state")],
        assessment=assessment(),
        risks=[risk(TWELVE)],
    )
    grounded = ground(article, briefing)
    assert unsupported_items(grounded) == []
    assert grounded.flags == []
    assert all(i.supported for i in [*grounded.actors, grounded.assessment, *grounded.risks])


def test_factory_briefing_against_its_example_article() -> None:
    grounded = ground(read_source(str(SAMPLE)), make_briefing())
    assert unsupported_items(grounded) == ["actor Humanitarian organisations", "risk R4"]
    assert grounded.provenance.grounding is not None
    assert (grounded.provenance.grounding.supported, grounded.provenance.grounding.total) == (9, 11)


def _long_article(rng: random.Random, words: int) -> str:
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "an", "el"]
    vocabulary = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(6000)})
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf: some words are common
    tokens = rng.choices(vocabulary, weights, k=words)
    sentences = []
    i = 0
    while i < len(tokens):
        n = rng.randint(8, 25)
        sentences.append(" ".join(tokens[i : i + n]).capitalize() + ".")
        i += n
    paragraphs = [" ".join(sentences[j : j + 6]) for j in range(0, len(sentences), 6)]
    # Some typography, so the article is not plain ASCII: apostrophes and dashes.
    return "\n\n".join(paragraphs).replace("ka ", "ka’s ").replace(" lo ", " lo — ")


def test_a_100k_word_article() -> None:
    """Correct verdicts on a 100k-word article (its speed: benchmarks/bench_scaling.py)."""
    rng = random.Random(7)
    text = _long_article(rng, 100_000)
    article = article_from_text(text, name="long", kind="file")
    words = article.text.split()
    real, changed, fabricated = [], [], []
    for _ in range(10):
        at = rng.randrange(len(words) - 20)
        real.append(" ".join(words[at : at + 15]))
        span = words[at : at + 15]
        span[7] = "zzqx"
        changed.append(" ".join(span))
        fabricated.append(" ".join(rng.choices(words, k=15)))
    briefing = make_briefing(actors=[], risks=[risk(q) for q in real + changed + fabricated])
    grounded = ground(article, briefing)
    verdicts = [r.supported for r in grounded.risks]
    assert verdicts == [True] * 20 + [False] * 10


def test_unsupported_items_ignores_unchecked_items() -> None:
    assert unsupported_items(make_briefing()) == []


def test_ground_returns_a_briefing() -> None:
    article = read_source(str(SAMPLE))
    assert isinstance(ground(article, make_briefing()), Briefing)
