"""Block Kit rendering: structure, escaping of user text, Slack's size limits, button values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack_blocks import (
    ACTION_PATTERNS,
    ACTION_SHARE,
    BUTTON_TEXT_LIMIT,
    HOW_TO_ASK,
    MESSAGE_BLOCK_LIMIT,
    MESSAGE_CHAR_BUDGET,
    SECTION_LIMIT,
    SHORTENED,
    TEXT_LIMIT,
    VALUE_LIMIT,
    decode_value,
    encode_value,
    escape_mrkdwn,
    from_mrkdwn,
    from_rich_text,
    help_blocks,
    home_view,
    how_to_ask,
    split_text,
    to_blocks,
    to_mrkdwn,
    to_text,
)
from bot.engine import Engine
from bot.models import Answer, FactRef, ResolvedQuote, SourceInfo

PODCAST = SourceInfo(
    id="dwarkesh-podcast",
    title="The role of open source in AI development",
    kind="podcast notes",
    outlet="Dwarkesh Patel podcast",
    video_id="bc6uFV9CJGg",
)


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every string Slack would parse as mrkdwn in these blocks."""
    texts = []
    for block in blocks:
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                texts.append(element["text"])
    return texts


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in blocks if "accessory" in b]


def test_escape_mrkdwn_neutralises_mentions_and_links() -> None:
    assert escape_mrkdwn("<!channel> & <@U123> <https://x|y>") == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x|y&gt;"


def test_from_mrkdwn_drops_the_bot_mention_and_decodes_slack_markup() -> None:
    text = "<@UBOT> is &lt;b&gt; &amp; <!here> ok, <@U42|ann>? see <#C1|general> <https://ex.com|this>"
    assert from_mrkdwn(text, bot_user_id="UBOT") == "is <b> & ok, @ann? see #general this"
    assert from_mrkdwn("<!channel> <!here> <!subteam^S1|@eng> <!date^1|today>") == "today"
    assert from_mrkdwn("<@UBOT>", bot_user_id="UBOT") == ""


def test_from_mrkdwn_keeps_lines_apart_and_drops_empty_ones() -> None:
    assert from_mrkdwn("<@UBOT>  who is lecun \n\n who  is altman\n", bot_user_id="UBOT") == "who is lecun\nwho is altman"


def test_from_mrkdwn_drops_struck_through_text_but_keeps_a_lone_tilde() -> None:
    assert from_mrkdwn("~who is altman~ who is lecun") == "who is lecun"
    assert from_mrkdwn("who is ~Sam~ Yann LeCun? about ~49% of it, or ~50%") == "who is Yann LeCun? about ~49% of it, or ~50%"
    assert from_mrkdwn("x~y~z") == "x~y~z"


def test_from_rich_text_reads_the_words_of_blocks_as_from_mrkdwn_reads_text() -> None:
    def section(*elements: dict[str, Any]) -> dict[str, Any]:
        return {"type": "rich_text_section", "elements": list(elements)}

    blocks = [
        {"type": "rich_text", "block_id": "b1", "elements": [
            section(
                {"type": "user", "user_id": "UBOT"}, {"type": "text", "text": " "},
                {"type": "broadcast", "range": "here"}, {"type": "usergroup", "usergroup_id": "S1"},
                {"type": "text", "text": "who is Altman", "style": {"strike": True}},
                {"type": "text", "text": " who is <b> & "}, {"type": "user", "user_id": "W0ANN"},
                {"type": "text", "text": "? "}, {"type": "link", "url": "https://x.y", "text": "see"},
                {"type": "emoji", "name": "llama", "unicode": "1f999"},
            ),
            {"type": "rich_text_list", "style": "bullet", "elements": [
                section({"type": "text", "text": "how much of Scale AI does Meta own?"}),
                section({"type": "channel", "channel_id": "C1"}, {"type": "text", "text": " "},
                        {"type": "date", "timestamp": 1, "fallback": "today"}),
            ]},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "not rich text"}},
        "junk",
    ]
    assert from_mrkdwn(from_rich_text(blocks), bot_user_id="UBOT") == (
        "who is <b> & @someone? see:llama:\nhow much of Scale AI does Meta own?\n#channel today"
    )
    assert from_rich_text(None) == from_rich_text("blocks") == from_rich_text([{"type": "rich_text"}]) == ""
    assert from_rich_text([{"type": "rich_text", "elements": [section({"type": "user", "user_id": "U1> <!channel"})]}]) == "@someone"


