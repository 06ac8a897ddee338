"""Client of the council's location directory: places near a postcode and PC bookings."""

from integrations.directory.client import DirectoryClient, get_directory_client
from integrations.directory.errors import DirectoryError, DirectoryRejected, DirectoryUnavailable
from integrations.directory.models import Booking, Place, PlaceQuery

__all__ = [
    "Booking",
    "DirectoryClient",
    "DirectoryError",
    "DirectoryRejected",
    "DirectoryUnavailable",
    "Place",
    "PlaceQuery",
    "get_directory_client",
]
