"""The real discord.py client against a fake Discord (REST + gateway) on loopback.

Every test drives the bot the way Discord does, with INTERACTION_CREATE and MESSAGE_CREATE
dispatches over the fake gateway, and asserts on the JSON the fake REST API received.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import socket
import subprocess
import sys
import threading
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator

import discord
import pytest
from discord.gateway import DiscordWebSocket
from zoneinfo import ZoneInfo

from adapters.digest_runner import build_digest_scheduler, channel_finder, channel_sender
from adapters.discord_adapter import (
    EDIT_WINDOW_SECONDS,
    GONE,
    NOT_A_FORM,
    NO_DIGEST,
    OUTDATED,
    SOMETHING_WRONG,
    UNREADABLE,
    DiscordBot,
    LeftUnanswered,
    parse_guild_ids,
)
from bot.cli import main
from bot.config import Settings
from bot.db import Database
from bot.digest_schedule import DigestSchedule, DigestScheduler
from bot.digest_store import DigestStore
from bot.engine import Engine
from bot.errors import ConfigError
from bot.models import Answer, FactBase
from bot.rate_limit import OncePerWindow, RateLimiter
from bot.service import AskService
from tests.test_logging_setup import capture  # noqa: F401 - a fixture
from tests.fakes.discord_api import (
    APPLICATION_ID,
    BOT_USER,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    HUMAN,
    USER_ID,
    Call,
    FakeDiscord,
    channel_payload,
    command_interaction,
    component_interaction,
    guild_create,
    message_create,
    message_payload,
    message_update,
    role_payload,
)

SCALE_QUESTION = "how big is meta's stake in scale ai?"
UNKNOWN_QUESTION = "What does the bakery on the corner sell?"
EPHEMERAL = 64
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@pytest.fixture(autouse=True)
def restore_discord_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot sets these process-wide class attributes; put them back after each test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.in_data_dir(tmp_path / "data")
    yield database
    database.close()


def settings_for(fake: FakeDiscord, **extra: Any) -> Settings:
    return Settings(
        discord_token="test-token",
        discord_api_url=fake.base_url,
        discord_gateway_url=fake.gateway_url,
        **extra,
    )


@asynccontextmanager
async def running(fake: FakeDiscord, service: AskService, db: Database, **options: Any) -> AsyncIterator[DiscordBot]:
    settings = settings_for(fake, discord_guild_ids=options.pop("guild_ids", None))
    bot = DiscordBot(settings, service, db=db, ready_timeout=0.01, **options)
    await bot.start()
    try:
        await fake.wait_ready()
        yield bot
    finally:
        await bot.close()


@pytest.fixture
async def bot(fake: FakeDiscord, engine: Engine, db: Database) -> AsyncIterator[DiscordBot]:
    async with running(fake, AskService(engine), db) as started:
        yield started


async def until(condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Poll a condition the bot satisfies asynchronously; fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def interact(fake: FakeDiscord, payload: dict[str, Any]) -> Call:
    """Dispatch an interaction and return the bot's callback for it."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    [call] = await fake.wait_for("POST", rf"^/interactions/{payload['id']}/")
    return call


def ask_payload(fake: FakeDiscord, question: str, **options: Any) -> dict[str, Any]:
    return command_interaction(
        "ask", [{"name": "question", "type": 3, "value": question}], interaction_id=fake.new_id(), **options
    )


def buttons(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in data.get("components", []) for b in row["components"]]


def sent_message(fake: FakeDiscord, data: dict[str, Any]) -> dict[str, Any]:
    """The message as Discord stores it after the bot sent `data` (what a click arrives with)."""
    return message_payload(id=fake.new_id(), embeds=data["embeds"], components=data.get("components", []))


def autocomplete_payload(fake: FakeDiscord, options: list[dict[str, Any]] | None, *, name: str = "ask",
                         **extra: Any) -> dict[str, Any]:
    return command_interaction(name, options, interaction_id=fake.new_id(), autocomplete=True, **extra)


def logged_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record logged with a traceback: nothing a client sends should cause one."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info] + (
        ["Traceback in the log text"] if "Traceback" in caplog.text else []
    )


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The bot's own warnings, in order."""
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("adapters.")]


@pytest.fixture
def refused_url() -> Iterator[str]:
    """An API URL on a loopback port that refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v10"


# -- connecting ----------------------------------------------------------------------------


async def test_the_bot_logs_in_connects_without_privileged_intents_and_reports_connected(
    fake: FakeDiscord, bot: DiscordBot
) -> None:
    session = await fake.wait_ready()
    assert session.identify["token"] == "test-token"
    assert session.identify["intents"] & PRIVILEGED_INTENTS == 0
    assert fake.find("GET", "^/users/@me$") and fake.find("GET", "^/oauth2/applications/@me$")
    await until(lambda: bot.connected)
    # Without DISCORD_GUILD_IDS nothing is synced on start, and never globally.
    assert fake.find("PUT", "/commands$") == []

    await bot.close()
    assert not bot.connected


async def test_start_syncs_the_commands_to_each_configured_guild_and_never_globally(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    async with running(fake, AskService(engine), db, guild_ids="111, 222"):
        puts = await fake.wait_for("PUT", "/commands$", count=2)

    assert [c.path for c in puts] == [
        f"/applications/{APPLICATION_ID}/guilds/111/commands",
        f"/applications/{APPLICATION_ID}/guilds/222/commands",
    ]
    for put in puts:
        assert [c["name"] for c in put.json] == ["ask", "topics", "digest"]
        [option] = put.json[0]["options"]
        assert option["name"] == "question" and option["autocomplete"] is True and option["max_length"] == 500
    assert fake.find("PUT", f"^/applications/{APPLICATION_ID}/commands$") == []


async def test_a_guild_that_refuses_the_sync_is_one_log_line_and_the_bot_still_starts(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("PUT", "/guilds/111/commands$", status=403, code=50001, message="Missing Access")
    fake.fail("PUT", "/guilds/222/commands$", status=404, code=10002, message="Unknown Application")
    async with running(fake, AskService(engine), db, guild_ids="111,222,333") as bot:
        await until(lambda: bot.connected)
        assert bot.client.synced == {333: ["ask", "topics", "digest"]}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert "server 111 (HTTP 403, code 50001: Missing Access)" in errors[0]
    assert "server 222 (HTTP 404, code 10002: Unknown Application)" in errors[1]
    assert logged_tracebacks(caplog) == []


@pytest.mark.parametrize("value", ["abc", "123,x9", "12.5", "-4", "0", "18446744073709551616"])
def test_malformed_guild_ids_are_one_config_error(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_guild_ids(value)
    assert "DISCORD_GUILD_IDS" in str(caught.value) and "\n" not in str(caught.value)


def test_guild_ids_parse_with_spaces_and_blanks(engine: Engine, db: Database) -> None:
    assert parse_guild_ids(" 111 , 222,,111 ") == [111, 222]
    assert parse_guild_ids(None) == []
    with pytest.raises(ConfigError):
        DiscordBot(Settings(discord_token="t", discord_guild_ids="nope"), AskService(engine), db=db)


async def test_a_rejected_token_is_a_config_error(fake: FakeDiscord, engine: Engine, db: Database) -> None:
    fake.fail("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    bot = DiscordBot(settings_for(fake), AskService(engine), db=db)
    with pytest.raises(ConfigError, match="DISCORD_TOKEN was rejected"):
        await bot.start()
    await bot.close()
    assert fake.sessions == []


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("abc.def\nghi", "line breaks"),
        ("abc.def\x00", "line breaks"),
        ("tökén.abc", "line breaks"),
        ("two words", "line breaks"),
        ("Bot abc.def", "without the 'Bot '"),
    ],
    ids=["line-break", "nul", "non-ascii", "space", "bot-prefix"],
)
async def test_a_token_that_cannot_be_a_bot_token_is_one_config_error_before_any_request(
    fake: FakeDiscord, engine: Engine, db: Database, token: str, says: str
) -> None:
    settings = Settings(discord_token=token, discord_api_url=fake.base_url, discord_gateway_url=fake.gateway_url)
    with pytest.raises(ConfigError) as caught:
        DiscordBot(settings, AskService(engine), db=db)
    message = str(caught.value)
    assert message.startswith("DISCORD_TOKEN is invalid") and says in message and "\n" not in message
    assert fake.calls == []


async def test_a_discord_api_out_of_reach_at_start_is_one_warning_and_the_bot_keeps_trying_until_closed(
    engine: Engine, db: Database, refused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(discord_token="test-token", discord_api_url=refused_url)
    bot = DiscordBot(settings, AskService(engine), db=db, reconnect_delays=(0.0, 3600.0))
    gateway = await bot.start()
    try:
        # The first try in the background fails too; the next one is an hour away.
        await until(lambda: len(_warnings(caplog)) == 2)
        assert not gateway.done() and not bot.connected
    finally:
        await bot.close()
    assert gateway.done() and not bot.connected
    first, second = _warnings(caplog)
    assert first.startswith(f"could not reach Discord at {refused_url} (")
    assert first.endswith("; starting anyway, connecting to Discord in the background (next try in 0 s)")
    assert second.startswith(f"could not reach Discord at {refused_url} (") and second.endswith("; trying again in 3600 s")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert logged_tracebacks(caplog) == []


async def test_a_login_that_fails_with_a_5xx_at_start_is_tried_again_until_the_bot_connects(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("GET", "^/users/@me$", status=503, code=0, message="upstream connect error", times=2)
    bot = DiscordBot(settings_for(fake), AskService(engine), db=db, ready_timeout=0.01, reconnect_delays=(0.0,))
    await bot.start()
    try:
        assert not bot.connected
        await fake.wait_ready()
        await until(lambda: bot.connected)
        await fake.dispatch("INTERACTION_CREATE", ask_payload(fake, SCALE_QUESTION))
        await fake.wait_for("POST", "/callback$")
    finally:
        await bot.close()
    assert [c.status for c in fake.find("GET", "^/users/@me$")] == [503, 503, 200]
    assert _warnings(caplog) == [
        "Discord failed the login (HTTP 503, code 0: upstream connect error); "
        "starting anyway, connecting to Discord in the background (next try in 0 s)",
        "Discord failed the login (HTTP 503, code 0: upstream connect error); trying again in 0 s",
    ]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert logged_tracebacks(caplog) == []


async def test_a_token_rejected_once_discord_answers_again_ends_the_gateway_task_with_one_config_error(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("GET", "^/users/@me$", status=503, code=0, message="upstream connect error")
    fake.fail("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    bot = DiscordBot(settings_for(fake), AskService(engine), db=db, reconnect_delays=(0.0,))
    gateway = await bot.start()
    try:
        await asyncio.wait_for(asyncio.wait({gateway}), timeout=5)
    finally:
        await bot.close()
    error = gateway.exception()
    assert isinstance(error, ConfigError)
    assert str(error) == "DISCORD_TOKEN was rejected by Discord; copy the bot token again from the Developer Portal"
    assert fake.sessions == [] and len(_warnings(caplog)) == 1
    # Whoever started the bot reports it (serve: one line, then it stops): nothing here.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_voice_library_warnings_are_off_and_discord_pys_other_warnings_are_not(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a fresh process without PyNaCl and davey: discord.py warns once, on the first client.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    fake.interactions_endpoint_url = "https://example.com/interactions"
    async with running(fake, AskService(engine), db):
        pass
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("discord.") and r.levelno == logging.WARNING]
    assert not any("voice will NOT be supported" in w for w in warnings), warnings
    assert any(w.startswith("Application has an interaction endpoint URL set") for w in warnings), warnings


async def test_a_login_discord_refuses_other_than_401_is_one_config_error(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    fake.fail("GET", "^/oauth2/applications/@me$", status=403, code=50001, message="Missing Access")
    bot = DiscordBot(settings_for(fake), AskService(engine), db=db)
    with pytest.raises(ConfigError) as caught:
        await bot.start()
    await bot.close()
    assert str(caught.value) == (
        "Discord refused the login (HTTP 403, code 50001: Missing Access); check DISCORD_TOKEN and DISCORD_API_URL"
    )
    assert fake.sessions == []


async def test_a_gateway_that_refuses_the_token_ends_the_gateway_task_with_one_config_error(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.reject_identify = 4004
    bot = DiscordBot(settings_for(fake), AskService(engine), db=db, ready_timeout=0.01)
    gateway = await bot.start()
    try:
        await asyncio.wait_for(asyncio.wait({gateway}), timeout=5)
        assert not bot.connected
    finally:
        await bot.close()
    error = gateway.exception()
    assert isinstance(error, ConfigError)
    assert str(error) == (
        "Discord closed the gateway connection for good (code 4004, authentication failed): "
        "DISCORD_TOKEN is no longer a valid bot token; copy it again from the Developer Portal"
    )
    assert len(fake.sessions) == 0
    # Whoever started the bot reports it (serve: one line, then it stops): nothing here.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert logged_tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("code", "meaning", "fix"),
    [
        (4004, "authentication failed", "DISCORD_TOKEN"),
        (4010, "invalid shard", "DISCORD_GATEWAY_URL"),
        (4011, "sharding required", "too many servers"),
        (4012, "invalid API version", "update discord.py"),
        (4013, "invalid intents", "update discord.py"),
        (4014, "disallowed intents", "Developer Portal"),
    ],
)
async def test_a_connection_discord_closes_for_good_after_the_start_ends_the_gateway_task_without_reconnecting(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture,
    code: int, meaning: str, fix: str,
) -> None:
    async with running(fake, AskService(engine), db, reconnect_delays=(0.0,)) as bot:
        await until(lambda: bot.connected)
        gateway = bot._task
        assert gateway is not None
        await fake.close_gateway(code)
        await asyncio.wait_for(asyncio.wait({gateway}), timeout=5)
        assert not bot.connected

    error = gateway.exception()
    assert isinstance(error, ConfigError)
    assert str(error).startswith(f"Discord closed the gateway connection for good (code {code}, {meaning}): ")
    assert fix in str(error)
    assert len(fake.sessions) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert logged_tracebacks(caplog) == []


async def test_a_connection_dropped_with_a_code_to_resume_from_is_resumed_and_the_bot_answers_on(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(fake, AskService(engine), db, reconnect_delays=(0.0,)) as bot:
        await until(lambda: bot.connected)
        await fake.close_gateway(4000, "Unknown error")
        await until(lambda: len(fake.sessions) == 2)
        assert fake.sessions[1].resumed
        await until(lambda: bot.connected)
        call = await interact(fake, ask_payload(fake, SCALE_QUESTION))
        assert call.json["type"] == 4
        assert bot._task is not None and not bot._task.done()

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_gateway_reconnect_discord_py_makes_by_itself_is_one_line_without_a_traceback(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(fake, AskService(engine), db, reconnect_delays=(0.0,)) as bot:
        await until(lambda: bot.connected)
        fake.refuse_gateway = 1  # the reconnect after the drop fails once: discord.py logs its retry
        await fake.close_gateway(4000, "Unknown error")
        await until(lambda: len(fake.sessions) == 2)
        await until(lambda: bot.connected)

    [retry] = [r for r in caplog.records if r.getMessage().startswith("Attempting a reconnect")]
    assert retry.exc_info is None and "[WSServerHandshakeError" in retry.getMessage()
    assert logged_tracebacks(caplog) == []


def _unreadable(fake: FakeDiscord, kind: str) -> tuple[str, Any]:
    """A dispatch discord.py cannot parse: Discord never sends these, a broken proxy or fake might."""
    click = component_interaction("factbot:suggest:scale-ai-stake", message_payload(id=fake.new_id()),
                                  interaction_id=fake.new_id())
    if kind == "click-without-component-type":
        del click["data"]["component_type"]
    elif kind == "interaction-without-token":
        del click["token"]
    elif kind == "interaction-without-data":
        del click["data"]
    elif kind == "interaction-that-is-null":
        return "INTERACTION_CREATE", None
    elif kind == "message-without-author":
        message = message_create(f"<@{BOT_USER_ID}> hi", id=fake.new_id(), mentions=[BOT_USER])
        del message["author"]
        return "MESSAGE_CREATE", message
    return "INTERACTION_CREATE", click


@pytest.mark.parametrize(
    "kind",
    ["click-without-component-type", "interaction-without-token", "interaction-without-data",
     "interaction-that-is-null", "message-without-author"],
)
async def test_a_dispatch_the_client_cannot_read_is_one_log_line_and_the_bot_keeps_answering(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    event, data = _unreadable(fake, kind)
    await fake.dispatch(event, data)

    # Dispatches are read in order: once the next one is answered, the bad one has been dealt with.
    call = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert call.json["type"] == 4 and "49%" in call.json["data"]["embeds"][0]["description"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith(f"skipped a gateway event that could not be read: {event} ")
    assert logged_tracebacks(caplog) == []
    await until(lambda: bot.connected)
    assert len(fake.sessions) == 1


async def test_a_garbled_gateway_frame_costs_one_connection_and_the_bot_connects_again(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(fake, AskService(engine), db, reconnect_delays=(0.0,)) as bot:
        await until(lambda: bot.connected)
        await fake.send_raw("{this is not JSON")
        await until(lambda: len(fake.sessions) == 2)
        call = await interact(fake, ask_payload(fake, SCALE_QUESTION))
        assert call.json["type"] == 4
        await until(lambda: bot.connected)

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "connecting again" in errors[0]
    assert logged_tracebacks(caplog) == []


async def test_a_gateway_that_cannot_be_reached_at_start_is_logged_with_its_cause_until_it_can(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.refuse_gateway = 2
    async with running(fake, AskService(engine), db, reconnect_delays=(0.0,)) as bot:
        await until(lambda: bot.connected)
        call = await interact(fake, ask_payload(fake, SCALE_QUESTION))
        assert call.json["type"] == 4

    failed = [r.getMessage() for r in caplog.records if r.name == "adapters.discord_adapter" and r.levelno >= logging.ERROR]
    assert len(failed) == 2
    assert all(line.startswith("the Discord gateway connection failed (WSServerHandshakeError: 503") for line in failed)
    assert logged_tracebacks(caplog) == []


async def test_while_the_gateway_is_down_the_bot_reports_not_connected_and_still_closes_at_once(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    async with running(fake, AskService(engine), db, reconnect_delays=(3600.0,)) as bot:
        await until(lambda: bot.connected)
        await fake.send_raw("{this is not JSON")
        await until(lambda: not bot.connected)
        assert len(fake.sessions) == 1
        gateway = bot._task
    # Closing ends the wait before the next connection, rather than waiting it out.
    assert gateway is not None and gateway.done()


# -- stopping with replies in flight ------------------------------------------------------


class HeldService(AskService):
    """Answers only once the test releases it, so an answer is in flight as long as a test needs."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.asked = threading.Event()
        self.release = threading.Event()

    def ask(self, question: str, **kwargs: Any) -> Answer:
        self.asked.set()
        assert self.release.wait(10), "the test never released the answer"
        return super().ask(question, **kwargs)


