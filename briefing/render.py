"""Render a Briefing: Jinja2 -> self-contained HTML; WeasyPrint -> PDF.

Article and model text are untrusted. They reach the HTML only through autoescaped Jinja
expressions (never ``|safe`` or ``Markup``), so markup in them is shown as text. The PDF renderer
gets a URL fetcher (:mod:`briefing.assets`) that serves files from the template folders only and
refuses everything else (other files, http(s), ftp, data:), recording each request so tests can
prove nothing was fetched.

Every item stays traceable: its evidence quotes are shown under it (``evidence="footnotes"``),
numbered in an appendix (``"appendix"``) or left out (``"none"``); an item the grounding check
did not find in the article carries a visible "Unsupported" marker and a numbered note with the
reason, whatever the mode. A suspected prompt injection gets a banner above the briefing.

WeasyPrint is imported lazily, inside :func:`render_pdf`: importing this module (or running
``briefing --help``) must not pay for it. Nothing here prints; WeasyPrint's log records are
re-emitted at DEBUG level on the ``briefing.render`` logger.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)

from briefing.assets import MAX_RESOURCE_BYTES, FetchDenied, FetchRecord, TemplateFetcher
from briefing.errors import RenderError
from briefing.model import Briefing, Grounded, Provenance, Source
from briefing.resources import templates_dir

if TYPE_CHECKING:  # re-exported lazily (see __getattr__): render_digest imports this module
    from briefing.render_digest import render_digest_html, render_digest_pdf

__all__ = [
    "DEFAULT_TEMPLATE",
    "EVIDENCE_MODES",
    "MAX_RESOURCE_BYTES",
    "DocumentInfo",
    "EvidenceMode",
    "EvidenceRef",
    "FetchDenied",
    "FetchRecord",
    "ItemTrace",
    "TemplateFetcher",
    "Trace",
    "build_context",
    "build_trace",
    "document_info",
    "make_environment",
    "render_digest_html",
    "render_digest_pdf",
    "render_html",
    "render_pdf",
]

LOG = logging.getLogger("briefing.render")

EvidenceMode = Literal["footnotes", "appendix", "none"]
EVIDENCE_MODES: tuple[EvidenceMode, ...] = get_args(EvidenceMode)

DEFAULT_TEMPLATE = "briefing.html.j2"
AUTHOR = "briefing"
RUNNING_TITLE_MAX = 70  # characters of the title shown in the running header
HEADING_MAX = 90  # characters of a risk description in an evidence-appendix heading
INJECTION_KIND = "injection_suspected"  # Flag.kind that raises the banner
NOT_SUPPORTED = "Not supported by the article"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_SOURCE_KINDS = {"file": "File", "stdin": "Standard input", "url": "Web page", "feed": "Feed"}


# --------------------------------------------------------------------------------------------
# Template context


@dataclass(frozen=True)
class DocumentInfo:
    """Display strings derived from a Briefing, computed once in Python (templates stay simple).

    Every field is plain text; the template autoescapes it like any other value.
    """

    title: str  # <title> and PDF /Title
    author: str  # PDF /Author
    subject: str  # PDF /Subject ("Briefing: <source title>")
    keywords: list[str]  # PDF /Keywords (summariser=…, model=…, prompt=name@vN (sha256 …))
    generator: str  # PDF /Creator ("briefing 0.1.0")
    created: str  # W3C datetime for <meta name="dcterms.created"> -> PDF /CreationDate
    date: str  # generation date for people: "26 November 2026"
    generated: str  # "26 November 2026, 09:30 UTC"
    running_title: str  # running header, left: "briefing · <title, truncated>"
    source_kind: str  # "File", "Standard input", "Web page", "Feed"
    source_location: str
    source_title: str | None
    published: str | None  # "3 March 2026" when parseable, else the string as given
    reference: str  # first 12 hex digits of the source sha256
    reading: str  # "3 min read"
    words: str  # "642 words"
    summariser: str  # "offline v1"
    model: str  # "gpt-4o-mini" or "none"
    prompt: str  # "briefing@v1 (sha256 abc123…)" or "none"
    provenance_line: str  # "Summariser: offline v1 · Model: none · Prompt: none"
    run_details: str | None  # "temperature 0.2 · 2,220 tokens (1,800 in, 420 out) · 5.1 s"
    grounding: str | None = None  # "7 of 9 items supported by the article"; None: not checked
    grounding_status: str | None = None  # "all", "most" (half or more), "few" (CSS class)
    grounding_method: str | None = None  # the matching rule, in words (provenance)
    split: str | None = None  # "Long article: summarised in 4 chunks (…), merged under …"


def long_date(value: datetime | date | str | None) -> str:
    """Format a date like "26 November 2026" (English month names, whatever the locale)."""
    if value is None:
        return ""
    if isinstance(value, str):
        parsed = _parse_date(value)
        if parsed is None:
            return value
        value = parsed
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _parse_date(text: str) -> datetime | None:
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:  # RSS dates: "Tue, 03 Mar 2026 10:00:00 GMT"
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(candidate)
    except (TypeError, ValueError, IndexError):
        return None


def _w3c_datetime(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss±hh:mm`` as WeasyPrint's dcterms.created parser wants it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def _keyword(text: str) -> str:
    # WeasyPrint splits <meta name="keywords"> on commas.
    return " ".join(text.replace(",", " ").split())


def _generated_label(value: datetime) -> str:
    zone = value.tzname() if value.tzinfo is not None else None
    if zone in (None, "UTC+00:00"):
        zone = "UTC"
    return f"{long_date(value)}, {value:%H:%M} {zone}"


def _run_details(p: Provenance) -> str | None:
    parts = []
    if p.temperature is not None:
        parts.append(f"temperature {p.temperature:g}")
    tokens = p.usage.prompt_tokens + p.usage.completion_tokens
    if tokens:
        parts.append(
            f"{tokens:,} tokens ({p.usage.prompt_tokens:,} in, {p.usage.completion_tokens:,} out)"
        )
    if p.duration_ms:
        parts.append(
            f"{p.duration_ms / 1000:.1f} s" if p.duration_ms >= 1000 else f"{p.duration_ms} ms"
        )
    if p.base_url:
        parts.append(f"endpoint {p.base_url}")
    return " · ".join(parts) or None


def _summariser_label(p: Provenance) -> str:
    return f"{p.summariser} v{p.summariser_version}" if p.summariser_version else p.summariser


def _prompt_label(p: Provenance) -> str:
    if p.prompt is None:
        return "none"
    return f"{p.prompt.name}@v{p.prompt.version} (sha256 {p.prompt.sha256[:12]}…)"


def _grounding(p: Provenance) -> tuple[str | None, str | None, str | None]:
    """(sentence, status, method) of the grounding summary, or Nones when it was not checked."""
    g = p.grounding
    if g is None:
        return None, None, None
    if g.total <= 0:
        return "No items to check against the article", "all", g.method
    status = "all" if g.supported >= g.total else "most" if 2 * g.supported >= g.total else "few"
    noun = "item" if g.total == 1 else "items"
    return f"{g.supported} of {g.total} {noun} supported by the article", status, g.method


def _split_label(p: Provenance) -> str | None:
    s = p.split
    if s is None:
        return None
    chunks = f"{s.chunks} chunk{'' if s.chunks == 1 else 's'}"
    merge = s.merge_prompt
    return (
        f"Long article: summarised in {chunks} ({s.strategy}, ≤ {s.max_input_tokens:,} tokens "
        f"each; ~{s.estimated_tokens:,} tokens in all), merged under "
        f"{merge.name}@v{merge.version} (sha256 {merge.sha256[:12]}…)"
    )


def _source_title(source: Source) -> str | None:
    title = " ".join((source.title or "").split())
    return title or None


def document_info(briefing: Briefing) -> DocumentInfo:
    """Compute the display strings and PDF metadata for ``briefing``."""
    p = briefing.provenance
    title = " ".join(briefing.title.split()) or "Untitled briefing"
    source_title = _source_title(briefing.source)
    keywords = ["briefing", f"summariser={_summariser_label(p)}"]
    if p.model:
        keywords.append(f"model={p.model}")
    if p.prompt is not None:
        keywords.append(
            f"prompt={p.prompt.name}@v{p.prompt.version} (sha256 {p.prompt.sha256[:12]})"
        )
    summariser = _summariser_label(p)
    model = p.model or "none"
    prompt = _prompt_label(p)
    words = briefing.word_count
    grounding, grounding_status, grounding_method = _grounding(p)
    return DocumentInfo(
        title=title,
        author=AUTHOR,
        subject=f"Briefing: {source_title or title}",
        keywords=[_keyword(k) for k in keywords],
        generator=f"briefing {p.tool_version}",
        created=_w3c_datetime(p.generated_at),
        date=long_date(p.generated_at),
        generated=_generated_label(p.generated_at),
        running_title=f"briefing · {_truncate(title, RUNNING_TITLE_MAX)}",
        source_kind=_SOURCE_KINDS.get(briefing.source.kind, briefing.source.kind),
        source_location=briefing.source.location,
        source_title=source_title,
        published=long_date(briefing.source.published) if briefing.source.published else None,
        reference=briefing.source.sha256[:12],
        reading=f"{max(1, briefing.reading_minutes)} min read",
        words=f"{words:,} word{'' if words == 1 else 's'}",
        summariser=summariser,
        model=model,
        prompt=prompt,
        provenance_line=f"Summariser: {summariser} · Model: {model} · Prompt: {prompt}",
        run_details=_run_details(p),
        grounding=grounding,
        grounding_status=grounding_status,
        grounding_method=grounding_method,
        split=_split_label(p),
    )


def paragraphs(text: str) -> list[str]:
    """Split text on blank lines into whitespace-normalised paragraphs (a Jinja filter)."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def humanise(identifier: str) -> str:
    """``injection_suspected`` -> ``Injection suspected`` (a Jinja filter)."""
    words = identifier.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class EvidenceRef:
    """One evidence quote, numbered through the whole document: E1, E2, …"""

    number: int
    quote: str  # untrusted (article text as quoted by the summariser)
    prefix: str = ""  # of the HTML id: "b3-" in section 3 of a digest

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def anchor(self) -> str:
        return f"{self.prefix}{self.label}"


