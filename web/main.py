"""The application factory of Front Door's web service.

``create_app`` wires settings, database, directory and routes, and mounts the stand-ins of
the council's own systems (``stand_in/``) when ``STAND_IN`` is on: this is the one module
outside ``stand_in/`` that imports it, so ``seed_sample_data`` (``python -m web seed``)
lives here too. Nothing connects to the database at import time: the schema is brought up
to date when the app starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from lib.postcodes.client import PostcodeDirectory
from web import stand_in
from web.api.errors import (
    describe_open311_errors_in_openapi,
    register_exception_handlers,
)
from web.api.main import api_router, system_router
from web.api.openapi import finish_openapi
from web.api.rate_limits import RateLimits
from web.core.config import Settings, get_settings
from web.core.db import create_db_engine, create_session_factory
from web.core.schema import upgrade_database
from web.directory import PlaceFinder, load_area
from web.places import Directory, load_directory
from web.stand_in.open311.catalogue import Catalogue

logger = logging.getLogger(__name__)

DESCRIPTION = """
Front Door's web service: what a council deploys next to the assistant.

* **Triage queue** under `/api/v1/triage`: hand-offs from the assistant; list, read, claim,
  resolve, and read the audit log (bearer token).
* **Staff console** at `/staff` (HTML, sign-in required).
* **Location directory** at `/api/v1/places`: public PCs, free Wi-Fi, libraries, work clubs
  and pay points nearest a postcode, with opening hours; book a public PC at
  `/api/v1/places/{id}/bookings` and cancel it at `/api/v1/bookings/{reference}`.
* **Web chat** at `/` for residents.
"""

STAND_IN_DESCRIPTION = """
Stand-ins for the council's own systems, for development and tests (`STAND_IN`):

* **Open311 GeoReport v2** under `/open311/v2/` (JSON): services, service definitions,
  posting and searching service requests. Errors are the GeoReport error array.
* **CRM staff API** under `/api/v1/reports/`: read a report and move it through the
  workflow (bearer token).
* **Council tax and broadband CRM** under `/api/v1/council-tax/` and
  `/api/v1/broadband/` (bearer token).
* **SMS gateway** at `/api/v1/sms` (bearer token).
"""


def create_app(
    settings: Settings | None = None,
    *,
    stand_in_only: bool = False,
    postcodes: PostcodeDirectory | None = None,
    catalogue: Catalogue | None = None,
    places: Directory | None = None,
) -> FastAPI:
    """Build the web service application.

    The heavy data can be handed in already loaded, so that several apps in one process
    (the tests build one per test) share it instead of reading it again each time.

    Args:
        settings: the configuration; read from the environment when omitted.
        stand_in_only: serve only the stand-ins of the council's systems (and ``/healthz``),
            as ``python -m web.stand_in`` does; ``settings.stand_in`` is then ignored.
        postcodes: the postcode directory, with whatever letters it has loaded already; a
            new one (loaded in the background at start-up) when omitted.
        catalogue: the stand-in's Open311 service catalogue read from
            ``settings.catalogue_path``; read when the stand-in is mounted and it is omitted.
        places: the location directory read from ``settings.places_path``; read here
            when omitted.

    Returns:
        The FastAPI application. Its database schema is upgraded when it starts.

    Raises:
        stand_in.open311.catalogue.CatalogueError: when the stand-in is mounted and its
            service catalogue is missing or malformed.
        places.PlacesError: when the council's directory file is missing or malformed.
    """
    settings = settings or get_settings()
    place_finder = (
        None
        if stand_in_only
        else PlaceFinder(
            load_directory(settings.places_path) if places is None else places,
            load_area(settings.council_dir),
            PostcodeDirectory() if postcodes is None else postcodes,
        )
    )
    engine = create_db_engine(settings)
    with_stand_in = stand_in_only or settings.stand_in

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        revision = upgrade_database(engine)
        # Load the postcode data in the background: start-up stays fast, and a search that
        # comes first simply waits for the load already under way.
        warm_up = (
            asyncio.create_task(asyncio.to_thread(place_finder.warm_up)) if place_finder else None
        )
        logger.info(
            "%s ready: %s database at schema revision %s; stand-in %s",
            "Stand-in" if stand_in_only else "Council services",
            engine.dialect.name,
            revision,
            "mounted" if with_stand_in else "off",
        )
        yield
        if warm_up is not None:
            await warm_up
        engine.dispose()

    description = "" if stand_in_only else DESCRIPTION
    app = FastAPI(
        title="Council services (stand-in)" if stand_in_only else "Council services",
        description=description + (STAND_IN_DESCRIPTION if with_stand_in else ""),
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.place_finder = place_finder
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.rate_limits = RateLimits.from_settings(settings)
    register_exception_handlers(app)
    app.include_router(system_router)
    if with_stand_in:
        stand_in.mount(app, settings, catalogue)
    if not stand_in_only:
        app.include_router(api_router)
    describe_open311_errors_in_openapi(app)
    finish_openapi(app)
    return app


def seed_sample_data(engine: Engine) -> int:
    """Upgrade the schema, then add the stand-in's SAMPLE data that the database lacks.

    Sample data is not schema, so no revision adds it; rows already there stay as they are.

    Args:
        engine: the web service's engine (``core/db.py``).

    Returns:
        How many rows were added.
    """
    upgrade_database(engine)
    with create_session_factory(engine)() as session:
        return stand_in.seed(session)
