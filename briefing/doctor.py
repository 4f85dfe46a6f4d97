"""`briefing doctor`: check the set-up and say what is wrong, without printing secrets."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from briefing import __version__
from briefing.config import Settings, default_config_path, describe


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings, config_path: Path | None = None) -> list[Check]:
    checks: list[Check] = [
        Check("briefing", True, f"{__version__} on Python {sys.version.split()[0]}"),
    ]
    for name, check in (
        ("PDF renderer", _weasyprint),
        ("data files", _data_files),
        ("prompts", _prompt_lock),
    ):
        try:
            checks.append(Check(name, True, check()))
        except Exception as exc:  # every failure is a finding, not a crash
            checks.append(Check(name, False, " ".join(str(exc).split()) or type(exc).__name__))
    path = config_path or default_config_path()
    checks.append(Check("config file", True, f"{path} ({'found' if path.exists() else 'none'})"))
    settings_text = ", ".join(f"{k}={v}" for k, v in describe(settings) if v)
    checks.append(Check("settings", True, settings_text))
    if settings.resolved_summariser == "openai":
        checks.append(_endpoint(settings))
    return checks


def _weasyprint() -> str:
    import weasyprint

    pdf = weasyprint.HTML(string="<p>briefing doctor</p>").write_pdf()
    if not pdf or not pdf.startswith(b"%PDF"):
        raise RuntimeError("WeasyPrint produced no PDF")
    return f"WeasyPrint {weasyprint.__version__} renders PDF (Pango and fonts found)"


def _data_files() -> str:
    from briefing.resources import prompts_dir, templates_dir

    return f"templates in {templates_dir()}, prompts in {prompts_dir()}"


def _prompt_lock() -> str:
    from briefing.prompts import Registry, read_lock
    from briefing.resources import prompts_dir

    pinned = read_lock()
    for label, digest in pinned.items():
        name, version = label.split("@v")
        path = prompts_dir() / name / f"v{version}.md"
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise RuntimeError(f"{label} differs from its pinned sha256 (modified install?)")
    registry = Registry()
    newest = ", ".join(registry.get(n).label for n in registry.names())
    return f"{len(pinned)} pinned versions intact; newest: {newest}"


def _endpoint(settings: Settings) -> Check:
    from briefing.summarisers.openai import host_of

    host = host_of(settings.base_url)
    try:
        models = _list_models(settings)
    except Exception as exc:
        from briefing.errors import ModelError

        reason = exc.message if isinstance(exc, ModelError) else type(exc).__name__
        return Check("model endpoint", False, f"GET /models at {host} failed: {reason}")
    found = settings.model in models
    detail = f"{host} answers GET /models ({len(models)} models)"
    detail += f"; {settings.model} {'available' if found else 'NOT listed'}"
    return Check("model endpoint", found or not models, detail)


def _list_models(settings: Settings) -> list[str]:
    import openai

    from briefing.errors import ModelError
    from briefing.prompts import Registry
    from briefing.summarisers.openai import OpenAISummariser

    # One quick try: doctor should answer fast, not wait through retries.
    settings = settings.model_copy(update={"max_retries": 0})
    summariser = OpenAISummariser(settings, Registry().get(None))
    try:
        page = (
            summariser.client()
            .with_options(timeout=min(settings.timeout, 15), max_retries=0)
            .models.list()
        )
    except openai.APIError as exc:
        raise ModelError(summariser.describe_error(exc)) from None
    return [m.id for m in page.data]
