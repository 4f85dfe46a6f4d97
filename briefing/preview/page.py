"""What the live preview adds to a page: its security policy, the reload script, a small bar,
and the page shown when a build fails.

Only fixed markup, integers and the base64 nonce are added; nothing of the page is unescaped
or marked safe. The template's own ``<meta http-equiv="Content-Security-Policy">`` forbids every
script, so the served copy drops it (autoescaping guarantees that such a tag can only come from
template markup, never from the article) and the header policy of
:func:`content_security_policy` applies instead.
"""

from __future__ import annotations

import html
import re

__all__ = ["RELOAD_SCRIPT", "content_security_policy", "error_page", "inject_preview"]

# Our script, a fixed string: it marks the page live, then polls /version and reloads the page
# when the build it was served with (data-version on its own tag) is no longer current.
RELOAD_SCRIPT = """\
(function () {
  "use strict";
  var me = document.currentScript;
  var served = me ? me.getAttribute("data-version") : null;
  document.documentElement.dataset.live = "1";
  function poll() {
    fetch("/version", {cache: "no-store"}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (version) {
      if (version !== null && version.trim() !== served) {
        window.location.reload();
        return;
      }
      window.setTimeout(poll, 300);
    }, function () {
      window.setTimeout(poll, 1000);
    });
  }
  window.setTimeout(poll, 300);
})();
"""

_BAR_STYLE = (
    "position:fixed;top:8px;right:8px;z-index:2147483647;margin:0;padding:4px 10px;"
    "font:13px/1.4 system-ui,sans-serif;color:#fff;background:#1f2933;border-radius:4px;"
    "opacity:.92"
)
_LINK_STYLE = "color:#fff;font-weight:bold;text-decoration:underline"
_PANEL_STYLE = (
    "margin:2rem auto;max-width:46rem;padding:1rem 1.5rem;border:3px solid #b00020;"
    "border-radius:6px;background:#fdecea;color:#5f0010;font:16px/1.5 system-ui,sans-serif"
)
_CSP_META = re.compile(r"<meta\s+http-equiv\s*=\s*[\"']?content-security-policy[^>]*>", re.I)
_BODY_END = re.compile(r"</body\s*>", re.I)


def content_security_policy(nonce: str) -> str:
    """The policy of every response: only our nonce'd script runs, only this server is fetched."""
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'nonce-{nonce}'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def inject_preview(page: str, version: int, nonce: str) -> str:
    """``page`` with the template's CSP meta removed and our bar and script before ``</body>``.

    Only fixed markup, the integer ``version`` and the base64 ``nonce`` are added; nothing of
    the page is unescaped or marked safe.
    """
    page = _CSP_META.sub("", page)
    addition = _bar(version) + _script(version, nonce)
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + addition
    at = ends[-1].start()  # the article cannot close the body: its "<" is escaped
    return page[:at] + addition + page[at:]


def _bar(version: int) -> str:
    return (
        f'<div id="briefing-preview-bar" style="{_BAR_STYLE}">'
        f'<a href="/briefing.pdf" style="{_LINK_STYLE}">PDF</a>'
        f" · live preview, build {int(version)}</div>\n"
    )


def _script(version: int, nonce: str) -> str:
    return f'<script nonce="{nonce}" data-version="{int(version)}">\n{RELOAD_SCRIPT}</script>\n'


def error_page(message: str, version: int, nonce: str) -> str:
    """A page saying why the build failed (``message``, escaped), with our bar and script."""
    body = (
        f'<div id="briefing-preview-error" role="alert" style="{_PANEL_STYLE}">'
        '<h1 style="margin-top:0;font-size:1.3rem">The preview could not be built</h1>'
        f'<p style="font-family:monospace;white-space:pre-wrap">{html.escape(message)}</p>'
        "<p>Fix the file and save it: this page reloads by itself.</p></div>\n"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Preview error</title>\n</head>\n<body>\n" + body + "</body>\n</html>\n"
    )
    return inject_preview(page, version, nonce)
