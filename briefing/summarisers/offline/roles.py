"""The role of each actor the offline summariser found: which sentence shows what that actor
did, the line cut from it, and the evidence quoted (steps 5 and 6 of
:mod:`briefing.summarisers.offline.actors`).

5. The role says what *that* actor did or wants. Each sentence that mentions the actor
   (first mention per sentence) is scored:

   * **subject** (+4): the mention opens the sentence, after at most five words that can
     lead a subject ("The", "Defence officials in the", "Estonian Prime Minister",
     "But"; not a pronoun such as "It"; an opening adverbial such as "On Tuesday," is
     skipped), or the sentence opens "In X, the government/forces/authorities ..." (the
     state acting through its organs); a **coordinated** subject ("British and French
     forces", "Mali, Burkina Faso and Niger") scores +2.5 instead, as the line is shared;
   * otherwise +1 when the mention is near the start (first quarter or 40 characters);
   * **speaker** (+1): a verb of saying follows within four words ("France echoed",
     "officials in the United Kingdom said") or "according to" precedes;
   * **place only** (−2): a state named after "in", "near", "across", "bordering"...
     ("a weapons cache in eastern Syria") and not the subject;
   * a sentence opening with a quotation mark (−3), shorter than eight words or opening
     with a pronoun that points elsewhere ("He said...", "It also states...") (−1).

   Each actor gets one role sentence (:func:`assign_roles`): the (actor, sentence) pairs with
   a score ≥ 0 ("usable") are taken strongest claim first (ties: the actor with fewer
   usable sentences, then the more salient), each actor and each sentence once. So two
   actors share a role line only when one of them has no free usable sentence of its own;
   it then falls back to its best sentence (and if the holder of that sentence has another
   free one, the holder moves).

   The line is a clause of at most ``ROLE_LIMIT`` characters, not the sentence quoted
   beneath it (:func:`role_line`). When the actor is the subject of a verb right after its
   name ("France echoed...", "Simmons, a West Indian, took...", "the UN Office (OCHA)
   said..."; an auxiliary, an "-ed" form, a verb of saying or a common irregular verb) the
   line is that predicate, cut at a clause break: "Echoed that assessment, stressing...".
   A demonym with a state noun keeps them ("Syrian authorities have sought..."); "In X, the
   government said..." gives the government's clause; a name that only places the speaker
   ("analysts in Germany said") is no subject. Otherwise the line keeps the sentence's
   start when the mention is near it, else starts at the mention's clause or the mention
   itself. In Chinese, Japanese and Arabic the line is the clause holding the mention
   between the script's own commas. A sentence longer than ``2 * WINDOW`` characters (a
   page without punctuation) is only looked at ``WINDOW`` characters around the mention.
6. Evidence: at most ``MAX_EVIDENCE`` (2) verbatim sentences — the role's sentence and
   the next best-scoring one with a non-negative score (so a sentence where the name only
   marks a place is not evidence of the actor's role), in article order. A sentence longer
   than ``MAX_QUOTE`` is quoted as the verbatim window around the mention.
"""

from __future__ import annotations

import re

from briefing.text.lexicon import (
    COMMON_CAPITALISED,
    JUDGEMENT_VERBS,
    MONTHS_DAYS,
    STATE_NOUNS,
    TITLE_ABBREVIATIONS,
    TITLES,
    words,
)
from briefing.text.lines import Token, lead_line, self_contained, strip_opening, trim_line

__all__ = [
    "MAX_EVIDENCE",
    "MAX_QUOTE",
    "ROLE_LIMIT",
    "SAYS",
    "WINDOW",
    "Option",
    "around",
    "assign_roles",
    "evidence_quote",
    "is_locative",
    "mention_score",
    "pick_evidence",
    "role_line",
]

MAX_EVIDENCE = 2
ROLE_LIMIT = 100  # a role is a clause, not the sentence quoted beneath it
MAX_QUOTE = 1200  # a longer "sentence" (no punctuation for pages) is quoted around the mention
WINDOW = 600  # characters either side of a mention that the role and a long quote look at

