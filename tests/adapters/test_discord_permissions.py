"""The bot's permissions in a Discord channel, worked out from Discord's REST objects as Discord documents it."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from tests.fakes.discord_api import (
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    bot_member_payload,
    channel_payload,
    guild_payload,
    overwrite_payload,
    role_payload,
    thread_payload,
)

from adapters.discord_permissions import ADMINISTRATOR, ALL_PERMISSIONS, EMBED_LINKS, channel_permissions

VIEW_AND_SEND = (1 << 10) | (1 << 11)
BOT_ROLE = "1700000000000000001"
OTHER_ROLE = "1700000000000000002"
THREAD_ID = "1300000000000000077"


def may_embed(
    *,
    everyone: int = VIEW_AND_SEND,
    roles: dict[str, int] | None = None,
    bot_roles: tuple[str, ...] = (),
    overwrites: list[dict[str, Any]] | None = None,
    owner_id: str | None = None,
) -> bool:
    """Whether the bot may embed links in CHANNEL_ID of a server whose @everyone role has `everyone`,
    with `roles` (id: permissions), the bot holding `bot_roles`, and the channel's `overwrites`."""
    guild = guild_payload(
        roles=[role_payload(role_id, name=role_id, permissions=str(bits)) for role_id, bits in (roles or {}).items()],
        everyone_permissions=str(everyone),
    )
    if owner_id is not None:
        guild["owner_id"] = owner_id
    channel = channel_payload(CHANNEL_ID, overwrites=overwrites)
    member = bot_member_payload(roles=list(bot_roles))
    return bool(channel_permissions(channel, guild=guild, member=member) & EMBED_LINKS)


def test_the_bits_are_discords() -> None:
    assert EMBED_LINKS == discord.Permissions(embed_links=True).value
    assert ADMINISTRATOR == discord.Permissions(administrator=True).value


def test_without_it_for_everyone_and_no_role_giving_it_the_bot_may_not_embed_links() -> None:
    assert not may_embed(everyone=VIEW_AND_SEND)
    assert may_embed(everyone=VIEW_AND_SEND | EMBED_LINKS)


def test_a_role_of_the_bots_that_has_it_grants_it_and_one_the_bot_lacks_does_not() -> None:
    roles = {BOT_ROLE: EMBED_LINKS, OTHER_ROLE: 0}
    assert may_embed(roles=roles, bot_roles=(BOT_ROLE,))
    assert not may_embed(roles={BOT_ROLE: 0, OTHER_ROLE: EMBED_LINKS}, bot_roles=(BOT_ROLE,))


def test_the_channels_overwrite_for_everyone_takes_it_away_from_a_servers_role_too() -> None:
    deny_everyone = [overwrite_payload(GUILD_ID, deny=EMBED_LINKS)]
    assert not may_embed(everyone=VIEW_AND_SEND | EMBED_LINKS, overwrites=deny_everyone)
    # The server-wide grant of the bot's role comes before the channel's overwrites: it does not win.
    assert not may_embed(roles={BOT_ROLE: EMBED_LINKS}, bot_roles=(BOT_ROLE,), overwrites=deny_everyone)
    assert may_embed(everyone=VIEW_AND_SEND, overwrites=[overwrite_payload(GUILD_ID, allow=EMBED_LINKS)])


