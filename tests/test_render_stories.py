"""A digest read in minutes (issue 12, items 3 and 4): the story layout of briefing.render.digest
(briefing.render.stories, templates/_story.html.j2, digest.css), on the two days of
tests/factories.py: three articles on two events, then one story developing, one new, one
dropped."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import render
from briefing.model import Digest, SourceStatus, SummaryPoint
from briefing.render.digest import build_digest_context, digest_info
from tests.conftest import EXAMPLES, REPO, RunCli
from tests.factories import (
    REACTION_URL,
    make_briefing,
    make_digest,
    make_next_day,
    make_oversized_briefing,
    make_source,
    make_story,
    make_story_day,
)
from tests.pdftext import pdf_pages_text, squash

STRIKE = "UK and France strike Islamic State weapons cache in eastern Syria"
CABLE = "Finland and Estonia investigate damage to Baltic Sea power cable"
TYPHOON = "Typhoon forces evacuations and flight cancellations on Okinawa"


@pytest.fixture(scope="module")
def day_one() -> Digest:
    return make_story_day()


@pytest.fixture(scope="module")
def day_two() -> Digest:
    return make_next_day()


@pytest.fixture(scope="module")
def html_one(day_one: Digest) -> str:
    return render.render_digest_html(day_one)


@pytest.fixture(scope="module")
def html_two(day_two: Digest) -> str:
    return render.render_digest_html(day_two)


@pytest.fixture(scope="module")
def pdf_one(day_one: Digest, html_one: str) -> bytes:
    return render.render_digest_pdf(html_one, day_one)


@pytest.fixture(scope="module")
def pdf_two(day_two: Digest, html_two: str) -> bytes:
    return render.render_digest_pdf(html_two, day_two)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def card(html: str, number: int) -> str:
    start = html.index(f'id="s{number}" data-running=')
    end = html.find("</article>", start)
    return html[start:end]


def tiles(html: str) -> dict[str, int]:
    cover = html[html.index('id="cover"') : html.index('id="summary"')]
    found = re.findall(r'tile-num">(\d+)</span><span class="tile-label">([\w ]+)<', cover)
    return {label: int(value) for value, label in found}


# ------------------------------------------------------------------ pages


def test_three_articles_on_two_events_fit_in_six_pages(pdf_one: bytes, pdf_two: bytes) -> None:
    assert page_count(pdf_one) <= 6
    assert page_count(pdf_two) <= 6


def test_each_card_is_one_page_of_its_own(day_two: Digest, pdf_two: bytes) -> None:
    pages = [squash(text) for text in pdf_pages_text(pdf_two)]
    for number, title, sources in ((1, STRIKE, "syria-strike.txt"), (2, TYPHOON, "typhoon")):
        found = [i for i, text in enumerate(pages) if squash(f"{number} · {title}") in text]
        assert found, title
        page = pages[found[0]]
        assert squash("Situation") in page and squash("Risks") in page
        assert squash(sources) in page  # its sources list ends the card, on the same page
    heads = [(i, n) for i, t in enumerate(pages) for n in (1, 2) if f"story{n}" in t[:60].lower()]
    assert [n for _, n in heads] == [1, 2] and heads[1][0] == heads[0][0] + 1  # a page each


def test_an_oversized_story_still_fits_one_page() -> None:
    """Everything too long and too many, beside nine sources and nine change lines."""
    story = make_story(
        make_oversized_briefing(),
        status="developing",
        previous_day="2026-11-25",
        changes=["A long change line that goes on and on " * 6] * 9,
        sources=[
            make_source(kind="url", location=f"https://outlet{n}.example.org/" + "x" * 200,
                        title="T" * 300)
            for n in range(9)
        ],
    )  # fmt: skip
    digest = make_digest(
        stories=[story],
        executive_summary=[SummaryPoint(text="One long day.", briefings=[1])],
        previous_day="2026-11-25",
    )
    html = render.render_digest_html(digest)
    pages = pdf_pages_text(render.render_digest_pdf(html, digest))
    # cover, summary and contents, the card, then dropped + sources + about
    assert len(pages) == 4, [p[:80] for p in pages]
    assert "outlet0.example.org" in pages[2]  # the card's sources, on the card's page
    assert squash("+8 more sources in the appendix") in squash(pages[2])
    assert squash("+8 more changes in the full briefing") in squash(pages[2])


# ------------------------------------------------------------------ the cover: the day's picture


def test_cover_figures_and_line_agree(html_one: str, html_two: str) -> None:
    assert "2 stories from 3 sources · the first digest of this series" in html_one
    assert tiles(html_one) == {
        "new": 2, "developing": 0, "dropped": 0,
        "sources": 3, "briefed": 3, "failed": 0, "duplicates": 0,
    }  # fmt: skip
    assert '<span class="tile-sub">2 now · 1 from cache</span>' in html_one
    assert "2 stories from 4 sources · compared with Thursday 26 November 2026" in html_two
    assert tiles(html_two) == {
        "new": 1, "developing": 1, "dropped": 1,
        "sources": 4, "briefed": 3, "failed": 1, "duplicates": 0,
    }  # fmt: skip


def test_a_day_all_from_the_cache_says_so_consistently() -> None:
    """The figures of item 4: "5 articles briefed" once beside "0 BRIEFED / 5 FROM CACHE"."""
    briefings = [make_briefing(source=make_source(sha256=f"{n:02d}" * 32)) for n in range(5)]
    sources = [
        SourceStatus(location=f"a{n}.txt", kind="file", status="cached", title=b.title)
        for n, b in enumerate(briefings)
    ]
    plain = make_digest(briefings, sources=sources)
    html = render.render_digest_html(plain)
    assert "5 articles briefed from 5 sources" in html
    assert tiles(html) == {"sources": 5, "briefed": 5, "failed": 0, "duplicates": 0}
    assert '<span class="tile-sub">0 now · 5 from cache</span>' in html
    stories = make_digest(briefings, sources=sources, stories=[make_story(b) for b in briefings])
    html = render.render_digest_html(stories)
    assert "5 stories from 5 sources" in html
    assert tiles(html)["briefed"] == 5 and tiles(html)["new"] == 5
    info = digest_info(stories)
    assert info.subject == "Daily briefing for 26 November 2026: 5 stories from 5 sources"


def test_cover_lists_the_top_stories_developing_first(html_two: str) -> None:
    cover = html_two[html_two.index('id="cover"') : html_two.index('id="summary"')]
    assert cover.index(STRIKE) < cover.index(TYPHOON)
    assert '<span class="story-status story-developing">Developing</span>' in cover
    assert "New actor: Islamic State claimed an attack" in cover and "(+2 more)" in cover
    assert 'href="#s1"' in cover and 'href="#s2"' in cover


# ------------------------------------------------------------------ the summary: what changed


def test_summary_leads_with_what_changed(html_two: str) -> None:
    summary = html_two[html_two.index('id="summary"') : html_two.index('id="contents"')]
    changed = summary.index("What changed since Thursday 26 November 2026")
    points = summary.index("The day in 2 points")
    assert changed < points
    order = [summary.index(f"story-status story-{s}") for s in ("developing", "new", "dropped")]
    assert changed < order[0] < order[1] < order[2] < points
    assert CABLE in summary and "last reported 26 November 2026" in summary
    # The points name the stories they draw on (briefings 1 and 2 are story 1).
    assert re.search(r'→&nbsp;<a href="#s1" title="[^"]+">1</a></span>', summary)
    assert re.search(r'→&nbsp;<a href="#s2" title="[^"]+">2</a></span>', summary)


def test_first_digest_says_every_story_is_new(html_one: str) -> None:
    assert "The stories of a first digest: all new" in html_one
    assert 'id="dropped"' not in html_one


# ------------------------------------------------------------------ the cards


def test_developing_card_shows_its_changes(day_two: Digest, html_two: str) -> None:
    first, second = card(html_two, 1), card(html_two, 2)
    assert "What changed since 26 November 2026" in first
    for line in day_two.stories[0].changes:
        assert f"<li>{line}</li>" in first
    assert "story-changes" not in second
    assert '<span class="story-since">since 26 November 2026</span>' in first


def test_quotes_carry_their_source_only_when_there_are_several(html_one: str) -> None:
    first, second = card(html_one, 1), card(html_one, 2)
    marks = Counter(re.findall(r'class="quote-source" title="Source (\d)">S\d<', first))
    assert marks["1"] >= 1  # the quotes listed are from the file
    assert "quote-source" not in second
    # The sources, numbered as the quotes are, by outlet or file name (never a path).
    assert re.search(r'S1</span> <span class="source-kind">File</span> '
                     r'<span class="source-outlet">syria-strike.txt</span>', first)  # fmt: skip
    assert re.search(r'S2</span> <span class="source-kind">Feed</span> '
                     r'<span class="source-outlet">news.example.org</span>', first)  # fmt: skip
    assert "examples/" not in first
    assert '<span class="source-outlet">baltic-cable.md</span>' in second


def test_a_quote_from_the_second_source_says_so() -> None:
    """The assessment's third quote is from source 2: marked S2 in the annex's footnotes and
    in the card's list when listed."""
    digest = make_story_day()
    html = render.render_digest_html(digest, detail="full")
    annex = html[html.index('id="b1"') :]
    mark = '<span class="quote-source" title="Source 2">S2</span>'
    assert f'{mark} <q class="quote">a violation of Syrian sovereignty</q>' in annex


