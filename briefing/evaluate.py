"""`briefing eval`: score summariser configurations on a JSONL set of {id, text, reference}.

A set whose items carry gold named ``entities`` (name, type PER/ORG/LOC/MISC, mentions; the
CoNLL++ set in shared/eval) is also scored for actors, with the rules of
shared/eval/score_actors.py (:func:`score_actors`): precision, key recall and actors per
briefing; ``reference`` may then be left out (no ROUGE for that item).

For each configuration: ROUGE-1/2/Lsum F1 (stemmed) of the situation against the reference,
the share of evidence quotes found verbatim in the article, mean actors and risks per briefing,
failures, mean latency and tokens per article. Runs articles concurrently, with a bound.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.config import Settings
from briefing.errors import BriefingError, ConfigError, InputError
from briefing.history import current_run
from briefing.model import Briefing
from briefing.sources.files import article_from_text
from briefing.text.sentences import normalise_space, split_sentences
from briefing.version import DISTRIBUTION


class GoldEntity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: str
    mentions: int = 1


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str
    reference: str = ""
    entities: list[GoldEntity] | None = None


@dataclass(frozen=True)
class Outcome:
    briefing: Briefing | None
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class Row:
    label: str
    articles: int
    rouge1: float
    rouge2: float
    rougeLsum: float
    evidence_verbatim: float
    actors: float
    risks: float
    failures: int
    latency_ms: float
    tokens: float
    actor_score: ActorScore | None = None


def load_dataset(path: Path, limit: int | None = None) -> list[EvalItem]:
    items: list[EvalItem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {(exc.strerror or 'error').lower()}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 JSONL") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(EvalItem.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = (
                exc.msg
                if isinstance(exc, json.JSONDecodeError)
                else (f"{'.'.join(map(str, exc.errors()[0]['loc']))}: {exc.errors()[0]['msg']}")
            )
            raise InputError(
                f"{path} line {number}: {reason} (want id, text, and reference or entities)"
            ) from None
        if not items[-1].reference.strip() and items[-1].entities is None:
            raise InputError(f"{path} line {number}: want a reference or gold entities")
        if limit is not None and len(items) >= limit:
            break
    if not items:
        raise InputError(f"{path} holds no items")
    return items


def configurations(
    summarisers: Sequence[str], prompts: Sequence[str | None], base: Settings
) -> list[Settings]:
    """One configuration per offline summariser, and per prompt for openai."""
    configs: list[Settings] = []
    for name in summarisers or ["auto"]:
        resolved = base.model_copy(update={"summariser": name}).resolved_summariser
        for prompt in (prompts or [None]) if resolved == "openai" else [None]:
            configs.append(base.model_copy(update={"summariser": resolved, "prompt": prompt}))
    return configs


def label_of(settings: Settings) -> str:
    if settings.resolved_summariser == "offline":
        return "offline"
    return f"openai {settings.model} {settings.prompt or 'briefing'}"


def run_eval(
    items: Sequence[EvalItem], configs: Sequence[Settings], concurrency: int = 4
) -> list[Row]:
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        raise ConfigError(
            "briefing eval needs the rouge-score package: "
            f"pip install '{DISTRIBUTION}[eval]' (in a clone: pip install '.[eval]')"
        ) from None
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    from briefing.summarisers import make_summariser

    rows = []
    for settings in configs:
        summariser = make_summariser(settings)

        def one(item: EvalItem, summariser: Any = summariser) -> Outcome:
            start = time.monotonic()
            try:
                article = article_from_text(item.text, name=item.id, kind="file")
                return Outcome(summariser.summarise(article), time.monotonic() - start)
            except BriefingError as exc:
                return Outcome(None, time.monotonic() - start, exc.message)

        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            outcomes = list(pool.map(one, items))
        current_run().add_results([(i.id, o) for i, o in zip(items, outcomes, strict=True)])
        rows.append(_score(label_of(settings), items, outcomes, scorer))
    return rows


def _score(label: str, items: Sequence[EvalItem], outcomes: Sequence[Outcome], scorer: Any) -> Row:
    r1, r2, rl, actors, risks, tokens = [], [], [], [], [], []
    found = total = 0
    for item, outcome in zip(items, outcomes, strict=True):
        b = outcome.briefing
        if b is None:
            continue
        if item.reference.strip():
            lines = "\n".join(s.text for s in split_sentences(b.situation))
            reference = "\n".join(s.text for s in split_sentences(item.reference))
            scores = scorer.score(reference, lines)
            r1.append(scores["rouge1"].fmeasure)
            r2.append(scores["rouge2"].fmeasure)
            rl.append(scores["rougeLsum"].fmeasure)
        actors.append(len(b.actors))
        risks.append(len(b.risks))
        tokens.append(b.provenance.usage.prompt_tokens + b.provenance.usage.completion_tokens)
        article = normalise_space(item.text).lower()
        quotes = (
            [q for a in b.actors for q in a.evidence]
            + b.assessment.evidence
            + [q for r in b.risks for q in r.evidence]
        )
        total += len(quotes)
        found += sum(1 for q in quotes if normalise_space(q).lower() in article)

    def mean(values: Sequence[float]) -> float:
        return statistics.fmean(values) if values else 0.0

    return Row(
        label=label,
        articles=len(items),
        # No item with a reference (an entities-only set): no ROUGE, shown as "–".
        rouge1=100 * mean(r1) if r1 else math.nan,
        rouge2=100 * mean(r2) if r2 else math.nan,
        rougeLsum=100 * mean(rl) if rl else math.nan,
        evidence_verbatim=100 * found / total if total else 0.0,
        actors=mean(actors),
        risks=mean(risks),
        failures=sum(1 for o in outcomes if o.briefing is None),
        latency_ms=1000 * mean([o.seconds for o in outcomes]),
        tokens=mean(tokens),
        actor_score=_actor_score(items, outcomes),
    )


def format_table(rows: Sequence[Row]) -> str:
    head = (
        "| configuration | n | R-1 | R-2 | R-Lsum | evidence verbatim % | actors | risks "
        "| failures | latency ms | tokens/article |"
    )
    # Actor columns only for a set with gold entities, so other tables keep their shape.
    with_actors = any(r.actor_score is not None for r in rows)
    if with_actors:
        head += " actor precision | key recall | actors/doc |"
    lines = [head, "|" + "---|" * (14 if with_actors else 11)]
    for r in rows:
        line = (
            f"| {r.label} | {r.articles} | {_num(r.rouge1)} | {_num(r.rouge2)} "
            f"| {_num(r.rougeLsum)} "
            f"| {r.evidence_verbatim:.1f} | {r.actors:.1f} | {r.risks:.1f} | {r.failures} "
            f"| {r.latency_ms:.0f} | {r.tokens:.0f} |"
        )
        if with_actors:
            a = r.actor_score
            line += (
                f" {a.precision:.3f} | {a.key_recall:.3f} | {a.actors_per_doc:.1f} |"
                if a is not None
                else " – | – | – |"
            )
        lines.append(line)
    return "\n".join(lines)


def _num(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


# -- actors against gold entities (the rules of shared/eval/score_actors.py) ----------------

KEY_TYPES = ("PER", "ORG", "LOC")
_IGNORED = frozenset({"the", "of", "and"})


@dataclass(frozen=True)
class ActorScore:
    """Actors against gold entities, over the documents that have a key entity."""

    precision: float  # listed actors matching any gold entity of their document
    key_recall: float  # key entities (PER/ORG/LOC mentioned twice or more) some actor matches
    actors_per_doc: float
    docs: int


def _name_tokens(name: str) -> set[str]:
    words = re.sub(r"[^\w\s]", " ", name.lower()).split()
    return {w for w in words if w not in _IGNORED}


def names_match(actor: str, entity: str) -> bool:
    """Token-set containment either way, ignoring case, punctuation, "the", "of", "and"."""
    a, g = _name_tokens(actor), _name_tokens(entity)
    return bool(a) and bool(g) and (a <= g or g <= a)


def score_actors(
    documents: Sequence[tuple[Sequence[str], Sequence[GoldEntity]]],
) -> ActorScore:
    """Score (actor names, gold entities) per document as score_actors.py does."""
    listed = correct = keys = found = docs = 0
    for names, entities in documents:
        key = [e for e in entities if e.mentions >= 2 and e.type in KEY_TYPES]
        if not key:
            continue
        docs += 1
        listed += len(names)
        correct += sum(any(names_match(n, e.name) for e in entities) for n in names)
        keys += len(key)
        found += sum(any(names_match(n, e.name) for n in names) for e in key)
    return ActorScore(
        precision=correct / max(listed, 1),
        key_recall=found / max(keys, 1),
        actors_per_doc=listed / max(docs, 1),
        docs=docs,
    )


def _actor_score(items: Sequence[EvalItem], outcomes: Sequence[Outcome]) -> ActorScore | None:
    """None when no item has gold entities; a failed briefing lists no actors."""
    if all(item.entities is None for item in items):
        return None
    return score_actors(
        [
            ([a.name for a in o.briefing.actors] if o.briefing else [], item.entities or [])
            for item, o in zip(items, outcomes, strict=True)
            if item.entities is not None
        ]
    )
