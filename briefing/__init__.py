"""briefing: turn news articles into analyst-grade briefings."""

import logging

__version__ = "0.1.0"

# A library logs; only the CLI decides what reaches stderr (no "last resort" printing).
logging.getLogger("briefing").addHandler(logging.NullHandler())
