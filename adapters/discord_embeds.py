"""Answers as Discord embeds and buttons, kept inside Discord's limits; no I/O here.

Where the bot may not embed links, `to_text` and `embeds_to_text` give the same answer as the
plain text of one message: the answer, each quote as a block quote and its source;
`to_plain_content` is the whole message both the serving bot and `digest send` post there.

Buttons carry everything a click needs in their `custom_id` (`factbot:<kind>:...`), so they
keep working after a restart without any stored view: the client parses the id with
`parse_custom_id` when the click arrives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import discord
from discord import app_commands

from bot.models import Answer, FactRef, ResolvedQuote, SourceInfo, TopicSummary
from bot.terminal import TOO_LONG, dont_know, part_note, source_label, suggestions_heading

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
CHOICE_MAX = 100
CHOICES_MAX = 25
CONTENT_MAX = 2000

BUTTONS_MAX = 3
ASKED_PREFIX = "Asked: "
PREFIX = "factbot"
ANSWER_COLOUR = discord.Colour.blurple()
UNKNOWN_COLOUR = discord.Colour.light_grey()
HELP_COLOUR = discord.Colour.green()
LIMITED = "You're asking faster than I answer; please try again in a minute."
# An answer keeps at least this much of its text when quotes compete for room.
MIN_ANSWER_CHARS = 300

ActionKind = Literal["suggest", "related", "vote"]
_FACT_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_CUSTOM_ID = re.compile(
    rf"^{PREFIX}:(?:(?P<kind>suggest|related):(?P<fact>{_FACT_ID})"
    rf"|vote:(?P<vote>up|down):(?P<score>0(?:\.\d{{1,4}})?|1(?:\.0{{1,4}})?):(?P<vfact>{_FACT_ID}))$"
)


# Discord's markup for people, roles, channels, timestamps, commands and its own pages:
# `<@123>`, `<@!123>`, `<@&123>`, `<#123>`, `<t:1700000000:F>`, `</ask:123>`, `<id:browse>`.
_MARKUP = re.compile(r"<(?:@[!&]?\d+|#\d+|t:-?\d+(?::[a-zA-Z])?|/[\w -]+:\d+|id:\w+)>")


# Struck-through text, `~~like this~~`, is what the user took back ("~~who is Altman~~ who is LeCun").
_STRUCK = re.compile(r"~~(?!~).+?~~", re.DOTALL)


def from_discord_markup(text: str) -> str:
    """A Discord message's text as the plain question the user typed: mentions of people,
    roles and channels, timestamps and command links call or point, they don't ask, and
    struck-through text is taken back: dropped."""
    if "~~" in text:
        text = _STRUCK.sub(" ", text)
    return " ".join(_MARKUP.sub(" ", text).split())


@dataclass(frozen=True)
class ButtonAction:
    """What a button click asks for: answer a fact (in place or anew), or record a vote."""

    kind: ActionKind
    fact_id: str
    vote: Literal["up", "down"] | None = None
    score: float = 0.0


def to_custom_id(action: ButtonAction) -> str | None:
    """The button's custom_id, or None when it would not fit Discord's 100 characters."""
    if action.kind == "vote":
        custom_id = f"{PREFIX}:vote:{action.vote}:{min(max(action.score, 0.0), 1.0):.4f}:{action.fact_id}"
    else:
        custom_id = f"{PREFIX}:{action.kind}:{action.fact_id}"
    return custom_id if len(custom_id) <= CUSTOM_ID_MAX and parse_custom_id(custom_id) is not None else None


def parse_custom_id(custom_id: str) -> ButtonAction | None:
    """The action a custom_id names; None for anything that is not one of ours."""
    match = _CUSTOM_ID.match(custom_id or "")
    if match is None:
        return None
    if match["kind"]:
        return ButtonAction(kind=match["kind"], fact_id=match["fact"])  # type: ignore[arg-type]
    return ButtonAction(kind="vote", fact_id=match["vfact"], vote=match["vote"], score=float(match["score"]))  # type: ignore[arg-type]


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…" if limit > 0 else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote_block(quote: ResolvedQuote) -> str:
    body = "\n".join(f"> {line}" if line.strip() else ">" for line in discord.utils.escape_markdown(quote.text).splitlines())
    label = discord.utils.escape_markdown(source_label(quote.source, timestamp=quote.timestamp))
    return f"{body}\n— *{label}*"


def _description(answer_text: str, quote_blocks: list[str], budget: int) -> str:
    """Answer text then the quotes; the answer shrinks first, then the quotes, to fit `budget`."""
    quotes = "\n\n".join(quote_blocks)
    if not quotes:
        return clip(answer_text, budget)
    keep = min(len(answer_text), MIN_ANSWER_CHARS)
    if len(quotes) > budget - keep - 2:
        quotes = clip(quotes, max(budget - keep - 2, 0))
    room = budget - len(quotes) - 2
    text = clip(answer_text, room)
    return f"{text}\n\n{quotes}" if text else clip(quotes, budget)


def _asked(embed: discord.Embed, question: str, *, unless: str | None = None) -> None:
    """Show what the person asked, unless it is just the canonical question again."""
    question = _one_line(question)
    if question and question.casefold() != (unless or "").strip().casefold():
        embed.set_author(name=clip(ASKED_PREFIX + question, AUTHOR_MAX))


def _fit(embed: discord.Embed) -> discord.Embed:
    """Trim the description as a last resort so the whole embed stays under 6000 characters."""
    excess = len(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, len(embed.description) - excess)
    return embed


def to_embeds(answer: Answer) -> list[discord.Embed]:
    """The answer as the embeds of one message (one embed today; a list so callers need not care)."""
    if answer.status == "help":
        return [to_help_embed(answer.topics, answer.sources)]
    if answer.status == "limited":
        return [discord.Embed(description=clip(answer.reason or LIMITED, DESCRIPTION_MAX), colour=UNKNOWN_COLOUR)]
    if not answer.answered:
        return [_abstention_embed(answer)]
    title = clip(_one_line(answer.canonical_question or answer.question), TITLE_MAX)
    embed = discord.Embed(title=title, colour=ANSWER_COLOUR)
    _asked(embed, answer.question, unless=answer.canonical_question)
    footer = clip(f"Fact {answer.fact_id}", FOOTER_MAX)
    embed.set_footer(text=footer)
    fixed = len(embed)
    budget = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - fixed)
    embed.description = _description(*_body(answer), budget)
    return [_fit(embed)]


def _body(answer: Answer) -> tuple[str, list[str]]:
    """An answer's text (after the note on which part was answered) and its quote blocks, as markdown."""
    text = discord.utils.escape_markdown(answer.text or "")
    if note := part_note(answer):
        text = f"*{discord.utils.escape_markdown(note)}*\n\n{text}"
    return text, [_quote_block(q) for q in answer.quotes]


