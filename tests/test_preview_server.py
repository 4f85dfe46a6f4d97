"""Tests for the live preview server (``briefing preview SOURCE --serve``, issue 6 items 1 and 7).

The server runs in-process on port 0 over a copy of examples/syria-strike.txt and a copy of our
templates as a user template folder, with a summariser wrapper that counts the calls. The browser
test drives it with Debian's headless Chromium (``--dump-dom``, ``--screenshot``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.errors import BriefingError, ConfigError, InputError, ModelError
from briefing.model import Article, Briefing
from briefing.pipeline import BuildOptions
from briefing.preview import HOST, PreviewServer
from briefing.resources import templates_dir
from briefing.summarisers.offline.summariser import OfflineSummariser
from tests.conftest import REPO, SAMPLE

SECTIONS = ("Situation", "Actors", "Assessment", "Risks")
CHANGE_TIMEOUT = 3.0  # seconds an edit may take to show
ARTIFACTS = REPO / "test-artifacts"
NEW_TEXT = "Zanzibar"  # put into the article's first sentence by the edit tests
FOOTER = "Prepared for the preview test."


# ------------------------------------------------------------------------------- helpers


class CountingSummariser:
    """Wraps the offline summariser: counts calls, and fails on request (a "model failure")."""

    name = "offline"

    def __init__(self) -> None:
        self.inner = OfflineSummariser()
        self.calls = 0
        self.fail_with: BriefingError | None = None

    def summarise(self, article: Article) -> Briefing:
        self.calls += 1
        if self.fail_with is not None:
            raise self.fail_with
        return self.inner.summarise(article)


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str, *, host: str | None = None) -> Response:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Response(exc.code, exc.headers, exc.read())


def wait_for(condition: Callable[[], bool], timeout: float = CHANGE_TIMEOUT) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started


def served_version(server: PreviewServer) -> int:
    return int(get(server.url + "version").text)


def rebuilt_after(server: PreviewServer, edit: Callable[[], object]) -> float:
    """Make ``edit``, then wait until the server serves a newer version; returns the seconds."""
    old = served_version(server)
    edit()
    return wait_for(lambda: served_version(server) > old)


def rewrite(path: Path, text: str) -> None:
    """Save ``text`` the way many editors do: a temporary file renamed over the old one.

    The watcher also copes with in-place writes (it waits for the stamps to settle), but a test
    that waits for the next version must not see a half-written file.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def edit_article(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rewrite(path, text.replace("British and French forces", f"{NEW_TEXT} and French forces", 1))


def override_footer(folder: Path, addition: str) -> None:
    """A user briefing.html.j2 that extends ours and appends ``addition`` to the footer block."""
    rewrite(
        folder / "briefing.html.j2",
        '{% extends "base.html.j2" %}\n'
        f"{{% block footer %}}{{{{ super() }}}}{addition}{{% endblock footer %}}\n",
    )


@dataclass
class Preview:
    server: PreviewServer
    article: Path
    templates: Path
    summariser: CountingSummariser


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    article = tmp_path / "article.txt"
    shutil.copyfile(SAMPLE, article)
    templates = tmp_path / "my-templates"
    shutil.copytree(templates_dir(), templates, ignore=shutil.ignore_patterns("__pycache__"))
    summariser = CountingSummariser()
    options = BuildOptions(source=str(article), settings=Settings(summariser="offline"))
    server = PreviewServer(
        options, port=0, template_dirs=[templates], summariser_factory=lambda _: summariser
    )
    server.start()
    try:
        yield Preview(server, article, templates, summariser)
    finally:
        server.stop()


def csp_nonce(response: Response) -> str:
    match = re.search(
        r"script-src 'nonce-([A-Za-z0-9+/=]+)'", response.headers["Content-Security-Policy"]
    )
    assert match, response.headers["Content-Security-Policy"]
    return match.group(1)


# ---------------------------------------------------------------------------------- serving


def test_serves_the_draft_with_our_script_under_a_nonce_csp(preview: Preview) -> None:
    server = preview.server
    assert server.server_address[0] == HOST == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.server_address[1]}/"
    response = get(server.url)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.text
    for section in SECTIONS:
        assert re.search(rf"<h2[^>]*>.*?{section}</h2>", page), section
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "connect-src 'self'",
    ):
        assert directive in csp
    nonce = csp_nonce(response)
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == [f'<script nonce="{nonce}" data-version="1">']  # ours, and only ours
    assert page.index("<script") < page.rindex("</body>")
    assert '<a href="/briefing.pdf"' in page and ">PDF</a>" in page
    assert "Content-Security-Policy" not in page  # the template's script-less meta is dropped
    assert csp_nonce(get(server.url)) != nonce  # a fresh nonce per response
    assert get(server.url + "version").text == "1\n" and server.version == 1
    assert server.error is None and server.title.startswith("British and French forces")
    assert preview.summariser.calls == 1


def test_serves_the_pdf_of_the_same_draft(preview: Preview) -> None:
    response = get(preview.server.url + "briefing.pdf")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.body.startswith(b"%PDF-") and b"%%EOF" in response.body[-1024:]
    assert get(preview.server.url + "briefing.pdf").body == response.body  # cached per version
    assert preview.summariser.calls == 1


