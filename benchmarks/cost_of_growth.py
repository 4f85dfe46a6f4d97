"""What one article costs the model, and what 1,000 and 100,000 articles a day cost.

    python benchmarks/cost_of_growth.py [--model gpt-5-mini] [--eval-dir ../shared/eval]
                                        [--reasoning 1.0]

Tokens in: for each article of the set, the estimate the summariser itself makes before it
sends a request (``briefing.text.chunking.estimate_tokens`` of the article, plus
``OpenAISummariser.overhead``: the rendered ``briefing`` prompt, the strict schema and the
message framing). Tokens out: the answer the schema asks for, sized as the estimate of a
Draft (the model's answer) filled with what the offline summariser writes for that article.
A reasoning model (gpt-5, o-series) also bills its hidden reasoning as output tokens:
``--reasoning R`` adds R times the visible answer (OpenAI publishes no figure; ``briefing log
show`` records what your runs really used).

Prices: the shipped table (``briefing.prices``, dated), direct and through the Batch API
(its 50% discount). Per day: the briefings, plus one story-merge request per story of several
sources and one request for the day's summary, each sized like a briefing request (an upper
bound: a merge carries the briefings, not the articles).

Articles: the evaluation sets in ``--eval-dir`` when present, else the repository's own texts
(``examples/``, ``tests/data/stories``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefing.config import Settings  # noqa: E402
from briefing.model import Article, Briefing  # noqa: E402
from briefing.prices import DEFAULT_PRICES, PRICES_DATE  # noqa: E402
from briefing.sources.files import read_source, text_article  # noqa: E402
from briefing.summarisers import make_summariser  # noqa: E402
from briefing.summarisers.openai import OpenAISummariser  # noqa: E402
from briefing.summarisers.openai.batch import (  # noqa: E402
    MAX_BATCH_BYTES,
    MAX_BATCH_REQUESTS,
    batch_line,
)
from briefing.text.chunking import estimate_tokens  # noqa: E402

# Story merges a day, per article: 27 stories of several sources in the 276 articles of the
# evaluation sets, as `briefing daily` groups them.
MERGES_PER_ARTICLE = 0.1


def articles(eval_dir: Path) -> list[Article]:
    found = []
    for name in ("cnndm-dev.jsonl", "conllpp-dev.jsonl"):
        path = eval_dir / name
        if path.is_file():
            for line in path.read_text().splitlines():
                found.append(text_article(json.loads(line)["text"], name=f"{name}:{len(found)}"))
    if not found:
        paths = [p for p in (REPO / "examples").iterdir() if p.name != "README.md"]
        paths += sorted((REPO / "tests/data/stories").glob("*.txt"))
        found = [read_source(str(p)) for p in paths]
    return found


def draft_json(briefing: Briefing) -> str:
    """The model's answer for this briefing, as the strict schema shapes it."""
    return json.dumps(
        {
            "title": briefing.title,
            "situation": briefing.situation,
            "actors": [
                {"name": a.name, "kind": a.kind, "role": a.role, "evidence": a.evidence}
                for a in briefing.actors
            ],
            "assessment": {
                "text": briefing.assessment.text,
                "confidence": briefing.assessment.confidence,
                "evidence": briefing.assessment.evidence,
            },
            "risks": [
                {
                    "description": r.description,
                    "likelihood": r.likelihood,
                    "impact": r.impact,
                    "evidence": r.evidence,
                }
                for r in briefing.risks
            ],
            "injection_suspected": False,
        },
        ensure_ascii=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=Settings().model)
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--reasoning", type=float, default=1.0)
    args = parser.parse_args()
    settings = Settings(summariser="openai", api_key="sk-estimate-only", model=args.model)
    model = make_summariser(settings)
    assert isinstance(model, OpenAISummariser)
    offline = make_summariser(Settings(summariser="offline"))
    ins, outs, lines = [], [], []
    for article in articles(args.eval_dir):
        ins.append(model.overhead(model.prompt, article.title) + estimate_tokens(article.text))
        outs.append(estimate_tokens(draft_json(offline.summarise(article))))
        line = batch_line(model, article)
        if line is not None:
            lines.append(len(line.model_dump_json().encode("utf-8")) + 1)
    price = DEFAULT_PRICES[args.model]
    t_in, t_out = statistics.mean(ins), statistics.mean(outs) * (1 + args.reasoning)
    per_request = (t_in * price.input + t_out * price.output) / 1e6
    print(f"{len(ins)} articles; model {args.model}; prices of {PRICES_DATE}")
    print(f"tokens in per article: mean {t_in:,.0f}, median {statistics.median(ins):,.0f}, "
          f"90th percentile {sorted(ins)[int(0.9 * len(ins))]:,}")  # fmt: skip
    print(f"tokens out per article: visible {statistics.mean(outs):,.0f}, with reasoning "
          f"x{args.reasoning:g}: {t_out:,.0f}")  # fmt: skip
    print()
    print("| articles a day | tokens in | tokens out | direct | Batch API |")
    print("|---:|---:|---:|---:|---:|")
    for count in (1, 1_000, 100_000):
        # Only the briefings go through the Batch API; merges and the summary are direct.
        extra = 0.0 if count == 1 else count * MERGES_PER_ARTICLE + 1
        requests = count + extra
        direct = requests * per_request
        batch = count * per_request * (1 - price.batch) + extra * per_request
        print(
            f"| {count:,} | {requests * t_in:,.0f} | {requests * t_out:,.0f} "
            f"| ${direct:,.4f} | ${batch:,.4f} |"
        )
    print()
    per_file = min(MAX_BATCH_REQUESTS, MAX_BATCH_BYTES // round(statistics.mean(lines)))
    print(f"batch line: {statistics.mean(lines):,.0f} bytes on average; one batch file holds "
          f"{per_file:,} of them")  # fmt: skip
    print(f"requests a day at 100,000 articles: {100_000 * (1 + MERGES_PER_ARTICLE):,.0f}; "
          f"input tokens enqueued for one Batch day: {100_000 * t_in:,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
