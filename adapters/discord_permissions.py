"""The bot's permissions in a Discord channel, from Discord's REST objects, for `digest send`.

The serving bot reads its permissions from the gateway's cache; `digest send` logs in over REST
only and has no cache, so it asks for the channel, the server and its own membership, and
`channel_permissions` works them out as Discord documents it
(https://discord.com/developers/docs/topics/permissions, "Permission Hierarchy" and
"Permission Overwrites"): the @everyone role's permissions (the role whose id is the server's)
with those of the member's roles; Administrator, or owning the server, grants everything; then
the channel's overwrites, @everyone's first, then those of the member's roles together (every
deny, then every allow), then the member's own. A thread has no overwrites: its parent
channel's count.
"""

from __future__ import annotations

from typing import Any, Mapping

import discord

ADMINISTRATOR = 1 << 3
EMBED_LINKS = 1 << 14
ALL_PERMISSIONS = discord.Permissions.all().value
THREAD_TYPES = frozenset({10, 11, 12})
"""Announcement, public and private threads."""
_ROLE, _MEMBER = 0, 1
"""An overwrite's `type`: for a role or for one member."""


def is_thread(channel: Mapping[str, Any]) -> bool:
    return channel.get("type") in THREAD_TYPES


def channel_permissions(
    channel: Mapping[str, Any],
    *,
    guild: Mapping[str, Any],
    member: Mapping[str, Any],
    parent: Mapping[str, Any] | None = None,
) -> int:
    """The permission bits of `member` (a guild member object, with its `user`) in `channel` of `guild`.

    For a thread, `parent` is the channel it is in, whose overwrites apply: ValueError without it.
    KeyError, TypeError or ValueError for objects that are not Discord's.
    """
    if is_thread(channel):
        if parent is None:
            raise ValueError(f"thread {channel.get('id')}: its permissions are its parent channel's")
        channel = parent
    guild_id = str(guild["id"])
    user_id = str(member["user"]["id"])
    if str(guild.get("owner_id")) == user_id:
        return ALL_PERMISSIONS
    role_permissions = {str(role["id"]): int(role["permissions"]) for role in guild.get("roles") or []}
    # @everyone is every member's and is never listed among them; listed, it must not count twice.
    member_roles = [str(role_id) for role_id in member.get("roles") or [] if str(role_id) != guild_id]

    permissions = role_permissions.get(guild_id, 0)
    for role_id in member_roles:
        permissions |= role_permissions.get(role_id, 0)
    if permissions & ADMINISTRATOR:
        return ALL_PERMISSIONS

    overwrites = {
        (int(overwrite["type"]), str(overwrite["id"])): (int(overwrite.get("allow") or 0), int(overwrite.get("deny") or 0))
        for overwrite in channel.get("permission_overwrites") or []
    }
    permissions = _overwritten(permissions, overwrites.get((_ROLE, guild_id)))
    allow = deny = 0
    for role_id in member_roles:
        role_allow, role_deny = overwrites.get((_ROLE, role_id), (0, 0))
        allow |= role_allow
        deny |= role_deny
    permissions = _overwritten(permissions, (allow, deny))
    return _overwritten(permissions, overwrites.get((_MEMBER, user_id)))


def _overwritten(permissions: int, overwrite: tuple[int, int] | None) -> int:
    """`permissions` with an overwrite's (allow, deny) applied: what it denies goes, then what it allows comes."""
    if overwrite is None:
        return permissions
    allow, deny = overwrite
    return (permissions & ~deny) | allow


async def fetch_may_embed_links(http: discord.http.HTTPClient, channel_id: int, *, user_id: int) -> bool:
    """Whether the user of `user_id` (the bot) may embed links in the channel of `channel_id`, asked of
    Discord: the channel, its parent for a thread, the server and the member. A channel of no
    server (a direct message) allows them. Raises what discord.py raises for a look-up that fails,
    and KeyError, TypeError or ValueError for an answer that is not Discord's.
    """
    channel = await http.get_channel(channel_id)
    guild_id = channel.get("guild_id")
    if not guild_id:
        return True
    parent = await http.get_channel(channel["parent_id"]) if is_thread(channel) else None
    guild = await http.get_guild(guild_id, with_counts=False)
    member = await http.get_member(guild_id, user_id)
    return bool(channel_permissions(channel, guild=guild, member=member, parent=parent) & EMBED_LINKS)
