"""The history in words: ``briefing log list`` and ``log show``, their JSON, and the one
line of ``-u/--usage``. Plain text in, plain text out: the CLI only prints it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from briefing.history.records import BriefingRow, RunRecord
from briefing.model import Usage
from briefing.prices import NO_TOKENS, PRICES_DATE, cost_text, format_usd, tokens_text, total_usage

__all__ = ["run_json", "runs_json", "runs_table", "show_run", "totals_line", "usage_line"]

_NONE = "—"
_CELL_MAX = 70  # characters of a title, location or error in a table cell


def usage_line(record: RunRecord) -> str:
    """``usage: 3 model requests, 1,234 tokens in (200 cached), 456 out; cost $0.0012 (…)``."""
    if record.requests == 0 and record.model is None:
        return "usage: no model requests (offline summariser); cost $0"
    asked = f"{record.requests} model request{'s' if record.requests != 1 else ''}"
    return f"usage: {asked}, {tokens_text(record.usage)}; {cost_text(record.cost, record.model)}"


def runs_table(runs: Sequence[RunRecord]) -> list[str]:
    """One aligned line per run under a header line."""
    header = (
        "ID", "STARTED", "COMMAND", "OUTCOME", "MODEL", "BRIEFINGS", "SUPPORTED",
        "TOKENS IN", "CACHED", "OUT", "COST", "TIME", "OUTPUT OR ERROR",
    )  # fmt: skip
    rows = [
        (
            str(r.id or ""),
            r.started_at.strftime("%Y-%m-%d %H:%M"),
            r.command,
            r.outcome if r.exit_code == 0 else f"{r.outcome} ({r.exit_code})",
            r.model or _NONE,
            _counts(r),
            _supported(r.items_supported, r.items_total),
            f"{r.usage.prompt_tokens:,}",
            _cached(r.usage),
            f"{r.usage.completion_tokens:,}",
            _cost(r),
            _duration(r.duration_ms),
            _cut(f"Error: {r.error}") if r.error else _cut_start(r.output or _NONE),
        )
        for r in runs
    ]
    return _table(header, rows, right={0, 7, 8, 9, 10, 11})


def totals_line(runs: Sequence[RunRecord]) -> str:
    """``total: 14 runs (12 ok, 1 partial, 1 failed); …; cost $0.04; …`` for ``runs``."""
    if not runs:
        return "total: no runs"
    outcomes = Counter(r.outcome for r in runs)
    counted = ", ".join(f"{outcomes[o]} {o}" for o in ("ok", "partial", "failed") if outcomes[o])
    usage = total_usage(r.usage for r in runs)
    requests = sum(r.requests for r in runs)
    unknown = sum(1 for r in runs if r.cost is None and r.model is not None)
    cost = format_usd(sum(r.cost.usd for r in runs if r.cost is not None))
    if unknown:
        cost += f" + {unknown} run{'s' if unknown != 1 else ''} of unknown cost"
    return (
        f"total: {len(runs)} run{'s' if len(runs) != 1 else ''} ({counted}); {requests} model "
        f"request{'s' if requests != 1 else ''}, {tokens_text(usage)}; cost {cost} "
        f"(briefing's prices are of {PRICES_DATE}; the config file's [prices] override them)"
    )


def show_run(r: RunRecord) -> list[str]:
    """One run in full: its facts, then its briefings (cache hits marked as such)."""
    made_by = [r.summariser or _NONE]
    if r.model:
        made_by.append(f"model {r.model}" + (f" at {r.endpoint}" if r.endpoint else ""))
    if r.prompt:
        made_by.append(f"prompt {r.prompt}")
    asked = f"{r.requests} model request{'s' if r.requests != 1 else ''}"
    facts = [
        ("sources", ", ".join(r.sources) or _NONE),
        ("made by", " · ".join(made_by)),
        ("tokens", f"{asked}, {tokens_text(r.usage)}"),
        ("cost", cost_text(r.cost, r.model).removeprefix("cost ")),
        ("duration", _duration(r.duration_ms)),
        ("supported", _supported(r.items_supported, r.items_total, words=True)),
        ("output", r.output or _NONE),
    ]
    if r.error:
        facts.append(("error", r.error))
    facts.append(("tool", f"briefing {r.tool_version}"))
    exit_note = "" if r.exit_code == 0 else f" (exit {r.exit_code})"
    started = r.started_at.isoformat(sep=" ", timespec="seconds")
    lines = [f"run {r.id} · {r.command} · {started} · {r.outcome}{exit_note}"]
    lines += [f"{name + ':':<11}{value}" for name, value in facts]
    if r.briefings:
        lines += ["", "briefings:"]
        header = ("#", "STATUS", "TITLE", "TOKENS IN", "CACHED", "OUT", "COST", "SUPPORTED")
        rows = [_briefing_cells(n, b) for n, b in enumerate(r.briefings, start=1)]
        table = _table((*header, "LOCATION OR REASON"), rows, right={0, 3, 4, 5, 6})
        lines += [f"  {line}" for line in table]
    return lines


def run_json(r: RunRecord) -> dict[str, Any]:
    """A run as JSON data (``log show --json``, each run of ``log list --json``)."""
    return {
        "id": r.id,
        "started_at": r.started_at.isoformat(),
        "command": r.command,
        "sources": list(r.sources),
        "summariser": r.summariser,
        "model": r.model,
        "endpoint": r.endpoint,
        "prompt": r.prompt,
        "requests": r.requests,
        "usage": r.usage.model_dump(),
        "cost": r.cost.model_dump() if r.cost else None,
        "duration_ms": r.duration_ms,
        "outcome": r.outcome,
        "exit_code": r.exit_code,
        "error": r.error,
        "items_supported": r.items_supported,
        "items_total": r.items_total,
        "output": r.output,
        "tool_version": r.tool_version,
        "briefings": [
            {
                "kind": b.kind,
                "status": b.status,
                "title": b.title,
                "location": b.location,
                "model": b.model,
                "usage": b.usage.model_dump(),
                "cost_usd": b.cost.usd if b.cost else None,
                "supported": b.supported,
                "total": b.total,
                "reason": b.reason,
            }
            for b in r.briefings
        ],
    }


def runs_json(runs: Sequence[RunRecord]) -> dict[str, Any]:
    """``log list --json``: the runs (without their briefings), their totals, the prices' date."""
    unknown = sum(1 for r in runs if r.cost is None and r.model is not None)
    data = [run_json(r) for r in runs]
    for item in data:
        del item["briefings"]
    return {
        "runs": data,
        "totals": {
            "runs": len(runs),
            "outcomes": dict(Counter(r.outcome for r in runs)),
            "requests": sum(r.requests for r in runs),
            "usage": total_usage(r.usage for r in runs).model_dump(),
            "cost_usd": round(sum(r.cost.usd for r in runs if r.cost is not None), 10),
            "runs_of_unknown_cost": unknown,
        },
        "prices_date": PRICES_DATE,
    }


