"""People in scripts without capital letters (Chinese, Japanese, Arabic), found by their titles.

Without case there is no capitalised run to start from, so a name is only taken where an
office anchors it, the way those languages write it:

* **Chinese** puts the title first and the name after it, up to the next word of saying,
  particle or punctuation: 国家主席习近平表示 -> 习近平, 总统拜登在 -> 拜登. The shortest
  name of two to five characters (``·`` allowed: 弗拉基米尔·普京) that such a marker
  follows is taken.
* **Japanese** puts the name first and the title after it: 岸田首相は, プーチン大統領が,
  林官房長官は -> 岸田, プーチン, 林. The name runs back from the title over Han and katakana
  to the first kana particle or punctuation (の, は, 、...), one to six characters.
* **Arabic** puts the title first, then adjectives of nationality, then the name:
  وزير الخارجية المصري سامح شكري -> سامح شكري. Two words are taken (three after عبد, أبو, بن:
  عبد الفتاح السيسي), none a function word; the surname alone counts as a later mention.

A name that is itself a known state or place (英国首相 is "British prime minister") is not
a person. All scans are linear in the text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from briefing.text.lexicon import words

__all__ = ["find_bodies", "find_people", "later_mentions"]

_ZH_TITLES = words(
    "国家主席 國家主席 总书记 總書記 副总统 副總統 总统 總統 总理 總理 首相 外长 外長 部长 部長 "
    "国务卿 國務卿 发言人 發言人 秘书长 秘書長 主席 议长 議長 大使 国王 國王 王储 王儲 市长 市長 "
    "州长 州長 司令 将军 將軍 总裁 總裁 主任 省长 省長"
)
_ZH_AFTER = words(
    "表示 说 說 称 稱 指出 强调 強調 宣布 在 于 於 和 与 與 对 對 的 会见 會見 访问 訪問 周 週 "
    "星期 今天 昨天 当天 當天 也 则 則 将 將 已 还 還 向 同 就 呼吁 呼籲 警告 认为 認為 发表 發表 "
    "出席 会晤 會晤 通电话 通電話 ， 。 、 ： “ 「 （ ( ；"
)
_JA_TITLES = words(
    "首相 大統領 副大統領 外相 官房長官 国務長官 長官 大臣 総理 総理大臣 国家主席 主席 報道官 "
    "事務総長 議長 知事 市長 委員長 総裁 書記長 国王 氏"
)
_AR_TITLE = re.compile(
    r"(?<![\u0600-\u06ff])[وفبلك]?(?:"
    + "|".join(
        sorted(
            (
                t.replace("_", " ")
                for t in words(
                    "الرئيس رئيس_الوزراء رئيس_الحكومة وزير_الخارجية وزير_الدفاع "
                    "وزير_الداخلية وزير_المالية الأمين_العام الملك الأمير ولي_العهد الشيخ "
                    "نائب_الرئيس رئيس_البرلمان"
                )
            ),
            key=len,
            reverse=True,
        )
    )
    + r")(?![\u0600-\u06ff])"
)
_ZH_NOT_NAME = frozenset("级級们們助府")  # 部长级 (ministerial), 总统们, 市长助理, 总统府
_AR_WORD = re.compile(r"[\u0621-\u064a]+")
_AR_STOP = words(
    "قال قالت إن أن في على من إلى عن مع يوم خلال الذي التي هذا هذه بعد قبل كما وقال وقالت "
    "أمس اليوم إنه إنها لقد قد ما لا لم لن"
)
_AR_LINKS = frozenset({"عبد", "أبو", "ابو", "بن", "ابن", "آل"})
_ZH_TITLE = re.compile("|".join(sorted(map(re.escape, _ZH_TITLES), key=len, reverse=True)))
_JA_TITLE = re.compile("|".join(sorted(map(re.escape, _JA_TITLES), key=len, reverse=True)))
_HAN = re.compile(r"[\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_JA_NAME = re.compile(r"[\u3400-\u9fff\u30a0-\u30ffー・]")  # Han, katakana, long vowel, dot
_ZH_NAME = re.compile(r"[\u3400-\u9fff·・]")
MAX_NAME = 6

Person = tuple[int, int, str]  # start, end, name


def find_people(text: str, known: Callable[[str], bool]) -> list[Person]:
    """Names anchored by a title in ``text`` (module docstring); ``known(name)`` says a
    candidate is a state or place, not a person."""
    found: list[Person] = []
    japanese = bool(_KANA.search(text))
    if _HAN.search(text):
        scan = _japanese if japanese else _chinese
        found += [p for p in scan(text) if not known(p[2])]
    if _AR_WORD.search(text):
        found += [p for p in _arabic(text) if not known(p[2])]
    return found


def _chinese(text: str) -> list[Person]:
    out: list[Person] = []
    for title in _ZH_TITLE.finditer(text):
        start = title.end()
        if any(text.startswith(marker, start) for marker in _ZH_AFTER) or (
            text[start : start + 1] in _ZH_NOT_NAME
        ):
            continue  # 发言人在北京, 部长级会议: no name after the title
        for length in range(2, MAX_NAME):
            end = start + length
            name = text[start:end]
            if end > len(text) or not all(_ZH_NAME.match(c) for c in name):
                break
            if any(text.startswith(marker, end) for marker in _ZH_AFTER) or end == len(text):
                out.append((start, end, name))
                break
    return out


def _japanese(text: str) -> list[Person]:
    out: list[Person] = []
    for title in _JA_TITLE.finditer(text):
        end = title.start()
        start = end
        while start > 0 and end - start < MAX_NAME + 1 and _JA_NAME.match(text[start - 1]):
            start -= 1
        name = text[start:end]
        katakana = all(not _HAN.match(c) for c in name)
        if 1 <= len(name) <= MAX_NAME and not (katakana and len(name) < 2):
            out.append((start, end, name))
    return out


def _arabic(text: str) -> list[Person]:
    out: list[Person] = []
    for title in _AR_TITLE.finditer(text):
        words = list(_AR_WORD.finditer(text, title.end(), title.end() + 120))
        k = 0
        # Adjectives of nationality after the title: المصري, الأمريكي, الإسرائيلي.
        while k < len(words) and k < 2 and words[k].group().startswith("ال"):
            if not words[k].group().endswith(("ي", "ية")):
                break
            k += 1
        take = 3 if k < len(words) and words[k].group() in _AR_LINKS else 2
        name_words = words[k : k + take]
        if len(name_words) < take or any(w.group() in _AR_STOP for w in name_words):
            continue
        gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(name_words)]
        if name_words[0].group().startswith("ال") or any(g.strip() for g in gaps):
            continue  # a noun phrase, or words across punctuation
        name = " ".join(w.group() for w in name_words)
        out.append((name_words[0].start(), name_words[-1].end(), name))
    return out


# Chinese and Japanese name a body or a place with a final word: 湄公河委员会 (the Mekong River
# Commission), 気象庁 (the Meteorological Agency), 沖縄県 (Okinawa Prefecture).
_ZH_BODIES = words(
    "委员会 委員會 组织 組織 联盟 聯盟 协会 協會 银行 銀行 集团 集團 公司 大学 大學 政府 议会 議會 "
    "法院 外交部 国防部 國防部 商务部 商務部 财政部 財政部 新华社 新華社 航空 研究所 气象局 氣象局"
)
_ZH_PLACES = words("省 河 湖 岛 島 江")
_JA_BODIES = words(
    "委員会 機関 連合 協会 銀行 会社 大学 政府 議会 裁判所 外務省 防衛省 財務省 経済産業省 "
    "国土交通省 厚生労働省 気象庁 警察庁 航空 研究所 党"
)
_JA_PLACES = words("県 島 空港 川")
# Final words that are whole names by themselves (a ministry, an agency, a news agency).
_WHOLE_NAMES = words(
    "外交部 国防部 國防部 商务部 商務部 财政部 財政部 新华社 新華社 外務省 防衛省 財務省 "
    "経済産業省 国土交通省 厚生労働省 気象庁 警察庁"
)
_ZH_STOPS = frozenset("的和与與在由对對向是了将將据據从從及或而并並被为為于於月日年周週受至近")
_NOT_AFTER_PLACE = frozenset("份长長会會市场場")
_ZH_BODY = re.compile(
    "|".join(sorted(map(re.escape, _ZH_BODIES | _ZH_PLACES), key=len, reverse=True))
)
_JA_BODY = re.compile(
    "|".join(sorted(map(re.escape, _JA_BODIES | _JA_PLACES), key=len, reverse=True))
)

Body = tuple[int, int, str, str]  # start, end, name, "organisation" | "place"


def find_bodies(text: str) -> list[Body]:
    """Organisations and places named with a final word in Chinese or Japanese (module
    docstring): the name runs back over Han (and in Japanese katakana) to punctuation, a
    kana particle or a Chinese function character, at most ``MAX_NAME`` characters before
    the final word. Nested names give the longest ("湄公河委员会", not "湄公河")."""
    if not _HAN.search(text):
        return []
    japanese = bool(_KANA.search(text))
    pattern, places = (_JA_BODY, _JA_PLACES) if japanese else (_ZH_BODY, _ZH_PLACES)
    name_char = _JA_NAME if japanese else _HAN
    found: list[Body] = []
    for match in pattern.finditer(text):
        if match.group() in places and text[match.end() : match.end() + 1] in _NOT_AFTER_PLACE:
            continue  # 省长 is a governor, 市场 a market
        start = match.start()
        while (
            start > 0
            and match.start() - start < MAX_NAME
            and name_char.match(text[start - 1])
            and (japanese or text[start - 1] not in _ZH_STOPS)
        ):
            start -= 1
        if start == match.start() and match.group() not in _WHOLE_NAMES:
            continue  # the final word alone ("政府") names nothing in particular
        kind = "place" if match.group() in places else "organisation"
        found.append((start, match.end(), text[start : match.end()], kind))
    # Keep the longest of nested names: 湄公河 inside 湄公河委员会.
    return [
        b for b in found if not any(o is not b and o[0] <= b[0] and b[1] <= o[1] for o in found)
    ]


def later_mentions(text: str, name: str) -> list[int]:
    """Offsets in ``text`` where the person ``name`` (found by :func:`find_people`) is named
    again: the whole name, and for an Arabic name its last word alone ("شكري"), standing as a
    word after an optional proclitic."""
    offsets: list[int] = []
    forms = [name]
    if _AR_WORD.fullmatch(name.split()[-1]) and " " in name:
        forms.append(name.split()[-1])
    for form in forms:
        at = text.find(form)
        while at >= 0:
            arabic = _AR_WORD.match(form) is not None
            before = text[at - 1] if at else " "
            after = text[at + len(form)] if at + len(form) < len(text) else " "
            alone = not after.isalpha() and (not before.isalpha() or before in "وفبلك")
            if not arabic or alone:
                offsets.append(at)
            at = text.find(form, at + len(form))
    return sorted(set(offsets))
