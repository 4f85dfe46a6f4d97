"""Issue 6 through the command: template override, compact style, marking, PDF
variants, templates list/show."""

from __future__ import annotations

from pathlib import Path

import pypdf

from tests.conftest import SAMPLE, RunCli, files_under
from tests.pdftext import pdf_pages_text


def pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.split()) for page in pdf_pages_text(path)]


def test_template_dir_overrides_one_block(run_cli: RunCli, isolated: Path) -> None:
    mine = isolated / "my-templates"
    mine.mkdir()
    (mine / "briefing.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block situation %}<h2>Bottom line</h2>'
        "<p>{{ briefing.situation }}</p>{% endblock %}",
        encoding="utf-8",
    )
    result = run_cli("build", str(SAMPLE), "-o", "b.pdf", "--template-dir", str(mine), "-q")
    assert result.returncode == 0, result.stderr
    text = " ".join(pdf_pages(isolated / "b.pdf"))
    assert "Bottom line" in text
    assert "Actors" in text and "Risks" in text  # the other blocks are ours


def test_compact_style_is_one_page(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "c.pdf", "--style", "compact", "-q")
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(isolated / "c.pdf")
    assert len(pages) == 1
    for heading in ("Situation", "Actors", "Assessment", "Risks"):
        assert heading in pages[0]


def test_marking_on_every_page_and_in_metadata(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "m.pdf", "--marking", "TLP:AMBER", "-q")
    assert result.returncode == 0, result.stderr
    pages = pdf_pages(isolated / "m.pdf")
    assert len(pages) >= 2
    assert all(page.count("TLP:AMBER") >= 2 for page in pages)  # top and bottom
    meta = pypdf.PdfReader(isolated / "m.pdf").metadata or {}
    assert "TLP:AMBER" in (meta.get("/Keywords") or "")


def test_bad_marking_and_variant_refused(run_cli: RunCli, isolated: Path) -> None:
    long = run_cli("build", str(SAMPLE), "-o", "x.pdf", "--marking", "x" * 61)
    assert long.returncode == 2
    assert long.stderr == (
        "Error: invalid setting: marking: String should have at most 60 characters\n"
    )
    bad = run_cli("build", str(SAMPLE), "-o", "x.pdf", "--pdf-variant", "pdf/z", "-q")
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: pdf_variant must be one of ")
    assert files_under(isolated) == []


def test_pdf_variants_declared(run_cli: RunCli, isolated: Path) -> None:
    for variant, name in (("pdf/a-3b", "a.pdf"), ("pdf/ua-1", "u.pdf")):
        result = run_cli("build", str(SAMPLE), "-o", name, "--pdf-variant", variant, "-q")
        assert result.returncode == 0, result.stderr
    xmp = pypdf.PdfReader(isolated / "a.pdf").trailer["/Root"]["/Metadata"].get_object()
    data = xmp.get_data().decode("utf-8")
    assert "pdfaid:part" in data and "3" in data.split("pdfaid:part")[1][:5]
    assert "pdfaid:conformance" in data
    accessible = pypdf.PdfReader(isolated / "u.pdf")
    root = accessible.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert "/Lang" in root


def test_templates_list_and_show(run_cli: RunCli, isolated: Path) -> None:
    listed = run_cli("templates", "list")
    assert listed.returncode == 0
    assert any(
        line.split()[:2] == ["compact.html.j2", "[built-in]"] for line in listed.stdout.splitlines()
    )  # the columns are aligned: padding between the name and its origin
    shown = run_cli("templates", "show", "briefing.html.j2")
    assert shown.returncode == 0
    assert shown.stdout.startswith("# ") and "extends" in shown.stdout
    missing = run_cli("templates", "show", "nope.j2")
    assert missing.returncode == 2
    assert missing.stderr.startswith("Error: no template named 'nope.j2'")
