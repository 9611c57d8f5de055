"""Wires the daily digest to the platforms: a sender per channel prefix, and `digest send` from the CLI.

The runtime calls `build_digest_scheduler(...)` once, then starts `scheduler.start()` from
`setup_hook` / app start (never `on_ready`, which fires again on every reconnect) and
`await scheduler.close()` at shutdown. `send_now` is the CLI's `digest send`: it logs in
over REST only, posts, and closes again. With no gateway cache, it asks Discord over REST
whether the bot may embed links in the channel, and where it may not, posts the plain text
the serving bot posts there.

A Slack digest whose post ended with an unknown outcome (a timeout, a dropped connection, a 5xx,
internal_error) is looked for in the channel's history by its message metadata before anything
is decided: found, it was posted; not found, the failure is transient and the post is made again;
a history that can't be read (no channels:history / groups:history scope, the bot not in the
channel) leaves the failure final, so nothing is posted twice; a history Slack refuses to show
for the bot token's sake gives the day back, for the channel to be looked at again once the token
works, before anything is posted; a look-up Slack did not answer
(a 429, a 5xx, a timeout, the network), auth.test included, is made again later, and nothing is
posted before one has answered. A Discord digest whose run stopped mid-send, or whose posts
Discord did not confirm, is looked for in the channel's history by whoever takes the day on:
Discord's nonce, which makes a quick resend safe, is checked for a few minutes only.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from contextlib import AsyncExitStack
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Awaitable, Callable, NoReturn, Protocol

import aiohttp
import discord
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.discord_adapter import EmbedLinks, NotLoggedIn, check_token, content_nonce
from adapters.discord_digest import to_embeds
from adapters.discord_embeds import EMBEDS_PER_MESSAGE, title_line, to_plain_content
from adapters.discord_permissions import fetch_may_embed_links
from adapters.slack_digest import is_digest_message, to_blocks, to_fallback_text, to_metadata
from adapters.slack_retry import (
    MAYBE_DONE_ERRORS,
    may_have_gone_through,
    retry_after,
    status_and_code,
    web_api_retries,
)
from bot.config import Settings
from bot.db import Database
from bot.digest import Digest
from bot.digest_schedule import (
    MAX_INLINE_WAIT,
    NO_CHANNELS,
    DigestScheduler,
    DigestSchedule,
    Finder,
    Outcome,
    Sender,
    SendFailure,
    channels_left_out,
    parse_channel,
    parse_channels,
)
from bot.digest_store import DigestStore, utc_now
from bot.errors import ConfigError
from bot.service import AskService

if TYPE_CHECKING:
    from adapters.discord_adapter import DiscordBot
    from adapters.slack_adapter import SlackBot

log = logging.getLogger("adapters.digest")

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Slack's errors that no retry can fix are every error but these, and those after which the
# message may have been posted (`may_have_gone_through`: internal_error, fatal_error, most 5xx).
_SLACK_TRANSIENT = {"ratelimited", "service_unavailable", "request_timeout"}
_MAYBE_POSTED = "the message may have been posted, so it is not sent again"
LOOKUP_WAIT = 5.0
"""Seconds between a Slack post of unknown outcome and looking for it, so a post Slack was
still carrying out has reached the channel's history."""
LOOKUP_LOOKBACK = 60.0
"""The history is searched from this many seconds before the post was sent (clocks differ)."""
LOOKUP_PAGE = 200
"""Messages asked for per page of history: the most Slack recommends for conversations.history."""
LOOKUP_PAGES = 5
"""At most this many pages of history are read (newest first, so a day's later chat comes before
the digest); a channel busier than that counts as not checked."""
DISCORD_LOOKUP_LIMIT = 1000
"""At most this many messages of a Discord channel's history are read (100 a request)."""
PERMISSIONS_LOOKUP_TIMEOUT = 10.0
"""Seconds `digest send` waits for the look-ups that tell whether the bot may embed links in a
Discord channel; past them the message goes out with its embeds, as after a look-up that failed."""
# A read carries nothing out: every answer of Slack's saying it could not serve the call just
# now is worth asking again, internal_error and fatal_error included.
_SLACK_LOOKUP_TRANSIENT = _SLACK_TRANSIENT | MAYBE_DONE_ERRORS
_SLACK_TOKEN_HINT = "SLACK_BOT_TOKEN is not a working bot token: reinstall the app and set its Bot User OAuth Token"
_SLACK_TOKEN_HINTS = {
    "invalid_auth": _SLACK_TOKEN_HINT,
    "not_authed": _SLACK_TOKEN_HINT,
    "token_revoked": _SLACK_TOKEN_HINT,
    "token_expired": _SLACK_TOKEN_HINT,
    "account_inactive": "the bot's token belongs to a deactivated user or workspace: reinstall the app and set its "
    "new SLACK_BOT_TOKEN",
}
"""Slack's errors that refuse the bot token itself, and the setting to fix: no post made with it can
work, on any day, so a post they refuse gives the day back instead of failing it."""
_LOOKUP_HINTS = {
    "missing_scope": "the app needs the channels:history and groups:history scopes: add them and reinstall it",
    "not_in_channel": "the bot is not a member of the channel: invite it there (/invite @factbot)",
    "channel_not_found": "no channel of that id is visible to the bot: check DIGEST_CHANNELS, and invite the bot "
    "to a private channel",
    **_SLACK_TOKEN_HINTS,
}
_DISCORD_LOOKUP_HINTS = {
    401: "DISCORD_TOKEN is not a working bot token: set the bot's current token",
    404: "no channel of that id is visible to the bot: check DIGEST_CHANNELS",
}
_own_bot_ids: "weakref.WeakKeyDictionary[AsyncWebClient, str]" = weakref.WeakKeyDictionary()
"""The bot_id auth.test gave each Slack client's token: asked once, not at every look-up."""


