"""The offline summariser: briefings from the article's own sentences, no model, no network.

* :class:`OfflineSummariser` (``summariser.py``): ``summarise`` and ``summarise_day``;
* its rules: ``situation.py``, ``actors.py`` (who), ``roles.py`` (what each actor did, and
  the evidence), ``judgement.py`` (assessment and risks), ``day.py`` (the executive summary
  of a digest).
"""

from __future__ import annotations

from briefing.summarisers.offline.day import day_points
from briefing.summarisers.offline.summariser import OfflineSummariser

__all__ = ["OfflineSummariser", "day_points"]
