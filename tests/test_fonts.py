"""Fonts that travel: the PDF uses only the fonts bundled in templates/fonts/, whatever the machine.

An article in each of four scripts (Latin with accents, Cyrillic, Greek, Arabic) is briefed by
the offline summariser and rendered; no glyph may be missing (WeasyPrint logs each .notdef it
draws), every font in the PDF must be a bundled one, and every character of the text must be in
the bundled font files' character maps. One test renders all four in a subprocess whose
fontconfig knows no font at all, as on a machine without those system fonts.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfReader

from briefing import checks, render
from briefing.model import Briefing
from briefing.resources import templates_dir
from briefing.sources.files import article_from_text
from briefing.summarisers.offline.summariser import OfflineSummariser
from tests.pdftext import pdf_pages_text

# News-like articles of 60 words or more, one per script; the first line is the title.
SAMPLES = {
    "latin": """Sommet de Genève : accord préliminaire sur la sécurité énergétique

GENÈVE — Les ministres de l'Énergie de douze pays européens se sont réunis jeudi à Genève pour \
négocier un accord préliminaire sur la sécurité des approvisionnements en gaz. Selon la \
présidence suisse, les délégations française, polonaise et tchèque ont accepté de partager leurs \
réserves stratégiques en cas de crise. « Nous avons évité l'échec », a déclaré la ministre \
française, Hélène Dupré, à l'issue d'une séance de nuit.

Le représentant de Łódź, Paweł Żółkowski, a toutefois souligné que le financement des gazoducs \
reste incertain, tandis que l'opérateur tchèque ČEZ et le danois Ørsted réclament des garanties. \
Les négociations reprendront à Bruxelles en décembre, où un texte définitif doit être adopté \
avant l'hiver.
""",
    "cyrillic": """Переговоры в Женеве: стороны договорились о прекращении огня

ЖЕНЕВА — Представители двух сторон конфликта в четверг договорились о временном прекращении \
огня, сообщил посредник ООН. По его словам, соглашение вступит в силу в понедельник и будет \
действовать тридцать дней. Министр иностранных дел заявил, что правительство готово обсуждать \
обмен пленными, однако потребовал гарантий безопасности для гражданского населения.

Наблюдатели ОБСЕ отмечают, что предыдущие договорённости нарушались уже через несколько часов. \
Следующий раунд переговоров запланирован на начало декабря в Вене, где стороны должны \
согласовать механизм контроля за выполнением соглашения.
""",
    "greek": """Αθήνα: Συμφωνία για τη διαχείριση των μεταναστευτικών ροών

ΑΘΗΝΑ — Οι υπουργοί Εσωτερικών της Ελλάδας, της Ιταλίας και της Ισπανίας υπέγραψαν την Πέμπτη \
κοινή δήλωση για τη διαχείριση των μεταναστευτικών ροών στη Μεσόγειο. Σύμφωνα με την ελληνική \
κυβέρνηση, η συμφωνία προβλέπει την ενίσχυση των περιπολιών της ακτοφυλακής και τη δημιουργία \
νέων κέντρων υποδοχής στα νησιά του Αιγαίου.

Ο Έλληνας υπουργός δήλωσε ότι η Ευρωπαϊκή Ένωση πρέπει να αναλάβει μεγαλύτερο μέρος του \
κόστους. Οργανώσεις ανθρωπίνων δικαιωμάτων εξέφρασαν ανησυχίες για τις συνθήκες κράτησης. Η \
επόμενη συνάντηση θα πραγματοποιηθεί στη Ρώμη τον Ιανουάριο.
""",
    "arabic": """القاهرة: محادثات جديدة حول وقف إطلاق النار

القاهرة — استأنف الوسطاء المصريون والقطريون يوم الخميس محادثات غير مباشرة بهدف التوصل إلى \
وقف دائم لإطلاق النار، وفق ما أفاد مسؤول مصري. وقال المسؤول إن الوفود ناقشت آلية لتبادل \
الأسرى وإدخال المساعدات الإنسانية عبر معبر رفح. وأكدت الأمم المتحدة أن أكثر من مليون شخص \
يحتاجون إلى مساعدات غذائية عاجلة منذ ١٢ تشرين الأول.

