"""The Slack adapter end to end, over real HTTP and websockets against the fake Slack on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from adapters.slack_adapter import (
    ALREADY_BESIDE,
    BESIDE_UNSURE,
    GONE,
    RECONNECT_WAIT,
    RECONNECT_WAIT_MAX,
    REINSTALL,
    SHARE_UNSURE,
    SORRY,
    EventClaims,
    SlackBot,
    next_reconnect_wait,
)
from adapters.slack_blocks import decode_value, encode_value, escape_mrkdwn, to_blocks
from bot.config import Settings
from bot.db import Database
from bot.engine import Engine
from bot.errors import ConfigError
from bot.feedback import FeedbackStore
from bot.models import Answer
from bot.question_log import QuestionLog
from bot.rate_limit import RateLimiter
from bot.service import AskService
from bot.terminal import TOO_LONG
from tests.fakes.slack_api import BOT_USER_ID, RESPONSE_HOOK_ID, TEAM_ID, FakeSlackApi
from tests.test_digest_schedule import LOCK_HELD, hold_write_lock, longest_stall
from tests.test_logging_setup import capture  # noqa: F401 - a fixture

SECRET = "test-signing-secret"
USER = "U111"
CHANNEL = "C111"
QUESTION = "How much of Scale AI does Meta own?"
PODCAST_QUESTION = "What open-source precedents did Zuckerberg point to on the podcast?"


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = await FakeSlackApi().start()
    yield api
    await api.close()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "bot.sqlite3")
    yield database
    database.close()


def slack_settings(fake: FakeSlackApi, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test",
        "slack_mode": "http",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.base_url,
        "bot_data_dir": tmp_path,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
async def bot(fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path) -> AsyncIterator[SlackBot]:
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    await slack.start()
    yield slack
    await slack.close()


@pytest.fixture
async def http(bot: SlackBot) -> AsyncIterator[TestClient]:
    """The bot's HTTP routes on a server on port 0, beside a trivial /healthz, as the runtime mounts them."""
    app = web.Application()
    app.add_routes(bot.http_routes())

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    client = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await client.start_server()
    yield client
    await client.close()


@asynccontextmanager
async def serving(slack: SlackBot) -> AsyncIterator[TestClient]:
    """A bot built by the test itself, its HTTP routes served on port 0."""
    app = web.Application()
    app.add_routes(slack.http_routes())
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        yield client


def recording_sleep(naps: list[float]) -> Callable[[float], Awaitable[None]]:
    """A sleep that notes how long it was asked to wait and returns at once."""

    async def sleep(seconds: float) -> None:
        naps.append(seconds)

    return sleep


async def logged(caplog: pytest.LogCaptureFixture, text: str, *, timeout: float = 5.0) -> None:
    """Wait until a log record contains `text` (the bot logs after its last attempt)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(text in r.getMessage() for r in caplog.records):
        if loop.time() > deadline:
            raise AssertionError(f"nothing logged with {text!r}")
        await asyncio.sleep(0.01)


def signed_headers(body: str, *, content_type: str, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = str(at if at is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


def event_body(event: dict[str, Any], *, event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000000,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def mention(text: str, *, ts: str = "1699999999.000100", **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": USER, "text": text, "ts": ts, "channel": CHANNEL, "event_ts": ts, **extra}


def dm(text: str, *, ts: str = "1699999999.000200", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": USER,
        "text": text,
        "ts": ts,
        "channel": "D111",
        "event_ts": ts,
        **extra,
    }


async def post_event(http: TestClient, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> int:
    raw = json.dumps(body)
    response = await http.post(
        "/slack/events", data=raw, headers={**signed_headers(raw, content_type="application/json"), **(headers or {})}
    )
    return response.status


async def post_form(http: TestClient, form: dict[str, str]) -> tuple[int, str]:
    raw = urlencode(form)
    response = await http.post(
        "/slack/events", data=raw, headers=signed_headers(raw, content_type="application/x-www-form-urlencoded")
    )
    return response.status, await response.text()


async def slash(http: TestClient, fake: FakeSlackApi, text: str, *, command: str = "/ask") -> tuple[int, str]:
    return await post_form(
        http,
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "user_id": USER,
            "command": command,
            "text": text,
            "response_url": fake.response_url("cmd"),
            "trigger_id": "1.2.3",
            "api_app_id": "A0001",
        },
    )


async def click(
    http: TestClient,
    fake: FakeSlackApi,
    button: dict[str, Any],
    *,
    ephemeral: bool,
    channel: str = CHANNEL,
    message: dict[str, Any] | None = None,
    user: str = USER,
    thread_ts: str | None = None,
) -> int:
    """Send the block_actions payload Slack sends when a user clicks `button` (on a message in
    the thread of `thread_ts`, which Slack names in the container)."""
    message_ts = (message or {}).get("ts", "1700000000.000001")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "ann", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral},
        "trigger_id": "1.2.3",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "response_url": fake.response_url("act"),
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button["value"],
                "action_ts": "1700000001.000000",
            }
        ],
    }
    if thread_ts:
        payload["container"]["thread_ts"] = thread_ts
    if not ephemeral:
        payload["message"] = message or {"type": "message", "ts": message_ts, "text": "answer"}
    status, _ = await post_form(http, {"payload": json.dumps(payload)})
    return status


def find_button(blocks: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button" and element["action_id"].startswith(prefix):
                return element
    raise AssertionError(f"no button {prefix!r} in {blocks}")


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every text the blocks show, joined (JSON would escape the quotes an answer may hold)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def assert_quoted(text: str, answer: Answer) -> None:
    """`text`, a message sent without blocks, holds the answer and each of its quotes as a Slack
    block quote, word for word (escaped), followed by its source's title and, for a podcast, the time."""
    assert answer.answered and answer.quotes
    assert escape_mrkdwn(answer.text or "") in text
    for quote in answer.quotes:
        lines = "\n".join(f"> {escape_mrkdwn(line)}" for line in quote.text.strip().splitlines())
        assert f"{lines}\n— {escape_mrkdwn(quote.source.title)}" in text
        if quote.timestamp:
            assert quote.timestamp in text.split(lines, 1)[1].split("\n")[1]


def acted(fake: FakeSlackApi) -> list[Any]:
    """Every call the fake received but auth.test, which `start()` makes to check the bot token."""
    return [c for c in fake.calls if c.method != "auth.test"]


def without_values(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: without_values(v) for k, v in data.items() if k != "value"}
    if isinstance(data, list):
        return [without_values(v) for v in data]
    return data


# -- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"slack_mode": "socket", "slack_app_token": None}, "SLACK_APP_TOKEN is missing"),
        ({"slack_mode": "socket", "slack_app_token": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN must be"),
        ({"slack_mode": "http", "slack_signing_secret": None}, "SLACK_SIGNING_SECRET is missing"),
        ({"slack_bot_token": "xapp-not-a-bot-token"}, "SLACK_BOT_TOKEN must be"),
        ({"slack_api_url": "slack.example/api"}, "SLACK_API_URL must start"),
        ({"slack_api_url": "http://[::1/api"}, "SLACK_API_URL 'http://[::1/api' is not a URL"),
        ({"slack_api_url": "https://"}, "SLACK_API_URL 'https://' names no host"),
        ({"slack_api_url": "https://slack.example:99999/api"}, "SLACK_API_URL 'https://slack.example:99999/api' is not"),
        ({"slack_api_url": "https:// slack.example/api"}, "SLACK_API_URL 'https:// slack.example/api' has a space"),
        ({"slack_bot_token": "xoxb-12 34"}, "SLACK_BOT_TOKEN has a space or a line break inside it"),
        ({"slack_signing_secret": "abc\ndef"}, "SLACK_SIGNING_SECRET has a space or a line break inside it"),
    ],
)
def test_half_given_settings_stop_with_one_line_naming_the_setting(
    overrides: dict[str, Any], named: str, tmp_path: Path, db: Database, engine: Engine
) -> None:
    base = {"slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET, "slack_mode": "http", "bot_data_dir": tmp_path}
    settings = Settings(**{**base, **overrides})
    with pytest.raises(ConfigError) as caught:
        SlackBot(settings, AskService(engine), db=db)
    message = str(caught.value)
    assert message.startswith(named) and "\n" not in message


@pytest.mark.parametrize("mode", ["http", "socket"])
@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_a_bot_token_slack_rejects_stops_start_with_one_sentence(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, mode: str, code: str
) -> None:
    # A well-formed but wrong token started a bot that then refused every event in silence.
    fake.fail("auth.test", code)
    settings = slack_settings(fake, tmp_path, slack_mode=mode, slack_app_token="xapp-test")
    slack = SlackBot(settings, AskService(engine), db=db)
    try:
        with pytest.raises(ConfigError) as caught:
            await slack.start()
        assert not slack.connected
    finally:
        await slack.close()
    message = str(caught.value)
    assert message.startswith(f"SLACK_BOT_TOKEN was rejected by Slack ({code}): ") and "\n" not in message
    assert fake.calls_to("apps.connections.open") == [] and fake.socket_connections == 0
    assert slack.locked_out is None, "the start says so in its one sentence, which stops the bot"


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive", "channel_not_found"])
async def test_a_reply_slack_refuses_for_the_bot_token_locks_slack_out_and_says_so_once(
    http: TestClient, bot: SlackBot, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, code: str
) -> None:
    # A token revoked while the bot runs refuses every post: /readyz reads `locked_out` to say so.
    assert bot.locked_out is None
    fake.fail("chat.postMessage", code, times=2)
    for n in (1, 2):
        event = mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=f"1700000000.00000{n}")
        assert await post_event(http, event_body(event, event_id=f"Ev{n}")) == 200
    failed = f"Slack chat.postMessage failed for {CHANNEL}: {code}"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while len([r for r in caplog.records if r.getMessage() == failed]) < 2:
        assert loop.time() < deadline, "the replies were not tried"
        await asyncio.sleep(0.01)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Slack refused SLACK_BOT_TOKEN")]
    if code == "channel_not_found":
        assert bot.locked_out is None and said == [], "only the token's refusal locks the bot out"
        return
    assert bot.locked_out == (
        f"Slack refused the bot token ({code}) on chat.postMessage; "
        "reinstall the app and set its new Bot User OAuth Token in SLACK_BOT_TOKEN"
    )
    assert said == [
        f"Slack refused SLACK_BOT_TOKEN ({code}) on chat.postMessage: the bot cannot answer or post in Slack any "
        "more; install the app again (Install App), put the new Bot User OAuth Token in SLACK_BOT_TOKEN and "
        "restart the bot"
    ]


async def test_answers_reuse_one_kept_alive_connection_to_slack(
    http: TestClient, bot: SlackBot, fake: FakeSlackApi
) -> None:
    # slack_sdk without a session opens (and, against Slack, TLS-handshakes) a new connection for
    # every call: under load that was one connection, and one socket in TIME_WAIT, per reply.
    for n in range(1, 4):
        event = mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=f"1700000000.00000{n}")
        assert await post_event(http, event_body(event, event_id=f"Ev{n}")) == 200
        await fake.wait_for("chat.postMessage", count=n)
    assert await slash(http, fake, QUESTION) == (200, "")
    await fake.wait_for("response:cmd")
    assert len(fake.calls_to("chat.postMessage")) == 3 and len(fake.calls_to("response:cmd")) == 1
    assert len({call.peer for call in fake.calls}) == 1


