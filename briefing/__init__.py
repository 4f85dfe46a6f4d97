"""briefing: turn news articles into analyst-grade briefings."""

__version__ = "0.1.0"