Option = tuple[float, int, int]
"""A sentence that could give an actor its role: (score, sentence index, offset of the mention)."""

_LOCATIVE = words(
    "in into across from to near bordering between inside throughout towards toward within "
    "around outside via through at beyond along over"
)
_DIRECTIONS = words(
    "eastern western northern southern central north south east west northeast northwest "
    "southeast southwest north-east north-west south-east south-west neighbouring "
    "neighboring rural war-torn"
)
_LEADERS = TITLES | frozenset({"the", "a", "an", "officials", "in", "and", "defence", "defense"})
# Lower-case words that may stand before an actor that is the subject of its sentence.
_SUBJECT_LEAD = (
    _LEADERS
    | STATE_NOUNS
    | words(
        """
        but and yet however meanwhile also now so then still instead of at for from
        military senior top local national federal regional interim transitional ruling
        new former official officials authorities spokesman spokeswoman spokesperson
        """
    )
)
# Verbs of saying: the actor is the attributed speaker.
SAYS = JUDGEMENT_VERBS | words(
    """
    told announced echoed confirmed urged called added accused claimed pledged vowed
    promised welcomed condemned denied rejected agreed responded replied declared demanded
    stated revealed reported alleged blamed pledges vows urges calls adds claims announces
    confirms denies rejects agrees welcomes condemns echoes demands
    """
)
_QUOTES = "\"'“‘"
# Words that, right after a name, show it is the subject of a verb: auxiliaries and
# modals, adverbs that stand before a verb, and common irregular past tenses (a word ending
# in "-ed" and the verbs of saying count too). A plural noun is no verb: "Brisbane
# neighbours" stays a noun phrase.
_VERB_LEAD = words(
    """
    has have had is are was were will would could can may might must should shall did does
    do has's also later then now still already again never recently previously repeatedly
    allegedly reportedly once often first last finally quickly
    """
)
_IRREGULAR = words(
    """
    beat took won lost made met gave went came led left got sent hit put ran saw became began
    kept held fell brought bought sought fought thought struck shot chose drew broke rose
    spoke wrote sold paid set cut let quit hid bid threw grew knew flew drove rode sank swam
    wants plans hopes expects faces needs seeks leads wins loses takes makes gives runs
    """
)
_APPOSITION = re.compile(r"^\s*,\s+[^,;:()]{1,80}?,\s+(?=[a-z])")
_BRACKET = re.compile(r"^\s*\([^()]{1,40}\)")
_BREAK = re.compile(r"[,;:(]\s+|\s+[–—-]\s+")
_UNSPACED = re.compile(r"[\u0600-\u06ff\u3040-\u30ff\u3400-\u9fff]")  # Arabic, kana, Han
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_SCRIPT_BREAK = re.compile(r"[،؛，、；：]|[,;:]\s")
SCRIPT_ROLE_LIMIT = 60  # characters of Han or kana: each carries about a word
SCRIPT_MIN_CLAUSE = 12
MIN_PREDICATE = 25  # "Reported.": too little to say what the actor did; show the clause
NEAR_START = 60  # a mention this close to its sentence's start keeps the start
_NAME = re.compile(r"[\w'’.-]+(?:\s+[A-Z][\w'’.-]*)*")
_ADVERBIAL = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,3},\s+")
_COORD_AFTER = re.compile(r"^\s*(?:,\s*(?:the\s+)?[A-Z]|,?\s+(?:and|or)\s+(?:the\s+)?[A-Z])")
_COORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s*(?:,|,?\s+and|,?\s+or)\s+(?:the\s+)?$")
_IN_FRAME = re.compile(
    r"^,\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}?(?:" + "|".join(sorted(STATE_NOUNS)) + r")\b"
)


