"""Datelines and bylines at the start of a news text, found so summaries can leave them out.

Wire and web copy opens its first paragraph with where (and when, and for whom) it was filed:
``JEDDAH, 27 November -``, ``WASHINGTON (Reuters) -``, ``New Delhi, India (CNN)``,
``(CNN) --``, ``By Jane Smith, Reuters -``. In the article that is information; repeated at the
head of a summary point it is noise a reader skips ("JEDDAH, 27 November - Saudi Arabia…").

:func:`dateline_end` returns where such an opening ends (0 when there is none). Each rule
needs a mark that only datelines carry, so an ordinary sentence is never cut:

* a news source in brackets: ``(CNN)``, ``(Reuters)``, ``(The Hollywood Reporter)``, at the
  start or after a place ("LONDON, England (CNN) --");
* a place in capitals followed by a dash or colon ("NEW YORK —", "BEIRUT, Lebanon -");
* a place, then a date, then a dash ("Jeddah, 27 November -", "Paris, Nov. 27 -");
* a byline ("By Jane Smith -", "By Jane Smith, Reuters -", "By . Daily Mail Reporter .");
* in other scripts: a place in capitals ("ЖЕНЕВА —", "ΑΘΗΝΑ —") or, in scripts without
  case, one to three words before a dash ("القاهرة —"); Chinese agency datelines
  ("新华社万象11月28日电") and Japanese bracketed ones ("【ワシントン共同】").

Linear: the patterns are anchored and look at most at the first 160 characters.
"""

from __future__ import annotations

import re

__all__ = ["dateline_end", "strip_dateline"]

_WINDOW = 160
# A hyphen only with spaces around it ("US-China talks" is no dateline); dashes, a colon or a
# bar as written.
_DASH = r"(?:\s*(?:--|[–—])\s*|\s+[-|]\s+|\s*:\s+)"
_NAME = r"[A-Z][\w.'’&-]*"
_CAPS = r"[A-Z][A-Z.'’&-]+"  # a word in capitals, at least two letters
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = rf"(?:{_DAY}\s+{_MONTH}|{_MONTH}\s+{_DAY})(?:,?\s+\d{{4}})?"
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
# A source in brackets: anything capitalised at the very start ("(The Hollywood Reporter)");
# after a place only an outlet in capitals or a known one ("Obama (D-Ill.)" is no dateline).
_SOURCE = r"\((?:[A-Z][\w.&'’-]*)(?:\s+[\w.&'’-]+){0,4}\)"
_OUTLET = (
    r"\((?:[A-Z]{2,6}|Reuters|Bloomberg|Xinhua|Kyodo|Yonhap|Variety|Mashable|Billboard|"
    r"Al Jazeera|CNN Money|CNNMoney|The Hollywood Reporter|People|Tass|Interfax)\)"
)
_PLACE = rf"{_NAME}(?:\s+{_NAME}){{0,3}}(?:,\s*{_NAME}(?:\s+{_NAME}){{0,3}})?"

_RULES = [
    # "(CNN)", "(CNN) -- ", "(The Hollywood Reporter)"
    re.compile(rf"{_SOURCE}(?:{_DASH})?"),
    # "New Delhi, India (CNN)", "WASHINGTON (Reuters) -"
    re.compile(rf"{_PLACE}\s*{_OUTLET}(?:{_DASH})?"),
    # "NEW YORK —", "BEIRUT, Lebanon -", "JEDDAH, 27 November -"
    re.compile(
        rf"{_CAPS}(?:\s+{_CAPS}){{0,3}}(?:,\s*{_NAME}(?:\s+{_NAME}){{0,2}})?"
        rf"(?:,\s*(?:{_WEEKDAY},?\s*)?{_DATE})?{_DASH}(?=\S)"
    ),
    # "Jeddah, 27 November -", "Paris, Monday, Nov. 27 -"
    re.compile(rf"{_PLACE},\s*(?:{_WEEKDAY},?\s*)?{_DATE}{_DASH}(?=\S)"),
    # "By Jane Smith -", "By Jane Smith, Reuters |", "By . Daily Mail Reporter . "
    re.compile(
        rf"By\s+(?:\.\s+)?{_NAME}(?:\s+(?:{_NAME}|and|de|van|von|al)){{0,5}}"
        rf"(?:,\s*{_NAME}(?:\s+{_NAME}){{0,3}})?(?:{_DASH}|\s+\.\s+)(?=\S)"
    ),
    # Chinese agency datelines: "新华社万象11月28日电", "（记者 王芳）"
    re.compile(r"[^\s，。]{2,12}?\d{1,2}月\d{1,2}日电(?:\s*[（(][^）)]{1,20}[）)])?\s*"),
    # Japanese bracketed datelines: "【ワシントン共同】", "【那覇】"
    re.compile(r"【[^】]{1,20}】\s*"),
]
# Other scripts' capitals ("ЖЕНЕВА —", "ΑΘΗΝΑ —") and scripts without case ("القاهرة —"):
# one to three words, then a dash. Checked by _word_dateline (regexes know no case outside
# ASCII).
_WORD_DASH = re.compile(
    r"((?:[^\W\d_][\w.'’-]*\s+){0,2}[^\W\d_][\w.'’-]*),?\s*(?:--|[–—])\s+(?=\S)"
)


def dateline_end(text: str) -> int:
    """Where a leading dateline or byline of ``text`` ends (0 when it has none)."""
    head = text[:_WINDOW]
    end = 0
    for _ in range(2):  # a byline, then a dateline: "By Jane Smith - BEIRUT -"
        for rule in _RULES:
            match = rule.match(head, end)
            if match is not None and match.end() > end:
                end = match.end()
                break
        else:
            found = _word_dateline(head, end)
            if not found:
                break
            end = found
    while end < len(head) and head[end].isspace():
        end += 1
    return end if end < len(head) else 0  # a "dateline" that is all there is is the text


def _word_dateline(head: str, start: int) -> int:
    """The end of a non-ASCII place-name dateline at ``start``, else 0."""
    if head[start : start + 40].isascii():
        return 0  # Latin datelines are the regexes' ("NEW YORK —")
    match = _WORD_DASH.match(head, start)
    if match is None:
        return 0
    place = match.group(1)
    letters = [ch for ch in place if ch.isalpha()]
    uncased = not any(ch.isupper() or ch.islower() for ch in letters)
    return match.end() if uncased or place.isupper() else 0


def strip_dateline(text: str) -> str:
    """``text`` without its leading dateline or byline (see the module docstring)."""
    end = dateline_end(text)
    if not end:
        return text
    rest = text[end:]
    return rest[:1].upper() + rest[1:]
