"""Unusual but possible payloads, through the real adapters and the fakes on loopback.

What Slack, Discord or an odd client can send that the other adapter tests don't: questions
that are empty or nothing but pings, entities, control characters or length; messages that
are edits, joins or the bot's own; retries; events, buttons, shortcuts and modals the bot
doesn't handle; unsigned or malformed requests. Each test asserts on what the fakes received
(what was posted, where, how many times) and that no traceback was logged.

The Slack fixtures (`fake`, `db`, `bot`, `http`) and helpers come from test_slack_adapter;
the Discord bot runs with test_discord_adapter's `running`, against its own `discord_api`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.discord_adapter import DEFER_AFTER, GONE as DISCORD_GONE, TOO_LONG as DISCORD_TOO_LONG, DiscordBot
from adapters.slack_adapter import GONE, SlackBot
from adapters.slack_blocks import encode_value
from bot.db import Database
from bot.engine import Engine
from bot.service import AskService
from bot.terminal import TOO_LONG
from tests.adapters.test_discord_adapter import (
    ask_payload,
    buttons,
    interact,
    restore_discord_endpoints,  # noqa: F401 - autouse: puts discord.py's endpoints back
    running,
    sent_message,
)
from tests.adapters.test_slack_adapter import (  # noqa: F401 - fake, db, bot, http are fixtures
    CHANNEL,
    QUESTION,
    USER,
    acted,
    block_text,
    bot,
    click,
    db,
    dm,
    envelope,
    event_body,
    fake,
    find_button,
    http,
    mention,
    post_event,
    post_form,
    serving,
    signed_headers,
    slack_settings,
    slash,
    without_values,
)
from tests.fakes.discord_api import (
    APPLICATION_ID,
    BOT_USER_ID as DISCORD_BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    FakeDiscord,
    command_interaction,
    component_interaction,
    message_create,
    message_payload,
)
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlackApi

MARK_CHANNEL = "D0MARK"
SCALE_FACT = "scale-ai-stake"


@pytest.fixture(autouse=True)
def info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record logged with a traceback (none is expected for anything a user or client sends)."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info] + (
        ["Traceback in the log text"] if "Traceback" in caplog.text else []
    )


def unhandled(caplog: pytest.LogCaptureFixture) -> list[str]:
    """bolt's warnings about requests no listener took (it answers those 404)."""
    return [r.getMessage()[:80] for r in caplog.records if r.name.startswith("slack_bolt") and r.levelno >= logging.WARNING]


# -- Slack helpers -------------------------------------------------------------------------


async def mark(http: TestClient, fake: FakeSlackApi, *, event_id: str = "EvMark") -> None:
    """Ask a question in another DM and wait for its answer: work queued before it has been done by then."""
    await post_event(http, event_body(dm(QUESTION, channel=MARK_CHANNEL, ts="1699999999.999999"), event_id=event_id))
    await fake.wait_until(
        lambda: any(c.body.get("channel") == MARK_CHANNEL for c in fake.calls_to("chat.postMessage")),
        what="the answer to the marker DM",
    )


def posts(fake: FakeSlackApi) -> list[dict[str, Any]]:
    """What the bot posted with chat.postMessage, the marker's answer left out."""
    return [c.body for c in fake.calls_to("chat.postMessage", ok_only=False) if c.body.get("channel") != MARK_CHANNEL]


def shown(body: dict[str, Any]) -> str:
    """Everything Slack renders of a message: its text and its blocks without the button values."""
    return json.dumps([body.get("text"), without_values(body.get("blocks", []))], ensure_ascii=False)


def payload_form(payload: dict[str, Any]) -> dict[str, str]:
    return {"payload": json.dumps(payload)}


