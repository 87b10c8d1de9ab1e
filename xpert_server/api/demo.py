"""The demo: a host page at `/` embedding the widget, and its back end at `POST /demo/session`.

The back end does what a customer's server would: it mints client secrets from an API key the browser
never sees. That key ("demo page", default org) is created here with its plain value thrown away, so
it can only mint; revoking it stops the demo. Each browser gets a visitor cookie that becomes the
secret's principal, so a visitor keeps its history across reloads and secret refreshes, and never sees
another visitor's.

Served only on a loopback host or with `--demo`: the page hands secrets to anyone who can reach it.
The back end answers only requests whose Host is one of this server's names (loopback names, the bound
host, `demo_hosts`): a page on attacker.example whose DNS was rebound to 127.0.0.1 gets no secret.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from xpert_server.api.widget import PAGE_CSP, security_headers, static_file
from xpert_server.api.wire.keys import secret_json
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.auth.principal import DEFAULT_ORG, Principal
from xpert_server.auth.secrets import DEFAULT_TTL, mint_secret, parse_expires_after
from xpert_server.config import Settings
from xpert_server.encoding import JSONResponse
from xpert_server.errors import Forbidden, NotFound
from xpert_server.services import Services
from xpert_server.storage.records import KeyRecord

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "demo page"
VISITOR_COOKIE = "xpert_demo_visitor"
_VISITOR_RE = re.compile(r"^[0-9a-f]{32}$")
_PICKER_LIMIT = 100


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})


def demo_host_names(settings: Settings) -> frozenset[str]:
    """The Host names the demo back end answers for (lower case, without port or IPv6 brackets)."""
    bound = set() if settings.host in _WILDCARD_BINDS else {settings.host.lower()}
    return LOOPBACK_NAMES | bound | {h.lower() for h in settings.demo_hosts}


def host_name(header: str) -> str:
    """`example.com:8000` → `example.com`; `[::1]:8000` → `::1`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def bound_to_loopback(settings: Settings) -> bool:
    if settings.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        return False


def demo_enabled(settings: Settings) -> bool:
    return settings.demo or bound_to_loopback(settings)


def may_pick_xpert(settings: Settings) -> bool:
    """The page's xpert picker: on the operator's own machine (a loopback bind) any xpert of the default
    org; with `--demo` on a public interface only `demo`, so visitors never reach the operator's others."""
    return settings.demo_overrides or bound_to_loopback(settings)


router = APIRouter(include_in_schema=False)


@router.get("/")
async def demo_page() -> Response:
    return static_file("demo.html", "text/html; charset=utf-8", PAGE_CSP)


_DEMO_ASSETS = {"demo.js": "text/javascript; charset=utf-8", "demo.css": "text/css; charset=utf-8"}


@router.get("/demo/{name}")
async def demo_asset(name: str) -> Response:
    media_type = _DEMO_ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"Cannot GET /demo/{name}")
    return static_file(name, media_type)


@router.post("/demo/session")
async def demo_session(request: Request) -> Response:
    services: Services = request.app.state.services
    settings = services.settings
    host = host_name(request.headers.get("host", ""))
    if host not in demo_host_names(settings):
        raise Forbidden(
            f"The demo does not answer for the host '{host[:100]}'; add it to XPERT_DEMO_HOSTS "
            "if this server is reached under that name."
        )
    overrides = settings.demo_overrides
    pick = may_pick_xpert(settings)
    slug = request.query_params.get("xpert", DEMO_SLUG) if pick else DEMO_SLUG
    ttl = parse_expires_after(request.query_params.get("expires_after")) if overrides else DEFAULT_TTL

    system = Principal.system(DEFAULT_ORG)
    found = await services.storage.search_assistants(system, metadata={"slug": slug}, limit=1)
    if not found:
        raise NotFound(f"The demo xpert '{slug}' is not loaded in org '{DEFAULT_ORG}'.")
    choices = [found[0]]
    if pick:
        listed = await services.storage.search_assistants(
            system, limit=_PICKER_LIMIT, sort_by="name", sort_order="asc"
        )
        choices = [a for a in listed if a.slug] or choices
    key = await _demo_key(services)
    visitor = request.cookies.get(VISITOR_COOKIE, "")
    if not _VISITOR_RE.match(visitor):
        visitor = secrets.token_hex(16)
    minted = await mint_secret(
        services.storage,
        Principal(org_id=DEFAULT_ORG, kind="key", key_id=key.id),
        ttl,
        user_id=f"demo:{visitor}",
        xpert_id=found[0].id,
    )
    body: dict[str, Any] = {
        **secret_json(minted),
        "xpertId": found[0].public_id,
        "organizationId": DEFAULT_ORG,
        "apiUrl": str(request.base_url).rstrip("/") + settings.api_prefix.rstrip("/"),
        # The page's picker: slug (what `?xpert=` takes) and name of each xpert it may talk to.
        "xpert": slug,
        "xperts": [{"slug": a.slug, "name": a.name} for a in choices],
    }
    response = JSONResponse(
        body, headers={**security_headers("default-src 'none'"), "Cache-Control": "no-store"}
    )
    response.set_cookie(
        VISITOR_COOKIE, visitor, max_age=30 * 24 * 3600, path="/demo", httponly=True, samesite="strict"
    )
    return response


async def _demo_key(services: Services) -> KeyRecord:
    """The demo's parent key: the active one named "demo page", created on first use. Once an operator
    revoked it, the demo stays off (a new key would undo their decision)."""
    now = time.time()
    named = [k for k in await services.storage.list_api_keys(DEFAULT_ORG) if k.name == DEMO_KEY_NAME]
    for k in named:
        if k.revoked_at is None and (k.expires_at is None or k.expires_at > now):
            return k
    if named:
        raise Forbidden(f"The demo is off: its key '{DEMO_KEY_NAME}' was revoked or has expired.")
    value = generate_key()  # never stored or shown: this key exists only to parent demo secrets
    return await services.storage.create_api_key(
        DEFAULT_ORG, hash_credential(value), key_hint(value), name=DEMO_KEY_NAME, role="app"
    )
