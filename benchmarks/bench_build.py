"""Benchmark `briefing build` against bare WeasyPrint on the same HTML, and `briefing --help`.

Reported as ratios measured in the same run (machines are noisy; absolute times mean little):

    python benchmarks/bench_build.py [--article examples/syria-strike.txt] [--repeat 5]

* build/weasyprint: wall time of the whole `briefing build` (read, summarise, render, write) over
  bare ``weasyprint.HTML(string=html).write_pdf()`` on the HTML that build produced; each in a
  fresh process, so both pay interpreter and import start-up. Peak RSS ratio likewise.
* in-process: the same comparison without start-up, to show where our own time goes.
* --help: wall time of `briefing --help` and whether it imported WeasyPrint or openai.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BRIEFING = [sys.executable, "-m", "briefing"]


def wall_time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_rss(cmd: list[str], cwd: Path) -> int:
    """Peak RSS (KiB) of one run, measured by a parent that runs nothing else."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *cmd], cwd=cwd, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def median_time(cmd: list[str], cwd: Path, repeat: int) -> float:
    return statistics.median(wall_time(cmd, cwd) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=REPO / "examples" / "syria-strike.txt")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    article = args.article.resolve()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(
            [*BRIEFING, "build", str(article), "-o", "b.html"],
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        html_path = work / "b.html"
        bare = [
            sys.executable,
            "-c",
            "import sys, weasyprint\n"
            "html = open(sys.argv[1], encoding='utf-8').read()\n"
            "weasyprint.HTML(string=html).write_pdf('bare.pdf')\n",
            str(html_path),
        ]
        ours = [*BRIEFING, "build", str(article), "-o", "ours.pdf"]
        # Warm the file cache and font cache once.
        subprocess.run(ours, cwd=work, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(bare, cwd=work, check=True)

        t_ours = median_time(ours, work, args.repeat)
        t_bare = median_time(bare, work, args.repeat)
        rss_ours = peak_rss(ours, work)
        rss_bare = peak_rss(bare, work)

        # In-process: what our pipeline adds over the render itself.
        sys.path.insert(0, str(REPO))
        import weasyprint

        from briefing.pipeline import BuildOptions, build

        html = html_path.read_text(encoding="utf-8")
        in_ours, in_bare = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            build(BuildOptions(source=str(article), output=work / "in.pdf"))
            in_ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            weasyprint.HTML(string=html).write_pdf(work / "in-bare.pdf")
            in_bare.append(time.perf_counter() - start)

        help_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([*BRIEFING, "--help"], cwd=work, check=True, stdout=subprocess.DEVNULL)
            help_times.append(time.perf_counter() - start)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from briefing.cli import main\n"
                "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                "print(sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'openai'}),"
                " file=sys.stderr)",
            ],
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        )

    m = statistics.median
    print(
        f"article: {article.name} ({len(article.read_text(encoding='utf-8').split())} words),"
        f" median of {args.repeat}, python {sys.version.split()[0]}, "
        f"weasyprint {weasyprint.__version__}, {os.cpu_count()} cpus"
    )
    print()
    print("| measure | briefing | bare WeasyPrint | ratio |")
    print("|---|---|---|---|")
    print(f"| build, fresh process (s) | {t_ours:.3f} | {t_bare:.3f} | {t_ours / t_bare:.2f} |")
    print(
        f"| build, in process (s) | {m(in_ours):.3f} | {m(in_bare):.3f} | "
        f"{m(in_ours) / m(in_bare):.2f} |"
    )
    print(
        f"| peak RSS (MiB) | {rss_ours / 1024:.0f} | {rss_bare / 1024:.0f} | "
        f"{rss_ours / rss_bare:.2f} |"
    )
    print()
    print(
        f"`briefing --help`: {m(help_times):.3f} s (target < 0.15 s); "
        f"heavy modules imported: {probe.stderr.strip()}"
    )


if __name__ == "__main__":
    main()
