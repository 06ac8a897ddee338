"""What the assistant says, from ``kb/``: the loaders and the domain files made from them.

``knowledge.py`` loads and checks the service answers and facts (``python -m bot kb-check``)
and writes their domain files (``kb-sync``); ``next_steps.py`` loads what the council does
after a hand-off; ``translations.py`` writes ``domain/languages.yml`` from
``kb/translations/`` (``python -m bot.content.translations``). Actions read the loaders at
run time; the generated domain files are committed and checked by the unit tests.
"""
