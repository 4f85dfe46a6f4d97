"""Property tests: any Unicode text, offline summariser and renderer: our errors or a document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.pipeline import render_document
from briefing.sources.files import article_from_text
from briefing.summarisers.offline.summariser import OfflineSummariser

SUMMARISER = OfflineSummariser()

# Words of any script, punctuation and markup-like fragments, joined into sentence-ish text.
_word = st.text(min_size=1, max_size=12)
_fragment = st.one_of(
    _word,
    st.sampled_from(
        [
            ".",
            "!",
            "?",
            "…",
            "\n\n",
            "\n",
            "<b>",
            "</p>",
            "&amp;",
            "“",
            "”",
            "—",
            "U.S.",
            "Dr.",
            "ISIS",
            "United Kingdom",
            "warned",
            "could",
            "{{ x }}",
            "{% raw %}",
            "\u200b",
            "\U000e0041",
            "\x00",
            "\ufeff",
            "\u202e",
        ]
    ),
)
_text = st.lists(_fragment, min_size=0, max_size=400).map(" ".join)


def _settings(examples: int) -> settings:
    # No example database: runs stay independent of earlier runs and leave no files behind.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def _brief(text: str) -> object:
    try:
        article = article_from_text(text, name="fuzz", kind="stdin")
    except BriefingError:
        return None
    return SUMMARISER.summarise(article)


@_settings(300)
@given(_text)
def test_summarise_and_html_never_crash(text: str) -> None:
    briefing = _brief(text)
    if briefing is None:
        return
    for fmt in ("json", "html"):
        data = render_document(briefing, fmt)  # type: ignore[arg-type]
        assert data
    html = render_document(briefing, "html").decode("utf-8")  # type: ignore[arg-type]
    assert "<script" not in html.split("</style>", 1)[1].lower() or "&lt;script" in html


@_settings(300)
@given(st.text(max_size=3000))
def test_any_unicode_text(text: str) -> None:
    _brief(text)


@_settings(12)
@given(_text)
def test_pdf_is_valid_or_clear_error(text: str) -> None:
    briefing = _brief(text)
    if briefing is None:
        return
    try:
        pdf = render_document(briefing, "pdf")  # type: ignore[arg-type]
    except BriefingError:
        return
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
