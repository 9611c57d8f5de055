"""A fake Discord on loopback: the REST API and the gateway websocket, on one aiohttp server.

REST: records every request with its JSON body and answers like Discord (bodies with a
`Content-Type` of exactly `application/json`, which discord.py compares as a string).
It follows each interaction's original response as Discord does: the first follow-up after
a deferral fills the "thinking" placeholder and keeps the deferral's visibility, whatever its
own flags say, as an edit of it does, so `Call.ephemeral` records who really sees each message
an interaction sends.
Messages posted to a channel are stored in `created`; a post that repeats the `nonce` of an
earlier one with `enforce_nonce` gets that message back and stores nothing, as on Discord.
In a channel of `embeds_hidden` (the bot lacks Embed Links there) a post's embeds are dropped
from the stored message, and a post left with nothing else is refused (400, 50006 "Cannot send
an empty message"), the way Discord is reported to treat them (discord/discord-api-docs#5648).
What a bot asks to work out its permissions over REST comes from `channels` (GET /channels/{id};
any other id is a text channel of GUILD_ID with no overwrites), `everyone_permissions` and
`roles` (GET /guilds/{id}) and `bot_roles` (GET /guilds/{id}/members/{bot user id}): a test
that denies Embed Links there adds the channel to `embeds_hidden` too, as Discord would act on it.
`stall()` holds the answer to a request for a while, as a Discord slow to answer does.
`rate_limit()` answers 429 with `retry_after` the way Discord does (with its `Via` header, so
discord.py retries by itself) or the way a proxy or a simpler fake does (without it).
Gateway: sends HELLO (op 10), reads IDENTIFY (op 2), sends READY (or RESUMED to a RESUME of the
session it gave), acknowledges heartbeats (op 11), and pushes whatever dispatches a test sends
with `dispatch()` (or raw frames with `send_raw()`); `reject_identify` closes the connection
with a close code instead of READY, and `close_gateway()` closes a connected one with a close
code, as Discord does when it ends a session.
Point discord.py at it with `Route.BASE = fake.base_url` and
`DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url`.
Payload builders (`command_interaction`, `component_interaction`, `message_create`,
`message_update`, ...) give the shapes Discord sends.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

from tests.fakes.loopback import LoopbackServer

APPLICATION_ID = "1100000000000000001"
BOT_USER_ID = "1100000000000000002"
GUILD_ID = "1200000000000000001"
CHANNEL_ID = "1300000000000000001"
USER_ID = "1400000000000000001"
TIMESTAMP = "2025-01-02T03:04:05.000000+00:00"
SESSION_ID = "fake-session"
EPHEMERAL = 64

BOT_USER = {
    "id": BOT_USER_ID,
    "username": "factbot",
    "global_name": "Factbot",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "flags": 0,
    "verified": True,
    "mfa_enabled": False,
}
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)
"""View Channels, Send Messages, Embed Links and Read Message History: what @everyone may do in the
fake's server unless a test says otherwise."""
HUMAN = {"id": USER_ID, "username": "colleague", "global_name": "A Colleague", "discriminator": "0", "avatar": None}


@dataclass
class Call:
    """One REST request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 200
    ephemeral: bool | None = None
    """For a message an interaction shows (a reply, a deferral, a follow-up): whether Discord
    shows it to the user alone. None for every other request."""


@dataclass
class _Original:
    """An interaction's original response: its visibility, and whether it is still "thinking"."""

    ephemeral: bool
    loading: bool


@dataclass
class _Plan:
    status: int
    payload: dict[str, Any]
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    lost: bool = False


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    answer: Callable[[re.Match[str], Any], Any]


@dataclass
class GatewaySession:
    """One gateway connection: what the client identified (or resumed) with and everything it sent after."""

    identify: dict[str, Any]
    resumed: bool = False
    """Whether the client resumed an earlier session (RESUME, answered with RESUMED) instead of identifying."""
    received: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False
    """Whether the connection has ended, from either side."""


