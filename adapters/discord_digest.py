"""A Digest as a Discord embed; pure, no network.

One embed: the title with the date, a field per fact (the question as its name; the
answer, the quotes and their sources as its value) and the "Ask me more" hint as footer.
Limits kept: title 256, field name 256, field value 1024, 25 fields, footer 2048 and 6000
characters in all; when the facts need more, quotes after the first go, then quote and
answer text is shortened, each fact getting an equal share.
"""

from __future__ import annotations

import discord

from bot.digest import Digest, DigestItem
from bot.models import ResolvedQuote
from bot.terminal import source_label

TITLE_MAX = 256
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
DIGEST_COLOUR = discord.Colour.blurple()
ASK_HINT = "Ask me more: /ask followed by your question, or mention me with it."


def _clip(text: str, limit: int) -> str:
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _escape(text: str, limit: int | None = None) -> str:
    """Text with Discord markdown escaped, cut before escaping so no escape is split; at most `limit` chars."""
    text = " ".join(text.split())
    escaped = discord.utils.escape_markdown(text)
    if limit is None or len(escaped) <= limit:
        return escaped
    cut = limit - 1
    while cut > 0:
        candidate = discord.utils.escape_markdown(text[:cut].rstrip()) + "…"
        if len(candidate) <= limit:
            return candidate
        cut -= max(1, len(candidate) - limit)
    return "…" if limit >= 1 else ""


def _quote(quote: ResolvedQuote, *, text_limit: int | None = None, label_limit: int | None = None) -> str:
    label = _escape(source_label(quote.source, timestamp=quote.timestamp), label_limit)
    return f"> {_escape(quote.text, text_limit)}\n— *{label}*"


def _value(item: DigestItem, budget: int) -> str:
    """Answer then quotes in at most `budget` chars: extra quotes go first, then text is shortened."""
    answer = _escape(item.answer)
    quotes = [_quote(q) for q in item.quotes]
    full = "\n".join([answer, *quotes])
    if len(full) <= budget:
        return full
    if not item.quotes:
        return _escape(item.answer, budget)
    if len(answer) + 1 + len(quotes[0]) <= budget:
        return f"{answer}\n{quotes[0]}"
    # Too tight for the whole first quote: the source keeps at most a quarter, answer and quote share the rest.
    first = item.quotes[0]
    label_limit = max(budget // 4, 20)
    label = _escape(source_label(first.source, timestamp=first.timestamp), label_limit)
    rest = budget - len(label) - len("\n> \n— **")
    answer_room = min(len(answer), max(rest // 2, rest - len(_escape(first.text))))
    answer_text = _escape(item.answer, answer_room)
    value = f"{answer_text}\n" + _quote(first, text_limit=rest - len(answer_text), label_limit=label_limit)
    return _clip(value, budget)


def to_embeds(digest: Digest) -> list[discord.Embed]:
    """The digest as the embeds of one message (one embed), inside Discord's limits."""
    title = _clip(digest.title, TITLE_MAX)
    embed = discord.Embed(title=title, colour=DIGEST_COLOUR)
    items = list(digest.items)[:FIELDS_MAX]
    names = [_escape(item.question, FIELD_NAME_MAX) for item in items]
    room = EMBED_TOTAL_MAX - len(title) - len(ASK_HINT) - sum(len(n) for n in names)
    share = room // len(items) if items else 0
    for name, item in zip(names, items):
        embed.add_field(name=name, value=_value(item, min(FIELD_VALUE_MAX, share)) or "—", inline=False)
    embed.set_footer(text=_clip(ASK_HINT, FOOTER_MAX))
    return [embed]

