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
merge requests, their retries and repairs included: no request starts with less than a
second left, each request's timeout is cut to what is left, and no retry waits past it, so
the deadline is the longest a build waits for the model whatever the article's length;
raise it for very long articles. Retries are ours, not the SDK's (``retry.py``): up to
``settings.max_retries`` for connection errors, timeouts, 408, 409, 429 and 5xx. A 429 or
503 asking for a wait past the deadline is a TemporaryError (exit 75) saying when to retry.

What a request carries besides the messages and the schema is decided per model
(``params.py``): reasoning models get ``max_completion_tokens`` and no temperature; a
parameter the server refuses (400 ``unsupported_parameter``/``unsupported_value``) is renamed
or dropped, the request sent again, and the change kept for the rest of the run. Token usage
is summed over all requests; the parameters sent are recorded in the provenance.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from briefing import __version__
from briefing.config import Settings, base_url_problem
from briefing.errors import ConfigError, EndpointUnreachable, ModelError, TemporaryError
from briefing.model import (
    INJECTION_SUSPECTED,
    MODEL_INJECTION_DETAIL,
    Actor,
    Article,
    Assessment,
    Briefing,
    Flag,
    Provenance,
    Risk,
    Split,
    SummaryMeta,
    SummaryPoint,
    Usage,
)
from briefing.prompts import Prompt, Registry
from briefing.summarisers.openai.draft import (
    MAX_ACTORS,
    MAX_POINTS,
    MAX_RISKS,
    DigestDraft,
    Draft,
    M,
    content_problem,
    parse_answer,
    response_format,
    strict_schema,
)
from briefing.summarisers.openai.mapreduce import MAX_CHUNKS, map_reduce
from briefing.summarisers.openai.params import ParameterPolicy, Parameters, Wanted
from briefing.summarisers.openai.retry import backoff, retry_after, should_retry
from briefing.text.chunking import estimate_tokens, split_into_chunks
from briefing.text.languages import LANGUAGES, matches
from briefing.text.languages import detect as detect_language
from briefing.text.languages import resolve as resolve_language

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

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
    remote = True  # every answer is a paid request: cached, and the day summary may fall back
    version = "1"  # of this request/validate/repair logic; the prompt has its own version

    def __init__(
        self, settings: Settings, prompt: Prompt, merge_prompt: Prompt | None = None
    ) -> None:
        if not settings.api_key and not settings.base_url:
            raise ConfigError(
                "the openai summariser needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
            )
        problem = base_url_problem(settings.base_url)  # settings made without load_settings
        if problem:
            raise ConfigError(f"invalid setting: base_url: {problem}")
        self.settings = settings
        self.prompt = prompt
        self._merge_prompt = merge_prompt  # loaded when first needed: most articles fit
        self.host = host_of(settings.base_url)
        self.language = resolve_language(settings.language) if settings.language else None
        self._key = settings.api_key.get_secret_value() if settings.api_key else ""
        self.policy = ParameterPolicy(settings.model)
        # What the briefing requests will carry, as planned (the cache key reads these).
        planned = self.policy.parameters(self._params(prompt))
        temperature = planned.get("temperature")
        self.temperature = float(temperature) if isinstance(temperature, int | float) else None
        limit = planned.get("max_tokens", planned.get("max_completion_tokens"))
        self.max_tokens = limit if isinstance(limit, int) else None
        self.reasoning_effort = planned.get("reasoning_effort")
        self._client: openai.OpenAI | None = None
        self._client_lock = threading.Lock()
        self._noticed = False  # the settings this model ignores were named (once per run)

    @property
    def merge_prompt(self) -> Prompt:
        """The ``merge`` prompt (newest version; a user prompts folder may override it)."""
        if self._merge_prompt is None:
            user_dirs = [self.settings.prompts_dir] if self.settings.prompts_dir else []
            self._merge_prompt = Registry(user_dirs).get("merge")
        return self._merge_prompt

    def _params(self, prompt: Prompt) -> Wanted:
        temperature = self.settings.temperature
        return Wanted(
            temperature=temperature if temperature is not None else prompt.parameters.temperature,
            max_tokens=self.settings.max_tokens or prompt.parameters.max_tokens,
            max_tokens_set=self.settings.max_tokens is not None,
            reasoning_effort=self.settings.reasoning_effort,
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
            # Our own retries (see _complete): the SDK's would each get a full timeout and
            # overrun the deadline.
            max_retries=0,
        )

    def summarise(self, article: Article) -> Briefing:
        self.client()  # importing the SDK takes a second: not charged to the deadline
        started = time.monotonic()
        deadline = started + self.settings.deadline
        usage = _Tally()
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
            parameters=usage.parameters.get(self.prompt.label, {}),
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
        usage: _Tally,
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

    def _draft(self, prompt: Prompt, deadline: float, usage: _Tally, **data: object) -> Draft:
        """One briefing request to ``prompt`` with ``data``; see :meth:`_structured`."""
        return self._structured(prompt, Draft, deadline, usage, **data)

    def _structured(
        self, prompt: Prompt, model: type[M], deadline: float, usage: _Tally, **data: object
    ) -> M:
        """One request to ``prompt`` answered in ``model``'s strict schema, validated here;
        one repair request showing the model its error if needed."""
        fmt = response_format(model)
        system, user = self._render(prompt, **data)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        content = self._ask(messages, deadline, usage, prompt, fmt)
        try:
            return self._checked(parse_answer(content, model))
        except ValueError as first:
            messages += [
                {"role": "assistant", "content": content},
                {
                    "role": "user",
                    "content": f"That answer {first}. Reply with only the "
                    "corrected JSON object that matches the schema.",
                },
            ]
        content = self._ask(messages, deadline, usage, prompt, fmt, repair=True)
        try:
            answer = parse_answer(content, model)
        except ValueError as second:
            raise ModelError(
                f"the model's answer {second}, also after one repair request "
                f"(model {self.settings.model} at {self.host})"
            ) from None
        problem = content_problem(answer)
        if problem:
            raise ModelError(
                f"the model's answer {problem}, also after one repair request "
                f"(model {self.settings.model} at {self.host})"
            )
        return answer  # a language still wrong after the repair is flagged, not fatal

    def _render(self, prompt: Prompt, **data: object) -> tuple[str, str]:
        return prompt.render(language=self.language.name if self.language else None, **data)

    def _checked(self, answer: M) -> M:
        """Content rules beyond the schema (see ``content_problem``) and, with --language,
        the answer's language: either is sent back once for a rewrite (models often ignore
        the language request when the article is in another language)."""
        problem = content_problem(answer)
        if problem:
            raise ValueError(problem)
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
        user_dirs = [self.settings.prompts_dir] if self.settings.prompts_dir else []
        prompt = Registry(user_dirs).get("digest")
        usage = _Tally()
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
            for p in answer.points[:MAX_POINTS]
            if p.text
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
        usage: _Tally,
        prompt: Prompt,
        fmt: ResponseFormatJSONSchema,
        *,
        repair: bool = False,
    ) -> str:
        wanted = self._params(prompt)
        completion, sent = self._complete(messages, deadline, wanted, fmt, repair=repair)
        if completion.usage:
            usage.add(completion.usage.prompt_tokens or 0, completion.usage.completion_tokens or 0)
        usage.sent(prompt.label, sent)
        if not completion.choices:
            raise ModelError(f"the model at {self.host} returned no answer")
        choice = completion.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise ModelError(f"the model refused to brief this article: {_one_line(refusal)}")
        if choice.finish_reason == "length":
            name = "max_completion_tokens" if "max_completion_tokens" in sent else "max_tokens"
            limit = f"{name} ({sent[name]})" if name in sent else name
            fixes = (
                "raise --max-tokens, lower --reasoning-effort or brief a shorter article"
                if self.policy.traits.kind == "reasoning"  # its reasoning counts in the limit
                else "raise --max-tokens or brief a shorter article"
            )
            raise ModelError(
                f"the model's answer was cut off (finish_reason=length): it reached {limit}, "
                f"or the article filled the context window of model {self.settings.model}; "
                f"{fixes}"
            )
        if choice.finish_reason == "content_filter":
            raise ModelError(
                f"the provider's content filter blocked the answer (model {self.settings.model})"
            )
        if not message.content or not message.content.strip():
            raise ModelError(f"the model at {self.host} returned an empty answer")
        return str(message.content)

    def _complete(
        self,
        messages: list[ChatCompletionMessageParam],
        deadline: float,
        wanted: Wanted,
        fmt: ResponseFormatJSONSchema,
        *,
        repair: bool = False,
    ) -> tuple[ChatCompletion, Parameters]:
        """One completion and the parameters it was sent with. The request is sent again for a
        parameter the model refuses (once per parameter, see ``params.py``) and for a
        transient failure (up to ``max_retries`` times, see ``retry.py``); no attempt and no
        wait reaches past ``deadline``. Error messages count the attempts actually sent (of
        the repair request, when ``repair``)."""
        import openai

        self._notice_ignored()
        attempts = retries = 0
        fixed: set[str] = set()
        while True:
            remaining = deadline - time.monotonic()
            if remaining < _MIN_REQUEST_SECONDS:
                raise ModelError(self._late(attempts, repair))
            timeout = min(self.settings.timeout, remaining)
            sent = self.policy.parameters(wanted)
            attempts += 1
            try:
                completion = (
                    self.client()
                    .with_options(timeout=timeout)
                    .chat.completions.create(
                        model=self.settings.model,
                        messages=messages,
                        response_format=fmt,
                        # Only what the policy sends: each model refuses something else.
                        max_tokens=_arg(sent, "max_tokens"),
                        max_completion_tokens=_arg(sent, "max_completion_tokens"),
                        temperature=_arg(sent, "temperature"),
                        reasoning_effort=_arg(sent, "reasoning_effort"),
                    )
                )
                return completion, sent
            except openai.APIError as exc:
                answered = exc if isinstance(exc, openai.APIStatusError) else None
                status = answered.status_code if answered else None
                headers = answered.response.headers if answered else None
                if isinstance(exc, openai.BadRequestError):
                    param = self.policy.fixable(exc.code, exc.param, sent)
                    if param is not None and param not in fixed:
                        fixed.add(param)
                        self.policy.learn(param)
                        continue  # not a failure of the server: no retry spent, no wait
                if isinstance(exc, openai.APITimeoutError) and timeout < self.settings.timeout:
                    raise ModelError(self._late(attempts, repair)) from None  # cut by the deadline
                # Unreachable (refused, reset, DNS) is its own kind: a digest whose every
                # source met it is a temporary failure (exit 75), not a broken setup.
                kind = (
                    EndpointUnreachable
                    if isinstance(exc, openai.APIConnectionError)
                    and not isinstance(exc, openai.APITimeoutError)
                    else ModelError
                )
                if not should_retry(status, headers) or retries >= self.settings.max_retries:
                    raise kind(self.describe_error(exc, attempts, repair=repair)) from None
                asked = retry_after(headers)
                wait = asked if asked else backoff(retries)
                if time.monotonic() + wait + _MIN_REQUEST_SECONDS > deadline:
                    if answered and asked and status in (429, 503):
                        raise TemporaryError(self._come_back(answered, asked)) from None
                    raise kind(
                        f"{self.describe_error(exc, attempts, repair=repair)}; the "
                        f"{self.settings.deadline:g} s deadline for this article leaves no "
                        "time for another attempt"
                    ) from None
                time.sleep(wait)
                retries += 1

    def _late(self, attempts: int, repair: bool) -> str:
        late = f"no answer within the {self.settings.deadline:g} s deadline for this article"
        return f"{late} ({_attempts(attempts, repair)})" if attempts else late

    def _come_back(self, exc: openai.APIStatusError, wait: float) -> str:
        """A server-directed wait past the deadline: when to try again, on one line."""
        what = (
            f"rate limited by {self.host} (429)"
            if exc.status_code == 429
            else f"the API at {self.host} is unavailable ({exc.status_code})"
        )
        if math.isinf(wait) or wait > 366 * 86400:
            return f"{what}: {self._detail(exc)}; the server asks to wait indefinitely: retry later"
        when = datetime.now(UTC) + timedelta(seconds=math.ceil(wait))
        return (
            f"{what}: {self._detail(exc)}; the server asks to wait {math.ceil(wait)} s, past the "
            f"{self.settings.deadline:g} s deadline for this article: retry after "
            f"{when:%Y-%m-%d %H:%M:%S} UTC"
        )

    def _notice_ignored(self) -> None:
        """Once per run: the user's own settings this model does not take."""
        with self._client_lock:
            if self._noticed:
                return
            self._noticed = True
        for note in self.policy.ignored(
            temperature=self.settings.temperature,
            reasoning_effort=self.settings.reasoning_effort,
        ):
            log.warning("%s", note)

    def probe(self, article_text: str, title: str) -> ProbeResult:
        """One briefing request through the same path as a build (parameter policy and its
        corrections, retries, deadline, the strict Draft schema), the answer checked by the
        same parser, but without a repair request: the first answer is what gets reported."""
        self.client()  # importing the SDK is not charged to the deadline
        started = time.monotonic()
        tally = _Tally()
        system, user = self._render(self.prompt, article_text=article_text, article_title=title)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        deadline = started + self.settings.deadline
        content = self._ask(messages, deadline, tally, self.prompt, response_format(Draft))
        try:
            self._checked(parse_answer(content, Draft))
        except ValueError as exc:
            raise ModelError(
                f"the model's answer {exc} (model {self.settings.model} at {self.host})"
            ) from None
        return ProbeResult(
            seconds=time.monotonic() - started,
            parameters=tally.parameters.get(self.prompt.label, {}),
            adjustments=self.policy.adjustments,
        )

    def describe_error(self, exc: Exception, attempts: int = 1, *, repair: bool = False) -> str:
        """A one-line, key-free explanation of an SDK error, naming the likely cause;
        ``attempts``: how many times the request was sent (``repair``: the repair request)."""
        import openai

        model, host = self.settings.model, self.host
        tries = _attempts(attempts, repair)
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
            if exc.code == "invalid_json_schema":
                return f"the API at {host} refused the response schema (400): {self._detail(exc)}"
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
        parameters: Parameters,
    ) -> Briefing:
        flags = []
        if injection:
            flags.append(Flag(kind=INJECTION_SUSPECTED, detail=MODEL_INJECTION_DETAIL))
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
            temperature=_float_or_none(parameters.get("temperature")),
            parameters=dict(parameters),
            generated_at=datetime.now(UTC),
            usage=usage,
            duration_ms=elapsed_ms,
            split=split,
            tool_version=__version__,
        )
        return Briefing(
            # With --language the model's headline is in that language; otherwise the
            # article's own headline, when it has one, is the most faithful title.
            # A blank headline is schema-valid: the article's title stands in.
            title=(draft.title if self.language else (article.source.title or draft.title))
            or article.title,
            source=article.source,
            situation=draft.situation,
            # Schema-valid but empty entries (no name, no description) say nothing: dropped.
            actors=[
                Actor(name=a.name, kind=a.kind, role=a.role, evidence=_quotes(a.evidence))
                for a in draft.actors
                if a.name
            ][:MAX_ACTORS],
            assessment=Assessment(
                text=draft.assessment.text,
                confidence=draft.assessment.confidence,
                evidence=_quotes(draft.assessment.evidence),
            ),
            risks=[
                Risk(
                    description=r.description,
                    likelihood=r.likelihood,
                    impact=r.impact,
                    evidence=_quotes(r.evidence),
                )
                for r in draft.risks
                if r.description
            ][:MAX_RISKS],
            flags=flags,
            provenance=provenance,
            word_count=article.word_count,
            reading_minutes=article.reading_minutes,
            language=self.language.code if self.language else written_in,
        )