class SlackPoster(Protocol):
    client: AsyncWebClient

    async def post_blocks(
        self, channel: str, *, blocks: list[dict], text: str, raise_errors: bool = False
    ) -> str | None: ...


class DiscordPoster(Protocol):
    client: discord.Client

    async def send_embeds(
        self,
        channel_id: int,
        *,
        embeds: list[discord.Embed],
        content: str | None = None,
        raise_errors: bool = False,
        salt: str = "",
    ) -> str | None: ...


def _nonce_salt(digest: Digest) -> str:
    """What makes a forced second post of a day's digest a new message to Discord, not the first one."""
    return "" if digest.posted_again_at is None else f"{digest.posted_again_at:.6f}"


def to_send_failure(error: BaseException, *, platform: str | None = None) -> SendFailure | None:
    """A platform error as a SendFailure (transient: 429, 5xx, network); None for anything else.

    A timeout or a dropped connection after the request went out, a 5xx (but for Slack's own
    service_unavailable), or Slack's internal_error and fatal_error (which Slack says may come
    after part of the call was carried out) may have posted the message all the same
    (`maybe_posted`). On Discord sending it again at once is safe (the message's nonce makes
    Discord return the first one); on Slack it is not, so such a failure is final there (for a
    digest, `post_slack_digest` first looks for the message in the channel's history). A
    request that never connected (or never left: Discord not logged in yet) posted nothing. Slack
    refusing the bot token is `misconfigured`, and says which setting to fix.
    """
    if isinstance(error, SendFailure):
        return error
    if isinstance(error, SlackApiError):
        status, code = status_and_code(error)
        problem = _problem(error)
        if code in _SLACK_TOKEN_HINTS and not may_have_gone_through(error):
            return SendFailure(f"{problem}; {_SLACK_TOKEN_HINTS[code]}", transient=False, misconfigured=True)
        if may_have_gone_through(error):
            return SendFailure(f"{problem}; {_MAYBE_POSTED}", transient=False, maybe_posted=True)
        headers = getattr(error.response, "headers", None) or {}
        transient = status == 429 or (status or 0) >= 500 or code in _SLACK_TRANSIENT
        return SendFailure(problem, transient=transient, retry_after=retry_after(headers))
    if isinstance(error, discord.HTTPException):
        status = error.status
        response = getattr(error, "response", None)
        text = error.text or getattr(response, "reason", None) or ""
        headers = getattr(response, "headers", None) or {}
        return SendFailure(
            f"Discord: {status} {text}".strip(),
            transient=status == 429 or status >= 500,
            retry_after=retry_after(headers),
            maybe_posted=status >= 500,
        )
    if isinstance(error, discord.RateLimited):
        return SendFailure(f"Discord: {error}", transient=True, retry_after=error.retry_after)
    if isinstance(error, discord.LoginFailure):
        return SendFailure(f"Discord: {error}", transient=False)
    if isinstance(error, aiohttp.ClientConnectorError):
        return SendFailure(f"{type(error).__name__}: {error}", transient=True)
    if isinstance(error, NotLoggedIn):
        # Nothing was sent: tried again while the day's window lasts, as a refused connection is.
        return SendFailure(f"Discord: {error}", transient=True)
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError, SlackClientError)):
        reason = _problem(error)
        if platform == "slack":
            return SendFailure(f"{reason}; {_MAYBE_POSTED}", transient=False, maybe_posted=True)
        return SendFailure(reason, transient=True, maybe_posted=True)
    return None


