"""The real discord.py client against a fake Discord (REST + gateway) on loopback.

Every test drives the bot the way Discord does, with INTERACTION_CREATE and MESSAGE_CREATE
dispatches over the fake gateway, and asserts on the JSON the fake REST API received.
"""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import sys
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import discord
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord_adapter import NO_DIGEST, DiscordBot, parse_guild_ids
from bot.cli import main
from bot.config import Settings
from bot.db import Database
from bot.engine import Engine
from bot.errors import ConfigError
from bot.models import Answer
from bot.rate_limit import RateLimiter
from bot.service import AskService
from tests.fakes.discord_api import (
    APPLICATION_ID,
    BOT_USER,
    BOT_USER_ID,
    CHANNEL_ID,
    HUMAN,
    USER_ID,
    Call,
    FakeDiscord,
    command_interaction,
    component_interaction,
    message_create,
    message_payload,
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


@pytest.mark.parametrize("value", ["abc", "123,x9", "12.5", "-4", "0"])
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


async def test_a_slow_answer_is_deferred_then_sent_as_a_follow_up(
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
        [follow_up] = await fake.wait_for("POST", f"^/webhooks/{APPLICATION_ID}/slow-token$")

    assert follow_up.json["allowed_mentions"] == {"parse": []}
    assert engine.answer(SCALE_QUESTION).text in follow_up.json["embeds"][0]["description"]


async def test_a_question_with_everyone_is_answered_without_pinging(fake: FakeDiscord, bot: DiscordBot) -> None:
    call = await interact(fake, ask_payload(fake, "@everyone @here <@&123> how big is meta's stake in scale ai?"))

    data = call.json["data"]
    assert call.json["type"] == 4
    assert data["allowed_mentions"] == {"parse": []}
    assert not data.get("content")
    assert "49%" in data["embeds"][0]["description"]


async def test_an_asker_over_the_rate_limit_is_told_so_alone(fake: FakeDiscord, engine: Engine, db: Database) -> None:
    limiter = RateLimiter(1, clock=lambda: 0.0)
    async with running(fake, AskService(engine, rate_limiter=limiter), db):
        first = await interact(fake, ask_payload(fake, SCALE_QUESTION))
        second = await interact(fake, ask_payload(fake, SCALE_QUESTION))

    assert first.json["type"] == 4 and not first.json["data"].get("flags", 0) & EPHEMERAL
    data = second.json["data"]
    assert second.json["type"] == 4 and data["flags"] & EPHEMERAL
    assert data["embeds"][0]["description"].startswith("You've asked 1 questions in the last minute")
    assert "components" not in data or data["components"] == []


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
        [answer] = await fake.wait_for("POST", f"^/webhooks/{APPLICATION_ID}/first-token$")
        second = await interact(fake, ask_payload(fake, SCALE_QUESTION, token="second-token"))

    assert first.json["type"] == 5  # the slow answer was deferred: "thinking" in the channel
    assert answer.ephemeral is False
    assert engine.answer(SCALE_QUESTION).text in answer.json["embeds"][0]["description"]
    # The refusal is known before any deferral: a direct reply only the asker sees, no placeholder.
    assert second.json["type"] == 4
    assert second.ephemeral is True
    assert second.json["data"]["embeds"][0]["description"].startswith("You've asked 1 questions in the last minute")
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
        [answered] = await fake.wait_for("POST", f"^/webhooks/{APPLICATION_ID}/ask-token$")
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
