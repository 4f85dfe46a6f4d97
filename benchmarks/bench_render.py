"""A long digest's PDF: laid out in parts on every core against bare WeasyPrint, 50 to 400 articles.

    python benchmarks/bench_render.py [--articles 50,100,200,400] [--workers N]
                                      [--eval-dir ../shared/eval] [--single-worker]

For each size, the same HTML (``briefing.render.render_digest_html`` of a digest of that many
articles) is laid out twice, each in a fresh process started by this script:

* **bare**: ``weasyprint.HTML(string=html).write_pdf()``, one process, nothing of ours;
* **parts**: ``briefing.render.render_digest_pdf(html, digest, workers=N)``, what ``briefing
  daily`` does (cut into parts, laid out on N worker processes, joined), with a fresh parts
  folder (no part reused); with ``--single-worker`` also with ``workers=1`` (parts one after
  the other in one process: the memory bound without the parallelism).

Reported: wall time, the ratio parts / bare (the goal: at most 0.7 on 2 cores for 200
articles), the peak resident memory of the whole process tree (sampled every 20 ms from
/proc: the parent and its workers together), pages, and seconds per article (flat from 50 to
400 is the goal). Both runs of a size happen back to back, so the ratio holds on a noisy
machine even when the seconds do not.

Articles: the evaluation sets (``cnndm-dev.jsonl`` and ``conllpp-dev.jsonl`` in
``--eval-dir``, when present), the texts of ``tests/data/stories`` and ``examples/``, briefed
offline by ``briefing daily`` into a digest. Past the number of articles there are, the
digest is extended with copies of its first stories (new numbers, titles marked "(copy 2)"),
which cost what the originals cost to lay out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BARE = """
import sys, weasyprint
from pathlib import Path
html = Path(sys.argv[1]).read_text(encoding="utf-8")
weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3])
"""
PARTS = """
import sys
from pathlib import Path
from briefing import render
from briefing.model import Digest

if __name__ == "__main__":
    html = Path(sys.argv[1]).read_text(encoding="utf-8")
    digest = Digest.model_validate_json(Path(sys.argv[2]).read_text(encoding="utf-8"))
    pdf = render.render_digest_pdf(html, digest, workers=int(sys.argv[4]),
                                   parts_dir=Path(sys.argv[5]))
    Path(sys.argv[3]).write_bytes(pdf)
