"""The *situation* section: the 2–4 sentences that best say what happened.

Method (extractive, deterministic, no model):

1. **Candidates.** The first ``CANDIDATES`` (6) sentences that look like body text. Skipped:
   fewer than ``MIN_WORDS`` (6) words, questions, sentences opening with a quotation mark,
   and boilerplate (bylines, "Scroll down for video", "Click here", "Published:" ...).
2. **Score** = position prior + centrality. The position prior is ``1 - 0.2 * rank`` among
   the candidates (news puts what happened first). Centrality is the mean over a sentence's
   distinct content words of ``log(1 + sentences containing the word - 1)``, so a sentence
   made of the article's recurring words scores high; words of the title count one extra
   sentence. It is divided by the best candidate's centrality, so both terms lie in [0, 1].
3. **Selection.** The first candidate is always taken (the lead); the rest in score order,
   skipping any sentence whose content words overlap an already chosen one by more than
   70 % (captions repeating the lead), until at least two sentences and ``WORD_BUDGET``
   (65) words are chosen, at most four. The chosen sentences are joined in article order.

On ../shared/eval/cnndm-dev.jsonl this beats LEAD-3 on ROUGE-1, -2 and -Lsum; the scores
are flat for prior weights 0.1–0.3, centrality weights 0.6–1.0 and budgets 55–70 words
(see benchmarks/eval_offline.py), so nothing hinges on the exact constants.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from briefing.text.lines import content_words, overlap
from briefing.text.sentences import Sentence

CANDIDATES = 6
MIN_WORDS = 6
WORD_BUDGET = 65
MIN_SENTENCES = 2
MAX_SENTENCES = 4
POSITION_WEIGHT = 0.2
CENTRALITY_WEIGHT = 1.0
MAX_OVERLAP = 0.7

BOILERPLATE = re.compile(
    r"scroll down|click here|published:|updated:|last updated|^by\s*\.|^by [A-Z][\w.'-]+ "
    r"[A-Z][\w.'-]+\s*$|follow @|read more|sign up|subscribe|all rights reserved|"
    r"copyright|^\(?cnn\)?\s*$|^advertisement",
    re.IGNORECASE,
)
_OPEN_QUOTE = "\"'‘“«"


def is_body_sentence(sentence: Sentence) -> bool:
    """A sentence that can stand in a summary (not a label, byline, question or quote)."""
    text = sentence.text
    if len(text.split()) < MIN_WORDS:
        return False
    if text.rstrip("\"'”’)").endswith("?") or text[:1] in _OPEN_QUOTE:
        return False
    return BOILERPLATE.search(text) is None


def select_situation(
    sentences: Sequence[Sentence], title: str = "", budget: int = WORD_BUDGET
) -> list[Sentence]:
    """The situation sentences in article order (at least one if there is any sentence)."""
    if not sentences:
        return []
    bags = [set(content_words(s.text)) for s in sentences]
    doc_freq: Counter[str] = Counter()
    for bag in bags:
        doc_freq.update(bag)
    doc_freq.update(set(content_words(title)))

    candidates: list[int] = []
    for i, sentence in enumerate(sentences):
        if len(candidates) >= CANDIDATES:
            break
        if is_body_sentence(sentence):
            candidates.append(i)
    if not candidates:
        return list(sentences[: min(len(sentences), MIN_SENTENCES)])

    def centrality(bag: set[str]) -> float:
        if not bag:
            return 0.0
        return sum(math.log(doc_freq[w]) for w in bag) / len(bag)

    central = [centrality(bags[i]) for i in candidates]
    top = max(central) or 1.0
    scores = [
        1.0 - POSITION_WEIGHT * rank + CENTRALITY_WEIGHT * central[rank] / top
        for rank in range(len(candidates))
    ]
    order = sorted(range(len(candidates)), key=lambda r: (-scores[r], r))
    order.remove(0)
    order.insert(0, 0)

    chosen: list[int] = []
    words = 0
    for rank in order:
        if len(chosen) >= MAX_SENTENCES:
            break
        if len(chosen) >= MIN_SENTENCES and words >= budget:
            break
        index = candidates[rank]
        if any(overlap(bags[index], bags[c]) > MAX_OVERLAP for c in chosen):
            continue
        chosen.append(index)
        words += len(sentences[index].text.split())
    return [sentences[i] for i in sorted(chosen)]
