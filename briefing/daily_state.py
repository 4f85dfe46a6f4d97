"""Whether a daily digest's file already holds this day: the hidden state file beside it.

A digest's file is never the same twice byte for byte (its provenance says when it was made
and how long it took), so re-rendering cannot tell whether the file already holds this day's
digest. A hidden ``.<name>.state.json`` beside the output remembers two fingerprints: what the
file was made from (:func:`fingerprint`: the briefings, the stories with their status and
changes, the sources' fates, the executive summary, the format and the rendering options, but
not when or how fast) and the sha256 of the file written. An unchanged day whose file is
still the one we wrote is not rewritten; a file edited or replaced since is.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.model import Digest
from briefing.output import atomic_write, is_stream
from briefing.version import __version__

log = logging.getLogger("briefing.daily")

__all__ = ["DigestState", "fingerprint", "remember", "state_path", "unchanged"]


class DigestState(BaseModel):
    """What a digest was made from and the hash of its file; nothing else.

    The executive summary itself is in the cache; a state file of an older version (with the
    summary in it) does not validate, so that day is rewritten once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    inputs: str
    output: str


def fingerprint(fmt: str, settings: Settings, digest: Digest, summariser_key: str) -> str:
    """What goes into the digest's file, without when or how fast it was made: the briefings,
    the stories and their changes, the sources' fates, the executive summary, the format and
    the rendering options."""
    data = {
        "fmt": fmt,
        "tool": __version__,
        "summariser": summariser_key,
        # A rerun with another marking, style or template is another PDF or HTML file.
        "render": None
        if fmt == "json"
        else {
            "evidence": settings.evidence,
            "style": settings.style,
            "detail": settings.detail,
            "marking": settings.marking,
            "pdf_variant": settings.pdf_variant,
            "template_dir": str(settings.template_dir) if settings.template_dir else None,
        },
        "briefings": [
            b.model_dump(mode="json", exclude={"provenance": {"generated_at", "duration_ms"}})
            for b in digest.briefings
        ],
        "sources": [
            s.model_dump(mode="json", exclude={"ms"})
            | {"status": "ok" if s.status == "cached" else s.status}
            for s in digest.sources
        ],
        "summary": [p.model_dump(mode="json") for p in digest.executive_summary],
        # The stories and what changed since the previous digest: the same briefings compared
        # with another previous digest (a rerun of yesterday) make another file.
        "stories": [
            s.model_dump(
                mode="json", exclude={"briefing": {"provenance": {"generated_at", "duration_ms"}}}
            )
            for s in digest.stories
        ],
        "dropped": [d.model_dump(mode="json") for d in digest.dropped],
        "previous_day": digest.previous_day,
        "summary_prompt": digest.provenance.prompt.model_dump()
        if digest.provenance.prompt
        else None,
    }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def state_path(output: Path) -> Path:
    """The hidden state file of the digest written to ``output``."""
    return output.parent / f".{output.name}.state.json"


def unchanged(output: Path, inputs: str) -> bool:
    """True when ``output`` is the file written last time from the same ``inputs``; never for
    a device or a pipe (``-o /dev/stdout``): what went down it is gone, so it is written again."""
    if is_stream(output):
        return False
    state = _read(state_path(output))
    return state is not None and state.inputs == inputs and _sha256_of(output) == state.output


def remember(output: Path, inputs: str, data: bytes) -> None:
    """Record that ``data`` was written to ``output`` from ``inputs`` (nothing for a device or
    a pipe: no state file is made beside /dev/stdout)."""
    if is_stream(output):
        return
    state = DigestState(inputs=inputs, output=hashlib.sha256(data).hexdigest())
    path = state_path(output)
    try:
        atomic_write(path, state.model_dump_json().encode("utf-8"))
    except BriefingError as exc:  # only an optimisation: the digest itself is written
        log.warning("cannot save the digest state %s: %s", path, exc.message)


def _read(path: Path) -> DigestState | None:
    try:
        return DigestState.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # ValidationError is a ValueError
        return None  # missing or unreadable: the digest is simply written afresh


def _sha256_of(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read (missing: not unchanged)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