async def test_close_can_leave_the_connections_for_the_replies_in_flight(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    await slack.start()
    session = slack.client.session
    await slack.close(connections=False)
    assert session is not None and not session.closed
    await slack.close_connections()
    assert session.closed
    await slack.close()  # closing again is harmless


async def test_start_goes_on_when_slack_cannot_check_the_bot_token(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    fake.http_error("auth.test", 503)
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    await slack.start()
    try:
        assert slack.connected
        async with serving(slack) as client:
            assert await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")) == 200
            [post] = await fake.wait_for("chat.postMessage")
        assert "scale-ai-stake" in json.dumps(post.body["blocks"])
    finally:
        await slack.close()


@asynccontextmanager
async def _serving_while_auth_test_fails(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, failure: str
) -> AsyncIterator[TestClient]:
    """A bot started while Slack fails auth.test (with `failure`) until `fake.recover("auth.test")`."""
    if failure == "http_500":
        fake.http_error("auth.test", 500, times=100)
    elif failure == "hang_up":
        fake.hang_up("auth.test", times=100)
    else:
        fake.fail("auth.test", failure, times=100)
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep([]))
    await slack.start()
    try:
        async with serving(slack) as http:
            yield http
    finally:
        await slack.close()


@pytest.mark.parametrize("failure", ["internal_error", "http_500", "hang_up"])
async def test_slack_failing_the_first_requests_token_check_is_no_reason_to_tell_the_asker_to_reinstall(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, failure: str
) -> None:
    # bolt checks the token with auth.test on the first request when the start could not; when
    # Slack failed that call too, the asker read "your installation with this app is no longer
    # available. Please reinstall this app", though the token was fine.
    async with _serving_while_auth_test_fails(fake, db, engine, tmp_path, failure) as http:
        assert await slash(http, fake, QUESTION) == (200, SORRY)
        fake.recover("auth.test")
        assert await slash(http, fake, QUESTION) == (200, "")
        [reply] = await fake.wait_for("response:cmd")
    assert "scale-ai-stake" in json.dumps(reply.body["blocks"])


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_bolts_own_token_check_refused_for_the_token_locks_slack_out_and_the_event_is_still_sent_again(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, code: str
) -> None:
    # The start could not check the token (Slack failed auth.test), so bolt asked auth.test itself on
    # the first request; Slack refusing the token there left /readyz saying ready.
    fake.fail("auth.test", "internal_error")
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    await slack.start()
    try:
        assert slack.locked_out is None
        fake.fail("auth.test", code)
        async with serving(slack) as http:
            body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvRefused")
            assert await post_event(http, body) == 503, "not acknowledged, as before: Slack sends it again"
    finally:
        await slack.close()
    [_, bolts] = fake.calls_to("auth.test", ok_only=False)
    assert bolts.headers["Authorization"] == "Bearer xoxb-test" and not bolts.ok
    assert slack.locked_out == f"Slack refused the bot token ({code}) on auth.test; {REINSTALL}"
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Slack refused SLACK_BOT_TOKEN")]
    assert said == [
        f"Slack refused SLACK_BOT_TOKEN ({code}) on auth.test: the bot cannot answer or post in Slack any more; "
        "install the app again (Install App), put the new Bot User OAuth Token in SLACK_BOT_TOKEN and restart the bot"
    ]
    assert fake.calls_to("chat.postMessage", ok_only=False) == []


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive", "channel_not_found"])
async def test_a_post_whose_errors_reach_the_caller_locks_slack_out_when_slack_refuses_the_token(
    bot: SlackBot, fake: FakeSlackApi, code: str
) -> None:
    # post_blocks(raise_errors=True) hands Slack's error to its caller, and the bot did not note a
    # refused token there: /readyz said ready.
    fake.fail("chat.postMessage", code)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
    with pytest.raises(SlackApiError) as raised:
        await bot.post_blocks(CHANNEL, blocks=blocks, text="hello", raise_errors=True)
    assert raised.value.response["error"] == code, "the caller gets Slack's error as before"
    [refused] = fake.calls_to("chat.postMessage", ok_only=False)
    assert refused.body["channel"] == CHANNEL and not refused.ok
    if code == "channel_not_found":
        assert bot.locked_out is None, "only the token's refusal locks the bot out"
        return
    assert bot.locked_out == f"Slack refused the bot token ({code}) on chat.postMessage; {REINSTALL}"


async def test_the_token_checked_at_start_is_not_asked_about_again_by_the_first_request(
    http: TestClient, fake: FakeSlackApi
) -> None:
    # bolt asked auth.test again on the first request; Slack failing that one call lost the event.
    fake.http_error("auth.test", 500)
    assert await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvFirst")) == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert "scale-ai-stake" in json.dumps(post.body["blocks"])
    assert len(fake.calls_to("auth.test", ok_only=False)) == 1, "only the start's check"


@pytest.mark.parametrize("failure", ["internal_error", "http_500", "hang_up"])
async def test_an_event_that_came_while_slack_could_not_say_who_the_bot_is_is_sent_again_not_lost(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, failure: str
) -> None:
    # Neither the start nor the first request could ask auth.test: the event was answered 200 with
    # bolt's apology as its body, so Slack took it as handled and the mention went unanswered.
    async with _serving_while_auth_test_fails(fake, db, engine, tmp_path, failure) as http:
        body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvLate")
        assert await post_event(http, body) == 503
        assert fake.calls_to("chat.postMessage") == []
        fake.recover("auth.test")
        # Slack sends it again, marked as a retry: answered once.
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        assert await post_event(http, body, headers=retry) == 200
        [post] = await fake.wait_for("chat.postMessage")
    assert "scale-ai-stake" in json.dumps(post.body["blocks"])


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_bot_token_in_the_environment_too_brings_no_library_warning_and_the_configured_one_is_used(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, mode: str,
) -> None:
    # In a container the token comes from the environment, where bolt reads it too; bolt warned at
    # every start that it would not use it ("As you gave `client` as well, `token` will be unused.").
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = slack_settings(fake, tmp_path, slack_bot_token="xoxb-test", slack_mode=mode, slack_app_token="xapp-test")
    slack = SlackBot(settings, AskService(engine), db=db)
    await slack.start()
    try:
        assert slack.connected
    finally:
        await slack.close()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
    [checked] = fake.calls_to("auth.test")
    assert checked.headers["Authorization"] == "Bearer xoxb-test"


async def test_tokens_and_a_secret_with_white_space_around_them_work(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # What a secret file or a pasted .env line gives: a line break aiohttp refuses in a header,
    # and a signing secret no signature matches.
    settings = slack_settings(fake, tmp_path, slack_bot_token=" xoxb-test\n", slack_signing_secret=SECRET + "\r\n")
    slack = SlackBot(settings, AskService(engine), db=db)
    await slack.start()
    try:
        async with serving(slack) as client:
            assert await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")) == 200
            [post] = await fake.wait_for("chat.postMessage")
        assert post.headers["Authorization"] == "Bearer xoxb-test"
    finally:
        await slack.close()

    socket_settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test\n")
    socket = SlackBot(socket_settings, AskService(engine), db=db)
    await socket.start()
    try:
        [opened] = fake.calls_to("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-test" and socket.connected
    finally:
        await socket.close()


async def test_a_wrong_signing_secret_is_named_in_the_log_once_a_minute(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, clock=lambda: now[0])
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    forged = signed_headers(raw, content_type="application/json", secret="the-old-secret")
    with caplog.at_level(logging.WARNING, logger="adapters.slack_adapter"):
        async with serving(slack) as client:
            for _ in range(3):
                assert (await client.post("/slack/events", data=raw, headers=forged)).status == 401
            # Not signed at all: not from Slack, so nothing to say about the secret.
            unsigned = await client.post("/slack/events", data=raw, headers={"Content-Type": "application/json"})
            assert unsigned.status == 401
            now[0] += 61
            assert (await client.post("/slack/events", data=raw, headers=forged)).status == 401
    warnings = [r.getMessage() for r in caplog.records if "SLACK_SIGNING_SECRET" in r.getMessage()]
    assert len(warnings) == 2 and warnings[0].startswith("Slack request refused: its signature does not match")
    assert acted(fake) == []


@pytest.mark.parametrize(("skew", "way"), [(-900, "ahead of"), (3600, "behind")])
async def test_requests_refused_for_a_wrong_clock_name_the_clock_not_the_secret(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, skew: int, way: str
) -> None:
    # Signed with the right secret, but this machine's clock is 15 minutes fast (or an hour
    # slow): every request is refused, and the log told the operator to copy the secret again.
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    headers = signed_headers(raw, content_type="application/json", at=int(time.time()) + skew)
    with caplog.at_level(logging.WARNING, logger="adapters.slack_adapter"):
        async with serving(slack) as client:
            assert (await client.post("/slack/events", data=raw, headers=headers)).status == 401
    [warning] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Slack request refused")]
    assert f"this machine's clock is {abs(skew) // 60} minutes {way} Slack's" in warning
    assert "SLACK_SIGNING_SECRET" not in warning
    assert acted(fake) == []


def test_socket_mode_message_points_at_http_mode(tmp_path: Path, db: Database, engine: Engine) -> None:
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN is missing: Socket Mode needs .*SLACK_MODE=http"):
        SlackBot(Settings(slack_bot_token="xoxb-test", bot_data_dir=tmp_path), AskService(engine), db=db)


def test_the_manifest_asks_for_what_the_adapter_listens_to() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yaml").read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im", "app_home_opened"}
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= scopes


# -- HTTP mode: events -----------------------------------------------------------------------


async def test_healthz_beside_the_slack_routes(http: TestClient, bot: SlackBot) -> None:
    assert (await http.get("/healthz")).status == 200
    assert bot.connected


async def test_signed_mention_gets_exactly_one_answer_in_its_thread(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    status = await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    assert status == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == "1699999999.000100"
    assert "link_names" not in post.body and "parse" not in post.body
    expected = engine.answer(QUESTION)
    blocks = post.body["blocks"]
    assert blocks[0]["text"]["text"] == expected.text
    assert blocks[1]["elements"][0]["elements"][0]["text"] == expected.quotes[0].text
    assert f"`{expected.fact_id}`" in json.dumps(blocks)
    assert find_button(blocks, "vote:up") and find_button(blocks, "related:")
    assert post.headers["Authorization"] == "Bearer xoxb-test"


async def test_slacks_url_verification_and_ssl_check_are_answered(http: TestClient, fake: FakeSlackApi) -> None:
    raw = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                      "type": "url_verification"})
    response = await http.post("/slack/events", data=raw, headers=signed_headers(raw, content_type="application/json"))
    assert response.status == 200
    assert (await response.json()) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    status, _ = await post_form(http, {"token": "legacy", "ssl_check": "1"})
    assert status == 200
    assert acted(fake) == []


async def test_forged_or_stale_signature_gets_401_and_nothing_is_posted(http: TestClient, fake: FakeSlackApi) -> None:
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    forged = signed_headers(raw, content_type="application/json", secret="not-the-secret")
    stale = signed_headers(raw, content_type="application/json", at=int(time.time()) - 600)
    unsigned = {"Content-Type": "application/json"}
    for headers in (forged, stale, unsigned):
        response = await http.post("/slack/events", data=raw, headers=headers)
        assert response.status == 401
    assert acted(fake) == []


async def test_a_request_that_does_not_send_its_body_in_time_gets_408_and_is_never_answered(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # Headers, then part of the body, then nothing: the handler waited for the rest for ever,
    # one connection and one task per such request, before any signature was checked.
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, body_wait=0.2)
    await slack.start()
    try:
        async with serving(slack) as client:
            raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
            headers = {**signed_headers(raw, content_type="application/json"), "Content-Length": str(len(raw))}
            head = "POST /slack/events HTTP/1.1\r\nHost: bot\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            reader, writer = await asyncio.open_connection(client.host, client.port)
            started = time.monotonic()
            writer.write(f"{head}\r\n{raw[:40]}".encode())
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), timeout=5)
            assert status_line.startswith(b"HTTP/1.1 408 ")
            assert time.monotonic() - started < 4  # the body never comes: without the bound, never
            writer.close()
            # A request that sends its body at once is still answered.
            assert await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev2")) == 200
            [post] = await fake.wait_for("chat.postMessage")
    finally:
        await slack.close()
    assert post.body["channel"] == CHANNEL and len(fake.calls_to("chat.postMessage")) == 1