def _problem(error: BaseException) -> str:
    """What went wrong, in a few words: `Slack: <error code>`, or the exception's type and text."""
    if isinstance(error, SlackApiError):
        status, code = status_and_code(error)
        return "Slack: " + (code or (f"HTTP {status}" if status else "an answer that is not Slack's JSON"))
    return f"{type(error).__name__}: {error}".rstrip(": ")


def to_lookup_failure(error: BaseException) -> SendFailure | None:
    """A look for a digest in a channel's history that failed with `error`, as a SendFailure
    (always `maybe_posted`: the channel said nothing); None for an error no platform raised (a bug).

    Transient when the platform did not answer (a 429, a 5xx, Slack's ratelimited, internal_error
    and the like, an answer that can't be read, a timeout, the network): the channel is looked at
    again later. Final when it refused (no scope, not in the channel, unknown channel, a token that
    no longer works), saying what to fix, or when it cannot tell (LookupError: more messages than
    are read). A look-up only reads, so asking again can never post. Slack refusing the bot token
    is `misconfigured` as well: no look-up made with it can answer, on any day, so the day is
    given back, to be looked for once the token works, rather than given up.
    """
    if isinstance(error, SendFailure):
        return error
    if isinstance(error, LookupError):
        return SendFailure(f"{error}, more than are read: look in the channel", transient=False, maybe_posted=True)
    if isinstance(error, SlackApiError):
        status, code = status_and_code(error)
        reason = _problem(error)
        if code in _LOOKUP_HINTS:
            reason += "; " + _LOOKUP_HINTS[code]
        headers = getattr(error.response, "headers", None) or {}
        refused = status is not None and 400 <= status < 500 and status != 429
        transient = (
            status == 429 or (status or 0) >= 500 or code in _SLACK_LOOKUP_TRANSIENT or (code is None and not refused)
        )
        return SendFailure(
            reason,
            transient=transient,
            retry_after=retry_after(headers),
            maybe_posted=True,
            misconfigured=code in _SLACK_TOKEN_HINTS and not transient,
        )
    if isinstance(error, discord.HTTPException):
        failure = to_send_failure(error, platform="discord")
        assert failure is not None
        reason = failure.reason
        if error.status in _DISCORD_LOOKUP_HINTS:
            reason += "; " + _DISCORD_LOOKUP_HINTS[error.status]
        return SendFailure(reason, transient=failure.transient, retry_after=failure.retry_after, maybe_posted=True)
    if isinstance(error, discord.RateLimited):
        return SendFailure(f"Discord: {error}", transient=True, retry_after=error.retry_after, maybe_posted=True)
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return SendFailure(_problem(error), transient=True, maybe_posted=True)
    if isinstance(error, SlackClientError):
        return SendFailure(_problem(error), transient=False, maybe_posted=True)
    return None


