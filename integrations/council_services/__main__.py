"""Command line: ``python -m integrations.council_services [--host H] [--port P]``.

Runs the stand-in with uvicorn on the configured host and port (default 127.0.0.1:8000).
"""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn
from pydantic import ValidationError

from integrations.council_services.catalogue import CatalogueError
from integrations.council_services.core.config import Settings
from integrations.council_services.main import create_app

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the app and serve it until interrupted.

    Args:
        argv: the arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m integrations.council_services",
        description="Run the council services stand-in (Open311 GeoReport v2 and staff API).",
    )
    parser.add_argument("--host", help="interface to bind (default: COUNCIL_SERVICES_HOST)")
    parser.add_argument("--port", type=int, help="port to bind (default: COUNCIL_SERVICES_PORT)")
    parser.add_argument("--log-level", default="info", help="logging level (default: info)")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    overrides = {key: value for key, value in (("host", args.host), ("port", args.port)) if value}
    try:
        settings = Settings(**overrides)
        app = create_app(settings)
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        logger.error("Council services cannot start: %s", problems)
        return 2
    except CatalogueError as exc:
        logger.error("Council services cannot start: %s", exc)
        return 2
    logger.info("Council services on http://%s:%d/", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, ws="none", log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
