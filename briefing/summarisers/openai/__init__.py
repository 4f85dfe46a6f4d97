"""The language-model summariser: any OpenAI-compatible endpoint through the official SDK.

* :class:`OpenAISummariser` (``summariser.py``): ``summarise`` and ``summarise_day``;
* ``draft.py``: the strict JSON schema sent and the parser of answers (one contract);
* ``params.py``: which parameters each model takes; ``retry.py``: when and how long to wait;
* ``mapreduce.py``: long articles briefed in parts, then merged.
"""

from __future__ import annotations

from briefing.summarisers.openai.summariser import OpenAISummariser, ProbeResult

__all__ = ["OpenAISummariser", "ProbeResult"]
