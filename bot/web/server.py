"""Running the HTTP application with uvicorn inside the caller's event loop.

`serve` runs until the caller sets an `asyncio.Event`, then shuts down gracefully (no new
connections; requests in flight, such as an update being handled, get `graceful_seconds` to
finish). `start_background` does the same as a task beside another main task (long polling) and
returns a handle to stop it.

The caller owns the process's signals: uvicorn's `Server.capture_signals` (which, in the uvicorn
versions this supports, replaces the SIGINT and SIGTERM handlers with `signal.signal` while
serving and raises the captured signal again afterwards) is replaced by one that does nothing.
The listening sockets are bound here before uvicorn starts, so an address in use is a
`WebServerError` at once (uvicorn itself would log it and call `sys.exit`). uvicorn's logging is
left to the process's configuration; access logs are off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Generator

import uvicorn
from starlette.types import ASGIApp

logger = logging.getLogger(__name__)

GRACEFUL_SECONDS = 10
BACKLOG = 128


MAX_CONNECTIONS = 200


class WebServerError(RuntimeError):
    """The web server could not start (address in use, unknown host, no permission)."""


class _Server(uvicorn.Server):
    """uvicorn's server without signal handling, telling when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


class BackgroundServer:
    """A web server running as a task; `stop()` ends it gracefully."""

    def __init__(
        self, task: asyncio.Task[None], stop_event: asyncio.Event, address: tuple[str, int]
    ) -> None:
        self.task = task
        self._stop_event = stop_event
        self.host, self.port = address

    async def stop(self) -> None:
        """Shut the server down and wait until it has; re-raises the error it died of, if any."""
        self._stop_event.set()
        await self.task


async def serve(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    stop: asyncio.Event,
    graceful_seconds: int = GRACEFUL_SECONDS,
) -> None:
    """Serve `app` on host:port until `stop` is set. Raises WebServerError if it cannot listen.

    `port` 0 picks a free port (see `start_background` to learn which).
    """
    sockets = _bind(host, port)
    await _run(_Server(_config(app, graceful_seconds)), sockets, stop)


async def start_background(
    app: ASGIApp, host: str, port: int, *, graceful_seconds: int = GRACEFUL_SECONDS
) -> BackgroundServer:
    """Start serving `app` in a task of the running loop; return once it accepts connections.

    Raises WebServerError if it cannot listen. The handle has the bound `host` and `port` (the
    real one when `port` is 0) and `stop()`.
    """
    sockets = _bind(host, port)
    address: tuple[str, int] = sockets[0].getsockname()[:2]
    stop = asyncio.Event()
    server = _Server(_config(app, graceful_seconds))
    task = asyncio.create_task(_run(server, sockets, stop), name=f"web server {host}:{port}")
    listening = asyncio.create_task(server.listening.wait())
    try:
        await asyncio.wait({task, listening}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # cancelled while starting: leave no server behind
        task.cancel()
        raise
    finally:
        listening.cancel()
    if task.done():
        task.result()  # raises what it died of
        raise WebServerError(f"web server on {host}:{port} ended before it started")
    return BackgroundServer(task, stop, address)


def _config(app: ASGIApp, graceful_seconds: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http="h11",
        ws="none",
        lifespan="off",  # the caller sets up and tears down what the app uses
        log_config=None,  # keep the process's logging configuration as it is
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=graceful_seconds,
        # Beyond this many connections at once, 503: a flood of idle or slow connections cannot
        # take every file descriptor (Telegram itself opens at most 40 by default). A slow
        # client is the reverse proxy's to cut off (deploy/haproxy.cfg: timeout http-request).
        limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=5,
    )


async def _run(server: _Server, sockets: list[socket.socket], stop: asyncio.Event) -> None:
    async def stop_when_asked() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_asked())
    for sock in sockets:
        logger.info("web server listening on %s", _describe(sock))
    try:
        await server.serve(sockets=sockets)
    except SystemExit:
        # uvicorn exits the process when it cannot start; the caller gets an error instead.
        raise WebServerError("the web server could not start (see the log above)") from None
    finally:
        watcher.cancel()
        for listener in getattr(server, "servers", []):
            listener.close()  # when cancelled mid-way; a no-op after a normal shutdown
        for sock in sockets:
            sock.close()
    logger.info("web server stopped")


def _bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for host:port (every address the host name resolves to)."""
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise WebServerError(f"cannot listen on {where}: {exc.strerror}") from exc
    addresses = list(dict.fromkeys((info[0], info[2], info[4]) for info in infos))
    if port == 0:
        addresses = addresses[:1]  # one free port; several families would each get another
    sockets: list[socket.socket] = []
    try:
        for family, proto, sockaddr in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM, proto)
            sockets.append(sock)
            if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share the port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and len(addresses) > 1:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(sockaddr)
            sock.listen(BACKLOG)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise WebServerError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
    return sockets


def _describe(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if sock.family == socket.AF_INET6 else f"{host}:{port}"
