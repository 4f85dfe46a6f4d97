"""Settings: defaults < config file (TOML) < environment < command-line flags.

Each setting is declared once in ``briefing.settings_spec`` (type, default, limits, variable,
flag, help). The config file is ``--config PATH`` or ``<user config dir>/briefing/config.toml``
(platformdirs), with keys named like the fields of ``Settings``. The API key is read from
``OPENAI_API_KEY`` only: never from the config file, never printed.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from briefing.errors import ConfigError
from briefing.prices import PRICES_DATE, Price
from briefing.settings_spec import (
    DEFAULT_MODEL,
    ReasoningEffort,
    SettingsFields,
    SummariserChoice,
    setting_specs,
)

__all__ = [
    "DEFAULT_MODEL",
    "ReasoningEffort",
    "Settings",
    "SummariserChoice",
    "base_url_problem",
    "default_config_path",
    "describe",
    "load_settings",
]


class Settings(BaseModel, SettingsFields):
    """Every option a config file, the environment or a flag may set.

    The fields are declared once, with their metadata, in ``briefing.settings_spec``; pydantic
    reads their types, defaults and limits from the ``SettingsFields`` annotations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Never from the file: only the environment (OPENAI_API_KEY) or the process itself.
    api_key: SecretStr | None = Field(default=None, exclude=True)
    # The config file's [prices] table, over the shipped one (briefing.prices): a table, not
    # a value a flag or a variable could carry, hence not declared in settings_spec.
    prices: dict[str, Price] = Field(default_factory=dict, exclude=True)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # like the SDK: an empty OPENAI_BASE_URL means the default endpoint
        problem = base_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def resolved_summariser(self) -> Literal["offline", "openai"]:
        if self.summariser != "auto":
            return self.summariser
        return "openai" if (self.api_key or self.base_url) else "offline"


def base_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be a model endpoint (one line, credentials removed); None if fine.

    Checked when the settings are read, so a typo is a configuration error before any
    request rather than a connection failure naming some other host."""
    if url is None:
        return None
    shown = repr(_without_credentials(url))
    if re.search(r"\s", url):
        return f"{shown} contains whitespace"
    if "://" not in url:
        return f"{shown} has no scheme: write http:// or https:// before it"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return f"{shown} is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{shown} is not an http or https URL"
    if not parts.hostname:
        return f"{shown} has no host"
    return None


def _without_credentials(url: str) -> str:
    return re.sub(r"(?<=//)[^/@\s]*@", "", url, count=1)


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("briefing")) / "config.toml"


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the layers; flags whose value is None are "not given"."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    values.update(_read_file(config_path))
    for spec in setting_specs():
        if env.get(spec.env):  # an empty variable counts as not set
            values[spec.name] = env[spec.env]
    values.update({k: v for k, v in (flags or {}).items() if v is not None})
    if env.get("OPENAI_API_KEY"):
        values["api_key"] = env["OPENAI_API_KEY"]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(f"invalid setting: {_first_error(exc)}") from None


def _read_file(path: Path | None) -> dict[str, Any]:
    explicit = path is not None
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file not found: {path}") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    if "api_key" in data:
        raise ConfigError(
            f"config file {path}: api_key is not read from files; set OPENAI_API_KEY instead"
        )
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        known = ", ".join(sorted(f for f in Settings.model_fields if f != "api_key"))
        raise ConfigError(f"config file {path}: unknown setting {unknown[0]!r} (known: {known})")
    return data


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "value"
    msg = err["msg"]
    if err["type"] == "value_error":  # our own validators' message, without pydantic's prefix
        msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}"


def describe(settings: Settings) -> list[tuple[str, str]]:
    """The settings in force as (name, value) pairs, safe to print (the key is masked)."""
    rows = [
        (name, "" if value is None else str(value))
        for name, value in settings.model_dump(exclude={"api_key"}).items()
    ]
    if settings.base_url:  # credentials may be embedded in a URL: never show them
        parts = urlsplit(settings.base_url)
        netloc = parts.netloc.rpartition("@")[2]
        rows = [
            (k, parts._replace(netloc=netloc).geturl() if k == "base_url" else v) for k, v in rows
        ]
    rows.append(("api_key", "set (hidden)" if settings.api_key else "not set"))
    own = f" + {len(settings.prices)} from the config file" if settings.prices else ""
    rows.append(("prices", f"table of {PRICES_DATE}{own}"))
    rows.append(("summariser in use", settings.resolved_summariser))
    return rows