async def test_an_event_is_acknowledged_at_once_while_every_worker_thread_is_busy(
    http: TestClient, fake: FakeSlackApi
) -> None:
    # Answers, votes and the question log's writes run in the loop's default executor, a few
    # threads; slow ones (a database another process holds) filled them, and the event's claim,
    # which its acknowledgement waits for, queued behind them past Slack's 3 s: Slack sent it again.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=2, thread_name_prefix="busy-worker"))
    free = threading.Event()
    busy = [loop.run_in_executor(None, free.wait, 10) for _ in range(4)]
    loop.call_later(4.0, free.set)
    try:
        started = loop.time()
        status = await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        took = loop.time() - started
    finally:
        free.set()
        await asyncio.gather(*busy)
    assert status == 200
    assert took < 1.0, f"acknowledged after {took:.1f} s"
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1699999999.000100"


async def test_close_ends_the_threads_claims_are_written_in(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    before = set(threading.enumerate())
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    await slack.start()
    try:
        async with serving(slack) as client:
            assert await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")) == 200
            await fake.wait_for("chat.postMessage")
        claim_threads = [t for t in set(threading.enumerate()) - before if t.name.startswith("slack-claims")]
        assert claim_threads, "the event was claimed in a thread of its own"
    finally:
        await slack.close()
    for thread in claim_threads:
        await asyncio.to_thread(thread.join, 5)
    assert not any(thread.is_alive() for thread in claim_threads), "a claim thread outlived the stop"


async def test_a_retried_event_is_answered_once(http: TestClient, fake: FakeSlackApi) -> None:
    body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")
    assert await post_event(http, body) == 200
    await fake.wait_for("chat.postMessage")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await post_event(http, body, headers=retry) == 200
    # A later, different event is answered; by then a second answer to the retry would have landed too.
    later = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="1699999999.000900"), event_id="Ev2")
    assert await post_event(http, later) == 200
    await fake.wait_until(lambda: any(c.body.get("thread_ts") == "1699999999.000900" for c in fake.calls))
    assert [c.body["thread_ts"] for c in fake.calls_to("chat.postMessage")] == ["1699999999.000100", "1699999999.000900"]


async def test_dm_is_answered_in_the_dm_and_bots_are_ignored(http: TestClient, fake: FakeSlackApi) -> None:
    ignored = [
        mention(f"<@{BOT_USER_ID}> {QUESTION}", bot_id="BOTHER", ts="1.1"),
        dm(QUESTION, bot_id="BOTHER", ts="1.2"),
        dm(QUESTION, subtype="bot_message", ts="1.3"),
        dm(QUESTION, subtype="message_changed", ts="1.4"),
        {**dm(QUESTION, ts="1.5"), "channel_type": "channel", "channel": "C222"},
    ]
    for number, event in enumerate(ignored):
        assert await post_event(http, event_body(event, event_id=f"EvBot{number}")) == 200
    assert await post_event(http, event_body(dm(QUESTION), event_id="EvDm")) == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == "D111"
    assert "thread_ts" not in post.body
    assert len(fake.calls_to("chat.postMessage")) == 1


def dm_edit(text: str, *, before: str, ts: str = "1699999999.000200", edited_at: str = "1700000100.000000",
            **extra: Any) -> dict[str, Any]:  # fmt: skip
    """The event Slack sends when someone changes the words of a direct message they wrote."""
    return {
        "type": "message", "subtype": "message_changed", "hidden": True, "channel": "D111", "channel_type": "im",
        "ts": edited_at, "event_ts": edited_at,
        "message": {"type": "message", "user": USER, "text": text, "ts": ts, "edited": {"user": USER, "ts": edited_at},
                    **extra},
        "previous_message": {"type": "message", "user": USER, "text": before, "ts": ts},
    }  # fmt: skip


async def _told_to_be_shorter(http: TestClient, fake: FakeSlackApi, long_question: str, **extra: Any) -> None:
    """DM the bot a question over the length limit and see it told to be shorter."""
    await post_event(http, event_body(dm(long_question, **extra), event_id="EvLong"))
    [too_long] = await fake.wait_for("chat.postMessage")
    assert too_long.body["text"] == TOO_LONG


async def test_a_dm_told_to_be_shorter_is_answered_once_edited_and_an_answered_one_is_not_asked_again(
    http: TestClient, fake: FakeSlackApi
) -> None:
    long_question = "why " * 200
    await _told_to_be_shorter(http, fake, long_question)
    await post_event(http, event_body(dm_edit(QUESTION, before=long_question), event_id="EvEdit1"))
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 2, what="the answer to the edit")
    answered = fake.calls_to("chat.postMessage")[1]
    assert answered.body["channel"] == "D111" and "49%" in json.dumps(answered.body["blocks"])
    # Edited again (its words, or a link preview added without changing them): answered already.
    await post_event(http, event_body(dm_edit(QUESTION + "?", before=QUESTION, edited_at="1700000200.0"), event_id="EvEdit2"))
    await post_event(http, event_body(dm_edit(QUESTION, before=QUESTION, edited_at="1700000300.0"), event_id="EvEdit3"))
    await post_event(http, event_body(dm(QUESTION, ts="1699999999.000900"), event_id="EvNext"))
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 3, what="the next DM's answer")
    assert fake.calls_to("chat.postMessage")[2].body["channel"] == "D111"
    await asyncio.sleep(0.2)  # anything the edits would have posted has landed by now
    assert len(fake.calls_to("chat.postMessage")) == 3


async def _only_the_next_dm_is_answered(http: TestClient, fake: FakeSlackApi, *, after: str) -> None:
    """After the too-long DM's note, a new DM is answered and nothing `after` sent posted anything."""
    await post_event(http, event_body(dm(QUESTION, ts="1699999999.000900"), event_id="EvNext"))
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 2, what="the next DM's answer")
    await asyncio.sleep(0.2)  # anything the `after` would have posted has landed by now
    posted = fake.calls_to("chat.postMessage")
    assert len(posted) == 2 and "49%" in json.dumps(posted[1].body["blocks"]), f"the {after} posted something"


async def test_a_dm_told_to_be_shorter_is_not_told_again_when_slack_adds_a_link_preview(
    http: TestClient, fake: FakeSlackApi
) -> None:
    # Slack sends a preview added to a message as the message changed, its words as they were:
    # nobody edited it, so it is not asked again (nor told twice to be shorter).
    long_question = "why " * 200 + "<https://ai.meta.com/blog/>"
    await _told_to_be_shorter(http, fake, long_question)
    preview = dm_edit(long_question, before=long_question, attachments=[{"from_url": "https://ai.meta.com/blog/"}])
    del preview["message"]["edited"]
    await post_event(http, event_body(preview, event_id="EvPreview"))
    await _only_the_next_dm_is_answered(http, fake, after="preview")


async def test_a_dm_told_to_be_shorter_then_deleted_leaves_a_tombstone_that_is_not_asked(
    http: TestClient, fake: FakeSlackApi
) -> None:
    # Deleting a message with replies leaves a tombstone in its place, which Slack sends as the
    # message changed: its words are Slack's, not a question.
    long_question = "why " * 200
    await _told_to_be_shorter(http, fake, long_question)
    tombstone = dm_edit("This message was deleted.", before=long_question, subtype="tombstone", user="USLACKBOT",
                        hidden=True, thread_ts="1699999999.000200", reply_count=1)  # fmt: skip
    del tombstone["message"]["edited"]
    await post_event(http, event_body(tombstone, event_id="EvTombstone"))
    await _only_the_next_dm_is_answered(http, fake, after="tombstone")


@pytest.mark.parametrize(("thread_ts", "answered_in"), [("1699999999.000200", None), ("1699999999.000100", "1699999999.000100")])
async def test_an_edited_dm_is_answered_where_it_was_written(
    http: TestClient, fake: FakeSlackApi, thread_ts: str, answered_in: str | None
) -> None:
    # A top-level DM with replies carries its own ts as thread_ts: its answer goes in the DM,
    # not into its thread; a reply in a thread is answered in that thread.
    long_question = "why " * 200
    await _told_to_be_shorter(http, fake, long_question, thread_ts=thread_ts)
    await post_event(http, event_body(dm_edit(QUESTION, before=long_question, thread_ts=thread_ts), event_id="EvEdit"))
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 2, what="the answer to the edit")
    assert fake.calls_to("chat.postMessage")[1].body.get("thread_ts") == answered_in


async def test_a_too_long_question_gets_a_friendly_reply(http: TestClient, fake: FakeSlackApi) -> None:
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> " + "why " * 200), event_id="Ev1"))
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["text"] == TOO_LONG and "blocks" not in post.body


async def test_injected_channel_ping_in_a_mention_never_reaches_slack(http: TestClient, fake: FakeSlackApi) -> None:
    text = f"<@{BOT_USER_ID}> <!channel> &lt;!here&gt; <@U0BOSS> what is the weather in Paris?"
    await post_event(http, event_body(mention(text), event_id="Ev1"))
    [post] = await fake.wait_for("chat.postMessage")
    # Everything Slack renders: the blocks without the button values (data, never shown), and the text.
    shown = json.dumps([post.body["text"], without_values(post.body["blocks"])])
    assert "weather" in json.dumps(post.body)
    for ping in ("<!channel>", "<!here>", "<@U0BOSS>"):
        assert ping not in shown


async def test_app_home_opened_publishes_the_home_tab(http: TestClient, fake: FakeSlackApi, engine: Engine) -> None:
    event = {"type": "app_home_opened", "user": USER, "channel": "D111", "tab": "home", "event_ts": "1.1"}
    assert await post_event(http, event_body(event, event_id="EvHome")) == 200
    [publish] = await fake.wait_for("views.publish")
    assert publish.body["user_id"] == USER
    assert publish.body["view"]["type"] == "home"
    assert engine.topics()[0].example in json.dumps(publish.body["view"], ensure_ascii=False)


