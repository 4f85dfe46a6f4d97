"""Our exceptions. Each carries the process exit code documented in the README."""

from __future__ import annotations

# Exit codes (README "Exit codes"; ../shared/design.md).
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_MODEL = 4
EXIT_LOCKED = 5
EXIT_TEMPFAIL = 75


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
