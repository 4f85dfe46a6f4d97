"""Our exceptions. Each carries one of the process exit codes declared here.

Each exit code is declared once, with a short label and its meaning; ``briefing --help`` and
the README's exit-code table (``briefing.docs``, run by cog) are made from ``ALL_EXIT_CODES``.
"""

from __future__ import annotations

from typing import NamedTuple


class ExitCode(NamedTuple):
    label: str  # a word or two, for `briefing --help`
    meaning: str  # one line, for the README: when a run ends with it


# Not named EXIT_*: those names are the codes themselves (tests/test_readme.py collects them).
ALL_EXIT_CODES: dict[int, ExitCode] = {}


def _exit_code(code: int, label: str, meaning: str = "") -> int:
    ALL_EXIT_CODES[code] = ExitCode(label, meaning)
    return code


EXIT_OK = _exit_code(0, "ok")
EXIT_FAILURE = _exit_code(
    1,
    "failure",
    "rendering, writing the output, `doctor` found a problem, `--strict` refused the briefing; "
    "`daily`: nothing could be summarised, for reasons other than the model",
)
EXIT_USAGE = _exit_code(
    2,
    "usage or bad input",
    "missing, folder, unreadable, empty, binary, undecodable or too-short article; a web page "
    "that cannot be read (private address refused, HTTP 4xx, not an article, too big, too many "
    "redirects); unknown option value; bad config or prompt",
)
EXIT_PARTIAL = _exit_code(
    3, "partial", "a digest was produced but some sources failed (daily digests)"
)
EXIT_MODEL = _exit_code(
    4,
    "model/API failure",
    "bad key, wrong model or URL, refusal, truncated or invalid answer, timeout, retries "
    "exhausted; `daily`: every source failed on the model, nothing written",
)
EXIT_LOCKED = _exit_code(5, "locked", "another run holds the lock for this output")
EXIT_TEMPFAIL = _exit_code(
    75,
    "temporary failure",
    "retry later, e.g. the model's server asked (429/503 `Retry-After`) for a wait past the "
    "deadline; the message says when; `build`/`preview` of a URL that cannot be fetched for now "
    "(no connection, unknown host, past `--fetch-timeout`, HTTP 408, 429 or 5xx); `daily`: the "
    "model was unavailable for every source (connections refused), nothing written",
)


class BriefingError(Exception):
    """Base class: a one-line, user-facing message and an exit code."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        # One line only: the CLI prints this verbatim to stderr.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(BriefingError):
    """The article given is missing, unreadable, binary, empty or too short."""

    exit_code = EXIT_USAGE


class ConfigError(BriefingError):
    """A configuration value or option is invalid."""

    exit_code = EXIT_USAGE


class RenderError(BriefingError):
    """The template or the PDF renderer failed."""

    exit_code = EXIT_FAILURE


class OutputError(BriefingError):
    """The output file could not be written."""

    exit_code = EXIT_FAILURE


class SummariserError(BriefingError):
    """The summariser could not produce a briefing."""

    exit_code = EXIT_FAILURE


class ModelError(SummariserError):
    """The language model or its API failed (bad key, refusal, timeout, invalid answer)."""

    exit_code = EXIT_MODEL


class EndpointUnreachable(ModelError):
    """No connection to the model's endpoint, after every retry: exit 4 for one article; a
    digest whose every source met it exits 75 (the endpoint may be back for the next run)."""


class GroundingError(BriefingError):
    """With --strict: an item of the briefing is not supported by the article."""

    exit_code = EXIT_FAILURE


class LockedError(BriefingError):
    """Another run holds the lock for this output."""

    exit_code = EXIT_LOCKED


class TemporaryError(BriefingError):
    """A failure that a later run may not meet (a rate limit asking for a wait past the
    deadline; a day whose every source found the endpoint unreachable): exit 75 (EX_TEMPFAIL),
    so a scheduler knows to retry."""

    exit_code = EXIT_TEMPFAIL
