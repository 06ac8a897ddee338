"""The assistant's background processes: outbox delivery, insight events and retention.

``python -m bot`` runs them (``outbox-worker``, ``insight-worker``, ``retention-worker``,
``purge``, ``insight-set-aside``, ``outbox list|retry``); ``make run`` starts the workers.
Workers import ``lib/``, ``integrations/`` and, of ``bot/``, only the settings. The outbox
store and the kinds of held item stay in ``integrations/outbox/``, shared with the actions.
"""
