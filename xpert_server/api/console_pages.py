"""The console's files at `/console` (the page) and `/console/{name}` (its scripts and stylesheet): plain
HTML, CSS and JavaScript modules, no build step, no CDN. Public like the widget's files: they hold nothing;
what the page shows it reads from the API with its session (auth/console.py)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from xpert_server.api.widget import PAGE_CSP, static_file
from xpert_server.errors import NotFound

router = APIRouter(include_in_schema=False)

CONSOLE_FILES: dict[str, str] = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console-api.js": "text/javascript; charset=utf-8",
    "console-charts.js": "text/javascript; charset=utf-8",
    "console-pages.js": "text/javascript; charset=utf-8",
}


@router.get("/console")
async def console_page() -> Response:
    return static_file("console.html", "text/html; charset=utf-8", PAGE_CSP)


@router.get("/console/{name}")
async def console_file(name: str) -> Response:
    media_type = CONSOLE_FILES.get(name)
    if media_type is None:
        raise NotFound(f"Cannot GET /console/{name}")
    return static_file(name, media_type)
