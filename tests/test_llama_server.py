"""The openai summariser end to end against llama.cpp's real ``llama-server``.

The server (``tests/llama_server.py``) turns every request's strict JSON schema into a grammar
and constrains decoding to it, as Ollama, vLLM and LM Studio do; our scripted test server only
imitates that. The model is tiny and writes noise (``tests/llama_model.py``): these tests assert
protocol, schema validity, grounding verdicts and exit codes, never the content, except that
every quote the model writes is one of its junk words, so no item is ever supported.

Each case runs the command with ``OPENAI_BASE_URL`` pointing at the server and no API
key (a local server needs none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import openai
import pytest

from briefing.model import Briefing, Digest
from briefing.prompts import Registry
from briefing.summarisers.openai.draft import (
    DigestDraft,
    Draft,
    parse_answer,
    response_format,
    strict_schema,
)
from tests.conftest import EXAMPLES, SAMPLE, RunCli, files_under
from tests.llama_model import JUNK, write_model
from tests.pdftext import pdf_pages_text

ARTICLES = [EXAMPLES / name for name in ("syria-strike.txt", "baltic-cable.md", "sahel-aid.html")]
# The junk words as they appear in a briefing (surrounding spaces stripped).
JUNK_WORDS = {j.strip() for j in JUNK}


@pytest.fixture(scope="module")
def model_name(llama_server: str) -> str:
    """The model the server lists (and the name the CLI must ask for, or doctor complains)."""
    models = openai.OpenAI(base_url=llama_server, api_key="no-key").models.list()
    ids = [m.id for m in models.data]
    assert len(ids) == 1, ids
    return ids[0]


@pytest.fixture
def llama(llama_server: str, model_name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment of a user of a local server: base URL and model, no API key."""
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("BRIEFING_MODEL", model_name)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return llama_server


def host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def assert_noise_briefing(data: dict[str, Any], model: str, url: str) -> Briefing:
    """A valid briefing written by the noise model: provenance from the server, and every
    item unsupported (its quotes are junk words no article contains)."""
    briefing = Briefing.model_validate(data)  # the JSON contract, extra keys forbidden
    prov = briefing.provenance
    assert prov.summariser == "openai"
    assert prov.model == model
    assert prov.base_url == host(url)
    assert prov.usage.prompt_tokens > 0 and prov.usage.completion_tokens > 0  # llama's counts
    items = [*briefing.actors, briefing.assessment, *briefing.risks]
    assert all(item.supported is False and item.reason for item in items), items
    quotes = [q for item in items for q in item.evidence]
    assert quotes and set(quotes) <= JUNK_WORDS, quotes
    assert prov.grounding is not None
    assert prov.grounding.supported == 0
    assert prov.grounding.total == len(items)
    (flag,) = [f for f in briefing.flags if f.kind == "unsupported"]
    assert flag.detail.startswith(f"{len(items)} of {len(items)} item")
    return briefing


def long_article(folder: Path, copies: int = 2) -> Path:
    """About 1,000 words of real news text per copy (some 7,500 tokens for this model)."""
    body = [SAMPLE.read_text(encoding="utf-8"), (EXAMPLES / "baltic-cable.md").read_text("utf-8")]
    path = folder / "long.txt"
    text = "Security review of the week\n\n" + "\n\n".join(body * copies)
    path.write_text(text, encoding="utf-8")
    return path


def no_outputs(folder: Path) -> list[Path]:
    return [p for p in files_under(folder) if p.suffix in (".pdf", ".json", ".html", ".tmp")]


# --- build ----------------------------------------------------------------------------------


def test_build_pdf(llama: str, model_name: str, run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "brief.pdf", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "brief.pdf\n"
    assert f"model {model_name} at {host(llama)}" in result.stderr
    text = "\n".join(pdf_pages_text(isolated / "brief.pdf"))
    assert model_name in text  # provenance on the page
    assert any(word in text for word in JUNK_WORDS)  # what the model wrote reached the page
    prompt = Registry().get("briefing")
    assert prompt.sha256[:12] in text


def test_build_json(llama: str, model_name: str, run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "b.json").read_text(encoding="utf-8"))
    briefing = assert_noise_briefing(data, model_name, llama)
    assert briefing.provenance.split is None  # fits in one request
    newest = Registry().get("briefing")
    assert briefing.provenance.prompt is not None
    assert briefing.provenance.prompt.sha256 == newest.sha256
    assert briefing.provenance.temperature == newest.parameters.temperature


