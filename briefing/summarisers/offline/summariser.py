"""The offline summariser: a complete briefing from the article's own sentences.

Deterministic, fast (linear in the article's length), no network and nothing downloaded:
the standard library, pydantic and the bundled gazetteer only. Each section is built by a
documented rule set in its own module:

* situation — :mod:`briefing.summarisers.offline.situation` (position + centrality, word budget,
  a leading dateline left out);
* actors — :mod:`briefing.summarisers.offline.actors` (gazetteer + capitalised-phrase rules);
* assessment — :mod:`briefing.summarisers.offline.judgement` (attribution, hedging,
  corroboration); risks — :mod:`briefing.summarisers.offline.risks` (warnings, modality,
  severity lexicons; forward-looking only).

Every evidence string is a sentence of the article, verbatim (the situation, which has no
evidence, leaves out a leading dateline and cuts a run-on with no full stop). Only
``generated_at`` and ``duration_ms`` vary between runs on the same article.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from briefing.errors import InputError, SummariserError
from briefing.model import Article, Briefing, Provenance, SummaryMeta, SummaryPoint
from briefing.summarisers.offline.actors import extract_actors
from briefing.summarisers.offline.day import day_points
from briefing.summarisers.offline.judgement import assess, find_risks
from briefing.summarisers.offline.situation import situation as choose_situation
from briefing.text.languages import detect as detect_language
from briefing.text.sentences import split_sentences
from briefing.version import __version__

_UTC = timezone(timedelta(0))


class OfflineSummariser:
    """Extractive, rule-based summariser (``--summariser offline``)."""

    name = "offline"
    # Part of the cache key: bumped whenever the output for the same article changes, so a
    # cached briefing of an older version is never served as this one's. 2: issue 10 (the
    # situation's splitter and datelines, forward-looking risks, separate judgements).
    version = "2"
    remote = False  # nothing leaves the machine: nothing to cache, nothing to fall back from

    def summarise(self, article: Article) -> Briefing:
        started = time.perf_counter()
        text = article.text
        sentences = split_sentences(text)
        if not sentences:
            raise InputError("the article has no text to summarise")
        try:
            situation = choose_situation(sentences, article.title)
            picked = {s.index for s in situation.sentences}
            actors = extract_actors(sentences, text)
            risks = find_risks(sentences)
            # A warning named as a risk is not also the assessment (the analysis of what is).
            warned = {s.index for s in sentences if any(s.text in r.evidence[:1] for r in risks)}
            assessment = assess(sentences, picked | warned)
        except (RecursionError, MemoryError, ValueError) as exc:
            raise SummariserError(f"the offline summariser failed: {exc}") from exc
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        return Briefing(
            title=article.title,
            source=article.source,
            situation=situation.text,
            actors=actors,
            assessment=assessment,
            risks=risks,
            provenance=Provenance(
                summariser="offline",
                summariser_version=self.version,
                model=None,
                base_url=None,
                prompt=None,
                temperature=None,
                generated_at=datetime.now(_UTC),
                duration_ms=elapsed_ms,
                tool_version=__version__,
            ),
            word_count=article.word_count,
            reading_minutes=article.reading_minutes,
            language=detect_language(article.text),  # its sentences are the article's own
        )

    def summarise_day(
        self, briefings: Sequence[Briefing]
    ) -> tuple[list[SummaryPoint], SummaryMeta]:
        """The executive summary of a digest: see :mod:`briefing.summarisers.offline.day`."""
        return day_points(briefings), SummaryMeta()
