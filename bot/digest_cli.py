"""`python -m bot digest preview|send`: see what a channel's digest holds, or post it now.

`preview` needs no token and posts nothing. `send` posts today's digest to one channel at
most once a day (the same claim the scheduler uses), unless `--force`; it reaches for the
platform adapters only when it runs, and says how that went in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import textwrap
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Iterator, TextIO

from bot.config import Settings
from bot.db import DB_FILE, Database
from bot.digest import Digest, build_digest
from bot.digest_schedule import VERDICT_FOR, DigestSchedule, parse_channel, parse_channels
from bot.digest_schedule import log as schedule_log
from bot.digest_store import DigestRun, DigestStore, utc_now
from bot.errors import BotError, ConfigError, UsageError
from bot.service import AskService, load_base, load_engine
from bot.terminal import WIDTH, quote_to_text

PREVIEW_CHANNEL = "preview"
NO_CHANNEL_SET = "DIGEST_CHANNELS is not set, and no --channel was given"
ASK_HINT = "Ask me more: /ask followed by your question, or mention me with it."


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(text: str) -> date:
    # date.fromisoformat alone also takes 20250330 and 2025-W13-7.
    try:
        if _ISO_DAY.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"give a real day as YYYY-MM-DD, e.g. 2025-03-30, not {text!r}")


def _channel(text: str) -> str:
    try:
        return parse_channel(text).key
    except ValueError as error:
        raise UsageError(f"--channel {error}") from None


def register(subparsers: Any) -> None:
    """Add `digest preview` and `digest send` to the CLI."""
    digest = subparsers.add_parser("digest", help="preview or post the daily digest")
    digest.set_defaults(handler=_no_subcommand)
    commands = digest.add_subparsers(dest="digest_command", metavar="SUBCOMMAND", parser_class=type(digest))

    preview = commands.add_parser("preview", help="print what a channel's digest holds (no token needed)")
    preview.add_argument("--channel", help="slack:C… or discord:…; default: every DIGEST_CHANNELS entry")
    preview.add_argument("--date", type=_day, help="YYYY-MM-DD; default: today in DIGEST_TIMEZONE")
    preview.set_defaults(handler=cmd_preview)

    send = commands.add_parser("send", help="post today's digest to a channel now (once a day unless --force)")
    send.add_argument("--channel", required=True, help="slack:C… or discord:…")
    send.add_argument("--force", action="store_true", help="post even when today's digest went out already")
    send.set_defaults(handler=cmd_send)


def _no_subcommand(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    raise UsageError("say what to do with the digest: python -m bot digest preview or digest send --channel C")


def digest_to_text(digest: Digest, *, run: DigestRun | None = None) -> str:
    """The digest as `digest preview` prints it."""
    lines = [f"{digest.channel}: {digest.title}"]
    if digest.channel == PREVIEW_CHANNEL:
        # No channel was named or set: what a channel would get on its first day, posted nowhere.
        lines = [digest.title, f"(what a new channel would get; {NO_CHANNEL_SET})"]
    elif run is None:
        lines.append("(not posted yet)")
    elif run.status == "sent":
        lines.append(f"(posted, message {run.message_id})")
    elif run.status == "failed":
        lines.append(f"(failed: {run.error})")
    elif run.status == "claimed" and run.error:
        lines.append(f"(not posted yet; the last attempt failed: {run.error})")
    else:
        lines.append(f"({run.status})")
    if not digest.items:
        lines.append("\nThe fact base has no facts to post.")
    for number, item in enumerate(digest.items, 1):
        lines.append("")
        lines.append(f"{number}. {item.question}  [{item.fact_id} · {item.topic_title}]")
        lines.append(textwrap.fill(item.answer, width=WIDTH, initial_indent="   ", subsequent_indent="   "))
        lines += [quote_to_text(q) for q in item.quotes]
    lines += ["", ASK_HINT]
    return "\n".join(lines)


def cmd_preview(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    schedule = DigestSchedule.from_settings(settings)
    day = args.date or schedule.local_day(utc_now())
    if args.channel:
        channels = [_channel(args.channel)]
    else:
        channels = [c.key for c in parse_channels(settings.digest_channels)] or [PREVIEW_CHANNEL]
    base = load_base(settings)
    db_path = settings.bot_data_dir / DB_FILE
    # A preview must not create the data directory: without a database nothing was posted yet.
    store = DigestStore(Database(db_path)) if _exists(db_path) else None
    for index, channel in enumerate(channels):
        if store is None:
            digest, run = build_digest(base, channel=channel, day=day, size=settings.digest_size, posted=()), None
        else:
            digest = store.digest_for(base, channel=channel, day=day, size=settings.digest_size)
            run = store.run(channel, day)
        out.write(("\n" if index else "") + digest_to_text(digest, run=run) + "\n")
    return 0


def _exists(db_path: Path) -> bool:
    """Whether the database is there; a BOT_DATA_DIR the system cannot look into (a name too
    long, a folder without search permission) is a configuration error naming the setting."""
    try:
        return db_path.exists()
    except OSError as error:
        raise ConfigError(
            f"cannot look for the database at {db_path}: {error.strerror or error}; set BOT_DATA_DIR to a "
            "readable directory"
        ) from None


@contextmanager
def _verdict_left_to_the_command(channel: str) -> Iterator[None]:
    """Leave out the scheduler's log line saying the digest for `channel` was not posted, while
    `digest send` runs: the command says so itself, with the same reason, in its `error:` line.

    Every other line the send logs (a retry, a traceback, a permission to grant) still reaches
    the log; so does the verdict on a serving bot's schedule, where no command reports it.
    """

    def not_the_verdict(record: logging.LogRecord) -> bool:
        return getattr(record, VERDICT_FOR, None) != channel

    schedule_log.addFilter(not_the_verdict)
    try:
        yield
    finally:
        schedule_log.removeFilter(not_the_verdict)


def cmd_send(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    channel = _channel(args.channel)
    platform = channel.split(":", 1)[0]
    if platform == "slack" and not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: digest send posts to Slack with the bot token (xoxb-...)")
    if platform == "discord" and not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set: digest send posts to Discord with the bot token")
    DigestSchedule.from_settings(settings)
    service = AskService(load_engine(settings))
    db = Database.in_data_dir(settings.bot_data_dir)
    # The entry point is the composition root: only here does `bot` reach for adapters.
    from adapters.digest_runner import send_now

    with _verdict_left_to_the_command(channel):
        outcome = asyncio.run(send_now(settings, service, db, channel=channel, force=args.force))
    if outcome.status == "sent":
        out.write(f"posted the digest of {outcome.day} to {channel} (message {outcome.message_id})\n")
        return 0
    if outcome.status == "done":
        run = DigestStore(db).run(channel, outcome.day)
        if run is not None and run.status in ("failed", "missed"):
            raise BotError(
                f"the digest of {outcome.day} for {channel} was not posted ({run.status}"
                f"{': ' + run.error if run.error else ''}); --force tries again"
            )
        out.write(
            f"the digest of {outcome.day} for {channel} is done already ({outcome.reason}"
            f"{', message ' + outcome.message_id if outcome.message_id else ''}); --force posts it again\n"
        )
        return 0
    if outcome.status == "busy":
        run = DigestStore(db).run(channel, outcome.day)
        if run is not None and run.status == "claimed" and run.error:
            raise BotError(
                f"the digest for {channel} was not posted yet: the last attempt failed ({run.error}); "
                f"it is tried again from {run.lease_until:%H:%M} UTC, or now with --force"
            )
        raise BotError(f"another bot process is posting the digest to {channel} right now; try again in a few minutes")
    raise BotError(f"the digest of {outcome.day} for {channel} was not posted: {outcome.reason}")
