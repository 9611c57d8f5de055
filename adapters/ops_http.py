"""The operations endpoints on PORT: /healthz (liveness), /readyz (readiness), /metrics (Prometheus).

The same aiohttp app carries any platform routes (`extra_routes`), such as Slack's
`POST /slack/events` in HTTP mode, so the bot listens on one port in every mode.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from bot.errors import ConfigError

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], dict[str, bool]]


def build_ops_app(
    *,
    registry: CollectorRegistry,
    is_ready: ReadinessCheck,
    extra_routes: Iterable[web.RouteDef] = (),
) -> web.Application:
    """The app; `is_ready` returns named checks (e.g. fact_base, slack, discord), all True when ready."""

    async def healthz(request: web.Request) -> web.Response:
        # Liveness only: the loop is running and answering. Readiness is /readyz's job, so a
        # platform outage doesn't get the process restarted.
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        try:
            checks = {name: bool(ok) for name, ok in is_ready().items()}
        except Exception:
            log.exception("the readiness check failed; reporting not ready")
            checks = {"readiness_check": False}
        ready = bool(checks) and all(checks.values())
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def metrics(request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(body=encoder(registry), headers={"Content-Type": content_type})

    app = web.Application()
    app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)])
    app.add_routes(list(extra_routes))
    return app


SHUTDOWN_SECONDS = 3.0
"""How long a stop waits for requests in flight (Slack gives an answer 3 s): aiohttp's own 60 s
would outlast the runtime's whole stop."""


async def start_ops_server(app: web.Application, *, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    """Serve `app` on host:port; `await runner.cleanup()` stops it.

    Port 0 picks a free port (see `runner.addresses`). A port in use is a ConfigError naming PORT.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(
            f"cannot listen on {host}:{port} for /healthz and /metrics ({error.strerror or error}); "
            "set PORT to a free port"
        ) from None
    log.info("ops server listening on %s", ", ".join(f"{a[0]}:{a[1]}" for a in runner.addresses))
    return runner