def test_from_mrkdwn_drops_a_plain_at_channel_as_slash_commands_send_it() -> None:
    # should_escape off: "@channel" arrives as typed, and "channel" made the engine miss the question.
    text = "@channel @Here, @everyone how much of Scale AI does Meta own? cc @eng-team @channel-ops me@here.com"
    assert from_mrkdwn(text) == ", how much of Scale AI does Meta own? cc @eng-team @channel-ops me@here.com"


def test_answer_blocks_carry_answer_quotes_source_fact_id_related_and_votes(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own?")
    assert answer.answered
    blocks = to_blocks(answer)

    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": escape_mrkdwn(answer.text or "")}}
    quote = blocks[1]
    assert quote["type"] == "rich_text"
    assert quote["elements"][0]["type"] == "rich_text_quote"
    assert quote["elements"][0]["elements"][0]["text"] == answer.quotes[0].text
    assert blocks[2]["type"] == "context" and answer.quotes[0].source.title in blocks[2]["elements"][0]["text"]
    assert f"`{answer.fact_id}`" in " ".join(mrkdwn_texts(blocks))

    related = next(b for b in blocks if b.get("block_id") == "related")["elements"]
    assert 1 <= len(related) <= 3
    for button, ref in zip(related, answer.related):
        assert button["action_id"] == f"related:{ref.fact_id}"
        assert ACTION_PATTERNS["related"].match(button["action_id"])
        assert decode_value(button["value"])["f"] == ref.fact_id

    votes = next(b for b in blocks if b.get("block_id") == "feedback")["elements"]
    assert [v["action_id"] for v in votes] == ["vote:up", "vote:down"]
    up = decode_value(votes[0]["value"])
    assert up == {"q": answer.question, "f": answer.fact_id, "s": round(answer.score, 4), "v": "up"}
    assert ACTION_SHARE not in [b["action_id"] for b in buttons(blocks)]


def test_share_button_only_when_asked(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own?")
    shared = [b for b in buttons(to_blocks(answer, share=True)) if b["action_id"] == ACTION_SHARE]
    assert len(shared) == 1
    assert decode_value(shared[0]["value"]) == {"q": answer.question, "f": answer.fact_id}


def test_podcast_quote_names_its_timestamp_and_links_the_video() -> None:
    answer = Answer(
        question="q",
        status="answered",
        fact_id="some-fact",
        text="An answer.",
        quotes=[ResolvedQuote(text="We open source.", source=PODCAST, timestamp="01:06:08")],
    )
    context = to_blocks(answer)[2]["elements"][0]["text"]
    assert "Dwarkesh Patel podcast" in context
    assert "<https://youtu.be/bc6uFV9CJGg?t=3968|at 01:06:08>" in context


def test_abstention_says_it_does_not_know_and_offers_suggestion_buttons(engine: Engine) -> None:
    answer = engine.answer("What is the weather in Paris tomorrow?")
    assert not answer.answered and answer.suggestions
    blocks = to_blocks(answer)
    assert blocks[0]["text"]["text"].startswith("I don't know that.")
    suggestions = next(b for b in blocks if b.get("block_id") == "suggestions")["elements"]
    assert len(suggestions) == min(3, len(answer.suggestions))
    for button, ref in zip(suggestions, answer.suggestions):
        assert button["action_id"] == f"suggest:{ref.fact_id}"
        # The value keeps the user's own question: votes and logs record what was really asked.
        assert decode_value(button["value"]) == {"f": ref.fact_id, "q": answer.question}


def test_injected_mentions_in_the_question_arrive_escaped() -> None:
    question = "<!channel> <!here> <@U0BOSS> & <https://evil.example|click>"
    answer = Answer(question=question, status="abstained", reason="low_score")
    for blocks in (to_blocks(answer, show_question=True), to_blocks(answer, asked_by="U123ABC")):
        texts = " ".join(mrkdwn_texts(blocks))
        assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &amp; &lt;https://evil.example|click&gt;" in texts
        assert "<!" not in texts and "<@U0BOSS" not in texts
    assert "<@U123ABC> asked" in " ".join(mrkdwn_texts(to_blocks(answer, asked_by="U123ABC")))


def test_text_a_user_typed_is_shown_verbatim() -> None:
    # Escaping &, < and > leaves a plain "@channel" as it is: Slack's automatic parsing of
    # mrkdwn (on unless verbatim) must not get to read it.
    answer = Answer(question="@channel @here who is Bob?", status="abstained", reason="unknown_entity:@here Bob")
    blocks = to_blocks(answer, show_question=True)
    objects = [blocks[0]["elements"][0], blocks[1]["text"]]
    assert "@channel @here who is Bob?" in objects[0]["text"] and "@here Bob" in objects[1]["text"]
    assert all(o["type"] == "mrkdwn" and o["verbatim"] is True for o in objects)


def test_asked_by_must_look_like_a_user_id() -> None:
    answer = Answer(question="hi", status="abstained")
    texts = " ".join(mrkdwn_texts(to_blocks(answer, asked_by="!channel")))
    assert "<!channel>" not in texts and "You asked" in texts


def test_a_detail_the_closest_fact_lacks_is_named_in_the_abstention() -> None:
    answer = Answer(question="How many GPUs?", status="abstained", reason="not_given:count")
    line = "I don't know that. The closest fact I have doesn't say how many."
    assert line in " ".join(mrkdwn_texts(to_blocks(answer))) and to_text(answer) == line


def test_fallback_text_is_escaped() -> None:
    answer = Answer(question="q", status="answered", fact_id="f", text="a <!channel> b")
    assert to_text(answer) == "a &lt;!channel&gt; b"


def test_split_text_stays_within_the_limit_and_loses_nothing() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    chunks = split_text(text, limit=500)
    assert all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks) == text
    unbroken = "x" * 1200
    assert split_text(unbroken, limit=500) == ["x" * 500, "x" * 500, "x" * 200]


def test_long_answers_are_split_and_the_message_stays_inside_block_kit_limits() -> None:
    quotes = [ResolvedQuote(text=f"quote {i} " + "q" * 2500, source=PODCAST) for i in range(30)]
    answer = Answer(
        question="q",
        status="answered",
        fact_id="big-fact",
        text="long answer " * 800,
        quotes=quotes,
        related=[FactRef(fact_id=f"r-{i}", question=f"Related {i}?") for i in range(5)],
    )
    blocks = to_blocks(answer)
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MESSAGE_CHAR_BUDGET
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) >= 3 and all(len(s["text"]["text"]) <= SECTION_LIMIT for s in sections)
    # The fact id, related and vote buttons survive the cut, and the cut is said.
    texts = " ".join(mrkdwn_texts(blocks))
    assert "`big-fact`" in texts and "Shortened" in texts
    assert blocks[-1]["block_id"] == "feedback"
    assert len(next(b for b in blocks if b.get("block_id") == "related")["elements"]) == 3


