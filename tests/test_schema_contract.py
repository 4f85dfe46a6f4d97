"""The schema we send and the answers we accept are one contract, proved both ways.

* Every instance of the strict schema a request carries is accepted by our parser
  (instances generated from the schema itself, ``tests/schema_strategy.py``).
* Every answer our parser accepts serialises to an instance of that schema (jsonschema).
* Each shipped prompt's schema keeps to OpenAI's strict-mode rules and to the portable subset.

Once, the cleaner that made the schema dropped the property ``title`` with the ``title``
annotations: no strict server could send the title the parser required, and every request to
one failed. ``test_the_contract_check_catches_a_broken_pair`` rebuilds that bug and shows
these checks fail on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from briefing.prompts import Registry
from briefing.summarisers.openai.draft import (
    ANSWER_MODELS,
    DigestDraft,
    Draft,
    DraftActor,
    DraftAssessment,
    DraftRisk,
    parse_answer,
    response_format,
    strict_schema,
)
from tests import strict_rules
from tests.schema_strategy import instances

MODELS = sorted({m.__name__: m for m in ANSWER_MODELS.values()}.items())
CONTRACT = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
# For a check expected to fail: the first failing example is proof enough, no shrinking.
NO_SHRINK = settings(CONTRACT, phases=[Phase.explicit, Phase.reuse, Phase.generate])

# Text as a model writes it: any Unicode, surrounding whitespace included.
_TEXT = st.text(min_size=0, max_size=40)
_QUOTES = st.lists(_TEXT, max_size=3)


def _drafts() -> st.SearchStrategy[Draft]:
    actor = st.builds(
        DraftActor,
        name=_TEXT,
        kind=st.sampled_from(["state", "organisation", "armed group", "person", "other"]),
        role=_TEXT,
        evidence=_QUOTES,
    )
    assessment = st.builds(
        DraftAssessment,
        text=_TEXT,
        confidence=st.sampled_from(["low", "moderate", "high"]),
        evidence=_QUOTES,
    )
    rating = st.sampled_from(["low", "medium", "high"])
    risk = st.builds(
        DraftRisk,
        description=_TEXT,
        likelihood=rating,
        impact=rating,
        evidence=_QUOTES,
    )
    return st.builds(
        Draft,
        title=_TEXT,
        situation=_TEXT,
        actors=st.lists(actor, max_size=20),
        assessment=assessment,
        risks=st.lists(risk, max_size=14),
        injection_suspected=st.booleans(),
    )


def _digests() -> st.SearchStrategy[DigestDraft]:
    from briefing.summarisers.openai.draft import DigestPoint

    point = st.builds(DigestPoint, text=_TEXT, briefings=st.lists(st.integers(), max_size=4))
    return st.builds(DigestDraft, points=st.lists(point, max_size=15))


ACCEPTED: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "Draft": _drafts,
    "DigestDraft": _digests,
}


def test_every_shipped_prompt_has_an_answer_model() -> None:
    shipped = set(Registry([]).names())
    assert shipped == {"briefing", "merge", "digest"}
    assert shipped <= set(ANSWER_MODELS), shipped - set(ANSWER_MODELS)


@pytest.mark.parametrize("prompt", sorted(ANSWER_MODELS))
def test_schema_keeps_openai_strict_rules(prompt: str) -> None:
    schema = strict_schema(ANSWER_MODELS[prompt])
    assert strict_rules.violations(schema) == []
    assert strict_rules.portable_violations(schema) == []
    fmt = response_format(ANSWER_MODELS[prompt])
    assert fmt["json_schema"]["strict"] is True


@pytest.mark.parametrize("name,model", MODELS)
def test_every_required_field_is_in_the_schema(name: str, model: type[BaseModel]) -> None:
    """Each field the parser requires, at every level, is a property the schema requires."""
    schema = strict_schema(model)

    def check(node: dict[str, Any], cls: type[BaseModel], where: str) -> None:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        props = node["properties"]
        for field, info in cls.model_fields.items():
            assert field in props, f"{where}.{field} is parsed but not in the schema"
            assert field in node["required"], f"{where}.{field} is not required by the schema"
            inner = info.annotation
            args = getattr(inner, "__args__", ())
            sub = args[0] if args else inner
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                target = props[field].get("items", props[field])
                check(target, sub, f"{where}.{field}")

    check(schema, model, name)


def check_instances_parse(
    model: type[BaseModel], schema: dict[str, Any], contract: settings = CONTRACT
) -> None:
    """Every instance of ``schema`` is accepted by the parser for ``model``."""

    @contract
    @given(instances(schema))
    def run(instance: Any) -> None:
        parse_answer(json.dumps(instance), model)

    run()


def check_accepted_answers_fit(
    strategy: st.SearchStrategy[Any], schema: dict[str, Any], contract: settings = CONTRACT
) -> None:
    """Every answer the parser accepts serialises to an instance of ``schema``."""

    @contract
    @given(strategy)
    def run(answer: BaseModel) -> None:
        jsonschema.validate(answer.model_dump(mode="json"), schema)

    run()


@pytest.mark.parametrize("name,model", MODELS)
def test_every_instance_of_the_schema_is_accepted(name: str, model: type[BaseModel]) -> None:
    check_instances_parse(model, strict_schema(model))


@pytest.mark.parametrize("name,model", MODELS)
def test_every_accepted_answer_is_an_instance_of_the_schema(
    name: str, model: type[BaseModel]
) -> None:
    check_accepted_answers_fit(ACCEPTED[name](), strict_schema(model))


def test_accepted_answers_are_valid_whatever_we_generate() -> None:
    """The strategies above reach the parser's edges: blank and padded strings, long lists."""
    draft = parse_answer(
        json.dumps(
            {
                "title": "  ",
                "situation": " padded ",
                "actors": [{"name": "", "kind": "other", "role": "", "evidence": [""]}] * 20,
                "assessment": {"text": "", "confidence": "low", "evidence": []},
                "risks": [],
                "injection_suspected": True,
            }
        ),
        Draft,
    )
    assert draft.situation == "padded" and draft.title == "" and len(draft.actors) == 20
    jsonschema.validate(draft.model_dump(mode="json"), strict_schema(Draft))


