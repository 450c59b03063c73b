"""bot.web.app through Starlette's TestClient: the webhook's checks, the probes, /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.web.app import make_app
from bot.web.metrics import Metrics

SECRET = "s3cret_Token-42"
PATH = "/telegram/hook-abc"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
GOOD = {HEADER: SECRET}


class Updates:
    """An on_update that records what it was given (after a pause), or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail = fail

    async def __call__(self, update: dict[str, Any]) -> None:
        await asyncio.sleep(0.02)  # the answer must wait for this
        if self.fail:
            raise RuntimeError("engine blew up")
        self.received.append(update)


async def always_ready() -> tuple[bool, dict[str, str]]:
    return True, {"engine": "ok", "inbox": "ok"}


def build(
    updates: Updates | None = None,
    *,
    ready: Any = always_ready,
    metrics: Metrics | None = None,
    **options: Any,
) -> Starlette:
    return make_app(
        webhook_path=PATH,
        secret=SECRET,
        on_update=updates if updates is not None else Updates(),
        ready=ready,
        metrics=metrics or Metrics(process=False),
        **options,
    )


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
def client(updates: Updates) -> Iterator[TestClient]:
    with TestClient(build(updates)) as test_client:
        yield test_client


def test_an_update_is_handled_before_the_answer(client: TestClient, updates: Updates) -> None:
    update = {"update_id": 1001, "message": {"text": "托位有多少"}}

    response = client.post(PATH, json=update, headers=GOOD)

    assert response.status_code == 200
    assert updates.received == [update]  # already there: the 200 waited for on_update


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {HEADER: ""},
        {HEADER: "wrong"},
        {HEADER: SECRET + "x"},
        {HEADER: SECRET[:-1]},
        {HEADER: SECRET.upper()},
        {"X-Telegram-Bot-Api-Secret": SECRET},
    ],
    ids=["missing", "empty", "wrong", "longer", "shorter", "case", "other-header"],
)
def test_a_wrong_secret_is_refused_and_not_handled(
    client: TestClient, updates: Updates, headers: dict[str, str]
) -> None:
    response = client.post(PATH, json={"update_id": 1}, headers=headers)

    assert response.status_code == 403
    assert updates.received == []


def test_a_non_ascii_secret_header_is_a_mismatch_not_an_error(
    client: TestClient, updates: Updates
) -> None:
    response = client.post(PATH, json={"update_id": 1}, headers={HEADER: b"s3cr\xe9t"})

    assert response.status_code == 403
    assert updates.received == []


def test_a_refused_secret_is_logged_without_echoing_it(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post(PATH, json={"update_id": 1}, headers={HEADER: "guess-number-17"})

    assert "wrong or missing secret" in caplog.text
    assert "guess-number-17" not in caplog.text


def test_a_body_over_the_limit_is_refused(updates: Updates) -> None:
    with TestClient(build(updates)) as client:
        body = json.dumps({"update_id": 1, "pad": "x" * (1024 * 1024)}).encode()
        response = client.post(PATH, content=body, headers=GOOD)

    assert response.status_code == 413
    assert updates.received == []


def test_a_body_of_exactly_the_limit_is_accepted(updates: Updates) -> None:
    limit = 2000
    start = b'{"update_id": 5, "pad": "'
    body = start + b"x" * (limit - len(start) - 2) + b'"}'
    assert len(body) == limit
    with TestClient(build(updates, max_body_bytes=limit)) as client:
        accepted = client.post(PATH, content=body, headers=GOOD)
        refused = client.post(PATH, content=body[:-1] + b' "}', headers=GOOD)

    assert accepted.status_code == 200
    assert refused.status_code == 413
    assert [u["update_id"] for u in updates.received] == [5]


def test_a_chunked_body_without_length_is_counted_as_it_arrives(updates: Updates) -> None:
    def chunks() -> Iterator[bytes]:  # sent with Transfer-Encoding: chunked, no Content-Length
        yield b'{"update_id": 7, "pad": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    with TestClient(build(updates, max_body_bytes=1000)) as client:
        response = client.post(PATH, content=chunks(), headers=GOOD)

    assert response.status_code == 413
    assert updates.received == []


def test_a_declared_length_over_the_limit_is_refused_before_reading(updates: Updates) -> None:
    with TestClient(build(updates, max_body_bytes=100)) as client:
        response = client.post(
            PATH, content=b'{"update_id": 1}', headers={**GOOD, "Content-Length": "5000"}
        )

    assert response.status_code == 413
    assert updates.received == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"\xff\xfe{}",
        b"[1, 2, 3]",
        b'"update_id"',
        b"{}",
        b'{"update_id": "1"}',
        b'{"update_id": 1.5}',
        b'{"update_id": true}',
        b'{"update_id": null}',
        b'{"update_id": NaN}',
        b'{"update_id": 1, "x": Infinity}',
        b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=[
        "empty",
        "broken",
        "not-utf8",
        "array",
        "string",
        "no-update-id",
        "string-id",
        "float-id",
        "bool-id",
        "null-id",
        "nan-id",
        "infinity",
        "deeply-nested",
    ],
)
def test_a_body_that_is_not_an_update_is_a_bad_request(
    client: TestClient, updates: Updates, body: bytes
) -> None:
    response = client.post(PATH, content=body, headers=GOOD)

    assert response.status_code == 400
    assert updates.received == []


