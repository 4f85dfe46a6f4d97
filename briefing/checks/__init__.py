"""Checks: what a summariser wrote, held against the article before anything is rendered.

* ``grounding.py``: every evidence quote and actor name must be found in the article, and the
  situation's names and numbers too;
* ``injection.py``: instruction-like text in the article, URLs the model added;
* ``apply.py``: both, in order, on one briefing (:func:`checked`), ``--strict`` and the notice
  of unsupported items.
"""

from __future__ import annotations

from briefing.checks.apply import check, checked, enforce_strict, unsupported_notice

__all__ = ["check", "checked", "enforce_strict", "unsupported_notice"]
