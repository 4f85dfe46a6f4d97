"""What a run tells its caller: exit codes of a day with no briefing (model failure 4, endpoint
down 75, else 1), the stderr line about unsupported items, and the situation check."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing.checks.apply import check, unsupported_notice
from briefing.checks.situation import SITUATION_UNSUPPORTED, check_situation, situation_gaps
from briefing.config import Settings
from briefing.daily import (
    DailyOptions,
    EndpointDownError,
    ModelUnusableError,
    NothingBriefedError,
    run_daily,
)
from briefing.errors import (
    EXIT_FAILURE,
    EXIT_MODEL,
    EXIT_TEMPFAIL,
    BriefingError,
    EndpointUnreachable,
    InputError,
    ModelError,
    TemporaryError,
)
from briefing.model import Article, Briefing, Flag
from briefing.sources.files import article_from_text, read_source
from briefing.summarisers.offline.summariser import OfflineSummariser
from tests import schema_fill
from tests.conftest import EXAMPLES, SAMPLE, RunCli, files_under
from tests.factories import make_briefing
from tests.openai_server import FakeOpenAI, Reply
from tests.pdftext import pdf_pages_text

KEY = "sk-test-outcomes"
ARTICLES = [p for p in sorted(EXAMPLES.iterdir()) if p.name != "README.md"]
INVENTED = "The Zorvania Liberation Front said 4,700 fighters had been killed."


@pytest.fixture
def model(llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "0")
    llm.default = Reply.fill()
    return llm


def edited(edit: Callable[[dict[str, Any]], None]) -> Reply:
    """Like ``Reply.fill()`` (an instance of the request's own schema, from the article's
    sentences), with ``edit`` applied to each briefing draft (not to the day's summary)."""

    def answer(body: dict[str, Any]) -> Reply:
        schema = body["response_format"]["json_schema"]["schema"]
        data = schema_fill.fill(schema, schema_fill.article_data(body))
        if "actors" in data:
            edit(data)
        return Reply.json(data)

    return Reply.dynamic(answer)


def invent_actor_and_risk(draft: dict[str, Any]) -> None:
    draft["actors"][0]["name"] = "Zorvania Liberation Front"
    draft["risks"][1]["evidence"] = ["officials fear chemical weapons could be deployed"]


def invent_in_situation(draft: dict[str, Any]) -> None:
    draft["situation"] += " " + INVENTED


def copy_articles(folder: Path, count: int, articles: list[Path] = ARTICLES) -> Path:
    folder.mkdir()
    for n, src in enumerate(articles[:count]):
        (folder / f"{n:02d}-{src.name}").write_bytes(src.read_bytes())
    return folder


def written(folder: Path) -> list[str]:
    """The files in ``folder``, without the lock files runs leave (empty, by design)."""
    return [str(p.relative_to(folder)) for p in files_under(folder) if p.suffix != ".lock"]


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


# ------------------------------------------------------------------ a day with no briefing


def test_every_source_failing_on_the_model_exits_4(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = Reply.error(401, "Incorrect API key provided", code="invalid_api_key")
    copy_articles(isolated / "in", 3)
    out = isolated / "output" / "briefing-2026-11-26.pdf"
    out.parent.mkdir()
    out.write_bytes(b"yesterday")
    result = run_cli("daily", "--from-dir", "in", "--date", "2026-11-26", "--no-cache")
    assert result.returncode == 4, result.stderr
    host = model.url.removeprefix("http://").removesuffix("/v1")
    assert last_line(result.stderr) == (
        "Error: nothing was summarised: 3 of 3 sources failed on the model (first: "
        f"in/00-baltic-cable.md: the API at {host} rejected the key (401): check "
        "OPENAI_API_KEY); no digest written"
    )
    assert out.read_bytes() == b"yesterday"
    assert written(isolated / "output") == ["briefing-2026-11-26.pdf"]


def test_wrong_model_exits_4(model: FakeOpenAI, run_cli: RunCli, isolated: Path) -> None:
    model.default = Reply.error(404, "The model `gpt-test` does not exist", code="model_not_found")
    copy_articles(isolated / "in", 2)
    result = run_cli("daily", "--from-dir", "in", "-o", "d.json", "--no-cache")
    assert result.returncode == 4, result.stderr
    assert last_line(result.stderr).startswith(
        "Error: nothing was summarised: 2 of 2 sources failed on the model (first: "
        "in/00-baltic-cable.md: not found at "
    )
    assert not (isolated / "d.json").exists()


def test_model_and_input_failures_mixed_exit_1(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = Reply.error(401, "Incorrect API key provided", code="invalid_api_key")
    copy_articles(isolated / "in", 2)
    (isolated / "in" / "99-empty.txt").write_text("   ")
    result = run_cli("daily", "--from-dir", "in", "-o", "d.json", "--no-cache")
    assert result.returncode == 1, result.stderr
    assert last_line(result.stderr).startswith(
        "Error: nothing was summarised: 3 of 3 sources failed (first: in/00-baltic-cable.md: "
        "the API at "
    )
    assert not (isolated / "d.json").exists()


def test_partial_model_failure_still_exits_3(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    copy_articles(isolated / "in", 2)
    model.script(Reply.error(401, "Incorrect API key provided", code="invalid_api_key"))
    result = run_cli(
        "daily", "--from-dir", "in", "-o", "d.json", "--no-cache", "--concurrency", "1"
    )
    assert result.returncode == 3, result.stderr
    data = json.loads((isolated / "d.json").read_text())
    assert [s["status"] for s in data["sources"]] == ["failed", "ok"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed on leaving: connections are refused


def test_endpoint_refusing_connections_exits_75(
    run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "0")
    copy_articles(isolated / "in", 2)
    out = isolated / "d.pdf"
    out.write_bytes(b"yesterday")
    result = run_cli("daily", "--from-dir", "in", "-o", "d.pdf", "--no-cache")
    assert result.returncode == 75, result.stderr
    assert last_line(result.stderr) == (
        "Error: nothing was summarised: the model was unavailable for 2 of 2 sources (first: "
        f"in/00-baltic-cable.md: cannot connect to 127.0.0.1:{port} (1 attempt): is the "
        "server running?); no digest written, try again later"
    )
    assert out.read_bytes() == b"yesterday"
    assert written(isolated) == ["d.pdf", "in/00-baltic-cable.md", "in/01-sahel-aid.html"]


class Failing:
    """A summariser whose every article fails with ``error``."""

    name = "openai"
    version = "1"

    def __init__(self, error: BriefingError) -> None:
        self.error = error

    def summarise(self, article: Article) -> Briefing:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected", "code"),
    [
        (TemporaryError("endpoint down"), EndpointDownError, EXIT_TEMPFAIL),
        (EndpointUnreachable("cannot connect"), EndpointDownError, 75),
        (ModelError("no answer within 5 s (timeout, 1 attempt)"), ModelUnusableError, 4),
        (ModelError("the model refused to brief this article: no"), ModelUnusableError, 4),
        (InputError("too short"), NothingBriefedError, EXIT_FAILURE),
    ],
    ids=["temporary", "connection", "timeout", "refusal", "input"],
)
def test_exit_code_of_an_empty_day_follows_the_failures(
    monkeypatch: pytest.MonkeyPatch,
    isolated: Path,
    error: BriefingError,
    expected: type[NothingBriefedError],
    code: int,
) -> None:
    import briefing.summarisers

    monkeypatch.setattr(briefing.summarisers, "make_summariser", lambda settings: Failing(error))
    options = DailyOptions(
        sources=[str(p) for p in ARTICLES[:2]],
        output=isolated / "d.json",
        use_cache=False,
        settings=Settings(summariser="offline"),
    )
    with pytest.raises(NothingBriefedError) as caught:
        run_daily(options)
    assert type(caught.value) is expected
    assert caught.value.exit_code == code
    assert isinstance(caught.value, ModelError) == (code == EXIT_MODEL)
    assert isinstance(caught.value, TemporaryError) == (code == EXIT_TEMPFAIL)
    assert not (isolated / "d.json").exists()


# ------------------------------------------------------------ unsupported items on stderr


def test_build_announces_unsupported_items(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = edited(invent_actor_and_risk)
    result = run_cli("build", str(SAMPLE), "-o", "b.pdf")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "b.pdf\n"
    assert result.stderr == (
        "briefing: warning: 2 of 5 items are not supported by the article (actors 1, risks 1); "
        "see the PDF's marks, or --strict to refuse\n"
    )


def test_build_quiet_says_nothing_and_strict_refuses(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = edited(invent_actor_and_risk)
    quiet = run_cli("build", str(SAMPLE), "-o", "b.json", "-q")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    strict = run_cli("build", str(SAMPLE), "-o", "s.json", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.startswith(
        "Error: 2 of 5 items are not supported by the article (--strict): "
        "actor Zorvania Liberation Front; risk R2"
    )
    assert not (isolated / "s.json").exists()


def test_build_of_a_supported_briefing_says_nothing(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "b.json")
    assert (result.returncode, result.stderr) == (0, "")


def test_daily_announces_unsupported_items_unless_quiet(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = edited(invent_actor_and_risk)
    # Not the Sahel example: the test server's sentence splitter cuts "$1.2 billion" after
    # "$1.", a situation with a number the article does not state.
    copy_articles(isolated / "in", 2, [ARTICLES[0], SAMPLE])
    result = run_cli("daily", "--from-dir", "in", "-o", "d.json", "--cache-dir", "c")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    notice = (
        "warning: 4 of 10 items in 2 of 2 briefings are not supported by their articles "
        '(actors 2, risks 2); see "supported": false and the flags in the JSON, or --strict '
        "to refuse"
    )
    assert lines[-1] == f"briefing: {notice}"
    assert lines[-2].startswith("briefing: wrote d.json: 2 briefed")
    quiet = run_cli(
        "daily", "--from-dir", "in", "-o", "d.json", "--cache-dir", "c", "-q", "--log-file", "log"
    )
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert (isolated / "log").read_text().splitlines()[-1].endswith(f" briefing: {notice}")


def test_notice_wording() -> None:
    supported = make_briefing(
        actors=[a.model_copy(update={"supported": True}) for a in make_briefing().actors[:2]],
        assessment=make_briefing().assessment.model_copy(update={"supported": True}),
        risks=[],
    )
    assert unsupported_notice([supported], "pdf") is None
    one = supported.model_copy(
        update={
            "assessment": supported.assessment.model_copy(update={"supported": False}),
            "flags": [Flag(kind=SITUATION_UNSUPPORTED, detail="names or numbers not in "
                           "the article: Zorvania")],
        }
    )  # fmt: skip
    assert unsupported_notice([one], "html") == (
        "warning: 1 of 3 items is not supported by the article (assessment 1) and the "
        "situation has names or numbers not in the article: Zorvania; see the HTML's marks, "
        "or --strict to refuse"
    )
    assert unsupported_notice([one, supported, one], "pdf") == (
        "warning: 2 of 9 items in 2 of 3 briefings are not supported by their articles "
        "(assessment 2) and 2 situations have names or numbers not in their articles; see "
        "the PDF's marks, or --strict to refuse"
    )


# --------------------------------------------------------------------------- the situation


def syria() -> Article:
    return read_source(str(SAMPLE))


def test_invented_name_and_number_are_found() -> None:
    situation = (
        "British and French aircraft struck an Islamic State weapons cache in eastern Syria. "
        + INVENTED
    )
    assert situation_gaps(syria(), situation) == ["Zorvania Liberation Front", "4,700"]


NUMBERS = article_from_text(
    "Officials in Kyiv said 1,200 people were evacuated on the 3rd day of the operation, "
    "which began in the 1990s and has cost $1.2 billion. Three drones and twenty-five "
    "missiles were fired; 40 per cent of them were intercepted, the Ukrainian military said "
    "in a statement released after midnight on Tuesday. The United Kingdom sent advisers.",
    name="n",
    kind="file",
)


@pytest.mark.parametrize(
    "situation",
    [
        "Some 1200 people were evacuated in Kyiv.",  # "1,200"
        "On the third day, 1,200 left.",  # "3rd"
        "It began in the 1990s, on day 3.",  # decade, ordinal
        "It cost 1.2bn dollars, or $1,200,000,000.",  # scales
        "3 drones and 25 missiles were fired; 40% were intercepted.",  # words, per cent
        "The UK and Britain's Ukrainian partners met on Tuesday.",  # gazetteer forms
        "Coordinated evacuations continued. Ukrainian officials spoke.",  # sentence starts
    ],
)
def test_same_names_and_numbers_written_otherwise_are_found(situation: str) -> None:
    assert situation_gaps(NUMBERS, situation) == []


@pytest.mark.parametrize(
    ("situation", "gaps"),
    [
        ("Some 1,300 people were evacuated in Kyiv.", ["1,300"]),
        ("Officials in Odesa said 12 people left.", ["Odesa", "12"]),
        ("The 4th day began on Friday.", ["4th", "Friday"]),
        ("Kyiv asked the Zorvanian Defence Ministry for help.", ["Zorvanian Defence Ministry"]),
    ],
)
def test_other_names_and_numbers_are_gaps(situation: str, gaps: list[str]) -> None:
    assert situation_gaps(NUMBERS, situation) == gaps


@pytest.mark.parametrize("name", [p.name for p in ARTICLES])
def test_offline_situations_never_raise_it(name: str) -> None:
    article = read_source(str(EXAMPLES / name))
    briefing = check(article, OfflineSummariser().summarise(article))
    assert situation_gaps(article, briefing.situation) == []
    assert SITUATION_UNSUPPORTED not in {f.kind for f in briefing.flags}


def test_check_situation_flag_is_idempotent_and_not_an_item() -> None:
    briefing = make_briefing(situation="Zorvania forces said 4,700 died in Kyiv. " + INVENTED)
    once = check_situation(syria(), briefing)
    assert once.flags == [
        Flag(
            kind="situation_unsupported",
            detail="names or numbers not in the article: 4,700, Kyiv, Zorvania Liberation Front",
        )
    ]
    assert check_situation(syria(), once) == once
    assert once.provenance.grounding == briefing.provenance.grounding  # counts unchanged


def test_situation_gaps_flagged_marked_and_announced(
    model: FakeOpenAI, run_cli: RunCli, isolated: Path
) -> None:
    model.default = edited(invent_in_situation)
    detail = "names or numbers not in the article: Zorvania Liberation Front, 4,700"

    as_json = run_cli("build", str(SAMPLE), "-o", "b.json", "-q")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads((isolated / "b.json").read_text())
    assert data["flags"] == [{"kind": "situation_unsupported", "detail": detail}]
    grounding = data["provenance"]["grounding"]
    assert grounding["supported"] == grounding["total"] == 5

    as_html = run_cli("build", str(SAMPLE), "-o", "b.html")
    assert as_html.returncode == 0
    assert as_html.stderr == (
        f"briefing: warning: the situation has {detail}; see the HTML's marks, or --strict "
        "to refuse\n"
    )
    html = (isolated / "b.html").read_text(encoding="utf-8")
    situation = html[html.index('id="situation"') : html.index('id="actors"')]
    assert "⚠</span> Unsupported</span>" in situation
    assert f'<span class="note-item">Situation:</span> {detail}</p>' in situation

    assert run_cli("build", str(SAMPLE), "-o", "b.pdf", "-q").returncode == 0
    text = " ".join(" ".join(pdf_pages_text(isolated / "b.pdf")).split())
    assert f"⚠ UNSUPPORTED Situation: {detail}" in text  # small capitals by the CSS

    strict = run_cli("build", str(SAMPLE), "-o", "s.json", "--strict")
    assert strict.returncode == 1
    assert strict.stderr == f"Error: the situation has {detail} (--strict)\n"
    assert not (isolated / "s.json").exists()


def test_the_publication_date_counts() -> None:
    # The publication date counts: a model may date the events by it.
    article = article_from_text(
        "Officials in Kyiv said the strike damaged a power station overnight, leaving "
        "thousands of homes without heating as temperatures fell below freezing. Repair "
        "crews were sent to the site at dawn, and the city administration opened heated "
        "shelters in schools across the eastern districts.",
        name="d",
        kind="file",
    )
    dated = article.model_copy(
        update={"source": article.source.model_copy(update={"published": "2026-03-03"})}
    )
    situation = "On Tuesday 3rd March 2026, Kyiv lost power."
    assert situation_gaps(dated, situation) == []
    assert situation_gaps(article, situation) == ["Tuesday", "3rd", "March", "2026"]
