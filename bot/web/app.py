"""The bot's HTTP application: Telegram's webhook, health and readiness probes, and metrics.

`make_app` builds a Starlette application with these routes, and nothing else (404):

- `POST /<webhook_path>` (only with a webhook path): an update from Telegram. The secret token
  header must match; the body is read in pieces up to a limit; it must be a JSON object with an
  integer `update_id`. The update is handed to `on_update` and the answer is 200 only once that
  has returned, so an update the process dies holding is delivered again. 403 wrong secret, 413
  too large, 400 not an update, 500 `on_update` failed (Telegram retries), 405 not a POST.
- `GET /healthz`: 200 while the process serves requests (liveness).
- `GET /readyz`: 200 or 503 from the caller's `ready()`, with its checks as JSON (readiness).
- `GET /metrics`: the Prometheus exposition of `Metrics`.

The application knows nothing of Telegram's objects or of the engine: an update is a dict, and
what happens to it is the caller's.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.web.metrics import Metrics

logger = logging.getLogger(__name__)

WEBHOOK_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # carries the webhook secret
MAX_BODY_BYTES = 1024 * 1024  # Telegram's updates are a few kB; 1 MiB is generous
MAX_UPDATE_ID = 2**63
READY_TIMEOUT_SECONDS = 5.0
RESERVED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# What Telegram accepts as a webhook secret_token (setWebhook).
_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PATH_FORMAT = re.compile(r"(/[A-Za-z0-9._~-]+)+")

OnUpdate = Callable[[dict[str, Any]], Awaitable[None]]
Ready = Callable[[], Awaitable[tuple[bool, dict[str, str]]]]


class _BodyTooLarge(Exception):
    pass


def make_app(
    *,
    webhook_path: str | None,
    secret: str | None,
    on_update: OnUpdate | None,
    ready: Ready,
    metrics: Metrics,
    max_body_bytes: int = MAX_BODY_BYTES,
    ready_timeout: float = READY_TIMEOUT_SECONDS,
) -> Starlette:
    """The HTTP application.

    `webhook_path`: where Telegram posts updates ("/hook/abc" or "hook/abc"), or None for no
    webhook route (long polling). With a path, `secret` (Telegram's 1-256 characters of
    A-Z a-z 0-9 _ -) and `on_update` are required. `ready()` reports readiness and its checks;
    it is given `ready_timeout` seconds. Raises ValueError for an unusable configuration.
    """
    routes = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz_endpoint(ready, ready_timeout), methods=["GET"]),
        Route("/metrics", _metrics_endpoint(metrics), methods=["GET"]),
    ]
    if webhook_path is not None:
        path = "/" + webhook_path.lstrip("/")
        if not _PATH_FORMAT.fullmatch(path) or path in RESERVED_PATHS:
            raise ValueError(f"unusable webhook path {path!r}")
        if secret is None or not _SECRET_FORMAT.fullmatch(secret):
            raise ValueError("a webhook needs a secret of 1-256 characters A-Z, a-z, 0-9, _ or -")
        if on_update is None:
            raise ValueError("a webhook needs on_update")
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        endpoint = _webhook_endpoint(secret.encode("ascii"), on_update, max_body_bytes)
        routes.append(Route(path, endpoint, methods=["POST"]))
    return Starlette(routes=routes)


async def _healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def _readyz_endpoint(ready: Ready, timeout: float) -> Callable[[Request], Awaitable[Response]]:
    async def readyz(request: Request) -> Response:
        try:
            async with asyncio.timeout(timeout):
                ok, checks = await ready()
        except TimeoutError:
            logger.warning("readiness check took longer than %.1f s", timeout)
            ok, checks = False, {"ready": "timed out"}
        except Exception:
            logger.exception("readiness check failed")
            ok, checks = False, {"ready": "check failed"}
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    return readyz


def _metrics_endpoint(metrics: Metrics) -> Callable[[Request], Awaitable[Response]]:
    async def metrics_page(request: Request) -> Response:
        body, content_type = metrics.render(request.headers.get("accept"))
        return Response(body, headers={"Content-Type": content_type})

    return metrics_page


class BadUpdate(ValueError):
    """Raised by `on_update` for a body that cannot be read as an update: answered 400."""


class _Throttled:
    """Refused requests, logged at most once a minute with a count: a flood of them must not
    flood the log."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._last = -every
        self._quiet = 0

    def note(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            self._quiet += 1
            return
        more = f" ({self._quiet} more refused since the last report)" if self._quiet else ""
        logger.warning("%s%s", message, more)
        self._last, self._quiet = now, 0


def _webhook_endpoint(
    secret: bytes, on_update: OnUpdate, max_body_bytes: int
) -> Callable[[Request], Awaitable[Response]]:
    refused = _Throttled()

    async def webhook(request: Request) -> Response:
        # Header values arrive as latin-1 text; compared as bytes, a non-ASCII value is just
        # a mismatch (compare_digest refuses non-ASCII str).
        given = request.headers.get(WEBHOOK_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, secret):
            client = request.client.host if request.client else "?"
            refused.note(f"webhook request from {client} refused: wrong or missing secret token")
            return PlainTextResponse("forbidden", status_code=403)

        try:
            body = await _read_body(request, max_body_bytes)
        except _BodyTooLarge:
            refused.note(f"webhook request refused: body over {max_body_bytes} bytes")
            return PlainTextResponse("request body too large", status_code=413)
        except ClientDisconnect:
            logger.debug("webhook client disconnected before sending its body")
            return PlainTextResponse("incomplete body", status_code=400)

        payload = _parse_update(body)
        if payload is None:
            refused.note("webhook request refused: not a Telegram update")
            return PlainTextResponse("not a Telegram update", status_code=400)

        try:
            await on_update(payload)
        except BadUpdate as exc:  # it has the shape of an update, but cannot be read as one
            refused.note(f"webhook update {payload['update_id']} refused: {exc}")
            return PlainTextResponse("not a Telegram update", status_code=400)
        except Exception:
            logger.exception("update %s could not be handled", payload["update_id"])
            return PlainTextResponse("update not handled", status_code=500)
        return PlainTextResponse("ok")

    return webhook


async def _read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused as soon as it passes `limit` bytes.

    A declared Content-Length over the limit is refused before reading; the count of bytes
    actually received is what decides, since a declared length can be absent (chunked) or false.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _parse_update(body: bytes) -> dict[str, Any] | None:
    """The update as a dict, or None if the body is not a JSON object with an integer update_id."""
    try:
        payload = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not isinstance(payload, dict):
        return None
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    if not 0 <= update_id < MAX_UPDATE_ID:  # what a database's 64-bit integer holds
        return None
    return payload
