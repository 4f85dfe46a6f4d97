"""Precision and recall of "same event" on labelled pairs of news reports.

Usage::

    python benchmarks/eval_stories.py [--pairs benchmarks/data/story-pairs.jsonl]
                                      [--eval-dir ../shared/eval] [--sweep] [--errors]

Each line of the pairs file names two reports, ``a`` and ``b``, as ``own:NAME`` (a text
written for this set, ``tests/data/stories/NAME.txt``) or ``eval:ID`` (an article of the
shared evaluation sets, ``cnndm-dev.jsonl`` or ``conllpp-dev.jsonl`` in ``--eval-dir``,
default ``../shared/eval`` beside the repository), with the label ``same`` (true: one event),
``gap`` (0: reported the same day; 1: ``b`` is the next day's report of ``a``'s event) and a
``note``. How the pairs were made is in ``benchmarks/data/README.md``.

Every report is read as ``briefing daily`` reads a file, and scored with
:func:`briefing.stories.similarity.similarity` as a day's digest scores it: the inverse
document frequencies come from a "day" of ten reports, the pair and eight others of the set
drawn with a fixed seed. Same-day pairs are judged at ``SAME_EVENT`` (grouping a day's
reports), next-day pairs at ``CONTINUES`` (a story developing from the previous digest);
the pairs labelled different count against both. Without the evaluation sets only the
``own:`` pairs are scored (and the script says so).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from briefing.model import Article  # noqa: E402
from briefing.sources.files import article_from_text  # noqa: E402
from briefing.stories import similarity as sim  # noqa: E402

PAIRS = REPO / "benchmarks" / "data" / "story-pairs.jsonl"
TEXTS = REPO / "tests" / "data" / "stories"
EVAL_DIR = REPO.parent / "shared" / "eval"
EVAL_FILES = ("cnndm-dev.jsonl", "conllpp-dev.jsonl")
DAY_SIZE = 10  # reports in the simulated day a pair is scored in
SEED = 20260305


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    gap: int
    note: str


@dataclass(frozen=True)
class Scored:
    pair: Pair
    score: float


@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs.append(Pair(row["a"], row["b"], bool(row["same"]), int(row["gap"]), row["note"]))
    return pairs


def load_reports(refs: set[str], texts: Path, eval_dir: Path | None) -> dict[str, Article]:
    """The reports named, read as ``daily`` reads a file (headline line, cleaned text)."""
    raw: dict[str, str] = {}
    for ref in refs:
        kind, name = ref.split(":", 1)
        if kind == "own":
            raw[ref] = (texts / f"{name}.txt").read_text(encoding="utf-8")
    if eval_dir is not None:
        for file in EVAL_FILES:
            with (eval_dir / file).open(encoding="utf-8") as handle:
                for line in handle:
                    row = json.loads(line)
                    if f"eval:{row['id']}" in refs:
                        raw[f"eval:{row['id']}"] = row["text"]
    return {
        ref: article_from_text(text, name=ref, kind="file", suffix=".txt")
        for ref, text in raw.items()
    }


def score(pairs: list[Pair], reports: dict[str, Article]) -> list[Scored]:
    """Each pair's similarity within a simulated day of :data:`DAY_SIZE` reports."""
    profiles = {ref: sim.profile(a.title, a.text) for ref, a in sorted(reports.items())}
    refs = sorted(profiles)
    rng = random.Random(SEED)
    scored = []
    for pair in pairs:
        others = [r for r in refs if r not in (pair.a, pair.b)]
        day = [pair.a, pair.b, *rng.sample(others, min(DAY_SIZE - 2, len(others)))]
        idf = sim.idf_of([profiles[r] for r in day])
        scored.append(Scored(pair, sim.similarity(profiles[pair.a], profiles[pair.b], idf)))
    return scored


def judged(scored: list[Scored], gap: int, threshold: float) -> Result:
    """P/R of "same event" over the positives of ``gap`` and all the negatives."""
    chosen = [s for s in scored if (s.pair.same and s.pair.gap == gap) or not s.pair.same]
    tp = sum(s.score >= threshold and s.pair.same for s in chosen)
    fp = sum(s.score >= threshold and not s.pair.same for s in chosen)
    fn = sum(s.score < threshold and s.pair.same for s in chosen)
    tn = len(chosen) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Result(precision, recall, tp, fp, fn, tn)


def evaluate(
    pairs_path: Path = PAIRS, texts: Path = TEXTS, eval_dir: Path | None = EVAL_DIR
) -> tuple[list[Scored], bool]:
    """Every usable pair scored, and whether the evaluation sets were found."""
    pairs = load_pairs(pairs_path)
    found = eval_dir is not None and all((eval_dir / f).is_file() for f in EVAL_FILES)
    if not found:
        pairs = [p for p in pairs if p.a.startswith("own:") and p.b.startswith("own:")]
    refs = {r for p in pairs for r in (p.a, p.b)}
    return score(pairs, load_reports(refs, texts, eval_dir if found else None)), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--sweep", action="store_true", help="P/R at other thresholds too")
    parser.add_argument("--errors", action="store_true", help="list the pairs judged wrong")
    args = parser.parse_args()
    scored, found = evaluate(args.pairs, TEXTS, args.eval_dir)
    if not found:
        print(f"(no evaluation sets in {args.eval_dir}: own texts only)")
    positives = {g: sum(s.pair.same and s.pair.gap == g for s in scored) for g in (0, 1)}
    negatives = sum(not s.pair.same for s in scored)
    print(
        f"{len(scored)} pairs: {positives[0]} same event same day, {positives[1]} same event "
        f"next day, {negatives} different events (most sharing actors)"
    )
    print("| relation | threshold | precision | recall | F1 | TP | FP | FN | TN |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = [
        ("same day (SAME_EVENT)", 0, sim.SAME_EVENT),
        ("next day (CONTINUES)", 1, sim.CONTINUES),
    ]
    for name, gap, threshold in rows:
        r = judged(scored, gap, threshold)
        print(
            f"| {name} | {threshold:.2f} | {r.precision:.2f} | {r.recall:.2f} | {r.f1:.2f} | "
            f"{r.tp} | {r.fp} | {r.fn} | {r.tn} |"
        )
    if args.sweep:
        print("\n| threshold | same day P | same day R | next day P | next day R |")
        print("|---|---|---|---|---|")
        for t in range(15, 50, 5):
            a, b = judged(scored, 0, t / 100), judged(scored, 1, t / 100)
            print(
                f"| {t / 100:.2f} | {a.precision:.2f} | {a.recall:.2f} | {b.precision:.2f} | "
                f"{b.recall:.2f} |"
            )
    if args.errors:
        print()
        for s in sorted(scored, key=lambda s: -s.score):
            threshold = sim.SAME_EVENT if s.pair.gap == 0 else sim.CONTINUES
            if (s.score >= threshold) != s.pair.same:
                kind = "missed" if s.pair.same else "false "
                print(f"{kind} {s.score:.3f}  {s.pair.note}  ({s.pair.a} ~ {s.pair.b})")


if __name__ == "__main__":
    main()
