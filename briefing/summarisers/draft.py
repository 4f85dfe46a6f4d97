"""The lean "draft" a language model fills, its strict JSON schema, and its parsing.

The model never writes provenance, sources or flags: the code adds those when it turns a
validated Draft into the full Briefing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefing.model import ActorKind, Confidence, Rating

if TYPE_CHECKING:
    from openai.types.shared_params import ResponseFormatJSONSchema

MAX_ACTORS = 8
MAX_RISKS = 6


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_blank_text(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value


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
    actors: list[DraftActor] = Field(max_length=MAX_ACTORS * 2)
    assessment: DraftAssessment
    risks: list[DraftRisk] = Field(max_length=MAX_RISKS * 2)
    injection_suspected: bool


class DigestPoint(_Draft):
    text: str
    briefings: list[int]


class DigestDraft(_Draft):
    """The executive summary of a day's briefings (prompt ``digest``)."""

    points: list[DigestPoint] = Field(min_length=1, max_length=12)


def strict_schema(model: type[BaseModel] = Draft) -> dict[str, Any]:
    """JSON schema for ``response_format`` strict mode: every field required, no extras,
    no titles or length keywords (they cost tokens and some servers reject them)."""

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            out = {
                k: clean(v)
                for k, v in node.items()
                if k not in ("title", "maxItems", "minItems", "default")
            }
            if out.get("type") == "object":
                out["additionalProperties"] = False
                out["required"] = list(out.get("properties", {}))
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    result: dict[str, Any] = clean(model.model_json_schema())
    return result


def response_format(model: type[BaseModel] = Draft) -> ResponseFormatJSONSchema:
    name = "briefing_draft" if model is Draft else model.__name__.lower()
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": strict_schema(model)},
    }


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
