"""Cleaning of residents' text, shared by the channels and the actions.

The cleaning itself lives in :mod:`lib.text`, so the council services (which import
nothing of ``bot/``) clean their edges with the same function.
"""

from __future__ import annotations

from lib.text import clean_json, clean_number_text, clean_text, fold_digits

__all__ = ["clean_json", "clean_number_text", "clean_text", "fold_digits"]
