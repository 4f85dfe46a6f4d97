"""Install hints (issue 14 item 4): "briefing" on PyPI is an unrelated project, so we are
distributed as briefing-cli, and every ``pip install`` we print or document works both in a
clone ('.[eval]') and where the package was installed ('briefing-cli[eval]')."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from briefing.version import DISTRIBUTION, __version__
from tests.conftest import REPO, RunCli

NAME = "briefing-cli"


def pyproject() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_distribution_name_is_ours() -> None:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    assert project["name"] == NAME == DISTRIBUTION
    assert project["version"] == __version__
    assert project["scripts"] == {"briefing": "briefing.cli:main"}  # the command stays
    # The test extra pulls in the eval extra of this distribution, not of PyPI's "briefing".
    assert f"{NAME}[eval]" in project["optional-dependencies"]["test"]


def hint_files() -> list[Path]:
    files = [
        REPO / "README.md",
        REPO / "pyproject.toml",
        *sorted((REPO / "briefing").rglob("*.py")),
    ]
    return [*files, *sorted((REPO / "tests").glob("*.py"))]


def test_every_install_hint_names_a_real_target() -> None:
    """'.[x]' (a clone) or 'briefing-cli[x]' (installed), never 'briefing[x]' or a bare
    'pip install briefing', which would install someone else's code."""
    wrong = re.compile(r"""pip install (-\S+ )*['"]?briefing(\[|['"\s]|$)""", re.M)
    hint = re.compile(r"""pip install (-\S+ )*['"]?([^'"\s]+)""")
    for path in hint_files():
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        assert not wrong.search(text), f"{path.relative_to(REPO)}: {wrong.search(text)}"
        assert '"briefing[' not in text, path
        for match in hint.finditer(text):
            target = match.group(2)
            # {DISTRIBUTION}[: the f-string of briefing/evaluate.py
            assert target.startswith((".", f"{NAME}[", "{DISTRIBUTION}[")), (
                f"{path.relative_to(REPO)}: pip install {target}"
            )


def test_eval_without_rouge_names_both_installs(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "d.jsonl").write_text(
        '{"id": "1", "text": "Some text.", "reference": "Text."}\n', encoding="utf-8"
    )
    monkeypatch.setitem(sys.modules, "rouge_score", None)  # as if not installed
    result = run_cli("eval", "d.jsonl", "--summariser", "offline")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: briefing eval needs the rouge-score package: pip install 'briefing-cli[eval]' "
        "(in a clone: pip install '.[eval]')\n"
    )


def test_eval_help_names_both_installs(run_cli: RunCli) -> None:
    help_text = " ".join(run_cli("eval", "--help").stdout.split())
    assert "pip install 'briefing-cli[eval]' (in a clone: pip install '.[eval]')" in help_text