من جهتها، طالبت منظمات الإغاثة بضمانات لحماية العاملين في المجال الإنساني. ومن المتوقع أن \
تُعقد جولة جديدة من المفاوضات في الدوحة الأسبوع المقبل، بحضور ممثلين عن الولايات المتحدة \
والاتحاد الأوروبي.
""",
}
# A word of each script that must come back out of the PDF's text.
MARKERS = {"latin": "Genève", "cyrillic": "Переговоры", "greek": "Αθήνα", "arabic": None}
FONTS_DIR = templates_dir() / "fonts"
BUNDLED_FAMILIES = (
    "Briefing-Serif",
    "Briefing-Sans",
    "Briefing-Mono",
    "Briefing-Arabic",
    "Briefing-CJK",
)
NOTDEF = ".notdef glyph rendered"


# ------------------------------------------------------------------------------- helpers


def brief(text: str) -> Briefing:
    """The offline pipeline of ``briefing build``: article -> summary -> grounding checks."""
    article = article_from_text(text, name="t", kind="file")
    return checks.check(article, OfflineSummariser().summarise(article))


@cache
def bundled_cmap() -> frozenset[int]:
    """Every code point some bundled font file has a glyph for."""
    points: set[int] = set()
    for path in FONTS_DIR.glob("*.ttf"):
        points.update(TTFont(path, lazy=True).getBestCmap())
    return frozenset(points)


def pdf_font_names(pdf: bytes) -> set[str]:
    """/BaseFont of every font on every page, without the subset tag ("ABCDEF+")."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages_text(pdf))


def rendered_text(briefing: Briefing) -> str:
    """The briefing's own text (what the summariser wrote, from the article): what is drawn."""
    parts = [briefing.title, briefing.situation, briefing.assessment.text]
    for actor in briefing.actors:
        parts += [actor.name, actor.role, *actor.evidence, *actor.aliases]
    for risk in briefing.risks:
        parts += [risk.description, *risk.evidence]
    parts += briefing.assessment.evidence
    return "\n".join(parts)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Rendered:
    briefing: Briefing
    html: str
    pdf: bytes
    log: list[str]  # WeasyPrint's records (routed to DEBUG on briefing.render)
    document_requests: list[render.FetchRecord]
    font_requests: list[render.FetchRecord]


@pytest.fixture(scope="module")
def rendered() -> Iterator[dict[str, Rendered]]:
    logger = logging.getLogger("briefing.render")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        results = {}
        for script, text in SAMPLES.items():
            briefing = brief(text)
            html = render.render_html(briefing)
            fetcher = render.TemplateFetcher([templates_dir()])
            fonts = render.TemplateFetcher([templates_dir()])
            start = len(handler.messages)
            pdf = render.render_pdf(html, briefing, fetcher=fetcher, font_fetcher=fonts)
            results[script] = Rendered(
                briefing, html, pdf, handler.messages[start:], fetcher.requests, fonts.requests
            )
        yield results
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# ------------------------------------------------------------------------------- the files


def test_samples_are_long_enough_and_in_their_script() -> None:
    ranges = {
        "cyrillic": (0x0400, 0x04FF),
        "greek": (0x0370, 0x03FF),
        "arabic": (0x0600, 0x06FF),
    }
    for script, text in SAMPLES.items():
        assert len(text.split()) >= 60, script
        if script in ranges:
            low, high = ranges[script]
            letters = [c for c in text if c.isalpha()]
            assert sum(low <= ord(c) <= high for c in letters) > 0.9 * len(letters), script
    assert {"é", "è", "ç", "Ł", "Ż", "ó", "Č", "Ø", "«"} <= set(SAMPLES["latin"])


