"""Slack refusing the bot token for a digest's post or for the look in the channel that settles one,
on the fake Slack over real HTTP: the day is given back, not failed, so it still goes out once the
token is fixed, and exactly once; a serving bot that Slack has locked out asks Slack nothing more
for digests until it restarts, and /readyz says why."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import discord
import pytest

from adapters.digest_runner import build_digest_scheduler
from adapters.slack_adapter import REINSTALL, SlackBot
from bot.cli import main
from bot.config import Settings, load_settings
from bot.db import Database
from bot.digest import build_digest
from bot.digest_schedule import DigestSchedule, DigestScheduler
from bot.digest_store import DigestStore
from bot.engine import Engine
from bot.models import FactBase
from bot.service import AskService
from tests.adapters.test_digest_render import DiscordWithProvider
from tests.fakes.discord_api import CHANNEL_ID as DISCORD_CHANNEL_ID
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlackApi

CHANNEL = "slack:C0DIGEST"
OTHER = "slack:C0OTHER"
NOW = datetime.fromtimestamp(1699999900, timezone.utc)
"""22:11:40 UTC, inside the window of the 22:00 digest: the fake's message ts start at 1700000000."""
DAY = date(2023, 11, 14)
TOKEN_FIX = "SLACK_BOT_TOKEN is not a working bot token: reinstall the app and set its Bot User OAuth Token"
INACTIVE_FIX = (
    "the bot's token belongs to a deactivated user or workspace: reinstall the app and set its new SLACK_BOT_TOKEN"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = await FakeSlackApi().start()
    yield api
    await api.close()


async def _cli(*argv: str) -> tuple[int, str]:
    """`python -m bot ...` in a worker thread (it runs its own event loop) while the fake serves here."""
    out = io.StringIO()
    code = await asyncio.to_thread(main, list(argv), out=out)
    return code, out.getvalue()


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("invalid_auth", TOKEN_FIX),
        ("not_authed", TOKEN_FIX),
        ("token_revoked", TOKEN_FIX),
        ("account_inactive", INACTIVE_FIX),
    ],
    ids=["invalid_auth", "not_authed", "token_revoked", "account_inactive"],
)
async def test_digest_send_with_a_token_slack_refuses_leaves_the_day_to_send_once_the_token_is_fixed(
    fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    code: str, fix: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    fake.fail("chat.postMessage", code)
    status, out = await _cli("digest", "send", "--channel", CHANNEL)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and out == ""
    assert line == f"error: the digest of {datetime.now(timezone.utc).date().isoformat()} for {CHANNEL} was not posted: Slack: {code}; {fix}"
    assert fake.history == {}, "nothing was posted"
    [run] = DigestStore(Database(tmp_path / "data" / "bot.sqlite3")).runs(CHANNEL)
    assert run.status == "claimed", "the day is not marked failed: a serving bot would skip it"

    status, out = await _cli("digest", "preview", "--channel", CHANNEL, "--date", run.day.isoformat())
    assert status == 0 and f"(not posted yet; the last attempt failed: Slack: {code}; {fix})" in out

    # The token fixed, the same command, without --force, posts the day's digest, once.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-working")
    status, out = await _cli("digest", "send", "--channel", CHANNEL)
    assert status == 0 and f"posted the digest of {run.day} to {CHANNEL}" in out
    status, out = await _cli("digest", "send", "--channel", CHANNEL)
    assert status == 0 and "done already" in out
    [posted] = fake.history["C0DIGEST"]
    [refused, sent] = fake.calls_to("chat.postMessage", ok_only=False)
    assert refused.headers["Authorization"] == "Bearer xoxb-revoked" and not refused.ok
    assert sent.headers["Authorization"] == "Bearer xoxb-working" and sent.body["metadata"] == posted["metadata"]
    assert sent.body["blocks"] == refused.body["blocks"], "the facts the day planned"


def _settings(fake: FakeSlackApi, tmp_path: Path, *, channels: str = CHANNEL) -> Settings:
    """A serving bot's settings: Slack in HTTP mode on the fake, the digest due at 22:00 UTC for an hour."""
    return Settings(
        slack_bot_token="xoxb-test",
        slack_mode="http",
        slack_signing_secret="secret",
        slack_api_url=fake.base_url,
        bot_data_dir=tmp_path,
        digest_channels=channels,
        digest_time="22:00",
        digest_timezone="UTC",
        DIGEST_GRACE="1h",
    )


async def _no_wait(seconds: float) -> None:
    return None


async def _stalled(seconds: float) -> None:
    await asyncio.Event().wait()


@asynccontextmanager
async def _serving(
    settings: Settings,
    engine: Engine,
    db: Database,
    now: list[datetime],
    *,
    sleep: Callable[[float], Awaitable[None]] = _no_wait,
) -> AsyncIterator[tuple[SlackBot, DigestScheduler]]:
    """One start of the serving bot: its Slack bot, started on the fake, and its digest scheduler,
    at the time in `now[0]`."""
    service = AskService(engine)
    slack = SlackBot(settings, service, db=db)
    await slack.start()
    try:
        yield slack, build_digest_scheduler(
            settings, service, db, slack=slack, discord=None, clock=lambda: now[0], sleep=sleep
        )
    finally:
        await slack.close()


def _locked_out(code: str, method: str) -> str:
    return f"Slack refused the bot token ({code}) on {method}; {REINSTALL}"


async def test_the_serving_bots_digest_refused_for_its_token_keeps_the_day_and_makes_slack_not_ready(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(fake, tmp_path, channels=f"{CHANNEL},{OTHER}")
    db = Database(tmp_path / "bot.sqlite3")
    now = [NOW]
    try:
        async with _serving(settings, engine, db, now) as (slack, scheduler):
            fake.fail("chat.postMessage", "token_revoked")
            refused = await scheduler.post(CHANNEL)
            assert refused.status == "deferred" and refused.reason == f"Slack: token_revoked; {TOKEN_FIX}"
            assert slack.locked_out == _locked_out("token_revoked", "chat.postMessage")
            assert scheduler.store.run(CHANNEL, DAY).status == "claimed"

            # Every call made with that token is refused: the other channel's is not made at all.
            made = len(fake.calls)
            other = await scheduler.post(OTHER)
            assert other.status == "deferred" and other.reason == f"paused until the bot restarts: {slack.locked_out}"
            assert fake.calls[made:] == []
            assert scheduler.store.run(OTHER, DAY) is None, "nothing claimed: the day is the next start's"

        # Restarted with a working token: each channel's digest goes out, once.
        async with _serving(settings, engine, db, now) as (slack, restarted):
            assert slack.locked_out is None
            sent, other = await restarted.post(CHANNEL), await restarted.post(OTHER)
            assert (sent.status, other.status) == ("sent", "sent")
            assert (await restarted.post(CHANNEL)).status == "done"
    finally:
        db.close()
    assert [m["ts"] for m in fake.history["C0DIGEST"]] == [sent.message_id]
    assert [m["ts"] for m in fake.history["C0OTHER"]] == [other.message_id]


async def test_a_locked_out_bot_asks_slack_nothing_for_digests_at_later_wakes_and_says_why_once(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Each wake of the scheduler took the day again and made one refused call per channel, and
    # logged each: every few minutes until the day's window closed, then again the next day.
    settings = _settings(fake, tmp_path, channels=f"{CHANNEL},{OTHER}")
    db = Database(tmp_path / "bot.sqlite3")
    now = [NOW]
    fake.fail("chat.postMessage", "account_inactive", times=2)
    try:
        async with _serving(settings, engine, db, now) as (slack, scheduler):
            with caplog.at_level(logging.INFO, logger="bot.digest"):
                first = await scheduler.run_due()
                assert [o.status for o in first] == ["deferred", "deferred"]
                assert slack.locked_out == _locked_out("account_inactive", "chat.postMessage")
                made = len(fake.calls)
                for minutes in (5, 20, 35):
                    now[0] = NOW + timedelta(minutes=minutes)
                    wake = await scheduler.run_due()
                    assert [(o.status, o.reason) for o in wake] == [
                        ("deferred", f"paused until the bot restarts: {slack.locked_out}")
                    ] * 2
                assert fake.calls[made:] == [], "no call to Slack for digests once it refused the token"
                runs = [scheduler.store.run(channel, DAY) for channel in (CHANNEL, OTHER)]
                assert all(run is None or run.status == "claimed" for run in runs), "the day is given back, not failed"
        paused = [r for r in caplog.records if r.getMessage().startswith("daily digest paused")]
        assert [r.getMessage() for r in paused] == [
            f"daily digest paused for {CHANNEL}, {OTHER} until the bot restarts: "
            f"{_locked_out('account_inactive', 'chat.postMessage')}, and restart the bot; a day's digest not posted "
            "yet goes out once after the restart, if that comes within DIGEST_GRACE of its time"
        ]
        assert paused[0].levelno == logging.ERROR and paused[0].exc_info is None

        # Nothing is lost: restarted with a working token inside the day's window, each channel gets it once.
        fake.recover("chat.postMessage")
        now[0] = NOW + timedelta(minutes=40)
        async with _serving(settings, engine, db, now) as (_, restarted):
            outcomes = await restarted.run_due()
            assert [o.status for o in outcomes] == ["sent", "sent"]
            assert [o.status for o in await restarted.run_due()] == ["done", "done"]
    finally:
        db.close()
    assert len(fake.history["C0DIGEST"]) == 1 and len(fake.history["C0OTHER"]) == 1


async def test_a_locked_out_slack_bot_pauses_slack_digests_only(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)  # RestDiscord points it at the fake
    discord_api = await FakeDiscord().start()
    on_discord = f"discord:{DISCORD_CHANNEL_ID}"
    settings = _settings(fake, tmp_path, channels=f"{CHANNEL},{on_discord}")
    service = AskService(engine)
    db = Database(tmp_path / "bot.sqlite3")
    slack = SlackBot(settings, service, db=db)
    await slack.start()
    try:
        async with DiscordWithProvider("discord-test-token", api_url=discord_api.base_url) as discord_bot:
            scheduler = build_digest_scheduler(
                settings, service, db, slack=slack, discord=discord_bot, clock=lambda: NOW, sleep=_no_wait
            )
            slack.note_token_refused("token_revoked", method="chat.postMessage")
            made = len(fake.calls)
            outcomes = {o.channel: o.status for o in await scheduler.run_due()}
    finally:
        await slack.close()
        await discord_api.close()
        db.close()
    assert outcomes == {CHANNEL: "deferred", on_discord: "sent"}
    assert fake.calls[made:] == []
    assert len(discord_api.find("POST", rf"/channels/{DISCORD_CHANNEL_ID}/messages")) == 1


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["posted", "not-posted"])
@pytest.mark.parametrize("method", ["auth.test", "conversations.history"])
async def test_a_post_of_unknown_outcome_whose_look_up_slack_refuses_for_the_token_is_given_back_and_posted_once(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    method: str, slack_took_it: bool,
) -> None:  # fmt: skip
    # Slack answered the post with internal_error (having carried it out, or not), and refused the
    # token for the look in the channel that settles it: the day was marked failed, and never posted
    # once the token was fixed.
    settings = _settings(fake, tmp_path)
    db = Database(tmp_path / "bot.sqlite3")
    now = [NOW]
    try:
        async with _serving(settings, engine, db, now) as (slack, scheduler):
            if slack_took_it:
                fake.fail_after_doing("chat.postMessage", "internal_error")
            else:
                fake.fail("chat.postMessage", "internal_error")
            fake.fail(method, "token_revoked")
            with caplog.at_level(logging.ERROR, logger="bot.digest"):
                outcome = await scheduler.post(CHANNEL)
            assert outcome.status == "deferred"
            assert outcome.reason == (
                "Slack: internal_error; the message may have been posted, so it is not sent again "
                f"(could not check the channel's history: Slack: token_revoked; {TOKEN_FIX})"
            )
            assert slack.locked_out == _locked_out("token_revoked", method)
            run = scheduler.store.run(CHANNEL, DAY)
            assert (run.status, run.error, run.lease_until) == ("claimed", None, NOW), "given back at once, not failed"
            [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert line == (
                f"digest for {CHANNEL} on {DAY} not posted: {outcome.reason}; once that is fixed, the channel is "
                "looked at before the digest is sent again"
            )

        # Restarted with a working token: the channel is looked at first, and the digest is there once.
        now[0] += timedelta(minutes=5)
        async with _serving(settings, engine, db, now) as (_, restarted):
            sent = await restarted.post(CHANNEL)
    finally:
        db.close()
    [posted] = fake.history["C0DIGEST"]
    assert sent.status == "sent" and sent.message_id == posted["ts"]
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == (1 if slack_took_it else 2)


@pytest.mark.parametrize("slack_took_it", [True, False], ids=["posted", "not-posted"])
@pytest.mark.parametrize("method", ["auth.test", "conversations.history"])
async def test_a_resumed_digest_whose_look_up_slack_refuses_for_the_token_is_given_back_and_posted_once(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path, method: str, slack_took_it: bool
) -> None:
    # A run stopped mid-send leaves its post to be looked for by the next start; Slack refusing the
    # token for that look marked the day failed, so it was never posted once the token was fixed.
    settings = _settings(fake, tmp_path)
    db = Database(tmp_path / "bot.sqlite3")
    now = [NOW]
    try:
        async with _serving(settings, engine, db, now, sleep=_stalled) as (_, first):
            if slack_took_it:
                fake.stall_once("chat.postMessage")
            else:
                fake.http_error("chat.postMessage", 503)
            first.close_grace = 0.2
            first.start()
            await fake.wait_for("chat.postMessage", ok_only=slack_took_it)
            await first.close()

        now[0] += timedelta(minutes=5)  # past the claim's lease
        async with _serving(settings, engine, db, now) as (slack, second):
            fake.fail(method, "token_revoked")
            outcome = await second.post(CHANNEL)
            assert outcome.status == "deferred"
            assert outcome.reason == (
                "an earlier run may have posted it, and the channel could not be checked "
                f"(Slack: token_revoked; {TOKEN_FIX})"
            )
            assert slack.locked_out == _locked_out("token_revoked", method)
            run = second.store.run(CHANNEL, DAY)
            assert (run.status, run.error, run.lease_until) == ("claimed", None, now[0]), "given back, not failed"
            assert len(fake.calls_to("chat.postMessage", ok_only=False)) == 1, "nothing posted blind"

        now[0] += timedelta(minutes=5)
        async with _serving(settings, engine, db, now) as (_, third):
            sent = await third.post(CHANNEL)
    finally:
        db.close()
    [posted] = fake.history["C0DIGEST"]
    assert sent.status == "sent" and sent.message_id == posted["ts"]
    assert len(fake.calls_to("chat.postMessage", ok_only=False)) == (1 if slack_took_it else 2)


async def test_readyz_says_why_once_a_digests_look_up_is_refused_for_the_token(
    fake: FakeSlackApi, fact_base: FactBase, tmp_path: Path
) -> None:
    # The whole bot: a run stopped mid-send left today's digest to be looked for, and Slack refuses
    # the token for the look. /readyz said ready while Slack took nothing from the bot.
    from adapters.runtime import Runtime

    now = datetime.now(timezone.utc)
    settings = load_settings(
        port=0, bot_data_dir=tmp_path / "data", slack_bot_token="xoxb-runtime", slack_signing_secret="secret",
        slack_mode="http", slack_api_url=fake.base_url, digest_channels=CHANNEL,
        digest_time=(now - timedelta(minutes=10)).time().replace(second=0, microsecond=0), digest_timezone="UTC",
        DIGEST_GRACE="1h",
    )  # fmt: skip
    day = DigestSchedule.from_settings(settings).open_day(now)
    assert day is not None
    (tmp_path / "data").mkdir()
    seeded = Database(tmp_path / "data" / "bot.sqlite3")
    stopped = DigestStore(seeded, owner="stopped mid-send", clock=lambda: now - timedelta(minutes=5))
    claim = stopped.claim(build_digest(fact_base, channel=CHANNEL, day=day, size=settings.digest_size, posted=set()))
    assert claim is not None and stopped.renew(claim)
    seeded.close()

    fake.fail("conversations.history", "token_revoked")
    runtime = Runtime(settings)
    running = asyncio.create_task(runtime.run())
    try:
        await fake.wait_for("conversations.history", ok_only=False, timeout=20)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while runtime.slack is None or runtime.slack.locked_out is None:
            assert loop.time() < deadline, "Slack was not marked locked out"
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{runtime.port}/readyz") as response:
                status, body = response.status, await response.json()
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert status == 503
    assert body["details"] == {"slack": _locked_out("token_revoked", "conversations.history")}
    assert fake.calls_to("chat.postMessage", ok_only=False) == [], "nothing posted blind"
    reopened = Database(tmp_path / "data" / "bot.sqlite3")
    try:
        run = DigestStore(reopened).run(CHANNEL, day)
    finally:
        reopened.close()
    assert (run.status, run.error) == ("claimed", None), "given back for the next start to look first"
