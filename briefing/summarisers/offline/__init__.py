"""The offline summariser: briefings from the article's own sentences, no model, no network.

* :class:`OfflineSummariser` (``summariser.py``): ``summarise`` and ``summarise_day``;
* its rules: ``situation.py``, ``actors.py`` (who; its passes in ``actor_*.py`` and
  ``script_people.py``), ``roles.py`` (what each actor did, and the evidence),
  ``judgement.py`` (assessment), ``risks.py``, ``day.py`` (the executive summary of a digest).
"""

from __future__ import annotations

from briefing.summarisers.offline.day import day_points
from briefing.summarisers.offline.summariser import OfflineSummariser

__all__ = ["OfflineSummariser", "day_points"]
