"""OpenAI's documented rules for a strict ``json_schema`` response format, as a checker.

Structured Outputs with ``strict: true`` accept only a subset of JSON Schema and reject the
request (400) when the schema leaves it. The rules, from OpenAI's Structured Outputs guide
("Supported schemas"):

* the root is an object (not ``anyOf``);
* every object has ``additionalProperties: false`` and lists every property in ``required``;
* only these keywords: ``type``, ``properties``, ``required``, ``additionalProperties``,
  ``items``, ``enum``, ``const``, ``anyOf``, ``$ref``, ``$defs``/``definitions``, the
  annotations ``title``/``description``, and the type-specific ``pattern``, ``format``,
  ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``multipleOf``,
  ``minItems``, ``maxItems``; ``allOf``, ``not``, ``if``/``then``/``else``,
  ``patternProperties``, ``minLength`` and the like are refused;
* ``$ref`` points inside the schema;
* at most 5,000 object properties in all and 10 levels of nesting;
* the names of properties and definitions, enum values and const values add up to at most
  120,000 characters; at most 1,000 enum values in all, and an enum of more than 250 values
  adds up to at most 15,000 characters.

:data:`PORTABLE_FORBIDDEN` is stricter, ours: the keywords the strictest common subset of
providers lacks (length and pattern constraints); llama.cpp's grammar converter, for one,
refuses many patterns. The schemas we send use none of them.

Used by the test server (``tests/openai_server.py``) to answer such a request with OpenAI's
400, and by the contract tests on every prompt's schema.
"""

from __future__ import annotations

from typing import Any

SUPPORTED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "definitions",
        "title",
        "description",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
    }
)
PORTABLE_FORBIDDEN = frozenset(
    {"pattern", "format", "minItems", "maxItems", "minLength", "maxLength", "default"}
)
MAX_PROPERTIES = 5000
MAX_DEPTH = 10
MAX_NAME_CHARS = 120_000
MAX_ENUM_VALUES = 1000
LARGE_ENUM = 250
MAX_LARGE_ENUM_CHARS = 15_000


def violations(schema: Any) -> list[str]:
    """Every way ``schema`` breaks the strict-mode rules, as ``context: problem`` strings
    (empty when OpenAI would accept it)."""
    found: list[str] = []
    totals = {"properties": 0, "chars": 0, "enum_values": 0}
    if not isinstance(schema, dict) or schema.get("type") != "object" or "anyOf" in schema:
        found.append("(): the root must be an object, not anyOf")
    defs = {}
    if isinstance(schema, dict):
        defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
        for name in defs:
            totals["chars"] += len(name)
    _walk(schema, (), 1, defs, found, totals)
    if totals["properties"] > MAX_PROPERTIES:
        found.append(f"(): {totals['properties']} properties, more than {MAX_PROPERTIES}")
    if totals["chars"] > MAX_NAME_CHARS:
        found.append(f"(): names and enum values add up to {totals['chars']} characters")
    if totals["enum_values"] > MAX_ENUM_VALUES:
        found.append(f"(): {totals['enum_values']} enum values, more than {MAX_ENUM_VALUES}")
    return found


def portable_violations(schema: Any) -> list[str]:
    """Keywords of :data:`PORTABLE_FORBIDDEN` anywhere in ``schema`` (property names aside)."""
    found: list[str] = []

    def walk(node: Any, context: tuple[str, ...]) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*context, str(i)))
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                for name, sub in value.items():
                    walk(sub, (*context, key, name))
            elif key in PORTABLE_FORBIDDEN:
                found.append(f"{context}: '{key}' is not portable across strict servers")
            else:
                walk(value, (*context, key))

    walk(schema, ())
    return found


def _walk(
    node: Any,
    context: tuple[str, ...],
    depth: int,
    defs: dict[str, Any],
    found: list[str],
    totals: dict[str, int],
) -> None:
    if not isinstance(node, dict):
        found.append(f"{context}: a schema must be an object")
        return
    if depth > MAX_DEPTH:
        found.append(f"{context}: nested deeper than {MAX_DEPTH} levels")
        return
    for key in node:
        if key not in SUPPORTED:
            found.append(f"{context}: '{key}' is not permitted")
    types = node.get("type")
    type_list = types if isinstance(types, list) else [types]
    if "$ref" in node:
        ref = node["$ref"]
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else ""
        if not (isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/", "#"))):
            found.append(f"{context}: $ref {ref!r} must point inside the schema")
        elif ref != "#" and name not in defs:
            found.append(f"{context}: $ref {ref!r} names no definition")
    if "object" in type_list:
        props = node.get("properties", {})
        if node.get("additionalProperties") is not False:
            found.append(
                f"{context}: 'additionalProperties' is required to be supplied and to be false"
            )
        required = node.get("required")
        missing = [p for p in props if not isinstance(required, list) or p not in required]
        if not isinstance(required, list) or missing:
            found.append(
                f"{context}: 'required' is required to be supplied and to be an array "
                f"including every key in properties. Missing {missing!r}"
            )
        extra = [r for r in (required or []) if r not in props]
        if extra:
            found.append(f"{context}: 'required' names {extra!r}, not in properties")
        totals["properties"] += len(props)
        for name, sub in props.items():
            totals["chars"] += len(name)
            _walk(sub, (*context, "properties", name), depth + 1, defs, found, totals)
    if "items" in node:
        _walk(node["items"], (*context, "items"), depth + 1, defs, found, totals)
    for i, sub in enumerate(node.get("anyOf", [])):
        _walk(sub, (*context, "anyOf", str(i)), depth, defs, found, totals)
    for key in ("$defs", "definitions"):
        for name, sub in node.get(key, {}).items():
            _walk(sub, (*context, key, name), depth, defs, found, totals)
    if "enum" in node:
        values = node["enum"]
        totals["enum_values"] += len(values)
        chars = sum(len(str(v)) for v in values)
        totals["chars"] += chars
        if len(values) > LARGE_ENUM and chars > MAX_LARGE_ENUM_CHARS:
            found.append(
                f"{context}: an enum of {len(values)} values adds up to {chars} characters"
            )
    if "const" in node:
        totals["chars"] += len(str(node["const"]))
