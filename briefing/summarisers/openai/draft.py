"""The lean "draft" a language model fills, its strict JSON schema, and its parsing.

The model never writes provenance, sources or flags: the code adds those when it turns a
validated Draft into the full Briefing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.model import ActorKind, Confidence, Rating

if TYPE_CHECKING:
    from openai.types.shared_params import ResponseFormatJSONSchema

MAX_ACTORS = 8
MAX_RISKS = 6
MAX_POINTS = 12

# The contract with the server: the schema we send (strict_schema) and what parse_answer
# accepts are the same set of answers. A strict server (OpenAI, llama.cpp, vLLM, Ollama) can
# only ever send an instance of the schema, so any rule the parser adds beyond it would turn a
# correct answer into a failure. The schema therefore carries no length limits (the strictest
# common subset of providers has none); list lengths are cut when the Briefing is built, and
# content rules (a situation that is not blank) are checked after parsing by content_problem(),
# which may ask for one repair like the language check.


class _Draft(BaseModel):
    # Surrounding whitespace is noise, never meaning: stripping it keeps every accepted Draft
    # an instance of the schema and every instance acceptable.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DraftActor(_Draft):
    name: str
    kind: ActorKind
    role: str
    evidence: list[str]


class DraftAssessment(_Draft):
    text: str
    confidence: Confidence
    evidence: list[str]


class DraftRisk(_Draft):
    description: str
    likelihood: Rating
    impact: Rating
    evidence: list[str]


class Draft(_Draft):
    title: str
    situation: str
    actors: list[DraftActor]
    assessment: DraftAssessment
    risks: list[DraftRisk]
    injection_suspected: bool


class DigestPoint(_Draft):
    text: str
    briefings: list[int]


class DigestDraft(_Draft):
    points: list[DigestPoint]


# The answer model of each shipped prompt: its strict schema is what the request carries and
# its parser what the answer must pass (the contract tests cover every entry).
ANSWER_MODELS: dict[str, type[BaseModel]] = {
    "briefing": Draft,
    "merge": Draft,
    "digest": DigestDraft,
}

# JSON-schema keywords that only annotate: dropped to save tokens (never property names).
_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})


def strict_schema(model: type[BaseModel] = Draft) -> dict[str, Any]:
    """JSON schema for ``response_format`` strict mode: every object closed
    (``additionalProperties: false``) with all its properties required, and no annotations.

    Property names are kept whatever they are called: only keywords are dropped (a property
    named ``title`` once vanished with the ``title`` annotations, and no strict server could
    then send the title the parser requires)."""

    def clean(node: Any) -> Any:
        if isinstance(node, list):
            return [clean(v) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _ANNOTATIONS:
                continue
            if key in ("properties", "$defs"):  # a map of names to schemas, not keywords
                out[key] = {name: clean(sub) for name, sub in value.items()}
            else:
                out[key] = clean(value)
        if out.get("type") == "object":
            out["additionalProperties"] = False
            out["required"] = list(out.get("properties", {}))
        return out

    result: dict[str, Any] = clean(model.model_json_schema())
    return result


def schema_name(model: type[BaseModel]) -> str:
    return "briefing_draft" if model is Draft else model.__name__.lower()


def response_format(model: type[BaseModel] = Draft) -> ResponseFormatJSONSchema:
    return {
        "type": "json_schema",
        "json_schema": {"name": schema_name(model), "strict": True, "schema": strict_schema(model)},
    }


def content_problem(answer: BaseModel) -> str | None:
    """What makes a schema-valid answer useless, phrased for a repair request; None if fine."""
    if isinstance(answer, Draft):
        if not answer.situation:
            return "leaves the situation empty: write 2-4 sentences on what happened"
        if not answer.assessment.text:
            return "leaves the assessment empty: write what the article's analysts judge"
    if isinstance(answer, DigestDraft) and not any(p.text for p in answer.points):
        return "has no points: write at least one point of the day's summary"
    return None


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def extract_json(content: str) -> Any:
    """The JSON object in an answer, tolerating prose or a code fence around it."""
    text = content.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as first_error:
        candidates = [m.group(1) for m in _FENCE.finditer(text)]
        # Prose around the object: decode from the first brace only, since a later brace
        # starts an inner fragment (an actor) of a broken answer, not the answer.
        if "{" in text:
            candidates.append(text[text.index("{") :])
        decoder = json.JSONDecoder()
        for candidate in candidates:
            try:
                value, _ = decoder.raw_decode(candidate.strip())
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
        raise first_error


def parse_draft(content: str) -> Draft:
    """Validate a briefing answer; raises ValueError with a short, model-readable reason."""
    return parse_answer(content, Draft)


M = TypeVar("M", bound=BaseModel)


def parse_answer(content: str, model: type[M]) -> M:
    """Validate an answer as ``model``; raises ValueError with a short, model-readable reason."""
    try:
        data = extract_json(content)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ValueError(f"does not match the schema ({problems})") from None
