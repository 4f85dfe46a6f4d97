"""The repository's top level stays within the agreed layout (no wheels, caches or scratch)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO

LAYOUT = {
    ".ci",
    ".gitignore",
    "README.md",
    "benchmarks",
    "briefing",
    "docs",
    "examples",
    "output",
    "prompts",
    "pyproject.toml",
    "templates",
    "tests",
}


def tracked() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return out.splitlines()


def test_top_level_is_the_agreed_layout() -> None:
    top = {path.split("/", 1)[0] for path in tracked()}
    assert top <= LAYOUT, f"not part of the layout: {sorted(top - LAYOUT)}"


def test_no_build_outputs_or_caches_are_tracked() -> None:
    bad = [
        p
        for p in tracked()
        if p.endswith((".whl", ".pyc", ".tar.gz", ".gguf"))
        or "__pycache__/" in p
        or (p.startswith("output/") and p != "output/.gitkeep")
    ]
    assert bad == []


def test_every_image_in_docs_is_used() -> None:
    text = "\n".join(
        (REPO / name).read_text(encoding="utf-8")
        for name in ("README.md", "templates/README.md", "examples/README.md")
    )
    unused = [p for p in tracked() if p.startswith("docs/") and p not in text]
    assert unused == []
