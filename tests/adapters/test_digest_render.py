"""The digest as Slack and Discord receive it: Block Kit and embeds, checked on local fakes over real HTTP."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as dt_time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable
from zoneinfo import ZoneInfo

import aiohttp
import discord
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from tests.fakes.discord_api import (
    EVERYONE_PERMISSIONS,
    GUILD_ID,
    FakeDiscord,
    bot_member_payload,
    channel_payload,
    guild_payload,
    overwrite_payload,
    role_payload,
    thread_payload,
)
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import BOT_ID, FakeSlackApi

from adapters.digest_runner import (
    DISCORD_LOOKUP_LIMIT,
    LOOKUP_PAGE,
    LOOKUP_PAGES,
    RestDiscord,
    RestSlack,
    build_digest_scheduler,
    channel_finder,
    channel_sender,
    find_discord_digest,
    find_slack_digest,
    send_now,
    to_send_failure,
)
from adapters.discord_digest import EMBED_TOTAL_MAX, FIELD_VALUE_MAX, to_embeds
from adapters.discord_adapter import content_nonce
from adapters.discord_embeds import embeds_to_text, to_plain_content
from adapters.slack_digest import MESSAGE_BLOCK_LIMIT, MESSAGE_CHAR_BUDGET, to_blocks, to_fallback_text, to_metadata
from bot.cli import main
from bot.config import Settings, load_settings
from bot.db import Database
from bot.digest import Digest, DigestItem, build_digest, digest_of
from bot.digest_schedule import DigestSchedule, DigestScheduler, SendFailure
from bot.digest_store import DigestStore
from bot.engine import Engine
from bot.models import FactBase, ResolvedQuote, SourceInfo
from bot.service import AskService
from bot.terminal import source_label

DAY = date(2025, 3, 31)
SLACK_CHANNEL = "C0123ABC"
DISCORD_CHANNEL = "1300000000000000001"
FORBIDDEN_CHANNEL = "1300000000000000009"
BOT_USER = {"id": "1100000000000000002", "username": "factbot", "discriminator": "0", "avatar": None, "bot": True}


# -- a small fake of both platforms' HTTP APIs -----------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakePlatforms:
    """Slack's chat.postMessage under /slack/api/, Discord's REST under /discord/api/v10/; records every request.

    Discord's channels are of GUILD_ID, where the bot may embed links (tests/fakes/discord_api.py
    serves the permissions a test sets); a `forbidden` one answers 403, as to a bot that may not see it.
    """

    received: list[Received] = field(default_factory=list)
    slack_replies: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)
    port: int = 0

    async def start(self) -> "FakePlatforms":
        app = web.Application()
        app.router.add_post("/slack/api/{method}", self._slack)
        app.router.add_route("*", "/discord/api/v10/{path:.*}", self._discord)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    async def close(self) -> None:
        await self._runner.cleanup()

    @property
    def slack_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/api/"

    @property
    def discord_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/discord/api/v10"

    def posts(self, path_part: str) -> list[Received]:
        return [r for r in self.received if r.method == "POST" and path_part in r.path]

    async def _slack(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(Received("POST", request.path, dict(request.headers), body))
        if self.slack_replies:
            status, payload, headers = self.slack_replies.pop(0)
            return web.json_response(payload, status=status, headers=headers)
        ts = f"1700000000.{len(self.posts('chat.postMessage')):06d}"
        return web.json_response({"ok": True, "channel": body["channel"], "ts": ts, "message": {"ts": ts}})

    async def _discord(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        path = request.match_info["path"]
        self.received.append(Received(request.method, path, dict(request.headers), body))
        if path == "users/@me":
            return _discord_json(BOT_USER)
        if path == "oauth2/applications/@me":
            return _discord_json(
                {
                    "id": "1100000000000000001",
                    "name": "factbot",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "owner": BOT_USER,
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        if request.method == "GET" and re.fullmatch(r"channels/\d+", path):
            channel_id = path.split("/")[1]
            if channel_id in self.forbidden:
                return _discord_json({"message": "Missing Access", "code": 50001}, status=403)
            return _discord_json(channel_payload(channel_id))
        if request.method == "GET" and path == f"guilds/{GUILD_ID}":
            return _discord_json(guild_payload(everyone_permissions=str(EVERYONE_PERMISSIONS)))
        if request.method == "GET" and path == f"guilds/{GUILD_ID}/members/{BOT_USER['id']}":
            return _discord_json(bot_member_payload())
        if request.method == "POST" and path.startswith("channels/") and path.endswith("/messages"):
            channel_id = path.split("/")[1]
            if channel_id in self.forbidden:
                return _discord_json({"message": "Missing Access", "code": 50001}, status=403)
            return _discord_json(
                {
                    "id": str(1500000000000000000 + len(self.received)),
                    "channel_id": channel_id,
                    "type": 0,
                    "content": body.get("content") or "",
                    "author": BOT_USER,
                    "timestamp": "2025-03-31T07:00:00.000000+00:00",
                    "edited_timestamp": None,
                    "tts": False,
                    "mention_everyone": False,
                    "mentions": [],
                    "mention_roles": [],
                    "attachments": [],
                    "embeds": body.get("embeds") or [],
                    "pinned": False,
                }
            )
        return _discord_json({"message": "404: Not Found", "code": 0}, status=404)


def _discord_json(payload: Any, *, status: int = 200) -> web.Response:
    # discord.py compares the Content-Type as a string: no charset may follow it.
    return web.Response(body=json.dumps(payload).encode(), status=status, headers={"Content-Type": "application/json"})


@pytest.fixture
async def fake() -> FakePlatforms:
    platforms = await FakePlatforms().start()
    yield platforms
    await platforms.close()


@pytest.fixture(autouse=True)
def _restore_discord_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """RestDiscord points discord.py at the fake through a class variable: put it back after each test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)


def _today(zone: str = "Europe/Berlin") -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(timezone.utc).astimezone(ZoneInfo(zone)).date()


async def _cli(*argv: str) -> tuple[int, str]:
    """`python -m bot ...` in a worker thread (it runs its own event loop) while the fake serves here."""
    out = io.StringIO()
    code = await asyncio.to_thread(main, list(argv), out=out)
    return code, out.getvalue()


# -- rendering -------------------------------------------------------------------------------


def _huge_digest(size: int = 10) -> Digest:
    source = SourceInfo(id="src", title="A source " * 20, kind="news article", outlet="Outlet")
    items = [
        DigestItem(
            fact_id=f"fact-{i}",
            topic=f"topic-{i}",
            topic_title=f"Topic {i}",
            question=f"Question {i} " + "why " * 80,
            answer="An answer. " * 300,
            quotes=[ResolvedQuote(text="Quoted words. " * 250, source=source) for _ in range(3)],
        )
        for i in range(size)
    ]
    return Digest(channel="slack:C1", day=DAY, title="Fact of the day · Monday 31 March 2025", items=items)


def _hostile_digest() -> Digest:
    source = SourceInfo(id="src", title="<!here> & *bold* <@U999>", kind="blog post")
    item = DigestItem(
        fact_id="hostile",
        topic="t",
        topic_title="T",
        question="Who pings <!channel>?",
        answer="Nobody: <!channel> & <@U123> and <https://evil.example|a link> stay text; **no** _markdown_ @everyone",
        quotes=[ResolvedQuote(text="<!channel> quoted **verbatim**", source=source, timestamp="01:02:03")],
    )
    return Digest(channel="slack:C1", day=DAY, title="Fact of the day · Monday 31 March 2025", items=[item])


@pytest.mark.parametrize("size", [3, 5, 10])
def test_a_digest_as_plain_text_keeps_every_fact_whatever_its_size(fact_base: FactBase, size: int) -> None:
    # One message holds 2,000 characters: long answers and quotes are shortened alike, then
    # the quotes (and their sources) make way, but no fact is cut to nothing or left out.
    posted: list[str] = []
    for offset in range(12):
        digest = build_digest(fact_base, channel="discord:1", day=date(2026, 3, 1) + timedelta(days=offset), size=size, posted=posted)
        posted += [item.fact_id for item in digest.items]
        content = to_plain_content(to_embeds(digest), lead="Today's digest:")
        assert len(content) <= 2000
        for item in digest.items:
            question = discord.utils.escape_markdown(item.question)
            assert f"**{question}**\n{discord.utils.escape_markdown(item.answer)[:40]}" in content
        if size == 3:
            assert content.count("\n> ") >= size  # room for a quote of each