def test_a_failing_handler_gives_500_so_telegram_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with TestClient(build(Updates(fail=True))) as client:
        response = client.post(PATH, json={"update_id": 99}, headers=GOOD)

    assert response.status_code == 500
    assert "update 99 could not be handled" in caplog.text


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_on_the_webhook_are_not_allowed(
    client: TestClient, updates: Updates, method: str
) -> None:
    response = client.request(method, PATH, headers=GOOD)

    assert response.status_code == 405
    assert updates.received == []


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.text == "ok"


def test_readyz_when_ready(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"engine": "ok", "inbox": "ok"}}


def test_readyz_when_not_ready() -> None:
    async def not_ready() -> tuple[bool, dict[str, str]]:
        return False, {"engine": "loading"}

    with TestClient(build(ready=not_ready)) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"ready": False, "checks": {"engine": "loading"}}


def test_readyz_when_the_check_fails_or_hangs() -> None:
    async def broken() -> tuple[bool, dict[str, str]]:
        raise OSError("database locked")

    async def hangs() -> tuple[bool, dict[str, str]]:
        await asyncio.sleep(30)
        return True, {}

    with TestClient(build(ready=broken)) as client:
        failed = client.get("/readyz")
    with TestClient(build(ready=hangs, ready_timeout=0.05)) as client:
        timed_out = client.get("/readyz")

    assert failed.status_code == 503
    assert timed_out.status_code == 503
    assert timed_out.json()["ready"] is False


def test_metrics_page() -> None:
    metrics = Metrics(process=False)
    metrics.question("answer", "zh", "group", 0.001)
    metrics.reload(False)
    with TestClient(build(metrics=metrics)) as client:
        response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'inquirybot_questions_total{chat_type="group",decision="answer",lang="zh"} 1.0' in (
        response.text
    )
    assert 'inquirybot_reloads_total{result="failed"} 1.0' in response.text


@pytest.mark.parametrize("path", ["/", "/hook", "/telegram", PATH + "/x", "/metrics/x"])
def test_everything_else_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
    assert client.post(path, json={"update_id": 1}, headers=GOOD).status_code == 404


def test_without_a_webhook_path_there_is_no_webhook() -> None:
    updates = Updates()
    app = make_app(
        webhook_path=None,
        secret=None,
        on_update=None,
        ready=always_ready,
        metrics=Metrics(process=False),
    )
    with TestClient(app) as client:
        response = client.post(PATH, json={"update_id": 1}, headers=GOOD)
        assert client.get("/healthz").status_code == 200

    assert response.status_code == 404
    assert updates.received == []


def test_the_webhook_path_may_be_given_without_its_slash(updates: Updates) -> None:
    app = make_app(
        webhook_path=PATH.lstrip("/"),
        secret=SECRET,
        on_update=updates,
        ready=always_ready,
        metrics=Metrics(process=False),
    )
    with TestClient(app) as client:
        assert client.post(PATH, json={"update_id": 3}, headers=GOOD).status_code == 200

    assert updates.received == [{"update_id": 3}]


@pytest.mark.parametrize(
    ("path", "secret", "with_handler"),
    [
        (PATH, None, True),
        (PATH, "", True),
        (PATH, "has space", True),
        (PATH, "x" * 257, True),
        (PATH, SECRET, False),
        ("/metrics", SECRET, True),
        ("/healthz", SECRET, True),
        ("/", SECRET, True),
        ("/hook/{update}", SECRET, True),
    ],
)
def test_an_unusable_webhook_configuration_is_refused(
    path: str, secret: str | None, with_handler: bool
) -> None:
    with pytest.raises(ValueError):
        make_app(
            webhook_path=path,
            secret=secret,
            on_update=Updates() if with_handler else None,
            ready=always_ready,
            metrics=Metrics(process=False),
        )


@pytest.mark.parametrize("update_id", [-1, 2**63, 10**30])
def test_an_update_id_no_database_can_hold_is_a_bad_request(
    client: TestClient, updates: Updates, update_id: int
) -> None:
    response = client.post(PATH, json={"update_id": update_id}, headers=GOOD)
    assert response.status_code == 400 and updates.received == []


def test_an_update_the_handler_cannot_read_is_a_bad_request_not_a_retry() -> None:
    from bot.web.app import BadUpdate

    async def unreadable(update: dict[str, Any]) -> None:
        raise BadUpdate("message is not an object")

    with TestClient(build(unreadable)) as client:  # type: ignore[arg-type]
        response = client.post(PATH, json={"update_id": 5, "message": "x"}, headers=GOOD)
    assert response.status_code == 400


def test_a_flood_of_refused_requests_is_logged_once_a_minute(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(50):
        assert client.post(PATH, json={"update_id": 1}).status_code == 403
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1
