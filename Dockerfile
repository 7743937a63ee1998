# kindbot in a container: `docker compose up -d` (see the README, "Running it for years").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY sandbox ./sandbox
COPY migrations ./migrations
COPY prompts ./prompts
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin kindbot \
    && mkdir -p /data \
    && chown kindbot:kindbot /data

USER kindbot
WORKDIR /data
ENV KINDBOT_DB=/data/kindbot.sqlite3
VOLUME ["/data"]

# Healthy while the bot is connected: it refreshes a heartbeat beside the database
# every 30 seconds, and `kindbot health` fails once it is 5 minutes old.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["kindbot", "health"]

STOPSIGNAL SIGTERM
CMD ["kindbot", "run"]