def test_strict_refuses_the_noise(llama: str, run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json", "--strict")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    assert "items are not supported by the article (--strict)" in result.stderr
    assert no_outputs(isolated) == []


def test_long_article_map_reduce(
    llama: str, model_name: str, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over a 1,500-token budget: briefed in parts, the parts merged under the merge prompt.
    monkeypatch.setenv("BRIEFING_MAX_INPUT_TOKENS", "1500")
    long = long_article(isolated, copies=1)
    result = run_cli("build", str(long), "--format", "json", "-o", "long.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "long.json").read_text(encoding="utf-8"))
    briefing = assert_noise_briefing(data, model_name, llama)
    split = briefing.provenance.split
    assert split is not None
    assert split.chunks >= 2
    assert split.max_input_tokens == 1500
    assert split.merge_prompt.name == "merge"
    assert split.estimated_tokens > 1500


# --- failures of the model ----------------------------------------------------------------


def test_cut_off_answer(llama: str, model_name: str, run_cli: RunCli, isolated: Path) -> None:
    # Five tokens cannot hold a briefing: llama stops with finish_reason "length".
    result = run_cli("build", str(SAMPLE), "-o", "b.pdf", "--max-tokens", "5")
    assert result.returncode == 4, result.stderr
    assert result.stderr == (
        "Error: the model's answer was cut off (finish_reason=length): it reached max_tokens "
        f"(5), or the article filled the context window of model {model_name}; raise "
        "--max-tokens or brief a shorter article\n"
    )
    assert result.stdout == ""
    assert no_outputs(isolated) == []


def test_timeout(
    llama: str, run_cli: RunCli, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading a long article (some 15,000 tokens, in one request) takes the server far longer
    # than 50 ms on any machine; no retry, so the answer is one failed attempt.
    monkeypatch.setenv("BRIEFING_TIMEOUT", "0.05")
    monkeypatch.setenv("BRIEFING_MAX_RETRIES", "0")
    result = run_cli("build", str(long_article(isolated)), "-o", "b.pdf")
    assert result.returncode == 4, result.stderr
    assert result.stderr == (
        f"Error: no answer from {host(llama)} within 0.05 s (timeout, 1 attempt)\n"
    )
    assert no_outputs(isolated) == []


# --- daily digests --------------------------------------------------------------------------


def test_daily_digest(llama: str, model_name: str, run_cli: RunCli, isolated: Path) -> None:
    news = isolated / "news"
    news.mkdir()
    for article in ARTICLES:
        (news / article.name).write_bytes(article.read_bytes())
    result = run_cli(
        "daily", "--from-dir", str(news), "--format", "json", "-o", "day.json", "--no-cache"
    )
    # Unsupported items are marked, not failures: every source is briefed, so exit 0.
    assert result.returncode == 0, result.stderr
    digest = Digest.model_validate_json((isolated / "day.json").read_text(encoding="utf-8"))
    assert [s.status for s in digest.sources] == ["ok"] * 3
    assert len(digest.briefings) == 3
    for briefing in digest.briefings:
        assert_noise_briefing(briefing.model_dump(mode="json"), model_name, llama)
    # The Markdown and HTML articles have headlines: those, not the model's, title them.
    titled = [b for b in digest.briefings if b.source.title]
    assert len(titled) == 2
    assert all(b.title == b.source.title for b in titled)
    # The executive summary came from the model under the digest prompt (not the offline
    # fallback, which leaves the prompt and usage empty).
    prov = digest.provenance
    assert prov.summariser == "openai" and prov.model == model_name
    assert prov.prompt is not None and prov.prompt.name == "digest"
    assert prov.usage.completion_tokens > 0
    assert prov.model_requests == 3
    assert digest.executive_summary
    assert all(point.text for point in digest.executive_summary)


def test_daily_nothing_briefed(llama: str, run_cli: RunCli, isolated: Path) -> None:
    news = isolated / "news"
    news.mkdir()
    for article in ARTICLES[:2]:
        (news / article.name).write_bytes(article.read_bytes())
    result = run_cli(
        "daily", "--from-dir", str(news), "-o", "day.pdf", "--no-cache", "--max-tokens", "5"
    )
    # Every answer is cut off: nothing to digest, no file, and since every source failed on
    # the model, the model's exit code.
    assert result.returncode == 4, result.stderr
    assert "Error: nothing was summarised: 2 of 2 sources failed" in result.stderr
    assert "finish_reason=length" in result.stderr
    assert no_outputs(isolated) == []


# --- doctor and eval ------------------------------------------------------------------------


def test_doctor(llama: str, model_name: str, run_cli: RunCli) -> None:
    result = run_cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"model endpoint: {host(llama)} answers GET /models (1 models); {model_name} available"
        in result.stdout
    )


def test_doctor_unknown_model(llama: str, run_cli: RunCli) -> None:
    result = run_cli("doctor", "--model", "no-such-model")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no-such-model NOT listed" in result.stdout


def test_doctor_probe(llama: str, model_name: str, run_cli: RunCli) -> None:
    result = run_cli("doctor", "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    probe = [line for line in result.stdout.splitlines() if line.startswith("ok    probe: ")]
    assert probe, result.stdout
    assert (
        f"{model_name} at {host(llama)} answered a strict-schema briefing request with a "
        "valid briefing in"
    ) in probe[0]


def test_doctor_probe_cut_off(llama: str, run_cli: RunCli) -> None:
    result = run_cli("doctor", "--probe", "--max-tokens", "5")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  probe: the model's answer was cut off (finish_reason=length)" in result.stdout


def test_eval(llama: str, model_name: str, run_cli: RunCli, isolated: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    baltic = (EXAMPLES / "baltic-cable.md").read_text(encoding="utf-8")
    dataset = isolated / "set.jsonl"
    dataset.write_text(
        "".join(
            json.dumps({"id": name, "text": body, "reference": body.split(". ")[0]}) + "\n"
            for name, body in (("syria", text), ("baltic", baltic))
        ),
        encoding="utf-8",
    )
    result = run_cli("eval", str(dataset), "--summariser", "openai", "--model", model_name)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("| configuration | n | R-1 | R-2 | R-Lsum | evidence verbatim %")
    (row,) = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    assert row[0].startswith(f"openai {model_name} ")
    assert row[1] == "2"  # articles
    assert row[8] == "0"  # failures
    assert float(row[5]) == 0.0  # junk quotes: none verbatim
    assert float(row[10]) > 0  # tokens per article, as llama counted them


# --- the grammar contract, straight through the SDK ----------------------------------------


def test_model_file_is_deterministic(tmp_path: Path) -> None:
    """Seeded: every run (and CI) tests against the same model, byte for byte."""
    first = write_model(tmp_path / "a.gguf").read_bytes()
    assert first[:4] == b"GGUF"
    assert 100_000 < len(first) < 1_000_000
    assert write_model(tmp_path / "b.gguf").read_bytes() == first


@pytest.fixture(scope="module")
def client(llama_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=llama_server, api_key="no-key", max_retries=0, timeout=60)


def ask(client: openai.OpenAI, model: str, **kw: Any) -> Any:
    return client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "Brief the article as JSON."},
            {"role": "user", "content": SAMPLE.read_text(encoding="utf-8")[:1500]},
        ],
        **kw,
    )


@pytest.mark.parametrize("draft", [Draft, DigestDraft])
def test_answers_are_instances_of_the_schema(
    client: openai.OpenAI, model_name: str, draft: type[Draft] | type[DigestDraft]
) -> None:
    """What we send as response_format, the server's grammar enforces: every answer, at any
    temperature, is an instance of strict_schema() that our parser accepts."""
    schema = strict_schema(draft)
    for temperature, seed in ((0.2, 1), (1.0, 2), (2.0, 3)):
        completion = ask(
            client,
            model_name,
            response_format=response_format(draft),
            temperature=temperature,
            seed=seed,
            max_tokens=2000,
        )
        choice = completion.choices[0]
        assert choice.finish_reason == "stop"
        content = choice.message.content
        jsonschema.validate(json.loads(content), schema)
        parse_answer(content, draft)


def test_without_the_grammar_there_is_no_json(client: openai.OpenAI, model_name: str) -> None:
    """The model alone does not write JSON (its favourite token is the end): the validity
    above is the grammar's doing, so the contract test can fail."""
    completion = ask(client, model_name, temperature=0.2, seed=1, max_tokens=200)
    content = completion.choices[0].message.content or ""
    with pytest.raises((ValueError, jsonschema.ValidationError)):
        jsonschema.validate(json.loads(content), strict_schema(Draft))


def test_seed_temperature_and_length(client: openai.OpenAI, model_name: str) -> None:
    def content(**kw: Any) -> str:
        answer = ask(client, model_name, response_format=response_format(Draft), **kw)
        return str(answer.choices[0].message.content)

    # The same seed gives the same answer; other seeds, at temperature 1, other answers.
    same = content(temperature=1.0, seed=7, max_tokens=2000)
    assert content(temperature=1.0, seed=7, max_tokens=2000) == same
    others = {content(temperature=1.0, seed=s, max_tokens=2000) for s in range(1, 6)}
    assert len(others) > 1
    # Temperature 0 is greedy: the seed no longer matters.
    assert content(temperature=0, seed=1) == content(temperature=0, seed=2)
    cut = ask(client, model_name, response_format=response_format(Draft), max_tokens=5)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage is not None and cut.usage.completion_tokens == 5