def _old_buggy_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The cleaner as it was: every key named "title" dropped, the property included."""

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: clean(v) for k, v in node.items() if k != "title"}
            if out.get("type") == "object":
                out["additionalProperties"] = False
                out["required"] = list(out.get("properties", {}))
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    result: dict[str, Any] = clean(model.model_json_schema())
    return result


def test_the_contract_check_catches_a_broken_pair() -> None:
    broken = _old_buggy_schema(Draft)
    assert "title" not in broken["properties"]
    assert strict_rules.violations(broken) == []  # OpenAI would accept the schema itself...
    with pytest.raises(ValueError, match=r"does not match the schema \(title: Field required\)"):
        check_instances_parse(Draft, broken, NO_SHRINK)  # ...but no answer to it parses
    with pytest.raises(jsonschema.ValidationError, match="'title' was unexpected"):
        check_accepted_answers_fit(_drafts(), broken, NO_SHRINK)


def test_a_parser_stricter_than_the_schema_is_caught() -> None:
    """A length rule in the parser that the schema does not carry breaks the contract."""
    from pydantic import Field

    class Capped(BaseModel):
        points: list[str] = Field(max_length=2)

    schema = strict_schema(Capped)
    assert strict_rules.portable_violations(schema) != []  # the rule shows in the schema...
    del schema["properties"]["points"]["maxItems"]  # ...and dropping it there alone breaks it
    with pytest.raises(ValueError, match="does not match the schema"):
        check_instances_parse(Capped, schema, NO_SHRINK)
