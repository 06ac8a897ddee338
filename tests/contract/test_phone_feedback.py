"""A caller's "Did that answer your question?" reaches the council services (issue #18).

The phone line runs in-process as in ``tests/unit/bot/test_phone_feedback.py``, with the
insight client its settings make; the council services run for real (``python -m web``,
own port and SQLite file). The answer lands in the same feedback store as the web chat's,
as the call's one-way id with the channel ``ivr``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from bot.settings import REPO_ROOT
from tests.contract.web.conftest import STAFF_TOKEN, RunningServer, run_server
from tests.unit.bot.test_phone_feedback import call_hash, make_phone


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("phone_feedback")
    with run_server(f"sqlite:///{folder / 'services.db'}", folder / "services.log", "sqlite") as s:
        yield s


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


def kept(services: RunningServer) -> list[tuple[str, bool, str]]:
    engine = sa.create_engine(services.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT conversation_hash, answered, channel FROM insight_feedback")
            )
            return [(digest, bool(answered), channel) for digest, answered, channel in rows]
    finally:
        engine.dispose()


def test_a_callers_no_lands_in_the_feedback_store_as_ivr(
    services: RunningServer, domain: Domain
) -> None:
    phone = make_phone(
        domain, None, council_services_url=services.base_url, staff_api_token=STAFF_TOKEN
    )
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    assert "stage=ask_feedback" in phone.action
    phone.turn(Digits="2")
    assert kept(services) == [(call_hash(phone), False, "ivr")]
