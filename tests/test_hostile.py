"""Hostile input end to end, through the command: markup shown as text, no fetch,
no embedded file, huge and binary input refused early, names never taken from model text."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from briefing.cli import main
from tests.canary import Canary
from tests.conftest import SAMPLE, RunCli, files_under
from tests.openai_server import FakeOpenAI, Reply
from tests.test_openai_summariser import KEY, good_draft

BODY = SAMPLE.read_text(encoding="utf-8")


def hostile_markup(canary_url: str) -> str:
    return (
        '<img src="file:///etc/passwd"> <script>alert(1)</script> '
        '<link rel="attachment" href="file:///etc/hostname"> '
        f"<style>@import url({canary_url}/import.css); body{{background:url({canary_url}/bg.png)}}"
        f'</style> <a href="javascript:alert(2)">click</a> <img src="{canary_url}/pixel.gif"> '
        f'<iframe src="file:///etc/shadow"></iframe> <object data="{canary_url}/o.pdf"></object>'
    )


def assert_inert(pdf: Path, canary: Canary, markup_visible: bool = True) -> None:
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF-")
    for marker in (b"/EmbeddedFile", b"/EmbeddedFiles", b"/JavaScript", b"/Launch"):
        assert marker not in raw, marker
    assert b"root:x:0:0" not in raw  # /etc/passwd content never inlined
    text = " ".join("".join(p.extract_text() or "" for p in pypdf.PdfReader(pdf).pages).split())
    if markup_visible:
        assert '<img src="file:///etc/passwd">' in text
        assert "<script>alert(1)</script>" in text
        assert '<link rel="attachment" href="file:///etc/hostname">' in text
    assert canary.hits == []


def test_hostile_article_text_is_shown_not_obeyed(
    run_cli: RunCli, isolated: Path, canary: Canary
) -> None:
    article = isolated / "hostile.txt"
    first, rest = BODY.split(". ", 1)
    article.write_text(f"{first} {hostile_markup(canary.url)}. {rest}", encoding="utf-8")
    for out in ("h.pdf", "h.html"):
        result = run_cli("build", "hostile.txt", "-o", out, "-q")
        assert result.returncode == 0, result.stderr
    assert_inert(isolated / "h.pdf", canary)
    html = (isolated / "h.html").read_text(encoding="utf-8")
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<script>alert" not in html and '<link rel="attachment"' not in html
    assert canary.url not in html.split("<style>")[1].split("</style>")[0]


def test_hostile_model_output_is_shown_not_obeyed(
    run_cli: RunCli,
    isolated: Path,
    canary: Canary,
    openai_server: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    markup = hostile_markup(canary.url)
    draft = good_draft()
    draft["title"] = "../../etc/cron.d/x"
    draft["situation"] = f"Summary {markup}"
    draft["actors"][0]["role"] = markup
    draft["assessment"]["text"] = f"See {canary.url}/more and file:///etc/passwd {markup}"
    draft["risks"][0]["description"] = markup
    openai_server.default = Reply.json(draft)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    untitled = isolated / "untitled.txt"
    untitled.write_text(BODY, encoding="utf-8")
    result = run_cli("build", "untitled.txt", "-q")
    assert result.returncode == 0, result.stderr
    # The file is named from the article's own first sentence, never from the model's title.
    written = Path(result.stdout.strip())
    assert written.parent == Path("output")
    assert written.name.endswith("-british-and-french-forces-carried-out-a-coordinated-air.pdf")
    assert not Path("/etc/cron.d/x.pdf").exists()
    assert_inert(isolated / written, canary)
    assert "../../etc/cron.d/x" in " ".join(
        "".join(p.extract_text() or "" for p in pypdf.PdfReader(isolated / written).pages).split()
    )


def test_200_mb_file_refused_early(run_cli: RunCli, isolated: Path) -> None:
    big = isolated / "big.txt"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(200 * 1024 * 1024)
    result = run_cli("build", "big.txt")
    assert result.returncode == 2
    assert result.stderr == "Error: big.txt is larger than the 20 MB input limit\n"
    assert files_under(isolated / "output") == []


def test_200_mb_stdin_refused_with_bounded_memory(isolated: Path, briefing_exe: str) -> None:
    """Only the limit plus one byte is ever read; peak memory stays far below the input."""
    probe = (
        "import resource, subprocess, sys\n"
        "chunk = b'word ' * 200_000\n"
        "proc = subprocess.Popen([sys.argv[1], 'build', '-'], stdin=subprocess.PIPE, bufsize=0,\n"
        "                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "try:\n"
        "    for _ in range(200):\n"
        "        proc.stdin.write(chunk)\n"
        "except BrokenPipeError:\n"
        "    pass\n"
        "try:\n"
        "    proc.stdin.close()\n"
        "except BrokenPipeError:\n"
        "    pass\n"
        "err = proc.stderr.read()\n"
        "proc.wait()\n"
        "print(proc.returncode)\n"
        "print(err.decode().strip())\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, briefing_exe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    code, message, peak_mib = done.stdout.strip().split("\n")
    assert code == "2"
    assert message == "Error: <stdin> is larger than the 20 MB input limit"
    assert int(peak_mib) < 150, f"peak RSS {peak_mib} MiB while refusing a 200 MB input"


def test_nul_bytes_refused(run_cli: RunCli, isolated: Path) -> None:
    (isolated / "nul.txt").write_bytes(BODY.encode()[:500] + b"\x00" + BODY.encode()[500:])
    result = run_cli("build", "nul.txt")
    assert result.returncode == 2
    assert result.stderr == "Error: nul.txt contains NUL bytes: binary data, not an article\n"
    assert files_under(isolated / "output") == []


def test_read_only_folder_keeps_previous_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (tests may run as root, who can write anywhere): the folder refuses new files."""
    previous = isolated / "brief.json"
    previous.write_text("yesterday")

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", "brief.json", "-q"])
    assert result.exit_code == 1
    assert result.output == "Error: cannot write brief.json: permission denied\n"
    assert previous.read_text() == "yesterday"
    assert files_under(isolated) == [previous]


def test_key_never_in_json_or_html_outputs(
    run_cli: RunCli, isolated: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.default = Reply.fill()
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url.replace("http://", "http://u:p@"))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    for out in ("k.json", "k.html", "k.pdf"):
        result = run_cli("build", str(SAMPLE), "-o", out, "-v")
        assert result.returncode == 0, result.stderr
        assert KEY not in result.stdout + result.stderr
        assert ":p@" not in result.stderr
    for path in files_under(isolated.parent):
        data = path.read_bytes()
        assert KEY.encode() not in data, path
        assert b"u:p@" not in data, path
    prov = json.loads((isolated / "k.json").read_text())["provenance"]
    assert prov["base_url"] == f"127.0.0.1:{openai_server.port}"


def test_environment_is_clean() -> None:
    assert "OPENAI_API_KEY" not in os.environ
