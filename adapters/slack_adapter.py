"""Slack: answer mentions, DMs and `/ask` with slack-bolt, in Socket Mode or HTTP mode.

A Slack event becomes a plain question (`from_mrkdwn`), the core answers it, and
`slack_blocks` renders the `Answer`. Everything here is about delivery: one answer per
message (retries are claimed away on `event_id`, edits on the message's channel and ts, in
SQLite), no answer to bots, Web API failures logged with what was being done and never
raised into bolt, and no call that posts made twice.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import math
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Literal, Mapping
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import AsyncSingleTeamAuthorization
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.config import Settings
from bot.db import Database
from bot.errors import ConfigError
from bot.feedback import FeedbackStore
from bot.logging_setup import TracebackCutter
from bot.models import Answer
from bot.service import AskService
from bot.terminal import TOO_LONG, bound_question

from adapters.slack_blocks import (
    ACTION_PATTERNS,
    ACTION_SHARE,
    decode_value,
    from_mrkdwn,
    from_rich_text,
    home_view,
    to_blocks,
    to_mrkdwn,
    to_text,
)
from adapters.slack_retry import (
    may_have_gone_through,
    posting_url_retries,
    retry_after,
    status_and_code,
    web_api_retries,
)
from adapters.slack_token_watch import TokenRefusalWatch

log = logging.getLogger(__name__)

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
SORRY = "Sorry, something went wrong on my side; please try again in a moment."
BLOCKS_REFUSED = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"})
"""Errors that refuse a message's blocks, not the message: its text alone is posted instead (the
whole answer as mrkdwn, `to_mrkdwn`). chat.postMessage answers them as its `error`; a response_url
as the body of a 400, a bare word ("invalid_blocks")."""
GONE = "I can't find that answer any more; please ask again."
CANT_SHARE = "I couldn't post in this channel; invite me to it (type `/invite` and pick me), then try again."
SHARE_UNSURE = (
    "Slack didn't confirm that the answer was shared, but it may have gone through: "
    "check the channel before you share it again."
)
ALREADY_BESIDE = "That answer is in the thread already."
BESIDE_UNSURE = (
    "Slack didn't confirm that the answer was posted, but it may have gone through: "
    "look for it before you click again."
)
THANKS = {"up": "Thanks, your 👍 is recorded.", "down": "Thanks, your 👎 is recorded; it helps me improve."}
HELP_WORDS = frozenset({"help", "?", "topics"})
RESPOND_ATTEMPTS = 3
"""Posts of one reply to a response_url at most: the first and two retries."""
RETRY_AFTER_MAX = 3.0
"""The longest Retry-After, in seconds, a response_url reply waits out; a longer one drops the reply."""
SERVER_ERROR_BACKOFF = 0.5
"""Seconds before retrying a response_url after a 5xx, doubled for each further retry."""
CONNECT_WAIT = 10.0
"""Seconds `start()` waits for the Socket Mode websocket before leaving it to connect in the background."""
PING_INTERVAL = 10.0
"""Seconds between Socket Mode pings; slack_sdk also waits this long between two attempts to connect."""
RECONNECT_WAIT = 30.0
"""Seconds a Socket Mode websocket URL is given to connect before Slack is asked for a new one."""
RECONNECT_WAIT_MAX = 300.0
"""The longest, in seconds, that RECONNECT_WAIT grows to, doubling while connecting keeps failing."""
CLAIM_WAIT = 1.0
"""Seconds an event's claim waits for a busy database before the event is handled as new."""
CLAIM_THREADS = 4
"""Threads that write and let go of claims, apart from the answers' (the loop's default executor):
an acknowledgement waits for its claim, never for answers or votes queued there. Each claim waits
at most CLAIM_WAIT for the database, mostly asleep, so a few absorb a burst of events while
another process holds it."""
REFUSED_LOG_EVERY = 60.0
"""Seconds between two warnings about requests whose signature doesn't match the signing secret."""
BODY_WAIT = 10.0
"""Seconds a request to /slack/events has to send its whole body. Slack sends a few kilobytes at
once; a client that sends the headers and then trickles the body, or stops, held the connection
and its handler for as long as it liked, before any signature was checked."""
# Errors from auth.test or apps.connections.open that no retry will fix: the token itself is wrong.
_TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "account_inactive"})
REINSTALL = "reinstall the app and set its new Bot User OAuth Token in SLACK_BOT_TOKEN"
_FACT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Message subtypes that are still a person writing, as bolt's own `app.message()` takes them:
# a message with files attached, a thread reply also sent to the conversation, and `/me ...`.
_WRITTEN_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})
# Fields of an event or interaction payload that the listeners read as JSON objects.
_OBJECT_FIELDS = ("event", "user", "channel", "team", "container", "message", "view", "enterprise")
# Fields the listeners read as words, of a payload and of its event.
_TEXT_FIELDS = ("type", "response_url", "trigger_id", "team_id", "api_app_id", "command", "text", "channel_id", "user_id")
_EVENT_TEXT_FIELDS = ("type", "subtype", "text", "channel_type", "bot_id")
_SECRETS = ("slack_bot_token", "slack_app_token", "slack_signing_secret")

UNREACHABLE = (SlackClientError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
"""What a call to Slack raises when Slack could not be reached or answered nothing usable."""

SOCKET_FAILURES = TracebackCutter(
    messages=("Failed to connect", "Failed to close the old session"),
    errors=UNREACHABLE,
)
"""slack_sdk logs each failed try to connect the Socket Mode websocket with a whole traceback,
then tries again by itself: this keeps each to one line, the exception's type and message."""

Delivery = Literal["sent", "refused", "unknown"]
"""What became of a post: made, refused (nothing was posted), or unknown (it may have been posted)."""


def _stripped(settings: Settings) -> Settings:
    """The settings with white space cut from around the tokens and the signing secret.

    A value read from a secret file or pasted into `.env` often ends in a line break: in a
    token it made every request fail in aiohttp, and in the secret every signature mismatch.
    """
    update = {
        name: value.strip() for name in _SECRETS if isinstance(value := getattr(settings, name), str)
    }
    return settings.model_copy(update=update)


def check_settings(settings: Settings) -> None:
    """Raise ConfigError with one line naming the first missing or malformed Slack setting."""
    settings = _stripped(settings)
    for name in _SECRETS:
        value = getattr(settings, name)
        if value and any(char.isspace() for char in value):
            raise ConfigError(
                f"{name.upper()} has a space or a line break inside it: copy it again from the Slack app's settings"
            )
    check_web_api_settings(settings)
    if settings.slack_mode == "socket":
        if not settings.slack_app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN is missing: Socket Mode needs an app-level token (xapp-...); "
                "set it or set SLACK_MODE=http with SLACK_SIGNING_SECRET"
            )
        if not settings.slack_app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                "(Basic Information > App-Level Tokens, with the connections:write scope)"
            )
    elif not (settings.slack_signing_secret or "").strip():
        raise ConfigError(
            "SLACK_SIGNING_SECRET is missing: HTTP mode checks every request with it "
            "(Basic Information > App Credentials); set it or set SLACK_MODE=socket with SLACK_APP_TOKEN"
        )


def check_web_api_settings(settings: Settings) -> None:
    """ConfigError for a missing or malformed SLACK_BOT_TOKEN or SLACK_API_URL: what any Web API call
    needs, the serving bot's and `digest send`'s alike."""
    token = (settings.slack_bot_token or "").strip()
    if not token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is missing: copy the Bot User OAuth Token (xoxb-...) from the app's "
            "OAuth & Permissions page"
        )
    if any(char.isspace() for char in token):
        raise ConfigError("SLACK_BOT_TOKEN has a space or a line break inside it: copy it again from the Slack app's settings")
    if not token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN must be a bot token starting with xoxb- (OAuth & Permissions > Bot User OAuth Token)"
        )
    url = settings.slack_api_url
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"SLACK_API_URL must start with http:// or https://, not {url!r}")
    if url and (problem := _url_problem(url)):
        raise ConfigError(f"SLACK_API_URL {url!r} {problem}: give a URL like https://slack.com/api/")