@pytest.mark.parametrize("kind", ["command", "mention"])
async def test_close_leaves_the_gateway_then_lets_a_reply_in_flight_finish_before_the_client_closes(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.in_flight")
    service = HeldService(engine)
    bot = DiscordBot(settings_for(fake), service, db=db, ready_timeout=0.01, defer_after=0.0)
    await bot.start()
    try:
        session = await fake.wait_ready()
        if kind == "command":
            deferral = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="late-token"))
            assert deferral.json["type"] == 5
        else:
            mention = message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER])
            await fake.dispatch("MESSAGE_CREATE", mention)
        await asyncio.to_thread(service.asked.wait, 5)
        closing = asyncio.create_task(bot.close())
        await until(lambda: session.closed and "reply(ies) in flight" in caplog.text)
        assert not closing.done()
        service.release.set()
        await asyncio.wait_for(closing, timeout=10)
    finally:
        service.release.set()
        await bot.close()

    if kind == "command":
        [reply] = fake.find("PATCH", f"^/webhooks/{APPLICATION_ID}/late-token/messages/@original$")
    else:
        [reply] = fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert reply.status == 200 and "49%" in reply.json["embeds"][0]["description"]
    assert logged_tracebacks(caplog) == []


async def test_close_cuts_a_reply_still_running_after_the_grace(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    service = HeldService(engine)
    bot = DiscordBot(settings_for(fake), service, db=db, ready_timeout=0.01, defer_after=0.0, reply_grace=0.1)
    await bot.start()
    try:
        await fake.wait_ready()
        await interact(fake, ask_payload(fake, SCALE_QUESTION, token="stuck-token"))
        await asyncio.to_thread(service.asked.wait, 5)
        await asyncio.wait_for(bot.close(), timeout=10)
        assert "cutting 1 Discord reply(ies) still running" in caplog.text
        assert bot.client.is_closed() and not bot.client.replies_in_flight
    finally:
        service.release.set()
        await bot.close()
    assert fake.find("POST", f"^/webhooks/{APPLICATION_ID}/stuck-token") == []
    assert fake.find("PATCH", f"^/webhooks/{APPLICATION_ID}/stuck-token") == []


# -- /ask ----------------------------------------------------------------------------------


async def test_ask_answers_with_an_embed_holding_the_answer_and_the_verbatim_quote(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    seen: list[tuple[str, str, str | None]] = []
    service = AskService(engine, hooks=[lambda q, a, platform, user: seen.append((q, platform, user))])
    expected = engine.answer(SCALE_QUESTION)
    assert expected.answered

    async with running(fake, service, db):
        call = await interact(fake, ask_payload(fake, SCALE_QUESTION))

    assert call.json["type"] == 4
    data = call.json["data"]
    assert data["allowed_mentions"] == {"parse": []}
    [embed] = data["embeds"]
    assert embed["title"] == expected.canonical_question
    assert embed["author"]["name"] == f"Asked: {SCALE_QUESTION}"
    assert expected.text in embed["description"]
    for quote in expected.quotes:
        assert f"> {quote.text}" in embed["description"]
        assert quote.source.title in embed["description"]
    assert embed["footer"]["text"] == f"Fact {expected.fact_id}"
    custom_ids = [b["custom_id"] for b in buttons(data)]
    assert custom_ids[:3] == [f"factbot:related:{r.fact_id}" for r in expected.related[:3]]
    assert [c.split(":")[2] for c in custom_ids[3:]] == ["up", "down"]
    assert seen == [(SCALE_QUESTION, "discord", USER_ID)]


async def test_a_slow_answer_is_deferred_then_fills_the_thinking_placeholder(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    release = threading.Event()

    class SlowService(AskService):
        def ask(self, question: str, **kwargs: Any) -> Answer:
            assert release.wait(5), "the test never released the answer"
            return super().ask(question, **kwargs)

    async with running(fake, SlowService(engine), db, defer_after=0.0):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="slow-token"))
        assert first.json["type"] == 5  # "thinking", inside Discord's 3 seconds
        assert fake.find("POST", "^/webhooks/") == []
        release.set()
        [filled] = await fake.wait_for("PATCH", f"^/webhooks/{APPLICATION_ID}/slow-token/messages/@original$")

    assert filled.json["allowed_mentions"] == {"parse": []}
    assert filled.ephemeral is False
    assert engine.answer(SCALE_QUESTION).text in filled.json["embeds"][0]["description"]
    assert fake.find("POST", "^/webhooks/") == []


async def test_a_slow_answer_whose_reply_got_lost_in_a_5xx_is_shown_once(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord carries out the request, then its edge answers 502: discord.py sends it again.
    for method in ("POST", "PATCH"):
        fake.fail(method, f"^/webhooks/{APPLICATION_ID}/lost-token", status=502, code=0, message="Bad Gateway", lost=True)
    sent = lambda: [c for c in fake.calls if c.path.startswith(f"/webhooks/{APPLICATION_ID}/lost-token")]  # noqa: E731
    async with running(fake, AskService(engine), db, defer_after=0.0):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="lost-token"))
        assert first.json["type"] == 5
        await until(lambda: any(c.status == 200 for c in sent()), timeout=10)
    lost, shown = sent()

    assert (lost.status, shown.status) == (502, 200)
    # Both requests fill the one placeholder: no second copy of the answer in the channel.
    assert [c.path for c in (lost, shown)] == [f"/webhooks/{APPLICATION_ID}/lost-token/messages/@original"] * 2
    assert fake.find("POST", "^/webhooks/") == []
    assert "49%" in shown.json["embeds"][0]["description"]
    assert logged_tracebacks(caplog) == []


async def test_a_question_with_everyone_is_answered_without_pinging(fake: FakeDiscord, bot: DiscordBot) -> None:
    call = await interact(fake, ask_payload(fake, "@everyone @here <@&123> how big is meta's stake in scale ai?"))

    data = call.json["data"]
    assert call.json["type"] == 4
    assert data["allowed_mentions"] == {"parse": []}
    assert not data.get("content")
    assert "49%" in data["embeds"][0]["description"]


