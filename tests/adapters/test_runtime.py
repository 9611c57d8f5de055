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
from typing import Any, Callable

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
            await _post_mention(base, "How much of Scale AI does Meta own?")
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


# -- stopping: at any point of the start, with work in flight, twice ------------------------


class StallingSlack:
    """A Slack Web API on loopback that can stall: `auth.test` (the start's token check) when
    `stall_start` is set, and every other method (chat.postMessage...) always. The stalled
    calls are recorded in `stalled` and answered only when the test ends."""

    def __init__(self, *, stall_start: bool) -> None:
        self.stall_start = stall_start
        self.stalled: list[str] = []
        self._release = asyncio.Event()
        self._runner: Any = None
        self.port = 0

    async def start(self) -> "StallingSlack":
        from aiohttp import web

        from tests.fakes.loopback import serve_on_loopback

        async def api(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            if method == "auth.test" and not self.stall_start:
                return web.json_response({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0001"})
            self.stalled.append(method)
            await self._release.wait()
            return web.json_response({"ok": True, "ts": "1700000000.000200", "channel": "C1"})

        app = web.Application()
        app.router.add_post("/api/{method}", api)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def close(self) -> None:
        self._release.set()
        await self._runner.cleanup()


class Served:
    """`python -m bot serve` in a subprocess, its stderr read line by line as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace"))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def wait_log(self, text: str, *, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log:
            if time.monotonic() > deadline or self.process.returncode is not None:
                raise AssertionError(f"no {text!r} in the log:\n{self.log}")
            await asyncio.sleep(0.05)

    async def wait(self, *, timeout: float = 30.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout=timeout)
        await asyncio.wait_for(self._reader, timeout=timeout)
        return code

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


def _slack_http_env(api_url: str, port: int, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "PORT"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_MODE": "http",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "PORT": str(port),
        "BOT_DATA_DIR": str(data_dir),
        **extra,
    }


async def _post_mention(base: str, text: str) -> None:
    status = await _post_event(
        base,
        {
            "type": "app_mention",
            "user": "U123",
            "text": f"<@UBOT> {text}",
            "ts": "1700000000.000100",
            "channel": "C1",
            "event_ts": "1700000000.000100",
        },
    )
    assert status == 200


def _assert_clean(log: str, data_dir: Path) -> None:
    assert "Traceback" not in log and "was destroyed" not in log and "never retrieved" not in log, log
    # WAL mode: closing the last connection folds the write-ahead log back and removes it.
    assert (data_dir / "bot.sqlite3").exists()
    assert not (data_dir / "bot.sqlite3-wal").exists(), "the database was not closed"


@pytest.mark.parametrize("signals", [["SIGTERM"], ["SIGINT"], ["SIGHUP", "SIGTERM"]])
async def test_a_signal_while_a_platform_is_still_connecting_stops_the_start_cleanly(
    tmp_path: Path, signals: list[str]
) -> None:
    slack = await StallingSlack(stall_start=True).start()
    port = _free_port()
    data = tmp_path / "data"
    served = Served(await _serve(_slack_http_env(slack.base_url, port, data)))
    base = f"http://127.0.0.1:{port}"
    try:
        # The ops server answers while Slack is still being asked about the token.
        await _wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/readyz") as response:
                assert response.status == 503
                assert (await response.json())["checks"] == {"fact_base": True, "slack": False}
        assert slack.stalled == ["auth.test"]
        for name in signals:
            served.process.send_signal(getattr(signal, name))
            await served.wait_log(f"{name}")
        code = await served.wait()
    finally:
        await served.kill()
        await slack.close()
    assert code == 0, served.log
    assert "stopped" in served.log
    _assert_clean(served.log, data)


async def test_a_second_signal_exits_at_once_while_an_answer_is_in_flight(tmp_path: Path) -> None:
    slack = await StallingSlack(stall_start=False).start()
    port = _free_port()
    data = tmp_path / "data"
    served = Served(await _serve(_slack_http_env(slack.base_url, port, data)))
    try:
        await _wait_http(f"http://127.0.0.1:{port}/healthz")
        await _post_mention(f"http://127.0.0.1:{port}", "How much of Scale AI does Meta own?")
        await _wait_until(lambda: "chat.postMessage" in slack.stalled)
        served.process.send_signal(signal.SIGTERM)
        await served.wait_log("in flight")
        served.process.send_signal(signal.SIGTERM)
        code = await served.wait()
    finally:
        await served.kill()
        await slack.close()
    assert code == 128 + signal.SIGTERM, served.log
    assert "SIGTERM again: exiting now" in served.log
    assert "Traceback" not in served.log


_STALLING_RELOAD = """
import os
import threading

import bot.service

_read = bot.service.read_fact_base


def _stalling(root):
    # Once the marker exists, a read never returns, like one on a stuck network mount.
    marker = os.environ["STALL_RELOAD_MARKER"]
    if os.path.exists(marker):
        open(marker + ".reading", "w").close()
        threading.Event().wait()
    return _read(root)


bot.service.read_fact_base = _stalling
"""


async def test_a_stop_cuts_an_answer_and_a_reload_stuck_in_flight_after_a_bound(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(_STALLING_RELOAD, encoding="utf-8")
    marker = tmp_path / "stall-reloads"
    slack = await StallingSlack(stall_start=False).start()
    port = _free_port()
    data = tmp_path / "data"
    # Without the engine cache the reload reads the files (with it, unchanged files are read back
    # from the cache and never reach the stalling read).
    env = _slack_http_env(slack.base_url, port, data, STALL_RELOAD_MARKER=str(marker), BOT_ENGINE_CACHE="false")
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(ROOT)])
    served = Served(await _serve(env))
    try:
        await _wait_http(f"http://127.0.0.1:{port}/healthz")
        await _post_mention(f"http://127.0.0.1:{port}", "How much of Scale AI does Meta own?")
        await _wait_until(lambda: "chat.postMessage" in slack.stalled)
        marker.touch()
        served.process.send_signal(signal.SIGHUP)  # the reload it starts hangs in its worker thread
        await _wait_until(lambda: Path(f"{marker}.reading").exists())
        served.process.send_signal(signal.SIGTERM)
        code = await served.wait(timeout=60)
    finally:
        await served.kill()
        await slack.close()
    assert code == 0, served.log
    assert "task(s) still running" in served.log, served.log
    assert "still busy" in served.log and "stopped" in served.log
    _assert_clean(served.log, data)


async def _wait_until(condition: Callable[[], bool], *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true")
        await asyncio.sleep(0.05)


# -- the runtime in this process: the port it got, background tasks that die ----------------


@pytest.mark.parametrize(("host", "listening"), [(None, "0.0.0.0"), ("127.0.0.1", "127.0.0.1")])
async def test_port_0_serves_on_the_port_it_got_at_bot_host_and_says_which(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, host: str | None, listening: str
) -> None:
    from adapters.runtime import Runtime
    from bot.config import load_settings

    caplog.set_level("INFO")
    given = {"bot_host": host} if host else {}
    runtime = Runtime(load_settings(port=0, bot_data_dir=tmp_path / "data", **given))
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        assert runtime.port
        await _wait_http(f"http://127.0.0.1:{runtime.port}/healthz")
        assert f"on {listening} port {runtime.port}" in caplog.text
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_background_task_that_dies_is_logged_once_and_stops_the_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from adapters.runtime import Runtime
    from bot.config import load_settings
    from bot.reload import KnowledgeReloader

    async def broken_watch(self: KnowledgeReloader, **_: Any) -> None:
        raise RuntimeError("the watcher broke")

    monkeypatch.setattr(KnowledgeReloader, "watch", broken_watch)
    runtime = Runtime(load_settings(port=0, bot_data_dir=tmp_path / "data"))
    code = await asyncio.wait_for(runtime.run(), timeout=20)
    assert code == 1
    reports = [r for r in caplog.records if "the watcher broke" in r.getMessage()]
    assert len(reports) == 1 and reports[0].levelname == "ERROR"
    assert not any("never retrieved" in r.getMessage() for r in caplog.records)
    assert "knowledge watcher" in reports[0].getMessage()
    assert runtime.db is not None
    with pytest.raises(sqlite3.ProgrammingError):
        runtime.db.query("SELECT 1")


# -- Discord in serve: a connection closed for good, a reply in flight at the stop ---------------


@pytest.fixture
async def discord_api(monkeypatch: pytest.MonkeyPatch):
    import discord
    from discord.gateway import DiscordWebSocket

    from tests.fakes.discord_api import FakeDiscord

    # serve points discord.py at the fake through process-wide class attributes: put them back.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    fake = await FakeDiscord().start()
    yield fake
    await fake.close()


def _discord_settings(api: Any, data_dir: Path) -> Any:
    from bot.config import load_settings

    return load_settings(
        port=0,
        bot_data_dir=data_dir,
        discord_token="discord-runtime-test-token",
        discord_api_url=api.base_url,
        discord_gateway_url=api.gateway_url,
    )


async def _finish(running: asyncio.Task[int]) -> None:
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)


@pytest.mark.parametrize("code", [4004, 4014])
async def test_a_discord_connection_closed_for_good_stops_the_bot_with_one_line_and_exit_code_1(
    discord_api: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, code: int
) -> None:
    from adapters.runtime import EXIT_FAILED, Runtime

    runtime = Runtime(_discord_settings(discord_api, tmp_path / "data"))
    running = asyncio.create_task(runtime.run())
    try:
        await discord_api.wait_ready(timeout=15)
        await _wait_until(lambda: runtime.discord is not None and runtime.discord.connected)
        await discord_api.close_gateway(code)
        assert await asyncio.wait_for(running, timeout=20) == EXIT_FAILED
    finally:
        await _finish(running)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"Discord closed the gateway connection for good (code {code}, ")
    assert errors[0].endswith("; stopping the bot")
    assert not any(r.exc_info for r in caplog.records)
    assert len(discord_api.sessions) == 1


async def test_a_stop_after_discord_answers_with_buttons_waits_for_nothing_once_they_are_sent(
    discord_api: Any, tmp_path: Path
) -> None:
    # discord.py kept each answer's button view for three minutes, with a task of its own: a stop
    # right after answering waited its whole grace (8 s) for those tasks and logged them as cut.
    from tests.fakes.discord_api import BOT_USER, BOT_USER_ID, command_interaction, message_create

    port = _free_port()
    data = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "PORT"))},
        "DISCORD_TOKEN": "discord-runtime-test-token",
        "DISCORD_API_URL": discord_api.base_url,
        "DISCORD_GATEWAY_URL": discord_api.gateway_url,
        "PORT": str(port),
        "BOT_DATA_DIR": str(data),
    }
    served = Served(await _serve(env))
    try:
        await discord_api.wait_ready(timeout=15)
        question = "How much of Scale AI does Meta own?"
        for _ in range(3):
            options = [{"name": "question", "type": 3, "value": question}]
            await discord_api.dispatch(
                "INTERACTION_CREATE", command_interaction("ask", options, interaction_id=discord_api.new_id())
            )
        mention = message_create(f"<@{BOT_USER_ID}> {question}", id=discord_api.new_id(), mentions=[BOT_USER])
        await discord_api.dispatch("MESSAGE_CREATE", mention)
        callbacks = await discord_api.wait_for("POST", r"^/interactions/\d+/[^/]+/callback$", count=3, timeout=15)
        [reply] = await discord_api.wait_for("POST", r"^/channels/\d+/messages$", timeout=15)
        assert all(call.json["data"]["components"] for call in callbacks) and reply.json["components"]
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        code = await served.wait(timeout=20)
        took = time.monotonic() - started
    finally:
        await served.kill()
    assert code == 0, served.log
    assert took < 4.0, served.log
    assert "still running" not in served.log, served.log
    _assert_clean(served.log, data)


async def test_serve_starts_while_discord_is_out_of_reach_reports_not_ready_and_stops_at_once_on_sigterm(
    tmp_path: Path,
) -> None:
    with socket.socket() as refusing:  # bound, never listening: every connection is refused
        refusing.bind(("127.0.0.1", 0))
        api_url = f"http://127.0.0.1:{refusing.getsockname()[1]}/api/v10"
        port = _free_port()
        data = tmp_path / "data"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "PORT"))},
            "DISCORD_TOKEN": "discord-runtime-test-token",
            "DISCORD_API_URL": api_url,
            "PORT": str(port),
            "BOT_DATA_DIR": str(data),
        }
        served = Served(await _serve(env))
        try:
            await _wait_http(f"http://127.0.0.1:{port}/healthz")
            await served.wait_log("starting anyway, connecting to Discord in the background")
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    assert response.status == 503
                    assert (await response.json())["checks"] == {"fact_base": True, "discord": False}
            served.process.send_signal(signal.SIGTERM)
            code = await served.wait(timeout=15)
        finally:
            await served.kill()
    assert code == 0, served.log
    warnings = [line for line in served.log.splitlines() if " WARNING " in line]
    assert warnings and f"could not reach Discord at {api_url} (" in warnings[0], served.log
    assert " ERROR " not in served.log and "stopped" in served.log
    _assert_clean(served.log, data)


async def test_serve_with_a_discord_token_discord_rejects_stops_with_one_line(
    discord_api: Any, tmp_path: Path
) -> None:
    discord_api.fail("GET", "^/users/@me$", status=401, code=0, message="401: Unauthorized")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "PORT"))},
        "DISCORD_TOKEN": "discord-runtime-test-token",
        "DISCORD_API_URL": discord_api.base_url,
        "DISCORD_GATEWAY_URL": discord_api.gateway_url,
        "PORT": "0",
        "BOT_DATA_DIR": str(tmp_path / "data"),
    }
    served = Served(await _serve(env))
    try:
        code = await served.wait(timeout=30)
    finally:
        await served.kill()
    assert code == 1, served.log
    assert served.log.strip().splitlines()[-1] == (
        "error: DISCORD_TOKEN was rejected by Discord; copy the bot token again from the Developer Portal"
    )
    assert "Traceback" not in served.log and discord_api.sessions == []


async def test_a_stop_lets_a_discord_reply_in_flight_finish_before_discord_closes(
    discord_api: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from adapters.runtime import Runtime
    from bot.service import AskService
    from tests.fakes.discord_api import command_interaction

    asked, release = threading.Event(), threading.Event()
    answer = AskService.ask

    def held(self: AskService, *args: Any, **kwargs: Any) -> Any:
        asked.set()
        assert release.wait(10), "the test never released the answer"
        return answer(self, *args, **kwargs)

    monkeypatch.setattr(AskService, "ask", held)
    caplog.set_level("INFO")
    runtime = Runtime(_discord_settings(discord_api, tmp_path / "data"))
    running = asyncio.create_task(runtime.run())
    try:
        await discord_api.wait_ready(timeout=15)
        await _wait_until(lambda: runtime.discord is not None and runtime.discord.connected)
        question = [{"name": "question", "type": 3, "value": "How much of Scale AI does Meta own?"}]
        await discord_api.dispatch("INTERACTION_CREATE", command_interaction("ask", question, interaction_id=discord_api.new_id()))
        await asyncio.to_thread(asked.wait, 10)
        runtime.stop()
        # The stop waits for work in flight once everything that takes new work has stopped,
        # the Discord gateway included, and before Discord's client closes.
        await _wait_until(lambda: "task(s) in flight" in caplog.text)
        assert discord_api.sessions[-1].closed
        release.set()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        release.set()
        await _finish(running)
    replies = [call for call in discord_api.calls if "49% stake in Scale AI" in json.dumps(call.json)]
    assert [call.status for call in replies] == [200]
    # Within the stop's one grace: Discord's close found nothing left to wait for.
    assert "Discord reply(ies) in flight" not in caplog.text
    assert not any(r.exc_info for r in caplog.records)


# -- the question log: pruned hourly, whether or not questions come ----------------------------


def _log_old_question(runtime: Any) -> None:
    from datetime import datetime, timedelta, timezone

    from bot.db import to_db_time

    long_ago = datetime.now(timezone.utc) - timedelta(days=runtime.settings.bot_retention_days + 1)
    runtime.db.execute(
        "INSERT INTO question_log (asked_at, platform, question, status, score, margin) VALUES (?, ?, ?, ?, ?, ?)",
        (to_db_time(long_ago), "slack", "an old question", "answered", 1.0, 1.0),
    )


def _logged_questions(runtime: Any) -> int:
    return runtime.db.query("SELECT COUNT(*) FROM question_log")[0][0]


def _old_vote_and_claim(runtime: Any) -> None:
    import time
    from datetime import datetime, timedelta, timezone

    from bot.db import to_db_time

    long_ago = datetime.now(timezone.utc) - timedelta(days=runtime.settings.bot_retention_days + 1)
    runtime.db.execute(
        "INSERT INTO votes (platform, message_ref, user_hash, question, fact_id, score, vote, voted_at)"
        " VALUES ('slack', 'C1:1.0', 'h', 'an old question', NULL, 0.5, 'up', ?)",
        (to_db_time(long_ago),),
    )
    runtime.db.execute("INSERT INTO slack_events (event_id, seen_at) VALUES ('Ev-old', ?)", (time.time() - 2 * 86400,))


async def test_serve_prunes_old_questions_periodically_while_none_arrive_and_stops_the_pruning_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from adapters.runtime import Runtime
    from bot.config import load_settings

    caplog.set_level("INFO")
    runtime = Runtime(load_settings(port=0, bot_data_dir=tmp_path / "data"), prune_every=0.05)
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        _log_old_question(runtime)
        assert _logged_questions(runtime) == 1
        await _wait_until(lambda: _logged_questions(runtime) == 0)
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)
    # Cancelled by the stop, not waited for as work in flight.
    assert "in flight" not in caplog.text


async def test_serve_prunes_old_votes_and_slack_event_claims_in_a_worker_thread(
    slack_api: FakeSlackApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Votes hold the question asked, so they are kept no longer than the question log; a day-old
    # Slack event claim is never needed again. Pruning holds the database for a while: it runs
    # in a worker thread, never on the event loop that answers.
    import threading

    from adapters.runtime import Runtime
    from bot.config import load_settings
    from bot.feedback import FeedbackStore

    threads: list[str] = []
    prune = FeedbackStore.prune

    def noting_prune(self: FeedbackStore, **kwargs: Any) -> int:
        threads.append(threading.current_thread().name)
        return prune(self, **kwargs)

    monkeypatch.setattr(FeedbackStore, "prune", noting_prune)
    settings = load_settings(
        port=0, bot_data_dir=tmp_path / "data", slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
        slack_mode="http", slack_api_url=slack_api.base_url,
    )  # fmt: skip
    runtime = Runtime(settings, prune_every=0.05)
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        _old_vote_and_claim(runtime)
        counts = "SELECT (SELECT COUNT(*) FROM votes) + (SELECT COUNT(*) FROM slack_events)"
        assert runtime.db.query(counts)[0][0] == 2
        await _wait_until(lambda: runtime.db.query(counts)[0][0] == 0)
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)
    assert any(name.startswith("serve-worker") for name in threads), threads


@pytest.mark.parametrize("failure", ["database", "unexpected"])
async def test_a_periodic_prune_that_fails_is_logged_and_tried_again_and_the_bot_serves_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import sqlite3

    from adapters.runtime import Runtime
    from bot.config import load_settings
    from bot.db import Database
    from bot.question_log import QuestionLog

    prunes = 0
    if failure == "database":
        execute = Database.execute

        def failing_execute(self: Database, sql: str, *args: Any, **kwargs: Any) -> Any:
            nonlocal prunes
            if sql.startswith("DELETE FROM question_log"):
                prunes += 1
                if prunes == 2:  # the first periodic one; the first of all is at start
                    raise sqlite3.OperationalError("disk I/O error")
            return execute(self, sql, *args, **kwargs)

        monkeypatch.setattr(Database, "execute", failing_execute)
    else:
        prune = QuestionLog.prune

        def failing_prune(self: QuestionLog, **kwargs: Any) -> int:
            nonlocal prunes
            prunes += 1
            if prunes == 2:
                raise RuntimeError("the prune broke")
            return prune(self, **kwargs)

        monkeypatch.setattr(QuestionLog, "prune", failing_prune)
    runtime = Runtime(load_settings(port=0, bot_data_dir=tmp_path / "data"), prune_every=0.05)
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        _log_old_question(runtime)
        await _wait_until(lambda: prunes >= 3 and _logged_questions(runtime) == 0)
        assert not runtime.stopping.is_set()
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)
    failures = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    expected = "disk I/O error" if failure == "database" else "the prune broke"
    message = failures[0].getMessage()
    assert ("question log" in message or "pruning old questions" in message) and expected in message


async def test_an_edit_saved_while_serve_loads_the_fact_base_is_reloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The watcher took the files as they were once it started, so an edit saved while the
    # base was loading (a deploy's `git pull` racing the restart) was never loaded.
    import shutil

    import yaml

    import adapters.runtime
    from adapters.runtime import Runtime
    from bot.config import load_settings
    from bot.knowledge import default_knowledge_dir

    knowledge = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), knowledge)
    path = sorted((knowledge / "facts").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    question = data["facts"][0]["question"]
    data["facts"][0]["answer"] = "This answer was saved while serve was loading."
    load_engine = adapters.runtime.load_engine

    def load_then_edit(settings: Any) -> Any:
        engine = load_engine(settings)  # has read the files
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        return engine

    monkeypatch.setattr(adapters.runtime, "load_engine", load_then_edit)
    monkeypatch.setattr(adapters.runtime, "RELOAD_POLL_SECONDS", 0.05)
    runtime = Runtime(load_settings(port=0, bot_data_dir=tmp_path / "data", bot_knowledge_dir=knowledge))
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        await _wait_until(
            lambda: runtime.service.ask(question).text == "This answer was saved while serve was loading.", timeout=5
        )
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)


async def test_a_stop_is_not_held_up_by_a_database_call_left_running_in_a_worker_thread(
    slack_api: FakeSlackApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The digest scheduler's store calls run in a worker thread; one waiting for a database
    # another process holds outlasts the stop's grace. The stop leaves without it, and closing
    # the database must not wait on the event loop for that call's busy timeout.
    import sqlite3
    import threading

    import adapters.runtime
    import bot.db
    from adapters.runtime import Runtime
    from bot.config import load_settings
    from bot.db import DB_FILE
    from bot.digest_store import DigestStore

    monkeypatch.setattr(bot.db, "BUSY_TIMEOUT_SECONDS", 6.0)
    exits: list[int] = []
    monkeypatch.setattr(adapters.runtime, "_exit_now", exits.append)
    waiting = threading.Event()
    miss_before = DigestStore.miss_before

    def noting_miss_before(self: DigestStore, *args: Any, **kwargs: Any) -> Any:
        waiting.set()
        return miss_before(self, *args, **kwargs)

    monkeypatch.setattr(DigestStore, "miss_before", noting_miss_before)
    data = tmp_path / "data"
    settings = load_settings(
        port=0, bot_data_dir=data, slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
        slack_mode="http", slack_api_url=slack_api.base_url, digest_channels="slack:C0DIGEST",
    )  # fmt: skip
    first = Runtime(settings, stop_grace=0.2)  # the fake's keep-alive handlers are no work in flight
    running = asyncio.create_task(first.run())
    try:
        await _wait_until(lambda: waiting.is_set() or running.done())
        first.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)
    waiting.clear()
    other = sqlite3.connect(data / DB_FILE, isolation_level=None)  # another process's long write
    try:
        other.execute("BEGIN IMMEDIATE")
        runtime = Runtime(settings, stop_grace=0.2)
        running = asyncio.create_task(runtime.run())
        try:
            await _wait_until(lambda: waiting.is_set() or running.done())
            runtime.stop()
            started = time.monotonic()
            assert await asyncio.wait_for(running, timeout=20) == 0
            took = time.monotonic() - started
        finally:
            await _finish(running)
    finally:
        other.rollback() if other.in_transaction else None
        other.close()
    assert exits == [0]
    assert took < 4.0, f"the stop took {took:.1f} s"


async def _post_event(base: str, event: dict[str, Any]) -> int:
    """Send `event` to the bot's /slack/events, signed as Slack signs it; the status it answers."""
    raw = json.dumps(
        {
            "token": "x",
            "team_id": "T0001",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": event,
        }
    )
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=raw),
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/slack/events", data=raw, headers=headers) as response:
            return response.status


async def _readiness(base: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/readyz") as response:
            return response.status, await response.json()


REINSTALL = "reinstall the app and set its new Bot User OAuth Token in SLACK_BOT_TOKEN"


@pytest.mark.parametrize(
    ("event", "detail"),
    [
        ({"type": "app_uninstalled", "event_ts": "1.1"}, f"the app was uninstalled from team T0001; {REINSTALL}"),
        ({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}, "event_ts": "1.2"},
         f"the bot token was revoked in team T0001; {REINSTALL}"),
        ({"type": "app_mention", "user": "U123", "text": "<@UBOT> How much of Scale AI does Meta own?",
          "ts": "1700000000.000100", "channel": "C1", "event_ts": "1700000000.000100"},
         f"Slack refused the bot token (token_revoked) on chat.postMessage; {REINSTALL}"),
    ],
    ids=["app_uninstalled", "tokens_revoked", "reply_refused"],
)  # fmt: skip
async def test_the_app_uninstalled_or_its_bot_token_revoked_makes_readyz_say_not_ready_and_why(
    slack_api: FakeSlackApi, tmp_path: Path, event: dict[str, Any], detail: str
) -> None:
    # After this Slack refuses every post, while the bot stayed connected and ready: nothing
    # watching /readyz could tell that it no longer answers anyone.
    from adapters.runtime import Runtime
    from bot.config import load_settings

    settings = load_settings(
        port=0, bot_data_dir=tmp_path / "data", slack_bot_token=BOT_TOKEN, slack_signing_secret=SECRET,
        slack_mode="http", slack_api_url=slack_api.base_url,
    )  # fmt: skip
    runtime = Runtime(settings)
    running = asyncio.create_task(runtime.run())
    try:
        await _wait_until(lambda: runtime.port is not None or running.done())
        base = f"http://127.0.0.1:{runtime.port}"
        await _wait_until(lambda: runtime.slack is not None and runtime.slack.connected)
        # A user's tokens revoked leaves the bot's own token working: still ready.
        user_tokens = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}, "event_ts": "1.0"}
        assert await _post_event(base, user_tokens) == 200
        assert await _readiness(base) == (200, {"ready": True, "checks": {"fact_base": True, "slack": True}})

        slack_api.fail("chat.postMessage", "token_revoked")
        assert await _post_event(base, event) == 200
        await _wait_until(lambda: runtime.slack.locked_out is not None)
        status, body = await _readiness(base)
        assert status == 503
        assert body == {"ready": False, "checks": {"fact_base": True, "slack": False}, "details": {"slack": detail}}
        runtime.stop()
        assert await asyncio.wait_for(running, timeout=20) == 0
    finally:
        await _finish(running)
