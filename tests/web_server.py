"""A small, real web server for fetcher tests: articles, feeds and every fault a night brings.

The server listens on ``127.0.0.1`` (random port) in a background thread, over plain HTTP or,
with ``tls=True``, HTTPS with a test certificate (signed by the test CA :data:`TEST_CA_PEM`, valid
for ``localhost``, ``public.test`` and ``127.0.0.1``). Routes map a path to a scripted
:class:`Page`; :data:`DEFAULT_ROUTES` has a good article, feeds, redirects and faults, and tests
can add or replace routes with :meth:`WebServer.route`. ``@BASE@`` in a body or header value is
replaced by the server's base URL (``http://127.0.0.1:PORT``) when it is served.

Every request is recorded (method, path, query, lower-cased headers) before it is answered.
Sleeping pages (``delay``, ``drip``) wake up when the server is closed, so closing is prompt.

Usage (import ``web_server_fixture`` into the test module to get the ``web_server`` fixture)::

    def test_something(web_server: WebServer) -> None:
        web_server.route("/x", Page(b"hello", content_type="text/plain"))
        fetch(web_server.url("/x"), FetchPolicy(allow_private=True))
        assert web_server.paths == ["/x"]
"""

from __future__ import annotations

import gzip
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.http_base import LoopbackServer, QuietHandler

__all__ = [
    "ARTICLE_HTML",
    "ARTICLE_TEXT",
    "DEFAULT_ROUTES",
    "TEST_CA_PEM",
    "Page",
    "RecordedRequest",
    "WebServer",
    "tls_web_server_fixture",
    "web_server_fixture",
]

MB = 2**20

# --- test certificates (tests only; valid 2000-2100) -------------------------------------

TEST_CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBhDCCASmgAwIBAgIBATAKBggqhkjOPQQDAjAoMSYwJAYDVQQDDB1icmllZmlu
ZyB0ZXN0IENBICh0ZXN0cyBvbmx5KTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEw
MTAwMDAwMFowKDEmMCQGA1UEAwwdYnJpZWZpbmcgdGVzdCBDQSAodGVzdHMgb25s
eSkwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARNKIq8i86eFvOC48lCJKyaggQk
FVBw6uhXG4Ls4gMY+4NPv/LamKbS0SHGraRChwqFA52bjR3OIwihUknjAnEgo0Iw
QDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUAH/m
O0yM74AAtLqvd5EQqxeT2u0wCgYIKoZIzj0EAwIDSQAwRgIhAJAei+DIaPortcRD
DuSLjvP1CIjUinREJA5EgW0WOnwcAiEAq1UeU4t6gFo7J98Auexjk4uxIyWo2tGy
4g+fZFlgXPs=
-----END CERTIFICATE-----
"""
_SERVER_CERT_PEM = """\
-----BEGIN CERTIFICATE-----
MIIB2DCCAX6gAwIBAgIBAjAKBggqhkjOPQQDAjAoMSYwJAYDVQQDDB1icmllZmlu
ZyB0ZXN0IENBICh0ZXN0cyBvbmx5KTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEw
MTAwMDAwMFowHzEdMBsGA1UEAwwUYnJpZWZpbmcgdGVzdCBzZXJ2ZXIwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASCO8/wT229cAY4SbHxlGXIxhtG60+8jhIHyW8w
n8hosiJDHCF8yjPG/XErMKpE6U56FngVa3g6bPYdqeHabBi6o4GfMIGcMAwGA1Ud
EwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMCcG
A1UdEQQgMB6CCWxvY2FsaG9zdIILcHVibGljLnRlc3SHBH8AAAEwHQYDVR0OBBYE
FJwzVH3NZ3Yal2j/iWlil7MZvGb2MB8GA1UdIwQYMBaAFAB/5jtMjO+AALS6r3eR
EKsXk9rtMAoGCCqGSM49BAMCA0gAMEUCIHfwsfH594VcXpv6FUZGYXkvOaKwxRcH
RfY36bbSZCDMAiEAwhFkCXlf088Qq7uL3EIba3lA23C906bSz33ShJp9sb4=
-----END CERTIFICATE-----
"""
_SERVER_KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZmcgSD79u7u6p+Fc
VhJv0EgGDi2GsYmmG5Q0/BEAkYyhRANCAASCO8/wT229cAY4SbHxlGXIxhtG60+8
jhIHyW8wn8hosiJDHCF8yjPG/XErMKpE6U56FngVa3g6bPYdqeHabBi6
-----END PRIVATE KEY-----
"""

