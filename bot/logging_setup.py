"""Logging for `serve`: one line per event (text or JSON), with every secret redacted.

The redaction is a filter on the handler, so it sees every record that reaches the output,
from our loggers and from libraries (slack_bolt, discord, aiohttp) alike, and it redacts the
formatted message, the arguments, extra fields and the exception text. A `TracebackCutter`,
which an adapter puts on a library's logger, keeps the failures that library gets over by itself
(a connection it tries again) to their type and message, without the traceback.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import threading
import traceback
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Iterable, TextIO

from bot.config import Settings

REDACTED = "[redacted]"
SECRET_SETTINGS = ("slack_bot_token", "slack_app_token", "slack_signing_secret", "discord_token")
# Shorter values are not real credentials, and redacting them would garble ordinary words.
MIN_SECRET_CHARS = 4
# A configured value with spaces in it ("Bot <token>", a pasted line) is also redacted piece by
# piece, for pieces at least this long: a library may log the part it actually sends.
MIN_SECRET_PIECE_CHARS = 16
TOKEN_PATTERNS = (
    # Slack bot, user, app-level, refresh, legacy, client and cookie tokens.
    re.compile(r"\b(?:xox[abcdeoprs]|xapp)-[A-Za-z0-9%-]+"),
    # Discord bot tokens: base64 user id, timestamp and HMAC, dot-separated.
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
    # URLs that let whoever reads them post as the bot (with any ping they like) for a while: a
    # Slack response_url or webhook, everything after /commands, /actions, /services, ... ("\/"
    # as Slack's JSON writes it), and a Discord interaction or webhook, its id and token.
    # slack_sdk and discord.py log them at DEBUG.
    re.compile(
        r"(?:(?<=/commands)|(?<=/actions)|(?<=/services)|(?<=/workflows)|(?<=/triggers))\\?/[TE][A-Z0-9]+(?:\\?/[\w-]+)+"
    ),
    re.compile(r"(?:(?<=/interactions)|(?<=/webhooks))\\?/\d+\\?/[\w.-]+"),
    # The same token as a payload's `token` field (discord.py logs each gateway event at DEBUG;
    # slack_sdk each Socket Mode message, whose `token` is the app's verification token).
    re.compile(r"""(?:(?<='token': ')|(?<="token": ")|(?<="token":"))[^"'\\\s]+"""),
)
# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_OURS = "_factbot_handler"

log = logging.getLogger(__name__)


def secrets_from_settings(settings: Settings) -> list[str]:
    """The configured credentials, as they must never be printed.

    Each value as configured, without the white space around it (what a client sends), and
    each long piece of a value with spaces inside ("Bot <token>").
    """
    found: list[str] = []
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, None)
        if not isinstance(value, str) or len(value.strip()) < MIN_SECRET_CHARS:
            continue
        found += [value, value.strip()]
        found += [piece for piece in value.split() if len(piece) >= MIN_SECRET_PIECE_CHARS]
    return list(dict.fromkeys(found))


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
            if key not in _STANDARD:
                setattr(record, key, self._scrub(value))
        return True

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def _scrub(self, value: Any, depth: int = 0) -> Any:
        """An `extra=` value with every string in it redacted, and nothing a JSON line can't hold."""
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)  # NaN and Infinity are not JSON
        if isinstance(value, str):
            return self._clean(value)
        if depth < 8 and isinstance(value, dict):
            return {self._scrub_key(k): self._scrub(v, depth + 1) for k, v in value.items()}
        if depth < 8 and isinstance(value, (list, tuple, set, frozenset)):
            return [self._scrub(item, depth + 1) for item in value]
        # Any other object would be printed through str(): redact that text instead.
        return self._clean(_text_of(value))

    def _scrub_key(self, key: Any) -> Any:
        if isinstance(key, (bool, int)) or key is None:
            return key
        return self._clean(key if isinstance(key, str) else _text_of(key))


def _text_of(value: Any) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - an object that cannot print itself must not hide the event
        return f"<unprintable {type(value).__name__}>"


