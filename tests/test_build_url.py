"""`briefing build URL` and `briefing preview URL`: a web page briefed through the same safe
fetcher and policy as `daily` (issue "The house", item 4).

Every connection goes to the local :class:`tests.web_server.WebServer` on 127.0.0.1, which is a
private address: the tests that fetch allow it (``BRIEFING_ALLOW_PRIVATE=1``, or a policy with
``allow_private``), and the default refusal is tested on it too. Other addresses are never
contacted: a literal private address is refused before any socket is opened (``no_sockets``
proves it), and names are resolved by an injected resolver whose "public" address a dialer
routes to the local server, as tests/test_fetch.py does.

Exit codes: a page that cannot be read (refused address, HTTP 4xx, not an article, too short)
is bad input, 2; one that cannot be fetched for now (connection refused, timeout, DNS, HTTP
408/429/5xx) is a temporary failure, 75.
"""

from __future__ import annotations

import base64
import json
import socket
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.config import Settings
from briefing.errors import EXIT_TEMPFAIL, EXIT_USAGE, InputError, TemporaryError
from briefing.pipeline import FetchUnavailable, fetch_policy, is_url, read_url
from briefing.sources import FetchError, FetchPolicy
from tests.conftest import RunCli, files_under
from tests.web_server import (
    ARTICLE_TITLE,
    WebServer,
    web_server_fixture,  # noqa: F401  (the web_server fixture)
)

