"""Versioned prompts: ``prompts/<name>/v<N>.md``, frozen once released.

A prompt file is TOML front matter between ``+++`` lines (name, version, description and model
parameters), then a ``<!-- system -->`` part and a ``<!-- user -->`` part, both Jinja2
templates. The user part receives the article as data between random delimiters.

Released versions are pinned by sha256 in ``prompts/prompts.lock``; a test fails when a pinned
file changes. User folders (``--prompts-dir``) override ours by prompt name.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import ConfigError
from briefing.model import PromptRef
from briefing.resources import prompts_dir

DEFAULT_PROMPT = "briefing"
LOCK_FILE = "prompts.lock"
_FILE = re.compile(r"^v([1-9][0-9]*)\.md$")
_SPEC = re.compile(r"^([a-z0-9][a-z0-9_-]*)(?:@v([1-9][0-9]*))?$")
_FRONT = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n", re.S)
_PARTS = re.compile(r"^<!--\s*(system|user)\s*-->\s*$", re.M)


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int = Field(gt=0)
    description: str
    parameters: Parameters = Field(default_factory=Parameters)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    description: str
    parameters: Parameters
    system: str
    user: str
    sha256: str
    path: Path
    builtin: bool

    @property
    def ref(self) -> PromptRef:
        return PromptRef(name=self.name, version=self.version, sha256=self.sha256)

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"

    def render(self, **data: Any) -> tuple[str, str]:
        """(system, user) messages with ``data`` and a fresh article delimiter filled in."""
        text = str(data.get("article_text", ""))
        data.setdefault("language", None)  # optional in every prompt: None = the article's
        delimiter = _delimiter(text)
        # trim_blocks: a {% if %} line leaves no blank line behind in the message.
        env = SandboxedEnvironment(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        try:
            system = env.from_string(self.system).render(delimiter=delimiter, **data)
            user = env.from_string(self.user).render(delimiter=delimiter, **data)
        except TemplateError as exc:
            raise ConfigError(
                f"prompt {self.label} ({self.path}) failed to render: {exc}"
            ) from None
        return system.strip(), user.strip()


def _delimiter(text: str) -> str:
    # Random per request, so article text cannot forge the end of its own data block.
    while True:
        token = f"ARTICLE-{secrets.token_hex(8).upper()}"
        if token not in text:
            return token


def parse_prompt(path: Path, *, builtin: bool) -> Prompt:
    raw = path.read_bytes()
    where = f"prompt file {path}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8") from None
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    if not match:
        raise ConfigError(f"{where} has no +++ TOML front matter")
    try:
        front = FrontMatter.model_validate(tomllib.loads(match.group(1)))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: front matter is not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            f"{where}: front matter {'.'.join(map(str, err['loc']))}: {err['msg']}"
        ) from None
    expected = (path.parent.name, f"v{front.version}.md")
    if (front.name, path.name) != expected:
        raise ConfigError(f"{where}: front matter says {front.name}@v{front.version}")
    body = text[match.end() :]
    pieces = _PARTS.split(body)
    parts = {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    if set(parts) != {"system", "user"} or not all(parts.values()):
        raise ConfigError(f"{where} needs a <!-- system --> part and a <!-- user --> part")
    return Prompt(
        name=front.name,
        version=front.version,
        description=front.description,
        parameters=front.parameters,
        system=parts["system"],
        user=parts["user"],
        sha256=hashlib.sha256(raw).hexdigest(),
        path=path,
        builtin=builtin,
    )


class Registry:
    """Prompts by name; a name found in a user folder hides ours entirely."""

    def __init__(self, user_dirs: Sequence[Path] = ()) -> None:
        self._folders: dict[str, tuple[Path, bool]] = {}
        for folder, builtin in [(prompts_dir(), True), *((Path(d), False) for d in user_dirs)]:
            if not builtin and not folder.is_dir():
                raise ConfigError(f"prompts folder not found: {folder}")
            for sub in sorted(folder.iterdir()):
                if sub.is_dir() and _SPEC.match(sub.name) and any(_versions_in(sub)):
                    self._folders[sub.name] = (sub, builtin)

    def names(self) -> list[str]:
        return sorted(self._folders)

    def versions(self, name: str) -> list[int]:
        folder, _ = self._folder(name)
        return sorted(_versions_in(folder))

    def get(self, spec: str | None = None) -> Prompt:
        """``NAME`` (newest version) or ``NAME@vN``; None is the default prompt."""
        spec = spec or DEFAULT_PROMPT
        match = _SPEC.match(spec)
        if not match:
            raise ConfigError(f"bad prompt {spec!r}: write NAME or NAME@vN, e.g. briefing@v1")
        name, version = match.group(1), match.group(2)
        folder, builtin = self._folder(name)
        versions = sorted(_versions_in(folder))
        chosen = int(version) if version else versions[-1]
        if chosen not in versions:
            have = ", ".join(f"v{v}" for v in versions)
            raise ConfigError(f"prompt {name} has no version v{chosen} (has {have})")
        return parse_prompt(folder / f"v{chosen}.md", builtin=builtin)

    def _folder(self, name: str) -> tuple[Path, bool]:
        try:
            return self._folders[name]
        except KeyError:
            have = ", ".join(self.names()) or "none"
            raise ConfigError(f"unknown prompt {name!r} (available: {have})") from None


def _versions_in(folder: Path) -> list[int]:
    return [int(m.group(1)) for p in folder.iterdir() if (m := _FILE.match(p.name))]


def read_lock(folder: Path | None = None) -> dict[str, str]:
    """The pinned ``name@vN -> sha256`` table of a prompts folder (ours by default)."""
    path = (folder or prompts_dir()) / LOCK_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pinned = data.get("pinned", {})
    return {str(k): str(v) for k, v in pinned.items()}