def test_slack_blocks_hold_title_question_answer_quote_source_and_hint(fact_base: FactBase) -> None:
    digest = build_digest(fact_base, channel="slack:C1", day=DAY, size=3, posted=())
    blocks = to_blocks(digest)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": digest.title}}
    assert "31 March 2025" in blocks[0]["text"]["text"]
    headers = [b["text"]["text"] for b in blocks[1:] if b["type"] == "header"]
    assert headers == [item.question for item in digest.items]
    for item in digest.items:
        at = next(i for i, b in enumerate(blocks) if b["type"] == "header" and b["text"]["text"] == item.question)
        answer, quote, context = blocks[at + 1], blocks[at + 2], blocks[at + 3]
        assert answer == {"type": "section", "text": {"type": "mrkdwn", "text": item.answer}}
        assert [e["elements"][0]["text"] for e in quote["elements"]] == [q.text for q in item.quotes]
        assert all(e["type"] == "rich_text_quote" for e in quote["elements"])
        assert [e["text"] for e in context["elements"]] == [
            "— " + source_label(q.source, timestamp=q.timestamp) for q in item.quotes
        ]
    assert blocks[-1]["type"] == "context" and "`/ask`" in blocks[-1]["elements"][0]["text"]
    assert "mention me" in blocks[-1]["elements"][0]["text"]
    assert to_fallback_text(digest).startswith(digest.title + ": " + digest.items[0].question)


def test_slack_blocks_escape_every_control_character() -> None:
    blocks = to_blocks(_hostile_digest())
    text = json.dumps(blocks, ensure_ascii=False)
    mrkdwn = [e["text"] for b in blocks for e in ([b["text"]] if "text" in b else b.get("elements", [])) if e.get("type") == "mrkdwn"]
    assert mrkdwn, "the answer and the source are mrkdwn"
    for value in mrkdwn:
        assert "<" not in value and ">" not in value and "& " not in value
    assert "Nobody: &lt;!channel&gt; &amp; &lt;@U123&gt;" in text
    assert "— &lt;!here&gt; &amp; *bold* &lt;@U999&gt; (blog post) at 01:02:03" in text
    # Rich text and plain text are never parsed for mentions: they stay literal.
    assert {"type": "text", "text": "<!channel> quoted **verbatim**"} in blocks[3]["elements"][0]["elements"]
    assert blocks[1]["text"] == {"type": "plain_text", "text": "Who pings <!channel>?"}
    assert "<!channel>" not in to_fallback_text(_hostile_digest())


def test_slack_blocks_stay_inside_block_kit_limits() -> None:
    blocks = to_blocks(_huge_digest())
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MESSAGE_CHAR_BUDGET
    assert sum(b["type"] == "header" for b in blocks) >= 2, "the title and at least one fact"
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
    small = to_blocks(_huge_digest(size=10).model_copy(update={"items": []}))
    assert [b["type"] for b in small] == ["header", "context"]


def test_discord_embed_holds_title_questions_answers_quotes_sources_and_hint(fact_base: FactBase) -> None:
    digest = build_digest(fact_base, channel="discord:1", day=DAY, size=3, posted=())
    [embed] = to_embeds(digest)
    assert embed.title == digest.title and "31 March 2025" in embed.title
    assert [f.name for f in embed.fields] == [discord.utils.escape_markdown(i.question) for i in digest.items]
    for field_, item in zip(embed.fields, digest.items):
        assert field_.value.startswith(discord.utils.escape_markdown(item.answer))
        quote = item.quotes[0]
        assert "> " + discord.utils.escape_markdown(quote.text) in field_.value
        assert discord.utils.escape_markdown(source_label(quote.source, timestamp=quote.timestamp)) in field_.value
    assert "/ask" in embed.footer.text and "mention me" in embed.footer.text


