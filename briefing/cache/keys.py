"""The keys of the result cache: everything that shapes a briefing, or a day's summary, hashed.

The key of a briefing (:func:`cache_key`) is a sha256 over a canonical JSON of
:func:`key_fields`: the article's sha256, the summariser's name and version, model, endpoint
host, prompt (and merge prompt) name@version and sha256, temperature, token limits, reasoning
effort, the language asked for (--language), ``SCHEMA_VERSION`` and the tool's major.minor
version. Never the API key.

A day's executive summary by a model (the ``digest`` prompt) is keyed by :func:`summary_key`:
the briefings it summarises (their :func:`content_hash`, in order), the digest prompt's
name@version and sha256, model, endpoint host, temperature, token limit and language.

Nothing here touches the cache file (:mod:`briefing.cache.store`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from briefing import version
from briefing.model import SCHEMA_VERSION, Briefing

__all__ = [
    "Summariser",
    "cache_key",
    "content_hash",
    "key_fields",
    "summary_key",
    "summary_key_fields",
]

log = logging.getLogger("briefing.cache")


class Summariser(Protocol):
    """All the key needs of a summariser: a name; the rest is read with getattr when present
    (version, settings, model, host, prompt, merge_prompt, temperature, max_tokens,
    max_input_tokens). Every :class:`briefing.summarisers.Summariser` qualifies."""

    @property
    def name(self) -> str: ...


def key_fields(article_sha256: str, summariser: Summariser) -> dict[str, Any]:
    """Everything that shapes a briefing of this article by this summariser (safe to log).

    Attributes a summariser lacks are None (the offline summariser has no model, prompt or
    endpoint). Only the endpoint's host is used, never the URL's credentials, nor the API key.
    """
    settings = _attr(summariser, "settings")
    prompt = _attr(summariser, "prompt")
    merge_prompt = _attr(summariser, "merge_prompt")  # may be loaded on first access
    model = _str_or_none(_attr(summariser, "model")) or _str_or_none(_attr(settings, "model"))
    host = _str_or_none(_attr(summariser, "host"))
    if host is None and settings is not None:
        host = _host(_str_or_none(_attr(settings, "base_url")))
    temperature = _attr(summariser, "temperature")
    max_input_tokens = _attr(summariser, "max_input_tokens")
    if max_input_tokens is None and settings is not None:
        # Only summarisers configured by Settings (the model ones) split long articles.
        max_input_tokens = _attr(settings, "max_input_tokens")
    return {
        "article_sha256": article_sha256.strip().lower(),
        "summariser": str(summariser.name),
        "summariser_version": _str_or_none(_attr(summariser, "version")),
        "model": model,
        "host": host,
        "prompt": _label(prompt),
        "prompt_sha256": _str_or_none(_attr(prompt, "sha256")),
        "merge_prompt": _label(merge_prompt),
        "merge_prompt_sha256": _str_or_none(_attr(merge_prompt, "sha256")),
        "temperature": _float_or_none(temperature),
        "max_tokens": _int_or_none(_attr(summariser, "max_tokens")),
        "max_input_tokens": _int_or_none(max_input_tokens),
        # --reasoning-effort: a reasoning model thinking harder writes another briefing.
        "reasoning_effort": _str_or_none(_attr(summariser, "reasoning_effort")),
        # --language: the same article briefed in French is not the English briefing.
        "language": _language(summariser),
        "schema_version": SCHEMA_VERSION,
        # Looked up on each call, not bound at import, so that a patched version counts.
        "tool_version": _major_minor(version.__version__),
    }


def cache_key(article_sha256: str, summariser: Summariser) -> str:
    """The sha256 (hex) of the canonical JSON of :func:`key_fields`."""
    return _hash(key_fields(article_sha256, summariser))


def content_hash(briefing: Briefing) -> str:
    """The sha256 (hex) of what a briefing says, without when it was made or how long it
    took: equal for the same briefing read back from the cache or re-rendered."""
    data = briefing.model_dump(mode="json", exclude={"provenance": {"generated_at", "duration_ms"}})
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def summary_key_fields(
    briefing_hashes: Sequence[str], summariser: Summariser, prompt: object
) -> dict[str, Any]:
    """Everything that shapes a day's executive summary by ``summariser`` under the digest
    ``prompt`` (safe to log): the briefings, by :func:`content_hash` in digest order (their
    numbers are the summary's references), and the prompt, model, endpoint, sampling and
    language as a briefing's key has them. The temperature and token limit are the ones the
    request sends: the setting, else the prompt's own."""
    base = key_fields("", summariser)
    settings = _attr(summariser, "settings")
    parameters = _attr(prompt, "parameters")
    temperature = _attr(settings, "temperature")
    if temperature is None:
        temperature = _attr(parameters, "temperature")
    max_tokens = _attr(settings, "max_tokens") or _attr(parameters, "max_tokens")
    return {
        "kind": "executive summary",
        "briefings": [h.strip().lower() for h in briefing_hashes],
        "summariser": base["summariser"],
        "summariser_version": base["summariser_version"],
        "model": base["model"],
        "host": base["host"],
        "prompt": _label(prompt),
        "prompt_sha256": _str_or_none(_attr(prompt, "sha256")),
        "temperature": _float_or_none(temperature),
        "max_tokens": _int_or_none(max_tokens),
        "reasoning_effort": base["reasoning_effort"],
        "language": base["language"],
        "schema_version": SCHEMA_VERSION,
        "tool_version": base["tool_version"],
    }


def summary_key(briefing_hashes: Sequence[str], summariser: Summariser, prompt: object) -> str:
    """The sha256 (hex) of the canonical JSON of :func:`summary_key_fields`."""
    return _hash(summary_key_fields(briefing_hashes, summariser, prompt))


def _hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _language(summariser: Summariser) -> str | None:
    """The language the summariser is asked to write in: its resolved code when it has one
    ("fr" for "French"), else the setting as given, else None (the article's own)."""
    language = _attr(summariser, "language")
    if language is not None and not isinstance(language, str):
        language = _attr(language, "code")
    if language is None:
        language = _attr(_attr(summariser, "settings"), "language")
    return _str_or_none(language)


def _attr(obj: object, name: str) -> Any:
    """``obj.name``, or None when absent or when computing it fails (a lazily loaded prompt
    that cannot be found): the key then says None and the summariser reports the problem."""
    if obj is None:
        return None
    try:
        return getattr(obj, name, None)
    except Exception as exc:
        log.debug("cache key: %s.%s unavailable: %s", type(obj).__name__, name, exc)
        return None


def _float_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _label(prompt: object) -> str | None:
    if prompt is None:
        return None
    return f"{_attr(prompt, 'name')}@v{_attr(prompt, 'version')}"


def _host(base_url: str | None) -> str | None:
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if not parts.hostname:
        return "?"
    return parts.hostname + (f":{parts.port}" if parts.port else "")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
