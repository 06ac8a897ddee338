"""The stand-in CRM's Open311 GeoReport v2 endpoint and its staff API for reports."""
