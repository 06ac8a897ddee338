"""Custom Rasa NLU components and the pure recognisers behind them.

Import the component by path in ``config.yml`` (``bot.nlu.uk_entities.UKEntityExtractor``);
this package itself imports nothing from Rasa, so actions can use
:mod:`bot.nlu.references` without loading it.
"""
