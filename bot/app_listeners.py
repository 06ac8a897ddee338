"""Listeners Front Door adds to the Sanic app Rasa's server builds (``configure_app``).

Rasa builds its app in ``rasa.core.run.configure_app`` and loads the model in a
``before_server_start`` listener. Each change that needs a moment of the server's life
(after the model is loaded, when the server stops) adds its listener here, and one
``configure_app`` registers them all on the app Rasa built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core import run as rasa_run

_rasas_own = rasa_run.configure_app
#: (listener, Sanic event) pairs, in the order they were added.
_listeners: list[tuple[Callable[..., Any], str]] = []


def configure_app(*args: Any, **kwargs: Any) -> Any:
    """Rasa's ``configure_app``, then every added listener registered on its app."""
    app = _rasas_own(*args, **kwargs)
    for listener, event in _listeners:
        app.register_listener(listener, event)
    return app


def add(listener: Callable[..., Any], event: str) -> None:
    """Register ``listener`` for the Sanic ``event`` on the app Rasa builds (once)."""
    if (listener, event) not in _listeners:
        _listeners.append((listener, event))
    rasa_run.configure_app = configure_app


def remove_all() -> None:
    """Rasa's own ``configure_app`` again, with no listeners added."""
    _listeners.clear()
    rasa_run.configure_app = _rasas_own
