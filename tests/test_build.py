"""`briefing build` end to end: outputs, naming, formats, inputs. PDFs are read back with pypdf."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from briefing.cli import main
from tests.conftest import EXAMPLES, SAMPLE, RunCli
from tests.pdftext import pdf_pages_text

TODAY = date.today().isoformat()
OFFLINE_NOTICE = (
    "briefing: using the offline summariser (set OPENAI_API_KEY or OPENAI_BASE_URL to use a "
    "language model)\n"
)
SAMPLE_PDF = f"output/{TODAY}-british-and-french-forces-carried-out-a-coordinated-air.pdf"


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages_text(path))


def test_sample_to_pdf_default_name(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == SAMPLE_PDF + "\n"
    assert result.stderr == OFFLINE_NOTICE
    pdf = isolated / SAMPLE_PDF
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    for heading in ("Situation", "Actors", "Assessment", "Risks"):
        assert heading in text
    for actor in ("United Kingdom", "France", "Islamic State", "Syria", "United States"):
        assert actor in text
    assert "Topics" not in text
    reader = pypdf.PdfReader(pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title and meta.title.startswith("British and French forces")
    assert meta.author == "briefing"
    assert meta.subject
    assert "offline" in (meta.get("/Keywords") or "")
    assert meta.get("/CreationDate")
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text() or ""
    assert f"page {len(reader.pages)} of {len(reader.pages)}" in last.lower()


def test_output_folder_and_file(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "briefs").mkdir()
    result = run_cli("build", str(SAMPLE), "-o", "briefs", "--format", "json")
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip())
    assert written.parent == Path("briefs")
    assert written.name.startswith(TODAY) and written.suffix == ".json"
    result = run_cli("build", str(SAMPLE), "-o", "new/dir/brief.html")
    assert result.returncode == 0, result.stderr
    html = (isolated / "new/dir/brief.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")


def test_json_contract(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--format", "json", "-o", "b.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((isolated / "b.json").read_text(encoding="utf-8"))
    for key in (
        "title",
        "source",
        "situation",
        "actors",
        "assessment",
        "risks",
        "flags",
        "provenance",
    ):
        assert key in data
    assert data["source"]["kind"] == "file"
    assert len(data["source"]["sha256"]) == 64
    assert data["provenance"]["summariser"] == "offline"
    assert data["provenance"]["model"] is None
    assert set(data["assessment"]) >= {"text", "confidence", "evidence"}
    assert data["assessment"]["confidence"] in ("low", "moderate", "high")
    article = " ".join(SAMPLE.read_text(encoding="utf-8").split())
    for actor in data["actors"]:
        assert actor["kind"] in (
            "state",
            "organisation",
            "armed group",
            "person",
            "place",
            "other",
        )
        assert actor["evidence"], actor
        for quote in actor["evidence"]:
            assert " ".join(quote.split()) in article
    for risk in data["risks"]:
        assert risk["likelihood"] in ("low", "medium", "high")
        assert risk["impact"] in ("low", "medium", "high")
        assert risk["evidence"]


def test_stdin_and_deterministic(isolated: Path) -> None:
    runner = CliRunner()
    data = SAMPLE.read_bytes()
    first = runner.invoke(main, ["build", "-", "--format", "json", "-o", "a.json"], input=data)
    second = runner.invoke(main, ["build", "-", "--format", "json", "-o", "b.json"], input=data)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    a = json.loads((isolated / "a.json").read_text())
    b = json.loads((isolated / "b.json").read_text())
    assert a["source"]["kind"] == "stdin" and a["source"]["location"] == "<stdin>"
    for doc in (a, b):
        del doc["provenance"]["generated_at"]
        del doc["provenance"]["duration_ms"]
    assert a == b


def test_html_input_drops_scripts_and_hidden_text(isolated: Path) -> None:
    page = isolated / "page.html"
    body = SAMPLE.read_text(encoding="utf-8").split("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body if len(p) > 20)
    page.write_text(
        "<!doctype html><html><head><title>Strike in Syria | News</title>"
        "<script>var tracking = 'SCRIPTTEXT';</script><style>p{color:red}</style></head>"
        "<body><nav>Home NAVTEXT</nav><article><h1>Allies strike Islamic State cache</h1>"
        f"{paragraphs}<p style='display:none'>HIDDENTEXT</p></article>"
        "<footer>FOOTERTEXT</footer></body></html>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "page.html", "--format", "json", "-o", "p.json"])
    assert result.exit_code == 0, result.output
    doc = (isolated / "p.json").read_text()
    data = json.loads(doc)
    assert data["title"] == "Allies strike Islamic State cache"
    for hidden in ("SCRIPTTEXT", "NAVTEXT", "HIDDENTEXT", "FOOTERTEXT", "color:red"):
        assert hidden not in doc


ARTICLES = sorted(p.name for p in EXAMPLES.iterdir() if p.name != "README.md")


@pytest.mark.parametrize("example", ARTICLES)
def test_every_example_builds(isolated: Path, example: str) -> None:
    result = CliRunner().invoke(main, ["build", str(EXAMPLES / example), "-o", "x.json"])
    assert result.exit_code == 0, result.output
    data = json.loads((isolated / "x.json").read_text())
    assert data["situation"]
    assert len(data["actors"]) >= 2
    assert data["assessment"]["text"]


def test_title_option_names_file(isolated: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["build", str(SAMPLE), "--format", "json", "--title", "Strike on IS cache: día 1", "-q"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"output/{TODAY}-strike-on-is-cache-dia-1.json"


def test_verbose_summary_on_stderr(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-v", "--summariser", "offline", "-o", "v.json")
    assert result.returncode == 0
    assert result.stdout == "v.json\n"
    assert re.fullmatch(
        r"briefing: wrote v\.json \(json, \d+ bytes\): \d+ actors, \d risks; offline v\d+; "
        r"\d+ ms\n",
        result.stderr,
    ), result.stderr


def test_preview_no_open(isolated: Path) -> None:
    result = CliRunner().invoke(main, ["preview", str(SAMPLE), "--no-open", "-q"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    try:
        assert path.name.startswith("briefing-preview-") and path.suffix == ".html"
        html = path.read_text(encoding="utf-8")
        assert "<style" in html and "Situation" in html
        assert "<link" not in html.lower()
    finally:
        path.unlink()


def test_python_dash_m(isolated: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("briefing, version ")


def test_help_does_not_import_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from briefing.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\n"
        "assert r.exit_code == 0\n"
        "r = CliRunner().invoke(main, ['build', '--help'])\n"
        "assert r.exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('weasyprint', 'openai', 'pydantic', 'jinja2')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_data_files_ship_inside_the_installed_package(isolated: Path) -> None:
    """Templates, prompts and the gazetteer are found next to the imported package, never
    from the current directory (run here from an empty folder)."""
    import subprocess
    import sys

    code = (
        "import briefing, briefing.resources as r, importlib.resources as ir\n"
        "from pathlib import Path\n"
        "pkg = Path(briefing.__file__).parent\n"
        "print(pkg)\n"
        "print(r.templates_dir())\n"
        "print(r.prompts_dir())\n"
        "print(ir.files('briefing').joinpath('data', 'gazetteer.json').is_file())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    pkg, templates, prompts, gazetteer = proc.stdout.split("\n")[:4]
    assert gazetteer == "True"
    if "site-packages" in pkg:  # a real (non-editable) install: the data must be inside it
        assert templates == str(Path(pkg) / "templates")
        assert prompts == str(Path(pkg) / "prompts")
    assert (Path(templates) / "briefing.html.j2").is_file()
    assert (Path(prompts) / "briefing" / "v1.md").is_file()
    assert not templates.startswith(str(isolated))
