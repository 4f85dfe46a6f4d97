"""Pydantic models at the boundaries: the article we read and the briefing we write.

The JSON contract (``--format json``) is ``Briefing.model_dump(mode="json")``; see
../shared/design.md. Fields may be added; existing keys keep their meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Counted per script: Chinese and Japanese have no spaces between words (text/words.py).
from briefing.text.words import WORDS_PER_MINUTE as WORDS_PER_MINUTE  # re-exported
from briefing.text.words import count_words, reading_minutes

SCHEMA_VERSION = 1

SourceKind = Literal["file", "stdin", "url", "feed"]
ActorKind = Literal["state", "organisation", "armed group", "person", "place", "other"]
Confidence = Literal["low", "moderate", "high"]
Rating = Literal["low", "medium", "high"]
SummariserName = Literal["offline", "openai"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    kind: SourceKind
    location: str
    sha256: str
    title: str | None = None
    published: str | None = None


class Article(Strict):
    """Cleaned article text as read from a source (untrusted data)."""

    title: str
    text: str
    source: Source
    # Invisible characters stripped from the input (zero-width, Unicode tags, bidi controls)
    # and the text Unicode tag characters spelled, for the hidden_text/injection checks.
    hidden_removed: int = 0
    hidden_text: str = ""

    @property
    def word_count(self) -> int:
        return count_words(self.text)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.text)


class Grounded(Strict):
    """An item backed by evidence quotes, and the verdict of the grounding check on them.

    ``supported`` is None until checked; False comes with a ``reason`` naming what failed.
    """

    evidence: list[str] = Field(default_factory=list)
    # In a story's briefing (several sources), the source of each quote: 1-based numbers into
    # Story.sources, parallel to ``evidence``; empty in a single article's briefing.
    evidence_sources: list[int] = Field(default_factory=list)
    supported: bool | None = None
    reason: str | None = None


class Actor(Grounded):
    name: str
    kind: ActorKind
    role: str
    aliases: list[str] = Field(default_factory=list)


class Assessment(Grounded):
    text: str
    confidence: Confidence


class Risk(Grounded):
    description: str
    likelihood: Rating
    impact: Rating


class Flag(Strict):
    kind: str
    detail: str


# A flag's kind when the article seems to carry instructions aimed at a model, and its detail
# when the model itself reported them (the summarisers set it; the checks merge their own).
INJECTION_SUSPECTED = "injection_suspected"
MODEL_INJECTION_DETAIL = "the model reported instructions aimed at it in the article"


class PromptRef(Strict):
    name: str
    version: int
    sha256: str


class Usage(Strict):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Of prompt_tokens, those the provider served from its prompt cache (billed lower), as
    # its API reports them (usage.prompt_tokens_details.cached_tokens); None, and left out of
    # the JSON, where it does not report them.
    cached_tokens: int | None = Field(default=None, exclude_if=lambda v: v is None)
    # Of these tokens, those of requests answered through the Batch API (``daily --batch``),
    # which are billed at the batch discount (``briefing.prices.cost_of``); None, and left out
    # of the JSON, when there were none.
    batch: Usage | None = Field(default=None, exclude_if=lambda v: v is None)


class Cost(Strict):
    """What tokens cost in US dollars, and the prices used (see briefing.prices)."""

    usd: float
    basis: str  # "briefing's prices of 2025-08-07", "prices from the config file", "no tokens"


class GroundingSummary(Strict):
    """How many items (actors, the assessment, risks) the article supports."""

    supported: int
    total: int
    method: str  # the matching rule and tolerance, in words


class Split(Strict):
    """How an article too long for the model's budget was summarised (map-reduce)."""

    strategy: Literal["map-reduce"] = "map-reduce"
    chunks: int
    max_input_tokens: int
    estimated_tokens: int  # of the whole article
    merge_prompt: PromptRef


