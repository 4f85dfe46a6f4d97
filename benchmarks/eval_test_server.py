"""`briefing eval` for offline and for openai briefing@v1 against the local test server.

    python benchmarks/eval_test_server.py [--data ../shared/eval/cnndm-dev.jsonl] [--limit 20]

The test server (tests/openai_server.py) is not a language model: it answers every request
with a schema-valid draft built from the article it was sent (its first two sentences as the
situation, one quote per item). So the openai row measures the plumbing, not a model: the
request/validation path, concurrency, latency over real HTTP, and the prompt's token overhead
(prompt tokens are estimated at 4 characters a token from the messages actually sent).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.openai_server import FakeOpenAI, Reply  # noqa: E402


def answer(body: dict[str, Any]) -> Reply:
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    article = user.split("\n\n", 1)[1].rsplit("\nEND-", 1)[0]
    sentences = re.split(r"(?<=[.!?])\s+", article.strip())
    first = sentences[0]
    draft = {
        "title": " ".join(first.split()[:10]),
        "situation": " ".join(sentences[:2]),
        "actors": [
            {"name": w, "kind": "other", "role": "Named in the article.", "evidence": [first]}
            for w in re.findall(r"\b[A-Z][a-z]{3,}\b", first)[:3]
        ],
        "assessment": {
            "text": sentences[-1],
            "confidence": "moderate",
            "evidence": [sentences[-1]],
        },
        "risks": [],
        "injection_suspected": False,
    }
    import json

    prompt_chars = len(system) + len(user) + len(json.dumps(body["response_format"]))
    content = json.dumps(draft)
    return Reply.chat(
        content, prompt_tokens=prompt_chars // 4, completion_tokens=len(content) // 4, delay=0.05
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "eval" / "cnndm-dev.jsonl"
    )
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args()
    with FakeOpenAI(models=["test-model"]) as server:
        server.default = Reply.dynamic(answer)
        cmd = [
            sys.executable,
            "-m",
            "briefing",
            "eval",
            str(args.data),
            "--summariser",
            "offline",
            "--summariser",
            "openai",
            "--prompt",
            "briefing@v1",
            "--model",
            "test-model",
            "--base-url",
            server.url,
            "--limit",
            str(args.limit),
            "--concurrency",
            "4",
        ]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
