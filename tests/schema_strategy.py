"""Hypothesis strategies for every instance of a strict JSON schema.

Covers the whole strict-mode subset (``tests/strict_rules.py``): objects, arrays with
``minItems``/``maxItems``, strings (any Unicode, blank and padded ones included), numbers with
bounds, booleans, null, ``enum``, ``const``, ``anyOf`` and ``$ref`` into ``$defs``. A keyword
outside that subset raises, so a schema we cannot generate from cannot pass silently.
(hypothesis-jsonschema would do this too, but its last release no longer works with current
Hypothesis.)
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.strict_rules import SUPPORTED

_ANNOTATIONS = {"title", "description"}


def instances(schema: dict[str, Any], *, max_items: int = 6) -> st.SearchStrategy[Any]:
    """Every instance of ``schema`` (lists up to ``max_items`` long unless the schema says)."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}

    def of(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        unknown = set(node) - SUPPORTED
        if unknown:
            raise ValueError(f"cannot generate instances for keywords {sorted(unknown)}")
        if "$ref" in node:
            return st.deferred(lambda: of(defs[node["$ref"].rsplit("/", 1)[-1]]))
        if "anyOf" in node:
            return st.one_of([of(sub) for sub in node["anyOf"]])
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node.get("type")
        if isinstance(kind, list):
            return st.one_of([of({**node, "type": k}) for k in kind])
        if kind == "object":
            props = node.get("properties", {})
            return st.fixed_dictionaries({name: of(sub) for name, sub in props.items()})
        if kind == "array":
            low = node.get("minItems", 0)
            return st.lists(
                of(node["items"]), min_size=low, max_size=node.get("maxItems", low + max_items)
            )
        if kind == "string":
            return st.text(max_size=30) | st.sampled_from(["", " ", "\n\t", " padded "])
        if kind == "integer":
            return st.integers(node.get("minimum"), node.get("maximum"))
        if kind == "number":
            return st.floats(
                node.get("minimum"), node.get("maximum"), allow_nan=False, allow_infinity=False
            )
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        raise ValueError(f"cannot generate instances of type {kind!r}")

    return of(schema)
