"""Run only the stand-ins of the council's systems: ``python -m web.stand_in [--port N]``.

The same as ``python -m web serve --stand-in-only``: Open311, the council tax and
broadband CRM and the SMS gateway (with ``/healthz``) on ``STAND_IN_PORT`` (8100), on the
web service's database. Point ``OPEN311_URL``, ``CRM_URL`` and ``SMS_URL`` at it.
"""

from __future__ import annotations

import sys

from web.__main__ import main as web_main


def main(argv: list[str] | None = None) -> int:
    """Serve the stand-in alone; takes ``--host``, ``--port`` and ``--log-level``.

    Args:
        argv: the arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    return web_main([*args, "serve", "--stand-in-only"])


if __name__ == "__main__":
    sys.exit(main())