TODAY = date.today().isoformat()
SLUG = "valmora-harbour-closed-for-two-weeks-after-overnight-fire"
HINT = "(use --allow-private for intranet sources)"
PUBLIC_IP = "93.184.216.34"  # a public address; the dialer routes it to the local server


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the command fetch from the local test server (a loopback, hence private, address)."""
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE", "1")


def _loopback_only(address: str, port: int) -> tuple[str, int]:
    if address not in ("127.0.0.1", "::1"):
        raise AssertionError(f"test tried to connect to {address}:{port}")
    return address, port


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the command --------------------------------------------------------------------------


def test_build_url_to_json(web_server: WebServer, run_cli: RunCli, isolated: Path) -> None:
    url = web_server.url("/article")
    result = run_cli("build", url, "--allow-private", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"output/{TODAY}-{SLUG}.json\n"  # named from the page's title
    data = json.loads((isolated / result.stdout.strip()).read_text(encoding="utf-8"))
    assert data["title"] == ARTICLE_TITLE
    assert data["source"]["kind"] == "url"
    assert data["source"]["location"] == url
    assert data["source"]["title"] == ARTICLE_TITLE
    assert data["source"]["published"] == "2024-05-14"
    assert "Valmora" in data["situation"]
    assert web_server.paths == ["/article"]
    request = web_server.requests[0]
    assert (request.header("user-agent") or "").startswith("briefing/")


def test_build_url_to_pdf_with_default_name(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    result = run_cli("build", web_server.url("/article"), "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"output/{TODAY}-{SLUG}.pdf\n"
    assert (isolated / result.stdout.strip()).read_bytes().startswith(b"%PDF-")


def test_title_option_names_the_file(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    result = run_cli(
        "build", web_server.url("/article.txt"), "--title", "Harbour  fire", "-o", "out/", "-q"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"out/{TODAY}-harbour-fire.pdf\n"


def test_credentials_are_used_but_never_written_or_shown(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    url = f"http://reader:s3cret@127.0.0.1:{web_server.port}/article"
    result = run_cli("build", url, "-o", "a.json", "-q")
    assert result.returncode == 0, result.stderr
    doc = (isolated / "a.json").read_text(encoding="utf-8")
    assert json.loads(doc)["source"]["location"] == web_server.url("/article")
    assert "s3cret" not in doc and "reader" not in doc
    expected = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    assert web_server.requests[0].header("authorization") == expected
    missing = f"http://reader:s3cret@127.0.0.1:{web_server.port}/missing"
    result = run_cli("build", missing, "-o", "b.json")
    assert result.returncode == EXIT_USAGE
    assert result.stderr == f"Error: {web_server.url('/missing')}: HTTP 404\n"


def test_loopback_refused_by_default(
    web_server: WebServer, run_cli: RunCli, isolated: Path
) -> None:
    url = web_server.url("/article")
    result = run_cli("build", url, "--summariser", "offline")
    assert result.returncode == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == f"Error: {url}: refused private address 127.0.0.1 {HINT}\n"
    assert web_server.requests == []  # refused before connecting
    assert files_under(isolated) == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://[::1]:9/x", "::1"),
    ],
)
def test_private_literal_refused_without_connecting(
    url: str, address: str, isolated: Path, no_sockets: list[object]
) -> None:
    """In process, so that no_sockets holds: nothing is resolved or dialled."""
    result = CliRunner().invoke(main, ["build", url, "--summariser", "offline"])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == f"Error: {url}: refused private address {address} {HINT}\n"
    assert files_under(isolated) == []


def test_url_without_host_is_bad_input(isolated: Path, no_sockets: list[object]) -> None:
    result = CliRunner().invoke(main, ["build", "http:///article.txt", "--summariser", "offline"])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == "Error: http:///article.txt: the URL has no host name\n"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/missing", "HTTP 404"),
        (
            "/image.png",
            "content type image/png is not an article (allowed: text/html, "
            "application/xhtml+xml, text/plain, text/markdown; feeds: application/rss+xml, "
            "application/atom+xml, application/xml, text/xml, application/rdf+xml)",
        ),
        ("/loop", "too many redirects (more than 5)"),
        ("/to-file", "redirected to file:///etc/passwd: only http and https URLs are fetched"),
    ],
)
def test_unreadable_page_is_bad_input(
    path: str,
    problem: str,
    web_server: WebServer,
    run_cli: RunCli,
    isolated: Path,
    allow_private: None,
) -> None:
    url = web_server.url(path)
    result = run_cli("build", url, "--summariser", "offline")
    assert result.returncode == EXIT_USAGE
    assert result.stderr == f"Error: {url}: {problem}\n"
    assert files_under(isolated) == []


def test_too_short_page_is_bad_input(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    url = web_server.url("/short")
    result = run_cli("build", url, "--summariser", "offline")
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (f"Error: {url} is too short to brief: 4 words (at least 40 needed)\n")


def test_server_error_is_temporary(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    url = web_server.url("/error")
    result = run_cli("build", url, "--summariser", "offline")
    assert result.returncode == EXIT_TEMPFAIL
    assert result.stderr == f"Error: {url}: HTTP 503\n"
    assert files_under(isolated) == []


def test_fetch_timeout_option_and_a_slow_page_is_temporary(
    web_server: WebServer, run_cli: RunCli, isolated: Path
) -> None:
    url = web_server.url("/slow")
    result = run_cli(
        "build", url, "--allow-private", "--fetch-timeout", "0.5", "--summariser", "offline"
    )
    assert result.returncode == EXIT_TEMPFAIL
    assert result.stderr == f"Error: {url}: took longer than 0.5 s (deadline)\n"
    assert files_under(isolated) == []


def test_connection_refused_is_temporary(
    run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/article"
    result = run_cli("build", url, "--summariser", "offline")
    assert result.returncode == EXIT_TEMPFAIL
    assert result.stderr == f"Error: {url}: cannot connect (connection refused)\n"


def test_preview_url(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    result = run_cli("preview", web_server.url("/article"), "--no-open", "-q")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    try:
        html = path.read_text(encoding="utf-8")
        assert "Valmora harbour closed" in html and "Situation" in html
    finally:
        path.unlink()


def test_daily_never_writes_or_logs_credentials(
    web_server: WebServer, run_cli: RunCli, isolated: Path, allow_private: None
) -> None:
    """The same rule for a digest: the appendix, the log lines and the error hold no password."""
    urls = isolated / "urls.txt"
    good = f"http://me:s3cret@127.0.0.1:{web_server.port}/article"
    bad = f"http://me:s3cret@127.0.0.1:{web_server.port}/missing"
    urls.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    result = run_cli(
        "daily", "--urls", "urls.txt", "--summariser", "offline", "--no-cache", "-o", "d.json"
    )
    assert result.returncode == 3, result.stderr
    doc = (isolated / "d.json").read_text(encoding="utf-8")
    assert "s3cret" not in doc and "s3cret" not in result.stderr
    sources = {s["location"]: s for s in json.loads(doc)["sources"]}
    assert sources[web_server.url("/article")]["status"] == "ok"
    assert (
        sources[web_server.url("/missing")]["reason"] == f"{web_server.url('/missing')}: HTTP 404"
    )
    assert f"{web_server.url('/missing')} | fetch | failed: " in result.stderr


# --- the core: policy, errors ---------------------------------------------------------------


def test_is_url() -> None:
    assert is_url("http://example.org/a") and is_url("HTTPS://example.org/a")
    assert not is_url("article.txt") and not is_url("-") and not is_url("ftp://example.org/a")
    assert not is_url("http:relative")


def test_fetch_policy_follows_the_settings() -> None:
    assert fetch_policy(Settings()) == FetchPolicy(allow_private=False, deadline=20.0)
    chosen = Settings(allow_private=True, fetch_timeout=3)
    assert fetch_policy(chosen) == FetchPolicy(allow_private=True, deadline=3.0)


def test_deadline_is_temporary(web_server: WebServer) -> None:
    url = web_server.url("/slow")
    policy = FetchPolicy(allow_private=True, deadline=0.5, dialer=_loopback_only)
    with pytest.raises(FetchUnavailable) as caught:
        read_url(url, policy)
    assert str(caught.value) == f"{url}: took longer than 0.5 s (deadline)"
    assert caught.value.exit_code == EXIT_TEMPFAIL
    # Catchable as what it is: a fetch that failed, and a temporary failure.
    assert isinstance(caught.value, FetchError) and isinstance(caught.value, TemporaryError)


class FakeNet:
    """Fake DNS plus routing: names resolve to the given addresses; PUBLIC_IP goes to the
    local server; nothing else is ever dialled."""

    def __init__(self, server: WebServer, names: dict[str, list[str]]) -> None:
        self.server = server
        self.names = names
        self.dials: list[tuple[str, int]] = []

    def resolve(self, host: str) -> list[str]:
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.names[host]

    def dial(self, address: str, port: int) -> tuple[str, int]:
        self.dials.append((address, port))
        if address == PUBLIC_IP and port == self.server.port:
            return "127.0.0.1", port
        return _loopback_only(address, port)

    def policy(self, *, allow_private: bool = False) -> FetchPolicy:
        return FetchPolicy(allow_private=allow_private, resolver=self.resolve, dialer=self.dial)


def test_public_host_is_fetched_without_allow_private(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"news.test": [PUBLIC_IP]})
    url = f"http://news.test:{web_server.port}/article"
    article = read_url(url, net.policy())
    assert article.title == ARTICLE_TITLE
    assert article.source.kind == "url" and article.source.location == url
    assert net.dials == [(PUBLIC_IP, web_server.port)]


def test_intranet_name_refused_without_connecting(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"intranet.test": ["10.20.30.40"]})
    url = f"http://intranet.test:{web_server.port}/article"
    with pytest.raises(FetchError) as caught:
        read_url(url, net.policy())
    assert str(caught.value) == (
        f"{url}: refused private address 10.20.30.40 for intranet.test {HINT}"
    )
    assert caught.value.exit_code == EXIT_USAGE
    assert not isinstance(caught.value, TemporaryError)
    assert net.dials == [] and web_server.requests == []


def test_redirect_from_public_to_private_refused(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"news.test": [PUBLIC_IP]})
    url = f"http://news.test:{web_server.port}/to-private"
    with pytest.raises(FetchError) as caught:
        read_url(url, net.policy())
    assert str(caught.value) == (
        f"{url}: redirected to http://10.0.0.1/admin: refused private address 10.0.0.1 {HINT}"
    )
    assert net.dials == [(PUBLIC_IP, web_server.port)]  # never 10.0.0.1


def test_unknown_host_is_temporary(web_server: WebServer) -> None:
    net = FakeNet(web_server, {})
    url = f"http://nowhere.test:{web_server.port}/article"
    with pytest.raises(FetchUnavailable) as caught:
        read_url(url, net.policy())
    assert str(caught.value) == f"{url}: cannot resolve host name nowhere.test"


def test_credentials_removed_from_every_message(web_server: WebServer) -> None:
    net = FakeNet(web_server, {"intranet.test": ["10.0.0.9"]})
    url = f"http://me:pw@intranet.test:{web_server.port}/a"
    with pytest.raises(InputError) as caught:
        read_url(url, net.policy())
    assert str(caught.value) == (
        f"http://intranet.test:{web_server.port}/a: refused private address 10.0.0.9 for "
        f"intranet.test {HINT}"
    )