def test_discord_embed_stays_inside_discord_limits_and_escapes_markdown() -> None:
    [embed] = to_embeds(_huge_digest())
    assert len(embed.fields) == 10
    assert all(len(f.value) <= FIELD_VALUE_MAX and len(f.name) <= 256 for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL_MAX
    assert all("Quoted words." in f.value and "An answer." in f.value for f in embed.fields)
    [hostile] = to_embeds(_hostile_digest())
    assert "\\*\\*no\\*\\* \\_markdown\\_" in hostile.fields[0].value


# -- over HTTP: `digest send` -----------------------------------------------------------------


def _slack_env(monkeypatch: pytest.MonkeyPatch, fake: FakePlatforms, tmp_path: Path) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake.slack_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIGEST_TIMEZONE", "Europe/Berlin")


def _discord_env(monkeypatch: pytest.MonkeyPatch, fake: FakePlatforms, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "discord-test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.discord_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))


async def test_digest_send_posts_block_kit_to_slack_once_a_day(
    fake: FakePlatforms, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slack_env(monkeypatch, fake, tmp_path)
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0, out
    [post] = fake.posts("chat.postMessage")
    expected = build_digest(fact_base, channel=f"slack:{SLACK_CHANNEL}", day=_today(), size=3, posted=())
    assert post.body["channel"] == SLACK_CHANNEL
    assert post.body["blocks"] == to_blocks(expected)
    assert post.body["text"] == to_fallback_text(expected)
    assert post.body.get("unfurl_links") is False and "link_names" not in post.body
    assert post.headers["Authorization"] == "Bearer xoxb-test"
    assert "(message 1700000000.000001)" in out

    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0 and "done already" in out and "--force" in out
    assert len(fake.posts("chat.postMessage")) == 1

    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}", "--force")
    assert code == 0, out
    first, again = fake.posts("chat.postMessage")
    assert again.body["blocks"] == first.body["blocks"], "a forced re-post repeats today's facts"

    code, out = await _cli("digest", "preview", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0 and "(posted, message 1700000000.000001)" in out
    assert expected.items[0].question in out


async def test_a_slack_rate_limit_is_retried_into_one_post(
    fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slack_env(monkeypatch, fake, tmp_path)
    fake.slack_replies.append((429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0, out
    assert len(fake.posts("chat.postMessage")) == 2
    assert "posted the digest" in out


async def test_a_slack_refusal_is_one_line_and_preview_still_works(
    fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _slack_env(monkeypatch, fake, tmp_path)
    fake.slack_replies.append((200, {"ok": False, "error": "channel_not_found"}, {}))
    code, _ = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(rf"error: the digest of \S+ for slack:{SLACK_CHANNEL} was not posted: Slack: channel_not_found", err)
    assert "Traceback" not in err
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    code, out = await _cli("digest", "preview", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0 and "(failed: Slack: channel_not_found)" in out


async def test_digest_send_posts_an_embed_to_discord_without_mentions(
    fake: FakePlatforms, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _discord_env(monkeypatch, fake, tmp_path)
    code, out = await _cli("digest", "send", "--channel", f"discord:{DISCORD_CHANNEL}")
    assert code == 0, out
    [post] = fake.posts(f"channels/{DISCORD_CHANNEL}/messages")
    expected = build_digest(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=_today("UTC"), size=3, posted=())
    assert post.body["allowed_mentions"] == {"parse": []}
    assert post.body["embeds"] == [e.to_dict() for e in to_embeds(expected)]
    assert post.body["embeds"][0]["title"] == expected.title
    assert post.headers["Authorization"] == "Bot discord-test-token"
    assert f"to discord:{DISCORD_CHANNEL} (message " in out


async def test_a_forced_second_discord_post_of_the_day_is_a_new_message_to_discord(
    fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Discord hands back the earlier message for a nonce it saw minutes ago: a forced post of
    # the same digest must carry another nonce, or "posted" would name the first message.
    _discord_env(monkeypatch, fake, tmp_path)
    code, out = await _cli("digest", "send", "--channel", f"discord:{DISCORD_CHANNEL}")
    assert code == 0, out
    code, out = await _cli("digest", "send", "--channel", f"discord:{DISCORD_CHANNEL}", "--force")
    assert code == 0, out
    first, again = fake.posts(f"channels/{DISCORD_CHANNEL}/messages")
    assert again.body["embeds"] == first.body["embeds"], "a forced re-post repeats today's facts"
    assert first.body["nonce"] != again.body["nonce"]
    assert first.body.get("enforce_nonce") and again.body.get("enforce_nonce")


# -- `digest send` where the bot may not embed links: asked of Discord over REST ---------------

EMBED_LINKS = 1 << 14
BOT_ROLE = "1700000000000000001"
THREAD = "1300000000000000077"
NO_EMBED_LINKS_WARNING = (
    f"the bot may not embed links in Discord channel {DISCORD_CHANNEL} (no Embed Links permission there), so "
    "Discord would not show its embeds; answers and digests there go out as plain text until the bot is granted "
    "Embed Links in that channel"
)


@pytest.fixture
async def discord_api() -> FakeDiscord:
    api = await FakeDiscord().start()
    yield api
    await api.close()


def _fake_discord_env(monkeypatch: pytest.MonkeyPatch, discord_api: FakeDiscord, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "discord-test-token")
    monkeypatch.setenv("DISCORD_API_URL", discord_api.base_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))


def _without_embed_links_for_everyone(discord_api: FakeDiscord, *overwrites: dict[str, Any]) -> None:
    """DISCORD_CHANNEL denies Embed Links to @everyone, though the bot's role has it server-wide;
    `overwrites` follow @everyone's there."""
    discord_api.roles = [role_payload(BOT_ROLE, name="factbot", bot_id=BOT_USER["id"], permissions=str(EMBED_LINKS))]
    discord_api.bot_roles = [BOT_ROLE]
    discord_api.channels[DISCORD_CHANNEL] = channel_payload(DISCORD_CHANNEL, deny=EMBED_LINKS, overwrites=list(overwrites))


def _our_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings the bot's own code logged (discord.py warns of the intents `digest send` does without)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("adapters")]


def _permission_look_ups(discord_api: FakeDiscord) -> list[str]:
    return [c.path for c in discord_api.calls if c.method == "GET" and not c.path.endswith(("/@me", "/messages"))]


@pytest.mark.parametrize("where", ["channel", "thread"])
async def test_digest_send_where_the_bot_may_not_embed_links_posts_the_digest_as_plain_text_with_quotes_and_sources(
    discord_api: FakeDiscord, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    caplog: pytest.LogCaptureFixture, where: str,
) -> None:  # fmt: skip
    # Discord would drop the embeds (and refuse a message left empty): the digest would reach nobody.
    _fake_discord_env(monkeypatch, discord_api, tmp_path)
    _without_embed_links_for_everyone(discord_api)
    target = DISCORD_CHANNEL
    if where == "thread":  # a thread has no overwrites: its parent channel's deny counts
        discord_api.channels[THREAD] = thread_payload(THREAD, parent_id=DISCORD_CHANNEL)
        target = THREAD
    discord_api.embeds_hidden.add(target)
    caplog.set_level(logging.WARNING)

    code, out = await _cli("digest", "send", "--channel", f"discord:{target}")

    assert code == 0, out
    [post] = discord_api.find("POST", f"^/channels/{target}/messages$")
    assert post.status == 200 and post.json.get("embeds") in (None, [])
    expected = build_digest(fact_base, channel=f"discord:{target}", day=_today("UTC"), size=3, posted=())
    content = post.json["content"]
    assert content == to_plain_content(to_embeds(expected)) and len(content) <= 2000
    assert content.startswith(f"**{expected.title}**")
    for item in expected.items:
        assert discord.utils.escape_markdown(item.question) in content
        for quote in item.quotes[:1]:
            assert f"> {discord.utils.escape_markdown(' '.join(quote.text.split()))[:40]}" in content
            assert discord.utils.escape_markdown(quote.source.title) in content
    # The nonce is the text's, so a retry of this post is this post.
    assert post.json["nonce"] == content_nonce(int(target), content=content, embeds=[])
    assert post.json["allowed_mentions"] == {"parse": []}
    [shown] = discord_api.created
    assert shown["content"] == content and f"(message {shown['id']})" in out
    assert _permission_look_ups(discord_api) == [
        f"/channels/{target}",
        *([f"/channels/{DISCORD_CHANNEL}"] if where == "thread" else []),
        f"/guilds/{GUILD_ID}",
        f"/guilds/{GUILD_ID}/members/{BOT_USER['id']}",
    ]
    warning = NO_EMBED_LINKS_WARNING.replace(DISCORD_CHANNEL, target)
    assert _our_warnings(caplog) == [warning]


async def test_digest_send_where_a_role_overwrite_gives_the_bot_embed_links_back_posts_the_embed(
    discord_api: FakeDiscord, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    _fake_discord_env(monkeypatch, discord_api, tmp_path)
    _without_embed_links_for_everyone(discord_api, overwrite_payload(BOT_ROLE, allow=EMBED_LINKS))
    caplog.set_level(logging.WARNING)

    code, out = await _cli("digest", "send", "--channel", f"discord:{DISCORD_CHANNEL}")

    assert code == 0, out
    [post] = discord_api.find("POST", f"^/channels/{DISCORD_CHANNEL}/messages$")
    expected = build_digest(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=_today("UTC"), size=3, posted=())
    assert post.json["embeds"] == [e.to_dict() for e in to_embeds(expected)]
    assert not post.json.get("content")
    assert post.json["nonce"] == content_nonce(int(DISCORD_CHANNEL), content=None, embeds=to_embeds(expected))
    assert discord_api.created[0]["embeds"] == post.json["embeds"]
    assert f"/guilds/{GUILD_ID}/members/{BOT_USER['id']}" in _permission_look_ups(discord_api)
    assert not _our_warnings(caplog)


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message"),
    [
        ("GET", f"^/guilds/{GUILD_ID}$", 403, 50001, "Missing Access"),
        ("GET", f"^/channels/{DISCORD_CHANNEL}$", 403, 50001, "Missing Access"),
        ("GET", f"^/guilds/{GUILD_ID}/members/", 404, 10007, "Unknown Member"),
    ],
    ids=["guild-refused", "channel-refused", "member-unknown"],
)
async def test_digest_send_whose_permission_look_up_fails_posts_the_embed_as_before(
    discord_api: FakeDiscord, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    caplog: pytest.LogCaptureFixture, method: str, path: str, status: int, code: int, message: str,
) -> None:  # fmt: skip
    # Had the look-up answered, it would have said no Embed Links: the failure, not the answer, sends the embed.
    _fake_discord_env(monkeypatch, discord_api, tmp_path)
    _without_embed_links_for_everyone(discord_api)
    discord_api.fail(method, path, status=status, code=code, message=message)
    caplog.set_level(logging.WARNING)

    code_, out = await _cli("digest", "send", "--channel", f"discord:{DISCORD_CHANNEL}")

    assert code_ == 0, out
    assert [c.status for c in discord_api.find(method, path)] == [status], "one look-up, not retried"
    [post] = discord_api.find("POST", f"^/channels/{DISCORD_CHANNEL}/messages$")
    expected = build_digest(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=_today("UTC"), size=3, posted=())
    assert post.json["embeds"] == [e.to_dict() for e in to_embeds(expected)]
    assert not post.json.get("content")
    [warning] = _our_warnings(caplog)
    assert warning.startswith(f"could not tell whether the bot may embed links in Discord channel {DISCORD_CHANNEL} (")
    assert f"{status}" in warning and message in warning and warning.endswith("so the message goes out with its embeds")


async def test_a_permission_look_up_discord_is_slow_to_answer_is_given_up_and_the_embed_posted(
    discord_api: FakeDiscord, fact_base: FactBase, caplog: pytest.LogCaptureFixture
) -> None:
    _without_embed_links_for_everyone(discord_api)
    discord_api.stall("GET", f"^/guilds/{GUILD_ID}$", seconds=1.0)
    embeds = to_embeds(digest_of(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=DAY,
                                 fact_ids=list(fact_base.facts)[:2]))  # fmt: skip
    caplog.set_level(logging.WARNING)
    async with RestDiscord("discord-test-token", api_url=discord_api.base_url, permissions_timeout=0.2) as rest:
        message_id = await rest.send_embeds(int(DISCORD_CHANNEL), embeds=embeds)
    [post] = discord_api.find("POST", f"^/channels/{DISCORD_CHANNEL}/messages$")
    assert post.json["embeds"] == [e.to_dict() for e in embeds] and message_id == discord_api.created[0]["id"]
    assert any("did not answer within 0.2 s" in r.getMessage() for r in caplog.records)


async def test_a_direct_message_channel_needs_no_server_look_up_and_gets_the_embed(
    discord_api: FakeDiscord, fact_base: FactBase
) -> None:
    discord_api.channels[DISCORD_CHANNEL] = {"id": DISCORD_CHANNEL, "type": 1, "last_message_id": None, "flags": 0,
                                             "recipients": [BOT_USER]}  # fmt: skip
    discord_api.everyone_permissions = 0  # a server's permissions, were they asked for, would say no
    embeds = to_embeds(digest_of(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=DAY,
                                 fact_ids=list(fact_base.facts)[:2]))  # fmt: skip
    async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
        await rest.send_embeds(int(DISCORD_CHANNEL), embeds=embeds)
    [post] = discord_api.find("POST", f"^/channels/{DISCORD_CHANNEL}/messages$")
    assert post.json["embeds"] == [e.to_dict() for e in embeds]
    assert _permission_look_ups(discord_api) == [f"/channels/{DISCORD_CHANNEL}"]


async def test_a_plain_text_digest_whose_answer_got_lost_is_not_posted_twice(
    discord_api: FakeDiscord, fact_base: FactBase, tmp_path: Path
) -> None:
    # The retry asks again, gets the same answer, and sends the same text with the same nonce.
    _without_embed_links_for_everyone(discord_api)
    discord_api.embeds_hidden.add(DISCORD_CHANNEL)
    path = f"^/channels/{DISCORD_CHANNEL}/messages$"
    discord_api.fail("POST", path, status=503, code=0, message="Service Unavailable", lost=True)
    async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
        scheduler = DigestScheduler(
            channels=[f"discord:{DISCORD_CHANNEL}"],
            schedule=DigestSchedule(at=dt_time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
            store=DigestStore(Database(tmp_path / "bot.sqlite3")),
            base=lambda: fact_base,
            size=2,
            send=channel_sender(slack=None, discord_bot=rest),
            sleep=_no_wait,
        )
        outcome = await scheduler.post(f"discord:{DISCORD_CHANNEL}", day=DAY)
    first, retry = discord_api.find("POST", path)
    assert [first.status, retry.status] == [503, 200]
    assert not first.json.get("embeds") and first.json["content"].startswith("**Fact of the day")
    assert retry.json["content"] == first.json["content"] and retry.json["nonce"] == first.json["nonce"]
    [shown] = discord_api.created
    assert outcome.status == "sent" and outcome.message_id == shown["id"] and shown["embeds"] == []


async def test_send_without_the_platform_token_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = await _cli("digest", "send", "--channel", "discord:1300000000000000001")
    assert code == 1
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
    code, _ = await _cli("digest", "send", "--channel", "slack:#general")
    assert code == 2
    assert "--channel 'slack:#general' has no Slack channel id: Slack channel ids are" in capsys.readouterr().err


def test_preview_needs_no_token_and_creates_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fact_base: FactBase) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIGEST_CHANNELS", f"slack:{SLACK_CHANNEL},discord:{DISCORD_CHANNEL}")
    out = io.StringIO()
    assert main(["digest", "preview", "--date", "2025-03-31"], out=out) == 0
    text = out.getvalue()
    first = build_digest(fact_base, channel="x", day=DAY, size=3, posted=())
    assert f"slack:{SLACK_CHANNEL}: Fact of the day · Monday 31 March 2025" in text
    assert f"discord:{DISCORD_CHANNEL}: Fact of the day · Monday 31 March 2025" in text
    assert text.count(first.items[0].question) == 2
    assert not (tmp_path / "data").exists()
    assert main(["digest", "preview", "--date", "31/03/2025"], out=io.StringIO()) == 2
    monkeypatch.setenv("DIGEST_TIMEZONE", "Berlin")
    assert main(["digest", "preview"], out=io.StringIO()) == 1


# -- the runtime's scheduler over the platform clients ------------------------------------------


class DiscordWithProvider(RestDiscord):
    """RestDiscord plus the one method the runtime's DiscordBot adds for /digest."""

    provider: Callable[[str], list[discord.Embed]] | None = None

    def set_digest_provider(self, provider: Callable[[str], list[discord.Embed]]) -> None:
        self.provider = provider


async def test_the_scheduler_posts_to_each_channel_and_one_refusal_stops_none(
    fake: FakePlatforms, fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake.forbidden.add(FORBIDDEN_CHANNEL)
    now = datetime.now(timezone.utc)
    if now.time() < dt_time(0, 2) or now.time() >= dt_time(23, 59):
        # The digest time is a minute back and /digest shows today's: across midnight they are
        # two days' digests. Run the test past midnight instead (a few minutes at most).
        past_midnight = datetime.combine(now.date() + timedelta(days=now.hour == 23), dt_time(0, 2), timezone.utc)
        await asyncio.sleep((past_midnight - now).total_seconds())
        now = datetime.now(timezone.utc)
    settings = load_settings(
        digest_channels=f"discord:{FORBIDDEN_CHANNEL},slack:{SLACK_CHANNEL},discord:{DISCORD_CHANNEL}",
        digest_time=(now - timedelta(minutes=1)).time().replace(microsecond=0),
        digest_timezone="UTC",
        DIGEST_GRACE="1h",
    )
    service = AskService(Engine(fact_base))
    db = Database(tmp_path / "bot.sqlite3")
    async with DiscordWithProvider("discord-test-token", api_url=fake.discord_url) as discord_bot:
        scheduler = build_digest_scheduler(
            settings, service, db, slack=RestSlack("xoxb-test", base_url=fake.slack_url), discord=discord_bot
        )
        with caplog.at_level(logging.ERROR):
            outcomes = {o.channel: o for o in await scheduler.run_due()}
        assert outcomes[f"slack:{SLACK_CHANNEL}"].status == "sent"
        assert outcomes[f"discord:{DISCORD_CHANNEL}"].status == "sent"
        refused = outcomes[f"discord:{FORBIDDEN_CHANNEL}"]
        assert refused.status == "failed" and refused.reason == "Discord: 403 Missing Access"
        assert len(fake.posts(f"channels/{FORBIDDEN_CHANNEL}/messages")) == 1, "403 is permanent: no retry"
        assert any(FORBIDDEN_CHANNEL in r.getMessage() and "Missing Access" in r.getMessage() for r in caplog.records)
        [slack_post] = fake.posts("chat.postMessage")
        [discord_post] = fake.posts(f"channels/{DISCORD_CHANNEL}/messages")
        # The day the digests were for, not today's: run just after midnight, the run posted
        # the day before's (its time was a minute earlier).
        day = outcomes[f"discord:{DISCORD_CHANNEL}"].day
        assert outcomes[f"slack:{SLACK_CHANNEL}"].day == day
        expected = DigestStore(db).digest_for(fact_base, channel=f"discord:{DISCORD_CHANNEL}", day=day, size=3)
        assert discord_post.body["embeds"] == [e.to_dict() for e in to_embeds(expected)]
        slack_digest = digest_of(
            fact_base, channel="slack", day=day, fact_ids=scheduler.store.run(f"slack:{SLACK_CHANNEL}", day).fact_ids
        )
        assert slack_post.body["blocks"] == to_blocks(slack_digest)
        # /digest in that channel shows what went out there today.
        assert discord_bot.provider is not None
        assert [e.to_dict() for e in discord_bot.provider(DISCORD_CHANNEL)] == discord_post.body["embeds"]

        assert all(o.status == "done" for o in await scheduler.run_due())
        assert len(fake.posts("chat.postMessage")) == 1


def _slack_only_scheduler(settings: Settings, fact_base: FactBase, tmp_path: Path, fake: FakePlatforms) -> DigestScheduler:
    """The runtime's scheduler with Slack running (on the fake) and Discord not configured."""
    return build_digest_scheduler(
        settings,
        AskService(Engine(fact_base)),
        Database(tmp_path / "bot.sqlite3"),
        slack=RestSlack("xoxb-test", base_url=fake.slack_url),
        discord=None,
    )


async def test_a_channel_of_a_platform_not_running_is_logged_once_and_left_out(
    fake: FakePlatforms, fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(digest_channels=f"discord:{DISCORD_CHANNEL},slack:{SLACK_CHANNEL}")
    with caplog.at_level(logging.ERROR):
        scheduler = _slack_only_scheduler(settings, fact_base, tmp_path, fake)
    assert scheduler.channels == [f"slack:{SLACK_CHANNEL}"]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        f"DIGEST_CHANNELS names discord:{DISCORD_CHANNEL} but Discord is not configured (DISCORD_TOKEN); "
        "that channel gets no digest"
    ]
    outcome = await scheduler.post(f"slack:{SLACK_CHANNEL}")
    assert outcome.status == "sent" and len(fake.posts("chat.postMessage")) == 1


async def test_when_every_channel_is_of_a_platform_not_running_one_line_says_the_digest_is_off(
    fake: FakePlatforms, fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = "1300000000000000002"
    settings = load_settings(digest_channels=f"discord:{DISCORD_CHANNEL},discord:{other}")
    with caplog.at_level(logging.INFO):
        scheduler = _slack_only_scheduler(settings, fact_base, tmp_path, fake)
        await scheduler.run()  # returns at once: nothing to post to
    assert scheduler.channels == []
    # Not "not configured" and then "no digest channels (DIGEST_CHANNELS)": the channels were given.
    assert [r.getMessage() for r in caplog.records if r.name.endswith("digest")] == [
        f"DIGEST_CHANNELS names discord:{DISCORD_CHANNEL}, discord:{other} but Discord is not configured "
        "(DISCORD_TOKEN); those channels get no digest, so the daily digest is off"
    ]


async def test_no_digest_channels_at_all_says_the_digest_is_off(
    fake: FakePlatforms, fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        scheduler = _slack_only_scheduler(load_settings(), fact_base, tmp_path, fake)
        await scheduler.run()
    assert [r.getMessage() for r in caplog.records if r.name.endswith("digest")] == [
        "no digest channels (DIGEST_CHANNELS): the daily digest is off"
    ]


async def test_digest_send_over_rest_is_not_posted_twice_when_discords_answer_gets_lost(
    fact_base: FactBase, tmp_path: Path
) -> None:
    discord_api = await FakeDiscord().start()
    try:
        # Discord stored the message, but the answer that says so never arrived: the retry must
        # get the same message back, not post a second one.
        discord_api.fail("POST", "^/channels/1300000000000000002/messages$", status=503, code=0,
                         message="Service Unavailable", lost=True)

        async def no_wait(seconds: float) -> None:
            return None

        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            scheduler = DigestScheduler(
                channels=["discord:1300000000000000002"],
                schedule=DigestSchedule(at=dt_time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
                store=DigestStore(Database(tmp_path / "bot.sqlite3")),
                base=lambda: fact_base,
                size=2,
                send=channel_sender(slack=None, discord_bot=rest),
                sleep=no_wait,
            )
            outcome = await scheduler.post("discord:1300000000000000002", day=DAY)
    finally:
        await discord_api.close()
    posts = discord_api.find("POST", "^/channels/1300000000000000002/messages$")
    assert [p.status for p in posts] == [503, 200]
    assert posts[0].json["nonce"] == posts[1].json["nonce"]
    assert len(discord_api.created) == 1
    assert outcome.status == "sent" and outcome.message_id == discord_api.created[0]["id"]


# -- which failures are sent again ---------------------------------------------------------------


def test_platform_errors_are_told_apart_by_whether_sending_again_can_post_twice() -> None:
    def response(status: int) -> SimpleNamespace:
        return SimpleNamespace(status=status, reason="Reason", headers={"Retry-After": "7"})

    def kind(failure: SendFailure | None) -> tuple[bool, bool]:
        assert failure is not None
        return failure.transient, failure.maybe_posted

    server_error = discord.DiscordServerError(response(503), {"message": "Service Unavailable", "code": 0})
    assert kind(to_send_failure(server_error, platform="discord")) == (True, True), "the nonce makes a resend safe"
    limited = to_send_failure(discord.HTTPException(response(429), {"message": "slow down", "code": 0}))
    assert kind(limited) == (True, False) and limited.retry_after == 7.0
    assert kind(to_send_failure(discord.Forbidden(response(403), {"message": "Missing Access", "code": 50001}))) == (
        False, False,
    )
    rate_limited = to_send_failure(discord.RateLimited(12.5), platform="discord")
    assert kind(rate_limited) == (True, False) and rate_limited.retry_after == 12.5

    timeout = to_send_failure(asyncio.TimeoutError(), platform="slack")
    assert kind(timeout) == (False, True) and "may have been posted" in timeout.reason
    assert kind(to_send_failure(aiohttp.ServerDisconnectedError(), platform="slack")) == (False, True)
    assert kind(to_send_failure(asyncio.TimeoutError(), platform="discord")) == (True, True)
    refused = aiohttp.ClientConnectorError(
        SimpleNamespace(host="127.0.0.1", port=9, ssl=None, is_ssl=False), ConnectionRefusedError(111, "refused")
    )
    assert kind(to_send_failure(refused, platform="slack")) == (True, False), "it never connected: nothing posted"
    assert to_send_failure(ValueError("a bug"), platform="slack") is None

    def slack_error(status: int, error: str) -> SlackApiError:
        response = SlackResponse(
            client=None, http_verb="POST", api_url="https://slack.example/api/chat.postMessage", req_args={},
            data={"ok": False, "error": error}, headers={"Retry-After": "3"}, status_code=status,
        )  # fmt: skip
        return SlackApiError(error, response)

    assert kind(to_send_failure(slack_error(429, "ratelimited"))) == (True, False)
    assert kind(to_send_failure(slack_error(503, "service_unavailable"))) == (True, False)
    assert kind(to_send_failure(slack_error(200, "channel_not_found"))) == (False, False)


@pytest.mark.parametrize("lost", ["hang_up", "timeout"])
async def test_a_slack_post_whose_answer_was_lost_is_found_and_not_posted_again(
    fact_base: FactBase, tmp_path: Path, lost: str
) -> None:
    slack_api = await FakeSlackApi().start()

    async def no_wait(seconds: float) -> None:
        return None

    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=no_wait)
    try:
        # Slack carried the post out, then the connection dropped (or the answer never came) before it arrived.
        if lost == "hang_up":
            slack_api.hang_up_once("chat.postMessage")
        else:
            slack_api.stall_once("chat.postMessage")
            rest.client.timeout = 0.2
        scheduler = DigestScheduler(
            channels=["slack:C0DIGEST"],
            schedule=DigestSchedule(at=dt_time(9, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=6)),
            store=DigestStore(Database(tmp_path / "bot.sqlite3")),
            base=lambda: fact_base,
            size=2,
            send=channel_sender(slack=rest, discord_bot=None, sleep=no_wait, clock=lambda: 1700000000.0),
            sleep=no_wait,
        )
        outcome = await scheduler.post("slack:C0DIGEST", day=DAY)
        again = await scheduler.post("slack:C0DIGEST", day=DAY)
    finally:
        await slack_api.close()
    assert [c.body["channel"] for c in slack_api.calls if c.method == "chat.postMessage"] == ["C0DIGEST"]
    [posted] = slack_api.history["C0DIGEST"]
    assert posted["metadata"]["event_payload"] == {"channel_key": "slack:C0DIGEST", "day": DAY.isoformat()}
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]
    assert scheduler.store.run("slack:C0DIGEST", DAY).status == "sent" and again.status == "done"


async def test_a_slack_digest_is_looked_for_past_the_first_page_of_history(fact_base: FactBase) -> None:
    slack_api = await FakeSlackApi().start()

    async def no_wait(seconds: float) -> None:
        return None

    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=no_wait)
    digest = build_digest(fact_base, channel="slack:C0DIGEST", day=DAY, size=2, posted=set())
    try:
        slack_api.fail_after_doing("chat.postMessage", "internal_error")

        # Slack posts the digest, then a page of other messages arrive before the bot looks: the digest is on page 2.
        async def busy_channel(seconds: float) -> None:
            history = slack_api.history["C0DIGEST"]
            history.extend({"type": "message", "ts": f"1700000100.{n:06d}", "text": "chatter"} for n in range(LOOKUP_PAGE + 10))

        send = channel_sender(slack=rest, discord_bot=None, sleep=busy_channel, clock=lambda: 1700000000.0)
        ts = await send("slack:C0DIGEST", digest)
    finally:
        await slack_api.close()
    assert ts == slack_api.history["C0DIGEST"][0]["ts"]
    assert len(slack_api.calls_to("conversations.history")) == 2
    assert len([c for c in slack_api.calls if c.method == "chat.postMessage" and "blocks" in c.body]) == 1


async def test_digest_send_after_a_failed_post_says_so_and_exits_1(
    fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _slack_env(monkeypatch, fake, tmp_path)
    fake.slack_replies.append((200, {"ok": False, "error": "channel_not_found"}, {}))
    code, _ = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 1
    capsys.readouterr()
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    err = capsys.readouterr().err.strip()
    assert code == 1 and out == ""
    assert err == (
        f"error: the digest of {_today()} for slack:{SLACK_CHANNEL} was not posted "
        "(failed: Slack: channel_not_found); --force tries again"
    )
    assert len(fake.posts("chat.postMessage")) == 1
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}", "--force")
    assert code == 0 and "posted the digest" in out
    assert len(fake.posts("chat.postMessage")) == 2


async def test_digest_send_when_slack_is_down_leaves_the_day_to_be_tried_again(
    fake: FakePlatforms, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slack_env(monkeypatch, fake, tmp_path)
    settings = load_settings()
    db = Database.in_data_dir(settings.bot_data_dir)
    service = AskService(Engine(fact_base))
    now = datetime(2025, 3, 31, 8, 0, tzinfo=timezone.utc)  # 10:00 in Berlin: an hour after the digest's time
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)

    def send(*, force: bool = False):  # noqa: ANN202
        return send_now(settings, service, db, channel=f"slack:{SLACK_CHANNEL}", force=force, clock=lambda: now, sleep=nap)

    # Every attempt of the first round of backoff is answered 503: nothing was posted.
    fake.slack_replies.extend([(503, {"ok": False, "error": "service_unavailable"}, {})] * 4)
    outcome = await send()
    assert outcome.status == "deferred" and naps == [2.0, 10.0, 30.0]
    assert outcome.reason == "gave up after 4 attempts: Slack: service_unavailable; tried again from 08:05 UTC"
    code, out = await _cli("digest", "preview", "--channel", f"slack:{SLACK_CHANNEL}", "--date", "2025-03-31")
    assert code == 0 and "(not posted yet; the last attempt failed: gave up after 4 attempts" in out

    busy = await send()
    assert busy.status == "busy" and "the last attempt failed" in busy.reason, "not before its time, unless forced"
    forced = await send(force=True)
    assert forced.status == "sent"
    now += timedelta(minutes=10)
    assert (await send()).status == "done"
    assert len(fake.posts("chat.postMessage")) == 5
    blocks = [p.body["blocks"] for p in fake.posts("chat.postMessage")]
    assert all(b == blocks[0] for b in blocks), "every attempt carries the facts the claim planned"


async def test_digest_send_while_the_day_waits_for_its_next_try_says_when_and_how_to_force(
    fake: FakePlatforms, fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _slack_env(monkeypatch, fake, tmp_path)
    store = DigestStore(Database.in_data_dir(tmp_path / "data"), owner="bot")
    channel = f"slack:{SLACK_CHANNEL}"
    claim = store.claim(build_digest(fact_base, channel=channel, day=_today(), size=3, posted=()))
    until = datetime.now(timezone.utc) + timedelta(hours=1)
    assert store.release(claim, "gave up after 4 attempts: Slack: service_unavailable", until=until)
    code, out = await _cli("digest", "send", "--channel", channel)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and out == "" and fake.posts("chat.postMessage") == []
    assert line == (
        f"error: the digest for {channel} was not posted yet: the last attempt failed "
        f"(gave up after 4 attempts: Slack: service_unavailable); it is tried again from {until:%H:%M} UTC, "
        "or now with --force"
    )
    code, out = await _cli("digest", "send", "--channel", channel, "--force")
    assert code == 0, out
    [post] = fake.posts("chat.postMessage")
    assert post.body["blocks"] == to_blocks(digest_of(fact_base, channel=channel, day=_today(), fact_ids=claim.fact_ids))


async def _no_wait(seconds: float) -> None:
    return None


def _slack_digest_scheduler(
    slack_api: FakeSlackApi, fact_base: FactBase, tmp_path: Path, now: list[datetime], *, timeout: float | None = None
) -> DigestScheduler:
    """A scheduler for one Slack digest channel at 22:00 UTC with an hour's window, over the
    database in `tmp_path`, at the time in `now[0]`: each call is another start of the bot.
    `timeout` is its Slack client's, in seconds."""
    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=_no_wait)
    if timeout is not None:
        rest.client.timeout = timeout
    return DigestScheduler(
        channels=["slack:C0DIGEST"],
        schedule=DigestSchedule(at=dt_time(22, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=1)),
        store=DigestStore(Database(tmp_path / "bot.sqlite3"), clock=lambda: now[0]),
        base=lambda: fact_base,
        size=2,
        send=channel_sender(slack=rest, discord_bot=None, sleep=_no_wait, clock=lambda: now[0].timestamp()),
        find=channel_finder(slack=rest),
        clock=lambda: now[0],
        sleep=_no_wait,
        close_grace=0.2,
    )


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["posted", "never-arrived"])
async def test_a_digest_cut_by_a_stop_mid_send_is_posted_once_in_all_by_the_next_start(
    fact_base: FactBase, tmp_path: Path, slack_took_it: bool
) -> None:
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]  # 22:11 UTC; the fake's ts start at 1700000000

    def scheduler() -> DigestScheduler:
        return _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)

    try:
        # Slack is slow to answer the post, and the bot is stopped meanwhile (docker stop):
        # the send is cut after Slack carried it out, or before it reached Slack.
        if slack_took_it:
            slack_api.stall_once("chat.postMessage")
        else:
            slack_api.http_error("chat.postMessage", 503)
        first = scheduler()
        if not slack_took_it:
            first.backoff = (3600.0,)
            first.max_inline_wait = 7200.0

            async def stalled(seconds: float) -> None:
                await asyncio.Event().wait()

            first._sleep = stalled
        first.start()
        await slack_api.wait_for("chat.postMessage", ok_only=slack_took_it)
        await first.close()
        now[0] += timedelta(minutes=5)  # the next start, past the claim's lease, inside the day's window
        [outcome] = await scheduler().run_due()
    finally:
        await slack_api.close()
    [posted] = slack_api.history["C0DIGEST"]
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]


@pytest.mark.parametrize("history", ["readable", "refused", "hidden"])
async def test_a_discord_digest_cut_by_a_stop_mid_send_is_found_in_the_channel_when_its_nonce_is_forgotten(
    fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture, history: str
) -> None:
    # Discord took the post, and the bot was stopped before it heard so. The next start comes
    # after Discord stopped checking the nonce (a few minutes): the same nonce would post anew,
    # so the channel's history is read first. Without Read Message History, the nonce is all
    # there is, and the log says what to grant.
    discord_api = await FakeDiscord().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]  # 22:11 UTC, the window runs to 23:00

    def scheduler(rest: RestDiscord, send: Any) -> DigestScheduler:
        return _discord_scheduler(tmp_path, fact_base, rest, now, send=send, close_grace=0.2)

    try:
        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            sender = channel_sender(slack=None, discord_bot=rest)

            async def posted_then_stopped(target: str, digest: Digest) -> str | None:
                await sender(target, digest)
                await asyncio.Event().wait()  # the answer never comes back before the stop
                return None

            first = scheduler(rest, posted_then_stopped)
            first.start()
            await discord_api.wait_for("POST", "^/channels/1300000000000000002/messages$")
            await first.close()
            now[0] += timedelta(minutes=30)
            discord_api.forget_nonces()
            if history == "refused":
                discord_api.fail("GET", "^/channels/1300000000000000002/messages$", status=403, code=50001,
                                 message="Missing Access")  # fmt: skip
            elif history == "hidden":  # Read Message History not granted: Discord shows no messages
                discord_api.history_hidden.add("1300000000000000002")
            with caplog.at_level(logging.WARNING, logger="adapters.digest"):
                [outcome] = await scheduler(rest, sender).run_due()
    finally:
        await discord_api.close()
    assert outcome.status == "sent", outcome.reason
    if history == "readable":
        [posted] = discord_api.created
        assert outcome.message_id == posted["id"]
        assert len(discord_api.find("POST", "^/channels/1300000000000000002/messages$")) == 1
    else:
        assert len(discord_api.created) == 2 and outcome.message_id == discord_api.created[1]["id"]
        assert any("Read Message History" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("before", "found"), [(250, True), (DISCORD_LOOKUP_LIMIT, False)])
async def test_a_discord_digest_is_looked_for_oldest_first_and_past_the_limit_the_check_says_so(
    fact_base: FactBase, before: int, found: bool
) -> None:
    from tests.fakes.discord_api import BOT_USER, USER_ID, message_payload

    discord_api = await FakeDiscord().start()
    digest = digest_of(fact_base, channel="discord:1300000000000000002", day=DAY, fact_ids=list(fact_base.facts)[:2])
    chatter = {"id": USER_ID, "username": "ann", "discriminator": "0", "avatar": None}
    for _ in range(before):  # others' messages, and the bot's own answers, posted before it
        author = chatter if len(discord_api.created) % 2 else BOT_USER
        discord_api.created.append(
            message_payload(id=discord_api.new_id(), channel_id="1300000000000000002", author=author, content="hi")
        )
    embeds = [embed.to_dict() for embed in to_embeds(digest)]
    discord_api.created.append(
        message_payload(id=discord_api.new_id(), channel_id="1300000000000000002", embeds=embeds)
    )
    try:
        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            if found:
                assert await find_discord_digest(rest.client, 1300000000000000002, digest, after=0.0) == (
                    discord_api.created[-1]["id"]
                )
            else:
                with pytest.raises(LookupError):
                    await find_discord_digest(rest.client, 1300000000000000002, digest, after=0.0)
    finally:
        await discord_api.close()


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SLACK_API_URL", "http://[::1/api", "SLACK_API_URL 'http://[::1/api' is not a URL"),
        ("SLACK_API_URL", "https://", "SLACK_API_URL 'https://' names no host"),
        ("SLACK_BOT_TOKEN", "xapp-1-not-a-bot-token", "SLACK_BOT_TOKEN must be a bot token"),
    ],
)
async def test_digest_send_with_slack_settings_the_bot_refuses_says_so_and_leaves_the_day_alone(
    fake: FakePlatforms, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    name: str, value: str, named: str,
) -> None:  # fmt: skip
    _slack_env(monkeypatch, fake, tmp_path)
    monkeypatch.setenv(name, value)
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    [line] = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and out == "" and line.startswith(f"error: {named}")
    assert fake.posts("chat.postMessage") == []
    # Fixed, the day's digest still goes out: nothing was claimed or marked failed.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake.slack_url)
    code, out = await _cli("digest", "send", "--channel", f"slack:{SLACK_CHANNEL}")
    assert code == 0 and "posted the digest" in out


@pytest.mark.parametrize(("later", "found"), [(450, True), (LOOKUP_PAGE * LOOKUP_PAGES, False)])
async def test_a_digest_is_found_behind_hundreds_of_later_messages_and_past_the_lookup_the_check_says_so(
    fact_base: FactBase, later: int, found: bool
) -> None:
    # The history is read newest first: in a busy channel, the digest posted at the start of
    # the day is behind every message posted since. A lookup that gives up says so (LookupError),
    # so the day is left alone rather than posted twice.
    slack_api = await FakeSlackApi().start()
    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=_no_wait)
    digest = digest_of(fact_base, channel="slack:C0DIGEST", day=date(2023, 11, 14), fact_ids=list(fact_base.facts)[:2])
    history = slack_api.history.setdefault("C0DIGEST", [])
    posted = {"type": "message", "ts": "1700000000.000001", "text": "digest", "metadata": to_metadata(digest), "bot_id": BOT_ID}
    history.append(posted)
    # Another app's message carrying the same metadata, read first, is not the bot's digest.
    history.append({**posted, "ts": "1700000000.000002", "text": "copy", "bot_id": "BOTHER"})
    history.extend({"type": "message", "ts": f"1700000001.{n:06d}", "text": f"chat {n}"} for n in range(later))
    try:
        if found:
            assert await find_slack_digest(rest.client, "C0DIGEST", digest, oldest=1699999990.0) == "1700000000.000001"
        else:
            with pytest.raises(LookupError):
                await find_slack_digest(rest.client, "C0DIGEST", digest, oldest=1699999990.0)
    finally:
        await slack_api.close()
    assert len(slack_api.calls_to("conversations.history")) <= LOOKUP_PAGES


async def test_a_digest_is_found_by_its_metadata_when_auth_test_names_no_bot(fact_base: FactBase) -> None:
    # Filtering by the bot's own id with none to go by found nothing, and the digest went out again.
    slack_api = await FakeSlackApi().start()
    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=_no_wait)
    digest = digest_of(fact_base, channel="slack:C0DIGEST", day=date(2023, 11, 14), fact_ids=list(fact_base.facts)[:2])
    slack_api.history.setdefault("C0DIGEST", []).append(
        {"type": "message", "ts": "1700000000.000001", "text": "digest", "metadata": to_metadata(digest), "bot_id": BOT_ID}
    )
    slack_api.answer_once("auth.test", {"ok": True, "user_id": "U1", "team_id": "T1"})
    try:
        assert await find_slack_digest(rest.client, "C0DIGEST", digest, oldest=1699999990.0) == "1700000000.000001"
    finally:
        await slack_api.close()


async def test_a_resumed_digest_whose_history_check_meets_a_passing_error_is_checked_again_and_posted_once(
    fact_base: FactBase, tmp_path: Path
) -> None:
    # A run cut mid-send leaves the day to the next start, which looks in the channel first.
    # Slack answering that look-up with a 503 once says nothing about the channel: the day is
    # looked at again a little later, not given up while its window is still open.
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]  # 22:11 UTC, the window runs to 23:00

    async def stalled(seconds: float) -> None:
        await asyncio.Event().wait()

    def scheduler() -> DigestScheduler:
        return _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)

    try:
        slack_api.http_error("chat.postMessage", 503)
        first = scheduler()
        first.backoff, first.max_inline_wait, first._sleep = (3600.0,), 7200.0, stalled
        first.start()
        await slack_api.wait_for("chat.postMessage", ok_only=False)
        await first.close()
        now[0] += timedelta(minutes=5)
        slack_api.http_error("conversations.history", 503)
        second = scheduler()
        [outcome] = await second.run_due()
        assert outcome.status != "failed", outcome.reason
        now[0] += timedelta(seconds=second.seconds_to_wait())
        [outcome] = await second.run_due()
    finally:
        await slack_api.close()
    [posted] = slack_api.history["C0DIGEST"]
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]


