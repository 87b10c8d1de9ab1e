"""Your back end for the ChatKit widget: it keeps the API key, hands each browser a short-lived secret,
and serves a page that embeds the widget (on its own origin: the xpert server must let it in).

    XPERT_CORS_ORIGINS=http://127.0.0.1:3000 xpert serve      # the xpert server, on :8000
    export XPERTAI_API_URL=http://127.0.0.1:8000/api/ai XPERTAI_API_KEY=sk-x-…
    uvicorn chatkit_backend:app --port 3000                   # then open http://127.0.0.1:3000/

`XPERTAI_XPERT_ID` picks the xpert (default: the first the key may use). Decide who the visitor is from
your own login; this example only remembers an anonymous visitor in a cookie, so it keeps its history.
"""

import json
import os
import secrets
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from xpert_sdk import Client
from xpert_sdk.errors import APIConnectionError, APIStatusError

API_URL = os.environ.get("XPERTAI_API_URL", "http://127.0.0.1:8000/api/ai")
XPERT_ID = os.environ.get("XPERTAI_XPERT_ID")


def session(request: Request) -> JSONResponse:
    user = request.cookies.get("visitor") or secrets.token_hex(16)
    try:
        # The secret acts for this user only: they see their own conversations, nobody else's.
        with Client(API_URL, default_headers={"x-principal-user-id": user}) as client:
            minted = client.chatkit.sessions.create(expires_after=600)
    except APIStatusError as e:  # a revoked or wrong key: 401
        hint = " Check XPERTAI_API_KEY." if e.status_code in (401, 403) else ""
        return error(
            f"The xpert server at {API_URL} answered {e.status_code}: {e.message.rstrip('.')}.{hint}"
        )
    except APIConnectionError as e:
        return error(f"The xpert server at {API_URL} could not be reached: {e.message}")
    response = JSONResponse({"client_secret": minted["client_secret"]})
    response.set_cookie("visitor", user, httponly=True, samesite="strict")
    return response


def error(message: str) -> JSONResponse:
    # JSON, as the xpert server's own errors: the widget shows the message and the status.
    return JSONResponse({"statusCode": 502, "message": message, "error": "Bad Gateway"}, status_code=502)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat</title><link rel="icon" href="data:,"></head>
<body style="margin:0"><div id="chat" style="height:100vh"></div>
<script type="module">
  import { createChatKit } from %(widget)s;
  createChatKit(document.getElementById("chat"), {
    api: {
      apiUrl: %(api_url)s,
      xpertId: %(xpert_id)s,
      // Called with null, then with each expired secret. Returning the Response lets the widget read
      // it: a failed session shows as its status and message.
      getClientSecret: (current) => fetch("/api/chatkit/session", { method: "POST" }),
    },
    startScreen: { greeting: "How can I help?" },
    composer: { placeholder: "Ask anything…", attachments: { enabled: true } },
  });
</script></body></html>
"""


def page(request: Request) -> HTMLResponse:
    def js(value: object) -> str:
        return json.dumps(value).replace("<", "\\u003c")  # never "</script>" inside the script

    widget = "{0.scheme}://{0.netloc}/chatkit/chatkit.js".format(urlsplit(API_URL))
    return HTMLResponse(PAGE % {"widget": js(widget), "api_url": js(API_URL), "xpert_id": js(XPERT_ID)})


app = Starlette(
    routes=[Route("/", page), Route("/api/chatkit/session", session, methods=["POST"])],
)
