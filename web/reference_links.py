"""What the staff console calls each kind of reference, and where it links it.

A street report (``SR-``) lives in the council's Open311 system. The console links it
there only when that system has a known address: the configured ``OPEN311_URL``, or this
service while it mounts the stand-in. Otherwise staff see the reference without a link,
never a link that answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A street report's page under an Open311 base URL (GeoReport v2, as JSON).
OPEN311_REQUEST_PATH = "/open311/v2/requests/{reference}.json"

# What each kind of reference names, and its page here (None: no page yet). Street
# reports are not in this table: their page is in another system (see ``ReferenceLinks``).
_LOCAL_PAGES: dict[str, tuple[str, str | None]] = {
    "triage": ("Triage record", "/staff/triage/{reference}"),
    "held_report": ("Street report held until the council's system is back", None),
    "pc_booking": ("Public PC booking", None),
    "council_tax_case": ("Council tax case", None),
    "broadband_application": ("Broadband application", None),
}
STREET_REPORT = "street_report"
STREET_REPORT_LABEL = "Street report"


@dataclass(frozen=True)
class ReferenceLinks:
    """Where references link, for one deployment.

    Attributes:
        open311_root: the base URL street reports are under ("" for this service), or
            None when no Open311 system can be linked.
    """

    open311_root: str | None

    @classmethod
    def configured(cls, *, open311_url: str, stand_in: bool) -> ReferenceLinks:
        """The links of a deployment's settings.

        Args:
            open311_url: the configured ``OPEN311_URL`` (empty when not set).
            stand_in: whether this service mounts the stand-in Open311 system.
        """
        if open311_url:
            return cls(open311_url.rstrip("/"))
        return cls("" if stand_in else None)

    def page(self, kind: str, reference: str) -> tuple[str, str | None]:
        """The label of a reference of ``kind``, and its link (None: show it unlinked)."""
        if kind == STREET_REPORT:
            if self.open311_root is None:
                return STREET_REPORT_LABEL, None
            return STREET_REPORT_LABEL, self.open311_root + OPEN311_REQUEST_PATH.format(
                reference=reference
            )
        label, page = _LOCAL_PAGES.get(kind, (kind, None))
        return label, page.format(reference=reference) if page else None