@pytest.mark.parametrize("question", ["<@1400000000000000099>", "   ", "~~who is Altman~~", "<#1300000000000000001> <t:1700000000:F>"])
async def test_an_ask_with_nothing_left_to_ask_gets_the_help_alone(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, question: str
) -> None:
    # Only a mention, a channel, white space or struck-through text: nothing asked, so the
    # help goes to the asker, as /topics does, not to the whole channel.
    call = await interact(fake, ask_payload(fake, question))

    data = call.json["data"]
    assert call.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert len(data["embeds"][0]["fields"]) == len(engine.topics())


async def test_an_asker_over_the_rate_limit_is_told_so_alone(fake: FakeDiscord, engine: Engine, db: Database) -> None:
    limiter = RateLimiter(1, clock=lambda: 0.0)
    async with running(fake, AskService(engine, rate_limiter=limiter), db):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION))
        second = await interact(fake, ask_payload(fake, SCALE_QUESTION))

    assert first.json["type"] == 4 and not first.json["data"].get("flags", 0) & EPHEMERAL
    data = second.json["data"]
    assert second.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert data["embeds"][0]["description"].startswith("You've asked 1 question in the last minute")
    assert "components" not in data or data["components"] == []


async def test_a_question_over_the_rate_limit_is_logged_off_the_event_loop(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    # The question log writes to the database, which another process may hold for a while:
    # written on the event loop, every question over the limit would stall the whole bot.
    threads: list[str] = []
    hook = lambda question, answer, platform, user: threads.append(threading.current_thread().name)  # noqa: E731
    service = AskService(engine, hooks=[hook], rate_limiter=RateLimiter(1, clock=lambda: 0.0))
    async with running(fake, service, db):
        await interact(fake, ask_payload(fake, SCALE_QUESTION))
        limited = await interact(fake, ask_payload(fake, SCALE_QUESTION))

    assert limited.json["data"]["flags"] & EPHEMERAL
    assert len(threads) == 2 and threading.main_thread().name not in threads, threads


async def test_mentions_over_the_rate_limit_in_a_channel_get_one_note_a_minute_not_one_each(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    # A reply to a message is public on Discord: someone who keeps mentioning the bot past the
    # limit must not make it fill the channel with "try again" notes.
    now = [0.0]
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: now[0]))
    async with running(fake, service, db) as bot:
        bot.responder._wait_notes = OncePerWindow(clock=lambda: now[0])
        for _ in range(4):
            await fake.dispatch("MESSAGE_CREATE", message_create(
                f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER]))  # fmt: skip
        await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=2)
        await asyncio.sleep(0.3)  # the last two mentions are handled by now, and stay unanswered
        replies = fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")
        # In another channel, where nobody saw the note, the asker is told once there too.
        await fake.dispatch("MESSAGE_CREATE", message_create(
            f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER],
            channel_id="1300000000000000009"))  # fmt: skip
        [elsewhere] = await fake.wait_for("POST", "^/channels/1300000000000000009/messages$")
        now[0] += 61  # a minute later, the asker is let in again
        await fake.dispatch("MESSAGE_CREATE", message_create(
            f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER]))  # fmt: skip
        await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=3)
    assert elsewhere.json["embeds"][0]["description"].startswith("You've asked 1 question")
    descriptions = [r.json["embeds"][0]["description"] for r in fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")]
    assert len(replies) == 2 and len(descriptions) == 3
    assert "49%" in descriptions[0] and descriptions[1].startswith("You've asked 1 question") and "49%" in descriptions[2]


async def test_an_ask_over_the_rate_limit_is_refused_to_the_asker_alone_even_when_answers_are_slow(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    gate = threading.Semaphore(0)

    class SlowService(AskService):
        def ask(self, question: str, **kwargs: Any) -> Answer:
            assert gate.acquire(timeout=5), "the test never let the question through"
            return super().ask(question, **kwargs)

    service = SlowService(engine, rate_limiter=RateLimiter(1, clock=lambda: 0.0))
    async with running(fake, service, db, defer_after=0.0):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="first-token"))
        gate.release()
        [answer] = await fake.wait_for("PATCH", f"^/webhooks/{APPLICATION_ID}/first-token/messages/@original$")
        second = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="second-token"))

    assert first.json["type"] == 5  # the slow answer was deferred: "thinking" in the channel
    assert answer.ephemeral is False
    assert engine.answer(SCALE_QUESTION).text in answer.json["embeds"][0]["description"]
    # The refusal is known before any deferral: a direct reply only the asker sees, no placeholder.
    assert second.json["type"] == 4
    assert second.ephemeral is True
    assert second.json["data"]["embeds"][0]["description"].startswith("You've asked 1 question in the last minute")
    assert not second.json["data"].get("components")
    assert not fake.find("POST", f"^/webhooks/{APPLICATION_ID}/second-token")
    assert not fake.find("DELETE", "^/webhooks/")


