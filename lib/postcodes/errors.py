"""The failures a postcode lookup can end in, so callers catch only these.

A badly formed postcode is not one of them: :meth:`PostcodeDirectory.lookup` raises
``ValueError`` for that, because it is the caller's job to validate input first (with
:func:`lib.postcodes.normalise.normalise_postcode`).
"""

from __future__ import annotations

#: ONS pseudo local authority codes for places outside the councils of the UK.
PSEUDO_AUTHORITIES = {
    "L99999999": "the Channel Islands",
    "M99999999": "the Isle of Man",
}


class PostcodeError(Exception):
    """Base class of every postcode lookup failure."""


class PostcodeNotFound(PostcodeError):
    """A well-formed postcode that the directory cannot place on the map.

    Attributes:
        postcode: the postcode in canonical ``AA9A 9AA`` form.
        reason: a short, resident-free explanation for logs.
        local_authority_code: the ONS code when the directory knows it although it has no
            coordinates (for example ``L99999999`` for the Channel Islands), else None.
    """

    def __init__(
        self,
        postcode: str,
        reason: str = "not in the ONS Postcode Directory",
        local_authority_code: str | None = None,
    ) -> None:
        super().__init__(f"{postcode}: {reason}")
        self.postcode = postcode
        self.reason = reason
        self.local_authority_code = local_authority_code


class PostcodeDataUnavailable(PostcodeError):
    """The postcode data could not be loaded (package missing, file unreadable or empty)."""
