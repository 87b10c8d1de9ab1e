"""The ChatKit widget's files at `/chatkit/*`: no credential, no CDN, no build step.

Only the files listed in `WIDGET_FILES` are served (never a path from the request), each with
`nosniff` and a restrictive CSP, so a file can only ever be what its content type says.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from xpert_server.errors import NotFound

STATIC = Path(str(resources.files("xpert_server") / "static"))

WIDGET_FILES: dict[str, str] = {
    "chatkit.js": "text/javascript; charset=utf-8",
    "chatkit.css": "text/css; charset=utf-8",
}

# For our own HTML pages: scripts and styles from this origin only (the widget adds none inline),
# API calls to this origin, no framing, no plugins, no <base> games.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
# For scripts and stylesheets: they render nothing themselves, so nothing is allowed.
ASSET_CSP = "default-src 'none'; frame-ancestors 'none'"


def security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Revalidate each load: a server upgrade must not leave pages on a stale widget.
        "Cache-Control": "no-cache",
    }


def static_file(name: str, media_type: str, csp: str = ASSET_CSP) -> Response:
    return FileResponse(STATIC / name, media_type=media_type, headers=security_headers(csp))


router = APIRouter(prefix="/chatkit", tags=["chatkit"], include_in_schema=False)


@router.get("/{name}")
async def widget_file(name: str) -> Response:
    media_type = WIDGET_FILES.get(name)
    if media_type is None:
        raise NotFound(f"Cannot GET /chatkit/{name}")
    return static_file(name, media_type)
