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
    BOT_CACHE_DIR=/data/cache

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

# Webhook mode (WEBHOOK_URL set) listens here; polling mode needs no port.
EXPOSE 8443

# No HEALTHCHECK: in polling mode the process is the only liveness signal (PTB retries network
# errors itself), and `python -m bot check` would report the content, not the bot.

CMD ["python", "-m", "bot", "run"]