def _json_response(payload: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # aiohttp's json_response appends "; charset=utf-8", which discord.py does not accept as JSON.
    headers = {**(headers or {}), "Content-Type": "application/json"}
    return web.Response(status=status, body=json.dumps(payload).encode(), headers=headers)


class FakeDiscord(LoopbackServer):
    """`await FakeDiscord().start()`, point the client at `base_url`/`gateway_url`, `await close()`."""

    def __init__(self, *, heartbeat_interval_ms: int = 41250) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.sessions: list[GatewaySession] = []
        self.created: list[dict[str, Any]] = []
        """Every message the fake stored from a POST to a channel, in order."""
        self.reject_identify: int | None = None
        """A gateway close code (4004: authentication failed) to answer IDENTIFY with instead of READY."""
        self.refuse_gateway = 0
        """How many gateway connections to refuse (HTTP 503) before accepting one again."""
        self.embeds_hidden: set[str] = set()
        """Channels where the bot may not embed links: its embeds there are dropped (see above)."""
        self.history_hidden: set[str] = set()
        """Channels whose history the bot may not read (no Read Message History): Discord answers
        a read of them with no messages, not an error."""
        self.channels: dict[str, dict[str, Any]] = {}
        """Channel objects GET /channels/{id} answers with (`channel_payload`, `thread_payload`)."""
        self.everyone_permissions = EVERYONE_PERMISSIONS
        """The permission bits of the @everyone role of every server GET /guilds/{id} describes."""
        self.roles: list[dict[str, Any]] = []
        """The server's other roles (`role_payload`)."""
        self.bot_roles: list[str] = []
        """The ids of the roles the bot has in the server."""
        self.interactions_endpoint_url: str | None = None
        """The application's Interactions Endpoint URL, as the Developer Portal may hold one."""
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self._plans: list[tuple[str, re.Pattern[str], _Plan]] = []
        self._stalls: list[tuple[str, re.Pattern[str], float]] = []
        self._originals: dict[str, _Original] = {}
        self._ids = itertools.count(1500000000000000001)
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._routes = self._build_routes()

    # -- lifecycle

    async def start(self) -> "FakeDiscord":
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        await self._serve(app)
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- what tests use

    def fail(
        self, method: str, path_regex: str, *, status: int, code: int, message: str, times: int = 1, lost: bool = False,
        errors: dict | None = None,
    ) -> None:
        """Answer the next `times` matching requests with a Discord error body (with `errors`, the
        per-field errors of a 50035 Invalid Form Body).

        With `lost`, the request still takes effect (a message is stored) and only its answer is
        the error, as when Discord's edge times out after the write.
        """
        payload: dict = {"message": message, "code": code}
        if errors is not None:
            payload["errors"] = errors
        plan = _Plan(status=status, payload=payload, times=times, lost=lost)
        self._plans.append((method, re.compile(path_regex), plan))

    def rate_limit(
        self, method: str, path_regex: str, *, retry_after: float, times: int = 1, via: bool = True,
        is_global: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with a 429 that says to wait `retry_after` seconds.

        Discord's own 429s carry a `Via` header, and discord.py only waits and retries those by
        itself; `via=False` gives the 429 a proxy or a simpler fake sends.
        """
        payload = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global, "code": 0}
        headers = {
            "Retry-After": str(max(1, round(retry_after + 0.5))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry_after),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if via:
            headers["Via"] = "1.1 google"
        plan = _Plan(status=429, payload=payload, times=times, headers=headers)
        self._plans.append((method, re.compile(path_regex), plan))

    def stall(self, method: str, path_regex: str, *, seconds: float) -> None:
        """Answer the next matching request as usual, but only after `seconds`."""
        self._stalls.append((method, re.compile(path_regex), seconds))

    def find(self, method: str, path_regex: str) -> list[Call]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    async def wait_for(self, method: str, path_regex: str, *, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The matching calls once there are at least `count`; fails the test after `timeout`."""

        def enough() -> bool:
            return len(self.find(method, path_regex)) >= count

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(enough), timeout)
            except asyncio.TimeoutError:
                seen = [f"{c.method} {c.path}" for c in self.calls]
                raise AssertionError(f"no {count} x {method} {path_regex} within {timeout}s; saw {seen}") from None
        return self.find(method, path_regex)

    async def wait_ready(self, *, timeout: float = 5.0) -> GatewaySession:
        """The latest gateway session once a client has identified and been sent READY (or resumed)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self.sessions)), timeout)
        return self.sessions[-1]

    async def dispatch(self, event: str, data: Any) -> None:
        """Push a gateway dispatch (op 0) such as INTERACTION_CREATE to the connected client."""
        await self.send_raw(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def send_raw(self, text: str) -> None:
        """Send one text frame to the connected client as it is, readable or not."""
        if self._ws is None:
            raise AssertionError("no client is connected to the fake gateway")
        await self._ws.send_str(text)

    async def close_gateway(self, code: int, reason: str = "") -> None:
        """Close the connected client's gateway connection with `code` (4004: authentication failed,
        4014: disallowed intents, 4000: an error to resume from...)."""
        if self._ws is None:
            raise AssertionError("no client is connected to the fake gateway")
        await self._ws.close(code=code, message=reason.encode())

    def new_id(self) -> str:
        return str(next(self._ids))

    # -- REST

    def _build_routes(self) -> list[_Route]:
        def route(method: str, pattern: str, answer: Callable[[re.Match[str], Any], Any]) -> _Route:
            return _Route(method, re.compile(f"^{pattern}$"), answer)

        app = APPLICATION_ID
        return [
            route("GET", "/users/@me", lambda m, b: BOT_USER),
            route("GET", "/oauth2/applications/@me", lambda m, b: self.application()),
            route("GET", "/applications/@me", lambda m, b: self.application()),
            route("GET", "/gateway", lambda m, b: {"url": self.gateway_url}),
            route("GET", "/gateway/bot", lambda m, b: self.gateway_bot()),
            route("PUT", rf"/applications/{app}/commands", lambda m, b: self._commands(b, None)),
            route("PUT", rf"/applications/{app}/guilds/(\d+)/commands", lambda m, b: self._commands(b, m.group(1))),
            route("POST", r"/interactions/(\d+)/([^/]+)/callback", lambda m, b: self._callback(m, b)),
            route("POST", rf"/webhooks/{app}/([^/]+)", lambda m, b: self.message(CHANNEL_ID, b)),
            route("PATCH", rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", lambda m, b: self.message(CHANNEL_ID, b)),
            route("GET", rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", lambda m, b: self.message(CHANNEL_ID, {})),
            route("DELETE", rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", lambda m, b: None),
            route("POST", r"/channels/(\d+)/messages", lambda m, b: self._create(m.group(1), b)),
            route("GET", r"/channels/(\d+)/messages", lambda m, q: self._history(m.group(1), q)),
            route("PATCH", r"/channels/(\d+)/messages/(\d+)", lambda m, b: self.message(m.group(1), b, id=m.group(2))),
            route("POST", r"/channels/(\d+)/typing", lambda m, b: None),
            route("GET", r"/channels/(\d+)", lambda m, q: self.channels.get(m.group(1)) or _channel(m.group(1), GUILD_ID)),
            route("GET", r"/guilds/(\d+)", lambda m, q: guild_payload(
                m.group(1), roles=self.roles, everyone_permissions=str(self.everyone_permissions),
            )),
            route("GET", rf"/guilds/(\d+)/members/{BOT_USER_ID}", lambda m, q: bot_member_payload(roles=self.bot_roles)),
        ]

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_raw": raw.decode(errors="replace")}
        call = Call(method=request.method, path=path, query=dict(request.query), json=body)
        for index, (method, pattern, seconds) in enumerate(self._stalls):
            if method == call.method and pattern.search(call.path):
                del self._stalls[index]
                await asyncio.sleep(seconds)
                break
        response = self._answer(call)
        call.status = response.status
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return response

    def _answer(self, call: Call) -> web.Response:
        for index, (method, pattern, plan) in enumerate(self._plans):
            if method == call.method and pattern.search(call.path):
                plan.times -= 1
                if plan.times <= 0:
                    del self._plans[index]
                if plan.lost:
                    self._route(call)
                return _json_response(plan.payload, status=plan.status, headers=plan.headers)
        posted = re.fullmatch(r"/channels/(\d+)/messages", call.path)
        if call.method == "POST" and posted and posted.group(1) in self.embeds_hidden:
            body = call.json or {}
            if not (body.get("content") or body.get("components") or body.get("sticker_ids") or body.get("attachments")):
                return _json_response({"message": "Cannot send an empty message", "code": 50006}, status=400)
        return self._route(call)

    def _route(self, call: Call) -> web.Response:
        for route in self._routes:
            match = route.pattern.match(call.path)
            if route.method == call.method and match:
                self._follow(call)
                # A GET's parameters are its query string.
                payload = route.answer(match, call.query if call.method == "GET" else call.json)
                if payload is None:
                    return web.Response(status=204)
                return _json_response(payload)
        return _json_response({"message": "404: Not Found", "code": 0}, status=404)

    def _follow(self, call: Call) -> None:
        """Track the original responses that a successful request makes, and who sees its message."""
        body = call.json or {}
        callback = re.fullmatch(r"/interactions/\d+/([^/]+)/callback", call.path)
        if callback is not None:
            if body.get("type") in (4, 5):
                ephemeral = bool(((body.get("data") or {}).get("flags") or 0) & EPHEMERAL)
                self._originals[callback.group(1)] = _Original(ephemeral=ephemeral, loading=body["type"] == 5)
                call.ephemeral = ephemeral
            return
        webhook = re.fullmatch(rf"/webhooks/{APPLICATION_ID}/([^/]+)(/messages/(@original|\d+))?", call.path)
        if webhook is None:
            return
        original = self._originals.get(webhook.group(1))
        if call.method == "POST" and webhook.group(2) is None:
            if original is not None and original.loading:
                # The first follow-up after a deferral becomes the deferred message: its flags are ignored.
                original.loading = False
                call.ephemeral = original.ephemeral
            else:
                call.ephemeral = bool((body.get("flags") or 0) & EPHEMERAL)
        elif webhook.group(3) == "@original" and call.method in ("PATCH", "DELETE") and original is not None:
            original.loading = False
            if call.method == "PATCH":  # an edit keeps the original's visibility
                call.ephemeral = original.ephemeral

    def application(self) -> dict[str, Any]:
        return {
            "id": APPLICATION_ID,
            "name": "Factbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": HUMAN,
            "team": None,
            "bot": BOT_USER,
            "interactions_endpoint_url": self.interactions_endpoint_url,
        }

    def gateway_bot(self) -> dict[str, Any]:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }

    def _commands(self, body: Any, guild_id: str | None) -> list[dict[str, Any]]:
        commands = []
        for command in body or []:
            echoed = {
                **command,
                "id": self.new_id(),
                "application_id": APPLICATION_ID,
                "version": self.new_id(),
                "type": command.get("type", 1),
                "default_member_permissions": command.get("default_member_permissions"),
            }
            if guild_id is not None:
                echoed["guild_id"] = guild_id
            commands.append(echoed)
        return commands

    def _callback(self, match: re.Match[str], body: Any) -> dict[str, Any]:
        kind = (body or {}).get("type")
        flags = ((body or {}).get("data") or {}).get("flags", 0) or 0
        return {
            "interaction": {
                "id": match.group(1),
                "type": 2,
                "response_message_id": self.new_id() if kind in (4, 5, 7) else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            }
        }

    def _create(self, channel_id: str, body: Any) -> dict[str, Any]:
        """A new message in a channel; one whose enforced nonce was seen there already is that message."""
        body = body or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and (channel_id, str(nonce)) in self._nonces:
            return self._nonces[(channel_id, str(nonce))]
        if channel_id in self.embeds_hidden:
            body = {**body, "embeds": []}
        created = self.message(channel_id, body)
        if nonce is not None:
            created["nonce"] = str(nonce)
            self._nonces[(channel_id, str(nonce))] = created
        self.created.append(created)
        return created

    def _history(self, channel_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """GET /channels/{id}/messages: with `after`, the `limit` (at most 100) oldest messages
        after that id; without, the newest; newest first either way, as Discord returns them."""
        if channel_id in self.history_hidden:
            return []
        after = int(query.get("after") or 0)
        limit = min(int(query.get("limit") or 50), 100)
        later = sorted(
            (m for m in self.created if m["channel_id"] == channel_id and int(m["id"]) > after), key=lambda m: int(m["id"])
        )
        return list(reversed(later[:limit] if "after" in query else later[-limit:]))

    def forget_nonces(self) -> None:
        """Discord checks a nonce for a few minutes only: after that, the same nonce posts anew."""
        self._nonces.clear()

    def message(self, channel_id: str, body: Any, *, id: str | None = None) -> dict[str, Any]:
        """A full message object as Discord returns it for a send or an edit."""
        body = body or {}
        return message_payload(
            id=id or self.new_id(),
            channel_id=channel_id,
            author=BOT_USER,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
        )

    # -- gateway

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_gateway:
            self.refuse_gateway -= 1
            return web.Response(status=503, text="upstream connect error")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}))
            identify = None
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    return ws
                payload = json.loads(msg.data)
                if payload.get("op") == 1:  # discord.py heartbeats right after HELLO
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif payload.get("op") == 2:
                    if self.reject_identify is not None:
                        await ws.close(code=self.reject_identify, message=b"Authentication failed.")
                        return ws
                    identify = payload
                    break
                elif payload.get("op") == 6 and (payload.get("d") or {}).get("session_id") == SESSION_ID:
                    identify = payload
                    break
                elif payload.get("op") == 6:  # not a session of this fake: identify anew
                    await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
                else:
                    await ws.close(code=4003, message=b"Not authenticated")
                    return ws
            if identify is None:
                return ws
            resumed = identify["op"] == 6
            session = GatewaySession(identify=identify["d"], resumed=resumed)
            self._ws = ws
            if resumed:
                await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}}))
            else:
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": self.ready()}))
            async with self._changed:
                self.sessions.append(session)
                self._changed.notify_all()
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    break
                payload = json.loads(msg.data)
                session.received.append(payload)
                if payload.get("op") == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
            if session is not None:
                async with self._changed:
                    session.closed = True
                    self._changed.notify_all()
        return ws

    def ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [],
            "session_id": SESSION_ID,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APPLICATION_ID, "flags": 0},
            "shard": [0, 1],
        }


# -- payloads as Discord sends them ---------------------------------------------------------


def message_payload(
    *,
    id: str,
    channel_id: str = CHANNEL_ID,
    author: dict[str, Any] = BOT_USER,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    guild_id: str | None = None,
    mentions: list[dict[str, Any]] | None = None,
    mention_everyone: bool = False,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": id,
        "type": 0,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "flags": 0,
    }
    if author.get("bot"):
        payload["application_id"] = APPLICATION_ID
    if guild_id is not None:
        payload["guild_id"] = guild_id
    return payload


def _member(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": user,
        "roles": [],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "permissions": "2248473465835073",
    }


def _channel(channel_id: str, guild_id: str, *, overwrites: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": "general",
        "position": 0,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def _interaction(
    kind: int, data: dict[str, Any], *, interaction_id: str, token: str, guild_id: str | None, channel_id: str,
    user: dict[str, Any],
) -> dict[str, Any]:
    if guild_id is None:
        # A direct message with the bot: a `user` instead of a `member`, no guild, a DM channel.
        return {
            "id": interaction_id,
            "application_id": APPLICATION_ID,
            "type": kind,
            "data": data,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 1, "last_message_id": None, "flags": 0, "recipients": [user]},
            "user": user,
            "token": token,
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10485760,
        }
    return {
        "id": interaction_id,
        "application_id": APPLICATION_ID,
        "type": kind,
        "data": data,
        "guild_id": guild_id,
        "guild": {"id": guild_id, "locale": "en-US", "features": []},
        "channel_id": channel_id,
        "channel": _channel(channel_id, guild_id),
        "member": _member(user),
        "token": token,
        "version": 1,
        "app_permissions": "2248473465835073",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id},
        "context": 0,
        "attachment_size_limit": 10485760,
    }


def command_interaction(
    name: str,
    options: list[dict[str, Any]] | None = None,
    *,
    interaction_id: str,
    token: str = "command-token",
    autocomplete: bool = False,
    guild_id: str | None = GUILD_ID,
    channel_id: str = CHANNEL_ID,
    user: dict[str, Any] = HUMAN,
    command_guild_id: str | None = None,
) -> dict[str, Any]:
    """An application command (type 2) or its autocomplete (type 4) for a chat-input command;
    with `guild_id=None`, as sent from a direct message with the bot."""
    data: dict[str, Any] = {"id": "1600000000000000001", "name": name, "type": 1}
    if options:
        data["options"] = options
    if command_guild_id is not None:
        data["guild_id"] = command_guild_id
    return _interaction(
        4 if autocomplete else 2, data, interaction_id=interaction_id, token=token, guild_id=guild_id,
        channel_id=channel_id, user=user,
    )


def component_interaction(
    custom_id: str,
    message: dict[str, Any],
    *,
    interaction_id: str,
    token: str = "component-token",
    guild_id: str | None = GUILD_ID,
    channel_id: str = CHANNEL_ID,
    user: dict[str, Any] = HUMAN,
) -> dict[str, Any]:
    """A button click (type 3) on `message`; with `guild_id=None`, in a direct message with the bot."""
    payload = _interaction(
        3, {"custom_id": custom_id, "component_type": 2}, interaction_id=interaction_id, token=token,
        guild_id=guild_id, channel_id=channel_id, user=user,
    )
    payload["message"] = message
    return payload


def message_create(
    content: str,
    *,
    id: str,
    mentions: list[dict[str, Any]] | None = None,
    mention_everyone: bool = False,
    author: dict[str, Any] = HUMAN,
    guild_id: str | None = GUILD_ID,
    channel_id: str = CHANNEL_ID,
    replying_to: str | None = None,
) -> dict[str, Any]:
    """A MESSAGE_CREATE dispatch; in a guild, authors and mentions carry their member data.
    `replying_to` makes it a reply to that message (type 19, with its `message_reference`)."""
    payload = message_payload(
        id=id, channel_id=channel_id, author=author, content=content, guild_id=guild_id,
        mentions=mentions, mention_everyone=mention_everyone,
    )
    if replying_to is not None:
        payload["type"] = 19
        payload["message_reference"] = {"message_id": replying_to, "channel_id": channel_id, "guild_id": guild_id}
    if guild_id is not None:
        payload["member"] = {k: v for k, v in _member(author).items() if k != "user"}
        payload["mentions"] = [{**m, "member": {k: v for k, v in _member(m).items() if k != "user"}} for m in mentions or []]
    return payload


def message_update(content: str, *, id: str, edited_timestamp: str | None, **options: Any) -> dict[str, Any]:
    """A MESSAGE_UPDATE dispatch: the message as it reads now, in full, as Discord sends it (the
    options are `message_create`'s). `edited_timestamp` is when someone last edited it; an update
    that is no edit (a link preview Discord added) leaves it as it was, None for a message never edited."""
    return {**message_create(content, id=id, **options), "edited_timestamp": edited_timestamp}


def channel_payload(
    channel_id: str, guild_id: str = GUILD_ID, *, deny: int = 0, allow: int = 0,
    overwrites: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A text channel, with an overwrite for @everyone that denies and allows those permission bits,
    then `overwrites` (`overwrite_payload`)."""
    everyone = [overwrite_payload(guild_id, allow=allow, deny=deny)] if deny or allow else []
    return _channel(channel_id, guild_id, overwrites=[*everyone, *(overwrites or [])])


def overwrite_payload(target_id: str, *, member: bool = False, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A channel's permission overwrite for a role (or with `member`, for one member)."""
    return {"id": target_id, "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}


def thread_payload(thread_id: str, parent_id: str, guild_id: str = GUILD_ID) -> dict[str, Any]:
    """A public thread in the channel `parent_id`: it has no overwrites of its own."""
    thread = _channel(thread_id, guild_id)
    del thread["permission_overwrites"]
    thread.update(
        type=11, parent_id=parent_id, owner_id=USER_ID, name="a thread", message_count=0, member_count=1,
        thread_metadata={"archived": False, "auto_archive_duration": 1440, "locked": False,
                         "archive_timestamp": TIMESTAMP},
    )  # fmt: skip
    return thread


def guild_payload(
    guild_id: str = GUILD_ID, *, roles: list[dict[str, Any]] | None = None, everyone_permissions: str = "0"
) -> dict[str, Any]:
    """A server as GET /guilds/{id} gives it: its @everyone role (whose id is the server's) with
    those permissions, then `roles`."""
    everyone = role_payload(guild_id, name="@everyone", position=0, permissions=everyone_permissions)
    return {
        "id": guild_id,
        "name": "Team",
        "icon": None,
        "owner_id": USER_ID,
        "features": [],
        "roles": [everyone, *(roles or [])],
        "emojis": [],
        "stickers": [],
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
    }


def bot_member_payload(*, roles: list[str] | None = None) -> dict[str, Any]:
    """The bot as a member of a server, as GET /guilds/{id}/members/{bot user id} gives it."""
    member = {k: v for k, v in _member(BOT_USER).items() if k != "permissions"}  # only interactions carry it
    member["roles"] = list(roles or [])
    return member


def guild_create(
    guild_id: str = GUILD_ID,
    *,
    roles: list[dict[str, Any]] | None = None,
    everyone_permissions: str = "0",
    channels: list[dict[str, Any]] | None = None,
    with_bot: bool = False,
) -> dict[str, Any]:
    """A GUILD_CREATE dispatch for a server the bot is in, with its @everyone role (and its
    permissions) and `roles`, and `channels` (else the one CHANNEL_ID). `with_bot` lists the
    bot among the members, as Discord does without the members intent, so the client knows its
    own permissions in each channel."""
    return {
        **guild_payload(guild_id, roles=roles, everyone_permissions=everyone_permissions),
        "unavailable": False,
        "member_count": 2,
        "large": False,
        "channels": channels if channels is not None else [_channel(CHANNEL_ID, guild_id)],
        "threads": [],
        "members": [_member(BOT_USER)] if with_bot else [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "joined_at": TIMESTAMP,
    }


def role_payload(
    role_id: str, *, name: str, position: int = 1, bot_id: str | None = None, permissions: str = "0"
) -> dict[str, Any]:
    """A role; with `bot_id`, the role Discord makes for a bot when it joins a server (managed, named as the bot)."""
    role: dict[str, Any] = {
        "id": role_id,
        "name": name,
        "color": 0,
        "hoist": False,
        "position": position,
        "permissions": permissions,
        "managed": bot_id is not None,
        "mentionable": True,
        "flags": 0,
    }
    if bot_id is not None:
        role["tags"] = {"bot_id": bot_id}
    return role
