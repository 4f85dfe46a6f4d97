"""Which sampling parameters a model takes: a policy by model name, corrected by the server.

OpenAI's reasoning models (o1, o3, o4-mini, ...; the gpt-5 family) refuse ``max_tokens`` (they
take ``max_completion_tokens``, which also counts their hidden reasoning tokens) and any
``temperature`` but the default; only they take ``reasoning_effort``. :data:`POLICY` knows
them by name. A model it does not know (an Azure deployment, a gateway's alias) is corrected
from the server's own answer: a 400 ``unsupported_parameter`` / ``unsupported_value`` naming
one of our parameters makes :class:`ParameterPolicy` rename or drop it for the rest of the
run (:meth:`ParameterPolicy.learn`), logged once.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Literal

Param = int | float | str
Parameters = dict[str, Param]
TokenLimit = Literal["max_tokens", "max_completion_tokens"]

# A reasoning model's completion limit covers its reasoning as well as the answer: a prompt's
# answer budget alone (2000 tokens) would be spent thinking. OpenAI advises leaving at least
# 25,000 tokens for reasoning and answer together; this plus a prompt's budget does.
REASONING_TOKENS = 24_000

# The server codes that name a parameter this model does not take (OpenAI's 400s).
FIXABLE_CODES = frozenset({"unsupported_parameter", "unsupported_value"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Traits:
    """What a family of models takes."""

    kind: Literal["chat", "reasoning"]
    token_limit: TokenLimit
    temperature: bool
    reasoning_effort: bool


CHAT = Traits("chat", "max_tokens", temperature=True, reasoning_effort=False)
REASONING = Traits("reasoning", "max_completion_tokens", temperature=False, reasoning_effort=True)
# ChatGPT's gpt-5 chat models do not reason: they take a temperature but no reasoning_effort.
GPT5_CHAT = Traits("chat", "max_completion_tokens", temperature=True, reasoning_effort=False)

_END = r"(?=$|[-.:_@])"  # a name ends or goes on with a suffix: o3 and o3-mini, never o3x
# First match wins. Anything else (gpt-4.1, gpt-4o, local models, gpt-oss on vLLM or Ollama,
# whose servers take max_tokens and temperature) is CHAT.
POLICY: tuple[tuple[re.Pattern[str], Traits], ...] = (
    (re.compile(r"gpt-5(?:\.\d+)?-chat" + _END), GPT5_CHAT),
    (re.compile(r"gpt-5" + _END), REASONING),
    (re.compile(r"o\d+" + _END), REASONING),
)


def base_name(model: str) -> str:
    """The model's own name: without a provider prefix (``openai/o3``) or fine-tune wrapper
    (``ft:o4-mini-2025-04-16:org::id``), lower-cased."""
    name = model.strip().lower().rpartition("/")[2]
    return name.removeprefix("ft:")


def traits_of(model: str) -> Traits:
    name = base_name(model)
    for pattern, traits in POLICY:
        if pattern.match(name):
            return traits
    return CHAT


@dataclass(frozen=True)
class Wanted:
    """The parameters a request would carry before the policy: from the prompt or settings."""

    temperature: float | None
    max_tokens: int | None
    max_tokens_set: bool  # given by the user (sent as is) rather than the prompt's default
    reasoning_effort: str | None


class ParameterPolicy:
    """The parameters sent to one model for the rest of a run: :data:`POLICY`, then what the
    server refused (thread-safe: map-reduce and daily runs send requests in parallel)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.traits = traits_of(model)
        self._lock = threading.Lock()
        self._refused: dict[str, str] = {}  # parameter -> what is done instead, for the log

    def parameters(self, wanted: Wanted) -> Parameters:
        """What a request carries now: only what is set and what the model takes."""
        with self._lock:
            refused = set(self._refused)
        sent: Parameters = {}
        if wanted.max_tokens is not None:
            name = self._token_limit(refused)
            if name is not None:
                reasoning = self.traits.kind == "reasoning" or "max_tokens" in refused
                extra = REASONING_TOKENS if reasoning and not wanted.max_tokens_set else 0
                sent[name] = wanted.max_tokens + extra
        if (
            wanted.temperature is not None
            and self.traits.temperature
            and "temperature" not in refused
        ):
            sent["temperature"] = wanted.temperature
        if (
            wanted.reasoning_effort is not None
            and self.traits.reasoning_effort
            and "reasoning_effort" not in refused
        ):
            sent["reasoning_effort"] = wanted.reasoning_effort
        return sent

    def _token_limit(self, refused: set[str]) -> TokenLimit | None:
        name = self.traits.token_limit
        if name not in refused:
            return name
        other: TokenLimit = "max_completion_tokens" if name == "max_tokens" else "max_tokens"
        return None if other in refused else other

    def fixable(self, code: str | None, param: str | None, sent: Parameters) -> str | None:
        """The parameter of ours a 400 refuses, when dropping or renaming it may help."""
        if code not in FIXABLE_CODES or not param:
            return None
        name = param.replace(".", "_")  # some servers say reasoning.effort
        return name if name in sent else None

    def learn(self, param: str) -> None:
        """Stop sending ``param`` as it was for the rest of the run; logged once."""
        with self._lock:
            if param in self._refused:
                return  # another request learned it first
            if param == "max_tokens" and "max_completion_tokens" not in self._refused:
                instead = "sending max_completion_tokens instead (reasoning included)"
            elif param == "max_completion_tokens" and "max_tokens" not in self._refused:
                instead = "sending max_tokens instead"
            else:
                instead = "no longer sending it"
            self._refused[param] = instead
        log.info(
            "model %s does not take %s: %s for the rest of this run", self.model, param, instead
        )

    @property
    def adjustments(self) -> dict[str, str]:
        """What the server refused so far, and what is done instead."""
        with self._lock:
            return dict(self._refused)

    def ignored(self, *, temperature: float | None, reasoning_effort: str | None) -> list[str]:
        """The user's own settings this model does not take, as one-line notices."""
        notes = []
        if temperature is not None and not self.traits.temperature:
            notes.append(
                f"model {self.model} is a reasoning model and takes no temperature: "
                f"temperature {temperature:g} is not sent"
            )
        if reasoning_effort is not None and not self.traits.reasoning_effort:
            notes.append(
                f"model {self.model} is not known as a reasoning model: "
                f"reasoning_effort {reasoning_effort} is not sent"
            )
        return notes
