"""The live preview (``briefing preview SOURCE --serve``): the HTML draft served on 127.0.0.1,
rebuilt when the article, a prompt or a template changes.

* ``server.py``: :class:`PreviewServer`, its HTTP handler and the rebuilds;
* ``page.py``: what is added to the served page (security policy, reload script, bar) and the
  page of a failed build;
* ``stamps.py``: the stamps of the watched files.
"""

from __future__ import annotations

from briefing.preview.page import RELOAD_SCRIPT, content_security_policy, inject_preview
from briefing.preview.server import DEFAULT_PORT, HOST, PreviewServer

__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "RELOAD_SCRIPT",
    "PreviewServer",
    "content_security_policy",
    "inject_preview",
]
