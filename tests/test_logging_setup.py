"""Logs: one line per event, JSON on request, and no secret in any line (messages, extras, tracebacks)."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading

import pytest

from bot.config import Settings
from bot.logging_setup import REDACTED, SecretRedactor, TracebackCutter, configure_logging, redact

SECRETS = {
    "slack_bot_token": "xoxb-1111111111-2222222222-FakeBotTokenValue",
    "slack_app_token": "xapp-1-A0FAKE-3333333333-fakeapptokenvalue",
    "slack_signing_secret": "8f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "discord_token": "not-shaped-like-anything-discord-secret-42",
}
UNCONFIGURED = ["xoxp-9999-8888-7777-userTokenNobodyConfigured", "xoxb-555-leaked-from-somewhere",
                "MTA1NjQ3ODk0NTY3ODkwMTIzNA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456"]
ALL_SECRETS = [*SECRETS.values(), *UNCONFIGURED]


@pytest.fixture
def capture(request: pytest.FixtureRequest):
    """Configure logging into a buffer; restore the root logger afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    hooks = (sys.excepthook, threading.excepthook)
    buffer = io.StringIO()

    def configure(**settings: object) -> io.StringIO:
        configure_logging(Settings(**SECRETS, **settings), stream=buffer)
        return buffer

    yield configure
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
        for redactor in [f for f in handler.filters if isinstance(f, SecretRedactor)]:
            handler.removeFilter(redactor)
    root.setLevel(saved[1])
    sys.excepthook, threading.excepthook = hooks


def _emit_everything() -> None:
    log = logging.getLogger("bot.test")
    bot_token, app_token, signing, discord_token = SECRETS.values()
    log.info("connecting with %s and %s", bot_token, app_token)
    log.warning("signing secret is " + signing)
    log.info("discord login", extra={"token": discord_token, "attempt": 2})
    log.error("a user pasted %s into a question", UNCONFIGURED[0])
    logging.getLogger("slack_bolt.App").warning("library says %r", {"token": UNCONFIGURED[1]})
    logging.getLogger("discord.client").error("gateway token %s", UNCONFIGURED[2])
    try:
        raise RuntimeError(f"auth failed for {bot_token} (signing {signing})")
    except RuntimeError:
        log.exception("Slack call failed with %s", discord_token)
    log.info("a question with a newline:\nsecond line")


def test_no_secret_reaches_a_text_log_line(capture) -> None:
    buffer = capture()
    _emit_everything()
    output = buffer.getvalue()
    for secret in ALL_SECRETS:
        assert secret not in output, f"{secret[:8]}... leaked"
    lines = output.splitlines()
    assert len(lines) == 8  # one line per event, the traceback and the newline included
    assert output.count(REDACTED) == 9
    assert "connecting with [redacted] and [redacted]" in lines[0]
    assert "RuntimeError: auth failed for [redacted] (signing [redacted])" in lines[6]
    assert "Slack call failed with [redacted] | exc=Traceback (most recent call last):\\n" in lines[6]
    assert "a question with a newline:\\nsecond line" in lines[7]
    assert " INFO bot.test: " in lines[0] and " ERROR slack_bolt.App" not in output


def test_no_secret_reaches_a_json_log_line(capture) -> None:
    buffer = capture(log_format="json")
    _emit_everything()
    output = buffer.getvalue()
    for secret in ALL_SECRETS:
        assert secret not in output
    records = [json.loads(line) for line in output.splitlines()]
    assert len(records) == 8
    assert records[0]["level"] == "INFO" and records[0]["logger"] == "bot.test"
    assert records[0]["message"] == "connecting with [redacted] and [redacted]"
    assert records[2]["token"] == REDACTED and records[2]["attempt"] == 2
    assert records[4]["logger"] == "slack_bolt.App"
    assert "auth failed for [redacted]" in records[6]["exc"]
    assert records[7]["message"] == "a question with a newline:\nsecond line"


def test_handlers_already_on_the_root_logger_are_redacted_too(capture, caplog: pytest.LogCaptureFixture) -> None:
    capture()  # pytest's capture handler was on the root logger first
    _emit_everything()
    captured = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "connecting with [redacted]" in captured
    for secret in ALL_SECRETS:
        assert secret not in captured


def test_log_level_and_reconfiguring_does_not_double_lines(capture) -> None:
    buffer = capture(log_level="warning")
    capture(log_level="warning")
    logging.getLogger("bot.test").info("hidden")
    logging.getLogger("bot.test").warning("shown")
    assert buffer.getvalue().count("shown") == 1
    assert "hidden" not in buffer.getvalue()


def test_redact_handles_overlapping_and_short_values() -> None:
    assert redact("abc-secret-long and abc", ["abc", "abc-secret-long"]) == f"{REDACTED} and abc"
    assert redact("token xoxe-1-abc and xoxa-2-def") == f"token {REDACTED} and {REDACTED}"
    assert redact("an ordinary sentence about Llama 3.1") == "an ordinary sentence about Llama 3.1"


def test_secrets_inside_structured_extra_fields_are_redacted(capture) -> None:
    buffer = capture(log_format="json")
    bot_token, _, signing, discord_token = SECRETS.values()
    log = logging.getLogger("bot.test")
    log.info(
        "request",
        extra={
            "payload": {"token": discord_token, "nested": [signing, {"auth": f"Bearer {bot_token}"}], "n": 1},
            "headers": (f"Authorization: Bot {discord_token}",),
            "client": _Printable(f"Client(token={discord_token!r})"),
        },
    )
    output = buffer.getvalue()
    for secret in SECRETS.values():
        assert secret not in output
    record = json.loads(output)
    assert record["payload"] == {"token": REDACTED, "nested": [REDACTED, {"auth": f"Bearer {REDACTED}"}], "n": 1}
    assert record["headers"] == [f"Authorization: Bot {REDACTED}"]
    assert record["client"] == f"Client(token='{REDACTED}')"


def test_a_json_line_is_strict_json_whatever_the_extra_fields_hold(capture) -> None:
    buffer = capture(log_format="json")
    cycle: list[object] = []
    cycle.append(cycle)
    logging.getLogger("bot.test").info(
        "odd fields", extra={"ratio": float("nan"), "by_pair": {(1, 2): "x", 3: "y"}, "cycle": cycle}
    )
    line = buffer.getvalue()
    record = json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert record["ratio"] == "nan"
    assert record["by_pair"] == {"(1, 2)": "x", "3": "y"}
    assert len(line.splitlines()) == 1