def _plain(text: str) -> str:
    """Text that is not markdown (an embed's title, author or footer) as it must be in a message's
    content: markdown escaped, and @everyone, @here, people and roles defused (the message's
    allowed mentions already keep them from pinging)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def to_text(answer: Answer) -> str:
    """The answer as the plain text of one message, for a channel where the bot may not embed links:
    its title in bold, what was asked, the answer, each quote as a block quote with its source
    and the fact id, in at most 2000 characters (the quotes keep their room before the answer)."""
    if answer.status in ("help", "limited") or not answer.answered:
        return embeds_to_text(to_embeds(answer))
    title = clip(_one_line(answer.canonical_question or answer.question), TITLE_MAX)
    head = [f"**{_plain(title)}**"]
    question = _one_line(answer.question)
    if question and question.casefold() != (answer.canonical_question or "").strip().casefold():
        head.append(_plain(clip(ASKED_PREFIX + question, AUTHOR_MAX)))
    top = "\n".join(head)
    footer = _plain(f"Fact {answer.fact_id}")
    body = _description(*_body(answer), CONTENT_MAX - len(top) - len(footer) - 4)
    return clip(f"{top}\n\n{body}\n\n{footer}", CONTENT_MAX)


def title_line(title: str) -> str:
    """An embed's title as the first line of its plain text (`embeds_to_text`)."""
    return f"**{_plain(title)}**"


