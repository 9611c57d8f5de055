"""Discord: `/ask` with live autocomplete, `/topics`, `/digest`, mentions, and the answer buttons.

`DiscordBot` is what the runtime starts and stops. Inside it, `FactbotClient` (a
`discord.Client` with a command tree) routes gateway events to `Responder`, which turns them
into questions for the engine and answers them as embeds. Every send goes out with
`AllowedMentions.none()`, set once on the client, so no user text can ping anyone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Callable, TypeVar

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord_embeds import (
    CHOICES_MAX,
    EMBEDS_PER_MESSAGE,
    ButtonAction,
    clip,
    parse_custom_id,
    question_of,
    to_choices,
    to_embeds,
    to_help_embed,
    to_view,
)
from bot.config import Settings
from bot.db import Database
from bot.errors import ConfigError, UsageError
from bot.feedback import FeedbackStore
from bot.service import AskService
from bot.terminal import MAX_QUESTION_CHARS, bound_question

log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER = 2.0
"""Seconds to wait for an answer before deferring; Discord allows 3 for the first response."""
READY_TIMEOUT = 2.0
"""Seconds discord.py waits for the guilds after READY before it calls the client ready."""
UNKNOWN_INTERACTION = 10062
CONTENT_MAX = 2000
NO_DIGEST = "The daily digest is not set up on this server."
EMPTY_DIGEST = "There is no digest for this channel today."
SOMETHING_WRONG = "Sorry, something went wrong on my side; please try again."
TOO_LONG = f"That question is too long; keep it under {MAX_QUESTION_CHARS} characters."
GONE = "That question is no longer in my fact base; try /ask."
THANKS = {"up": "Thanks, noted 👍", "down": "Thanks, noted 👎; the people who curate my answers will look at it."}
SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)

DigestProvider = Callable[[str], "list[discord.Embed]"]
T = TypeVar("T")


# -- settings ------------------------------------------------------------------------------


def parse_guild_ids(value: str | None) -> list[int]:
    """DISCORD_GUILD_IDS as server ids; a malformed list is a ConfigError naming the bad part."""
    ids: list[int] = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"[0-9]{1,20}", part) or int(part) == 0:
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


def _context(interaction: discord.Interaction) -> str:
    data = interaction.data or {}
    what = data.get("name") or data.get("custom_id") or "?"
    return (
        f"interaction {interaction.id} ({interaction.type.name} {what}) "
        f"in guild {interaction.guild_id} channel {interaction.channel_id}"
    )


def _is_unknown_interaction(error: BaseException) -> bool:
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


async def report_failure(interaction: discord.Interaction, error: BaseException, *, what: str) -> None:
    """The one place a failed interaction is logged and, when still possible, explained to the user."""
    context = _context(interaction)
    if _is_unknown_interaction(error):
        log.warning("%s: the interaction expired before the reply (10062 Unknown interaction); %s", what, context)
        return
    if isinstance(error, discord.HTTPException):
        log.error("%s: Discord refused the reply (HTTP %s, code %s: %s); %s", what, error.status, error.code, error.text, context)
    elif isinstance(error, SEND_ERRORS):
        log.error("%s: the reply could not be sent (%s: %s); %s", what, type(error).__name__, error, context)
    else:
        log.error("%s failed; %s", what, context, exc_info=error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(SOMETHING_WRONG, ephemeral=True)
        else:
            await interaction.response.send_message(SOMETHING_WRONG, ephemeral=True)
    except SEND_ERRORS as again:
        log.warning("%s: could not tell the user either (%s); %s", what, again, context)


# -- what the bot does ---------------------------------------------------------------------


class Responder:
    """Answers commands, button clicks and mentions; holds no matching logic, only the engine's answers."""

    def __init__(self, service: AskService, feedback: FeedbackStore, *, defer_after: float = DEFER_AFTER) -> None:
        self.service = service
        self.feedback = feedback
        self.defer_after = defer_after
        self.digest_provider: DigestProvider | None = None

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
                    await interaction.response.defer()
                else:
                    await interaction.response.defer(thinking=True, ephemeral=ephemeral)
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
        kwargs: dict = {"embeds": embeds[:EMBEDS_PER_MESSAGE], "ephemeral": ephemeral}
        if view is not None:
            kwargs["view"] = view
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)

    async def _say(self, interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
        if interaction.response.is_done():
            await interaction.followup.send(clip(text, CONTENT_MAX), ephemeral=ephemeral)
        else:
            await interaction.response.send_message(clip(text, CONTENT_MAX), ephemeral=ephemeral)

    # -- slash commands

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """`/ask`: the answer for everyone in the channel, or a short note to the asker alone."""
        bounded = bound_question(question)
        if bounded is None:
            await self._say(interaction, TOO_LONG)
            return
        user_id = str(interaction.user.id)
        # The limit is checked before any deferral: a deferred reply is seen as its "thinking"
        # placeholder was, so only a refusal known up front can stay with the asker alone.
        limited = self.service.admit(bounded, platform=PLATFORM, user_id=user_id)
        if limited is not None:
            await self._send(interaction, embeds=to_embeds(limited), ephemeral=True)
            return
        answer = await self._compute(
            interaction, lambda: self.service.ask(bounded, platform=PLATFORM, user_id=user_id, admitted=True)
        )
        await self._send(interaction, embeds=to_embeds(answer), view=to_view(answer))

    def complete(self, typed: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for `/ask`: the fact base's questions closest to what is typed, best first."""
        try:
            return to_choices(self.service.engine.complete(typed[:MAX_QUESTION_CHARS], limit=CHOICES_MAX))
        except Exception:  # noqa: BLE001 - an empty list beats a dead autocomplete
            log.exception("autocomplete failed for %d typed characters", len(typed))
            return []

    async def topics(self, interaction: discord.Interaction) -> None:
        """`/topics`: the topics with an example each, to the caller only."""
        await self._send(interaction, embeds=[to_help_embed(self.service.engine.topics())], ephemeral=True)

    async def digest(self, interaction: discord.Interaction) -> None:
        """`/digest`: today's digest for this channel, to the caller only."""
        provider = self.digest_provider
        if provider is None:
            await self._say(interaction, NO_DIGEST)
            return
        key = f"{PLATFORM}:{interaction.channel_id}"
        embeds = await self._compute(interaction, lambda: provider(key), ephemeral=True)
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
            embeds, view = to_embeds(answer), to_view(answer)
            if interaction.response.is_done():
                await interaction.edit_original_response(embeds=embeds, view=view)
            else:
                await interaction.response.edit_message(embeds=embeds, view=view)
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

    @staticmethod
    def _asked_on(interaction: discord.Interaction) -> str | None:
        message = interaction.message
        if message is None or not message.embeds:
            return None
        return question_of(message.embeds[0])

    async def _vote(self, interaction: discord.Interaction, action: ButtonAction) -> None:
        message = interaction.message
        fact = self.service.engine.fact(action.fact_id)
        question = self._asked_on(interaction) or (fact.question if fact else action.fact_id)
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
        """A message that mentions the bot (or a DM): reply to it with the answer."""
        text = re.sub(rf"<@!?{bot_user_id}>", " ", message.content)
        bounded = bound_question(text)
        if bounded is None:
            await message.reply(TOO_LONG, mention_author=False)
            return
        user_id = str(message.author.id)
        answer = await asyncio.to_thread(self.service.ask, bounded, platform=PLATFORM, user_id=user_id)
        kwargs: dict = {"embeds": to_embeds(answer), "mention_author": False}
        view = to_view(answer)
        if view is not None:
            kwargs["view"] = view
        await message.reply(**kwargs)


# -- the client ----------------------------------------------------------------------------


class FactbotTree(app_commands.CommandTree):
    """The command tree, with one error handler for every slash command."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", None) or error
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
        return responder().complete(current)

    @tree.command(name="topics", description="What I can answer: the topics, with an example question each")
    async def topics(interaction: discord.Interaction) -> None:
        await responder().topics(interaction)

    @tree.command(name="digest", description="Today's digest for this channel, shown only to you")
    async def digest(interaction: discord.Interaction) -> None:
        await responder().digest(interaction)


class FactbotClient(discord.Client):
    """A discord.py client whose events go to a `Responder`; without one it can only sync commands."""

    def __init__(
        self, *, responder: Responder | None, guild_ids: list[int], ready_timeout: float = READY_TIMEOUT
    ) -> None:
        super().__init__(
            intents=_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=ready_timeout,
        )
        self.responder = responder
        self.guild_ids = list(guild_ids)
        self.tree = FactbotTree(self)
        add_commands(self.tree, self)
        self.gateway_up = False
        self.synced: dict[int, list[str]] = {}

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
            self.synced[guild_id] = [c.name for c in commands]
            log.info("synced slash commands %s to Discord server %s", ", ".join(self.synced[guild_id]), guild_id)

    async def on_connect(self) -> None:
        self.gateway_up = True
        log.info("connected to the Discord gateway as %s (id %s)", self.user, self.user.id if self.user else "?")

    async def on_resumed(self) -> None:
        self.gateway_up = True

    async def on_disconnect(self) -> None:
        self.gateway_up = False

    async def on_message(self, message: discord.Message) -> None:
        if self.responder is None or self.user is None:
            return
        if message.author.bot or message.webhook_id is not None:
            return
        # `mentioned_in` is also true for @everyone; only a direct mention of the bot counts.
        mentioned = any(user.id == self.user.id for user in message.mentions)
        if not (mentioned or isinstance(message.channel, discord.DMChannel)):
            return
        try:
            await self.responder.mention(message, bot_user_id=self.user.id)
        except Exception as error:  # noqa: BLE001 - one failed reply never stops the bot
            where = f"message {message.id} in guild {message.guild.id if message.guild else None} channel {message.channel.id}"
            if isinstance(error, discord.HTTPException):
                log.error("mention: Discord refused the reply (HTTP %s, code %s: %s); %s", error.status, error.code, error.text, where)
            else:
                log.error("mention: the reply failed; %s", where, exc_info=error)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if self.responder is None or interaction.type is not discord.InteractionType.component:
            return
        action = parse_custom_id(str((interaction.data or {}).get("custom_id", "")))
        try:
            if action is None:
                await self.responder.unknown_click(interaction)
                return
            await self.responder.click(interaction, action)
        except Exception as error:  # noqa: BLE001 - one failed click never stops the bot
            await report_failure(interaction, error, what=f"{action.kind if action else 'unknown'} button")


# -- lifecycle -----------------------------------------------------------------------------


async def _login(client: discord.Client, token: str) -> None:
    try:
        await client.login(token)
    except discord.LoginFailure:
        await client.close()
        raise ConfigError(
            "DISCORD_TOKEN was rejected by Discord; copy the bot token again from the Developer Portal"
        ) from None
    except BaseException:
        await client.close()
        raise


class DiscordBot:
    """The Discord side of `serve`: start, stop, health, and posting for the daily digest."""

    def __init__(
        self,
        settings: Settings,
        service: AskService,
        *,
        db: Database,
        defer_after: float = DEFER_AFTER,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        if not settings.discord_token:
            raise ConfigError("DISCORD_TOKEN is not set; give the bot token from the Discord Developer Portal")
        self._settings = settings
        self.guild_ids = parse_guild_ids(settings.discord_guild_ids)
        self.responder = Responder(service, FeedbackStore(db), defer_after=defer_after)
        self.client = FactbotClient(responder=self.responder, guild_ids=self.guild_ids, ready_timeout=ready_timeout)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in (syncing to DISCORD_GUILD_IDS), then keep the gateway connected in a background task.

        A rejected token raises ConfigError; reconnects after that are discord.py's job.
        """
        apply_endpoints(self._settings)
        await _login(self.client, self._settings.discord_token or "")
        self._task = asyncio.create_task(self._run(), name="discord-gateway")

    async def _run(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the rest of `serve` keeps running
            log.exception("the Discord gateway connection stopped for good; the bot is offline on Discord")

    async def close(self) -> None:
        await self.client.close()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                task.cancel()
        # Let the handlers already dispatched (a reply in flight, on_disconnect) finish, so none is
        # dropped unstarted when the event loop ends; discord.py names their tasks "discord.py: on_*".
        handlers = [t for t in asyncio.all_tasks() if t.get_name().startswith("discord.py: ") and not t.done()]
        if handlers:
            await asyncio.wait(handlers, timeout=5)

    @property
    def connected(self) -> bool:
        return self.client.is_ready() and not self.client.is_closed() and self.client.gateway_up

    def set_digest_provider(self, provider: DigestProvider) -> None:
        """What `/digest` shows: provider("discord:<channel id>") returns that channel's digest embeds."""
        self.responder.digest_provider = provider

    async def send_embeds(
        self,
        channel_id: int,
        *,
        embeds: list[discord.Embed],
        content: str | None = None,
        raise_errors: bool = False,
    ) -> str | None:
        """Post a message to a channel and return its id. A failure is logged and gives None, or
        with `raise_errors` reaches the caller, for one that retries what is transient (the digest)."""
        if self._task is None or self.client.is_closed():
            log.error("cannot post to Discord channel %s: the Discord bot is not running", channel_id)
            if raise_errors:
                raise ConnectionError("the Discord bot is not running")
            return None
        channel = self.client.get_partial_messageable(channel_id)
        try:
            message = await channel.send(
                content=clip(content, CONTENT_MAX) if content else None, embeds=embeds[:EMBEDS_PER_MESSAGE]
            )
        except discord.HTTPException as error:
            log.error(
                "could not post to Discord channel %s (HTTP %s, code %s: %s)",
                channel_id, error.status, error.code, error.text,
            )
            if raise_errors:
                raise
            return None
        except SEND_ERRORS as error:
            log.error("could not post to Discord channel %s (%s: %s)", channel_id, type(error).__name__, error)
            if raise_errors:
                raise
            return None
        return str(message.id)


async def sync_commands(settings: Settings, *, to_global: bool) -> list[str]:
    """Log in over REST only and sync the slash commands; one line per sync done.

    Without `to_global` the commands go to each server of DISCORD_GUILD_IDS (instant); with it,
    to every server (Discord can take up to an hour to show them).
    """
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set; give the bot token from the Discord Developer Portal")
    guild_ids = parse_guild_ids(settings.discord_guild_ids)
    if not to_global and not guild_ids:
        raise UsageError("set DISCORD_GUILD_IDS to the servers to sync to, or pass --global")
    apply_endpoints(settings)
    client = FactbotClient(responder=None, guild_ids=[])
    await _login(client, settings.discord_token)
    lines: list[str] = []
    try:
        targets: list[discord.Object | None] = [None] if to_global else [discord.Object(id=g) for g in guild_ids]
        for guild in targets:
            if guild is not None:
                client.tree.copy_global_to(guild=guild)
            try:
                commands = await client.tree.sync(guild=guild)
            except discord.HTTPException as error:
                where = "globally" if guild is None else f"to server {guild.id}"
                raise ConfigError(
                    f"Discord refused to sync the commands {where} (HTTP {error.status}, code {error.code}: "
                    f"{error.text}); check that the bot is invited with the applications.commands scope"
                ) from None
            names = ", ".join(f"/{c.name}" for c in commands)
            if guild is None:
                lines.append(f"synced {len(commands)} commands ({names}) globally; Discord may take up to an hour to show them")
            else:
                lines.append(f"synced {len(commands)} commands ({names}) to server {guild.id}")
    finally:
        await client.close()
    return lines
