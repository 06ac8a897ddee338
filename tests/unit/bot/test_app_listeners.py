"""Listeners added to Rasa's app are registered on the app it builds, once each."""

from __future__ import annotations

from rasa.core import run as rasa_run

from bot import app_listeners


class _App:
    def __init__(self) -> None:
        self.listeners: list[tuple[object, str]] = []

    def register_listener(self, listener, event) -> None:
        self.listeners.append((listener, event))


def test_every_listener_is_registered_on_the_built_app_once(monkeypatch) -> None:
    monkeypatch.setattr(rasa_run, "configure_app", rasa_run.configure_app)
    built = _App()
    monkeypatch.setattr(app_listeners, "_rasas_own", lambda *args, **kwargs: built)
    monkeypatch.setattr(app_listeners, "_listeners", [])

    def first(*_):
        return None

    def second(*_):
        return None

    try:
        app_listeners.add(first, "after_server_start")
        app_listeners.add(second, "after_server_stop")
        app_listeners.add(first, "after_server_start")
        assert rasa_run.configure_app is app_listeners.configure_app
        assert rasa_run.configure_app(cors=None) is built
        assert built.listeners == [(first, "after_server_start"), (second, "after_server_stop")]
    finally:
        app_listeners.remove_all()
    assert rasa_run.configure_app is app_listeners._rasas_own
