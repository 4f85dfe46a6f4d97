"""The language-model summariser: the official openai SDK, Chat Completions, strict JSON schema.

Works with OpenAI, Azure OpenAI's v1 endpoint and local OpenAI-compatible servers (Ollama, vLLM,
llama.cpp, LM Studio). Every answer is validated here, whatever the server claims; an invalid
one gets exactly one repair request. Failures become ModelError (exit code 4) with a message
naming the likely cause; the API key never appears in any message.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from briefing import __version__
from briefing.config import Settings
from briefing.errors import ConfigError, ModelError
from briefing.model import Actor, Article, Assessment, Briefing, Flag, Provenance, Risk, Usage
from briefing.prompts import Prompt
from briefing.summarisers.draft import MAX_ACTORS, MAX_RISKS, Draft, parse_draft, response_format

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam

OPENAI_HOST = "api.openai.com"
_MIN_REQUEST_SECONDS = 1.0  # below this, a request cannot usefully start


def host_of(base_url: str | None) -> str:
    """Host (and port) of an endpoint, without credentials or path: safe to print."""
    if not base_url:
        return OPENAI_HOST
    parts = urlsplit(base_url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"


class OpenAISummariser:
    name = "openai"
    version = "1"  # of this request/validate/repair logic; the prompt has its own version

    def __init__(self, settings: Settings, prompt: Prompt) -> None:
        if not settings.api_key and not settings.base_url:
            raise ConfigError(
                "the openai summariser needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
            )
        self.settings = settings
        self.prompt = prompt
        self.host = host_of(settings.base_url)
        self._key = settings.api_key.get_secret_value() if settings.api_key else ""
        params = prompt.parameters
        self.temperature = (
            settings.temperature if settings.temperature is not None else params.temperature
        )
        self.max_tokens = settings.max_tokens or params.max_tokens
        self._client: openai.OpenAI | None = None

    def client(self) -> openai.OpenAI:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                # Local servers need no key; the SDK insists on one, so send a placeholder.
                api_key=self._key or "no-key",
                base_url=self.settings.base_url or f"https://{OPENAI_HOST}/v1",
                timeout=self.settings.timeout,
                max_retries=self.settings.max_retries,
            )
        return self._client

    def summarise(self, article: Article) -> Briefing:
        started = time.monotonic()
        deadline = started + self.settings.deadline
        system, user = self.prompt.render(article_text=article.text, article_title=article.title)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        usage = [0, 0]
        content = self._ask(messages, deadline, usage)
        try:
            draft = parse_draft(content)
        except ValueError as first:
            messages += [
                {"role": "assistant", "content": content},
                {
                    "role": "user",
                    "content": f"That answer {first}. Reply with only the "
                    "corrected JSON object that matches the schema.",
                },
            ]
            content = self._ask(messages, deadline, usage)
            try:
                draft = parse_draft(content)
            except ValueError as second:
                raise ModelError(
                    f"the model's answer {second}, also after one repair request "
                    f"(model {self.settings.model} at {self.host})"
                ) from None
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return self._to_briefing(
            article, draft, Usage(prompt_tokens=usage[0], completion_tokens=usage[1]), elapsed_ms
        )

    def _ask(
        self, messages: list[ChatCompletionMessageParam], deadline: float, usage: list[int]
    ) -> str:
        import openai

        remaining = deadline - time.monotonic()
        if remaining < _MIN_REQUEST_SECONDS:
            raise ModelError(
                f"no answer within the {self.settings.deadline:g} s deadline for this article"
            )
        try:
            completion = (
                self.client()
                .with_options(timeout=min(self.settings.timeout, remaining))
                .chat.completions.create(
                    model=self.settings.model,
                    messages=messages,
                    response_format=response_format(),
                    # Only what is set is sent: reasoning models reject an explicit temperature.
                    temperature=openai.omit if self.temperature is None else self.temperature,
                    max_tokens=openai.omit if self.max_tokens is None else self.max_tokens,
                )
            )
        except openai.APIError as exc:
            raise ModelError(self.describe_error(exc)) from None
        if completion.usage:
            usage[0] += completion.usage.prompt_tokens or 0
            usage[1] += completion.usage.completion_tokens or 0
        if not completion.choices:
            raise ModelError(f"the model at {self.host} returned no answer")
        choice = completion.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise ModelError(f"the model refused to brief this article: {_one_line(refusal)}")
        if choice.finish_reason == "length":
            limit = f"max_tokens ({self.max_tokens})" if self.max_tokens else "max_tokens"
            raise ModelError(
                "the model's answer was cut off (finish_reason=length): the article or "
                f"{limit} is too large for model {self.settings.model}; raise --max-tokens "
                "or brief a shorter article"
            )
        if choice.finish_reason == "content_filter":
            raise ModelError(
                f"the provider's content filter blocked the answer (model {self.settings.model})"
            )
        if not message.content or not message.content.strip():
            raise ModelError(f"the model at {self.host} returned an empty answer")
        return str(message.content)

    def describe_error(self, exc: Exception) -> str:
        """A one-line, key-free explanation of an SDK error, naming the likely cause."""
        import openai

        model, host = self.settings.model, self.host
        n = self.settings.max_retries + 1
        tries = f"{n} attempt{'s' if n != 1 else ''}"
        if isinstance(exc, openai.AuthenticationError):
            return f"the API at {host} rejected the key (401): check OPENAI_API_KEY"
        if isinstance(exc, openai.PermissionDeniedError):
            return f"the API at {host} denied access (403): the key may lack access to {model}"
        if isinstance(exc, openai.NotFoundError):
            return (
                f"not found at {host} (404): wrong model name {model!r} or wrong base URL "
                f"{self._safe(self.settings.base_url or '')!r}"
            )
        if isinstance(exc, openai.BadRequestError):
            return f"the API at {host} refused the request (400): {self._detail(exc)}"
        if isinstance(exc, openai.RateLimitError):
            return f"rate limited by {host} (429) after {tries}: {self._detail(exc)}"
        if isinstance(exc, openai.APITimeoutError):
            return f"no answer from {host} within {self.settings.timeout:g} s (timeout, {tries})"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot connect to {host} ({tries}): is the server running?"
        if isinstance(exc, openai.APIStatusError):
            return (
                f"the API at {host} failed with HTTP {exc.status_code} after {tries}: "
                f"{self._detail(exc)}"
            )
        return f"the API at {host} failed: {self._safe(_one_line(str(exc)))}"

    def _detail(self, exc: Exception) -> str:
        body = getattr(exc, "body", None)
        message = body.get("message") if isinstance(body, dict) else None
        return self._safe(_one_line(str(message or exc)))[:300]

    def _safe(self, text: str) -> str:
        return text.replace(self._key, "[key]") if self._key else text

    def _to_briefing(
        self, article: Article, draft: Draft, usage: Usage, elapsed_ms: int
    ) -> Briefing:
        flags = []
        if draft.injection_suspected:
            flags.append(
                Flag(
                    kind="injection_suspected",
                    detail="the model reported instructions aimed at it in the article",
                )
            )
        provenance = Provenance(
            summariser="openai",
            summariser_version=self.version,
            model=self.settings.model,
            base_url=self.host,
            prompt=self.prompt.ref,
            temperature=self.temperature,
            generated_at=datetime.now(UTC),
            usage=usage,
            duration_ms=elapsed_ms,
            tool_version=__version__,
        )
        return Briefing(
            title=article.source.title or draft.title,
            source=article.source,
            situation=draft.situation,
            actors=[
                Actor(name=a.name, kind=a.kind, role=a.role, evidence=a.evidence)
                for a in draft.actors[:MAX_ACTORS]
            ],
            assessment=Assessment(
                text=draft.assessment.text,
                confidence=draft.assessment.confidence,
                evidence=draft.assessment.evidence,
            ),
            risks=[
                Risk(
                    description=r.description,
                    likelihood=r.likelihood,
                    impact=r.impact,
                    evidence=r.evidence,
                )
                for r in draft.risks[:MAX_RISKS]
            ],
            flags=flags,
            provenance=provenance,
            word_count=article.word_count,
            reading_minutes=article.reading_minutes,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())
