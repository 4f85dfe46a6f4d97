"""Fetching the web safely (issue 4, items 2 and 8): briefing.sources.fetch and .feeds.

Every test talks real HTTP to the local :class:`tests.web_server.WebServer` on 127.0.0.1. Policies
that may connect use the ``_loopback_only`` dialer, so no test can ever open a connection to
anything but 127.0.0.1, whatever the code under test gets wrong.

How "first hop public, redirect hop private" is tested honestly: the address check is never
replaced. A fake resolver says ``public.test`` is 93.184.216.34 (a public address, so the real
check passes), and the dialer routes that checked address to the local server, the way a network
would. The server then redirects to 127.0.0.1, 10.0.0.1, 169.254.169.254 or a name resolving to a
private address, and the real check must refuse that hop before anything connects to it.
"""

from __future__ import annotations

import dataclasses
import pickle
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import EXIT_USAGE, ConfigError, InputError
from briefing.sources import feeds as feeds_module
from briefing.sources.addresses import is_private_address
from briefing.sources.feeds import FeedItem, parse_feed, read_feed
from briefing.sources.http import Accept, FetchError, FetchPolicy, fetch
from briefing.sources.web import fetch_article
from tests.web_server import (
    ARTICLE_TITLE,
    RSS,
    SECOND_TITLE,
    TEST_CA_PEM,
    Page,
    WebServer,
    tls_web_server_fixture,  # noqa: F401  (the tls_web_server fixture)
    web_server_fixture,  # noqa: F401  (the web_server fixture)
)

HINT = "(use --allow-private for intranet sources)"
ALLOWED = (
    "(allowed: text/html, application/xhtml+xml, text/plain, text/markdown; "
    "feeds: application/rss+xml, application/atom+xml, application/xml, text/xml, "
    "application/rdf+xml)"
)
PUBLIC_IP = "93.184.216.34"  # a public address; the dialer routes it to the local server
MARKERS = ("MARKER", "trackingId", "cookies", "Related stories", "All rights reserved", "Subscribe")


def _loopback_only(address: str, port: int) -> tuple[str, int]:
    """The dialer of every test policy: refuse (loudly) to connect anywhere but loopback."""
    if address not in ("127.0.0.1", "::1"):
        raise AssertionError(f"test tried to connect to {address}:{port}")
    return address, port


LOCAL = FetchPolicy(allow_private=True, dialer=_loopback_only)


def local(**changes: Any) -> FetchPolicy:
    return dataclasses.replace(LOCAL, **changes)


def problem(excinfo: pytest.ExceptionInfo[FetchError]) -> str:
    return str(excinfo.value)


class FakeNet:
    """Fake DNS plus routing: names resolve to the given addresses; PUBLIC_IP goes to the server."""

    def __init__(self, server: WebServer, names: dict[str, list[str]] | None = None) -> None:
        self.server = server
        self.names = {"public.test": [PUBLIC_IP], **(names or {})}
        self.lookups: list[str] = []
        self.dials: list[tuple[str, int]] = []

    def resolve(self, host: str) -> list[str]:
        self.lookups.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answer = self.names[host]
        return answer

    def dial(self, address: str, port: int) -> tuple[str, int]:
        self.dials.append((address, port))
        if address == PUBLIC_IP and port == self.server.port:
            return "127.0.0.1", port
        return _loopback_only(address, port)

    def policy(self, **changes: Any) -> FetchPolicy:
        return FetchPolicy(resolver=self.resolve, dialer=self.dial, **changes)

    def url(self, path: str, host: str = "public.test") -> str:
        return f"http://{host}:{self.server.port}{path}"


# --- good articles ------------------------------------------------------------------------


