"""Stand-ins for the council's OWN systems, faked for development.

A council runs Front Door next to systems it already has. For development and tests this
package fakes three of them, each answering where the real one would:

* ``open311/``: the CRM's Open311 GeoReport v2 endpoint (``/open311/v2/``), with the CRM's
  own staff API for reports (``/api/v1/reports/``);
* ``crm/``: council tax accounts and cases, broadband voucher applications
  (``/api/v1/council-tax/``, ``/api/v1/broadband/``);
* ``sms/``: the SMS gateway (``/api/v1/sms``), which puts texts in Front Door's outbox.

:func:`mount` is the one entry point for the routes: the app factory (``web/main.py``)
calls it when ``STAND_IN`` is on; :func:`seed` adds the SAMPLE data those routes answer
from (``python -m web seed``, through the same module). Nothing else outside this package
imports it, so a council that connects its real systems switches it off
(``STAND_IN=false``) or deletes the folder.
``python -m web.stand_in`` runs the stand-in alone on its own port.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session

from web.core.config import Settings
from web.stand_in.crm import routes as crm_routes
from web.stand_in.crm.sample_data import seed_sample_accounts
from web.stand_in.open311 import routes as open311_routes
from web.stand_in.open311 import staff_routes as open311_staff_routes
from web.stand_in.open311.catalogue import Catalogue, load_catalogue
from web.stand_in.sms import routes as sms_routes

__all__ = ["mount", "seed"]


def mount(app: FastAPI, settings: Settings, catalogue: Catalogue | None = None) -> None:
    """Add the stand-in's routes to the app and load what they need.

    Args:
        app: the web service (or the stand-in's own app); its state must carry the database
            session factory and the settings, as ``web.main.create_app`` sets them.
        settings: the configuration; ``catalogue_path`` names the Open311 service list.
        catalogue: that list, already loaded (tests share one); read when omitted.

    Raises:
        open311.catalogue.CatalogueError: when the service catalogue is missing or malformed.
    """
    app.state.stand_in_catalogue = (
        load_catalogue(settings.catalogue_path) if catalogue is None else catalogue
    )
    app.include_router(open311_routes.router, prefix="/open311/v2")
    app.include_router(open311_staff_routes.router, prefix="/api/v1")
    app.include_router(crm_routes.router, prefix="/api/v1")
    app.include_router(sms_routes.router)


def seed(session: Session) -> int:
    """Add the stand-in's SAMPLE data that the database lacks (the council tax accounts).

    Args:
        session: a session on a database at the newest schema revision.

    Returns:
        How many rows were added.
    """
    return seed_sample_accounts(session)
