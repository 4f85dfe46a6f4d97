"""Reading PDFs back in tests: the text of each page, as pypdf extracts it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader


def pdf_pages_text(pdf: bytes | Path) -> list[str]:
    """The extracted text of every page of ``pdf`` (its bytes or its file)."""
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def squash(text: str) -> str:
    """Drop all whitespace: PDF text extraction breaks lines inside long tokens."""
    return re.sub(r"\s+", "", text)