def embeds_to_text(embeds: Sequence[discord.Embed], *, limit: int = CONTENT_MAX) -> str:
    """Embeds as the plain text of one message, in at most `limit` characters.

    Title, author and footer are plain text and escaped here; descriptions, field names and
    field values are markdown already (what this module and the digest's make). A field value
    is a lead line, then quotes each followed by its source line (the digest's items): when the
    text is too long, the longest value loses its last quote and source first, down to one
    each; then the lead lines are shortened alike, so every quote left keeps its source.
    """
    heads: list[str] = []
    fields: list[tuple[str, list[str]]] = []
    tails: list[str] = []
    for embed in embeds:
        if embed.title:
            heads.append(title_line(embed.title))
        if embed.author and embed.author.name:
            heads.append(_plain(embed.author.name))
        if embed.description:
            heads.append(embed.description)
        fields += [(f"**{field.name}**", (field.value or "").split("\n")) for field in embed.fields]
        if embed.footer and embed.footer.text:
            tails.append(_plain(embed.footer.text))

    def render() -> str:
        shown = ["\n".join([name, *lines]) for name, lines in fields]
        return "\n\n".join(part for part in [*heads, *shown, *tails] if part)

    text = render()
    while len(text) > limit:
        longer = [lines for _, lines in fields if len(lines) > 3]
        if not longer:
            break
        del max(longer, key=lambda lines: len("\n".join(lines)))[-2:]
        text = render()
    # Then lead lines and quotes are shortened to one length, the longest first, so that a
    # short answer is kept whole and no field is cut to nothing; when that length would be too
    # short to read, the quotes go (then their sources), and the lead lines share their room.
    for keep in (3, 2, 1):
        if len(text) <= limit:
            break
        for _, lines in fields:
            if keep == 2 and len(lines) == 3:
                del lines[1]  # the quote, keeping the source line after it
            del lines[keep:]
        shortened = [(lines, i) for _, lines in fields for i in range(min(len(lines), 2 if keep == 3 else 1))]
        room = limit - (len(render()) - sum(len(lines[i]) for lines, i in shortened))
        length = _common_length([len(lines[i]) for lines, i in shortened], room)
        if length >= _READABLE or keep == 1:
            for lines, i in shortened:
                lines[i] = _clip_markdown(lines[i], max(length, 1))
            text = render()
            break
        text = render()
    return _clip_markdown(text, limit)


_READABLE = 60
"""The length a shortened answer or quote keeps at least before the quotes make way for it."""


def _common_length(lengths: list[int], room: int) -> int:
    """The greatest length L such that the lines, each cut to L where longer, fit in `room`."""
    if sum(lengths) <= room:
        return max(lengths, default=0)
    low, high = 0, max(lengths, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(n, mid) for n in lengths) <= room:
            low = mid
        else:
            high = mid - 1
    return low