@dataclass(frozen=True)
class ItemTrace:
    """Where one item (an actor, the assessment, a risk) comes from, for display.

    ``note`` is the number of its "not supported" note (†1, †2, … through the briefing) when the
    grounding check rejected it (``supported is False``), else None. Text fields are untrusted.
    """

    anchor: str  # HTML id of the item: "actor-1", "assessment", "risk-2" ("b3-actor-1", …)
    kind: str  # "actor", "assessment", "risk"
    name: str  # short label: the actor's name, "Assessment", "R2"
    heading: str  # label in the evidence appendix: "Actor: France", "Risk R2: Unilateral …"
    refs: list[EvidenceRef]
    note: int | None = None
    reason: str | None = None  # "Not supported by the article: quote not found: “…”"
    prefix: str = ""  # of the HTML ids, as in EvidenceRef

    @property
    def unsupported(self) -> bool:
        return self.note is not None

    @property
    def note_anchor(self) -> str:
        return f"{self.prefix}note-{self.note}"

    @property
    def quotes(self) -> list[str]:
        return [ref.quote for ref in self.refs]


@dataclass(frozen=True)
class Trace:
    """The :class:`ItemTrace` of every item, in document order (the template's ``trace``)."""

    actors: list[ItemTrace]
    assessment: ItemTrace
    risks: list[ItemTrace]

    @property
    def items(self) -> list[ItemTrace]:
        return [*self.actors, self.assessment, *self.risks]

    @property
    def notes(self) -> list[ItemTrace]:
        """Items the article does not support, in note order."""
        return [item for item in self.items if item.unsupported]

    @property
    def cited(self) -> list[ItemTrace]:
        """Items with at least one evidence quote (the groups of the evidence appendix)."""
        return [item for item in self.items if item.refs]