async def post_slack_digest(
    client: AsyncWebClient,
    channel_id: str,
    digest: Digest,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.time,
) -> str | None:
    """Post `digest` with its message metadata and return the message's ts.

    A failure after which the message may exist is settled by the channel's history (after
    LOOKUP_WAIT): the message found is returned; none found raises a transient SendFailure;
    a history that can't be read raises the final, maybe-posted one `to_send_failure` gives
    (`misconfigured` when Slack refused the bot token for it), and one Slack did not answer just
    now a `look_again` one: nothing is posted before a later look has answered. `clock` is epoch
    seconds, as Slack's ts are.
    """
    started = clock()
    try:
        response = await client.chat_postMessage(
            channel=channel_id,
            blocks=to_blocks(digest),
            text=to_fallback_text(digest),
            unfurl_links=False,
            unfurl_media=False,
            metadata=to_metadata(digest),
        )
        return response.get("ts")
    except asyncio.CancelledError:
        raise
    except Exception as error:
        failure = to_send_failure(error, platform="slack")
        if failure is None or not failure.maybe_posted:
            raise
        try:
            await sleep(LOOKUP_WAIT)
            ts = await find_slack_digest(client, channel_id, digest, oldest=max(started - LOOKUP_LOOKBACK, 0.0))
        except asyncio.CancelledError:
            raise
        except Exception as lookup_error:
            looked = to_lookup_failure(lookup_error)
            if looked is None:
                log.error(
                    "digest for %s on %s: looking for it in the channel's history raised",
                    digest.channel, digest.day, exc_info=True,
                )  # fmt: skip
                looked = SendFailure(_problem(lookup_error), transient=False)
            raise SendFailure(
                f"{failure.reason} (could not check the channel's history: {looked.reason})",
                transient=False,
                maybe_posted=True,
                look_again=looked.transient,
                retry_after=looked.retry_after,
                misconfigured=looked.misconfigured,
            ) from error
        if ts:
            log.warning(
                "digest for %s on %s: %s, but the channel's history shows it posted: %s",
                digest.channel, digest.day, _problem(error), ts,
            )
            return ts
        raise SendFailure(
            f"{_problem(error)}; the message is not in the channel's history, so it can be sent again", transient=True
        ) from error


async def find_slack_digest(client: AsyncWebClient, channel_id: str, digest: Digest, *, oldest: float) -> str | None:
    """The ts of `digest`'s message among the channel's messages after `oldest` (epoch seconds), or None.

    LookupError when there were more messages than LOOKUP_PAGES pages: not found is then no answer.
    Only this bot's own messages count: another app's message carrying a digest's metadata
    (copied, or another install of this bot) must not pass for the day's digest. A token
    auth.test names no bot of is checked by the metadata alone, rather than never finding
    the digest and posting it again. The bot's id is asked of auth.test once per client: each
    call more is one more that can fail the look-up.
    """
    own = _own_bot_ids.get(client)
    if own is None:
        own = (await client.auth_test()).get("bot_id")
        if isinstance(own, str) and own:
            _own_bot_ids[client] = own
    cursor: str | None = None
    for _ in range(LOOKUP_PAGES):
        response = await client.conversations_history(
            channel=channel_id, oldest=f"{oldest:.6f}", limit=LOOKUP_PAGE, include_all_metadata=True, cursor=cursor
        )
        for message in response.get("messages") or []:
            if (
                isinstance(message, dict)
                and (own is None or message.get("bot_id") == own)
                and is_digest_message(message, digest)
            ):
                return message.get("ts")
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not response.get("has_more") or not cursor:
            return None
    raise LookupError(f"more than {LOOKUP_PAGES * LOOKUP_PAGE} messages in the channel since the post")


