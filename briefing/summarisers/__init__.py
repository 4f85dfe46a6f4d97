"""Summarisers turn an Article into a Briefing, and a day's briefings into a summary.

Every summariser implements :class:`Summariser`; :data:`SUMMARISERS` is the plain registry,
name -> factory, that the CLI's choices, the pipeline, ``eval`` and the digest use:

* ``offline`` (:mod:`briefing.summarisers.offline`): the article's own sentences, no model;
* ``openai`` (:mod:`briefing.summarisers.openai`): any OpenAI-compatible model under a
  versioned prompt, through the official SDK.

The factories import their summariser when called: the openai SDK takes a second to import,
and a run that does not use it must not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from briefing.config import Settings
from briefing.model import Article, Briefing, SummaryMeta, SummaryPoint


class Summariser(Protocol):
    name: str
    # True when summarising asks a model over the network: results are cached, and a failed
    # day summary falls back to the offline selection.
    remote: bool

    def summarise(self, article: Article) -> Briefing:
        """Return a complete Briefing (content and provenance) for ``article``."""
        ...

    def summarise_day(
        self, briefings: Sequence[Briefing]
    ) -> tuple[list[SummaryPoint], SummaryMeta]:
        """The executive summary of a digest (briefings numbered from 1) and how it was made."""
        ...


def _offline(settings: Settings) -> Summariser:
    from briefing.summarisers.offline import OfflineSummariser

    return OfflineSummariser()


def _openai(settings: Settings) -> Summariser:
    from briefing.prompts import Registry
    from briefing.summarisers.openai import OpenAISummariser

    user_dirs = [settings.prompts_dir] if settings.prompts_dir else []
    return OpenAISummariser(settings, Registry(user_dirs).get(settings.prompt))


SUMMARISERS: dict[str, Callable[[Settings], Summariser]] = {
    "offline": _offline,
    "openai": _openai,
}


def make_summariser(settings: Settings) -> Summariser:
    """The summariser the settings ask for; ``auto`` means openai when a key or URL is set."""
    return SUMMARISERS[settings.resolved_summariser](settings)


__all__ = ["SUMMARISERS", "Summariser", "make_summariser"]
