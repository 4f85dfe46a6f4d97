"""What the tests of a digest laid out in parts share: the digest, its HTML, the PDF joined from
parts and the PDF of one layout (tests/test_parallel_render.py, tests/test_parallel_runs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from briefing import render
from briefing.model import Digest
from briefing.render.parallel import render_in_parts
from briefing.render.pdf import write_pdf
from tests.factories import make_next_day

SEED = "digest|test"


def one_layout(html: str, digest: Digest, variant: str | None = None) -> bytes:
    return write_pdf(html, seed=SEED, title=digest.title, pdf_variant=variant)


def in_parts(html: str, digest: Digest, variant: str | None = None, **options: Any) -> bytes:
    options = {"workers": 1, "min_parts": 2, "max_units": 1, **options}
    pdf = render_in_parts(html, seed=SEED, title=digest.title, pdf_variant=variant, **options)
    assert pdf is not None
    return pdf


@pytest.fixture(scope="module")
def day() -> Digest:
    return make_next_day()


@pytest.fixture(scope="module")
def full_html(day: Digest) -> str:
    return render.render_digest_html(day, detail="full")


@pytest.fixture(scope="module")
def pair(day: Digest, full_html: str) -> tuple[bytes, bytes]:
    """(joined, one layout) of a digest with stories, dropped stories and the annex."""
    return in_parts(full_html, day), one_layout(full_html, day)
