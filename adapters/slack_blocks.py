"""Slack Block Kit rendering of the neutral `Answer`, and Slack's message text back to a plain question.

Pure: no network, no bolt. Everything that reaches Slack as mrkdwn goes through
`escape_mrkdwn`, so a question carrying `<!channel>` or `<@U…>` shows as text and pings
nobody. Limits kept (Slack's Block Kit reference): section text 3000 chars, button text 75,
button value 2000, 25 elements per actions block, 50 blocks per message (100 in the Home
tab), and about 12k characters per message in practice (`msg_blocks_too_long`). A message
whose blocks Slack refuses goes as mrkdwn text alone (`to_mrkdwn`), within TEXT_LIMIT.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.models import Answer, FactRef, ResolvedQuote, SourceInfo, TopicSummary
from bot.terminal import MAX_QUESTION_CHARS, dont_know, part_note, source_label, suggestions_heading

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
VALUE_LIMIT = 2000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100
MESSAGE_CHAR_BUDGET = 12000
MAX_BUTTONS = 3
TEXT_LIMIT = 4000
"""Characters of a message's text when it goes without blocks: Slack advises at most 4,000 for
chat.postMessage's `text`, and cuts it at 40,000."""
SHORTENED = "_Shortened to fit Slack's message limits._"

# Action ids. Buttons that name a fact carry its id in the action id (unique within a
# block, as Slack requires) and again in the JSON value with the question they answer.
ACTION_SHARE = "share_answer"
ACTION_SUGGEST = "suggest:"
ACTION_RELATED = "related:"
ACTION_EXAMPLE = "example:"
ACTION_VOTE_UP = "vote:up"
ACTION_VOTE_DOWN = "vote:down"
ACTION_PATTERNS = {
    "suggest": re.compile(r"^suggest:"),
    "related": re.compile(r"^related:"),
    "example": re.compile(r"^example:"),
    "vote": re.compile(r"^vote:(up|down)$"),
}

HOW_TO_ASK = (
    "Ask me about Meta's open-source AI strategy in your own words: mention me in a channel, "
    "send me a direct message, or use `/ask` followed by your question. I answer from the "
    "articles my fact base is built from and quote my source."
)
COMMAND = "/ask"
"""The slash command of the manifest; a workspace that has another app's /ask renames it."""
_COMMAND_NAME = re.compile(r"/[a-z0-9_-]{1,32}")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TIMESTAMP = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})$")


# -- text ------------------------------------------------------------------------------------


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's control characters so user text can't form mentions, links or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_BROADCASTS = frozenset({"here", "channel", "everyone", "subteam"})
# The same calls as typed, for text Slack doesn't encode: `/ask` with should_escape off.
_PLAIN_BROADCAST = re.compile(r"(?<!\S)@(?:here|channel|everyone)(?![\w-])", re.IGNORECASE)


