"""Answers as Discord embeds and buttons: content, custom ids, and Discord's limits."""

from __future__ import annotations

import discord
import pytest

from datetime import date

from adapters.discord_digest import to_embeds as digest_embeds
from adapters.discord_embeds import (
    BUTTON_LABEL_MAX,
    CHOICE_MAX,
    CHOICES_MAX,
    CONTENT_MAX,
    CUSTOM_ID_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    ButtonAction,
    embeds_to_text,
    from_discord_markup,
    parse_custom_id,
    question_of,
    to_choices,
    to_custom_id,
    to_embeds,
    to_help_embed,
    to_plain_content,
    to_text,
    to_view,
)
from bot.digest import Digest, DigestItem
from bot.engine import Engine
from bot.models import Answer, FactRef, ResolvedQuote, SourceInfo, TopicSummary
from bot.terminal import DONT_KNOW, source_label

PODCAST = SourceInfo(id="podcast", title="A podcast about open models", kind="podcast notes", outlet="Some Show")


def _buttons(view: discord.ui.View | None) -> list[dict]:
    if view is None:
        return []
    return [button for row in view.to_components() for button in row["components"]]


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= TITLE_MAX
    assert len(data.get("description", "")) <= DESCRIPTION_MAX
    assert len(data.get("fields", [])) <= FIELDS_MAX
    for field in data.get("fields", []):
        assert len(field["name"]) <= FIELD_NAME_MAX and len(field["value"]) <= FIELD_VALUE_MAX
    assert len(data.get("footer", {}).get("text", "")) <= FOOTER_MAX
    assert len(data.get("author", {}).get("name", "")) <= 256
    assert len(embed) <= EMBED_TOTAL_MAX


def test_an_answer_shows_its_text_each_quote_as_a_block_quote_with_its_source_and_the_fact_id(engine: Engine) -> None:
    fact = next(f for f in engine.base.facts.values() if len(f.quotes) > 1)
    answer = engine.answer_fact(fact.id)
    assert answer is not None

    [embed] = to_embeds(answer)

    assert embed.title == fact.question
    assert embed.description.startswith(discord.utils.escape_markdown(fact.answer))
    for quote in answer.quotes:
        assert f"> {quote.text}" in embed.description  # real quotes need no markdown escaping
        label = source_label(quote.source, timestamp=quote.timestamp)
        assert f"— *{discord.utils.escape_markdown(label)}*" in embed.description
    assert fact.id in embed.footer.text
    assert embed.author.name is None  # asked in the canonical words: nothing to repeat
    assert_within_limits(embed)


def test_a_podcast_quote_names_its_timestamp() -> None:
    answer = Answer(
        question="what did he say on the podcast?",
        status="answered",
        fact_id="podcast-fact",
        canonical_question="What was said on the podcast?",
        text="Something was said.",
        quotes=[ResolvedQuote(text="We said it.", source=PODCAST, timestamp="01:06:08")],
        score=0.8,
    )
    [embed] = to_embeds(answer)
    assert "> We said it.\n— *A podcast about open models (podcast notes, Some Show) at 01:06:08*" in embed.description
    assert question_of(embed) == "what did he say on the podcast?"


