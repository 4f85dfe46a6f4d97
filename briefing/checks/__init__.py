"""Checks: what a summariser wrote, held against the article before anything is rendered.

* ``matching.py``: how a quote or a name is found in the article (normalised, a small
  tolerance, the gazetteer's forms of an entity);
* ``grounding.py``: every evidence quote and actor name must be found in the article;
* ``situation.py``: the situation's names and numbers must be found there too;
* ``injection.py``: instruction-like text in the article; ``untrusted.py``: the flags it
  gives, with those for hidden text and for URLs the model added;
* ``apply.py``: all of them, in order, on one briefing (:func:`checked`), ``--strict`` and the
  notice of unsupported items.
"""

from __future__ import annotations

from briefing.checks.apply import check, checked, enforce_strict, unsupported_notice

__all__ = ["check", "checked", "enforce_strict", "unsupported_notice"]
