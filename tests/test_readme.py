"""The README's quick start is exactly two commands, and CI runs the second one verbatim."""

from __future__ import annotations

import re

from tests.conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quick_start_has_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    build, test = commands
    assert "pip install ." in build and "briefing build examples/syria-strike.txt" in build
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_documents_every_exit_code() -> None:
    from briefing import errors

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    for code in codes:
        assert re.search(rf"^\| {code} \|", readme, re.M), code
