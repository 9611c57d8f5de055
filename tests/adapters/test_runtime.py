"""`python -m bot serve` as a whole process: Slack in HTTP mode over the fake Web API, ops endpoints, signals."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
SECRET = "runtime-signing-secret"
BOT_TOKEN = "xoxb-runtime-test-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _wait_http(url: str, *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture
async def slack_api():
    fake = await FakeSlackApi().start()
    yield fake
    await fake.close()


async def test_serve_runs_slack_http_mode_with_health_metrics_reload_and_clean_stop(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_MODE": "http",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api.base_url,
        "PORT": str(port),
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve",
        cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/readyz") as response:
                assert response.status == 200
                assert (await response.json())["checks"]["slack"] is True
            event = {
                "token": "x",
                "team_id": "T0001",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": "EvRuntime1",
                "event_time": int(time.time()),
                "event": {
                    "type": "app_mention",
                    "user": "U123",
                    "text": "<@UBOT> How much of Scale AI does Meta own?",
                    "ts": "1700000000.000100",
                    "channel": "C1",
                    "event_ts": "1700000000.000100",
                },
            }
            raw = json.dumps(event)
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=raw),
            }
            async with session.post(f"{base}/slack/events", data=raw, headers=headers) as response:
                assert response.status == 200
            (post,) = await slack_api.wait_for("chat.postMessage", timeout=10)
            assert post.body["channel"] == "C1" and post.body["thread_ts"] == "1700000000.000100"
            assert "49% stake in Scale AI" in json.dumps(post.body["blocks"])
            async with session.get(f"{base}/metrics") as response:
                metrics = await response.text()
            assert response.status == 200 and "answers" in metrics
        process.send_signal(signal.SIGHUP)
        await asyncio.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=15)
        assert code == 0
        logs = (await process.stderr.read()).decode() + (await process.stdout.read()).decode()
        assert "reload" in logs.lower()
        assert BOT_TOKEN not in logs and SECRET not in logs
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_serve_with_half_a_slack_configuration_stops_with_one_line(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_"))}
    env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "BOT_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: SLACK_APP_TOKEN is missing")
    assert "Traceback" not in result.stderr


async def _serve(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve",
        cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=15)
    return (await process.stderr.read()).decode()


async def test_serve_runs_slack_and_discord_together_and_posts_each_digest_once_across_restarts(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta, timezone

    from tests.fakes.discord_api import CHANNEL_ID, FakeDiscord

    discord_api = await FakeDiscord().start()
    port = _free_port()
    now = datetime.now(timezone.utc)
    # Today's digest time, already passed (and within the grace), without crossing midnight.
    due = max(now - timedelta(minutes=2), now.replace(hour=0, minute=0)).strftime("%H:%M")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_MODE": "http",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api.base_url,
        "DISCORD_TOKEN": "discord-runtime-test-token",
        "DISCORD_API_URL": discord_api.base_url,
        "DISCORD_GATEWAY_URL": discord_api.gateway_url,
        "DIGEST_CHANNELS": f"slack:C0DIGEST,discord:{CHANNEL_ID}",
        "DIGEST_TIME": due,
        "DIGEST_TIMEZONE": "UTC",
        "PORT": str(port),
        "BOT_DATA_DIR": str(tmp_path / "data"),
    }
    base = f"http://127.0.0.1:{port}"
    try:
        first = await _serve(env)
        try:
            await _wait_http(f"{base}/healthz")
            await discord_api.wait_ready(timeout=15)
            [slack_digest] = await slack_api.wait_for("chat.postMessage", timeout=15)
            [discord_digest] = await discord_api.wait_for("POST", f"^/channels/{CHANNEL_ID}/messages$", timeout=15)
            assert slack_digest.body["channel"] == "C0DIGEST"
            assert discord_digest.json["embeds"] and discord_digest.json["allowed_mentions"]["parse"] == []
            checks: dict[str, bool] = {}
            deadline = time.monotonic() + 10
            async with aiohttp.ClientSession() as session:
                while time.monotonic() < deadline and not (checks and all(checks.values())):
                    async with session.get(f"{base}/readyz") as response:
                        checks = (await response.json())["checks"]
                    await asyncio.sleep(0.1)
            assert checks == {"fact_base": True, "slack": True, "discord": True}
        finally:
            logs = await _stop(first)
        assert first.returncode == 0, logs
        # A restart the same day posts nothing more.
        second = await _serve(env)
        try:
            await _wait_http(f"{base}/healthz")
            await asyncio.sleep(1.5)
        finally:
            await _stop(second)
        assert len(slack_api.calls_to("chat.postMessage")) == 1
        assert len(discord_api.find("POST", f"^/channels/{CHANNEL_ID}/messages$")) == 1
    finally:
        await discord_api.close()
