"""Live preview: a local web server showing the HTML draft, rebuilt when its inputs change.

``briefing preview SOURCE --serve`` runs a :class:`PreviewServer`. It listens on 127.0.0.1 only
and serves:

* ``/``              the HTML draft (:func:`briefing.render.render_html`), plus a small bar with a
                     "PDF" link and a reload script of our own (a fixed string, allowed by a
                     per-response CSP nonce);
* ``/briefing.pdf``  the same briefing laid out by :func:`briefing.render.render_pdf`;
* ``/version``       the build counter, as text. The page polls it every 300 ms and reloads
                     itself when it changes.

A watcher thread polls the modification stamps of the inputs (:mod:`briefing.preview.stamps`)
every 200 ms. A change to the
article file or to a prompt in use (the summariser's prompt file, the user prompts folder)
re-reads and re-summarises the article, then re-renders; a change in a template folder only
re-renders the last briefing. Each rebuild, good or bad, bumps the version. A failed rebuild
(bad template, empty article, model failure) is shown in the page as an error panel and the
server keeps serving; the next good change recovers.

Security: article and model text reach the page only through the autoescaping templates; the
error message is escaped (:mod:`briefing.preview.page`). Every HTML response carries a
Content-Security-Policy that allows no script but ours (by nonce), no fetch but to this server,
and nothing external. Requests whose Host header is not this server (DNS rebinding) are
refused.

API: ``PreviewServer(options, port=…, template_dirs=…)``; ``start()`` (bind, first build, start the
threads), ``url`` / ``server_address`` / ``version`` / ``error`` / ``title``, ``serve_forever()``
(block until Ctrl-C or ``stop()``, then stop), ``stop()``, ``check()`` (look at the inputs now);
also a context manager.

Nothing here prints; the CLI reports. Logging goes to the ``briefing.preview`` logger (each build
at INFO, a failed build at WARNING, each HTTP request at DEBUG).
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from briefing.config import Settings
from briefing.errors import BriefingError, ConfigError, InputError
from briefing.model import Briefing
from briefing.pipeline import BuildOptions, announce, is_url
from briefing.preview.page import content_security_policy, error_page, inject_preview
from briefing.preview.stamps import Stamp, prompt_files_of, snapshot
from briefing.resources import templates_dir
from briefing.summarisers import Summariser, make_summariser

__all__ = ["DEFAULT_PORT", "HOST", "PreviewServer"]

LOG = logging.getLogger("briefing.preview")

HOST = "127.0.0.1"  # loopback only, never 0.0.0.0
DEFAULT_PORT = 8765
POLL_SECONDS = 0.2  # how often the watcher looks at the inputs
SETTLE_SECONDS, SETTLE_TRIES = 0.05, 5  # after a change, wait for the stamps to hold still

SummariserFactory = Callable[[Settings], Summariser]


@dataclass(frozen=True)
class _Build:
    """One build: the rendered draft, or the one-line error that stopped it."""

    version: int
    html: str | None
    error: str | None
    briefing: Briefing | None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    preview: PreviewServer


class PreviewServer:
    """Serve the live draft of ``options.source`` on http://127.0.0.1:PORT/.

    ``port`` 0 picks any free port (see :attr:`url` once started). ``template_dirs`` are user
    template folders searched before ours (as in :func:`briefing.render.render_html`).
    ``summariser_factory`` makes the summariser from the settings (default: the pipeline's); it is
    called at start and again after a prompt file changed.

    Use as a context manager, or :meth:`start` / :meth:`serve_forever` / :meth:`stop`.
    """

    def __init__(
        self,
        options: BuildOptions,
        *,
        port: int = DEFAULT_PORT,
        template_dirs: Sequence[Path] = (),
        summariser_factory: SummariserFactory = make_summariser,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ConfigError(f"port {port} is out of range (0-65535)")
        self.options = options
        self.template_dirs = [Path(d) for d in template_dirs]
        self._port = port
        self._factory = summariser_factory
        self._poll_seconds = poll_seconds
        self._article_path = Path(options.source)
        self._summariser: Summariser | None = None
        self._prompt_files: list[Path] = []
        self._title: str | None = None
        self._build = _Build(version=0, html=None, error="not started", briefing=None)
        self._lock = threading.Lock()  # guards _build
        self._rebuild_lock = threading.Lock()  # one check/rebuild at a time
        self._pdf_lock = threading.Lock()  # one PDF layout at a time; guards _pdf
        self._pdf: tuple[int, bytes] | None = None
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._inputs: dict[str, Stamp | None] = {}
        self._templates: dict[str, Stamp | None] = {}

    # ---------------------------------------------------------------------------- public API

    @property
    def version(self) -> int:
        """The build counter: 1 after the first build, +1 for each rebuild (good or failed)."""
        with self._lock:
            return self._build.version

    @property
    def error(self) -> str | None:
        """The one-line message of the current build's failure, or None when it is good."""
        with self._lock:
            return self._build.error

    @property
    def server_address(self) -> tuple[str, int]:
        if self._httpd is None:
            raise RuntimeError("the preview server is not started")
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{host}:{port}/"

    @property
    def title(self) -> str:
        """The article's title (or its file name before a first good read), printable, short."""
        text = self._title or self._article_path.name
        text = "".join(ch for ch in " ".join(text.split()) if ch.isprintable())
        return text if len(text) <= 80 else text[:79] + "…"

    def start(self) -> None:
        """Bind 127.0.0.1:port, build the draft once, then serve and watch in the background.

        Fails (BriefingError) only on what no file edit can fix: standard input or a missing
        article file, bad settings, a port that cannot be bound. Build errors go to the page.
        """
        if self._httpd is not None or self._stopping.is_set():
            raise RuntimeError("a preview server starts once")
        if self.options.source == "-":
            raise ConfigError("the live preview needs an article file, not standard input")
        if is_url(self.options.source):  # a page cannot be watched for edits: a file can
            raise ConfigError(
                "the live preview needs an article file, not a URL: save the page and preview "
                "the file, or use 'briefing preview URL' without --serve"
            )
        if not self._article_path.is_file():
            raise InputError(f"no such file: {self._article_path}")
        self._summariser = self._factory(self.options.settings)  # bad settings fail here
        self._prompt_files = prompt_files_of(self._summariser)
        announce(self.options.settings, self._summariser)  # once, not on every rebuild
        try:
            httpd = _HTTPServer((HOST, self._port), _Handler)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ConfigError(
                f"cannot listen on {HOST}:{self._port}: {reason} "
                "(choose another --port, or 0 for any free port)"
            ) from None
        httpd.preview = self
        self._httpd = httpd
        try:
            self._inputs, self._templates = self._snapshot_inputs(), self._snapshot_templates()
            self._rebuild(resummarise=True, reason="start")
            self._threads = [
                threading.Thread(
                    target=httpd.serve_forever,
                    kwargs={"poll_interval": 0.1},
                    name="briefing-preview-http",
                    daemon=True,
                ),
                threading.Thread(target=self._watch, name="briefing-preview-watch", daemon=True),
            ]
            for thread in self._threads:
                thread.start()
        except BaseException:
            self.stop()
            raise

    def serve_forever(self) -> None:
        """Block until :meth:`stop` is called (from another thread) or Ctrl-C; then stop."""
        try:
            while not self._stopping.wait(0.25):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and watching, close the socket. Safe to call more than once."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            serving = any(t.name == "briefing-preview-http" and t.is_alive() for t in self._threads)
            if serving:
                httpd.shutdown()
            httpd.server_close()
        current = threading.current_thread()
        for thread in self._threads:
            if thread is not current:
                # A rebuild in progress (a slow model call) is left to finish in its daemon thread.
                thread.join(timeout=2)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------------ building

    def _rebuild(self, *, resummarise: bool, reason: str) -> None:
        """Build the next version; any failure becomes the page's error panel."""
        briefing = None if resummarise else self._build.briefing
        try:
            if briefing is None:
                briefing = self._summarise()
            from briefing.pipeline import html_options
            from briefing.render import render_html

            options = html_options(self.options.settings) | {"template_dirs": self.template_dirs}
            page = render_html(briefing, **options)
            build_error: str | None = None
        except Exception as exc:  # the server must survive whatever a rebuild raises
            page, build_error = None, _one_line(exc)
            if not isinstance(exc, BriefingError):
                LOG.debug("preview rebuild failed", exc_info=True)
        with self._lock:
            self._build = _Build(
                version=self._build.version + 1, html=page, error=build_error, briefing=briefing
            )
            version = self._build.version
        if build_error is None:
            LOG.info("preview: build %d (%s)", version, reason)
        else:
            LOG.warning("preview: build %d failed (%s): %s", version, reason, build_error)

    def _summarise(self) -> Briefing:
        """Read the article and summarise it (fresh summariser after a prompt change)."""
        from briefing.pipeline import summarise
        from briefing.sources.files import read_source

        if self._summariser is None:
            self._summariser = self._factory(self.options.settings)
        self._prompt_files = prompt_files_of(self._summariser)
        article = read_source(self.options.source, None, title=self.options.title)
        self._title = article.title
        return summarise(self.options.settings, self._summariser, article)

    # ------------------------------------------------------------------------------ watching

    def _snapshot_inputs(self) -> dict[str, Stamp | None]:
        """Stamps of what a re-summarise reads: the article and the prompts in use."""
        prompts_dir = self.options.settings.prompts_dir
        return snapshot(
            [self._article_path, *self._prompt_files], [prompts_dir] if prompts_dir else []
        )

    def _snapshot_templates(self) -> dict[str, Stamp | None]:
        return snapshot([], [*self.template_dirs, templates_dir()])

    def _watch(self) -> None:
        while not self._stopping.wait(self._poll_seconds):
            try:
                self.check()
            except Exception:  # never let the watcher die: the next poll tries again
                LOG.debug("preview watcher error", exc_info=True)

    def check(self) -> bool:
        """Look at the inputs now; rebuild (and return True) when one changed.

        The watcher thread calls this every ``poll_seconds``; calls are serialised.
        """
        with self._rebuild_lock:
            return self._check()

    def _check(self) -> bool:
        inputs, templates = self._snapshot_inputs(), self._snapshot_templates()
        if inputs == self._inputs and templates == self._templates:
            return False
        # Let a save finish (an editor may truncate, then write): wait until the stamps hold still.
        for _ in range(SETTLE_TRIES):
            time.sleep(SETTLE_SECONDS)
            again = self._snapshot_inputs(), self._snapshot_templates()
            if again == (inputs, templates):
                break
            inputs, templates = again
        # Stamps are taken before reading, so an edit made during the rebuild triggers another.
        previous, self._inputs, self._templates = self._inputs, inputs, templates
        if inputs != previous:
            article = str(self._article_path)
            keys = (set(inputs) | set(previous)) - {article}
            if any(inputs.get(key) != previous.get(key) for key in keys):
                self._summariser = None  # a prompt changed: make the summariser again
            self._rebuild(resummarise=True, reason="article or prompt changed")
            self._follow_prompt_files()
        else:
            self._rebuild(resummarise=False, reason="template changed")
        return True

    def _follow_prompt_files(self) -> None:
        """After a new summariser: watch its prompt file from now on (and drop the old one)."""
        fresh = self._snapshot_inputs()
        self._inputs = {key: self._inputs.get(key, stamp) for key, stamp in fresh.items()}

    # -------------------------------------------------------------------------------- serving

    def _page(self, nonce: str) -> tuple[int, str]:
        """(status, HTML) of the current build, with our bar and script injected."""
        with self._lock:
            build = self._build
        if build.html is None:
            return 500, error_page(build.error or "unknown error", build.version, nonce)
        return 200, inject_preview(build.html, build.version, nonce)

    def _pdf_bytes(self, nonce: str) -> tuple[int, str, bytes]:
        """(status, content type, body): the PDF of the current build, or an error page."""
        with self._lock:
            build = self._build
        if build.html is None or build.briefing is None:
            page = error_page(build.error or "unknown error", build.version, nonce)
            return 500, "text/html; charset=utf-8", page.encode("utf-8")
        with self._pdf_lock:
            if self._pdf is not None and self._pdf[0] == build.version:
                return 200, "application/pdf", self._pdf[1]
            from briefing.render import render_pdf

            try:
                from briefing.pipeline import pdf_options

                options = pdf_options(self.options.settings) | {"template_dirs": self.template_dirs}
                data = render_pdf(build.html, build.briefing, **options)
            except Exception as exc:
                page = error_page(_one_line(exc), build.version, nonce)
                return 500, "text/html; charset=utf-8", page.encode("utf-8")
            self._pdf = (build.version, data)
            return 200, "application/pdf", data

    def _allowed_hosts(self) -> set[str]:
        _, port = self.server_address
        return {f"{HOST}:{port}", f"localhost:{port}"}


# ---------------------------------------------------------------------------- HTTP handler


class _Handler(BaseHTTPRequestHandler):
    server_version = "briefing-preview"
    sys_version = ""
    timeout = 30  # a stalled client cannot hold a thread for ever

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError as exc:
            # The browser closed the tab or reloaded mid-answer (BrokenPipe, reset): nothing is
            # wrong here, and socketserver would print a traceback on the user's terminal.
            LOG.debug("preview http: client went away (%s)", type(exc).__name__)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        preview = cast(_HTTPServer, self.server).preview
        nonce = base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        try:
            allowed = preview._allowed_hosts()
        except RuntimeError:  # stopping
            allowed = set()
        if self.headers.get("Host", "").lower() not in allowed:
            self._send(421, "text/plain; charset=utf-8", b"wrong host\n", nonce, head)
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            status, page = preview._page(nonce)
            self._send(status, "text/html; charset=utf-8", page.encode("utf-8"), nonce, head)
        elif path == "/version":
            body = f"{preview.version}\n".encode("ascii")
            self._send(200, "text/plain; charset=utf-8", body, nonce, head)
        elif path == "/briefing.pdf":
            status, content_type, data = preview._pdf_bytes(nonce)
            self._send(status, content_type, data, nonce, head)
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n", nonce, head)

    def _send(self, status: int, content_type: str, body: bytes, nonce: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if content_type == "application/pdf":
            # No CSP here: it is for our HTML, and a strict one can keep a browser's PDF viewer out.
            self.send_header("Content-Disposition", 'inline; filename="briefing.pdf"')
        else:
            self.send_header("Content-Security-Policy", content_security_policy(nonce))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("preview http: " + format, *args)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, BriefingError):
        return exc.message
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
