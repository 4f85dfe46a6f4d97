"""Bad input through the command: one line naming the problem, exit code, no file."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, RunCli, files_under

ARTICLE = SAMPLE.read_text(encoding="utf-8")


def assert_refused(result: object, message: str, code: int, work: Path) -> None:
    assert result.returncode == code, result.stderr  # type: ignore[attr-defined]
    assert result.stderr == f"Error: {message}\n"  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert [p for p in files_under(work) if p.suffix in (".pdf", ".html", ".json", ".tmp")] == []


def test_missing_path(run_cli: RunCli, isolated: Path) -> None:
    assert_refused(run_cli("build", "nope.txt"), "no such file: nope.txt", 2, isolated)


def test_folder(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "articles").mkdir()
    assert_refused(
        run_cli("build", "articles"), "articles is a folder, not an article file", 2, isolated
    )


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_unreadable_file_io_error(run_cli: RunCli, isolated: Path) -> None:
    # Reading /proc/self/mem from offset 0 fails with EIO, even for root.
    assert_refused(
        run_cli("build", "/proc/self/mem"),
        "cannot read /proc/self/mem: input/output error",
        2,
        isolated,
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_permission(run_cli: RunCli, isolated: Path) -> None:
    secret = isolated / "secret.txt"
    secret.write_text(ARTICLE)
    secret.chmod(0)
    assert_refused(
        run_cli("build", "secret.txt"), "cannot read secret.txt: permission denied", 2, isolated
    )


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  \r\n"], ids=["empty", "whitespace"])
def test_empty(run_cli: RunCli, isolated: Path, content: bytes) -> None:
    (isolated / "a.txt").write_bytes(content)
    assert_refused(
        run_cli("build", "a.txt"), "a.txt is empty: there is no article text to brief", 2, isolated
    )


def test_empty_stdin(run_cli: RunCli, isolated: Path) -> None:
    assert_refused(
        run_cli("build", "-", input=b"\n\n"),
        "<stdin> is empty: there is no article text to brief",
        2,
        isolated,
    )


def test_binary_png(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_refused(
        run_cli("build", "photo.txt"),
        "photo.txt is binary data (a PNG image), not an article",
        2,
        isolated,
    )


def test_binary_with_nul_bytes(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "blob.txt").write_bytes(ARTICLE[:400].encode() + b"\x00\x01\x02" + b"\xff" * 50)
    assert_refused(
        run_cli("build", "blob.txt"),
        "blob.txt contains NUL bytes: binary data, not an article",
        2,
        isolated,
    )


def test_undecodable(run_cli: RunCli, isolated: Path) -> None:
    # High bytes in no pattern any text encoding produces.
    data = bytes((37 * i * i + 11 * i) % 128 + 128 for i in range(4000))
    (isolated / "noise.txt").write_bytes(data)
    assert_refused(
        run_cli("build", "noise.txt"),
        "cannot decode noise.txt: no text encoding fits its bytes",
        2,
        isolated,
    )


def test_too_short(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "short.txt").write_text("Troops crossed the border on Monday, officials said.\n")
    assert_refused(
        run_cli("build", "short.txt"),
        "short.txt is too short to brief: 8 words (at least 40 needed)",
        2,
        isolated,
    )


def test_unknown_format(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--format", "docx")
    assert_refused(
        result,
        "Invalid value for '--format': 'docx' is not one of 'pdf', 'html', 'json'. "
        "(see 'briefing build --help')",
        2,
        isolated,
    )


def test_output_cannot_be_the_article(run_cli: RunCli, isolated: Path) -> None:
    article = isolated / "a.txt"
    article.write_text(ARTICLE)
    result = run_cli("build", "a.txt", "-o", "a.txt", "--format", "json")
    assert result.returncode == 2
    assert result.stderr == "Error: refusing to overwrite the article itself: a.txt\n"
    assert article.read_text() == ARTICLE


LEGACY = (
    "Le ministre de l’Intérieur a déclaré que la sécurité des élections régionales serait "
    "renforcée après les menaces reçues par plusieurs préfectures. « Nous ne céderons pas », "
    "a-t-il ajouté, précisant que des équipes spécialisées seraient déployées dès la semaine "
    "prochaine dans les départements concernés. Les élus locaux ont salué une décision qu’ils "
    "réclamaient depuis des mois, tandis que l’opposition dénonce une réponse tardive.\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("cp1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-8", codecs.BOM_UTF8),
    ],
    ids=["windows-1252", "utf-16le-bom", "utf-16be-bom", "utf-16le-no-bom", "utf-8-bom"],
)
def test_legacy_encodings_decode(
    run_cli: RunCli, isolated: Path, encoding: str, bom: bytes
) -> None:
    (isolated / "fr.txt").write_bytes(bom + LEGACY.encode(encoding))
    result = run_cli("build", "fr.txt", "--format", "json", "-o", "fr.json")
    assert result.returncode == 0, result.stderr
    text = (isolated / "fr.json").read_text(encoding="utf-8")
    assert "l’Intérieur" in text
    assert "préfectures" in text
    assert "\ufeff" not in text


def test_latin1(run_cli: RunCli, isolated: Path) -> None:
    latin = LEGACY.replace("’", "'").replace("« ", '"').replace(" »", '"')
    (isolated / "fr.txt").write_bytes(latin.encode("latin-1"))
    result = run_cli("build", "fr.txt", "--format", "json", "-o", "fr.json")
    assert result.returncode == 0, result.stderr
    assert "sécurité des élections" in (isolated / "fr.json").read_text(encoding="utf-8")
