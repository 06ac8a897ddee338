"""The Rasa launcher's once-built action response check (``bot/rasa_server.py``)."""

from __future__ import annotations

import pytest
import rasa.server
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot import rasa_server
from bot.launcher.stack import rasa_service

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "place_postcode", "value": "ST6 3JJ"}],
     "responses": [{"response": "utter_places_found", "place_postcode": "ST6 3JJ"}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": []},
    {},
]  # fmt: skip
INVALID = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": []},  # a slot event needs a name
    {"events": [], "responses": "hello"},
    [],
]


def rasa_accepts(result: object) -> bool:
    try:
        validate(result, RemoteAction.action_response_format_spec())
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("result", VALID + INVALID)
def test_the_check_agrees_with_rasas_own(result: object) -> None:
    action = RemoteAction("action_test", None)
    try:
        ours = rasa_server.validate_action_result(action, result)  # type: ignore[arg-type]
    except ValidationError as error:
        assert "Failed to validate Action server response" in error.message
        ours = False
    assert ours == rasa_accepts(result)
    assert ours == (result in VALID)


def test_the_validator_is_built_once() -> None:
    assert rasa_server.action_result_validator() is rasa_server.action_result_validator()


def test_install_replaces_rasas_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(rasa.server, "requires_auth", rasa.server.requires_auth)
    rasa_server.install()
    assert rasa.server.requires_auth is rasa_server.requires_auth
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_test", None)._validate_action_result({"events": "x"})


def test_the_stack_starts_rasa_through_the_launcher(tmp_path) -> None:
    from bot.settings import Settings

    service = rasa_service("rasa", Settings(), tmp_path / "m.tar.gz", "127.0.0.1", 5005,
                           tmp_path / "endpoints.yml", {})  # fmt: skip
    assert service.command[1:4] == ["-m", "bot.rasa_server", "run"]


class FakeRequest:
    def __init__(self, headers: dict[str, str], args: dict[str, str]) -> None:
        self.headers = headers
        self.args = args


class FakeApp:
    config: dict[str, object] = {}


async def _status(request: FakeRequest) -> str:
    return "ran"


@pytest.mark.parametrize(
    "headers,args,allowed",
    [
        ({"Authorization": "Bearer api-token-1"}, {}, True),
        ({"Authorization": "bearer api-token-1"}, {}, True),
        ({}, {"token": "api-token-1"}, True),  # Rasa's own query form still works
        ({"Authorization": "Bearer wrong"}, {}, False),
        ({"Authorization": "Bearer "}, {}, False),
        ({"Authorization": "api-token-1"}, {}, False),
        ({}, {}, False),
    ],
)
def test_rasas_api_takes_its_token_in_a_bearer_header(headers, args, allowed) -> None:
    import asyncio

    guarded = rasa_server.requires_auth(FakeApp(), "api-token-1")(_status)
    request = FakeRequest(headers, args)
    if allowed:
        assert asyncio.run(guarded(request)) == "ran"
    else:
        with pytest.raises(rasa.server.ErrorResponse) as refused:
            asyncio.run(guarded(request))
        assert refused.value.status == 401


