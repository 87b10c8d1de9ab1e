"""API keys of the caller's org, for its admins: list, create (the key is shown once), revoke.

Every route here needs an `admin` key (auth/roles.py lists none of them for apps). A key bound to one
xpert makes keys bound to that same xpert: binding must never be escaped by minting a wider key.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from xpert_server.api.deps import NOT_ALLOWED_ASSISTANT, PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.wire.keys import ApiKey, ApiKeyCreated, ApiKeyRevoked, api_key_json
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.errors import Forbidden, NotFound

router = APIRouter(prefix="/keys", tags=["keys"])

MAX_EXPIRES_IN = 10 * 365 * 24 * 3600.0


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    role: Literal["admin", "app"] = "app"  # an operator key is the CLI's to mint, never the API's
    # Bind the key to one xpert (its id); a key bound to an xpert may use only that one.
    xpert_id: str | None = Field(default=None, min_length=1, max_length=128)
    expires_in: float | None = Field(
        default=None, gt=0, le=MAX_EXPIRES_IN, description="Seconds until it expires."
    )


@router.get("", summary="List the org's API keys (hints only)", response_model=list[ApiKey])
async def list_keys(services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    now = time.time()
    records = await services.storage.list_api_keys(p.org_id)
    if p.xpert_id is not None:
        records = [k for k in records if k.xpert_id == p.xpert_id]
    return [api_key_json(k, now=now) for k in records]


@router.post(
    "",
    status_code=201,
    summary="Create an API key (shown once, in this reply only)",
    response_model=ApiKeyCreated,
)
async def create_key(body: KeyCreate, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    xpert_id = body.xpert_id
    if p.xpert_id is not None:
        if xpert_id not in (None, p.xpert_id):
            raise Forbidden(NOT_ALLOWED_ASSISTANT)
        xpert_id = p.xpert_id
    elif xpert_id is not None:
        xpert_id = (await load_assistant(services, p, xpert_id)).id
    key = generate_key()
    record = await services.storage.create_api_key(
        p.org_id,
        hash_credential(key),
        key_hint(key),
        role=body.role,
        name=body.name,
        xpert_id=xpert_id,
        expires_at=time.time() + body.expires_in if body.expires_in else None,
        by=p,
    )
    return api_key_json(record, now=time.time(), key=key)


@router.delete(
    "/{key_id}",
    summary="Revoke an API key (refused within a second everywhere)",
    response_model=ApiKeyRevoked,
)
async def revoke_key(key_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    # One query: storage holds the caller to its org, the exact id and (if bound) its xpert's keys.
    record = await services.storage.revoke_api_key(key_id, by=p)
    if record is None:
        raise NotFound(f"API key '{key_id}' not found.")
    services.auth.forget()
    return {"success": True, **api_key_json(record, now=time.time())}
