"""The language-model summariser: the official openai SDK, Chat Completions, strict JSON schema.

Works with OpenAI, Azure OpenAI's v1 endpoint and local OpenAI-compatible servers (Ollama, vLLM,
llama.cpp, LM Studio). Every answer is validated here, whatever the server claims; an invalid
one gets exactly one repair request. Failures become ModelError (exit code 4) with a message
naming the likely cause; the API key never appears in any message.

Long articles are never truncated. The budget for the article in one request is
``settings.max_input_tokens`` minus the prompt's overhead (system text, title, delimiters,
the JSON schema and message framing, all estimated with :func:`estimate_tokens`). An article
over it is briefed map-reduce (``mapreduce.py``): a draft per chunk, then the ``merge``
prompt. ``settings.deadline`` is one wall-clock budget for the whole article, all chunk and
merge requests and their repairs included: no request starts with less than a second left,
and each request's timeout is cut to what is left, so the deadline stays the longest a
build waits for the model whatever the article's length (the SDK's own retries of a request
may overrun it by at most ``max_retries`` request timeouts); raise it for very long articles.
Token usage is summed over all requests.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from briefing import __version__
from briefing.chunking import estimate_tokens, split_into_chunks
from briefing.config import Settings
from briefing.errors import ConfigError, ModelError
from briefing.injection import MODEL_DETAIL
from briefing.languages import LANGUAGES, matches
from briefing.languages import detect as detect_language
from briefing.languages import resolve as resolve_language
from briefing.model import (
    Actor,
    Article,
    Assessment,
    Briefing,
    Flag,
    Provenance,
    Risk,
    Split,
    SummaryPoint,
    Usage,
)
from briefing.prompts import Prompt, Registry
from briefing.summarisers.draft import (
    MAX_ACTORS,
    MAX_RISKS,
    DigestDraft,
    Draft,
    M,
    parse_answer,
    response_format,
    strict_schema,
)
from briefing.summarisers.mapreduce import MAX_CHUNKS, map_reduce

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

    from briefing.digest import SummaryMeta

OPENAI_HOST = "api.openai.com"
_MIN_REQUEST_SECONDS = 1.0  # below this, a request cannot usefully start
_FRAMING_TOKENS = 12  # chat format: a few tokens per message and for the reply's start
_PART_NOTE = " (part {i} of {n})"
MIN_ARTICLE_TOKENS = 200  # a smaller per-request budget for the article is a setting error

log = logging.getLogger(__name__)


def host_of(base_url: str | None) -> str:
    """Host (and port) of an endpoint, without credentials or path: safe to print."""
    if not base_url:
        return OPENAI_HOST
    parts = urlsplit(base_url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"


class OpenAISummariser:
    name = "openai"
    version = "1"  # of this request/validate/repair logic; the prompt has its own version

    def __init__(
        self, settings: Settings, prompt: Prompt, merge_prompt: Prompt | None = None
    ) -> None:
        if not settings.api_key and not settings.base_url:
            raise ConfigError(
                "the openai summariser needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
            )
        self.settings = settings
        self.prompt = prompt
        self._merge_prompt = merge_prompt  # loaded when first needed: most articles fit
        self.host = host_of(settings.base_url)
        self.language = resolve_language(settings.language) if settings.language else None
        self._key = settings.api_key.get_secret_value() if settings.api_key else ""
        params = self._params(prompt)
        self.temperature, self.max_tokens = params.temperature, params.max_tokens
        self._client: openai.OpenAI | None = None
        self._client_lock = threading.Lock()

    @property
    def merge_prompt(self) -> Prompt:
        """The ``merge`` prompt (newest version; a user prompts folder may override it)."""
        if self._merge_prompt is None:
            user_dirs = [self.settings.prompts_dir] if self.settings.prompts_dir else []
            self._merge_prompt = Registry(user_dirs).get("merge")
        return self._merge_prompt

    def _params(self, prompt: Prompt) -> _Params:
        temperature = self.settings.temperature
        return _Params(
            temperature=temperature if temperature is not None else prompt.parameters.temperature,
            max_tokens=self.settings.max_tokens or prompt.parameters.max_tokens,
        )

    def overhead(self, prompt: Prompt, title: str) -> int:
        """Estimated tokens of a request to ``prompt`` without its data: the rendered
        system and user text (title and delimiters included), the schema and framing."""
        system, user = self._render(
            prompt,
            article_text="",
            article_title=title + _PART_NOTE.format(i=999, n=999),
            drafts="",
            parts=999,
        )
        schema = json.dumps(strict_schema(), separators=(",", ":"))
        return sum(map(estimate_tokens, (system, user, schema))) + _FRAMING_TOKENS

    def client(self) -> openai.OpenAI:
        with self._client_lock:  # one client, shared by the map-reduce threads
            if self._client is None:
                self._client = self._new_client()
            return self._client

    def _new_client(self) -> openai.OpenAI:
        import openai

        return openai.OpenAI(
            # Local servers need no key; the SDK insists on one, so send a placeholder.
            api_key=self._key or "no-key",
            base_url=self.settings.base_url or f"https://{OPENAI_HOST}/v1",
            timeout=self.settings.timeout,
            max_retries=self.settings.max_retries,
        )

    def summarise(self, article: Article) -> Briefing:
        self.client()  # importing the SDK takes a second: not charged to the deadline
        started = time.monotonic()
        deadline = started + self.settings.deadline
        usage = _UsageSum()
        estimate = estimate_tokens(article.text)
        budget = self._article_budget(article.title)
        chunks = split_into_chunks(article.text, budget) if estimate > budget else []
        split: Split | None = None
        if len(chunks) < 2:
            draft = self._draft(
                self.prompt,
                deadline,
                usage,
                article_text=article.text,
                article_title=article.title,
            )
            injection = draft.injection_suspected
        else:
            draft, injection, split = self._map_reduce(
                article, chunks, estimate, budget, deadline, usage
            )
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return self._to_briefing(
            article,
            draft,
            Usage(prompt_tokens=usage.prompt, completion_tokens=usage.completion),
            elapsed_ms,
            injection=injection,
            split=split,
        )

    def _article_budget(self, title: str) -> int:
        """Estimated tokens left for the article text in one request to the briefing prompt."""
        overhead = self.overhead(self.prompt, title)
        budget = self.settings.max_input_tokens - overhead
        if budget < MIN_ARTICLE_TOKENS:
            raise ConfigError(
                f"max_input_tokens {self.settings.max_input_tokens} leaves too little room for "
                f"the article: prompt {self.prompt.label}, title and schema take about "
                f"{overhead} tokens; set at least {overhead + MIN_ARTICLE_TOKENS}"
            )
        return budget

    def _map_reduce(
        self,
        article: Article,
        chunks: list[str],
        estimate: int,
        budget: int,
        deadline: float,
        usage: _UsageSum,
    ) -> tuple[Draft, bool, Split]:
        n = len(chunks)
        limit = self.settings.max_input_tokens
        if n > MAX_CHUNKS:
            raise ConfigError(
                f"the article (about {estimate} tokens) would take {n} requests of at most "
                f"max_input_tokens {limit} (the limit is {MAX_CHUNKS}): raise max_input_tokens"
            )
        merge_prompt = self.merge_prompt
        merge_budget = limit - self.overhead(merge_prompt, article.title)
        log.info(
            "the article is about %d tokens, over the %d-token budget of one request: "
            "briefing it in %d parts, then merging them with %s",
            estimate,
            budget,
            n,
            merge_prompt.label,
        )

        def brief_part(text: str, i: int, n: int) -> Draft:
            title = article.title + _PART_NOTE.format(i=i, n=n)
            return self._draft(self.prompt, deadline, usage, article_text=text, article_title=title)

        def merge_parts(drafts: str, count: int) -> Draft:
            return self._draft(
                merge_prompt,
                deadline,
                usage,
                article_text=drafts,  # so the random delimiter is checked against the data
                drafts=drafts,
                parts=count,
                article_title=article.title,
            )

        result = map_reduce(chunks, brief_part, merge_parts, merge_budget)
        split = Split(
            chunks=n,
            max_input_tokens=limit,
            estimated_tokens=estimate,
            merge_prompt=merge_prompt.ref,
        )
        return result.draft, result.injection_suspected, split

    def _draft(self, prompt: Prompt, deadline: float, usage: _UsageSum, **data: object) -> Draft:
        """One briefing request to ``prompt`` with ``data``; see :meth:`_structured`."""
        return self._structured(prompt, Draft, deadline, usage, **data)

    def _structured(
        self, prompt: Prompt, model: type[M], deadline: float, usage: _UsageSum, **data: object
    ) -> M:
        """One request to ``prompt`` answered in ``model``'s strict schema, validated here;
        one repair request showing the model its error if needed."""
        params = self._params(prompt)
        fmt = response_format(model)
        system, user = self._render(prompt, **data)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        content = self._ask(messages, deadline, usage, params, fmt)
        try:
            return self._language_checked(parse_answer(content, model))
        except ValueError as first:
            messages += [
                {"role": "assistant", "content": content},
                {
                    "role": "user",
                    "content": f"That answer {first}. Reply with only the "
                    "corrected JSON object that matches the schema.",
                },
            ]
        content = self._ask(messages, deadline, usage, params, fmt)
        try:
            answer = parse_answer(content, model)
        except ValueError as second:
            raise ModelError(
                f"the model's answer {second}, also after one repair request "
                f"(model {self.settings.model} at {self.host})"
            ) from None
        return answer  # a language still wrong after the repair is flagged, not fatal

    def _render(self, prompt: Prompt, **data: object) -> tuple[str, str]:
        return prompt.render(language=self.language.name if self.language else None, **data)

    def _language_checked(self, answer: M) -> M:
        """With --language: an answer in another language is sent back once for a rewrite
        (models often ignore the request when the article is in another language)."""
        if self.language is None:
            return answer
        if matches(_prose(answer), self.language) is False:
            raise ValueError(
                f"is not written in {self.language.name}: write every text field in "
                f"{self.language.name} and keep the evidence quotes exactly as in the article"
            )
        return answer

    def summarise_day(
        self, briefings: Sequence[Briefing]
    ) -> tuple[list[SummaryPoint], SummaryMeta]:
        """The executive summary of a digest, under the ``digest`` prompt: one request over
        the day's briefings (numbered from 1, as in the digest)."""
        from briefing.digest import SummaryMeta

        user_dirs = [self.settings.prompts_dir] if self.settings.prompts_dir else []
        prompt = Registry(user_dirs).get("digest")
        usage = _UsageSum()
        self.client()
        deadline = time.monotonic() + self.settings.deadline
        data = json.dumps(
            [
                {
                    "number": n,
                    "title": b.title,
                    "situation": b.situation,
                    "assessment": b.assessment.text,
                    "risks": [
                        f"{r.description} ({r.likelihood} likelihood, {r.impact} impact)"
                        for r in b.risks
                    ],
                    "actors": [a.name for a in b.actors],
                }
                for n, b in enumerate(briefings, 1)
            ],
            ensure_ascii=False,
            indent=1,
        )
        answer = self._structured(
            prompt, DigestDraft, deadline, usage, article_text=data, article_title="Digest"
        )
        valid = range(1, len(briefings) + 1)
        points = [
            SummaryPoint(text=p.text, briefings=sorted({n for n in p.briefings if n in valid}))
            for p in answer.points
        ]
        meta = SummaryMeta(
            model=self.settings.model,
            base_url=self.host,
            prompt=prompt.ref,
            usage=Usage(prompt_tokens=usage.prompt, completion_tokens=usage.completion),
        )
        return points, meta

    def _ask(
        self,
        messages: list[ChatCompletionMessageParam],
        deadline: float,
        usage: _UsageSum,
        params: _Params,
        fmt: ResponseFormatJSONSchema,
    ) -> str:
        import openai

        remaining = deadline - time.monotonic()
        late = f"no answer within the {self.settings.deadline:g} s deadline for this article"
        if remaining < _MIN_REQUEST_SECONDS:
            raise ModelError(late)
        try:
            completion = (
                self.client()
                .with_options(timeout=min(self.settings.timeout, remaining))
                .chat.completions.create(
                    model=self.settings.model,
                    messages=messages,
                    response_format=fmt,
                    # Only what is set is sent: reasoning models reject an explicit temperature.
                    temperature=openai.omit if params.temperature is None else params.temperature,
                    max_tokens=openai.omit if params.max_tokens is None else params.max_tokens,
                )
            )
        except openai.APITimeoutError as exc:  # cut short by the deadline, or not
            cut = remaining < self.settings.timeout
            raise ModelError(late if cut else self.describe_error(exc)) from None
        except openai.APIError as exc:
            raise ModelError(self.describe_error(exc)) from None
        if completion.usage:
            usage.add(completion.usage.prompt_tokens or 0, completion.usage.completion_tokens or 0)
        if not completion.choices:
            raise ModelError(f"the model at {self.host} returned no answer")
        choice = completion.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise ModelError(f"the model refused to brief this article: {_one_line(refusal)}")
        if choice.finish_reason == "length":
            limit = f"max_tokens ({params.max_tokens})" if params.max_tokens else "max_tokens"
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
        self,
        article: Article,
        draft: Draft,
        usage: Usage,
        elapsed_ms: int,
        *,
        injection: bool,
        split: Split | None,
    ) -> Briefing:
        flags = []
        if injection:
            flags.append(Flag(kind="injection_suspected", detail=MODEL_DETAIL))
        written_in = detect_language(_prose(draft))
        if self.language is not None and matches(_prose(draft), self.language) is False:
            flags.append(
                Flag(
                    kind="language_mismatch",
                    detail=f"asked for {self.language.name}; the model wrote in "
                    f"{LANGUAGES[written_in].name if written_in else 'another language'}",
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
            split=split,
            tool_version=__version__,
        )
        return Briefing(
            # With --language the model's headline is in that language; otherwise the
            # article's own headline, when it has one, is the most faithful title.
            title=draft.title if self.language else (article.source.title or draft.title),
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
            language=self.language.code if self.language else written_in,
        )


def _prose(answer: object) -> str:
    """The text a model wrote itself (not its quotes), for the language check."""
    if isinstance(answer, Draft):
        parts = [answer.situation, answer.assessment.text, *(r.description for r in answer.risks)]
        return " ".join(parts)
    if isinstance(answer, DigestDraft):
        return " ".join(p.text for p in answer.points)
    return ""


@dataclass(frozen=True)
class _Params:
    temperature: float | None
    max_tokens: int | None


class _UsageSum:
    """Token usage summed over every request of an article (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.prompt = 0
        self.completion = 0

    def add(self, prompt: int, completion: int) -> None:
        with self._lock:
            self.prompt += prompt
            self.completion += completion


def _one_line(text: str) -> str:
    return " ".join(text.split())
