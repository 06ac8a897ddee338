"""Open311 GeoReport v2 client: the council's CRM for street problem reports."""

from integrations.open311.client import Open311Client, get_open311_client
from integrations.open311.errors import (
    Open311Error,
    Open311NotFound,
    Open311Rejected,
    Open311Unavailable,
)
from integrations.open311.models import NewServiceRequest, Service, ServiceRequest

__all__ = [
    "NewServiceRequest",
    "Open311Client",
    "Open311Error",
    "Open311NotFound",
    "Open311Rejected",
    "Open311Unavailable",
    "Service",
    "ServiceRequest",
    "get_open311_client",
]
