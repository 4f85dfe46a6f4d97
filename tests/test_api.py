"""The library face (issue "The house", item 5): ``from briefing import build, brief, …``.

What is checked: the README's Python example runs as written; the public names resolve and
nothing else is public; ``import briefing`` imports nothing heavy; the functions behave as the
commands do (the same core, the same URL policy, the same errors); and no module below the
package root imports it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import briefing
from briefing import Article, Briefing, BriefingError, BuildResult, Settings
from tests.conftest import EXAMPLES, REPO, SAMPLE, files_under
from tests.web_server import (
    ARTICLE_TITLE,
    WebServer,
    web_server_fixture,  # noqa: F401  (the web_server fixture)
)

TODAY = date.today().isoformat()
OFFLINE = Settings(summariser="offline")
HINT = "(use --allow-private for intranet sources)"


def readme_python_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using it from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return str(blocks[0])


def test_readme_example_runs(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLES, isolated / "examples")
    code = readme_python_example()
    exec(compile(code, "README.md (Using it from Python)", "exec"), {"__name__": "__example__"})
    printed = capsys.readouterr().out.splitlines()
    written = Path(printed[0])
    assert written.parent == Path("briefs")
    assert written.name == f"{TODAY}-british-and-french-forces-carried-out-a-coordinated-air.pdf"
    assert (isolated / written).read_bytes().startswith(b"%PDF-")
    assert printed[1].startswith("British and French forces")
    assert "United Kingdom" in printed[2]
    # Only what build wrote: brief and render_document write nothing.
    assert [p.relative_to(isolated / "briefs") for p in files_under(isolated / "briefs")] == [
        Path(written.name)
    ]


def test_import_briefing_is_cheap() -> None:
    code = (
        "import sys, briefing\n"
        "assert briefing.__version__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('weasyprint', 'openai', 'pydantic', 'jinja2', 'httpx', 'trafilatura')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_public_names() -> None:
    from briefing import api

    assert set(briefing.__all__) == set(api.__all__) | {"__version__"}
    for name in briefing.__all__:
        assert getattr(briefing, name) is not None
        assert name in dir(briefing)
    assert briefing.build is api.build and briefing.Briefing is Briefing
    with pytest.raises(AttributeError, match=r"^module 'briefing' has no attribute 'nope'$"):
        briefing.nope  # noqa: B018
    namespace: dict[str, object] = {}
    exec("from briefing import *", namespace)
    assert set(briefing.__all__) <= set(namespace)
    # Submodules are still imported as submodules, not mistaken for public names.
    from briefing import errors

    assert errors.BriefingError is BriefingError


def test_only_the_faces_import_the_package_root() -> None:
    """The root imports briefing.api (on first use); a module below it importing the root
    would load the whole flow with it, so only the command line (a face too) may."""
    from tests.test_imports import graph

    edges = graph()
    assert "briefing.api" in edges["briefing"]
    importers = {m for m, targets in edges.items() if "briefing" in targets}
    assert importers <= {"briefing.cli", "briefing.__main__"}


def test_brief_writes_nothing(isolated: Path) -> None:
    doc = briefing.brief(SAMPLE, settings=OFFLINE)
    assert isinstance(doc, Briefing)
    assert doc.source.kind == "file" and doc.source.location == str(SAMPLE)
    assert doc.provenance.summariser == "offline"
    assert files_under(isolated) == []


def test_brief_an_article_or_text_is_the_same_briefing(isolated: Path) -> None:
    article = briefing.read_article(SAMPLE, settings=OFFLINE)
    assert isinstance(article, Article)
    from_file = briefing.brief(article, settings=OFFLINE)
    from_text = briefing.brief(text=SAMPLE.read_text(encoding="utf-8"), settings=OFFLINE)
    assert from_text.source.kind == "stdin" and from_text.source.location == "<text>"
    assert from_text.source.sha256 == from_file.source.sha256
    assert from_text.situation == from_file.situation
    retitled = briefing.brief(article, title="  A  new title ", settings=OFFLINE)
    assert retitled.title == "A new title"


def test_source_or_text_not_both() -> None:
    with pytest.raises(TypeError, match=r"^give a source or text=, not both$"):
        briefing.read_article(SAMPLE, text="words")
    with pytest.raises(TypeError, match=r"^give a source \(a file or a URL\) or text=$"):
        briefing.read_article()
    article = briefing.read_article(SAMPLE, settings=OFFLINE)
    with pytest.raises(TypeError, match=r"^give a source or text=, not both$"):
        briefing.brief(article, text="words", settings=OFFLINE)


def test_build_writes_as_the_command_does(isolated: Path) -> None:
    result = briefing.build(SAMPLE, "out/", format="json", title="Strike: día 1", settings=OFFLINE)
    assert isinstance(result, BuildResult)
    assert result.path == Path(f"out/{TODAY}-strike-dia-1.json")
    data = json.loads(result.path.read_text(encoding="utf-8"))
    assert data["title"] == "Strike: día 1" == result.briefing.title
    assert result.size == result.path.stat().st_size
    text = briefing.build(
        text=SAMPLE.read_text(encoding="utf-8"), output="t.html", settings=OFFLINE
    )
    assert text.path == Path("t.html") and text.fmt == "html"


def test_build_refuses_to_overwrite_the_article(isolated: Path) -> None:
    article = isolated / "a.json"
    article.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BriefingError) as caught:
        briefing.build(article, article, settings=OFFLINE)
    assert caught.value.message == f"refusing to overwrite the article itself: {article}"
    assert caught.value.exit_code == 2


def test_errors_are_the_commands(isolated: Path) -> None:
    with pytest.raises(BriefingError) as caught:
        briefing.brief("missing.txt", settings=OFFLINE)
    assert caught.value.message == "no such file: missing.txt"
    assert caught.value.exit_code == 2
    with pytest.raises(BriefingError) as caught:
        briefing.build(SAMPLE, format="docx", settings=OFFLINE)
    assert caught.value.message == "unknown format 'docx' (choose from: pdf, html, json)"


def test_url_under_the_settings_policy(web_server: WebServer, isolated: Path) -> None:
    url = web_server.url("/article")
    with pytest.raises(BriefingError) as caught:
        briefing.brief(url, settings=OFFLINE)
    assert caught.value.message == f"{url}: refused private address 127.0.0.1 {HINT}"
    assert caught.value.exit_code == 2
    assert web_server.requests == []
    allowed = Settings(summariser="offline", allow_private=True)
    result = briefing.build(url, "b.json", settings=allowed)
    assert result.briefing.title == ARTICLE_TITLE
    assert result.briefing.source.kind == "url" and result.briefing.source.location == url


def test_no_settings_means_the_commands_settings(
    web_server: WebServer, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """settings=None: config file and environment, as `briefing build` without flags."""
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("BRIEFING_SUMMARISER", "offline")
    doc = briefing.brief(web_server.url("/article"))
    assert doc.provenance.summariser == "offline" and doc.title == ARTICLE_TITLE


def test_render_document(isolated: Path) -> None:
    doc = briefing.brief(SAMPLE, settings=OFFLINE)
    data = json.loads(briefing.render_document(doc, "json"))
    assert data["title"] == doc.title
    html = briefing.render_document(doc, "html").decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    compact = Settings(summariser="offline", style="compact")
    assert briefing.render_document(doc, "html", compact) != html.encode("utf-8")