def test_answer_buttons_are_up_to_three_related_facts_then_votes(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own?")
    assert answer.answered and len(answer.related) >= 3

    buttons = _buttons(to_view(answer))

    related = [b for b in buttons if b["custom_id"].startswith("factbot:related:")]
    assert [b["custom_id"] for b in related] == [f"factbot:related:{r.fact_id}" for r in answer.related[:3]]
    assert [b["label"] for b in related] == [r.question for r in answer.related[:3]]
    votes = [b for b in buttons if b["custom_id"].startswith("factbot:vote:")]
    assert [b["emoji"]["name"] for b in votes] == ["👍", "👎"]
    assert [parse_custom_id(b["custom_id"]).vote for b in votes] == ["up", "down"]
    assert all(parse_custom_id(b["custom_id"]).fact_id == answer.fact_id for b in votes)
    for button in buttons:
        assert len(button["custom_id"]) <= CUSTOM_ID_MAX
        assert len(button.get("label") or "") <= BUTTON_LABEL_MAX


def test_an_abstention_says_so_and_offers_up_to_three_suggestions(engine: Engine) -> None:
    answer = engine.answer("What does the bakery on the corner sell?")
    assert not answer.answered and answer.suggestions

    [embed] = to_embeds(answer)
    buttons = _buttons(to_view(answer))

    assert embed.description.startswith(DONT_KNOW)
    assert question_of(embed) == "What does the bakery on the corner sell?"
    assert 1 <= len(buttons) <= 3
    assert [parse_custom_id(b["custom_id"]) for b in buttons] == [
        ButtonAction(kind="suggest", fact_id=s.fact_id) for s in answer.suggestions[:3]
    ]
    assert not any("vote" in b["custom_id"] for b in buttons)


def test_an_unknown_person_is_named_in_the_abstention() -> None:
    answer = Answer(question="What does Jane Doe think?", status="abstained", reason="unknown_entity:Jane Doe")
    [embed] = to_embeds(answer)
    assert embed.description.startswith(f"{DONT_KNOW} My sources say nothing about Jane Doe.")
    assert to_view(answer) is None


def test_a_detail_the_closest_fact_lacks_is_named_in_the_abstention() -> None:
    answer = Answer(question="When is Llama 4 out?", status="abstained", reason="not_given:when")
    [embed] = to_embeds(answer)
    assert embed.description.startswith(f"{DONT_KNOW} The closest fact I have doesn't say when.")


def test_a_limited_asker_gets_the_reason_and_no_buttons() -> None:
    answer = Answer(question="q", status="limited", reason="Please try again in 5 seconds.")
    [embed] = to_embeds(answer)
    assert embed.description == "Please try again in 5 seconds."
    assert to_view(answer) is None


def test_a_very_long_answer_stays_inside_every_discord_limit() -> None:
    long_source = SourceInfo(id="s", title="T" * 400, kind="news article", outlet="O" * 300)
    answer = Answer(
        question="q" * 2000,
        status="answered",
        fact_id="long-fact",
        canonical_question="Q" * 1000,
        text="word " * 4000,
        quotes=[ResolvedQuote(text="quoted " * 500, source=long_source, timestamp="1:02:03") for _ in range(6)],
        related=[FactRef(fact_id=f"related-{i}", question="R" * 300) for i in range(8)],
        score=0.9,
    )

    [embed] = to_embeds(answer)
    buttons = _buttons(to_view(answer))

    assert_within_limits(embed)
    assert embed.description.startswith("word word")
    assert "> quoted quoted" in embed.description  # the quote keeps its room, the answer is cut
    assert embed.description.endswith("…")
    assert len(buttons) == 5
    assert all(len(b.get("label") or "") <= BUTTON_LABEL_MAX for b in buttons)


def test_a_very_long_abstention_stays_inside_the_limits() -> None:
    answer = Answer(
        question="x" * 5000,
        status="abstained",
        reason="low_score",
        suggestions=[FactRef(fact_id=f"s-{i}", question="S" * 3000) for i in range(5)],
    )
    [embed] = to_embeds(answer)
    assert_within_limits(embed)
    assert len(_buttons(to_view(answer))) == 3


def test_help_lists_every_topic_with_an_example(engine: Engine) -> None:
    topics = engine.topics()
    embed = to_help_embed(topics)
    fields = embed.to_dict()["fields"]
    assert len(fields) == len(topics)
    for field, topic in zip(fields, topics):
        assert field["name"].startswith(topic.title)
        assert topic.example in field["value"]
    assert "/ask" in embed.description
    assert_within_limits(embed)
    assert to_embeds(engine.help())[0].to_dict()["fields"] == fields
    assert to_view(engine.help()) is None


def test_help_asked_for_sources_lists_them_first_and_every_topic_after(engine: Engine) -> None:
    answer = engine.answer("what are your sources?")
    [embed] = to_embeds(answer)
    fields = embed.to_dict()["fields"]
    assert fields[0]["name"].startswith("Sources (5)")
    assert all(discord.utils.escape_markdown(s.title) in fields[0]["value"] for s in answer.sources)
    assert len(fields) == 1 + len(engine.topics())
    assert_within_limits(embed)


def test_help_with_too_many_topics_keeps_to_25_fields() -> None:
    topics = [TopicSummary(id=f"t{i}", title="T" * 300, example="E" * 2000, fact_count=1) for i in range(40)]
    embed = to_help_embed(topics)
    assert_within_limits(embed)
    assert 1 <= len(embed.fields) <= FIELDS_MAX


@pytest.mark.parametrize(
    "action",
    [
        ButtonAction(kind="suggest", fact_id="scale-ai-stake"),
        ButtonAction(kind="related", fact_id="llama-3-1"),
        ButtonAction(kind="vote", fact_id="scale-ai-stake", vote="down", score=0.6123),
        ButtonAction(kind="vote", fact_id="x", vote="up", score=1.0),
    ],
)
def test_custom_ids_round_trip(action: ButtonAction) -> None:
    custom_id = to_custom_id(action)
    assert custom_id is not None and len(custom_id) <= CUSTOM_ID_MAX
    assert parse_custom_id(custom_id) == action


@pytest.mark.parametrize(
    "custom_id",
    ["", "factbot", "factbot:suggest:", "factbot:vote:maybe:0.5:x", "other:suggest:x", "factbot:suggest:Bad_Id",
     "factbot:related:x:y", "factbot:vote:up:7.5:x"],
)
def test_foreign_or_malformed_custom_ids_are_not_ours(custom_id: str) -> None:
    assert parse_custom_id(custom_id) is None


def test_a_button_whose_id_would_not_fit_is_left_out() -> None:
    long_id = "-".join(["part"] * 30)
    assert to_custom_id(ButtonAction(kind="related", fact_id=long_id)) is None
    answer = Answer(question="q", status="abstained", suggestions=[FactRef(fact_id=long_id, question="Q?"),
                                                                   FactRef(fact_id="ok", question="Fine?")])
    assert [b["custom_id"] for b in _buttons(to_view(answer))] == ["factbot:suggest:ok"]


def test_autocomplete_choices_keep_order_and_discords_limits() -> None:
    refs = [FactRef(fact_id=f"f{i}", question=f"Question {i} " + "long " * 40) for i in range(40)]
    refs.insert(1, FactRef(fact_id="dup", question=refs[0].question))

    choices = to_choices(refs)

    assert len(choices) == CHOICES_MAX
    assert all(len(c.name) <= CHOICE_MAX and len(c.value) <= CHOICE_MAX for c in choices)
    assert choices[0].name.startswith("Question 0 ") and choices[1].name.startswith("Question 1 ")
    assert choices[0].name.endswith("…")


def test_quotes_full_of_markdown_and_mentions_grow_on_escaping_and_still_fit() -> None:
    # Escaping doubles text like this; the limits are checked on what is sent, after escaping.
    noisy = "*_~`|> @everyone <@&123> [link](https://example.com) " * 120
    source = SourceInfo(id="s", title="*T*_" * 100, kind="blog post", outlet="|O|" * 100)
    answer = Answer(
        question=noisy[:500],
        status="answered",
        fact_id="noisy-fact",
        canonical_question=noisy[:600],
        text=noisy,
        quotes=[ResolvedQuote(text=noisy, source=source, timestamp=None) for _ in range(4)],
        score=0.7,
    )

    [embed] = to_embeds(answer)

    assert_within_limits(embed)
    assert embed.description.startswith("\\*\\_\\~")
    assert "\n\n> " in embed.description  # a quote keeps its room


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("<@123> <#456> what is llama", "what is llama"),
        ("<@&789> what is llama <@!123>", "what is llama"),
        ("since <t:1700000000:F> did meta ship llama 4? try </ask:42> or <id:browse>", "since did meta ship llama 4? try or"),
        ("<:llama:112233> is <3 a mention? a < b > c", "<:llama:112233> is <3 a mention? a < b > c"),  # emoji and text stay
        ("~~who is altman~~ who is lecun", "who is lecun"),  # struck through: taken back
        ("who is ~~Sam~~ Yann LeCun? ~ca. 2025~", "who is Yann LeCun? ~ca. 2025~"),
    ],
)
def test_discord_markup_that_calls_or_points_is_dropped_from_a_question(text: str, question: str) -> None:
    assert from_discord_markup(text) == question


def test_an_answer_to_one_of_several_questions_opens_with_which_it_answers(engine: Engine) -> None:
    [embed] = to_embeds(engine.answer("who is *Yann* _LeCun_ and what is his salary?"))
    assert embed.description.startswith(
        '*Answering "who is \\*Yann\\* \\_LeCun\\_"; ask your other question on its own.*'
    )
    [plain] = to_embeds(engine.answer("who is Yann LeCun?"))
    assert "Answering" not in plain.description


# -- plain text, where the bot may not embed links ------------------------------------------


def test_an_answer_as_plain_text_has_its_title_answer_each_quote_as_a_block_quote_its_source_and_fact_id(
    engine: Engine,
) -> None:
    fact = next(f for f in engine.base.facts.values() if len(f.quotes) > 1)
    answer = engine.answer_fact(fact.id, question="who said what, @everyone?")
    assert answer is not None

    text = to_text(answer)

    assert len(text) <= CONTENT_MAX
    assert text.startswith(f"**{discord.utils.escape_markdown(fact.question)}**\n")
    assert "Asked: who said what, @\u200beveryone?" in text  # defused, whatever the allowed mentions
    assert "@everyone" not in text
    assert discord.utils.escape_markdown(answer.text) in text
    for quote in answer.quotes:
        block = "\n".join(f"> {line}" for line in discord.utils.escape_markdown(quote.text).splitlines())
        assert block in text
        assert discord.utils.escape_markdown(source_label(quote.source, timestamp=quote.timestamp)) in text
    assert text.endswith(f"Fact {fact.id}")