class TracebackCutter(logging.Filter):
    """Cuts the traceback from a library's records of the failures it gets over by itself: the
    record keeps its message, followed by the exception's type (and message, when not in it yet).

    For a library logger that logs each failed try at what it keeps trying (a connection, say)
    with a whole traceback. Only a record whose message starts with one of `messages` and whose
    exception is one of `errors` is cut; every other passes as it is, and so does every record
    while the logger is at DEBUG, for whoever wants the tracebacks.
    """

    def __init__(self, *, messages: Iterable[str], errors: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.messages = tuple(messages)
        self.errors = errors

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, self.errors) or logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: the handler reports it as it is
            return True
        if not message.startswith(self.messages):
            return True
        text = _text_of(error)
        detail = type(error).__name__ if not text or text in message else f"{type(error).__name__}: {text}"
        record.msg, record.args = f"{message} [{detail}]", None
        record.exc_info, record.exc_text = None, None
        return True


# What would break a line for some reader or reach a terminal as a command: control characters
# (escape sequences, vertical tab, form feed, NEL), Unicode line and paragraph separators, and
# lone surrogates, which no UTF-8 stream can write.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _one_line(text: str) -> str:
    # Escaped rather than joined: one event stays one line, and user text can't forge a line.
    return _UNSAFE.sub(_escape, text.replace("\\", "\\\\"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


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
        # json.dumps leaves C1 controls, U+2028/U+2029 and lone surrogates raw: escaped, the
        # line is still the same JSON, holds no line break for any reader and encodes as UTF-8.
        return _UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False, default=str))


def log_handler(settings: Settings, redactor: SecretRedactor, *, stream: TextIO | None = None) -> logging.Handler:
    """One line per record on `stream` (stderr by default), in LOG_FORMAT, redacted by `redactor`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(redactor)
    return handler


def log_level(settings: Settings) -> int | None:
    """LOG_LEVEL as a logging level, or None when it names none."""
    level = logging.getLevelName(settings.log_level.strip().upper())
    return level if isinstance(level, int) else None


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None, extra_secrets: Iterable[str] = ()
) -> logging.Handler:
    """Route every logger through one redacting handler on the root logger, at LOG_LEVEL.

    Replaces a handler an earlier call installed (so tests and reconfiguration don't double
    lines); handlers already on the root logger keep writing, redacted too. Handlers added
    to the root logger later are not covered: add them before calling this.
    """
    redactor = SecretRedactor([*secrets_from_settings(settings), *extra_secrets])
    handler = log_handler(settings, redactor, stream=stream)
    setattr(handler, _OURS, True)
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
    level = log_level(settings)
    root.setLevel(logging.INFO if level is None else level)
    logging.captureWarnings(True)
    _route_uncaught_exceptions()
    return handler


def _route_uncaught_exceptions() -> None:
    """Send exceptions nobody caught through the logging handler, redacted and on one line.

    Python prints them raw to stderr otherwise: a crash whose message holds a token (a
    client's error echoing its request) would print it, and a JSON log would get lines that
    are not JSON.
    """
    if not getattr(sys.excepthook, _OURS, False):
        sys.excepthook = _ExceptHook(sys.excepthook)
    if not getattr(threading.excepthook, _OURS, False):
        threading.excepthook = _ThreadExceptHook(threading.excepthook)


class _ExceptHook:
    def __init__(self, previous: Any) -> None:
        self.previous = previous
        setattr(self, _OURS, True)

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt) or not logging.getLogger().handlers:
            self.previous(kind, error, tb)
            return
        log.critical("uncaught %s; the process stops", kind.__name__, exc_info=(kind, error, tb))


class _ThreadExceptHook:
    def __init__(self, previous: Any) -> None:
        self.previous = previous
        setattr(self, _OURS, True)

    def __call__(self, args: Any) -> None:
        if args.exc_type is SystemExit or not logging.getLogger().handlers:
            self.previous(args)
            return
        name = args.thread.name if args.thread is not None else "unknown"
        log.error(
            "uncaught %s in thread %s; the thread stops",
            args.exc_type.__name__,
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )
