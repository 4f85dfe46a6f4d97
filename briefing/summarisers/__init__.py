"""Summarisers turn an Article into a Briefing. Each one lives in its own module."""

from __future__ import annotations

from typing import Protocol

from briefing.model import Article, Briefing


class Summariser(Protocol):
    name: str

    def summarise(self, article: Article) -> Briefing:
        """Return a complete Briefing (content and provenance) for ``article``."""
        ...
