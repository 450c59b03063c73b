"""The bot's HTTP surface: Telegram's webhook, health and readiness probes, Prometheus metrics.

Independent of Telegram's objects and of the engine (updates are dicts, readiness is a callback):
`app.make_app` builds the Starlette application, `metrics.Metrics` holds the counters it serves,
and `server.serve` / `server.start_background` run it with uvicorn in the caller's event loop.
"""

from bot.web.app import make_app
from bot.web.metrics import Metrics
from bot.web.server import BackgroundServer, WebServerError, serve, start_background

__all__ = [
    "BackgroundServer",
    "Metrics",
    "WebServerError",
    "make_app",
    "serve",
    "start_background",
]
