"""Discord: `/ask` with live autocomplete, `/topics`, `/digest`, mentions, and the answer buttons.

`DiscordBot` is what the runtime starts and stops. Inside it, `FactbotClient` (a
`discord.Client` with a command tree) routes gateway events to `Responder`, which turns them
into questions for the engine and answers them as embeds (as plain text in a channel where the
bot may not embed links). Every send goes out with `AllowedMentions.none()`, set once on the
client, so no user text can ping anyone, and waits out a rate limit of at most REPLY_MAX_WAIT
seconds: one longer is a send not made, logged in one line.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence, TypeVar

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from adapters.discord_embeds import (
    CHOICES_MAX,
    CONTENT_MAX,
    EMBEDS_PER_MESSAGE,
    ButtonAction,
    clip,
    from_discord_markup,
    parse_custom_id,
    question_of,
    to_choices,
    to_embeds,
    to_help_embed,
    to_plain_content,
    to_text,
    to_view,
)
from adapters.in_flight import finish_or_cut
from bot.config import Settings
from bot.db import Database
from bot.errors import BotError, ConfigError, UsageError
from bot.feedback import FeedbackStore
from bot.logging_setup import TracebackCutter
from bot.rate_limit import OncePerWindow
from bot.service import AskService
from bot.terminal import MAX_QUESTION_CHARS, TOO_LONG, bound_question
from bot.text import reads_as_question, words

log = logging.getLogger(__name__)

PLATFORM = "discord"
EDIT_WINDOW_SECONDS = 3600.0
"""A message edited to mention the bot, or a question left unanswered (told it was too long, or
to wait) and edited since, is answered when edited within this of being written, as on Slack: an
old message found in the cache and edited days later asks nothing now."""
DEFER_AFTER = 2.0
"""Seconds to wait for an answer before deferring; Discord allows 3 for the first response."""
COMPLETE_WITHIN = 2.0
"""Seconds `/ask`'s suggestions may take before an empty list goes instead: Discord drops an
autocomplete request not answered within 3."""
READY_TIMEOUT = 2.0
"""Seconds discord.py waits for the guilds after READY before it calls the client ready."""
UNKNOWN_INTERACTION = 10062
ALREADY_ANSWERED = 40060
"""An interaction acknowledged already: by another process running with the same token, which
Discord sends the same interactions to."""
CANNOT_REPLY = 160002
"""Discord refuses a reply (a message referencing another) from a bot that may not read the channel's history."""
UNKNOWN_MESSAGE = 10008
INVALID_FORM_BODY = 50035
"""With an error on `message_reference`: the message replied to is gone (as 10008 Unknown Message says too)."""
SNOWFLAKE_MAX = 2**64 - 1
RATE_LIMIT_TRIES = 3
RATE_LIMIT_MAX_WAIT = 10.0
"""A 429 asking to wait longer than this is not waited out: it is a failure like any other."""
REPLY_MAX_WAIT = 30.0
"""The longest wait a rate limit of Discord's own is waited out for, before a send (the least
discord.py's `max_ratelimit_timeout` allows). A longer one raises discord.RateLimited: the send
is not made, and a reply held for minutes or hours would come too late to be of use."""
UNANSWERED_KEPT = 10_000
"""At most this many messages left unanswered are remembered (for an edit), the oldest forgotten first."""
RECONNECT_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Seconds before connecting again after the gateway connection ended unexpectedly, one per attempt."""
REPLY_GRACE = 5.0
"""Seconds `DiscordBot.close` gives the replies in flight before it cuts them."""
LEAVE_TIMEOUT = 5.0
"""Seconds to wait for the gateway connection to end when the bot leaves it."""
CLOSED_FOR_GOOD = {
    4004: ("authentication failed", "DISCORD_TOKEN is no longer a valid bot token; copy it again from the Developer Portal"),
    4010: ("invalid shard", "the bot connects as a single shard; check that DISCORD_GATEWAY_URL is Discord's gateway"),
    4011: ("sharding required", "the bot is in too many servers for one gateway connection, which is all it opens"),
    4012: ("invalid API version", "check that DISCORD_GATEWAY_URL is Discord's gateway, and update discord.py"),
    4013: ("invalid intents", "Discord does not accept the intents the bot asks for; update discord.py"),
    4014: ("disallowed intents", "enable the bot's intents in the Developer Portal, under Bot > Privileged Gateway Intents"),
}
"""The gateway close codes after which connecting again cannot help, each with its meaning and fix."""
NONCE_MAX = 25
WRITTEN_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
"""Messages a person wrote. The others are Discord's notices in that person's name: a pin in a
direct message with the bot ("pinned a message"), a poll's result, a thread created. Discord
refuses a reply to most of them (50035 "Cannot reply to a system message"), and none asks anything."""
NO_DIGEST = "The daily digest is not set up here."
EMPTY_DIGEST = "There is no digest for this channel today."
SOMETHING_WRONG = "Sorry, something went wrong on my side; please try again."
GONE = "That question is no longer in my fact base; try /ask."
NOT_A_FORM = "That form is not one I handle; try /ask."
UNREADABLE = "I could not read that request; please try again."
OUTDATED = (
    "That command is out of date on this server; try again in a minute, or mention me with your question."
)
THANKS = {"up": "Thanks, noted 👍", "down": "Thanks, noted 👎; the people who curate my answers will look at it."}
SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)

DigestProvider = Callable[[str], "list[discord.Embed] | None"]
T = TypeVar("T")


# -- settings ------------------------------------------------------------------------------


def check_token(token: str | None) -> str:
    """DISCORD_TOKEN as discord.py sends it; ConfigError when it is missing or cannot be a bot token."""
    token = (token or "").strip()
    if not token:
        raise ConfigError("DISCORD_TOKEN is not set; give the bot token from the Discord Developer Portal")
    if token.lower().startswith("bot "):
        raise ConfigError("DISCORD_TOKEN is invalid: give the token alone, without the 'Bot ' in front of it")
    # The token goes into an HTTP header: spaces, line breaks, control or non-ASCII characters
    # would make every request fail before it reaches Discord.
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        raise ConfigError(
            "DISCORD_TOKEN is invalid: it holds spaces, line breaks or other characters a bot token never has; "
            "copy it again from the Discord Developer Portal"
        )
    return token


def parse_guild_ids(value: str | None) -> list[int]:
    """DISCORD_GUILD_IDS as server ids; a malformed list is a ConfigError naming the bad part."""
    ids: list[int] = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"[0-9]{1,20}", part) or not 0 < int(part) <= SNOWFLAKE_MAX:
            raise ConfigError(
                f"DISCORD_GUILD_IDS is invalid: {part[:40]!r} is not a server id; "
                "give comma-separated numeric ids such as 123456789012345678"
            )
        if int(part) not in ids:
            ids.append(int(part))
    return ids


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_URL and DISCORD_GATEWAY_URL when they are set.

    Both are class attributes discord.py reads on every request and connection, so this
    applies to the whole process.
    """
    if settings.discord_api_url:
        url = settings.discord_api_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(
                "DISCORD_API_URL is invalid: it must start with http:// or https:// "
                "(for example https://discord.com/api/v10)"
            )
        discord.http.Route.BASE = url
    if settings.discord_gateway_url:
        url = settings.discord_gateway_url.strip()
        if not url.startswith(("ws://", "wss://")):
            raise ConfigError(
                "DISCORD_GATEWAY_URL is invalid: it must start with ws:// or wss:// "
                "(for example wss://gateway.discord.gg/)"
            )
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


