"""Latin letters for Cyrillic and Greek text, for file names a reader can recognise.

No kept dependency transliterates (checked: nothing in the install does; unidecode and
anyascii are not dependencies), and the two alphabets are small and regular, so the tables
are here: Cyrillic after the common English-language romanisation (BGN/PCGN without
diacritics: Москва → moskva, Щукин → shchukin), Greek after ELOT 743 / ISO 843
in its simple form (Αθήνα → athina, Θεσσαλονίκη → thessaloniki). Accents are removed first
(NFD), so stressed vowels map like plain ones. Han, kana, Arabic, Hebrew, Devanagari and
other scripts have no table here and are left as they are: :func:`briefing.output.slugify`
gives such titles a short hash instead.
"""

from __future__ import annotations

import unicodedata

__all__ = ["to_latin"]

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j",
    "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
}  # fmt: skip
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h", "ŋ": "ng",
}  # fmt: skip
_TABLE = {**_CYRILLIC, **_GREEK, **_LATIN}
# Greek vowel pairs as ELOT 743 writes them (ου → ou, αυ → av, ευ → ev), not letter by
# letter (υ alone is y: "Πούτιν" → poutin, not poytin).
_GREEK_PAIRS = {"ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "αυ": "av", "ευ": "ev"}


def to_latin(text: str) -> str:
    """``text`` lower-cased, Cyrillic and Greek letters (and ß, æ, ø, ł...) in plain Latin ones.

    Other scripts are left as they are.
    """
    if text.isascii():
        return text
    # NFD splits "й" into "и" + breve and "ё" into "е" + diaeresis: keep those two whole.
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower())
    decomposed = decomposed.replace("и\u0306", "й").replace("е\u0308", "ё")
    decomposed = decomposed.replace("і\u0308", "ї")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    out: list[str] = []
    i = 0
    while i < len(plain):
        pair = plain[i : i + 2]
        if pair in _GREEK_PAIRS:
            out.append(_GREEK_PAIRS[pair])
            i += 2
            continue
        ch = plain[i]
        out.append(_TABLE.get(ch, ch))
        i += 1
    return "".join(out)
