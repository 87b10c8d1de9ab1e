"""`xpert serve`'s listening socket and start-up banner.

The socket is bound before anything else starts, so a port already in use is one clear line and exit 1
(with what to do), never uvicorn's `[Errno 98]` after the database was opened. The banner says where the
demo page, the API docs, the console and `xpert chat` are, for the address really bound.
"""

from __future__ import annotations

import errno
import socket
import sys

import uvicorn

from xpert_server.config import Settings


class BindError(Exception):
    """The server cannot listen where it was told to; the message says what to do."""


def bind(settings: Settings) -> socket.socket:
    """A socket bound to --host/--port (not listening yet: uvicorn listens when the app is ready)."""
    host, port = settings.host, settings.port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a port in TIME_WAIT after a restart is free to bind, one with a listener is not.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise BindError(bind_error(host, port, e)) from None
    sock.set_inheritable(True)
    return sock


def bind_error(host: str, port: int, e: OSError) -> str:
    where = f"{host}:{port}"
    other = port + 1 if 0 < port < 65535 else 8001
    choose = (
        f"choose another port: make serve PORT={other} (or xpert serve --port {other}, or XPERT_PORT={other})"
    )
    if e.errno == errno.EADDRINUSE:
        return f"Cannot listen on {where}: the port is already in use (another server is running there); {choose}."
    if e.errno == errno.EACCES:
        return f"Cannot listen on {where}: permission denied (ports below 1024 need root); {choose}."
    if e.errno in (errno.EADDRNOTAVAIL, socket.EAI_NONAME) or isinstance(e, socket.gaierror):
        return (
            f"Cannot listen on {where}: {host!r} is not an address of this machine; choose another host: "
            "make serve HOST=127.0.0.1 (or xpert serve --host 127.0.0.1, or XPERT_HOST)."
        )
    return f"Cannot listen on {where}: {e.strerror or e}."


def banner(settings: Settings, port: int, *, demo: bool) -> str:
    """What the operator opens next, for the port really bound."""
    url, api = settings.server_url(port), settings.api_url(port)
    # `xpert chat` finds a server on this machine's default address by itself; anywhere else, say where.
    chat = "xpert chat" if api == Settings().api_url() else f"xpert chat --api-url {api}"
    lines = [f"xpert-server is listening on {url}"]
    if demo:
        lines.append(f"  Demo page:  {url}/")
    lines += [
        f"  API docs:   {api}/docs",
        f"  Console:    {url}/console",
        f"  Terminal:   {chat}",
        f"  API base:   XPERTAI_API_URL={api}",
    ]
    return "\n".join(lines)


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, printing the banner once it really listens (after the app's start-up)."""

    def __init__(self, config: uvicorn.Config, announce: str) -> None:
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            print(self.announce, file=sys.stderr, flush=True)