def _intents() -> discord.Intents:
    """Only what the bot uses: no privileged intent (a mention's text arrives without one)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return intents


# -- failures ------------------------------------------------------------------------------


_VALUE_OPTION_TYPES = frozenset(range(3, 12))
"""Option types that carry a value (string, integer, boolean, user, ...); 1 and 2 hold options."""


def _context(interaction: discord.Interaction) -> str:
    data = interaction.data if isinstance(interaction.data, dict) else {}
    what = data.get("name") or data.get("custom_id") or "?"
    return (
        f"interaction {interaction.id} ({interaction.type.name} {what}) "
        f"in guild {interaction.guild_id} channel {interaction.channel_id}"
    )


def _options_readable(options: Any, *, depth: int = 0) -> bool:
    if options is None:
        return True
    if not isinstance(options, list) or depth > 2:
        return False
    for option in options:
        if not isinstance(option, dict) or not isinstance(option.get("name"), str):
            return False
        kind = option.get("type")
        if kind in (1, 2):
            if not _options_readable(option.get("options"), depth=depth + 1):
                return False
        elif kind not in _VALUE_OPTION_TYPES or "value" not in option:
            return False
    return True


def _has_user(interaction: discord.Interaction) -> bool:
    # Without `member` or `user` in the payload, discord.py leaves a falsy placeholder.
    return bool(interaction.user) and isinstance(getattr(interaction.user, "id", None), int)


def readable_command(interaction: discord.Interaction) -> bool:
    """Whether a command or autocomplete interaction has what discord.py needs to route it.

    Discord always sends a user, a command name and well-formed options; without them
    discord.py fails in a task of its own, leaving the interaction unanswered.
    """
    data = interaction.data
    return (
        _has_user(interaction)
        and isinstance(data, dict)
        and isinstance(data.get("name"), str)
        and _options_readable(data.get("options"))
    )


def _is_unknown_interaction(error: BaseException) -> bool:
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


async def retry_after(error: discord.HTTPException) -> float | None:
    """The seconds a 429 asks to wait: its `retry_after`, else its Retry-After header; None if neither."""
    if error.status != 429 or error.response is None:
        return None
    return await asked_wait(error.response)


async def asked_wait(response: Any) -> float | None:
    """The seconds a response asks to wait: its body's `retry_after`, else its Retry-After header;
    None if neither."""
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError, RuntimeError):
        body = None
    wait = _number(body.get("retry_after")) if isinstance(body, dict) else None
    if wait is None:
        wait = _number(getattr(response, "headers", {}).get("Retry-After"))
    return wait


def held_off(error: discord.RateLimited) -> str:
    """Why a send was not made, with the wait Discord asked for."""
    return (
        f"Discord rate limits the bot and asks it to wait {math.ceil(error.retry_after)} s (Retry-After), "
        f"longer than the {REPLY_MAX_WAIT:.0f} s the bot waits"
    )


class _WaitBoundSession:
    """An aiohttp session as discord.py's webhook adapter uses it, whose 429s from Discord asking
    to wait longer than `max_wait` raise discord.RateLimited instead of reaching the adapter."""

    def __init__(self, session: aiohttp.ClientSession, *, max_wait: float) -> None:
        self._session = session
        self._max_wait = max_wait

    @asynccontextmanager
    async def request(self, method: str, url: Any, **kwargs: Any) -> AsyncIterator[aiohttp.ClientResponse]:
        async with self._session.request(method, url, **kwargs) as response:
            # Only Discord's own 429s carry `Via`, and only those would the adapter wait out;
            # one from a proxy reaches `with_retry` as an HTTPException.
            if response.status == 429 and response.headers.get("Via"):
                wait = await asked_wait(response)
                if wait is not None and wait > self._max_wait:
                    raise discord.RateLimited(wait)
            yield response


class WaitBoundWebhookAdapter(AsyncWebhookAdapter):
    """discord.py's sender of interaction replies (responses, deferrals, follow-ups, edits),
    waiting out a rate limit only up to `max_wait` seconds: a longer one raises discord.RateLimited.

    discord.py sends those through this adapter, not through the client's HTTP client, so its
    `max_ratelimit_timeout` does not bound them: the adapter sleeps out whatever a 429 asks.
    """

    def __init__(self, *, max_wait: float = REPLY_MAX_WAIT) -> None:
        super().__init__()
        self.max_wait = max_wait

    async def request(self, route: Any, session: aiohttp.ClientSession, **kwargs: Any) -> Any:
        bounded = _WaitBoundSession(session, max_wait=self.max_wait)
        return await super().request(route, bounded, **kwargs)  # type: ignore[arg-type]


async def with_retry(send: Callable[[], Awaitable[T]], *, what: str) -> T:
    """`send()`, sent again after the wait a 429 asks for, when that wait is short.

    discord.py waits out the 429s that come from Discord itself (they carry a `Via` header);
    one from a proxy in between reaches us as an HTTPException instead. A 429 means the
    request was not carried out, so sending it again never doubles it.
    """
    for attempt in range(1, RATE_LIMIT_TRIES + 1):
        try:
            return await send()
        except discord.HTTPException as error:
            wait = await retry_after(error)
            if wait is None or wait > RATE_LIMIT_MAX_WAIT or attempt == RATE_LIMIT_TRIES:
                raise
            log.warning("%s: Discord asked to wait %.2f s (429 rate limit); sending again then", what, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


async def _reply(interaction: discord.Interaction, *, ephemeral: bool, **message: Any) -> None:
    """Send the interaction's one message: as its response, or after a deferral as what fills
    the "thinking" placeholder.

    The placeholder is filled by editing it, not by a follow-up: discord.py sends a request
    again after a 5xx, and a follow-up Discord carried out before its answer got lost would
    then be posted twice, while an edit made twice is the same message. Its visibility is the
    deferral's. After a deferral that edits the clicked message later, a follow-up is a new one.
    """
    response = interaction.response
    if response.type is discord.InteractionResponseType.deferred_channel_message:
        await with_retry(lambda: interaction.edit_original_response(**message), what="reply")
    elif response.is_done():
        await with_retry(lambda: interaction.followup.send(ephemeral=ephemeral, **message), what="reply")
    else:
        await with_retry(lambda: response.send_message(ephemeral=ephemeral, **message), what="reply")


async def tell(interaction: discord.Interaction, text: str, *, what: str) -> None:
    """Tell the user alone, by the reply or a follow-up; a failure to is logged, never raised."""
    try:
        if interaction.response.is_done():
            await with_retry(lambda: interaction.followup.send(text, ephemeral=True), what=what)
        else:
            await with_retry(lambda: interaction.response.send_message(text, ephemeral=True), what=what)
    except discord.RateLimited as error:
        log.warning("%s: could not tell the user either: %s; %s", what, held_off(error), _context(interaction))
    except SEND_ERRORS as error:
        log.warning("%s: could not tell the user either (%s); %s", what, error, _context(interaction))


async def report_failure(interaction: discord.Interaction, error: BaseException, *, what: str) -> None:
    """The one place a failed interaction is logged and, when still possible, explained to the user.

    After a rate limit too long to wait out, nothing more is sent: all an interaction can still
    send goes to the endpoints Discord has just limited (after a response or a deferral, its
    follow-ups and edits; before one, the response itself), so an apology would be held off too.
    """
    context = _context(interaction)
    if isinstance(error, discord.RateLimited):
        log.error("%s: the reply was not sent: %s; %s", what, held_off(error), context)
        return
    if _is_unknown_interaction(error):
        log.warning("%s: the interaction expired before the reply (10062 Unknown interaction); %s", what, context)
        return
    if isinstance(error, discord.HTTPException) and error.code == ALREADY_ANSWERED:
        # The asker has that process's answer; an apology from this one could only be refused too.
        log.warning(
            "%s: the interaction was answered already (40060), most likely by another process running with "
            "this DISCORD_TOKEN; run one; %s",
            what, context,
        )  # fmt: skip
        return
    if isinstance(error, discord.HTTPException):
        log.error("%s: Discord refused the reply (HTTP %s, code %s: %s); %s", what, error.status, error.code, error.text, context)
    elif isinstance(error, SEND_ERRORS):
        log.error("%s: the reply could not be sent (%s: %s); %s", what, type(error).__name__, error, context)
    else:
        log.error("%s failed; %s", what, context, exc_info=error)
    await tell(interaction, SOMETHING_WRONG, what=what)


# -- embeds or plain text ------------------------------------------------------------------


def may_embed(channel: Any) -> bool:
    """Whether the bot may embed links in `channel` as far as the cache tells: False only when it
    knows the bot lacks Embed Links there. A direct message, or a channel, server or member of
    the bot's not cached, is taken as allowing them, as a send always assumed before."""
    guild = getattr(channel, "guild", None)
    me = getattr(guild, "me", None)
    # A partial channel (one not cached) answers every permission with no: it knows none.
    if me is None or isinstance(channel, discord.PartialMessageable) or not hasattr(channel, "permissions_for"):
        return True
    try:
        return channel.permissions_for(me).embed_links
    except discord.ClientException:  # a thread whose parent channel is not cached
        return True


