# Haizhu District inquiry bot.
#
#   docker build -t inquirybot .
#   docker run -d --name inquirybot \
#     -e TELEGRAM_BOT_TOKEN=... -e BOT_ADMIN_IDS=12345 \
#     -v "$PWD/intents:/app/intents:ro" -v "$PWD/data:/app/data:ro" \
#     -v inquirybot-db:/data \
#     inquirybot
#
# The content folders are baked in at /app/intents and /app/data; mount edited copies over them
# (as above) and send /reload in Telegram, or `docker kill -s HUP inquirybot`, to load them
# without a rebuild. The question log lives in the /data volume.

# ---- builder: a virtualenv with the dependencies, then the project -------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"
WORKDIR /src

# Dependencies in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt

# The project itself (code only; content is copied into the final image separately).
COPY . .
RUN pip install --no-cache-dir --no-deps . \
    && python -m compileall -q /opt/venv/lib

# ---- final image ---------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BOT_INTENTS_DIR=/app/intents \
    BOT_DATA_DIR=/app/data \
    BOT_DB=/data/questions.sqlite3 \
    BOT_CACHE_DIR=/data/cache \
    BOT_HTTP_PORT=9100

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin bot \
    && mkdir -p /app /data \
    && chown bot:bot /data

COPY --from=builder /opt/venv /opt/venv
# Content stays root-owned and read-only for the bot: staff edit it on the host and mount it.
COPY intents /app/intents
COPY data /app/data

WORKDIR /app
VOLUME ["/data"]
USER 10001:10001

# Webhook mode (WEBHOOK_URL set): the webhook, /healthz, /readyz and /metrics on 8443.
# Polling mode: /healthz, /readyz and /metrics on BOT_HTTP_PORT (9100). Publish neither port to
# the Internet as it is: only the webhook path belongs behind the TLS proxy (see compose.yaml).
EXPOSE 8443 9100

# Liveness: the process's own HTTP server answers /healthz (webhook or polling port).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

# SIGTERM drains: the web server stops taking requests, queued updates are answered, the log is
# flushed; measured well under Docker's default 10 s stop timeout (README, Deployment).

CMD ["python", "-m", "bot", "run"]
