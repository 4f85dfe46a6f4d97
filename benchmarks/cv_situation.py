"""Would tuning the situation's constants on the dev set help? Nested cross-validation says.

    python benchmarks/cv_situation.py [--data ../shared/eval/cnndm-dev.jsonl] [--seeds 1 2 3]

The offline situation (:mod:`briefing.summarisers.offline.situation`) has five constants:
candidates, position weight, centrality weight, the redundancy overlap and the word budget.
For each seed the dev set is shuffled into 5 folds; for each fold the grid point with the best
mean ROUGE-1 on the other four folds is scored on the held-out fold, beside the shipped
constants and LEAD-3 (same splitter). Fold-wise ROUGE-1 is printed, then the means. If the
fold-tuned constants do not beat the shipped ones on held-out folds, tuning only fits the dev
set's noise (the paired standard error of a ROUGE-1 difference over 100 articles is about
0.5), and the shipped constants stay. Needs the ``eval`` extra (rouge-score); articles are read
as ``briefing eval`` reads them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from statistics import mean
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefing.sources.files import article_from_text  # noqa: E402
from briefing.summarisers.offline import situation as S  # noqa: E402
from briefing.text.sentences import split_sentences  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "cnndm-dev.jsonl"
GRID = {
    "CANDIDATES": (4, 6, 8),
    "POSITION_WEIGHT": (0.1, 0.2, 0.3),
    "CENTRALITY_WEIGHT": (0.5, 1.0, 1.5),
    "MAX_OVERLAP": (0.5, 0.7),
    "WORD_BUDGET": (55, 65, 75),
}
Point = tuple[Any, ...]


@contextmanager
def constants_set(constants: dict[str, Any]) -> Iterator[None]:
    """The situation module's constants set to ``constants`` for the block, then restored."""
    saved = {name: getattr(S, name) for name in constants}
    try:
        for name, value in constants.items():
            setattr(S, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(S, name, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    articles = [article_from_text(r["text"], name=r["id"], kind="file") for r in rows]
    sentences = [split_sentences(a.text) for a in articles]
    references = ["\n".join(s.text for s in split_sentences(r["reference"])) for r in rows]

    def rouge1(i: int, summary: str) -> float:
        lines = "\n".join(s.text for s in split_sentences(summary))
        return 100 * float(scorer.score(references[i], lines)["rouge1"].fmeasure)

    def lead3(i: int) -> str:
        return " ".join(" ".join(s.text.split()) for s in sentences[i][:3])

    names = list(GRID)
    points: list[Point] = list(itertools.product(*GRID.values()))
    shipped: Point = tuple(getattr(S, name) for name in names)
    print(f"scoring {len(points)} grid points on {len(rows)} articles...", file=sys.stderr)
    scores: dict[Point, list[float]] = {}
    for point in [shipped, *points]:
        if point in scores:
            continue
        with constants_set(dict(zip(names, point, strict=True))):
            scores[point] = [
                rouge1(i, S.situation(sentences[i], articles[i].title).text)
                for i in range(len(rows))
            ]
    lead = [rouge1(i, lead3(i)) for i in range(len(rows))]

    def avg(values: list[float], idx: Sequence[int]) -> float:
        return mean(values[i] for i in idx)

    print(f"shipped: {dict(zip(names, shipped, strict=True))}")
    totals: dict[str, list[float]] = {"LEAD-3": [], "shipped": [], "fold-tuned": []}
    for seed in args.seeds:
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        print(f"\nseed {seed}   fold:  LEAD-3  shipped  fold-tuned  (tuned on the other 4)")
        tuned_all: dict[int, float] = {}
        for fold in range(5):
            test = order[fold::5]
            train = [i for i in order if i not in set(test)]
            best = max(points, key=lambda p: avg(scores[p], train))
            for i in test:
                tuned_all[i] = scores[best][i]
            cells = f"{avg(lead, test):6.2f}  {avg(scores[shipped], test):7.2f}"
            cells += f"  {avg(scores[best], test):10.2f}"
            print(f"        {fold + 1}:      {cells}  {dict(zip(names, best, strict=True))}")
        totals["LEAD-3"].append(mean(lead))
        totals["shipped"].append(mean(scores[shipped]))
        totals["fold-tuned"].append(mean(tuned_all.values()))
    print("\nmean ROUGE-1 over all articles (nested estimate for fold-tuned):")
    for label, values in totals.items():
        print(f"  {label:<11}{mean(values):6.2f}")
    best_in_sample = max(points, key=lambda p: mean(scores[p]))
    print(f"  best grid point in sample: {mean(scores[best_in_sample]):.2f} (optimistic)")


if __name__ == "__main__":
    main()
