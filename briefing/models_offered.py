"""The models an endpoint offers (``GET /models`` through the SDK): ``briefing models`` and
``doctor``'s endpoint check.

One quick try, no retries: both commands should answer at once, and a failure is reported
with the same one-line messages as a build's (exit 4).
"""

from __future__ import annotations

from briefing.config import Settings
from briefing.errors import ConfigError, ModelError

__all__ = ["LIST_TIMEOUT", "list_models", "shown_models"]

LIST_TIMEOUT = 15.0  # seconds at most, whatever --timeout says: a listing is small
SHOWN = 10  # models named in one line (doctor)


def list_models(settings: Settings) -> list[str]:
    """The ids the endpoint of ``settings`` lists, sorted. ConfigError without a key or a base
    URL; ModelError (exit 4, one line, no key) when the request fails."""
    import openai

    from briefing.summarisers.openai.params import ParameterPolicy
    from briefing.summarisers.openai.requests import Endpoint

    if not settings.api_key and not settings.base_url:
        raise ConfigError(
            "listing models needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
        )
    settings = settings.model_copy(update={"max_retries": 0})
    endpoint = Endpoint(settings, ParameterPolicy(settings.model))
    try:
        page = (
            endpoint.client()
            .with_options(timeout=min(settings.timeout, LIST_TIMEOUT), max_retries=0)
            .models.list()
        )
    except openai.APIError as exc:
        raise ModelError(endpoint.describe_error(exc)) from None
    return sorted({m.id for m in page.data})


def shown_models(models: list[str], limit: int = SHOWN) -> str:
    """``a, b, c`` — the first ``limit`` of ``models``, and how many more there are."""
    more = len(models) - limit
    return ", ".join(models[:limit]) + (f" (and {more} more)" if more > 0 else "")