def is_locative(toks: list[Token], at: int) -> bool:
    """Is the mention at ``toks[at]`` a place ("in eastern Syria", "bordering Iraq")?"""
    k = at - 1
    while k >= 0 and toks[k].norm.lower() in _DIRECTIONS | {"the"}:
        k -= 1
    if k < 0:
        return False
    prev = toks[k].norm.lower()
    if prev in {"and", "or"} or toks[k].capitalised:
        # A list of places: "in Burkina Faso, Mali and Niger".
        j = k
        while (
            j >= 0
            and at - j <= 10
            and (toks[j].capitalised or toks[j].norm.lower() in {"and", "or", "the"})
        ):
            j -= 1
        if j >= 0 and j < k and toks[j].norm.lower() in _LOCATIVE:
            return True
        if prev in {"and", "or"}:
            return any(t.norm.lower() in _LOCATIVE for t in toks[max(0, k - 4) : k])
        return False
    return prev in _LOCATIVE


def mention_score(text: str, toks: list[Token], offset: int) -> float:
    """How plainly the sentence ``text`` (its tokens ``toks``) shows the actor mentioned at
    ``offset`` acting (module docstring, 5)."""
    k = next((j for j, t in enumerate(toks) if t.start == offset), -1)
    if k < 0:
        return 0.0
    end = k  # the name runs on through capitalised words and a state noun
    while (
        end + 1 < len(toks)
        and not toks[end].possessive
        and text[toks[end].end : toks[end + 1].start] == " "
        and (toks[end + 1].capitalised or toks[end + 1].norm.lower() in STATE_NOUNS)
    ):
        end += 1
    before, after = text[:offset], text[toks[end].end :]
    quoted = text.lstrip()[:1] in _QUOTES
    opening = _ADVERBIAL.sub("", before.lstrip(_QUOTES + " "), count=1)
    lead = opening.split()
    coord_before = _COORD_BEFORE.search(before)
    coordinated = bool(_COORD_AFTER.match(after)) or (
        coord_before is not None
        and coord_before.group(1).lower() not in COMMON_CAPITALISED | MONTHS_DAYS
    )
    subject = len(text.split()) >= 8 and (
        ([w.lower() for w in lead] == ["in"] and bool(_IN_FRAME.match(after)))
        or (
            len(lead) <= 5
            and not any(c in opening for c in ",;:")
            and all(
                w.lower() in _SUBJECT_LEAD
                or (w[:1].isupper() and w.lower() not in COMMON_CAPITALISED)
                for w in lead
            )
        )
    )
    following = [t.norm.lower() for t in toks[end + 1 : end + 5]]
    clause_end = re.search(r"[,;:]", after)
    if clause_end is not None:
        stop = len(
            [t for t in toks[end + 1 : end + 5] if t.start < toks[end].end + clause_end.start()]
        )
        following = following[:stop]
    speaker = any(w in SAYS for w in following) or before.rstrip().lower().endswith("according to")
    if subject:
        score = 2.5 if coordinated else 4.0
    elif offset <= max(40, len(text) // 4):
        score = 1.0
    else:
        score = 0.0
    if speaker:
        score += 1.0
    if not subject and is_locative(toks, k):
        score -= 2.0
    if quoted:
        score -= 3.0
    elif len(text.split()) < 8 or not self_contained(strip_opening(text)):
        score -= 1.0
    return score


def around(text: str, offset: int) -> tuple[str, int]:
    """A window of ``text`` about ``WINDOW`` characters either side of ``offset``, cut at
    spaces: ``(window, start)``. Keeps work on a huge sentence proportional to the window."""
    start = max(0, offset - WINDOW)
    if start:
        space = text.find(" ", start, offset)
        start = space + 1 if space >= 0 else start
    end = min(len(text), offset + WINDOW)
    if end < len(text):
        space = text.rfind(" ", offset, end)
        end = space if space > offset else end
    return text[start:end], start


def evidence_quote(text: str, offset: int) -> str:
    """The quote for a sentence: the sentence itself, or for a sentence longer than
    ``MAX_QUOTE`` (a page without punctuation) the verbatim window around the mention."""
    if len(text) <= MAX_QUOTE:
        return text
    return around(text, offset)[0].strip()


def role_line(text: str, offset: int, title: str) -> str:
    """The role line from the sentence ``text`` for the actor mentioned at ``offset``: what
    the actor did or said, a clause (see :func:`_clause`). A person's ``title`` ("Defence
    Minister") leads it when the line does not say it."""
    if len(text) > 2 * WINDOW:
        text, start = around(text, offset)
        offset -= start
    if _UNSPACED.search(text):
        return _script_clause(text, offset)
    honorific = title.rstrip(".") in TITLE_ABBREVIATIONS or title.lower() in {"sir", "miss"}
    line = _clause(text, offset, ROLE_LIMIT)
    if title and not honorific and title.lower() not in line.lower() and len(title) < 60:
        prefix = f"{title[0].upper()}{title[1:]}: "
        line = prefix + _clause(text, offset, ROLE_LIMIT + 20 - len(prefix))
    return line


def _clause(text: str, offset: int, limit: int) -> str:
    """What the actor mentioned at ``offset`` does in ``text``, at most ``limit`` characters.

    When the name is the subject of what follows ("France echoed that assessment, stressing
    ...", "Simmons, a West Indian, took four for 38") the line is that predicate, cut at a
    clause break: the name is shown above it and the sentence beneath it. A name followed by
    a state noun keeps it ("Syrian authorities have sought..."). Otherwise the line is the
    clause around the mention (:func:`~briefing.text.lines.trim_line`).
    """
    name = _NAME.match(text, offset)
    name_end = name.end() if name else offset
    possessive = text[offset:name_end].endswith(("'s", "’s"))
    after = text[name_end:]
    bracket = _BRACKET.match(after)  # "the UN Office (OCHA) said"
    after = after[bracket.end() :] if bracket else after
    if text[:offset].strip().lower() == "in" and _IN_FRAME.match(after):
        # "In Burkina Faso, the military government said...": the state acting.
        return lead_line(after.lstrip(" ,"), limit) or trim_line(text, offset, limit=limit)
    nouns = re.match(r"\s+(?:" + "|".join(sorted(STATE_NOUNS)) + r")\b", after)
    if nouns is not None:
        after = text[offset:]  # "Syrian authorities have sought": the noun is the subject
    else:
        apposition = _APPOSITION.match(after)
        after = after[apposition.end() :] if apposition else after
    first = re.match(r"\s*([^\W\d_][\w'’-]*)", after)
    # "Analysts in Germany said": the analysts speak, not Germany ("officials in the United
    # Kingdom said" are the state's own organ and do speak for it).
    before = text[max(0, offset - 40) : offset].lower().split()
    while before and before[-1] in {"the", "a", "an"}:
        before.pop()
    placed = bool(before) and before[-1] in _LOCATIVE
    organ = len(before) >= 2 and before[-2] in STATE_NOUNS
    predicate = (
        not possessive
        and not (placed and not organ)
        and first is not None
        and (nouns is not None or _verb(first.group(1)))
    )
    if predicate:
        line = lead_line(after, limit)
        if line is not None and len(line) >= MIN_PREDICATE:
            return line
    return _line(text, offset, limit)


def _script_clause(text: str, offset: int) -> str:
    """The role in Chinese, Japanese or Arabic: the clause holding the mention, between the
    script's own commas and semicolons (and the next one when it is very short), at most
    ``SCRIPT_ROLE_LIMIT`` characters."""
    bounds = [0, *(m.end() for m in _SCRIPT_BREAK.finditer(text)), len(text)]
    k = max(i for i in range(len(bounds) - 1) if bounds[i] <= offset)
    lo, hi = bounds[k], bounds[k + 1]
    if hi - lo < SCRIPT_MIN_CLAUSE and k + 2 < len(bounds):
        hi = bounds[k + 2]
    piece = text[lo:hi].strip().rstrip("،,;؛，、；：:")
    limit = SCRIPT_ROLE_LIMIT if _CJK.search(piece) else ROLE_LIMIT
    if len(piece) > limit:
        cut = piece[:limit]
        if not _CJK.search(piece):
            cut = cut.rsplit(" ", 1)[0]  # Arabic has spaces: never cut inside a word
        return cut.rstrip() + "…"
    return piece if piece[-1:] in "。.!?！？؟…" else piece + ("。" if _CJK.search(piece) else ".")


def _verb(word: str) -> bool:
    """Can ``word``, right after a name, start that name's predicate?"""
    low = word.lower()
    if not word[:1].islower():
        return False
    return low in _VERB_LEAD or low in _IRREGULAR or low in SAYS or low.endswith("ed")


def _line(text: str, offset: int, limit: int) -> str:
    """The sentence's start when it is self-contained and the mention lies within ``limit``
    of it, else the clause around the mention."""
    head = text[:offset]
    flat_offset = len(" ".join(head.split())) + (1 if head.strip() and head[-1].isspace() else 0)
    flat = " ".join(text.split())
    stripped = strip_opening(flat)
    skipped = len(flat) - len(stripped)
    name = _NAME.match(flat, flat_offset)
    reach = (name.end() if name else flat_offset) - skipped
    if flat_offset >= skipped and flat_offset - skipped <= NEAR_START and self_contained(stripped):
        line = lead_line(stripped, limit, reach)
        if line is not None:
            return line
    # From the start of the mention's clause when it is close, else from the mention: the
    # line then opens with the actor, never mid-phrase ("wannabe singer who...").
    left = 0
    for match in _BREAK.finditer(text, 0, offset):
        left = match.end()
    if offset - left > NEAR_START:
        left = offset
    name_end = _NAME.match(text, offset)
    reach = (name_end.end() if name_end else offset) - left
    line = lead_line(text[left:], limit, reach)
    if line is None or len(line) < MIN_PREDICATE:
        return trim_line(text, offset, limit=limit)  # "Ronald Reagan.": the clause around it
    return line


def pick_evidence(options: list[Option], chosen: int) -> list[int]:
    """The sentences quoted as evidence: the role's sentence ``chosen`` and the next best
    usable one (score >= 0), as sentence indices in article order."""
    picked = [chosen]
    for score, index, _offset in options:
        if len(picked) >= MAX_EVIDENCE:
            break
        if index != chosen and score >= 0:
            picked.append(index)
    return sorted(picked)


def assign_roles(options: list[list[tuple[float, int, int]]]) -> list[tuple[float, int, int]]:
    """One role sentence per actor, shared only when an actor has nothing else usable.

    Greedy on the strength of the claim: the (actor, sentence) pairs are taken best score
    first (ties: the actor with fewer usable sentences, then the more salient), each actor
    and each sentence once. An actor left without a free usable sentence falls back to its
    best one; if the actor holding that sentence has another free usable sentence, the
    holder moves there so that neither line is shared.
    """
    usable = [[o for o in opts if o[0] >= 0] for opts in options]
    pairs = sorted(
        ((o, i) for i, opts in enumerate(usable) for o in opts),
        key=lambda t: (-t[0][0], len(usable[t[1]]), t[1], t[0][1]),
    )
    chosen: dict[int, tuple[float, int, int]] = {}
    owner: dict[int, int] = {}
    for option, i in pairs:
        if i not in chosen and option[1] not in owner:
            chosen[i] = option
            owner[option[1]] = i
    for i, opts in enumerate(options):
        if i in chosen:
            continue
        best = opts[0]
        holder = owner.get(best[1])
        if holder is not None:
            free = [o for o in usable[holder] if o[1] not in owner]
            if free:
                chosen[holder] = free[0]
                owner[free[0][1]] = holder
                owner[best[1]] = i
        chosen[i] = best
    return [chosen[i] for i in range(len(options))]
