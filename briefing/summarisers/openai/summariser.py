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
raise it for very long articles. Each request goes through the endpoint (``requests.py``):
the parameters each model takes (``params.py``; a parameter the server refuses is renamed or
dropped for the rest of the run), our own retries (``retry.py``), the deadline and the
messages of every failure. Token usage is summed over all requests; the parameters sent are
recorded in the provenance (``convert.py`` turns the answer into the Briefing).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from briefing.config import Settings, base_url_problem
from briefing.errors import ConfigError, ModelError
from briefing.model import Article, Briefing, Provenance, Split, SummaryMeta, SummaryPoint, Usage
from briefing.prices import cost_of
from briefing.prompts import Prompt, Registry
from briefing.summarisers.openai.convert import prose, to_briefing, to_draft
from briefing.summarisers.openai.draft import (
    MAX_POINTS,
    DigestDraft,
    Draft,
    M,
    content_problem,
    parse_answer,
    response_format,
    strict_schema,
)
from briefing.summarisers.openai.mapreduce import MAX_CHUNKS, Part, drafts_json, map_reduce
from briefing.summarisers.openai.params import ParameterPolicy, Parameters, Wanted
from briefing.summarisers.openai.requests import Endpoint, Tally
from briefing.text.chunking import estimate_tokens, split_into_chunks
from briefing.text.languages import matches
from briefing.text.languages import resolve as resolve_language
from briefing.version import __version__

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

__all__ = ["MIN_ARTICLE_TOKENS", "OpenAISummariser", "ProbeResult"]

_FRAMING_TOKENS = 12  # chat format: a few tokens per message and for the reply's start
_PART_NOTE = " (part {i} of {n})"
MIN_ARTICLE_TOKENS = 200  # a smaller per-request budget for the article is a setting error

