"""/healthz, /readyz and /metrics over real HTTP on loopback, fed by the real service and reloader."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
from pathlib import Path
from typing import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics import BotMetrics
from adapters.ops_http import NotReady, build_ops_app, start_ops_server
from bot.engine import Engine
from bot.errors import ConfigError
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import Answer
from bot.rate_limit import RateLimiter
from bot.reload import KnowledgeReloader
from bot.service import AskService


class Server:
    def __init__(self, runner: web.AppRunner, session: aiohttp.ClientSession) -> None:
        self.runner = runner
        self.session = session
        host, port = runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def get(self, path: str, **kwargs: object) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.session.get(self.base + path, **kwargs) as response:
            return response.status, await response.text(), response


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., "Server"]]:
    runners: list[web.AppRunner] = []
    session = aiohttp.ClientSession()

    async def start(app: web.Application) -> Server:
        runner = await start_ops_server(app, port=0, host="127.0.0.1")
        runners.append(runner)
        return Server(runner, session)

    yield start
    await session.close()
    for runner in runners:
        await runner.cleanup()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_is_always_alive(serve) -> None:
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=lambda: {"fact_base": False}))
    status, body, _ = await server.get("/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


async def test_readyz_follows_the_checks(serve) -> None:
    checks = {"fact_base": True, "slack": False}
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=lambda: dict(checks)))
    status, body, _ = await server.get("/readyz")
    assert status == 503
    assert body == '{"ready": false, "checks": {"fact_base": true, "slack": false}}'
    checks["slack"] = True
    status, body, _ = await server.get("/readyz")
    assert status == 200
    assert body == '{"ready": true, "checks": {"fact_base": true, "slack": true}}'


async def test_readyz_says_why_a_check_that_gives_a_reason_is_not_ready(serve) -> None:
    why = "the app was uninstalled from team T0001; reinstall the app and set its new token"
    checks: dict[str, bool | NotReady] = {"fact_base": True, "slack": NotReady(why), "discord": True}
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=lambda: dict(checks)))
    status, body, _ = await server.get("/readyz")
    assert status == 503
    assert json.loads(body) == {
        "ready": False,
        "checks": {"fact_base": True, "slack": False, "discord": True},
        "details": {"slack": why},
    }
    checks["slack"] = True
    status, body, _ = await server.get("/readyz")
    assert status == 200
    assert json.loads(body) == {"ready": True, "checks": {"fact_base": True, "slack": True, "discord": True}}


async def test_readyz_is_not_ready_when_the_check_itself_fails(serve) -> None:
    def broken() -> dict[str, bool]:
        raise RuntimeError("lost the connection object")

    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=broken))
    status, body, _ = await server.get("/readyz")
    assert status == 503 and '"readiness_check": false' in body


async def test_metrics_count_questions_answers_abstentions_latency_reloads_and_digests(
    serve, engine: Engine, tmp_path: Path
) -> None:
    metrics = BotMetrics()
    clock = iter(range(1000))
    service = AskService(
        engine,
        timing_hooks=[metrics.observe_answer],
        rate_limiter=RateLimiter(3, clock=lambda: 0.0),
        clock=lambda: next(clock) * 0.002,  # each question takes 2 ms
    )
    service.ask("How much of Scale AI does Meta own?", platform="slack", user_id="U1")
    service.ask("best recipe for a team lunch", platform="slack", user_id="U1")
    service.ask("help", platform="slack", user_id="U1")
    service.ask("gpu spending", platform="slack", user_id="U1")  # over the limit of 3
    service.ask("gpu spending", platform="discord", user_id="D1")

    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root)
    reloader = KnowledgeReloader(
        AskService(Engine(load_fact_base(root))), knowledge_dir=root, on_reload=metrics.record_reload
    )
    reloader.reload_now()
    (root / "facts" / "broken.yaml").write_text("topic: [", encoding="utf-8")
    reloader.reload_now()
    metrics.record_digest("slack", ok=True)
    metrics.record_digest("slack", ok=True)
    metrics.record_digest("discord", ok=False)

    server = await serve(build_ops_app(registry=metrics.registry, is_ready=lambda: {"fact_base": True}))
    status, body, response = await server.get("/metrics")
    assert status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    s = _samples(body)
    slack, discord = (("platform", "slack"),), (("platform", "discord"),)
    assert s[("factbot_questions_total", slack)] == 4
    assert s[("factbot_questions_total", discord)] == 1
    assert s[("factbot_answers_total", slack)] == 1
    assert s[("factbot_answers_total", discord)] == 1
    assert s[("factbot_abstentions_total", (("platform", "slack"), ("reason", "low_score")))] == 1
    assert s[("factbot_help_replies_total", slack)] == 1
    assert s[("factbot_rate_limited_total", slack)] == 1
    assert s[("factbot_answer_seconds_count", slack)] == 4
    assert s[("factbot_answer_seconds_sum", slack)] == pytest.approx(0.008)
    assert s[("factbot_answer_seconds_bucket", (("le", "0.001"), ("platform", "slack")))] == 0
    assert s[("factbot_answer_seconds_bucket", (("le", "0.0025"), ("platform", "slack")))] == 4
    assert s[("factbot_knowledge_reloads_total", (("result", "ok"),))] == 1
    assert s[("factbot_knowledge_reloads_total", (("result", "failed"),))] == 1
    assert s[("factbot_facts", ())] == len(engine.base.facts)
    assert s[("factbot_digest_posts_total", slack)] == 2
    assert s[("factbot_digest_failures_total", discord)] == 1


async def test_metrics_speak_openmetrics_when_asked(serve) -> None:
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=dict))
    status, body, response = await server.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert status == 200
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert body.rstrip().endswith("# EOF")


async def test_each_app_has_its_own_registry(serve) -> None:
    first, second = BotMetrics(), BotMetrics()
    first.record_digest("slack", ok=True)
    server = await serve(build_ops_app(registry=second.registry, is_ready=dict))
    _, body, _ = await server.get("/metrics")
    assert ("factbot_digest_posts_total", (("platform", "slack"),)) not in _samples(body)


async def test_platform_routes_share_the_port(serve) -> None:
    received: list[dict] = []

    async def events(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"ok": True})

    server = await serve(
        build_ops_app(registry=BotMetrics().registry, is_ready=dict, extra_routes=[web.post("/slack/events", events)])
    )
    async with server.session.post(server.base + "/slack/events", json={"type": "url_verification"}) as response:
        assert response.status == 200
    assert received == [{"type": "url_verification"}]
    assert (await server.get("/healthz"))[0] == 200


async def test_a_request_too_big_to_parse_is_one_log_line_not_a_traceback(
    serve, caplog: pytest.LogCaptureFixture
) -> None:
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=dict))
    host, port = server.runner.addresses[0][:2]
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /" + b"x" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert b" 400 " in status_line
    await asyncio.sleep(0.05)
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert records and all(r.exc_info is None for r in records)
    assert "LineTooLong" in records[0].getMessage()


async def test_a_port_in_use_is_a_config_error_naming_port(serve) -> None:
    first = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=dict))
    port = first.runner.addresses[0][1]
    app = build_ops_app(registry=BotMetrics().registry, is_ready=dict)
    with pytest.raises(ConfigError, match=f"127.0.0.1:{port}.*set PORT"):
        await start_ops_server(app, port=port, host="127.0.0.1")


def _can_bind_addresses_it_does_not_have() -> bool:
    try:
        return Path("/proc/sys/net/ipv4/ip_nonlocal_bind").read_text().strip() == "1"
    except OSError:
        return False


@pytest.mark.skipif(_can_bind_addresses_it_does_not_have(), reason="this machine lets any address be bound")
async def test_an_address_not_on_this_machine_is_a_config_error_naming_host() -> None:
    app = build_ops_app(registry=BotMetrics().registry, is_ready=dict)
    with pytest.raises(ConfigError) as caught:
        await start_ops_server(app, port=0, host="192.0.2.1")  # TEST-NET-1: never a local address
    message = str(caught.value)
    assert message.startswith("cannot listen on 192.0.2.1:0 ")
    assert "set BOT_HOST to an address of this machine" in message and "PORT" not in message
    assert "\n" not in message and "error while attempting" not in message


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
async def test_it_listens_on_the_address_it_is_given_and_only_there() -> None:
    runner = await start_ops_server(build_ops_app(registry=BotMetrics().registry, is_ready=dict), port=0, host="::1")
    try:
        (address,) = runner.addresses
        assert address[0] == "::1"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://[::1]:{address[1]}/healthz") as response:
                assert response.status == 200
            with pytest.raises(aiohttp.ClientConnectionError):
                await session.get(f"http://127.0.0.1:{address[1]}/healthz")
    finally:
        await runner.cleanup()


async def test_methods_and_paths_answer_as_http_says(serve) -> None:
    server = await serve(build_ops_app(registry=BotMetrics().registry, is_ready=lambda: {"fact_base": False}))
    async with server.session.head(server.base + "/healthz") as response:
        assert response.status == 200 and await response.read() == b""
    async with server.session.head(server.base + "/readyz") as response:
        assert response.status == 503
    async with server.session.head(server.base + "/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    for method, path in (("POST", "/healthz"), ("PUT", "/readyz"), ("DELETE", "/metrics")):
        async with server.session.request(method, server.base + path) as response:
            assert response.status == 405
            assert set(response.headers["Allow"].split(",")) == {"GET", "HEAD"}
    for path in ("/", "/healthz/", "/metrics/x", "/slack/events"):
        async with server.session.get(server.base + path) as response:
            assert response.status == 404


async def test_the_exposition_is_valid_prometheus_text(serve) -> None:
    metrics = BotMetrics()
    odd = 'sl"ack\\ne\nw'  # a label value needing every escape
    for seconds in (0.0004, 0.003, 0.003, 0.2, 7.0):
        metrics.observe_answer(Answer(question="q", status="answered", fact_id="f", text="t"), odd, seconds)
    server = await serve(build_ops_app(registry=metrics.registry, is_ready=dict))
    _, body, _ = await server.get("/metrics")

    lines = body.splitlines()
    assert body.endswith("\n")
    helped = {line.split()[2] for line in lines if line.startswith("# HELP ")}
    typed = {line.split()[2]: line.split()[3] for line in lines if line.startswith("# TYPE ")}
    assert helped == set(typed)
    families = {family.name: family for family in text_string_to_metric_families(body)}
    for name, family in families.items():
        assert re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", name)
        assert family.type in ("counter", "gauge", "histogram")
    assert typed["factbot_questions_total"] == "counter" and typed["factbot_answer_seconds"] == "histogram"

    histogram = families["factbot_answer_seconds"]
    buckets = [(s.labels["le"], s.value) for s in histogram.samples if s.name.endswith("_bucket")]
    assert all(s.labels["platform"] == odd for s in histogram.samples)  # escaped and read back whole
    assert buckets[-1][0] == "+Inf"
    bounds = [float(le) for le, _ in buckets]
    assert bounds == sorted(bounds)
    counts = [value for _, value in buckets]
    assert counts == sorted(counts)  # cumulative
    count = next(s.value for s in histogram.samples if s.name.endswith("_count"))
    total = next(s.value for s in histogram.samples if s.name.endswith("_sum"))
    assert counts[-1] == count == 5 and total == pytest.approx(7.2064)
    assert dict(buckets)["0.0025"] == 1 and dict(buckets)["0.005"] == 3 and dict(buckets)["2.5"] == 4


async def test_concurrent_scrapes_and_probes_while_questions_are_counted(serve) -> None:
    metrics = BotMetrics()
    server = await serve(build_ops_app(registry=metrics.registry, is_ready=lambda: {"fact_base": True}))
    answer = Answer(question="q", status="answered", fact_id="f", text="t")

    def ask_many() -> None:
        for _ in range(2000):
            metrics.observe_answer(answer, "slack", 0.001)

    counting = asyncio.create_task(asyncio.to_thread(ask_many))
    results = await asyncio.gather(*(server.get(path) for path in ["/metrics", "/readyz", "/healthz"] * 60))
    await counting
    assert all(status == 200 for status, _, _ in results)
    for status, body, _ in results[::3]:
        seen = _samples(body).get(("factbot_questions_total", (("platform", "slack"),)), 0)
        assert 0 <= seen <= 2000
    _, body, _ = await server.get("/metrics")
    assert _samples(body)[("factbot_questions_total", (("platform", "slack"),))] == 2000


async def test_a_stop_does_not_wait_a_minute_for_a_request_that_never_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import adapters.ops_http

    monkeypatch.setattr(adapters.ops_http, "SHUTDOWN_SECONDS", 0.2)
    entered = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    app = build_ops_app(
        registry=BotMetrics().registry, is_ready=lambda: {"fact_base": True}, extra_routes=[web.get("/hang", hang)]
    )
    runner = await start_ops_server(app, port=0, host="127.0.0.1")
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        request = asyncio.create_task(session.get(f"http://{host}:{port}/hang"))
        await asyncio.wait_for(entered.wait(), timeout=10)
        # aiohttp's own grace is 60 s; the stop must end well inside that.
        await asyncio.wait_for(runner.cleanup(), timeout=30)
        request.cancel()
        await asyncio.gather(request, return_exceptions=True)


async def test_a_connection_that_sends_no_whole_request_is_closed_after_the_idle_timeout() -> None:
    # Silent connections and half-sent request lines were held for an hour each: enough of them
    # and the process has no file descriptor left for Slack, Discord or its database.
    app = build_ops_app(registry=BotMetrics().registry, is_ready=lambda: {"fact_base": True})
    runner = await start_ops_server(app, port=0, host="127.0.0.1", idle_timeout=0.3)
    host, port = runner.addresses[0][:2]
    try:
        silent = await asyncio.open_connection(host, port)
        half = await asyncio.open_connection(host, port)
        half[1].write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")  # the headers never end
        kept = await asyncio.open_connection(host, port)
        kept[1].write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await asyncio.wait_for(silent[0].read(), timeout=5) == b""
        assert await asyncio.wait_for(half[0].read(), timeout=5) == b""
        # A whole request is answered, and the connection kept alive after it closes when idle too.
        answered = await asyncio.wait_for(kept[0].read(), timeout=5)
        assert answered.startswith(b"HTTP/1.1 200 ") and b'{"status": "ok"}' in answered
        assert loop.time() - started < 3
        for _, writer in (silent, half, kept):
            writer.close()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://{host}:{port}/healthz") as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