def test_rasa_logs_in_front_door_format_with_the_council(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    import rasa.utils.io

    from lib.log_format import KeyValueFormatter

    monkeypatch.setattr(rasa.utils.io, "configure_colored_logging", lambda level: None)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    rasa_server.use_front_door_log_format("stoke-on-trent")
    rasa.utils.io.configure_colored_logging("WARNING")
    (handler,) = root.handlers
    assert isinstance(handler.formatter, KeyValueFormatter)
    assert handler.formatter.council == "stoke-on-trent"
    assert root.level == logging.WARNING


def test_each_turn_is_tagged_with_its_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    from lib.log_format import conversation_tag, current_conversation

    async def handle_message(self: Agent, message: UserMessage) -> str:
        return current_conversation()

    monkeypatch.setattr(Agent, "handle_message", handle_message)
    rasa_server.tag_turns_with_their_conversation()
    rasa_server.tag_turns_with_their_conversation()  # twice wraps once
    message = UserMessage("hello", sender_id="web-1234")
    assert asyncio.run(Agent.handle_message(object(), message)) == conversation_tag("web-1234")
    assert current_conversation() == ""


# --- Action calls carry the domain without its responses (issue #19) ---


def test_an_action_call_sends_the_domain_without_responses_but_with_their_fingerprint():
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_server
    from bot.settings import REPO_ROOT
    from lib.domain_responses import FINGERPRINT_KEY, fingerprint, load_responses

    domain = Domain.load(str(REPO_ROOT / "domain"))
    action = RemoteAction("action_signpost", EndpointConfig("http://127.0.0.1:1/webhook"))
    tracker = DialogueStateTracker("resident", domain.slots)
    call = rasa_server.action_call_format(action, tracker, domain)
    sent = call["domain"]
    assert "responses" not in sent
    assert sent["slots"] == domain.as_dict()["slots"] and sent["forms"]  # the rest is kept
    # The action server reads the same responses from domain/ (same fingerprint).
    assert load_responses(REPO_ROOT / "domain") == domain.as_dict()["responses"]
    assert sent[FINGERPRINT_KEY] == fingerprint(load_responses(REPO_ROOT / "domain"))
    assert call["next_action"] == "action_signpost" and call["tracker"]["sender_id"] == "resident"
    # Built once per domain: the next call sends the very same dictionary.
    assert rasa_server.action_call_format(action, tracker, domain)["domain"] is sent


def _every_kind_of_event() -> list[dict]:
    from rasa.shared.core import events as e

    made = [
        e.UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "x"}]),
        e.BotUttered("hello", {"buttons": []}, {"utter_action": "utter_greet"}),
        e.SlotSet("place_postcode", "ST6 3JJ"),
        e.SlotSet("count", 3),
        e.ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0),
        e.ActiveLoop("report_form"),
        e.ActiveLoop(None),
        e.FollowupAction("utter_greet"),
        e.Restarted(),
        e.SessionStarted(),
        e.AllSlotsReset(),
        e.ActionReverted(),
        e.UserUtteranceReverted(),
        e.StoryExported(),
        e.ConversationPaused(),
        e.ConversationResumed(),
        e.AgentUttered("hi"),
        e.LoopInterrupted(True),
        e.ActionExecutionRejected("action_x", "RulePolicy"),
        e.EntitiesAdded([{"entity": "postcode", "value": "ST6 3JJ"}]),
        e.ReminderCancelled("r1"),
    ]
    return [event.as_dict() for event in made]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    base=st.lists(st.sampled_from(_every_kind_of_event()), max_size=4),
    key=st.sampled_from(["event", "name", "value", "text", "timestamp", "metadata", "intent"]),
    value=JSON_VALUES,
    where=st.integers(min_value=0, max_value=3),
    drop=st.booleans(),
)
def test_the_compiled_check_agrees_with_rasas_on_any_event(base, key, value, where, drop) -> None:
    """The compiled validator accepts exactly what Rasa's own check accepts."""
    events = [dict(event) for event in base]
    if events:
        changed = events[where % len(events)]
        if drop:
            changed.pop(key, None)
        else:
            changed[key] = value
    result = {"events": events, "responses": []}
    assert rasa_server._fast_accepts(result) == rasa_accepts(result)


@pytest.mark.parametrize("event", _every_kind_of_event(), ids=lambda event: event["event"])
def test_each_kind_of_event_is_judged_alike(event: dict) -> None:
    result = {"events": [event], "responses": []}
    assert rasa_server._fast_accepts(result) == rasa_accepts(result)


# --- The model's domain, read once at load ---

SMALL_DOMAIN = """
version: "3.1"
intents: [greet, affirm, deny]
entities: [postcode]
slots:
  place_postcode:
    type: text
    mappings: [{type: from_entity, entity: postcode}]
responses:
  utter_greet:
    - text: "Hello, how can I help?"
    - text: "Helo i ddinas"
      condition: [{type: slot, name: language, value: cy}]
  utter_no:
    - text: "no"
  utter_emoji:
    - text: "Thanks 👍"
actions: [action_report]
forms:
  report_form:
    required_slots: [place_postcode]
session_config: {session_expiration_time: 60, carry_over_slots_to_new_session: true}
"""


def _persisted_domain(tmp_path):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain

    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("domain_provider")
    domain = Domain.from_yaml(SMALL_DOMAIN)
    with storage.write_to(resource) as directory:
        domain.persist(directory / "domain.yml")
    return storage, resource


def _rasas_own_load(storage, resource):
    """What Rasa's ``DomainProvider.load`` does (other tests leave it replaced)."""
    from rasa.shared.core.domain import Domain

    with storage.read_from(resource) as directory:
        return Domain.from_path(directory)


def test_the_domain_read_once_is_the_domain_rasa_reads(tmp_path) -> None:
    from rasa.graph_components.providers.domain_provider import DomainProvider

    storage, resource = _persisted_domain(tmp_path)
    rasas = _rasas_own_load(storage, resource)
    ours = rasa_server.load_persisted_domain(DomainProvider, {}, storage, resource, None)
    assert ours.provide_inference().as_dict() == rasas.as_dict()
    assert ours.provide_inference().fingerprint() == rasas.fingerprint()