@pytest.mark.parametrize(
    "text",
    ["R&D at Meta & partners, <open> weights. " * 120, "&" * 7000, "a<b " * 2000],
    ids=["prose-with-ampersands", "only-ampersands", "brackets"],
)
def test_answer_sections_stay_within_3000_characters_once_escaped(text: str) -> None:
    # Escaping makes text longer: a 3000-character piece of an answer with & or < in it was sent
    # as a section Slack refuses (invalid_blocks), and the user got no answer at all.
    answer = Answer(question="q", status="answered", fact_id="f", text=text)
    sections = [b["text"]["text"] for b in to_blocks(answer) if b["type"] == "section"]
    assert sections and all(len(section) <= SECTION_LIMIT for section in sections)
    assert all("<" not in section and ">" not in section for section in sections)
    first = sections[0].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert len(first) > 500 and text.startswith(first)


def test_button_values_and_texts_respect_slack_limits() -> None:
    question = '"\\' * 250 + "\x01" * 250  # escapes make its JSON far longer than its 500 chars
    long_question = "Why " + "really " * 40 + "?"
    answer = Answer(
        question=question,
        status="abstained",
        suggestions=[FactRef(fact_id="a-fact", question=long_question)],
    )
    for button in buttons(to_blocks(answer)):
        assert len(button["value"]) <= VALUE_LIMIT
        assert len(button["text"]["text"]) <= BUTTON_TEXT_LIMIT
        data = decode_value(button["value"])
        assert question.startswith(data["q"]) and len(data["q"]) > 100


