"""A Digest as a Slack Block Kit message; pure, no network.

Per fact: a header with the question, the answer, its quotes as a rich-text quote block
(literal text, nothing parsed) and a context line naming each source. Limits kept: header
text 150 chars, section text 3000, 10 context elements, 50 blocks per message and about
12k characters per message in practice (`msg_blocks_too_long`): a digest that would not
fit keeps only each fact's first quote, then drops facts from the end.

The message carries Slack message metadata naming its channel and day (`to_metadata`), so a
post whose outcome is unknown can be looked for in the channel's history (`is_digest_message`).
"""

from __future__ import annotations

import json
from typing import Any

from bot.digest import Digest, DigestItem
from bot.terminal import source_label

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_ELEMENTS = 10
MESSAGE_BLOCK_LIMIT = 50
MESSAGE_CHAR_BUDGET = 12000
FALLBACK_LIMIT = 3000
DIGEST_EVENT_TYPE = "factbot_daily_digest"
"""The metadata event_type of a digest message."""
ASK_HINT = "Ask me more: `/ask` followed by your question, or mention me with it."


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's control characters, so no text can form a mention, a link or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(" ".join(text.split()), HEADER_LIMIT)}}


def _context(texts: list[str]) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _clip(t, SECTION_LIMIT)} for t in texts[:CONTEXT_ELEMENTS]],
    }


def _item_blocks(item: DigestItem, *, all_quotes: bool) -> list[dict[str, Any]]:
    quotes = item.quotes if all_quotes else item.quotes[:1]
    blocks: list[dict[str, Any]] = [
        _header(item.question),
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(escape_mrkdwn(item.answer), SECTION_LIMIT)}},
    ]
    if quotes:
        blocks.append(
            {
                "type": "rich_text",
                "elements": [
                    {"type": "rich_text_quote", "elements": [{"type": "text", "text": _clip(q.text, SECTION_LIMIT)}]}
                    for q in quotes
                ],
            }
        )
        blocks.append(
            _context([f"— {escape_mrkdwn(source_label(q.source, timestamp=q.timestamp))}" for q in quotes])
        )
    return blocks


def _assemble(digest: Digest, items: list[DigestItem], *, all_quotes: bool) -> list[dict[str, Any]]:
    per_item = [_item_blocks(item, all_quotes=all_quotes) for item in items]
    fixed = 2 + sum(len(b) for b in per_item)
    dividers = fixed + max(len(per_item) - 1, 0) <= MESSAGE_BLOCK_LIMIT
    blocks: list[dict[str, Any]] = [_header(digest.title)]
    for index, item_blocks in enumerate(per_item):
        if index and dividers:
            blocks.append({"type": "divider"})
        blocks.extend(item_blocks)
    blocks.append(_context([ASK_HINT]))
    return blocks


def _fits(blocks: list[dict[str, Any]]) -> bool:
    size = len(json.dumps(blocks, ensure_ascii=False))
    return len(blocks) <= MESSAGE_BLOCK_LIMIT and size <= MESSAGE_CHAR_BUDGET


def to_blocks(digest: Digest) -> list[dict[str, Any]]:
    """The digest message's blocks, inside Block Kit's limits."""
    items = list(digest.items)
    while True:
        for all_quotes in (True, False):
            blocks = _assemble(digest, items, all_quotes=all_quotes)
            if _fits(blocks) or not items:
                return blocks
        items = items[:-1]


def to_fallback_text(digest: Digest) -> str:
    """The notification text: the title and the questions."""
    questions = "; ".join(item.question for item in digest.items)
    return _clip(escape_mrkdwn(f"{digest.title}: {questions}" if questions else digest.title), FALLBACK_LIMIT)


def to_metadata(digest: Digest) -> dict[str, Any]:
    """chat.postMessage's `metadata`: which channel's digest of which day the message is."""
    return {
        "event_type": DIGEST_EVENT_TYPE,
        "event_payload": {"channel_key": digest.channel, "day": digest.day.isoformat()},
    }


def is_digest_message(message: dict[str, Any], digest: Digest) -> bool:
    """Whether a message from conversations.history (with include_all_metadata) is `digest`'s channel and day."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != DIGEST_EVENT_TYPE:
        return False
    payload = metadata.get("event_payload")
    return (
        isinstance(payload, dict)
        and payload.get("channel_key") == digest.channel
        and payload.get("day") == digest.day.isoformat()
    )
