"""The web app: one static page and one WebSocket, on Starlette; run with uvicorn.

Each WebSocket gets the conversation of the server's mode: `RealtimeConversation`
(the Realtime API) or `Conversation` (chat completions).

Safe by default: it binds 127.0.0.1 unless told otherwise; on a loopback
address only loopback host names are served (no DNS rebinding); the
WebSocket accepts only the page's own Origin; the Azure key or token stays in
this process (the page never sees settings beyond the deployment names and
voices); messages over 20 MiB and malformed ones are refused with an error on
the page, and the connection, like the server, goes on.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
from importlib import resources
from pathlib import Path
from typing import Any, Final

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from langchain_azure_audio.audio import MAX_INPUT_AUDIO_BYTES
from langchain_azure_audio.serve.realtime_session import RealtimeConversation
from langchain_azure_audio.serve.session import Conversation, ServeOptions, logger

MAX_CONTROL_MESSAGE: Final = 64 * 1024
"""Text messages are small JSON commands; a big one is a mistake (audio goes as binary)."""
WS_MAX_SIZE: Final = MAX_INPUT_AUDIO_BYTES + 1024 * 1024
"""The transport's own limit: a message up to here gets a clear error from the app; a
bigger one is refused by the WebSocket layer (close code 1009), which the page explains."""
LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost", "::1", "[::1]")
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


PageConversation = Conversation | RealtimeConversation
"""One page's conversation: chat completions (turns) or the Realtime API (streamed)."""


def static_dir() -> Path:
    return Path(str(resources.files("langchain_azure_audio.serve") / "static"))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_allowed(origin: str | None, host_header: str | None) -> bool:
    """The page's own origin only: `http(s)://<the Host it was served from>`."""
    if not origin or not host_header:
        return False
    return origin in (f"http://{host_header}", f"https://{host_header}")


def create_app(options: ServeOptions, *, host: str = "127.0.0.1") -> Starlette:
    """The Starlette app for `options`; `host` is the address it will be bound to."""
    static = static_dir()

    async def index(request: Request) -> FileResponse:
        return FileResponse(static / "index.html", headers=SECURITY_HEADERS)

    async def talk(websocket: WebSocket) -> None:
        origin, host_header = websocket.headers.get("origin"), websocket.headers.get("host")
        if not origin_allowed(origin, host_header):
            logger.warning("refused a WebSocket from origin %r (served as %r)", origin, host_header)
            await websocket.close(code=1008)  # before accept: the browser sees HTTP 403
            return
        await websocket.accept()
        conversation: PageConversation = (
            RealtimeConversation(options, websocket) if options.realtime
            else Conversation(options, websocket)
        )  # fmt: skip
        await conversation.hello()
        try:
            await _receive(websocket, conversation)
        except WebSocketDisconnect:
            pass
        finally:
            await conversation.close()

    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if is_loopback(host) else ["*"]
    return Starlette(
        routes=[
            Route("/", index),
            WebSocketRoute("/ws", talk),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
    )


async def _receive(websocket: WebSocket, conversation: PageConversation) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data, text = message.get("bytes"), message.get("text")
        if data is not None:
            if len(data) > MAX_INPUT_AUDIO_BYTES:
                await conversation.refuse(
                    f"refused a message of {len(data):,} bytes: the limit is 20 MiB "
                    f"({MAX_INPUT_AUDIO_BYTES:,} bytes), Azure's audio input limit."
                )
                continue
            await conversation.on_audio(data)
        elif text is not None:
            await _control(text, conversation)


async def _control(text: str, conversation: PageConversation) -> None:
    if len(text) > MAX_CONTROL_MESSAGE:
        await conversation.refuse(
            f"refused a text message of {len(text):,} characters: commands are small JSON "
            "objects, and audio goes as binary pcm16."
        )
        return
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        await conversation.refuse('malformed message: not JSON (expected {"type": ...}).')
        return
    if not isinstance(parsed, dict):
        await conversation.refuse("malformed message: expected a JSON object with a type.")
        return
    await conversation.on_message(parsed)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts (so the URL is known)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP by name: asyncio then sets TCP_NODELAY on every connection it accepts
    # (with proto 0 it does not, and Nagle holds each small message back until the page's
    # delayed ACK, about 40 ms: the second message of an answer arrived that much late)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(128)  # connections wait in the queue while uvicorn starts, never refused
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run(options: ServeOptions, sock: socket.socket, *, log_level: str = "info") -> None:
    """Serve until interrupted (Ctrl-C)."""
    import uvicorn

    host = sock.getsockname()[0]
    config = uvicorn.Config(
        create_app(options, host=host),
        log_level=log_level,
        ws_max_size=WS_MAX_SIZE,
        ws="auto",
        lifespan="off",
    )
    if not logger.handlers:  # the per-turn latency lines, on stderr beside uvicorn's own
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    uvicorn.Server(config).run(sockets=[sock])
