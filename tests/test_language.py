"""--language: the model is asked, checked, and asked again once; the document says its language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import ConfigError
from briefing.text.languages import detect, matches, resolve
from tests.conftest import SAMPLE, RunCli, use_model_server
from tests.openai_server import FakeOpenAI, Reply
from tests.test_openai_summariser import KEY, good_draft


def french_draft() -> dict[str, Any]:
    draft = good_draft()
    draft["title"] = "Frappe franco-britannique contre un dépôt de l'État islamique en Syrie"
    draft["situation"] = (
        "Les forces britanniques et françaises ont frappé un dépôt d'armes de l'État islamique "
        "dans l'est de la Syrie. Les responsables de la défense à Londres et à Paris ont "
        "confirmé l'opération, qui visait des installations de stockage utilisées par le groupe."
    )
    draft["assessment"]["text"] = (
        "La frappe affaiblit la logistique du groupe mais ne suffit pas à le faire disparaître, "
        "selon les analystes de la région."
    )
    draft["risks"][0]["description"] = (
        "Le groupe pourrait se reconstituer par des cellules dormantes."
    )
    return draft


@pytest.fixture
def llm(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The default model (no BRIEFING_MODEL); any key accepted."""
    return use_model_server(monkeypatch, openai_server, KEY, model=None, require_key=False)


def test_language_requested_and_recorded(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    llm.script(Reply.json(french_draft()))
    result = run_cli("build", str(SAMPLE), "-o", "b.json", "--language", "fr", "-q")
    assert result.returncode == 0, result.stderr
    system, user = (m["content"] for m in llm.chat_requests[0].body["messages"])
    assert "in French, whatever the language of the article" in system
    assert user.endswith("Write your answer in French.")
    data = json.loads((isolated / "b.json").read_text(encoding="utf-8"))
    assert data["language"] == "fr"
    assert data["title"].startswith("Frappe franco-britannique")
    assert data["flags"] == []
    # Evidence stays verbatim in the article's language, so grounding still holds.
    assert data["provenance"]["grounding"]["supported"] == data["provenance"]["grounding"]["total"]


def test_answer_in_the_wrong_language_is_sent_back_once(
    llm: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    llm.script(Reply.json(good_draft()), Reply.json(french_draft()))
    result = run_cli("build", str(SAMPLE), "-o", "b.json", "--language", "French", "-q")
    assert result.returncode == 0, result.stderr
    assert llm.chat_calls == 2
    repair = llm.chat_requests[1].body["messages"][-1]["content"]
    assert repair.startswith("That answer is not written in French")
    assert json.loads((isolated / "b.json").read_text())["language"] == "fr"


def test_language_still_wrong_is_flagged(llm: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    llm.script(Reply.json(good_draft()), Reply.json(good_draft()))
    result = run_cli("build", str(SAMPLE), "-o", "b.json", "--language", "de", "-q")
    assert result.returncode == 0, result.stderr
    flags = json.loads((isolated / "b.json").read_text())["flags"]
    assert {
        "kind": "language_mismatch",
        "detail": "asked for German; the model wrote in English",
    } in flags


def test_offline_says_language_needs_a_model(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli(
        "build", str(SAMPLE), "-o", "b.json", "--language", "fr", "--summariser", "offline"
    )
    assert result.returncode == 0
    assert result.stderr == (
        "briefing: --language needs a language model: the offline "
        "summariser quotes the article in its own language\n"
    )
    assert json.loads((isolated / "b.json").read_text())["language"] == "en"


def test_unknown_language(run_cli: RunCli, llm: FakeOpenAI, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--language", "Klingon")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: unknown language 'Klingon'; use a code or name: ")
    assert llm.chat_calls == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "The minister said on Monday that the talks would resume in Geneva next week, and "
            "that both sides had agreed to a ceasefire for the duration of the negotiations.",
            "en",
        ),
        (
            "Le ministre a déclaré lundi que les pourparlers reprendraient à Genève la semaine "
            "prochaine et que les deux parties avaient accepté un cessez-le-feu pour la durée.",
            "fr",
        ),
        (
            "Der Minister sagte am Montag, dass die Gespräche in der nächsten Woche in Genf "
            "fortgesetzt werden und dass sich beide Seiten auf eine Waffenruhe geeinigt haben.",
            "de",
        ),
        (
            "El ministro dijo el lunes que las conversaciones se reanudarán en Ginebra la próxima "
            "semana y que las dos partes acordaron un alto el fuego durante las negociaciones.",
            "es",
        ),
        (
            "Министр заявил в понедельник, что переговоры возобновятся в Женеве на следующей "
            "неделе.",
            "ru",
        ),
        (
            "Міністр заявив у понеділок, що переговори відновляться в Женеві наступного тижня, і "
            "що обидві сторони погодилися на перемир'я.",
            "uk",
        ),
        ("Ο υπουργός δήλωσε τη Δευτέρα ότι οι συνομιλίες θα συνεχιστούν στη Γενεύη.", "el"),
        ("قال الوزير يوم الاثنين إن المحادثات ستستأنف في جنيف الأسبوع المقبل.", "ar"),
        ("部长周一表示，谈判将于下周在日内瓦恢复，双方同意在谈判期间停火。", "zh"),
    ],
)
def test_detect(text: str, code: str) -> None:
    assert detect(text) == code
    assert matches(text, resolve(code)) is True


def test_detect_is_unsure_on_little_text() -> None:
    assert detect("Geneva, Monday.") is None
    with pytest.raises(ConfigError):
        resolve("xx")


def test_document_language_and_direction() -> None:
    from briefing import render
    from tests.factories import make_briefing

    arabic = render.render_html(make_briefing(language="ar"))
    assert '<html lang="ar" dir="ltr" data-text-dir="rtl"' in arabic
    unknown = render.render_html(make_briefing(language=None))
    assert '<html lang="en" dir="ltr" data-text-dir="ltr"' in unknown