def to_plain_content(embeds: Sequence[discord.Embed], *, lead: str | None = None) -> str:
    """The content of one message that says `lead` and then shows `embeds` as text, for a channel
    where the bot may not embed links. `lead` keeps at most half the message, so the embeds'
    text always has room."""
    lead = clip(lead, CONTENT_MAX // 2) if lead else ""
    shown = embeds_to_text(embeds, limit=CONTENT_MAX - len(lead) - 2)
    return f"{lead}\n\n{shown}" if lead else shown


def _clip_markdown(text: str, limit: int) -> str:
    """`clip` for markdown: a cut never leaves a lone backslash, which would show before the ellipsis."""
    if len(text) <= limit:
        return text
    cut = clip(text, limit)
    return cut[:-1].rstrip("\\").rstrip() + "…" if cut.endswith("…") else cut


def _abstention_embed(answer: Answer) -> discord.Embed:
    lines = [discord.utils.escape_markdown(dont_know(answer))]
    if answer.reason == "too_long":
        lines = [TOO_LONG]
    if answer.suggestions:
        lines.append("")
        lines.append(f"{suggestions_heading(answer)} (click one):")
        lines += [f"• {discord.utils.escape_markdown(s.question)}" for s in answer.suggestions[:BUTTONS_MAX]]
    embed = discord.Embed(description=clip("\n".join(lines), DESCRIPTION_MAX), colour=UNKNOWN_COLOUR)
    _asked(embed, answer.question)
    return _fit(embed)


def to_help_embed(topics: list[TopicSummary], sources: Sequence[SourceInfo] = ()) -> discord.Embed:
    """How to ask, and the topics with an example question each (also `/topics`); first the
    sources when the question asked where the answers come from."""
    embed = discord.Embed(
        title="Ask me about Meta's open-source AI strategy",
        description=(
            "Use `/ask` (it suggests questions as you type) or mention me with a question. "
            "I answer in my own words and quote my source; when I don't know, I say so."
        ),
        colour=HELP_COLOUR,
    )
    if sources:
        listed = "\n".join(f"• {discord.utils.escape_markdown(source_label(s))}" for s in sources)
        name = f"Sources ({len(sources)}), quoted word for word"
        embed.add_field(name=name, value=clip(listed, FIELD_VALUE_MAX), inline=False)
    for topic in topics[:FIELDS_MAX - len(embed.fields)]:
        name = clip(f"{topic.title} ({topic.fact_count})", FIELD_NAME_MAX)
        value = clip(f"e.g. “{discord.utils.escape_markdown(topic.example)}”", FIELD_VALUE_MAX)
        if len(embed) + len(name) + len(value) > EMBED_TOTAL_MAX:
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def _button(action: ButtonAction, *, label: str | None = None, emoji: str | None = None,
            style: discord.ButtonStyle, row: int) -> discord.ui.Button | None:
    custom_id = to_custom_id(action)
    if custom_id is None:
        return None
    text = clip(_one_line(label), BUTTON_LABEL_MAX) if label else None
    return discord.ui.Button(style=style, label=text, emoji=emoji, custom_id=custom_id, row=row)


def _fact_buttons(refs: list[FactRef], kind: ActionKind, style: discord.ButtonStyle) -> list[discord.ui.Button]:
    buttons = []
    for ref in refs[:BUTTONS_MAX]:
        button = _button(ButtonAction(kind=kind, fact_id=ref.fact_id), label=ref.question, style=style, row=0)
        if button is not None:
            buttons.append(button)
    return buttons


def to_view(answer: Answer) -> discord.ui.View | None:
    """Related and 👍/👎 buttons for an answer, suggestion buttons for an abstention, else None.

    The view only renders buttons; clicks are handled from their custom_id, so it needs no
    state: it is returned stopped, and discord.py never stores it. A live view was kept for
    three minutes per answer, each with a task of its own, which a stop waited its whole grace for.
    """
    if answer.status in ("help", "limited"):
        return None
    if answer.answered:
        items = _fact_buttons(answer.related, "related", discord.ButtonStyle.secondary)
        for vote, emoji in (("up", "👍"), ("down", "👎")):
            button = _button(
                ButtonAction(kind="vote", fact_id=answer.fact_id or "", vote=vote, score=answer.score),  # type: ignore[arg-type]
                emoji=emoji,
                style=discord.ButtonStyle.secondary,
                row=1,
            )
            if button is not None:
                items.append(button)
    else:
        items = _fact_buttons(answer.suggestions, "suggest", discord.ButtonStyle.primary)
    if not items:
        return None
    view = discord.ui.View()
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def question_of(embed: discord.Embed) -> str | None:
    """The question an answer embed was given for: the "Asked:" line, else its title."""
    name = embed.author.name if embed.author else None
    if name and name.startswith(ASKED_PREFIX):
        return name[len(ASKED_PREFIX):]
    return embed.title or None


def to_choices(refs: list[FactRef]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices, best first: at most 25, name and value at most 100 characters each."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for ref in refs:
        value = clip(_one_line(ref.question), CHOICE_MAX)
        if not value or value in seen:
            continue
        seen.add(value)
        choices.append(app_commands.Choice(name=value, value=value))
        if len(choices) == CHOICES_MAX:
            break
    return choices