def test_a_very_long_answer_as_plain_text_fits_one_message_and_keeps_a_quote_with_its_source() -> None:
    source = SourceInfo(id="s", title="The source", kind="news article", outlet="Outlet")
    answer = Answer(
        question="q" * 2000,
        status="answered",
        fact_id="long-fact",
        canonical_question="Q" * 1000,
        text="word " * 4000,
        quotes=[ResolvedQuote(text="quoted words", source=source, timestamp=None) for _ in range(3)],
        score=0.9,
    )

    text = to_text(answer)

    assert len(text) <= CONTENT_MAX
    assert "word word" in text and "…" in text  # the answer is cut, the quotes keep their room
    assert text.count("> quoted words\n— *The source") == 3
    assert text.endswith("Fact long-fact")


def test_an_abstention_and_help_as_plain_text_say_what_their_embeds_say(engine: Engine) -> None:
    abstained = engine.answer("What does the bakery on the corner sell?")
    assert not abstained.answered
    text = to_text(abstained)
    assert text.startswith("Asked: What does the bakery on the corner sell?\n\nI don't know that.")
    assert len(text) <= CONTENT_MAX
    assert all(discord.utils.escape_markdown(s.question) in text for s in abstained.suggestions[:3])

    help_text = embeds_to_text([to_help_embed(engine.topics())])
    assert help_text.startswith("**Ask me about Meta's open-source AI strategy**")
    assert all(topic.title in help_text for topic in engine.topics())


def test_a_digest_too_long_for_one_message_as_plain_text_keeps_every_facts_first_quote_and_its_source() -> None:
    source = SourceInfo(id="s", title="Source title", kind="blog post", outlet="Outlet")
    items = [
        DigestItem(
            fact_id=f"fact-{i}",
            topic="topic",
            topic_title="Topic",
            question=f"Question {i}?",
            answer=f"answer {i} " * 60,
            quotes=[ResolvedQuote(text=f"quote {i}.{j} " * 25, source=source, timestamp=None) for j in range(3)],
        )
        for i in range(3)
    ]
    digest = Digest(channel="discord:1", day=date(2026, 1, 5), title="Fact of the day: 5 January 2026", items=items)
    embeds = digest_embeds(digest)
    assert len(embeds[0]) > CONTENT_MAX  # what the test is about

    text = embeds_to_text(embeds)

    assert len(text) <= CONTENT_MAX
    assert text.startswith("**Fact of the day: 5 January 2026**")
    for i in range(3):
        assert f"**Question {i}?**\nanswer {i}" in text
        assert f"> quote {i}.0 " in text and text.count("— *Source title") == 3
    assert text.endswith("Ask me more: /ask followed by your question, or mention me with it.")


def test_plain_content_leads_with_the_given_text_and_keeps_room_for_the_embeds(engine: Engine) -> None:
    embeds = to_embeds(engine.answer("How big is Llama 3.1?"))
    shown = embeds_to_text(embeds)
    assert to_plain_content(embeds) == shown
    assert to_plain_content(embeds, lead="Today's digest:") == f"Today's digest:\n\n{shown}"

    long_lead = to_plain_content(embeds, lead="x" * (2 * CONTENT_MAX))
    assert len(long_lead) <= CONTENT_MAX
    lead, rest = long_lead.split("\n\n", 1)
    assert len(lead) == CONTENT_MAX // 2 and lead.endswith("…")
    assert rest.startswith(shown[:40])

