"""The workers ``python -m bot`` starts build each client at its own URL setting."""

from __future__ import annotations

from pathlib import Path

import pytest

import integrations.insight
import integrations.open311
import integrations.triage
from bot import cli
from bot.settings import Settings
from integrations.endpoint import Endpoint

SERVICES = "http://services.example:8000"


def _capture(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[Endpoint]:
    """Replace a client factory; the endpoints it is called with."""
    given: list[Endpoint] = []
    real = getattr(module, name)

    def capture(endpoint: Endpoint, *args: object, **kwargs: object) -> object:
        given.append(endpoint)
        return real(endpoint, *args, **kwargs)

    monkeypatch.setattr(module, name, capture)
    return given


def _settings(tmp_path: Path, **urls: str) -> Settings:
    return Settings(
        _env_file=None,
        var_dir=tmp_path,
        council_services_url=SERVICES,
        open311_jurisdiction_id="test",
        open311_api_key="open311-key",
        staff_api_token="staff-token",
        **urls,
    )


@pytest.mark.parametrize(
    ("urls", "open311", "triage"),
    [
        ({}, SERVICES, SERVICES),
        ({"open311_url": "https://crm.example"}, "https://crm.example", SERVICES),
        ({"triage_url": "https://queue.example"}, SERVICES, "https://queue.example"),
    ],
)
def test_the_outbox_worker_sends_each_kind_to_its_own_url(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    urls: dict[str, str],
    open311: str,
    triage: str,
) -> None:
    reports = _capture(monkeypatch, integrations.open311, "get_open311_client")
    records = _capture(monkeypatch, integrations.triage, "get_triage_client")
    cli.build_outbox_worker(_settings(tmp_path, **urls))
    assert [(e.base_url, e.token) for e in reports] == [(open311, "open311-key")]
    assert [(e.base_url, e.token) for e in records] == [(triage, "staff-token")]


@pytest.mark.parametrize(
    ("urls", "expected"),
    [({}, SERVICES), ({"insight_url": "https://insight.example"}, "https://insight.example")],
)
def test_the_insight_worker_posts_to_its_own_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, urls: dict[str, str], expected: str
) -> None:
    given = _capture(monkeypatch, integrations.insight, "get_insight_client")
    worker = cli.build_insight_worker(_settings(tmp_path, **urls))
    try:
        assert [(e.base_url, e.token) for e in given] == [(expected, "staff-token")]
    finally:
        worker.close()
