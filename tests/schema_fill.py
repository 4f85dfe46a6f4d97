"""Fill a JSON schema from an article's own sentences, as a schema-following model would.

The test server's ``Reply.fill()`` answers a request with an instance of *that request's*
schema, so a test exercises exactly the contract a strict server enforces instead of a
hand-written answer no strict server could send. Strings are taken from the request's data
(the text between the prompt's random delimiters): evidence quotes are whole sentences copied
verbatim, so the grounding check finds them; a ``name`` is a capitalised phrase of the text;
enums take their first value; numbers their minimum or 1; booleans false. The result is
deterministic for the same request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")
_QUOTE_KEYS = ("evidence",)
_NAME_KEYS = ("name",)


def article_data(body: dict[str, Any]) -> str:
    """The data of a chat request: the text between the random delimiter lines of the last
    user message (the whole message when it has none)."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = users[0].get("content", "") if users else ""
    if not isinstance(content, str):
        return ""
    lines = content.splitlines()
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker and f"END-{marker}" in lines[i + 1 :]:
            end = lines.index(f"END-{marker}", i + 1)
            return "\n".join(lines[i + 1 : end])
    return content


def sentences(text: str) -> list[str]:
    """Verbatim sentences of ``text``; for JSON data (merge, digest), its string values."""
    data = None
    starts = [i for i in (text.find("["), text.find("{")) if i >= 0]
    if starts:  # after the prompt's header lines ("Article title: ..."), if any
        try:
            data, _ = json.JSONDecoder().raw_decode(text[min(starts) :])
        except ValueError:
            data = None
    if data is not None:
        strings = [s.strip() for s in _strings(data) if len(s.split()) >= 4]
        if strings:
            return strings
    lines = [line for line in text.splitlines() if not line.startswith("Title: ")]
    # A sentence ends at . ! or ? before white space or the end: "$1.2 billion" stays whole.
    found = [s.strip() for line in lines for s in _SENTENCE_END.split(line)]
    return [s for s in found if len(s.split()) >= 4] or [text.strip() or "No text."]


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def fill(schema: dict[str, Any], text: str, *, items: int = 2) -> Any:
    """An instance of ``schema`` made from ``text``'s sentences (``items`` per array)."""
    pool = sentences(text)
    names = _CAPITALISED.findall(" ".join(pool)) or ["Unknown"]
    counter = {"sentence": 0, "name": 0}
    defs = schema.get("$defs", {})

    def take(kind: str, values: list[str]) -> str:
        value = values[counter[kind] % len(values)]
        counter[kind] += 1
        return value

    def make(node: dict[str, Any], key: str) -> Any:
        if "$ref" in node:
            return make(defs[node["$ref"].rsplit("/", 1)[-1]], key)
        if "anyOf" in node:
            return make(node["anyOf"][0], key)
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return node["enum"][0]
        kind = node.get("type")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        if kind == "object":
            return {name: make(sub, name) for name, sub in node.get("properties", {}).items()}
        if kind == "array":
            n = max(node.get("minItems", 0), min(items, node.get("maxItems", items)))
            return [make(node["items"], key) for _ in range(n)]
        if kind == "string":
            if key in _NAME_KEYS:
                return take("name", names)
            if key in _QUOTE_KEYS:
                return take("sentence", pool)
            if key == "title":
                return " ".join(pool[0].split()[:8])
            return take("sentence", pool)
        if kind == "integer":
            return int(node.get("minimum", 1))
        if kind == "number":
            return float(node.get("minimum", 1))
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        raise ValueError(f"cannot fill a schema of type {kind!r} at {key!r}")

    return make(schema, "")
