"""The chat widget's files, ``/widget.js`` and ``/widget.css``, and its sample page (#18).

Both files are the same for every council and every page, so browsers and caches keep them
(``Cache-Control`` and an ``ETag``; a matching ``If-None-Match`` gets 304). Pages on other
sites load them, hence ``Cross-Origin-Resource-Policy: cross-origin``. ``/widget-demo`` is a
sample council page with the one tag, served only in development and test.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from web import templating
from web.api.deps import SettingsDep
from web.widget import Asset, widget_script, widget_style

router = APIRouter(include_in_schema=False)

#: Long enough to spare the council's visitors a download per page, short enough that a new
#: version reaches them the same day; the ETag makes the check after that cheap.
CACHE_CONTROL = "public, max-age=3600"
#: The sample page allows only this origin's scripts, styles and frames: the widget needs no
#: inline script or style, and no eval.
DEMO_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; frame-src 'self'; "
        "img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
DEMO_PAGES = {
    "1": ("Bins and recycling", "Find your collection day and what goes in each bin."),
    "2": ("Roads and pavements", "Report a pothole, a broken street light or a blocked drain."),
}


def _serve(request: Request, asset: Asset, media_type: str) -> Response:
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    sent = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if asset.etag in sent or "*" in sent:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(asset.body, media_type=media_type, headers=headers)


@router.get("/widget.js")
def widget_js(request: Request, settings: SettingsDep) -> Response:
    """The widget: ``<script src=".../widget.js" data-council="<slug>" defer></script>``."""
    return _serve(request, widget_script(settings), "text/javascript")


@router.get("/widget.css")
def widget_css(request: Request) -> Response:
    """The launcher's and panel's style sheet (loaded by the widget into its own tree)."""
    return _serve(request, widget_style(), "text/css")


@router.get("/widget-demo")
def widget_demo(settings: SettingsDep, page: str = "1", council: str = "") -> Response:
    """A sample council page with the widget's one tag (development and test only)."""
    if not settings.is_development or page not in DEMO_PAGES:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    heading, text = DEMO_PAGES[page]
    other = "2" if page == "1" else "1"
    # Any council is written into the tag as given: the widget must cope with a wrong one.
    council = council[:64] or settings.council_dir.name
    body = templating.render(
        "widget/demo.html",
        heading=heading,
        text=text,
        other_href="/widget-demo?" + urlencode({"page": other, "council": council}),
        other_heading=DEMO_PAGES[other][0],
        council=council,
    )
    return HTMLResponse(str(body), headers=DEMO_HEADERS)
