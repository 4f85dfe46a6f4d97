"""briefing: turn news articles into analyst-grade briefings.

From Python (README "Using it from Python")::

    import briefing

    result = briefing.build("article.txt", "briefs/")       # writes the PDF, as the CLI does
    doc = briefing.brief("https://example.org/a")           # a Briefing; nothing written
    pdf = briefing.render_document(doc, "pdf")              # its bytes

The public names are those of ``__all__``; everything else is internal and may change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from briefing.version import __version__

__all__ = [
    "Article",
    "Briefing",
    "BriefingError",
    "BuildResult",
    "Settings",
    "__version__",
    "brief",
    "build",
    "load_settings",
    "read_article",
    "render_document",
]

# A library logs; only the CLI decides what reaches stderr (no "last resort" printing).
logging.getLogger("briefing").addHandler(logging.NullHandler())

if TYPE_CHECKING:  # the real names, for type checkers and editors
    from briefing.api import (
        Article,
        Briefing,
        BriefingError,
        BuildResult,
        Settings,
        brief,
        build,
        load_settings,
        read_article,
        render_document,
    )


def __getattr__(name: str) -> Any:
    """The public API, imported on first use (PEP 562).

    Only for start-up speed, not to hide an import cycle: ``briefing.cli`` imports this
    package, and ``briefing --help`` must not pay for pydantic, Jinja2 or the summarisers
    that :mod:`briefing.api` brings in. The import below is a plain one, so the import graph
    (tests/test_imports.py) still sees the edge.
    """
    if name in __all__:
        from briefing import api

        value = getattr(api, name)
        globals()[name] = value  # looked up once; later accesses do not come here
        return value
    # An AttributeError also tells the import system to look for a submodule of that name.
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