def test_an_overwrite_for_a_role_of_the_bots_allows_it_back_and_its_allows_beat_other_roles_denies() -> None:
    deny_everyone = overwrite_payload(GUILD_ID, deny=EMBED_LINKS)
    allow_bot_role = overwrite_payload(BOT_ROLE, allow=EMBED_LINKS)
    deny_other_role = overwrite_payload(OTHER_ROLE, deny=EMBED_LINKS)
    both = (BOT_ROLE, OTHER_ROLE)
    assert may_embed(everyone=EMBED_LINKS, bot_roles=(BOT_ROLE,), overwrites=[deny_everyone, allow_bot_role])
    # The roles' overwrites count together: every deny first, then every allow.
    assert may_embed(everyone=EMBED_LINKS, bot_roles=both, overwrites=[deny_other_role, allow_bot_role])
    assert not may_embed(everyone=EMBED_LINKS, bot_roles=both, overwrites=[deny_other_role])
    # An overwrite for a role the bot does not hold is not the bot's.
    assert not may_embed(everyone=EMBED_LINKS, bot_roles=(OTHER_ROLE,), overwrites=[deny_everyone, allow_bot_role])
    # @everyone's overwrite is applied before the roles', never among them, even in a role list naming it.
    allow_everyone = overwrite_payload(GUILD_ID, allow=EMBED_LINKS)
    deny_bot_role = overwrite_payload(BOT_ROLE, deny=EMBED_LINKS)
    assert not may_embed(bot_roles=(BOT_ROLE, GUILD_ID), overwrites=[allow_everyone, deny_bot_role])


def test_the_overwrite_for_the_bot_itself_comes_last() -> None:
    allow_bot_role = overwrite_payload(BOT_ROLE, allow=EMBED_LINKS)
    deny_bot = overwrite_payload(BOT_USER_ID, member=True, deny=EMBED_LINKS)
    assert not may_embed(everyone=EMBED_LINKS, bot_roles=(BOT_ROLE,), overwrites=[allow_bot_role, deny_bot])
    allow_bot = overwrite_payload(BOT_USER_ID, member=True, allow=EMBED_LINKS)
    deny_everyone = overwrite_payload(GUILD_ID, deny=EMBED_LINKS)
    assert may_embed(everyone=EMBED_LINKS, overwrites=[deny_everyone, allow_bot])
    # A role overwrite whose id is the bot's user id is not the bot's member overwrite.
    assert may_embed(everyone=EMBED_LINKS, overwrites=[overwrite_payload(BOT_USER_ID, deny=EMBED_LINKS)])


def test_administrator_or_owning_the_server_grants_everything_whatever_the_overwrites() -> None:
    deny_all = [
        overwrite_payload(GUILD_ID, deny=EMBED_LINKS),
        overwrite_payload(BOT_ROLE, deny=EMBED_LINKS),
        overwrite_payload(BOT_USER_ID, member=True, deny=EMBED_LINKS),
    ]
    assert may_embed(roles={BOT_ROLE: ADMINISTRATOR}, bot_roles=(BOT_ROLE,), overwrites=deny_all)
    assert may_embed(everyone=ADMINISTRATOR, overwrites=deny_all)
    assert may_embed(everyone=0, overwrites=deny_all, owner_id=BOT_USER_ID)
    guild = guild_payload(everyone_permissions=str(ADMINISTRATOR))
    assert channel_permissions(channel_payload(CHANNEL_ID), guild=guild, member=bot_member_payload()) == ALL_PERMISSIONS


def test_a_thread_takes_its_parent_channels_overwrites() -> None:
    guild = guild_payload(everyone_permissions=str(VIEW_AND_SEND | EMBED_LINKS))
    member = bot_member_payload()
    thread = thread_payload(THREAD_ID, parent_id=CHANNEL_ID)
    denied = channel_payload(CHANNEL_ID, deny=EMBED_LINKS)
    assert not channel_permissions(thread, guild=guild, member=member, parent=denied) & EMBED_LINKS
    assert channel_permissions(thread, guild=guild, member=member, parent=channel_payload(CHANNEL_ID)) & EMBED_LINKS
    with pytest.raises(ValueError, match="parent"):
        channel_permissions(thread, guild=guild, member=member)


def test_objects_that_are_not_discords_raise_rather_than_guess() -> None:
    guild = guild_payload()
    with pytest.raises(KeyError):
        channel_permissions(channel_payload(CHANNEL_ID), guild=guild, member={"roles": []})
    broken = channel_payload(CHANNEL_ID, overwrites=[{"id": GUILD_ID, "type": "role", "allow": "0", "deny": "0"}])
    with pytest.raises(ValueError):
        channel_permissions(broken, guild=guild, member=bot_member_payload())
