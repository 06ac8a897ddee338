"""Start Rasa (``python -m bot.rasa_server run ...``) with one fix for its speed.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
validates Rasa's own (large, constant) event schema against the JSON Schema meta-schema,
then builds a new validator: about 60 ms of CPU on each custom action call on this 2-core
machine, nearly half of a form turn (profiled with cProfile; see the README's benchmark
section). ``install`` replaces that check with one validator built once for the same
schema, so responses are checked exactly as before, with the same error message.

Everything else is Rasa's own command line, unchanged.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """A validator for Rasa's action server response schema, built and checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` with the validator built once."""
    try:
        action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Use the once-built validator for every action server response."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def main() -> None:
    """Rasa's command line, with the fix installed."""
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
