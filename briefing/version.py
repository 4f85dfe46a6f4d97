"""The tool's version, in one place (keep it equal to ``version`` in pyproject.toml).

``briefing.__version__`` is this; the modules below the package's public face (the User-Agent
of fetches, the provenance of briefings, the cache keys, a digest's state) read it from here:
importing the package root would load :mod:`briefing.api` and, through it, the whole flow.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "__version__"]

__version__ = "0.1.0"

# What pip calls us (``name`` in pyproject.toml): "briefing" on PyPI is someone else's project,
# so an install hint naming it would install their code. The command and the import are
# "briefing"; only ``pip install`` and ``importlib.metadata`` use this name.
DISTRIBUTION = "briefing-cli"
