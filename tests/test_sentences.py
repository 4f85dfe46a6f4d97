"""Tests for briefing.text.sentences: boundaries, abbreviations, quotes and exact offsets."""

from __future__ import annotations

import pytest

from briefing.text.sentences import normalise_space, paragraph_spans, split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_offsets_are_exact_substrings() -> None:
    text = "  First one here.  Second  one\nhere! Third?\n\nFourth para.  "
    sentences = split_sentences(text)
    assert sentences
    for i, s in enumerate(sentences):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
        assert s.index == i


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in Washington. They talked.",
            ["Mr. Smith met Dr. Jones in Washington.", "They talked."],
        ),
        (
            "Gen. Mattis and St. Paul met on Jan. 5 at No. 10 Downing Street. It rained.",
            ["Gen. Mattis and St. Paul met on Jan. 5 at No. 10 Downing Street.", "It rained."],
        ),
        (
            "J. K. Rowling wrote it. She is British.",
            ["J. K. Rowling wrote it.", "She is British."],
        ),
        (
            "The U.S. Army and U.K. forces arrived at 9 a.m. Monday. Nobody was hurt.",
            ["The U.S. Army and U.K. forces arrived at 9 a.m. Monday.", "Nobody was hurt."],
        ),
        (
            "He moved to the U.S. The move was hard.",
            ["He moved to the U.S.", "The move was hard."],
        ),
        (
            "Prices rose 3.7 per cent to 1,250.50 dollars. Then fell.",
            ["Prices rose 3.7 per cent to 1,250.50 dollars.", "Then fell."],
        ),
    ],
)
def test_abbreviations_initials_and_decimals(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_curly_and_straight_quotes_end_sentences() -> None:
    text = (
        "He said it was “too late.” Then he left. She replied 'never.' The end came. "
        '"Go!" He went.'
    )
    assert texts(text) == [
        "He said it was “too late.”",
        "Then he left.",
        "She replied 'never.'",
        "The end came.",
        '"Go!"',
        "He went.",
    ]


def test_quote_continuing_with_lowercase_is_not_split() -> None:
    assert texts("“We are ready,” he said. “Are you?” she asked.") == [
        "“We are ready,” he said.",
        "“Are you?” she asked.",
    ]


def test_missing_space_after_full_stop() -> None:
    text = "Fighters operated near the Euphrates valley.The strike was conducted later."
    assert texts(text) == [
        "Fighters operated near the Euphrates valley.",
        "The strike was conducted later.",
    ]


def test_missing_space_not_split_inside_dotted_abbreviation() -> None:
    assert texts("Troops of the U.S.Army left. It ended.") == [
        "Troops of the U.S.Army left.",
        "It ended.",
    ]


def test_question_exclamation_and_ellipsis() -> None:
    assert texts("Is it over? Yes! Well... Maybe not.") == [
        "Is it over?",
        "Yes!",
        "Well...",
        "Maybe not.",
    ]


def test_lines_and_labels_are_their_own_paragraphs() -> None:
    text = "The strike happened today. Officials confirmed it.\nTopics\nWorld\n"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The strike happened today.",
        "Officials confirmed it.",
        "Topics",
        "World",
    ]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 2]


def test_hard_wrapped_paragraph_is_joined() -> None:
    text = (
        "The operation was confirmed by defence officials in London and\n"
        "Paris on Tuesday, who said the site held weapons used by cells in\n"
        "the desert. Aircraft returned safely.\n"
        "\n"
        "A second paragraph follows here.\n"
    )
    paragraphs = paragraph_spans(text)
    assert len(paragraphs) == 2
    sentences = split_sentences(text)
    assert normalise_space(sentences[0].text).startswith("The operation was confirmed")
    assert normalise_space(sentences[0].text).endswith("cells in the desert.")
    assert sentences[1].text == "Aircraft returned safely."
    assert sentences[2].paragraph == 1


def test_blank_lines_and_empty_input() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t ") == []
    assert texts("One.\n\n\nTwo.") == ["One.", "Two."]


def test_unicode_does_not_crash_and_keeps_offsets() -> None:
    text = "Ünïcödé – «Bonjour.» 北京市で会議があった。 Зеленский сказал. 😀 Emoji end… Next"
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_long_text() -> None:
    """20,000 sentences (how the time grows: benchmarks/bench_scaling.py)."""
    text = "The council met in the U.S. capital on Jan. 5 and agreed. " * 20000
    sentences = split_sentences(text)
    assert len(sentences) >= 19000
