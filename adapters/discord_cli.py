"""`python -m bot discord sync [--global]`: push the slash commands to Discord on demand.

This module imports no discord code at import time, so `bot.cli` can list the command
without loading discord.py; the adapter is imported when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, TextIO

from bot.config import Settings
from bot.errors import ConfigError, UsageError


def register(subparsers: Any) -> None:
    """Add `discord sync` to the CLI's subcommands."""
    discord_parser = subparsers.add_parser("discord", help="manage the Discord bot (sync the slash commands)")
    discord_parser.set_defaults(handler=_no_subcommand)
    commands = discord_parser.add_subparsers(
        dest="discord_command", metavar="SUBCOMMAND", parser_class=type(discord_parser)
    )
    sync = commands.add_parser(
        "sync",
        help="sync /ask, /topics and /digest to the servers in DISCORD_GUILD_IDS (instant), or --global",
    )
    sync.add_argument(
        "--global",
        dest="to_global",
        action="store_true",
        help="sync to every server instead (Discord may take up to an hour to show them)",
    )
    sync.set_defaults(handler=cmd_discord_sync)


def _no_subcommand(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    raise UsageError("say what to do with Discord: python -m bot discord sync [--global]")


def cmd_discord_sync(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Log in over REST (no gateway), sync the command tree, and print what was done."""
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set; give the bot token from the Discord Developer Portal")
    from adapters.discord_adapter import SyncFailed, sync_commands

    try:
        lines = asyncio.run(sync_commands(settings, to_global=args.to_global))
    except SyncFailed as error:
        out.write("".join(line + "\n" for line in error.lines))
        out.flush()
        raise
    for line in lines:
        out.write(line + "\n")
    out.flush()
    return 0