def block_actions(fake: FakeSlackApi, action_id: Any, value: Any, **extra: Any) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b", "action_ts": "1700000001.0"}
    if value is not None:
        action["value"] = value
    return {
        "type": "block_actions",
        "user": {"id": USER, "username": "ann", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": CHANNEL, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": fake.response_url("act"),
        "actions": [action],
        **extra,
    }


# -- Slack: what a mention or DM says --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [f"<@{BOT_USER_ID}>", f"<@{BOT_USER_ID}>   \t ", f"<@{BOT_USER_ID}>\n\n<@{BOT_USER_ID}>"],
    ids=["bare", "blanks", "twice"],
)
async def test_a_mention_with_no_question_gets_the_help_once_in_its_thread(
    http: TestClient, fake: FakeSlackApi, engine: Engine, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert await post_event(http, event_body(mention(text), event_id="Ev1")) == 200
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == CHANNEL and post["thread_ts"] == "1699999999.000100"
    assert "/ask" in post["text"]
    assert all(t.example in block_text(post["blocks"]) for t in engine.topics())
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "text", [":tada: 🎉 :thinking_face:", "\u200f\u200e\u202e", "?", "?!"], ids=["emoji", "rtl-marks", "mark", "marks"]
)
async def test_a_mention_with_only_emoji_marks_or_punctuation_gets_the_help_once(
    http: TestClient, fake: FakeSlackApi, engine: Engine, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {text}"), event_id="Ev1"))
    await mark(http, fake)
    [post] = posts(fake)
    assert "/ask" in post["text"] and post["thread_ts"] == "1699999999.000100"
    assert all(t.example in block_text(post["blocks"]) for t in engine.topics())
    assert tracebacks(caplog) == []


async def test_null_bytes_control_characters_and_rtl_marks_around_a_question_still_get_its_answer(
    http: TestClient, fake: FakeSlackApi, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    text = f"<@{BOT_USER_ID}> \x00\x07\x1b {QUESTION}\u200f\u202e"
    await post_event(http, event_body(mention(text), event_id="Ev1"))
    await mark(http, fake)
    [post] = posts(fake)
    assert f"`{SCALE_FACT}`" in json.dumps(post["blocks"])
    assert engine.answer(QUESTION).text in block_text(post["blocks"])
    assert tracebacks(caplog) == []


async def test_slack_markup_in_a_question_is_echoed_as_text_and_pings_nobody(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # What Slack sends for a command typed with @channel, @here, @everyone, a user, a channel, a
    # link and a literal "<b> &", with "escape channels, users, and links" on.
    text = "<!channel> <!here> <!everyone> <@U123|bob> <#C123|general> <https://x.y|link> &lt;b&gt; &amp; why?"
    assert await slash(http, fake, text) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    echo = reply.body["blocks"][0]["elements"][0]["text"]
    assert echo == "You asked “@bob #general link &lt;b&gt; &amp; why?”"
    rendered = shown(reply.body)
    for raw in ("<!", "<@U123", "<#C123", "<https://", "<b>"):
        assert raw not in rendered
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "text", ["why " * 12_500, "<@U0SOMEONE>" * 4_200, "<" * 50_000], ids=["words", "mentions", "brackets"]
)
async def test_a_50000_character_mention_gets_one_too_long_reply(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert len(text) >= 50_000
    started = time.monotonic()
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {text}"), event_id="Ev1"))
    await mark(http, fake)
    [post] = posts(fake)
    assert post["text"] == TOO_LONG and "blocks" not in post
    # Read in one pass: a reading that grew with the square of the length would take minutes.
    assert time.monotonic() - started < 30
    assert tracebacks(caplog) == []


async def test_a_mention_or_dm_whose_words_are_only_in_its_blocks_is_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # An app posting for its user may send blocks and no text: the bot saw an empty message and
    # answered with the help.
    def blocks(*elements: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"type": "rich_text", "block_id": "r", "elements": [{"type": "rich_text_section", "elements": [
            *elements, {"type": "broadcast", "range": "channel"}, {"type": "text", "text": f" {QUESTION}"},
        ]}]}]

    await post_event(http, event_body(mention("", blocks=blocks({"type": "user", "user_id": BOT_USER_ID})), event_id="Ev1"))
    await post_event(http, event_body(dm("", blocks=blocks()), event_id="Ev2"))
    await mark(http, fake)
    answers = posts(fake)
    assert sorted((p["channel"], p.get("thread_ts")) for p in answers) == [(CHANNEL, "1699999999.000100"), ("D111", None)]
    assert all(f"`{SCALE_FACT}`" in json.dumps(p["blocks"]) for p in answers)
    assert tracebacks(caplog) == []


async def test_a_mention_without_user_team_or_authorizations_is_still_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")
    del body["team_id"], body["authorizations"], body["event"]["user"]
    assert await post_event(http, body) == 200
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == CHANNEL and f"`{SCALE_FACT}`" in json.dumps(post["blocks"])
    assert tracebacks(caplog) == []


# -- Slack: messages that are not questions, and threads ----------------------------------


async def test_edits_deletions_joins_and_the_bots_own_messages_are_never_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    ignored = [
        # An edit of a message written long before carries the new text in a nested message:
        # tidying up an old message asks nothing new.
        {
            "type": "message", "subtype": "message_changed", "hidden": True, "channel": "D111", "channel_type": "im",
            "ts": "90000.1", "event_ts": "90000.1",
            "message": {"type": "message", "user": USER, "text": QUESTION, "ts": "1.0",
                        "edited": {"user": USER, "ts": "90000.1"}},
            "previous_message": {"type": "message", "user": USER, "text": "how much of scale", "ts": "1.0"},
        },
        {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "D111", "channel_type": "im",
         "ts": "1.2", "event_ts": "1.2", "deleted_ts": "1.0"},
        {"type": "message", "subtype": "channel_join", "user": USER, "text": f"<@{USER}> has joined the channel",
         "channel": CHANNEL, "channel_type": "channel", "ts": "1.3", "event_ts": "1.3"},
        dm(QUESTION, subtype="bot_message", bot_id="BOTHER", ts="1.4"),
        # The bot's own messages, by its user id or by its bot id (bolt asks auth.test for both).
        dm(QUESTION, user=BOT_USER_ID, ts="1.5"),
        dm(QUESTION, bot_id=BOT_ID, ts="1.6"),
        mention(f"<@{BOT_USER_ID}> {QUESTION}", user=BOT_USER_ID, ts="1.7"),
    ]
    for number, event in enumerate(ignored):
        assert await post_event(http, event_body(event, event_id=f"EvIgnored{number}")) == 200
    await mark(http, fake)
    assert posts(fake) == []
    assert tracebacks(caplog) == []


async def test_channel_notices_that_name_the_bot_are_not_answered_but_a_mention_with_a_file_is(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack sends app_mention for any message naming the bot, its own notices in someone's name
    # included: each got an answer in a thread under "set the channel topic: ...".
    notices = [
        mention(f"<@{USER}> set the channel topic: Ask <@{BOT_USER_ID}> how much of Scale AI Meta owns",
                subtype="channel_topic", topic=f"Ask <@{BOT_USER_ID}> how much of Scale AI Meta owns", ts="1.1"),
        mention(f"<@{USER}> set the channel description: <@{BOT_USER_ID}> answers {QUESTION}",
                subtype="channel_purpose", purpose=f"<@{BOT_USER_ID}> answers", ts="1.2"),
        mention(f"<@{USER}> renamed the channel from \"ask-<@{BOT_USER_ID}>\" to \"ask\"",
                subtype="channel_name", old_name="ask-factbot", name="ask", ts="1.3"),
        mention(f"<@{USER}> pinned a message to this channel: <@{BOT_USER_ID}> {QUESTION}",
                subtype="pinned_item", item_type="C", ts="1.4"),
    ]
    for number, event in enumerate(notices):
        assert await post_event(http, event_body(event, event_id=f"EvNotice{number}")) == 200
    shared = mention(f"<@{BOT_USER_ID}> {QUESTION}", subtype="file_share", ts="1.5",
                     files=[{"id": "F1", "name": "chart.png", "mimetype": "image/png"}])
    assert await post_event(http, event_body(shared, event_id="EvFile")) == 200
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == CHANNEL and post["thread_ts"] == "1.5"
    assert f"`{SCALE_FACT}`" in json.dumps(post["blocks"])
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("extra", "thread_ts"),
    [
        ({"subtype": "file_share", "files": [{"id": "F1", "name": "chart.png", "mimetype": "image/png"}]}, None),
        ({"subtype": "thread_broadcast", "thread_ts": "1699999999.000001"}, "1699999999.000001"),
        ({"subtype": "me_message"}, None),
    ],
    ids=["with-a-file", "thread-reply-also-sent-to-the-dm", "written-with-slash-me"],
)
async def test_a_dm_with_a_file_a_broadcast_thread_reply_or_a_me_message_is_answered_once(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, extra: dict[str, Any], thread_ts: str | None
) -> None:
    await post_event(http, event_body(dm(QUESTION, **extra), event_id="Ev1"))
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == "D111" and post.get("thread_ts") == thread_ts
    assert f"`{SCALE_FACT}`" in json.dumps(post["blocks"])
    assert tracebacks(caplog) == []


async def test_questions_inside_threads_are_answered_in_that_thread(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    parent = "1699999999.000001"
    await post_event(http, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts="1699999999.000500", thread_ts=parent),
                                      event_id="Ev1"))
    await post_event(http, event_body(dm(QUESTION, ts="1699999999.000600", thread_ts="1699999999.000002"), event_id="Ev2"))
    await mark(http, fake)
    assert sorted((p["channel"], p.get("thread_ts")) for p in posts(fake)) == [
        ("C111", parent), ("D111", "1699999999.000002")
    ]
    assert tracebacks(caplog) == []


async def test_an_edited_mention_is_not_answered_again_but_an_edit_that_adds_the_mention_is(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack sends app_mention again, with a new event_id and an `edited` field, for every edit
    # of a message that names the bot: fixing a typo got a second answer.
    answered, added = "1699999999.000100", "1699999999.000200"
    events = [
        mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=answered),
        mention(f"<@{BOT_USER_ID}> {QUESTION} (typo!)", ts=answered, edited={"user": USER, "ts": "1699999999.000300"}),
        mention(f"<@{BOT_USER_ID}> {QUESTION} again", ts=answered, edited={"user": USER, "ts": "1699999999.000400"}),
        # A message edited to name the bot: the first the bot hears of it.
        mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=added, edited={"user": USER, "ts": "1699999999.000500"}),
    ]
    for number, event in enumerate(events):
        assert await post_event(http, event_body(event, event_id=f"EvEdit{number}")) == 200
    await mark(http, fake)
    assert sorted(p["thread_ts"] for p in posts(fake)) == [answered, added]
    assert tracebacks(caplog) == []


