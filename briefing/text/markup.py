"""What HTML says about its own elements, for the modules that walk it (sources' extraction,
the cutting of a digest into parts)."""

from __future__ import annotations

__all__ = ["VOID_ELEMENTS"]

# Elements that never have content or an end tag (the HTML standard's "void elements"): a
# walker must not wait for them to close.
VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