class EmbedLinks:
    """Where the bot sends embeds and where plain text, with one warning per channel lacking Embed Links.

    Discord does not show the embeds of a bot without Embed Links in a channel (the message
    goes out without them, or is refused when nothing else is left in it), so there the answer
    is sent as plain text. Slash commands and buttons answer through their interaction, which
    Discord lets embed links whatever the channel's permissions: they keep their embeds.
    """

    def __init__(self) -> None:
        self._warned: set[int] = set()

    def allowed(self, channel: Any) -> bool:
        """Whether to send embeds to `channel` as far as the cache tells (`may_embed`); the first
        time it is no, one warning says what to grant."""
        return self.note(getattr(channel, "id", None), permitted=may_embed(channel))

    def note(self, channel_id: int | None, *, permitted: bool) -> bool:
        """`permitted` (whether the bot may embed links in the channel of `channel_id`, found out
        elsewhere: over REST by `digest send`); the first time it is no, the warning `allowed` gives."""
        if permitted:
            self._warned.discard(channel_id)  # granted now: taking it away again is worth a warning again
            return True
        if channel_id not in self._warned:
            self._warned.add(channel_id)
            log.warning(
                "the bot may not embed links in Discord channel %s (no Embed Links permission there), so Discord "
                "would not show its embeds; answers and digests there go out as plain text until the bot is "
                "granted Embed Links in that channel",
                channel_id,
            )
        return False


class LeftUnanswered:
    """The messages the bot did not answer as written, each with the version it left unanswered
    (when that was last edited), for `window` seconds: an edit of one asks a question not answered yet.

    Those are the questions told they were too long, and those asked over the rate limit (told to
    wait, or not told again in a channel that saw the note a moment ago). At most `max_kept` are
    kept, the oldest forgotten first.
    """

    def __init__(
        self,
        *,
        window: float = EDIT_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_kept: int = UNANSWERED_KEPT,
    ) -> None:
        self.window = window
        self.max_kept = max_kept
        self._clock = clock
        self._left: OrderedDict[int, tuple[float, datetime | None]] = OrderedDict()  # id -> (when, version)

    def note(self, message_id: int, *, version: datetime | None) -> None:
        """Remember that `message_id`, as edited at `version` (None: never edited), was left unanswered."""
        self._forget_old()
        self._left.pop(message_id, None)
        while len(self._left) >= self.max_kept:
            self._left.popitem(last=False)
        self._left[message_id] = (self._clock(), version)

    def take(self, message_id: int, *, version: datetime | None) -> bool:
        """Whether `version` of the message is an edit of one left unanswered; if so, that is
        forgotten, so the edit is asked once. An update that is no edit (Discord sends one when it
        adds a link's preview) leaves the version as it was, and is not taken."""
        self._forget_old()
        left = self._left.get(message_id)
        if left is None or version is None or version == left[1]:
            return False
        del self._left[message_id]
        return True

    def _forget_old(self) -> None:
        oldest = self._clock() - self.window
        while self._left and next(iter(self._left.values()))[0] <= oldest:
            self._left.popitem(last=False)


# -- what the bot does ---------------------------------------------------------------------


