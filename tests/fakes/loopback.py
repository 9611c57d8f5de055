"""Serve a fake's aiohttp application on 127.0.0.1 at a free port (port 0): never a fixed one."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start `app`; return its runner (`await runner.cleanup()` stops it) and the port it got."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


class LoopbackServer:
    """What every fake platform shares: its app served on loopback, its open websockets, closing."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    async def _serve(self, app: web.Application) -> None:
        self._runner, self.port = await serve_on_loopback(app)

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
