"""Client of the council's CRM: council tax accounts and cases, broadband applications."""

from __future__ import annotations

from integrations.crm.client import CrmClient
from integrations.crm.errors import CrmError, CrmNotFound, CrmRejected, CrmUnavailable, NotVerified
from integrations.crm.fake import FakeCrm
from integrations.crm.models import AccountSummary, Application, Case, Identity

__all__ = [
    "AccountSummary",
    "Application",
    "Case",
    "CrmClient",
    "CrmError",
    "CrmNotFound",
    "CrmRejected",
    "CrmUnavailable",
    "FakeCrm",
    "Identity",
    "NotVerified",
    "get_crm_client",
]

_shared: CrmClient | FakeCrm | None = None


def get_crm_client() -> CrmClient | FakeCrm:
    """The process-wide client, configured from settings (built on first use).

    ``CRM_FAKE=true`` gives the in-memory fake, for running the assistant without the
    council services.
    """
    global _shared
    if _shared is None:
        from bot.settings import settings

        if settings.crm_fake:
            _shared = FakeCrm()
        else:
            _shared = CrmClient(
                settings.council_services_url,
                settings.staff_api_token,
                connect_timeout_s=settings.http_connect_timeout_s,
                read_timeout_s=settings.http_read_timeout_s,
            )
    return _shared