async def test_a_mention_edited_days_later_is_not_answered_again(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The bot remembers a message it answered for a day: a typo fixed in an old message that
    # named the bot (Slack sends it as a new app_mention) got a second answer in its old thread.
    written = 1_699_999_999.0001
    now = [written + 5]
    slack = SlackBot(slack_settings(fake, tmp_path), AskService(engine), db=db, clock=lambda: now[0])
    await slack.start()
    try:
        async with serving(slack) as client:
            ts = f"{written:.6f}"
            await post_event(client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=ts), event_id="Ev1"))
            await fake.wait_until(lambda: len(posts(fake)) == 1, what="the answer to the mention")
            now[0] = written + 3 * 86400
            slack.events.prune()  # as serve does every hour
            edited = {"user": USER, "ts": f"{now[0]:.6f}"}
            await post_event(
                client, event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}!", ts=ts, edited=edited), event_id="Ev2")
            )
            await mark(client, fake)
    finally:
        await slack.close()
    assert [p["thread_ts"] for p in posts(fake)] == [ts]
    assert tracebacks(caplog) == []


# -- Slack: retries --------------------------------------------------------------------------


async def test_an_event_and_its_retry_arriving_together_are_answered_once(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    body = event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    statuses = await asyncio.gather(
        post_event(http, body), post_event(http, body, headers=retry), post_event(http, body, headers=retry)
    )
    assert statuses == [200, 200, 200]
    await mark(http, fake)
    assert [p["thread_ts"] for p in posts(fake)] == ["1699999999.000100"]
    assert tracebacks(caplog) == []


async def test_a_retry_that_is_the_only_delivery_is_answered(http: TestClient, fake: FakeSlackApi) -> None:
    # The first delivery never reached the bot (a redeploy): the retry is all there is.
    retry = {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}
    assert await post_event(http, event_body(dm(QUESTION), event_id="Ev1"), headers=retry) == 200
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == "D111" and f"`{SCALE_FACT}`" in json.dumps(post["blocks"])


# -- Slack: what the bot doesn't handle ------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled", "event_ts": "1.1"},
        {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER_ID]}, "event_ts": "1.2"},
        {"type": "reaction_added", "user": USER, "reaction": "thumbsup", "item": {"type": "message", "channel": CHANNEL,
                                                                                  "ts": "1.0"}, "event_ts": "1.3"},
        {"type": "member_joined_channel", "user": BOT_USER_ID, "channel": CHANNEL, "event_ts": "1.4"},
        {"type": "some_future_event", "event_ts": "1.5"},
    ],
    ids=lambda event: event["type"],
)
async def test_an_event_type_the_bot_does_not_handle_is_acknowledged_and_not_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, event: dict[str, Any]
) -> None:
    # Anything but 2xx and Slack retries the event, and eventually turns the subscription off.
    assert await post_event(http, event_body(event, event_id="Ev1")) == 200
    await mark(http, fake)
    assert posts(fake) == [] and fake.calls_to("views.publish") == []
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("event", "said"),
    [
        ({"type": "app_uninstalled", "event_ts": "1.1"}, "the app was uninstalled from team T0001"),
        ({"type": "tokens_revoked", "tokens": {"bot": [BOT_USER_ID]}, "event_ts": "1.2"},
         "the bot token was revoked in team T0001"),
    ],
    ids=lambda value: value["type"] if isinstance(value, dict) else "",
)
async def test_the_app_uninstalled_or_its_token_revoked_is_a_warning_saying_what_to_do(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, event: dict[str, Any], said: str
) -> None:
    # After this Slack sends nothing more and refuses every post: the bot looked healthy, and its
    # log said only "Slack app_uninstalled ignored", at INFO.
    assert await post_event(http, event_body(event, event_id="Ev1")) == 200
    await mark(http, fake)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and said in r.getMessage()]
    assert "install the app again" in warning and "SLACK_BOT_TOKEN" in warning
    assert posts(fake) == [] and tracebacks(caplog) == []