def test_unknown_paths_and_foreign_hosts_are_refused(preview: Preview) -> None:
    url = preview.server.url
    assert get(url + "nothing-here").status == 404
    # DNS rebinding: a page of evil.example resolving to 127.0.0.1 must not read the draft.
    refused = get(url, host=f"evil.example:{preview.server.server_address[1]}")
    assert refused.status == 421 and b"Situation" not in refused.body
    assert get(url, host=f"localhost:{preview.server.server_address[1]}").status == 200


# ---------------------------------------------------------------------------------- reloads


def test_article_edit_resummarises_and_bumps_the_version(preview: Preview) -> None:
    server = preview.server
    assert NEW_TEXT not in get(server.url).text
    rebuilt_after(server, lambda: edit_article(preview.article))
    wait_for(lambda: NEW_TEXT in get(server.url).text)
    assert preview.summariser.calls == 2


def test_template_edit_rerenders_without_summarising(preview: Preview) -> None:
    server = preview.server
    rebuilt_after(server, lambda: override_footer(preview.templates, f"<p>{FOOTER}</p>"))
    page = get(server.url).text
    assert FOOTER in page
    assert all(section in page for section in SECTIONS)
    assert preview.summariser.calls == 1  # the template changed, not the article


def test_broken_template_shows_the_error_and_the_next_fix_recovers(preview: Preview) -> None:
    server = preview.server
    broken_template = '{% extends "base.html.j2" %}\n{% block x %}\n'
    rebuilt_after(server, lambda: rewrite(preview.templates / "briefing.html.j2", broken_template))
    broken = get(server.url)
    assert broken.status == 500
    assert 'id="briefing-preview-error"' in broken.text
    assert "template briefing.html.j2 line" in broken.text
    assert server.error and "TemplateSyntaxError" in server.error
    nonce = re.escape(csp_nonce(broken))
    assert re.search(rf'<script nonce="{nonce}" data-version="[2-9]">', broken.text)
    assert get(server.url + "briefing.pdf").status == 500  # no PDF of a broken build
    assert get(server.url + "version").status == 200  # still serving

    rebuilt_after(server, lambda: override_footer(preview.templates, f"<p>{FOOTER}</p>"))
    fixed = get(server.url)
    assert fixed.status == 200 and FOOTER in fixed.text and server.error is None
    assert preview.summariser.calls == 1


def test_empty_article_and_model_failure_show_in_the_page(tmp_path: Path) -> None:
    # A hostile file name: the error message quotes it, and the page must escape it.
    article = tmp_path / "<b>hostile<b>.txt"
    shutil.copyfile(SAMPLE, article)
    summariser = CountingSummariser()
    options = BuildOptions(source=str(article), settings=Settings(summariser="offline"))
    with PreviewServer(options, port=0, summariser_factory=lambda _: summariser) as server:
        rebuilt_after(server, lambda: rewrite(article, ""))
        page = get(server.url).text
        assert "is empty: there is no article text to brief" in page
        assert "&lt;b&gt;hostile&lt;b&gt;.txt" in page and "<b>hostile" not in page

        summariser.fail_with = ModelError("the model answered 500 <Internal Server Error>")
        rebuilt_after(server, lambda: rewrite(article, SAMPLE.read_text(encoding="utf-8")))
        page = get(server.url).text
        assert "the model answered 500 &lt;Internal Server Error&gt;" in page

        summariser.fail_with = None
        rebuilt_after(server, lambda: edit_article(article))
        recovered = get(server.url)
        assert recovered.status == 200 and NEW_TEXT in recovered.text