class Responder:
    """Answers commands, button clicks and mentions; holds no matching logic, only the engine's answers."""

    def __init__(
        self,
        service: AskService,
        feedback: FeedbackStore,
        *,
        defer_after: float = DEFER_AFTER,
        complete_within: float = COMPLETE_WITHIN,
    ) -> None:
        self.service = service
        self.feedback = feedback
        self.defer_after = defer_after
        self.complete_within = complete_within
        self.digest_provider: DigestProvider | None = None
        self.embed_links = EmbedLinks()
        self.unanswered = LeftUnanswered()
        self._wait_notes = OncePerWindow()
        self._slow_notes = OncePerWindow()
        self._completer: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Drop the suggestions still waiting for the autocomplete thread; one being made ends by itself."""
        if self._completer is not None:
            self._completer.shutdown(wait=False, cancel_futures=True)
            self._completer = None

    async def _compute(
        self, interaction: discord.Interaction, work: Callable[[], T], *, ephemeral: bool = False, update: bool = False
    ) -> T:
        """Run `work` off the event loop; defer the interaction when it is not done in time.

        `update` defers a button click as "edit this message later" instead of "thinking".
        """
        task = asyncio.ensure_future(asyncio.to_thread(work))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done and not interaction.response.is_done():
            try:
                if update:
                    await with_retry(lambda: interaction.response.defer(), what="defer")
                else:
                    await with_retry(
                        lambda: interaction.response.defer(thinking=True, ephemeral=ephemeral), what="defer"
                    )
            except BaseException:
                task.add_done_callback(lambda t: t.cancelled() or t.exception())
                raise
        return await task

    async def _send(
        self,
        interaction: discord.Interaction,
        *,
        embeds: list[discord.Embed],
        view: discord.ui.View | None = None,
        ephemeral: bool = False,
    ) -> None:
        kwargs: dict = {"embeds": embeds[:EMBEDS_PER_MESSAGE]}
        if view is not None:
            kwargs["view"] = view
        await _reply(interaction, ephemeral=ephemeral, **kwargs)

    async def _say(self, interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
        await _reply(interaction, content=clip(text, CONTENT_MAX), ephemeral=ephemeral)

    # -- slash commands

    async def ask(self, interaction: discord.Interaction, question: Any) -> None:
        """`/ask`: the answer for everyone in the channel, or a short note to the asker alone."""
        bounded = bound_question(from_discord_markup(_as_text(question)))
        if bounded is None:
            await self._say(interaction, TOO_LONG)
            return
        if not bounded:
            # Only mentions, channels, struck-through text or white space: nothing is asked, and
            # the help that answers that goes to the asker alone, as /topics does.
            await self.topics(interaction)
            return
        user_id = str(interaction.user.id)
        # The limit is checked before any deferral: a deferred reply is seen as its "thinking"
        # placeholder was, so only a refusal known up front can stay with the asker alone. A
        # refusal is logged to the database, which another process may hold: off the event loop.
        limited = await asyncio.to_thread(self.service.admit, bounded, platform=PLATFORM, user_id=user_id)
        if limited is not None:
            await self._send(interaction, embeds=to_embeds(limited), ephemeral=True)
            return
        answer = await self._compute(
            interaction, lambda: self.service.ask(bounded, platform=PLATFORM, user_id=user_id, admitted=True)
        )
        await self._send(interaction, embeds=to_embeds(answer), view=to_view(answer))

    def complete(self, typed: Any) -> list[app_commands.Choice[str]]:
        """Autocomplete for `/ask`: the fact base's questions closest to what is typed, best first."""
        text = _as_text(typed)
        try:
            return to_choices(self.service.engine.complete(text[:MAX_QUESTION_CHARS], limit=CHOICES_MAX))
        except Exception:  # noqa: BLE001 - an empty list beats a dead autocomplete
            log.exception("autocomplete failed for %d typed characters", len(text))
            return []

    async def _choices(self, interaction: discord.Interaction, typed: Any) -> list[app_commands.Choice[str]]:
        """`complete` in a thread of its own; no choices when they are not made within `complete_within`.

        Every keystroke in `/ask` sends a request, and on a big fact base each takes a while (about
        25 ms at p99 at 10,000 facts, 70 ms at 100,000): on the event loop, the gateway and every
        other reply would wait for the whole of each. In a thread, only the part that holds the
        interpreter lock still holds them up, and a burst of requests cannot fill the loop's
        shared threads, which the answers use. The one thread makes them in turn;
        a request still waiting when its time is up is dropped unmade and answered with none.
        """
        if self._completer is None:
            self._completer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="discord-autocomplete")
        made = asyncio.wrap_future(self._completer.submit(self.complete, typed))
        try:
            return await asyncio.wait_for(made, timeout=self.complete_within)
        except asyncio.TimeoutError:
            if self._slow_notes.first("autocomplete"):
                log.warning(
                    "autocomplete: no suggestions within %.1f s, answered with none (the fact base is large or the "
                    "machine busy; at most one such line a minute); %s",
                    self.complete_within, _context(interaction),
                )  # fmt: skip
            return []

    async def suggest(self, interaction: discord.Interaction, typed: Any) -> list[app_commands.Choice[str]]:
        """Answer an autocomplete request with `complete`, made off the event loop; a failed answer
        is one log line.

        Autocomplete requests expire as soon as the user types on, so 10062 "Unknown
        interaction" is routine here and not worth more than a debug line.
        """
        choices = await self._choices(interaction, typed)
        try:
            await with_retry(lambda: interaction.response.autocomplete(choices), what="autocomplete")
        except discord.RateLimited as error:
            _settle(interaction)
            log.warning("autocomplete: the choices were not sent: %s; %s", held_off(error), _context(interaction))
        except SEND_ERRORS as error:
            _settle(interaction)
            if _is_unknown_interaction(error):
                log.debug("autocomplete: the request expired before the choices arrived; %s", _context(interaction))
            elif isinstance(error, discord.HTTPException):
                log.warning(
                    "autocomplete: Discord refused the choices (HTTP %s, code %s: %s); %s",
                    error.status, error.code, error.text, _context(interaction),
                )
            else:
                log.warning(
                    "autocomplete: the choices could not be sent (%s: %s); %s",
                    type(error).__name__, error, _context(interaction),
                )
        return choices

    async def topics(self, interaction: discord.Interaction) -> None:
        """`/topics`: the topics with an example each, to the caller only."""
        await self._send(interaction, embeds=[to_help_embed(self.service.engine.topics())], ephemeral=True)

    async def digest(self, interaction: discord.Interaction) -> None:
        """`/digest`: today's digest for this channel, to the caller only."""
        provider = self.digest_provider
        if provider is None:
            await self._say(interaction, NO_DIGEST)
            return
        keys = [f"{PLATFORM}:{interaction.channel_id}"]
        channel = interaction.channel
        if isinstance(channel, discord.Thread) and channel.parent_id:
            # A thread gets its channel's digest (unless DIGEST_CHANNELS names the thread itself).
            keys.append(f"{PLATFORM}:{channel.parent_id}")

        def digest_here() -> list[discord.Embed] | None:
            return next((embeds for key in keys if (embeds := provider(key)) is not None), None)

        embeds = await self._compute(interaction, digest_here, ephemeral=True)
        if embeds is None:  # not a digest channel
            await self._say(interaction, NO_DIGEST)
            return
        if not embeds:
            await self._say(interaction, EMPTY_DIGEST)
            return
        await self._send(interaction, embeds=list(embeds), ephemeral=True)

    # -- buttons

    async def click(self, interaction: discord.Interaction, action: ButtonAction) -> None:
        """A suggestion answers in place, a related button answers to the clicker, a vote is stored."""
        engine = self.service.engine
        if action.kind == "vote":
            await self._vote(interaction, action)
            return
        if action.kind == "suggest":
            asked = self._asked_on(interaction)
            answer = await self._compute(
                interaction, lambda: engine.answer_fact(action.fact_id, question=asked), update=True
            )
            if answer is None:
                await self._say(interaction, GONE)
                return
            edit: dict[str, Any] = {"embeds": to_embeds(answer), "view": to_view(answer)}
            if _is_plain(interaction.message):
                # A plain-text answer (a channel without Embed Links) stays plain text, and its
                # old text does not stay above the new answer.
                edit.update(content=to_text(answer), embeds=[])
            if interaction.response.is_done():
                await with_retry(lambda: interaction.edit_original_response(**edit), what="edit")
            else:
                await with_retry(lambda: interaction.response.edit_message(**edit), what="edit")
            return
        # Related answers go to the clicker alone, so exploring does not flood the channel.
        answer = await self._compute(interaction, lambda: engine.answer_fact(action.fact_id), ephemeral=True)
        if answer is None:
            await self._say(interaction, GONE)
            return
        await self._send(interaction, embeds=to_embeds(answer), view=to_view(answer), ephemeral=True)

    async def unknown_click(self, interaction: discord.Interaction) -> None:
        """A button whose custom_id this version doesn't make (an older message's): say so, as for a
        fact that is gone; unanswered, Discord would show "This interaction failed"."""
        log.info("a click on a button that is not one of ours; %s", _context(interaction))
        await self._say(interaction, GONE)

    async def unknown_form(self, interaction: discord.Interaction) -> None:
        """A form (modal) submitted to the bot, which shows none: one sentence to the sender."""
        log.info("a form the bot does not show was submitted; %s", _context(interaction))
        await self._say(interaction, NOT_A_FORM)

    @staticmethod
    def _asked_on(interaction: discord.Interaction) -> str | None:
        message = interaction.message
        if message is None or not message.embeds:
            return None
        return question_of(message.embeds[0])

    async def _vote(self, interaction: discord.Interaction, action: ButtonAction) -> None:
        message = interaction.message
        fact = self.service.engine.fact(action.fact_id)
        if fact is None:
            # Only a vote on a fact of the base is worth a curator's time; any other id was made up.
            log.info("a vote for fact %r, which the fact base does not hold; %s", action.fact_id, _context(interaction))
            await self._say(interaction, GONE)
            return
        question = self._asked_on(interaction) or fact.question
        message_ref = str(message.id if message is not None else interaction.id)
        user_id = str(interaction.user.id)

        def record() -> None:
            self.feedback.record_vote(
                platform=PLATFORM,
                message_ref=message_ref,
                user_id=user_id,
                question=question,
                fact_id=action.fact_id,
                score=action.score,
                vote=action.vote or "up",
            )

        await self._compute(interaction, record, ephemeral=True)
        await self._say(interaction, THANKS[action.vote or "up"])

    # -- mentions

    async def mention(self, message: discord.Message, *, bot_user_id: int) -> None:
        """A message that mentions the bot (or a DM): reply to it with the answer, or say it is
        too long or over the rate limit (and remember that in `unanswered`, so an edit of it is
        asked anew).

        A reply to one of the bot's messages mentions the bot without naming it; "thanks!",
        "I disagree" or "interesting" there are said to the channel, not asked of the bot. Such
        a reply is answered when it asks something ("what about Llama 4?", "tell me about
        open washing") or asks for help, and then not with the help text for a word of thanks.
        """
        named = re.search(rf"<@!?{bot_user_id}>", message.content) is not None or mentions_own_role(message, bot_user_id)
        in_dm = isinstance(message.channel, discord.DMChannel)
        replying_only = not named and message.reference is not None and not in_dm
        text = from_discord_markup(_words_of(message))
        bounded = bound_question(text)
        if replying_only:
            # Whether a reply asks anything is read before its length: a long comment on an
            # answer is said to the channel and gets no "too long" note either.
            said = text if bounded is None else bounded
            wants_help = "help" in words(said)
            if not (wants_help or reads_as_question(said)):
                return
            if bounded is not None and not wants_help and self.service.engine.answer(bounded).status == "help":
                return  # "why", "what a great answer": nothing the engine can take as asked
        if bounded is None:
            # Remembered first: an edit that comes while the note is on its way is asked all the same.
            self.unanswered.note(message.id, version=message.edited_at)
            await reply_to(message, content=TOO_LONG)
            return
        user_id = str(message.author.id)
        answer = await asyncio.to_thread(self.service.ask, bounded, platform=PLATFORM, user_id=user_id)
        if answer.status == "limited":
            # Not answered: edited once the limit lets the asker in again, it is asked as it reads then.
            self.unanswered.note(message.id, version=message.edited_at)
            if not in_dm and not self._wait_notes.first(f"{message.channel.id}:{user_id}"):
                # A reply to a message is seen by the whole channel: someone who keeps asking over
                # the limit is told to wait once a minute in each channel, not once per message.
                log.info("mention over the rate limit in channel %s; told to wait already", message.channel.id)
                return
        if self.embed_links.allowed(message.channel):
            kwargs: dict = {"embeds": to_embeds(answer)}
        else:
            kwargs = {"content": to_text(answer)}
        view = to_view(answer)
        if view is not None:
            kwargs["view"] = view
        await reply_to(message, **kwargs)