def test_the_domain_is_parsed_once_not_four_times(tmp_path, monkeypatch) -> None:
    import rasa.shared.utils.io
    from rasa.graph_components.providers.domain_provider import DomainProvider

    storage, resource = _persisted_domain(tmp_path)
    real = rasa.shared.utils.io.read_yaml
    parses: list[int] = []

    def counting(content, *args, **kwargs):
        if "utter_greet" in content:  # the domain, not the schema files Rasa also reads
            parses.append(len(content))
        return real(content, *args, **kwargs)

    monkeypatch.setattr(rasa.shared.utils.io, "read_yaml", counting)
    _rasas_own_load(storage, resource)
    assert len(parses) == 4  # Rasa's own: is it a domain, the schema, a throw-away, the merge
    parses.clear()
    rasa_server.load_persisted_domain(DomainProvider, {}, storage, resource, None)
    assert len(parses) == 1


def _install_with_rasa_restored_afterwards(monkeypatch) -> None:
    """Run ``install`` with what it replaces in Rasa put back after the test."""
    from rasa.core import run as rasa_run
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(DomainProvider, "load", DomainProvider.load)
    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    monkeypatch.setattr(rasa_run, "configure_app", rasa_run.configure_app)
    monkeypatch.setattr("bot.app_listeners._listeners", [])
    for name in ("always_answer", "cors"):
        monkeypatch.setattr(f"bot.{name}.install", lambda: None)
    monkeypatch.setattr("bot.channels.rest.install_reply_marks", lambda: None)
    monkeypatch.setattr(rasa_server, "install_for_every_engine", lambda: None)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    monkeypatch.setattr(rasa.server, "requires_auth", rasa.server.requires_auth)
    rasa_server.install()


def test_install_makes_rasa_read_the_domain_once(monkeypatch) -> None:
    from rasa.graph_components.providers.domain_provider import DomainProvider

    _install_with_rasa_restored_afterwards(monkeypatch)
    assert DomainProvider.load.__func__ is rasa_server.load_persisted_domain


def test_install_makes_rasa_call_the_action_server_on_kept_connections(monkeypatch) -> None:
    from rasa.core import run as rasa_run
    from rasa.utils.endpoints import EndpointConfig

    from bot import action_calls, app_listeners

    _install_with_rasa_restored_afterwards(monkeypatch)
    assert EndpointConfig.request is action_calls.request
    assert rasa_run.configure_app is app_listeners.configure_app
    assert (action_calls.close_sessions, "after_server_stop") in app_listeners._listeners


def test_install_freezes_the_loaded_objects_once_the_server_has_started(monkeypatch) -> None:
    from bot import app_listeners, loaded_objects

    _install_with_rasa_restored_afterwards(monkeypatch)
    assert (loaded_objects.freeze_loaded_objects, "after_server_start") in (
        app_listeners._listeners
    )


def _check_installed(monkeypatch, uninstall, installed) -> None:
    """``install`` with Rasa put back afterwards; ``installed()`` holds; then ``uninstall``."""
    try:
        _install_with_rasa_restored_afterwards(monkeypatch)
        assert installed()
    finally:
        uninstall()


def test_install_makes_rasa_copy_debug_line_arguments_only_for_debug_lines(monkeypatch):
    import rasa.core.processor

    from bot import debug_log_copies

    _check_installed(
        monkeypatch,
        debug_log_copies.uninstall,
        lambda: rasa.core.processor.copy.deepcopy is debug_log_copies.deepcopy_if_logged,
    )


def test_install_makes_rasa_work_out_states_once_per_tracker_moment(monkeypatch) -> None:
    from rasa.shared.core.domain import Domain

    from bot import dialogue_states

    _check_installed(
        monkeypatch,
        dialogue_states.uninstall,
        lambda: Domain.states_for_tracker_history is dialogue_states.states_for_tracker_history,
    )


def test_install_makes_rasa_copy_slots_directly(monkeypatch) -> None:
    from rasa.shared.core.slots import Slot

    from bot import slot_copies

    _check_installed(
        monkeypatch, slot_copies.uninstall, lambda: Slot.__copy__ is slot_copies.copy_slot
    )


def test_rasa_validates_the_whole_graph_with_the_runtime_changes_installed(monkeypatch) -> None:
    """Rasa reads the signatures and type hints of what the changes replace."""
    import rasa.shared.utils.io
    from rasa.engine import validation
    from rasa.engine.recipes.recipe import Recipe
    from rasa.shared.data import TrainingType

    from bot.settings import REPO_ROOT

    _install_with_rasa_restored_afterwards(monkeypatch)
    config = rasa.shared.utils.io.read_model_configuration(str(REPO_ROOT / "config.yml"))
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    validation.validate(graph)  # raises when Rasa cannot call a replaced method