def test_encode_value_round_trips_and_decode_rejects_junk() -> None:
    data = {"f": "scale-ai-stake", "q": "Ünïcode & <stuff>", "s": 0.5}
    assert decode_value(encode_value(data)) == data
    assert decode_value("not json") == {}
    assert decode_value("[1, 2]") == {}
    assert decode_value(None) == {}


@pytest.mark.parametrize("render", [lambda t: help_blocks(t), lambda t: home_view(t)["blocks"]])
def test_help_and_home_list_every_topic_with_an_example(engine: Engine, render) -> None:  # noqa: ANN001
    topics = engine.topics()
    texts = " ".join(mrkdwn_texts(render(topics)))
    assert "/ask" in texts
    for topic in topics:
        assert escape_mrkdwn(topic.title) in texts and escape_mrkdwn(topic.example) in texts


def test_help_asked_for_sources_lists_them_before_the_topics(engine: Engine) -> None:
    answer = engine.answer("which articles do you use?")
    blocks = to_blocks(answer)
    first = " ".join(mrkdwn_texts(blocks[:1]))
    assert "5 sources" in first
    assert all(escape_mrkdwn(s.title) in first for s in answer.sources)
    assert "5 sources" not in " ".join(mrkdwn_texts(to_blocks(engine.help())))


def test_help_answer_renders_as_help_with_example_buttons(engine: Engine) -> None:
    blocks = to_blocks(engine.help())
    examples = [b for b in buttons(blocks) if ACTION_PATTERNS["example"].match(b["action_id"])]
    assert len(examples) == len(engine.topics())
    assert {decode_value(b["value"])["q"] for b in examples} == {t.example for t in engine.topics()}


def test_home_view_is_a_home_tab_within_its_block_limit(engine: Engine) -> None:
    view = home_view(engine.topics())
    assert view["type"] == "home"
    assert 0 < len(view["blocks"]) <= 100
    assert not buttons(view["blocks"])


def test_a_rate_limited_answer_is_its_reason_alone() -> None:
    answer = Answer(question="q", status="limited", reason="Please try again in 5 seconds & thanks.")
    assert to_blocks(answer, share=True, show_question=True) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Please try again in 5 seconds &amp; thanks."}}
    ]
    assert to_text(answer) == "Please try again in 5 seconds &amp; thanks."


def test_an_answer_to_one_of_several_questions_opens_with_which_it_answers(engine: Engine) -> None:
    # The part quoted is the user's text: a Slack control sequence in it is shown, never sent.
    blocks = to_blocks(engine.answer("who is <!here|Yann LeCun> and what is his salary?"))
    assert blocks[0]["type"] == "context"
    note = blocks[0]["elements"][0]["text"]
    assert note.startswith('Answering "who is &lt;!here|Yann LeCun&gt;"') and "<!here" not in note
    assert all(b["type"] != "context" or "Answering" not in json.dumps(b) for b in to_blocks(engine.answer("who is Yann LeCun?")))


