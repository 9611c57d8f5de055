"""A fake Slack Web API on loopback: records every call with its parsed body and answers like Slack.

Messages it posted (chat.postMessage carried out, with their metadata) are kept per channel
and served back by conversations.history. It also serves `response_url` endpoints
(shaped as Slack's, `/commands/<team>/<id>/<name>`, with the name where Slack puts the URL's
secret; steered and recorded as the method `response:<name>`) and the Socket
Mode websocket that `apps.connections.open` points at: it sends `hello`, then every envelope
a test queues, and records the app's acks; a test can drop those connections. Tests assert
on what it received, never on mocks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.loopback import LoopbackServer

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
RESPONSE_HOOK_ID = "7000000000001"


@dataclass
class Call:
    """One request the fake received: the API method (or `response:<name>`), its body and outcome."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    ok: bool = True
    peer: Any = None
    """The client's address and port: calls made over one kept-alive connection share it."""


@dataclass
class _Plan:
    """What to answer instead of a canned OK, for the next `times` calls of a method."""

    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    hang_up: bool = False
    done: bool = False
    """Carry the call out (recorded as done) before answering `payload` with `status`."""
    stall: bool = False
    """Carry the call out, then hold the answer back until the fake closes."""
    blocks_only: bool = False
    """Only for a call that carries blocks: one without is carried out, and the plan waits."""
    text: str | None = None
    """Answer this plain-text body instead of `payload`, as a response_url answers an error."""


