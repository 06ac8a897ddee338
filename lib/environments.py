"""The one vocabulary of ``ENVIRONMENT``, shared by every Front Door process.

``development`` and ``test`` accept the development placeholder secrets; ``staging`` and
``production`` refuse them (and the web service's cookies carry ``Secure``). Both settings
classes (``bot/settings.py`` and the web service's ``core/config.py``) inherit the field
from ``lib/shared_settings.py``, which validates the value with :func:`check_environment`,
so one spelling means the same in every process.

Pure code: imports nothing of the project.
"""

from __future__ import annotations

from typing import Literal, get_args

#: The type of ``ENVIRONMENT``, in order of how close to residents it runs.
Environment = Literal["development", "test", "staging", "production"]
#: Every value ``ENVIRONMENT`` may take.
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)
#: The environments where the documented development secrets are acceptable.
PLACEHOLDERS_ALLOWED = frozenset({"development", "test"})


def check_environment(value: object) -> str:
    """Return ``ENVIRONMENT`` as one of :data:`ENVIRONMENTS`.

    Surrounding spaces and capitals are forgiven (``" Production"``).

    Args:
        value: the value as read from the environment.

    Returns:
        The value in its canonical spelling.

    Raises:
        ValueError: naming the value given and every value accepted.
    """
    text = str(value).strip().lower()
    if text not in ENVIRONMENTS:
        raise ValueError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}; {value!r} is not")
    return text