async def test_the_help_and_the_home_tab_name_the_slash_command_the_app_defines(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # A workspace that already has an /ask renames ours; the help in a mention and the Home tab
    # still told people to type /ask, which reached the other app.
    slack = SlackBot(slack_settings(fake, tmp_path, slack_command="factbot"), AskService(engine), db=db)
    await slack.start()
    try:
        async with serving(slack) as http:
            await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> help"), event_id="EvHelp"))
            [post] = await fake.wait_for("chat.postMessage")
            home = {"type": "app_home_opened", "user": USER, "channel": "D111", "tab": "home", "event_ts": "1.1"}
            await post_event(http, event_body(home, event_id="EvHome"))
            [publish] = await fake.wait_for("views.publish")
    finally:
        await slack.close()
    for sent in (json.dumps(post.body), json.dumps(publish.body["view"])):
        assert "`/factbot`" in sent or "`/factbot " in sent
        assert "/ask" not in sent


@pytest.mark.parametrize("refusal", ["invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"])
async def test_an_answer_whose_blocks_slack_refuses_is_posted_as_text_with_its_quote_and_source(
    http: TestClient, fake: FakeSlackApi, engine: Engine, refusal: str
) -> None:
    # The asker got nothing: the refusal was logged and the answer dropped. Then the text alone
    # was posted, the answer without the quote or the source every answer must carry.
    fake.refuse_blocks("chat.postMessage", refusal)
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvBlocks"))
    [post] = await fake.wait_for("chat.postMessage")
    assert "blocks" not in post.body and post.body["thread_ts"] == "1699999999.000100"
    assert_quoted(post.body["text"], engine.answer(QUESTION))
    assert "`scale-ai-stake`" in post.body["text"]
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    assert [bool(c.body.get("blocks")) for c in attempts] == [True, False]
    assert len(fake.history[CHANNEL]) == 1


async def test_a_podcast_answer_whose_blocks_slack_refuses_names_the_moment_of_its_quote(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    fake.refuse_blocks("chat.postMessage", "msg_blocks_too_long")
    await post_event(http, event_body(dm(PODCAST_QUESTION), event_id="EvPodcast"))
    [post] = await fake.wait_for("chat.postMessage")
    answer = engine.answer(PODCAST_QUESTION)
    assert answer.quotes[0].timestamp
    assert "blocks" not in post.body
    assert_quoted(post.body["text"], answer)
    assert len(fake.history["D111"]) == 1


async def test_a_429_is_retried_after_retry_after_and_posts_once(http: TestClient, fake: FakeSlackApi) -> None:
    fake.rate_limit_once("chat.postMessage", retry_after=0)
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    await fake.wait_for("chat.postMessage")
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].body == attempts[1].body


@pytest.mark.parametrize(("retry_after", "naps"), [("1.5", [1.5]), ("soon", [1.0]), (None, [1.0])])
async def test_a_429_with_a_retry_after_slack_would_not_send_is_waited_out_and_posts_once(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    retry_after: str | None, naps: list[float],
) -> None:
    # slack_sdk reads Retry-After with int(): "1.5" raised ValueError and the answer was lost.
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.http_error("chat.postMessage", 429, retry_after=retry_after)
    async with serving(slack) as client:
        await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        await fake.wait_for("chat.postMessage")
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200] and attempts[0].body == attempts[1].body
    assert "scale-ai-stake" in json.dumps(attempts[1].body["blocks"])
    assert slept == naps
    assert not any(r.exc_info for r in caplog.records)


async def test_a_429_asking_for_a_longer_wait_than_an_answer_is_worth_is_given_up_and_logged(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.http_error("chat.postMessage", 429, retry_after=3600)
    with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
        async with serving(slack) as client:
            await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
            await logged(caplog, "Slack chat.postMessage failed for C111")
    assert [c.status for c in fake.calls_to("chat.postMessage", ok_only=False)] == [429]
    assert slept == []


async def test_an_answer_slack_took_before_the_connection_dropped_is_not_posted_again(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # slack_sdk's connection retry made the call again after the hang-up: two answers.
    fake.hang_up_once("chat.postMessage")
    with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
        await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        await logged(caplog, "Slack chat.postMessage failed for C111: ServerDisconnectedError")
        await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="2.0"), event_id="Ev2"))
        await fake.wait_until(lambda: any(c.body.get("thread_ts") == "2.0" for c in fake.calls))
    assert [c.body["thread_ts"] for c in fake.calls_to("chat.postMessage")] == ["1699999999.000100", "2.0"]


async def test_a_failing_web_api_call_is_logged_and_the_bot_keeps_answering(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("chat.postMessage", "channel_not_found")
    with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
        await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        await fake.wait_for("chat.postMessage", ok_only=False)
        await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="2.0"), event_id="Ev2"))
        [post] = await fake.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "2.0"
    assert any("chat.postMessage failed for C111: channel_not_found" in r.getMessage() for r in caplog.records)


async def test_an_unexpected_error_is_logged_and_the_user_hears_one_sentence(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenService(AskService):
        def ask(self, question: str, **kwargs: object) -> Answer:
            raise RuntimeError("question log is down")

    slack = SlackBot(slack_settings(fake, tmp_path), BrokenService(engine), db=db)
    app = web.Application()
    app.add_routes(slack.http_routes())
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
            await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
            [post] = await fake.wait_for("chat.postMessage")
            assert post.body["text"] == SORRY and post.body["thread_ts"] == "1699999999.000100"
            # The ack stands although the listener failed: Slack sees 200, not a timeout.
            assert await slash(client, fake, QUESTION) == (200, "")
            [reply] = await fake.wait_for("response:cmd")
            assert reply.body["text"] == SORRY and reply.body["response_type"] == "ephemeral"
    assert any("question log is down" in r.getMessage() for r in caplog.records)


async def test_post_blocks_returns_the_ts_or_none(bot: SlackBot, fake: FakeSlackApi) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "digest"}}]
    ts = await bot.post_blocks("C999", blocks=blocks, text="digest")
    [post] = fake.calls_to("chat.postMessage")
    assert ts == post.body.get("ts", ts) and ts and ts.startswith("1700000000.")
    assert post.body["channel"] == "C999" and post.body["blocks"] == blocks
    fake.fail("chat.postMessage", "not_in_channel")
    assert await bot.post_blocks("C999", blocks=blocks, text="digest") is None


async def test_the_digest_sender_sees_slack_failures_as_transient_or_permanent(
    bot: SlackBot, fake: FakeSlackApi, fact_base
) -> None:
    from datetime import date

    from adapters.digest_runner import channel_sender
    from bot.digest import build_digest
    from bot.digest_schedule import SendFailure

    send = channel_sender(slack=bot, discord_bot=None, sleep=_no_wait, clock=_slack_clock)
    digest = build_digest(fact_base, channel="slack:C0DIGEST", day=date(2026, 1, 5), size=2, posted=set())
    fake.fail("chat.postMessage", "service_unavailable")
    with pytest.raises(SendFailure) as transient:
        await send("slack:C0DIGEST", digest)
    assert (transient.value.transient, transient.value.maybe_posted) == (True, False)
    fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SendFailure) as permanent:
        await send("slack:C0DIGEST", digest)
    assert (permanent.value.transient, permanent.value.maybe_posted) == (False, False)
    assert fake.calls_to("conversations.history") == [], "a refused post is not looked for"
    # Slack says part of the call may have been done; its history shows it was not: sending again is safe.
    fake.fail("chat.postMessage", "internal_error")
    with pytest.raises(SendFailure) as not_there:
        await send("slack:C0DIGEST", digest)
    assert (not_there.value.transient, not_there.value.maybe_posted) == (True, False)
    assert "not in the channel's history" in not_there.value.reason
    [lookup] = fake.calls_to("conversations.history")
    assert lookup.body["channel"] == "C0DIGEST" and lookup.body["include_all_metadata"] == "1"
    assert int(lookup.body["limit"]) <= 200 and float(lookup.body["oldest"]) < _slack_clock()
    ts = await send("slack:C0DIGEST", digest)
    [post] = fake.calls_to("chat.postMessage")
    assert ts == fake.history["C0DIGEST"][-1]["ts"]
    assert post.body["metadata"] == {
        "event_type": "factbot_daily_digest",
        "event_payload": {"channel_key": "slack:C0DIGEST", "day": "2026-01-05"},
    }


async def _no_wait(seconds: float) -> None:
    return None


def _slack_clock() -> float:
    """Epoch seconds a little after the fake's first message ts (1700000000.000001)."""
    return 1700000000.0


def _digest_scheduler(bot: SlackBot, db: Database, fact_base, **options: Any):  # noqa: ANN001, ANN202 - test helper
    from datetime import time as dt_time, timedelta
    from zoneinfo import ZoneInfo

    from adapters.digest_runner import channel_sender
    from bot.digest_schedule import DigestSchedule, DigestScheduler
    from bot.digest_store import DigestStore

    return DigestScheduler(
        channels=["slack:C0DIGEST"],
        schedule=DigestSchedule(at=dt_time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
        store=DigestStore(db),
        base=lambda: fact_base,
        size=2,
        send=channel_sender(slack=bot, discord_bot=None, sleep=_no_wait, clock=_slack_clock),
        sleep=_no_wait,
        **options,
    )


@pytest.mark.parametrize(
    ("error", "status"), [("internal_error", 200), ("fatal_error", 200), ("internal_error", 500), ("http_502", 502)]
)
async def test_a_digest_slack_posted_before_an_error_is_found_and_not_posted_again(
    bot: SlackBot, fake: FakeSlackApi, db: Database, fact_base, error: str, status: int
) -> None:
    from datetime import date

    day = date(2026, 1, 5)
    # Slack carried the post out, then answered an error: the post is in the channel's history.
    fake.fail_after_doing("chat.postMessage", error, status=status)
    scheduler = _digest_scheduler(bot, db, fact_base)
    outcome = await scheduler.post("slack:C0DIGEST", day=day)
    [post] = fake.calls_to("chat.postMessage", ok_only=False)
    [posted] = fake.history["C0DIGEST"]
    assert post.body["channel"] == "C0DIGEST" and post.body["metadata"]["event_payload"]["day"] == "2026-01-05"
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]
    run = scheduler.store.run("slack:C0DIGEST", day)
    assert run.status == "sent" and run.message_id == posted["ts"]
    assert (await scheduler.post("slack:C0DIGEST", day=day)).status == "done"
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1


@pytest.mark.parametrize(("error", "status"), [("internal_error", 200), ("fatal_error", 200), ("http_500", 500)])
async def test_a_digest_slack_did_not_post_before_an_error_is_posted_again_once(
    bot: SlackBot, fake: FakeSlackApi, db: Database, fact_base, error: str, status: int
) -> None:
    from datetime import date

    day = date(2026, 1, 5)
    # Slack answered an error of unknown outcome without carrying the post out.
    if status == 200:
        fake.fail("chat.postMessage", error)
    else:
        fake.http_error("chat.postMessage", status)
    scheduler = _digest_scheduler(bot, db, fact_base)
    outcome = await scheduler.post("slack:C0DIGEST", day=day)
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    [posted] = fake.history["C0DIGEST"]
    assert len(attempts) == 2 and [c.ok for c in attempts] == [False, True]
    assert attempts[0].body["blocks"] == attempts[1].body["blocks"]
    assert len(fake.calls_to("conversations.history")) == 1
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]
    assert scheduler.store.run("slack:C0DIGEST", day).status == "sent"


@pytest.mark.parametrize(
    ("lookup_error", "hint"),
    [("missing_scope", "channels:history and groups:history"), ("not_in_channel", "not a member of the channel")],
)
async def test_a_digest_whose_history_cannot_be_read_is_not_posted_again(
    bot: SlackBot, fake: FakeSlackApi, db: Database, fact_base, lookup_error: str, hint: str
) -> None:
    from datetime import date

    day = date(2026, 1, 5)
    # Not carried out, but nothing says so: without the history the post may be there, so it is final.
    fake.fail("chat.postMessage", "internal_error")
    fake.fail("conversations.history", lookup_error)
    scheduler = _digest_scheduler(bot, db, fact_base)
    outcome = await scheduler.post("slack:C0DIGEST", day=day)
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1
    assert len(fake.calls_to("conversations.history", ok_only=False)) == 1
    assert outcome.status == "failed" and "may have been posted" in outcome.reason
    assert f"could not check the channel's history: Slack: {lookup_error}" in outcome.reason and hint in outcome.reason
    assert scheduler.store.run("slack:C0DIGEST", day).status == "failed"


# -- /ask and buttons --------------------------------------------------------------------------


async def test_an_asker_over_the_rate_limit_hears_when_to_come_back(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: 100.0))
    slack = SlackBot(slack_settings(fake, tmp_path), service, db=db)
    app = web.Application()
    app.add_routes(slack.http_routes())
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        await slash(client, fake, QUESTION)
        await slash(client, fake, QUESTION)
        first, second = await fake.wait_for("response:cmd", count=2)
    assert "scale-ai-stake" in json.dumps(first.body)
    assert second.body["text"].startswith("You've asked 1 question in the last minute")
    assert [b["type"] for b in second.body["blocks"]] == ["section"]


