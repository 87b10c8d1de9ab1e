"""`POST /v1/chatkit/sessions`: trade an API key for a short-lived client secret a browser may hold."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.wire.keys import ClientSecret, secret_json
from xpert_server.auth.secrets import mint_secret, parse_expires_after
from xpert_server.errors import BadRequest, Forbidden

router = APIRouter(prefix="/v1/chatkit", tags=["chatkit"])

SessionBody = Annotated[
    Any,
    Body(
        description="`{expires_after?: seconds}` (default 600, at most 3600). `assistant` and `user` are "
        "ignored with an API key, as XpertAI does: bind the end user with `x-principal-user-id`. "
        "A console session (the playground) names the xpert the secret is bound to: `{xpert_id}`.",
        examples=[{"expires_after": 600}],
    ),
]


@router.post(
    "/sessions", status_code=201, summary="Create a ChatKit client secret", response_model=ClientSecret
)
async def create_session(services: ServicesDep, p: PrincipalDep, body: SessionBody = None) -> dict[str, Any]:
    # The scope check already refuses secrets on this route; this keeps the rule next to the code
    # it protects, should the allow-list ever be edited by mistake.
    if p.kind not in ("key", "console"):
        raise Forbidden("A client secret cannot mint a client secret: use an API key.")
    raw = body.get("expires_after") if isinstance(body, dict) else None
    user_id, xpert_id = p.user_id, p.xpert_id
    if p.kind == "console":
        # The playground: a secret bound to the chosen xpert, acting for this session's own end user, so
        # the admin's test chats never mix with the org's users' threads.
        wanted = body.get("xpert_id") if isinstance(body, dict) else None
        if not isinstance(wanted, str) or not wanted:
            raise BadRequest('A console session names the playground\'s xpert: {"xpert_id": "…"}.')
        xpert_id = (await load_assistant(services, p, wanted)).id
        user_id = f"console:{p.session_id}"
    minted = await mint_secret(
        services.storage, p, parse_expires_after(raw), user_id=user_id, xpert_id=xpert_id
    )
    return secret_json(minted)
