"""Command-line interface: parse options, call one core function, map our errors to exit codes.

The options of the settings are made from their declarations (``briefing.options``, from
``briefing.settings_spec``); every command's docstring and examples feed its --help and the
README (``briefing.docs``). Heavy modules (WeasyPrint, openai, pydantic) are imported inside
the commands so that ``briefing --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from briefing import __version__
from briefing.cli_catalog import cache, prompts, templates
from briefing.cli_complete import complete_file
from briefing.cli_errors import BriefingClickError, BriefingGroup, map_errors, settings_from, stdin
from briefing.cli_log import log_group, models, recorded
from briefing.errors import ALL_EXIT_CODES, EXIT_FAILURE
from briefing.options import (
    cache_dir_option,
    examples,
    format_option,
    setting_options,
    source_argument,
    title_option,
    verbosity_options,
)
from briefing.output import is_stream
from briefing.terminal import setup_logging
from briefing.text.controls import escape_controls

_EXIT_CODES = ", ".join(f"{code} {c.label}" for code, c in ALL_EXIT_CODES.items())


@click.group(
    cls=BriefingGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Turn news articles into analyst-grade briefings (PDF, HTML draft or JSON).\n\n"
    f"Exit codes: {_EXIT_CODES}.",
    epilog=examples(
        "briefing build article.txt",
        "briefing preview article.txt --serve",
        "briefing daily --from-dir news/ --feed https://example.org/rss",
        "briefing doctor",
    ),
)
@click.version_option(__version__, prog_name="briefing")
def main() -> None:
    pass  # the help is given above: its exit codes come from briefing.errors


@main.command(
    epilog=examples(
        "briefing build article.txt",
        "briefing build https://example.org/news/story.html -o briefs/ --format html",
        "briefing build article.txt --strict --marking TLP:AMBER --style compact",
        "OPENAI_BASE_URL=http://localhost:11434/v1 briefing build article.txt --model llama3.1",
    )
)
@source_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(),  # a str: a trailing "/" means a folder
    help="Output file, or folder for the default name. [default: output/DATE-SLUG.FORMAT]",
)
@format_option
@title_option
@setting_options("build")
@verbosity_options
@map_errors
@recorded("build")
def build(
    source: str,
    output: str | None,
    fmt: str | None,
    title: str | None,
    verbose: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Brief one article into a PDF, an HTML draft or JSON.

    SOURCE is a text, Markdown or HTML file, an http(s) URL (fetched as daily fetches, see
    --allow-private and --fetch-timeout), or - for stdin. Prints the path of the file written.
    """
    from briefing.pipeline import BuildOptions
    from briefing.pipeline import build as run_build

    setup_logging(verbose, quiet)
    settings = settings_from(flags)
    result = run_build(
        BuildOptions(source=source, output=output, fmt=fmt, title=title, settings=settings),
        stdin=stdin(),
    )
    logging.getLogger("briefing").info(result.summary())
    if not is_stream(result.path):  # -o /dev/stdout: the document is what went to stdout
        click.echo(escape_controls(str(result.path)))