async def test_autocomplete_offers_the_best_matching_questions_first(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    typed = "scale a"
    payload = command_interaction(
        "ask", [{"name": "question", "type": 3, "value": typed, "focused": True}],
        interaction_id=fake.new_id(), autocomplete=True,
    )

    call = await interact(fake, payload)

    assert call.json["type"] == 8
    choices = call.json["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert choices[0]["value"] == engine.complete(typed)[0].question == "How much of Scale AI does Meta own?"
    assert [c["value"] for c in choices] == [r.question for r in engine.complete(typed, limit=25)]


async def test_autocomplete_with_nothing_typed_still_keeps_to_25_choices(fake: FakeDiscord, bot: DiscordBot) -> None:
    payload = command_interaction(
        "ask", [{"name": "question", "type": 3, "value": "", "focused": True}],
        interaction_id=fake.new_id(), autocomplete=True,
    )
    call = await interact(fake, payload)
    assert call.json["type"] == 8 and len(call.json["data"]["choices"]) == 25


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("ask", [{"name": "question", "type": 3, "value": "scale"}]),
        ("ask", None),
        ("ask", [{"name": "topic", "type": 3, "value": "scale", "focused": True}]),
        ("topics", [{"name": "question", "type": 3, "value": "scale", "focused": True}]),
        ("oldcmd", [{"name": "question", "type": 3, "value": "scale", "focused": True}]),
        ("ask", [{"name": "question", "type": 3, "focused": True}]),
        ("ask", "question"),
    ],
    ids=["nothing-focused", "no-options", "unknown-option", "command-without-options", "unknown-command",
         "option-without-value", "options-not-a-list"],
)
async def test_an_autocomplete_request_for_no_option_that_autocompletes_gets_an_empty_list(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, name: str, options: Any
) -> None:
    payload = autocomplete_payload(fake, options, name=name)
    call = await interact(fake, payload)
    assert call.json == {"type": 8, "data": {"choices": []}}
    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4
    assert len(fake.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert logged_tracebacks(caplog) == []


@pytest.mark.parametrize(
    "typed", [12345, None, "🦙 llama" * 20, "\u200b\u0000 scale"], ids=["number", "null", "emoji", "invisible"]
)
async def test_autocomplete_of_any_value_answers_with_valid_choices(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, typed: Any
) -> None:
    payload = autocomplete_payload(fake, [{"name": "question", "type": 3, "value": typed, "focused": True}])
    call = await interact(fake, payload)
    assert call.json["type"] == 8
    choices = call.json["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
    assert logged_tracebacks(caplog) == []


def hold_suggestions(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """Make the engine's suggestions wait until the returned event is set (as a big fact base makes
    them slowly); the list records what each call was asked to complete."""
    release, asked = threading.Event(), []
    complete = engine.complete

    def held(typed: str, **options: Any) -> Any:
        asked.append(typed)
        release.wait(5)
        return complete(typed, **options)

    monkeypatch.setattr(engine, "complete", held)
    return release, asked


async def test_autocomplete_is_made_off_the_event_loop_so_other_commands_are_answered_meanwhile(
    fake: FakeDiscord, engine: Engine, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, asked = hold_suggestions(engine, monkeypatch)
    async with running(fake, AskService(engine), db):
        typing = autocomplete_payload(fake, [{"name": "question", "type": 3, "value": "scale a", "focused": True}])
        await fake.dispatch("INTERACTION_CREATE", typing)
        await until(lambda: asked == ["scale a"])

        topics = await interact(fake, command_interaction("topics", interaction_id=fake.new_id()))
        assert topics.json["type"] == 4
        assert not fake.find("POST", rf"^/interactions/{typing['id']}/")  # still being made
        release.set()

        [suggested] = await fake.wait_for("POST", rf"^/interactions/{typing['id']}/")
    assert suggested.json["data"]["choices"][0]["value"] == "How much of Scale AI does Meta own?"


async def test_suggestions_not_made_in_time_are_an_empty_list_and_those_waiting_are_dropped_unmade(
    fake: FakeDiscord, engine: Engine, db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord drops an autocomplete request unanswered within 3 s: an empty list in time beats none.
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    release, asked = hold_suggestions(engine, monkeypatch)
    try:
        async with running(fake, AskService(engine), db, complete_within=0.2):
            first = await interact(fake, autocomplete_payload(
                fake, [{"name": "question", "type": 3, "value": "scale", "focused": True}]))
            second = await interact(fake, autocomplete_payload(
                fake, [{"name": "question", "type": 3, "value": "scale ai", "focused": True}]))
    finally:
        release.set()

    assert first.json == second.json == {"type": 8, "data": {"choices": []}}
    assert asked == ["scale"]  # the second waited behind the first and was dropped when its time was up
    slow = [w for w in _warnings(caplog) if "no suggestions within 0.2 s" in w]
    assert len(slow) == 1  # at most one such line a minute


async def test_an_autocomplete_request_that_expired_is_sent_once_and_logged_quietly(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters.discord_adapter")
    payload = autocomplete_payload(fake, [{"name": "question", "type": 3, "value": "scale", "focused": True}])
    fake.fail("POST", rf"^/interactions/{payload['id']}/", status=404, code=10062, message="Unknown interaction")

    call = await interact(fake, payload)
    assert call.status == 404
    await until(lambda: "autocomplete: the request expired" in caplog.text)
    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4
    assert len(fake.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert logged_tracebacks(caplog) == []


async def test_debug_logs_never_show_the_token_that_answers_an_interaction(
    fake: FakeDiscord, engine: Engine, db: Database, capture
) -> None:
    # An interaction's token lets whoever holds it post in the channel as the bot for 15 minutes,
    # mentions and all; discord.py logs each request to it, URL and all, at DEBUG.
    buffer = capture(log_level="DEBUG")
    async with running(fake, AskService(engine), db, defer_after=0):
        await interact(fake, ask_payload(fake, SCALE_QUESTION, token="aW50ZXJhY3Rpb246MTU6c2VjcmV0"))
        await fake.wait_for("PATCH", r"^/webhooks/")  # the deferred answer, filled in through the webhook
    logged = buffer.getvalue()
    assert "/interactions" in logged and "/webhooks" in logged  # the requests are logged ...
    assert "aW50ZXJhY3Rpb246MTU6c2VjcmV0" not in logged  # ... without the token


@pytest.mark.parametrize("value", [42, None, 4.5], ids=["number", "null", "float"])
async def test_ask_with_a_value_that_is_not_text_is_answered_as_text(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    payload = command_interaction("ask", [{"name": "question", "type": 3, "value": value}], interaction_id=fake.new_id())
    call = await interact(fake, payload)
    data = call.json["data"]
    assert call.json["type"] == 4 and data.get("content") != SOMETHING_WRONG
    [embed] = data["embeds"]
    if value is None:
        assert embed["fields"]  # nothing asked: the help
    else:
        assert embed["author"]["name"] == f"Asked: {value}"
    assert logged_tracebacks(caplog) == []


@pytest.mark.parametrize(
    "payload_of",
    [
        lambda fake: command_interaction("ask", None, interaction_id=fake.new_id()),
        lambda fake: command_interaction("oldcmd", None, interaction_id=fake.new_id()),
        lambda fake: {**command_interaction("Ask Factbot", None, interaction_id=fake.new_id()),
                      "data": {"id": "1600000000000000002", "name": "Ask Factbot", "type": 3, "target_id": USER_ID}},
    ],
    ids=["ask-without-its-option", "unknown-command", "unknown-context-menu"],
)
async def test_a_command_this_version_does_not_define_gets_one_private_sentence_and_one_log_line(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, payload_of: Callable[[FakeDiscord], dict]
) -> None:
    payload = payload_of(fake)
    call = await interact(fake, payload)
    assert call.json["type"] == 4 and call.ephemeral is True
    assert call.json["data"]["content"] == OUTDATED
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "python -m bot discord sync" in warnings[0]
    assert logged_tracebacks(caplog) == []


async def test_an_expired_interaction_is_logged_and_the_bot_keeps_answering(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.discord_adapter")
    expired = ask_payload(fake, SCALE_QUESTION)
    fake.fail("POST", rf"^/interactions/{expired['id']}/", status=404, code=10062, message="Unknown interaction")

    call = await interact(fake, expired)
    assert call.status == 404
    await until(lambda: "10062" in caplog.text)
    assert f"interaction {expired['id']}" in caplog.text
    assert "Traceback" not in caplog.text

    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4
    await until(lambda: bot.connected)


async def test_an_interaction_another_process_answered_first_is_one_warning_naming_the_cause(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    # A second process running with the same token gets the same interactions; the asker
    # already has the other one's answer: no apology is tried, and the log names the cause.
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    asked = ask_payload(fake, SCALE_QUESTION)
    fake.fail("POST", rf"^/interactions/{asked['id']}/", status=400, code=40060,
              message="Interaction has already been acknowledged.", times=2)

    call = await interact(fake, asked)
    assert call.status == 400
    await until(lambda: "40060" in caplog.text)
    await asyncio.sleep(0.2)  # an apology would follow the refusal here
    assert len(fake.find("POST", rf"^/interactions/{asked['id']}/")) == 1
    assert not fake.find("POST", f"^/webhooks/{APPLICATION_ID}/")
    assert "another process" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4


# -- buttons -------------------------------------------------------------------------------


async def test_a_suggestion_button_answers_in_place(fake: FakeDiscord, engine: Engine, bot: DiscordBot) -> None:
    abstained = await interact(fake, ask_payload(fake, UNKNOWN_QUESTION))
    data = abstained.json["data"]
    assert data["embeds"][0]["description"].startswith("I don't know that.")
    suggestions = buttons(data)
    assert 1 <= len(suggestions) <= 3
    chosen = suggestions[0]
    fact_id = chosen["custom_id"].split(":")[-1]

    click = await interact(fake, component_interaction(chosen["custom_id"], sent_message(fake, data),
                                                        interaction_id=fake.new_id()))

    assert click.json["type"] == 7  # update the message that holds the button
    edited = click.json["data"]
    fact = engine.fact(fact_id)
    [embed] = edited["embeds"]
    assert embed["title"] == fact.question
    assert f"> {fact.quotes[0].text}" in embed["description"]
    assert embed["author"]["name"] == f"Asked: {UNKNOWN_QUESTION}"
    assert any(b["custom_id"].startswith(f"factbot:vote:up:1.0000:{fact_id}") for b in buttons(edited))
    assert edited["allowed_mentions"] == {"parse": []}


async def test_a_slow_suggestion_button_is_deferred_then_answers_in_place(
    fake: FakeDiscord, engine: Engine, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, AskService(engine), db, defer_after=0.0):
        abstained = await interact(fake, ask_payload(fake, UNKNOWN_QUESTION, token="ask-token"))
        [answered] = await fake.wait_for("PATCH", f"^/webhooks/{APPLICATION_ID}/ask-token/messages/@original$")
        data = answered.json
        chosen = buttons(data)[0]
        fact_id = chosen["custom_id"].split(":")[-1]

        release = threading.Event()
        answer_fact = engine.answer_fact

        def slow_answer_fact(fact_id: str, *, question: str | None = None) -> Answer | None:
            assert release.wait(5), "the test never released the answer"
            return answer_fact(fact_id, question=question)

        monkeypatch.setattr(engine, "answer_fact", slow_answer_fact)
        click = await interact(fake, component_interaction(
            chosen["custom_id"], sent_message(fake, data), interaction_id=fake.new_id(), token="click-token",
        ))
        assert click.json["type"] == 6  # "edit this message later", inside Discord's 3 seconds
        release.set()
        [edit] = await fake.wait_for("PATCH", f"^/webhooks/{APPLICATION_ID}/click-token/messages/@original$")

    assert abstained.json["type"] == 5
    fact = engine.fact(fact_id)
    [embed] = edit.json["embeds"]
    assert embed["title"] == fact.question
    assert f"> {fact.quotes[0].text}" in embed["description"]
    assert embed["author"]["name"] == f"Asked: {UNKNOWN_QUESTION}"
    assert any(b["custom_id"].startswith(f"factbot:vote:up:1.0000:{fact_id}") for b in buttons(edit.json))
    assert edit.json["allowed_mentions"] == {"parse": []}
    # In place: no new message for the click.
    assert fake.find("POST", f"^/webhooks/{APPLICATION_ID}/click-token$") == []


async def test_a_related_button_answers_that_fact_to_the_clicker(fake: FakeDiscord, engine: Engine, bot: DiscordBot) -> None:
    answered = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    related = next(b for b in buttons(answered.json["data"]) if b["custom_id"].startswith("factbot:related:"))
    fact = engine.fact(related["custom_id"].split(":")[-1])

    click = await interact(fake, component_interaction(related["custom_id"], sent_message(fake, answered.json["data"]),
                                                        interaction_id=fake.new_id()))

    assert click.json["type"] == 4
    assert click.json["data"]["flags"] & EPHEMERAL
    assert click.json["data"]["embeds"][0]["title"] == fact.question
    assert fact.answer in click.json["data"]["embeds"][0]["description"]


async def test_votes_land_in_the_votes_table_one_per_user_and_message(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, db: Database
) -> None:
    answered = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    data = answered.json["data"]
    by_vote = {b["custom_id"].split(":")[2]: b["custom_id"] for b in buttons(data) if ":vote:" in b["custom_id"]}
    message = sent_message(fake, data)

    down = await interact(fake, component_interaction(by_vote["down"], message, interaction_id=fake.new_id()))
    assert down.json["type"] == 4 and down.json["data"]["flags"] & EPHEMERAL
    rows = [dict(r) for r in db.query("SELECT platform, message_ref, question, fact_id, score, vote, user_hash FROM votes")]
    expected = engine.answer(SCALE_QUESTION)
    assert rows == [{
        "platform": "discord",
        "message_ref": message["id"],
        "question": SCALE_QUESTION,
        "fact_id": expected.fact_id,
        "score": round(expected.score, 4),
        "vote": "down",
        "user_hash": db.user_hash("discord", USER_ID),
    }]

    await interact(fake, component_interaction(by_vote["up"], message, interaction_id=fake.new_id()))
    assert [tuple(r) for r in db.query("SELECT vote FROM votes")] == [("up",)]


def _without(payload: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in keys}


@pytest.mark.parametrize(
    "payload_of",
    [
        lambda fake: command_interaction("ask", [{"name": "question", "type": 3}], interaction_id=fake.new_id()),
        lambda fake: command_interaction("ask", "question", interaction_id=fake.new_id()),
        lambda fake: command_interaction("ask", ["question"], interaction_id=fake.new_id()),
        lambda fake: {**ask_payload(fake, SCALE_QUESTION), "data": {"id": "1600000000000000001", "type": 1}},
        lambda fake: _without(ask_payload(fake, SCALE_QUESTION), "member"),
        lambda fake: _without(component_interaction("factbot:vote:up:1.0000:scale-ai-stake",
                                                    message_payload(id=fake.new_id()), interaction_id=fake.new_id()),
                              "member"),
    ],
    ids=["option-without-value", "options-not-a-list", "option-not-an-object", "command-without-name",
         "command-without-user", "click-without-user"],
)
async def test_an_interaction_discord_py_cannot_route_gets_one_private_sentence(
    fake: FakeDiscord, bot: DiscordBot, db: Database, caplog: pytest.LogCaptureFixture,
    payload_of: Callable[[FakeDiscord], dict],
) -> None:
    payload = payload_of(fake)
    call = await interact(fake, payload)
    assert call.json["type"] == 4 and call.ephemeral is True
    assert call.json["data"]["content"] == UNREADABLE
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and f"interaction {payload['id']}" in warnings[0]
    assert db.query("SELECT COUNT(*) FROM votes")[0][0] == 0
    assert logged_tracebacks(caplog) == []


async def test_a_vote_for_a_fact_the_base_does_not_hold_is_not_recorded(
    fake: FakeDiscord, bot: DiscordBot, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    message = message_payload(id=fake.new_id(), embeds=[{"type": "rich", "title": "Old question?"}])
    click = await interact(fake, component_interaction("factbot:vote:up:1.0000:no-such-fact", message,
                                                        interaction_id=fake.new_id()))
    assert click.json["type"] == 4 and click.ephemeral is True
    assert click.json["data"]["content"] == GONE
    assert db.query("SELECT COUNT(*) FROM votes")[0][0] == 0
    assert logged_tracebacks(caplog) == []


async def test_a_form_submitted_to_the_bot_gets_one_private_sentence(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    payload = component_interaction("factbot:suggest:scale-ai-stake", message_payload(id=fake.new_id()),
                                    interaction_id=fake.new_id())
    payload.update(type=5, data={"custom_id": "factbot:form", "components": []})
    call = await interact(fake, payload)
    assert call.json["type"] == 4 and call.ephemeral is True
    assert call.json["data"]["content"] == NOT_A_FORM
    assert logged_tracebacks(caplog) == []


async def test_a_button_for_a_fact_that_is_gone_says_so(fake: FakeDiscord, bot: DiscordBot) -> None:
    message = message_payload(id=fake.new_id(), embeds=[{"type": "rich", "title": "Old question?"}])
    click = await interact(fake, component_interaction("factbot:suggest:no-such-fact", message,
                                                        interaction_id=fake.new_id()))
    assert click.json["type"] == 4 and click.json["data"]["flags"] & EPHEMERAL
    assert "no longer" in click.json["data"]["content"]


# -- /topics and /digest -------------------------------------------------------------------


async def test_topics_lists_each_topic_with_an_example_to_the_caller(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    call = await interact(fake, command_interaction("topics", interaction_id=fake.new_id()))
    data = call.json["data"]
    assert call.json["type"] == 4 and data["flags"] & EPHEMERAL
    fields = data["embeds"][0]["fields"]
    assert [f["name"] for f in fields] == [f"{t.title} ({t.fact_count})" for t in engine.topics()]
    assert all(t.example in f["value"] for f, t in zip(fields, engine.topics()))


async def test_digest_without_a_provider_says_it_is_not_set_up(fake: FakeDiscord, bot: DiscordBot) -> None:
    call = await interact(fake, command_interaction("digest", interaction_id=fake.new_id()))
    assert call.json["type"] == 4
    assert call.json["data"]["content"] == NO_DIGEST
    assert call.json["data"]["flags"] & EPHEMERAL


async def test_digest_shows_the_providers_embeds_for_this_channel_to_the_caller(
    fake: FakeDiscord, bot: DiscordBot
) -> None:
    asked: list[str] = []

    def provider(channel: str) -> list[discord.Embed]:
        asked.append(channel)
        return [discord.Embed(title="Today's facts", description="@everyone three facts")]

    bot.set_digest_provider(provider)
    call = await interact(fake, command_interaction("digest", interaction_id=fake.new_id()))

    assert asked == [f"discord:{CHANNEL_ID}"]
    data = call.json["data"]
    assert call.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"] == "Today's facts"
    assert data["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("digest_channels", [None, "discord:424242424242424242"], ids=["digest-off", "other-channel"])
async def test_digest_in_a_channel_that_gets_no_digest_says_it_is_not_set_up(
    fake: FakeDiscord, bot: DiscordBot, db: Database, digest_channels: str | None
) -> None:
    build_digest_scheduler(settings_for(fake, digest_channels=digest_channels), bot.responder.service, db,
                           slack=None, discord=bot)

    call = await interact(fake, command_interaction("digest", interaction_id=fake.new_id()))

    data = call.json["data"]
    assert call.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert data["content"] == NO_DIGEST and "embeds" not in data


async def test_digest_in_a_digest_channel_shows_its_digest(fake: FakeDiscord, bot: DiscordBot, db: Database) -> None:
    build_digest_scheduler(settings_for(fake, digest_channels=f"discord:{CHANNEL_ID}"), bot.responder.service, db,
                           slack=None, discord=bot)

    call = await interact(fake, command_interaction("digest", interaction_id=fake.new_id()))

    data = call.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"].startswith("Fact of the day")


# -- mentions ------------------------------------------------------------------------------


async def test_a_mention_gets_a_reply_to_that_message(fake: FakeDiscord, engine: Engine, bot: DiscordBot) -> None:
    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]))

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")

    assert str(reply.json["message_reference"]["message_id"]) == mid
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    expected = engine.answer(SCALE_QUESTION)
    [embed] = reply.json["embeds"]
    assert expected.text in embed["description"] and f"> {expected.quotes[0].text}" in embed["description"]
    assert embed["author"]["name"] == f"Asked: {SCALE_QUESTION}"
    assert any(":vote:" in b["custom_id"] for b in buttons(reply.json))


async def test_only_a_direct_mention_from_a_person_is_answered_and_never_with_a_ping(
    fake: FakeDiscord, bot: DiscordBot
) -> None:
    # @everyone alone also makes discord.py's `mentioned_in` true; it must not count as asking the bot.
    await fake.dispatch("MESSAGE_CREATE", message_create("@everyone lunch?", id=fake.new_id(), mention_everyone=True))
    other_bot = {**HUMAN, "id": "1400000000000000009", "bot": True}
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER], author=other_bot))
    asked = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(
        f"@everyone <@!{BOT_USER_ID}> {SCALE_QUESTION}", id=asked, mentions=[BOT_USER], mention_everyone=True,
    ))

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert str(reply.json["message_reference"]["message_id"]) == asked
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert not reply.json.get("content")
    assert reply.json["embeds"][0]["author"]["name"] == f"Asked: @everyone {SCALE_QUESTION}"


async def test_a_bare_mention_gets_the_help_and_a_direct_message_is_answered(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}>", id=fake.new_id(), mentions=[BOT_USER]))
    [help_reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert len(help_reply.json["embeds"][0]["fields"]) == len(engine.topics())

    dm_channel = "1300000000000000077"
    await fake.dispatch("MESSAGE_CREATE", message_create(SCALE_QUESTION, id=fake.new_id(), guild_id=None,
                                                         channel_id=dm_channel))
    [dm_reply] = await fake.wait_for("POST", f"^/channels/{dm_channel}/messages$")
    assert "49%" in dm_reply.json["embeds"][0]["description"]


async def test_mentions_of_people_roles_channels_and_times_are_not_read_as_words(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    mid = fake.new_id()
    content = f"<@{BOT_USER_ID}> <#1300000000000000001> <@&1200000000000000005> {SCALE_QUESTION} <@!1400000000000000099> <t:1700000000:F>"
    await fake.dispatch("MESSAGE_CREATE", message_create(content, id=mid, mentions=[BOT_USER]))

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    [embed] = reply.json["embeds"]
    assert engine.answer(SCALE_QUESTION).text in embed["description"]
    assert embed["author"]["name"] == f"Asked: {SCALE_QUESTION}"


async def test_a_mention_of_the_bots_own_role_is_answered_as_a_mention_of_the_bot(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    # Typing "@factbot" offers the bot and the role Discord made for it, named alike; many pick the role.
    bot_role, team_role = "1200000000000000077", "1200000000000000078"
    await fake.dispatch("GUILD_CREATE", guild_create(roles=[
        role_payload(bot_role, name="factbot", bot_id=BOT_USER_ID),
        role_payload(team_role, name="research", position=2),
    ]))
    await until(lambda: bot.client.get_guild(int(GUILD_ID)) is not None)

    team = message_create(f"<@&{team_role}> {SCALE_QUESTION}", id=fake.new_id())
    team["mention_roles"] = [team_role]
    await fake.dispatch("MESSAGE_CREATE", team)
    asked = fake.new_id()
    message = message_create(f"<@&{bot_role}> {SCALE_QUESTION}", id=asked)
    message["mention_roles"] = [bot_role]
    await fake.dispatch("MESSAGE_CREATE", message)

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert str(reply.json["message_reference"]["message_id"]) == asked
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert engine.answer(SCALE_QUESTION).text in reply.json["embeds"][0]["description"]
    assert reply.json["embeds"][0]["author"]["name"] == f"Asked: {SCALE_QUESTION}"
    await asyncio.sleep(0.2)  # an answer to the other role's mention would show here
    assert len(fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")) == 1


async def test_a_reply_to_the_bot_is_answered_only_when_it_asks_something(fake: FakeDiscord, bot: DiscordBot) -> None:
    # A reply pings the bot without naming it: "thanks!" is said to the channel, not asked.
    answered = fake.new_id()
    for said in ("thanks!", "interesting", "I disagree", "why", "what a great answer"):
        await fake.dispatch("MESSAGE_CREATE", message_create(said, id=fake.new_id(), mentions=[BOT_USER],
                                                             replying_to=answered))
    asked = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(SCALE_QUESTION, id=asked, mentions=[BOT_USER],
                                                         replying_to=answered))
    requested = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create("tell me about open washing", id=requested,
                                                         mentions=[BOT_USER], replying_to=answered))
    helped = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create("help", id=helped, mentions=[BOT_USER], replying_to=answered))
    named = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> thanks!", id=named, mentions=[BOT_USER],
                                                         replying_to=answered))

    replies = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=4)
    by_message = {str(r.json["message_reference"]["message_id"]): r.json for r in replies}
    assert sorted(by_message) == sorted([asked, requested, helped, named])  # and no other reply
    assert "49%" in by_message[asked]["embeds"][0]["description"]
    await asyncio.sleep(0.2)  # a late reply to a word of thanks would show here
    assert len(fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")) == 4


async def test_a_long_reply_to_the_bot_that_asks_nothing_gets_no_too_long_note(fake: FakeDiscord, bot: DiscordBot) -> None:
    answered = fake.new_id()
    comment = "Thanks, that matches what I read last week. " * 15  # over 500 characters, asks nothing
    await fake.dispatch("MESSAGE_CREATE", message_create(comment, id=fake.new_id(), mentions=[BOT_USER],
                                                         replying_to=answered))
    asked = fake.new_id()
    question = "What about " + "the Llama licence and its limits, " * 20 + "?"  # over 500 characters, asks
    await fake.dispatch("MESSAGE_CREATE", message_create(question, id=asked, mentions=[BOT_USER],
                                                         replying_to=answered))

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert str(reply.json["message_reference"]["message_id"]) == asked
    assert reply.json["content"].startswith("That question is too long")
    await asyncio.sleep(0.2)  # a late note to the comment would show here
    assert len(fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")) == 1


async def test_a_failed_reply_is_logged_and_not_fatal(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="adapters.discord_adapter")
    fake.fail("POST", f"^/channels/{CHANNEL_ID}/messages$", status=403, code=50013, message="Missing Permissions")
    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]))

    await until(lambda: "50013" in caplog.text)
    assert f"message {mid}" in caplog.text
    call = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert call.json["type"] == 4
    await until(lambda: bot.connected)


async def test_a_mention_in_a_channel_without_read_message_history_is_answered_in_the_channel(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord refuses a reply (a message with a reference) from a bot that may not read the
    # channel's history; the answer is still owed to the asker.
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    fake.fail(
        "POST", f"^/channels/{CHANNEL_ID}/messages$", status=403, code=160002,
        message="Cannot reply without permission to read message history",
    )
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER]))

    refused, posted = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=2)
    assert refused.status == 403 and "message_reference" in refused.json
    assert posted.status == 200 and "message_reference" not in posted.json
    assert posted.json["allowed_mentions"] == {"parse": []}
    assert engine.answer(SCALE_QUESTION).text in posted.json["embeds"][0]["description"]
    assert posted.json["embeds"][0]["author"]["name"] == f"Asked: {SCALE_QUESTION}"
    assert "Read Message History" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


EMBED_LINKS = 1 << 14
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | EMBED_LINKS | (1 << 16)  # view, send, embed links, read history
NO_EMBEDS_CHANNEL = "1300000000000000002"


async def server_without_embed_links_in(fake: FakeDiscord, bot: DiscordBot, *channel_ids: str) -> None:
    """The server as the gateway describes it: the bot may embed links in CHANNEL_ID but not in
    `channel_ids`, where an overwrite for @everyone denies Embed Links (and the fake drops embeds)."""
    channels = [channel_payload(CHANNEL_ID)] + [channel_payload(c, deny=EMBED_LINKS) for c in channel_ids]
    fake.embeds_hidden.update(channel_ids)
    await fake.dispatch("GUILD_CREATE", guild_create(
        everyone_permissions=str(MEMBER_PERMISSIONS), channels=channels, with_bot=True,
    ))
    await until(lambda: all(bot.client.get_channel(int(c)) is not None for c in channel_ids))


async def test_a_mention_in_a_channel_without_embed_links_gets_one_plain_text_answer_with_its_quote_and_source(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    await server_without_embed_links_in(fake, bot, NO_EMBEDS_CHANNEL)
    expected = engine.answer(SCALE_QUESTION)
    path = f"^/channels/{NO_EMBEDS_CHANNEL}/messages$"

    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid,
                                                         mentions=[BOT_USER], channel_id=NO_EMBEDS_CHANNEL))

    [reply] = await fake.wait_for("POST", path)
    assert reply.status == 200
    assert str(reply.json["message_reference"]["message_id"]) == mid
    assert not reply.json.get("embeds")
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    [shown] = fake.created  # what the channel sees: one message, no embed, the whole answer
    assert shown["embeds"] == []
    content = shown["content"]
    assert content.startswith(f"**{expected.canonical_question}**")
    assert expected.text in content
    for quote in expected.quotes:
        assert f"> {quote.text}" in content and quote.source.title in content
    assert any(":vote:" in b["custom_id"] for b in buttons(reply.json))  # the buttons need no Embed Links

    # Again in that channel, with @everyone in the question: plain text, no ping, no second warning.
    await fake.dispatch("MESSAGE_CREATE", message_create(
        f"@everyone <@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER],
        mention_everyone=True, channel_id=NO_EMBEDS_CHANNEL,
    ))
    _, again = await fake.wait_for("POST", path, count=2)
    assert "@\u200beveryone" in again.json["content"] and "@everyone" not in again.json["content"]
    assert again.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert [w for w in _warnings(caplog) if "Embed Links" in w] == [
        f"the bot may not embed links in Discord channel {NO_EMBEDS_CHANNEL} (no Embed Links permission there), "
        "so Discord would not show its embeds; answers and digests there go out as plain text until the bot is "
        "granted Embed Links in that channel"
    ]

    # A channel where it may embed links still gets the embed.
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER]))
    [embedded] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    [embed] = embedded.json["embeds"]
    assert f"> {expected.quotes[0].text}" in embed["description"] and not embedded.json.get("content")
    assert fake.created[-1]["embeds"] == embedded.json["embeds"]
    assert len(fake.created) == 3


