"""The console's API (under the API prefix, so the route tables and matrices cover it):

* `POST /console/sessions` — sign in: an org admin key (in `x-api-key`, as on every route) is traded for a
  session cookie (HttpOnly, SameSite=Strict, scoped to the API's path, expiring) and its CSRF token;
* `GET /console/session`, `DELETE /console/session` — the session, and sign-out;
* `GET /console/stats` — runs, errors, latency and tokens over time, per xpert and model (the overview);
* `GET /console/system` — the server (every org, mode, database, Redis, queue, processes, version, settings
  with secrets masked): the operator's session only, never an org admin's.

auth/console.py has the rules: who may sign in, the CSRF check, the routes a session may call.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from xpert_server import __version__
from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.info import health_of, snapshot_of
from xpert_server.api.wire.console import ConsoleSession, ConsoleSignedOut, RunStats, SystemInfo
from xpert_server.auth import console
from xpert_server.auth.keys import hash_credential
from xpert_server.console_stats import run_stats
from xpert_server.console_system import effective_settings, mask_url
from xpert_server.encoding import ts
from xpert_server.errors import BadRequest, Forbidden, NotFound
from xpert_server.runs.wiring import WORKER_KINDS
from xpert_server.services import Services
from xpert_server.storage.sql.console import MAX_FACTS

router = APIRouter(prefix="/console", tags=["console"])

NOT_A_SESSION = "This credential is not a console session: sign in at /console."


def _cookie_path(services: Services) -> str:
    # Only the API needs the cookie (the console's files are public): the browser sends it nowhere else.
    return services.settings.api_prefix.rstrip("/") or "/"


@router.post("/sessions", status_code=201, summary="Sign in to the console", response_model=ConsoleSession)
async def sign_in(
    request: Request, response: Response, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    console.may_sign_in(p)
    token = console.generate_session()
    ttl = float(services.settings.console_session_ttl)
    record = await services.storage.create_console_session(p, hash_credential(token), ttl)
    response.set_cookie(
        console.COOKIE,
        token,
        max_age=max(1, int(record.expires_at - record.created_at)),
        path=_cookie_path(services),
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return {
        "org_id": record.org_id,
        "key_id": record.key_id,
        "role": p.role,
        "expires_at": ts(record.expires_at),
        "csrf_token": console.csrf_token(token),
    }


@router.get("/session", summary="The console session", response_model=ConsoleSession)
async def get_session(request: Request, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    token = request.cookies.get(console.COOKIE)
    record = await services.storage.find_console_session(hash_credential(token)) if token else None
    if p.kind != "console" or token is None or record is None or record.id != p.session_id:
        raise NotFound(NOT_A_SESSION)
    return {
        "org_id": record.org_id,
        "key_id": record.key_id,
        "role": record.role,
        "expires_at": ts(record.expires_at),
        "csrf_token": console.csrf_token(token),
    }


@router.delete("/session", summary="Sign out of the console", response_model=ConsoleSignedOut)
async def sign_out(response: Response, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if p.kind != "console" or p.session_id is None:
        raise NotFound(NOT_A_SESSION)
    await services.storage.delete_console_session(p, p.session_id)
    response.delete_cookie(console.COOKIE, path=_cookie_path(services), httponly=True, samesite="strict")
    return {"success": True}


Bucket = Literal["hour", "day"]


@router.get(
    "/stats",
    summary="Runs, errors, latency and tokens over time, per xpert and model",
    response_model=RunStats,
)
async def stats(
    services: ServicesDep,
    p: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=90, description="How far back, in days (1-90).")] = 14,
    bucket: Annotated[Bucket, Query(description="`hour` (at most 7 days) or `day`.")] = "day",
    xpert_id: Annotated[
        str | None, Query(min_length=1, max_length=128, description="One xpert only.")
    ] = None,
) -> dict[str, Any]:
    if not p.is_admin:  # the role table already says so; kept next to what it protects
        raise Forbidden("The console's statistics need an org admin.")
    if bucket == "hour" and days > 7:
        raise BadRequest("bucket=hour covers at most 7 days: ask for days=7 or fewer, or bucket=day.")
    if p.xpert_id is not None:  # a key bound to one xpert sees that xpert's numbers only (as /usage)
        xpert_id = xpert_id or p.xpert_id
    internal = (await load_assistant(services, p, xpert_id)).id if xpert_id is not None else None
    until = services.storage.clock()
    since = until - days * 86400.0
    runs, usage = await services.storage.run_facts(p.org_id, since, xpert_id=internal, limit=MAX_FACTS)
    complete = len(runs) < MAX_FACTS and len(usage) < MAX_FACTS
    names = await services.storage.assistant_names(p.org_id)
    return {
        "org_id": p.org_id,
        "xpert_id": xpert_id,
        "complete": complete,
        **run_stats(runs, usage, since=since, until=until, bucket=bucket, names=names),
    }


@router.get(
    "/system",
    summary="The server, for its operator: orgs, mode, stores, queue, settings",
    response_model=SystemInfo,
)
async def system(services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if p.role != "operator":  # auth/console.py refuses everyone else first; kept next to what it protects
        raise Forbidden(console.OPERATOR_ONLY)
    settings = services.settings
    health = await health_of(services)
    snap = await snapshot_of(services) if health["database"]["ok"] else None
    queue = snap["queue"] if snap else {"wait": 0, "ready": 0, "lease": 0, "local": 0}
    alive = snap["alive"] if snap else []
    orgs = [o for o in await services.storage.org_overview() if o["id"] != console.OPERATOR_ORG]
    return {
        "mode": "scaled" if settings.scaled else "embedded",
        "version": __version__,
        "database": services.storage.dialect.name,
        "database_url": mask_url(settings.resolved_database_url),
        "redis_url": mask_url(settings.redis_url) if settings.redis_url else None,
        "health": health,
        "queue_depth": queue["wait"] + queue["ready"],
        "queue": queue,
        "workers_alive": len([w for w in alive if w["kind"] in WORKER_KINDS]),
        "processes": alive,
        "orgs": [{**o, "created_at": ts(o["created_at"])} for o in orgs],
        "settings": effective_settings(settings),
    }
