"""Custom Rasa NLU components and the pure recognisers behind them.

Import the component by path in ``config.yml`` (``bot.nlu.uk_entities.UKEntityExtractor``);
this package itself imports nothing from Rasa. The reference recogniser the extractor uses
lives in :mod:`lib.references`, so actions and clients share it without loading Rasa.
"""
