"""compose.yaml, deploy/haproxy.cfg and the Dockerfile agree with each other and with the bot:
every variable the bot services set is one the bot reads, the replicas are distinct, the load
balancer checks what the bot serves. (Running them needs images this machine cannot pull; the
HAProxy configuration itself runs in tests/e2e/test_replicas_e2e.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def documented_variables() -> set[str]:
    """The variables of the README's configuration table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def test_compose_runs_two_distinct_replicas_on_postgresql_behind_haproxy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    bots = {name: s for name, s in services.items() if s.get("image") == "inquirybot"}
    assert len(bots) == 2
    replicas = {s["environment"]["BOT_REPLICA"] for s in bots.values()}
    assert len(replicas) == 2
    known = documented_variables()
    for bot in bots.values():
        env = bot["environment"]
        assert env["BOT_DB"].startswith("postgresql://")
        assert set(env) <= known, set(env) - known
        assert all(v.endswith(":ro") for v in bot["volumes"])  # content is read-only
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
        grace = int(bot["stop_grace_period"].rstrip("s"))
        assert grace >= 10
    lb = services["lb"]
    mounted = [v.split(":")[0] for v in lb["volumes"]]
    assert "./deploy/haproxy.cfg" in mounted and (ROOT / "deploy" / "haproxy.cfg").is_file()
    assert "pgdata" in compose["volumes"]
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])


def test_haproxy_checks_readiness_and_lets_only_the_webhook_through() -> None:
    cfg = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert "option httpchk GET /readyz" in cfg
    assert "http-request deny" in cfg and "path_beg /telegram" in cfg
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    for name in ("bot1", "bot2"):
        port = compose["services"][name]["environment"].get("WEBHOOK_PORT")
        port = port or compose["x-bot"]["environment"]["WEBHOOK_PORT"]
        assert f"server {name} {name}:{port} check" in cfg


def test_the_image_checks_its_health_with_the_documented_command() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["python", "-m", "bot", "health"]' in docker
    assert "BOT_HTTP_PORT=" in docker
    assert "python -m bot health" in (ROOT / "README.md").read_text(encoding="utf-8")
