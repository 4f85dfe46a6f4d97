"""Control characters shown as escapes: in log lines, on the terminal and in documents.

A file name, a title or a fetch error may hold control characters (an ESC that recolours or
clears a terminal, a newline that forges a log line, a bidi override that reverses what a name
seems to say). Wherever such text is shown, :func:`escape_controls` writes them as visible
escapes (``\\x1b``, ``\\n``, ``\\u202e``) instead; the text itself (in the JSON, on disk) is
left as it is.
"""

from __future__ import annotations

import re

__all__ = ["CONTROLS", "escape_controls"]

# C0 controls, DEL, C1 controls, and the invisible bidi marks, embeddings, overrides and isolates.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control character (see :data:`CONTROLS`) but those in ``keep``
    written as a visible escape: ESC is ``\\x1b``, a newline ``\\n``, U+202E ``\\u202e``."""
    if not CONTROLS.search(text):
        return text
    if not keep:
        return CONTROLS.sub(_escape, text)
    return CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
