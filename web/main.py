"""The application factory of the council services stand-in.

``create_app`` wires settings, catalogue, database and routes. Nothing connects to the
database at import time: the schema is brought up to date when the app starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from integrations.postcodes.client import PostcodeDirectory
from web.api.errors import (
    describe_open311_errors_in_openapi,
    register_exception_handlers,
)
from web.api.main import api_router
from web.api.openapi import finish_openapi
from web.api.rate_limits import RateLimits
from web.catalogue import Catalogue, load_catalogue
from web.core.config import Settings, get_settings
from web.core.db import (
    apply_migrations,
    create_db_engine,
    create_session_factory,
)
from web.directory import PlaceFinder, load_area
from web.places import Directory, load_directory

logger = logging.getLogger(__name__)

DESCRIPTION = """
A stand-in for a council's customer records system, for development and tests.

* **Open311 GeoReport v2** under `/open311/v2/` (JSON): services, service definitions,
  posting and searching service requests. Errors are the GeoReport error array.
* **Staff API** under `/api/v1/reports/`: read a report and move it through the workflow
  (bearer token).
* **Triage queue** under `/api/v1/triage`: hand-offs from the assistant; list, read, claim,
  resolve, and read the audit log (bearer token).
* **Staff console** at `/staff` (HTML, sign-in required).
* **Location directory** at `/api/v1/places`: public PCs, free Wi-Fi, libraries, work clubs
  and pay points nearest a postcode, with opening hours; book a public PC at
  `/api/v1/places/{id}/bookings` and cancel it at `/api/v1/bookings/{reference}`.
"""


def create_app(
    settings: Settings | None = None,
    *,
    postcodes: PostcodeDirectory | None = None,
    catalogue: Catalogue | None = None,
    places: Directory | None = None,
) -> FastAPI:
    """Build the council services application.

    The heavy data can be handed in already loaded, so that several apps in one process
    (the tests build one per test) share it instead of reading it again each time.

    Args:
        settings: the configuration; read from the environment when omitted.
        postcodes: the postcode directory, with whatever letters it has loaded already; a
            new one (loaded in the background at start-up) when omitted.
        catalogue: the service catalogue read from ``settings.catalogue_path``; read
            here when omitted.
        places: the location directory read from ``settings.places_path``; read here
            when omitted.

    Returns:
        The FastAPI application. Its database schema is migrated when it starts.

    Raises:
        catalogue.CatalogueError: when the service catalogue is missing or malformed.
        places.PlacesError: when the council's directory file is missing or malformed.
    """
    settings = settings or get_settings()
    if catalogue is None:
        catalogue = load_catalogue(settings.catalogue_path)
    place_finder = PlaceFinder(
        load_directory(settings.places_path) if places is None else places,
        load_area(settings.council_dir),
        PostcodeDirectory() if postcodes is None else postcodes,
    )
    engine = create_db_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        version = apply_migrations(engine)
        # Load the postcode data in the background: start-up stays fast, and a search that
        # comes first simply waits for the load already under way.
        warm_up = asyncio.create_task(asyncio.to_thread(place_finder.warm_up))
        logger.info(
            "Council services ready: %s database at schema version %d, %d services",
            engine.dialect.name,
            version,
            len(catalogue),
        )
        yield
        await warm_up
        engine.dispose()

    app = FastAPI(
        title="Council services (stand-in)",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.place_finder = place_finder
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.rate_limits = RateLimits.from_settings(settings)
    register_exception_handlers(app)
    app.include_router(api_router)
    describe_open311_errors_in_openapi(app)
    finish_openapi(app)
    return app