def _slack_fails(slack_api: FakeSlackApi, method: str, how: str) -> None:
    """Make the next call of `method` fail as Slack or the network can fail it for a moment
    (`recover(method)` ends what is left of it)."""
    if how == "503":
        slack_api.http_error(method, 503)
    elif how == "500":
        slack_api.http_error(method, 500)
    elif how == "429":  # more 429s than the client waits out by itself
        slack_api.http_error(method, 429, times=3, retry_after=0)
    elif how == "hang_up":  # the connection dropped, on every retry aiohttp and slack_sdk make by themselves too
        for _ in range(8):
            slack_api.hang_up_once(method)
    elif how == "timeout":
        slack_api.stall_once(method)
    else:  # an error code in a 200, as Slack answers ratelimited, internal_error and fatal_error
        slack_api.fail(method, how)


_PASSING = [
    ("auth.test", "503"),
    ("auth.test", "500"),
    ("auth.test", "429"),
    ("auth.test", "ratelimited"),
    ("auth.test", "internal_error"),
    ("auth.test", "hang_up"),
    ("auth.test", "timeout"),
    ("conversations.history", "ratelimited"),
    ("conversations.history", "fatal_error"),
    ("conversations.history", "hang_up"),
    ("conversations.history", "timeout"),
]


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["posted", "never-arrived"])
@pytest.mark.parametrize(("method", "how"), _PASSING)
async def test_a_resumed_digest_whose_look_up_slack_does_not_answer_is_looked_for_again_and_posted_once(
    fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture, method: str, how: str, slack_took_it: bool
) -> None:
    # The look-up learns the bot's own id from auth.test, then reads the history: either failing
    # for a moment (the network, a 5xx, a 429, Slack's ratelimited) says nothing about the
    # channel. The day is looked at again later in its window, and nothing is posted before.
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]  # 22:11 UTC, the window runs to 23:00

    async def stalled(seconds: float) -> None:
        await asyncio.Event().wait()

    try:
        if slack_took_it:
            slack_api.stall_once("chat.postMessage")
        else:
            slack_api.http_error("chat.postMessage", 503)
        first = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        first.backoff, first.max_inline_wait, first._sleep = (3600.0,), 7200.0, stalled
        first.start()
        await slack_api.wait_for("chat.postMessage", ok_only=slack_took_it)
        await first.close()
        posts_before = len(slack_api.calls_to("chat.postMessage", ok_only=False))
        now[0] += timedelta(minutes=5)  # the next start, past the claim's lease
        _slack_fails(slack_api, method, how)
        second = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now, timeout=0.3)
        with caplog.at_level(logging.WARNING):
            [waiting] = await second.run_due()
        assert waiting.status == "deferred", waiting.reason
        assert "could not be checked" in waiting.reason and "looked for again" in waiting.reason
        assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == posts_before, "nothing posted unchecked"
        assert second.store.run("slack:C0DIGEST", DAY_OF_FAKE_TS).status == "claimed"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        slack_api.recover(method)
        wait = second.seconds_to_wait()
        assert 60 <= wait <= second.retry_later
        now[0] += timedelta(seconds=wait)
        [outcome] = await second.run_due()
    finally:
        await slack_api.close()
    [posted] = slack_api.history["C0DIGEST"]
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]
    assert len([c for c in slack_api.calls_to("chat.postMessage") if "blocks" in c.body]) == 1