async def test_ask_in_a_channel_without_embed_links_still_answers_with_an_embed(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    # An interaction's reply is a webhook message, which Discord lets embed links whatever the channel's
    # permissions: /ask keeps its embed there.
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    await server_without_embed_links_in(fake, bot, NO_EMBEDS_CHANNEL)

    call = await interact(fake, ask_payload(fake, SCALE_QUESTION, channel_id=NO_EMBEDS_CHANNEL))

    assert call.json["type"] == 4
    [embed] = call.json["data"]["embeds"]
    assert engine.answer(SCALE_QUESTION).text in embed["description"]
    assert not [w for w in _warnings(caplog) if "Embed Links" in w]


async def test_a_suggestion_clicked_on_a_plain_text_answer_answers_in_place_as_plain_text(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot
) -> None:
    await server_without_embed_links_in(fake, bot, NO_EMBEDS_CHANNEL)
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {UNKNOWN_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER], channel_id=NO_EMBEDS_CHANNEL))
    [abstained] = await fake.wait_for("POST", f"^/channels/{NO_EMBEDS_CHANNEL}/messages$")
    assert "I don't know that." in abstained.json["content"]
    chosen = buttons(abstained.json)[0]
    fact = engine.fact(chosen["custom_id"].split(":")[-1])

    click = await interact(fake, component_interaction(
        chosen["custom_id"], fake.created[0], interaction_id=fake.new_id(), channel_id=NO_EMBEDS_CHANNEL,
    ))

    assert click.json["type"] == 7
    edited = click.json["data"]
    assert edited["embeds"] == []  # the old text goes, and no embed comes where it would not show
    assert edited["content"].startswith(f"**{fact.question}**")
    assert f"> {fact.quotes[0].text}" in edited["content"]
    assert engine.base.sources[fact.quotes[0].source].title in edited["content"]