def test_prompt_edit_resummarises_with_a_fresh_summariser(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    shutil.copyfile(SAMPLE, article)
    prompts = tmp_path / "prompts" / "briefing"
    prompts.mkdir(parents=True)
    prompt = prompts / "v1.md"
    prompt.write_text("first\n", encoding="utf-8")
    made: list[CountingSummariser] = []

    def factory(settings: Settings) -> CountingSummariser:
        made.append(CountingSummariser())
        return made[-1]

    settings = Settings(summariser="offline", prompts_dir=tmp_path / "prompts")
    with PreviewServer(
        BuildOptions(source=str(article), settings=settings), port=0, summariser_factory=factory
    ) as server:
        rebuilt_after(server, lambda: rewrite(prompt, "second\n"))
        assert len(made) == 2 and made[-1].calls == 1  # re-made, so it reads the new prompt


# ------------------------------------------------------------------------- start and stop


def test_start_refuses_what_no_edit_can_fix(tmp_path: Path) -> None:
    stdin = BuildOptions(source="-", settings=Settings(summariser="offline"))
    with pytest.raises(ConfigError, match="needs an article file"):
        PreviewServer(stdin, port=0).start()
    url = BuildOptions(source="https://example.org/a", settings=Settings(summariser="offline"))
    with pytest.raises(ConfigError) as refused:  # refused before any fetch
        PreviewServer(url, port=0).start()
    assert refused.value.message == (
        "the live preview needs an article file, not a URL: save the page and preview the file, "
        "or use 'briefing preview URL' without --serve"
    )
    missing = BuildOptions(source=str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="no such file"):
        PreviewServer(missing, port=0).start()
    article = tmp_path / "article.txt"
    shutil.copyfile(SAMPLE, article)
    options = BuildOptions(source=str(article), settings=Settings(summariser="offline"))
    with PreviewServer(options, port=0) as first:
        taken = first.server_address[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{taken}"):
            PreviewServer(options, port=taken).start()


def test_ctrl_c_stops_serving_and_watching(preview: Preview) -> None:
    server = preview.server
    url = server.url
    watchers = [t for t in threading.enumerate() if t.name.startswith("briefing-preview")]
    assert len(watchers) == 2
    pressed = threading.Event()

    def ctrl_c() -> None:
        pressed.set()
        signal.raise_signal(signal.SIGINT)

    timer = threading.Timer(0.3, ctrl_c)
    timer.start()
    server.serve_forever()  # returns once Ctrl-C stopped it
    assert pressed.is_set()  # not before: Ctrl-C is what stopped it
    timer.join()
    assert not any(t.is_alive() for t in watchers)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)
    server.stop()  # again: harmless


def test_cli_serve_prints_the_url_and_stops_on_ctrl_c(tmp_path: Path, briefing_exe: str) -> None:
    article = tmp_path / "article.txt"
    shutil.copyfile(SAMPLE, article)
    command = [briefing_exe, "preview", str(article), "--serve", "--port", "0", "--no-open"]
    command += ["--summariser", "offline"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(
            r"Serving British and French forces.* at (http://127\.0\.0\.1:(\d+)/) "
            r"\(Ctrl-C to stop\)\n",
            line,
        )
        assert match, line
        assert int(match.group(2)) > 0
        assert "Situation" in get(match.group(1)).text
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == "stopped\n"
    assert err == ""


# ------------------------------------------------------------------------------- browser


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def run_chromium(chromium: str, profile: Path, *args: str, budget_ms: int = 2000) -> str:
    """Run headless Chromium once; returns its stdout (the DOM with ``--dump-dom``)."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",  # we may run as root in CI containers
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        *args,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class _RequestLog(logging.Handler):
    """Sees each request line the server logs (at DEBUG, before the response body is sent)."""

    def __init__(self, on_page: Callable[[int], None]) -> None:
        super().__init__(logging.DEBUG)
        self.pages = 0
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        if '"GET / ' in record.getMessage():
            self.pages += 1
            self.on_page(self.pages)


def test_browser_shows_the_sections_runs_only_our_script_and_reloads(tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (/usr/bin/chromium or chromium on PATH)")
    article = tmp_path / "article.txt"
    shutil.copyfile(SAMPLE, article)
    templates = tmp_path / "my-templates"
    templates.mkdir()
    # A script in the page without our nonce must not run (nor could the article's: escaped).
    override_footer(templates, '<script>document.documentElement.dataset.evil = "1";</script>')
    summariser = CountingSummariser()
    options = BuildOptions(source=str(article), settings=Settings(summariser="offline"))
    server = PreviewServer(
        options, port=0, template_dirs=[templates], summariser_factory=lambda _: summariser
    )
    with server:
        url = server.url
        dom = run_chromium(chromium, tmp_path / "profile-1", "--dump-dom", url)
        html_tag = re.search(r"<html\b[^>]*>", dom)
        assert html_tag and 'data-live="1"' in html_tag.group(0)  # our script ran under the CSP
        assert "data-evil" not in html_tag.group(0)  # the nonce-less one did not
        for section in SECTIONS:
            assert re.search(rf"<h2[^>]*>.*?{section}</h2>", dom), section
        assert ">PDF</a>" in dom

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "preview.png"
        shot.unlink(missing_ok=True)
        run_chromium(
            chromium,
            tmp_path / "profile-2",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            "--hide-scrollbars",
            url,
        )
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 10_000

        # The open page reloads by itself: while the first page is being served (old build),
        # the article is edited and rebuilt; the page's own script sees the new version at its
        # first poll, reloads, and the DOM dumped at the end is the new one.
        def edit_during_first_page(pages: int) -> None:
            if pages == 1:
                edit_article(article)
                server.check()

        log = logging.getLogger("briefing.preview")
        request_log = _RequestLog(edit_during_first_page)
        level = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(request_log)
        try:
            before = server.version
            dom = run_chromium(chromium, tmp_path / "profile-3", "--dump-dom", url)
        finally:
            log.removeHandler(request_log)
            log.setLevel(level)
        assert server.version > before
        assert request_log.pages == 2  # the first page, then the reload by our script
        assert NEW_TEXT in dom and f'data-version="{before}"' not in dom
        assert summariser.calls == 2

        # And a fresh load shows the new text too.
        dom = run_chromium(chromium, tmp_path / "profile-4", "--dump-dom", url)
        assert NEW_TEXT in dom and all(section in dom for section in SECTIONS)
