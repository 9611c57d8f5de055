"""Logs: one line per event, JSON on request, and no secret in any line (messages, extras, tracebacks)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.config import Settings
from bot.logging_setup import REDACTED, SecretRedactor, configure_logging, redact

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
