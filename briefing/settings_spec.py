"""Every setting, declared once: its type, default, limits, and how a user sets and reads it.

A setting is one annotated attribute of ``SettingsFields``::

    timeout: Annotated[float, Gt(0), Setting("Seconds per model request.", ...)] = 60.0

From that line follow the field of ``briefing.config.Settings`` (pydantic reads the type, the
default and the ``annotated_types`` limits), the config-file key (the name), the environment
variable (``BRIEFING_<NAME>`` unless ``env=`` says otherwise), the flag of each command in
``commands`` (``briefing.options``), its ``--help`` line and the README's settings table
(``briefing.docs``).

To add a setting, add one such attribute here (and read ``settings.<name>`` where it matters),
then run ``cog -r README.md``: the flag, the variable, the config key, --help and the README
follow, and tests/test_docs.py checks that they did.

This module is plain data on purpose: ``briefing --help`` builds every option from it without
importing pydantic (see tests/test_build.py::test_help_does_not_import_heavy_modules).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, MaxLen

# Cheap, fast, widely available, long context, strict json_schema. A reasoning model: it takes
# max_completion_tokens and no temperature (see briefing/summarisers/openai/params.py).
DEFAULT_MODEL = "gpt-5-mini"

ReasoningEffort = Literal["minimal", "low", "medium", "high"]

SummariserChoice = Literal["auto", "offline", "openai"]

# The commands that take a setting as a flag. doctor takes every flag: it shows the settings
# in force, so `briefing doctor --model X` checks what `briefing build --model X` would use.
SUMMARISE = ("build", "preview", "daily", "eval", "doctor")  # how the model is asked
BRIEF = ("build", "preview", "daily", "doctor")  # what one briefing says and looks like
FETCH = ("build", "preview", "daily", "doctor")  # reading sources from the web
PROMPTS = ("prompts list", "prompts show")
TEMPLATES = ("templates list", "templates show")
ENDPOINT = (*SUMMARISE, "models")  # where the model is: `briefing models` asks it too
RECORDED = ("build", "daily", "eval", "doctor")  # the runs kept in the history (briefing log)


@dataclass(frozen=True)
class Setting:
    """How a user sets one field of ``Settings`` and what it means (metadata of its type)."""

    help: str  # one or two sentences: the --help text and the README's "meaning"
    commands: tuple[str, ...] = ()  # command paths with a flag for it; (): env and file only
    env: str | None = None  # None: BRIEFING_<NAME>
    flag: str | None = None  # None: --<name with dashes>
    metavar: str | None = None  # None: Click's (a Choice lists its values)
    default_text: str | None = None  # the default in words when the value says little (None)
    folder: bool = False  # a Path setting naming a folder rather than a file


@dataclass(frozen=True)
class SettingSpec:
    """One setting as the option generator and the docs need it, names worked out."""

    name: str  # the field name, which is also the config-file key
    type: Any  # the annotation without its metadata, e.g. ``float`` or ``Path | None``
    default: Any
    meta: Setting

    @property
    def env(self) -> str:
        return self.meta.env or f"BRIEFING_{self.name.upper()}"

    @property
    def flag(self) -> str:
        return self.meta.flag or "--" + self.name.replace("_", "-")

    @property
    def config_key(self) -> str:
        return self.name

    @property
    def value_type(self) -> Any:
        """The type a given value has: ``X | None`` is X (None is "not set", never typed)."""
        args = [a for a in typing.get_args(self.type) if a is not type(None)]
        if typing.get_origin(self.type) in (typing.Union, types.UnionType) and len(args) == 1:
            return args[0]
        return self.type

    @property
    def choices(self) -> tuple[str, ...] | None:
        if typing.get_origin(self.value_type) is Literal:
            return tuple(str(a) for a in typing.get_args(self.value_type))
        return None

    @property
    def default_words(self) -> str | None:
        """The default as --help and the README say it; None when there is nothing to say."""
        if self.meta.default_text is not None:
            return self.meta.default_text
        if self.default is None:
            return None
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return str(self.default)

    def takes_flag(self, command: str) -> bool:
        return command in self.meta.commands


class SettingsFields:
    """The fields of ``briefing.config.Settings`` with their metadata (see the module doc).

    A plain class, so that the flags can be built without pydantic; Settings inherits these
    annotations and defaults, and type checkers see the same attributes on it."""

    summariser: Annotated[
        SummariserChoice,
        Setting(
            "Which summariser writes the briefing: auto is openai when OPENAI_API_KEY or "
            "OPENAI_BASE_URL is set, else offline (saying so on stderr).",
            commands=BRIEF,
        ),
    ] = "auto"
    model: Annotated[
        str,
        Setting("Model name (or Azure deployment name).", commands=ENDPOINT, metavar="NAME"),
    ] = DEFAULT_MODEL
    base_url: Annotated[
        str | None,
        Setting(
            "OpenAI-compatible endpoint (Azure, Ollama, vLLM, llama.cpp, LM Studio), e.g. "
            "http://localhost:11434/v1: an http:// or https:// URL with a host.",
            commands=ENDPOINT,
            env="OPENAI_BASE_URL",
            metavar="URL",
            default_text="OpenAI's",
        ),
    ] = None
    timeout: Annotated[
        float,
        Gt(0),
        Setting("Seconds per model request.", commands=ENDPOINT, metavar="SECONDS"),
    ] = 60.0
    deadline: Annotated[
        float,
        Gt(0),
        Setting(
            "Seconds per article for every request, retry, wait and the repair request; each "
            "request's timeout is cut to what is left and no retry waits past it.",
            metavar="SECONDS",
        ),
    ] = 180.0
    max_retries: Annotated[
        int,
        Ge(0),
        Le(10),
        Setting(
            "Retries of connection errors, timeouts, 408, 409, 429 and 5xx (Retry-After, "
            "retry-after-ms and x-should-retry honoured; else 0.5 s doubling to 8 s, with "
            "jitter).",
            metavar="N",
        ),
    ] = 2
    temperature: Annotated[
        float | None,
        Ge(0),
        Le(2),
        Setting(
            "Sampling temperature (not sent to reasoning models).",
            commands=SUMMARISE,
            metavar="T",
            default_text="the prompt's",
        ),
    ] = None
    max_tokens: Annotated[
        int | None,
        Gt(0),
        Setting(
            "Longest answer, in tokens; reasoning models get it as max_completion_tokens, which "
            "counts their reasoning too (by default the prompt's plus 24000).",
            commands=SUMMARISE,
            metavar="N",
            default_text="the prompt's",
        ),
    ] = None
    # Sent only to models that reason (o-series, gpt-5): see briefing/summarisers/openai/params.py.
    reasoning_effort: Annotated[
        ReasoningEffort | None,
        Setting(
            "How hard a reasoning model (o-series, gpt-5) thinks; not sent to other models.",
            commands=SUMMARISE,
            default_text="the model's",
        ),
    ] = None
    prompt: Annotated[
        str | None,
        Setting(
            "Prompt and version, e.g. briefing@v1.",
            commands=BRIEF,
            metavar="NAME[@vN]",
            default_text="newest briefing",
        ),
    ] = None
    prompts_dir: Annotated[
        Path | None,
        Setting(
            "Folder of your own prompts; a name there overrides ours.",
            commands=SUMMARISE + PROMPTS,
            metavar="DIR",
            folder=True,
        ),
    ] = None
    # Longer articles are summarised map-reduce in chunks of at most this many tokens.
    max_input_tokens: Annotated[
        int,
        Ge(1_000),
        Setting(
            "Model input budget in tokens; a longer article is split into chunks, briefed per "
            "chunk and merged.",
            commands=SUMMARISE,
            metavar="N",
        ),
    ] = 16_000
    language: Annotated[
        str | None,
        Setting(
            "Write the briefing in this language (code or English name, e.g. fr, Arabic), "
            "whatever the article's; needs a language model. Evidence quotes stay verbatim.",
            commands=BRIEF,
            metavar="LANG",
            default_text="the article's",
        ),
    ] = None
    style: Annotated[
        Literal["standard", "compact"],
        Setting("standard, or compact: a one-page brief for quick reading.", commands=BRIEF),
    ] = "standard"
    # None: the style's own default (footnotes; none for the compact style)
    evidence: Annotated[
        Literal["footnotes", "appendix", "none"] | None,
        Setting(
            "Where evidence quotes go in the PDF/HTML.",
            commands=BRIEF,
            default_text="footnotes (none when compact)",
        ),
    ] = None
    # How much of each story a daily digest shows (briefing.render.digest.Detail).
    detail: Annotated[
        Literal["cards", "full"],
        Setting(
            "What a digest shows of each story: cards, one compact card per story (at most a "
            "page); full, the cards and then every story's full briefing in an annex.",
            commands=("daily",),
        ),
    ] = "cards"
    template_dir: Annotated[
        Path | None,
        Setting(
            "Folder of your own templates (see templates/README.md); a file there overrides "
            "ours by name.",
            commands=BRIEF + TEMPLATES,
            metavar="DIR",
            folder=True,
        ),
    ] = None
    marking: Annotated[
        str | None,
        MaxLen(60),
        Setting(
            "Handling marking on every page, top and bottom, and in the metadata, e.g. "
            "TLP:AMBER; at most 60 characters.",
            commands=BRIEF,
            metavar="TEXT",
        ),
    ] = None
    pdf_variant: Annotated[
        str | None,
        Setting(
            "Archival or accessible PDF: pdf/a-1b, pdf/a-2b, pdf/a-3b, pdf/a-2u, pdf/a-3u, "
            "pdf/a-1a, pdf/a-2a, pdf/a-3a, pdf/ua-1 or pdf/ua-2 (the a and ua ones tagged, "
            "with language, title and headings).",
            commands=BRIEF,
            metavar="VARIANT",
        ),
    ] = None
    strict: Annotated[
        bool,
        Setting(
            "Fail (exit 1, nothing written) when an item, or a name or number of the "
            "situation, is not supported by the article.",
            commands=BRIEF,
        ),
    ] = False
    # Off: sources are untrusted, and an address inside the network is no place to fetch from.
    allow_private: Annotated[
        bool,
        Setting(
            "Fetch from loopback, private and link-local addresses (intranet sources).",
            commands=FETCH,
        ),
    ] = False
    fetch_timeout: Annotated[
        float,
        Ge(0.1),
        Setting(
            "Seconds per web fetch, redirects and body included.",
            commands=FETCH,
            metavar="SECONDS",
        ),
    ] = 20.0
    concurrency: Annotated[
        int,
        Ge(1),
        Le(64),
        Setting(
            "Articles fetched and summarised at once.",
            commands=("daily", "eval", "doctor"),
            metavar="N",
        ),
    ] = 8
    workers: Annotated[
        int,
        Ge(0),
        Le(64),
        Setting(
            "Processes laying out a long digest's PDF at once, a few stories each (0: one per "
            "core). Parts already laid out are kept in the cache, so a rerun after a crash "
            "resumes.",
            commands=("daily",),
            metavar="N",
        ),
    ] = 0
    history: Annotated[
        bool,
        Setting(
            "Record the run in the history beside the cache (when, sources, model, tokens, "
            "cost, outcome, titles; never the key or article text): see briefing log list.",
            commands=RECORDED,
        ),
    ] = True
    # Pruned after every recorded run, so the history stays small without a cron job of its own.
    history_keep_days: Annotated[
        int,
        Ge(1),
        Setting(
            "Days a run stays in the history; older runs are removed after each run and by "
            "briefing log prune.",
            commands=("log prune",),
            flag="--keep-days",
            metavar="DAYS",
        ),
    ] = 90


@cache
def setting_specs() -> tuple[SettingSpec, ...]:
    """Every setting, in declaration order."""
    hints = typing.get_type_hints(SettingsFields, include_extras=True)
    specs = []
    for name, hint in hints.items():
        args = typing.get_args(hint)
        meta = [m for m in args[1:] if isinstance(m, Setting)]
        if typing.get_origin(hint) is not Annotated or len(meta) != 1:
            raise TypeError(f"setting {name!r} needs exactly one Setting(...) in its Annotated")
        specs.append(SettingSpec(name, args[0], getattr(SettingsFields, name), meta[0]))
    return tuple(specs)


def command_specs(command: str) -> tuple[SettingSpec, ...]:
    """The settings that ``command`` (e.g. "build", "prompts list") takes as flags."""
    return tuple(s for s in setting_specs() if s.takes_flag(command))