@main.command(
    epilog=examples(
        "briefing preview article.txt",
        "briefing preview article.txt --no-open --style compact",
        "briefing preview article.txt --serve --port 8000 --template-dir my-templates/",
    )
)
@source_argument
@title_option
@click.option(
    "--open/--no-open",
    "open_browser",
    default=True,
    help="Open the draft in the default browser (--no-open: only print the path). [default: open]",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve a live draft on 127.0.0.1 that rebuilds and reloads itself when the article, "
    "a template or a prompt changes; Ctrl-C stops it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="PORT",
    default=8765,
    show_default=True,
    help="Port of --serve (0: any free port).",
)
@setting_options("preview")
@verbosity_options
@map_errors
def preview(
    source: str,
    title: str | None,
    open_browser: bool,
    serve: bool,
    port: int,
    verbose: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Open the HTML draft of SOURCE in the browser, or serve it live.

    The draft is written to a temporary file and opened in the default browser (--no-open:
    only its path is printed). With --serve, a live draft at http://127.0.0.1:PORT/ instead
    (loopback only): the page reloads by itself within a second when the article, a template
    or a prompt changes; a template change re-renders without re-summarising. A link shows
    the PDF of the same draft. Errors appear in the page and the server keeps running.
    """
    from briefing.browser import open_or_say
    from briefing.pipeline import BuildOptions
    from briefing.pipeline import preview as run_preview

    setup_logging(verbose, quiet)
    settings = settings_from(flags)
    options = BuildOptions(source=source, title=title, fmt="html", settings=settings)
    if serve:
        from briefing.preview import PreviewServer

        dirs = [settings.template_dir] if settings.template_dir else []
        with PreviewServer(options, port=port, template_dirs=dirs) as server:
            click.echo(f"Serving {server.title} at {server.url} (Ctrl-C to stop)")
            if open_browser:
                open_or_say(server.url)
            server.serve_forever()  # returns on Ctrl-C, stopped
        click.echo("stopped")
        return
    path = run_preview(options, stdin=stdin())
    click.echo(str(path))
    if open_browser:
        open_or_say(str(path))


@main.command(
    epilog=examples(
        "briefing doctor",
        "briefing doctor --probe",
        "OPENAI_BASE_URL=http://localhost:11434/v1 briefing doctor --probe --model llama3.1",
    )
)
@click.option(
    "--probe",
    is_flag=True,
    help="Also send one short briefing request through the build's own path (parameter "
    "policy, strict schema, the same answer check; no retry, no repair) and report the model, "
    "latency and parameters sent, or the exact failure. Costs a few thousand tokens.",
)
@setting_options("doctor")
@verbosity_options
@map_errors
def doctor(probe: bool, verbose: bool, quiet: bool, **flags: Any) -> None:
    """Check the set-up: PDF libraries, data files, settings and the model endpoint.

    Checks WeasyPrint's native libraries, the data files and pinned prompts, the settings in
    force (key masked) and, for openai, that the endpoint answers GET /models. Exit 1 when a
    check fails.
    """
    from briefing.doctor import run_checks

    setup_logging(verbose, quiet)
    config_path = flags["config_path"]
    settings = settings_from(flags)
    failed = False
    for check in run_checks(settings, config_path, probe=probe):
        failed |= not check.ok
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if failed:
        raise BriefingClickError("some checks failed", EXIT_FAILURE)


@main.command(
    "eval",
    epilog=examples(
        "briefing eval cnndm-dev.jsonl --summariser offline --limit 20",
        "briefing eval cnndm-dev.jsonl --summariser offline --summariser openai",
        "briefing eval cnndm-dev.jsonl --summariser openai --prompt briefing@v1 "
        "--prompt briefing@v2 --model gpt-4.1-mini",
    ),
)
@click.argument("dataset", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--summariser",
    "summarisers",
    multiple=True,
    type=click.Choice(["auto", "offline", "openai"]),
    help="Summariser to score; repeat to compare. [default: auto]",
)
@click.option(
    "--prompt",
    "prompt_specs",
    multiple=True,
    metavar="NAME[@vN]",
    help="Prompt version for openai; repeat to compare versions.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), metavar="N", help="Score only the first N items."
)
@setting_options("eval")
@map_errors
@recorded("eval")
def eval_command(
    dataset: Path,
    summarisers: tuple[str, ...],
    prompt_specs: tuple[str, ...],
    limit: int | None,
    **flags: Any,
) -> None:
    """Score summarisers and prompt versions on a JSONL data set.

    DATASET.jsonl has one {id, text, reference} object a line. Prints one Markdown table:
    ROUGE-1/2/Lsum of the situation against the reference, evidence quotes found verbatim,
    actors and risks per briefing, failures, latency, tokens. Items with gold "entities"
    (name, type, mentions) add actor precision, key recall and actors per briefing. Needs
    the eval extra: pip install 'briefing-cli[eval]' (in a clone: pip install '.[eval]').
    """
    from briefing.evaluate import configurations, format_table, load_dataset, run_eval

    setup_logging(False, True)
    base = settings_from(flags)
    items = load_dataset(dataset, limit)
    configs = configurations(summarisers, prompt_specs, base)
    click.echo(format_table(run_eval(items, configs, base.concurrency)))


@main.command(
    epilog=examples(
        "briefing daily --from-dir news/ --feed https://example.org/rss",
        "briefing daily article.txt https://example.org/story -o today.html",
        "briefing daily --urls urls.txt --date 2026-11-26 -q --log-file daily.log",
        "briefing daily --from-dir news/ --batch   # exit 75 now; rerun later to collect",
    )
)
@click.argument("sources", nargs=-1, metavar="[SOURCE]...", shell_complete=complete_file)
@click.option(
    "--from-dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Folder of article files (.txt, .md, .html).",
)
@click.option(
    "--urls",
    "urls_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File with one article URL per line (# comments).",
)
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="RSS/Atom feed; repeatable.")
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    metavar="N",
    default=10,
    show_default=True,
    help="Items taken from each feed.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file or folder. [default: output/briefing-DATE.FORMAT]",
)
@format_option
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Date of the digest. [default: today]",
)
@cache_dir_option
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached briefings.")
@click.option("--force", is_flag=True, help="Rewrite the digest even if nothing changed.")
@click.option(
    "--batch",
    is_flag=True,
    help="Send the briefing requests as one OpenAI Batch job (half price, answered within "
    "24 h): the first run submits it and exits 75 writing nothing; a rerun of the same day "
    "exits 75 while it runs, then collects it and writes the digest. Articles it did not "
    "answer, and those too long for one request, are briefed directly.",
)
@click.option(
    "--batch-wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --batch (implied): wait up to SECONDS for the batch, looking every minute, "
    "instead of exiting 75 at once.",
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also append the log lines to this file, with a timestamp.",
)
@setting_options("daily")
@verbosity_options
@map_errors
@recorded("daily")
def daily(
    sources: tuple[str, ...],
    from_dir: Path | None,
    urls_file: Path | None,
    feeds: tuple[str, ...],
    max_items: int,
    output: str | None,
    fmt: str | None,
    day: Any,
    cache_dir: Path | None,
    no_cache: bool,
    force: bool,
    batch: bool,
    batch_wait: float | None,
    log_file: Path | None,
    verbose: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Brief many sources into one dated digest (for cron).

    The digest is read in minutes: a cover with the day's picture (stories new, developing and
    dropped since the previous digest), an executive summary led by what changed, one card per
    story (articles on the same event are one story), the stories dropped, and an appendix of
    every source with its status; --detail full adds each story's full briefing. SOURCE is a
    file, a folder of articles or an article URL. -q prints nothing when all went well. Exit
    3: the digest was written but some sources failed (see its appendix); when nothing could
    be briefed nothing is written and the exit code says why (briefing --help lists them).
    With --batch the briefing requests go to the OpenAI Batch API at half price: exit 75
    (nothing written) until a rerun collects the batch, as in a two-line crontab (README).
    """
    from briefing.daily import DailyOptions, run_daily
    from briefing.terminal import daily_display, report_daily

    setup_logging(verbose, quiet)
    settings = settings_from(flags)
    with daily_display(verbose=verbose, quiet=quiet, log_file=log_file) as progress:
        result = run_daily(
            DailyOptions(
                sources=sources,
                from_dir=from_dir,
                urls_file=urls_file,
                feeds=feeds,
                output=output,
                fmt=fmt,
                day=day.date() if day else None,
                max_items=max_items,
                concurrency=settings.concurrency,
                cache_dir=cache_dir,
                use_cache=not no_cache,
                force=force,
                batch=batch or batch_wait is not None,
                batch_wait=batch_wait,
                allow_private=settings.allow_private,
                fetch_deadline=settings.fetch_timeout,
                settings=settings,
            ),
            progress=progress,
        )
        report_daily(result, quiet=quiet)  # in the log file too
    if not quiet and not is_stream(result.path):  # -q: nothing on stdout; a good night, no line
        click.echo(escape_controls(str(result.path)))
    if result.exit_code:
        sys.exit(result.exit_code)


main.add_command(prompts)
main.add_command(templates)
main.add_command(cache)
main.add_command(log_group)
main.add_command(models)