# ------------------------------------------------------------------------------------- helpers


def _briefing_cells(n: int, b: BriefingRow) -> tuple[str, ...]:
    cached_hit = b.status == "cached"
    spent = b.status == "ok" and b.model is not None  # the offline summariser asks no model
    return (
        str(n),
        "cache hit" if cached_hit else b.status,
        _cut(b.title or _NONE, 50),
        f"{b.usage.prompt_tokens:,}" if spent else _NONE,
        _cached(b.usage) if spent else "",
        f"{b.usage.completion_tokens:,}" if spent else "",
        (format_usd(b.cost.usd) if b.cost else "unknown" if b.model else _NONE) if spent else "",
        _supported(b.supported, b.total),
        _cut(b.reason if b.reason else b.location or ""),
    )


def _counts(r: RunRecord) -> str:
    counts = r.counts()
    words = ("new", "cached", "failed")
    parts = [f"{n} {word}" for n, word in zip(counts, words, strict=True) if n]
    return ", ".join(parts) or _NONE


def _cached(usage: Usage) -> str:
    return _NONE if usage.cached_tokens is None else f"{usage.cached_tokens:,}"


def _cost(r: RunRecord) -> str:
    if r.cost is None:
        return "unknown" if r.model else _NONE
    return "$0" if r.cost.basis == NO_TOKENS else format_usd(r.cost.usd)


def _supported(supported: int | None, total: int | None, *, words: bool = False) -> str:
    if supported is None or total is None:
        return _NONE
    return f"{supported} of {total} items" if words else f"{supported}/{total}"


def _duration(ms: int) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms} ms"


def _cut(text: str, limit: int = _CELL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_start(text: str, limit: int = _CELL_MAX) -> str:
    """A path cut at its start: its file name is what tells runs apart."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns as wide as their widest cell, numbers right-aligned, the last one left ragged."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        out = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells[:-1])
        ]
        return "  ".join([*out, cells[-1]]).rstrip()

    return [line(header), *(line(row) for row in rows)]