DAY_OF_FAKE_TS = date(2023, 11, 14)
"""The UTC day of 1700000000, around which the fake Slack's messages are posted."""


@pytest.mark.parametrize(
    ("method", "error", "fix"),
    [
        ("conversations.history", "not_in_channel", "invite it there"),
        ("conversations.history", "missing_scope", "channels:history and groups:history"),
        ("conversations.history", "channel_not_found", "check DIGEST_CHANNELS"),
    ],
)
async def test_a_resumed_digest_whose_channel_slack_refuses_to_show_fails_with_one_line_saying_what_to_fix(
    fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture, method: str, error: str, fix: str
) -> None:
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]

    async def stalled(seconds: float) -> None:
        await asyncio.Event().wait()

    try:
        slack_api.http_error("chat.postMessage", 503)
        first = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        first.backoff, first.max_inline_wait, first._sleep = (3600.0,), 7200.0, stalled
        first.start()
        await slack_api.wait_for("chat.postMessage", ok_only=False)
        await first.close()
        now[0] += timedelta(minutes=5)
        slack_api.fail(method, error)
        second = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            [outcome] = await second.run_due()
            now[0] += timedelta(minutes=10)
            [again] = await second.run_due()
    finally:
        await slack_api.close()
    assert outcome.status == "failed" and f"Slack: {error}" in outcome.reason and fix in outcome.reason
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.levelno == logging.ERROR and line.exc_info is None
    assert line.getMessage() == f"digest for slack:C0DIGEST on {DAY_OF_FAKE_TS} not posted: {outcome.reason}"
    assert again.status == "done" and slack_api.history.get("C0DIGEST") is None
    assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == 1


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("invalid_auth", "SLACK_BOT_TOKEN is not a working bot token"),
        ("account_inactive", "deactivated user or workspace"),
    ],
)
async def test_a_resumed_digest_whose_look_up_is_refused_for_the_token_waits_for_a_working_token_and_is_posted_once(
    fact_base: FactBase, tmp_path: Path, caplog: pytest.LogCaptureFixture, error: str, fix: str
) -> None:
    # `digest send` (a REST client, no serving bot to lock out): a token Slack refuses can't tell
    # whether the earlier run's post is there, and neither can it on any other day, so the day is
    # not failed; the run with a working token looks first.
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]

    async def stalled(seconds: float) -> None:
        await asyncio.Event().wait()

    try:
        slack_api.stall_once("chat.postMessage")
        first = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        first._sleep = stalled
        first.start()
        await slack_api.wait_for("chat.postMessage")
        await first.close()
        now[0] += timedelta(minutes=5)
        slack_api.fail("auth.test", error)
        second = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            [outcome] = await second.run_due()
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        run = second.store.run("slack:C0DIGEST", DAY_OF_FAKE_TS)
        now[0] += timedelta(minutes=1)
        [again] = await _slack_digest_scheduler(slack_api, fact_base, tmp_path, now).run_due()
    finally:
        await slack_api.close()
    assert outcome.status == "deferred" and f"Slack: {error}" in outcome.reason and fix in outcome.reason
    [line] = lines
    assert line.levelno == logging.ERROR and line.exc_info is None
    assert line.getMessage() == (
        f"digest for slack:C0DIGEST on {DAY_OF_FAKE_TS} not posted: {outcome.reason}; once that is fixed, the "
        "channel is looked at before the digest is sent again"
    )
    assert (run.status, run.error) == ("claimed", None)
    [posted] = slack_api.history["C0DIGEST"]
    assert again.status == "sent" and again.message_id == posted["ts"], "found, not posted again"
    assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == 1


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["posted", "not-posted"])
@pytest.mark.parametrize(
    ("method", "how"), [("auth.test", "503"), ("auth.test", "ratelimited"), ("conversations.history", "hang_up")]
)
async def test_a_post_of_unknown_outcome_whose_look_up_slack_does_not_answer_is_looked_for_again_not_given_up(
    fact_base: FactBase, tmp_path: Path, method: str, how: str, slack_took_it: bool
) -> None:
    # Slack answered the post with internal_error (having carried it out, or not), and the look
    # in the channel that settles it met a passing failure: the day is neither given up nor
    # posted again blind; the next look, a few minutes later, settles it.
    slack_api = await FakeSlackApi().start()
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]
    try:
        if slack_took_it:
            slack_api.fail_after_doing("chat.postMessage", "internal_error")
        else:
            slack_api.fail("chat.postMessage", "internal_error")
        _slack_fails(slack_api, method, how)
        scheduler = _slack_digest_scheduler(slack_api, fact_base, tmp_path, now)
        [waiting] = await scheduler.run_due()
        assert waiting.status == "deferred", waiting.reason
        assert "could not check the channel's history" in waiting.reason
        assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == 1
        slack_api.recover(method)
        now[0] += timedelta(seconds=scheduler.seconds_to_wait())
        [outcome] = await scheduler.run_due()
    finally:
        await slack_api.close()
    [posted] = slack_api.history["C0DIGEST"]
    assert outcome.status == "sent" and outcome.message_id == posted["ts"]
    assert len(slack_api.calls_to("chat.postMessage", ok_only=False)) == (1 if slack_took_it else 2)


