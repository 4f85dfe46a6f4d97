"""Requests to one OpenAI-compatible endpoint: the parameter loop, retries under a deadline,
the checks of an answer's envelope, and every failure described on one line.

:class:`Endpoint` sends each request of the summariser (``summariser.py``) and of ``doctor``:

* **Parameters** (``params.py``): what a request carries besides the messages and the schema is
  decided per model; a parameter the server refuses (400 ``unsupported_parameter`` /
  ``unsupported_value``) is renamed or dropped and the request sent again at once, the change
  kept for the rest of the run (no retry spent, no wait).
* **Retries** are ours, not the SDK's (``retry.py``): up to ``settings.max_retries`` for
  connection errors, timeouts, 408, 409, 429 and 5xx. No request starts with less than a second
  left before the deadline, each request's timeout is cut to what is left, and no wait reaches
  past it. A 429 or 503 asking for a wait past the deadline is a TemporaryError (exit 75) saying
  when to retry; an unreachable endpoint is an EndpointUnreachable.
* **Answers**: a refusal, a cut-off (``finish_reason=length``), a content filter or an empty
  answer is a ModelError naming the likely fix. Token usage (cached prompt tokens too, where
  the API reports them) and the parameters sent are summed in a :class:`Tally`; the usage of
  every answered request also goes to the run's meter (``briefing.metering``).

Error messages never contain the API key.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.errors import EndpointUnreachable, ModelError, TemporaryError
from briefing.metering import meter_request
from briefing.model import Usage
from briefing.summarisers.openai.params import ParameterPolicy, Parameters, Wanted
from briefing.summarisers.openai.retry import backoff, retry_after, should_retry

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

__all__ = ["OPENAI_HOST", "Endpoint", "Tally", "host_of"]

OPENAI_HOST = "api.openai.com"
_MIN_REQUEST_SECONDS = 1.0  # below this, a request cannot usefully start

log = logging.getLogger(__name__)


def host_of(base_url: str | None) -> str:
    """Host (and port) of an endpoint, without credentials or path: safe to print."""
    if not base_url:
        return OPENAI_HOST
    parts = urlsplit(base_url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"


class Tally:
    """Token usage summed over every request of an article, and the parameters each prompt's
    requests were sent with (thread-safe: map-reduce requests run in parallel)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.prompt = 0
        self.completion = 0
        self.cached: int | None = None  # None: the API reported no cached tokens at all
        self.parameters: dict[str, Parameters] = {}  # by prompt label: the latest answered
        self.batch: Tally | None = None  # the part answered through the Batch API

    def add(
        self, prompt: int, completion: int, cached: int | None = None, *, batch: bool = False
    ) -> None:
        with self._lock:
            self.prompt += prompt
            self.completion += completion
            if cached is not None:
                self.cached = (self.cached or 0) + cached
            if batch:
                self.batch = self.batch or Tally()
        if batch and self.batch is not None:
            self.batch.add(prompt, completion, cached)

    def usage(self) -> Usage:
        batch = self.batch.usage() if self.batch is not None else None
        with self._lock:
            return Usage(
                prompt_tokens=self.prompt,
                completion_tokens=self.completion,
                cached_tokens=self.cached,
                batch=batch,
            )

    def sent(self, label: str, parameters: Parameters) -> None:
        with self._lock:
            self.parameters[label] = dict(parameters)


class Endpoint:
    """The model endpoint of a run: one SDK client (shared by the map-reduce threads), the
    parameter policy, and requests sent under a deadline."""

    def __init__(self, settings: Settings, policy: ParameterPolicy) -> None:
        self.settings = settings
        self.policy = policy
        self.host = host_of(settings.base_url)
        self._key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()
        self._noticed = False  # the settings this model ignores were named (once per run)

    def client(self) -> openai.OpenAI:
        with self._lock:
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

    def ask(
        self,
        messages: list[ChatCompletionMessageParam],
        deadline: float,
        wanted: Wanted,
        fmt: ResponseFormatJSONSchema,
        *,
        tally: Tally,
        label: str,
        repair: bool = False,
    ) -> str:
        """The text of the answer to ``messages`` (see :meth:`_complete`), its usage and
        parameters added to ``tally`` under the prompt's ``label``."""
        completion, sent = self._complete(messages, deadline, wanted, fmt, repair=repair)
        return self.answer(completion, sent, tally=tally, label=label)

    def body(
        self,
        messages: list[ChatCompletionMessageParam],
        wanted: Wanted,
        fmt: ResponseFormatJSONSchema,
    ) -> tuple[dict[str, Any], Parameters]:
        """The body of a chat completion request and the parameters in it: what a direct
        request sends, and what a line of a batch (``batch.py``) holds, built in one place."""
        sent = self.policy.parameters(wanted)
        # Only what the policy sends: each model refuses something else.
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages}
        body["response_format"] = fmt
        body.update(sent)
        return body, sent

    def answer(
        self,
        completion: ChatCompletion,
        sent: Parameters,
        *,
        tally: Tally,
        label: str,
        batch: bool = False,
    ) -> str:
        """The text of ``completion``, a direct answer or a batch's (``batch``: billed at
        the batch discount), after the checks of its envelope: refused, cut off, filtered or
        empty is a ModelError. Its usage and ``sent`` go to ``tally`` under ``label``."""
        if completion.usage:
            used = completion.usage
            details = used.prompt_tokens_details
            cached = details.cached_tokens if details is not None else None
            prompt, out = used.prompt_tokens or 0, used.completion_tokens or 0
            tally.add(prompt, out, cached, batch=batch)
            # Metered before the answer is judged: a refused or cut-off answer is billed too.
            meter_request(self.settings.model, prompt, out, cached, batch=batch)
        tally.sent(label, sent)
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
            body, sent = self.body(messages, wanted, fmt)
            attempts += 1
            try:
                completion = (
                    self.client()
                    .with_options(timeout=timeout)
                    .chat.completions.create(
                        model=body["model"],
                        messages=body["messages"],
                        response_format=body["response_format"],
                        max_tokens=_arg(body, "max_tokens"),
                        max_completion_tokens=_arg(body, "max_completion_tokens"),
                        temperature=_arg(body, "temperature"),
                        reasoning_effort=_arg(body, "reasoning_effort"),
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
        with self._lock:
            if self._noticed:
                return
            self._noticed = True
        for note in self.policy.ignored(
            temperature=self.settings.temperature,
            reasoning_effort=self.settings.reasoning_effort,
        ):
            log.warning("%s", note)

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


def _arg(body: dict[str, Any], name: str) -> Any:
    """A parameter for the SDK: its value, or ``omit`` so that it is not sent at all."""
    import openai

    return body.get(name, openai.omit)


def _attempts(n: int, repair: bool = False) -> str:
    return f"{n} attempt{'s' if n != 1 else ''}" + (" of the repair request" if repair else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())