def _reason(item: Grounded) -> str:
    """The note text: "Not supported by the article: <reason>." (the reason is untrusted)."""
    reason = " ".join((item.reason or "").split())
    if not reason:
        return f"{NOT_SUPPORTED}."
    ended = reason.rstrip("”’»\"')]").endswith((".", "!", "?", "…"))
    return f"{NOT_SUPPORTED}: {reason}{'' if ended else '.'}"


def build_trace(briefing: Briefing, *, prefix: str = "", first_quote: int = 1) -> Trace:
    """Number evidence quotes (E1…) and "not supported" notes (1…) in document order.

    In a digest, ``prefix`` ("b3-") makes HTML ids unique; E-numbers start at ``first_quote``.
    """
    quote_count = first_quote - 1
    note_count = 0

    def item(source: Grounded, anchor: str, kind: str, name: str, heading: str) -> ItemTrace:
        nonlocal quote_count, note_count
        refs = []
        for quote in source.evidence:
            quote_count += 1
            refs.append(EvidenceRef(quote_count, quote, prefix))
        anchor = prefix + anchor
        if source.supported is not False:
            return ItemTrace(anchor, kind, name, heading, refs, prefix=prefix)
        note_count += 1
        return ItemTrace(anchor, kind, name, heading, refs, note_count, _reason(source), prefix)

    actors = [
        item(actor, f"actor-{n}", "actor", actor.name, f"Actor: {actor.name}")
        for n, actor in enumerate(briefing.actors, start=1)
    ]
    assessment = item(briefing.assessment, "assessment", "assessment", "Assessment", "Assessment")
    risks = [
        item(
            risk,
            f"risk-{n}",
            "risk",
            f"R{n}",
            f"Risk R{n}: {_truncate(risk.description, HEADING_MAX)}",
        )
        for n, risk in enumerate(briefing.risks, start=1)
    ]
    return Trace(actors, assessment, risks)