def _words_of(message: discord.Message) -> str:
    """What a message says; for a message forwarded with no words of its own (to the bot, in a
    direct message), what the forwarded message says: its question is asked."""
    snapshots = getattr(message, "message_snapshots", None)
    if message.content.strip() or not snapshots:
        return message.content
    return snapshots[0].content or ""


def reply_nonce(message: discord.Message) -> str:
    """The nonce of every reply to `message` as it reads now: Discord keeps a bot's messages with
    one nonce to the first for a few minutes, so a message handed to the bot twice (by another
    process running with the same token, or an event the gateway sends again) gets one reply.
    Each edit of a message has a nonce of its own: its reply is not the one to what it said before."""
    if message.edited_at is None:
        return f"re{message.id}"
    version = f"{message.id}@{message.edited_at.isoformat()}"
    return "ed" + hashlib.sha256(version.encode()).hexdigest()[: NONCE_MAX - 2]


async def reply_to(message: discord.Message, **kwargs: Any) -> discord.Message | None:
    """Reply to `message`; in a channel whose history the bot may not read, where Discord refuses
    replies, post to the channel instead, so the asker still gets the answer. A question deleted
    before its answer gets none (None): its asker took it back."""
    kwargs["nonce"] = reply_nonce(message)
    try:
        return await with_retry(lambda: message.reply(mention_author=False, **kwargs), what="mention")
    except discord.HTTPException as error:
        if _replied_to_is_gone(error):
            log.info(
                "mention: message %s in channel %s was deleted before its answer; the answer is not sent",
                message.id, message.channel.id,
            )  # fmt: skip
            return None
        if not isinstance(error, discord.Forbidden) or error.code != CANNOT_REPLY:
            raise
    log.warning(
        "mention: the bot may not read the history of channel %s (no Read Message History), so Discord refuses "
        "replies there; message %s is answered in the channel instead",
        message.channel.id, message.id,
    )  # fmt: skip
    return await with_retry(lambda: message.channel.send(**kwargs), what="mention")


def _replied_to_is_gone(error: discord.HTTPException) -> bool:
    """Whether Discord refused a reply because the message it replies to no longer exists."""
    return error.code == UNKNOWN_MESSAGE or (error.code == INVALID_FORM_BODY and "message_reference" in (error.text or ""))


def _edited_late(message: discord.Message) -> bool:
    """Whether `message` was edited over EDIT_WINDOW_SECONDS after it was written: an old message
    tidied up later asks nothing now."""
    edited = message.edited_at
    return edited is not None and (edited - message.created_at).total_seconds() > EDIT_WINDOW_SECONDS


def _is_plain(message: discord.Message | None) -> bool:
    """Whether a message of the bot's is an answer sent as plain text (no embeds, some text)."""
    return message is not None and not message.embeds and bool(message.content)


def mentions_own_role(message: discord.Message, bot_user_id: int) -> bool:
    """Whether the message mentions the role Discord made for the bot when it joined the server.

    Typing "@factbot" offers that role beside the bot itself, both named alike: a person who
    picks the role is asking the bot as surely as one who picks the bot.
    """
    return any(role.tags is not None and role.tags.bot_id == bot_user_id for role in message.role_mentions)


def _settle(interaction: discord.Interaction) -> None:
    """Count an autocomplete request as answered after our answer to it failed.

    discord.py sends the choices the callback returns unless the request is answered, and
    would send them into the same failure again, then log that with a traceback.
    """
    response = interaction.response
    if not response.is_done() and hasattr(response, "_response_type"):
        response._response_type = discord.InteractionResponseType.autocomplete_result


def _as_text(value: Any) -> str:
    """An option's value as text: Discord sends strings, an odd client may send a number or null."""
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


# -- the client ----------------------------------------------------------------------------


class FactbotTree(app_commands.CommandTree):
    """The command tree, with one error handler for every slash command."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Let through what discord.py can route: not a malformed interaction, nor an autocomplete
        request for no option that autocompletes.

        discord.py would fail on those with a traceback and leave them unanswered (or answer
        an autocomplete with a message, which Discord refuses). A command gets one sentence,
        an autocomplete request an empty list.
        """
        if isinstance(self.client, FactbotClient):
            self.client.track_reply()
        autocomplete = interaction.type is discord.InteractionType.autocomplete
        readable = readable_command(interaction)
        if readable and (not autocomplete or self._autocompletes(interaction)):
            return True
        if not readable:
            log.warning("a command without a user, a name or well-formed options; %s", _context(interaction))
        else:
            log.warning(
                "an autocomplete request for no option that autocompletes; answered with no choices; %s",
                _context(interaction),
            )
        if not autocomplete:
            await tell(interaction, UNREADABLE, what="command")
            return False
        try:
            await with_retry(lambda: interaction.response.autocomplete([]), what="autocomplete")
        except discord.RateLimited as error:
            log.warning(
                "autocomplete: the empty list was not sent either: %s; %s", held_off(error), _context(interaction)
            )
        except SEND_ERRORS as error:
            log.warning("autocomplete: the empty list could not be sent either (%s); %s", error, _context(interaction))
        return False

    def _autocompletes(self, interaction: discord.Interaction) -> bool:
        """Whether the request is for one option in focus, of a command here, that autocompletes."""
        data = interaction.data or {}
        options = data.get("options")
        if not isinstance(options, list):
            return False
        focused = [o.get("name") for o in options if isinstance(o, dict) and o.get("focused")]
        command = self.get_command(str(data.get("name", "")))
        if len(focused) != 1 or not isinstance(command, app_commands.Command):
            return False
        return any(p.display_name == focused[0] and p.autocomplete for p in command.parameters)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", None) or error
        if isinstance(original, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
            # Discord still shows a command (or its options) as an older version synced them.
            log.warning(
                "command: Discord's copy of this command is not this version's (%s); "
                "`python -m bot discord sync` updates it; %s",
                type(original).__name__, _context(interaction),
            )
            await tell(interaction, OUTDATED, what="command")
            return
        await report_failure(interaction, original, what="command")


def add_commands(tree: app_commands.CommandTree, client: "FactbotClient") -> None:
    """Define `/ask`, `/topics` and `/digest` as global commands (guild syncs copy them)."""

    def responder() -> Responder:
        if client.responder is None:
            raise RuntimeError("this client only syncs commands; it does not answer them")
        return client.responder

    @tree.command(name="ask", description="Ask about Meta's open-source AI strategy; I quote my source")
    @app_commands.describe(question="Your question in your own words; pick a suggestion or type your own")
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]) -> None:
        await responder().ask(interaction, question)

    @ask.autocomplete("question")
    async def ask_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await responder().suggest(interaction, current)

    @tree.command(name="topics", description="What I can answer: the topics, with an example question each")
    async def topics(interaction: discord.Interaction) -> None:
        await responder().topics(interaction)

    @tree.command(name="digest", description="Today's digest for this channel, shown only to you")
    async def digest(interaction: discord.Interaction) -> None:
        await responder().digest(interaction)


