"""Output languages: names and codes, and a small offline check of which language a text is in.

The check needs no model or data download: the writing system decides for non-Latin scripts
(Cyrillic, Greek, Arabic, Hebrew, CJK, Devanagari, ...); for Latin-script languages, the share
of each language's most frequent function words decides. It answers None when unsure, and is
used for two things: the ``lang`` of the document (screen readers, hyphenation) and catching a
model that ignored ``--language`` (a common complaint about such tools), which then gets one
repair request.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

from briefing.errors import ConfigError


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47 primary tag
    name: str  # English name, as written in prompts
    script: str  # "Latin", "Cyrillic", ...


_TABLE: list[tuple[str, str, str]] = [
    ("en", "English", "Latin"), ("fr", "French", "Latin"), ("de", "German", "Latin"),
    ("es", "Spanish", "Latin"), ("it", "Italian", "Latin"), ("pt", "Portuguese", "Latin"),
    ("nl", "Dutch", "Latin"), ("sv", "Swedish", "Latin"), ("da", "Danish", "Latin"),
    ("no", "Norwegian", "Latin"), ("fi", "Finnish", "Latin"), ("pl", "Polish", "Latin"),
    ("cs", "Czech", "Latin"), ("ro", "Romanian", "Latin"), ("hu", "Hungarian", "Latin"),
    ("tr", "Turkish", "Latin"), ("id", "Indonesian", "Latin"), ("et", "Estonian", "Latin"),
    ("lv", "Latvian", "Latin"), ("lt", "Lithuanian", "Latin"), ("hr", "Croatian", "Latin"),
    ("sk", "Slovak", "Latin"), ("sl", "Slovenian", "Latin"), ("sw", "Swahili", "Latin"),
    ("ru", "Russian", "Cyrillic"), ("uk", "Ukrainian", "Cyrillic"),
    ("bg", "Bulgarian", "Cyrillic"), ("sr", "Serbian", "Cyrillic"),
    ("el", "Greek", "Greek"), ("ar", "Arabic", "Arabic"), ("fa", "Persian", "Arabic"),
    ("ur", "Urdu", "Arabic"), ("he", "Hebrew", "Hebrew"), ("hi", "Hindi", "Devanagari"),
    ("zh", "Chinese", "Han"), ("ja", "Japanese", "Japanese"), ("ko", "Korean", "Hangul"),
    ("th", "Thai", "Thai"), ("ka", "Georgian", "Georgian"), ("hy", "Armenian", "Armenian"),
]  # fmt: skip
LANGUAGES: dict[str, Language] = {
    code: Language(code, name, script) for code, name, script in _TABLE
}

# The most frequent function words of Latin-script languages (short lists: enough to vote).
_STOPWORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the and of to in is that for on was with as by are it from has have be at",
        "fr": "le la les de des et est un une du dans pour que qui sur au par pas avec sont",
        "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem",
        "es": "el la los las de y que en un una por con para del se es su al lo",
        "it": "il la le di e che un una per in del della è non con sono gli al si",
        "pt": "o a os as de e que em um uma para com do da não por se no na",
        "nl": "de het een en van in is dat op te zijn met voor niet aan er die",
        "sv": "och att det som en är på för av med till den har inte om ett",
        "pl": "i w na z że się do nie to jest o jak po przez od za",
        "tr": "ve bir bu da de için ile olarak daha çok gibi ama en",
        "id": "yang dan di dari ini itu dengan untuk tidak dalam akan pada",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f\W\d_]")


def resolve(value: str) -> Language:
    """A language from its code ("fr", "pt-BR") or English name ("French")."""
    text = value.strip()
    code = text.split("-")[0].split("_")[0].lower()
    if code in LANGUAGES:
        return LANGUAGES[code]
    for language in LANGUAGES.values():
        if language.name.lower() == text.lower():
            return language
    known = ", ".join(f"{lang.code} ({lang.name})" for lang in LANGUAGES.values())
    raise ConfigError(f"unknown language {value!r}; use a code or name: {known}")


@cache
def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for script in (
        "LATIN",
        "CYRILLIC",
        "GREEK",
        "ARABIC",
        "HEBREW",
        "DEVANAGARI",
        "HANGUL",
        "THAI",
        "GEORGIAN",
        "ARMENIAN",
        "HIRAGANA",
        "KATAKANA",
        "CJK",
    ):
        if name.startswith(script) or f" {script} " in f" {name} ":
            return {"CJK": "Han", "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}.get(
                script, script.title()
            )
    return None


def detect(text: str) -> str | None:
    """The language code of ``text``, or None when the evidence is too thin to say."""
    sample = text[:20000]
    # ASCII letters are Latin: counted by a regex, so that only the other letters pay for a
    # Unicode name lookup (English text was 3 ms an article when every character did).
    scripts = Counter(s for ch in _NON_ASCII_LETTER.findall(sample) if (s := _script(ch)))
    if ascii_letters := len(_ASCII_LETTER.findall(sample)):
        scripts["Latin"] += ascii_letters
    if not scripts or sum(scripts.values()) < 20:
        return None
    script, _ = scripts.most_common(1)[0]
    if script == "Han" and scripts.get("Japanese"):
        script = "Japanese"
    if script != "Latin":
        candidates = [lang.code for lang in LANGUAGES.values() if lang.script == script]
        return candidates[0] if len(candidates) == 1 else _cyrillic_or_arabic(text, candidates)
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if len(words) < 15:
        return None
    votes = {code: sum(1 for w in words if w in stop) for code, stop in _STOPWORDS.items()}
    best, score = max(votes.items(), key=lambda kv: kv[1])
    runner_up = sorted(votes.values())[-2]
    return best if score >= 0.08 * len(words) and score >= 1.5 * runner_up else None


def _cyrillic_or_arabic(text: str, candidates: list[str]) -> str | None:
    # Letters that only one language of the script uses.
    signs = {"uk": "ієїґ", "sr": "ђјљњћџ", "bg": "ъ", "fa": "پچژگ", "ur": "ٹڈڑںے"}
    lowered = text.lower()
    for code, letters in signs.items():
        if code in candidates and any(ch in lowered for ch in letters):
            if code == "bg" and any(ch in lowered for ch in "ыэё"):
                continue  # Russian writes ъ too ("объём"); Bulgarian has no ы, э or ё
            return code
    return candidates[0]  # ru, ar: the most common of their script


def matches(text: str, language: Language) -> bool | None:
    """Is ``text`` written in ``language``? None when it cannot be told offline."""
    found = detect(text)
    if found is None:
        return None
    if language.script != "Latin":
        return LANGUAGES[found].script == language.script
    if language.code not in _STOPWORDS:
        return None if LANGUAGES[found].script == "Latin" else False
    return found == language.code
