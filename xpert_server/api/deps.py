"""Dependencies every route shares: the services, and the caller's Principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from xpert_server.api.storable import unstorable_paths
from xpert_server.auth import console, roles, scope
from xpert_server.auth.authenticator import Credentials
from xpert_server.auth.principal import Principal
from xpert_server.errors import Forbidden, NotFound
from xpert_server.services import Services
from xpert_server.storage.records import AssistantRecord
from xpert_server.telemetry import current_span_ids

# Declared for the OpenAPI document ("Authorize" in /docs); the values are read from the request below.
_api_key = APIKeyHeader(name="x-api-key", auto_error=False, description="API key `sk-x-…` or client secret")
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer sk-x-…` (or `cs-x-…`)")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def services_dependency(request: Request) -> Services:
    # async on purpose: FastAPI runs sync dependencies in a thread pool, a thread hop per request.
    return get_services(request)


def read_credentials(request: Request) -> Credentials:
    h = request.headers
    token = h.get("x-client-secret") or None
    if token is None:
        auth = h.get("authorization")
        if auth and auth[:7].lower() == "bearer ":
            token = auth[7:].strip() or None
    if token is None:
        token = h.get("x-api-key") or None
    return Credentials(
        token=token,
        organization_id=h.get("organization-id") or None,
        principal_user_id=h.get("x-principal-user-id"),
        console_session=request.cookies.get(console.COOKIE) or None,
        csrf=h.get(console.CSRF_HEADER) or None,
    )


async def get_principal(
    request: Request,
    _k: Annotated[str | None, Security(_api_key)] = None,
    _b: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    services = get_services(request)
    principal = await services.auth.authenticate(read_credentials(request))
    # Every authenticated route passes here, so the client-secret allow-list is enforced once for all:
    # a new route is closed to secrets until auth/scope.py lists it.
    key = scope.request_route_key(request, services.settings.api_prefix)
    scope.enforce(key, principal)
    # …and the app role's, the same way: a new route needs an admin key until auth/roles.py lists it.
    roles.enforce(key, principal)
    # …and a console session's (auth/console.py): its cookie answers only the console's own routes.
    console.enforce(key, principal)
    request.state.principal = principal
    current_span_ids(org_id=principal.org_id)  # the request's span says whose it was (when tracing)
    return principal


ServicesDep = Annotated[Services, Depends(services_dependency)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]

NOT_ALLOWED_ASSISTANT = "API key is not allowed to access this assistant."


def check_assistant_binding(p: Principal, assistant_id: str) -> None:
    if p.xpert_id is not None and p.xpert_id != assistant_id:
        raise Forbidden(NOT_ALLOWED_ASSISTANT)


def require_storable_id(kind: str, value: str) -> None:
    """An id no backend could have stored (a NUL character) names nothing: 404, not a database error."""
    if unstorable_paths(value):
        raise NotFound(f"{kind} '{value}' not found.")


async def load_assistant(services: Services, p: Principal, assistant_id: str) -> AssistantRecord:
    """The assistant if this caller may use it: 404 outside its org, 403 outside its key's binding.
    A graph's name (an xpert's slug) names its default assistant, as on LangGraph's server."""
    require_storable_id("Assistant", assistant_id)
    record = await services.storage.get_assistant(p, assistant_id)
    if record is None:
        # LangGraph: "the first assistant created from that graph".
        by_slug = await services.storage.search_assistants(
            p, graph_id=assistant_id, limit=1, sort_by="created_at", sort_order="asc"
        )
        record = by_slug[0] if by_slug else None
    if record is None:
        raise NotFound(f"Assistant '{assistant_id}' not found.")
    check_assistant_binding(p, record.public_id)
    return record
