"""Sources: where articles come from, turned into an :class:`~briefing.model.Article`.

* ``files.py``: a file or standard input: reading, decoding, cleaning (:func:`read_source`);
* ``extract.py``: the visible text of HTML and Markdown;
* ``http.py``: the safe HTTP transport (:func:`fetch` under a :class:`FetchPolicy`), built on
  ``addresses.py`` (which addresses may be dialled) and ``transport.py`` (the deadline, pinned
  connections, TLS, the bounded body);
* ``web.py``: a fetched web page as an article (:func:`fetch_article`);
* ``feeds.py``: RSS and Atom feeds, fetched the same way (:func:`read_feed`).

Article text is untrusted from here on: hidden characters are removed as it is read
(:mod:`briefing.text.hidden`) and nothing it links to is ever fetched.
"""

from __future__ import annotations

from briefing.sources.feeds import FeedItem, read_feed
from briefing.sources.files import read_source
from briefing.sources.http import FetchError, FetchPolicy, fetch
from briefing.sources.web import fetch_article

__all__ = [
    "FeedItem",
    "FetchError",
    "FetchPolicy",
    "fetch",
    "fetch_article",
    "read_feed",
    "read_source",
]
