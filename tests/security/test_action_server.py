"""The action server answers only Rasa, and only on loopback (issue #15, item 1)."""

from __future__ import annotations

import pytest

from bot.launcher.stack import Stack
from tests.helpers import Resident, can_connect, non_loopback_address
from tests.security.calls import (
    action_call,
    conversation,
    outbox_rows,
    post_action,
    triage_of,
    with_secret,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "headers,params",
    [
        ({}, {}),
        ({"Content-Type": "text/plain"}, {}),  # what any web page may send without asking
        ({"Authorization": "Bearer not-the-secret"}, {}),
        ({}, {"token": "not-the-secret"}),
    ],
)
def test_a_call_without_the_secret_is_refused_and_nothing_runs(
    stack: Stack, headers: dict[str, str], params: dict[str, str]
) -> None:
    """A forged urgent-help call would have made a priority-1 record: it makes nothing."""
    sender = conversation("forged")
    body = action_call("action_urgent_help", sender, "I am not safe at home")
    refused = post_action(stack, body, headers, **params)
    assert refused.status_code == 401
    assert "events" not in refused.json() and "responses" not in refused.json()
    assert triage_of(stack, sender) == []
    assert outbox_rows(stack, sender) == []
    # The very same call with Rasa's secret does run, and at once (no queue between):
    # so the empty queue above means nothing ran.
    accepted = post_action(stack, body, with_secret(stack))
    assert accepted.status_code == 200
    assert [record["priority"] for record in triage_of(stack, sender)] == [1]


def test_rasas_calls_carry_the_secret_and_are_answered(stack: Stack, resident: Resident) -> None:
    reply = resident.say_text("where can I use a computer near ST6 3JJ")
    assert "nearest places to ST6 3JJ" in reply, reply  # action_find_place ran for Rasa
    direct = post_action(stack, action_call("action_session_start", conversation("rasa")),
                         with_secret(stack))  # fmt: skip
    assert direct.status_code == 200
    assert direct.json()["events"][0]["event"] == "session_started"


def test_the_action_server_is_not_reachable_on_a_non_loopback_address(stack: Stack) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    port = stack.settings.action_server_port
    assert can_connect("127.0.0.1", port)
    assert not can_connect(address, port)
