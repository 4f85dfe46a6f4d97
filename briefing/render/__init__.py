"""The render stage: a Briefing (or a daily Digest) -> self-contained HTML (Jinja2) -> PDF
(WeasyPrint).

Article and model text are untrusted. They reach the HTML only through autoescaped Jinja
expressions (never ``|safe`` or ``Markup``), so markup in them is shown as text. The PDF renderer
gets a URL fetcher (:mod:`briefing.render.assets`) that serves files from the template folders
only and refuses everything else (other files, http(s), ftp, data:), recording each request so
tests can prove nothing was fetched.

Every item stays traceable: its evidence quotes are shown under it (``evidence="footnotes"``),
numbered in an appendix (``"appendix"``) or left out (``"none"``); an item the grounding check
did not find in the article carries a visible "Unsupported" marker and a numbered note with the
reason, whatever the mode. A suspected prompt injection gets a banner above the briefing.

The modules, each importing only those above it:

* :mod:`~briefing.render.text`: dates in words, cutting text short, PDF keywords, language;
* :mod:`~briefing.render.assets`: the deny-all URL fetcher of the PDF renderer;
* :mod:`~briefing.render.template_files`: the template files (``briefing templates``);
* :mod:`~briefing.render.context`: display strings, provenance labels, the trace of evidence;
* :mod:`~briefing.render.compact`: what of a briefing fits the one-page compact brief;
* :mod:`~briefing.render.marking`: handling markings (``TLP:AMBER``) and their checks;
* :mod:`~briefing.render.html`: the Jinja2 environment, the template context, HTML;
* :mod:`~briefing.render.pdf`: WeasyPrint, the bundled fonts, PDF/A and PDF/UA variants;
* :mod:`~briefing.render.stories`: a digest's stories: the day's picture, one card per story;
* :mod:`~briefing.render.parts`: a long digest's HTML cut where its template allows;
* :mod:`~briefing.render.join`: the parts' PDFs joined into one (pypdf);
* :mod:`~briefing.render.parallel`: the parts laid out on every core, kept for a rerun;
* :mod:`~briefing.render.digest`: the daily digest, HTML and PDF.

WeasyPrint is imported lazily, inside :func:`write_pdf` (and the fetcher): importing this package
(or running ``briefing --help``) must not pay for it. Nothing here prints; WeasyPrint's log
records are re-emitted at DEBUG level on the ``briefing.render`` logger.
"""

from __future__ import annotations

from briefing.render.assets import MAX_RESOURCE_BYTES, FetchDenied, FetchRecord, TemplateFetcher
from briefing.render.compact import COMPACT_TIERS, CompactInfo, compact_view
from briefing.render.context import (
    EVIDENCE_MODES,
    RUNNING_TITLE_MAX,
    DocumentInfo,
    EvidenceMode,
    EvidenceRef,
    ItemTrace,
    Trace,
    briefing_view,
    build_trace,
    check_evidence_mode,
    document_info,
)
from briefing.render.digest import DigestInfo, render_digest_html, render_digest_pdf
from briefing.render.html import (
    COMPACT_TEMPLATE,
    DEFAULT_TEMPLATE,
    STYLES,
    Style,
    build_context,
    check_style,
    make_environment,
    render_html,
)
from briefing.render.marking import MARKING_MAX, Marking, MarkingError, check_marking
from briefing.render.pdf import (
    FONTS_STYLESHEET,
    PDF_VARIANTS,
    TAGGED_VARIANTS,
    PdfVariant,
    check_pdf_variant,
    fonts_stylesheet,
    render_pdf,
    write_pdf,
)
from briefing.render.template_files import (
    TemplateInfo,
    TemplateNotFound,
    list_templates,
    template_source,
)
from briefing.render.text import DEFAULT_LANG, long_date

__all__ = [
    "COMPACT_TEMPLATE",
    "COMPACT_TIERS",
    "DEFAULT_LANG",
    "DEFAULT_TEMPLATE",
    "EVIDENCE_MODES",
    "FONTS_STYLESHEET",
    "MARKING_MAX",
    "MAX_RESOURCE_BYTES",
    "PDF_VARIANTS",
    "RUNNING_TITLE_MAX",
    "STYLES",
    "TAGGED_VARIANTS",
    "CompactInfo",
    "DigestInfo",
    "DocumentInfo",
    "EvidenceMode",
    "EvidenceRef",
    "FetchDenied",
    "FetchRecord",
    "ItemTrace",
    "Marking",
    "MarkingError",
    "PdfVariant",
    "Style",
    "TemplateFetcher",
    "TemplateInfo",
    "TemplateNotFound",
    "Trace",
    "briefing_view",
    "build_context",
    "build_trace",
    "check_evidence_mode",
    "check_marking",
    "check_pdf_variant",
    "check_style",
    "compact_view",
    "document_info",
    "fonts_stylesheet",
    "list_templates",
    "long_date",
    "make_environment",
    "render_digest_html",
    "render_digest_pdf",
    "render_html",
    "render_pdf",
    "template_source",
    "write_pdf",
]