def from_mrkdwn(text: str, *, bot_user_id: str | None = None) -> str:
    """A Slack message's text as the plain question the user typed.

    Mentions of the bot and calls to a whole channel or group (`<!here>`, `<!channel>`, and a
    plain `@here`, as a slash command without escaping sends it) are dropped; other mentions,
    channels and links become readable words (`@someone`, `#general`, the link label); Slack's
    `&amp;`, `&lt;`, `&gt;` are decoded.
    """

    def token(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return " "
            return "@" + (label or "someone")
        if target.startswith("#"):
            return "#" + (label or "channel")
        if target.startswith("!"):
            # <!here>, <!channel>, <!everyone> and <!subteam^ID|@team> call people, they don't
            # ask anything: dropped. <!date^…|fallback> keeps its readable fallback.
            name = target[1:].split("^", 1)[0]
            if name in _BROADCASTS:
                return " "
            return label or f"@{name}"
        return label or target

    if "~" in text:
        text = _STRUCK.sub(" ", text)
    plain = _PLAIN_BROADCAST.sub(" ", _SLACK_TOKEN.sub(token, text))
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # Lines stay lines (Shift+Enter between two questions parts them); spaces within a line fold.
    return "\n".join(folded for line in plain.splitlines() if (folded := " ".join(line.split())))


def from_rich_text(blocks: object) -> str:
    """The words of a message's rich_text blocks as Slack's mrkdwn, for `from_mrkdwn`: for a message
    whose `text` is empty (one another app posted for its user with blocks alone).

    Mentions keep their markup, so they are read as in `text`: the bot's dropped, others'
    readable; calls to a channel or a group, and struck-through text, are left out.
    """
    lines: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "rich_text":
            lines += _rich_lines(block.get("elements"))
    return "\n".join(lines)


def _rich_lines(elements: object) -> list[str]:
    """Each section, list item, quote or preformatted part of a rich_text block as a line of mrkdwn."""
    lines: list[str] = []
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "rich_text_list":
            lines += _rich_lines(element.get("elements"))
        else:
            parts = element.get("elements")
            parts = parts if isinstance(parts, list) else []
            lines.append("".join(_rich_word(part) for part in parts if isinstance(part, dict)))
    return lines


_RICH_ID = re.compile(r"^[A-Z0-9]+$")


def _rich_word(element: dict[str, Any]) -> str:
    kind = element.get("type")
    style = element.get("style")
    if isinstance(style, dict) and style.get("strike"):
        return " "
    if kind == "text":
        return escape_mrkdwn(_words(element.get("text")))
    if kind == "link":
        return escape_mrkdwn(_words(element.get("text")) or _words(element.get("url")))
    if kind == "emoji":
        name = _words(element.get("name"))
        return f":{escape_mrkdwn(name)}:" if name else ""
    if kind == "user":
        user = _words(element.get("user_id"))
        return f"<@{user}>" if _RICH_ID.match(user) else "@someone"
    if kind == "channel":
        return "#channel"
    if kind == "date":
        return escape_mrkdwn(_words(element.get("fallback")))
    return " "  # a call to a channel or a group (broadcast, usergroup), or what the bot can't read


def _words(value: object) -> str:
    return value if isinstance(value, str) else ""


# Struck-through text, `~like this~` between word boundaries, is what the user took back
# ("~who is Altman~ who is LeCun"); a lone tilde ("~49%") is text.
_STRUCK = re.compile(r"(?<![^\s(])~(?=\S)[^~\n]*?(?<=\S)~(?![^\s).,!?;:])")


def split_text(text: str, *, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into chunks of at most `limit` chars, at paragraph, line or word breaks when possible."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _mrkdwn_chunks(text: str, *, limit: int = SECTION_LIMIT) -> list[str]:
    """`text` escaped for mrkdwn, in pieces of at most `limit` chars once escaped.

    Split first (an entity is never cut), then escaped: escaping makes a piece longer (`&` is
    five characters as `&amp;`), so pieces that outgrow `limit` are split again, smaller.
    """
    size = limit
    while True:
        chunks = [escape_mrkdwn(chunk) for chunk in split_text(text, limit=size)]
        overflow = max((len(chunk) for chunk in chunks), default=0) - limit
        if overflow <= 0:
            return chunks
        # Escaping at most quintuples a text: at a fifth of the limit, every piece fits.
        size = max(limit // 5, size - overflow)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- button values ---------------------------------------------------------------------------


def encode_value(data: dict[str, Any]) -> str:
    """JSON for a button value, within Slack's 2000 chars: the question (key `q`) is cut to fit."""
    value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    question = data.get("q")
    while len(value) > VALUE_LIMIT and isinstance(question, str) and question:
        # Escapes can make the JSON longer than the text; shrink until it fits.
        question = question[: max(0, len(question) - (len(value) - VALUE_LIMIT) - 1)]
        value = json.dumps({**data, "q": question}, ensure_ascii=False, separators=(",", ":"))
    return value[:VALUE_LIMIT] if len(value) > VALUE_LIMIT else value


def decode_value(value: Any) -> dict[str, Any]:
    """The data of a button value; {} for anything that isn't our JSON (values arrive from clients)."""
    if not isinstance(value, str):
        return {}
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: arrays or objects nested too deep
        return {}
    return data if isinstance(data, dict) else {}


def _button(text: str, action_id: str, value: dict[str, Any], *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _shorten(text, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id[:255],
        "value": encode_value(value),
    }
    if style:
        button["style"] = style
    return button


# -- blocks ----------------------------------------------------------------------------------


def _mrkdwn(text: str, *, verbatim: bool) -> dict[str, Any]:
    """A mrkdwn text object. `verbatim` for text holding what a user typed: Slack's automatic
    parsing (on by default) turns plain words into links and "certain mentions", and escaping
    `&`, `<`, `>` can't neutralise a plain `@channel` (what `/ask` sends with should_escape off)."""
    text_object: dict[str, Any] = {"type": "mrkdwn", "text": text}
    if verbatim:
        text_object["verbatim"] = True
    return text_object


def _section(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text, verbatim=verbatim)}


def _context(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(text[:SECTION_LIMIT], verbatim=verbatim)]}


def _quote_blocks(quote: ResolvedQuote) -> list[dict[str, Any]]:
    # rich_text quote elements are literal text: nothing in them is parsed, so nothing to escape.
    blocks = [
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_quote", "elements": [{"type": "text", "text": chunk}]}],
        }
        for chunk in split_text(quote.text)
    ]
    blocks.append(_context(_source_line(quote)))
    return blocks


def _source_line(quote: ResolvedQuote) -> str:
    """`— Title (kind, outlet)` in mrkdwn, with the podcast timestamp linked to that moment of the video."""
    label = escape_mrkdwn(source_label(quote.source))
    if quote.timestamp:
        at = f"at {escape_mrkdwn(quote.timestamp)}"
        seconds = _seconds(quote.timestamp)
        if quote.source.video_id and seconds is not None:
            at = f"<https://youtu.be/{quote.source.video_id}?t={seconds}|{at}>"
        label = f"{label} {at}"
    return f"— {label}"


def _seconds(timestamp: str) -> int | None:
    match = _TIMESTAMP.match(timestamp)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _question_line(question: str, *, asked_by: str | None) -> str:
    asked = f"“{escape_mrkdwn(_shorten(question, MAX_QUESTION_CHARS))}”"
    if asked_by and _USER_ID.match(asked_by):
        return f"<@{asked_by}> asked {asked}"
    return f"You asked {asked}"


def _vote_block(answer: Answer) -> dict[str, Any]:
    data = {"q": answer.question, "f": answer.fact_id, "s": round(answer.score, 4)}
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            _button("👍", ACTION_VOTE_UP, {**data, "v": "up"}),
            _button("👎", ACTION_VOTE_DOWN, {**data, "v": "down"}),
        ],
    }