"""


def corpus(eval_dir: Path, folder: Path) -> int:
    """Write every article there is as a file of ``folder``; how many."""
    texts: list[str] = []
    for name in ("cnndm-dev.jsonl", "conllpp-dev.jsonl"):
        path = eval_dir / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    texts += [p.read_text() for p in sorted((REPO / "tests/data/stories").glob("*.txt"))]
    for number, text in enumerate(texts, start=1):
        (folder / f"article-{number:04d}.txt").write_text(text, encoding="utf-8")
    for path in sorted((REPO / "examples").iterdir()):
        if path.name != "README.md":
            (folder / path.name).write_bytes(path.read_bytes())
    return len(list(folder.iterdir()))


def digest_of(folder: Path, count: int, work: Path) -> dict[str, Any]:
    """``briefing daily`` (offline) on the first ``count`` articles: the digest as JSON."""
    chosen = work / f"articles-{count}"
    chosen.mkdir()
    for path in sorted(folder.iterdir())[:count]:
        (chosen / path.name).symlink_to(path)
    out = work / f"digest-{count}.json"
    subprocess.run(
        [sys.executable, "-m", "briefing", "daily", "--from-dir", str(chosen), "-o", str(out),
         "--cache-dir", str(work / "cache"), "-q"],
        check=False, env={**os.environ, "BRIEFING_SUMMARISER": "offline"},
    )  # fmt: skip
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def extended(digest: dict[str, Any], count: int) -> dict[str, Any]:
    """The digest with copies of its first stories (and their sources) up to ``count``
    sources."""
    out = json.loads(json.dumps(digest))
    # The sources briefed (ok, cached) are in the order of the briefings, as daily writes them.
    briefed = [s for s in digest["sources"] if s["status"] in ("ok", "cached")]
    copy = 2
    while len(out["sources"]) < count:
        for story in digest["stories"]:
            if len(out["sources"]) >= count:
                break
            offset = len(out["briefings"])
            for number in story["briefings"]:
                briefing = json.loads(json.dumps(digest["briefings"][number - 1]))
                briefing["title"] += f" (copy {copy})"
                out["briefings"].append(briefing)
                status = briefed[number - 1]
                out["sources"].append({**status, "location": f"{status['location']}#{copy}"})
            twin = json.loads(json.dumps(story))
            twin["key"] += f"-copy-{copy}"
            twin["title"] += f" (copy {copy})"
            twin["briefing"]["title"] += f" (copy {copy})"
            twin["briefings"] = [offset + i for i in range(1, len(story["briefings"]) + 1)]
            out["stories"].append(twin)
        copy += 1
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total * 1024


def measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident bytes (the process tree) of ``command``."""
    started = time.monotonic()
    child = subprocess.Popen(command)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while child.poll() is None:
            peak = max(peak, tree_rss(child.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = child.wait()
    seconds = time.monotonic() - started
    sampler.join()
    if code:
        raise SystemExit(f"{command[:3]}… exited {code}")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="50,100,200,400")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--single-worker", action="store_true")
    args = parser.parse_args()
    from briefing.resources import templates_dir

    sizes = [int(n) for n in args.articles.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        articles = work / "articles"
        articles.mkdir()
        available = corpus(args.eval_dir, articles)
        print(f"{available} articles; {args.workers} workers", flush=True)
        for size in sizes:
            digest = digest_of(articles, min(size, available), work)
            if size > available:
                digest = extended(digest, size)
            json_file, html_file = work / f"d{size}.json", work / f"d{size}.html"
            json_file.write_text(json.dumps(digest))
            code = (
                "import sys; from pathlib import Path; from briefing import render;"
                "from briefing.model import Digest;"
                "d = Digest.model_validate_json(Path(sys.argv[1]).read_text());"
                "Path(sys.argv[2]).write_text(render.render_digest_html(d))"
            )
            subprocess.run([sys.executable, "-c", code, json_file, html_file], check=True)
            base = templates_dir().as_uri() + "/"
            bare_s, bare_rss = measure(
                [sys.executable, "-c", BARE, str(html_file), base, str(work / "bare.pdf")]
            )
            script = work / "parts.py"
            script.write_text(PARTS)
            runs = [args.workers] + ([1] if args.single_worker else [])
            for workers in runs:
                parts_dir = work / f"parts-{size}-{workers}"
                out = work / "parts.pdf"
                command = [sys.executable, str(script), str(html_file), str(json_file), str(out)]
                parts_s, parts_rss = measure([*command, str(workers), str(parts_dir)])
                from pypdf import PdfReader

                pages = len(PdfReader(out).pages)
                rows.append(
                    (size, len(digest["stories"]), pages, workers, bare_s, bare_rss, parts_s,
                     parts_rss)
                )  # fmt: skip
                print(_row(rows[-1]), flush=True)
    print()
    print(
        "| articles | stories | pages | workers | bare s | bare MB | parts s | parts MB "
        "| parts / bare | parts s per article | bare s per page | parts s per page |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(_row(row))


def _row(row: tuple[int, int, int, int, float, int, float, int]) -> str:
    size, stories, pages, workers, bare_s, bare_rss, parts_s, parts_rss = row
    return (
        f"| {size} | {stories} | {pages} | {workers} | {bare_s:.1f} | {bare_rss / 2**20:.0f} "
        f"| {parts_s:.1f} | {parts_rss / 2**20:.0f} | {parts_s / bare_s:.2f} "
        f"| {parts_s / size:.3f} | {bare_s / pages:.3f} | {parts_s / pages:.3f} |"
    )


if __name__ == "__main__":
    main()
