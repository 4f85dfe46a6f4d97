"""Shell completion (issue 14 item 4): Click's, switched on by _BRIEFING_COMPLETE, with our
completions of SOURCE (file names), prompt names and versions, and template names.

In process: the environment variables the shell scripts set, through CliRunner, and Click's
ShellComplete classes directly. Once through a real bash, with the script the README installs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.shell_completion import BashComplete, ZshComplete
from click.testing import CliRunner

from briefing.cli import main
from briefing.prompts import Registry
from tests.conftest import REPO


def complete(shell: str, line: str) -> list[str]:
    """What ``briefing`` offers for the last word of ``line`` (bash: "type,value" lines)."""
    words = line.split(" ")
    env = {
        "_BRIEFING_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1) if shell != "fish" else words[-1],
    }
    result = CliRunner().invoke(main, [], prog_name="briefing", env=env)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def builtin_prompts() -> list[str]:
    registry = Registry()
    return [
        word
        for name in registry.names()
        for word in (name, *(f"{name}@v{v}" for v in registry.versions(name)))
    ]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_its_script(shell: str) -> None:
    result = CliRunner().invoke(
        main, [], prog_name="briefing", env={"_BRIEFING_COMPLETE": f"{shell}_source"}
    )
    assert result.exit_code == 0
    assert "_briefing_completion" in result.output
    assert f"_BRIEFING_COMPLETE={shell}_complete" in result.output


def test_prompts_show_completes_names_and_versions() -> None:
    assert complete("bash", "briefing prompts show ") == [
        f"plain,{word}" for word in builtin_prompts()
    ]
    assert complete("bash", "briefing prompts show me") == [
        "plain,merge",
        "plain,merge@v1",
        "plain,merge@v2",
    ]
    assert complete("bash", "briefing prompts show briefing@") == [
        "plain,briefing@v1",
        "plain,briefing@v2",
    ]


def test_prompts_show_completes_your_prompts(isolated: Path) -> None:
    mine = isolated / "mine" / "terse"
    mine.mkdir(parents=True)
    ours = (REPO / "prompts" / "merge" / "v1.md").read_text(encoding="utf-8")
    (mine / "v1.md").write_text(ours.replace('name = "merge"', 'name = "terse"'), encoding="utf-8")
    line = "briefing prompts show --prompts-dir mine te"
    assert complete("bash", line) == ["plain,terse", "plain,terse@v1"]
    # A folder that does not exist is the command's error to report, not TAB's: ours remain.
    assert complete("bash", "briefing prompts show --prompts-dir nowhere me")[0] == "plain,merge"


def test_prompts_dir_setting_counts_too(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = isolated / "mine" / "terse"
    mine.mkdir(parents=True)
    ours = (REPO / "prompts" / "merge" / "v1.md").read_text(encoding="utf-8")
    (mine / "v1.md").write_text(ours.replace('name = "merge"', 'name = "terse"'), encoding="utf-8")
    monkeypatch.setenv("BRIEFING_PROMPTS_DIR", str(isolated / "mine"))
    got = BashComplete(main, {}, "briefing", "_BRIEFING_COMPLETE").get_completions(
        ["prompts", "show"], "t"
    )
    assert [item.value for item in got] == ["terse", "terse@v1"]


def test_source_completes_file_names() -> None:
    """The shell lists the files (Click's "file" type): for build, preview and daily."""
    for line in ("briefing build ex", "briefing preview --no-open ex", "briefing daily a.txt ex"):
        assert complete("bash", line) == ["file,ex"], line
    assert complete("zsh", "briefing build ex") == ["file", "ex", "_"]
    items = ZshComplete(main, {}, "briefing", "_BRIEFING_COMPLETE").get_completions(
        ["build", "--format", "json"], ""
    )
    assert [(item.type, item.value) for item in items] == [("file", "")]


def test_commands_options_and_choices_complete() -> None:
    assert complete("bash", "briefing pro") == ["plain,prompts"]
    assert complete("bash", "briefing build --forma") == ["plain,--format"]
    assert complete("bash", "briefing build --format ") == ["plain,pdf", "plain,html", "plain,json"]
    assert complete("fish", "briefing templates show briefing.h") == ["plain,briefing.html.j2"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_real_bash_completes_prompt_versions(isolated: Path, briefing_exe: str) -> None:
    """The README's bash line, in bash: the installed command answers the completion."""
    bin_dir = Path(briefing_exe).parent
    script = (
        f'export PATH="{bin_dir}:$PATH"\n'
        'eval "$(_BRIEFING_COMPLETE=bash_source briefing)"\n'
        "COMP_WORDS=(briefing prompts show merge@) COMP_CWORD=3\n"
        "_briefing_completion briefing\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=isolated,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["merge@v1", "merge@v2"]