async def test_a_message_edited_to_mention_the_bot_is_answered_once(fake: FakeDiscord, bot: DiscordBot) -> None:
    # Someone asks, sees they forgot to mention the bot, and edits the mention in.
    mid = str(discord.utils.time_snowflake(datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)))
    await fake.dispatch("MESSAGE_CREATE", message_create("", id=mid))  # no mention: Discord withholds the text
    await asyncio.sleep(0.2)
    assert fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$") == []
    edited = {**message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]),
              "edited_timestamp": "2025-01-02T03:05:00.000000+00:00"}
    await fake.dispatch("MESSAGE_UPDATE", edited)

    [reply] = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$")
    assert str(reply.json["message_reference"]["message_id"]) == mid
    assert "49%" in reply.json["embeds"][0]["description"]
    # Edited again (a typo fixed, a link preview added), it mentioned the bot before: not answered anew.
    await fake.dispatch("MESSAGE_UPDATE", {**edited, "content": f"<@{BOT_USER_ID}> {SCALE_QUESTION} thanks"})
    await asyncio.sleep(0.3)
    assert len(fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$")) == 1


async def test_a_message_edited_to_mention_the_bot_hours_later_is_not_answered(fake: FakeDiscord, bot: DiscordBot) -> None:
    # An old message still in the cache, edited to add the mention a day later, asks nothing now.
    mid = str(discord.utils.time_snowflake(datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)))
    await fake.dispatch("MESSAGE_CREATE", message_create("", id=mid))
    await asyncio.sleep(0.2)
    edited = {**message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]),
              "edited_timestamp": "2025-01-03T03:05:00.000000+00:00"}
    await fake.dispatch("MESSAGE_UPDATE", edited)
    await asyncio.sleep(0.3)
    assert fake.find("POST", f"^/channels/{CHANNEL_ID}/messages$") == []


LONG_QUESTION = "How big is Meta's stake in Scale AI, " + "and what exactly did Meta pay for that stake, " * 12 + "?"


def written_at(second: int) -> str:
    """The id of a message written at 03:04:`second` on the day of the fake's timestamps."""
    return str(discord.utils.time_snowflake(datetime(2025, 1, 2, 3, 4, second, tzinfo=timezone.utc)))


def edited_at(minute: int) -> str:
    return f"2025-01-02T03:{minute:02d}:00.000000+00:00"


@pytest.mark.parametrize("where", ["mention", "direct-message"])
async def test_a_question_told_it_is_too_long_and_edited_shorter_is_answered_once_in_its_place(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, where: str
) -> None:
    assert len(LONG_QUESTION) > 500
    channel = CHANNEL_ID if where == "mention" else "1300000000000000077"
    place: dict[str, Any] = (
        {"mentions": [BOT_USER]} if where == "mention" else {"guild_id": None, "channel_id": channel}
    )
    lead = f"<@{BOT_USER_ID}> " if where == "mention" else ""
    posts = f"^/channels/{channel}/messages$"
    mid = written_at(0)
    await fake.dispatch("MESSAGE_CREATE", message_create(lead + LONG_QUESTION, id=mid, **place))
    [told] = await fake.wait_for("POST", posts)
    assert told.json["content"].startswith("That question is too long")

    edit = message_update(lead + SCALE_QUESTION, id=mid, edited_timestamp=edited_at(5), **place)
    await fake.dispatch("MESSAGE_UPDATE", edit)
    await fake.dispatch("MESSAGE_UPDATE", edit)  # the same edit delivered again

    _, answer = await fake.wait_for("POST", posts, count=2)
    assert str(answer.json["message_reference"]["message_id"]) == mid
    assert engine.answer(SCALE_QUESTION).text in answer.json["embeds"][0]["description"]
    assert answer.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert answer.json["nonce"] != told.json["nonce"]  # else Discord would hand back the note, posting nothing
    # Answered now: edited again (a typo fixed), it is not answered anew.
    await fake.dispatch("MESSAGE_UPDATE", {**edit, "content": f"{lead}{SCALE_QUESTION} thanks",
                                           "edited_timestamp": edited_at(6)})
    await asyncio.sleep(0.3)
    assert len(fake.find("POST", posts)) == 2
    assert len(fake.created) == 2


async def test_only_an_edit_of_a_question_told_it_is_too_long_is_asked_again(fake: FakeDiscord, bot: DiscordBot) -> None:
    posts = f"^/channels/{CHANNEL_ID}/messages$"
    answered, long_one, late_one = written_at(1), written_at(2), written_at(3)
    for mid, question in ((answered, SCALE_QUESTION), (long_one, LONG_QUESTION), (late_one, LONG_QUESTION)):
        await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {question}", id=mid, mentions=[BOT_USER]))
    await fake.wait_for("POST", posts, count=3)

    # An answered question edited, a preview Discord added to the long one (no edit), the other
    # long one edited a day later: none asks anything new.
    await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {UNKNOWN_QUESTION}", id=answered,
                                                         edited_timestamp=edited_at(5), mentions=[BOT_USER]))
    await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {LONG_QUESTION}", id=long_one,
                                                         edited_timestamp=None, mentions=[BOT_USER]))
    await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=late_one,
                                                         edited_timestamp="2025-01-03T03:05:00.000000+00:00",
                                                         mentions=[BOT_USER]))
    await asyncio.sleep(0.3)
    assert len(fake.find("POST", posts)) == 3

    # Edited but still too long, it is told so again; edited shorter then, it is answered.
    await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {LONG_QUESTION}!", id=long_one,
                                                         edited_timestamp=edited_at(6), mentions=[BOT_USER]))
    *_, told_again = await fake.wait_for("POST", posts, count=4)
    assert told_again.json["content"].startswith("That question is too long")
    await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=long_one,
                                                         edited_timestamp=edited_at(7), mentions=[BOT_USER]))
    *_, answer = await fake.wait_for("POST", posts, count=5)
    assert str(answer.json["message_reference"]["message_id"]) == long_one
    assert "49%" in answer.json["embeds"][0]["description"]
    await asyncio.sleep(0.2)
    assert len(fake.find("POST", posts)) == 5


def test_questions_left_unanswered_are_kept_for_the_edit_window_and_within_a_bound() -> None:
    now = [0.0]
    told = LeftUnanswered(clock=lambda: now[0], max_kept=2)
    first, second = datetime(2025, 1, 2, 3, 5, tzinfo=timezone.utc), datetime(2025, 1, 2, 3, 6, tzinfo=timezone.utc)
    told.note(1, version=None)
    assert not told.take(1, version=None)  # not edited since
    assert told.take(1, version=first)
    assert not told.take(1, version=second)  # taken once
    told.note(2, version=first)
    assert not told.take(2, version=first)
    now[0] = EDIT_WINDOW_SECONDS + 1
    assert not told.take(2, version=second)  # forgotten after the window
    for message_id in (3, 4, 5):
        told.note(message_id, version=None)
    assert not told.take(3, version=first)  # the oldest went to make room
    assert told.take(4, version=first) and told.take(5, version=first)


@pytest.mark.parametrize("where", ["mention", "direct-message"])
async def test_a_question_told_to_wait_and_edited_once_the_limit_lets_the_asker_in_is_answered_once_in_its_place(
    fake: FakeDiscord, engine: Engine, db: Database, where: str
) -> None:
    now = [0.0]
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: now[0]))
    channel = CHANNEL_ID if where == "mention" else "1300000000000000077"
    place: dict[str, Any] = (
        {"mentions": [BOT_USER]} if where == "mention" else {"guild_id": None, "channel_id": channel}
    )
    lead = f"<@{BOT_USER_ID}> " if where == "mention" else ""
    posts = f"^/channels/{channel}/messages$"
    answered, told = written_at(1), written_at(2)
    async with running(fake, service, db) as bot:
        bot.responder._wait_notes = OncePerWindow(clock=lambda: now[0])
        await fake.dispatch("MESSAGE_CREATE", message_create(lead + SCALE_QUESTION, id=answered, **place))
        await fake.wait_for("POST", posts)
        await fake.dispatch("MESSAGE_CREATE", message_create(lead + UNKNOWN_QUESTION, id=told, **place))
        _, note = await fake.wait_for("POST", posts, count=2)
        assert note.json["embeds"][0]["description"].startswith("You've asked 1 question")

        now[0] += 61  # the limit lets the asker in again
        # The answered question, edited, asks nothing new: it would take the asker's one question.
        await fake.dispatch("MESSAGE_UPDATE", message_update(lead + UNKNOWN_QUESTION, id=answered,
                                                             edited_timestamp=edited_at(5), **place))
        await asyncio.sleep(0.3)
        assert len(fake.find("POST", posts)) == 2
        edit = message_update(lead + SCALE_QUESTION, id=told, edited_timestamp=edited_at(6), **place)
        await fake.dispatch("MESSAGE_UPDATE", edit)
        await fake.dispatch("MESSAGE_UPDATE", edit)  # the same edit delivered again

        *_, answer = await fake.wait_for("POST", posts, count=3)
        await asyncio.sleep(0.3)
    assert str(answer.json["message_reference"]["message_id"]) == told
    assert engine.answer(SCALE_QUESTION).text in answer.json["embeds"][0]["description"]
    assert answer.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert answer.json["nonce"] != note.json["nonce"]  # else Discord would hand back the note, posting nothing
    assert len(fake.find("POST", posts)) == 3 and len(fake.created) == 3


async def test_a_mention_not_told_again_to_wait_is_asked_when_edited_once_the_limit_lets_the_asker_in(
    fake: FakeDiscord, engine: Engine, db: Database
) -> None:
    # The channel saw the note a moment ago, so the next mention over the limit got no reply at
    # all: edited, it is asked all the same, once the asker may ask again.
    now = [0.0]
    service = AskService(engine, rate_limiter=RateLimiter(1, clock=lambda: now[0]))
    posts = f"^/channels/{CHANNEL_ID}/messages$"
    first, second, third = written_at(1), written_at(2), written_at(3)
    async with running(fake, service, db) as bot:
        bot.responder._wait_notes = OncePerWindow(clock=lambda: now[0])
        for mid in (first, second, third):
            await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid,
                                                                 mentions=[BOT_USER]))  # fmt: skip
        await fake.wait_for("POST", posts, count=2)
        # Edited while the asker is still over the limit: left unanswered again, and not told again.
        await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {UNKNOWN_QUESTION}", id=third,
                                                             edited_timestamp=edited_at(5), mentions=[BOT_USER]))
        await asyncio.sleep(0.3)
        assert len(fake.find("POST", posts)) == 2

        now[0] += 61
        await fake.dispatch("MESSAGE_UPDATE", message_update(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=third,
                                                             edited_timestamp=edited_at(6), mentions=[BOT_USER]))
        *_, answer = await fake.wait_for("POST", posts, count=3)
        await asyncio.sleep(0.3)
    assert str(answer.json["message_reference"]["message_id"]) == third
    assert "49%" in answer.json["embeds"][0]["description"]
    assert len(fake.find("POST", posts)) == 3


async def test_a_mention_delivered_twice_gets_one_reply(fake: FakeDiscord, bot: DiscordBot) -> None:
    # Another process running with the same token, or the gateway sending an event again,
    # hands the bot the same message twice: the channel sees one answer.
    mention = message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(), mentions=[BOT_USER])
    await fake.dispatch("MESSAGE_CREATE", mention)
    await fake.dispatch("MESSAGE_CREATE", mention)

    first, second = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=2)
    assert first.json["nonce"] == second.json["nonce"]
    assert len(fake.created) == 1
    # Another message asking the same is another question, with a reply of its own.
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER]))
    await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=3)
    assert len(fake.created) == 2


# -- posting for the digest ----------------------------------------------------------------


async def test_send_embeds_posts_and_returns_the_message_id(fake: FakeDiscord, bot: DiscordBot) -> None:
    message_id = await bot.send_embeds(
        4242, embeds=[discord.Embed(title="Fact of the day")], content="Good morning @everyone"
    )

    [post] = fake.find("POST", "^/channels/4242/messages$")
    assert message_id is not None and message_id.isdigit()
    assert post.json["embeds"][0]["title"] == "Fact of the day"
    assert post.json["allowed_mentions"] == {"parse": []}


async def test_send_embeds_failing_is_logged_and_gives_none(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="adapters.discord_adapter")
    fake.fail("POST", "^/channels/4242/messages$", status=403, code=50001, message="Missing Access")

    assert await bot.send_embeds(4242, embeds=[discord.Embed(title="x")]) is None
    assert "4242" in caplog.text and "50001" in caplog.text


async def test_the_digest_sender_sees_discord_failures_as_transient_or_permanent(
    fake: FakeDiscord, bot: DiscordBot, fact_base
) -> None:
    from datetime import date

    from adapters.digest_runner import channel_sender
    from bot.digest import build_digest
    from bot.digest_schedule import SendFailure

    send = channel_sender(slack=None, discord_bot=bot)
    digest = build_digest(fact_base, channel="discord:424242424242424242", day=date(2026, 1, 5), size=2, posted=set())
    fake.fail("POST", "^/channels/424242424242424242/messages$", status=503, code=0, message="Service Unavailable")
    with pytest.raises(SendFailure) as transient:
        await send("discord:424242424242424242", digest)
    assert transient.value.transient is True
    fake.fail("POST", "^/channels/424242424242424242/messages$", status=403, code=50001, message="Missing Access")
    with pytest.raises(SendFailure) as permanent:
        await send("discord:424242424242424242", digest)
    assert permanent.value.transient is False
    assert (await send("discord:424242424242424242", digest)).isdigit()