async def test_the_bots_own_id_is_asked_of_slack_once_for_every_look_up(fact_base: FactBase) -> None:
    # Each look-up asking auth.test again was one more call that could fail it.
    slack_api = await FakeSlackApi().start()
    rest = RestSlack("xoxb-test", base_url=slack_api.base_url, sleep=_no_wait)
    digest = digest_of(fact_base, channel="slack:C0DIGEST", day=DAY_OF_FAKE_TS, fact_ids=list(fact_base.facts)[:2])
    try:
        assert await find_slack_digest(rest.client, "C0DIGEST", digest, oldest=1699999990.0) is None
        slack_api.http_error("auth.test", 503)
        assert await find_slack_digest(rest.client, "C0DIGEST", digest, oldest=1699999990.0) is None
    finally:
        await slack_api.close()
    assert len(slack_api.calls_to("auth.test", ok_only=False)) == 1
    assert len(slack_api.calls_to("conversations.history")) == 2


@pytest.mark.parametrize("discord_took_it", [True, False], ids=["posted", "never-arrived"])
async def test_a_discord_digest_whose_posts_discord_did_not_confirm_is_looked_for_later_not_given_up(
    fact_base: FactBase, tmp_path: Path, discord_took_it: bool
) -> None:
    # Every attempt of a round was answered 503: Discord may have stored the first. The day was
    # given up for good; now the channel is looked at once the claim is free again, and the
    # digest is posted only if it is not there (by then Discord may have forgotten the nonce).
    discord_api = await FakeDiscord().start()
    path = "^/channels/1300000000000000002/messages$"
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]
    try:
        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            scheduler = _discord_scheduler(tmp_path, fact_base, rest, now)
            discord_api.fail("POST", path, status=503, code=0, message="Service Unavailable", times=4,
                             lost=discord_took_it)  # fmt: skip
            [waiting] = await scheduler.run_due()
            assert waiting.status == "deferred", waiting.reason
            assert len(discord_api.find("POST", path)) == 4
            discord_api.forget_nonces()
            now[0] += timedelta(seconds=scheduler.seconds_to_wait())
            [outcome] = await scheduler.run_due()
    finally:
        await discord_api.close()
    assert outcome.status == "sent", outcome.reason
    [posted] = discord_api.created
    assert outcome.message_id == posted["id"]
    assert len(discord_api.find("GET", path)) >= 1
    assert len(discord_api.find("POST", path)) == (4 if discord_took_it else 5)