log = logging.getLogger(__name__)


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
        self.language = resolve_language(settings.language) if settings.language else None
        self.policy = ParameterPolicy(settings.model)
        self.endpoint = Endpoint(settings, self.policy)
        self.host = self.endpoint.host
        # What the briefing requests will carry, as planned (the cache key reads these).
        planned = self.policy.parameters(self.params(prompt))
        temperature = planned.get("temperature")
        self.temperature = float(temperature) if isinstance(temperature, int | float) else None
        limit = planned.get("max_tokens", planned.get("max_completion_tokens"))
        self.max_tokens = limit if isinstance(limit, int) else None
        self.reasoning_effort = planned.get("reasoning_effort")

    @property
    def merge_prompt(self) -> Prompt:
        """The ``merge`` prompt (newest version; a user prompts folder may override it)."""
        if self._merge_prompt is None:
            user_dirs = [self.settings.prompts_dir] if self.settings.prompts_dir else []
            self._merge_prompt = Registry(user_dirs).get("merge")
        return self._merge_prompt

    def params(self, prompt: Prompt) -> Wanted:
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
        """The SDK client (one per summariser, shared by the map-reduce threads)."""
        return self.endpoint.client()

    def summarise(self, article: Article) -> Briefing:
        self.client()  # importing the SDK takes a second: not charged to the deadline
        started = time.monotonic()
        deadline = started + self.settings.deadline
        usage = Tally()
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
        return self.briefing_of(
            article,
            draft,
            usage.usage(),
            elapsed_ms,
            injection=injection,
            split=split,
            parameters=usage.parameters.get(self.prompt.label, {}),
        )

    def merge_reports(self, briefings: Sequence[Briefing], title: str) -> Briefing:
        """One briefing of several reports of one event (a digest's story): their briefings
        go to the ``merge`` prompt as drafts labelled "1 of n", in the order given (the lead
        report first), as the parts of a long article do, and its quotes are copied from
        theirs. The result's source is the first report's; the caller ties each quote to its
        report and checks it against that report's article."""
        self.client()
        started = time.monotonic()
        usage = Tally()
        n = len(briefings)
        drafts = drafts_json([Part(to_draft(b), i, i, n) for i, b in enumerate(briefings, 1)])
        prompt = self.merge_prompt
        draft = self._draft(
            prompt,
            started + self.settings.deadline,
            usage,
            article_text=drafts,  # so the random delimiter is checked against the data
            drafts=drafts,
            parts=n,
            article_title=title,
        )
        used = usage.usage()
        parameters = usage.parameters.get(prompt.label, {})
        provenance = Provenance(
            summariser="openai",
            summariser_version=self.version,
            model=self.settings.model,
            base_url=self.host,
            prompt=prompt.ref,
            temperature=_float_or_none(parameters.get("temperature")),
            parameters=dict(parameters),
            generated_at=datetime.now(UTC),
            usage=used,
            cost=cost_of(self.settings.model, used, self.settings.prices),
            duration_ms=int((time.monotonic() - started) * 1000),
            tool_version=__version__,
        )
        # No article text (the story's checks read the reports' own articles) and no
        # headline of the source: the model's title is the story's, not the first report's.
        source = briefings[0].source
        lead = Article(title=title, text="", source=source.model_copy(update={"title": None}))
        injection = draft.injection_suspected
        merged = to_briefing(lead, draft, provenance, language=self.language, injection=injection)
        return merged.model_copy(update={"source": source})

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
        usage: Tally,
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

    def _draft(self, prompt: Prompt, deadline: float, usage: Tally, **data: object) -> Draft:
        """One briefing request to ``prompt`` with ``data``; see :meth:`_structured`."""
        return self._structured(prompt, Draft, deadline, usage, **data)

    def _structured(
        self, prompt: Prompt, model: type[M], deadline: float, usage: Tally, **data: object
    ) -> M:
        """One request to ``prompt`` answered in ``model``'s strict schema, validated here;
        one repair request showing the model its error if needed."""
        messages = self.messages(prompt, **data)
        content = self._ask(messages, deadline, usage, prompt, response_format(model))
        return self.settle(prompt, model, messages, content, deadline, usage)

    def settle(
        self,
        prompt: Prompt,
        model: type[M],
        messages: list[ChatCompletionMessageParam],
        content: str,
        deadline: float,
        usage: Tally,
    ) -> M:
        """``content``, the answer to ``messages`` (a direct request's or a batch line's:
        ``batch.py``), validated here; one repair request, sent directly, if needed."""
        fmt = response_format(model)
        try:
            return self._checked(parse_answer(content, model))
        except ValueError as first:
            messages = [
                *messages,
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

    def messages(self, prompt: Prompt, **data: object) -> list[ChatCompletionMessageParam]:
        """The messages of a request to ``prompt`` with ``data`` (a fresh delimiter each)."""
        system, user = self._render(prompt, **data)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def fits_one_request(self, article: Article) -> bool:
        """Whether ``summarise`` briefs ``article`` in one request (else map-reduce)."""
        budget = self._article_budget(article.title)
        return (
            estimate_tokens(article.text) <= budget
            or len(split_into_chunks(article.text, budget)) < 2
        )

    def _checked(self, answer: M) -> M:
        """Content rules beyond the schema (see ``content_problem``) and, with --language,
        the answer's language: either is sent back once for a rewrite (models often ignore
        the language request when the article is in another language)."""
        problem = content_problem(answer)
        if problem:
            raise ValueError(problem)
        if self.language is None:
            return answer
        if matches(prose(answer), self.language) is False:
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
        usage = Tally()
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
            usage=usage.usage(),
        )
        return points, meta

    def _ask(
        self,
        messages: list[ChatCompletionMessageParam],
        deadline: float,
        usage: Tally,
        prompt: Prompt,
        fmt: ResponseFormatJSONSchema,
        *,
        repair: bool = False,
    ) -> str:
        return self.endpoint.ask(
            messages,
            deadline,
            self.params(prompt),
            fmt,
            tally=usage,
            label=prompt.label,
            repair=repair,
        )

    def probe(self, article_text: str, title: str) -> ProbeResult:
        """One briefing request through the same path as a build (parameter policy and its
        corrections, retries, deadline, the strict Draft schema), the answer checked by the
        same parser, but without a repair request: the first answer is what gets reported."""
        self.client()  # importing the SDK is not charged to the deadline
        started = time.monotonic()
        tally = Tally()
        messages = self.messages(self.prompt, article_text=article_text, article_title=title)
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
        """A one-line, key-free explanation of an SDK error (see :class:`Endpoint`)."""
        return self.endpoint.describe_error(exc, attempts, repair=repair)

    def briefing_of(
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
            cost=cost_of(self.settings.model, usage, self.settings.prices),
            duration_ms=elapsed_ms,
            split=split,
            tool_version=__version__,
        )
        return to_briefing(article, draft, provenance, language=self.language, injection=injection)


@dataclass(frozen=True)
class ProbeResult:
    """A successful ``doctor --probe``: how long it took and what the request carried."""

    seconds: float
    parameters: Parameters
    adjustments: dict[str, str]  # parameters the server refused, and what was done instead


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
