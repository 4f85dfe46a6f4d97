"""Actors of the offline summariser (briefing.summarisers.offline.actors and roles): kinds,
names as the article gives them, short roles, other scripts, huge input, and the actor scores
of `briefing eval` against shared/eval/score_actors.py."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.evaluate import GoldEntity, names_match, score_actors
from briefing.model import Actor, Article, Source
from briefing.summarisers.offline.actors import MAX_ACTORS, extract_actors
from briefing.summarisers.offline.roles import MAX_QUOTE
from briefing.summarisers.offline.summariser import OfflineSummariser
from briefing.text import gazetteer
from briefing.text.sentences import Sentence
from tests.conftest import RunCli

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def actors_of(text: str) -> dict[str, Actor]:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    article = Article(
        title="Test", text=text, source=Source(kind="file", location="t", sha256=digest)
    )
    return {a.name: a for a in OfflineSummariser().summarise(article).actors}


# -- kinds ------------------------------------------------------------------------------------


def test_towns_are_places_not_people() -> None:
    actors = actors_of(
        "The Rapid Support Forces shelled El Fasher on Monday, residents said. "
        "Aid workers in North Darfur said the siege of El Fasher had cut off food supplies "
        "for weeks. The governor of North Darfur called for international help. "
        "Fighting was also reported near Kutum, and families fled Kutum overnight."
    )
    assert actors["El Fasher"].kind == "place"
    assert actors["North Darfur"].kind == "place"
    assert actors["Kutum"].kind == "place"  # a town no list knows: "near", "fled ... to"
    assert actors["Rapid Support Forces"].kind == "armed group"
    assert not [a for a in actors.values() if a.kind == "person"]


def test_an_organisation_keeps_its_full_name() -> None:
    actors = actors_of(
        "The Niger Basin Authority warned on Tuesday that water levels were falling fast. "
        "Engineers at the Niger Basin Authority said dams upstream held back the flow. "
        "Farmers across the region depend on the river for irrigation."
    )
    assert actors["Niger Basin Authority"].kind == "organisation"
    assert "Basin Authority" not in actors
    assert "Niger" not in actors  # the river's name inside the body's, not the state


def test_clubs_are_organisations_and_cities_places() -> None:
    actors = actors_of(
        "Dynamo Moscow beat Spartak Moscow 2-1 on Sunday to go top of the league. "
        "Dynamo Moscow coach Ivan Petrov said his side had deserved the win in Moscow. "
        "Spartak Moscow have now lost three games in a row, and fans in Moscow were angry."
    )
    assert actors["Dynamo Moscow"].kind == "organisation"
    assert actors["Spartak Moscow"].kind == "organisation"
    assert actors["Moscow"].kind == "place"  # "in Moscow": the city, not Russia's government


def test_a_capital_speaks_for_its_state_only_as_a_metonym() -> None:
    actors = actors_of(
        "Syria said on Monday it had closed the border crossing for a week. "
        "Officials in Damascus said the move was temporary. "
        "Syrian authorities blamed smugglers for the unrest along the frontier."
    )
    assert "Damascus" in actors["Syria"].aliases
    assert "Damascus" not in actors


def test_people_with_initials_and_surnames_merge() -> None:
    actors = actors_of(
        "Leicestershire beat Somerset by an innings after P. Simmons took four wickets. "
        "Simmons then scored a quick fifty as Somerset collapsed on the second morning. "
        "Somerset captain Andy Hayhurst said his side had been outplayed."
    )
    assert actors["P. Simmons"].kind == "person"
    assert "Simmons" in actors["P. Simmons"].aliases
    assert "P" not in actors


def test_sentence_openers_and_shouting_are_no_actors() -> None:
    actors = actors_of(
        "PRESS DIGEST - Jakarta newspapers on Friday.\n"
        "Add Women to the list, the editor said of the Jakarta team.\n"
        "Second round results were published in Jakarta on Friday by the federation.\n"
        "The federation said the second round would be held in Surabaya."
    )
    for junk in ("PRESS DIGEST", "Add Women", "Women", "Second", "Add"):
        assert junk not in actors
    assert actors["Jakarta"].kind == "place"


def test_an_actor_is_named_as_the_article_names_it() -> None:
    actors = actors_of(
        "Britain and the U.S. agreed new sanctions on Tuesday. "
        "Britain said the measures would take effect at once, while U.S. officials said "
        "more would follow. The U.S. Treasury will publish the list on Friday."
    )
    assert "Britain" in actors and "United Kingdom" in actors["Britain"].aliases
    assert "U.S." in actors and "United States" in actors["U.S."].aliases
    assert "United Kingdom" not in actors and "United States" not in actors


# -- roles and evidence ------------------------------------------------------------------------


def test_roles_are_short_clauses_not_the_quoted_sentence() -> None:
    actors = actors_of(
        "France echoed that assessment on Wednesday, stressing the importance of coordinated "
        "action among allies and warning that the group could regroup in the desert. "
        "The European Commission said it would propose a new package of measures next month, "
        "after consulting member states and the European Parliament on its scope."
    )
    france = actors["France"]
    assert france.role.startswith("Echoed that assessment on Wednesday")
    assert len(france.role) <= 101
    commission = actors["European Commission"]
    assert commission.role.startswith("Said it would propose a new package")
    for actor in actors.values():
        assert all(actor.role.rstrip(".…") != q.rstrip(".") for q in actor.evidence)


def test_the_place_where_an_actor_was_is_not_its_voice() -> None:
    actors = actors_of(
        "Analysts in Germany said the deal was fragile and could unravel within a year. "
        "Germany signed the accord in Brussels on Monday after months of talks. "
        "France later said it would seek changes to the text before ratification."
    )
    assert actors["Germany"].role.startswith("Signed the accord")
    assert actors["France"].role.startswith("Later said it would seek changes")


# -- other scripts -----------------------------------------------------------------------------

SCRIPTS = {
    "zh": (
        "中国外交部周二表示，中国将继续与美国保持沟通。外交部发言人在北京举行的例行记者会上说，"
        "中美关系的稳定符合两国人民的利益。美国国务院此前宣布对部分中国企业实施新的出口限制。",
        "China",
    ),
    "ja": (
        "日本政府は火曜日、ロシアに対する追加制裁を発表した。官房長官は東京で記者会見し、"
        "ロシアのウクライナ侵攻は国際秩序を揺るがすものだと述べた。"
        "ロシア外務省は日本の措置に強く反発した。",
        "Russia",
    ),
    "ar": (
        "أعلنت مصر يوم الثلاثاء أنها ستستضيف محادثات جديدة بشأن وقف إطلاق النار في غزة. "
        "وقال وزير الخارجية المصري إن القاهرة على اتصال مع قطر والولايات المتحدة. "
        "وأكدت حماس أنها تدرس المقترح، فيما قالت إسرائيل إنها لن توافق. "
        "وقالت مصر إنها ستواصل جهودها.",
        "Egypt",
    ),
    "ru": (
        "Министерство иностранных дел России во вторник заявило, что Москва готова к "
        "переговорам. Официальный представитель МИД Мария Захарова сообщила, что Россия не "
        "отказывается от диалога. По словам Захаровой, позиция Запада остаётся неизменной.",
        "Russia",
    ),
    "el": (
        "Η Ελλάδα και η Τουρκία συμφώνησαν την Τρίτη να ξεκινήσουν νέο γύρο επαφών. "
        "Ο πρωθυπουργός Κυριάκος Μητσοτάκης δήλωσε στην Αθήνα ότι η κυβέρνηση επιθυμεί "
        "σταθερές σχέσεις. Ο Μητσοτάκης πρόσθεσε ότι η Ευρωπαϊκή Ένωση στηρίζει τις "
        "προσπάθειες της Ελλάδας.",
        "Greece",
    ),
}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_main_actor_in_other_scripts(language: str) -> None:
    text, main = SCRIPTS[language]
    actors = actors_of(text)
    found = [a for a in actors.values() if main in a.aliases]
    assert found, (language, [(a.name, a.aliases) for a in actors.values()])
    actor = found[0]
    assert actor.name in text  # named in the article's own script
    assert actor.role and all(q in text for q in actor.evidence)


def test_russian_and_greek_inflections_count_together() -> None:
    _, actors = None, actors_of(SCRIPTS["ru"][0])
    assert actors["Мария Захарова"].kind == "person"
    assert "Захаровой" in actors["Мария Захарова"].aliases
    assert actors["Россия"].kind == "state"  # the dictionary form, though "России" comes first
    greek = actors_of(SCRIPTS["el"][0])
    assert greek["Κυριάκος Μητσοτάκης"].kind == "person"
    assert not any(name.startswith("Ο ") for name in greek)  # the article "Ο" is no name


@pytest.mark.parametrize(
    ("text", "people"),
    [
        (
            "国家主席习近平周二在北京会见了到访的法国总统马克龙。习近平表示，中法两国应加强合作。"
            "马克龙说，法国愿意与中国深化经贸关系。外交部发言人在北京举行的例行记者会上介绍了会谈情况。",
            {"习近平", "马克龙"},
        ),
        (
            "石破首相は火曜日、東京でバイデン大統領と電話で会談した。石破首相は日米同盟の重要性を"
            "強調した。バイデン大統領は日本との協力を続ける考えを伝えた。",
            {"石破", "バイデン"},
        ),
        (
            "استقبل الرئيس المصري عبد الفتاح السيسي يوم الثلاثاء وزير الخارجية الأمريكي أنتوني "
            "بلينكن في القاهرة. وقال السيسي إن مصر ستواصل جهودها لوقف إطلاق النار في غزة. وأكد "
            "بلينكن أن الولايات المتحدة تدعم الوساطة المصرية.",
            {"عبد الفتاح السيسي", "أنتوني بلينكن"},
        ),
    ],
)
def test_people_found_by_their_titles_without_case(text: str, people: set[str]) -> None:
    actors = actors_of(text)
    persons = {name for name, a in actors.items() if a.kind == "person"}
    assert persons == people, [(a.name, a.kind) for a in actors.values()]


def test_script_names_match_whole_words_only() -> None:
    names = gazetteer.names()
    assert [n for *_, n in names.find_script_names("Китайский рынок")] == []  # an adjective
    assert [n for *_, n in names.find_script_names("в России и Китае")] == ["Russia", "China"]
    assert [n for *_, n in names.find_script_names("والصين ومصر")] == ["China", "Egypt"]
    assert [n for *_, n in names.find_script_names("Η Ελλάδας Κύπρου")] == ["Greece", "Cyprus"]


# -- hostile input -----------------------------------------------------------------------------


class _CountingStr(str):
    """A str that adds up the characters of every slice taken from it."""

    sliced = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        piece = super().__getitem__(key)
        _CountingStr.sliced += len(piece)
        return piece


def _one_line(chars: int) -> str:
    """``chars`` characters of news-like words on one line, without sentence punctuation."""
    phrase = (
        "officials of the United Nations met Minister Alice Brown in Paris while talks with "
        "Hamas continued and forces in Syria waited for word from Geneva "
    )
    return (phrase * (chars // len(phrase) + 1))[:chars].rstrip()


def test_actor_work_is_linear_in_sentence_length() -> None:
    """One sentence without punctuation: the characters sliced from it stay proportional to
    its length. Slicing the sentence's prefix once per capitalised run (as before) took
    about (runs x length / 2): for this 200 kB sentence some 10^9 characters."""
    text = _one_line(200_000)
    _CountingStr.sliced = 0
    sentence = Sentence(_CountingStr(text), 0, len(text), 0, 0)
    actors = extract_actors([sentence], text)
    assert actors
    assert _CountingStr.sliced < 20 * len(text), _CountingStr.sliced


def test_five_megabyte_one_line_article_completes() -> None:
    """The hostile case of issue 10: 5 MB on one line, no sentence punctuation. It never
    finished before; it must now simply complete, with bounded quotes and roles."""
    text = _one_line(5_000_000)
    actors = actors_of(text)
    assert "United Nations" in actors
    assert len(actors) <= MAX_ACTORS
    for actor in actors.values():
        assert len(actor.role) <= 130
        assert all(len(q) <= MAX_QUOTE and q in text for q in actor.evidence)


# -- bundled data -----------------------------------------------------------------------------


def test_bundled_places_and_names() -> None:
    names = gazetteer.names()
    assert names.place(("Zurich",)) == "city"  # the accent-free form of Zürich too
    assert names.place(("West", "Bank")) == "region"
    assert ("Austin",) in names.ambiguous  # a first name as well: a place only "in Austin"
    assert "John" in names.first_names and "Smith" in names.surnames
    data = ROOT / "briefing" / "data"
    notice = (data / "NOTICE.md").read_text(encoding="utf-8")
    assert "GeoNames" in notice and "CC BY 4.0" in notice and "Census" in notice
    assert (data / "places.json").stat().st_size < 1_000_000


# -- eval: the rules of shared/eval/score_actors.py ----------------------------------------------


def test_name_matching_rules() -> None:
    assert names_match("the Niger Basin Authority", "Niger Basin Authority")
    assert names_match("Simmons", "Phil Simmons") and names_match("Phil Simmons", "Simmons")
    assert names_match("Bank of England", "Bank England")
    assert not names_match("United States", "U.S.")
    assert not names_match("", "X") and not names_match("of the", "of the")
    gold = [GoldEntity(name="Phil Simmons", type="PER", mentions=2)]
    score = score_actors([(["Simmons", "Somerset"], gold), (["X"], [])])
    assert (score.precision, score.key_recall, score.actors_per_doc, score.docs) == (
        0.5,
        1.0,
        2.0,
        1,
    )


@pytest.mark.skipif(
    not (SHARED_EVAL / "score_actors.py").exists(), reason="shared/eval not beside the repo"
)
def test_eval_actor_scores_match_score_actors_script(tmp_path: Path) -> None:
    lines = (SHARED_EVAL / "conllpp-dev.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    documents = []
    for line in lines:
        item = json.loads(line)
        names = list(actors_of(item["text"]))
        (briefs / f"{item['id']}.json").write_text(
            json.dumps({"actors": [{"name": n} for n in names]}), encoding="utf-8"
        )
        documents.append((names, [GoldEntity(**e) for e in item["entities"]]))
    out = subprocess.run(
        [sys.executable, str(SHARED_EVAL / "score_actors.py"), str(gold_path), str(briefs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(
        r"docs (\d+) missing 0 actors/doc ([\d.]+) precision ([\d.]+) key-recall ([\d.]+)", out
    )
    assert found, out
    ours = score_actors(documents)
    assert (
        str(ours.docs),
        f"{ours.actors_per_doc:.1f}",
        f"{ours.precision:.3f}",
        f"{ours.key_recall:.3f}",
    ) == found.groups()


def test_eval_prints_actor_columns_for_gold_entities(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    item = {
        "id": "d1",
        "text": (
            "France beat Mexico 2-0 in a friendly international in Paris on Saturday, with "
            "both goals coming early in the second half. Coach Aime Jacquet said France had "
            "played well against a strong side and would now prepare for the qualifiers. "
            "Mexico had won their previous four games before the defeat."
        ),
        "entities": [
            {"name": "France", "type": "LOC", "mentions": 2},
            {"name": "Mexico", "type": "LOC", "mentions": 2},
            {"name": "Aime Jacquet", "type": "PER", "mentions": 1},
        ],
    }
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    result = run_cli("eval", str(path), "--summariser", "offline")
    assert result.returncode == 0, result.stderr
    head, _rule, row = result.stdout.strip().splitlines()
    assert head.endswith("| actor precision | key recall | actors/doc |")
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == "–"  # no reference: no ROUGE
    assert cells[-3:] == ["1.000", "1.000", "3.0"]
