"""Lay out a rendered document as PDF with WeasyPrint: the deny-all fetcher, the bundled fonts,
archival (PDF/A) and accessible (PDF/UA) variants, a reproducible identifier.

WeasyPrint is imported inside :func:`write_pdf` only: importing this module stays cheap. Nothing
here prints; WeasyPrint's log records are re-emitted at DEBUG on the ``briefing.render`` logger.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from briefing.errors import RenderError
from briefing.render.assets import TemplateFetcher
from briefing.render.text import DEFAULT_LANG, truncate
from briefing.resources import template_search_path

if TYPE_CHECKING:
    from briefing.model import Briefing

__all__ = [
    "FONTS_STYLESHEET",
    "PDF_VARIANTS",
    "TAGGED_VARIANTS",
    "PdfVariant",
    "check_pdf_variant",
    "fonts_stylesheet",
    "render_pdf",
    "write_pdf",
]

LOG = logging.getLogger("briefing.render")

# The archival (PDF/A) and accessible (PDF/UA) variants of WeasyPrint 70 (weasyprint.pdf.VARIANTS)
# that a briefing can meet: not PDF/X (print production, CMYK) nor WeasyPrint's PDF/A-4 ones
# ("pdf/a-4u" declares a conformance level PDF/A-4 does not have; 4f requires an embedded file
# and a briefing embeds none). Kept here, not read from WeasyPrint, so --help need not import it.
PdfVariant = Literal[
    "pdf/a-1b", "pdf/a-2b", "pdf/a-3b",
    "pdf/a-2u", "pdf/a-3u",
    "pdf/a-1a", "pdf/a-2a", "pdf/a-3a",
    "pdf/ua-1", "pdf/ua-2",
]  # fmt: skip
PDF_VARIANTS: tuple[PdfVariant, ...] = get_args(PdfVariant)
# Tagged (structure tree, /MarkInfo, DisplayDocTitle): PDF/UA and PDF/A level A require it.
TAGGED_VARIANTS = frozenset(v for v in PDF_VARIANTS if v.startswith("pdf/ua") or v.endswith("a"))
FONTS_STYLESHEET = "fonts.css"  # @font-face rules of the bundled fonts (templates/fonts/)


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


def _default_lang(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: /Lang is :data:`DEFAULT_LANG` when ``<html>`` has no ``lang``."""
    if not document.metadata.lang:
        import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer

        pdf.catalog["Lang"] = pydyf.String(DEFAULT_LANG)


def check_pdf_variant(pdf_variant: str | None) -> None:
    """Raise ValueError, naming the accepted ones, unless ``pdf_variant`` is None or known."""
    if pdf_variant is not None and pdf_variant not in PDF_VARIANTS:
        raise ValueError(
            f"pdf_variant must be one of {', '.join(PDF_VARIANTS)}, not {pdf_variant!r}"
        )


def fonts_stylesheet(template_dirs: Sequence[Path] = ()) -> Path | None:
    """The first ``fonts.css`` on the template search path (user folders, then ours), if any."""
    for folder in template_search_path(template_dirs):
        candidate = folder / FONTS_STYLESHEET
        if candidate.is_file():
            return candidate
    return None


def render_pdf(
    html: str,
    briefing: Briefing,
    *,
    template_dirs: Sequence[Path] = (),
    fetcher: TemplateFetcher | None = None,
    pdf_variant: str | None = None,
    font_fetcher: TemplateFetcher | None = None,
) -> bytes:
    """Lay out ``html`` (from :func:`briefing.render.html.render_html`) as an A4 PDF; its bytes.

    Relative URLs resolve against the first template folder; the fetcher (a fresh
    :class:`TemplateFetcher` over the template folders unless one is given) refuses anything
    outside them. The PDF identifier is derived from the briefing, so output is reproducible.
    ``pdf_variant`` (one of :data:`PDF_VARIANTS`, e.g. ``"pdf/a-3b"`` or ``"pdf/ua-1"``) makes an
    archival or accessible PDF; see :func:`write_pdf`, also for the bundled fonts.
    """
    seed = f"{briefing.source.sha256}|{briefing.provenance.generated_at.isoformat()}"
    return write_pdf(
        html,
        seed=seed,
        title=briefing.title,
        template_dirs=template_dirs,
        fetcher=fetcher,
        pdf_variant=pdf_variant,
        font_fetcher=font_fetcher,
    )


