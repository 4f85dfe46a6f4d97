"""`briefing doctor`: check the set-up and say what is wrong, without printing secrets."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from briefing.config import Settings, default_config_path, describe
from briefing.version import __version__

# A short article for --probe: enough for every field of the briefing schema.
PROBE_TITLE = "Harbour reopens after storm"
PROBE_ARTICLE = (
    "The port authority reopened the harbour on Tuesday after a two-day closure caused by a "
    "storm. Officials said three cargo ships had waited offshore and would dock by the "
    "evening. The regional governor said damage to the breakwater was limited, but engineers "
    "warned that repairs could take several weeks. Shipping agents expect delays to grain "
    "exports until the backlog clears, and analysts say insurers may raise premiums for the "
    "port if storms become more frequent."
)
PROBE_DEADLINE = 120.0  # seconds: a reasoning model may think for a while, doctor must end


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(
    settings: Settings, config_path: Path | None = None, *, probe: bool = False
) -> list[Check]:
    checks: list[Check] = [
        Check("briefing", True, f"{__version__} on Python {sys.version.split()[0]}"),
    ]
    for name, check in (
        ("PDF renderer", _weasyprint),
        ("long digests", _parts),
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
    if probe:
        checks.append(_probe(settings))
    return checks


def _weasyprint() -> str:
    import weasyprint

    pdf = weasyprint.HTML(string="<p>briefing doctor</p>").write_pdf()
    if not pdf or not pdf.startswith(b"%PDF"):
        raise RuntimeError("WeasyPrint produced no PDF")
    return f"WeasyPrint {weasyprint.__version__} renders PDF (Pango and fonts found)"


def _parts() -> str:
    """pypdf joins the parts of a long digest: join two blank pages."""
    import io

    import pypdf

    from briefing.render.join import join_pdfs, page_count
    from briefing.render.parallel import default_workers

    def blank() -> bytes:
        writer = pypdf.PdfWriter()
        writer.add_blank_page(595, 842)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    pages = page_count(join_pdfs([blank(), blank()]))
    if pages != 2:
        raise RuntimeError(f"pypdf joined two pages into {pages}")
    workers = default_workers()
    return f"pypdf {pypdf.__version__} joins parts laid out by {workers} worker" + "s" * (
        workers != 1
    )


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
    from briefing.models_offered import list_models, shown_models
    from briefing.summarisers.openai.requests import host_of

    host = host_of(settings.base_url)
    try:
        models = list_models(settings)
    except Exception as exc:
        from briefing.errors import ModelError

        reason = exc.message if isinstance(exc, ModelError) else type(exc).__name__
        return Check("model endpoint", False, f"GET /models at {host} failed: {reason}")
    found = settings.model in models
    detail = f"{host} answers GET /models ({len(models)} models)"
    detail += f"; {settings.model} {'available' if found else 'NOT listed'}"
    if models and not found:  # the fix is usually one of these names: say them
        detail += f"; available: {shown_models(models)}"
    return Check("model endpoint", found or not models, detail)


def _probe(settings: Settings) -> Check:
    """One briefing request of a short article through the build's own code path (parameter
    policy, strict Draft schema, the same parser), without retries or repair."""
    if settings.resolved_summariser != "openai":
        return Check(
            "probe",
            False,
            "no language model to probe: the offline summariser is in use "
            "(set OPENAI_API_KEY or OPENAI_BASE_URL)",
        )
    from briefing.errors import BriefingError
    from briefing.prompts import Registry
    from briefing.summarisers.openai.summariser import OpenAISummariser

    settings = settings.model_copy(
        update={"max_retries": 0, "deadline": min(settings.deadline, PROBE_DEADLINE)}
    )
    try:
        user_dirs = [settings.prompts_dir] if settings.prompts_dir else []
        summariser = OpenAISummariser(settings, Registry(user_dirs).get(settings.prompt))
        result = summariser.probe(PROBE_ARTICLE, PROBE_TITLE)
    except BriefingError as exc:
        return Check("probe", False, exc.message)
    except Exception as exc:  # every failure is a finding, not a crash
        return Check("probe", False, " ".join(f"{type(exc).__name__}: {exc}".split()))
    sent = ", ".join(f"{k}={v}" for k, v in sorted(result.parameters.items())) or "none"
    detail = (
        f"{settings.model} at {summariser.host} answered a strict-schema briefing request "
        f"with a valid briefing in {result.seconds:.1f} s; parameters sent: {sent}"
    )
    for param, instead in sorted(result.adjustments.items()):
        detail += f"; refused {param}: {instead}"
    return Check("probe", True, detail)