def test_html_article_is_extracted_without_page_furniture(web_server: WebServer) -> None:
    url = web_server.url("/article")
    article = fetch_article(url, LOCAL)
    assert article.title == ARTICLE_TITLE
    assert article.source.kind == "url"
    assert article.source.location == url
    assert article.source.title == ARTICLE_TITLE
    assert article.source.published == "2024-05-14"
    assert len(article.source.sha256) == 64
    assert article.text.startswith("Officials in the port city of Valmora confirmed on Tuesday")
    assert article.text.endswith("as early as next week if inspections allow.")
    assert article.word_count > 300
    for marker in MARKERS:
        assert marker not in article.text
    [request] = web_server.requests
    assert request.path == "/article"
    assert (request.header("user-agent") or "").startswith("briefing/0.1.0 (+https://")
    assert request.header("accept-encoding") == "gzip, deflate"
    assert (request.header("accept") or "").startswith("text/html")


@pytest.mark.parametrize("path", ["/article.txt", "/article.md"])
def test_text_and_markdown_articles(web_server: WebServer, path: str) -> None:
    article = fetch_article(web_server.url(path), LOCAL)
    assert article.title == ARTICLE_TITLE
    assert article.text.startswith("Officials in the port city")
    assert article.source.published is None


@pytest.mark.parametrize("path", ["/article.gz", "/article.deflate", "/article.rawdeflate"])
def test_compressed_articles_are_inflated(web_server: WebServer, path: str) -> None:
    plain = fetch_article(web_server.url("/article"), LOCAL)
    packed = fetch_article(web_server.url(path), LOCAL)
    assert packed.text == plain.text
    assert packed.title == ARTICLE_TITLE


@pytest.mark.parametrize("path", ["/latin1", "/meta-charset"])
def test_declared_charset_is_used(web_server: WebServer, path: str) -> None:
    article = fetch_article(web_server.url(path), LOCAL)
    assert article.title.startswith("Valmorá harbour closed")
    assert "port city of Valmorá confirmed" in article.text


def test_fetch_returns_final_url_type_and_body(web_server: WebServer) -> None:
    got = fetch(web_server.url("/latin1"), LOCAL, accept="article")
    assert got.url == web_server.url("/latin1")
    assert (got.content_type, got.charset) == ("text/html", "iso-8859-1")
    assert b"Valmor\xe1" in got.body


@pytest.mark.parametrize("path", ["/to-article", "/chain/5"])
def test_redirects_are_followed_up_to_the_limit(web_server: WebServer, path: str) -> None:
    article = fetch_article(web_server.url(path), LOCAL)
    assert article.title == ARTICLE_TITLE
    final = "/article" if path == "/to-article" else "/chain/0"
    assert article.source.location == web_server.url(final)


