"""Input channels: the REST webhook (web chat, API), and later voice and library."""
