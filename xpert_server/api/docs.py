"""The API docs pages, served with no internet: Swagger UI at `{prefix}/docs`, ReDoc at `{prefix}/redoc`.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank offline. Their scripts and
stylesheet come from the `fastapi-offline` package (a wheel from PyPI, no build step) and are served at
`{prefix}/docs/assets/{name}`; only the files listed in `ASSETS` (never a path from the request). The
pages' CSP allows this origin only, so nothing they load can come from anywhere else.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from xpert_server.api.widget import ASSET_CSP, security_headers
from xpert_server.errors import NotFound

ASSETS_DIR = Path(str(resources.files("fastapi_offline") / "static"))
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Swagger UI and ReDoc start from an inline script (FastAPI's page templates) and style themselves inline;
# everything else, the OpenAPI document included, comes from this origin. ReDoc runs a web worker from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


def install_docs(app: FastAPI, prefix: str) -> None:
    """Add the docs pages and their assets under `prefix` (the app is created with docs_url=None)."""
    router = APIRouter(include_in_schema=False)
    assets = f"{prefix}/docs/assets"
    openapi_url = f"{prefix}/openapi.json"
    oauth2_redirect = f"{prefix}/docs/oauth2-redirect"

    def root(request: Request) -> str:
        return str(request.scope.get("root_path") or "")

    @router.get(f"{prefix}/docs")
    async def swagger_ui(request: Request) -> Response:
        page = get_swagger_ui_html(
            openapi_url=root(request) + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root(request)}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root(request)}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root(request)}{assets}/favicon.png",
            oauth2_redirect_url=root(request) + oauth2_redirect,
            # No validator badge: Swagger UI would send the document to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
        return _page(page)

    @router.get(oauth2_redirect)
    async def swagger_ui_oauth2_redirect() -> Response:
        return _page(get_swagger_ui_oauth2_redirect_html())

    @router.get(f"{prefix}/redoc")
    async def redoc(request: Request) -> Response:
        page = get_redoc_html(
            openapi_url=root(request) + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root(request)}{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{root(request)}{assets}/favicon.png",
            with_google_fonts=False,
        )
        return _page(page)

    @router.get(assets + "/{name}")
    async def docs_asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise NotFound(f"Cannot GET {assets}/{name}")
        return FileResponse(ASSETS_DIR / name, media_type=media_type, headers=security_headers(ASSET_CSP))

    app.include_router(router)


def _page(page: HTMLResponse) -> Response:
    return HTMLResponse(page.body, headers=security_headers(DOCS_CSP))