def test_fonts_css_names_exactly_the_bundled_files() -> None:
    css = (templates_dir() / "fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls and all(re.fullmatch(r"fonts/[A-Za-z-]+\.ttf", url) for url in urls)
    assert sorted(urls) == sorted(f"fonts/{p.name}" for p in FONTS_DIR.glob("*.ttf"))
    families = set(re.findall(r'font-family:\s*"([^"]+)"', css))
    assert families == {name.replace("-", " ") for name in BUNDLED_FAMILIES}
    assert "{#" not in css and "{%" not in css and "{{" not in css  # never included by Jinja


def test_bundled_fonts_are_the_registry_files_with_their_licences() -> None:
    notice = (FONTS_DIR / "NOTICE").read_text(encoding="utf-8")
    files = sorted(FONTS_DIR.glob("*.ttf"))
    assert len(files) == 10
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"{path.name}" in notice and digest in notice, path.name
    assert sum(p.stat().st_size for p in files) < 8_000_000  # 4 MB of it for CJK
    dejavu = (FONTS_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in dejavu and "Arev Fonts Copyright" in dejavu
    ofl = (FONTS_DIR / "OFL-NotoNaskhArabic.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl and "Google LLC" in ofl
    apache = (FONTS_DIR / "LICENSE-Apache-2.0-Droid.txt").read_text(encoding="utf-8")
    assert "Apache License" in apache and "Version 2.0, January 2004" in apache
    for path in files:
        copyright_ = TTFont(path, lazy=True)["name"].getDebugName(0) or ""
        assert ("Bitstream" in copyright_) or ("Google" in copyright_), path.name


def test_unicode_ranges_are_within_their_fonts() -> None:
    """fonts.css limits Briefing Arabic and Briefing CJK to characters they have: a wider range
    would draw .notdef boxes instead of letting the next font in the stack draw them."""
    css = (templates_dir() / "fonts.css").read_text(encoding="utf-8")
    ranges = re.findall(r"unicode-range:([^;]+);", css)
    assert len(ranges) == 3
    fonts = {
        0x0627: ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),  # alef
        0x4E2D: ("DroidSansFallbackFull.ttf",),  # 中
    }
    for spec in ranges:
        points: set[int] = set()
        for item in spec.replace("\n", " ").split(","):
            low, _, high = item.strip().removeprefix("U+").partition("-")
            points.update(range(int(low, 16), int(high or low, 16) + 1))
        assert 0x0041 not in points  # Latin A stays with the Latin fonts
        [names] = [names for probe, names in fonts.items() if probe in points]
        for name in names:
            cmap = TTFont(FONTS_DIR / name, lazy=True).getBestCmap()
            assert points <= set(cmap), name


def test_bundled_fonts_cover_what_the_templates_draw() -> None:
    # The warning sign of the flags box and of "Unsupported" markers, the note dagger, quotes.
    needed = "⚠†‡“”‘’«»–—…·→≤×§ "
    assert {ord(c) for c in needed} <= bundled_cmap()
    sans = TTFont(FONTS_DIR / "DejaVuSans.ttf", lazy=True).getBestCmap()
    assert 0x26A0 in sans  # ⚠ is in the --symbols stack's first (bundled) font


# ------------------------------------------------------------------------------- four scripts


@pytest.mark.parametrize("script", list(SAMPLES))
def test_article_renders_with_no_missing_glyph(script: str, rendered: dict[str, Rendered]) -> None:
    result = rendered[script]
    assert not [m for m in result.log if NOTDEF in m]  # (test_a_missing_glyph_is_caught)
    # Every character drawn is in a bundled font file.
    drawn = {ord(c) for c in rendered_text(result.briefing) if not c.isspace()}
    assert drawn - bundled_cmap() == set()
    # Only bundled fonts are embedded: no fallback to a system font.
    names = pdf_font_names(result.pdf)
    assert names and all(name.startswith(BUNDLED_FAMILIES) for name in names), names
    text = pdf_text(result.pdf)
    extracted = {ord(c) for c in text if not c.isspace()}
    assert extracted - bundled_cmap() == set()
    marker = MARKERS[script]
    if marker is not None:
        assert marker in text
    else:  # Arabic: drawn with the Arabic font, in bold too (the title)
        assert {"Briefing-Arabic", "Briefing-Arabic-Bold"} <= names


def test_a_missing_glyph_is_caught(rendered: dict[str, Rendered]) -> None:
    """Control: a character no font has (private use U+E000) is logged as a .notdef."""
    logger = logging.getLogger("briefing.render")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        render.write_pdf('<html lang="en"><p>x \ue000 x</p></html>', seed="s", title="t")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [m for m in handler.messages if NOTDEF in m and "U+E000" in m]


@pytest.mark.parametrize("script", list(SAMPLES))
def test_only_the_bundled_fonts_were_fetched(script: str, rendered: dict[str, Rendered]) -> None:
    result = rendered[script]
    assert result.document_requests == []
    base = templates_dir().resolve().as_uri() + "/"
    urls = [r.url.removeprefix(base) for r in result.font_requests]
    assert urls == ["fonts.css"] + [
        url for url in re.findall(r"url\(([^)]+)\)", (templates_dir() / "fonts.css").read_text())
    ]
    assert all(r.allowed for r in result.font_requests)


def test_user_template_folder_keeps_the_bundled_fonts_or_replaces_them(tmp_path: Path) -> None:
    briefing = brief(SAMPLES["greek"])
    assert render.fonts_stylesheet([tmp_path]) == templates_dir() / "fonts.css"
    (tmp_path / "briefing.html.j2").write_text('{% extends "base.html.j2" %}\n', encoding="utf-8")
    html = render.render_html(briefing, template_dirs=[tmp_path])
    fonts = render.TemplateFetcher([tmp_path, templates_dir()])
    pdf = render.render_pdf(html, briefing, template_dirs=[tmp_path], font_fetcher=fonts)
    assert all(name.startswith(BUNDLED_FAMILIES) for name in pdf_font_names(pdf))
    assert fonts.denied == []
    # A fonts.css of its own replaces ours (here: no font at all, so the system's are used).
    (tmp_path / "fonts.css").write_text("/* the machine's fonts */\n", encoding="utf-8")
    assert render.fonts_stylesheet([tmp_path]) == tmp_path / "fonts.css"
    pdf = render.render_pdf(html, briefing, template_dirs=[tmp_path])
    assert not any(name.startswith(BUNDLED_FAMILIES) for name in pdf_font_names(pdf))


def test_html_draft_stays_self_contained(rendered: dict[str, Rendered]) -> None:
    html = rendered["arabic"].html
    assert "@font-face" not in html and "url(" not in html and ".ttf" not in html
    stacks = dict(re.findall(r"--(serif|sans|mono|symbols):\s*([^;]+);", html))
    for name, stack in stacks.items():
        families = [f.strip().strip('"') for f in stack.split(",")]
        assert families[0].startswith("Briefing "), name  # the bundled fonts first (PDF) …
        local = {"serif": "DejaVu Serif", "sans": "DejaVu Sans", "mono": "DejaVu Sans Mono"}
        assert local.get(name, "DejaVu Sans") in families, name  # … then the same, installed


# ------------------------------------------------------------------------------- no system fonts

SCRIPT = textwrap.dedent(
    """
    import json, logging, sys, warnings
    sys.path.insert(0, sys.argv[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import weasyprint  # checks fontconfig's font list once, on import
    from tests.test_fonts import SAMPLES, brief, pdf_font_names
    from briefing import render

    messages = []
    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())
    logger = logging.getLogger("briefing.render")
    logger.addHandler(Keep())
    logger.setLevel(logging.DEBUG)

    out = {}
    for script, text in SAMPLES.items():
        briefing = brief(text)
        start = len(messages)
        pdf = render.render_pdf(render.render_html(briefing), briefing)
        notdef = [m for m in messages[start:] if ".notdef" in m]
        out[script] = {"fonts": sorted(pdf_font_names(pdf)), "notdef": notdef}
    out["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(out))
    """
)


def test_renders_all_scripts_on_a_machine_without_fonts(tmp_path: Path) -> None:
    """fontconfig with an empty font list: only the bundled fonts exist."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path)}
    repo = str(Path(__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, repo],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for script in SAMPLES:
        assert out[script]["notdef"] == [], script
        fonts = out[script]["fonts"]
        assert fonts and all(f.startswith(BUNDLED_FAMILIES) for f in fonts), (script, fonts)
    # WeasyPrint's own check proves the subprocess had no system font to fall back on.
    assert "No fonts configured in FontConfig. Expect ugly output." in out["warnings"]
