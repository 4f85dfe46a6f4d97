"""Handling markings ("OFFICIAL-SENSITIVE", "TLP:AMBER"): a banner on every page, top and bottom.

:func:`check_marking` checks the user's text (a :class:`MarkingError` if it cannot be printed);
:func:`marked_info` adds the marking to a document's PDF metadata; :func:`check_marked` refuses
a rendering whose template dropped it. The marking is user text: templates autoescape it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from briefing.errors import RenderError
from briefing.render.text import pdf_keyword, truncate

__all__ = [
    "MARKING_BOX_MM",
    "MARKING_MAX",
    "Marking",
    "MarkingError",
    "check_marked",
    "check_marking",
    "marked_info",
]

MARKING_MAX = 60  # characters
MARKING_BOX_MM = 160  # the widest page-margin label (the page's text is 166 mm wide, 176 compact)
# Traffic Light Protocol 2.0 labels (FIRST) -> the colour class; TLP:WHITE is TLP 1.0's CLEAR.
_TLP = re.compile(r"TLP:(RED|AMBER\+STRICT|AMBER|GREEN|CLEAR|WHITE)(?![A-Z0-9+])", re.I)
_TLP_COLOURS = {"RED": "red", "AMBER+STRICT": "amber", "AMBER": "amber", "GREEN": "green"}
_ZERO_WIDTH_JOINERS = ("\u200c", "\u200d")  # format characters that some scripts need


class MarkingError(ValueError):
    """The handling marking is empty, too long or holds control characters."""


@dataclass(frozen=True)
class Marking:
    """A checked handling marking (the template's ``marking``). ``text`` is user text: autoescaped.

    ``tlp`` is ``"red"``, ``"amber"`` (TLP:AMBER and TLP:AMBER+STRICT), ``"green"`` or
    ``"clear"`` (TLP:CLEAR, and TLP 1.0's TLP:WHITE) when the marking starts with a
    Traffic Light Protocol label, else None (an organisation's classification).
    """

    text: str
    tlp: str | None = None

    @property
    def css_class(self) -> str:
        """``marking-tlp-amber`` … or ``marking-neutral``: the banner's colours (marking.css)."""
        return f"marking-tlp-{self.tlp}" if self.tlp else "marking-neutral"

    @property
    def keyword(self) -> str:
        return pdf_keyword(f"marking={self.text}")

    def _em(self) -> float:
        """The text's width in ems of bold sans (DejaVu Sans Bold), letter-spacing included."""
        ems = 0.0
        for char in self.text:
            if char in "MW@%&mw":
                ems += 1.1
            elif char.isupper() or char.isdigit() or char in "+#":
                ems += 0.85
            elif char in " .,:;|!'()[]il-":
                ems += 0.45
            else:
                ems += 0.72
        return ems

    @property
    def font_size(self) -> float:
        """Points: 10 (TLP asks for large type), smaller for a long marking, at least 6.5."""
        fits = (MARKING_BOX_MM - 8) / (self._em() * 25.4 / 72)  # points for the text to fit
        return round(max(6.5, min(10.0, fits)), 1)

    @property
    def width(self) -> str:
        """The width of the page-margin label, from the text at :attr:`font_size` ("41mm")."""
        millimetres = self._em() * self.font_size * 25.4 / 72 + 8
        return f"{min(MARKING_BOX_MM, round(millimetres))}mm"


def check_marking(marking: str | None) -> Marking | None:
    """Check and normalise a marking: whitespace collapsed, 1 to :data:`MARKING_MAX` characters,
    no control or other invisible format characters. Raises :class:`MarkingError` (a ValueError)."""
    if marking is None:
        return None
    if not isinstance(marking, str):
        raise MarkingError(f"the marking must be text, not {type(marking).__name__}")
    text = " ".join(marking.split())
    if not text:
        raise MarkingError(
            "the marking is empty: give a text such as OFFICIAL-SENSITIVE or TLP:AMBER"
        )
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn") or (
            category == "Cf" and char not in _ZERO_WIDTH_JOINERS
        ):
            raise MarkingError(
                f"the marking holds an invisible or control character (U+{ord(char):04X}); "
                "use printable text only"
            )
    if len(text) > MARKING_MAX:
        raise MarkingError(
            f"the marking is {len(text)} characters long; at most {MARKING_MAX} fit the "
            f"banner (it starts {truncate(text, 30)!r})"
        )
    match = _TLP.match(text)
    tlp = _TLP_COLOURS.get(match.group(1).upper(), "clear") if match else None
    return Marking(text, tlp)


def marked_info(doc: Any, marking: Marking | None) -> Any:
    """``doc`` (a DocumentInfo or DigestInfo) with the marking in the PDF metadata: subject
    "[TLP:AMBER] Briefing: …" and the keyword "marking=TLP:AMBER"."""
    if marking is None:
        return doc
    return dataclasses.replace(
        doc,
        subject=f"[{marking.text}] {doc.subject}",
        keywords=[*doc.keywords, marking.keyword],
    )


def check_marked(html: str, marking: Marking | None, template_name: str) -> str:
    """Refuse a rendering that dropped the marking (a custom template without it)."""
    if marking is not None:
        attribute = f'data-marking="{escape(marking.text)}"'
        if attribute not in html:
            raise RenderError(
                f"template {template_name} does not show the marking: its <html> element needs "
                "the data-marking attribute of _document.html.j2 (see templates/README.md)"
            )
    return html
