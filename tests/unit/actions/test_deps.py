"""The action server's clients are built from the settings (``actions/common/deps.py``)."""

from __future__ import annotations

import pytest

from actions.common import deps


@pytest.mark.parametrize("factory", ["sms", "triage", "directory", "crm", "open311"])
def test_every_client_builds_from_the_settings(factory: str) -> None:
    build = getattr(deps, factory)
    build.cache_clear()
    try:
        assert build() is not None
    finally:
        build.cache_clear()


def test_the_sms_gateway_can_send() -> None:
    deps.sms.cache_clear()
    try:
        assert callable(deps.sms().send)
    finally:
        deps.sms.cache_clear()
