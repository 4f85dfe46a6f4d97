"""Issue 14 item 5: paper cuts, one test (or a few) each.

An unknown -o suffix, the browser launch and client disconnects of the preview, Western
European text read as Central European, the prompts list's columns, the source's local path
in the PDF, and the folders a locked daily run used to leave behind.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.output import run_lock
from briefing.pipeline import BuildOptions
from briefing.preview import PreviewServer
from briefing.sources.files import decode
from tests.conftest import SAMPLE, RunCli, files_under
from tests.pdftext import pdf_pages_text, squash

# ------------------------------------------------------------------ -o with an unknown suffix


def test_unknown_output_suffix_is_a_usage_error(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "x.docx")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: unknown output suffix '.docx' in x.docx: name a .pdf, .html or .json file, "
        "or give --format\n"
    )
    assert files_under(isolated) == []
    daily = run_cli("daily", str(SAMPLE), "-o", "d.txt", "--summariser", "offline")
    assert daily.returncode == 2
    assert daily.stderr == (
        "Error: unknown output suffix '.txt' in d.txt: name a .pdf, .html or .json file, "
        "or give --format\n"
    )
    assert files_under(isolated) == []


def test_unknown_suffix_with_format_keeps_the_name(run_cli: RunCli, isolated: Path) -> None:
    result = run_cli("build", str(SAMPLE), "-o", "x.docx", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x.docx\n"
    assert json.loads((isolated / "x.docx").read_text(encoding="utf-8"))["title"]
    # A folder is not a file name: its "suffix" says nothing of the format.
    folder = run_cli("build", str(SAMPLE), "-o", "briefs.v2/", "--format", "json", "-q")
    assert folder.returncode == 0, folder.stderr
    assert Path(folder.stdout.strip()).parent == Path("briefs.v2")


# ------------------------------------------------------------------------- preview's browser

FAILING_OPENER = """#!/bin/sh
echo "$@" >> "{calls}"
for i in 1 2 3 4 5 6 7; do echo "xdg-open: no method available for opening '$1' ($i)" >&2; done
exit 3
"""
WORKING_OPENER = """#!/bin/sh
echo "$@" >> "{calls}"
exit 0
"""


XDG = pytest.mark.skipif(sys.platform != "linux", reason="the browser is opened by xdg-open")


def fake_opener(folder: Path, script: str) -> Path:
    """An ``xdg-open`` on a PATH of its own that records its arguments in ``calls``."""
    folder.mkdir()
    calls = folder / "calls"
    opener = folder / "xdg-open"
    opener.write_text(script.format(calls=calls), encoding="utf-8")
    opener.chmod(0o755)
    return calls


def run_preview(*args: str) -> tuple[int, str, str]:
    """``briefing preview`` through CliRunner itself (run_cli makes sure nothing is opened)."""
    result = CliRunner().invoke(main, ["preview", str(SAMPLE), "-q", *args], prog_name="briefing")
    return result.exit_code, result.stdout, result.stderr


@XDG
def test_preview_without_a_browser_says_one_line(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    calls = fake_opener(isolated / "bin", FAILING_OPENER)
    monkeypatch.setenv("PATH", f"{calls.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    code, stdout, stderr = run_preview()
    assert code == 0, stderr
    draft = stdout.strip()
    assert stderr == f"open {draft} in your browser\n"
    assert calls.read_text(encoding="utf-8") == f"{draft}\n"  # it was tried
    time.sleep(0.2)
    assert "xdg-open" not in capfd.readouterr().err  # its complaints went nowhere
    # No display: no opener is tried at all (it could only complain, or start a console
    # browser in our terminal).
    calls.unlink()
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, stdout, stderr = run_preview()
    assert code == 0 and stderr == f"open {stdout.strip()} in your browser\n"
    assert not calls.exists()


@XDG
def test_preview_with_a_browser_says_nothing(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fake_opener(isolated / "bin", WORKING_OPENER)
    monkeypatch.setenv("PATH", f"{calls.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    code, stdout, stderr = run_preview()
    assert (code, stderr) == (0, "")
    assert calls.read_text(encoding="utf-8") == stdout
    code, _, stderr = run_preview("--no-open")
    assert (code, stderr) == (0, "")
    assert calls.read_text(encoding="utf-8") == stdout  # not opened again


@XDG
def test_serve_without_a_browser_says_one_line(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, briefing_exe: str
) -> None:
    """The installed command: the opener's stderr is the terminal's, so it must be silenced."""
    calls = fake_opener(isolated / "bin", FAILING_OPENER)
    env = os.environ | {"PATH": f"{calls.parent}{os.pathsep}{os.environ['PATH']}", "DISPLAY": ":0"}
    article = isolated / "a.txt"
    article.write_bytes(SAMPLE.read_bytes())
    command = [briefing_exe, "preview", str(article), "--serve", "--port", "0", "-q"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Serving ") and first.endswith(" (Ctrl-C to stop)\n"), first
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        deadline = time.monotonic() + 10
        while not calls.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert stderr == f"open {url} in your browser\n"
    assert stdout == "stopped\n"


# ------------------------------------------------------------------- preview's disconnects


@pytest.fixture
def served(isolated: Path) -> Iterator[PreviewServer]:
    article = isolated / "a.txt"
    article.write_bytes(SAMPLE.read_bytes())
    with PreviewServer(BuildOptions(source=str(article), fmt="html"), port=0) as server:
        yield server


def hang_up(server: PreviewServer, path: str) -> None:
    """Ask for ``path``, then reset the connection without reading the answer."""
    host, port = server.server_address
    with socket.create_connection((host, port)) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_client_disconnect_is_quiet(
    served: PreviewServer, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="briefing.preview")
    for path in ("/", "/briefing.pdf", "/version"):
        hang_up(served, path)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        gone = [r for r in caplog.records if "client went away" in r.getMessage()]
        if gone:
            break
        time.sleep(0.05)
    time.sleep(0.5)  # let the other requests end too
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert gone and all(r.levelno == logging.DEBUG for r in gone)


# ------------------------------------------------------------------------------- encodings

FRENCH = (
    "Les forces françaises et britanniques ont mené une frappe coordonnée contre des sites "
    "militaires en Syrie. Le ministre des Armées a déclaré à la presse que l'opération était "
    "terminée. Selon des analystes, la réponse de Damas reste incertaine, et la région "
    "pourrait connaître une nouvelle escalade dans les semaines à venir."
)
ENGLISH_WITH_A_GRAVE = (
    SAMPLE.read_text(encoding="utf-8")
    .replace("’", "'")
    .replace("Syria", "Syria (the à la carte strike)", 1)
)
GERMAN_CP1252 = (
    "Die Regierung hat am Donnerstag „weitere Maßnahmen“ angekündigt. Der Außenminister sagte, "
    "die Gespräche würden fortgesetzt – trotz der Spannungen. Kritiker sprachen von einem "
    "„Déjà-vu“: Schon 2019 habe man 12 € pro Kopf versprochen, aber nichts geliefert."
)
PORTUGUESE_CP1252 = (
    "O governo português anunciou na quarta-feira novas medidas. As negociações vão continuar, "
    "disse o ministro, apesar da tensão na região e das críticas da oposição, que pediu à "
    "comissão uma explicação sobre o orçamento até à próxima sessão."
)
RUSSIAN = (
    "Правительство объявило в среду о новых мерах безопасности. Министр иностранных дел "
    "заявил, что переговоры будут продолжены, несмотря на напряжённость в регионе. По словам "
    "аналитиков, ответ Дамаска остаётся неопределённым, а в ближайшие недели возможна новая "
    "эскалация."
)
JAPANESE = (
    "政府は水曜日、新たな安全保障措置を発表した。外務大臣は、地域の緊張にもかかわらず協議を"
    "継続すると述べた。専門家によると、ダマスカスの対応は依然として不透明であり、今後数週間で"
    "新たな緊張の高まりが起こる可能性がある。"
)
CZECH = (
    "Vláda ve středu oznámila nová bezpečnostní opatření. Ministr zahraničí řekl, že rozhovory "
    "budou pokračovat navzdory napětí v regionu. Podle analytiků zůstává odpověď Damašku nejistá "
    "a v příštích týdnech hrozí další eskalace."
)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (FRENCH, "latin-1"),
        (FRENCH + "\n\n" + FRENCH, "latin-1"),
        (ENGLISH_WITH_A_GRAVE, "latin-1"),
        (GERMAN_CP1252, "cp1252"),
        (PORTUGUESE_CP1252, "cp1252"),
        (ENGLISH_WITH_A_GRAVE.replace("'", "’"), "cp1252"),
        (RUSSIAN, "cp1251"),
        (JAPANESE, "shift_jis"),
        (CZECH, "cp1250"),  # Central European stays so: the rule is for Western text only
    ],
    ids=["fr-latin1", "fr-long", "en-latin1", "de-1252", "pt-1252", "en-1252", "ru", "ja", "cs"],
)
def test_legacy_encodings_decode_to_the_text_written(text: str, codec: str) -> None:
    assert decode(text.encode(codec), "a.txt") == text


def test_latin1_file_builds_with_its_accents(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "a.txt").write_bytes(FRENCH.encode("latin-1") * 2)
    result = run_cli("build", "a.txt", "--format", "json", "-o", "a.json", "-q")
    assert result.returncode == 0, result.stderr
    situation = json.loads((isolated / "a.json").read_text(encoding="utf-8"))["situation"]
    assert "déclaré à la presse" in situation or "coordonnée" in situation
    assert "ŕ" not in situation


# ------------------------------------------------------------------------ aligned listings


def columns_start(lines: list[str], fields: int) -> list[list[int]]:
    """Where each of the first ``fields`` columns starts on each line (two spaces apart)."""
    starts = []
    for line in lines:
        at, found = 0, [0]
        for _ in range(fields - 1):
            at = line.index("  ", at)
            at = len(line) - len(line[at:].lstrip(" "))
            found.append(at)
        starts.append(found)
    return starts


def test_prompts_list_columns_are_aligned(run_cli: RunCli, isolated: Path) -> None:
    mine = isolated / "my-prompts" / "a-much-longer-prompt-name"
    mine.mkdir(parents=True)
    ours = (SAMPLE.parent.parent / "prompts" / "merge" / "v1.md").read_text(encoding="utf-8")
    long_name = ours.replace('name = "merge"', 'name = "a-much-longer-prompt-name"')
    (mine / "v1.md").write_text(long_name, encoding="utf-8")
    result = run_cli("prompts", "list", "--prompts-dir", str(isolated / "my-prompts"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "a-much-longer-prompt-name", "briefing", "digest", "merge",
    ]  # fmt: skip
    starts = columns_start(lines, 4)
    assert all(s == starts[0] for s in starts), result.stdout
    assert all(line.split()[2].startswith("sha256:") for line in lines)
    assert lines[0].endswith("  (yours)")  # the description, then where it comes from, last


def test_templates_list_columns_are_aligned(run_cli: RunCli) -> None:
    result = run_cli("templates", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    starts = columns_start(lines, 3)
    assert len(lines) > 3 and all(s == starts[0] for s in starts), result.stdout


# --------------------------------------------------------------------- the source's file name

FOLDER = "privatefolderxyz"  # no hyphen: PDF text extraction may break a line at one


def test_pdf_and_html_show_the_file_name_not_its_path(run_cli: RunCli, isolated: Path) -> None:
    article = isolated / FOLDER / "story.txt"
    article.parent.mkdir()
    article.write_bytes(SAMPLE.read_bytes())
    for name in ("b.pdf", "b.html", "b.json"):
        result = run_cli("build", str(article), "-o", name, "-q")
        assert result.returncode == 0, result.stderr
    pdf = squash(" ".join(pdf_pages_text(isolated / "b.pdf")))
    assert "story.txt" in pdf and FOLDER not in pdf
    html = (isolated / "b.html").read_text(encoding="utf-8")
    assert "story.txt" in html and FOLDER not in html
    data = json.loads((isolated / "b.json").read_text(encoding="utf-8"))
    assert data["source"]["location"] == str(article)  # the JSON keeps the path


def test_digest_shows_file_names_not_paths(run_cli: RunCli, isolated: Path) -> None:
    folder = isolated / FOLDER
    folder.mkdir()
    (folder / "story.txt").write_bytes(SAMPLE.read_bytes())
    (folder / "again.txt").write_bytes(SAMPLE.read_bytes())  # a duplicate: its reason names one
    args = ("daily", str(folder), "--summariser", "offline", "--date", "2026-11-26", "-q")
    for name in ("d.html", "d.json"):
        result = run_cli(*args, "-o", name)
        assert result.returncode == 0, result.stderr
    html = (isolated / "d.html").read_text(encoding="utf-8")
    assert "story.txt" in html and "again.txt" in html
    assert FOLDER not in html  # the section's source line, the contents, the appendix
    data = json.loads((isolated / "d.json").read_text(encoding="utf-8"))
    assert [s["location"] for s in data["sources"]] == [
        str(folder / "again.txt"), str(folder / "story.txt"),
    ]  # fmt: skip


# ------------------------------------------------------------- a locked daily run's folders


def test_locked_daily_creates_no_folder(run_cli: RunCli, isolated: Path) -> None:
    with run_lock(Path("d.json")):
        result = run_cli("daily", str(SAMPLE), "-o", "./sub/../d.json", "--summariser", "offline")
    assert result.returncode == 5
    assert result.stderr == (
        f"Error: another briefing run (pid {os.getpid()}) is writing d.json; "
        "not starting a second\n"
    )
    assert sorted(p.name for p in isolated.iterdir()) == [".d.json.lock"]