class FakeSlackApi(LoopbackServer):
    """Start with `await FakeSlackApi().start()`; point the bot at `base_url`; `await close()` at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.acks: list[dict[str, Any]] = []
        self.socket_connections = 0
        self._dead_socket_urls = 0
        self._transports: dict[web.WebSocketResponse, asyncio.BaseTransport] = {}
        self._plans: dict[str, list[_Plan]] = {}
        self._ts = itertools.count(1)
        self.history: dict[str, list[dict[str, Any]]] = {}
        """Per channel id, the messages chat.postMessage posted, oldest first."""
        self._envelopes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._changed = asyncio.Condition()
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/commands/{team}/{hook}/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._app = app

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> "FakeSlackApi":
        await self._serve(self._app)
        return self

    async def close(self) -> None:
        self._released.set()
        await super().close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/commands/{TEAM_ID}/{RESPONSE_HOOK_ID}/{name}"

    # -- steering ----------------------------------------------------------------------------

    def rate_limit_once(self, method: str, *, retry_after: int = 0) -> None:
        """The next call of `method` gets 429 with Retry-After, as Slack's rate limiter does."""
        self._plans.setdefault(method, []).append(
            _Plan(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        )

    def http_error(self, method: str, status: int, *, times: int = 1, retry_after: int | str | None = None) -> None:
        """The next `times` calls of `method` get HTTP `status` (a 5xx, a 4xx, or a 429 with `retry_after`,
        sent as given: a string can be what Slack never sends, like "1.5")."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._plans.setdefault(method, []).append(
            _Plan(status, {"ok": False, "error": f"http_{status}"}, headers, times=times)
        )

    def unavailable(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` get 503 `{"ok": false, "error": "service_unavailable"}`:
        Slack saying it did not serve the call."""
        self._plans.setdefault(method, []).append(
            _Plan(503, {"ok": False, "error": "service_unavailable"}, times=times)
        )

    def answer_once(self, method: str, payload: dict[str, Any]) -> None:
        """The next call of `method` gets `payload` (HTTP 200), whatever the fake would answer."""
        self._plans.setdefault(method, []).append(_Plan(200, payload))

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` get `{"ok": false, "error": error}` (HTTP 200, like Slack)."""
        self._plans.setdefault(method, []).append(_Plan(200, {"ok": False, "error": error}, times=times))

    def fail_after_doing(self, method: str, error: str, *, status: int = 200) -> None:
        """The next call of `method` is carried out (recorded as done), then answered
        `{"ok": false, "error": error}` with HTTP `status`: what Slack's internal_error and
        fatal_error can be, or a 5xx that came after the work was done."""
        self._plans.setdefault(method, []).append(_Plan(status, {"ok": False, "error": error}, done=True))

    def refuse_blocks(self, method: str, error: str = "invalid_blocks", *, times: int = 1) -> None:
        """The next `times` calls of `method` that carry blocks are refused for them, as Slack does:
        a Web API method answers `{"ok": false, "error": error}` (HTTP 200), a response_url
        (`response:<name>`) HTTP 400 with the bare word `error` as its body. A call without blocks
        goes through."""
        if method.startswith("response:"):
            plan = _Plan(400, {}, times=times, blocks_only=True, text=error)
        else:
            plan = _Plan(200, {"ok": False, "error": error}, times=times, blocks_only=True)
        self._plans.setdefault(method, []).append(plan)

    def recover(self, method: str) -> None:
        """Drop whatever failures are still planned for `method`: its next calls are carried out."""
        self._plans.pop(method, None)

    def hang_up_once(self, method: str) -> None:
        """The next call of `method` is carried out (recorded as done) and the connection then
        dropped before any answer: the client sees a server disconnect for a call that went through."""
        self.hang_up(method)

    def hang_up(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` are carried out and their connections dropped
        before any answer, as `hang_up_once` does: Slack out of reach for a while."""
        self._plans.setdefault(method, []).append(_Plan(200, {}, hang_up=True, times=times))

    def stall_once(self, method: str) -> None:
        """The next call of `method` is carried out (recorded as done) and its answer held back
        until the fake closes: a client with a timeout gives up on a call that went through."""
        self._plans.setdefault(method, []).append(_Plan(200, {}, stall=True))

    def dead_socket_url_once(self, *, times: int = 1) -> None:
        """The next `times` apps.connections.open answer a websocket URL that refuses the handshake (404)."""
        self._dead_socket_urls += times

    async def drop_sockets(self, *, abruptly: bool = False) -> int:
        """End every open Socket Mode connection from Slack's side; how many there were.

        By default with a close frame, as Slack does when it moves a connection; `abruptly`
        cuts the TCP connection with no frame at all, as a network failure does.
        """
        dropped = list(self._sockets)
        for ws in dropped:
            if abruptly:
                transport = self._transports.get(ws)
                if transport is not None:
                    transport.abort()
            else:
                await ws.close()
        return len(dropped)

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Queue a Socket Mode envelope for the connected app."""
        await self._envelopes.put(envelope)

    # -- reading what arrived ----------------------------------------------------------------

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    async def wait_for(self, method: str, *, count: int = 1, timeout: float = 5.0, ok_only: bool = True) -> list[Call]:
        """Wait until `method` was called at least `count` times; the calls, or AssertionError."""
        return await self._wait(
            lambda: len(self.calls_to(method, ok_only=ok_only)) >= count,
            lambda: self.calls_to(method, ok_only=ok_only),
            timeout,
            f"{count} call(s) to {method}",
        )

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "a condition") -> None:
        """Wait until `predicate()` holds, re-checked after every recorded call or ack."""
        await self._wait(predicate, lambda: None, timeout, what)

    async def wait_for_ack(self, envelope_id: str, *, timeout: float = 5.0) -> dict[str, Any]:
        acks = await self._wait(
            lambda: any(a.get("envelope_id") == envelope_id for a in self.acks),
            lambda: [a for a in self.acks if a.get("envelope_id") == envelope_id],
            timeout,
            f"an ack of {envelope_id}",
        )
        return acks[0]

    async def _wait(self, done, result, timeout: float, what: str):  # noqa: ANN001, ANN202 - local helper
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)
        except asyncio.TimeoutError:
            seen = [(c.method, c.status) for c in self.calls]
            raise AssertionError(f"timed out waiting for {what}; calls so far: {seen}") from None
        return result()

    async def _record(self, call: Call, request: web.Request | None = None) -> None:
        if request is not None and request.transport is not None:
            call.peer = request.transport.get_extra_info("peername")
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # -- handlers ----------------------------------------------------------------------------

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            body.update(json.loads(raw))
        elif raw:
            body.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "view", "payload"):
            if isinstance(body.get(key), str) and body[key][:1] in "[{":
                body[key] = json.loads(body[key])
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        plan = self._next_plan(method, body)
        if plan is not None:
            if plan.hang_up or plan.done or plan.stall:
                payload = self._canned(method, body)
                await self._record(Call(method, body, headers), request)
                if plan.stall:
                    await self._released.wait()
                    return _json(payload)
            else:
                await self._record(Call(method, body, headers, status=plan.status, ok=False), request)
            return self._planned(request, plan)
        payload = self._canned(method, body)
        await self._record(Call(method, body, headers), request)
        return _json(payload)

    @staticmethod
    def _planned(request: web.Request, plan: _Plan) -> web.Response:
        """The planned answer, or for a hang-up none: the connection is dropped."""
        if plan.hang_up:
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # the answer can't be sent: stop handling the request
        if plan.text is not None:
            return web.Response(text=plan.text, status=plan.status, headers=plan.headers)
        return _json(plan.payload, status=plan.status, headers=plan.headers)

    def _next_plan(self, method: str, body: dict[str, Any]) -> _Plan | None:
        plans = self._plans.get(method) or []
        if not plans:
            return None
        plan = plans[0]
        if plan.blocks_only and not body.get("blocks"):
            return None
        plan.times -= 1
        if plan.times <= 0:
            plans.pop(0)
        return plan

    def _canned(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "factbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            if self._dead_socket_urls:
                self._dead_socket_urls -= 1
                return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/no-socket-here"}
            return {"ok": True, "url": self.socket_url}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            message: dict[str, Any] = {"type": "message", "text": body.get("text"), "ts": ts, "bot_id": BOT_ID}
            if body.get("metadata"):
                message["metadata"] = body["metadata"]
            self.history.setdefault(str(body.get("channel")), []).append(message)
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": message}
        if method == "conversations.history":
            return self._history(body)
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": body.get("text")}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0001", **(body.get("view") or {})}}
        return {"ok": True}

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, after `oldest`, `limit` a page (cursor: the offset);
        metadata only with include_all_metadata, as Slack does."""
        oldest = float(body.get("oldest") or 0)
        limit = int(body.get("limit") or 100)
        start = int(body.get("cursor") or 0)
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m for m in reversed(self.history.get(str(body.get("channel")), [])) if float(m["ts"]) > oldest]
        page = messages[start : start + limit]
        if not with_metadata:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _response_url(self, request: web.Request) -> web.Response:
        method = "response:" + request.match_info["name"]
        body = await self._body(request)
        plan = self._next_plan(method, body)
        if plan is not None:
            if plan.hang_up or plan.done or plan.stall:
                await self._record(Call(method, body, dict(request.headers)), request)
                if plan.stall:
                    await self._released.wait()
                    return web.Response(text="ok")
            else:
                await self._record(Call(method, body, dict(request.headers), status=plan.status, ok=False), request)
            return self._planned(request, plan)
        await self._record(Call(method, body, dict(request.headers)), request)
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        if request.transport is not None:
            self._transports[ws] = request.transport
        self.socket_connections += 1
        async with self._changed:
            self._changed.notify_all()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0001"},
            }
        )
        sender = asyncio.create_task(self._send_envelopes(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
                    async with self._changed:
                        self._changed.notify_all()
        finally:
            sender.cancel()
            self._sockets.discard(ws)
            self._transports.pop(ws, None)
        return ws

    async def _send_envelopes(self, ws: web.WebSocketResponse) -> None:
        while not ws.closed:
            envelope = await self._envelopes.get()
            await ws.send_json(envelope)


def _json(payload: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=json.dumps(payload), status=status, headers=headers or {}, content_type="application/json")
