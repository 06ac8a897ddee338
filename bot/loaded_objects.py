"""The objects Rasa loads at start kept out of the garbage collector's full passes.

Once its model is loaded the Rasa server holds about 650,000 Python objects (TensorFlow,
the domain, the rules, the trained components), which never become garbage. CPython's
collector still walks all of them on each full pass (generation 2): measured at 10
conversations at once, three full passes in 420 messages took 571 ms, about 190 ms each,
with the event loop stopped for every conversation meanwhile; with the shorter passes,
collection took about 1.6 ms of the main thread a message. :func:`freeze_loaded_objects`
collects once and then moves everything alive into the collector's permanent generation
(``gc.freeze``), after the model is loaded and before the first message: later passes only
walk what turns create. Objects created later are collected as before.

A model loaded later (``PUT /model``) is not frozen, and the frozen first model, if
replaced, is not collected as cyclic garbage; Front Door serves the model it started with.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from bot import app_listeners

logger = logging.getLogger(__name__)


def freeze_loaded_objects(*_: Any) -> int:
    """Collect once, then keep every object alive now out of later passes; how many."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("%d objects loaded at start kept out of garbage collection passes", frozen)
    return frozen


def install() -> None:
    """Freeze the loaded objects once the server has started (its model loaded)."""
    app_listeners.add(freeze_loaded_objects, "after_server_start")
