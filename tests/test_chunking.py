"""Token estimates and chunking: offline, exact substrings, nothing lost, within budget, fast."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from briefing.sources.files import read_source
from briefing.text.chunking import chunk_spans, estimate_tokens, split_into_chunks
from tests.conftest import EXAMPLES, REPO, SAMPLE

EVAL = REPO.parent / "shared" / "eval" / "cnndm-dev.jsonl"


def paragraphs() -> list[str]:
    """Real news paragraphs: our examples, and the shared eval set when present."""
    found: list[str] = []
    for path in sorted(EXAMPLES.glob("*.*")):
        if path.name != "README.md":
            found += read_source(str(path)).text.split("\n\n")
    if EVAL.is_file():
        for line in EVAL.read_text(encoding="utf-8").splitlines()[:40]:
            found.append(" ".join(json.loads(line)["text"].split()))
    return found


def long_text(words: int) -> str:
    pool, out, count = paragraphs(), [], 0
    while count < words:
        paragraph = pool[len(out) % len(pool)]
        out.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(out)


def assert_exact_cover(text: str, chunks: list[str], budget: int) -> None:
    """Each chunk is the next exact substring of text; only whitespace lies between them."""
    assert chunks
    pos = 0
    for chunk in chunks:
        assert chunk == chunk.strip() and chunk
        found = text.find(chunk, pos)
        assert found >= 0, "a chunk is not a substring of the text"
        assert text[pos:found].strip() == "", "text was lost between chunks"
        pos = found + len(chunk)
        assert estimate_tokens(chunk) <= budget
    assert text[pos:].strip() == ""
    # Nothing lost or repeated (chunks may meet without a space: "valley.The strike").
    assert "".join("".join(chunks).split()) == "".join(text.split())


# --- estimate_tokens ------------------------------------------------------------------


def test_estimate_english_is_about_four_characters_or_1_3_tokens_a_word() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("Hello") == 2  # one word: ceil(1.3)
    sentence = "The quick brown fox jumps over the lazy dog."  # 10 tokens in cl100k/o200k
    assert estimate_tokens(sentence) == 12  # ceil(max(44 / 4, 9 * 1.3))
    text = read_source(str(SAMPLE)).text
    words = len(text.split())
    # News prose runs at about 7 characters a word (space included): chars / 4 wins.
    assert 1.3 * words <= estimate_tokens(text) <= 1.9 * words


def test_estimate_is_conservative_for_other_scripts() -> None:
    chinese = "中华人民共和国今天宣布了新的经济政策。"
    assert estimate_tokens(chinese) == len(chinese)  # one token a character
    japanese = "東京では今日、新しい政策が発表されました。"
    assert estimate_tokens(japanese) == len(japanese)
    korean = "서울에서 오늘 새로운 정책이 발표되었다."
    assert estimate_tokens(korean) >= len(korean.replace(" ", ""))
    russian = "Правительство объявило сегодня о новой экономической политике."
    letters = sum(c.isalpha() for c in russian)  # 1/2 token each; spaces and "." 1/4
    assert estimate_tokens(russian) == -(-(2 * letters + len(russian) - letters) // 4)
    # Far above the 1/4 token a character of the English rule.
    for text in (chinese, japanese, korean, russian):
        assert estimate_tokens(text) > len(text) / 4 * 1.5


def test_estimate_is_subadditive() -> None:
    rng = random.Random(7)
    alphabet = list("abc xyz\n.,字ж—’9")
    for _ in range(500):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert estimate_tokens(a + b) <= estimate_tokens(a) + estimate_tokens(b)


# --- split_into_chunks ----------------------------------------------------------------


def test_short_text_is_one_chunk_and_empty_is_none() -> None:
    text = read_source(str(SAMPLE)).text
    assert split_into_chunks(text, 10_000) == [text]
    assert split_into_chunks("  \n\n ", 100) == []
    with pytest.raises(ValueError):
        split_into_chunks(text, 1)


@pytest.mark.parametrize("budget", [300, 1000, 4000])
def test_paragraphs_are_packed_whole(budget: int) -> None:
    text = long_text(20_000)
    chunks = split_into_chunks(text, budget)
    assert_exact_cover(text, chunks, budget)
    paragraphs = text.split("\n\n")
    if all(estimate_tokens(p) <= budget for p in paragraphs):
        # Every cut falls between paragraphs: chunks are joins of whole paragraphs.
        assert "\n\n".join(chunks) == text
        assert all(set(c.split("\n\n")) <= set(paragraphs) for c in chunks)
    # Greedy: no two neighbours would have fitted together.
    for first, second in itertools.pairwise(chunks):
        assert estimate_tokens(first + "\n\n" + second) > budget


def test_spans_match_chunks() -> None:
    text = "  One para here.\n\n\n  Two para there.  \n \nThree.  "
    spans = chunk_spans(text, 4)
    assert [text[s:e] for s, e in spans] == split_into_chunks(text, 4)
    assert split_into_chunks(text, 4) == ["One para here.", "Two para there.", "Three."]
    assert split_into_chunks(text, 100) == [text.strip()]


def test_giant_paragraph_is_cut_at_sentence_ends() -> None:
    sentences = [f"Sentence number {i} says that officials met in the capital." for i in range(400)]
    paragraph = " ".join(sentences)
    text = "Intro paragraph.\n\n" + paragraph + "\n\nClosing paragraph."
    chunks = split_into_chunks(text, 200)
    assert len(chunks) > 10
    assert_exact_cover(text, chunks, 200)
    for chunk in chunks:
        assert chunk.endswith("."), chunk[-40:]  # never inside a sentence
    inner = [c for c in chunks if c.startswith("Sentence")]
    assert all(c.split(" ", 2)[1] == "number" for c in inner)


def test_giant_sentence_is_cut_at_whitespace() -> None:
    words = [f"w{i}" for i in range(5000)]
    sentence = " ".join(words) + "."
    chunks = split_into_chunks(sentence, 100)
    assert_exact_cover(sentence, chunks, 100)
    assert [w for c in chunks for w in c.split()] == sentence.split()  # no word cut


@pytest.mark.parametrize(
    "word", ["x" * 10_000, "字" * 3_000, "中华人民共和国成立。" * 300, "ж字x" * 1_000]
)
def test_giant_word_is_cut_between_characters(word: str) -> None:
    chunks = split_into_chunks(word, 100)
    assert len(chunks) > 1
    assert "".join(chunks) == word
    assert all(estimate_tokens(c) <= 100 for c in chunks)


def test_cjk_prefers_full_stops() -> None:
    text = "中华人民共和国成立于一九四九年，首都是北京。" * 200
    chunks = split_into_chunks(text, 300)
    assert "".join(chunks) == text
    assert all(c.endswith("。") for c in chunks)


def test_every_cut_is_at_whitespace_for_real_text() -> None:
    text = long_text(5_000).replace("\n\n", " ")  # one giant paragraph
    for budget in (50, 300):
        chunks = split_into_chunks(text, budget)
        assert_exact_cover(text, chunks, budget)
        # Cuts fall at whitespace, or between two sentences glued by a missing space
        # ("valley.The strike" in the sample article): never inside a word.
        position = 0
        for chunk in chunks[:-1]:
            position = text.index(chunk, position) + len(chunk)
            before, after = text[position - 1], text[position]
            assert before.isspace() or after.isspace() or before in ".!?…", (before, after)


def test_100k_words(tmp_path: Path) -> None:
    """Correct on a 100k-word article (its speed: benchmarks/bench_scaling.py)."""
    text = long_text(100_000)
    assert len(text.split()) >= 100_000
    estimate = estimate_tokens(text)
    chunks = split_into_chunks(text, 8_000)
    assert estimate > 100_000
    assert len(chunks) >= estimate // 8_000
    assert_exact_cover(text, chunks, 8_000)