async def test_a_mention_over_the_rate_limit_is_told_to_the_asker_alone(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # The README promises the "try again" reply is shown only to the asker: in a channel it was
    # posted in the thread for everyone. A DM over the limit is the asker's alone anyway.
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: 100.0))
    slack = SlackBot(slack_settings(fake, tmp_path), service, db=db)
    async with serving(slack) as client:
        first = mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="1700000000.000001")
        second = mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="1700000000.000002")
        assert await post_event(client, event_body(first, event_id="Ev1")) == 200
        [answer] = await fake.wait_for("chat.postMessage")
        assert await post_event(client, event_body(second, event_id="Ev2")) == 200
        [note] = await fake.wait_for("chat.postEphemeral")
        assert await post_event(client, event_body(dm(QUESTION), event_id="Ev3")) == 200
        _, in_dm = await fake.wait_for("chat.postMessage", count=2)
    assert "scale-ai-stake" in json.dumps(answer.body["blocks"])
    assert note.body["user"] == USER and note.body["channel"] == CHANNEL
    assert note.body["thread_ts"] == "1700000000.000002"
    assert note.body["text"].startswith("You've asked 1 question in the last minute")
    assert len(fake.calls_to("chat.postMessage")) == 2 and len(fake.calls_to("chat.postEphemeral")) == 1
    assert in_dm.body["channel"] == "D111" and in_dm.body["text"].startswith("You've asked 1 question")


async def test_a_429_from_the_response_url_is_retried_and_the_reply_arrives_once(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    fake.rate_limit_once("response:cmd", retry_after=0)
    assert await slash(http, fake, QUESTION) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    attempts = fake.calls_to("response:cmd", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].body == attempts[1].body == reply.body
    assert reply.body["response_type"] == "ephemeral"
    assert engine.answer(QUESTION).text in block_text(reply.body["blocks"])


@pytest.mark.parametrize(
    ("status", "retry_after", "naps"),
    [(429, 2, [2.0]), (503, None, [0.5]), (500, None, [0.5])],
)
async def test_the_response_url_is_retried_after_retry_after_or_a_short_backoff(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, status: int, retry_after: int | None,
    naps: list[float],
) -> None:
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.http_error("response:cmd", status, retry_after=retry_after)
    async with serving(slack) as client:
        await slash(client, fake, QUESTION)
        [reply] = await fake.wait_for("response:cmd")
    assert [c.status for c in fake.calls_to("response:cmd", ok_only=False)] == [status, 200]
    assert "scale-ai-stake" in json.dumps(reply.body)
    assert slept == naps


@pytest.mark.parametrize(
    ("status", "retry_after", "attempts", "naps"),
    [
        (500, None, 3, [0.5, 1.0]),  # a server that keeps failing: three tries in all, then give up
        (429, 1, 3, [1.0, 1.0]),  # a limit that never lifts: the same bound
        (429, 120, 1, []),  # longer than a handler may wait: no retry at all
        (404, None, 1, []),  # a refusal (an expired response_url): never retried
        (400, None, 1, []),
    ],
)
async def test_response_url_retries_are_bounded_and_only_for_429_and_5xx(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    status: int, retry_after: int | None, attempts: int, naps: list[float],
) -> None:
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.http_error("response:cmd", status, retry_after=retry_after, times=10)
    with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
        async with serving(slack) as client:
            await slash(client, fake, QUESTION)
            await logged(caplog, "Slack response_url refused the reply")
    assert [c.status for c in fake.calls_to("response:cmd", ok_only=False)] == [status] * attempts
    assert slept == naps


@pytest.mark.parametrize("refusal", ["invalid_blocks", "msg_blocks_too_long"])
async def test_an_ask_reply_whose_blocks_the_response_url_refuses_arrives_once_as_text_with_its_quote(
    http: TestClient, fake: FakeSlackApi, engine: Engine, refusal: str
) -> None:
    # A response_url answers a refusal of the blocks with HTTP 400 and the bare word: the
    # asker's /ask got no reply at all.
    fake.refuse_blocks("response:cmd", refusal)
    assert await slash(http, fake, PODCAST_QUESTION) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    attempts = fake.calls_to("response:cmd", ok_only=False)
    assert [(c.status, bool(c.body.get("blocks"))) for c in attempts] == [(400, True), (200, False)]
    assert reply.body["response_type"] == "ephemeral" and "blocks" not in reply.body
    assert f"You asked “{PODCAST_QUESTION}”" in reply.body["text"]
    assert_quoted(reply.body["text"], engine.answer(PODCAST_QUESTION))
    assert fake.calls_to("chat.postMessage") == []


async def test_a_response_url_refusing_a_reply_for_another_reason_is_not_sent_again_as_text(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake.http_error("response:cmd", 404)  # expired_url, or any refusal that is not of the blocks
    with caplog.at_level(logging.ERROR, logger="adapters.slack_adapter"):
        await slash(http, fake, QUESTION)
        await logged(caplog, "Slack response_url refused the reply: 404")
    assert [c.status for c in fake.calls_to("response:cmd", ok_only=False)] == [404]


async def test_ask_answers_ephemerally_through_the_response_url(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    status, text = await slash(http, fake, QUESTION)
    assert status == 200 and text == ""
    [reply] = await fake.wait_for("response:cmd")
    assert reply.body["response_type"] == "ephemeral"
    blocks = reply.body["blocks"]
    assert QUESTION in blocks[0]["elements"][0]["text"]
    assert engine.answer(QUESTION).text in block_text(blocks)
    share = find_button(blocks, "share_answer")
    assert decode_value(share["value"])["f"] == engine.answer(QUESTION).fact_id
    assert fake.calls_to("chat.postMessage") == []


async def test_debug_logs_never_show_a_response_url(http: TestClient, fake: FakeSlackApi, capture) -> None:
    # A response_url lets whoever holds it post in the channel as the app for half an hour,
    # <!channel> and all; slack_sdk logs each post to it, URL and all, at DEBUG.
    buffer = capture(log_level="DEBUG")
    await slash(http, fake, QUESTION)
    await fake.wait_for("response:cmd")
    logged = buffer.getvalue()
    assert "Sending a request - url:" in logged  # the reply is logged ...
    assert f"{RESPONSE_HOOK_ID}/cmd" not in logged  # ... without the URL's secret


async def test_a_renamed_command_answers_too(http: TestClient, fake: FakeSlackApi) -> None:
    await slash(http, fake, QUESTION, command="/factbot")
    [reply] = await fake.wait_for("response:cmd")
    assert "scale-ai-stake" in json.dumps(reply.body)


@pytest.mark.parametrize("text", ["help", "what are your sources?"])
async def test_help_asked_through_a_renamed_command_names_that_command(
    http: TestClient, fake: FakeSlackApi, text: str
) -> None:
    # A workspace with another app's /ask renames ours (README): its help said "use `/ask`",
    # which sends the question to the other app.
    await slash(http, fake, text, command="/factbot")
    [reply] = await fake.wait_for("response:cmd")
    shown = json.dumps([reply.body["text"], without_values(reply.body["blocks"])])
    assert "`/factbot` followed by your question" in shown and "/ask" not in shown


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
async def test_ask_without_a_question_or_help_shows_help(
    http: TestClient, fake: FakeSlackApi, engine: Engine, text: str
) -> None:
    await slash(http, fake, text)
    [reply] = await fake.wait_for("response:cmd")
    sent = json.dumps(reply.body["blocks"], ensure_ascii=False)
    assert "/ask" in sent
    assert all(t.example in sent for t in engine.topics())


async def test_ask_with_a_too_long_question(http: TestClient, fake: FakeSlackApi) -> None:
    await slash(http, fake, "why " * 200)
    [reply] = await fake.wait_for("response:cmd")
    assert reply.body == {"text": TOO_LONG, "response_type": "ephemeral"}


async def test_ask_echoes_an_injected_channel_ping_escaped(http: TestClient, fake: FakeSlackApi) -> None:
    # Slack sends what the user typed with &, <, > encoded; decoded, it is `<!channel> …`.
    await slash(http, fake, "&lt;!channel&gt; what is the weather in Paris?")
    [reply] = await fake.wait_for("response:cmd")
    assert "You asked “&lt;!channel&gt; what is the weather in Paris?”" in reply.body["blocks"][0]["elements"][0]["text"]
    assert "<!channel>" not in reply.body["text"]


async def test_share_posts_the_answer_visibly_and_removes_the_ephemeral(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    await slash(http, fake, QUESTION)
    [reply] = await fake.wait_for("response:cmd")
    share = find_button(reply.body["blocks"], "share_answer")
    assert await click(http, fake, share, ephemeral=True) == 200
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL and "thread_ts" not in post.body
    blocks = post.body["blocks"]
    assert f"<@{USER}> asked “{QUESTION}”" == blocks[0]["elements"][0]["text"]
    assert engine.answer(QUESTION).text in block_text(blocks)
    assert "share_answer" not in json.dumps(blocks)
    [deleted] = await fake.wait_for("response:act")
    assert deleted.body == {"delete_original": True}


async def test_an_answer_asked_in_a_thread_is_shared_in_that_thread(http: TestClient, fake: FakeSlackApi) -> None:
    # `/ask` typed in a thread: its reply, and the Share button's container, are in that thread.
    # The shared answer landed in the channel, away from the conversation it was asked in.
    thread = "1700000000.000050"
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True, thread_ts=thread)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL and post.body["thread_ts"] == thread
    fake.fail("chat.postMessage", "channel_not_found")  # a private channel the bot is not in
    await click(http, fake, share, ephemeral=True, user="U222", thread_ts=thread)
    replies = await fake.wait_for("response:act", count=3)
    [shared] = [r.body for r in replies if r.body.get("response_type") == "in_channel"]
    assert shared["thread_ts"] == thread and "scale-ai-stake" in json.dumps(shared["blocks"])
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_share_with_an_injected_ping_in_the_value_posts_it_escaped(http: TestClient, fake: FakeSlackApi) -> None:
    # Button values come back from the client: a crafted one must not ping the channel either.
    crafted = {"action_id": "share_answer", "value": encode_value({"q": "<!channel> wake up", "f": "scale-ai-stake"})}
    await click(http, fake, crafted, ephemeral=True)
    [post] = await fake.wait_for("chat.postMessage")
    assert "&lt;!channel&gt; wake up" in post.body["blocks"][0]["elements"][0]["text"]
    assert "<!channel>" not in json.dumps([post.body["text"], without_values(post.body["blocks"])])


async def test_a_shared_answer_whose_blocks_slack_refuses_is_posted_once_in_the_channel_as_text(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    # The refusal was taken for the bot being no member of the channel, and the answer went
    # through the response_url with the same blocks.
    fake.refuse_blocks("chat.postMessage", "msg_blocks_too_long")
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True)
    [deleted] = await fake.wait_for("response:act")
    assert deleted.body == {"delete_original": True}
    [post] = fake.calls_to("chat.postMessage")
    assert post.body["channel"] == CHANNEL and "blocks" not in post.body
    assert f"<@{USER}> asked “{QUESTION}”" in post.body["text"]
    assert_quoted(post.body["text"], engine.answer(QUESTION))
    assert len(fake.history[CHANNEL]) == 1
    assert [c.body for c in fake.calls_to("response:act", ok_only=False)] == [deleted.body]


async def test_a_share_through_the_response_url_whose_blocks_it_refuses_is_posted_once_as_text(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    thread = "1700000000.000050"
    fake.fail("chat.postMessage", "channel_not_found")  # a private channel the bot is not in
    fake.refuse_blocks("response:act")
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True, thread_ts=thread)
    shared, deleted = await fake.wait_for("response:act", count=2)
    assert shared.body["response_type"] == "in_channel" and shared.body["thread_ts"] == thread
    assert shared.body["replace_original"] is False and "blocks" not in shared.body
    assert_quoted(shared.body["text"], engine.answer(QUESTION))
    assert deleted.body == {"delete_original": True}
    attempts = fake.calls_to("response:act", ok_only=False)
    assert [(c.status, bool(c.body.get("blocks"))) for c in attempts] == [(400, True), (200, False), (200, False)]
    assert fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found"])
async def test_share_falls_back_to_the_response_url_when_slack_refused_the_post(
    http: TestClient, fake: FakeSlackApi, refusal: str
) -> None:
    fake.fail("chat.postMessage", refusal)
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True)
    replies = await fake.wait_for("response:act", count=2)
    assert replies[0].body["response_type"] == "in_channel" and "scale-ai-stake" in json.dumps(replies[0].body)
    assert replies[1].body == {"delete_original": True}
    assert fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "outcome", ["timeout", "hang-up", "internal_error", "fatal_error", "http_500@500", "http_503@503"]
)
async def test_a_share_slack_may_have_posted_is_not_posted_again_by_the_response_url(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, outcome: str
) -> None:
    # chat.postMessage posts, but the bot can't tell; the response_url fallback then posted the
    # answer a second time, under the first one.
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    if outcome == "timeout":
        slack.client.timeout = 0.2  # read at start, by the connections the bot keeps to Slack
        fake.stall_once("chat.postMessage")
    elif outcome == "hang-up":
        fake.hang_up_once("chat.postMessage")
    else:
        error, _, status = outcome.partition("@")
        fake.fail_after_doing("chat.postMessage", error, status=int(status or 200))
    await slack.start()
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    try:
        async with serving(slack) as http:
            assert await click(http, fake, share, ephemeral=True) == 200
            [reply] = await fake.wait_for("response:act")
    finally:
        await slack.close()
    assert reply.body == {"response_type": "ephemeral", "replace_original": False, "text": SHARE_UNSURE}
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert [c.body for c in fake.calls_to("response:act", ok_only=False)] == [reply.body], "nothing else was sent"


class _DirectClick:
    """A share or related-answer click handed straight to its handler, with the claim it takes."""

    def __init__(self, slack: SlackBot, fake: FakeSlackApi, button: str) -> None:
        message_ts = "1700000000.000001"
        share = button == "share_answer"
        self.body = {
            "type": "block_actions",
            "user": {"id": USER, "team_id": TEAM_ID},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": CHANNEL, "is_ephemeral": share},
            "channel": {"id": CHANNEL},
            "response_url": fake.response_url("act"),
            "message": {"type": "message", "ts": message_ts, "text": "answer"},
        }
        if share:
            self.action = {"action_id": button, "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
            self.handler, self.claim = slack._on_share, f"share:{CHANNEL}:{message_ts}:{USER}"
        else:
            self.action = {"action_id": button, "value": encode_value({"f": "gpu-spending"})}
            self.handler, self.claim = slack._on_related, f"beside:{CHANNEL}:{message_ts}:{button}"

    async def run(self) -> None:
        async def ack() -> None:
            return None

        await self.handler(ack, self.body, self.action)


@pytest.mark.parametrize("button", ["share_answer", "related:0"])
async def test_a_click_cut_by_a_stop_mid_post_leaves_its_button_free(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, button: str
) -> None:
    # A stop's grace ran out while the share (or related answer) was being posted: the click kept
    # its claim, so after the restart the button did nothing (or said "in the thread") for a day.
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    fake.stall_once("chat.postMessage")
    await slack.start()
    click = _DirectClick(slack, fake, button)

    try:
        task = asyncio.create_task(click.run())
        await fake.wait_for("chat.postMessage")
        assert not slack.events.claim(click.claim), "the click holds its claim while it posts"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert slack.events.claim(click.claim), "the cut click left its button free"
    finally:
        await slack.close()


@pytest.mark.parametrize("button", ["share_answer", "related:0"])
async def test_a_click_cut_by_a_stop_while_its_claim_is_written_leaves_its_button_free(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, button: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claim is written in a worker thread, which a cut does not stop: written after the
    # click was cut, it held the button for a day with nothing posted.
    import threading

    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db)
    entered, go_on, done = threading.Event(), threading.Event(), threading.Event()
    claim_now = slack.events.claim

    def slow_claim(event_id: str) -> bool:
        entered.set()
        go_on.wait(10)
        try:
            return claim_now(event_id)
        finally:
            done.set()

    monkeypatch.setattr(slack.events, "claim", slow_claim)
    await slack.start()
    click = _DirectClick(slack, fake, button)

    try:
        task = asyncio.create_task(click.run())
        await asyncio.to_thread(entered.wait, 10)
        task.cancel()
        go_on.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.to_thread(done.wait, 10)
        await asyncio.sleep(0.2)  # anything the cut click still does after its claim was written
        assert claim_now(click.claim), "the cut click left its button free"
        assert not fake.calls_to("chat.postMessage"), "nothing was posted"
    finally:
        await slack.close()


async def test_a_share_slack_did_not_confirm_can_be_clicked_again_once_the_channel_was_checked(
    http: TestClient, fake: FakeSlackApi
) -> None:
    # Told "check the channel before you share it again", the asker finds nothing there and
    # clicks again: that click shares the answer (a double click is still one share).
    fake.http_error("chat.postMessage", 503)
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True)
    [unsure] = await fake.wait_for("response:act")
    assert unsure.body["text"] == SHARE_UNSURE and fake.calls_to("chat.postMessage") == []
    await click(http, fake, share, ephemeral=True)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL


@pytest.mark.parametrize("outcome", ["hang-up", "http_500@500"])
async def test_a_share_the_response_url_may_have_posted_is_not_sent_again(
    http: TestClient, fake: FakeSlackApi, outcome: str
) -> None:
    # slack_sdk's webhook client made the post again after a dropped connection, and a 5xx was retried.
    fake.fail("chat.postMessage", "not_in_channel")
    if outcome == "hang-up":
        fake.hang_up_once("response:act")
    else:
        fake.fail_after_doing("response:act", "internal_error", status=500)
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True)
    await fake.wait_until(lambda: any(c.body.get("text") == SHARE_UNSURE for c in fake.calls), what="the warning")
    sent = [c.body.get("response_type") for c in fake.calls_to("response:act", ok_only=False)]
    assert sent == ["in_channel", "ephemeral"]


