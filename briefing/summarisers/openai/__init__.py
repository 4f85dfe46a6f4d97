"""The language-model summariser: any OpenAI-compatible endpoint through the official SDK.

* :class:`OpenAISummariser` (``summariser.py``): ``summarise`` (map-reduce for long articles),
  ``summarise_day`` and ``probe``;
* ``requests.py``: each request to the endpoint: the parameter loop, retries under the
  deadline, and every failure described on one line (:class:`Endpoint`, :func:`host_of`);
* ``draft.py``: the strict JSON schema sent and the parser of answers (one contract);
* ``convert.py``: a validated draft as a Briefing;
* ``params.py``: which parameters each model takes; ``retry.py``: when and how long to wait;
* ``mapreduce.py``: long articles briefed in parts, then merged.
* ``batch.py``: briefing requests as lines of an OpenAI Batch job (``daily --batch``), their
  answers judged as direct ones.
"""

from __future__ import annotations

from briefing.summarisers.openai.requests import Endpoint, host_of
from briefing.summarisers.openai.summariser import OpenAISummariser, ProbeResult

__all__ = ["Endpoint", "OpenAISummariser", "ProbeResult", "host_of"]
