"""A Slack digest post refused for the bot token's sake, on the fake Slack over real HTTP: the day is
given back, not failed, so it still goes out once the token is fixed, and exactly once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.digest_runner import build_digest_scheduler
from adapters.slack_adapter import SlackBot
from bot.cli import main
from bot.config import Settings
from bot.db import Database
from bot.digest_store import DigestStore
from bot.engine import Engine
from bot.service import AskService
from tests.fakes.slack_api import FakeSlackApi

CHANNEL = "slack:C0DIGEST"
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


async def test_the_serving_bots_digest_refused_for_its_token_keeps_the_day_and_makes_slack_not_ready(
    fake: FakeSlackApi, engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        slack_bot_token="xoxb-test",
        slack_mode="http",
        slack_signing_secret="secret",
        slack_api_url=fake.base_url,
        bot_data_dir=tmp_path,
        digest_channels=f"{CHANNEL},slack:C0OTHER",
    )
    service = AskService(engine)
    db = Database(tmp_path / "bot.sqlite3")
    slack = SlackBot(settings, service, db=db)
    await slack.start()
    try:
        fake.fail("chat.postMessage", "token_revoked")
        scheduler = build_digest_scheduler(settings, service, db, slack=slack, discord=None)
        refused = await scheduler.post(CHANNEL)
        assert refused.status == "deferred" and refused.reason == f"Slack: token_revoked; {TOKEN_FIX}"
        assert slack.locked_out == (
            "Slack refused the bot token (token_revoked) on chat.postMessage; "
            "reinstall the app and set its new Bot User OAuth Token in SLACK_BOT_TOKEN"
        )
        other = await scheduler.post("slack:C0OTHER")
        assert other.status == "sent", "another channel goes out as ever"
        assert scheduler.store.run(CHANNEL, refused.day).status == "claimed"

        # Restarted with a working token: the day's digest goes out, once.
        restarted = build_digest_scheduler(settings, service, db, slack=slack, discord=None)
        sent = await restarted.post(CHANNEL)
        assert sent.status == "sent"
        assert (await restarted.post(CHANNEL)).status == "done"
    finally:
        await slack.close()
        db.close()
    assert [m["ts"] for m in fake.history["C0DIGEST"]] == [sent.message_id]
    assert len(fake.history["C0OTHER"]) == 1
