"""Any script: Chinese, Japanese, Arabic, Russian and Greek articles are briefed like English ones.

Hostile cases from issue 10, each of which failed before the fix: a Chinese or Japanese article
was refused as "too short to brief: 1 words" (words were counted by spaces, and every
unspaced paragraph was then dropped as a three-word trailing label); sentences did not end at
。！？; names written without spaces were "not in the article" for the grounding check (日本 in
日本航空); all non-Latin titles slugged to ``briefing``, so two of them on one day overwrote
each other's default output; Russian with a ``ъ`` was taken for Bulgarian; a run-on article
on one line put the whole of it in the situation. The samples are in ``tests/samples/``
(not ``examples/``, which other tests enumerate as the English examples; see its README).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from briefing.checks import check
from briefing.model import Briefing
from briefing.output import briefing_file_name, slugify
from briefing.sources.files import article_from_text, read_source
from briefing.summarisers.offline.day import day_points
from briefing.summarisers.offline.summariser import OfflineSummariser
from briefing.text.chunking import estimate_tokens
from briefing.text.datelines import strip_dateline
from briefing.text.languages import detect
from briefing.text.sentences import split_sentences
from briefing.text.words import count_words, reading_minutes
from tests.conftest import REPO, RunCli
from tests.factories import make_briefing
from tests.pdftext import pdf_pages_text
from tests.test_fonts import pdf_font_names

SAMPLES_DIR = REPO / "tests" / "samples"
# Each sample, its language, and the main actors of which the briefing must find one.
SAMPLES = {
    "mekong-drought.zh.txt": ("zh", {"中国", "老挝", "泰国", "柬埔寨", "越南", "湄公河委员会"}),
    "typhoon-okinawa.ja.txt": ("ja", {"日本", "沖縄県", "気象庁", "台湾"}),
    "nile-dam-talks.ar.txt": ("ar", {"مصر", "السودان", "إثيوبيا", "الاتحاد الأفريقي"}),
    "caspian-route.ru.txt": ("ru", {"Казахстан", "Азербайджан"}),
    "evia-wildfires.el.txt": ("el", {"Ελλάδα", "Ευρωπαϊκή Ένωση", "Ιταλία", "Κύπρος"}),
}
# Scripts whose glyphs the bundled fonts have, so their names come back out of the PDF's text
# (Arabic is shaped into presentation forms, so its text does not read back letter for letter).
PDF_TEXT = {"ru", "el", "zh", "ja"}


def brief(name: str) -> Briefing:
    article = read_source(str(SAMPLES_DIR / name))
    return check(article, OfflineSummariser().summarise(article))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_builds_to_pdf_with_a_main_actor(name: str, run_cli: RunCli, isolated: Path) -> None:
    language, main_actors = SAMPLES[name]
    briefing = brief(name)
    found = {a.name for a in briefing.actors} & main_actors
    assert found, (name, [a.name for a in briefing.actors])
    assert briefing.language == language
    assert briefing.word_count >= 150
    # Every item the summariser wrote is found in the article by the grounding check.
    assert all(a.supported for a in briefing.actors), [(a.name, a.reason) for a in briefing.actors]
    assert briefing.assessment.supported, briefing.assessment.reason

    result = run_cli("build", str(SAMPLES_DIR / name), "-o", "out/")
    assert result.returncode == 0, result.stderr
    [pdf] = list((isolated / "out").glob("*.pdf"))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    if language in PDF_TEXT:
        text = "\n".join(pdf_pages_text(data))
        assert any(actor in text for actor in found)
    # Every glyph drawn comes from a bundled font (Han and kana from "Briefing CJK"): no
    # blank boxes, whatever fonts the machine has.
    fonts = pdf_font_names(data)
    assert fonts and all(f.startswith("Briefing-") for f in fonts), fonts
    if language in ("zh", "ja"):
        assert any(f.startswith("Briefing-CJK") for f in fonts), fonts


def test_chinese_and_japanese_are_counted_by_character() -> None:
    for name in ("mekong-drought.zh.txt", "typhoon-okinawa.ja.txt"):
        text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
        article = article_from_text(text, name=name, kind="file")  # was "1 words" and refused
        assert 350 <= article.word_count <= 500
        assert article.reading_minutes == 2
        assert "\n\n" in article.text  # its paragraphs are not dropped as labels
    assert count_words("北京时间11月30日，外交部发言人表示。") == 16
    assert count_words("G20峰会在大阪举行") == 8  # "G20" is one word, as in English
    assert count_words("plain English, as before") == 4
    assert reading_minutes("中" * 600) == 3  # 255 Chinese characters a minute
    assert reading_minutes("日本の" * 200) == 2  # 357 Japanese characters a minute
    assert estimate_tokens("中" * 100) == 100


def test_cjk_sentences_end_at_their_own_full_stops() -> None:
    text = "北京时间11月30日，外交部发言人表示。双方将继续合作！你同意吗？好的。"
    assert [s.text for s in split_sentences(text)] == [
        "北京时间11月30日，外交部发言人表示。",
        "双方将继续合作！",
        "你同意吗？",
        "好的。",
    ]
    # A quotation is part of the sentence that reports it.
    assert len(split_sentences("彼は「大丈夫です。」と述べた。次の文です。")) == 2
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text
    # Greek asks with ";", and no script's sentence starts with a lower-case letter.
    assert len(split_sentences("Τι έγινε; Η κυβέρνηση απάντησε.")) == 2
    assert len(split_sentences("Это т.е. что-то важное. В Москве тепло.")) == 2


def test_run_on_captions_are_split_into_sentences() -> None:
    text = (
        "People who have never been divorced can expect a higher income than a colleague "
        "The cost of divorce can wreck retirement many years after the break-up, a study says."
    )
    assert len(split_sentences(text)) == 2
    assert len(split_sentences("Tickets for Don't Push It went fast. Don't Push It won.")) == 2


def test_russian_with_a_hard_sign_is_russian() -> None:
    assert detect((SAMPLES_DIR / "caspian-route.ru.txt").read_text(encoding="utf-8")) == "ru"


def test_non_latin_titles_get_distinct_readable_file_names() -> None:
    day = date(2026, 11, 30)
    names = {
        briefing_file_name(title, "pdf", day)
        for title in ("湄公河旱情加剧", "台風22号が沖縄に接近", "سد النهضة", "جولة جديدة")
    }
    assert len(names) == 4  # all were "2026-11-30-briefing.pdf"
    assert slugify("Москва заявила о переговорах") == "moskva-zayavila-o-peregovorakh"
    assert slugify("Αθήνα: νέα μέτρα") == "athina-nea-metra"
    assert slugify("台風22号が沖縄に接近").startswith("22-")
    assert slugify("湄公河旱情加剧") == slugify("湄公河旱情加剧")  # stable from run to run


def test_executive_summary_points_drop_datelines_and_bylines() -> None:
    situations = [
        "JEDDAH, 27 November - Saudi Arabia hosted talks on the ceasefire. More followed.",
        "(CNN) -- The storm made landfall overnight. Thousands were evacuated.",
        "By Jane Smith, Reuters - Oil prices rose sharply. Traders were nervous.",
        "新华社万象11月28日电 湄公河下游水位降至近十年来最低点。四国官员举行会议。",
        "BEIRUT, Lebanon — Talks resumed in the capital. Both sides attended.",
    ]
    points = day_points([make_briefing(situation=s, actors=[], risks=[]) for s in situations])
    assert sorted(p.text for p in points) == sorted(
        [
            "Saudi Arabia hosted talks on the ceasefire.",
            "The storm made landfall overnight.",
            "Oil prices rose sharply.",
            "湄公河下游水位降至近十年来最低点。",
            "Talks resumed in the capital.",
        ]
    )
    # No dateline, nothing cut: ordinary openings stay whole.
    for text in ("US-China talks resumed.", "NATO said on Monday.", "By the time he came."):
        assert strip_dateline(text) == text


def test_a_page_on_one_line_gives_a_short_situation() -> None:
    words = "officials warned that the talks could collapse before winter amid growing concerns"
    text = " ".join([words] * 40_000)  # 3.4 MB on one line, not a full stop in it
    article = article_from_text(text, name="run-on.txt", kind="file")
    briefing = OfflineSummariser().summarise(article)
    assert len(briefing.situation) <= 601  # was the whole 3.4 MB
    assert len(briefing.assessment.text) <= 2000
    assert all(len(q) <= 2000 for r in briefing.risks for q in r.evidence)
