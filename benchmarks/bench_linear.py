"""Does briefing an article take time linear in its size? 1, 2, 4 and 8 MB, two shapes.

    python benchmarks/bench_linear.py [--sizes 1 2 4 8] [--repeat 1] [--build]

Shapes:

* ``one line``: words on a single line with no sentence punctuation at all (a scraped page
  without full stops, or hostile input): the whole article is one "sentence", the case where
  per-sentence work that is quadratic in the sentence's length shows;
* ``prose``: the English examples' paragraphs repeated (about 6 characters a word, so 1 MB is
  about 160,000 words).

For each shape and size the offline summariser's steps are timed on their own (sentence
splitting; the situation; the assessment and risks; the actors) and then together, with the
checks the build runs after it (grounding, the situation check, injection detection). The
ratio column is the time at this size over the time at the previous size: about 2 when time is
linear in size (the sizes double), about 4 when it is quadratic. ``--build`` also times the
issue's two end-to-end cases, ``briefing build`` of a 5 MB one-line article and of a
100,000-word article to PDF, against their 10 s budget. No timed asserts live in the tests (a
loaded machine breaks them); this prints numbers for a person to read.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Cue words of every step (names, warnings, a modal), so that none of them idles.
_VOCAB = (
    "the forces of the northern alliance moved across the river valley while officials in "
    "Kabul and Geneva said talks would resume soon despite growing concerns about supplies "
    "and warnings that the ceasefire could collapse before winter"
)


def one_line(size: int) -> str:
    """``size`` characters of words on one line, without sentence punctuation."""
    rng = random.Random(1)
    vocab = _VOCAB.split()
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(vocab)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size]


def prose(size: int) -> str:
    """The English examples' paragraphs repeated to ``size`` characters."""
    from briefing.sources.files import read_source

    pool: list[str] = []
    for name in ("syria-strike.txt", "baltic-cable.md", "sahel-aid.html"):
        pool += read_source(str(REPO / "examples" / name)).text.split("\n\n")
    out: list[str] = []
    length = 0
    while length < size:
        paragraph = pool[len(out) % len(pool)]
        out.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(out)


def timed(step: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def steps(text: str) -> dict[str, Callable[[], Any]]:
    from briefing import checks
    from briefing.model import Article, Source
    from briefing.summarisers.offline.actors import extract_actors
    from briefing.summarisers.offline.judgement import assess, find_risks
    from briefing.summarisers.offline.situation import situation
    from briefing.summarisers.offline.summariser import OfflineSummariser
    from briefing.text.sentences import split_sentences

    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    article = Article(title="Long", text=text, source=Source(kind="file", location="t", sha256=sha))
    sentences = split_sentences(text)
    return {
        "sentences": lambda: split_sentences(text),
        "situation": lambda: situation(sentences, article.title),
        "assessment+risks": lambda: (assess(sentences, set()), find_risks(sentences)),
        "actors": lambda: extract_actors(sentences, text),
        "summarise (all)": lambda: OfflineSummariser().summarise(article),
        "summarise+checks": lambda: checks.check(article, OfflineSummariser().summarise(article)),
    }


def table(shape: str, make: Callable[[int], str], sizes: list[float], repeat: int) -> None:
    print(f"\n{shape}")
    header = f"{'step':<18}" + "".join(f"{f'{s:g} MB':>16}" for s in sizes)
    print(header + "   ratios (2 = linear, 4 = quadratic)")
    results: dict[str, list[float]] = {}
    for size in sizes:
        for name, step in steps(make(int(size * 1_000_000))).items():
            results.setdefault(name, []).append(timed(step, repeat))
    for name, times in results.items():
        ratios = [later / earlier for earlier, later in itertools.pairwise(times)]
        cells = "".join(f"{t:>14.2f} s" for t in times)
        print(f"{name:<18}{cells}   " + " ".join(f"{r:4.1f}" for r in ratios))


def build_cases() -> None:
    """The issue's two end-to-end cases: ``briefing build`` to PDF, in a fresh process."""
    exe = Path(sys.executable).with_name("briefing")
    text = prose(800_000)
    cut = sum(len(w) + 1 for w in text.split()[:100_000])  # about the 100,000th word
    cases = {"5 MB on one line": one_line(5_000_000), "100,000 words": text[: int(cut * 1.02)]}
    print("\nbriefing build (PDF), budget 10 s")
    with tempfile.TemporaryDirectory() as tmp:
        for label, text in cases.items():
            source = Path(tmp) / "article.txt"
            source.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run(
                [str(exe), "build", str(source), "-o", f"{tmp}/"],
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - start
            status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
            print(f"{label:<18}{seconds:>8.2f} s   {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--build", action="store_true", help="also time briefing build")
    args = parser.parse_args()
    table("one line, no sentence punctuation", one_line, args.sizes, args.repeat)
    table("prose (the examples repeated)", prose, args.sizes, args.repeat)
    if args.build:
        build_cases()


if __name__ == "__main__":
    main()
