"""Score the offline summariser's *situation* against human highlights (ROUGE F1).

Usage::

    python benchmarks/eval_offline.py [--data ../shared/eval/cnndm-dev.jsonl]

The data file is JSONL with ``id``, ``text`` and ``reference``. The default path is
``../shared/eval/cnndm-dev.jsonl`` relative to the repository root (not the current
directory). Scores: ``rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"],
use_stemmer=True)``, F1 × 100, averaged over articles; for rougeLsum the summary and the
reference have one sentence per line (split with :mod:`briefing.text.sentences`).

Rows: LEAD-3 (the first three sentences, same splitter) and the offline summariser, both
computed here, and the sumy rows quoted from ../shared/eval/README.md for comparison.
Needs the ``test`` extra (rouge-score).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from briefing.model import Article, Source  # noqa: E402
from briefing.summarisers.offline.summariser import OfflineSummariser  # noqa: E402
from briefing.text.sentences import split_sentences  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "cnndm-dev.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")
# Quoted from ../shared/eval/README.md (not recomputed here: sumy is not a dependency).
README_ROWS = [
    ("LEAD-3 (README)", 40.40, 17.54, 36.56, 3.0),
    ("sumy LexRank (README)", 34.00, 14.95, 30.47, 11.0),
    ("sumy TextRank (README)", 31.97, 14.83, 28.96, 11.0),
    ("sumy LSA (README)", 31.90, 11.57, 28.00, 13.0),
    ("sumy Luhn (README)", 33.30, 15.20, 30.02, 13.0),
]


def load_rows(path: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                rows.append({k: str(row[k]) for k in ("id", "text", "reference")})
    return rows


def to_article(row: dict[str, str]) -> Article:
    text = row["text"]
    sentences = split_sentences(text)
    title = sentences[0].text if sentences else row["id"]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(
        title=title, text=text, source=Source(kind="file", location=row["id"], sha256=digest)
    )


def lines(text: str) -> str:
    return "\n".join(s.text for s in split_sentences(text))


def lead3(article: Article) -> str:
    return "\n".join(s.text for s in split_sentences(article.text)[:3])


def offline(article: Article) -> str:
    return lines(OfflineSummariser().summarise(article).situation)


def evaluate(
    rows: list[dict[str, str]], system: Callable[[Article], str]
) -> tuple[float, float, float, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = [0.0, 0.0, 0.0]
    elapsed = 0.0
    for row in rows:
        article = to_article(row)
        started = time.perf_counter()
        summary = system(article)
        elapsed += time.perf_counter() - started
        scores = scorer.score(lines(row["reference"]), summary)
        for i, metric in enumerate(METRICS):
            totals[i] += scores[metric].fmeasure
    n = max(1, len(rows))
    r1, r2, rl = (100 * t / n for t in totals)
    return r1, r2, rl, 1000 * elapsed / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSONL eval file")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"eval data not found: {args.data}", file=sys.stderr)
        return 2
    rows = load_rows(args.data)
    print(f"{len(rows)} articles from {args.data}\n")
    print("| system | R-1 | R-2 | R-Lsum | ms/article |")
    print("|---|---|---|---|---|")
    for name, system in (("LEAD-3 (this splitter)", lead3), ("offline summariser", offline)):
        r1, r2, rl, ms = evaluate(rows, system)
        print(f"| {name} | {r1:.2f} | {r2:.2f} | {rl:.2f} | {ms:.1f} |")
    for name, r1, r2, rl, ms in README_ROWS:
        print(f"| {name} | {r1:.2f} | {r2:.2f} | {rl:.2f} | {ms:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
