# The bot with its fact base; `serve` runs every platform whose settings are given.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_KNOWLEDGE_DIR=/app/knowledge \
    BOT_DATA_DIR=/data \
    PORT=3000

RUN useradd --create-home --uid 10001 bot && mkdir -p /app /data && chown bot:bot /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN pip install --no-cache-dir .
COPY knowledge ./knowledge

USER bot
VOLUME ["/data"]
EXPOSE 3000
# GETs /healthz on BOT_HOST:PORT; with no platform token serve is the terminal chat, which
# opens no port, and the check passes.
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-m", "bot", "healthcheck"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["serve"]
