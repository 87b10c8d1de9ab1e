"""The console's files at `/console` (the page) and `/console/{name}` (its scripts and stylesheet): plain
HTML, CSS and JavaScript modules, no build step, no CDN. Public like the widget's files: they hold nothing;
what the page shows it reads from the API with its session (auth/console.py)."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from xpert_server.api.widget import PAGE_CSP, STATIC, security_headers, static_file
from xpert_server.errors import NotFound

router = APIRouter(include_in_schema=False)

CONSOLE_FILES: dict[str, str] = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console-api.js": "text/javascript; charset=utf-8",
    "console-charts.js": "text/javascript; charset=utf-8",
    "console-pages.js": "text/javascript; charset=utf-8",
    "console-ui.js": "text/javascript; charset=utf-8",
    "console-trace.js": "text/javascript; charset=utf-8",
    "console-runs.js": "text/javascript; charset=utf-8",
    "console-approvals.js": "text/javascript; charset=utf-8",
    "console-knowledge.js": "text/javascript; charset=utf-8",
    "console-webhooks.js": "text/javascript; charset=utf-8",
    "console-system.js": "text/javascript; charset=utf-8",
}


@router.get("/console")
async def console_page(request: Request) -> Response:
    # The one thing the page needs to know: where the API is (the prefix is a setting).
    prefix = request.app.state.services.settings.api_prefix
    page = (
        (STATIC / "console.html").read_text(encoding="utf-8").replace("{{API_PREFIX}}", html.escape(prefix))
    )
    return HTMLResponse(page, headers=security_headers(PAGE_CSP))


@router.get("/console/{name}")
async def console_file(name: str) -> Response:
    media_type = CONSOLE_FILES.get(name)
    if media_type is None:
        raise NotFound(f"Cannot GET /console/{name}")
    return static_file(name, media_type)
