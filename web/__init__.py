"""Council services stand-in: the council's CRM, speaking Open311 GeoReport v2.

A separate system from the assistant: it talks to ``bot/`` and ``actions/`` only over HTTP
and imports nothing from them. Start it with ``python -m web``.
"""
