"""The action server can register every action (a base class without a name breaks start-up)."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from tests.unit.actions.trackers import load_domain


def test_every_action_in_the_domain_registers_with_the_action_server():
    executor = ActionExecutor()
    executor.register_package("actions")
    custom = {
        name for name in load_domain()["actions"] if name.startswith(("action_", "validate_"))
    }
    assert custom <= set(executor.actions), sorted(custom - set(executor.actions))