GATEWAY_RETRIES = TracebackCutter(
    messages=("Attempting a reconnect",),
    errors=(OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound, discord.ConnectionClosed),
)
"""discord.py logs each reconnect of the gateway after network trouble with a whole traceback,
then reconnects by itself: this keeps each to one line, the exception's type and message."""


class FactbotClient(discord.Client):
    """A discord.py client whose events go to a `Responder`; without one it can only sync commands."""

    def __init__(
        self, *, responder: Responder | None, guild_ids: list[int], ready_timeout: float = READY_TIMEOUT
    ) -> None:
        # The bot joins no voice channel, so the warnings discord.py gives on creating a client
        # without the voice libraries (PyNaCl, davey) are noise. These flags turn off only those two.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        logging.getLogger("discord.client").addFilter(GATEWAY_RETRIES)  # once: a filter is added once
        super().__init__(
            intents=_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=ready_timeout,
            max_ratelimit_timeout=REPLY_MAX_WAIT,
        )
        self.webhook_adapter = WaitBoundWebhookAdapter(max_wait=REPLY_MAX_WAIT)
        self.responder = responder
        self.guild_ids = list(guild_ids)
        _guard_parsers(self._connection)
        self.tree = FactbotTree(self)
        add_commands(self.tree, self)
        self.gateway_up = False
        self.synced: dict[int, list[str]] = {}
        self.replies_in_flight: set[asyncio.Task[Any]] = set()
        """The tasks answering an event, until they end: what a stop waits for before the client closes."""

    def track_reply(self) -> None:
        """Count the running task, which answers an event, among `replies_in_flight` until it ends.

        discord.py runs each event handler and each slash command in a task of its own.
        """
        task = asyncio.current_task()
        if task is not None and task not in self.replies_in_flight:
            self.replies_in_flight.add(task)
            task.add_done_callback(self.replies_in_flight.discard)

    async def setup_hook(self) -> None:
        """Runs once, after login and before the gateway: the guild sync and any background work.

        `on_ready` fires again on every reconnect, so nothing is started there.
        """
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                commands = await self.tree.sync(guild=guild)
            except discord.HTTPException as error:
                log.error(
                    "could not sync the slash commands to Discord server %s (HTTP %s, code %s: %s); "
                    "is the bot invited there with the applications.commands scope?",
                    guild_id, error.status, error.code, error.text,
                )
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                log.error(
                    "could not sync the slash commands to Discord server %s (%s: %s); they keep their last sync",
                    guild_id, type(error).__name__, error,
                )
                continue
            except discord.RateLimited as error:
                log.error(
                    "did not sync the slash commands to Discord server %s: %s; they keep their last sync",
                    guild_id, held_off(error),
                )
                continue
            self.synced[guild_id] = [c.name for c in commands]
            log.info("synced slash commands %s to Discord server %s", ", ".join(self.synced[guild_id]), guild_id)

    async def connect(self, *, reconnect: bool = True) -> None:
        """Connect to the gateway, with interaction replies as bounded in their waits as the rest.

        discord.py runs each event handler and slash command in a task started from this one,
        and a task takes its context from the one that starts it: the webhook adapter set here
        is the one every interaction reply goes through.
        """
        async_context.set(self.webhook_adapter)
        await super().connect(reconnect=reconnect)

    async def on_connect(self) -> None:
        self.gateway_up = True
        log.info("connected to the Discord gateway as %s (id %s)", self.user, self.user.id if self.user else "?")

    async def on_resumed(self) -> None:
        self.gateway_up = True

    async def on_disconnect(self) -> None:
        self.gateway_up = False

    def _asks_bot(self, message: discord.Message) -> bool:
        """Whether a message is for the bot to read: one that mentions it, or a direct message."""
        if self.user is None:
            return False
        # `mentioned_in` is also true for @everyone; only a mention of the bot (or of its own role) counts.
        mentioned = any(user.id == self.user.id for user in message.mentions) or mentions_own_role(message, self.user.id)
        return mentioned or isinstance(message.channel, discord.DMChannel)

    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        """A message edited to mention the bot (the mention forgotten, then added) is answered as
        if it had been sent so. One that was for the bot already was answered when it was sent,
        or left unanswered (told it was too long, or to wait): `on_raw_message_edit` asks the edit
        of that one."""
        if self._asks_bot(before):
            return
        if _edited_late(after):
            log.info("message %s edited to mention the bot over an hour after it was written; not answered", after.id)
            return
        await self.on_message(after)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A question the bot left unanswered (told it was too long, or over the rate limit),
        edited since, is asked as it reads now: once, answered where the question would have
        been, as on Slack. Still over the limit, it is left unanswered again, for its next edit.

        The raw event comes whether or not the message is still in the cache, where
        `on_message_edit` needs it. No other edit of a message for the bot is asked: it was
        answered when it was sent.
        """
        message = payload.message
        if self.responder is None or not self._asks_bot(message):
            return
        if not self.responder.unanswered.take(message.id, version=message.edited_at):
            return
        if _edited_late(message):
            log.info(
                "message %s, left unanswered, edited over an hour after it was written; not answered", message.id
            )
            return
        await self.on_message(message)

    async def on_message(self, message: discord.Message) -> None:
        if self.responder is None or self.user is None:
            return
        if message.author.bot or message.webhook_id is not None or message.type not in WRITTEN_TYPES:
            return
        if not self._asks_bot(message):
            return
        self.track_reply()
        try:
            await self.responder.mention(message, bot_user_id=self.user.id)
        except Exception as error:  # noqa: BLE001 - one failed reply never stops the bot
            where = f"message {message.id} in guild {message.guild.id if message.guild else None} channel {message.channel.id}"
            if isinstance(error, discord.RateLimited):
                log.error("mention: the reply was not sent: %s; %s", held_off(error), where)
            elif isinstance(error, discord.HTTPException):
                log.error("mention: Discord refused the reply (HTTP %s, code %s: %s); %s", error.status, error.code, error.text, where)
            else:
                log.error("mention: the reply failed; %s", where, exc_info=error)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if self.responder is None:
            return
        self.track_reply()
        if interaction.type is discord.InteractionType.modal_submit:
            try:
                await self.responder.unknown_form(interaction)
            except Exception as error:  # noqa: BLE001 - one failed form never stops the bot
                await report_failure(interaction, error, what="form")
            return
        if interaction.type is not discord.InteractionType.component:
            return
        if not _has_user(interaction) or not isinstance(interaction.data, dict):
            log.warning("a click without a user or its data; %s", _context(interaction))
            await tell(interaction, UNREADABLE, what="button")
            return
        action = parse_custom_id(str(interaction.data.get("custom_id", "")))
        try:
            if action is None:
                await self.responder.unknown_click(interaction)
                return
            await self.responder.click(interaction, action)
        except Exception as error:  # noqa: BLE001 - one failed click never stops the bot
            await report_failure(interaction, error, what=f"{action.kind if action else 'unknown'} button")


def _guard_parsers(state: Any) -> None:
    """Make each gateway event parser log and skip an event it cannot read.

    discord.py runs these parsers inside its gateway loop, where an exception (a payload
    without a key it expects) would end the connection, and the bot with it.
    """
    parsers = getattr(state, "parsers", None)
    if not isinstance(parsers, dict):
        return
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:  # noqa: BLE001 - one unreadable event never stops the bot
            ident = data.get("id") if isinstance(data, dict) else None
            log.error(
                "skipped a gateway event that could not be read: %s %s (%s: %s)",
                event, ident, type(error).__name__, error,
            )
            log.debug("the unreadable %s event", event, exc_info=error)

    return guarded


# -- lifecycle -----------------------------------------------------------------------------


class NotLoggedIn(ConnectionError):
    """A post asked of a Discord bot that is not logged in (not started, stopped, or still
    reaching Discord): raised before any request, so nothing was posted."""


class DiscordUnreachable(BotError):
    """Discord could not be asked, or failed to answer (the network, DNS, a timeout, a 5xx or a
    proxy's 429): unlike a refusal (ConfigError), trying again later may work."""

    def __init__(self, problem: str, *, fix: str) -> None:
        super().__init__(f"{problem}; {fix}")
        self.problem = problem


async def _login(client: discord.Client, token: str) -> None:
    """Log in over REST; every way that fails is one sentence: DiscordUnreachable when trying again
    may work, ConfigError when it cannot (a rejected token, a refusal, a malformed API URL)."""
    try:
        await client.login(token)
    except discord.LoginFailure:
        await client.close()
        raise ConfigError(
            "DISCORD_TOKEN was rejected by Discord; copy the bot token again from the Developer Portal"
        ) from None
    except discord.RateLimited as error:
        await client.close()
        raise DiscordUnreachable(
            f"Discord did not take the login: {held_off(error)}", fix="try again after that wait"
        ) from None
    except discord.HTTPException as error:
        await client.close()
        if error.status >= 500 or error.status == 429:
            raise DiscordUnreachable(
                f"Discord failed the login (HTTP {error.status}, code {error.code}: {error.text})",
                fix="Discord or a proxy in between is in trouble; check https://discordstatus.com and DISCORD_API_URL",
            ) from None
        raise ConfigError(
            f"Discord refused the login (HTTP {error.status}, code {error.code}: {error.text}); "
            "check DISCORD_TOKEN and DISCORD_API_URL"
        ) from None
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
        await client.close()
        detail = " ".join(str(error).split()) or type(error).__name__
        problem = f"could not reach Discord at {discord.http.Route.BASE} ({detail})"
        fix = "check the network and DISCORD_API_URL"
        # A URL aiohttp cannot use (InvalidURL is a ValueError too) or an answer that is not JSON
        # stays so: only a network that failed may recover.
        if isinstance(error, ValueError):
            raise ConfigError(f"{problem}; {fix}") from None
        raise DiscordUnreachable(problem, fix=fix) from None
    except BaseException:
        await client.close()
        raise


def _gateway_failure(error: BaseException, client: discord.Client) -> BaseException:
    """What ended a gateway connection attempt, as the log should name it.

    When the very first connection fails (the gateway refused or out of reach), discord.py
    tries to resume a session it never had and fails on `self.ws.sequence` with an
    AttributeError, raised while handling the real error: name that one instead.
    """
    context = error.__context__
    if isinstance(error, AttributeError) and client.ws is None and isinstance(context, Exception):
        return context
    return error


def _closed_for_good(code: int | None, reason: str | None = None) -> ConfigError:
    """The error for a gateway connection Discord closed in a way no reconnecting can fix."""
    meaning, fix = CLOSED_FOR_GOOD.get(code or 0, (reason or "no reason given", ""))
    text = f"Discord closed the gateway connection for good (code {code}, {meaning})"
    return ConfigError(f"{text}: {fix}" if fix else text)


class DiscordBot:
    """The Discord side of `serve`: start, stop, health, and posting for the daily digest."""

    def __init__(
        self,
        settings: Settings,
        service: AskService,
        *,
        db: Database,
        defer_after: float = DEFER_AFTER,
        complete_within: float = COMPLETE_WITHIN,
        ready_timeout: float = READY_TIMEOUT,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        reply_grace: float = REPLY_GRACE,
    ) -> None:
        self._token = check_token(settings.discord_token)
        self._settings = settings
        self.guild_ids = parse_guild_ids(settings.discord_guild_ids)
        self.responder = Responder(
            service, FeedbackStore(db), defer_after=defer_after, complete_within=complete_within
        )
        self._ready_timeout = ready_timeout
        self.client = self._new_client()
        self.reconnect_delays = tuple(reconnect_delays)
        self.reply_grace = reply_grace
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def _new_client(self) -> FactbotClient:
        return FactbotClient(responder=self.responder, guild_ids=self.guild_ids, ready_timeout=self._ready_timeout)

    async def start(self) -> asyncio.Task[None]:
        """Log in (syncing to DISCORD_GUILD_IDS), then keep the gateway connected in a background
        task, which is returned.

        A token Discord rejects, or a login it refuses, raises ConfigError. When Discord cannot be
        reached, that is one warning and the task logs in once it can, trying again after each of
        `reconnect_delays` in turn. The task reconnects after a dropped connection, and ends with a
        ConfigError naming the cause and the fix when Discord rejects the token later or closes the
        connection for good (a reset token, refused intents): the caller reports that and stops,
        for the bot is offline on Discord until someone fixes it.
        """
        apply_endpoints(self._settings)
        logged_in = True
        try:
            await _login(self.client, self._token)
        except DiscordUnreachable as error:
            log.warning(
                "%s; starting anyway, connecting to Discord in the background (next try in %.0f s)",
                error.problem, self._delay(0),
            )  # fmt: skip
            logged_in = False
        self._task = asyncio.create_task(self._run(logged_in=logged_in), name="discord-gateway")
        return self._task

    def _delay(self, failures: int) -> float:
        """The wait before the next try after `failures` failed ones in a row."""
        delays = self.reconnect_delays or (0.0,)
        return delays[min(failures, len(delays) - 1)]

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait `seconds`, or less if the bot stops meanwhile: whether it did."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return False
        return True

    async def _log_in_when_reachable(self) -> bool:
        """Log in, trying again after each of `reconnect_delays` while Discord cannot be reached:
        True once logged in, False when the bot stops first. A rejected token raises ConfigError."""
        failures = 0
        while not await self._stopped_within(self._delay(failures)):
            failures += 1
            # A failed login closes its client, and a closed discord.py client stays closed.
            self.client = self._new_client()
            try:
                await _login(self.client, self._token)
            except DiscordUnreachable as error:
                log.warning("%s; trying again in %.0f s", error.problem, self._delay(failures))
                continue
            log.info("reached Discord and logged in after %d more %s", failures, "try" if failures == 1 else "tries")
            return True
        return False

    async def _run(self, *, logged_in: bool = True) -> None:
        """Keep the gateway connected (after logging in, if the start could not): discord.py
        reconnects after network trouble; a close for good ends this with a ConfigError; anything
        else that ends the connection is logged in one line and followed by a fresh connection."""
        if not logged_in and not await self._log_in_when_reachable():
            return
        failures = 0
        while not self.client.is_closed() and not self._stopping.is_set():
            try:
                await self.client.connect(reconnect=True)
            except asyncio.CancelledError:
                raise
            except discord.PrivilegedIntentsRequired:
                # 4014, which discord.py raises without closing the client, unlike the other codes.
                await self.client.close()
                raise _closed_for_good(4014) from None
            except discord.ConnectionClosed as error:
                # discord.py closes the client before it raises this: no reconnecting helps.
                raise _closed_for_good(error.code, error.reason) from None
            except Exception as error:  # noqa: BLE001 - a dropped connection: logged, then connected again
                self.client.gateway_up = False
                if self.client.is_closed():
                    raise  # discord.py gave up on the connection: unexpected, and for good
                delay = self._delay(failures)
                failures += 1
                cause = _gateway_failure(error, self.client)
                log.error(
                    "the Discord gateway connection failed (%s: %s); connecting again in %.0f s",
                    type(cause).__name__, cause, delay,
                )
                log.debug("the gateway failure", exc_info=error)
                await self._drop_socket()
                await self._stopped_within(delay)
                continue
            finally:
                self.client.gateway_up = False
            break

    async def _drop_socket(self) -> None:
        """Close the websocket a failed connection left open, so its heartbeat stops with it."""
        ws = self.client.ws
        if ws is None:
            return
        try:
            await ws.close(code=4000)
        except Exception as error:  # noqa: BLE001 - it is being thrown away either way
            log.debug("closing the failed gateway socket: %s", error)

    async def leave_gateway(self) -> None:
        """Close the gateway connection, so no new event arrives, and keep REST open for the
        replies in flight; `close` does the rest."""
        self._stopping.set()
        task = self._task
        if task is not None and not task.done():
            # Cancelled rather than its socket closed under it: discord.py reconnects after any
            # close while the client itself stays open.
            task.cancel()
            await asyncio.wait({task}, timeout=LEAVE_TIMEOUT)
        if task is not None and task.done() and not task.cancelled():
            task.exception()  # whoever started the bot reports how it ended (serve does)
        ws = self.client.ws
        if ws is not None and ws.open:
            try:
                await asyncio.wait_for(ws.close(code=1000), timeout=LEAVE_TIMEOUT)
            except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as error:
                log.debug("closing the gateway connection: %s", error)
        self.client.gateway_up = False

    async def close(self) -> None:
        """Leave the gateway, give the replies in flight up to `reply_grace` seconds, then cut
        them and close the client.

        The client's HTTP session closes with it: a reply not sent by then is lost.
        """
        await self.leave_gateway()
        await finish_or_cut(self.client.replies_in_flight, grace=self.reply_grace, what="Discord reply(ies)")
        await self.client.close()
        self.responder.close()
        self._task = None

    @property
    def connected(self) -> bool:
        running = self._task is not None and not self._task.done()
        return running and self.client.is_ready() and not self.client.is_closed() and self.client.gateway_up

    def set_digest_provider(self, provider: DigestProvider) -> None:
        """What `/digest` shows: provider("discord:<channel id>") returns that channel's digest embeds,
        or None when the channel gets no digest."""
        self.responder.digest_provider = provider

    async def send_embeds(
        self,
        channel_id: int,
        *,
        embeds: list[discord.Embed],
        content: str | None = None,
        raise_errors: bool = False,
        salt: str = "",
    ) -> str | None:
        """Post a message to a channel and return its id. A failure is logged and gives None, or
        with `raise_errors` reaches the caller unlogged, for one that retries what is transient
        and reports the rest (the digest). In a channel where the bot may not embed links, the
        embeds go out as the message's plain text instead.

        The same message posted again to the same channel within a few minutes is the first
        one: Discord checks the nonce, made from the content, so a retry after an answer that
        got lost (a timeout, a 5xx after the write) never posts twice. A different `salt` makes
        the same content a new message (a post asked for again on purpose).
        """
        if self._task is None or self.client.is_closed() or self.client.user is None:
            # Not started, stopped, or still trying to reach Discord: not logged in either way.
            if raise_errors:
                raise NotLoggedIn("the Discord bot is not running (or not logged in yet)")
            log.error(
                "cannot post to Discord channel %s: the Discord bot is not running (or not logged in yet)", channel_id
            )
            return None
        channel = self.client.get_partial_messageable(channel_id)
        embeds = embeds[:EMBEDS_PER_MESSAGE]
        # The permission is read from the cache (the channel as the gateway sent it); a partial
        # channel knows none, and one not cached is sent embeds as before.
        if embeds and not self.responder.embed_links.allowed(self.client.get_channel(channel_id) or channel):
            content, embeds = to_plain_content(embeds, lead=content), []
        text = clip(content, CONTENT_MAX) if content else None
        nonce = content_nonce(channel_id, content=text, embeds=embeds, salt=salt)
        try:
            message = await with_retry(
                lambda: channel.send(content=text, embeds=embeds, nonce=nonce), what=f"post to channel {channel_id}"
            )
        except discord.HTTPException as error:
            if raise_errors:
                raise
            log.error(
                "could not post to Discord channel %s (HTTP %s, code %s: %s)",
                channel_id, error.status, error.code, error.text,
            )
            return None
        except SEND_ERRORS as error:
            if raise_errors:
                raise
            log.error("could not post to Discord channel %s (%s: %s)", channel_id, type(error).__name__, error)
            return None
        except discord.RateLimited as error:
            if raise_errors:
                raise
            log.error("did not post to Discord channel %s: %s", channel_id, held_off(error))
            return None
        return str(message.id)


def content_nonce(channel_id: int, *, content: str | None, embeds: list[discord.Embed], salt: str = "") -> str:
    """A nonce that is the same for the same message to the same channel (Discord allows 25
    characters); a `salt` given makes another one for the same message."""
    message = {"channel": str(channel_id), "content": content, "embeds": [e.to_dict() for e in embeds]}
    if salt:
        message["salt"] = salt
    payload = json.dumps(
        message,
        sort_keys=True, ensure_ascii=False, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:NONCE_MAX]


async def sync_commands(settings: Settings, *, to_global: bool) -> list[str]:
    """Log in over REST only and sync the slash commands; one line per sync done.

    Without `to_global` the commands go to each server of DISCORD_GUILD_IDS (instant); with it,
    to every server (Discord can take up to an hour to show them).
    """
    token = check_token(settings.discord_token)
    guild_ids = parse_guild_ids(settings.discord_guild_ids)
    if not to_global and not guild_ids:
        raise UsageError("set DISCORD_GUILD_IDS to the servers to sync to, or pass --global")
    apply_endpoints(settings)
    client = FactbotClient(responder=None, guild_ids=[])
    await _login(client, token)
    lines: list[str] = []
    failures: list[str] = []
    try:
        targets: list[discord.Object | None] = [None] if to_global else [discord.Object(id=g) for g in guild_ids]
        for guild in targets:
            if guild is not None:
                client.tree.copy_global_to(guild=guild)
            where = "globally" if guild is None else f"to server {guild.id}"
            # One server refusing (the bot not invited there) does not keep the others unsynced.
            try:
                commands = await client.tree.sync(guild=guild)
            except discord.HTTPException as error:
                failures.append(
                    f"Discord refused to sync the commands {where} (HTTP {error.status}, code {error.code}: "
                    f"{error.text}); check that the bot is invited with the applications.commands scope"
                )
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                failures.append(
                    f"could not sync the commands {where}: Discord could not be reached ({type(error).__name__}: "
                    f"{error}); check the network and DISCORD_API_URL"
                )
                continue
            except discord.RateLimited as error:
                failures.append(f"did not sync the commands {where}: {held_off(error)}; sync again after that wait")
                continue
            names = ", ".join(f"/{c.name}" for c in commands)
            if guild is None:
                lines.append(f"synced {len(commands)} commands ({names}) globally; Discord may take up to an hour to show them")
            else:
                lines.append(f"synced {len(commands)} commands ({names}) to server {guild.id}")
    finally:
        await client.close()
    if failures:
        raise SyncFailed(lines, failures)
    return lines


class SyncFailed(ConfigError):
    """Some syncs failed: `lines` says what was synced all the same, the message what failed."""

    def __init__(self, lines: list[str], failures: list[str]) -> None:
        super().__init__("\n".join(failures))
        self.lines = lines
