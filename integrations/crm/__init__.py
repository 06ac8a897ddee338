"""Client of the council's CRM: council tax accounts and cases, broadband applications."""

from __future__ import annotations

from integrations.crm.client import CrmClient
from integrations.crm.errors import CrmError, CrmNotFound, CrmRejected, CrmUnavailable, NotVerified
from integrations.crm.fake import FakeCrm
from integrations.crm.models import AccountSummary, Application, Case, Identity
from integrations.endpoint import Endpoint

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


def get_crm_client(endpoint: Endpoint, fake: bool = False) -> CrmClient | FakeCrm:
    """A client of the CRM at ``endpoint``; the caller keeps it for the process.

    Args:
        endpoint: the council services and the staff API token.
        fake: the in-memory fake instead (``CRM_FAKE=true``), for running the assistant
            without the council services.
    """
    if fake:
        return FakeCrm()
    return CrmClient(
        endpoint.base_url,
        endpoint.token,
        connect_timeout_s=endpoint.connect_timeout_s,
        read_timeout_s=endpoint.read_timeout_s,
    )