async def test_a_discord_look_up_discord_does_not_answer_is_made_again_later(
    fact_base: FactBase, tmp_path: Path
) -> None:
    discord_api = await FakeDiscord().start()
    path = "^/channels/1300000000000000002/messages$"
    now = [datetime.fromtimestamp(1699999900, timezone.utc)]
    try:
        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            def scheduler(send: Any) -> DigestScheduler:
                return _discord_scheduler(tmp_path, fact_base, rest, now, send=send, close_grace=0.2)

            sender = channel_sender(slack=None, discord_bot=rest)

            async def posted_then_stopped(target: str, digest: Digest) -> str | None:
                await sender(target, digest)
                await asyncio.Event().wait()
                return None

            first = scheduler(posted_then_stopped)
            first.start()
            await discord_api.wait_for("POST", path)
            await first.close()
            now[0] += timedelta(minutes=5)
            discord_api.forget_nonces()
            discord_api.rate_limit("GET", path, retry_after=30.0, via=False)  # a proxy's 429: raised, not waited out
            second = scheduler(sender)
            [waiting] = await second.run_due()
            assert waiting.status == "deferred", waiting.reason
            now[0] += timedelta(seconds=second.seconds_to_wait())
            [outcome] = await second.run_due()
    finally:
        await discord_api.close()
    [posted] = discord_api.created
    assert outcome.status == "sent" and outcome.message_id == posted["id"]