async def test_a_suggestion_answers_in_place_of_the_abstention(http: TestClient, fake: FakeSlackApi, engine: Engine) -> None:
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> what is the weather in Paris?"), event_id="Ev1"))
    [post] = await fake.wait_for("chat.postMessage")
    suggestion = find_button(post.body["blocks"], "suggest:")
    fact_id = decode_value(suggestion["value"])["f"]
    message = {"type": "message", "ts": "1700000000.000001", "thread_ts": "1699999999.000100", "text": "x"}
    await click(http, fake, suggestion, ephemeral=False, message=message)
    [update] = await fake.wait_for("chat.update")
    assert update.body["channel"] == CHANNEL and update.body["ts"] == "1700000000.000001"
    assert engine.answer_fact(fact_id).text in block_text(update.body["blocks"])
    assert f"`{fact_id}`" in json.dumps(update.body["blocks"])
    assert len(fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("refusal", ["not_in_channel", "cant_update_message"])
async def test_a_suggestion_slack_would_not_update_replaces_the_message_through_the_click(
    http: TestClient, fake: FakeSlackApi, engine: Engine, refusal: str
) -> None:
    # The clicker heard nothing when chat.update was refused (the bot left the channel since).
    fake.fail("chat.update", refusal)
    suggestion = {"action_id": "suggest:scale-ai-stake", "value": encode_value({"f": "scale-ai-stake"})}
    message = {"type": "message", "ts": "1700000000.000001", "text": "x"}
    await click(http, fake, suggestion, ephemeral=False, message=message)
    [replaced] = await fake.wait_for("response:act")
    assert replaced.body["replace_original"] is True
    assert "`scale-ai-stake`" in json.dumps(replaced.body["blocks"])


async def test_a_suggestion_whose_blocks_neither_chat_update_nor_the_click_take_replaces_the_message_as_text(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    fake.refuse_blocks("chat.update")
    fake.refuse_blocks("response:act")
    suggestion = {"action_id": "suggest:scale-ai-stake", "value": encode_value({"f": "scale-ai-stake"})}
    await click(http, fake, suggestion, ephemeral=False, message={"type": "message", "ts": "1700000000.000001", "text": "x"})
    [replaced] = await fake.wait_for("response:act")
    assert replaced.body["replace_original"] is True and "blocks" not in replaced.body
    assert_quoted(replaced.body["text"], engine.answer_fact("scale-ai-stake"))
    assert len(fake.calls_to("response:act", ok_only=False)) == 2


async def test_a_suggestion_in_an_ephemeral_reply_replaces_it(http: TestClient, fake: FakeSlackApi, engine: Engine) -> None:
    await slash(http, fake, "what is the weather in Paris?")
    [reply] = await fake.wait_for("response:cmd")
    suggestion = find_button(reply.body["blocks"], "suggest:")
    await click(http, fake, suggestion, ephemeral=True)
    [replaced] = await fake.wait_for("response:act")
    assert replaced.body["replace_original"] is True
    fact_id = decode_value(suggestion["value"])["f"]
    assert f"`{fact_id}`" in json.dumps(replaced.body["blocks"])
    assert find_button(replaced.body["blocks"], "share_answer")


async def test_a_related_button_answers_that_fact_in_the_thread(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    answer = engine.answer(QUESTION)
    related = answer.related[0]
    value = encode_value({"f": related.fact_id, "q": related.question})
    button = {"action_id": f"related:{related.fact_id}", "value": value}
    message = {"type": "message", "ts": "1700000000.000005", "thread_ts": "1699999999.000100", "text": "x"}
    await click(http, fake, button, ephemeral=False, message=message)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL and post.body["thread_ts"] == "1699999999.000100"
    assert engine.answer_fact(related.fact_id).text in block_text(post.body["blocks"])


async def test_a_double_click_on_a_related_button_answers_in_the_thread_once(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    related = engine.answer(QUESTION).related[0]
    button = {"action_id": f"related:{related.fact_id}", "value": encode_value({"f": related.fact_id})}
    message = {"type": "message", "ts": "1700000000.000005", "thread_ts": "1699999999.000100", "text": "x"}
    assert await asyncio.gather(
        click(http, fake, button, ephemeral=False, message=message),
        click(http, fake, button, ephemeral=False, message=message),
    ) == [200, 200]
    [told] = await fake.wait_for("response:act")
    assert told.body["text"] == "That answer is in the thread already." and told.body["response_type"] == "ephemeral"
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1
    # Another related button on the same answer is its own answer.
    other = engine.answer(QUESTION).related[1]
    button = {"action_id": f"related:{other.fact_id}", "value": encode_value({"f": other.fact_id})}
    await click(http, fake, button, ephemeral=False, message=message)
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 2, what="the other related answer")


async def test_a_related_answer_slack_did_not_confirm_is_not_left_unsaid(
    http: TestClient, fake: FakeSlackApi, engine: Engine
) -> None:
    # Slack posted the answer in the thread and then failed the call: the clicker heard nothing,
    # and a second click (theirs or anyone's) posted the same answer again.
    fake.fail_after_doing("chat.postMessage", "internal_error")
    related = engine.answer(QUESTION).related[0]
    button = {"action_id": f"related:{related.fact_id}", "value": encode_value({"f": related.fact_id})}
    message = {"type": "message", "ts": "1700000000.000005", "text": "x"}
    await click(http, fake, button, ephemeral=False, message=message)
    [unsure] = await fake.wait_for("response:act")
    assert unsure.body == {"response_type": "ephemeral", "replace_original": False, "text": BESIDE_UNSURE}
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1


async def test_a_related_answer_slack_refused_can_be_clicked_for_again(http: TestClient, fake: FakeSlackApi, engine: Engine) -> None:
    fake.fail("chat.postMessage", "not_in_channel")
    fake.http_error("response:act", 404)  # the click's response_url has expired as well
    related = engine.answer(QUESTION).related[0]
    button = {"action_id": f"related:{related.fact_id}", "value": encode_value({"f": related.fact_id})}
    message = {"type": "message", "ts": "1700000000.000005", "text": "x"}
    await click(http, fake, button, ephemeral=False, message=message)
    [refusal] = await fake.wait_for("response:act")
    assert refusal.body["response_type"] == "ephemeral" and "invite me" in refusal.body["text"]
    await click(http, fake, button, ephemeral=False, message=message)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["thread_ts"] == "1700000000.000005"


@pytest.mark.parametrize("refusal", ["channel_not_found", "not_in_channel"])
async def test_a_related_question_on_an_answer_shared_where_the_bot_is_not_is_answered_there(
    http: TestClient, fake: FakeSlackApi, engine: Engine, refusal: str
) -> None:
    # An answer shared into a private channel or a DM the bot is not in is posted through the
    # /ask reply; a click on its related question got nothing at all, not even a word why.
    fake.fail("chat.postMessage", refusal)
    related = engine.answer(QUESTION).related[0]
    button = {"action_id": f"related:{related.fact_id}", "value": encode_value({"f": related.fact_id})}
    message = {"type": "message", "ts": "1700000000.000005", "text": "x"}
    await click(http, fake, button, ephemeral=False, channel="G111", message=message)
    [reply] = await fake.wait_for("response:act")
    assert reply.body["response_type"] == "in_channel" and reply.body["replace_original"] is False
    assert reply.body["thread_ts"] == "1700000000.000005"
    assert f"`{related.fact_id}`" in json.dumps(reply.body["blocks"])
    await click(http, fake, button, ephemeral=False, channel="G111", message=message, user="U222")
    [_, again] = await fake.wait_for("response:act", count=2)
    assert again.body == {"response_type": "ephemeral", "replace_original": False, "text": ALREADY_BESIDE}
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1


async def test_an_example_clicked_by_an_asker_over_the_limit_stays_free_for_the_next_clicker(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # Ann has used up her questions; her click on a help example in a channel gets the limit
    # note, shown only to her, and Bob's click on the same button must still get the answer.
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: 100.0))
    slack = SlackBot(slack_settings(fake, tmp_path), service, db=db)
    example = find_button(to_blocks(engine.help("help")), "example:")
    message = {"type": "message", "ts": "1700000000.000005", "text": "help"}
    async with serving(slack) as client:
        service.ask(QUESTION, platform="slack", user_id=USER)  # Ann's one question this minute
        await click(client, fake, example, ephemeral=False, message=message)
        [limited] = await fake.wait_for("response:act")
        assert limited.body["text"].startswith("You've asked 1 question")
        assert limited.body["response_type"] == "ephemeral"
        await click(client, fake, example, ephemeral=False, message=message, user="U222")
        [answered] = await fake.wait_for("chat.postMessage")
    expected = engine.answer(decode_value(example["value"])["q"])
    assert f"`{expected.fact_id}`" in json.dumps(answered.body["blocks"])
    assert len(fake.calls_to("response:act")) == 1


async def test_an_example_whose_asking_failed_leaves_the_button_free(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # The click is claimed before the question is asked: a failure in between must give the
    # claim back, or everyone clicking the button for a day hears "in the thread already".
    failures = [RuntimeError("the engine broke")]

    class FlakyService(AskService):
        def ask(self, question: str, **kwargs: Any) -> Answer:
            if failures:
                raise failures.pop()
            return super().ask(question, **kwargs)

    slack = SlackBot(slack_settings(fake, tmp_path), FlakyService(engine), db=db)
    example = find_button(to_blocks(engine.help("help")), "example:")
    message = {"type": "message", "ts": "1700000000.000007", "text": "help"}
    async with serving(slack) as client:
        await click(client, fake, example, ephemeral=False, message=message)
        await fake.wait_for("response:act")  # the one sentence for a failure
        await click(client, fake, example, ephemeral=False, message=message, user="U222")
        [answered] = await fake.wait_for("chat.postMessage")
    assert f"`{engine.answer(decode_value(example['value'])['q']).fact_id}`" in json.dumps(answered.body["blocks"])


async def test_a_double_clicked_example_is_asked_logged_and_counted_once(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    asked: list[str] = []
    service = AskService(engine, hooks=[lambda question, *_: asked.append(question)], rate_limiter=RateLimiter(2))
    slack = SlackBot(slack_settings(fake, tmp_path), service, db=db)
    example = find_button(to_blocks(engine.help("help")), "example:")
    message = {"type": "message", "ts": "1700000000.000006", "text": "help"}
    async with serving(slack) as client:
        await asyncio.gather(*(click(client, fake, example, ephemeral=False, message=message) for _ in range(2)))
        [answered] = await fake.wait_for("chat.postMessage")
        [already] = await fake.wait_for("response:act")
        # The click left counts against the limit once: the asker has one question left.
        assert service.ask(QUESTION, platform="slack", user_id=USER).status == "answered"
    assert asked == [decode_value(example["value"])["q"], QUESTION]
    assert already.body["response_type"] == "ephemeral" and "already" in already.body["text"]
    assert f"`{engine.answer(asked[0]).fact_id}`" in json.dumps(answered.body["blocks"])


async def test_a_help_example_button_asks_that_question(http: TestClient, fake: FakeSlackApi, engine: Engine) -> None:
    await slash(http, fake, "help")
    [reply] = await fake.wait_for("response:cmd")
    example = find_button(reply.body["blocks"], "example:")
    await click(http, fake, example, ephemeral=True)
    [answer] = await fake.wait_for("response:act")
    expected = engine.answer(decode_value(example["value"])["q"])
    assert answer.body["response_type"] == "ephemeral" and answer.body["replace_original"] is False
    assert f"`{expected.fact_id}`" in json.dumps(answer.body["blocks"])


async def test_unknown_fact_in_a_button_gets_one_sentence(http: TestClient, fake: FakeSlackApi) -> None:
    button = {"action_id": "related:no-such-fact", "value": encode_value({"f": "no-such-fact"})}
    await click(http, fake, button, ephemeral=False)
    [reply] = await fake.wait_for("response:act")
    assert reply.body["text"].startswith("I can't find that answer") and fake.calls_to("chat.postMessage") == []


async def test_votes_land_in_the_votes_table_with_a_hashed_user(
    http: TestClient, fake: FakeSlackApi, db: Database, engine: Engine
) -> None:
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    [post] = await fake.wait_for("chat.postMessage")
    message = {"type": "message", "ts": "1700000000.000001", "thread_ts": "1699999999.000100", "text": "x"}
    await click(http, fake, find_button(post.body["blocks"], "vote:up"), ephemeral=False, message=message)
    [thanks] = await fake.wait_for("response:act")
    assert thanks.body["response_type"] == "ephemeral" and "👍" in thanks.body["text"]
    votes = FeedbackStore(db).votes()
    expected = engine.answer(QUESTION)
    assert len(votes) == 1
    vote = votes[0]
    assert (vote["platform"], vote["question"], vote["fact_id"], vote["vote"]) == ("slack", QUESTION, expected.fact_id, "up")
    assert vote["score"] == pytest.approx(expected.score, abs=1e-3)
    assert vote["user_hash"] == db.user_hash("slack", USER) and USER not in vote["user_hash"]
    ref = db.query("SELECT message_ref FROM votes")[0][0]
    assert ref == f"{CHANNEL}:1700000000.000001"

    # Changing one's mind replaces the vote instead of adding one.
    await click(http, fake, find_button(post.body["blocks"], "vote:down"), ephemeral=False, message=message)
    await fake.wait_for("response:act", count=2)
    assert [v["vote"] for v in FeedbackStore(db).votes()] == ["down"]


@pytest.mark.parametrize("fact_id", ["no-such-fact", "Robert'); DROP TABLE votes;--", 42])
async def test_a_vote_for_a_fact_the_base_does_not_hold_is_not_recorded(
    http: TestClient, fake: FakeSlackApi, db: Database, fact_id: Any
) -> None:
    # A forged button value must not put a made-up fact in front of the curators.
    button = {"action_id": "vote:up", "value": encode_value({"q": QUESTION, "f": fact_id, "s": 0.9})}
    await click(http, fake, button, ephemeral=False)
    [reply] = await fake.wait_for("response:act")
    assert reply.body["response_type"] == "ephemeral" and reply.body["text"] == GONE
    assert FeedbackStore(db).votes() == []
    # A vote on an "I don't know" names no fact, and is recorded.
    await click(http, fake, {"action_id": "vote:down", "value": encode_value({"q": "what is x?", "s": 0.1})}, ephemeral=False)
    await fake.wait_for("response:act", count=2)
    assert [(v["fact_id"], v["vote"]) for v in FeedbackStore(db).votes()] == [(None, "down")]


async def test_a_button_question_longer_than_the_bot_writes_is_not_read(
    http: TestClient, fake: FakeSlackApi, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A forged value may carry 2,000 characters; the engine reads at most what the bot bounds.
    asked: list[str] = []
    answer = engine.answer
    monkeypatch.setattr(engine, "answer", lambda question: asked.append(question) or answer(question))
    button = {"action_id": "suggest:scale-ai-stake", "value": encode_value({"f": "scale-ai-stake", "q": "why " * 450})}
    await click(http, fake, button, ephemeral=True)
    [reply] = await fake.wait_for("response:act")
    assert "`scale-ai-stake`" in json.dumps(reply.body["blocks"]) and asked == []


# -- Socket Mode -------------------------------------------------------------------------------


def envelope(body: dict[str, Any], *, envelope_id: str, retry_attempt: int = 0) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "payload": body,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry_attempt,
        "retry_reason": "timeout" if retry_attempt else "",
    }


async def test_socket_mode_end_to_end(fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path) -> None:
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db)
    assert not slack.connected
    await slack.start()
    try:
        [opened] = fake.calls_to("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-test"
        assert fake.socket_connections == 1 and slack.connected

        body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvS1")
        await fake.send_envelope(envelope(body, envelope_id="env-1"))
        assert await fake.wait_for_ack("env-1") == {"envelope_id": "env-1"}
        [post] = await fake.wait_for("chat.postMessage")
        assert post.body["thread_ts"] == "1699999999.000100"
        assert f"`{engine.answer(QUESTION).fact_id}`" in json.dumps(post.body["blocks"])

        # Slack redelivers the same event after a reconnect: acked, not answered again.
        await fake.send_envelope(envelope(body, envelope_id="env-2", retry_attempt=1))
        await fake.wait_for_ack("env-2")
        later = event_body(dm(QUESTION), event_id="EvS2")
        await fake.send_envelope(envelope(later, envelope_id="env-3"))
        await fake.wait_until(lambda: any(c.body.get("channel") == "D111" for c in fake.calls))
        assert [c.body["channel"] for c in fake.calls_to("chat.postMessage")] == [CHANNEL, "D111"]
    finally:
        await slack.close()
    assert not slack.connected


async def test_socket_mode_an_event_that_came_while_slack_could_not_say_who_the_bot_is_is_not_acknowledged(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # Acknowledged with bolt's apology as its payload, the mention was taken as handled and lost.
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db, sleep=recording_sleep([]))
    fake.http_error("auth.test", 500, times=100)
    await slack.start()
    try:
        body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="EvSocketLate")
        await fake.send_envelope(envelope(body, envelope_id="env-1"))
        await fake.wait_until(lambda: len(fake.calls_to("auth.test", ok_only=False)) >= 2, what="bolt's own token check")
        await asyncio.sleep(0.3)
        assert [a for a in fake.acks if a.get("envelope_id") == "env-1"] == []
        assert fake.calls_to("chat.postMessage") == []
        fake.recover("auth.test")
        # Slack sends it again: acknowledged and answered once.
        await fake.send_envelope(envelope(body, envelope_id="env-2", retry_attempt=1))
        await fake.wait_for_ack("env-2")
        [post] = await fake.wait_for("chat.postMessage")
    finally:
        await slack.close()
    assert "scale-ai-stake" in json.dumps(post.body["blocks"])


async def test_socket_mode_start_returns_when_the_websocket_url_fails_and_connects_with_a_new_one(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # slack_sdk retries the URL it was handed for ever, and start() waited on it: the whole
    # process (Discord, the digest, signal handlers) never got past starting Slack.
    fake.dead_socket_url_once()
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db, connect_wait=0.2)
    try:
        await asyncio.wait_for(slack.start(), timeout=10)
        await fake.send_envelope(envelope(event_body(dm(QUESTION), event_id="EvS1"), envelope_id="env-1"))
        await fake.wait_for_ack("env-1", timeout=10)
        [post] = await fake.wait_for("chat.postMessage")
        assert post.body["channel"] == "D111"
        assert len(fake.calls_to("apps.connections.open")) == 2 and fake.socket_connections == 1
        assert slack.connected
    finally:
        await slack.close()
    assert not slack.connected


async def test_a_failed_try_to_open_the_websocket_is_logged_in_one_line_without_a_traceback(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # slack_sdk logged each failed try with its whole traceback (several KB on one escaped line),
    # beside the bot's own line about connecting in the background.
    fake.dead_socket_url_once()
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db, connect_wait=0.2)
    try:
        await slack.start()
        await logged(caplog, "Failed to connect")
    finally:
        await slack.close()
    [failure] = [r for r in caplog.records if r.getMessage().startswith("Failed to connect")]
    assert failure.name == "slack_bolt.AsyncApp" and failure.exc_info is None
    message = failure.getMessage()
    assert "404" in message and "/no-socket-here" in message, "the exception's message stays"
    assert message.endswith("; Retrying... [WSServerHandshakeError]"), "and its type"
    assert "Traceback" not in caplog.text
    assert any("retrying in the background" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("abruptly", [False, True], ids=["close-frame", "connection-cut"])
async def test_a_socket_that_drops_later_reconnects_with_a_fresh_url_when_the_next_one_is_dead(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, abruptly: bool
) -> None:
    # slack_sdk asks for a new URL after a drop, but retries that URL for ever when it fails:
    # once it had, the bot stayed connected to nothing and answered nobody until restarted.
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db, ping_interval=0.05, reconnect_wait=0.1)
    try:
        await slack.start()
        assert slack.connected and fake.socket_connections == 1
        fake.dead_socket_url_once()
        assert await fake.drop_sockets(abruptly=abruptly) == 1
        await fake.wait_until(lambda: fake.socket_connections == 2, timeout=10, what="a second websocket")
        opened = fake.calls_to("apps.connections.open")
        assert len(opened) == 3, "the start's URL, the dead one, then a fresh one"
        await fake.send_envelope(envelope(event_body(dm(QUESTION), event_id="EvS1"), envelope_id="env-1"))
        await fake.wait_for_ack("env-1")
        [post] = await fake.wait_for("chat.postMessage")
        assert post.body["channel"] == "D111"
        await fake.wait_until(lambda: slack.connected, what="the bot to count itself connected")
    finally:
        await slack.close()
    assert not slack.connected


def test_a_dead_websocket_url_is_replaced_ever_more_slowly_but_at_least_every_five_minutes() -> None:
    # apps.connections.open allows about one call a minute: an outage must not spend it all.
    waits = [RECONNECT_WAIT]
    for _ in range(6):
        waits.append(next_reconnect_wait(waits[-1]))
    assert waits == [30.0, 60.0, 120.0, 240.0, RECONNECT_WAIT_MAX, RECONNECT_WAIT_MAX, RECONNECT_WAIT_MAX]
    assert next_reconnect_wait(600.0, first=600.0) == 600.0, "a first wait over the cap is kept, not shortened"


async def test_socket_mode_with_a_rejected_app_token_is_a_config_error(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    fake.fail("apps.connections.open", "invalid_auth")
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-bad")
    slack = SlackBot(settings, AskService(engine), db=db)
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN was rejected by Slack \(invalid_auth\)"):
        await slack.start()
    assert not slack.connected and fake.socket_connections == 0
    assert slack.locked_out is None, "the app-level token was refused, not the bot token"


# -- event claims ------------------------------------------------------------------------------


def test_event_claims_are_exclusive_and_forget_after_the_ttl(db: Database) -> None:
    now = [1000.0]
    claims = EventClaims(db, ttl=600, clock=lambda: now[0])
    other_process = EventClaims(db, ttl=600, clock=lambda: now[0])
    assert claims.claim("Ev1") is True
    assert claims.claim("Ev1") is False
    assert other_process.claim("Ev1") is False
    now[0] += 599
    assert claims.claim("Ev1") is False
    assert claims.claim("Ev2") is True
    now[0] += 2
    # Past the ttl, a claim counts as gone before any prune deleted it, once.
    assert claims.claim("Ev1") is True
    assert other_process.claim("Ev1") is False
    now[0] += 601
    assert claims.prune() == 2
    assert db.query("SELECT COUNT(*) FROM slack_events")[0][0] == 0
    assert claims.claim("Ev2") is True


def test_a_prune_of_many_claims_lets_go_of_the_database_between_batches(db: Database) -> None:
    from bot.db import DELETE_BATCH

    now = [1000.0]
    claims = EventClaims(db, ttl=600, clock=lambda: now[0])
    db.execute("BEGIN")
    for number in range(DELETE_BATCH * 2 + 5):
        db.execute("INSERT INTO slack_events (event_id, seen_at) VALUES (?, ?)", (f"Ev{number}", 1.0))
    db.execute("COMMIT")
    statements: list[str] = []
    db._conn.set_trace_callback(statements.append)
    try:
        assert claims.prune() == DELETE_BATCH * 2 + 5
    finally:
        db._conn.set_trace_callback(None)
    assert sum(statement.startswith("DELETE FROM slack_events") for statement in statements) == 3
    assert claims.claim("Ev1") is True


def test_an_event_claim_on_a_database_another_process_holds_is_handled_as_new(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    claims = EventClaims(db, ttl=600)
    holder = sqlite3.connect(db.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        with caplog.at_level(logging.WARNING, logger="adapters.slack_adapter"):
            assert claims.claim("Ev1") is True
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [r.getMessage() for r in caplog.records] == [
        "could not record Slack event Ev1 (database is locked); handling it as new"
    ]
    assert claims.claim("Ev2") is True and claims.claim("Ev2") is False


async def test_a_double_click_on_share_posts_the_answer_once(http: TestClient, fake: FakeSlackApi) -> None:
    await slash(http, fake, QUESTION)
    [reply] = await fake.wait_for("response:cmd")
    share = find_button(reply.body["blocks"], "share_answer")
    assert await asyncio.gather(click(http, fake, share, ephemeral=True), click(http, fake, share, ephemeral=True)) == [
        200, 200,
    ]
    [deleted] = await fake.wait_for("response:act")
    assert deleted.body == {"delete_original": True}
    await post_event(http, event_body(dm(QUESTION), event_id="EvAfter"))
    await fake.wait_until(lambda: any(c.body.get("channel") == "D111" for c in fake.calls_to("chat.postMessage")))
    assert [c.body["channel"] for c in fake.calls_to("chat.postMessage", ok_only=False)].count(CHANNEL) == 1


async def test_a_share_refused_can_be_clicked_again_once_the_bot_is_invited(http: TestClient, fake: FakeSlackApi) -> None:
    fake.fail("chat.postMessage", "not_in_channel")
    fake.http_error("response:act", 404)
    share = {"action_id": "share_answer", "value": encode_value({"q": QUESTION, "f": "scale-ai-stake"})}
    await click(http, fake, share, ephemeral=True)
    await fake.wait_until(lambda: any("invite me" in str(c.body.get("text")) for c in fake.calls), what="the refusal")
    await click(http, fake, share, ephemeral=True)
    [post] = await fake.wait_for("chat.postMessage")
    assert post.body["channel"] == CHANNEL


async def test_an_answer_slack_did_not_serve_is_posted_after_a_short_wait_and_once(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.unavailable("chat.postMessage")
    async with serving(slack) as client:
        await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        [post] = await fake.wait_for("chat.postMessage")
    assert [c.status for c in fake.calls_to("chat.postMessage", ok_only=False)] == [503, 200]
    assert post.body["thread_ts"] == "1699999999.000100" and slept == [1.0]


async def test_an_answer_slack_did_not_serve_after_a_rate_limit_is_still_posted_again(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # The 429 waited out used up the one retry owed to service_unavailable: the answer was lost.
    slept: list[float] = []
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, sleep=recording_sleep(slept))
    fake.rate_limit_once("chat.postMessage", retry_after=2)
    fake.unavailable("chat.postMessage")
    fake.rate_limit_once("chat.postMessage", retry_after=3)
    async with serving(slack) as client:
        await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
        [post] = await fake.wait_for("chat.postMessage")
    assert [c.status for c in fake.calls_to("chat.postMessage", ok_only=False)] == [429, 503, 429, 200]
    assert post.body["thread_ts"] == "1699999999.000100" and slept == [2.0, 1.0, 3.0]


async def test_an_answer_slack_may_have_served_before_a_5xx_is_not_posted_again(http: TestClient, fake: FakeSlackApi) -> None:
    fake.http_error("chat.postMessage", 503)
    fake.unavailable("chat.postMessage", times=2)
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="2.0"), event_id="Ev2"))
    await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage", ok_only=False)) >= 3)
    await asyncio.sleep(0.1)
    assert [c.status for c in fake.calls_to("chat.postMessage", ok_only=False)] == [503, 503, 503]


# -- a database another process holds ------------------------------------------------------


async def test_a_mention_while_another_process_holds_the_database_is_answered_without_stalling_the_event_loop(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path
) -> None:
    # The event's claim, the message's claim and the question's log row each wait for the database.
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine, hooks=[QuestionLog(db).hook]), db=db)
    await slack.start()
    try:
        async with serving(slack) as client:
            holder = hold_write_lock(db.path, seconds=LOCK_HELD)
            try:

                async def mentioned() -> int:
                    status = await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
                    await fake.wait_for("chat.postMessage", timeout=10)
                    return status

                status, stall = await longest_stall(mentioned())
            finally:
                holder.join()
    finally:
        await slack.close()
    assert status == 200
    [post] = fake.calls_to("chat.postMessage")
    assert "scale-ai-stake" in json.dumps(post.body["blocks"])
    assert stall < 0.5, f"the event loop stood still for {stall:.1f} s while the claims waited"


async def test_a_vote_while_another_process_holds_the_database_is_recorded_without_stalling_the_event_loop(
    http: TestClient, fake: FakeSlackApi, db: Database
) -> None:
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    [post] = await fake.wait_for("chat.postMessage")
    message = {"type": "message", "ts": "1700000000.000001", "thread_ts": "1699999999.000100", "text": "x"}
    holder = hold_write_lock(db.path, seconds=1.5)  # less than a vote's 2 s wait: it is written
    try:

        async def voted() -> None:
            await click(http, fake, find_button(post.body["blocks"], "vote:up"), ephemeral=False, message=message)
            await fake.wait_for("response:act", timeout=10)

        _, stall = await longest_stall(voted())
    finally:
        holder.join()
    [thanks] = fake.calls_to("response:act")
    assert "👍" in thanks.body["text"]
    assert [v["vote"] for v in FeedbackStore(db).votes()] == ["up"]
    assert stall < 0.5, f"the event loop stood still for {stall:.1f} s while the vote waited"