def check_evidence_mode(evidence: str) -> None:
    if evidence not in EVIDENCE_MODES:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_MODES)}, not {evidence!r}")


def briefing_view(
    briefing: Briefing,
    evidence: EvidenceMode = "footnotes",
    *,
    number: int | None = None,
    first_quote: int = 1,
) -> dict[str, Any]:
    """What the macros of _briefing.html.j2 take; ``number``: its section in a digest, which
    prefixes the HTML ids ("b3-actor-2") and numbers the sub-sections ("3.2 Actors")."""
    check_evidence_mode(evidence)
    prefix = "" if number is None else f"b{number}-"
    return {
        "briefing": briefing,
        "doc": document_info(briefing),
        "evidence_mode": evidence,
        "trace": build_trace(briefing, prefix=prefix, first_quote=first_quote),
        "injection_flags": [f for f in briefing.flags if f.kind == INJECTION_KIND],
        "other_flags": [f for f in briefing.flags if f.kind != INJECTION_KIND],
        "number": number,
        "prefix": prefix,
    }


def build_context(briefing: Briefing, evidence: EvidenceMode = "footnotes") -> dict[str, Any]:
    """The variables a template sees (``view`` holds them all again, for the macros)."""
    view = briefing_view(briefing, evidence)
    return {**view, "view": view}


# --------------------------------------------------------------------------------------------
# HTML


def _search_path(template_dirs: Sequence[Path]) -> list[Path]:
    """User template folders first, then the packaged one."""
    dirs = [Path(d) for d in template_dirs]
    default = templates_dir()
    if default not in dirs:
        dirs.append(default)
    return dirs


def make_environment(template_dirs: Sequence[Path] = ()) -> Environment:
    """The Jinja2 environment: autoescape on, StrictUndefined, user folders before ours."""
    dirs = _search_path(template_dirs)
    loader: FileSystemLoader | ChoiceLoader
    if len(dirs) == 1:
        loader = FileSystemLoader(dirs[0])
    else:
        loader = ChoiceLoader([FileSystemLoader(d) for d in dirs])
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["paragraphs"] = paragraphs
    env.filters["humanise"] = humanise
    return env


def _template_location(exc: BaseException, default: str) -> str:
    """``name line N`` of the innermost template frame in the traceback (Jinja rewrites them)."""
    if isinstance(exc, TemplateSyntaxError):
        name = exc.name or (Path(exc.filename).name if exc.filename else default)
        return f"{name} line {exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".css")):
            return f"{Path(frame.filename).name} line {frame.lineno}"
    return default