class _Printable:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def test_a_secret_configured_with_spaces_around_or_a_prefix_is_redacted_as_sent(capture) -> None:
    buffer = io.StringIO()
    signing = "8f1e2d3c4b5a69788796a5b4c3d2e1f0"
    discord_token = "not-shaped-like-anything-discord-secret-42"
    configure_logging(
        Settings(slack_signing_secret=f" {signing}\t", discord_token=f"Bot {discord_token}"), stream=buffer
    )
    logging.getLogger("bot.test").warning("verifying with %s, logging in with %s", signing, discord_token)
    output = buffer.getvalue()
    assert signing not in output and discord_token not in output
    assert f"verifying with {REDACTED}, logging in with {REDACTED}" in output


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_event_is_one_line_whatever_the_message_holds(capture, log_format: str) -> None:
    buffer = capture(log_format=log_format)
    nasty = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\rh\ni\x1b[2Jj\x00k\ud800l Meta’s 🦙"
    log = logging.getLogger("bot.test")
    log.info("question: %s", nasty)
    log.info("second event", extra={"question": nasty})
    raw = buffer.getvalue()
    raw.encode("utf-8")  # no lone surrogate: any UTF-8 stream can write it
    lines = raw.splitlines()  # str.splitlines breaks at every Unicode line boundary
    assert len(lines) == 2 and raw.count("\n") == 2
    assert "\x1b" not in raw  # no terminal escape sequence reaches the output
    if log_format == "json":
        first, second = (json.loads(line) for line in lines)
        assert first["message"] == f"question: {nasty}"
        assert second["question"] == nasty
    else:
        assert "Meta’s 🦙" in lines[0]
        assert "a\\u2028b" in lines[0] and "\\x1b[2J" in lines[0] and "h\\ni" in lines[0]


def test_slack_client_and_cookie_tokens_are_redacted() -> None:
    text = "cookie xoxd-abc%2Fdef%3D and client xoxc-123-456-789-abcdef"
    assert redact(text) == f"cookie {REDACTED} and client {REDACTED}"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_uncaught_exception_is_logged_redacted_on_one_line(
    capture, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    buffer = capture(log_format=log_format)
    bot_token = SECRETS["slack_bot_token"]
    try:
        raise ConnectionError(f"POST https://slack.com/api/auth.test?token={bot_token} failed")
    except ConnectionError:
        sys.excepthook(*sys.exc_info())

    def crash() -> None:
        raise ValueError(f"bad signing secret {SECRETS['slack_signing_secret']}")

    thread = threading.Thread(target=crash, name="worker-1")
    thread.start()
    thread.join()

    output = buffer.getvalue()
    assert capsys.readouterr().err == ""  # nothing printed raw beside the log
    for secret in SECRETS.values():
        assert secret not in output
    lines = output.splitlines()
    assert len(lines) == 2
    assert "uncaught ConnectionError; the process stops" in lines[0]
    assert f"token={REDACTED} failed" in lines[0]
    assert "uncaught ValueError in thread worker-1" in lines[1]
    if log_format == "json":
        assert json.loads(lines[1])["level"] == "ERROR"


@pytest.fixture
def library_logger() -> logging.Logger:
    """A library's logger with a TracebackCutter for its failed connections; taken off afterwards."""
    logger = logging.getLogger("some_library.client")
    cutter = TracebackCutter(messages=("Failed to connect",), errors=(OSError,))
    logger.addFilter(cutter)
    yield logger
    logger.removeFilter(cutter)


def _log_failure(logger: logging.Logger, message: str, error: BaseException) -> None:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 - logged as a library does
        logger.exception(f"{message} (error: {caught}); Retrying...")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_library_connection_failure_is_one_line_with_its_type_and_message_and_no_traceback(
    capture, library_logger: logging.Logger, log_format: str
) -> None:
    buffer = capture(log_format=log_format)
    _log_failure(library_logger, "Failed to connect", ConnectionRefusedError(111, "Connect call failed"))
    _log_failure(library_logger, "Failed to connect", TimeoutError())
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2 and "Traceback" not in buffer.getvalue()
    messages = [json.loads(line)["message"] for line in lines] if log_format == "json" else lines
    assert messages[0].endswith(
        "Failed to connect (error: [Errno 111] Connect call failed); Retrying... [ConnectionRefusedError]"
    )
    assert messages[1].endswith("Failed to connect (error: ); Retrying... [TimeoutError]")


def test_a_library_error_of_another_kind_or_message_keeps_its_traceback(
    capture, library_logger: logging.Logger
) -> None:
    buffer = capture()
    _log_failure(library_logger, "Failed to connect", TypeError("a bug in the library"))
    _log_failure(library_logger, "Failed to run a listener", ConnectionResetError("reset by peer"))
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2
    assert all(" | exc=Traceback (most recent call last):" in line for line in lines)
    assert "TypeError: a bug in the library" in lines[0] and "ConnectionResetError: reset by peer" in lines[1]


def test_a_library_connection_failure_keeps_its_traceback_at_debug_level(
    capture, library_logger: logging.Logger
) -> None:
    buffer = capture(log_level="debug")
    _log_failure(library_logger, "Failed to connect", ConnectionRefusedError(111, "Connect call failed"))
    assert " | exc=Traceback (most recent call last):" in buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Sending a request - url: https://hooks.slack.com/commands/T0001/7000000000001/Zq9sEcReT, body: {}",
         "https://hooks.slack.com/commands"),
        ('{"response_url":"https:\\/\\/hooks.slack.com\\/actions\\/T0ABC\\/1234567\\/Zq9sEcReT"}', "hooks.slack.com"),
        ("posting to https://hooks.slack.com/services/T0001/B0002/Zq9sEcReT", "https://hooks.slack.com/services"),
        ("Sending a request - url: https://hooks.slack.com/actions/E0GRID/55555/Zq9sEcReT", "/actions"),
        ("POST https://discord.com/api/v10/interactions/1500000000000000001/Zq9sEcReT.x-y_z/callback has returned 204",
         "/callback has returned 204"),
        ("PATCH https://discord.com/api/v10/webhooks/1400000000000000000/Zq9sEcReT/messages/@original",
         "/messages/@original"),
        ("WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'id': '15', 'token': 'Zq9sEcReT', 'version': 1}}", "'version'"),
        ('on_message invoked: (message: {"envelope_id":"e1","payload":{"token":"Zq9sEcReT","team_id":"T1"}})', "team_id"),
    ],
    ids=["slack-command", "slack-action-in-json", "slack-webhook", "slack-org-wide-action", "discord-interaction", "discord-webhook",
         "gateway-event", "socket-mode-message"],
)
def test_urls_that_let_anyone_post_as_the_bot_are_redacted(text: str, kept: str) -> None:
    redacted = redact(text)
    assert "Zq9sEcReT" not in redacted and REDACTED in redacted
    assert kept in redacted


def test_paths_that_only_look_like_those_urls_are_kept() -> None:
    text = "see https://example.com/services/abc/def, /commands/help and the webhooks/abc/def page"
    assert redact(text) == text