# --- content -------------------------------------------------------------------------------

_PARAGRAPHS = [
    "Officials in the port city of Valmora confirmed on Tuesday that the northern harbour will "
    "remain closed to commercial shipping for at least two weeks, after a fire damaged the main "
    "fuel terminal overnight and forced the evacuation of several hundred dock workers.",
    "The harbour authority said the blaze began shortly after midnight in a storage depot "
    "operated by a private logistics company, and spread to two loading cranes before fire "
    "crews brought it under control at dawn. Nobody was killed, but eleven workers were treated "
    "for smoke inhalation at the regional hospital and three remain under observation.",
    "Interior Minister Ana Brezik told reporters that investigators had not ruled out sabotage. "
    "She said the government would publish a preliminary report within ten days and asked "
    "residents not to share unverified claims about the cause of the fire on social media.",
    "The closure comes at a difficult moment for the regional economy. The northern harbour "
    "handles roughly a third of the country's grain exports, and traders warned that a long "
    "interruption could push up prices for buyers across the eastern Mediterranean, where stocks "
    "are already low after a poor harvest last year.",
    "Shipping agents said at least fourteen vessels were waiting at anchor outside the port on "
    "Tuesday afternoon, and that some operators had begun diverting cargo to the smaller southern "
    "terminal, which lacks the cranes needed for the largest container ships.",
    "The dock workers' union called for an independent inquiry into safety standards at the "
    "depot, saying its members had reported faulty alarms and blocked emergency exits on several "
    "occasions in recent months. The logistics company declined to comment on the allegations, "
    "citing the ongoing investigation.",
    "Analysts said the incident exposed how dependent the country remains on a single piece of "
    "infrastructure. A plan to expand the southern terminal was approved four years ago but has "
    "stalled over funding disputes between the national government and the regional council.",
    "Ms Brezik said emergency funds would be released to compensate workers who lose income "
    "during the closure, and that the navy had been asked to help clear debris from the damaged "
    "berths so that partial operations could resume as early as next week if inspections allow.",
]
ARTICLE_TITLE = "Valmora harbour closed for two weeks after overnight fire at fuel terminal"
ARTICLE_TEXT = "\n\n".join(_PARAGRAPHS)

ARTICLE_HTML = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{ARTICLE_TITLE} | The Coastal Herald</title>
<meta property="og:title" content="{ARTICLE_TITLE}">
<meta property="og:site_name" content="The Coastal Herald">
<meta property="article:published_time" content="2024-05-14T06:30:00Z">
<meta name="description" content="The northern harbour is shut after a blaze at a fuel depot.">
<style>body {{ font-family: serif; }} .promo {{ color: red; }}</style>
<script>window.trackingId = "SCRIPT-MARKER-TRACKING"; function track() {{ return 1; }}</script>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{ARTICLE_TITLE}", "datePublished": "2024-05-14T06:30:00Z"}}</script>
</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. COOKIE-MARKER Accept all</div>
<header>
  <a href="/" class="logo">The Coastal Herald</a>
  <nav><ul><li><a href="/world">World NAV-MARKER</a></li><li><a href="/business">Business</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
</header>
<main>
<article>
  <h1>{ARTICLE_TITLE}</h1>
  <p class="byline">By Mira Costa, Valmora correspondent</p>
  <time datetime="2024-05-14T06:30:00Z">14 May 2024</time>
  {"".join(f"<p>{p}</p>" for p in _PARAGRAPHS)}
</article>
<aside class="related"><h2>Related stories</h2><ul>
  <li><a href="/a">RELATED-MARKER Grain prices climb as harvest disappoints</a></li>
  <li><a href="/b">Port workers strike over pay</a></li></ul></aside>
</main>
<footer><p>FOOTER-MARKER &copy; 2024 The Coastal Herald. All rights reserved.</p>
<a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
<script>track(); document.write("SCRIPT-MARKER-INLINE");</script>
</body>
</html>
"""

SECOND_TITLE = "Grain traders brace for delays as Valmora closure enters second day"
_SECOND = (
    "Grain traders in Valmora said on Wednesday that buyers had started asking for discounts to "
    "cover the cost of delays, as the closure of the northern harbour entered its second day and "
    "the queue of vessels waiting outside the port grew to nineteen. The chamber of commerce "
    "urged the government to speed up inspections of the damaged berths, warning that smaller "
    "exporters could lose contracts if the harbour stayed shut beyond the end of the month."
)
SECOND_HTML = (
    f"<html><head><title>{SECOND_TITLE}</title></head><body><nav>Home NAV-MARKER</nav>"
    f"<article><h1>{SECOND_TITLE}</h1><p>{_SECOND}</p><p>{_SECOND}</p></article></body></html>"
)

PLAIN_TEXT = f"{ARTICLE_TITLE}\n\n{ARTICLE_TEXT}\n"

# A minimal valid PNG (1x1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>The Coastal Herald</title><link>@BASE@/</link><description>News</description>
<item><title>Older: &lt;b&gt;harbour&lt;/b&gt; plan stalls</title><link>@BASE@/article-2</link>
  <pubDate>Mon, 13 May 2024 08:00:00 GMT</pubDate></item>
<item><title>Valmora harbour closed</title><link>@BASE@/article</link>
  <pubDate>Tue, 14 May 2024 06:30:00 GMT</pubDate></item>
<item><title>Duplicate of the harbour story</title><link>@BASE@/article</link>
  <pubDate>Tue, 14 May 2024 06:31:00 GMT</pubDate></item>
<item><title>Plain-text edition</title><link>article.txt</link>
  <pubDate>Tue, 14 May 2024 12:00:00 +0200</pubDate></item>
<item><title>Write to us</title><link>mailto:desk@example.com</link></item>
<item><title>Script link</title><link>javascript:alert(1)</link></item>
<item><title>No link at all</title><description>Nothing to fetch.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>The Coastal Herald (Atom)</title><id>urn:test:feed</id>
<updated>2024-05-14T07:00:00Z</updated>
<entry><title type="html">Traders &amp;amp; the &lt;i&gt;closure&lt;/i&gt;</title>
  <link rel="alternate" href="/article-2"/><id>urn:test:2</id>
  <updated>2024-05-15T09:00:00Z</updated></entry>
<entry><title>Valmora harbour closed</title><link href="@BASE@/article"/><id>urn:test:1</id>
  <published>2024-05-14T06:30:00Z</published><updated>2024-05-14T06:30:00Z</updated></entry>
</feed>
"""

EMPTY_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>
<link>@BASE@/</link><description>nothing today</description></channel></rss>"""

BROKEN_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Cut off in the middle <link>@BASE@/article"""