def channel_sender(
    *,
    slack: SlackPoster | None,
    discord_bot: DiscordPoster | None,
    on_attempt: Callable[[str, bool], None] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.time,
) -> Sender:
    """A Sender that posts by channel prefix through the given platform clients.

    `on_attempt(platform, ok)` is told of every attempt (for metrics). `sleep` and `clock`
    (epoch seconds) are `post_slack_digest`'s.
    """

    async def send(channel: str, digest: Digest) -> str | None:
        target = parse_channel(channel)
        try:
            message_id = await _send_to(target, digest)
        except asyncio.CancelledError:
            raise
        except Exception:
            if on_attempt is not None:
                on_attempt(target.platform, False)
            raise
        if on_attempt is not None:
            on_attempt(target.platform, message_id is not None)
        return message_id

    async def _send_to(target: Any, digest: Digest) -> str | None:
        try:
            if target.platform == "slack":
                if slack is None:
                    raise SendFailure("Slack is not configured (SLACK_BOT_TOKEN)", transient=False)
                return await post_slack_digest(slack.client, target.id, digest, sleep=sleep, clock=clock)
            if discord_bot is None:
                raise SendFailure("Discord is not configured (DISCORD_TOKEN)", transient=False)
            return await discord_bot.send_embeds(
                int(target.id), embeds=to_embeds(digest), raise_errors=True, salt=_nonce_salt(digest)
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failure = to_send_failure(error, platform=target.platform)
            if failure is None:
                raise
            raise failure from error

    return send


class HistoryHidden(Exception):
    """A Discord channel's history came back empty where a readable one could not be: the bot
    most likely lacks Read Message History there (or the channel has no message yet)."""


async def find_discord_digest(client: discord.Client, channel_id: int, digest: Digest, *, after: float) -> str | None:
    """The id of `digest`'s message (the bot's, with the day's title, as an embed or as text) among the channel's messages
    after `after` (epoch seconds), or None.

    Read oldest first, so the digest, posted near `after`, comes early. LookupError when there
    were more than DISCORD_LOOKUP_LIMIT messages: not found is then no answer. HistoryHidden
    when the channel shows no message at all, as it does to a bot without Read Message History.
    """
    title = to_embeds(digest)[0].title
    # Where the bot may not embed links the digest went out as text, its title on the first line.
    as_text = title_line(title) if title else None
    me = client.user.id if client.user is not None else None
    channel = client.get_partial_messageable(channel_id)
    read = 0
    since = datetime.fromtimestamp(after, timezone.utc)
    async for message in channel.history(limit=DISCORD_LOOKUP_LIMIT, after=since, oldest_first=True):
        read += 1
        if message.author.id == me and (
            any(embed.title == title for embed in message.embeds)
            or (as_text is not None and message.content.split("\n", 1)[0] == as_text)
        ):
            return str(message.id)
    if read >= DISCORD_LOOKUP_LIMIT:
        raise LookupError(f"more than {DISCORD_LOOKUP_LIMIT} messages in the channel since the post")
    if not read and not [message async for message in channel.history(limit=1)]:
        # Without Read Message History, Discord answers with no messages, not an error.
        raise HistoryHidden("the channel's history shows no message at all")
    return None


def channel_finder(*, slack: SlackPoster | None, discord_bot: DiscordPoster | None = None) -> Finder:
    """A Finder for the scheduler, for a digest whose run stopped mid-send: Slack channels are
    looked up in their history by the digest's metadata, Discord channels by the bot's message
    with the day's title. Discord's nonce makes a quick resend return the first message, but it
    is checked for a few minutes only: a history the bot may not read (no Read Message History)
    falls back to it."""

    async def find(channel: str, digest: Digest, since: datetime) -> str | None:
        target = parse_channel(channel)
        if target.platform == "discord":
            return await _find_on_discord(target.id, digest, since)
        if target.platform != "slack" or slack is None:
            return None
        try:
            return await find_slack_digest(
                slack.client, target.id, digest, oldest=max(since.timestamp() - LOOKUP_LOOKBACK, 0.0)
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # One Slack did not answer (auth.test or the history: a 429, a 5xx, ratelimited, a
            # timeout, the network) is made again later; a refusal says what to fix.
            _raise_as_lookup_failure(error)

    async def _find_on_discord(channel_id: str, digest: Digest, since: datetime) -> str | None:
        if discord_bot is None:
            return None
        if discord_bot.client.user is None:
            # Still reaching Discord: the channel can't be read yet, which says nothing about
            # whether the digest is there. Looked for again once the claim's lease runs out.
            raise SendFailure(
                "Discord: the bot is not logged in yet, so the channel was not checked", transient=True, maybe_posted=True
            )
        try:
            return await find_discord_digest(
                discord_bot.client, int(channel_id), digest, after=max(since.timestamp() - LOOKUP_LOOKBACK, 0.0)
            )
        except (discord.Forbidden, HistoryHidden) as error:
            log.warning(
                "digest for discord:%s on %s: the channel's history cannot be read (%s); give the bot Read Message "
                "History there. Sent again, it is the first message only if Discord still knows its nonce",
                channel_id, digest.day, (error.text or error.status) if isinstance(error, discord.Forbidden) else error,
            )  # fmt: skip
            return None
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Discord did not answer (429, 5xx, the network): the look-up is made again later.
            # More messages than are read: can't tell, so never post twice.
            _raise_as_lookup_failure(error)

    return find


def _raise_as_lookup_failure(error: Exception) -> NoReturn:
    """Raise the look-up's failure `error` is (`to_lookup_failure`), or `error` itself."""
    failure = to_lookup_failure(error)
    if failure is None:
        raise error
    raise failure from error


def _scheduler(
    settings: Settings,
    service: AskService,
    db: Database,
    *,
    slack: SlackPoster | None,
    discord_bot: DiscordPoster | None,
    channels: list[str] | None = None,
    on_attempt: Callable[[str, bool], None] | None = None,
    paused: Callable[[str], str | None] | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> DigestScheduler:
    schedule = DigestSchedule.from_settings(settings)
    wanted = channels if channels is not None else [c.key for c in parse_channels(settings.digest_channels)]
    usable: list[str] = []
    left_out: dict[str, list[str]] = {}
    for key in wanted:
        platform = parse_channel(key).platform
        client = slack if platform == "slack" else discord_bot
        if client is None:
            left_out.setdefault(platform, []).append(key)
            continue
        usable.append(key)
    if channels is None:
        # `digest send` (channels given) says so itself; a serving bot logs it here, once.
        for message in channels_left_out(left_out, digest_off=not usable):
            log.error("%s", message)
    return DigestScheduler(
        channels=usable,
        off_message=None if left_out else NO_CHANNELS,
        schedule=schedule,
        store=DigestStore(db, clock=clock),
        base=lambda: service.engine.base,
        size=settings.digest_size,
        send=channel_sender(
            slack=slack,
            discord_bot=discord_bot,
            on_attempt=on_attempt,
            sleep=sleep,
            clock=lambda: clock().timestamp(),
        ),
        clock=clock,
        sleep=sleep,
        find=channel_finder(slack=slack, discord_bot=discord_bot),
        paused=paused,
    )


def build_digest_scheduler(
    settings: Settings,
    service: AskService,
    db: Database,
    *,
    slack: SlackBot | None,
    discord: DiscordBot | None,
    on_attempt: Callable[[str, bool], None] | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> DigestScheduler:
    """The digest scheduler for DIGEST_CHANNELS over the running platform clients.

    The channels of a platform that is not running are left out and logged once (saying the
    daily digest is off when no channel is left). With Discord, `/digest` is given today's
    digest of the channel it is used in. Once the Slack bot is locked out (Slack refused its
    token, on a digest's call or any other, or the app was uninstalled: /readyz says so), its
    channels' digests are paused until the bot restarts: no call made with that token can work,
    and the day is left unposted, to go out once after a restart with a working token. Raises
    ConfigError for a bad DIGEST_TIMEZONE or DIGEST_CHANNELS.
    """

    def slack_locked_out(channel: str) -> str | None:
        if slack is None or parse_channel(channel).platform != "slack":
            return None
        # A REST client (what `digest send` posts with) is never locked out: it runs once.
        return getattr(slack, "locked_out", None)

    scheduler = _scheduler(
        settings,
        service,
        db,
        slack=slack,
        discord_bot=discord,
        on_attempt=on_attempt,
        paused=slack_locked_out,
        clock=clock,
        sleep=sleep,
    )
    if discord is not None:

        def provider(channel: str) -> list[discord.Embed] | None:
            key = discord_channel_key(channel)
            # A channel outside DIGEST_CHANNELS gets no digest: showing one would promise a post.
            return to_embeds(scheduler.digest_for(key)) if key in scheduler.channels else None

        discord.set_digest_provider(provider)
    return scheduler


def discord_channel_key(channel: str | int) -> str:
    """`discord:<id>` for a Discord channel id, given bare or already prefixed."""
    text = str(channel)
    return text if text.startswith("discord:") else f"discord:{text}"


# -- the CLI's `digest send` ---------------------------------------------------------------


class RestSlack:
    """Just enough Slack to post a message: an AsyncWebClient retrying as the live bot does."""

    def __init__(
        self, token: str, *, base_url: str | None = None, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        self.client = AsyncWebClient(
            token=token, base_url=base_url or DEFAULT_SLACK_API_URL, retry_handlers=web_api_retries(sleep=sleep)
        )

    async def post_blocks(
        self, channel: str, *, blocks: list[dict], text: str, raise_errors: bool = True
    ) -> str | None:
        """Post and return the ts; errors always reach the caller (`raise_errors` is for the protocol)."""
        response = await self.client.chat_postMessage(
            channel=channel, blocks=blocks, text=text, unfurl_links=False, unfurl_media=False
        )
        return response.get("ts")


class RestDiscord:
    """Just enough Discord to post a message: a REST login, no gateway connection.

    With no gateway there is no cache to read the bot's permissions from: before posting embeds
    it asks Discord whether it may embed links in the channel, and where it may not, posts the
    plain text the serving bot posts there.
    """

    def __init__(
        self, token: str, *, api_url: str | None = None, permissions_timeout: float = PERMISSIONS_LOOKUP_TIMEOUT
    ) -> None:
        # The same checks as `serve`: a token with a line break would fail inside aiohttp's
        # header writer with a traceback instead of one sentence.
        self.token = check_token(token)
        self.api_url = api_url.strip() if api_url else None
        if self.api_url and not self.api_url.startswith(("http://", "https://")):
            raise ConfigError(
                "DISCORD_API_URL is invalid: it must start with http:// or https:// "
                "(for example https://discord.com/api/v10)"
            )
        # discord.py otherwise sleeps out any Retry-After Discord sends, an hour's as well, and
        # `digest send` hangs without a word: a longer one raises RateLimited, and the post is
        # given back to be tried again then, as a long Retry-After from Slack is.
        self.client = discord.Client(
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_INLINE_WAIT,
        )
        self.permissions_timeout = permissions_timeout
        self.embed_links = EmbedLinks()

    async def __aenter__(self) -> "RestDiscord":
        if self.api_url:
            # Route.BASE is read on every request: this is how discord.py is pointed elsewhere.
            discord.http.Route.BASE = self.api_url.rstrip("/")
        try:
            await self.client.login(self.token)
        except BaseException:
            # __aexit__ does not run when __aenter__ fails: close the HTTP session here, or
            # aiohttp prints "Unclosed client session" after the one-line error.
            await self.client.close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.close()

    async def send_embeds(
        self,
        channel_id: int,
        *,
        embeds: list[discord.Embed],
        content: str | None = None,
        raise_errors: bool = True,
        salt: str = "",
    ) -> str | None:
        """Post and return the message id; errors always reach the caller. The nonce comes from
        what is sent (and `salt`), so a retry after an answer that got lost is the first message,
        not a second. In a channel where the bot may not embed links, the embeds go out as the
        message's plain text instead."""
        embeds = embeds[:EMBEDS_PER_MESSAGE]
        if embeds and not self.embed_links.note(channel_id, permitted=await self._may_embed_links(channel_id)):
            content, embeds = to_plain_content(embeds, lead=content), []
        channel = self.client.get_partial_messageable(channel_id)
        message = await channel.send(
            content=content,
            embeds=embeds,
            nonce=content_nonce(channel_id, content=content, embeds=embeds, salt=salt),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return str(message.id)

    async def _may_embed_links(self, channel_id: int) -> bool:
        """Whether Discord says the bot may embed links in the channel; True when it could not be
        asked (an HTTP error, a channel or server the bot may not read, a timeout), as the serving
        bot sends embeds where its cache knows nothing: the post then says what is wrong, if anything."""
        if self.client.user is None:  # not logged in: the post says so
            return True
        try:
            return await asyncio.wait_for(
                fetch_may_embed_links(self.client.http, channel_id, user_id=self.client.user.id),
                self.permissions_timeout,
            )
        except asyncio.TimeoutError:
            problem = f"Discord did not answer within {self.permissions_timeout:g} s"
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as error:
            problem = _problem(error)
        except (KeyError, TypeError, ValueError) as error:
            problem = f"an answer that is not Discord's: {_problem(error)}"
        log.warning(
            "could not tell whether the bot may embed links in Discord channel %s (%s), so the message goes out "
            "with its embeds",
            channel_id, problem,
        )  # fmt: skip
        return True


async def send_now(
    settings: Settings,
    service: AskService,
    db: Database,
    *,
    channel: str,
    force: bool = False,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Outcome:
    """Post today's digest to one channel now (once a day unless `force`) over REST-only clients.

    Slack settings the serving bot would refuse are a ConfigError before the day is claimed:
    a send that can't be made must not mark the day's digest as failed."""
    target = parse_channel(channel)
    if target.platform == "slack" and settings.slack_bot_token:
        from adapters.slack_adapter import check_web_api_settings

        check_web_api_settings(settings)
    async with AsyncExitStack() as stack:
        slack: RestSlack | None = None
        discord_bot: RestDiscord | None = None
        if target.platform == "slack" and settings.slack_bot_token:
            slack = RestSlack(settings.slack_bot_token, base_url=settings.slack_api_url, sleep=sleep)
        if target.platform == "discord" and settings.discord_token:
            try:
                discord_bot = await stack.enter_async_context(
                    RestDiscord(settings.discord_token, api_url=settings.discord_api_url)
                )
            except Exception as error:
                failure = to_send_failure(error)
                if failure is None:
                    raise
                return Outcome(target.key, DigestSchedule.from_settings(settings).local_day(clock()), "failed", reason=failure.reason)
        scheduler = _scheduler(
            settings, service, db, slack=slack, discord_bot=discord_bot, channels=[target.key], clock=clock, sleep=sleep
        )
        if not scheduler.channels:
            return Outcome(target.key, scheduler.today(), "failed", reason=f"{target.platform.title()} is not configured")
        return await scheduler.post(target.key, force=force)

