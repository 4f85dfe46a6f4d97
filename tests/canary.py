"""A canary HTTP server on 127.0.0.1: any request it receives is a fetch that must not happen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_base import LoopbackServer, QuietHandler


class Canary(LoopbackServer):
    """A local HTTP server that counts every request it receives (answering a little CSS)."""

    thread_name = "test-canary"
    methods = frozenset({"GET", "POST"})

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[str] = []
        self.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def handle_request(self, h: QuietHandler) -> None:
        self.hits.append(h.path)
        h.send_response(200)
        h.send_header("Content-Type", "text/css")
        h.send_header("Content-Length", "6")
        h.end_headers()
        h.wfile.write(b"body{}")


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server