def _fact_buttons(refs: list[FactRef], prefix: str, *, question: str | None) -> list[dict[str, Any]]:
    buttons = []
    for ref in refs[:MAX_BUTTONS]:
        value: dict[str, Any] = {"f": ref.fact_id, "q": question or ref.question}
        buttons.append(_button(ref.question, prefix + ref.fact_id, value))
    return buttons


def to_blocks(
    answer: Answer,
    *,
    share: bool = False,
    show_question: bool = False,
    asked_by: str | None = None,
    command: str = COMMAND,
) -> list[dict[str, Any]]:
    """Block Kit blocks for an answer, an abstention or the help reply.

    `share` adds the "Share in channel" button (for ephemeral `/ask` replies);
    `show_question` or `asked_by` (a Slack user id) opens with the question as asked; the help
    names `command` as the slash command to ask with.
    """
    if answer.status == "help":
        return help_blocks(answer.topics, answer.sources, command=command)
    if answer.status == "limited":
        return [_section(escape_mrkdwn(answer.reason or "You're asking faster than I answer; try again shortly."))]
    head: list[dict[str, Any]] = []
    if show_question or asked_by:
        head.append(_context(_question_line(answer.question, asked_by=asked_by), verbatim=True))
    if not answer.answered:
        return _fit(head + _abstention_blocks(answer), tail=[_vote_block(answer)])
    if note := part_note(answer):
        head.append(_context(escape_mrkdwn(note), verbatim=True))

    body = [_section(chunk) for chunk in _mrkdwn_chunks(answer.text or "")]
    for quote in answer.quotes:
        body += _quote_blocks(quote)
    tail: list[dict[str, Any]] = [_context(_about(answer))]
    if answer.related:
        tail.append(_context("*Related*"))
        tail.append(
            {
                "type": "actions",
                "block_id": "related",
                "elements": _fact_buttons(answer.related, ACTION_RELATED, question=None),
            }
        )
    actions = _vote_block(answer)
    if share:
        share_value = {"q": answer.question, "f": answer.fact_id}
        actions["elements"].append(_button("Share in channel", ACTION_SHARE, share_value, style="primary"))
    tail.append(actions)
    return _fit(head + body, tail=tail)


def _about(answer: Answer) -> str:
    about = f"Fact `{escape_mrkdwn(answer.fact_id or '')}`"
    if answer.canonical_question:
        about += f" · {escape_mrkdwn(answer.canonical_question)}"
    return about