async def test_a_discord_digest_posted_as_text_is_found_by_its_title_line(fact_base: FactBase) -> None:
    """Where the bot may not embed links the digest goes out as text: a resumed run finds it so, and
    does not post it again."""
    from tests.fakes.discord_api import message_payload

    discord_api = await FakeDiscord().start()
    digest = digest_of(fact_base, channel="discord:1300000000000000002", day=DAY, fact_ids=list(fact_base.facts)[:2])
    other = digest_of(fact_base, channel="discord:1300000000000000002", day=date(2026, 1, 1), fact_ids=list(fact_base.facts)[:2])
    for posted in (other, digest):
        discord_api.created.append(
            message_payload(
                id=discord_api.new_id(), channel_id="1300000000000000002", content=embeds_to_text(to_embeds(posted))
            )
        )
    try:
        async with RestDiscord("discord-test-token", api_url=discord_api.base_url) as rest:
            found = await find_discord_digest(rest.client, 1300000000000000002, digest, after=0.0)
    finally:
        await discord_api.close()
    assert found == discord_api.created[-1]["id"]


def _discord_scheduler(
    tmp_path: Path, fact_base: FactBase, rest: RestDiscord, now: list[datetime], *, send: Any = None, **kwargs: Any
) -> DigestScheduler:
    """A scheduler for discord:1300000000000000002 at 22:00 UTC (an hour's grace), posting with
    `send` (the real sender when None) and finding posts through `rest`, its clock `now[0]`."""
    return DigestScheduler(
        channels=["discord:1300000000000000002"],
        schedule=DigestSchedule(at=dt_time(22, 0), zone=ZoneInfo("UTC"), grace=timedelta(hours=1)),
        store=DigestStore(Database(tmp_path / "bot.sqlite3"), clock=lambda: now[0]),
        base=lambda: fact_base,
        size=2,
        send=send or channel_sender(slack=None, discord_bot=rest),
        find=channel_finder(slack=None, discord_bot=rest),
        clock=lambda: now[0],
        sleep=_no_wait,
        **kwargs,
    )


async def test_digest_send_under_a_long_discord_rate_limit_gives_the_day_back_instead_of_hanging(
    fact_base: FactBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # discord.py sleeps out a 429's retry_after by itself: an hour's made `digest send` hang for
    # an hour without a word. A wait longer than the scheduler waits inline gives the claim back,
    # to be tried again once Discord allows it, as a long Retry-After from Slack does.
    discord_api = await FakeDiscord().start()
    monkeypatch.setenv("DISCORD_TOKEN", "discord-test-token")
    monkeypatch.setenv("DISCORD_API_URL", discord_api.base_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIGEST_GRACE", "6h")
    settings = load_settings()
    db = Database.in_data_dir(settings.bot_data_dir)
    now = datetime(2025, 3, 31, 10, 0, tzinfo=timezone.utc)  # an hour after 09:00 UTC, the window open till 15:00
    path = "^/channels/1300000000000000002/messages$"
    discord_api.rate_limit("POST", path, retry_after=3600)
    try:
        outcome = await asyncio.wait_for(
            send_now(
                settings, AskService(Engine(fact_base)), db, channel="discord:1300000000000000002",
                clock=lambda: now, sleep=_no_wait,
            ),
            timeout=20,
        )  # fmt: skip
    finally:
        await discord_api.close()
    assert outcome.status == "deferred", outcome.reason
    assert "Retry in 3600" in outcome.reason and outcome.reason.endswith("tried again from 11:00 UTC")
    assert len(discord_api.find("POST", path)) == 1 and discord_api.created == []
    run = DigestStore(db).run("discord:1300000000000000002", date(2025, 3, 31))
    assert run is not None and run.status == "claimed" and run.lease_until == now + timedelta(hours=1)