# -- 429s -----------------------------------------------------------------------------------


@pytest.mark.parametrize("via", [True, False], ids=["from-discord", "from-a-proxy"])
async def test_a_reply_that_meets_a_429_is_sent_once_after_the_wait(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, caplog: pytest.LogCaptureFixture, via: bool
) -> None:
    payload = ask_payload(fake, SCALE_QUESTION)
    fake.rate_limit("POST", rf"^/interactions/{payload['id']}/", retry_after=0.05, via=via)

    await fake.dispatch("INTERACTION_CREATE", payload)
    limited, answered = await fake.wait_for("POST", rf"^/interactions/{payload['id']}/", count=2)

    assert (limited.status, answered.status) == (429, 200)
    assert answered.json["type"] == 4
    assert engine.answer(SCALE_QUESTION).text in answered.json["data"]["embeds"][0]["description"]
    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4
    assert len(fake.find("POST", rf"^/interactions/{payload['id']}/")) == 2
    assert logged_tracebacks(caplog) == []


async def test_a_mention_reply_that_meets_a_429_from_a_proxy_is_sent_after_the_wait(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.rate_limit("POST", f"^/channels/{CHANNEL_ID}/messages$", retry_after=0.05, via=False)
    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]))

    limited, reply = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=2)
    assert (limited.status, reply.status) == (429, 200)
    assert "asked to wait 0.05 s" in caplog.text  # the body's retry_after, not the header's whole second
    assert str(reply.json["message_reference"]["message_id"]) == mid
    assert "49%" in reply.json["embeds"][0]["description"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_429_asking_for_a_long_wait_is_not_waited_out(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="adapters.discord_adapter")
    fake.rate_limit("POST", "^/channels/4242/messages$", retry_after=3600.0, via=False)
    assert await bot.send_embeds(4242, embeds=[discord.Embed(title="x")]) is None
    assert len(fake.find("POST", "^/channels/4242/messages$")) == 1
    assert "HTTP 429" in caplog.text


LONG_WAIT = 3600.0
"""A Retry-After no reply should sit out."""


def _rate_limit_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The bot's own warnings and errors that give the hour Discord asked to wait."""
    return [
        r.getMessage() for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("adapters.") and "3600 s" in r.getMessage()
    ]


async def test_a_mention_reply_rate_limited_for_an_hour_is_one_log_line_and_later_replies_still_go_out(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.rate_limit("POST", f"^/channels/{CHANNEL_ID}/messages$", retry_after=LONG_WAIT)
    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]))

    await until(lambda: bool(_rate_limit_lines(caplog)))
    [line] = _rate_limit_lines(caplog)
    assert line.startswith("mention: the reply was not sent")
    assert f"message {mid}" in line and f"channel {CHANNEL_ID}" in line
    assert logged_tracebacks(caplog) == []
    # A short wait is still waited out: the next mention is answered once, after it.
    fake.rate_limit("POST", f"^/channels/{CHANNEL_ID}/messages$", retry_after=0.05)
    later = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=later,
                                                         mentions=[BOT_USER]))
    posts = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=3)
    assert [p.status for p in posts] == [429, 429, 200]
    assert str(posts[2].json["message_reference"]["message_id"]) == later
    assert len(fake.created) == 1  # nothing posted twice
    assert bot.connected


