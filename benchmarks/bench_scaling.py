"""How the text steps scale with article length: 10k words against 100k words, as a ratio.

    python benchmarks/bench_scaling.py [--words 100000] [--repeat 3]

Each step runs on an article of ``words / 10`` words and one of ``words`` words (the examples'
text repeated, and for grounding 30 quotes: 10 real, 10 with one word changed, 10 made up).
The time ratio is about 10 for a step linear in the article's length and about 100 for a
quadratic one; the absolute times say how much a night of long articles costs. These used to be
wall-clock asserts in the tests (``< 1 s`` for 100k words...), which a loaded machine breaks;
the tests keep the correctness checks on 100k-word articles.

Steps: token estimate and chunking (briefing.text.chunking), sentence splitting
(briefing.text.sentences), grounding of quotes (briefing.checks.grounding), the offline
summariser, and rendering a digest of 1 against 10 briefings to PDF (pages, not words).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def article_text(words: int) -> str:
    """The examples' paragraphs repeated until there are ``words`` words."""
    from briefing.sources.files import read_source

    pool: list[str] = []
    for path in sorted((REPO / "examples").glob("*.*")):
        if path.name != "README.md":
            pool += read_source(str(path)).text.split("\n\n")
    out: list[str] = []
    count = 0
    while count < words:
        paragraph = pool[len(out) % len(pool)]
        out.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(out)


def best_time(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def steps(text: str) -> dict[str, Callable[[], Any]]:
    from briefing.checks.grounding import ground
    from briefing.model import Article, Risk, Source
    from briefing.summarisers.offline.summariser import OfflineSummariser
    from briefing.text.chunking import estimate_tokens, split_into_chunks
    from briefing.text.sentences import split_sentences
    from tests.factories import make_briefing

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    article = Article(
        title="Long", text=text, source=Source(kind="file", location="t", sha256=digest)
    )
    rng = random.Random(7)
    words = text.split()
    quotes = []
    for _ in range(10):
        at = rng.randrange(len(words) - 20)
        span = words[at : at + 15]
        quotes.append(" ".join(span))
        quotes.append(" ".join([*span[:7], "zzqx", *span[8:]]))
        quotes.append(" ".join(rng.choices(words, k=15)))
    risks = [
        Risk(description="A risk.", likelihood="medium", impact="medium", evidence=[q])
        for q in quotes
    ]
    briefing = make_briefing(actors=[], risks=risks)
    return {
        "chunking": lambda: split_into_chunks(text, 8_000) and estimate_tokens(text),
        "sentences": lambda: split_sentences(text),
        "grounding": lambda: ground(article, briefing),
        "offline summariser": lambda: OfflineSummariser().summarise(article),
    }


def digest_render(count: int) -> Callable[[], Any]:
    from briefing import render
    from tests.factories import make_digest
    from tests.test_render_digest import ten_briefings

    digest = make_digest(briefings=ten_briefings()[:count])
    return lambda: render.render_digest_pdf(render.render_digest_html(digest), digest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    small, large = steps(article_text(args.words // 10)), steps(article_text(args.words))
    print(f"{'step':<20} {args.words // 10:>9} words {args.words:>9} words   ratio (10 = linear)")
    for name in small:
        t_small, t_large = best_time(small[name], args.repeat), best_time(large[name], args.repeat)
        print(f"{name:<20} {t_small:>13.3f} s {t_large:>13.3f} s   {t_large / t_small:6.1f}")
    one, ten = best_time(digest_render(1), args.repeat), best_time(digest_render(10), args.repeat)
    print(f"{'digest PDF':<20} {one:>10.3f} s (1) {ten:>9.3f} s (10)   {ten / one:6.1f}")


if __name__ == "__main__":
    main()