def render_html(
    briefing: Briefing,
    *,
    template_dirs: Sequence[Path] = (),
    template_name: str = DEFAULT_TEMPLATE,
    evidence: EvidenceMode = "footnotes",
) -> str:
    """Render ``briefing`` as one self-contained HTML document (CSS inlined, no external URL).

    ``evidence`` chooses how the evidence quotes appear: under each item (``"footnotes"``),
    as [E1]-style references to a numbered "Evidence" section at the end (``"appendix"``), or
    not at all (``"none"``). Unsupported items are marked in every mode.
    """
    return render_template(build_context(briefing, evidence), template_dirs, template_name)


def render_template(
    context: dict[str, Any], template_dirs: Sequence[Path], template_name: str
) -> str:
    """Render ``template_name`` in :func:`make_environment`; template faults -> RenderError."""
    env = make_environment(template_dirs)
    try:
        template = env.get_template(template_name)
        return template.render(context)
    except TemplateError as exc:
        where = _template_location(exc, template_name)
        detail = exc.message or type(exc).__name__
        raise RenderError(f"template {where}: {type(exc).__name__}: {detail}") from exc


# --------------------------------------------------------------------------------------------
# PDF


class _Reroute(logging.Handler):
    """Re-emit a library's log records at DEBUG on our logger, so the library prints nothing."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            LOG.debug("%s: %s: %s", record.name, record.levelname.lower(), record.getMessage())
        except Exception:  # a malformed record must not break rendering
            self.handleError(record)


_LOGS_ROUTED = False
_LOGS_LOCK = threading.Lock()


def _route_library_logs() -> None:
    """Once per process: WeasyPrint's (and fontTools') records go to DEBUG on our logger."""
    global _LOGS_ROUTED
    with _LOGS_LOCK:
        if _LOGS_ROUTED:
            return
        for name in ("weasyprint", "fontTools"):
            library_logger = logging.getLogger(name)
            library_logger.addHandler(_Reroute())
            library_logger.propagate = False
        _LOGS_ROUTED = True


def _file_url_of_dir(path: Path) -> str:
    uri = path.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render_pdf(
    html: str,
    briefing: Briefing,
    *,
    template_dirs: Sequence[Path] = (),
    fetcher: TemplateFetcher | None = None,
) -> bytes:
    """Lay out ``html`` (from :func:`render_html`) as an A4 PDF and return its bytes.

    Relative URLs resolve against the first template folder; the fetcher (a fresh
    :class:`TemplateFetcher` over the template folders unless one is given) refuses anything
    outside them. The PDF identifier is derived from the briefing, so output is reproducible.
    """
    seed = f"{briefing.source.sha256}|{briefing.provenance.generated_at.isoformat()}"
    return write_pdf(
        html, seed=seed, title=briefing.title, template_dirs=template_dirs, fetcher=fetcher
    )


def write_pdf(
    html: str,
    *,
    seed: str,
    title: str,
    template_dirs: Sequence[Path] = (),
    fetcher: TemplateFetcher | None = None,
) -> bytes:
    """Lay out any document's ``html``; ``seed`` fixes the PDF identifier, ``title`` names it."""
    dirs = _search_path(template_dirs)
    if fetcher is None:
        fetcher = TemplateFetcher(dirs)
    _route_library_logs()  # before the import: WeasyPrint already logs while importing
    try:
        import weasyprint
        from weasyprint.urls import FatalURLFetchingError
    except Exception as exc:  # OSError when Pango/cairo libraries are missing
        raise RenderError(f"the PDF renderer (WeasyPrint) is unavailable: {exc}") from exc
    identifier = hashlib.sha256(f"{seed}|{html}".encode()).hexdigest()[:32].encode("ascii")
    try:
        document = weasyprint.HTML(
            string=html,
            base_url=_file_url_of_dir(dirs[0]),
            url_fetcher=fetcher.for_weasyprint(),
            media_type="print",
        )
        pdf = document.write_pdf(pdf_identifier=identifier)
    except (Exception, FatalURLFetchingError) as exc:
        name, detail = _truncate(title, 60), _truncate(str(exc), 300)
        raise RenderError(
            f"could not lay out the PDF for {name!r}: {type(exc).__name__}: {detail}"
        ) from exc
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target
        raise RenderError("the PDF renderer returned no data")
    return pdf


def __getattr__(name: str) -> Any:  # the digest renderers, imported on first use (circular)
    if name in ("render_digest_html", "render_digest_pdf"):
        from briefing import render_digest

        return getattr(render_digest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