def _filler(total: int, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body generator: ``total`` bytes of article-looking text, streamed in chunks."""
    line = b"<p>" + b"All work and no play makes a very long page. " * 20 + b"</p>\n"
    block = (line * (chunk // len(line) + 1))[:chunk]

    def generate() -> Iterator[bytes]:
        sent = 0
        while sent < total:
            part = block[: min(chunk, total - sent)]
            sent += len(part)
            yield part

    return generate


@dataclass(frozen=True)
class Page:
    """A scripted response: ``body`` is bytes/str (``@BASE@`` substituted) or a generator."""

    body: bytes | str | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (ends early when the server closes)
    drip: float = 0.0  # seconds between body chunks of a generated body
    length: int | None = None  # Content-Length of a generated body (None: close-delimited)

    @classmethod
    def redirect(cls, location: str, status: int = 302, delay: float = 0.0) -> Page:
        return cls(
            b"", status=status, content_type=None, headers={"Location": location}, delay=delay
        )

    @classmethod
    def text(cls, body: str, content_type: str = "text/plain; charset=utf-8") -> Page:
        return cls(body, content_type=content_type)


def _compressed(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    if encoding == "deflate":
        return zlib.compress(data, 9)
    if encoding == "raw-deflate":
        obj = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return obj.compress(data) + obj.flush()
    raise ValueError(encoding)


def _bomb(size: int) -> bytes:
    """``size`` bytes of spaces, gzipped: about a thousand times smaller."""
    obj = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * MB
    out = [obj.compress(block) for _ in range(size // MB)]
    return b"".join(out) + obj.flush()


def _lazy(make: Callable[[], bytes]) -> Callable[[], Iterable[bytes]]:
    cache: list[bytes] = []

    def body() -> Iterable[bytes]:
        if not cache:
            cache.append(make())
        return [cache[0]]

    return body


_GZ_BOMB = _lazy(lambda: _bomb(25 * MB))


def _default_routes() -> dict[str, Page]:
    html = ARTICLE_HTML.encode("utf-8")
    routes: dict[str, Page] = {
        # good articles
        "/article": Page(ARTICLE_HTML),
        "/article-2": Page(SECOND_HTML),
        "/article.txt": Page.text(PLAIN_TEXT),
        "/article.md": Page.text(
            f"# {ARTICLE_TITLE}\n\n{ARTICLE_TEXT}\n", "text/markdown; charset=utf-8"
        ),
        "/article.gz": Page(_compressed(html, "gzip"), headers={"Content-Encoding": "gzip"}),
        "/article.deflate": Page(
            _compressed(html, "deflate"), headers={"Content-Encoding": "deflate"}
        ),
        "/article.rawdeflate": Page(
            _compressed(html, "raw-deflate"), headers={"Content-Encoding": "deflate"}
        ),
        "/latin1": Page(
            ARTICLE_HTML.replace("Valmora", "Valmorá")
            .replace('charset="utf-8"', "")
            .encode("latin-1"),
            content_type="text/html; charset=iso-8859-1",
        ),
        "/meta-charset": Page(
            ARTICLE_HTML.replace("Valmora", "Valmorá")
            .replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
            .encode("cp1252"),
            content_type="text/html",
        ),
        "/short": Page("<html><body><article><p>Too short to brief.</p></article></body></html>"),
        # faults
        "/slow": Page(ARTICLE_HTML, delay=30.0),
        "/slow-body": Page(_filler(4096, chunk=16), drip=0.2, length=4096),
        "/big": Page(_filler(25 * MB), length=25 * MB),
        "/big-stream": Page(_filler(25 * MB)),
        "/bomb": Page(_GZ_BOMB, headers={"Content-Encoding": "gzip"}),
        "/brotli": Page(b"\x1b\x00\x00\x00", headers={"Content-Encoding": "br"}),
        "/image.png": Page(PNG, content_type="image/png"),
        "/no-type": Page(ARTICLE_HTML, content_type=None),
        "/missing": Page("not here", status=404, content_type="text/plain"),
        "/error": Page("oops", status=503, content_type="text/plain"),
        "/loop": Page.redirect("/loop"),
        "/to-file": Page.redirect("file:///etc/passwd"),
        "/to-ftp": Page.redirect("ftp://127.0.0.1/pub/article.txt"),
        "/to-private": Page.redirect("http://10.0.0.1/admin"),
        "/to-metadata": Page.redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-loopback": Page.redirect("@BASE@/article"),
        "/to-article": Page.redirect("article", status=301),
        # feeds
        "/feed.rss": Page(RSS, content_type="application/rss+xml; charset=utf-8"),
        "/feed.atom": Page(ATOM, content_type="application/atom+xml"),
        "/feed-empty": Page(EMPTY_RSS, content_type="text/xml"),
        "/feed-broken": Page(BROKEN_RSS, content_type="application/rss+xml"),
        "/feed-html": Page(ARTICLE_HTML),
    }
    # /chain/N redirects N times before the article: /chain/5 is fine, /chain/6 one too many.
    routes["/chain/0"] = Page(ARTICLE_HTML)
    for n in range(1, 11):
        routes[f"/chain/{n}"] = Page.redirect(f"/chain/{n - 1}")
    return routes


DEFAULT_ROUTES = _default_routes()


# --- the server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # names lower-cased

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


class WebServer(LoopbackServer):
    """Scripted web server on 127.0.0.1 (see the module docstring)."""

    thread_name = "test-web-server"

    def __init__(self, *, tls: bool = False, routes: Mapping[str, Page] | None = None) -> None:
        super().__init__()
        self.tls = tls
        self.routes: dict[str, Page] = dict(DEFAULT_ROUTES if routes is None else routes)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._answered: list[str] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # --- lifecycle (start, close, port: see LoopbackServer) -------------------------------

    def _prepare(self, httpd: ThreadingHTTPServer) -> None:
        if not self.tls:
            return
        import ssl

        self._tmp = tempfile.TemporaryDirectory(prefix="web-server-tls-")
        cert = Path(self._tmp.name) / "server.pem"
        cert.write_text(_SERVER_CERT_PEM + _SERVER_KEY_PEM)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert)
        # The handshake happens on the first read, in the handler thread.
        httpd.socket = context.wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )

    def _closed(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # --- test-facing API ------------------------------------------------------------------

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT`` (``https://`` with TLS)."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, page: Page) -> None:
        with self._lock:
            self.routes[path] = page

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    @property
    def answered(self) -> list[str]:
        """Paths whose answer was sent in full, in order (a client that gave up first, or a
        page still sleeping or dripping, is not here)."""
        with self._lock:
            return list(self._answered)

    # --- request handling (handler threads) -----------------------------------------------

    def handle_request(self, h: QuietHandler) -> None:
        head = h.command == "HEAD"
        path, _, query = h.path.partition("?")
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self._requests.append(RecordedRequest(h.command, path, query, headers))
            page = self.routes.get(path)
        if page is None:
            page = Page("no such page", status=404, content_type="text/plain")
        if page.delay > 0 and self.stopping.wait(page.delay):
            h.close_connection = True
            return
        try:
            complete = self._send(h, page, head=head)
        except OSError:  # the client hung up: expected for deadline and size tests
            h.close_connection = True
            return
        if complete:
            with self._lock:
                self._answered.append(path)

    def _substitute(self, text: str) -> str:
        return text.replace("@BASE@", self.base)

    def _send(self, h: QuietHandler, page: Page, *, head: bool) -> bool:
        """Send ``page``; False when the server closed before all of it was sent."""
        h.send_response(page.status)
        if page.content_type is not None:
            h.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            h.send_header(name, self._substitute(value))
        if callable(page.body):
            if page.length is not None:
                h.send_header("Content-Length", str(page.length))
            else:
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            if head:
                return True
            for i, chunk in enumerate(page.body()):
                if i and page.drip > 0 and self.stopping.wait(page.drip):
                    h.close_connection = True
                    return False
                h.wfile.write(chunk)
                h.wfile.flush()
            return True
        body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
        if b"@BASE@" in body:
            body = body.replace(b"@BASE@", self.base.encode("ascii"))
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head:
            h.wfile.write(body)
            h.wfile.flush()
        return True


@pytest.fixture(name="web_server")
def web_server_fixture() -> Iterator[WebServer]:
    """A running plain-HTTP :class:`WebServer` with the default routes, closed after the test."""
    with WebServer() as server:
        yield server


@pytest.fixture(name="tls_web_server")
def tls_web_server_fixture() -> Iterator[WebServer]:
    """The same over HTTPS with a certificate from the test CA (:data:`TEST_CA_PEM`)."""
    with WebServer(tls=True) as server:
        yield server