def _quotes(evidence: list[str]) -> list[str]:
    return [q for q in evidence if q]


def _prose(answer: object) -> str:
    """The text a model wrote itself (not its quotes), for the language check."""
    if isinstance(answer, Draft):
        parts = [answer.situation, answer.assessment.text, *(r.description for r in answer.risks)]
        return " ".join(parts)
    if isinstance(answer, DigestDraft):
        return " ".join(p.text for p in answer.points)
    return ""


@dataclass(frozen=True)
class ProbeResult:
    """A successful ``doctor --probe``: how long it took and what the request carried."""

    seconds: float
    parameters: Parameters
    adjustments: dict[str, str]  # parameters the server refused, and what was done instead


class _Tally:
    """Token usage summed over every request of an article, and the parameters each prompt's
    requests were sent with (thread-safe: map-reduce requests run in parallel)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.prompt = 0
        self.completion = 0
        self.parameters: dict[str, Parameters] = {}  # by prompt label: the latest answered

    def add(self, prompt: int, completion: int) -> None:
        with self._lock:
            self.prompt += prompt
            self.completion += completion

    def sent(self, label: str, parameters: Parameters) -> None:
        with self._lock:
            self.parameters[label] = dict(parameters)


def _arg(sent: Parameters, name: str) -> Any:
    """A parameter for the SDK: its value, or ``omit`` so that it is not sent at all."""
    import openai

    return sent.get(name, openai.omit)


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _attempts(n: int, repair: bool = False) -> str:
    return f"{n} attempt{'s' if n != 1 else ''}" + (" of the repair request" if repair else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())
