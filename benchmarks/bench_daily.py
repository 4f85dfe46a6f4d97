"""40 articles against a model server that takes 1 s per answer: wall time of `briefing daily`.

    python benchmarks/bench_daily.py [--articles 40] [--latency 1.0] [--concurrency 8]

The server is the project's OpenAI-compatible test server (tests/openai_server.py) with a fixed
delay per answer; the articles are the examples, each made distinct (so copies of one example
are one story of several sources). Reports the wall time, the ideal time (ceil(articles /
concurrency) briefing rounds, one round of story merges when a story has several sources, and
one request for the day's summary, each `latency` long) and their ratio, then the same run
again (all cached: zero model requests).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.openai_server import FakeOpenAI, Reply  # noqa: E402


def draft() -> dict[str, Any]:
    quote = "British and French forces carried out a coordinated air strike"
    return {
        "title": "Strike on an Islamic State cache",
        "situation": "British and French forces struck an Islamic State weapons cache.",
        "actors": [
            {
                "name": "United Kingdom",
                "kind": "state",
                "role": "Struck the cache.",
                "evidence": [quote],
            }
        ],
        "assessment": {"text": "A limited strike.", "confidence": "moderate", "evidence": [quote]},
        "risks": [],
        "injection_suspected": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    examples = [p for p in sorted((REPO / "examples").iterdir()) if p.name != "README.md"]

    def answer(body: dict[str, Any]) -> Reply:
        if "executive summary" in body["messages"][0]["content"]:
            return Reply.json(
                {"points": [{"text": "A busy day.", "briefings": [1]}]}, delay=args.latency
            )
        return Reply.json(draft(), delay=args.latency)

    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI() as server:
        server.default = Reply.dynamic(answer)
        work = Path(tmp)
        folder = work / "in"
        folder.mkdir()
        for n in range(args.articles):
            src = examples[n % len(examples)]
            text = src.read_text(encoding="utf-8")
            marker = f"Dispatch number {n} closes here."
            text = (
                text.replace("</article>", f"<p>{marker}</p></article>")
                if src.suffix == ".html"
                else text.rstrip() + f"\n\n{marker}\n"
            )
            (folder / f"{n:03d}-{src.name}").write_text(text, encoding="utf-8")
        env = dict(
            os.environ,
            OPENAI_BASE_URL=server.url,
            OPENAI_API_KEY="bench",
            XDG_CACHE_HOME=str(work / "cache"),
        )
        cmd = [
            sys.executable,
            "-m",
            "briefing",
            "daily",
            "--from-dir",
            str(folder),
            "-o",
            str(work / "d.json"),
            "--concurrency",
            str(args.concurrency),
            "-q",
        ]
        runs = []
        for label in ("cold (no cache)", "warm (all cached)"):
            before = server.chat_calls
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, cwd=work)
            runs.append((label, time.perf_counter() - start, server.chat_calls - before))
        data = json.loads((work / "d.json").read_text())
    merges = sum(1 for story in data.get("stories", []) if len(story["sources"]) > 1)
    rounds = math.ceil(args.articles / args.concurrency) + math.ceil(merges / args.concurrency)
    ideal = (rounds + 1) * args.latency
    print(
        f"{args.articles} articles, {args.latency:g} s per answer, concurrency "
        f"{args.concurrency}, {os.cpu_count()} cpus; digest of {len(data['briefings'])} "
        f"briefings in {len(data.get('stories', []))} stories ({merges} merged)"
    )
    print()
    print("| run | wall s | model requests | wall / ideal |")
    print("|---|---|---|---|")
    for label, wall, calls in runs:
        print(f"| {label} | {wall:.2f} | {calls} | {wall / ideal:.2f} |")
    print()
    print(
        "ideal (ceil(n / concurrency) briefing rounds + merge rounds + 1 summary request) = "
        f"{ideal:.1f} s"
    )


if __name__ == "__main__":
    main()
