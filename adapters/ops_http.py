"""The operations endpoints on BOT_HOST:PORT: /healthz (liveness), /readyz (readiness), /metrics (Prometheus).

/readyz answers 200 when every check passes and 503 otherwise, with each check as true or false;
a check that knows why it fails (the Slack app uninstalled, say) says so under `details`.

The same aiohttp app carries any platform routes (`extra_routes`), such as Slack's
`POST /slack/events` in HTTP mode, so the bot listens on one port in every mode.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from aiohttp import http_exceptions, web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from bot.errors import ConfigError
from bot.logging_setup import TracebackCutter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotReady:
    """A readiness check that fails for a reason the operator has to act on: /readyz shows the
    check as false and, under `details`, `detail` (a sentence saying what happened and the fix)."""

    detail: str


ReadinessCheck = Callable[[], Mapping[str, bool | NotReady]]


def to_readiness(results: Mapping[str, bool | NotReady]) -> dict[str, object]:
    """The body of /readyz: `ready`, every check as true or false, and `details` for the checks
    that said why they fail (left out when none did)."""
    checks = {name: False if isinstance(ok, NotReady) else bool(ok) for name, ok in results.items()}
    body: dict[str, object] = {"ready": bool(checks) and all(checks.values()), "checks": checks}
    details = {name: ok.detail for name, ok in results.items() if isinstance(ok, NotReady)}
    if details:
        body["details"] = details
    return body


def build_ops_app(
    *,
    registry: CollectorRegistry,
    is_ready: ReadinessCheck,
    extra_routes: Iterable[web.RouteDef] = (),
) -> web.Application:
    """The app; `is_ready` returns named checks (e.g. fact_base, slack, discord), all True when
    ready; a check may be a NotReady, which says why it fails."""

    async def healthz(request: web.Request) -> web.Response:
        # Liveness only: the loop is running and answering. Readiness is /readyz's job, so a
        # platform outage doesn't get the process restarted.
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        try:
            body = to_readiness(is_ready())
        except Exception:
            log.exception("the readiness check failed; reporting not ready")
            body = to_readiness({"readiness_check": False})
        return web.json_response(body, status=200 if body["ready"] else 503)

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
IDLE_SECONDS = 75.0
"""How long a connection may stay open without a whole request: from its opening, and between two
requests on a kept-alive one. aiohttp's own hour let anyone who reaches the port open connections
that send nothing, or half a request line, and hold them (a file descriptor each) until the
process had none left for Slack, Discord or the database. Longer than the 60 s a reverse proxy or
load balancer usually keeps an idle connection to the bot, so the bot never closes one under it."""


BAD_REQUESTS = TracebackCutter(messages=("Error handling request",), errors=(http_exceptions.BadHttpMessage,))
"""aiohttp logs a request it cannot parse (a 10,000-character path, a 100 KB header) with a
whole traceback, though it answers the client with a 400 by itself: anyone who can reach the
port could fill the log. One line says it."""


async def start_ops_server(
    app: web.Application, *, port: int, host: str = "0.0.0.0", idle_timeout: float = IDLE_SECONDS
) -> web.AppRunner:
    """Serve `app` on host:port; `await runner.cleanup()` stops it. A connection without a whole
    request for `idle_timeout` seconds is closed.

    Port 0 picks a free port (see `runner.addresses`). An address that cannot be listened on
    is a ConfigError naming the setting to change: PORT when the port is taken or reserved,
    BOT_HOST when the address is not one of this machine's.
    """
    logging.getLogger("aiohttp.server").addFilter(BAD_REQUESTS)  # once: a filter is added once
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS, keepalive_timeout=idle_timeout)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(_cannot_listen(error, host=host, port=port)) from None
    log.info("ops server listening on %s", ", ".join(f"{a[0]}:{a[1]}" for a in runner.addresses))
    return runner


def _cannot_listen(error: OSError, *, host: str, port: int) -> str:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    unresolved = isinstance(error, socket.gaierror)  # its errno is a resolver code, not an OS one
    # asyncio rewords a bind error ("error while attempting to bind on address ..."); the
    # errno's own words are shorter and say the same.
    why = error.strerror if unresolved or not error.errno else os.strerror(error.errno)
    why = why or str(error)
    if unresolved or error.errno == errno.EADDRNOTAVAIL:
        fix = "set BOT_HOST to an address of this machine, like 127.0.0.1, or to 0.0.0.0 for every interface"
    elif error.errno == errno.EACCES:
        fix = "set PORT to 1024 or above (lower ports need privileges)"
    elif error.errno == errno.EADDRINUSE:
        fix = "set PORT to a free port"
    else:
        fix = "check BOT_HOST and PORT"
    return f"cannot listen on {where} for /healthz and /metrics ({why}); {fix}"