def test_how_to_ask_names_a_renamed_command_and_only_a_command() -> None:
    assert "use `/factbot` followed by your question" in how_to_ask("/factbot")
    assert how_to_ask() == HOW_TO_ASK
    # Only Slack's command names (a slash, lowercase letters, digits, - or _) replace /ask.
    for odd in ("/x <!here>", "factbot", "/" + "a" * 33, "/Ask"):
        assert how_to_ask(odd) == HOW_TO_ASK


def test_an_answer_as_text_alone_carries_each_quote_as_a_block_quote_and_its_source() -> None:
    # What Slack gets when it refuses the blocks: the quote and source, not only the answer.
    answer = Answer(
        question="q",
        status="answered",
        fact_id="some-fact",
        canonical_question="What did they say?",
        text="An answer & more.",
        quotes=[
            ResolvedQuote(text="We open <!channel> source.\nAnd we share.", source=PODCAST, timestamp="01:06:08"),
            ResolvedQuote(text="A second quote.", source=PODCAST),
        ],
    )
    text = to_mrkdwn(answer, show_question=True)
    assert text.startswith("You asked “q”\n\nAn answer &amp; more.\n\n")
    label = "— The role of open source in AI development (podcast notes, Dwarkesh Patel podcast)"
    assert (
        "> We open &lt;!channel&gt; source.\n> And we share.\n"
        f"{label} <https://youtu.be/bc6uFV9CJGg?t=3968|at 01:06:08>"
    ) in text
    assert f"> A second quote.\n{label}\n" in text
    assert text.endswith("Fact `some-fact` · What did they say?")
    assert "<!channel>" not in text and SHORTENED not in text
    # Beside the blocks, the text stays the summary notifications show.
    assert to_text(answer) == "An answer &amp; more."


def test_an_answer_of_the_base_as_text_alone_names_its_quote_and_source(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own?")
    text = to_mrkdwn(answer, asked_by="U123ABC")
    quote = answer.quotes[0]
    assert text.startswith("<@U123ABC> asked")
    assert f"> {escape_mrkdwn(quote.text)}\n— {escape_mrkdwn(quote.source.title)}" in text


@pytest.mark.parametrize("quote_chars", [2500, 9000], ids=["long-quotes", "one-quote-longer-than-the-limit"])
def test_an_answer_as_text_alone_stays_within_the_limit_and_keeps_its_first_quote_and_source(quote_chars: int) -> None:
    quotes = [ResolvedQuote(text=f"quote{i} " + "word & " * (quote_chars // 7), source=PODCAST) for i in range(5)]
    answer = Answer(question="q", status="answered", fact_id="big-fact", text="long answer " * 800, quotes=quotes)
    text = to_mrkdwn(answer)
    assert len(text) <= TEXT_LIMIT
    assert "> quote0 word &amp; " in text and "quote1" not in text
    assert "\n— The role of open source in AI development" in text
    assert text.startswith("long answer") and SHORTENED in text and text.endswith("Fact `big-fact`")
    assert all(line.startswith(">") for line in text.split("\n\n")[1].split("\n")[:-1])


def test_an_abstention_and_the_help_as_text_alone_keep_what_their_buttons_offered(engine: Engine) -> None:
    abstention = engine.answer("What is the weather in Paris tomorrow?")
    text = to_mrkdwn(abstention)
    assert text.startswith("I don't know that.")
    assert all(escape_mrkdwn(ref.question) in text for ref in abstention.suggestions[:3])
    help_text = to_mrkdwn(engine.help(""), command="/factbot")
    assert "`/factbot`" in help_text and len(help_text) <= TEXT_LIMIT
    assert all(escape_mrkdwn(topic.example) in help_text for topic in engine.topics())
