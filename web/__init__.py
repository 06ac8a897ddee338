"""Front Door's own web service: triage queue, staff console, directory and web chat.

A separate system from the assistant: it talks to ``bot/`` and ``actions/`` only over HTTP
and imports nothing from them. Start it with ``python -m web``. The stand-ins of the
council's own systems (Open311 CRM, council tax and broadband CRM, SMS gateway) live in
``stand_in/`` and are mounted only when ``STAND_IN`` is on.
"""