def write_pdf(
    html: str,
    *,
    seed: str,
    title: str,
    template_dirs: Sequence[Path] = (),
    fetcher: TemplateFetcher | None = None,
    pdf_variant: str | None = None,
    font_fetcher: TemplateFetcher | None = None,
    extra_css: str = "",
) -> bytes:
    """Lay out any document's ``html``; ``seed`` fixes the PDF identifier, ``title`` names it.

    Fonts: the first ``fonts.css`` on the template search path (ours declares the fonts bundled
    in templates/fonts/) is added as a stylesheet of the PDF only, so the layout does not depend
    on the fonts of the machine. It and the font files it names are fetched by ``font_fetcher``
    (by default a fresh :class:`TemplateFetcher` over the template folders: the same deny-all
    policy, with a request log of its own, so ``fetcher.requests`` lists what the document
    itself asked for).

    ``pdf_variant``: None (plain PDF) or one of :data:`PDF_VARIANTS` (ValueError otherwise).
    PDF/UA and PDF/A level A are tagged (structure tree, /MarkInfo, DisplayDocTitle). The
    document language (/Lang) is the ``lang`` of ``<html>``, or :data:`DEFAULT_LANG`.
    ``extra_css``: a stylesheet of our own applied last, with the fonts' (a part of a digest
    laid out apart drops its page numbers with it: :mod:`briefing.render.parallel`).
    """
    check_pdf_variant(pdf_variant)
    dirs = template_search_path(template_dirs)
    if fetcher is None:
        fetcher = TemplateFetcher(dirs)
    if font_fetcher is None:
        font_fetcher = TemplateFetcher(dirs)
    fonts_css = fonts_stylesheet(template_dirs)
    _route_library_logs()  # before the import: WeasyPrint already logs while importing
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import FatalURLFetchingError
    except Exception as exc:  # OSError when Pango/cairo libraries are missing
        raise RenderError(f"the PDF renderer (WeasyPrint) is unavailable: {exc}") from exc
    identifier = hashlib.sha256(f"{seed}|{html}".encode()).hexdigest()[:32].encode("ascii")
    options: dict[str, Any] = {
        "pdf_identifier": identifier,
        "pdf_variant": pdf_variant,
        "pdf_tags": pdf_variant in TAGGED_VARIANTS,
    }
    try:
        font_config = FontConfiguration()
        stylesheets = []
        if fonts_css is not None:
            stylesheets.append(
                weasyprint.CSS(
                    url=fonts_css.absolute().as_uri(),  # the fetcher resolves symlinks
                    url_fetcher=font_fetcher.for_weasyprint(),
                    font_config=font_config,
                    media_type="print",
                )
            )
        if extra_css:
            stylesheets.append(
                weasyprint.CSS(string=extra_css, font_config=font_config, media_type="print")
            )
        document = weasyprint.HTML(
            string=html,
            base_url=_file_url_of_dir(dirs[0]),
            url_fetcher=fetcher.for_weasyprint(),
            media_type="print",
        )
        pdf = document.write_pdf(
            font_config=font_config, stylesheets=stylesheets, finisher=_default_lang, **options
        )
    except (Exception, FatalURLFetchingError) as exc:
        name, detail = truncate(title, 60), truncate(str(exc), 300)
        raise RenderError(
            f"could not lay out the PDF for {name!r}: {type(exc).__name__}: {detail}"
        ) from exc
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target
        raise RenderError("the PDF renderer returned no data")
    return pdf