async def test_a_user_token_revoked_is_no_warning(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}, "event_ts": "1.3"}
    assert await post_event(http, event_body(event, event_id="Ev1")) == 200
    await mark(http, fake)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_slacks_notice_that_it_holds_back_events_is_acknowledged_and_logged_as_a_warning(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # Sent when the app gets more events an hour than Slack delivers: bolt has no listener for
    # it, answered 404 and logged only "Unhandled request", so nothing said questions were lost.
    notice = {"token": "legacy", "type": "app_rate_limited", "team_id": TEAM_ID, "minute_rate_limited": 1700000000,
              "api_app_id": "A0001"}
    assert await post_event(http, notice) == 200
    await mark(http, fake)
    assert posts(fake) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w for w in warnings if "holding back events" in w and TEAM_ID in w] == warnings
    assert len(warnings) == 1
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


async def test_socket_mode_acks_an_event_type_the_bot_does_not_handle(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db)
    await slack.start()
    try:
        # Unacked, Slack sends the envelope again (and again).
        unknown = event_body({"type": "app_uninstalled", "event_ts": "1.1"}, event_id="EvS1")
        await fake.send_envelope(envelope(unknown, envelope_id="env-1"))
        assert await fake.wait_for_ack("env-1") == {"envelope_id": "env-1"}
        await fake.send_envelope(envelope(event_body(dm(QUESTION), event_id="EvS2"), envelope_id="env-2"))
        [post] = await fake.wait_for("chat.postMessage")
    finally:
        await slack.close()
    assert post.body["channel"] == "D111"
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "shortcut", "callback_id": "open_factbot", "trigger_id": "1.2.3"},
        {"type": "message_action", "callback_id": "ask_about_this", "trigger_id": "1.2.3",
         "channel": {"id": CHANNEL}, "message": {"type": "message", "ts": "1.0", "text": QUESTION}},
        {"type": "view_submission", "trigger_id": "1.2.3",
         "view": {"id": "V1", "type": "modal", "callback_id": "feedback_form", "state": {"values": {}}}},
        {"type": "view_closed", "is_cleared": False,
         "view": {"id": "V1", "type": "modal", "callback_id": "feedback_form", "state": {"values": {}}}},
    ],
    ids=lambda payload: payload["type"],
)
async def test_shortcuts_and_modals_the_bot_does_not_handle_are_acknowledged(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    payload = {**payload, "user": {"id": USER}, "team": {"id": TEAM_ID}, "api_app_id": "A0001", "token": "legacy"}
    assert await post_form(http, payload_form(payload)) == (200, "")
    await mark(http, fake)
    assert posts(fake) == [] and [c.method for c in fake.calls if c.method.startswith("response:")] == []
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


async def test_a_select_menu_asking_for_options_gets_an_empty_list(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    payload = {
        "type": "block_suggestion", "action_id": "pick_fact", "block_id": "b1", "value": "lla",
        "user": {"id": USER}, "team": {"id": TEAM_ID}, "api_app_id": "A0001", "token": "legacy",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL},
    }
    status, text = await post_form(http, payload_form(payload))
    assert status == 200 and json.loads(text) == {"options": []}
    assert posts(fake) == [] and tracebacks(caplog) == []


async def test_a_button_the_bot_does_not_make_is_acknowledged_with_one_sentence(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    status = await post_form(http, payload_form(block_actions(fake, "open_dashboard", "x")))
    assert status == (200, "")
    [reply] = await fake.wait_for("response:act")
    assert reply.body == {"response_type": "ephemeral", "replace_original": False, "text": GONE}
    await mark(http, fake)
    assert posts(fake) == [] and len(fake.calls_to("response:act")) == 1
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


# -- Slack: button values and payloads as they may come back --------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        "not json at all",
        "[1, 2, 3]",
        '{"f": 5, "q": ["x"]}',
        '{"f": "../../etc/passwd"}',
        "[" * 1990,
        '{"f":' * 399 + "1" + "}" * 399,
        encode_value({"f": "no-such-fact"}) + " " * 5000,
        5,
        {"f": SCALE_FACT},
        [encode_value({"f": SCALE_FACT})],
    ],
    ids=["missing", "not-json", "a-list", "wrong-types", "tampered-id", "nested-arrays", "nested-objects", "too-long",
         "a-number", "an-object", "a-list-of-json"],
)
async def test_a_bad_button_value_gets_the_gone_sentence_once_and_no_traceback(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    status = await post_form(http, payload_form(block_actions(fake, "related:scale-ai-stake", value)))
    assert status == (200, "")
    [reply] = await fake.wait_for("response:act")
    assert reply.body == {"response_type": "ephemeral", "replace_original": False, "text": GONE}
    await mark(http, fake)
    assert posts(fake) == [] and len(fake.calls_to("response:act")) == 1
    assert tracebacks(caplog) == []


async def test_share_without_a_response_url_still_posts_the_answer_once(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    payload = block_actions(fake, "share_answer", encode_value({"q": QUESTION, "f": SCALE_FACT}))
    del payload["response_url"]
    assert await post_form(http, payload_form(payload)) == (200, "")
    await mark(http, fake)
    [post] = posts(fake)
    assert post["channel"] == CHANNEL and f"<@{USER}> asked “{QUESTION}”" in shown(post)
    assert [c.method for c in fake.calls if c.method.startswith("response:")] == []
    assert tracebacks(caplog) == []


async def test_a_vote_without_a_response_url_is_recorded_and_nothing_is_posted(
    http: TestClient, fake: FakeSlackApi, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    payload = block_actions(fake, "vote:up", encode_value({"q": QUESTION, "f": SCALE_FACT, "s": 0.9, "v": "up"}))
    del payload["response_url"]
    assert await post_form(http, payload_form(payload)) == (200, "")
    await mark(http, fake)
    assert [tuple(r) for r in db.query("SELECT question, fact_id, vote FROM votes")] == [(QUESTION, SCALE_FACT, "up")]
    assert posts(fake) == [] and [c.method for c in fake.calls if c.method.startswith("response:")] == []
    assert tracebacks(caplog) == []


# -- Slack: /ask -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["   ", "\t \n", "\u3000\u00a0"], ids=["spaces", "tabs-newlines", "unicode-spaces"])
async def test_ask_with_only_blanks_shows_the_help_once(
    http: TestClient, fake: FakeSlackApi, engine: Engine, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert await slash(http, fake, text) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    assert reply.body["response_type"] == "ephemeral"
    assert all(t.example in block_text(reply.body["blocks"]) for t in engine.topics())
    await mark(http, fake)
    assert len(fake.calls_to("response:cmd")) == 1 and posts(fake) == []
    assert tracebacks(caplog) == []


async def test_ask_without_a_user_id_is_answered(http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture) -> None:
    form = {"team_id": TEAM_ID, "channel_id": CHANNEL, "command": "/ask", "text": QUESTION,
            "response_url": fake.response_url("cmd"), "trigger_id": "1.2.3", "api_app_id": "A0001"}
    assert await post_form(http, form) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    assert reply.body["response_type"] == "ephemeral" and SCALE_FACT in json.dumps(reply.body)
    assert tracebacks(caplog) == []


async def test_ask_with_form_encoding_characters_echoes_them_exactly(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # &, =, + and % mean something in a form body; Slack sends a typed & as &amp;.
    assert await slash(http, fake, "100% + 50% = ½ &amp; a=b&c=d; “quoted” 🎉 ok?") == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    echo = reply.body["blocks"][0]["elements"][0]["text"]
    assert echo == "You asked “100% + 50% = ½ &amp; a=b&amp;c=d; “quoted” 🎉 ok?”"
    assert tracebacks(caplog) == []


async def test_a_plain_at_channel_typed_in_ask_is_echoed_and_shared_verbatim(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # The manifest turns should_escape off: "@channel" arrives as typed, with no <…> to escape.
    # The calls to everyone are dropped (as <!channel> is), and "channel" no longer hides the
    # question from the engine; what is left is echoed verbatim, out of reach of Slack's parsing.
    assert await slash(http, fake, f"@channel @here @everyone @eng-team {QUESTION}") == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    asked = f"@eng-team {QUESTION}"
    echo = reply.body["blocks"][0]["elements"][0]
    assert echo == {"type": "mrkdwn", "text": f"You asked “{asked}”", "verbatim": True}
    await click(http, fake, find_button(reply.body["blocks"], "share_answer"), ephemeral=True)
    [post] = await fake.wait_for("chat.postMessage")
    shared = post.body["blocks"][0]["elements"][0]
    assert shared == {"type": "mrkdwn", "text": f"<@{USER}> asked “{asked}”", "verbatim": True}
    assert f"`{SCALE_FACT}`" in json.dumps(post.body["blocks"])
    assert "link_names" not in post.body and "parse" not in post.body
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("what payload does Llama 4 take?", {}),
        ("payload", {}),
        ('payload={"type": "block_actions"}', {}),
        (QUESTION, {"user_name": "payload-team", "channel_name": "payloads"}),
    ],
    ids=["word-in-text", "only-the-word", "form-like-text", "word-in-other-fields"],
)
async def test_ask_with_the_word_payload_anywhere_in_the_form_is_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, text: str, extra: dict[str, str]
) -> None:
    # bolt's parser reads any form containing "payload" as an interactive payload: the command
    # became an empty request, answered 404, and Slack showed the user "dispatch_failed".
    form = {
        "token": "legacy", "team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": USER, "command": "/ask",
        "text": text, "response_url": fake.response_url("cmd"), "trigger_id": "1.2.3", "api_app_id": "A0001", **extra,
    }
    assert await post_form(http, form) == (200, "")
    [reply] = await fake.wait_for("response:cmd")
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["blocks"][0]["elements"][0]["text"] == f"You asked “{text}”"
    assert unhandled(caplog) == [] and tracebacks(caplog) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain; charset=utf-8", "application/octet-stream", "application/json; charset=utf-8"]
)
async def test_an_event_whose_content_type_is_not_json_is_still_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, content_type: str
) -> None:
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    headers = signed_headers(raw, content_type=content_type)
    response = await http.post("/slack/events", data=raw.encode(), headers=headers)
    assert response.status == 200
    await mark(http, fake)
    [post] = posts(fake)
    assert post["thread_ts"] == "1699999999.000100" and f"`{SCALE_FACT}`" in json.dumps(post["blocks"])
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("score", ["NaN", '"nan"', "Infinity", '"-inf"'])
async def test_a_vote_whose_score_is_not_a_number_is_recorded_without_one(
    http: TestClient, fake: FakeSlackApi, db: Database, caplog: pytest.LogCaptureFixture, score: str
) -> None:
    # Python's JSON reads NaN; the votes table refused it and the voter heard "Sorry".
    value = '{"q": %s, "f": "%s", "s": %s, "v": "up"}' % (json.dumps(QUESTION), SCALE_FACT, score)
    assert await post_form(http, payload_form(block_actions(fake, "vote:up", value))) == (200, "")
    [thanks] = await fake.wait_for("response:act")
    assert "👍" in thanks.body["text"]
    assert [tuple(r) for r in db.query("SELECT question, fact_id, score, vote FROM votes")] == [
        (QUESTION, SCALE_FACT, 0.0, "up")
    ]
    assert tracebacks(caplog) == []


# -- Slack: requests that are not from Slack -------------------------------------------------


def command_form(fake: FakeSlackApi) -> str:
    return urlencode({
        "team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": USER, "command": "/ask", "text": "help",
        "response_url": fake.response_url("cmd"),
    })


@pytest.mark.parametrize("how", ["forged", "stale", "future", "unsigned", "timestamp-not-a-number", "signature-only"])
async def test_a_slash_command_or_click_not_signed_by_slack_is_refused_and_never_answered(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    click_body = urlencode(payload_form(block_actions(fake, "related:scale-ai-stake", encode_value({"f": SCALE_FACT}))))
    for raw in (command_form(fake), click_body):
        form = "application/x-www-form-urlencoded"
        headers = {
            "forged": signed_headers(raw, content_type=form, secret="not-the-secret"),
            "stale": signed_headers(raw, content_type=form, at=int(time.time()) - 301),
            "future": signed_headers(raw, content_type=form, at=int(time.time()) + 600),
            "unsigned": {"Content-Type": form},
            "timestamp-not-a-number": {**signed_headers(raw, content_type=form), "X-Slack-Request-Timestamp": "soon"},
            "signature-only": {k: v for k, v in signed_headers(raw, content_type=form).items()
                               if k != "X-Slack-Request-Timestamp"},
        }[how]
        response = await http.post("/slack/events", data=raw, headers=headers)
        assert response.status == 401
    await asyncio.sleep(0.2)
    assert acted(fake) == []
    assert tracebacks(caplog) == []


async def test_an_unsigned_event_with_a_bad_timestamp_posts_nothing_to_the_channel_it_names(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1"))
    headers = {**signed_headers(raw, content_type="application/json"), "X-Slack-Request-Timestamp": "²"}
    assert (await http.post("/slack/events", data=raw, headers=headers)).status == 401
    await mark(http, fake)
    assert posts(fake) == []
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        (6, {}),
        (46, {"embeds": [{"type": "poll_result", "fields": [
            {"name": "poll_question_text", "value": "Lunch?", "inline": False},
            {"name": "victor_answer_text", "value": "Pizza", "inline": False},
        ]}], "message_reference": {"message_id": "1500000000000000005", "channel_id": "1300000000000000077"}}),
    ],
    ids=["pinned-a-message", "poll-result"],
)
async def test_discord_notices_in_a_direct_message_are_not_answered(
    discord_api: FakeDiscord, discord_bot: DiscordBot, caplog: pytest.LogCaptureFixture, kind: int,
    extra: dict[str, Any],
) -> None:
    # Pinning a message in a DM with the bot, or a poll there ending, makes a message in the
    # person's name with no words of theirs: it got the help, as a reply Discord refuses to a
    # system message (50035), logged as an error.
    dm_channel = "1300000000000000077"
    notice = {**message_create("", id=discord_api.new_id(), guild_id=None, channel_id=dm_channel), "type": kind, **extra}
    await discord_api.dispatch("MESSAGE_CREATE", notice)
    asked = discord_api.new_id()
    await discord_api.dispatch("MESSAGE_CREATE", message_create(QUESTION, id=asked, guild_id=None, channel_id=dm_channel))
    await discord_api.wait_for("POST", f"^/channels/{dm_channel}/messages$")
    await asyncio.sleep(0.2)
    [reply] = discord_api.find("POST", f"^/channels/{dm_channel}/messages$")
    assert str(reply.json["message_reference"]["message_id"]) == asked
    assert tracebacks(caplog) == []


async def test_discord_a_question_forwarded_to_the_bot_in_a_direct_message_is_answered(
    discord_api: FakeDiscord, discord_bot: DiscordBot, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Forwarding a message sends one with no words of its own and the forwarded one as a
    # snapshot: the bot answered the empty message with the help.
    dm_channel = "1300000000000000077"
    forward = message_create("", id=discord_api.new_id(), guild_id=None, channel_id=dm_channel)
    forward["message_reference"] = {"type": 1, "message_id": "1500000000000000009", "channel_id": CHANNEL_ID,
                                    "guild_id": GUILD_ID}
    forward["message_snapshots"] = [{"message": {
        "type": 0, "content": f"<@{DISCORD_BOT_USER_ID}> {QUESTION}", "embeds": [], "attachments": [],
        "timestamp": "2025-01-02T03:04:05.000000+00:00", "edited_timestamp": None, "flags": 0,
        "mentions": [], "mention_roles": [],
    }}]
    await discord_api.dispatch("MESSAGE_CREATE", forward)
    [reply] = await discord_api.wait_for("POST", f"^/channels/{dm_channel}/messages$")
    [embed] = reply.json["embeds"]
    assert engine.answer(QUESTION).text in embed["description"]
    assert str(reply.json["message_reference"]["message_id"]) == forward["id"]
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"[" * 100_000, "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
    ids=["broken-json", "json-list", "json-string", "deep-json", "not-utf8", "broken-payload", "empty"],
)
async def test_an_unsigned_body_slack_would_never_send_is_refused_without_a_traceback(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    response = await http.post("/slack/events", data=body, headers={"Content-Type": content_type})
    assert response.status == 401
    assert acted(fake) == []
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("timestamp", ["now", "stale"])
@pytest.mark.parametrize("signature", ["v0=\u00e9t\u00e9".encode("utf-8"), b"v0=\xe9t\xe9"], ids=["utf8", "latin1"])
async def test_a_signature_with_letters_no_signature_has_is_refused_without_a_traceback(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, signature: bytes, timestamp: str
) -> None:
    # A signature is "v0=" and hex digits. One with an accented letter made the comparison raise:
    # anyone who reached the port got a 500 and wrote a traceback into the log.
    raw = json.dumps(event_body(mention(f"<@{BOT_USER_ID}> {QUESTION}"), event_id="Ev1")).encode()
    at = int(time.time()) - (0 if timestamp == "now" else 900)
    reader, writer = await asyncio.open_connection("127.0.0.1", http.port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\nX-Slack-Request-Timestamp: %d\r\n" % (len(raw), at)
        + b"X-Slack-Signature: " + signature + b"\r\nConnection: close\r\n\r\n" + raw
    )
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert acted(fake) == []
    assert tracebacks(caplog) == []


# -- Discord ---------------------------------------------------------------------------------


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()


@pytest.fixture
async def discord_bot(discord_api: FakeDiscord, engine: Engine, db: Database) -> AsyncIterator[DiscordBot]:
    async with running(discord_api, AskService(engine), db) as started:
        yield started


@pytest.mark.parametrize("question", ["", "   ", "\u3000\t"], ids=["empty", "spaces", "unicode-blanks"])
async def test_discord_ask_without_a_question_shows_the_help_once(
    discord_api: FakeDiscord, discord_bot: DiscordBot, engine: Engine, caplog: pytest.LogCaptureFixture, question: str
) -> None:
    # Discord's min_length keeps this out of its own clients, not out of every payload.
    payload = ask_payload(discord_api, question)
    call = await interact(discord_api, payload)
    assert call.json["type"] == 4
    data = call.json["data"]
    assert [f["name"] for f in data["embeds"][0]["fields"]] == [f"{t.title} ({t.fact_count})" for t in engine.topics()]
    assert data["allowed_mentions"] == {"parse": []}
    assert len(discord_api.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert discord_api.find("POST", "^/webhooks/") == []
    assert tracebacks(caplog) == []


async def test_discord_ask_longer_than_6000_characters_is_refused_to_the_asker_alone(
    discord_api: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    asked: list[str] = []
    service = AskService(engine, hooks=[lambda q, a, platform, user: asked.append(q)])
    async with running(discord_api, service, db):
        call = await interact(discord_api, ask_payload(discord_api, "why " * 1_600))
    assert call.json["type"] == 4 and call.ephemeral is True
    assert call.json["data"]["content"] == DISCORD_TOO_LONG and "embeds" not in call.json["data"]
    assert asked == []
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("defer_after", [DEFER_AFTER, 0.0], ids=["direct-reply", "deferred-follow-up"])
async def test_discord_pings_and_markdown_in_a_question_never_ping(
    discord_api: FakeDiscord, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture, defer_after: float
) -> None:
    question = "@everyone @here <@&4242> <@1400000000000000009> ```py\nprint('hi')\n``` **how much** of scale ai?"
    payload = ask_payload(discord_api, question, token="ping-token")
    async with running(discord_api, AskService(engine), db, defer_after=defer_after):
        first = await interact(discord_api, payload)
        if defer_after == 0.0:
            assert first.json["type"] == 5
            [reply] = await discord_api.wait_for("PATCH", f"^/webhooks/{APPLICATION_ID}/ping-token/messages/@original$")
            data = reply.json
        else:
            assert first.json["type"] == 4
            data = first.json["data"]
    assert data["allowed_mentions"] == {"parse": []}
    assert not data.get("content")
    [embed] = data["embeds"]
    # Mentions of roles and people are dropped from the question; the rest is echoed as typed.
    assert embed["author"]["name"] == "Asked: @everyone @here ```py print('hi') ``` **how much** of scale ai?"
    sent = [c for c in discord_api.calls if c.method in ("POST", "PATCH") and "/interactions/" not in c.path
            and "/webhooks/" in c.path]
    assert all(c.json.get("allowed_mentions") == {"parse": []} for c in sent)
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("typed", [("scale " * 84)[:500], "x" * 6_000], ids=["500-chars", "6000-chars"])
async def test_discord_autocomplete_with_long_text_keeps_to_discords_limits(
    discord_api: FakeDiscord, discord_bot: DiscordBot, engine: Engine, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    payload = command_interaction(
        "ask", [{"name": "question", "type": 3, "value": typed, "focused": True}],
        interaction_id=discord_api.new_id(), autocomplete=True,
    )
    call = await interact(discord_api, payload)
    assert call.json["type"] == 8
    choices = call.json["data"]["choices"]
    questions = {fact.question for fact in engine.base.facts.values()}
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 and c["value"] in questions for c in choices)
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "custom_id",
    ["open_dashboard", "factbot:vote:up:2.5:scale-ai-stake", "factbot:related:Not_A_Fact", "factbot:suggest:",
     "factbot:" + "x" * 92, ""],
    ids=["not-ours", "score-out-of-range", "bad-fact-id", "no-fact-id", "long", "empty"],
)
async def test_discord_a_button_the_bot_cannot_read_gets_one_private_sentence(
    discord_api: FakeDiscord, discord_bot: DiscordBot, db: Database, caplog: pytest.LogCaptureFixture, custom_id: str
) -> None:
    message = message_payload(id=discord_api.new_id(), embeds=[{"type": "rich", "title": "Old question?"}])
    payload = component_interaction(custom_id, message, interaction_id=discord_api.new_id())
    call = await interact(discord_api, payload)
    assert call.json["type"] == 4 and call.ephemeral is True
    assert call.json["data"]["content"] == DISCORD_GONE
    assert len(discord_api.find("POST", rf"^/interactions/{payload['id']}/")) == 1
    assert db.query("SELECT COUNT(*) FROM votes")[0][0] == 0
    assert tracebacks(caplog) == []


async def test_discord_ask_and_buttons_in_a_direct_message_work_without_a_guild(
    discord_api: FakeDiscord, discord_bot: DiscordBot, engine: Engine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    dm_channel = "1300000000000000077"
    expected = engine.answer(QUESTION)
    answered = await interact(discord_api, ask_payload(discord_api, QUESTION, guild_id=None, channel_id=dm_channel))
    assert answered.json["type"] == 4
    data = answered.json["data"]
    assert expected.text in data["embeds"][0]["description"] and data["allowed_mentions"] == {"parse": []}
    message = sent_message(discord_api, data)
    custom_ids = [b["custom_id"] for b in buttons(data)]
    vote_up = next(c for c in custom_ids if c.startswith("factbot:vote:up:"))
    related_id = next(c for c in custom_ids if c.startswith("factbot:related:"))

    vote = await interact(discord_api, component_interaction(
        vote_up, message, interaction_id=discord_api.new_id(), guild_id=None, channel_id=dm_channel,
    ))
    assert vote.json["type"] == 4 and vote.ephemeral is True and "👍" in vote.json["data"]["content"]
    rows = [tuple(r) for r in db.query("SELECT platform, message_ref, fact_id, user_hash FROM votes")]
    assert rows == [("discord", message["id"], expected.fact_id, db.user_hash("discord", USER_ID))]

    related = await interact(discord_api, component_interaction(
        related_id, message, interaction_id=discord_api.new_id(), guild_id=None, channel_id=dm_channel,
    ))
    fact = engine.fact(related_id.split(":")[-1])
    assert related.json["type"] == 4 and related.ephemeral is True
    assert related.json["data"]["embeds"][0]["title"] == fact.question
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
        ("", "application/json"),
    ],
    ids=["broken-json", "json-list", "json-string", "deep-json", "broken-payload", "payload-list", "empty"],
)
async def test_a_signed_body_that_cannot_be_read_gets_a_400_without_a_traceback(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    response = await http.post(
        "/slack/events", data=body.encode(), headers=signed_headers(body, content_type=content_type)
    )
    assert response.status == 400
    assert acted(fake) == []
    assert tracebacks(caplog) == []


def click_payload(fake: FakeSlackApi, **changes: Any) -> dict[str, Any]:
    return block_actions(fake, "related:scale-ai-stake", encode_value({"f": SCALE_FACT}), **changes)


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("event", lambda fake: event_body("app_mention", event_id="Ev1")),
        ("event", lambda fake: event_body([mention(QUESTION)], event_id="Ev1")),
        ("form", lambda fake: click_payload(fake, actions=[])),
        ("form", lambda fake: click_payload(fake, actions="related:scale-ai-stake")),
        ("form", lambda fake: click_payload(fake, actions=["related:scale-ai-stake"])),
        ("form", lambda fake: click_payload(fake, channel=CHANNEL)),
        ("form", lambda fake: click_payload(fake, container="message")),
        ("form", lambda fake: click_payload(fake, user=USER)),
        ("event", lambda fake: event_body(None, event_id="Ev1")),  # type: ignore[arg-type]
        ("event", lambda fake: event_body({**mention(QUESTION), "channel": 123}, event_id="Ev1")),
        ("event", lambda fake: event_body({**mention(QUESTION), "text": ["how", "much"]}, event_id="Ev1")),
        ("form", lambda fake: block_actions(fake, None, encode_value({"f": SCALE_FACT}))),
        ("form", lambda fake: block_actions(fake, 7, encode_value({"f": SCALE_FACT}))),
        ("form", lambda fake: click_payload(fake, response_url=42)),
    ],
    ids=["event-a-string", "event-a-list", "no-actions", "actions-a-string", "action-a-string", "channel-a-string",
         "container-a-string", "user-a-string", "event-null", "event-channel-a-number", "event-text-a-list",
         "action-without-id", "action-id-a-number", "response-url-a-number"],
)
async def test_a_signed_payload_with_fields_of_the_wrong_kind_gets_a_400_without_a_traceback(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture, kind: str, payload: Any
) -> None:
    # These were a 500 with a traceback from inside bolt, or a "Sorry" from a listener.
    body = payload(fake)
    if kind == "event":
        status = await post_event(http, body)
    else:
        status, _ = await post_form(http, payload_form(body))
    assert status == 400
    await mark(http, fake)
    assert posts(fake) == [] and [c.method for c in fake.calls if c.method.startswith("response:")] == []
    assert tracebacks(caplog) == []


async def test_socket_mode_a_click_with_string_fields_is_answered_without_a_traceback(
    fake: FakeSlackApi, db: Database, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Socket Mode payloads reach the listeners unchecked: a field read as an object that is a
    # string made the error handler itself fail, and nobody heard anything.
    settings = slack_settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-test", slack_signing_secret=None)
    slack = SlackBot(settings, AskService(engine), db=db)
    await slack.start()
    try:
        payload = click_payload(fake, channel=CHANNEL, user=USER, message={"type": "message", "ts": "1700000000.000001"})
        payload["container"]["is_ephemeral"] = False
        await fake.send_envelope(
            {"envelope_id": "env-1", "payload": payload, "type": "interactive", "accepts_response_payload": True}
        )
        await fake.wait_for_ack("env-1")
        [post] = await fake.wait_for("chat.postMessage")
    finally:
        await slack.close()
    assert post.body["channel"] == CHANNEL and post.body["thread_ts"] == "1700000000.000001"
    assert f"`{SCALE_FACT}`" in json.dumps(post.body["blocks"])
    assert tracebacks(caplog) == []


async def test_a_mention_told_it_is_too_long_is_answered_once_edited_shorter(
    http: TestClient, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # The reply asks for a shorter question; editing the message is how people give one.
    ts = "1699999999.000100"
    events = [
        mention(f"<@{BOT_USER_ID}> {'why ' * 200}{QUESTION}", ts=ts),
        mention(f"<@{BOT_USER_ID}> {QUESTION}", ts=ts, edited={"user": USER, "ts": "1699999999.000300"}),
        mention(f"<@{BOT_USER_ID}> {QUESTION} (typo)", ts=ts, edited={"user": USER, "ts": "1699999999.000400"}),
    ]
    for number, event in enumerate(events):
        assert await post_event(http, event_body(event, event_id=f"EvLong{number}")) == 200
    await mark(http, fake)
    too_long, answer = posts(fake)
    assert too_long["text"] == TOO_LONG and answer["thread_ts"] == ts
    assert f"`{SCALE_FACT}`" in json.dumps(answer["blocks"])
    assert tracebacks(caplog) == []
