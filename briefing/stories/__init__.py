"""Stories: a day's articles about one event briefed as one, and followed from digest to
digest.

* ``similarity.py``: a report's profile (words, names, figures) and the same-event score,
  with the thresholds measured by ``benchmarks/eval_stories.py``;
* ``grouping.py``: a day's reports grouped into stories (average link);
* ``briefing.py``: one briefing per story (by rule, or the model's merge tied back to its
  reports), every quote checked against the article of the report it cites;
* ``memory.py``: each digest's stories, remembered in the history file per output series;
* ``changes.py``: today's stories against the previous digest's: developing (what is new),
  new, dropped;
* ``day.py``: :func:`make_stories`, what ``briefing daily`` calls.
"""

from __future__ import annotations

from briefing.stories.day import DayStories, Member, make_stories

__all__ = ["DayStories", "Member", "make_stories"]
