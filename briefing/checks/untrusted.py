"""The flags of untrusted text on a briefing: instructions in the article, hidden characters
removed from it, and URLs the model wrote that the article does not have.

:func:`injection_flags` merges the heuristic of :mod:`briefing.checks.injection` with the
model's own report into one ``injection_suspected`` flag, says how many hidden characters were
removed (and what they spelled) in a ``hidden_text`` flag, and gives one
``url_not_in_article`` flag per URL the briefing has that the article does not: a model must
not send a reader to a link it made up. :func:`apply_injection_flags` puts them on a briefing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.checks.injection import detect, excerpt, hidden_findings
from briefing.model import INJECTION_SUSPECTED, MODEL_INJECTION_DETAIL, Article, Briefing, Flag

__all__ = [
    "HIDDEN_TEXT",
    "INJECTION",
    "MODEL_DETAIL",
    "URL_NOT_IN_ARTICLE",
    "apply_injection_flags",
    "injection_flags",
    "urls_in",
]

INJECTION = INJECTION_SUSPECTED
HIDDEN_TEXT = "hidden_text"
URL_NOT_IN_ARTICLE = "url_not_in_article"
MODEL_DETAIL = MODEL_INJECTION_DETAIL  # the summariser's detail when the model reports one
_HEURISTIC_DETAIL = "the article contains text that looks like instructions to a model"

_URL = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"'“”‘’()\[\]{}]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}/[^\s<>\"'“”‘’()\[\]{}]*",
    re.I,
)
_SCHEME = re.compile(r"\bhttps?://(?:www\.)?|\bwww\.", re.I)


def urls_in(text: str) -> list[str]:
    """URLs (http(s)://..., www...., domain.tld/path) in ``text``, trailing punctuation cut."""
    return [m.group().rstrip(".,;:!?…") for m in _URL.finditer(text)]


def _url_key(url: str) -> str:
    key = url.casefold()
    prefix = _SCHEME.match(key)
    return (key[prefix.end() :] if prefix else key).rstrip("/")


def _model_texts(briefing: Briefing) -> list[str]:
    texts = [briefing.title, briefing.situation, briefing.assessment.text]
    texts += briefing.assessment.evidence
    for actor in briefing.actors:
        texts += [actor.name, actor.role, *actor.aliases, *actor.evidence]
    for risk in briefing.risks:
        texts += [risk.description, *risk.evidence]
    return texts


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def injection_flags(
    article: Article,
    briefing: Briefing,
    removed_hidden: int = 0,
    *,
    smuggled: str = "",
) -> list[Flag]:
    """Flags for ``briefing``: ``injection_suspected`` (the heuristic on the article and/or
    the model's own report, merged into one), ``hidden_text`` (``removed_hidden`` hidden
    characters were removed; ``smuggled`` is their decoded text from
    :func:`sanitise_report`) and one ``url_not_in_article`` per URL the briefing's text
    has that the article does not."""
    flags: list[Flag] = []
    findings = detect(article.title) + detect(article.text)
    if smuggled.strip():
        findings += hidden_findings(smuggled, 0)
    model = any(
        f.kind == INJECTION and not f.detail.startswith(_HEURISTIC_DETAIL) for f in briefing.flags
    )
    if findings or model:
        n = len(findings)
        first = f'"{findings[0].excerpt}"' if findings else ""
        if model and findings:
            verb = "looks" if n == 1 else "look"
            detail = (
                f"{MODEL_DETAIL}; the heuristic check also found {_count(n, 'passage')} that "
                f"{verb} like instructions to a model, first {first}"
            )
        elif findings:
            detail = f"{_HEURISTIC_DETAIL} ({_count(n, 'passage')}), first {first}"
        else:
            detail = MODEL_DETAIL
        flags.append(Flag(kind=INJECTION, detail=detail))
    if removed_hidden > 0:
        detail = f"{_count(removed_hidden, 'hidden character')} removed from the article"
        if smuggled.strip():
            detail += f', encoding the text "{excerpt(smuggled, 0)}"'
        flags.append(Flag(kind=HIDDEN_TEXT, detail=detail))
    source = f"{article.title}\n{article.text}\n{article.source.location}"
    known = _SCHEME.sub("", source.casefold())
    seen: set[str] = set()
    for text in _model_texts(briefing):
        for url in urls_in(text):
            key = _url_key(url)
            if key and key not in seen and key not in known:
                seen.add(key)
                flags.append(Flag(kind=URL_NOT_IN_ARTICLE, detail=url))
    return flags


_OURS = frozenset({INJECTION, HIDDEN_TEXT, URL_NOT_IN_ARTICLE})


def apply_injection_flags(
    article: Article,
    briefing: Briefing,
    removed_hidden: int = 0,
    *,
    smuggled: str = "",
) -> Briefing:
    """A copy of ``briefing`` whose injection, hidden-text and URL flags are replaced by
    :func:`injection_flags` (other flags kept, in order). Idempotent."""
    new = injection_flags(article, briefing, removed_hidden, smuggled=smuggled)
    kept: Sequence[Flag] = [f for f in briefing.flags if f.kind not in _OURS]
    return briefing.model_copy(update={"flags": [*kept, *new]})
