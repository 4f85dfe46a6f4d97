"""Turn HTML and Markdown articles into plain article text (paragraphs separated by blank lines).

Only what a reader would see is kept: scripts, styles, hidden elements, navigation and forms are
dropped, and no URL in the input is ever fetched.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from briefing.text.markup import VOID_ELEMENTS

# Elements whose whole content is never article text.
_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "nav",
        "footer",
        "aside",
        "form",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "button",
        "select",
        "textarea",
        "figure",
        "figcaption",
        "menu",
        "dialog",
    }
)
# Elements that end a paragraph.
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "br",
        "hr",
        "dd",
        "dt",
        "dl",
        "address",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0", re.I)


def _hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta_title = ""
        self.h1 = ""
        self._in_title = False
        self._in_h1 = False
        # Stack of open elements; True where the element suppresses text.
        self._stack: list[tuple[str, bool]] = []
        self._parts: list[str] = []
        self._article_parts: list[str] | None = None
        self._article_depth = 0

    @property
    def _suppressed(self) -> bool:
        return any(drop for _, drop in self._stack)

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        if self._article_depth and self._article_parts is not None:
            self._article_parts.append(text)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")) in (
            "og:title",
            "twitter:title",
        ):
            self.meta_title = self.meta_title or (attrs.get("content") or "").strip()
        if tag == "title":
            self._in_title = True
        if tag in VOID_ELEMENTS:
            if tag in ("br", "hr") and not self._suppressed:
                self._emit("\n\n")
            return
        drop = tag in _DROP or _hidden(attrs)
        self._stack.append((tag, drop))
        if tag == "article" and not self._suppressed:
            if self._article_parts is None:
                self._article_parts = []
            self._article_depth += 1
        if tag == "h1" and not self._suppressed and not self.h1:
            self._in_h1 = True
        if tag in _BLOCK and not self._suppressed:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in VOID_ELEMENTS:
            return
        # Close up to the matching open element (tolerates unclosed tags).
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                suppressed_before = self._suppressed
                del self._stack[i:]
                if tag == "article" and self._article_depth and not suppressed_before:
                    self._article_depth -= 1
                break
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK and not self._suppressed:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._suppressed:
            return
        if self._in_h1:
            self.h1 += data
        self._emit(data)

    def text(self) -> str:
        # Prefer the <article> element when the page has one with real content.
        if self._article_parts is not None:
            article = _tidy("".join(self._article_parts))
            if len(article.split()) >= 40:
                return article
        return _tidy("".join(self._parts))


def _tidy(text: str) -> str:
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Return (visible text, title or None) of an HTML document."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    title = " ".join((parser.meta_title or parser.h1 or parser.title).split()) or None
    text = parser.text()
    # The h1 is usually the headline: keep it as the title, not as the first paragraph.
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    return text, title


_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^```.*?^```[ \t]*$", re.S | re.M), ""),  # fenced code
    (re.compile(r"<!--.*?-->", re.S), ""),  # comments can hide text
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # link definitions
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # blockquotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list markers
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
]
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """Return (plain text, first heading or None) of a Markdown article."""
    title: str | None = None
    match = _MD_HEADING.search(markdown)
    if match and not markdown[: match.start()].strip():
        title = match.group(1).strip() or None
        markdown = markdown[match.end() :]
    # Remaining headings become their own paragraphs.
    markdown = _MD_HEADING.sub(lambda m: "\n\n" + m.group(1) + "\n\n", markdown)
    for pattern, repl in _MD_RULES:
        markdown = pattern.sub(repl, markdown)
    # Inline HTML in Markdown is treated like HTML: only its visible text stays.
    if re.search(r"<[a-zA-Z/!][^>]*>", markdown):
        markdown = "\n\n".join(
            html_to_text(p)[0] if "<" in p else p for p in re.split(r"\n\s*\n", markdown)
        )
    return markdown, title


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower():
        return True
    tags = re.findall(r"</?(?:p|div|article|body|span|h[1-6]|br|section)\b", text[:20000], re.I)
    return len(tags) >= 3
