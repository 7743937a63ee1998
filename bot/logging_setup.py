"""Logging set-up: one line per event, secrets redacted, as text or as JSON.

Tracebacks are folded into the same line (``\\n`` escaped in JSON, ``|`` joined in
text), so a log collector never sees a stray line without its event.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
#: discord.py warns at start-up that voice needs PyNaCl and davey; kindbot uses no voice.
_VOICE_WARNING = "voice will NOT be supported"


class RedactingFormatter(logging.Formatter):
    """Formats as usual on one line, then blanks out any secret that slipped into the text."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return self.redact(" | ".join(line for line in text.splitlines() if line.strip()))


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time, level, logger, message and any traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        return self.redact(json.dumps(entry, ensure_ascii=False))


class _NoVoiceWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return _VOICE_WARNING not in record.getMessage()


_VOICE_FILTER = _NoVoiceWarnings()


def configure_logging(level: int, secrets: Iterable[str] = (), log_format: str = "text") -> None:
    """Send logs to stderr, once, with secrets redacted; ``log_format`` is text or json."""
    handler = logging.StreamHandler(sys.stderr)
    secrets = list(secrets)
    formatter = (
        JsonFormatter(secrets) if log_format == "json" else RedactingFormatter(TEXT_FORMAT, secrets)
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
    client_log = logging.getLogger("discord.client")
    if _VOICE_FILTER not in client_log.filters:
        client_log.addFilter(_VOICE_FILTER)
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
