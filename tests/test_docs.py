"""Docs that cannot drift: the README's tables are cog output of the code, every option, setting
and exit code is in them, and every command's --help ends with examples that parse."""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from cogapp import Cog

from briefing import docs, errors
from briefing.cli import main
from briefing.config import Settings
from briefing.settings_spec import setting_specs
from tests.conftest import REPO

README = REPO / "README.md"


def all_commands() -> Iterator[tuple[list[str], click.Command]]:
    """Every command, groups and the top level included, as the words after ``briefing``."""

    def walk(path: list[str], command: click.Command) -> Iterator[tuple[list[str], click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                yield from walk([*path, name], sub)

    yield from walk([], main)


def parse(argv: list[str]) -> click.Command:
    """Parse ``briefing ARGV`` as Click would run it, without running it: an unknown option, a
    bad choice or a missing argument raises click.UsageError. Returns the command reached."""
    command: click.Command = main
    ctx = main.make_context("briefing", [], resilient_parsing=True)
    while isinstance(command, click.Group):
        assert argv, "a group needs a subcommand"
        name, *argv = argv
        sub = command.get_command(ctx, name)
        if sub is None:
            raise click.UsageError(f"no such command {name!r}")
        command = sub
        ctx = click.Context(command, info_name=name, parent=ctx)
    with command.make_context(ctx.info_name, list(argv), parent=ctx.parent):
        return command


def invocations(line: str) -> Iterator[list[str]]:
    """The arguments of each ``briefing`` run on a shell line (after VAR=value, within pipes)."""
    segment: list[str] = []
    for word in [*shlex.split(line, comments=True), "|"]:
        if word not in ("|", "&&", ";"):
            segment.append(word)
            continue
        words = segment
        while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value before a command
            words = words[1:]
        if words and (words[0] == "briefing" or words[0].endswith("/bin/briefing")):
            yield words[1:]
        segment = []


def test_readme_is_what_cog_makes() -> None:
    """The generated tables are current: else run `cog -r README.md`."""
    cog = Cog()
    out, err = io.StringIO(), io.StringIO()
    cog.set_output(stdout=out, stderr=err)
    status = cog.main(["cog", "--check", "--diff", "--verbosity=0", str(README)])
    assert status == 0, (
        f"README.md is stale: run `cog -r README.md`\n{out.getvalue()}{err.getvalue()}"
    )


def test_every_option_setting_and_exit_code_is_documented() -> None:
    readme = README.read_text(encoding="utf-8")
    for ctx, command in docs.leaf_commands():
        for param in command.get_params(ctx):
            if isinstance(param, click.Option) and param is not command.get_help_option(ctx):
                record = param.get_help_record(ctx)
                assert record is not None, f"{ctx.command_path} {param.opts}: hidden option"
                cell = record[0].replace("|", "\\|")
                assert f"| `{cell}` |" in readme, f"{ctx.command_path}: {record[0]} undocumented"
        assert f"| `{ctx.command_path} " in readme, f"{ctx.command_path} undocumented"
    for spec in setting_specs():
        assert re.search(rf"\| `{spec.env}` \| [^|]+ \| `{spec.config_key}` \|", readme), spec.name
    for code in errors.ALL_EXIT_CODES:
        assert re.search(rf"^\| {code} \| \S", readme, re.M), f"exit code {code}"


def test_every_exit_code_constant_has_a_meaning() -> None:
    constants = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert constants == set(errors.ALL_EXIT_CODES)
    assert all(c.label for c in errors.ALL_EXIT_CODES.values())
    assert f"75 {errors.ALL_EXIT_CODES[75].label}" in CliRunner().invoke(main, ["--help"]).output


def test_settings_are_the_declarations() -> None:
    """Settings is built from settings_spec: the same fields, defaults and limits."""
    specs = {spec.name: spec for spec in setting_specs()}
    not_settings = {"api_key", "prices"}  # the environment's key; the config file's table
    assert set(Settings.model_fields) - not_settings == set(specs)
    for name, field in Settings.model_fields.items():
        if name not in not_settings:
            assert field.default == specs[name].default, name
    assert Settings.model_fields["timeout"].metadata  # Gt(0) reached pydantic
    with pytest.raises(ValueError, match="greater than 0"):
        Settings(timeout=0)


def test_every_setting_has_its_flag_on_the_commands_it_names() -> None:
    commands = {" ".join(path): command for path, command in all_commands() if path}
    for spec in setting_specs():
        assert spec.meta.help.endswith("."), spec.name
        assert spec.env.isupper() and spec.name.islower(), spec.name
        for path in spec.meta.commands:
            assert path in commands, f"setting {spec.name}: no command {path!r}"
            options = {p.name: p for p in commands[path].params}
            assert spec.name in options, f"{path} lacks the flag of {spec.name}"
            assert spec.flag in options[spec.name].opts
    for path, command in commands.items():
        given = {p.name for p in command.params} & {s.name for s in setting_specs()}
        declared = {s.name for s in setting_specs() if path in s.meta.commands}
        assert given == declared, path  # no hand-made option shadows a setting


def test_setting_flags_reach_the_settings(tmp_path: Path) -> None:
    """Flag > environment > config file, through the generated options (doctor shows them)."""
    config = tmp_path / "c.toml"
    config.write_text("fetch_timeout = 3\nconcurrency = 2\nmax_retries = 5\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["doctor", "--config", str(config), "--fetch-timeout", "5", "--allow-private"],
        env={"BRIEFING_CONCURRENCY": "4", "BRIEFING_SUMMARISER": "offline"},
    )
    (line,) = [line for line in result.output.splitlines() if "  settings: " in line]
    shown = dict(item.split("=", 1) for item in line.split("settings: ", 1)[1].split(", "))
    assert shown["fetch_timeout"] == "5.0"  # flag > file
    assert shown["allow_private"] == "True"
    assert shown["concurrency"] == "4"  # environment > file
    assert shown["max_retries"] == "5"  # file > default


@pytest.mark.parametrize(
    "path", [path for path, _ in all_commands()], ids=lambda p: " ".join(p) or "briefing"
)
def test_help_ends_with_examples_that_parse(path: list[str]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    _, marker, tail = result.output.rpartition("\n  Examples:\n")
    assert marker, f"briefing {' '.join(path)} --help has no Examples: section"
    examples = [line.strip() for line in tail.splitlines() if line.strip()]
    assert 2 <= len(examples) <= 4, examples
    for example in examples:
        runs = list(invocations(example))
        assert len(runs) == 1, example
        assert runs[0][: len(path)] == path, f"{example!r} is not an example of {path}"
        parse(runs[0])


def test_readme_shell_examples_parse() -> None:
    readme = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|crontab)\n(.*?)```", readme, re.S)
    runs = [run for block in blocks for line in block.splitlines() for run in invocations(line)]
    assert len(runs) >= 10
    for run in runs:
        try:
            parse(run)
        except click.UsageError as exc:
            pytest.fail(f"README: briefing {shlex.join(run)}: {exc.format_message()}")


def test_pdf_variant_help_names_every_variant() -> None:
    from briefing.render.pdf import PDF_VARIANTS

    (spec,) = [s for s in setting_specs() if s.name == "pdf_variant"]
    for variant in PDF_VARIANTS:
        assert variant in spec.meta.help