def test_cards_say_what_they_leave_out(day_one: Digest) -> None:
    context = build_digest_context(day_one)
    first = context["cards"][0]["compact"]
    assert first.elsewhere == "in the full briefing"
    full = build_digest_context(day_one, detail="full")["cards"][0]["compact"]
    assert full.elsewhere == "in the annex"


def test_no_evidence_on_cards_with_evidence_none(day_one: Digest) -> None:
    html = render.render_digest_html(day_one, evidence="none")
    assert "compact-evidence" not in card(html, 1)
    assert "Evidence quotations from the source articles are left out" in html


# ------------------------------------------------------------------ dropped, annex, fallback


def test_dropped_since_the_previous_day(html_two: str) -> None:
    dropped = html_two[html_two.index('id="dropped"') : html_two.index('id="sources"')]
    assert "Dropped since Thursday 26 November 2026</h1>" in dropped
    assert f'<span class="dropped-title">{CABLE}</span>' in dropped


def test_full_briefings_only_in_the_annex_with_detail_full(day_two: Digest) -> None:
    cards_only = render.render_digest_html(day_two)
    assert 'id="annex"' not in cards_only and 'id="b1"' not in cards_only
    full = render.render_digest_html(day_two, detail="full")
    assert "Annex · Full briefings" in full
    for number in (1, 2):
        assert f'id="b{number}"' in full and f'id="s{number}"' in full
    # The card's E-numbers are the annex's: E1 is the same quotation in both.
    assert re.search(r'id="s1-E1"', full) and re.search(r'id="b1-actor-1"', full)
    ids = re.findall(r'\sid="([^"]+)"', full)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert set(re.findall(r'href="#([^"]+)"', full)) <= set(ids)
    with pytest.raises(ValueError, match="detail must be one of cards, full"):
        render.render_digest_html(day_two, detail="everything")  # type: ignore[arg-type]