def _url_problem(url: str) -> str | None:
    """What keeps `url` from being a Web API base URL (no host, a bad port, a space), or None."""
    if any(char.isspace() for char in url):
        return "has a space in it"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError as error:
        return f"is not a URL ({error})"
    if not parts.hostname:
        return "names no host"
    return None


class EventClaims:
    """Claims Slack event ids in SQLite: the first delivery of an event wins, every retry loses.

    The claim is the unique key, so two processes sharing the data directory can't both
    answer. Slack retries for minutes, not days: a claim older than `ttl` seconds counts as
    gone, and `prune` (hourly, in serve's worker thread) deletes such rows.
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS slack_events (event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS slack_events_by_time ON slack_events (seen_at);
    """

    def __init__(
        self,
        db: Database,
        *,
        ttl: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.clock = clock
        db.ensure(self.SCHEMA)

    def claim(self, event_id: str) -> bool:
        """True the first time an event id is seen (within the ttl), False for every repeat.

        The bot calls it in a worker thread (`SlackBot._claim`): a database locked by another
        process is waited for at most CLAIM_WAIT seconds, then the event counts as new (one
        warning line), since an answer given twice beats one given late or to nobody.
        """
        now = self.clock()
        try:
            # A new id is inserted; an expired one, not pruned yet, is claimed afresh.
            cursor = self.db.execute(
                """
                INSERT INTO slack_events (event_id, seen_at) VALUES (?, ?)
                ON CONFLICT (event_id) DO UPDATE SET seen_at = excluded.seen_at WHERE slack_events.seen_at < ?
                """,
                (event_id, now, now - self.ttl),
                timeout=CLAIM_WAIT,
            )
        except sqlite3.Error as error:
            log.warning("could not record Slack event %s (%s); handling it as new", event_id, error)
            return True
        return cursor.rowcount == 1

    def prune(self) -> int:
        """Delete the claims older than the ttl, in batches; return how many went (0 when the
        database is unavailable: that is logged, and the next prune catches up)."""
        try:
            return self.db.delete_in_batches(
                "slack_events", "seen_at < ?", (self.clock() - self.ttl,), timeout=CLAIM_WAIT
            )
        except sqlite3.Error as error:
            log.warning("old Slack event claims were not pruned (%s)", error)
            return 0

    def release(self, event_id: str) -> None:
        """Forget a claim, so the next delivery under that id is handled (a message the bot
        only told to be shorter or to wait, edited since; a share nothing came of)."""
        try:
            self.db.execute("DELETE FROM slack_events WHERE event_id = ?", (event_id,), timeout=CLAIM_WAIT)
        except sqlite3.Error as error:
            log.warning("could not release Slack event %s (%s)", event_id, error)


# How long after a message (a DM, or one naming the bot) its edit may still be asked: an old
# message tidied up later is no new question, and the claim that it was answered, kept a day,
# may be gone.
EDIT_WINDOW = 3600.0


def _edit_delay(message: dict[str, Any], *, edited_at: object = None) -> float | None:
    """Seconds between writing `message` and editing it; None for a message never edited, or
    whose times can't be read. `edited_at` is when it was edited, if the message doesn't say."""
    try:
        return float(_object(message.get("edited")).get("ts") or edited_at) - float(message["ts"])  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None


def _edited_dm(event: dict[str, Any]) -> dict[str, Any] | None:
    """The message a DM's `message_changed` event makes, as a message event of its own, when
    someone changed its words within EDIT_WINDOW of writing it; None otherwise (a link
    preview added, a bot's message, an old message). Like an edited mention, it is asked once
    edited only if it was not answered as written (told to be shorter or to wait)."""
    message, before = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or _from_bot(message) or not isinstance(message.get("user"), str):
        return None
    if message.get("subtype") and message["subtype"] not in _WRITTEN_SUBTYPES:
        # Not words someone wrote: a thread's first message deleted leaves a tombstone, "This
        # message was deleted." by USLACKBOT, which Slack sends as the message changed.
        return None
    if isinstance(before, dict) and before.get("text") == message.get("text"):
        return None
    delay = _edit_delay(message, edited_at=event.get("ts"))
    if delay is None or delay > EDIT_WINDOW:
        return None
    return {**message, "channel": event.get("channel"), "channel_type": "im"}


def _from_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def _from_body(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The payload of a request body as Slack sends it, or None for a body Slack doesn't send.

    Events are a JSON object; slash commands and ssl_check a form; clicks, shortcuts and modals
    a form whose `payload` field is a JSON object. bolt's own parser can't be used: it reads a
    form that merely contains the word "payload" (`/ask what payload does Llama take`) as an
    empty request, which no listener takes.
    """
    try:
        text = body.decode("utf-8")
        if content_type == "application/json" or text.lstrip().startswith("{"):
            payload = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            if "payload" not in form:
                return form or None  # a slash command or an ssl_check: strings only
            payload = json.loads(form["payload"])
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser's depth
        return None
    return payload if isinstance(payload, dict) and _well_formed(payload) else None


def _well_formed(payload: dict[str, Any]) -> bool:
    """Whether a JSON payload has the shapes Slack gives it: its objects are objects, its words
    are strings, an event callback carries its event, and a click names what was clicked."""
    if any(payload.get(key) is not None and not isinstance(payload[key], dict) for key in _OBJECT_FIELDS):
        return False
    if not all(_text_or_absent(payload, key) for key in _TEXT_FIELDS):
        return False
    event = payload.get("event")
    if payload.get("type") == "event_callback" and not isinstance(event, dict):
        return False
    if isinstance(event, dict) and not (
        all(_text_or_absent(event, key) for key in _EVENT_TEXT_FIELDS)
        and all(event.get(key) is None or isinstance(event[key], str | dict) for key in ("channel", "user"))
    ):
        return False
    if payload.get("type") == "block_actions":
        actions = payload.get("actions")
        return (
            isinstance(actions, list)
            and bool(actions)
            and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
        )
    return True


def _text_or_absent(payload: dict[str, Any], key: str) -> bool:
    return payload.get(key) is None or isinstance(payload[key], str)


class _SocketHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, but an event that came while Slack could not say who the bot
    is (auth.test failed) is not acknowledged: acknowledged, it would be lost; unacknowledged,
    Slack sends it again, as a 503 has it do in HTTP mode."""

    async def handle(self, client: Any, req: Any) -> None:  # bolt's signature
        started = time.time()
        response = await run_async_bolt_app(self.app, req)
        if req.type == "events_api" and response.body == SORRY:
            event_id = (req.payload or {}).get("event_id") if isinstance(req.payload, dict) else None
            log.warning("Slack event %s not handled (auth.test failed); Slack will send it again", event_id)
            return
        await send_async_response(client, req, response, started)


class SlackBot:
    """The Slack side of the bot: a bolt AsyncApp plus its Socket Mode connection or HTTP routes."""

    def __init__(
        self,
        settings: Settings,
        service: AskService,
        *,
        db: Database,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        connect_wait: float = CONNECT_WAIT,
        ping_interval: float = PING_INTERVAL,
        reconnect_wait: float = RECONNECT_WAIT,
        body_wait: float = BODY_WAIT,
    ) -> None:
        """`sleep` waits out retries (response_url, 429s); `connect_wait` is how long `start()`
        waits for the Socket Mode websocket; `ping_interval` is slack_sdk's, between pings and
        between its attempts to reconnect; `reconnect_wait` is how long a websocket URL that
        gives no connection is kept (it doubles up to RECONNECT_WAIT_MAX while that lasts);
        `body_wait` is how long an HTTP mode request has to send its body."""
        settings = _stripped(settings)
        check_settings(settings)
        self.settings = settings
        self.service = service
        self._sleep = sleep
        self._clock = clock
        self._connect_wait = connect_wait
        self._ping_interval = ping_interval
        self._reconnect_wait = reconnect_wait
        self._body_wait = body_wait
        self.mode = settings.slack_mode
        self.feedback = FeedbackStore(db)
        self.events = EventClaims(db, clock=clock)
        self._claim_threads: ThreadPoolExecutor | None = None
        # The Web API client is the one bolt builds from the token, pointed at SLACK_API_URL with the
        # bot's retries: handed a client of ours, bolt would still read SLACK_BOT_TOKEN from the
        # environment, and warn on every start that it goes unused.
        self.bolt_app = AsyncApp(
            name="factbot",
            token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret or "",
            # HTTP mode: `_handle_http` checks the signature before bolt sees a request, and hands
            # bolt the payload it parsed, not Slack's bytes. Socket Mode payloads have no signature.
            request_verification_enabled=False,
            # bolt asks auth.test again on the first request after start; if Slack fails that call
            # (a 5xx, internal_error), bolt's own words told the asker to reinstall the app. The
            # token was checked at start, and the next request asks again: a moment's wait is the fix.
            user_facing_authorize_error_message=SORRY,
        )
        self.client: AsyncWebClient = self.bolt_app.client
        self.client.base_url = _api_url(settings.slack_api_url)
        # First, so that it sees every answer: bolt's own clients (one per request, which ask
        # auth.test when the start could not) copy these handlers too.
        self.client.retry_handlers = [
            TokenRefusalWatch(settings.slack_bot_token or "", on_refused=self._token_refused),
            *web_api_retries(sleep=sleep, unserved=1),
        ]
        self._verifier = SignatureVerifier(settings.slack_signing_secret or "") if self.mode == "http" else None
        self._refused_logged_at: float | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._url_keeper: asyncio.Task[None] | None = None
        self._started = False
        self._closed = False
        self.locked_out: str | None = None
        """Why Slack no longer takes the bot token (the app uninstalled, the token revoked or refused),
        once it has said so; None while it works. Only a restart with a working token clears it."""
        self._register()

    # -- lifecycle ---------------------------------------------------------------------------

    def http_routes(self) -> list[web.RouteDef]:
        """`POST /slack/events` for HTTP mode, to mount beside /healthz on the one server on PORT."""
        return [web.post(EVENTS_PATH, self._handle_http)]

    async def _handle_http(self, request: web.Request) -> web.Response:
        # Check the signature before bolt reads the body: bolt parses it first (a body that is not
        # JSON was a 500 with a traceback), and its verifier raises on a timestamp that is not a
        # number, which sent an unsigned body to the error handler as if Slack had sent it.
        try:
            body = await asyncio.wait_for(request.read(), timeout=self._body_wait)
        except asyncio.TimeoutError:
            # Whoever it is has not sent the body it announced: the connection is not kept for it.
            response = web.json_response({"error": "request body not received in time"}, status=408)
            response.force_close()
            return response
        if not self._signed(body, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        payload = _from_body(body, request.content_type)
        if payload is None:
            # Signed, so from Slack or whoever holds the secret, but not a payload Slack sends:
            # bolt would fail on it with a 500 and a traceback.
            log.warning("Slack sent a signed body that is not a payload the bot can read; refused")
            return web.json_response({"error": "unreadable request body"}, status=400)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
        bolt_request = AsyncBoltRequest(
            body=json.dumps(payload),
            query=request.query_string,
            headers={**headers, "content-type": "application/json"},
            mode="http",
        )
        bolt_response = await self.bolt_app.async_dispatch(bolt_request)
        if payload.get("type") == "event_callback" and bolt_response.body == SORRY:
            # bolt could not ask Slack who the bot is (auth.test failed): a 200 would tell Slack
            # the event was handled, and it would be lost. A 503 has Slack send it again later.
            log.warning("Slack event %s not handled (auth.test failed); Slack will send it again", payload.get("event_id"))
            return web.json_response({"error": "not ready"}, status=503)
        return await to_aiohttp_response(bolt_response)

    def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        if self._verifier is None or not timestamp or not signature:
            return False
        try:
            # slack_sdk compares signatures with hmac.compare_digest, which raises TypeError for a
            # string that is not ASCII: a signature with an accented letter was a 500 and a traceback.
            valid = signature.isascii() and self._verifier.is_valid(
                body.decode("utf-8", errors="replace"), timestamp, signature
            )
        except ValueError:  # a timestamp that is not a number
            valid = False
        if not valid:
            self._note_refused(body, timestamp, signature)
        return valid

    def _note_refused(self, body: bytes, timestamp: str, signature: str) -> None:
        """Say, at most once per REFUSED_LOG_EVERY, that a signed request was refused: with a wrong
        SLACK_SIGNING_SECRET, or this machine's clock over 5 minutes off, every request is, and
        nothing else would tell the operator why, nor which of the two to fix."""
        now = self._clock()
        if self._refused_logged_at is not None and now - self._refused_logged_at < REFUSED_LOG_EVERY:
            return
        self._refused_logged_at = now
        verifier = self._verifier
        text = body.decode("utf-8", errors="replace")
        expected = verifier.generate_signature(timestamp=timestamp, body=text) if verifier else None
        ours = bool(expected) and signature.isascii() and hmac.compare_digest(expected or "", signature)
        if verifier and ours and timestamp.isdigit():
            # Signed with our secret, so from Slack: only its time is off, by this machine's clock.
            off = verifier.clock.now() - int(timestamp)
            log.warning(
                "Slack request refused: its signature is right, but this machine's clock is %d minutes %s Slack's "
                "(Slack allows 5); set the clock right (NTP), or every request is refused",
                round(abs(off) / 60), "ahead of" if off > 0 else "behind",
            )  # fmt: skip
            return
        log.warning(
            "Slack request refused: its signature does not match SLACK_SIGNING_SECRET or it is over 5 minutes "
            "old; if every request is refused, copy the Signing Secret again from Basic Information > App Credentials"
        )

    async def start(self) -> None:
        """Check the bot token (ConfigError if Slack rejects it); in Socket Mode, open the websocket
        (ConfigError if Slack rejects the app token)."""
        if self.client.session is None or self.client.session.closed:
            # One pool of keep-alive connections for every Web API call and response_url: without
            # it slack_sdk opens (and TLS-handshakes) a new connection for each call.
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        await self._check_bot_token()
        self._started = True
        if self.mode != "socket":
            return
        self._socket = _SocketHandler(
            self.bolt_app,
            app_token=self.settings.slack_app_token,
            web_client=self.client,
            ping_interval=self._ping_interval,
        )
        self._socket.client.logger.addFilter(SOCKET_FAILURES)  # the app's logger, unless given another
        self._url_keeper = asyncio.create_task(self._renew_dead_urls(), name="slack-socket-urls")
        opened = await self._token_checked(
            self.client.apps_connections_open(app_token=self.settings.slack_app_token or ""),
            rejected="SLACK_APP_TOKEN was rejected by Slack ({code}): create an app-level token with the "
            "connections:write scope under Basic Information > App-Level Tokens",
            failed="Slack apps.connections.open failed ({problem}); retrying in the background",
            unreachable="cannot reach Slack to open Socket Mode ({problem}); retrying in the background",
        )
        if opened is not None:
            # The URL is single-use: hand it to the client instead of asking for another.
            self._socket.client.wss_uri = opened["url"]
            first = asyncio.create_task(self._socket.connect_async(), name="slack-socket-connect")
            await asyncio.wait({first}, timeout=self._connect_wait)
            if first.done() and self.connected:
                log.info("Slack Socket Mode connected")
                return
            # slack_sdk retries the URL it was given for ever, and the start of everything else waits
            # on this: drop the URL, so the next attempt asks Slack for a new one, in the background.
            first.cancel()
            await asyncio.gather(first, return_exceptions=True)
            self._socket.client.wss_uri = None
            log.warning("cannot open the Slack Socket Mode websocket; retrying in the background")
        self._connecting = asyncio.create_task(self._socket.connect_async(), name="slack-socket-connect")

    async def _renew_dead_urls(self) -> None:
        """Have slack_sdk ask Slack for a new websocket URL when the one it holds gives no connection.

        After a drop slack_sdk asks apps.connections.open for a URL, then retries that URL every
        `ping_interval` for ever: a URL that failed once (it expired while the network was down, or
        Slack's end of it is gone) never works, and the bot stayed unconnected until restarted.
        slack_sdk's connect loop asks for a new URL whenever it holds none, so a URL that has not
        given a connection for a whole `reconnect_wait` is dropped. The wait doubles, up to
        RECONNECT_WAIT_MAX, while connecting fails (apps.connections.open is rate limited to about one
        call a minute), and starts again from `reconnect_wait` once connected.
        """
        wait = self._reconnect_wait
        suspect: str | None = None
        while True:
            await asyncio.sleep(wait)
            socket = self._socket
            if socket is None or self._closed:
                return
            if self.connected:
                wait, suspect = self._reconnect_wait, None
                continue
            url = socket.client.wss_uri
            if url is None or url != suspect:
                suspect = url  # a URL fetched since the last look gets a whole wait of its own
                continue
            log.warning(
                "the Slack Socket Mode websocket URL has given no connection for %.0f s or more; "
                "asking Slack for a new one",
                wait,
            )
            socket.client.wss_uri = None
            suspect = None
            wait = next_reconnect_wait(wait, first=self._reconnect_wait)

    async def _check_bot_token(self) -> None:
        """ConfigError if Slack rejects the bot token; if Slack can't be asked, the first request will."""
        checked = await self._token_checked(
            self.client.auth_test(),
            rejected="SLACK_BOT_TOKEN was rejected by Slack ({code}): copy the Bot User OAuth Token (xoxb-...) "
            "again from OAuth & Permissions, and reinstall the app if it was removed",
            failed="Slack auth.test failed ({problem}); starting anyway",
            unreachable="cannot reach Slack to check SLACK_BOT_TOKEN ({problem}); starting anyway",
        )
        if checked is not None:
            # bolt would ask auth.test again on the first request, and a failure of that one call
            # (a 5xx, internal_error) lost the event it came with: it is told the answer instead.
            # (bolt keeps its middleware there; a later bolt without the list asks again, as before.)
            for middleware in getattr(self.bolt_app, "_async_middleware_list", ()):
                if isinstance(middleware, AsyncSingleTeamAuthorization) and middleware.auth_test_result is None:
                    middleware.auth_test_result = checked

    async def _token_checked(
        self, call: Awaitable[AsyncSlackResponse], *, rejected: str, failed: str, unreachable: str
    ) -> AsyncSlackResponse | None:
        """The response to a call made at start; ConfigError(`rejected`) when Slack rejects the token
        itself, None with a warning (`failed`, `unreachable`) when a retry may still work."""
        try:
            return await call
        except SlackApiError as error:
            code = error.response.get("error")
            if code in _TOKEN_ERRORS:
                await self.close()
                raise ConfigError(rejected.format(code=code)) from None
            log.warning(failed.format(problem=code))
        except UNREACHABLE as error:
            log.warning(unreachable.format(problem=error))
        return None

    async def close(self, *, connections: bool = True) -> None:
        """Stop taking events; with `connections`, close the HTTP connections too. The runtime
        closes those apart (`close_connections`), after the replies in flight are sent."""
        self._closed = True
        for task in (self._connecting, self._url_keeper):
            if task is not None and not task.done():
                task.cancel()
        if self._socket is not None:
            try:
                await self._socket.close_async()
            except (aiohttp.ClientError, OSError, RuntimeError) as error:
                log.warning("closing the Slack socket failed: %s", error)
            self._socket = None
        if connections:
            await self.close_connections()

    async def close_connections(self) -> None:
        """Close what the replies in flight used: the keep-alive connections to Slack and the
        threads claims are written in; a call or a claim made after this opens its own.

        The threads are not waited for: they finish the claims and releases given them (a cut
        claim's release among them), each waiting at most CLAIM_WAIT for the database, and end.
        """
        threads, self._claim_threads = self._claim_threads, None
        if threads is not None:
            threads.shutdown(wait=False)
        session = self.client.session
        if session is not None and not session.closed:
            await session.close()

    @property
    def connected(self) -> bool:
        """Socket Mode: the websocket is open. HTTP mode: started (Slack connects to us)."""
        if self._closed or not self._started:
            return False
        if self.mode != "socket":
            return True
        client = self._socket.client if self._socket else None
        session = client.current_session if client else None
        return bool(client and session is not None and not session.closed and not client.closed and not client.stale)

    def note_token_refused(self, code: str, *, method: str) -> None:
        """Slack refused the bot token (`code`, one of TOKEN_REFUSED) on a call of `method`: the bot
        can post nothing more, which /readyz says from now on, and the log says once."""
        if self.locked_out is not None:
            return
        self.locked_out = f"Slack refused the bot token ({code}) on {method}; {REINSTALL}"
        log.warning(
            "Slack refused SLACK_BOT_TOKEN (%s) on %s: the bot cannot answer or post in Slack any more; "
            "install the app again (Install App), put the new Bot User OAuth Token in SLACK_BOT_TOKEN and "
            "restart the bot",
            code, method,
        )  # fmt: skip

    def _token_refused(self, code: str, method: str) -> None:
        """What the client's TokenRefusalWatch tells: Slack refused the bot token on a call of `method`.
        A refusal while starting is start()'s to report (a ConfigError that stops the bot)."""
        if self._started:
            self.note_token_refused(code, method=method)

    # -- Web API -----------------------------------------------------------------------------

    async def _web(self, method: str, **kwargs: Any) -> AsyncSlackResponse | None:
        """Call a Web API method; on failure log what was being done and return None."""
        response, _ = await self._web_call(method, **kwargs)
        return response

    async def _web_call(
        self, method: str, **kwargs: Any
    ) -> tuple[AsyncSlackResponse, None] | tuple[None, Exception]:
        """Call a Web API method: its response, or (logged with what was being done) its error."""
        where = kwargs.get("channel") or kwargs.get("user_id") or "-"
        try:
            return await self.client.api_call(method, json=kwargs), None
        except SlackApiError as error:
            code = status_and_code(error)[1]
            log.error("Slack %s failed for %s: %s", method, where, code or error)
            return None, error
        except UNREACHABLE as error:
            log.error("Slack %s failed for %s: %s: %s", method, where, type(error).__name__, error)
            return None, error

    async def post_blocks(
        self, channel: str, *, blocks: list[dict], text: str, raise_errors: bool = False
    ) -> str | None:
        """Post a message and return its ts. A failure is logged and gives None, or with
        `raise_errors` reaches the caller, for one that retries what is transient (the digest)."""
        if raise_errors:
            response = await self.client.api_call("chat.postMessage", json=_message(channel, text=text, blocks=blocks))
            return response.get("ts")
        return await self._post(channel, blocks=blocks, text=text)

    async def _post(
        self,
        channel: str,
        *,
        text: str,
        blocks: list[dict] | None = None,
        thread_ts: str | None = None,
        fallback: str | None = None,
    ) -> str | None:
        """Post a message and return its ts; where Slack refuses its blocks, `fallback` (else `text`) alone."""
        response, error = await self._web_call(
            "chat.postMessage", **_message(channel, text=text, blocks=blocks, thread_ts=thread_ts)
        )
        if response is None and blocks and _blocks_refused(error):
            # A limit of Slack's the blocks missed: the asker still gets the answer, quote and source, as text.
            log.warning("Slack refused the message's blocks in %s; posting its text alone", channel)
            response, _ = await self._web_call(
                "chat.postMessage", **_message(channel, text=fallback or text, thread_ts=thread_ts)
            )
        return response.get("ts") if response is not None else None

    async def _respond(self, response_url: str | None, *, fallback: str | None = None, **message: Any) -> bool:
        """Send to an interaction's response_url (ephemeral replies, in-place updates); False on failure.

        A 429 is retried after its Retry-After and a 5xx after a short backoff, at most
        RESPOND_ATTEMPTS posts in all; a refusal of the blocks sends `fallback` (else the
        message's text) alone, once; any other refusal is final.
        """
        return await self._send_to_url(response_url, message, once=False, fallback=fallback) == "sent"

    async def _send_to_url(
        self, response_url: str | None, message: dict[str, Any], *, once: bool, fallback: str | None = None
    ) -> Delivery:
        """Send `message` to a response_url, retrying as `_respond` says.

        With `once`, for a message that must not appear twice, nothing that may have posted is
        sent again: a 5xx, a timeout or a connection lost after the request went out is
        "unknown", and only a 429 or a connection never made is retried. A refusal of the
        blocks posted nothing: the text alone is sent then, with or without `once`.
        """
        if not response_url or not isinstance(response_url, str):
            log.error("Slack gave no response_url to reply to")
            return "refused"
        client = AsyncWebhookClient(
            url=response_url, session=self.client.session, retry_handlers=posting_url_retries() if once else None
        )
        delivery = await self._deliver_to_url(client, message, once=once)
        if delivery == "blocks refused":
            log.warning("Slack response_url refused the reply's blocks; sending its text alone")
            text_only = {key: value for key, value in message.items() if key != "blocks"}
            text_only["text"] = fallback or message.get("text") or ""
            delivery = await self._deliver_to_url(client, text_only, once=once)
        return "refused" if delivery == "blocks refused" else delivery

    async def _deliver_to_url(
        self, client: AsyncWebhookClient, message: dict[str, Any], *, once: bool
    ) -> Delivery | Literal["blocks refused"]:
        """Post `message` with `client`, retrying as `_send_to_url` says; "blocks refused" when
        Slack refused the blocks of a message that has some (nothing was posted)."""
        for attempt in range(1, RESPOND_ATTEMPTS + 1):
            try:
                response = await client.send_dict(message)
            except UNREACHABLE as error:
                log.error("Slack response_url failed: %s: %s", type(error).__name__, error)
                return "unknown" if once and may_have_gone_through(error) else "refused"
            if response.status_code == 200:
                return "sent"
            refused = 400 <= response.status_code < 500 and _url_error(response.body) in BLOCKS_REFUSED
            if refused and message.get("blocks"):
                return "blocks refused"
            if once and response.status_code >= 500:
                log.error("Slack response_url answered %s %s; not sent again", response.status_code, response.body)
                return "unknown"
            delay = _retry_delay(response.status_code, response.headers, attempt=attempt)
            if delay is None or attempt == RESPOND_ATTEMPTS:
                log.error(
                    "Slack response_url refused the reply: %s %s (after %d %s)",
                    response.status_code, response.body, attempt, "attempt" if attempt == 1 else "attempts",
                )
                return "refused"
            log.warning("Slack response_url answered %s; retrying in %.1f s", response.status_code, delay)
            await self._sleep(delay)
        return "refused"

    # -- listeners ---------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.bolt_app
        guarded = self._guarded
        app.middleware(self._on_app_rate_limited)
        app.middleware(self._claim_event)
        app.event("app_mention")(guarded(self._on_mention))
        app.event("message")(guarded(self._on_message))
        app.event("app_home_opened")(guarded(self._on_home_opened))
        app.event("app_uninstalled")(self._on_uninstalled)
        app.event("tokens_revoked")(self._on_uninstalled)
        # Slack sends an app only its own commands: whatever the manifest calls /ask is ours.
        app.command(re.compile(r"^/"))(guarded(self._on_ask))
        app.action(ACTION_SHARE)(guarded(self._on_share))
        app.action(ACTION_PATTERNS["suggest"])(guarded(self._on_suggestion))
        app.action(ACTION_PATTERNS["related"])(guarded(self._on_related))
        app.action(ACTION_PATTERNS["example"])(guarded(self._on_example))
        app.action(ACTION_PATTERNS["vote"])(guarded(self._on_vote))
        # The rest is acknowledged: bolt answers a request no listener takes with 404 (and no ack in
        # Socket Mode), so Slack retries the event (app_uninstalled and tokens_revoked reach every
        # app) or shows the user an error (a button of an older message, a shortcut, a modal).
        anything = re.compile(r".*")
        app.event(anything)(self._on_other)
        app.action(anything)(guarded(self._on_unknown_action))
        app.shortcut(anything)(self._on_other)
        app.view(anything)(self._on_other)
        app.view_closed(anything)(self._on_other)
        app.options(anything)(self._on_options)
        app.error(self._on_bolt_error)

    def _guarded(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Route a listener's failure to `_on_error` ourselves.

        bolt's own route resets an already-sent ack when a listener fails before its next
        await, so Slack would see a timeout (and the user an error) instead of our sentence.
        bolt reads the arguments to inject from the wrapped handler's signature.
        """

        @functools.wraps(handler)
        async def run(**kwargs: Any) -> None:
            try:
                await handler(**kwargs)
            except Exception as error:  # noqa: BLE001 - the one place the unexpected is handled
                await self._on_error(error, kwargs.get("body") or {})

        return run

    async def _on_app_rate_limited(self, body: dict[str, Any], next: Callable[[], Any]) -> BoltResponse | None:  # noqa: A002
        """Slack's notice that it is holding back the workspace's events: the one sign that
        questions go unanswered because they never arrive. bolt has no listener for it (a 404)."""
        if body.get("type") != "app_rate_limited":
            return await next()
        log.warning(
            "Slack is holding back events for team %s: the app received more than Slack's limit of "
            "events an hour there, so some mentions and DMs are not delivered to the bot",
            body.get("team_id") or "-",
        )
        return BoltResponse(status=200, body="")

    # The database calls below run in a worker thread: SQLite waits while another process (a
    # second `serve`, `digest send`) holds the database, and on the event loop that wait would
    # hold up every other event's acknowledgement, which Slack wants within 3 s. Claims and
    # releases have threads of their own (CLAIM_THREADS): in the default executor, an
    # acknowledgement queued behind answers and votes, each as slow as the database.

    async def _in_claim_thread(self, call: Callable[[str], Any], key: str) -> Any:
        if self._claim_threads is None:
            self._claim_threads = ThreadPoolExecutor(max_workers=CLAIM_THREADS, thread_name_prefix="slack-claims")
        return await asyncio.get_running_loop().run_in_executor(self._claim_threads, call, key)

    async def _claim(self, key: str) -> bool:
        """`self.events.claim(key)` in a claim thread.

        Cut meanwhile (a stop), the thread still writes the claim, and nothing comes of it: it
        is let go once written, or the event's retry, the edited message or the button would
        count as handled for a day.
        """
        claiming = asyncio.ensure_future(self._in_claim_thread(self.events.claim, key))
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            if await claiming:
                await self._release(key)
            raise

    async def _release(self, key: str) -> None:
        """`self.events.release(key)` in a claim thread."""
        await self._in_claim_thread(self.events.release, key)

    async def _ask(self, question: str, *, user_id: str | None) -> Answer:
        """Answer `question` in a worker thread, where the question log writes its row."""
        return await asyncio.to_thread(self.service.ask, question, platform=PLATFORM, user_id=user_id)

    async def _claim_event(self, body: dict[str, Any], next: Callable[[], Any]) -> BoltResponse | None:  # noqa: A002
        """Let the first delivery of an event through; bolt injects `next` by that name."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await self._claim(str(event_id)):
            log.info("Slack event %s already handled; skipping the retry", event_id)
            # A 200 tells Slack the event was delivered, so it stops retrying.
            return BoltResponse(status=200, body="")
        return await next()

    async def _answer_event(
        self, event: dict[str, Any], *, bot_user_id: str | None, thread_ts: str | None, in_channel: bool = False
    ) -> None:
        """Answer a mention (`in_channel`) or a DM; over the rate limit, a mention in a channel is
        told when to come back in a message only the asker sees, as every other surface does."""
        text = event.get("text") or ""
        if not text.strip():
            # Another app posting for its user may send blocks alone: the words are in them.
            text = from_rich_text(event.get("blocks"))
        question = from_mrkdwn(text, bot_user_id=bot_user_id)
        channel = event["channel"]
        # Slack sends app_mention again, with a new event_id, each time a message naming the bot is
        # edited: one answer per message, so an edit that adds the mention is still answered.
        ts = event.get("ts")
        claim = f"message:{channel}:{ts}" if ts else None
        if claim and not await self._claim(claim):
            log.info("Slack message %s in %s already answered; the edit is not asked again", ts, channel)
            return
        bounded = bound_question(question)
        answer = None if bounded is None else await self._ask(bounded, user_id=event.get("user"))
        if claim and (answer is None or answer.status == "limited"):
            # Not answered: told to shorten the question or to wait, the asker may edit the message.
            await self._release(claim)
        if answer is None:
            await self._post(channel, text=TOO_LONG, thread_ts=thread_ts)
            return
        if answer.status == "limited" and in_channel and isinstance(event.get("user"), str):
            ephemeral: dict[str, Any] = {"channel": channel, "user": event["user"], "text": to_text(answer)}
            ephemeral["blocks"] = to_blocks(answer)
            if thread_ts:
                ephemeral["thread_ts"] = thread_ts
            await self._web("chat.postEphemeral", **ephemeral)
            return
        command = self.settings.slack_command
        await self._post(
            channel,
            blocks=to_blocks(answer, command=command),
            text=to_text(answer, command=command),
            thread_ts=thread_ts,
            fallback=to_mrkdwn(answer, command=command),
        )

    async def _on_mention(self, event: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        if _from_bot(event):
            return
        subtype = event.get("subtype")
        if subtype and subtype not in _WRITTEN_SUBTYPES:
            # Slack's notices in someone's name that name the bot ("set the channel topic: ask
            # <@bot>", a pin, a reminder) are mentions too, but nobody asked anything.
            log.info("Slack %s message naming the bot in %s is not a question; not answered", subtype, event.get("channel"))
            return
        delay = _edit_delay(event)  # Slack sends an edit of a message naming the bot as a new mention
        if delay is not None and delay > EDIT_WINDOW:
            log.info(
                "Slack message %s in %s edited long after it was written; not asked", event.get("ts"), event.get("channel")
            )
            return
        await self._answer_event(
            event, bot_user_id=context.bot_user_id, thread_ts=event.get("thread_ts") or event["ts"], in_channel=True
        )

    async def _on_message(self, event: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        # Only direct messages: channel messages reach us as app_mention when they name the bot.
        subtype = event.get("subtype")
        if event.get("channel_type") != "im":
            return
        if subtype == "message_changed":
            edited = _edited_dm(event)
            if edited is not None and edited.get("user") != context.bot_user_id:
                # A message with replies carries its own ts as thread_ts: it is answered in the DM
                # itself, as it was when first written; a reply in a thread, in that thread.
                thread_ts = edited.get("thread_ts")
                thread_ts = None if thread_ts == edited.get("ts") else thread_ts
                await self._answer_event(edited, bot_user_id=context.bot_user_id, thread_ts=thread_ts)
            return
        if (subtype and subtype not in _WRITTEN_SUBTYPES) or _from_bot(event):
            return
        await self._answer_event(event, bot_user_id=context.bot_user_id, thread_ts=event.get("thread_ts"))

    async def _on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        await self._web("views.publish", user_id=event["user"], view=home_view(self.service.engine.topics(), command=self.settings.slack_command))

    async def _on_ask(self, ack: Callable[..., Any], command: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        url = command.get("response_url")
        question = from_mrkdwn(command.get("text") or "")
        # The help names the command as typed: a workspace may call it otherwise than the manifest.
        typed = command.get("command") if isinstance(command.get("command"), str) else self.settings.slack_command
        if not question or question.lower() in HELP_WORDS:
            answer = self.service.engine.help(question)
            await self._respond(
                url,
                response_type="ephemeral",
                blocks=to_blocks(answer, command=typed),
                text=to_text(answer, command=typed),
                fallback=to_mrkdwn(answer, command=typed),
            )
            return
        bounded = bound_question(question)
        if bounded is None:
            await self._respond(url, response_type="ephemeral", text=TOO_LONG)
            return
        answer = await self._ask(bounded, user_id=command.get("user_id"))
        await self._respond(
            url,
            response_type="ephemeral",
            blocks=to_blocks(answer, share=True, show_question=True, command=typed),
            text=to_text(answer, command=typed),
            fallback=to_mrkdwn(answer, show_question=True, command=typed),
        )

    # -- buttons -----------------------------------------------------------------------------

    def _fact_answer(self, data: dict[str, Any], *, keep_score: bool = False) -> Answer | None:
        """The answer a button names, by the fact id in its value; None if the id is unknown."""
        fact_id = data.get("f")
        if not isinstance(fact_id, str) or not _FACT_ID.match(fact_id):
            return None
        # The bot writes a question it bounded; a longer one was made up, and is not read.
        question = bound_question(data["q"]) if isinstance(data.get("q"), str) else None
        answer = self.service.engine.answer_fact(fact_id, question=question or None)
        if answer is not None and keep_score:
            answer = answer.model_copy(update={"score": _score(data.get("s"), default=answer.score)})
        return answer

    async def _on_share(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        url = body.get("response_url")
        answer = self._fact_answer(decode_value(action.get("value")), keep_score=True)
        if answer is None:
            await self._respond(url, response_type="ephemeral", replace_original=False, text=GONE)
            return
        channel = _channel_of(body)
        user_id = _object(body.get("user")).get("id")
        message_ts = _object(body.get("container")).get("message_ts")
        # A double click sends the click twice: the answer is shared once.
        click = f"share:{channel}:{message_ts}:{user_id}" if channel and message_ts and user_id else None
        if click and not await self._claim(click):
            log.info("Slack share of message %s in %s already under way or done; not shared again", message_ts, channel)
            return
        blocks = to_blocks(answer, asked_by=user_id)
        # `/ask` typed in a thread answers in that thread: shared, the answer belongs there too.
        thread_ts = _string(_object(body.get("container")).get("thread_ts"))
        shared = await self._post_for_click(
            click,
            channel=channel,
            url=url,
            blocks=blocks,
            text=to_text(answer),
            thread_ts=thread_ts,
            fallback=to_mrkdwn(answer, asked_by=user_id),
        )
        if shared == "sent":
            await self._respond(url, delete_original=True)
        elif shared == "unknown":
            log.warning("a shared answer may or may not be in %s; not posted again", channel)
            if click:
                # The asker is told to check the channel before sharing again: a click after that
                # is theirs to make (the claim only had to outlast this click's own post).
                await self._release(click)
            await self._respond(url, response_type="ephemeral", replace_original=False, text=SHARE_UNSURE)
        else:
            if click:
                await self._release(click)  # nothing was posted: once the bot is invited, a click shares it
            await self._respond(url, response_type="ephemeral", replace_original=False, text=CANT_SHARE)

    async def _post_for_click(
        self,
        claim: str | None,
        *,
        channel: str | None,
        url: Any,
        blocks: list[dict],
        text: str,
        thread_ts: str | None,
        fallback: str,
    ) -> Delivery:
        """Post a clicked answer in `channel`; where Slack refused it (the bot is no member of a
        private channel, or of a DM an answer was shared into), through the click's response_url,
        which posts there for the user. After a post that may have gone through, one by the URL
        would be a second.

        A stop that cuts the post frees the click's `claim`: whether it went through is unknown,
        and the user, who can see, may click again after the restart, where a claim kept would
        ignore the button (or call the answer already there) for a day.
        """
        try:
            posted: Delivery = "refused"
            if channel is not None:
                posted = await self._post_once(
                    channel, blocks=blocks, text=text, thread_ts=thread_ts, fallback=fallback
                )
            if posted == "refused":
                reply: dict[str, Any] = {"response_type": "in_channel", "replace_original": False, "blocks": blocks, "text": text}
                if thread_ts:
                    reply["thread_ts"] = thread_ts
                posted = await self._send_to_url(url, reply, once=True, fallback=fallback)
            return posted
        except asyncio.CancelledError:
            if claim:
                await self._release(claim)
            raise

    async def _post_once(
        self, channel: str, *, blocks: list[dict], text: str, thread_ts: str | None = None, fallback: str | None = None
    ) -> Delivery:
        """Post a message with chat.postMessage, telling a refusal from a failure after which it may
        be there; where Slack refuses its blocks (nothing posted), `fallback` (else `text`) alone."""
        response, error = await self._web_call(
            "chat.postMessage", **_message(channel, text=text, blocks=blocks, thread_ts=thread_ts)
        )
        if response is None and _blocks_refused(error):
            log.warning("Slack refused the message's blocks in %s; posting its text alone", channel)
            response, error = await self._web_call(
                "chat.postMessage", **_message(channel, text=fallback or text, thread_ts=thread_ts)
            )
        if response is not None:
            return "sent"
        return "unknown" if may_have_gone_through(error) else "refused"

    async def _on_suggestion(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        """Answer the suggested question in place of the "I don't know" message."""
        await ack()
        answer = self._fact_answer(decode_value(action.get("value")))
        container = _object(body.get("container"))
        url = body.get("response_url")
        if answer is None:
            await self._respond(url, response_type="ephemeral", replace_original=False, text=GONE)
            return
        if container.get("is_ephemeral"):
            await self._respond(
                url,
                replace_original=True,
                blocks=to_blocks(answer, share=True, show_question=True),
                text=to_text(answer),
                fallback=to_mrkdwn(answer, show_question=True),
            )
            return
        blocks, text = to_blocks(answer), to_text(answer)
        updated = await self._web(
            "chat.update", channel=_channel_of(body), ts=container.get("message_ts"), blocks=blocks, text=text
        )
        if updated is None:
            # Refused (the bot left the channel, an answer shared where it is no member) or not
            # answered: the click's response_url can still replace the message it was on.
            await self._respond(url, replace_original=True, blocks=blocks, text=text, fallback=to_mrkdwn(answer))

    async def _on_related(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        """Answer a related fact in a new message beside the clicked one."""
        await ack()
        data = decode_value(action.get("value"))
        await self._answer_beside(body, lambda: self._fact_answer({"f": data.get("f")}), button=action.get("action_id"))

    async def _on_example(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        """Ask a help reply's example question, answering beside the help message."""
        await ack()
        question = decode_value(action.get("value")).get("q")
        user_id = _object(body.get("user")).get("id")

        def ask() -> Answer | None:
            if isinstance(question, str) and (bounded := bound_question(question)):
                return self.service.ask(bounded, platform=PLATFORM, user_id=user_id)
            return None

        await self._answer_beside(body, ask, button=action.get("action_id"))

    async def _answer_beside(
        self, body: dict[str, Any], answer_of: Callable[[], Answer | None], *, button: Any = None
    ) -> None:
        """Post `answer_of()` beside the clicked message; a click already answered there (a double
        click, or a second person) is told so before anything is asked, logged or counted."""
        url = body.get("response_url")
        container = _object(body.get("container"))
        if container.get("is_ephemeral"):
            answer = await asyncio.to_thread(answer_of)
            if answer is None:
                await self._respond(url, response_type="ephemeral", replace_original=False, text=GONE)
                return
            await self._respond(
                url,
                response_type="ephemeral",
                replace_original=False,
                blocks=to_blocks(answer, share=True, show_question=True),
                text=to_text(answer),
                fallback=to_mrkdwn(answer, show_question=True),
            )
            return
        channel = _channel_of(body)
        message = _object(body.get("message"))
        if channel is None:
            log.error("Slack button payload without a channel: %s", container)
            return
        # In a channel, keep follow-ups in the answer's thread; a DM has no need for threads.
        thread_ts = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
        ts = message.get("ts")
        click = f"beside:{channel}:{ts}:{button}" if ts and isinstance(button, str) else None
        if click and not await self._claim(click):
            log.info("Slack button %s on message %s in %s answered already; not posted again", button, ts, channel)
            await self._respond(url, response_type="ephemeral", replace_original=False, text=ALREADY_BESIDE)
            return
        try:
            answer = await asyncio.to_thread(answer_of)
        except BaseException:
            if click:
                await self._release(click)  # the button stays free, not "in the thread already" for a day
            raise
        if answer is None or answer.status == "limited":
            # No answer (a fact gone, an asker told to wait, only them): the button stays free.
            if click:
                await self._release(click)
            if answer is None:
                await self._respond(url, response_type="ephemeral", replace_original=False, text=GONE)
            else:
                await self._respond(
                    url, response_type="ephemeral", replace_original=False, blocks=to_blocks(answer), text=to_text(answer)
                )
            return
        posted = await self._post_for_click(
            click,
            channel=channel,
            url=url,
            blocks=to_blocks(answer),
            text=to_text(answer),
            thread_ts=thread_ts,
            fallback=to_mrkdwn(answer),
        )
        if posted == "refused":
            await self._respond(url, response_type="ephemeral", replace_original=False, text=CANT_SHARE)
        if posted == "unknown":
            # As for a share: the clicker is told to look before clicking again, not left with nothing.
            log.warning("a related answer may or may not be in %s; not posted again", channel)
            await self._respond(url, response_type="ephemeral", replace_original=False, text=BESIDE_UNSURE)
        if posted != "sent" and click:
            await self._release(click)  # nothing known to be posted: a click later may try again

    async def _on_vote(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        vote = "up" if action.get("action_id") == "vote:up" else "down"
        data = decode_value(action.get("value"))
        container = _object(body.get("container"))
        user_id = _object(body.get("user")).get("id")
        question = data.get("q")
        fact_id = data.get("f")
        if not user_id or not isinstance(question, str):
            log.warning("Slack vote without a user or question: %s", data)
            return
        if fact_id is not None and self.service.engine.fact(str(fact_id)) is None:
            # Only a vote on a fact of the base (or on an "I don't know") is worth a curator's
            # time; any other id was made up, or is of a fact since removed.
            log.info("Slack vote for fact %r, which the fact base does not hold; not recorded", fact_id)
            await self._respond(body.get("response_url"), response_type="ephemeral", replace_original=False, text=GONE)
            return
        await asyncio.to_thread(
            self.feedback.record_vote,
            platform=PLATFORM,
            message_ref=f"{_channel_of(body)}:{container.get('message_ts')}",
            user_id=user_id,
            question=question,
            fact_id=fact_id,
            score=_score(data.get("s")),
            vote=vote,
        )
        await self._respond(body.get("response_url"), response_type="ephemeral", replace_original=False, text=THANKS[vote])

    async def _on_unknown_action(
        self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any] | None
    ) -> None:
        """A button the bot doesn't make (now): acknowledge it and tell the clicker, as for a fact that is gone."""
        await ack()
        log.info("Slack action %s is not one of ours; ignored", _object(action).get("action_id"))
        if body.get("type") == "block_actions" and body.get("response_url"):
            await self._respond(body["response_url"], response_type="ephemeral", replace_original=False, text=GONE)

    async def _on_uninstalled(self, ack: Callable[..., Any], body: dict[str, Any], event: dict[str, Any]) -> None:
        """Slack's notice that the app was removed from a workspace, or its bot token revoked: from
        then on Slack sends nothing more and refuses every post, while the bot looks healthy."""
        await ack()
        team = body.get("team_id") or "-"
        if event.get("type") == "app_uninstalled":
            what = f"the app was uninstalled from team {team}"
        elif _object(event.get("tokens")).get("bot"):
            what = f"the bot token was revoked in team {team}"
        else:  # user tokens only: the bot has none
            log.info("Slack tokens_revoked for user tokens only in team %s; ignored", team)
            return
        self.locked_out = f"{what}; {REINSTALL}"
        log.warning(
            "%s: the bot gets no more questions there and cannot answer; install the app again "
            "(Install App), put the new Bot User OAuth Token in SLACK_BOT_TOKEN and restart the bot",
            what,
        )

    async def _on_other(self, ack: Callable[..., Any], body: dict[str, Any]) -> None:
        """Acknowledge what the bot has no use for, so Slack neither retries it nor shows an error."""
        await ack()
        log.info("Slack %s ignored", _object(body.get("event")).get("type") or body.get("type"))

    async def _on_options(self, ack: Callable[..., Any], body: dict[str, Any]) -> None:
        """A select menu loading its options: the bot makes none, so the list is empty, not an error."""
        await ack(options=[])
        log.info("Slack %s ignored", body.get("type"))

    # -- errors ------------------------------------------------------------------------------

    async def _on_bolt_error(self, error: Exception, body: dict[str, Any], request: AsyncBoltRequest) -> BoltResponse | None:
        """bolt's failures. Slack not reached while bolt asks it who the bot is (auth.test refused,
        reset or timed out before it answered) is answered as bolt answers Slack failing that call:
        with the apology, which a command shows its user and which turns an event into a 503 or
        no acknowledgement (`_handle_http`, `_SocketHandler`), so that Slack sends it again. As a
        failure like any other it was a 500 with a traceback, and an apology posted in the
        thread of a mention that Slack then sent again and the bot answered."""
        if isinstance(error, UNREACHABLE) and request.context.authorize_result is None:
            log.warning(
                "Slack could not be asked who the bot is (auth.test: %s: %s); the request was not handled",
                type(error).__name__, error,
            )
            return BoltResponse(status=200, body=SORRY)
        await self._on_error(error, body)
        return None

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        """The one place an unexpected failure becomes words for the user: log it, say sorry once."""
        body = body if isinstance(body, dict) else {}
        event = _object(body.get("event"))
        kind = event.get("type") or body.get("type") or body.get("command") or "request"
        log.error(
            "Slack %s failed (team %s, channel %s): %s",
            kind,
            body.get("team_id") or _object(body.get("team")).get("id"),
            event.get("channel") or _channel_of(body) or body.get("channel_id"),
            error,
            exc_info=error,
        )
        if body.get("response_url"):
            await self._respond(body["response_url"], response_type="ephemeral", replace_original=False, text=SORRY)
        elif event.get("type") in ("app_mention", "message") and event.get("channel") and not _from_bot(event):
            thread_ts = event.get("thread_ts") or (None if event.get("channel_type") == "im" else event.get("ts"))
            await self._post(event["channel"], text=SORRY, thread_ts=thread_ts)


def _message(
    channel: str, *, text: str, blocks: list[dict] | None = None, thread_ts: str | None = None
) -> dict[str, Any]:
    """A chat.postMessage body: no unfurls, so a quoted link never grows a preview."""
    message: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False, "unfurl_media": False}
    if blocks:
        message["blocks"] = blocks
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message


def _blocks_refused(error: Exception | None) -> bool:
    """Whether a Web API call failed because Slack refused the message's blocks (nothing was posted)."""
    return isinstance(error, SlackApiError) and status_and_code(error)[1] in BLOCKS_REFUSED


def _url_error(body: object) -> str | None:
    """The error a response_url answered: its body, a bare word ("invalid_blocks"), or the `error`
    of a JSON object."""
    if not isinstance(body, str):
        return None
    text = body.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        return error if isinstance(error, str) else None
    return text or None


def _retry_delay(status: int, headers: Mapping[str, Any], *, attempt: int) -> float | None:
    """Seconds to wait before posting to a response_url again, or None when a retry can't help.

    A 429 waits its Retry-After (one second without one), unless that is longer than
    RETRY_AFTER_MAX; a 5xx backs off from SERVER_ERROR_BACKOFF. Other statuses are final.
    """
    if status == 429:
        seconds = retry_after(headers)
        seconds = 1.0 if seconds is None else seconds
        return seconds if seconds <= RETRY_AFTER_MAX else None
    if 500 <= status < 600:
        return SERVER_ERROR_BACKOFF * 2 ** (attempt - 1)
    return None


def next_reconnect_wait(wait: float, *, first: float = RECONNECT_WAIT) -> float:
    """The wait after `wait` for a websocket URL that gave no connection: doubled, at most
    RECONNECT_WAIT_MAX (or `first`, if that is longer)."""
    return min(wait * 2, max(RECONNECT_WAIT_MAX, first))


def _api_url(url: str | None) -> str:
    """SLACK_API_URL (or Slack's) as slack_sdk joins method names to it: ending in a slash."""
    url = url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = _object(body.get("channel")).get("id") or _object(body.get("container")).get("channel_id")
    return channel if isinstance(channel, str) else None


def _string(value: object) -> str | None:
    """`value` if it is a non-empty string, else None: a payload's words are read without trusting their type."""
    return value if isinstance(value, str) and value else None


def _object(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: payload fields are read without trusting their type."""
    return value if isinstance(value, dict) else {}


def _score(value: object, *, default: float = 0.0) -> float:
    """A match score from a button value, within 0..1; `default` for anything else, NaN included."""
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return min(max(score, 0.0), 1.0) if math.isfinite(score) else default
