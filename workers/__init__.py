"""The assistant's background processes: insight events and retention; outbox commands.

``python -m bot`` runs them (``insight-worker``, ``retention-worker``, ``purge``,
``insight-set-aside``, ``outbox list|retry``); ``make run`` starts the workers. The outbox's
delivery loop stays beside its store (``integrations/outbox/worker.py``), whose item kinds
the actions share. Workers import ``lib/``, ``integrations/`` and, of ``bot/``, only the
settings.
"""