async def test_an_ask_whose_response_is_rate_limited_for_an_hour_is_one_log_line_and_nothing_more_is_sent(
    fake: FakeDiscord, engine: Engine, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    payload = ask_payload(fake, SCALE_QUESTION)
    fake.rate_limit("POST", rf"^/interactions/{payload['id']}/", retry_after=LONG_WAIT)

    await fake.dispatch("INTERACTION_CREATE", payload)
    await until(lambda: bool(_rate_limit_lines(caplog)))

    [line] = _rate_limit_lines(caplog)
    assert line.startswith("command: the reply was not sent") and f"interaction {payload['id']}" in line
    await asyncio.sleep(0.2)  # an apology sent after it would show here
    assert len(fake.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert fake.find("POST", "^/webhooks/") == []
    assert logged_tracebacks(caplog) == []
    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4
    assert engine.answer(SCALE_QUESTION).text in again.json["data"]["embeds"][0]["description"]


async def test_a_deferred_answer_whose_edit_is_rate_limited_for_an_hour_is_one_log_line_and_not_sent_twice(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.rate_limit("PATCH", f"^/webhooks/{APPLICATION_ID}/held-token/messages/@original$", retry_after=LONG_WAIT)
    async with running(fake, AskService(engine), db, defer_after=0.0):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="held-token"))
        assert first.json["type"] == 5
        await until(lambda: bool(_rate_limit_lines(caplog)))
        await asyncio.sleep(0.2)  # a follow-up sent after it would show here

    [line] = _rate_limit_lines(caplog)
    assert line.startswith("command: the reply was not sent") and f"interaction {first.path.split('/')[2]}" in line
    assert [c.status for c in fake.find("PATCH", "^/webhooks/")] == [429]
    assert fake.find("POST", "^/webhooks/") == []
    assert logged_tracebacks(caplog) == []


async def test_a_suggestion_click_rate_limited_for_an_hour_is_one_log_line(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    abstained = await interact(fake, ask_payload(fake, UNKNOWN_QUESTION))
    chosen = buttons(abstained.json["data"])[0]
    click = component_interaction(chosen["custom_id"], sent_message(fake, abstained.json["data"]),
                                  interaction_id=fake.new_id())
    fake.rate_limit("POST", rf"^/interactions/{click['id']}/", retry_after=LONG_WAIT)

    await fake.dispatch("INTERACTION_CREATE", click)
    await until(lambda: bool(_rate_limit_lines(caplog)))

    [line] = _rate_limit_lines(caplog)
    assert line.startswith("suggest button: the reply was not sent") and f"interaction {click['id']}" in line
    await asyncio.sleep(0.2)
    assert len(fake.find("POST", rf"^/interactions/{click['id']}/")) == 1
    assert logged_tracebacks(caplog) == []


async def test_autocomplete_rate_limited_for_an_hour_is_one_warning_and_sent_once(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    payload = autocomplete_payload(fake, [{"name": "question", "type": 3, "value": "scale", "focused": True}])
    fake.rate_limit("POST", rf"^/interactions/{payload['id']}/", retry_after=LONG_WAIT)

    await fake.dispatch("INTERACTION_CREATE", payload)
    await until(lambda: bool(_rate_limit_lines(caplog)))

    [line] = _rate_limit_lines(caplog)
    assert line.startswith("autocomplete: the choices were not sent") and f"interaction {payload['id']}" in line
    await asyncio.sleep(0.2)
    assert len(fake.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert logged_tracebacks(caplog) == []
    again = await interact(fake, ask_payload(fake, SCALE_QUESTION))
    assert again.json["type"] == 4


async def test_a_guild_sync_rate_limited_for_an_hour_is_one_log_line_and_the_bot_still_starts(
    fake: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fake.rate_limit("PUT", "/guilds/111/commands$", retry_after=LONG_WAIT)
    bot = DiscordBot(settings_for(fake, discord_guild_ids="111,222"), AskService(engine), db=db, ready_timeout=0.01)
    try:
        await asyncio.wait_for(bot.start(), timeout=5)
        await until(lambda: bot.connected)
        assert bot.client.synced == {222: ["ask", "topics", "digest"]}
    finally:
        await bot.close()
    [line] = _rate_limit_lines(caplog)
    assert "server 111" in line and "keep their last sync" in line
    assert logged_tracebacks(caplog) == []


async def test_a_post_rate_limited_for_an_hour_by_discord_is_not_waited_out(
    fake: FakeDiscord, bot: DiscordBot, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.digest import build_digest
    from bot.digest_schedule import SendFailure

    fake.rate_limit("POST", "^/channels/4242/messages$", retry_after=LONG_WAIT)
    assert await asyncio.wait_for(bot.send_embeds(4242, embeds=[discord.Embed(title="x")]), timeout=5) is None
    [line] = _rate_limit_lines(caplog)
    assert "channel 4242" in line
    # The digest, sent by the serving bot, hears of the wait and comes back after it.
    fake.rate_limit("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", retry_after=LONG_WAIT)
    digest = build_digest(fact_base, channel=DIGEST_KEY, day=DIGEST_DAY, size=2, posted=set())
    with pytest.raises(SendFailure) as failure:
        await asyncio.wait_for(channel_sender(slack=None, discord_bot=bot)(DIGEST_KEY, digest), timeout=5)
    assert failure.value.transient is True and failure.value.retry_after == LONG_WAIT
    assert fake.created == []
    assert logged_tracebacks(caplog) == []


# -- the digest through the scheduler -----------------------------------------------------

DIGEST_CHANNEL = "424242424242424242"
DIGEST_KEY = f"discord:{DIGEST_CHANNEL}"
DIGEST_DAY = date(2026, 1, 5)


def digest_scheduler(bot: DiscordBot, db: Database, fact_base: FactBase) -> DigestScheduler:
    """The runtime's scheduler for one Discord channel; its waits between attempts take no time."""

    async def no_wait(seconds: float) -> None:
        return None

    return DigestScheduler(
        channels=[DIGEST_KEY],
        schedule=DigestSchedule(at=time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
        store=DigestStore(db),
        base=lambda: fact_base,
        size=2,
        send=channel_sender(slack=None, discord_bot=bot),
        sleep=no_wait,
    )


async def test_a_digest_whose_answer_got_lost_is_not_posted_twice_by_the_retry(
    fake: FakeDiscord, bot: DiscordBot, db: Database, fact_base: FactBase
) -> None:
    # Discord stored the message, but the answer that says so never arrived.
    fake.fail("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", status=503, code=0, message="Service Unavailable",
              lost=True)

    outcome = await digest_scheduler(bot, db, fact_base).post(DIGEST_KEY, day=DIGEST_DAY)

    posts = fake.find("POST", f"^/channels/{DIGEST_CHANNEL}/messages$")
    assert [p.status for p in posts] == [503, 200]
    assert posts[0].json["nonce"] == posts[1].json["nonce"] and posts[1].json["enforce_nonce"] is True
    assert len(fake.created) == 1
    assert outcome.status == "sent" and outcome.message_id == fake.created[0]["id"]


async def test_a_digest_to_a_channel_without_embed_links_is_posted_once_as_plain_text_with_quotes_and_sources(
    fake: FakeDiscord, bot: DiscordBot, db: Database, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    await server_without_embed_links_in(fake, bot, DIGEST_CHANNEL)
    scheduler = digest_scheduler(bot, db, fact_base)

    outcome = await scheduler.post(DIGEST_KEY, day=DIGEST_DAY)

    assert outcome.status == "sent"
    [post] = fake.find("POST", f"^/channels/{DIGEST_CHANNEL}/messages$")
    assert post.status == 200 and not post.json.get("embeds")
    assert post.json["allowed_mentions"] == {"parse": []}
    [shown] = fake.created
    assert outcome.message_id == shown["id"]
    content = shown["content"]
    assert len(content) <= 2000 and content.startswith("**Fact of the day")
    digest = scheduler.digest_for(DIGEST_KEY, day=DIGEST_DAY)
    for item in digest.items:
        first = item.quotes[0]
        assert f"> {discord.utils.escape_markdown(' '.join(first.text.split()))[:40]}" in content
        assert discord.utils.escape_markdown(first.source.title) in content
    assert sum("Embed Links" in w for w in _warnings(caplog)) == 1


@pytest.mark.parametrize("via", [True, False], ids=["from-discord", "from-a-proxy"])
async def test_a_digest_that_meets_a_429_is_posted_once(
    fake: FakeDiscord, bot: DiscordBot, db: Database, fact_base: FactBase, via: bool
) -> None:
    fake.rate_limit("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", retry_after=0.05, via=via)

    outcome = await digest_scheduler(bot, db, fact_base).post(DIGEST_KEY, day=DIGEST_DAY)

    assert outcome.status == "sent"
    assert [p.status for p in fake.find("POST", f"^/channels/{DIGEST_CHANNEL}/messages$")] == [429, 200]
    assert len(fake.created) == 1


@pytest.mark.parametrize(
    ("status", "code", "message"), [(404, 10003, "Unknown Channel"), (403, 50001, "Missing Access")],
    ids=["unknown-channel", "missing-access"],
)
async def test_a_digest_channel_the_bot_cannot_post_to_is_one_clear_log_line(
    fake: FakeDiscord, bot: DiscordBot, db: Database, fact_base: FactBase, caplog: pytest.LogCaptureFixture,
    status: int, code: int, message: str,
) -> None:
    caplog.set_level(logging.INFO)
    fake.fail("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", status=status, code=code, message=message)
    scheduler = digest_scheduler(bot, db, fact_base)

    outcome = await scheduler.post(DIGEST_KEY, day=DIGEST_DAY)

    assert outcome.status == "failed"
    assert len(fake.find("POST", f"^/channels/{DIGEST_CHANNEL}/messages$")) == 1
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == [f"digest for {DIGEST_KEY} on {DIGEST_DAY} not posted: Discord: {status} {message}"]
    # Not posted twice either: the day's run is over.
    assert (await scheduler.post(DIGEST_KEY, day=DIGEST_DAY)).status == "done"
    assert fake.created == []


async def _no_wait(seconds: float) -> None:
    return None


def _nine_oclock_digest(
    bot: DiscordBot, db: Database, fact_base: FactBase, now: list[datetime], *, send: Any = None, find: Any = None
) -> DigestScheduler:
    """A scheduler for the digest channel at 09:00 UTC with six hours' grace, at the time in
    `now[0]`, sending through `bot` (or `send`): each call is another start of the bot."""
    return DigestScheduler(
        channels=[DIGEST_KEY],
        schedule=DigestSchedule(at=time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
        store=DigestStore(db, clock=lambda: now[0]),
        base=lambda: fact_base,
        size=2,
        send=send or channel_sender(slack=None, discord_bot=bot),
        find=find,
        clock=lambda: now[0],
        sleep=_no_wait,
        close_grace=0.2,
    )


async def _run_while_discord_is_unreachable(
    fake: FakeDiscord, engine: Engine, db: Database, scheduler_for: Callable[[DiscordBot], DigestScheduler]
) -> Any:
    """The digest's outcome at a start where Discord fails the login: the bot starts anyway and
    keeps trying in the background."""
    fake.fail("GET", "^/users/@me$", status=503, code=0, message="upstream connect error")
    unreachable = DiscordBot(settings_for(fake), AskService(engine), db=db, ready_timeout=0.01, reconnect_delays=(60.0,))
    await unreachable.start()
    try:
        [outcome] = await scheduler_for(unreachable).run_due()
    finally:
        await unreachable.close()
    return outcome


async def test_a_digest_due_while_discord_cannot_be_reached_yet_is_posted_once_it_can(
    fake: FakeDiscord, engine: Engine, db: Database, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)]

    def scheduler_for(bot: DiscordBot) -> DigestScheduler:
        return _nine_oclock_digest(bot, db, fact_base, now)

    waiting = await _run_while_discord_is_unreachable(fake, engine, db, scheduler_for)

    assert waiting.status == "deferred", waiting.reason
    assert "may have been posted" not in (waiting.reason or "")
    assert fake.find("POST", "^/channels/") == []

    # Logged in by the next try, five minutes later: the day's digest goes out, once.
    now[0] += timedelta(minutes=5, seconds=1)
    async with running(fake, AskService(engine), db) as bot:
        [posted] = await scheduler_for(bot).run_due()
    assert posted.status == "sent"
    assert [m["channel_id"] for m in fake.created] == [DIGEST_CHANNEL]


async def test_a_digest_cut_mid_send_is_not_posted_again_when_the_next_start_cannot_reach_discord_yet(
    fake: FakeDiscord, engine: Engine, db: Database, fact_base: FactBase
) -> None:
    # The run posted the digest and was stopped before Discord's answer came. The next start
    # cannot reach Discord at first: the channel can't be looked in yet, which is no sign that
    # the digest is not there. Once logged in, it is found there, not posted a second time.
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)]

    def scheduler_for(bot: DiscordBot, send: Any = None) -> DigestScheduler:
        return _nine_oclock_digest(bot, db, fact_base, now, send=send, find=channel_finder(slack=None, discord_bot=bot))

    async with running(fake, AskService(engine), db) as bot:
        sender = channel_sender(slack=None, discord_bot=bot)

        async def posted_then_stopped(target: str, digest: Any) -> str | None:
            await sender(target, digest)
            await asyncio.Event().wait()  # Discord's answer never arrives before the stop
            return None

        first = scheduler_for(bot, posted_then_stopped)
        first.start()
        await fake.wait_for("POST", f"^/channels/{DIGEST_CHANNEL}/messages$")
        await first.close()
    [posted] = fake.created
    fake.forget_nonces()  # the next start comes after Discord stopped checking the nonce
    now[0] += timedelta(minutes=10)

    waiting = await _run_while_discord_is_unreachable(fake, engine, db, scheduler_for)
    assert waiting.status == "deferred", waiting.reason

    now[0] += timedelta(minutes=10)
    async with running(fake, AskService(engine), db) as bot:
        [found] = await scheduler_for(bot).run_due()
    assert (found.status, found.message_id) == ("sent", posted["id"]), found.reason
    assert fake.created == [posted]


@pytest.mark.parametrize("token", ["abc\ndef", "Bot abc.def", "abc def"], ids=["line-break", "bot-prefix", "space"])
async def test_digest_send_with_a_token_that_cannot_be_a_bot_token_is_one_line_before_any_request(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", token)
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))

    code, out = await asyncio.to_thread(_cli, ["digest", "send", "--channel", f"discord:{DIGEST_CHANNEL}"])

    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith("error: DISCORD_TOKEN is invalid") and err.count("\n") == 1
    assert fake.calls == []


async def test_digest_send_whose_login_fails_prints_one_line_and_nothing_after_it(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.fail("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISCORD_TOKEN": "reset-token",
           "DISCORD_API_URL": fake.base_url, "BOT_DATA_DIR": str(tmp_path / "data")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "send", "--channel", f"discord:{DIGEST_CHANNEL}",
        cwd=Path(__file__).resolve().parents[2], env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 1
    # One line; aiohttp's "Unclosed client session" would follow it if the client were left open.
    [line] = err.decode().splitlines()
    assert re.fullmatch(
        rf"error: the digest of \d{{4}}-\d{{2}}-\d{{2}} for discord:{DIGEST_CHANNEL} was not posted: "
        r"Discord: Improper token has been passed\.",
        line,
    )
    assert fake.created == []


# -- `python -m bot discord sync` ----------------------------------------------------------


def _cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


async def test_cli_sync_pushes_the_commands_to_the_configured_guilds_over_rest_only(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)
    monkeypatch.setenv("DISCORD_GUILD_IDS", "111")

    code, out = await asyncio.to_thread(_cli, ["discord", "sync"])

    assert code == 0
    assert out == "synced 3 commands (/ask, /topics, /digest) to server 111\n"
    [put] = fake.find("PUT", "/commands$")
    assert put.path == f"/applications/{APPLICATION_ID}/guilds/111/commands"
    assert fake.sessions == []  # REST only: no gateway connection


async def test_cli_sync_global(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)

    code, out = await asyncio.to_thread(_cli, ["discord", "sync", "--global"])

    assert code == 0 and "globally" in out
    [put] = fake.find("PUT", "/commands$")
    assert put.path == f"/applications/{APPLICATION_ID}/commands"
    assert [c["name"] for c in put.json] == ["ask", "topics", "digest"]


def test_cli_sync_without_a_token_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(["discord", "sync"])
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith("error: DISCORD_TOKEN") and err.count("\n") == 1


async def test_cli_sync_with_discord_out_of_reach_is_one_line_and_exit_1(
    refused_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", refused_url)
    monkeypatch.setenv("DISCORD_GUILD_IDS", "111")

    code, out = await asyncio.to_thread(_cli, ["discord", "sync"])

    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith(f"error: could not reach Discord at {refused_url}") and err.count("\n") == 1


async def test_cli_sync_refused_by_discord_is_one_line_and_exit_1(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)
    fake.fail("PUT", f"^/applications/{APPLICATION_ID}/commands$", status=404, code=10002,
              message="Unknown Application")

    code, out = await asyncio.to_thread(_cli, ["discord", "sync", "--global"])

    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith("error: Discord refused to sync the commands globally (HTTP 404, code 10002")
    assert err.count("\n") == 1


async def test_cli_sync_to_a_server_that_refuses_still_syncs_the_others_and_says_which_were_synced(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)
    monkeypatch.setenv("DISCORD_GUILD_IDS", "111,222,333")
    fake.fail("PUT", f"^/applications/{APPLICATION_ID}/guilds/222/commands$", status=403, code=50001,
              message="Missing Access")

    code, out = await asyncio.to_thread(_cli, ["discord", "sync"])

    err = capsys.readouterr().err
    assert code == 1
    assert out == (
        "synced 3 commands (/ask, /topics, /digest) to server 111\n"
        "synced 3 commands (/ask, /topics, /digest) to server 333\n"
    )
    assert err.startswith("error: Discord refused to sync the commands to server 222 (HTTP 403, code 50001")
    assert err.count("\n") == 1
    assert [c.path for c in fake.find("PUT", "/commands$")] == [
        f"/applications/{APPLICATION_ID}/guilds/{guild}/commands" for guild in (111, 222, 333)
    ]


def test_cli_sync_with_a_malformed_token_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "Bot abc.def")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "111")
    code, out = _cli(["discord", "sync"])
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err.startswith("error: DISCORD_TOKEN is invalid") and err.count("\n") == 1


def test_cli_sync_needs_guilds_or_global(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    code, _ = _cli(["discord", "sync"])
    assert code == 2 and "--global" in capsys.readouterr().err


def test_the_core_and_its_cli_load_no_discord_module() -> None:
    script = (
        "import sys, bot, bot.cli; bot.cli.build_parser(); "
        "loaded = [m for m in sys.modules if m == 'discord' or m.startswith('discord.')]; "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr


async def test_digest_in_a_thread_of_a_digest_channel_shows_that_channels_digest(
    fake: FakeDiscord, bot: DiscordBot, db: Database
) -> None:
    # A thread under a digest channel is where its digest is talked about: /digest there is
    # that channel's digest, not "not set up here".
    build_digest_scheduler(settings_for(fake, digest_channels=f"discord:{CHANNEL_ID}"), bot.responder.service, db,
                           slack=None, discord=bot)
    thread_id = fake.new_id()
    payload = command_interaction("digest", interaction_id=fake.new_id(), channel_id=thread_id)
    payload["channel"] = {
        **payload["channel"], "id": thread_id, "type": 11, "parent_id": CHANNEL_ID, "name": "about today's facts",
        "owner_id": HUMAN["id"], "message_count": 3, "member_count": 2, "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                                    "archive_timestamp": "2026-01-05T09:00:00+00:00", "locked": False},
    }

    call = await interact(fake, payload)

    data = call.json["data"]
    assert data["flags"] & EPHEMERAL
    assert data.get("content") != NO_DIGEST
    assert data["embeds"][0]["title"].startswith("Fact of the day")


@pytest.mark.parametrize(
    ("code", "message", "errors"),
    [
        (50035, "Invalid Form Body",
         {"message_reference": {"_errors": [{"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}]}}),
        (10008, "Unknown Message", None),
    ],
)
async def test_a_question_deleted_before_its_answer_gets_none_and_logs_no_error(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture, code: int, message: str, errors: dict | None
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    fake.fail("POST", f"^/channels/{CHANNEL_ID}/messages$", status=400, code=code, message=message, errors=errors)
    mid = fake.new_id()
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=mid, mentions=[BOT_USER]))

    (refused,) = await fake.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", count=1)
    assert refused.status == 400 and "message_reference" in refused.json
    await until(lambda: "deleted before its answer" in caplog.text)
    assert f"message {mid}" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Nothing is posted in its place: the asker took the question back.
    await asyncio.sleep(0.2)
    assert len([c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/messages"]) == 1


async def test_another_form_error_of_a_reply_is_still_logged_as_an_error(
    fake: FakeDiscord, bot: DiscordBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord_adapter")
    fake.fail(
        "POST", f"^/channels/{CHANNEL_ID}/messages$", status=400, code=50035, message="Invalid Form Body",
        errors={"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Too long"}]}}}},
    )
    await fake.dispatch("MESSAGE_CREATE", message_create(f"<@{BOT_USER_ID}> {SCALE_QUESTION}", id=fake.new_id(),
                                                         mentions=[BOT_USER]))
    await until(lambda: "Discord refused the reply" in caplog.text)
    assert "deleted before its answer" not in caplog.text