def test_links_resolve_and_ids_are_unique(html_one: str, html_two: str) -> None:
    for html in (html_one, html_two):
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert [i for i, n in Counter(ids).items() if n > 1] == []
        assert set(re.findall(r'href="#([^"]+)"', html)) <= set(ids)


def test_a_digest_without_stories_keeps_its_sections() -> None:
    html = render.render_digest_html(make_digest())
    assert "story-card" not in html and "digest-stories" not in html
    for number in (1, 2, 3):
        assert f'<article class="digest-section" id="b{number}"' in html


def test_appendix_rows_point_at_story_cards(html_one: str) -> None:
    appendix = html_one[html_one.index('id="sources"') :]
    assert appendix.count('<a class="src-section" data-pageref href="#s1">Story 1</a>') == 2
    assert '<a class="src-section" data-pageref href="#s2">Story 2</a>' in appendix
    assert REACTION_URL in appendix


def test_story_text_is_escaped() -> None:
    hostile = '<img src="file:///etc/passwd"><script>alert(1)</script>'
    story = make_story(
        make_briefing(title=hostile),
        title=hostile,
        status="developing",
        previous_day="2026-11-25",
        changes=[hostile, "A \x1b[2J change"],
        sources=[make_source(title=hostile), make_source(kind="url", location="https://x.org/")],
    )
    digest = make_digest(stories=[story], previous_day="2026-11-25")
    html = render.render_digest_html(digest, detail="full")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "\x1b" not in html and "A \\x1b[2J change" in html


def test_templates_are_listed(tmp_path: Path) -> None:
    names = {t.name: t for t in render.list_templates()}
    assert names["_story.html.j2"].description and names["digest.css"].description


def test_a_cover_of_five_stories_keeps_how_it_was_made_on_its_page(
    run_cli: RunCli, isolated: Path
) -> None:
    """Five stories, two with long Cyrillic and Greek titles: the cover lists four, says one
    more, and its "Made …" line stays on the cover, after the list (once it was pinned to the
    page's foot and printed over the fifth story)."""
    samples = REPO / "tests" / "samples"
    sources = [
        *(str(EXAMPLES / n) for n in ("syria-strike.txt", "baltic-cable.md", "sahel-aid.html")),
        str(samples / "caspian-route.ru.txt"),
        str(samples / "evia-wildfires.el.txt"),
    ]
    result = run_cli("daily", *sources, "-o", "five.pdf", "-q")
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text((isolated / "five.pdf").read_bytes())
    cover = " ".join(pages[0].split())
    assert "+1 more story: see the contents." in cover
    assert cover.index("+1 more story") < cover.index("Every source and how this digest was made")
    later = [" ".join(p.split()) for p in pages[1:]]
    assert not any("Every source and how this digest was made" in p for p in later)
