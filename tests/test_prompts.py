"""Versioned prompts: frozen by the lock file, selectable, overridable; and the settings layers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.config import Settings, load_settings
from briefing.errors import ConfigError
from briefing.prompts import Registry, parse_prompt, read_lock
from briefing.resources import prompts_dir
from briefing.summarisers.openai.draft import strict_schema

PROMPTS = prompts_dir()


def all_prompt_files() -> list[Path]:
    return sorted(PROMPTS.glob("*/v*.md"))


def test_every_released_prompt_is_pinned_and_unchanged() -> None:
    pinned = read_lock()
    files = all_prompt_files()
    assert files, "no prompts shipped"
    for path in files:
        label = f"{path.parent.name}@{path.stem}"
        assert label in pinned, (
            f"{label} is not pinned in prompts/prompts.lock: add "
            f'"{label}" = "{hashlib.sha256(path.read_bytes()).hexdigest()}"'
        )
        assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned[label], (
            f"{path} changed after release: restore it and add a new version instead"
        )
    assert len(pinned) == len(files)


def test_drift_is_detected(tmp_path: Path) -> None:
    # The check above must be able to fail: an edited copy no longer matches its pin.
    copy = tmp_path / "briefing" / "v1.md"
    copy.parent.mkdir()
    copy.write_bytes((PROMPTS / "briefing" / "v1.md").read_bytes() + b"\nEdited.\n")
    edited = parse_prompt(copy, builtin=False)
    assert edited.sha256 != read_lock()["briefing@v1"]


def test_v1_parses_and_overhead_is_small() -> None:
    prompt = Registry().get("briefing@v1")
    assert (prompt.name, prompt.version) == ("briefing", 1)
    assert prompt.parameters.temperature == 0.2
    system, user = prompt.render(article_text="Body text.", article_title="T")
    assert "{{" not in system + user
    # Overhead per article: system text plus schema, estimated at 4 characters a token.
    import json

    overhead_chars = len(system) + len(json.dumps(strict_schema(), separators=(",", ":")))
    assert overhead_chars / 4 < 800


def test_delimiter_is_fresh_and_never_in_article() -> None:
    prompt = Registry().get("briefing")
    _, first = prompt.render(article_text="x", article_title="t")
    _, second = prompt.render(article_text="x", article_title="t")
    assert first.split("\n")[0] != second.split("\n")[0]


def test_prompts_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["prompts", "list"])
    assert listed.exit_code == 0
    newest = read_lock()["briefing@v2"]
    assert listed.output.startswith(f"briefing  v1,v2  sha256:{newest[:12]}  One article")
    sha = read_lock()["briefing@v1"]
    shown = runner.invoke(main, ["prompts", "show", "briefing@v1"])
    assert shown.exit_code == 0
    assert shown.output.startswith(f"# briefing@v1  sha256:{sha}\n")
    assert "<!-- system -->" in shown.output


def test_unknown_prompt_and_version() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["prompts", "show", "briefing@v9"])
    assert result.exit_code == 2
    assert result.output == "Error: prompt briefing has no version v9 (has v1, v2)\n"
    result = runner.invoke(main, ["prompts", "show", "nope"])
    assert result.output == "Error: unknown prompt 'nope' (available: briefing, digest, merge)\n"
    result = runner.invoke(main, ["prompts", "show", "Bad Name"])
    assert result.output == (
        "Error: bad prompt 'Bad Name': write NAME or NAME@vN, e.g. briefing@v1\n"
    )


def write_prompt(folder: Path, name: str, version: int, description: str) -> Path:
    path = folder / name / f"v{version}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'+++\nname = "{name}"\nversion = {version}\ndescription = "{description}"\n+++\n'
        "<!-- system -->\nBe brief. Data between {{ delimiter }} and END-{{ delimiter }}.\n"
        "<!-- user -->\n{{ delimiter }}\n{{ article_text }}\nEND-{{ delimiter }}\n",
        encoding="utf-8",
    )
    return path


def test_user_folder_overrides_by_name(tmp_path: Path) -> None:
    write_prompt(tmp_path, "briefing", 1, "Ours, overridden")
    write_prompt(tmp_path, "briefing", 2, "Ours, overridden v2")
    write_prompt(tmp_path, "terse", 1, "A terse one")
    registry = Registry([tmp_path])
    assert registry.names() == ["briefing", "digest", "merge", "terse"]
    newest = registry.get("briefing")
    assert (newest.version, newest.description, newest.builtin) == (2, "Ours, overridden v2", False)
    result = CliRunner().invoke(main, ["prompts", "list", "--prompts-dir", str(tmp_path)])
    assert "briefing  v1,v2  " in result.output and "(yours)" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "has no +++ TOML front matter"),
        ('+++\nname = "x"\nversion = 1\ndescription = "d"\n+++\nbody', "front matter says x@v1"),
        (
            '+++\nname = "p"\nversion = 1\ndescription = "d"\ncolour = 1\n+++\n',
            "front matter colour: Extra inputs are not permitted",
        ),
        (
            '+++\nname = "p"\nversion = 1\ndescription = "d"\n+++\n<!-- system -->\nonly',
            "needs a <!-- system --> part and a <!-- user --> part",
        ),
    ],
)
def test_bad_prompt_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p" / "v1.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="prompt file .*" + _re(message)):
        parse_prompt(path, builtin=False)


def _re(text: str) -> str:
    import re

    return re.escape(text)


def test_settings_precedence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "from-file"\ntimeout = 5\ntemperature = 0.5\n')
    env = {"BRIEFING_MODEL": "from-env", "BRIEFING_TIMEOUT": "7"}
    settings = load_settings(
        {"model": "from-flag", "timeout": None}, config_path=config, environ=env
    )
    assert settings.model == "from-flag"  # flag > env
    assert settings.timeout == 7  # env > file
    assert settings.temperature == 0.5  # file > default
    assert settings.max_retries == Settings().max_retries  # default


def test_user_config_dir_is_read(isolated: Path) -> None:
    config = Path.home() / ".config" / "briefing" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('summariser = "offline"\nmodel = "m"\n')
    assert load_settings({}, environ={}).summariser == "offline"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("model = [", "is not valid TOML"),
        ('colour = "red"', "unknown setting 'colour'"),
        ('api_key = "sk-x"', "api_key is not read from files; set OPENAI_API_KEY instead"),
        ("timeout = -1", None),
    ],
)
def test_bad_config(tmp_path: Path, content: str, message: str | None) -> None:
    config = tmp_path / "c.toml"
    config.write_text(content)
    result = CliRunner().invoke(main, ["build", "x.txt", "--config", str(config)])
    assert result.exit_code == 2
    expected = message or "invalid setting: timeout: Input should be greater than 0"
    assert expected in result.output
    assert result.output.count("\n") == 1


def test_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "x.txt", "--config", str(tmp_path / "no.toml")])
    assert result.exit_code == 2
    assert result.output == f"Error: config file not found: {tmp_path / 'no.toml'}\n"
