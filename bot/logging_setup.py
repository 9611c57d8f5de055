"""Logging for `serve`: one line per event (text or JSON), with every secret redacted.

The redaction is a filter on the handler, so it sees every record that reaches the output,
from our loggers and from libraries (slack_bolt, discord, aiohttp) alike, and it redacts the
formatted message, the arguments, extra fields and the exception text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import datetime, timezone
from typing import Iterable, TextIO

from bot.config import Settings

REDACTED = "[redacted]"
SECRET_SETTINGS = ("slack_bot_token", "slack_app_token", "slack_signing_secret", "discord_token")
# Shorter values are not real credentials, and redacting them would garble ordinary words.
MIN_SECRET_CHARS = 4
TOKEN_PATTERNS = (
    # Slack bot, user, app-level, refresh and legacy tokens.
    re.compile(r"\b(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]+"),
    # Discord bot tokens: base64 user id, timestamp and HMAC, dot-separated.
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
)
# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_OURS = "_factbot_handler"


def secrets_from_settings(settings: Settings) -> list[str]:
    """The configured credentials, as they must never be printed."""
    values = (getattr(settings, name, None) for name in SECRET_SETTINGS)
    return [v for v in values if isinstance(v, str) and len(v.strip()) >= MIN_SECRET_CHARS]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every given secret and anything shaped like a Slack or Discord token replaced."""
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class SecretRedactor(logging.Filter):
    """Rewrites each record so neither its message nor its exception text holds a secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= MIN_SECRET_CHARS]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the event
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self._clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
            # The traceback is now text; dropping the live exception stops a formatter from
            # rendering it again from the original (unredacted) objects.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self._clean(value))
        return True

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)


def _one_line(text: str) -> str:
    # Escaped rather than joined: one event stays one line, and user text can't forge a line.
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message | exc=...`, newlines escaped."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += f" | exc={record.exc_text}"
        if record.stack_info:
            line += f" | stack={record.stack_info}"
        return _one_line(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None, extra_secrets: Iterable[str] = ()
) -> logging.Handler:
    """Route every logger through one redacting handler on the root logger, at LOG_LEVEL.

    Replaces a handler an earlier call installed (so tests and reconfiguration don't double
    lines); handlers already on the root logger keep writing, redacted too. Handlers added
    to the root logger later are not covered: add them before calling this.
    """
    redactor = SecretRedactor([*secrets_from_settings(settings), *extra_secrets])
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _OURS, True)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
        old.close()
    # A handler that was there first sees each record before ours redacts it: give it the
    # redactor too, so nothing on the root logger ever writes a secret.
    for other in root.handlers:
        for stale in [f for f in other.filters if isinstance(f, SecretRedactor)]:
            other.removeFilter(stale)
        other.addFilter(redactor)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level.strip().upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    logging.captureWarnings(True)
    return handler
