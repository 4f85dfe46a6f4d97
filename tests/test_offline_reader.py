"""The offline briefing read as an editor would (issue 10): risks, assessment, situation.

Each case failed before the change: a policy argument ("its presence is necessary to prevent a
resurgence") and a description of a strategy were listed as risks; a low likelihood resting on
a rebuttal in the next sentence gave no sign of it; the assessment was its evidence glued into
one paragraph and rated *high* because three unrelated sources were quoted side by side; a
dateline ("(CNN) --") opened the situation.
"""

from __future__ import annotations

import hashlib

from briefing.model import Article, Source
from briefing.summarisers.offline.judgement import assess, find_risks
from briefing.summarisers.offline.summariser import OfflineSummariser
from briefing.text.sentences import split_sentences
from tests.conftest import SAMPLE


def article(text: str) -> Article:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(title="Test", text=text, source=Source(kind="file", location="t", sha256=sha))


def risk_lines(text: str) -> list[str]:
    return [r.description for r in find_risks(split_sentences(text))]


def test_policy_arguments_and_descriptions_are_not_risks() -> None:
    assert not risk_lines(
        "Washington has argued that its presence is necessary to prevent a resurgence and to "
        "ensure that extremist networks do not regain access to resources."
    )
    assert not risk_lines(
        "The group's strategy, according to counterterrorism specialists, relies on low-level "
        "but persistent violence to project relevance and undermine stability."
    )
    assert not risk_lines(
        "Regional analysts say the withdrawal of French troops has left a security vacuum that "
        "armed groups have been quick to exploit."
    )
    # What may come stays: a warning, a modal, a named fear, a trend.
    assert risk_lines("Officials warned that the ceasefire could collapse within days.")
    assert risk_lines("Diplomats fear that the dispute will spread to neighbouring states.")
    assert risk_lines("Access for aid convoys has become increasingly dangerous this year.")


def test_the_sample_lists_only_forward_looking_risks() -> None:
    b = OfflineSummariser().summarise(article(SAMPLE.read_text(encoding="utf-8")))
    described = " ".join(r.description for r in b.risks)
    assert "presence is necessary" not in described
    assert "strategy" not in described
    assert "regroup" in described and "hampers aid delivery" in described


def test_a_rating_that_rests_on_the_next_sentence_shows_it() -> None:
    text = (
        "Officials argued that unilateral actions risk complicating the security landscape. "
        "Western governments counter that coordination with partners reduces such risks."
    )
    [risk] = find_risks(split_sentences(text))
    assert risk.likelihood == "low"  # "risk" (medium), then rebutted
    assert len(risk.evidence) == 2 and "counter that" in risk.evidence[1]
    text = (
        "Aid groups warned that insecurity hampers deliveries in the north. "
        "Attacks on convoys have continued through the autumn."
    )
    [risk] = find_risks(split_sentences(text))
    assert risk.likelihood == "high"  # stated as fact, shown going on by the next sentence
    assert len(risk.evidence) == 2 and "continued" in risk.evidence[1]


def test_assessment_judgements_are_separate_paragraphs() -> None:
    sentences = split_sentences(SAMPLE.read_text(encoding="utf-8"))
    a = assess(sentences, set())
    paragraphs = a.text.split("\n\n")
    assert len(paragraphs) == len(a.evidence) >= 2
    for paragraph, quote in zip(paragraphs, a.evidence, strict=True):
        assert paragraph == " ".join(quote.split())


def test_high_confidence_needs_judgements_that_agree() -> None:
    unrelated = split_sentences(
        "Military planners described the strike as precise and limited in scope. "
        "Counterterrorism specialists say the group relies on persistent low-level violence. "
        "Regional analysts argue that porous borders let fighters move between the countries."
    )
    assert assess(unrelated, set()).confidence == "moderate"  # was "high": three sources
    agreeing = split_sentences(
        "Regional analysts say the blockade of the port will cause fuel shortages in the capital. "
        "Energy economists argue that the port blockade will cause fuel shortages by spring."
    )
    assert assess(agreeing, set()).confidence == "high"


def test_reports_and_quotes_are_not_the_assessment() -> None:
    sentences = split_sentences(
        "The military government said its forces had repelled an assault on a garrison. "
        '"We are now choosing who eats and who does not," a senior official said. '
        "Regional analysts say the withdrawal has left a security vacuum in the north."
    )
    a = assess(sentences, set())
    assert a.evidence == [sentences[2].text]


def test_the_situation_leaves_out_the_dateline() -> None:
    text = (
        "(CNN) -- Storms flooded the river valley overnight, forcing thousands of residents "
        "from their homes. Rescue teams reached the worst-hit villages by boat on Tuesday, "
        "officials said. Power was cut to more than 20,000 homes across the region."
    )
    b = OfflineSummariser().summarise(article(text))
    assert b.situation.startswith("Storms flooded the river valley overnight")
