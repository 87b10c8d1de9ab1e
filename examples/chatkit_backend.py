"""Your back end for the ChatKit widget: it keeps the API key and hands each browser a short-lived secret.

    export XPERTAI_API_URL=http://127.0.0.1:8000/api/ai XPERTAI_API_KEY=sk-x-…
    uvicorn chatkit_backend:app --port 3000

The page calls `POST /api/chatkit/session` from `getClientSecret`. Decide who the visitor is from your own
login; this example only remembers an anonymous visitor in a cookie, so a visitor keeps its history.
"""

import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from xpert_sdk import Client


def session(request: Request) -> JSONResponse:
    user = request.cookies.get("visitor") or secrets.token_hex(16)
    # The secret acts for this user only: they see their own conversations, nobody else's.
    with Client(default_headers={"x-principal-user-id": user}) as client:
        minted = client.chatkit.sessions.create(expires_after=600)
    response = JSONResponse({"client_secret": minted["client_secret"]})
    response.set_cookie("visitor", user, httponly=True, samesite="strict")
    return response


app = Starlette(routes=[Route("/api/chatkit/session", session, methods=["POST"])])