def _abstention_blocks(answer: Answer) -> list[dict[str, Any]]:
    blocks = [_section(escape_mrkdwn(dont_know(answer)), verbatim=True)]
    if answer.suggestions:
        blocks.append(_context(f"{suggestions_heading(answer)}:"))
        blocks.append(
            {
                "type": "actions",
                "block_id": "suggestions",
                "elements": _fact_buttons(answer.suggestions, ACTION_SUGGEST, question=answer.question),
            }
        )
    return blocks


def _block_chars(block: dict[str, Any]) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def _fit(body: list[dict[str, Any]], *, tail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the tail (ids, buttons) whole and as much of the body as Slack's limits allow."""
    budget = MESSAGE_CHAR_BUDGET - sum(_block_chars(b) for b in tail)
    room = MESSAGE_BLOCK_LIMIT - len(tail)
    if len(body) <= room and sum(_block_chars(b) for b in body) <= budget:
        return body + tail
    note = _context("_Shortened to fit Slack's message limits._")
    budget -= _block_chars(note)
    kept: list[dict[str, Any]] = []
    for block in body:
        if len(kept) >= room - 1 or _block_chars(block) > budget:
            break
        kept.append(block)
        budget -= _block_chars(block)
    return kept + [note] + tail


def how_to_ask(command: str = COMMAND) -> str:
    """HOW_TO_ASK naming `command`, the slash command as the workspace calls it, if it looks like
    one (Slack's: a slash, then up to 32 lowercase letters, digits, `-` or `_`)."""
    return HOW_TO_ASK.replace(f"`{COMMAND}`", f"`{command}`") if _COMMAND_NAME.fullmatch(command) else HOW_TO_ASK


def to_text(answer: Answer, *, command: str = COMMAND) -> str:
    """The `text` beside an answer's blocks, escaped like them: a summary (the answer, or why the bot
    doesn't know), which mobile notifications show. Sent without blocks, a message is `to_mrkdwn`."""
    if answer.status == "help":
        return escape_mrkdwn(how_to_ask(command))
    if answer.status == "limited":
        return escape_mrkdwn(answer.reason or "")
    if not answer.answered:
        return escape_mrkdwn(dont_know(answer))
    return escape_mrkdwn(_shorten(answer.text or "", SECTION_LIMIT))


def to_mrkdwn(
    answer: Answer, *, show_question: bool = False, asked_by: str | None = None, command: str = COMMAND
) -> str:
    """The message as mrkdwn text alone, for where Slack refused its blocks: what the blocks show
    but the buttons, each quote a block quote (`> ` lines) followed by its source, within TEXT_LIMIT.

    Too long, later quotes go first, then the answer text is cut; the first quote and its source
    stay (a quote too long to fit whole is cut at a word, marked with "…").
    """
    if answer.status == "limited":
        return to_text(answer)
    if answer.status == "help":
        lines: list[str] = []
        if answer.sources:
            lines.append(f"I answer from these {len(answer.sources)} sources, quoting them word for word:")
            lines += [f"• {escape_mrkdwn(source_label(s))}" for s in answer.sources]
        lines += [escape_mrkdwn(how_to_ask(command)), "*Topics*, with a question to try:"]
        lines += [f"• *{escape_mrkdwn(t.title)}*: e.g. {escape_mrkdwn(t.example)}" for t in answer.topics]
        return _fit_lines(lines)
    head = [_question_line(answer.question, asked_by=asked_by)] if show_question or asked_by else []
    if not answer.answered:
        lines = head + [escape_mrkdwn(dont_know(answer))]
        if answer.suggestions:
            lines.append(f"{suggestions_heading(answer)}:")
            lines += [f"• {escape_mrkdwn(ref.question)}" for ref in answer.suggestions[:MAX_BUTTONS]]
        return _fit_lines(lines)
    if note := part_note(answer):
        head.append(escape_mrkdwn(note))
    body = escape_mrkdwn((answer.text or "").strip())
    quotes = [_quote_text(quote) for quote in answer.quotes]
    tail = [_about(answer)]
    for kept in range(len(quotes), 0, -1):
        text = _paragraphs(head, body, quotes[:kept], SHORTENED if kept < len(quotes) else "", tail)
        if len(text) <= TEXT_LIMIT:
            return text
    if not quotes:
        text = _paragraphs(head, body, [], "", tail)
        if len(text) <= TEXT_LIMIT:
            return text
    # Even with its first quote alone, too long: the answer text gives way, and the quote too if
    # it takes more than half of what is left.
    rest = TEXT_LIMIT - len(_paragraphs(head, "", [], SHORTENED, tail)) - 4  # two more paragraph breaks
    first = answer.quotes[0] if answer.quotes else None
    quote = _quote_text(first, limit=max(rest - len(body), rest // 2)) if first else ""
    body = _clip_mrkdwn(answer.text or "", rest - len(quote))
    return _paragraphs(head, body, [quote] if quote else [], SHORTENED, tail)[:TEXT_LIMIT]


def _quote_text(quote: ResolvedQuote, *, limit: int | None = None) -> str:
    """A quote as a mrkdwn block quote, each line opening with `> `, then its source; at most
    `limit` chars, the quote cut to fit."""
    source = _source_line(quote)
    text = quote.text.strip()
    if limit is None:
        escaped = escape_mrkdwn(text)
    else:
        # Each line gains its "> ": the room for the quote's own text is what is left.
        escaped = _clip_mrkdwn(text, limit - len(source) - 1 - 2 * (text.count("\n") + 1))
    lines = [f"> {line}" if line.strip() else ">" for line in escaped.split("\n")]
    return "\n".join(lines + [source])


def _clip_mrkdwn(text: str, limit: int) -> str:
    """`text` escaped, within `limit` chars: cut at a break and marked "…" when longer."""
    escaped = escape_mrkdwn(text.strip())
    if len(escaped) <= limit:
        return escaped
    if limit < 10:
        return ""
    return _mrkdwn_chunks(text, limit=limit - 1)[0] + "…"


def _paragraphs(head: list[str], body: str, quotes: list[str], note: str, tail: list[str]) -> str:
    return "\n\n".join(part for part in [*head, body, *quotes, note, *tail] if part)


def _fit_lines(lines: list[str]) -> str:
    """`lines` joined, as many as fit TEXT_LIMIT (each line itself cut to it)."""
    kept: list[str] = []
    size = 0
    for line in lines:
        line = line[:TEXT_LIMIT]
        size += len(line) + (1 if kept else 0)
        if size > TEXT_LIMIT:
            break
        kept.append(line)
    return "\n".join(kept)


def help_blocks(
    topics: list[TopicSummary], sources: Sequence[SourceInfo] = (), *, command: str = COMMAND
) -> list[dict[str, Any]]:
    """How to ask (with `command`), and the topics, each with an example question to click;
    first the sources when the question asked where the answers come from."""
    blocks: list[dict[str, Any]] = []
    if sources:
        listed = "\n".join(f"• {escape_mrkdwn(source_label(s))}" for s in sources)
        intro = f"I answer from these {len(sources)} sources, quoting them word for word:"
        blocks.append(_section(_shorten(f"{intro}\n{listed}", SECTION_LIMIT)))
    blocks += [_section(escape_mrkdwn(how_to_ask(command))), _context("*Topics*, with a question to try:")]
    blocks += _topic_blocks(topics)
    return blocks[:MESSAGE_BLOCK_LIMIT]


def _topic_blocks(topics: list[TopicSummary]) -> list[dict[str, Any]]:
    blocks = []
    for topic in topics:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _shorten(f"*{escape_mrkdwn(topic.title)}*\ne.g. {escape_mrkdwn(topic.example)}", SECTION_LIMIT),
                },
                "accessory": _button("Ask this", ACTION_EXAMPLE + topic.id, {"q": topic.example}),
            }
        )
    return blocks


def home_view(topics: list[TopicSummary], *, command: str = COMMAND) -> dict[str, Any]:
    """The App Home tab: what the bot knows, how to ask (with `command`), and the topics with
    example questions."""
    shown = command if _COMMAND_NAME.fullmatch(command) else COMMAND
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Meta's open-source AI strategy, with sources"}},
        _section(escape_mrkdwn(how_to_ask(shown))),
        _context(f"For example: `{shown} How much of Scale AI does Meta own?`"),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Topics"}},
    ]
    for block in _topic_blocks(topics):
        # Home tab buttons have nowhere to answer in place: show the examples as text.
        blocks.append({key: value for key, value in block.items() if key != "accessory"})
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
