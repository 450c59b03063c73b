"""bot.web.server: a real uvicorn on 127.0.0.1, reached with httpx, stopped by the caller."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.web import Metrics, WebServerError, make_app, serve, start_background

HOST = "127.0.0.1"
SECRET = "server-test-secret"
PATH = "/hook"
GOOD = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another listener holds for the test's duration."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen()
        yield sock.getsockname()[1]


def client(port: int) -> httpx.AsyncClient:
    # trust_env=False: no proxy from the environment; every request stays on 127.0.0.1.
    return httpx.AsyncClient(base_url=f"http://{HOST}:{port}", trust_env=False, timeout=5)


async def wait_until_up(port: int) -> None:
    async with client(port) as http:
        for _ in range(100):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing answered on port {port}")


async def is_refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return True
    writer.close()
    return False


class SlowUpdates:
    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.started = asyncio.Event()
        self.received: list[dict[str, Any]] = []

    async def __call__(self, update: dict[str, Any]) -> None:
        self.started.set()
        await asyncio.sleep(self.seconds)
        self.received.append(update)


async def ready() -> tuple[bool, dict[str, str]]:
    return True, {"engine": "ok"}


def build(updates: SlowUpdates, metrics: Metrics | None = None) -> Starlette:
    return make_app(
        webhook_path=PATH,
        secret=SECRET,
        on_update=updates,
        ready=ready,
        metrics=metrics or Metrics(process=False),
    )


async def test_serve_until_stop_is_set() -> None:
    updates = SlowUpdates()
    metrics = Metrics(process=False)
    metrics.reload(True)
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(build(updates, metrics), HOST, port, stop=stop))
    await wait_until_up(port)

    async with client(port) as http:
        hook = await http.post(PATH, json={"update_id": 12}, headers=GOOD)
        refused = await http.post(PATH, json={"update_id": 13}, headers={})
        readyz = await http.get("/readyz")
        page = await http.get("/metrics")

    stop.set()
    await asyncio.wait_for(task, timeout=5)

    assert hook.status_code == 200
    assert refused.status_code == 403
    assert updates.received == [{"update_id": 12}]
    assert readyz.json() == {"ready": True, "checks": {"engine": "ok"}}
    assert 'inquirybot_reloads_total{result="ok"} 1.0' in page.text
    assert "server" not in hook.headers  # no server banner
    assert await is_refused(port)


async def test_an_oversize_body_over_the_wire_is_413() -> None:
    updates = SlowUpdates()
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(build(updates), HOST, port, stop=stop))
    await wait_until_up(port)

    async def chunks() -> Any:
        yield b'{"update_id": 1, "pad": "'
        for _ in range(2 * 1024):
            yield b"x" * 1024
        yield b'"}'

    async with client(port) as http:
        response = await http.post(PATH, content=chunks(), headers=GOOD)

    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert response.status_code == 413
    assert updates.received == []


async def test_serving_leaves_the_signal_handlers_alone() -> None:
    def ours(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, ours)
    sigint = signal.getsignal(signal.SIGINT)
    try:
        port = free_port()
        stop = asyncio.Event()
        task = asyncio.create_task(serve(build(SlowUpdates()), HOST, port, stop=stop))
        await wait_until_up(port)

        during = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)

        stop.set()
        await asyncio.wait_for(task, timeout=5)
        after = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert during == (ours, sigint)
    assert after == (ours, sigint)


async def test_stop_lets_the_update_in_flight_finish() -> None:
    updates = SlowUpdates(seconds=0.5)
    server = await start_background(build(updates), HOST, 0)

    async with client(server.port) as http:
        posting = asyncio.create_task(http.post(PATH, json={"update_id": 77}, headers=GOOD))
        await asyncio.wait_for(updates.started.wait(), timeout=5)
        await asyncio.wait_for(server.stop(), timeout=5)
        response = await posting

    assert response.status_code == 200
    assert updates.received == [{"update_id": 77}]
    assert await is_refused(server.port)


async def test_start_background_beside_another_main_task() -> None:
    server = await start_background(build(SlowUpdates()), HOST, 0)
    assert server.host == HOST
    assert server.port > 0

    async def main_task() -> int:  # stands for long polling
        await asyncio.sleep(0.05)
        return 42

    async with client(server.port) as http:
        result, health = await asyncio.gather(main_task(), http.get("/healthz"))

    assert result == 42
    assert health.text == "ok"
    assert not server.task.done()
    await asyncio.wait_for(server.stop(), timeout=5)
    assert server.task.done()
    assert await is_refused(server.port)


async def test_serve_on_a_port_in_use_fails_at_once(taken_port: int) -> None:
    stop = asyncio.Event()

    with pytest.raises(WebServerError, match=rf"cannot listen on {HOST}:{taken_port}.*in use"):
        await asyncio.wait_for(serve(build(SlowUpdates()), HOST, taken_port, stop=stop), timeout=5)


async def test_start_background_on_a_port_in_use_fails_at_once(taken_port: int) -> None:
    with pytest.raises(WebServerError, match="in use"):
        await asyncio.wait_for(start_background(build(SlowUpdates()), HOST, taken_port), timeout=5)


async def test_an_address_not_of_this_machine_is_a_clear_error() -> None:
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is numeric, so nothing is looked up, and never local.
    with pytest.raises(WebServerError, match=r"cannot listen on 192\.0\.2\.1:0: .*address"):
        await start_background(build(SlowUpdates()), "192.0.2.1", 0)