class Provenance(Strict):
    summariser: SummariserName
    summariser_version: str
    model: str | None = None
    base_url: str | None = None
    prompt: PromptRef | None = None
    temperature: float | None = None
    # The sampling parameters the model's requests actually carried (after the per-model
    # policy and any the server refused): e.g. {"max_completion_tokens": 26000,
    # "reasoning_effort": "low"}. Empty for the offline summariser and in older briefings.
    parameters: dict[str, int | float | str] = Field(default_factory=dict)
    generated_at: datetime
    usage: Usage = Field(default_factory=Usage)
    cost: Cost | None = None  # of usage; None: no model, or one no price table knows
    duration_ms: int = 0
    grounding: GroundingSummary | None = None
    split: Split | None = None
    tool_version: str
    schema_version: int = SCHEMA_VERSION


class Briefing(Strict):
    title: str
    source: Source
    situation: str
    actors: list[Actor]
    assessment: Assessment
    risks: list[Risk]
    flags: list[Flag] = Field(default_factory=list)
    provenance: Provenance
    word_count: int = 0
    reading_minutes: int = 1
    language: str | None = None  # BCP 47 code of the briefing's own text, when known


SourceStatusName = Literal["ok", "cached", "failed", "duplicate"]


class SourceStatus(Strict):
    """One source of a digest and what became of it (the digest's appendix)."""

    location: str
    kind: SourceKind
    via: str | None = None  # the feed an item came from
    status: SourceStatusName
    reason: str | None = None
    title: str | None = None
    ms: int = 0


class SummaryPoint(Strict):
    """One line of a digest's executive summary, pointing at the sections it draws on."""

    text: str
    # 1-based section numbers: into Digest.stories (the document's sections), or into
    # Digest.briefings in a digest made before stories existed (empty stories)
    briefings: list[int] = Field(default_factory=list)


class SummaryMeta(Strict):
    """How a day's executive summary was made (model, prompt, tokens), for the provenance."""

    model: str | None = None
    base_url: str | None = None
    prompt: PromptRef | None = None
    usage: Usage = Field(default_factory=Usage)


class DigestProvenance(Strict):
    summariser: SummariserName
    model: str | None = None
    base_url: str | None = None
    prompt: PromptRef | None = None  # the digest prompt, for a model-written summary
    generated_at: datetime
    usage: Usage = Field(default_factory=Usage)
    duration_ms: int = 0
    cache_hits: int = 0
    model_requests: int = 0  # briefings summarised in this run (not from the cache)
    # Tokens of the briefings and the summary made in this run (none for those taken from the
    # cache) and what they cost; cost None: no model, or one no price table knows.
    run_usage: Usage = Field(default_factory=Usage)
    cost: Cost | None = None
    tool_version: str
    schema_version: int = SCHEMA_VERSION


StoryStatus = Literal["new", "developing"]


class Story(Strict):
    """Articles about the same event, briefed as one: all its sources, one briefing.

    ``briefing`` is the story's briefing: the only source's own, or the sources' briefings
    reconciled into one (by the ``merge`` prompt with a model; offline, by rule), each evidence
    quote tied to its source through ``Grounded.evidence_sources``. ``key`` identifies the
    story across days (the digest history matches today's stories to earlier ones by content,
    then keeps the earlier key)."""

    key: str
    title: str
    status: StoryStatus
    sources: list[Source]  # in the order of the day's articles
    briefings: list[int]  # 1-based numbers into Digest.briefings: the per-source briefings
    briefing: Briefing
    # developing: what is new since ``previous_day`` (actors who appeared, risks that rose or
    # fell, new numbers), one short line each
    changes: list[str] = Field(default_factory=list)
    previous_day: str | None = None  # ISO date of the digest this story continues


class DroppedStory(Strict):
    """A story of the previous digest that no source reported today."""

    key: str
    title: str
    last_day: str  # ISO date of the digest it was last in


class Digest(Strict):
    """Many briefings of one day in one document.

    ``briefings`` holds one briefing per source briefed (as before stories existed: kept for
    scripts that read it); ``stories`` groups them by event and is what the document shows.
    ``previous_day`` is the earlier digest of the same output the stories are compared with
    (None for a first digest)."""

    title: str
    day: str  # ISO date the digest is for
    executive_summary: list[SummaryPoint]
    briefings: list[Briefing]
    sources: list[SourceStatus]
    provenance: DigestProvenance
    stories: list[Story] = Field(default_factory=list)
    dropped: list[DroppedStory] = Field(default_factory=list)
    previous_day: str | None = None