def test_fallback_extraction_when_trafilatura_finds_nothing(
    web_server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    article = fetch_article(web_server.url("/article"), LOCAL)
    assert article.title == ARTICLE_TITLE
    assert "fire damaged the main fuel terminal" in article.text
    assert "NAV-MARKER" not in article.text and "SCRIPT-MARKER" not in article.text


def test_extraction_is_offline(web_server: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura gets the HTML string only: the one connection is ours, to the server."""
    connects: list[Any] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        connects.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    fetch_article(web_server.url("/article"), LOCAL)
    assert connects == [("127.0.0.1", web_server.port)]
    assert web_server.paths == ["/article"]


def test_too_short_article_is_an_input_error(web_server: WebServer) -> None:
    url = web_server.url("/short")
    with pytest.raises(InputError) as excinfo:
        fetch_article(url, LOCAL)
    assert str(excinfo.value) == f"{url} is too short to brief: 4 words (at least 40 needed)"


# --- faults -------------------------------------------------------------------------------


def fails(url: str, policy: FetchPolicy = LOCAL, accept: Accept = "any") -> FetchError:
    with pytest.raises(FetchError) as excinfo:
        fetch(url, policy, accept=accept)
    return excinfo.value


@pytest.mark.parametrize("path", ["/slow", "/slow-body"])
def test_deadline(web_server: WebServer, path: str) -> None:
    url = web_server.url(path)
    start = time.monotonic()
    error = fails(url, local(deadline=0.5))
    elapsed = time.monotonic() - start
    assert str(error) == f"{url}: took longer than 0.5 s (deadline)"
    assert error.transient is True
    assert elapsed > 0.45  # it waited for the deadline
    assert web_server.answered == []  # and gave up while the page was still coming


def test_deadline_is_total_across_redirects(web_server: WebServer) -> None:
    for n in range(1, 5):  # each hop takes 0.3 s, well under the deadline on its own
        web_server.route(f"/lag/{n}", Page.redirect(f"/lag/{n - 1}", delay=0.3))
    web_server.route("/lag/0", Page("<p>late</p>", delay=0.3))
    url = web_server.url("/lag/4")
    error = fails(url, local(deadline=1.0))
    assert str(error) == f"{url}: took longer than 1 s (deadline)"
    # Cut during the fourth hop (0.9-1.2 s): no hop alone came near the deadline.
    assert web_server.paths == ["/lag/4", "/lag/3", "/lag/2", "/lag/1"]


def test_deadline_covers_name_resolution() -> None:
    release, resolved = threading.Event(), threading.Event()

    def hanging_dns(host: str) -> list[str]:
        release.wait(10)
        resolved.set()
        return [PUBLIC_IP]

    try:
        error = fails("http://slow-dns.test/", FetchPolicy(deadline=0.3, resolver=hanging_dns))
        assert not resolved.is_set()  # it gave up while the name was still being resolved
    finally:
        release.set()
    assert str(error) == "http://slow-dns.test/: took longer than 0.3 s (deadline)"


@pytest.mark.parametrize("path", ["/big", "/big-stream", "/bomb"])
def test_size_cap_on_decompressed_bytes(web_server: WebServer, path: str) -> None:
    url = web_server.url(path)
    assert str(fails(url)) == f"{url}: larger than 20 MB"


def test_size_cap_is_configurable(web_server: WebServer) -> None:
    url = web_server.url("/article.gz")
    assert str(fails(url, local(max_bytes=1024))) == f"{url}: larger than 1 KB"


def test_unsupported_content_encoding(web_server: WebServer) -> None:
    url = web_server.url("/brotli")
    assert str(fails(url)) == f"{url}: unsupported content encoding br"


def test_png_is_not_an_article(web_server: WebServer) -> None:
    url = web_server.url("/image.png")
    expected = f"{url}: content type image/png is not an article {ALLOWED}"
    assert str(fails(url, accept="article")) == expected
    with pytest.raises(FetchError) as excinfo:
        fetch_article(url, LOCAL)
    assert str(excinfo.value) == expected


def test_missing_content_type_is_refused(web_server: WebServer) -> None:
    url = web_server.url("/no-type")
    expected = f"{url}: content type (none) is not an article {ALLOWED}"
    assert str(fails(url, accept="article")) == expected


@pytest.mark.parametrize(
    ("path", "status", "transient"), [("/missing", 404, False), ("/error", 503, True)]
)
def test_http_errors(web_server: WebServer, path: str, status: int, transient: bool) -> None:
    url = web_server.url(path)
    error = fails(url)
    assert str(error) == f"{url}: HTTP {status}"
    assert error.transient is transient


@pytest.mark.parametrize("path", ["/loop", "/chain/6"])
def test_too_many_redirects(web_server: WebServer, path: str) -> None:
    url = web_server.url(path)
    assert str(fails(url)) == f"{url}: too many redirects (more than 5)"
    assert len(web_server.requests) == 6


def test_redirects_can_be_forbidden(web_server: WebServer) -> None:
    url = web_server.url("/to-article")
    assert str(fails(url, local(max_redirects=0))) == f"{url}: too many redirects (more than 0)"


@pytest.mark.parametrize(
    ("path", "target"),
    [("/to-file", "file:///etc/passwd"), ("/to-ftp", "ftp://127.0.0.1/pub/article.txt")],
)
def test_redirect_to_another_scheme_is_refused(
    web_server: WebServer, path: str, target: str
) -> None:
    url = web_server.url(path)
    expected = f"{url}: redirected to {target}: only http and https URLs are fetched"
    assert str(fails(url)) == expected


def test_invalid_redirect_location(web_server: WebServer) -> None:
    web_server.route("/bad-location", Page.redirect("http://[oops/"))
    url = web_server.url("/bad-location")
    assert str(fails(url)).startswith(f"{url}: invalid redirect (")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.txt", "file:///etc/passwd", "javascript:alert(1)", "example.com/a"]
)
def test_only_http_and_https(url: str, no_sockets: list[object]) -> None:
    assert str(fails(url, FetchPolicy())) == f"{url}: only http and https URLs are fetched"


def test_cannot_connect() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    error = fails(url)
    assert str(error) == f"{url}: cannot connect (connection refused)"
    assert error.transient is True


def test_certificate_is_verified(tls_web_server: WebServer) -> None:
    url = tls_web_server.url("/article")
    expected = f"{url}: certificate verification failed (unable to get local issuer certificate)"
    assert str(fails(url)) == expected
    assert tls_web_server.requests == []  # refused during the handshake: nothing was sent


def test_trusted_certificate_and_host_name_check(
    tls_web_server: WebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = tmp_path / "test-ca.pem"
    ca.write_text(TEST_CA_PEM)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # how an intranet CA is added
    assert fetch_article(tls_web_server.url("/article"), LOCAL).title == ARTICLE_TITLE
    # Pinned to the checked address, yet verified against the name: SNI and Host are the name.
    net = FakeNet(tls_web_server, {"other.test": [PUBLIC_IP]})
    port = tls_web_server.port
    assert fetch(f"https://public.test:{port}/article", net.policy()).content_type == "text/html"
    assert tls_web_server.requests[-1].header("host") == f"public.test:{port}"
    url = f"https://other.test:{port}/article"
    assert str(fails(url, net.policy())) == (
        f"{url}: certificate verification failed "
        "(Hostname mismatch, certificate is not valid for 'other.test')"
    )


def test_fetch_error_is_an_input_error() -> None:
    error = FetchError("http://x.test/", "HTTP 503", transient=True)
    assert isinstance(error, InputError) and error.exit_code == EXIT_USAGE
    assert (error.message, error.url, error.problem) == (
        "http://x.test/: HTTP 503",
        "http://x.test/",
        "HTTP 503",
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.transient) == (str(error), True)


def test_policy_is_validated() -> None:
    with pytest.raises(ConfigError):
        FetchPolicy(deadline=0)
    with pytest.raises(ConfigError):
        FetchPolicy(max_bytes=0)
    with pytest.raises(ConfigError):
        FetchPolicy(max_redirects=-1)


# --- private addresses --------------------------------------------------------------------


def test_loopback_server_refused_by_default_allowed_with_allow_private(
    web_server: WebServer,
) -> None:
    url = web_server.url("/article")
    assert str(fails(url, FetchPolicy())) == f"{url}: refused private address 127.0.0.1 {HINT}"
    assert web_server.requests == []
    assert fetch(url, FetchPolicy(allow_private=True)).url == url
    assert web_server.paths == ["/article"]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://192.168.1.20:8080/admin", "192.168.1.20"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[::ffff:10.0.0.1]:8080/", "::ffff:10.0.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://127.1.2.3/", "127.1.2.3"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1"),
    ],
)
def test_private_literal_addresses_refused_without_connecting(
    url: str, address: str, no_sockets: list[object]
) -> None:
    assert str(fails(url, FetchPolicy())) == f"{url}: refused private address {address} {HINT}"


def test_localhost_name_refused(web_server: WebServer) -> None:
    url = f"http://localhost:{web_server.port}/article"
    message = str(fails(url, FetchPolicy()))
    assert message in {
        f"{url}: refused private address {address} for localhost {HINT}"
        for address in ("127.0.0.1", "::1")
    }
    assert web_server.requests == []


def test_name_refused_if_any_address_is_private(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"mixed.test": [PUBLIC_IP, "10.0.0.7"]})
    url = net.url("/article", host="mixed.test")
    expected = f"{url}: refused private address 10.0.0.7 for mixed.test {HINT}"
    assert str(fails(url, net.policy())) == expected
    assert net.dials == [] and web_server.requests == []


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("93.184.216.34", False),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("64:ff9b::808:808", True),  # NAT64 (even of 8.8.8.8): inside the reserved ::/8
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.100.100.200", True),
        ("fd00:ec2::254", True),
        ("fc00::1", True),
        ("::", True),
        ("::ffff:192.168.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 wrapping 127.0.0.1
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("ff02::1", True),
        ("fe80::1%eth0", True),
        ("not an address", True),
    ],
)
def test_is_private_address(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def test_connects_to_the_checked_address_without_a_second_lookup(
    web_server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_lookups: list[object] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        system_lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    net = FakeNet(web_server)
    article = fetch_article(net.url("/article"), net.policy())
    assert article.title == ARTICLE_TITLE
    assert net.lookups == ["public.test"]  # checked once...
    assert net.dials == [(PUBLIC_IP, web_server.port)]  # ...and that address was dialled
    assert "public.test" not in system_lookups  # nobody resolved the name a second time
    assert web_server.requests[0].header("host") == f"public.test:{web_server.port}"


@pytest.mark.parametrize(
    ("path", "target", "address"),
    [
        ("/to-loopback", "@BASE@/article", "127.0.0.1"),
        ("/to-private", "http://10.0.0.1/admin", "10.0.0.1"),
        ("/to-metadata", "http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ],
)
def test_redirect_hop_to_private_address_refused(
    web_server: WebServer, path: str, target: str, address: str
) -> None:
    net = FakeNet(web_server)
    url = net.url(path)
    target = target.replace("@BASE@", web_server.base)
    expected = f"{url}: redirected to {target}: refused private address {address} {HINT}"
    assert str(fails(url, net.policy())) == expected
    assert web_server.paths == [path]  # the first hop was fetched, the private one never
    assert net.dials == [(PUBLIC_IP, web_server.port)]


def test_redirect_hop_to_name_resolving_private_refused(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"intranet.test": ["10.20.30.40"]})
    web_server.route("/to-intranet", Page.redirect("http://intranet.test/wiki"))
    url = net.url("/to-intranet")
    expected = (
        f"{url}: redirected to http://intranet.test/wiki: "
        f"refused private address 10.20.30.40 for intranet.test {HINT}"
    )
    assert str(fails(url, net.policy())) == expected
    assert net.lookups == ["public.test", "intranet.test"]


def test_dns_rebinding_between_hops_refused(web_server: WebServer) -> None:
    """Each hop is resolved and checked again: a name turning private mid-fetch is refused."""
    net = FakeNet(web_server)
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    net.resolve = lambda host: next(answers)  # type: ignore[method-assign]
    url = net.url("/chain/1", host="rebind.test")
    hop = net.url("/chain/0", host="rebind.test")
    expected = (
        f"{url}: redirected to {hop}: refused private address 127.0.0.1 for rebind.test {HINT}"
    )
    assert str(fails(url, net.policy())) == expected
    assert web_server.paths == ["/chain/1"]


def test_unknown_host(web_server: WebServer) -> None:
    net = FakeNet(web_server)
    url = net.url("/article", host="nowhere.test")
    error = fails(url, net.policy())
    assert str(error) == f"{url}: cannot resolve host name nowhere.test"
    assert error.transient is True


# --- feeds --------------------------------------------------------------------------------


def test_rss_feed_items(web_server: WebServer) -> None:
    base = web_server.base
    items = read_feed(web_server.url("/feed.rss"), LOCAL, max_items=10)
    assert items == [
        FeedItem(f"{base}/article.txt", "Plain-text edition", "2024-05-14T10:00:00+00:00"),
        FeedItem(f"{base}/article", "Valmora harbour closed", "2024-05-14T06:30:00+00:00"),
        FeedItem(f"{base}/article-2", "Older: harbour plan stalls", "2024-05-13T08:00:00+00:00"),
    ]  # newest first; relative link resolved; duplicate, mailto:, javascript: and no link dropped
    assert read_feed(web_server.url("/feed.rss"), LOCAL, max_items=2) == items[:2]
    assert (web_server.requests[0].header("accept") or "").startswith("application/rss+xml")


def test_atom_feed_items_link_to_fetchable_articles(web_server: WebServer) -> None:
    base = web_server.base
    items = read_feed(web_server.url("/feed.atom"), LOCAL, max_items=5)
    assert items == [
        FeedItem(f"{base}/article-2", "Traders & the closure", "2024-05-15T09:00:00+00:00"),
        FeedItem(f"{base}/article", "Valmora harbour closed", "2024-05-14T06:30:00+00:00"),
    ]
    titles = [fetch_article(item.link, LOCAL).title for item in items]
    assert titles == [SECOND_TITLE, ARTICLE_TITLE]


def test_feed_without_items(web_server: WebServer) -> None:
    assert read_feed(web_server.url("/feed-empty"), LOCAL, max_items=5) == []


def test_malformed_feed(web_server: WebServer) -> None:
    url = web_server.url("/feed-broken")
    with pytest.raises(FetchError) as excinfo:
        read_feed(url, LOCAL, max_items=5)
    expected = f"{url}: not a valid RSS/Atom feed (no element found at line 2, column 71)"
    assert problem(excinfo) == expected


def test_html_page_is_not_a_feed(web_server: WebServer) -> None:
    url = web_server.url("/feed-html")
    with pytest.raises(FetchError) as excinfo:
        read_feed(url, LOCAL, max_items=5)
    assert (
        problem(excinfo)
        == f"{url}: not a valid RSS/Atom feed (mismatched tag at line 15, column 2)"
    )


def test_png_is_not_a_feed(web_server: WebServer) -> None:
    url = web_server.url("/image.png")
    with pytest.raises(FetchError) as excinfo:
        read_feed(url, LOCAL, max_items=5)
    assert problem(excinfo) == f"{url}: content type image/png is not a feed {ALLOWED}"


def test_feed_body_is_never_taken_for_a_path(web_server: WebServer, tmp_path: Path) -> None:
    """feedparser opens a *string* argument as a file or URL; we only ever give it a stream."""
    local_feed = tmp_path / "feed.xml"
    local_feed.write_text(RSS.replace("@BASE@", "http://leak.test"))
    web_server.route("/feed-path", Page(str(local_feed), content_type="application/rss+xml"))
    url = web_server.url("/feed-path")
    with pytest.raises(FetchError) as excinfo:
        read_feed(url, LOCAL, max_items=5)
    assert problem(excinfo).startswith(f"{url}: not a valid RSS/Atom feed (")
    with pytest.raises(feeds_module._NotAFeed):
        parse_feed(str(local_feed).encode(), base="http://x.test/")


def test_feed_limits_apply(web_server: WebServer) -> None:
    url = web_server.url("/feed.rss")
    with pytest.raises(FetchError) as excinfo:
        read_feed(url, FetchPolicy(), max_items=5)
    assert problem(excinfo) == f"{url}: refused private address 127.0.0.1 {HINT}"
    with pytest.raises(ConfigError):
        read_feed(url, LOCAL, max_items=0)
