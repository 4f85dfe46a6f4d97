"""The result cache: briefings and the days' executive summaries, keyed by everything that
shapes them, so that nothing is asked of a model twice.

* ``keys.py``: the keys (:func:`cache_key`, :func:`summary_key`) and :func:`content_hash`;
* ``database.py``: the SQLite file: opened in WAL mode, checked, a bad one moved aside;
* ``store.py``: :class:`Cache` and :class:`NullCache` (get, put, info, clear) and
  :func:`open_cache`.

The cache never fails a run: an unusable file or location means running without it, with a
warning on the ``briefing.cache`` logger.
"""

from __future__ import annotations

from briefing.cache.database import CacheUnavailableError
from briefing.cache.keys import (
    cache_key,
    content_hash,
    key_fields,
    summary_key,
    summary_key_fields,
)
from briefing.cache.store import (
    CACHE_FILE,
    Cache,
    CachedSummary,
    CacheInfo,
    NullCache,
    ResultCache,
    cache_path,
    default_cache_dir,
    open_cache,
    parts_dir,
)

__all__ = [
    "CACHE_FILE",
    "Cache",
    "CacheInfo",
    "CacheUnavailableError",
    "CachedSummary",
    "NullCache",
    "ResultCache",
    "cache_key",
    "cache_path",
    "content_hash",
    "default_cache_dir",
    "key_fields",
    "open_cache",
    "parts_dir",
    "summary_key",
    "summary_key_fields",
]
