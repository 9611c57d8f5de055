"""The answer engine: pure, deterministic, robust to typos and word order, honest when unsure."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import question_reading
from bot.common_words import differs_only_in_ending
from bot.config import Settings, Thresholds
from bot.engine import (
    CANON_CACHE_LIMIT,
    CORRECTIONS_KEPT,
    MAX_PARTS,
    MAX_READ_CHARS,
    Engine,
    _slip_of_a_function_word,
    figures_stated,
)
from bot.models import Fact, FactBase, Quote, Source, Topic
from bot.terminal import DONT_KNOW, dont_know, part_note
from bot.text import stem, without_purpose, words


def test_every_phrasing_of_every_fact_finds_its_own_fact(engine: Engine, fact_base: FactBase) -> None:
    misses = [
        (fact.id, phrasing, engine.answer(phrasing).fact_id)
        for fact in fact_base.facts.values()
        for phrasing in fact.phrasings
        if engine.answer(phrasing).fact_id != fact.id
    ]
    total = sum(len(f.phrasings) for f in fact_base.facts.values())
    assert len(misses) <= total * 0.01, misses


def test_the_scale_ai_question_gets_the_49_percent_fact_with_its_verbatim_quote(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own?")
    assert answer.answered and answer.fact_id == "scale-ai-stake"
    assert "49%" in (answer.text or "")
    assert "49% stake in Scale AI" in answer.quotes[0].text
    assert answer.quotes[0].source.id == "meta-investment-blog"
    assert answer.related and all(r.fact_id != "scale-ai-stake" for r in answer.related)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how much of scael ai does meta own", "scale-ai-stake"),
        ("what did zuckerburg write in his essay", "zuckerberg-essay-argument"),
        ("Meta own Scale AI how much", "scale-ai-stake"),
        ("scale ai stake", "scale-ai-stake"),
        ("opensource washing", "open-washing"),
        ("Who is Maro Zuckrberg?", "who-is-mark-zuckerberg"),
        ("who is yenn lecun", "who-is-yann-lecun"),
        ("what did Sma Altman say about oversight", "altman-international-oversight"),
        ("Waht risks did Sam Altman wrn about?", "altman-global-risks"),
        ("Wihat did Zuckerberg say about Lelama 3.1?", "llama-3-1"),
    ],
)
def test_typos_word_order_and_run_together_words(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who is sam alt man", "who-is-sam-altman"),
        ("what did zucker berg write in the essay about open source", "zuckerberg-essay-argument"),
        ("why does zuck bring up py torch on the podcast", "pytorch-open-compute"),
        ("is llama running inside whats app", "llama-internal-use"),
        ("what did yann le cun propose for every nation", "lecun-collective-model"),
    ],
)
def test_a_name_dictated_or_typed_in_pieces_is_put_back_together(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_only_pieces_the_base_does_not_know_are_joined_into_a_name(engine: Engine) -> None:
    def read(text: str) -> list[str]:
        return engine._joined_names(engine._words(text))

    assert read("what did zucker burg say") == ["what", "did", "zuckerberg", "say"]
    assert read("open source models") == ["open", "source", "models"]  # words of the base stay apart
    assert read("is it all man made") == ["is", "it", "all", "man", "made"]  # near a name, small words do not count
    assert read("llama in fb instagram") == ["llama", "in", "fb", "instagram"]  # a name is no piece of another
    assert read("what did sucker berg say") == ["what", "did", "sucker", "berg", "say"]  # pieces keep the first letter
    # a word of a longer name may be a piece of another one ("open" of "Open Compute")
    assert read("what did open u k say") == ["what", "did", "openuk", "say"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did zuckerberg say about llama three point one", "llama-3-1"),
        ("when is llama four coming", "llama-4"),
    ],
)
def test_a_version_written_in_words_is_the_version(engine: Engine, question: str, expected: str) -> None:
    assert engine.rank(question)[0].fact_id == expected
    assert engine._numbers_in_names(["llama", "three", "point", "one"]) == ["llama", "3.1"]
    # Only where that makes a name the base knows: there is no Llama 2.5, and "three points" stay words.
    assert engine._numbers_in_names(["llama", "two", "point", "five"]) == ["llama", "2", "point", "five"]
    assert engine._numbers_in_names(["the", "three", "points"]) == ["the", "three", "points"]


@pytest.mark.parametrize(
    "question",
    [
        "What is Microsoft's AI strategy?",
        "What did Sundar Pichai say about open source?",
        "Is Anthropic open-sourcing Claude?",
        # Typed in small letters, a name is known by the list of names the sources never mention.
        "what did techcrunch say about llama",
        "does russia use llama",
        "what does marc andreessen think of open source ai",
    ],
)
def test_questions_about_people_and_companies_the_base_never_mentions_abstain(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered
    assert answer.reason and answer.reason.startswith("unknown_entity:")
    assert answer.fact_id is None and answer.quotes == []


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("can you explain how quantization works?", "quantization"),
        ("what's the plan for the Kubernetes migration?", "Kubernetes migration"),
        ("what's the latest news on rlhf?", "rlhf"),
    ],
)
def test_a_question_whose_known_words_only_frame_it_is_about_something_unknown(
    engine: Engine, question: str, subject: str
) -> None:
    """"How does X work" shares "work" with facts about who works on what; X is what it asks."""
    answer = engine.answer(question)
    assert answer.status == "abstained" and answer.reason == f"unknown_subject:{subject}"
    assert dont_know(answer) == f'{DONT_KNOW} My sources say nothing about "{subject}".'


def test_a_framing_word_with_a_known_subject_still_answers(engine: Engine) -> None:
    assert engine.answer("what is Wang working on?").fact_id == "alexandr-wang"
    # A slip of a small word ("waht") names no subject, nor does a word of when ("today"),
    # nor words beside no framing word at all ("never mind").
    for question in ("waht", "What's the news today?", "never mind"):
        assert not (engine.answer(question).reason or "").startswith("unknown_subject:"), question


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("How much of Scale AI does Databricks own?", "Databricks"),
        ("What did Marc Andreessen say about open source AI?", "Marc Andreessen"),
        ("Did Snowflake Buy Scale AI?", "Snowflake"),  # names alone are not title case; "Buy" is a word
        ("Did Databricks buy Scale AI?", "Databricks"),  # a name may end in "s"
        ("What is Databricks's AI strategy?", "Databricks"),  # an owner, before a word of a known name
        ("Is Mark Cuban a proponent of open source?", "Mark Cuban"),  # after "is", an article follows a name
        ("Do Mark Zuckerberg and Mark Cuban agree about open source AI?", "Mark Cuban"),
        ("How much of Scale AI does Theta own?", "Theta"),  # two edits from a long name only
        ("What did Mark Cuban say about Llama?", "Mark Cuban"),  # a known first name, of somebody else
        ("What did Susan Li say about GPU spending?", "Susan Li"),  # the rest of the name as written
    ],
)
def test_a_name_the_base_does_not_know_as_the_subject_of_the_question_abstains(
    engine: Engine, question: str, name: str
) -> None:
    """Not listed in outside_entities.yaml, the name is still what the question asks about."""
    answer = engine.answer(question)
    assert answer.status == "abstained" and answer.reason == f"unknown_entity:{name}"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much is Mea spending on GPUs?", "gpu-spending"),  # a slip of a known name
        ("Does Alex Wang lead Meta's new models?", "alexandr-wang"),  # a first name before a known one
        ("Does Zuck think American AI firms should be cooperating with Washington?", "us-companies-and-government"),
        ("WHAT DID LECUN SAY AT THE AI ACTION SUMMIT", "lecun-ai-action-summit"),  # capitals name nothing
        ("Is Commerical use of Llama allowed?", "llama-2-commercial"),  # a slip, capital or not
        ("How big was the Scale AI Aquistion?", "scale-ai-stake"),  # two edits from a word: still a slip
        ("What did the Author say about open washing?", "open-washing"),  # "the" makes it a noun
        ("Do Clinicians use Meta's open source AI?", "healthcare-clinical-tools"),  # a plural after "do"
        ("How did Mark Rebut the worry that hostile nations could abuse open models?", "bad-actors-objection"),
        ("Was Yann Wrong to call for careful regulation of AI?", "lecun-careful-regulation"),
        ("Does Yann Oppose regulation?", "lecun-careful-regulation"),  # a verb of holding a view
        ("Did Sam Lobby for regulation?", "altman-international-oversight"),  # a verb before "for"
    ],
)
def test_unknown_capitalised_words_that_are_not_the_subject_still_answer(
    plain_engine: Engine, question: str, expected: str
) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question",
    [
        "What did Mark\x07Cuban say about Llama?",  # a control character between the words
        'What did **Mark** **Cuban** say about Llama?',  # markup: the words as written, spaced
        'What did Mark "Cuban" say about Llama?',
        "Did Mark Cuban invest in Scale AI?",  # a known first name in the subject, before a verb
        "cuban cigars aside, what did **Mark** **Cuban** say about Llama?",  # as written where it is named
    ],
)
def test_a_refused_name_is_shown_as_its_words_were_written(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.reason == "unknown_entity:Mark Cuban"
    assert dont_know(answer) == f"{DONT_KNOW} My sources say nothing about Mark Cuban."


def test_a_fact_shared_from_an_answer_to_one_of_several_questions_still_says_which(engine: Engine) -> None:
    """What Slack's "Share in channel" posts: the fact by id, for the message as asked."""
    message = "How much of Scale AI does Meta own?Also,who is LeCun?"
    shared = engine.answer_fact("scale-ai-stake", question=message)
    assert shared is not None and shared.matched_part == "How much of Scale AI does Meta own?"
    assert part_note(shared) is not None
    # A suggestion picked for a question it does not answer says nothing of parts.
    picked = engine.answer_fact("llama-4", question=message)
    assert picked is not None and picked.matched_part is None


def test_an_outside_name_is_named_once_not_with_its_shorter_alias(engine: Engine) -> None:
    assert engine.answer("did Sundar Pichai say anything?").reason == "unknown_entity:Sundar Pichai"


def test_a_fact_that_only_shares_the_name_does_not_answer_for_it(engine: Engine) -> None:
    """The base mentions Apple (in the Android vs iOS analogy) but says nothing of its strategy."""
    answer = engine.answer("What is Apple's AI strategy?")
    assert not answer.answered
    parts = next(p for p in engine.rank("What is Apple's AI strategy?") if p.fact_id == "android-vs-ios")
    assert "asked_about" in parts.penalties


@pytest.mark.parametrize(
    "question", ["What's Google's AI strategy?", "What is OpenAI's AI strategy?", "What are OpenAI's goals?"]
)
def test_another_companys_strategy_is_not_metas(engine: Engine, question: str) -> None:
    """Google and OpenAI are in the base, as Meta's rivals: their own strategy is not told there."""
    assert not engine.answer(question).answered
    assert all("entity" in p.penalties for p in engine.rank(question) if p.fact_id == "exceed-ai-leaders")


@pytest.mark.parametrize(
    "question",
    [
        "Who is the chief executive of Google?",
        "who's the CEO at Google",
        # A full stop after the organisation is no part of its name.
        "who is the CEO of Google.",
        "Tell me about the chief executive of Google.",
    ],
)
def test_a_post_held_at_another_company_is_not_metas(engine: Engine, question: str) -> None:
    """"The CEO of Google" asks of Google as "Google's CEO" does: Meta's CEO is not the answer."""
    assert not engine.answer(question).answered
    assert all("entity" in p.penalties for p in engine.rank(question) if p.fact_id == "zuckerberg-essay-argument")


@pytest.mark.parametrize(
    ("question", "expected"),
    [("Who is the CEO of Meta?", "who-is-mark-zuckerberg"), ("who is the chief AI officer at Meta", "alexandr-wang")],
)
def test_a_post_held_at_the_company_a_fact_is_about_finds_it(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did OpenAI's CEO say about oversight?", "altman-international-oversight"),
        ("Is Google's Gemma open?", "gemma-and-gpt"),
        ("What's LeCun's view on regulation?", "lecun-careful-regulation"),
    ],
)
def test_an_owner_the_fact_is_about_still_finds_it(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is Alexandr Wang's role?", "alexandr-wang"),
        ("What is Zuckerberg's view on developers?", "developers-benefit"),
        # Writing and mentioning are how a source is asked about, not what it is asked about.
        ("did Zuckerberg write anything about Llama 3.1?", "llama-3-1"),
        ("was OpenUK mentioned?", "openuk-criticism"),
        ("does the article mention Alexandr Wang?", "alexandr-wang"),
        ("did Zuck mention Llama 3.1 anywhere in the essay?", "llama-3-1"),
        ("did LeCun talk about India?", "linguistic-diversity-india"),
        ("did LeCun talk on regulation?", "lecun-careful-regulation"),
        # "To" or "with" followed by whom is no question of whom.
        ("talk to me about Llama 4", "llama-4"),
        ("did Altman write to Congress about oversight?", "altman-international-oversight"),
        # A talk given is a noun, which asks.
        ("did LeCun give a talk?", "lecun-ai-action-summit"),
        ("Is Meta favouring open source?", "meta-open-source-proponent"),
        ("Is Meta favoring open source?", "meta-open-source-proponent"),
        ("did LeCun discuss regulation?", "lecun-careful-regulation"),
    ],
)
def test_words_that_only_frame_the_question_are_not_what_it_asks_about(
    plain_engine: Engine, question: str, expected: str
) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question",
    [
        "How are developers taking Meta's decision to open its new models?",
        "how did folks take the announcement about opening the new models",
    ],
)
def test_how_people_took_news_asks_for_their_reaction_not_the_news(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "public-reactions"


@pytest.mark.parametrize(
    "question",
    [
        "did Zuckerberg mention China?",
        "what did Zuckerberg write about China?",
        "did Altman mention Apple?",
        # Talking to somebody asks whom, which no fact says: not who Altman is.
        "who did Altman talk to?",
        "who was Zuckerberg talking with?",
        "who did Zuckerberg talk to on the podcast?",  # where, not whom, after the "to"
    ],
)
def test_what_somebody_is_asked_to_have_written_or_mentioned_must_be_covered(engine: Engine, question: str) -> None:
    # With the verb looked past, the subject is all that is asked: a fact about Zuckerberg,
    # or that shares the verb, is no answer about China.
    assert not engine.answer(question).answered


@pytest.mark.parametrize("question", ["how much money did open compute save meta?", "does open compute cost meta billions"])
def test_the_last_word_of_a_products_name_alone_does_not_name_it(engine: Engine, question: str) -> None:
    # "compute" in "meta compute investment" (the GPU spending) is not Open Compute, as "Altman"
    # alone is Sam Altman: a question about Open Compute's savings is not answered by the GPUs.
    assert engine.answer(question).fact_id != "gpu-spending"
    assert engine.answer("how much is meta spending on compute?").fact_id == "gpu-spending"


def test_an_entity_the_fact_does_not_involve_pulls_the_fact_down(engine: Engine) -> None:
    plain = engine.answer("How much of Scale AI does Meta own?")
    swapped = engine.answer("How much of Scale AI does OpenAI own?")
    assert swapped.score < plain.score * 0.8


@pytest.mark.parametrize("question", ["what is llama 3", "llama 3", "tell me about Llama 3"])
def test_a_release_asked_by_its_major_number_finds_the_only_release_the_base_knows(
    engine: Engine, question: str
) -> None:
    assert engine.answer(question).fact_id == "llama-3-1"


@pytest.mark.parametrize("question", ["that 3-minute read on LeCun", "Meta in 3 years", "is it 3 times bigger"])
def test_a_number_counting_a_unit_is_no_release(engine: Engine, question: str) -> None:
    assert "3.1" not in engine._analyze(question).terms


def test_a_release_the_base_does_not_know_is_not_taken_for_another(engine: Engine) -> None:
    # 3.2 is not 3.1, and "2" stays Llama 2 even though no 2.x exists.
    assert engine.answer("what is llama 3.2").fact_id != "llama-3-1"
    assert engine.answer("llama 2 commercial use").fact_id == "llama-2-commercial"


def test_an_organisation_is_named_without_the_word_for_its_kind(engine: Engine) -> None:
    # The base lists "Linux Foundation Research"; colleagues say "the Linux Foundation".
    assert engine._analyze("what did the Linux Foundation find?").entities == engine._analyze("Linux Foundation Research").entities != set()
    assert engine.answer("what did the Linux Foundation find?").fact_id == "linux-foundation-study"
    assert not engine.answer("how many staff does the linux foundation have?").answered


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("what's the bitcoin price", "Bitcoin"),
        ("does Meta have offices in London?", "London"),
        ("is llama popular in europe?", "Europe"),
        ("did new york ban data centers?", "New York"),
    ],
)
def test_places_and_things_the_sources_never_mention_are_not_asked_of_a_fact(engine: Engine, question: str, name: str) -> None:
    assert engine.answer(question).reason == f"unknown_entity:{name}"


def test_what_one_speaker_said_is_looked_for_where_the_fact_names_them(engine: Engine) -> None:
    # The regulation overview has LeCun speak of open source and Altman of oversight.
    parts = next(p for p in engine.rank("what did Altman say about open source?") if p.fact_id == "regulation-views")
    assert "said_by" in parts.penalties
    assert engine.answer("what did Altman say about open source?").fact_id != "regulation-views"
    # What the overview is about is said by each of them; speakers asked together share their clauses.
    assert engine.answer("what did Zuck say about regulation?").fact_id == "regulation-views"
    for question in ("What do LeCun and Altman say about regulation?", "what have lecun and altman said about keeping ai safe"):
        assert "said_by" not in next(p for p in engine.rank(question) if p.fact_id == "regulation-views").penalties
    # What somebody holds is asked as what they said: "does Altman support ...", "Altman's stance on ..."
    for question in ("does altman support open sourcing models", "what's Altman's stance on open source?"):
        assert "said_by" in next(p for p in engine.rank(question) if p.fact_id == "regulation-views").penalties
    assert engine.answer("does Zuckerberg support regulation?").fact_id == "regulation-views"


def test_right_asked_back_is_no_slip_of_another_word(engine: Engine) -> None:
    # "..., right?" checks what was said; it was read as a slip of "fight".
    assert engine._analyze("Zuckerberg is the CEO, right?").terms.keys() == engine._analyze("Zuckerberg is the CEO").terms.keys()
    assert engine.answer("Zuck's job at Meta, he's the CEO right?").fact_id == "who-is-mark-zuckerberg"


def test_a_plain_question_about_llama_being_open_gets_the_llama_family(engine: Engine) -> None:
    assert engine.answer("is llama open source?").fact_id == "llama-family"
    assert engine.answer("is llama 3.1 open source?").fact_id == "llama-3-1"


def test_nonsense_abstains_with_suggestions_to_fall_back_on(engine: Engine) -> None:
    answer = engine.answer("qwxz plmok vvvv")
    assert answer.status == "abstained" and answer.suggestions


@pytest.mark.parametrize(
    "greeting",
    [
        "hi", "Hello!", "help", "what can you do?", "", "   ", "good evening, is anybody there?", "hi all, anybody awake?",
        "?", ":wave:", "which subjects do you cover?", "who built you?", "hola!", "I'm new here, how should I word my questions?",
        "are you a real person?", "what do you base your answers on?",
        # Asked of the bot's purpose, as a tool or an assistant, in the words of other languages' speakers.
        "what's your purpose?", "what is this tool for", "dear assistant, in which way can you help me?",
    ],
)
def test_greetings_and_help_get_the_topics(engine: Engine, greeting: str) -> None:
    answer = engine.answer(greeting)
    assert answer.status == "help"
    assert {t.id for t in answer.topics} >= {"llama", "regulation", "investments"}


@pytest.mark.parametrize(
    "question",
    [
        "what are your sources?",
        "which articles do you use",
        "sources?",
        "where does your info come from?",
        "list your references",
        "where do your answers come from?",
        "what sources do you draw on?",
    ],
)
def test_asked_where_the_answers_come_from_the_help_lists_every_source(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.status == "help" and answer.topics
    assert [s.id for s in answer.sources] == list(engine.base.sources)


@pytest.mark.parametrize(
    "question", ["help", "hi", "what can you do?", "what do you know about Meta's open-source AI?", "open sources?"]
)
def test_plain_help_does_not_list_the_sources(engine: Engine, question: str) -> None:
    assert engine.answer(question).sources == []


@pytest.mark.parametrize("question", ["what is open source?", "what sources does LeCun cite?", "Zuckerberg's article"])
def test_a_question_about_a_source_or_open_source_is_no_plea_for_help(engine: Engine, question: str) -> None:
    assert engine.answer(question).status != "help"


@pytest.mark.parametrize("question", ["show me what kinds of questions you handle", "what do you handle?"])
def test_asking_what_the_bot_handles_gets_the_help(engine: Engine, question: str) -> None:
    assert engine.answer(question).status == "help"


def test_a_plea_for_help_among_words_no_fact_answers_gets_the_help(engine: Engine) -> None:
    message = (
        "Before I rely on you for a board memo, I need to understand how you work. Last time a tool "
        "made up a statistic and I had to retract a slide. Where do your answers come from?"
    )
    answer = engine.answer(message)
    assert answer.status == "help" and answer.sources  # asked where the answers come from
    assert engine.answer("how do I use this bot? pls halp :sweat_smile:").status == "help"  # "this bot": the bot asked
    assert engine.answer("Trialling tools this week. What happens when you don't know something?").status == "help"


@pytest.mark.parametrize(
    "message",
    [
        "Quick one before I start: what sorts of questions can I ask, and does it know about Google too?",
        "Which topics do you cover besides Llama and the Scale AI deal?",
        "what does this bot cover exactly, only Meta or OpenAI too?",
    ],
)
def test_asking_what_the_bot_covers_among_words_no_fact_answers_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


def test_what_somebody_asked_or_what_a_license_covers_is_no_question_about_the_bot(engine: Engine) -> None:
    assert engine.answer("What kinds of questions did Dwarkesh ask Zuckerberg?").status != "help"
    assert engine.answer("what does the Llama license cover?").status != "help"


@pytest.mark.parametrize(
    "message",
    [
        "should I trust your replies on the transparency stuff?",  # not the fact on trust in open models
        "be honest, do you make things up sometimes?",
        "ok but honestly what are you for?",
        "does it hallucinate? like do you ever hallucinate the quotes",
    ],
)
def test_doubting_the_bot_itself_gets_the_help_whatever_else_the_message_names(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


@pytest.mark.parametrize(
    "message",
    [
        "so what's actually in your knowledge base?",  # not the "reservoir of human knowledge"
        "what is your database, just news articles?",
        "could you handle questions on Meta's open source plans?",
        "r u able to answer things about llama, or only the basics",
        "which questions are we supposed to ask here?",
        "can you compare stuff for me, or is it only lookups?",
        "do you just look answers up?",
    ],
)
def test_asking_what_the_bot_holds_or_takes_questions_on_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


def test_one_word_beside_a_question_about_the_bot_says_too_little_to_answer(engine: Engine) -> None:
    assert engine.answer("could you compare a few things for me? what is in your database?").status == "help"
    assert engine.answer("can I trust your answers? gemma?").fact_id == "gemma-and-gpt"  # a name says enough


def test_a_question_beside_one_about_what_the_bot_takes_is_answered(engine: Engine) -> None:
    answer = engine.answer("can you answer questions about Meta? how much of Scale AI does it own?")
    assert answer.fact_id == "scale-ai-stake"
    for question in ["what is the reservoir of human knowledge?", "can you tell me about Llama 4?"]:
        assert engine.answer(question).answered, question


def test_a_question_beside_a_doubt_of_the_bot_is_answered(engine: Engine) -> None:
    answer = engine.answer("can I trust your answers? how much of Scale AI does Meta own?")
    assert answer.fact_id == "scale-ai-stake" and answer.matched_part == "how much of Scale AI does Meta own?"
    assert answer.question == "can I trust your answers? how much of Scale AI does Meta own?"
    assert engine.answer("do you just make stuff up? what's the weather like?").status == "help"


def test_doubting_meta_or_its_models_is_no_question_about_the_bot(engine: Engine) -> None:
    for question in ["can I trust Meta's models?", "Is Meta to be trusted?", "does open source build trust?"]:
        assert engine.answer(question).status != "help", question


@pytest.mark.parametrize(
    ("message", "task"),
    [
        ("translate Zuckerberg's positive AI future quote into French", "translate"),
        ("can you draft an email to legal about the Llama license?", "draft"),
        ("pls book a room to discuss Scale AI", "book"),
        ("remind me to read the LeCun article", "remind"),
    ],
)
def test_a_task_asked_of_the_bot_is_no_question_whatever_its_words(engine: Engine, message: str, task: str) -> None:
    answer = engine.answer(message)
    assert not answer.answered and answer.reason == f"task:{task}"
    assert dont_know(answer) == f'{DONT_KNOW} I only answer questions from my sources; "{task}" is not something I can do.'


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("remind me what open washing means", "open-washing"),
        ("order of the Llama versions?", "llama-versions"),
        ("draft of Zuckerberg's essay: what does it argue?", "zuckerberg-essay-argument"),
    ],
)
def test_a_verb_of_a_task_inside_a_question_still_asks(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "thanks",
    ["thx!", "ty, very helpful", "perfect, much appreciated", "brilliant, thank you so much", "you're the best", "ok thanks, that helps"],
)
def test_thanks_get_the_help_not_an_i_dont_know(engine: Engine, thanks: str) -> None:
    assert engine.answer(thanks).status == "help"


@pytest.mark.parametrize(
    ("question", "expected"),
    [("is Llama useful for farmers?", "llama-crop-yield-adoption"), ("how helpful is open source to startups", "democratize-access")],
)
def test_words_of_thanks_inside_a_question_leave_it_a_question(plain_engine: Engine, question: str, expected: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "message",
    [
        "what's LeCun's idea for a global model :thinking_face: thx!",
        "what's LeCun's idea for a global model? tysm :pray:",
        "@here what's LeCun's idea for a global model",
        "FYI @channel: what's LeCun's idea for a global model?",
        "what's LeCun's idea for a global model? https://www.example.com/lecun-global-model-ai-2025",
        "what's LeCun's idea for a global model? <https://example.com/world/ai-summit|link>",
        "quick q: what's LeCun's actual idea for a global model?\n\n\u2014 dan (platform team)",
        "what's LeCun's idea for a global model? thx in advance :raised_hands:",
    ],
)
def test_chat_clutter_around_a_question_leaves_it_answered(engine: Engine, message: str) -> None:
    assert engine.answer(message).fact_id == "lecun-collective-model"


@pytest.mark.parametrize("question", ["MARK ZUCKERBURG'S TITLE?", "zuckerbrg's position?"])
def test_a_post_of_a_name_typed_in_a_hurry_asks_who_they_are(engine: Engine, question: str) -> None:
    assert engine._analyze(question).who_is


def test_the_one_line_asking_among_lines_of_context_is_the_question(engine: Engine) -> None:
    message = "following up on the thread from standup -\nllama versions mentioned??\n\n\u2014 dan (platform team)"
    answer = engine.answer(message)
    assert answer.fact_id == "llama-versions" and answer.matched_part == "llama versions mentioned??"
    # A line that points back at the others is no question of its own.
    assert engine.answer("Meta bought half of Scale AI.\nis that so?").matched_part != "is that so?"


@pytest.mark.parametrize(
    "message",
    [
        "INCIDENT: checkout returns 500s \u2014 who's on call??",
        "heard the cafeteria is closing \u2014 anyone confirm?",
    ],
)
def test_a_part_asking_of_one_word_that_names_nothing_does_not_stand_for_the_message(
    engine: Engine, message: str
) -> None:
    assert not engine.answer(message).answered


@pytest.mark.parametrize(
    "question",
    [
        "what was Meta's GPU spending in 2031?",
        "how much is meta spending on gpus this quarter",
        "Meta's AI budget for next year",
        "Meta's GPU spend this fiscal year",
    ],
)
def test_a_period_no_source_speaks_to_is_a_detail_not_given(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:when"


@pytest.mark.parametrize("question", ["who is alexandr wang's boss", "who's yann lecuns boss?", "who is LeCun's manager at Meta?"])
def test_somebody_a_person_has_is_not_that_person(engine: Engine, question: str) -> None:
    # Only a fact written to say who that is answers; one naming the person and some CEO does not.
    answer = engine.answer(question)
    assert not answer.answered and answer.reason in {"not_given:who", "low_score"}


def test_a_fact_written_to_tell_somebody_a_person_has_answers() -> None:
    boss = _fact("acme-boss", "Who is Jo Bloggs's boss?", ["jo bloggs manager", "Who does Jo Bloggs report to?"])
    other = _fact("jo-bloggs", "Who is Jo Bloggs?", ["jo bloggs", "What does Jo Bloggs do?"])
    base = _tiny_base([boss, other])
    base = base.model_copy(update={"entity_kinds": {"Jo Bloggs": "person"}})
    base.facts["acme-boss"] = boss.model_copy(update={"entities": ["Jo Bloggs"]})
    base.facts["jo-bloggs"] = other.model_copy(update={"entities": ["Jo Bloggs"]})
    engine = Engine(base)
    assert engine.answer("who's jo bloggs's boss?").fact_id == "acme-boss"
    assert engine.answer("who is jo bloggs?").fact_id == "jo-bloggs"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I called LeCun Meta's CTO in a draft and got corrected. What's his actual title at Meta? I'd like to fix it.",
         "who-is-yann-lecun"),
        ("Security review draft. Zuckerberg's claim is that more eyes on the code find flaws faster, correct? "
         "Can you confirm what he said about security?", "more-eyes-security"),
    ],
)
def test_he_or_his_in_a_question_is_the_one_person_its_context_names(engine: Engine, message: str, expected: str) -> None:
    answer = engine.answer(message)
    assert answer.fact_id == expected and "his" not in (answer.matched_part or "").split()


@pytest.mark.parametrize(
    "message",
    [
        # Named in a question of its own, he is asked about there; the message is read whole.
        "When did Alexandr Wang join Meta, and what did he do before?",
        # Two people in the context: "he" could be either.
        "LeCun and Altman both spoke about regulation. Remind me, what did he propose?",
    ],
)
def test_he_is_not_put_in_for_a_person_asked_about_or_for_one_of_two(engine: Engine, message: str) -> None:
    assert engine._with_the_person_named(message) == []


@pytest.mark.parametrize(
    "question",
    [
        "Is there a date for when Meta will open up the components it keeps proprietary under Alexandr Wang's plan?",
        "Did Meta's Chief AI Officer give a year for when he expects AGI?",
    ],
)
def test_a_date_or_a_year_for_when_asks_when(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered
    assert "when" in question_reading.question_types(words(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who's YLC?", "who-is-yann-lecun"),
        ("who is SA again", "who-is-sam-altman"),
        ("how did L2 go commercial?", "llama-2-commercial"),
        ("PT + OCP precedents?", "pytorch-open-compute"),
    ],
)
def test_a_name_written_as_its_capitals_is_the_name(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_capitals_that_are_a_word_or_name_nothing_are_left_alone(engine: Engine) -> None:
    assert engine._initialisms["YLC"] == "Yann LeCun" and engine._initialisms["L3.1"] == "Llama 3.1"
    assert not {"AI", "OS", "GPT", "US"} & engine._initialisms.keys()  # a word, "iOS" not from its start, a name as written
    assert "yann" not in engine._analyze("ylc on regulation").terms  # in capitals only


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("zuck essay publish date?", {"when"}),
        ("LF study sample size?", {"number"}),
        ("L2 release month?", {"when"}),
        ("llama growth per year", set()),
        ("what happened that year", set()),
    ],
)
def test_a_terse_question_ending_on_a_time_or_a_number_asks_it(question: str, asked: set[str]) -> None:
    assert question_reading.question_types(words(question)) & {"when", "number"} == asked


@pytest.mark.parametrize(
    "question", ["How did Meta's stock react to the open-source news?", "how did Meta's share price react to the essay?"]
)
def test_the_reaction_of_something_no_fact_knows_is_not_people_s_reaction(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and (answer.reason or "").startswith("unknown_subject:")
    # People's reactions, the tech crowd's included, are what the sources report.
    assert engine.answer("How did the tech crowd react when Meta said it would open its new models?").fact_id == "public-reactions"


def test_which_country_is_answered_by_a_fact_naming_one_not_only_by_one_saying_where(engine: Engine) -> None:
    question = "which country did the worldwide AI article use as its languages example?"
    assert engine.answer(question).fact_id == "linguistic-diversity-india"
    # Where something was done still needs a fact that says where.
    assert not engine.answer("which country was the AI action summit in?").answered


@pytest.mark.parametrize("question", ["how old is alexandr wang", "How old is Sam Altman?", "how old is the linux foundation"])
def test_an_age_is_asked_only_of_a_fact_that_gives_one(engine: Engine, question: str) -> None:
    # The base gives nobody's age: a fact about the person is not the answer.
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("does meta still care about open source? sumarize the blog's conclusion", "strategy-conclusion"),
        ("summarsie LeCun's idea for a global model", "lecun-collective-model"),
    ],
)
def test_a_framing_word_typed_with_a_slip_still_frames(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_a_misspelling_nearer_a_common_word_than_the_base_s_correction_is_not_corrected(engine: Engine) -> None:
    assert engine._correct("intrested") is None  # "interested", one letter left out; "invested" is two edits away
    assert engine._correct("desprate") == "desperate"  # a synonym the base knows, not "despite"
    assert engine._correct("reseources") == "resources"  # nearest to the base's own word
    assert engine.canon(engine._correct("organisations")) == engine.canon("organizations")  # another spelling


def test_the_common_word_a_slip_is_nearer_is_found_as_a_scan_of_every_common_word_finds_it(engine: Engine) -> None:
    # The search looks only at common words sharing the slip's first or last letter: one edit
    # changes at most one of them. It must decide as the scan of every word of each length does.
    def scanned(word: str, fixed: str) -> bool:
        distance = OSA.distance(word, fixed)
        for length in range(len(word) - distance + 1, len(word) + distance):
            hit = process.extractOne(word, engine._common_by_length.get(length, ()), scorer=OSA.distance, score_cutoff=distance - 1)
            if hit is not None and hit[0] not in engine._surface and not differs_only_in_ending(hit[0], fixed):
                return True
        return False

    # Slips of the base's words, and common words with their first or last letter changed
    # (which only the other end's letter finds).
    slips = [w[:i] + w[i + 1 :] + "e" for w in sorted(engine._surface)[::7] if len(w) >= 6 for i in (0, len(w) // 2, len(w) - 1)]
    commons = [w for w in sorted(engine._common_words)[::5] if len(w) >= 6 and w not in engine._surface]
    slips += [("o" if w[0] != "o" else "a") + w[1:] for w in commons] + [w[:-1] + ("o" if w[-1] != "o" else "a") for w in commons]
    compared = 0
    for slip in slips + ["intrested", "desprate", "bundling", "prepping", "acording", "inference"]:
        fixed = engine._closest_by_edits(slip)
        if fixed is not None and slip not in engine._surface and OSA.distance(slip, fixed) >= 2:
            compared += 1
            assert engine._nearer_a_common_word(slip, fixed) == scanned(slip, fixed), slip
    assert compared > 50


def test_a_word_of_its_own_a_letter_from_a_framing_word_is_no_slip(engine: Engine) -> None:
    assert not engine._slip_of_a_frame_word("mentor")  # "mention"
    assert engine._slip_of_a_frame_word("sumarize")


def test_asking_for_the_quote_asks_no_fact_about_a_quote(engine: Engine) -> None:
    # Every answer carries its quote: "the quote" does not point at the fact about Gizmodo's line.
    assert engine.answer("would meta ever not release a model? find the quote").fact_id != "gizmodo-sucks-line"


def test_a_fact_giving_an_age_answers_how_old() -> None:
    founder = ["Who is Acme's founder?", "acme founder", "Who started Acme?"]
    told = _answering("acme-founder", "Who founded Acme?", founder, "Acme was founded by Jo Bloggs, 28 years old.")
    untold = _answering("acme-founder", "Who founded Acme?", founder, "Acme was founded by Jo Bloggs two years ago.")
    assert Engine(_tiny_base([told])).answer("how old is Acme's founder?").fact_id == "acme-founder"
    withheld = Engine(_tiny_base([untold])).answer("how old is Acme's founder?")
    assert not withheld.answered and "question_type" in Engine(_tiny_base([untold])).rank("how old is Acme's founder?")[0].penalties


@pytest.mark.parametrize(
    ("question", "expected"),
    [("how has Llama grown since 2023?", "llama-tenfold-growth"), ("does Meta want to outdo today's AI leaders?", "exceed-ai-leaders")],
)
def test_a_year_the_sources_name_or_a_day_pins_no_period(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_a_time_of_the_asker_s_own_doing_pins_no_period(engine: Engine) -> None:
    question = "I read the Gizmodo piece last week, what did it say about Meta open-sourcing its models?"
    assert engine.answer(question).fact_id == "gizmodo-sucks-line"
    # The period the question itself asks of still counts, after the asker's words.
    assert engine.answer("my manager asked last week what Meta's GPU budget for next year is").reason == "not_given:when"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Gizmodo reported last week that Meta will open-source its new models, is that true?", "new-models-open-source-plan"),
        ("a colleague said this week that Meta owns 49% of Scale AI, right?", "scale-ai-stake"),
    ],
)
def test_a_time_something_was_said_pins_no_period(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("slipped", "meant"),
    [
        ("could it be a turnng point", "could it be a turning point"),
        ("would meta hold bakc a model", "would meta hold back a model"),
        ("meta hold bank models", "meta hold back models"),
        ("would meta hold bak a model", "would meta hold back a model"),  # three letters, one dropped
    ],
)
def test_a_two_word_synonym_typed_with_a_slip_is_read_as_the_synonym(engine: Engine, slipped: str, meant: str) -> None:
    assert engine._slipped_phrases(engine._words(slipped)) == engine._words(meant)


def test_a_known_word_beside_a_synonym_s_word_is_no_slip(engine: Engine) -> None:
    # "point" and "hold" start or end two-word synonyms; the words beside them here are the base's own.
    # "zed tape": of three letters, a letter changed, not dropped, is no slip of "red"
    for text in ("a good point for ai", "does meta hold a stake", "cut the zed tape"):
        assert engine._slipped_phrases(engine._words(text)) == engine._words(text)


@pytest.mark.parametrize(
    ("question", "who_does"),
    [
        ("who interviewed Altman on All-In?", True),  # "interviewed" is of the group of "podcast", no name
        ("who leads the llama team", True),
        ("who zuck wants to hire", False),  # whom Zuckerberg wants
        ("who Mark Zuckerberg wants to work with", False),
    ],
)
def test_who_before_a_verb_asks_who_does_it_and_before_a_name_whom(engine: Engine, question: str, who_does: bool) -> None:
    assert engine._analyze(question).who_does is who_does


def test_boasting_is_saying(engine: Engine) -> None:
    query = engine._analyze("what did zuckerberg boast about llama 3.1?")
    assert not query.asked and not query.unknown
    assert engine.answer("what did zuckerberg boast about llama 3.1?").fact_id == "llama-3-1"


def test_a_handle_naming_somebody_the_base_knows_is_the_name_and_any_other_addresses(engine: Engine) -> None:
    assert engine.answer("what did @lecun say about regulation?").fact_id == "lecun-careful-regulation"
    assert engine.answer("@meta-ai-bot help").status == "help"
    assert engine.answer("@maria how much of scale ai does meta own").fact_id == "scale-ai-stake"


@pytest.mark.parametrize("question", ["gym discount code", "what is the dress code on friday"])
def test_one_word_shared_among_words_the_base_does_not_know_is_about_something_else(
    engine: Engine, question: str
) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "low_score"
    best = engine.rank(question)[0]
    # over the bar before the cut for naming nothing the base is about, yet not about the fact
    assert best.score / best.penalty >= engine.thresholds.min_score


def test_one_word_the_base_knows_asked_alone_is_still_asked(engine: Engine) -> None:
    assert engine.answer("gemma?").fact_id == "gemma-and-gpt"


def test_a_link_to_a_site_the_sources_name_points_at_that_source(engine: Engine) -> None:
    # The path of a link is not read; the site's name is, when the base knows it.
    query = engine._analyze("what did https://gizmodo.com/2025/07/llama-news-98765 say about Meta's models?")
    assert "gizmodo" in query.terms and not {"llama", "98765", "2025"} & set(query.terms)
    assert not engine._analyze("see https://example.com/meta-scale-ai").terms


def test_contractions_are_function_words(engine: Engine) -> None:
    assert not engine._analyze("they're sure you'll say we can't").terms


def test_a_greeting_before_a_question_does_not_hide_the_question(engine: Engine) -> None:
    assert engine.answer("good morning! how much of scale ai does meta own?").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Sorry to bother you all, but how much of Scale AI does Meta own?", "scale-ai-stake"),
        ("Not sure this is the right channel, but what is open washing?", "open-washing"),
        ("I was reading the Gizmodo piece last night. How much of Scale AI does Meta own?", "scale-ai-stake"),
        ("quick one before my 3pm sync with the whole product group: who is alexandr wang?", "alexandr-wang"),
        # Two questions in one: the one the base can answer is.
        ("remind me who Mark Zuckerberg is and why does he keep coming up?", "who-is-mark-zuckerberg"),
    ],
)
def test_a_question_wrapped_in_chat_is_still_answered(engine: Engine, message: str, expected: str) -> None:
    answer = engine.answer(message)
    assert answer.fact_id == expected and answer.matched_part  # the whole message alone abstains
    assert answer.question == message  # the asker's whole message, not the part that matched


def test_who_a_person_is_asked_in_a_sentence_of_its_own_is_read_whole(engine: Engine) -> None:
    """A sentence before it says nothing asked: the message is who Wang is, read whole."""
    answer = engine.answer("I was reading the Gizmodo piece last night. Who is Alexandr Wang?")
    assert answer.fact_id == "alexandr-wang" and answer.matched_part is None


@pytest.mark.parametrize("subject", ["Alexandr Wang", "Gemma", "Llama 4", "open washing", "the Scale AI stake"])
@pytest.mark.parametrize(
    "idiom",
    [
        "what's the deal with {}", "any news on {}?", "fill me in on {}", "what's the story with {}", "remind me: {}",
        # Requests for the answer, the source or the quote frame the subject as questions do.
        "give me the quote on {}", "can you find me the bit about {}", "pull up {} pls", "brief me on {}",
    ],
)
def test_chat_idioms_around_a_subject_ask_about_the_subject(engine: Engine, idiom: str, subject: str) -> None:
    plain = engine.answer(subject)
    assert plain.answered
    assert engine.answer(idiom.format(subject)).fact_id == plain.fact_id


@pytest.mark.parametrize(
    ("question", "reading"),
    [
        ("did facebook open source llama", "did Meta open source llama"),
        ("Why is Facebook giving its AI models away?", "Why is Meta giving its AI models away?"),
    ],
)
def test_a_former_name_is_read_as_the_current_one_when_unclear(engine: Engine, question: str, reading: str) -> None:
    assert not engine.answer(question.replace("acebook", "acebok inc")).answered  # unknown names stay unknown
    answer = engine.answer(question)
    assert answer.answered and answer.matched_part == reading and answer.question == question
    assert answer.fact_id == engine.answer(reading).fact_id


def test_a_former_name_that_names_something_of_its_own_is_read_as_itself_first(engine: Engine) -> None:
    answer = engine.answer("Is Llama used in Facebook?")
    assert answer.fact_id == "llama-internal-use" and answer.matched_part is None


@pytest.mark.parametrize(
    "question", ["Who is Dwarkesh Patel?", "What does Dwarkesh Patel think about open source?", "dwarkesh patel's view on regulation"]
)
def test_a_show_host_the_base_knows_only_by_the_shows_name_is_nobody_it_knows(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.status == "abstained" and answer.reason == "unknown_entity:Dwarkesh Patel"


@pytest.mark.parametrize(
    "question", ["What was discussed on the Dwarkesh Patel podcast?", "main takeaway of the Dwarkesh Patel episode"]
)
def test_the_show_named_after_its_host_is_still_known(engine: Engine, question: str) -> None:
    assert engine.answer(question).answered


@pytest.mark.parametrize("question", ["how is meta stock doing", "What's Meta's share price today?", "meta market cap"])
def test_the_share_price_is_not_a_stake_nor_a_cost_and_stock_is_no_slip_for_stack(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered
    assert engine.answer("how much of scale ai's shares does meta hold").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("per Zuckerberg, what do developers get out of open models?", "developers-benefit"),
        ("what does LeCun say regarding regulation?", "lecun-careful-regulation"),
    ],
)
def test_words_that_only_attribute_or_point_at_a_subject_ask_nothing(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["what will llama 4 deliver", "what is Llama 4 going to bring?"])
def test_what_something_delivers_is_what_it_brings(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "llama-4"


@pytest.mark.parametrize("question", ["what's openuk's problem with meta", "openuk's complaints about meta"])
def test_a_problem_with_or_a_complaint_about_something_is_criticism(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "openuk-criticism"


@pytest.mark.parametrize("question", ["what's alexandr wang's salary", "what is lecun's age", "Scale AI's headcount"])
def test_a_thing_of_somebodys_the_base_has_no_word_for_is_not_answered(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is zuckerberg's rationale for open source", "zuckerberg-essay-argument"),
        ("what's zuck's reasoning for open source", "zuckerberg-essay-argument"),
        ("what is lecun's reason for a global model", "lecun-collective-model"),
    ],
)
def test_somebodys_reasons_for_a_subject_ask_about_the_subject(plain_engine: Engine, question: str, expected: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["what's the all-in podcast quote", "Altman on All-In"])
def test_a_show_named_with_small_words_is_still_named(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "altman-international-oversight"


def test_help_with_a_subject_is_a_question_not_help(engine: Engine) -> None:
    assert engine.answer("help me understand the scale ai stake").fact_id == "scale-ai-stake"


def test_answers_are_deterministic(engine: Engine) -> None:
    question = "who decides the rules for open models"
    assert len({engine.answer(question).model_dump_json() for _ in range(5)}) == 1


def _fact(fact_id: str, question: str, alternates: list[str], *, related: list[str] | None = None) -> Fact:
    return Fact(
        id=fact_id,
        topic="t",
        question=question,
        alternates=alternates,
        answer=f"Answer {fact_id}.",
        quotes=[Quote(text="Alpha beta gamma.", source="s")],
        related=related or [],
    )


def _tiny_base(facts: list[Fact]) -> FactBase:
    return FactBase(
        sources={"s": Source(id="s", title="S", kind="blog post", body="Alpha beta gamma.")},
        topics={"t": Topic(id="t", title="T", fact_ids=[f.id for f in facts])},
        facts={f.id: f for f in facts},
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("sorry, who's Sam Altman again and why does he show up in these articles?", "who-is-sam-altman"),
        ("remind me who Alexandr Wang is", "alexandr-wang"),
        # "Exactly" asks precisely, about nothing.
        ("who exactly is Zuckerberg?", "who-is-mark-zuckerberg"),
        ("whos sam altman", "who-is-sam-altman"),
        ("who is Alex Wang at Meta?", "alexandr-wang"),
        ("who's Alex Wang?", "alexandr-wang"),
        # A title names nobody, and "now" asks nothing.
        ("who is Dr LeCun?", "who-is-yann-lecun"),
        ("who is Zuckerberg now?", "who-is-mark-zuckerberg"),
    ],
)
def test_who_somebody_is_is_asked_of_the_facts_that_say_who_they_are(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected
    assert engine._analyze(question).who_is


def test_who_is_behind_something_asks_no_profile(engine: Engine) -> None:
    for question in (
        "who is behind the term open washing?",
        "who wrote the essay?",
        "who hired Alexandr Wang?",  # a verb after "who": somebody else is asked for
        "who Zuckerberg thinks should regulate AI",  # a verb of the name's: not who he is
        "who is Altman talking about?",
        "who LeCun is arguing against",
        "who is LeCun's boss?",  # a noun after the name: somebody else
        "who is Zuckerberg in favour of?",
        "who is Zuckerberg hiring?",
    ):
        assert not engine._analyze(question).who_is, question


def test_a_who_is_question_marks_down_facts_that_do_not_say_who(engine: Engine) -> None:
    ranked = {parts.fact_id: parts for parts in engine.rank("who is Wang?")}
    assert "who" not in ranked["alexandr-wang"].penalties  # "Who is Meta's Chief AI Officer?"
    assert all("who" in parts.penalties for fid, parts in ranked.items() if fid != "alexandr-wang")


def test_a_show_is_pointed_at_only_for_the_people_heard_on_it(engine: Engine) -> None:
    assert engine._analyze("What did Zuck say on Dwarkesh's podcast?").cited == {"dwarkesh-podcast"}
    assert not engine._analyze("What did LeCun say on Dwarkesh's podcast?").cited


def test_a_question_of_common_words_weighs_enough_candidates_to_see_a_close_second(engine: Engine) -> None:
    # With 20 candidates, the runner-up went unscored and open washing was the answer.
    assert engine.answer("what does open source mean for meta?").reason == "too_close"


def test_of_equally_good_phrasings_the_first_is_the_one_matched() -> None:
    engine = Engine(_tiny_base([_fact("red-cost", "What is the red team cost?", ["red team cost", "cost red team"])]))
    assert engine.rank("red team cost")[0].matched_phrasing == "What is the red team cost?"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Did OpenUK accu", "openuk-criticism"),
        ("did OpenUK accuse Meta of ope", "openuk-criticism"),
        ("Altman global ris", "altman-global-risks"),  # "ris" is a word of the base too
        ("what does LeCun think about reg", "lecun-careful-regulation"),
        ("did Zuckerberg say anythign about Llama", "llama-3-1"),
        ("What did Zuck say American AI companies should do when it comes to the go", "us-companies-and-government"),
        # Typed in full (a mark or a space after the last word), every word asks.
        ("Any word on what the next generation of Llama is supposed to deliver?", "llama-4"),
        ("does Zuck think regulation helps? what kind of regulation", "regulation-views"),
        ("is llama running inside ", "llama-internal-use"),
        # A half-typed word of the same index term as one typed in full: that one still asks.
        ("does Zuck think regulation helps? what kind of regulations", "regulation-views"),
        # An apostrophe or hyphen at the end is inside the word being typed.
        ("What's the OpenUK crowd'", "openuk-criticism"),
        # After a hyphen comes another word: "open-" is "open" typed in full.
        ("what is open-", "open-washing"),
        # Capitals in a half-typed question are not names the base lacks.
        ("does Meta actually run Llama inside FB, Insta and Wh", "llama-internal-use"),
    ],
)
def test_autocomplete_asks_about_what_was_typed_in_full(engine: Engine, typed: str, expected: str) -> None:
    # The half-typed word is neither an unknown word nor all of the words it may become.
    assert engine.complete(typed)[0].fact_id == expected


def test_two_unrelated_facts_too_close_to_call_abstain_with_both_as_suggestions() -> None:
    base = _tiny_base(
        [
            _fact("red-cost", "What is the red team cost?", ["red team cost"]),
            _fact("red-size", "What is the red team size?", ["red team size"]),
        ]
    )
    answer = Engine(base).answer("red team")
    assert answer.status == "abstained" and answer.reason == "too_close"
    assert {s.fact_id for s in answer.suggestions} == {"red-cost", "red-size"}


def _rivals_base(kinds: dict[str, str]) -> FactBase:
    """Two rivals, a fact on how they compare, a fact on each, and facts on other things."""
    named = {
        "acme-globex": ("How do Acme and Globex compare?", ["acme versus globex", "acme or globex"], ["Acme", "Globex"]),
        "acme-products": ("What does Acme sell?", ["acme products", "acme catalogue"], ["Acme"]),
        "globex-home": ("Where is Globex based?", ["globex headquarters", "globex offices"], ["Globex"]),
    }
    others = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    facts = [
        _fact(fid, question, alternates).model_copy(update={"entities": entities})
        for fid, (question, alternates, entities) in named.items()
    ] + [_fact(word, f"What is {word}?", [f"{word} explained", f"tell me about {word}"]) for word in others]
    return _tiny_base(facts).model_copy(update={"entity_kinds": kinds})


def test_a_question_setting_things_of_one_kind_side_by_side_asks_how_they_compare() -> None:
    engine = Engine(_rivals_base({"Acme": "company", "Globex": "company"}))
    answer = engine.answer("Who is winning, Acme or Globex?")
    assert answer.fact_id == "acme-globex"
    parts = next(p for p in engine.rank("Who is winning, Acme or Globex?") if p.fact_id == "acme-globex")
    assert "asked_about" not in parts.penalties
    # One of them alone, asked something no fact covers, is still not answered by its fact.
    assert "asked_about" in next(p for p in engine.rank("Acme's winning streak") if p.fact_id == "acme-products").penalties


def test_things_of_different_kinds_named_together_still_need_what_is_asked_about_them() -> None:
    engine = Engine(_rivals_base({"Acme": "company", "Globex": "place"}))
    parts = next(p for p in engine.rank("Who is winning, Acme or Globex?") if p.fact_id == "acme-globex")
    assert "asked_about" in parts.penalties


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who comes out ahead, Gemma or GPT?", "gemma-and-gpt"),
        ("are OpenAI and Google hiding their models?", "closed-models-openai-google"),
        ("how does Llama 2 differ from Llama 4?", "llama-versions"),
    ],
)
def test_rivals_set_side_by_side_find_the_fact_comparing_them(plain_engine: Engine, question: str, expected: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["is Llama 4 out yet?", "any Llama 4 yet"])
def test_yet_only_says_when_the_asker_expects_it(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "llama-4"


@pytest.mark.parametrize(
    ("question", "expected"),
    [("is Gemma in the articles", "gemma-and-gpt"), ("what llama models are covered in the articles?", "llama-versions")],
)
def test_the_articles_the_base_is_built_from_name_no_subject(plain_engine: Engine, question: str, expected: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


def test_ones_own_is_no_ownership(engine: Engine) -> None:
    """"Own" is in the stake group, as in "does Meta own Scale AI"; "its own models" owns nothing."""
    assert engine.canon("stake") not in engine._analyze("how much of its own money is Meta spending on GPUs?").terms
    assert engine.answer("how much of its own money is Meta spending on GPUs?").fact_id == "gpu-spending"
    assert engine.answer("does Meta own Scale AI?").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("any news about the progress of Llama 4?", "llama-4"),
        ("give me an overview of the Scale AI deal", "scale-ai-stake"),
        ("a summary of LeCun's views on regulation", "lecun-careful-regulation"),
    ],
)
def test_asking_for_news_an_overview_or_a_summary_of_something_asks_about_it(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(("question", "expected"), [("llama four", "llama-4"), ("llama two commercial use", "llama-2-commercial")])
def test_numbers_written_out_are_their_digits(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_a_slip_as_near_two_words_of_different_lengths_is_the_more_common_one() -> None:
    """"relase" is one edit from "relate" and from "release": the word more facts use wins,
    whichever length is looked at first."""
    engine = Engine(
        _tiny_base(
            [
                _fact("release", "When is the release?", ["release date", "Was the release delayed?"]),
                _fact("launch", "Did the release go well?", ["release reviews"]),
                _fact("relate", "How do they relate?", ["relate the two"]),
            ]
        )
    )
    query = engine._analyze("relase notes")
    assert engine.canon("release") in query.terms and engine.canon("relate") not in query.terms


@pytest.mark.parametrize(
    "question",
    [
        "why did LeCun resign from Meta after the summit?",  # no fact speaks of resigning
        "why did OpenUK praise Meta's licence?",  # the criticism, not praise
        "why did meta sell off part of its scale stake?",
        "why did Meta's research team sell off the stake in Scale AI?",  # past the subject's noun
    ],
)
def test_why_something_happened_is_not_answered_by_a_fact_that_never_speaks_of_it(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered
    assert any("event" in parts.penalties for parts in engine.rank(question)[:1])


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("why did Meta partner with the cloud providers?", "llama-2-commercial"),  # "partnerships"
        ("why has Meta been criticised over its licence terms?", "restrictive-licensing"),
        ("why did zuck write the essay?", "zuckerberg-essay-argument"),  # what was written is asked
    ],
)
def test_why_something_the_fact_speaks_of_happened_is_answered(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


def test_a_why_question_is_not_answered_by_a_who_phrasing(engine: Engine) -> None:
    """"Who's leading Meta's new model release?" shares the words of "why did Meta release
    its models openly" but asks who: a fact matched only through it does not tell why."""
    question = "why did meta release its models openly"
    assert engine.answer(question).fact_id != "alexandr-wang"
    parts = next(p for p in engine.rank(question) if p.fact_id == "alexandr-wang")
    assert parts.matched_phrasing.startswith("Who") and "why" in parts.penalties


@pytest.mark.parametrize(
    "question",
    ["What did Zuckerberg say about Altman?", "What does LeCun think of Zuckerberg?", "what does altman think about meta"],
)
def test_what_one_says_of_another_is_not_answered_by_a_fact_where_they_speak_apart(
    engine: Engine, question: str
) -> None:
    """The regulation overview quotes LeCun, Altman and Zuckerberg, each in a clause of their
    own, and Altman's remarks never name Meta: none tells one of them speaking of the other,
    so the bot abstains."""
    answer = engine.answer(question)
    assert answer.status == "abstained"
    assert all("spoken_of" in p.penalties for p in engine.rank(question)[:3])


def test_what_one_says_of_a_company_a_sentence_of_the_fact_names_is_still_answered(engine: Engine) -> None:
    assert engine.answer("What did Zuckerberg say about Meta's business?").fact_id == "meta-business-model"
    assert engine.answer("What do LeCun, Altman and Zuck say about regulation?").fact_id == "regulation-views"


@pytest.mark.parametrize(
    ("question", "not_from"),
    [
        ("do you know who came up with the global model idea?", "global-model-advantages"),
        ("Who makes Llama?", "democratize-ai"),
    ],
)
def test_a_who_question_is_not_answered_through_a_why_phrasing(engine: Engine, question: str, not_from: str) -> None:
    """"Why share Llama?" shares every word of "who makes Llama" but asks for a reason, which
    is no person: a fact matched only through a phrasing asking why is cut, and a fact naming
    whoever it was, or an "I don't know" with suggestions, is the reply."""
    assert engine.answer(question).fact_id != not_from
    parts = next(p for p in engine.rank(question) if p.fact_id == not_from)
    assert parts.matched_phrasing.startswith("Why") and "why_phrasing" in parts.penalties


@pytest.mark.parametrize(
    "question",
    ["who leads Meta's AI research", "Who would fund the global model?", "who criticized meta"],
)
def test_asking_who_does_something_is_not_answered_by_a_fact_naming_nobody(engine: Engine, question: str) -> None:
    """A fact that names no person, company or institution (beyond what the question names)
    and has no phrasing asking who does something cannot say who does it: the bot abstains,
    offering the closest facts."""
    answer = engine.answer(question)
    assert answer.status == "abstained" and answer.reason == "not_given:who"
    assert answer.suggestions


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who kept their cutting-edge developments secret?", "historically-under-wraps"),
        ("Who kept its AI work under wraps?", "historically-under-wraps"),
    ],
)
def test_asking_who_did_something_the_fact_tells_in_those_words_is_answered(
    engine: Engine, question: str, expected: str
) -> None:
    """A fact whose own text has the verb asked ("Meta, like other tech giants, kept ...")
    says who did it, though the company it names is the one nearly every fact names."""
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question",
    ["who leads Meta's AI efforts?", "who benefits from open-source AI?", "who criticized Meta's open-source claims?"],
)
def test_a_verb_asked_who_does_that_may_be_a_noun_in_the_fact_does_not_say_who(engine: Engine, question: str) -> None:
    """"leads" and "benefits" may be nouns in a fact ("the potential benefits"); "criticized"
    is not "criticisms": none of these tells who did it."""
    assert engine.answer(question).reason == "not_given:who"


@pytest.mark.parametrize(
    ("question", "who_does", "expected"),
    [
        ("Who announced Llama 3.1?", True, "llama-3-1"),
        ("Who warned about global AI risks?", False, "altman-global-risks"),  # whose words: see below
        ("Who uses Llama in agriculture?", True, "llama-crop-yield-adoption"),
        ("who did Zuckerberg say could misuse open AI?", False, None),
        ("Who exactly is Yann LeCun, and what does he do?", False, "who-is-yann-lecun"),
    ],
)
def test_asking_who_does_something_is_answered_by_a_fact_naming_somebody(
    engine: Engine, question: str, who_does: bool, expected: str | None
) -> None:
    """A fact naming the person who did it, or asked as "who uses ...", still answers; asking
    whom somebody did something to, or who somebody is, is not asking who does it."""
    assert engine._analyze(question).who_does is who_does
    if expected is not None:
        assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who said open source keeps power from being concentrated in a few companies?", "power-not-concentrated"),
        ("who called the scrutiny a double-edged sword?", "double-edged-scrutiny"),
        ("which piece said strict rules could stifle innovation?", "strict-rules-stifle-innovation"),
        ("which source mentions clinical tools built on Meta's AI?", "healthcare-clinical-tools"),
        ("which outlet reported that Meta will open-source its new models?", "new-models-open-source-plan"),
        ("who reportd Meta spending billions on GPUs?", "gpu-spending"),  # typed in a hurry
        ("which souce calls Llama central to Meta's strategy?", "llama-family"),
    ],
)
def test_whose_words_or_which_text_is_answered_by_the_fact_saying_them(
    engine: Engine, question: str, expected: str
) -> None:
    """"Who said ...", "which piece called ...": every answer gives its quote and where it
    comes from, so the fact holding the words answers, whether or not it names a person."""
    assert engine.answer(question).fact_id == expected


def test_words_pinned_on_the_wrong_person_get_the_quote_of_who_said_them(plain_engine: Engine) -> None:
    """"Did LeCun warn that advanced AI could pose global risks?" is answered with Altman's
    warning, whose quote sets the record straight; a question of where somebody was, or of
    what somebody thinks, is not answered with another person's fact."""
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    answer = engine.answer("did LeCun warn that advanced AI systems could pose global risks?")
    assert answer.fact_id == "altman-global-risks"
    # Asked with "not", with or without its apostrophe, and with verbs that attribute words.
    assert engine.answer("didn't Altman say that more eyes on the code find flaws faster?").fact_id == "more-eyes-security"
    assert engine.answer("wasnt it Zuckerberg who proposed a model every nation contributes to?").fact_id == (
        "lecun-collective-model"
    )
    assert engine.answer("did Altman compare open models to Android?").fact_id == "android-vs-ios"
    assert engine._analyze("didn't LeCun say so?").asks_whether
    assert engine.answer("did Zuckerberg speak at the AI Action Summit?").fact_id is None
    assert engine.answer("What did Sam Altman say about Meta's business model?").fact_id is None


@pytest.mark.parametrize(
    "question",
    [
        "was it LeCun or Zuckerberg who brought up India's languages?",  # "who": one of those offered
        "is India or Brazil the example of a country with many languages?",  # a name the sources lack, offered
        "was it India that LeCun used as his example, or Brazil?",  # the first choice opens the question
    ],
)
def test_a_choice_of_names_is_answered_by_the_fact_naming_the_right_one(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "linguistic-diversity-india"


def test_asking_a_difference_weighs_what_differs_not_the_word_difference(engine: Engine) -> None:
    assert engine._analyze("what's the difference between a latte and a cappuccino?").terms == {"differenc": 1.0}
    assert not engine.answer("what's the difference between a latte and a cappuccino?").answered
    assert engine.answer("what's the difference between open and closed models?").fact_id == "android-vs-ios"


def test_a_fact_holding_one_of_two_ways_offered_answers(engine: Engine) -> None:
    """"Central, or just a side project?": the fact on Llama being central answers it, though it
    never speaks of side projects."""
    question = "is Llama central to Meta's strategy or just a side project?"
    assert engine._analyze(question).other_way == {"side", "project"}
    assert engine.answer(question).fact_id == "llama-family"


@pytest.mark.parametrize(
    "question",
    [
        "is Anthropic or OpenAI more closed?",
        "mistral or llama?",
        "Mistral vs Llama",
        "was the AI Action Summit in Paris or in London?",  # a choice of two names the sources lack
        "is llama 3.1 multimodal or text only?",  # a choice of no names
    ],
)
def test_comparing_with_a_name_the_sources_lack_is_not_answered(engine: Engine, question: str) -> None:
    """Which is more closed takes what the sources say of both: one they never mention leaves it open."""
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    "question",
    ["what are the benefits of open sourcing per the Gizmodo article?", "benefits of open-sourcing AI models according to the gizmodo piece?"],
)
def test_a_fact_of_the_source_pointed_at_is_found_though_it_never_names_the_outlet(engine: Engine, question: str) -> None:
    """The facts quoting the Gizmodo-based article are all looked at, not only those whose words
    say "Gizmodo", which would crowd the others out."""
    assert engine.answer(question).fact_id == "open-source-benefits"


def test_a_source_of_very_many_facts_brings_in_only_those_sharing_words(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    """Past CITED_SOURCE_REACH facts, pointing at a source adds only to the facts its words found."""
    query = engine._analyze("what are the benefits of open sourcing per the Gizmodo article?")
    everyone: dict[int, float] = defaultdict(float)
    engine._add_cited(query, everyone)
    assert len(everyone) == len(engine._facts_of_source["gizmodo-risky-move"]) > 1
    found = max(everyone, key=everyone.__getitem__)  # a fact that never says "Gizmodo"
    monkeypatch.setattr("bot.engine.CITED_SOURCE_REACH", 1)
    few: dict[int, float] = defaultdict(float, {found: 0.0})
    engine._add_cited(query, few)
    assert list(few) == [found] and few[found] == everyone[found] > 0


def test_words_placed_in_the_wrong_text_get_the_quote_from_the_right_one(engine: Engine) -> None:
    """"Was the reservoir line in Zuckerberg's essay?": the fact holding those words answers,
    its source setting the record straight; a detail the facts never give is still not answered."""
    question = "was the 'massive reservoir of human knowledge' line in Zuckerberg's essay?"
    assert engine.answer(question).fact_id == "reservoir-of-human-knowledge"
    assert engine.answer("did the Gizmodo piece say Llama 4 is delayed?").fact_id is None


@pytest.mark.parametrize(
    "question", ["who said 'open source is eating AI'?", "who called Llama the Linux of AI?"]
)
def test_words_nobody_in_the_articles_said_are_not_pinned_on_a_fact(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    "question", ["Was Llama leaked on 4chan?", "Is there a 3D model from Meta?", "What was Meta's Q3 revenue?"]
)
def test_a_number_running_into_letters_is_not_a_version_number(engine: Engine, question: str) -> None:
    """"4chan", "3D" and "Q3" are words of their own, not Llama 4 or Llama 3.1."""
    assert engine.answer(question).status == "abstained"


def test_the_us_government_is_not_governments_at_large(engine: Engine) -> None:
    """"the US government" asks of one country's government, as "the U.S. government" does: not
    answered by what governments in general should do about open-source AI."""
    for question in ("What does the US government think of open-source AI?", "Would the US join LeCun's initiative?"):
        assert engine.answer(question).status == "abstained"


@pytest.mark.parametrize(
    "question",
    [
        "What is generative AI?",
        "define AGI",
        "What is a large language model?",
        "what's a GPU?",  # "what's" is "what is", not an owner
        "what's a GPU, simply?",  # asked to be told simply, still only what it is
        "what is a data center, basically",
        "eli5 AGI",
        "what's AGI in plain english",
        "what does AGI mean?",
    ],
)
def test_what_a_notion_is_is_not_answered_by_a_fact_that_only_uses_it(engine: Engine, question: str) -> None:
    """"Zuck essay on generative AI" names the notion but no fact says what it is."""
    answer = engine.answer(question)
    assert not answer.answered and answer.suggestions
    assert all("defines" in p.penalties for p in engine.rank(question)[:3])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is open washing?", "open-washing"),  # a phrasing asks what it is
        ("meaning of open washing", "open-washing"),
        ("what is gemma", "gemma-and-gpt"),  # a thing the base names is told of where it is named
        ("what are meta's objectives", "open-source-goals"),  # Meta's, not what an objective is
        ("what's open washing?", "open-washing"),
        ("eli5 open washing", "open-washing"),
        ("what does open washing actually mean?", "open-washing"),
        ("what's llama, in plain english?", "llama-family"),
        ("what's Meta's GPU budget?", "gpu-spending"),  # Meta's budget, not what a GPU is
    ],
)
def test_what_a_thing_is_is_answered_where_the_base_tells_it(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question", ["define open washing", "Define openwashing", "open washing definition", "whats open washing, simply?"]
)
def test_the_word_asking_what_a_thing_is_need_not_be_in_the_phrasing_that_asks_it(
    engine: Engine, question: str
) -> None:
    """"define" asks what open washing is, as "What is open washing?" does: that phrasing asks
    it, though it has no "define" in it."""
    answer = engine.answer(question)
    assert answer.fact_id == "open-washing"
    assert "defines" not in next(p for p in engine.rank(question) if p.fact_id == "open-washing").penalties


@pytest.mark.parametrize(
    ("question", "expected"),
    [("who owns Scale AI?", "scale-ai-stake"), ("Who invested in Scale AI?", "scale-ai-stake")],
)
def test_asking_who_does_something_to_a_thing_meta_did_it_to_is_answered_with_meta(
    engine: Engine, question: str, expected: str
) -> None:
    """Meta, which nearly every fact names, is who did it where the question asks of something
    else the fact names: "who owns Scale AI?" is answered by Meta's 49% stake."""
    assert engine.answer(question).fact_id == expected


def test_asking_who_besides_the_one_a_fact_names_is_still_not_answered_by_it(engine: Engine) -> None:
    answer = engine.answer("Who owns the other 51% of Scale AI?")
    assert not answer.answered


def test_an_inflected_word_is_read_as_its_base_word_not_corrected_into_another() -> None:
    engine = Engine(_tiny_base([_fact("bake", "Who will bake bread?", ["bake bread"]), _fact("make", "What do they make?", ["make"])]))
    query = engine._analyze("baking bread")
    assert engine.canon("make") not in query.terms and engine.canon("bake") in query.terms


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A source named by the person it is about, or by its outlet, with a noun for a text.
        ("In the Zuckerberg essay, what does he say about Android?", "android-vs-ios"),
        ("what does the gizmodo piece say about openuk", "openuk-criticism"),
        # A show named after its host, by a word of that name: the host alone is nobody the base knows.
        ("What did Zuck say about PyTorch on Dwarkesh's podcast?", "pytorch-open-compute"),
        ("what did Zuckerberg say about PyTorch in the Dwarkesh interview?", "pytorch-open-compute"),
        ("did Zuck talk about PyTorch on Dwarkesh's podcast?", "pytorch-open-compute"),
        # An outlet named alone ("according to", "says") cites it, as a noun for a text would.
        ("according to gizmodo, what is open washing", "open-washing"),
        ("What does Gizmodo say about open washing?", "open-washing"),
        # What frames the question without asking anything: "sum up".
        ("sum up the essay", "zuckerberg-essay-argument"),
    ],
)
def test_a_question_pointing_at_a_source_asks_about_the_rest(plain_engine: Engine, question: str, expected: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question",
    [
        "what did the essay say about china",
        "what does the gizmodo piece say about china",
        "What did LeCun say on the Dwarkesh Patel podcast?",
        "does the LeCun piece mention apple?",
        "what did Zuckerberg say about China on Dwarkesh's podcast?",
        "What does Dwarkesh Patel think about open-source AI?",
        # Somebody the show's quotes do not name, though the fact quotes them from elsewhere.
        "What did LeCun say on Dwarkesh's podcast?",
        "what did Altman say in the Dwarkesh interview?",
    ],
)
def test_a_source_named_is_no_answer_to_what_is_asked_of_it(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


def test_a_person_named_alone_speaks_and_an_outlet_named_alone_is_cited(engine: Engine) -> None:
    assert not engine._analyze("according to Zuckerberg, is open source safer?").cited
    assert engine._analyze("according to Gizmodo, is open source safer?").cited == {"gizmodo-risky-move"}
    # A kind of text points at the sources that are that kind or speak of one ("the All-In podcast").
    assert engine._analyze("on the podcast, who spoke?").cited == {"dwarkesh-podcast", "lecun-global-model"}
    # "Zuckerberg's essay": of the texts about him, the essay.
    assert engine._analyze("in Zuckerberg's essay, what is the argument?").cited == {"zuckerberg-essay"}
    # A generic noun needs a name: "a piece of Scale AI" is a stake.
    assert not engine._analyze("does Meta have a piece of Scale AI?").cited
    # A verb is no text: "does this show", "does Zuckerberg report" (a person speaks); an outlet reports.
    assert not engine._analyze("Does this show that Meta is serious about open source?").cited
    assert not engine._analyze("What does Zuckerberg report about GPU spending?").cited
    assert engine._analyze("what does gizmodo report about openuk").cited == {"gizmodo-risky-move"}
    # A kind of text points at the texts of the people named: LeCun wrote no essay.
    assert not engine._analyze("In his essay, how does LeCun want countries to share data?").cited


def test_facts_from_another_source_than_the_one_pointed_at_are_cut() -> None:
    facts = [
        _fact("essay-rockets", "Do rockets fly?", ["rockets fly"]),
        _fact("blog-rockets", "Do rockets fly?", ["can rockets fly"]).model_copy(
            update={"quotes": [Quote(text="Rockets fly.", source="b")]}
        ),
    ]
    base = _tiny_base(facts).model_copy(
        update={
            "sources": {
                "s": Source(id="s", title="S", kind="news article", body="In her essay: Alpha beta gamma."),
                "b": Source(id="b", title="B", kind="blog post", body="Rockets fly."),
            }
        }
    )
    engine = Engine(base)
    assert engine.answer("do rockets fly").reason == "too_close"
    assert engine.answer("per the essay, do rockets fly?").fact_id == "essay-rockets"
    assert engine.answer("do rockets fly, according to the blog?").fact_id == "blog-rockets"
    assert "source" in next(p for p in engine.rank("per the essay, do rockets fly?") if p.fact_id == "blog-rockets").penalties


def test_a_phrasal_verb_with_its_object_in_the_middle_is_still_the_phrase(engine: Engine) -> None:
    assert engine._words("would they hold it back") == engine._words("would they hold back")
    assert engine.answer("would zuck hold them back if models got dangerous").fact_id == "holding-back-unsafe-models"


@pytest.mark.parametrize(
    ("word", "slip"),
    [
        ("anythign", True),  # two letters swapped
        ("somthing", True),  # one left out
        ("betweeen", True),  # one doubled
        ("somethinh", True),  # a key beside the right one
        ("daring", False),  # "during" with a letter changed that is no neighbour: a word
        ("mighty", False),  # "might" with a letter added: a word
        ("cooking", False),  # a letter from chat filler ("looking"): a word
    ],
)
def test_what_a_slip_of_a_function_word_looks_like(word: str, slip: bool) -> None:
    assert _slip_of_a_function_word(word) is slip


def test_a_long_slip_of_a_function_word_asks_about_nothing(engine: Engine) -> None:
    right = engine.answer("did LeCun say anything about India?")
    slipped = engine.answer("did LeCun say anythign about India?")
    assert right.fact_id == slipped.fact_id == "linguistic-diversity-india"
    assert engine._analyze("did LeCun say anythign about India").asked_total == 0
    # A short one may be a word of its own ("event" is a letter from "even"): it still counts.
    assert engine._analyze("did LeCun say abot India").asked_total > 0


@pytest.mark.parametrize(
    "question",
    [
        "what did LeCun say about cooking?",  # a letter from "looking"
        "what does Zuckerberg think about sports?",  # from "sorts"
        "what did Altman say about the hearings?",  # from "hearing"
        "what is Alexandr Wang's stance on sports?",
        "did LeCun talk about cooking?",
    ],
)
def test_a_word_of_its_own_a_letter_from_chat_filler_is_still_asked_about(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


def test_a_slip_of_a_function_word_is_not_corrected_into_a_content_word(engine: Engine) -> None:
    # "acording" is one letter from "according" and two from the base's "avoiding".
    assert engine.canon("avoiding") not in engine._analyze("acording to zuckerberg").terms
    # Nearer a base word than any function word, a slip is still corrected.
    assert engine.canon("models") in engine._analyze("open modles").terms


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("when will llama 4 be released?", "when"),
        # A date of a release or launch asks when, however it is asked for.
        ("is there a release date for Llama 4?", "when"),
        ("any launch date for llama 4 yet?", "when"),
        ("how many GPUs has meta got?", "count"),
        ("which cloud companies offer llama 2?", "kind"),
        ("who wrote the Zuckerberg essay?", "who"),
        ("how do I fine-tune llama?", "howto"),
        ("how i can fine tune llama?", "howto"),  # "how can I" in another language's order
        # The fact says "a small percentage" and "billions": an amount, but no share of a whole.
        ("what percentage efficiency gain would save meta billions?", "percent"),
    ],
)
def test_a_clear_subject_asked_for_a_detail_its_fact_lacks_says_so(engine: Engine, question: str, detail: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == f"not_given:{detail}"
    assert answer.suggestions


def test_a_share_is_given_by_a_fact_whose_answer_has_one(engine: Engine) -> None:
    assert engine.answer("what exact percentage of Scale AI does Meta own?").fact_id == "scale-ai-stake"
    # "How many percent" asks a share, as "what percentage" does, not a count of something.
    assert engine.answer("how many percent of Scale AI belongs to Meta?").fact_id == "scale-ai-stake"
    assert engine.answer("what percentage of organizations think open source AI is cheaper?").fact_id == "linux-foundation-study"
    assert engine.answer("by what percentage has Llama grown since 2023?").fact_id == "llama-tenfold-growth"  # tenfold


@pytest.mark.parametrize(
    "question", ["what percentage of Meta's AI is open source?", "what percentage of AI models are open source?"]
)
def test_asking_for_a_share_rules_a_fact_out_but_never_rules_another_in(engine: Engine, question: str) -> None:
    # Only a few facts give a share (the 49% stake, two thirds of organizations, tenfold);
    # that does not make one of them the answer to a question about something else.
    assert not engine.answer(question).answered


def test_the_fact_an_abstention_says_lacks_the_detail_is_suggested_first(engine: Engine) -> None:
    # Cut for giving no price, the Scale AI stake ranks below the fact on Meta's investments,
    # but it is the fact the question is about, and the one "the closest fact I have" means.
    question = "How much did Meta pay for its 49% of Scale AI?"
    answer = engine.answer(question)
    assert answer.reason == "not_given:currency"  # how much was paid: an amount
    assert [p.fact_id for p in engine.rank(question)][:2] == ["ai-leadership-pursuit", "scale-ai-stake"]
    assert answer.suggestions[0].fact_id == "scale-ai-stake"


def test_how_much_was_paid_asks_an_amount_that_cheaper_does_not_give(engine: Engine) -> None:
    # The study's fact says open models are "cheaper" and has a phrasing asking whether Meta
    # paid for it: neither gives what Meta paid.
    answer = engine.answer("how much did the linux foundation study cost?")
    assert answer.reason == "not_given:currency"
    assert answer.suggestions[0].fact_id == "linux-foundation-study"
    assert engine.answer("Did Meta pay for the Linux Foundation study?").fact_id == "linux-foundation-study"
    assert "currency" not in question_reading.question_types(question_reading.words("did meta pay for the study"))


@pytest.mark.parametrize(
    "question",
    [
        "How does India fit in LeCun's proposal?",
        "why did the LeCun piece bring India up?",
        "why is India brought up in the article on LeCun?",
    ],
)
def test_a_light_verb_the_fact_lacks_is_not_asked_about_its_names(plain_engine: Engine, question: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == "linguistic-diversity-india"


def test_a_light_verb_counts_where_the_fact_has_it_and_a_synonym_of_one_is_no_light_verb(engine: Engine) -> None:
    # "deliver" is read as "bring", but written out it asks what is delivered.
    assert engine._analyze("what is llama 4 supposed to deliver?").light == frozenset()
    assert engine._analyze("why bring it up").light == {engine.canon("bring")}
    assert engine.answer("pytorch and open compute: why did zuckerberg bring them up?").fact_id == "pytorch-open-compute"


def test_an_unclear_question_is_not_said_to_ask_for_a_missing_detail(engine: Engine) -> None:
    assert engine.answer("when is the next company offsite?").reason in {"low_score", "too_close"}


def test_speaking_is_saying_not_a_word_of_the_summit_fact(engine: Engine) -> None:
    assert engine.answer("What has LeCun spoken about regulation?").fact_id == "lecun-careful-regulation"


def test_polite_forms_of_address_ask_nothing(engine: Engine) -> None:
    """"Kindly" and "dear" are manners ("could you kindly tell me"), not kindness asked about."""
    question = "Dear bot, could you kindly tell me how large Meta's stake in Scale AI is?"
    assert engine.answer(question).fact_id == "scale-ai-stake"
    assert engine.answer("is Meta open-sourcing out of kindness?").fact_id == "strategic-not-philanthropic"


def test_ending_up_before_what_happened_says_only_that_it_did(engine: Engine) -> None:
    """"Did Meta end up buying" asks whether it bought, not of an end; "what would we end up
    with" asks for the result, which "end" still helps to find."""
    assert "end" not in engine._analyze("what share of Scale AI did Meta end up buying?").terms
    assert "end" not in engine._analyze("could open models end up more secure?").terms
    assert "end" in engine._analyze("what would LeCun's global model end up with?").terms
    assert "end" in engine._analyze("so where does it all end up?").terms


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what was LeCun saying at the AI Action Summit?", "lecun-ai-action-summit"),
        ("is Altman arguing for international oversight?", "altman-international-oversight"),
    ],
)
def test_saying_as_it_goes_on_is_saying(engine: Engine, question: str, expected: str) -> None:
    """"Saying" asks somebody's words as "say" does, not for a fact with the word "say" in it."""
    assert engine._analyze(question).speakers
    assert engine.answer(question).fact_id == expected


def test_the_name_of_a_thing_needs_a_fact_that_speaks_of_that_thing(engine: Engine) -> None:
    assert question_reading.name_asked_for("whats the name of the license".split()) == ["license"]
    assert question_reading.name_asked_for("the name of the cloud provider".split()) == []  # a known kind
    parts = next(p for p in engine.rank("tell me the name of the license for llama 3.1") if p.fact_id == "llama-3-1")
    assert "question_type" in parts.penalties
    assert engine.answer("what is the name of the summit where lecun spoke?").fact_id == "lecun-ai-action-summit"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what city hosted the summit?", {"where"}),
        ("what's the release date of llama 4?", {"when"}),
        ("what could a country like india bring?", set()),
        ("what would a year of open source cost?", {"money"}),  # a cost, not a time
        ("can companies put llama 2 in paid products?", set()),  # a kind of product, not a payment
        ("how much was paid for the stake?", {"number", "money", "currency"}),
        ("what exact percentage of scale ai does meta own?", {"number", "percent"}),
        ("what share of orgs cite cost savings?", {"number", "percent"}),  # a proportion, as "what percentage"
        ("what percentage cite cost savings?", {"number", "percent"}),  # a share of them, no amount of money
        ("what precise size is the stake?", {"number"}),
        ("how many percent of scale ai does meta own?", {"number", "percent"}),  # a share, not a count
        ("how i submit my expenses", {"howto"}),
        ("how i was told about llama", set()),
        ("when devs improve the models, does meta benefit?", set()),  # a clause, then yes or no
        ("when meta releases llama 4 will it be open?", {"future"}),
        ("when llama 4 will be released?", {"when", "future"}),  # the subject first, as some write it
        ("what time is the all-hands?", {"when"}),
        ("how old is alexandr wang", {"age"}),
        ("how old was zuck when meta released llama 2?", {"age"}),
    ],
)
def test_a_place_time_or_share_is_asked_for_only_right_after_the_question_word(question: str, asks: set[str]) -> None:
    assert question_reading.question_types(question_reading.words(question)) == asks


def test_two_questions_that_match_a_third_fact_as_a_whole_get_the_clearer_of_the_two(plain_engine: Engine) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    # As a whole, "LeCun" and "Altman" together match Altman's remarks that mention LeCun.
    question = "who is Yann LeCun and who is Sam Altman?"
    assert engine._decide(question, engine._analyze(question)).fact_id == "altman-international-oversight"
    answer = engine.answer(question)
    assert answer.fact_id in {"who-is-yann-lecun", "who-is-sam-altman"} and answer.matched_part
    # A fact that answers the message whole, and one of its questions, is kept.
    whole = engine.answer("why are people doubtful about Meta going open source, and what are they hoping for?")
    assert whole.fact_id == "skepticism-and-hope" and whole.matched_part is None
    # So is one that answers both questions, each of which names somebody.
    both = engine.answer("what does LeCun think about regulation and what does Altman think?")
    assert both.fact_id == "regulation-views" and both.matched_part is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Can you help? Who is Yann LeCun?", "who-is-yann-lecun"),  # "help" is not a word of the question
        ("Hi there, thanks. How much of Scale AI does Meta own?", "scale-ai-stake"),
    ],
)
def test_a_plea_for_help_beside_a_question_is_not_part_of_it(engine: Engine, message: str, expected: str) -> None:
    answer = engine.answer(message)
    assert answer.fact_id == expected and answer.question == message
    # A piece of question words alone is a question: the date is still what is asked.
    assert engine.answer("Llama 4: when?").reason == "not_given:when"


def test_the_engine_reads_a_bounded_part_of_any_question(engine: Engine) -> None:
    """The surfaces refuse questions over 500 characters; a caller that does not still gets
    an answer read from the first MAX_READ_CHARS characters, not seconds of work."""
    question = "How much of Scale AI does Meta own? " + "x" * 100_000
    answer = engine.answer(question)
    assert answer.fact_id == "scale-ai-stake" and len(answer.question) == MAX_READ_CHARS
    assert engine.complete(question)[0].fact_id == "scale-ai-stake"
    assert engine.rank(question)[0].fact_id == "scale-ai-stake"


def test_a_long_run_of_single_letters_is_read_in_one_pass(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters no word is made of are passed over as a run, not looked at again from each of
    its letters (which made a message of a thousand letters take ten times as long)."""
    found = list("abcdefghij" * 100)
    joined = []
    name_of_joined = engine._name_of_joined
    monkeypatch.setattr(engine, "_name_of_joined", lambda text: joined.append(text) or name_of_joined(text))
    assert engine._spelt_out(["so", *found, "ok"]) == ["so", *found, "ok"]
    assert len(joined) <= 1


def test_a_question_saying_say_again_and_again_is_read_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Who speaks of whom is found in one pass over the question's words: each of hundreds of
    "say"s before the speaker was a read of every word before it (a tenth of a second)."""
    question = "what did " + "say " * ((MAX_READ_CHARS - 40) // 4) + "LeCun say about Meta"
    looked_up = []
    entities_in = engine._entities_in
    monkeypatch.setattr(engine, "_entities_in", lambda terms: looked_up.append(terms) or entities_in(terms))
    query = engine._analyze(question)
    assert query.speakers == {"yann lecun"} and query.spoken_of == {"meta"}
    assert len(looked_up) < 2 * len(question.split())


def test_a_name_from_outside_said_in_passing_does_not_hide_the_question_beside_it(engine: Engine) -> None:
    answer = engine.answer("How much of Scale AI does Meta own? a friend on Twitter asked me")
    assert answer.fact_id == "scale-ai-stake" and answer.matched_part == "How much of Scale AI does Meta own?"
    # Asked of the outside name itself, it is still "my sources say nothing about ...".
    assert engine.answer("What does Microsoft think of Llama?").reason == "unknown_entity:Microsoft"


def test_related_facts_close_together_are_not_a_conflict() -> None:
    base = _tiny_base(
        [
            _fact("red-cost", "What is the red team cost?", ["red team cost"], related=["red-size"]),
            _fact("red-size", "What is the red team size?", ["red team size"]),
        ]
    )
    assert Engine(base).answer("red team").answered


def test_a_why_question_goes_to_the_fact_that_says_why_among_facts_sharing_its_words() -> None:
    base = _tiny_base(
        [
            _fact("open-claim", "Are Acme's models really open?", ["acme models open"]),
            _fact("open-reason", "What drives Acme to open its models?", ["Why does Acme open its models?"]),
        ]
    )
    engine = Engine(base)
    assert engine.answer("why are acme's models open").fact_id == "open-reason"
    assert not any("why" in p.penalties for p in engine.rank("are acme's models open"))
    assert "why" in next(p for p in engine.rank("how come acme's models are open") if p.fact_id == "open-claim").penalties


def test_thresholds_come_from_configuration(fact_base: FactBase) -> None:
    strict = Engine(fact_base, thresholds=Settings(bot_min_score=0.99).thresholds())
    assert strict.thresholds.min_score == 0.99
    assert not strict.answer("does meta buy lots of gpus for its models").answered
    assert Engine(fact_base, thresholds=Thresholds(min_score=0.1)).answer("does meta buy lots of gpus for its models").answered


def test_autocomplete_returns_at_most_the_limit_best_first(engine: Engine) -> None:
    choices = engine.complete("how much of sca", limit=25)
    assert 0 < len(choices) <= 25
    assert choices[0].fact_id == "scale-ai-stake"
    assert engine.complete("", limit=10) and len(engine.complete("", limit=10)) == 10
    assert engine.complete("llam")[0].fact_id.startswith("llama")


def test_answer_fact_and_related(engine: Engine) -> None:
    answer = engine.answer_fact("llama-versions")
    assert answer is not None and answer.answered and len(answer.quotes) >= 3
    assert engine.answer_fact("nope") is None
    related_ids = [r.fact_id for r in engine.related("llama-4")]
    assert related_ids and "llama-4" not in related_ids


def test_rank_explains_the_score_parts(engine: Engine) -> None:
    best = engine.rank("How much of Scale AI does Meta own?")[0]
    assert best.fact_id == "scale-ai-stake"
    assert 0 < best.coverage <= 1 and 0 < best.phrasing <= 1 and 0 < best.fuzzy <= 1
    assert best.matched_phrasing


def _answering(fact_id: str, question: str, alternates: list[str], answer: str, **extra: object) -> Fact:
    return _fact(fact_id, question, alternates).model_copy(update={"answer": answer, **extra})


def _gpu_base(*facts: Fact) -> Engine:
    return Engine(_tiny_base(list(facts)))


SPENDING = _answering(
    "acme-gpu-spending",
    "How much does Acme spend on GPUs?",
    ["acme gpu spending", "Does Acme buy lots of GPUs?"],
    "Acme spends billions in GPUs every year.",
)


def test_how_many_asks_for_a_count_of_that_thing_not_any_number() -> None:
    engine = _gpu_base(SPENDING)
    assert engine.answer("Does Acme buy lots of GPUs?").answered
    count = engine.answer("How many GPUs does Acme buy?")
    assert not count.answered
    assert "question_type" in engine.rank("How many GPUs does Acme buy?")[0].penalties


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("what is the release date of llama 4", {"when"}),
        ("what was the sample size of the survey?", {"count"}),  # how many were asked
        ("whats the size of the stake", {"number"}),
        ("what is the example of india", set()),
    ],
)
def test_a_noun_asking_a_time_or_a_number_is_read_past_is_or_was(question: str, asked: set[str]) -> None:
    assert question_reading.question_types(words(question)) & {"when", "number", "count"} == asked


@pytest.mark.parametrize("question", ["exact number of GPUs Acme bought?", "what's the number of GPUs at Acme"])
def test_the_number_of_a_thing_asks_for_a_count_as_how_many_does(question: str) -> None:
    engine = _gpu_base(SPENDING)
    assert not engine.answer(question).answered
    assert "question_type" in engine.rank(question)[0].penalties


def test_a_number_of_things_are_several_not_a_count_asked_for() -> None:
    engine = _gpu_base(SPENDING)
    assert engine.answer("does Acme buy a number of GPUs?").answered
    assert "count" not in question_reading.question_types(words("a number of companies use llama, which ones?"))


def test_a_fact_that_counts_the_thing_answers_how_many() -> None:
    fleet = _answering(
        "acme-gpu-fleet", "How big is Acme's GPU fleet?", ["acme gpu fleet"], "Acme runs 350,000 GPUs in its data centres."
    )
    engine = _gpu_base(SPENDING, fleet)
    answer = engine.answer("how many GPUs does acme run")
    assert answer.answered and answer.fact_id == "acme-gpu-fleet"


def test_a_number_that_opens_a_list_counts_the_plural_before_it() -> None:
    assert question_reading.counted_in("The study weighs key risks, and names three: cost, speed and scale.") == ["risks"]
    assert question_reading.counted_in("It lists two: cost and speed.") == []  # no plural before the list
    listing = _answering(
        "acme-risks", "What risks does Acme's study weigh?", ["acme study risks"],
        "Acme's study weighs key risks, and names three: cost, speed and scale.",
    )
    engine = _gpu_base(SPENDING, listing)
    assert engine.answer("how many risks does acme's study name?").fact_id == "acme-risks"
    assert not engine.answer("how many GPUs does acme's study name?").answered


def test_a_how_many_phrasing_vouches_for_its_count() -> None:
    versions = _answering(
        "zeta-versions",
        "Which Zeta versions are there?",
        ["How many versions of Zeta are there?", "zeta versions"],
        "Zeta 1, Zeta 2 and Zeta 3.",
    )
    engine = _gpu_base(versions)
    assert engine.answer("how many zeta versions exist").fact_id == "zeta-versions"


def test_when_questions_need_a_fact_with_a_date() -> None:
    undated = _answering("acme-launch", "Did Acme launch Zeta?", ["acme zeta launch"], "Acme launched Zeta.")
    assert not _gpu_base(undated).answer("When did Acme launch Zeta?").answered
    dated = undated.model_copy(update={"date": "2024-07-23"})
    assert _gpu_base(dated).answer("When did Acme launch Zeta?").answered


def test_an_amount_in_dollars_needs_a_fact_that_gives_one_not_just_cheaper() -> None:
    cheaper = _answering(
        "acme-savings", "Does Acme save money with Zeta?", ["acme zeta savings"], "Zeta is cheaper for Acme to run."
    )
    assert _gpu_base(cheaper).answer("Does Acme save money with Zeta?").answered
    assert not _gpu_base(cheaper).answer("What does Zeta save Acme in dollars?").answered
    priced = cheaper.model_copy(update={"answer": "Zeta saves Acme millions of dollars a year."})
    assert _gpu_base(priced).answer("What does Zeta save Acme in dollars?").answered


def test_a_phrasing_that_is_exactly_the_question_wins_among_many_facts_sharing_its_words() -> None:
    """Seventy facts know "acme widget" among other words; the one phrased just so must not
    be cut from the candidates for coming last in the base."""
    crowd = [_fact(f"acme-{i:02d}", f"What about acme widget part {i}?", [f"acme widget extra{i} bits"]) for i in range(70)]
    exact = _fact("acme-widget", "Tell me about the acme widget", ["acme widget"])
    answer = Engine(_tiny_base([*crowd, exact])).answer("acme widget?")
    assert answer.fact_id == "acme-widget"


def test_every_phrasing_of_the_real_base_finds_its_own_fact_among_the_candidates(
    engine: Engine, fact_base: FactBase
) -> None:
    lost = [
        (fact.id, phrasing)
        for fact in fact_base.facts.values()
        for phrasing in fact.phrasings
        if fact.id not in {parts.fact_id for parts in engine.rank(phrasing)}
    ]
    assert not lost


def test_which_companies_needs_a_fact_that_names_a_company(engine: Engine) -> None:
    question = "Which cloud companies host Llama 2?"
    assert not engine.answer(question).answered
    parts = next(p for p in engine.rank(question) if p.fact_id == "llama-2-commercial")
    assert "question_type" in parts.penalties


@pytest.mark.parametrize("institutions", ["banks", "hospitals", "universities", "government agencies"])
def test_which_banks_or_hospitals_is_not_answered_by_a_fact_that_names_companies(
    engine: Engine, institutions: str
) -> None:
    # The Gemma and GPT fact names Google and OpenAI: companies, not banks or hospitals.
    question = f"Which {institutions} use Gemma and GPT?"
    parts = next(p for p in engine.rank(question) if p.fact_id == "gemma-and-gpt")
    assert "question_type" in parts.penalties
    assert "question_type" not in next(
        p for p in engine.rank("Which companies make Gemma and GPT?") if p.fact_id == "gemma-and-gpt"
    ).penalties


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What tools did Zuckerberg point to as earlier open source wins?", "pytorch-open-compute"),
        ("Which Llama version did Zuckerberg announce?", "llama-3-1"),
        ("Which industries could LeCun's global model change?", "global-model-use-cases"),
    ],
)
def test_a_fact_that_names_the_kind_asked_for_still_answers(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_what_somebody_said_needs_a_fact_where_they_speak(engine: Engine) -> None:
    """The All-In fact mentions LeCun (Altman "voiced similar concerns"), but LeCun did not speak there."""
    question = "What did LeCun argue on the All-In podcast?"
    parts = next(p for p in engine.rank(question) if p.fact_id == "altman-international-oversight")
    assert "entity" in parts.penalties
    assert not engine.answer(question).answered
    assert engine.answer("What did Altman say on All-In?").fact_id == "altman-international-oversight"
    assert engine.answer("what did zuck say about developers").fact_id == "developers-benefit"


def test_who_wrote_asks_for_a_person_the_fact_names(engine: Engine) -> None:
    assert not engine.answer("who wrote the gizmodo line about meta models that suck?").answered
    assert engine.answer("Who wrote the essay about open source being necessary?").fact_id == "open-source-necessary"


@pytest.mark.parametrize(
    "question",
    [
        "Who from OpenUK spoke about open washing?",
        "What's the launch date of Llama 4?",
        "Which hospitals rely on Meta's life-saving clinical tools?",
    ],
)
def test_a_detail_the_facts_do_not_give_is_not_answered(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


def test_asking_what_the_bot_can_answer_gets_the_help(engine: Engine) -> None:
    assert engine.answer("which questions can you answer").status == "help"


@pytest.mark.parametrize("question", ["what is meta", "models", "benefits"])
def test_one_word_most_facts_share_is_too_broad_to_answer(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.status == "abstained" and answer.reason == "too_broad"
    assert len(answer.suggestions) == 3


def test_a_one_word_topic_that_names_facts_is_still_answered(engine: Engine) -> None:
    assert engine.answer("regulation").answered
    assert engine.answer("pytorch").fact_id == "pytorch-open-compute"


# -- hostile and unusual input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "names", "owned"),
    [
        ("Who is Bob? Then Alice. and Carol\nDave said: Eve; Frank", {"alice", "bob", "carol"}, set()),
        ("what's Zuckerberg's plan and Wang's salary?", {"zuckerberg", "wang"}, {"plan", "salary"}),
        ("is meta's.llama's x ok", set(), {"x"}),
        ("a's's stake", set(), set()),
        ("How much did OpenAI's CEO's firm pay?", {"openai", "ceo"}, {"ceo", "firm"}),
        ("What Is The Gist Of Open Washing", set(), set()),  # title case: every word has a capital
        ("WHAT DID LECUN SAY", set(), set()),
        ("Who Is Bob?", set(), set()),  # its small word is capitalised too
        ("Did Databricks buy Scale AI?", {"databricks", "scale", "ai"}, set()),  # names alone are not title case
        ("What's Zuckerberg's title at Meta?", {"zuckerberg", "meta"}, {"title"}),  # an owner right after "what's"
    ],
)
def test_names_and_possessives_are_read_as_written(question: str, names: set[str], owned: set[str]) -> None:
    assert question_reading.capitalised(question) == names
    assert question_reading.owned(question) == owned


@pytest.mark.parametrize(
    "noise",
    [
        "." * 100_000 + "'",  # one run of dots: a possessive's owner, were it followed by 's
        "a." * 50_000 + "'x",
        "\u2026" * 50_000 + "'",  # an ellipsis is read as three dots
        ". " * 100_000,  # sentence ends with no sentence after them
        "\n;" * 100_000,
    ],
)
def test_a_long_run_without_a_break_is_read_in_one_pass(engine: Engine, noise: str) -> None:
    """Possessives and sentence starts are found in one pass, not by trying every character of a
    run as the start of one: a message of a few hundred thousand such characters is read at once."""
    question = "Who is Alexandr Wang? " + noise
    assert engine.answer(question).fact_id == "alexandr-wang"
    assert question_reading.owned(noise + " Wang's salary") == {"salary"}
    assert question_reading.capitalised("Who is Bob? " + noise) == {"bob"}


def test_a_message_of_many_questions_is_read_for_its_first_few_once_each(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = "Facebook. " + " ".join(f"is ai {i} open?" for i in range(60))
    read: list[str] = []
    decide = engine._decide
    monkeypatch.setattr(engine, "_decide", lambda question, query: read.append(question) or decide(question, query))
    engine.answer(message)
    # The message, as written and with the current name, and its first parts, each once.
    assert len(read) == len(set(read)) <= 2 + MAX_PARTS
    assert read[1:3] == ["is ai 0 open?", "is ai 1 open?"]


def test_a_clear_first_question_still_answers_a_message_of_many(engine: Engine) -> None:
    message = "how much of Scale AI does Meta own? " + " ".join(f"is it {i}?" for i in range(60))
    answer = engine.answer(message)
    assert answer.fact_id == "scale-ai-stake" and answer.matched_part == "how much of Scale AI does Meta own?"


def test_an_unknown_word_repeated_is_looked_up_once(fact_base: FactBase, monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    extract_one = process.extractOne

    def counting(query: str, *args: object, **kwargs: object) -> object:
        searched.append(query)
        return extract_one(query, *args, **kwargs)

    monkeypatch.setattr(process, "extractOne", counting)
    Engine(fact_base).answer("qwertyuiop")
    once = len(searched)
    searched.clear()
    Engine(fact_base).answer("qwertyuiop " * 40)
    assert once and len(searched) == once


def test_made_up_words_do_not_pile_up_in_the_engine(fact_base: FactBase) -> None:
    engine = Engine(fact_base)
    known = {w: engine.canon(w) for w in ["models", "released", "llamas"]}
    indexed = len(engine._canon_cache)
    made_up = ["".join(letters) for letters in itertools.islice(itertools.product("bcdfghjkmn", repeat=6), 25_000)]
    for word in made_up:
        engine.canon(word)
    for word in made_up[: CORRECTIONS_KEPT + 100]:
        engine._correct(word)
    assert len(engine._canon_cache) <= indexed + CANON_CACHE_LIMIT
    assert len(engine._corrections) <= CORRECTIONS_KEPT
    assert {w: engine.canon(w) for w in known} == known
    assert engine.canon(made_up[-1]) == stem(made_up[-1])


def test_scores_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Sets iterate in an order that changes with each run; no score may follow it, down to the
    last bit of a float (which can pick one of two phrasings that tie)."""
    script = (
        "from bot.engine import Engine\n"
        "from bot.knowledge import default_knowledge_dir, load_fact_base\n"
        "engine = Engine(load_fact_base(default_knowledge_dir()))\n"
        "for q in ['remind me, what size stake did Meta end up taking in Scale AI?', 'problems needs health',\n"
        "          'did the frobnicator quibble about zorblax and wibbles in Llama?']:\n"
        "    print(repr([(p.fact_id, p.score, p.coverage, p.phrasing, p.matched_phrasing) for p in engine.rank(q)]))\n"
    )
    root = Path(__file__).resolve().parent.parent
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1


@pytest.mark.parametrize(
    "question",
    [
        "what do you know about meta's open source ai?",
        "good morning, is this the bot for the Meta open-source stuff?",
        "are you the meta ai bot?",
        "tell me about meta and open source",
    ],
)
def test_asked_what_it_knows_of_its_whole_subject_the_bot_shows_the_topics(engine: Engine, question: str) -> None:
    assert engine.answer(question).status == "help"


@pytest.mark.parametrize(
    "question", ["tell me about llama", "can you tell me how open source benefits meta?", "is meta open source?"]
)
def test_a_narrower_subject_put_to_the_bot_is_no_plea_for_help(engine: Engine, question: str) -> None:
    assert engine.answer(question).status != "help"
    assert engine.answer("tell me about llama").fact_id == "llama-family"


def test_what_a_which_question_sets_apart_is_not_what_it_asks_for() -> None:
    # "which groups besides tech companies" asks for groups, not for companies.
    assert question_reading.instances_asked("which groups besides tech companies could use it".split())[0] == ["groups"]
    assert question_reading.instances_asked("which firms except google use llama".split())[0] == ["firms"]


@pytest.mark.parametrize(
    "question",
    [
        # The fact speaks of bugs, languages, components: it names none of them.
        "Which bugs did the community find in Meta's models?",
        "Which languages does Llama support?",
        "Which components of the new models will stay proprietary?",
        # Nor pests, which the fact never mentions.
        "Which pests has Llama helped detect?",
        # "critics from OpenUK" names the critics' organisation, which the question names itself.
        "Name the OpenUK critic who warned about open washing.",
    ],
)
def test_asking_which_ones_needs_a_fact_that_names_some(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:kind"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Which Google models show selective openness?", "gemma-and-gpt"),  # "its Gemma models"
        ("Which OpenAI model series is kept closed source?", "gemma-and-gpt"),  # "the GPT series"
        ("Which rivals did Zuckerberg's essay implicitly challenge?", "zuckerberg-essay-argument"),  # "such as"
        ("Which AI giants do smaller players lack the resources of?", "smaller-players-calculated-risk"),  # "like"
        ("Which summit did LeCun speak at?", "lecun-ai-action-summit"),  # a name's own word
        # The noun is asked of, not the word saying which one: "recent event" asks an event.
        ("At which recent event did LeCun call for a shared model?", "lecun-ai-action-summit"),
        # A release of the name asked of: "Llama 2" is a Llama version.
        ("which llama release went commercial through the cloud partners?", "llama-2-commercial"),
        # A field is named by a word ("healthcare"), not beside the word "field".
        ("In which field has Meta's open-source AI been used for life-saving tools?", "healthcare-clinical-tools"),
        # "Name the apps" asks for products as "which apps" does.
        ("Name the Meta apps where Llama models are refined for internal use.", "llama-internal-use"),
        # Which of the courses one could take is answered by a description, not by names.
        ("Which approach does Meta favour?", "meta-open-source-proponent"),
    ],
)
def test_a_fact_that_names_the_ones_asked_for_answers_which(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # The fact speaks of the role and names its holder right after it, with no comma.
        ("Who is the Chief AI Officer at Meta?", "alexandr-wang"),
        ("Who was the AI chief under whom Meta prepares new models?", "alexandr-wang"),
        # The title's first word is not what names the person.
        ("Who was the Chief AI Scientist that proposed a global model?", "lecun-collective-model"),
    ],
)
def test_a_fact_naming_whoever_holds_the_role_asked_answers_who(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        # A role the fact speaks of only in part ("Chief ... Officer"), or never.
        "Who is the Chief Technology Officer of Meta?",
        "Who was the developer that found bugs in Llama?",
    ],
)
def test_a_fact_naming_a_person_in_another_role_does_not_answer_who(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:who"


def test_a_marker_after_an_aside_in_brackets_still_names_instances(engine: Engine) -> None:
    text = "closed-source developers (and Meta competitors) like OpenAI and Google."
    assert dict(question_reading.nouns_named(text))["developers"] == ()
    question = "Which closed-source developers did Zuckerberg take aim at?"
    assert engine.answer(question).fact_id == "zuckerberg-essay-argument"


def test_the_nouns_a_text_names_instances_of() -> None:
    text = "Google's approach shows in its Gemma models. Its rivals such as OpenAI differ."
    named = dict(question_reading.nouns_named(text))
    assert named["models"] == ("gemma",) and named["rivals"] == ()
    # Only mentioned: a noun after a comma and no name, or a name at a sentence's start.
    mentioned = question_reading.nouns_named("Open models may aid competitors, who can adopt them.")
    assert "competitors" not in dict(mentioned)
    assert "data" not in dict(question_reading.nouns_named("Meta shares data. Pooling data helps."))
    # An apposition, and a name the noun is of.
    apposition = dict(question_reading.nouns_named("As Sam Altman, CEO of OpenAI, said."))
    assert set(apposition["ceo"]) == {"altman", "sam", "openai"}


@pytest.mark.parametrize(
    ("question", "run", "who"),
    [
        ("which crop yield reducers did farmers find", ["crop", "yield", "reducers"], False),
        ("can you name the critics", ["critics"], False),
        ("who was the critic that said so", ["critic"], True),
        ("which one is right", [], False),  # which of several, not instances
        ("what reduces crop yields", [], False),  # "what" asks them only when read loosely
        # a verb ends the noun ("which llamas *exist*") or shows none is asked ("which *came* first")
        ("which llamas exist", ["llamas"], False),
        ("which came first llama 3.1 or llama 4", [], False),
        ("developers which want to contribute", [], False),
        ("which role has llama in the strategy", [], False),  # a role is told, not named
    ],
)
def test_what_a_question_asks_the_instances_of(question: str, run: list[str], who: bool) -> None:
    assert question_reading.instances_asked(question.split()) == (run, who)


def test_a_phrasing_asking_what_ones_vouches_that_its_fact_names_them() -> None:
    assert question_reading.instances_asked("what crops did farmers check".split(), loose=True)[0] == ["crops"]
    # the points a text makes are told, not named: "what risks did Altman warn about"
    assert question_reading.instances_asked("what risks did altman warn about".split(), loose=True)[0] == []
    # "what reduces crop yields" asks with a verb, not for instances.
    assert question_reading.instances_asked("what reduces crop yields".split(), loose=True)[0] == []


def test_what_came_before_a_numbered_version_asks_for_the_one_ahead_in_a_series(engine: Engine) -> None:
    # Not someone's past: a fact listing the versions in order answers it.
    assert not question_reading.asks_before("what llama version came before llama 3.1".split())
    assert question_reading.asks_before("what did meta do before 2023".split())  # a year is a time
    assert engine.answer("What Llama version came before Llama 3.1?").fact_id == "llama-versions"


@pytest.mark.parametrize(
    "question",
    [
        "What did Yann LeCun do before Meta?",
        "Where did Sam Altman work before OpenAI?",
        "Who was Meta's Chief AI Officer prior to Wang?",
    ],
)
def test_asking_what_came_before_needs_a_fact_that_speaks_of_an_earlier_time(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:before"
    assert dont_know(answer) == f"{DONT_KNOW} The closest fact I have doesn't say what came before."


def test_what_came_before_is_answered_by_a_fact_that_speaks_of_it(engine: Engine) -> None:
    # "Historically, Meta ... kept its cutting-edge developments under wraps."
    question = "What did Meta do with its cutting-edge AI before it started open-sourcing?"
    assert engine.answer(question).fact_id == "historically-under-wraps"
    # A yes-or-no question asks whether, not what came before.
    assert "before" not in question_reading.question_types("has meta open sourced models before".split())


@pytest.mark.parametrize(
    "question",
    [
        "Will Meta buy the rest of Scale AI?",
        "will meta spend more on gpus in 2026",
        "will llama stay free",
    ],
)
def test_asking_what_will_happen_needs_a_fact_that_speaks_of_what_is_to_come(engine: Engine, question: str) -> None:
    # A stake held or a freedom developers have now says nothing of what comes next.
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:future"
    assert dont_know(answer) == f"{DONT_KNOW} The closest fact I have doesn't say what will happen."


def test_a_fact_that_speaks_of_what_is_to_come_still_answers_a_will_question(plain_engine: Engine) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer("Will Meta's open models attract developers who want to contribute?").fact_id == (
        "developer-community-contributions"
    )
    assert engine.answer("will devs actually contribute").fact_id == "developer-community-contributions"
    # Of two related facts within a tie, the one that speaks of what is to come answers: the
    # plan to open the new models, not why they are opened ("why" and "will" weigh nothing).
    assert engine.answer("will the new ai models by meta be open source").fact_id == "new-models-open-source-plan"
    assert engine.answer("is meta going to stop open sourcing").fact_id == "new-models-open-source-plan"
    assert "future" in question_reading.question_types("is meta going to stop open sourcing".split())
    assert "future" not in question_reading.question_types("is meta going open because it has to".split())


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("will a global open-source AI model build transparency and trust?", "transparency-and-trust"),
        ("Will the global model speed up innovation?", "innovation-acceleration"),
        ("will worldwide data make AI fairer?", "diversity-of-data"),
    ],
)
def test_a_will_question_matching_a_phrasing_that_asks_what_would_be_is_answered(
    engine: Engine, question: str, expected: str
) -> None:
    # "How would a global open-source AI model build transparency and trust?" asks what is to
    # come, though the fact's text says it as what does ("which fosters trust worldwide").
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "subject"),
    [("is llama 4 a failure", "failure"), ("did openuk sue meta", "sue"), ("is llama 4 delayed", "delayed")],
)
def test_asking_whether_a_name_is_what_no_fact_knows_is_not_answered_by_a_fact_of_that_name(
    engine: Engine, question: str, subject: str
) -> None:
    # Its known words only name whom it asks of: the fact of that name does not say whether.
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == f"unknown_subject:{subject}"


def test_asking_whether_there_is_something_or_in_shorthand_still_finds_the_fact(engine: Engine) -> None:
    assert engine.answer("Are there rumours about Llama 4?").fact_id == "llama-4"
    assert engine.answer("is llama in ig and whatsapp?").fact_id == "llama-internal-use"
    assert engine.answer("Is Llama 3.1 open source?").fact_id == "llama-3-1"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where did Sam Altman voice his concerns?", "altman-international-oversight"),
        ("hey, where did lecun make his pitch for a global model?", "lecun-ai-action-summit"),
    ],
)
def test_asking_where_something_was_said_is_answered_by_a_fact_that_says_where(
    plain_engine: Engine, question: str, expected: str
) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    # Who Altman is or what LeCun proposed does not say where; the All-In podcast and the AI
    # Action Summit do.
    assert engine.answer(question).fact_id == expected


def test_asking_where_something_was_said_is_not_answered_by_a_fact_that_does_not_say_where(
    engine: Engine,
) -> None:
    answer = engine.answer("where was altman when he warned about ai")
    assert not answer.answered and answer.reason == "not_given:where"


@pytest.mark.parametrize(
    "question",
    [
        "where does LeCun stand on regulation?",
        "where do LeCun, Altman and Zuck each land on regulating AI?",
        "in LeCun's plan, where would the data actually sit?",
        "where did the open washing term come from?",
        "where did it say companies must weigh open innovation against the risks?",  # in which text
        "where did the vendor lock-in argument appear?",
    ],
)
def test_where_asking_a_standing_or_a_part_asks_no_place(question: str) -> None:
    assert "where" not in question_reading.question_types(question_reading.words(question))


@pytest.mark.parametrize(
    "question",
    [
        "is lecun leaving",
        "is altman leaving openai",
        "is wang leaving meta",
        "is lecun retiring",
    ],
)
def test_a_yes_no_claim_matched_only_through_corrected_words_is_not_answered(engine: Engine, question: str) -> None:
    # "leaving" is read as "lead": the fact never makes the claim.
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("would zuck ever not relase a model cause its too dangerous", "holding-back-unsafe-models"),
        ("Is LeCun against regulation?", "lecun-careful-regulation"),
    ],
)
def test_a_yes_no_claim_with_a_word_spelt_as_the_base_spells_it_still_finds_the_fact(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected


def test_fine_is_a_word_of_its_own_outside_fine_tuning(engine: Engine) -> None:
    """"fine-tune" and "fine tuning" are one notion, so a fine a regulator hands out is not it."""
    assert engine.answer("Did the EU fine Meta over Llama?").status == "abstained"
    for question in ("can developers fine-tune Llama?", "can devs do fine tuning on llama"):
        assert engine.answer(question).fact_id == "llama-developer-freedom"


@pytest.mark.parametrize(
    "question", ["Can I run Llama 3.1 with Ollama?", "What did Karpathy say about Llama?", "What is Reality Labs working on?"]
)
def test_tools_and_people_of_the_field_the_sources_never_name_are_not_answered_for(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert answer.status == "abstained" and (answer.reason or "").startswith("unknown_entity:")


def test_questions_on_lines_of_their_own_are_not_read_as_one(engine: Engine) -> None:
    """Two questions on two lines get a fact that answers one of them, not one that half answers both."""
    assert engine.answer("who is lecun\nwho is altman").fact_id in {"who-is-yann-lecun", "who-is-sam-altman"}
    # A question broken over two lines is still one question.
    assert engine.answer("How much of Scale AI\ndoes Meta own?").fact_id == "scale-ai-stake"


def test_autocomplete_on_a_large_base_compares_only_what_the_index_finds_and_questions_begun(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COMPLETE_FUZZY_ALL_MAX facts, what was typed is not compared with every question:
    the facts the index finds are, and those whose question begins as typed."""
    from bot import engine as engine_module

    monkeypatch.setattr(engine_module, "COMPLETE_FUZZY_ALL_MAX", 0)
    compared: list[int] = []
    extract = engine_module.process.extract

    def counting(query: str, choices: list[str], **kwargs: object) -> object:
        compared.append(len(choices))
        return extract(query, choices, **kwargs)

    monkeypatch.setattr(engine_module.process, "extract", counting)
    assert engine.complete("how much of sca")[0].fact_id == "scale-ai-stake"
    # A question's own beginning, its last word half typed.
    question = engine.fact("who-is-yann-lecun").question
    assert engine.complete(question[:-3])[0].fact_id == "who-is-yann-lecun"
    assert compared and max(compared) < len(engine.base.facts) // 2


@pytest.mark.parametrize(
    ("question", "job"),
    [
        ("what does zuckerbreg do at meta?", True),
        ("remind me what Wang does at Meta", True),
        ("what does LeCun do about regulation?", False),
        ("what does Meta do with Llama?", False),
    ],
)
def test_what_a_person_does_asks_who_they_are(engine: Engine, question: str, job: bool) -> None:
    assert engine._analyze(question).who_is is job


def test_how_people_took_the_news_is_read_without_an_apostrophe(engine: Engine) -> None:
    assert engine.answer("how did ppl take metas open sourcing news").fact_id == "public-reactions"


@pytest.mark.parametrize(
    ("question", "not_read_as"),
    [
        ("who invented the transformer?", "invested"),
        ("should I buy stock?", "stack"),
        ("what is Altman scared of?", "shared"),
        ("is it set in stone?", "store"),
        ("Did Zuckerberg say regulation is unnecessary?", "necessary"),  # not its opposite
        ("what's the story here?", "store"),  # a last letter for another is no ending
        ("someone in the thread said so", "threat"),
        ("did the police say anything?", "policy"),
        ("pasta for lunch", "past"),  # nor a letter English never adds
    ],
)
def test_a_common_word_is_not_corrected_into_another_word_of_the_base(engine: Engine, question: str, not_read_as: str) -> None:
    assert engine.canon(not_read_as) not in engine._analyze(question).terms


@pytest.mark.parametrize(
    ("word", "read_as"),
    [
        ("organisations", "organizations"),  # the other spelling of English
        ("alexander", "alexandr"),  # a letter short of the end
        ("modles", "models"),  # no word at all
    ],
)
def test_a_word_is_still_corrected_into_the_same_word_written_otherwise(engine: Engine, word: str, read_as: str) -> None:
    assert engine.canon(engine._correct(word) or "") == engine.canon(read_as)


def test_a_common_word_differs_only_in_its_ending_from_its_own_forms() -> None:
    from bot.common_words import common_words, differs_only_in_ending

    assert {"stock", "scared", "invented", "organisations"} <= common_words()
    assert min(len(word) for word in common_words()) == 5  # shorter words are corrected by doubled letters only
    assert differs_only_in_ending("regulators", "regulatory")
    assert differs_only_in_ending("criticised", "criticized")
    assert not differs_only_in_ending("stock", "stack")
    assert not differs_only_in_ending("ahead", "head")
    assert not differs_only_in_ending("unnecessary", "necessary")
    assert differs_only_in_ending("announces", "announced")
    assert differs_only_in_ending("simple", "simply")
    assert differs_only_in_ending("speeds", "speed")
    assert not differs_only_in_ending("story", "store")
    assert not differs_only_in_ending("metal", "meta")
    assert not differs_only_in_ending("office", "officer")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("what are the llama 4 variants called", "any"),
        ("what's Samsung's AI model called now?", "product"),
        ("does LeCun's global model have a name yet", "product"),
        ("does the plan have a name", "any"),
        ("which model did the essay announce?", "product"),
        ("what are the names of Meta's upcoming open AI models?", "product"),
    ],
)
def test_asking_what_a_thing_is_called_asks_for_a_name(question: str, kind: str) -> None:
    assert question_reading.wants_kind(question_reading.words(question)) == kind


@pytest.mark.parametrize(
    "question",
    ["what is it called when a company says its model is open but it isn't", "what did Meta get called out for?"],
)
def test_called_in_the_middle_of_a_question_asks_no_name(question: str) -> None:
    assert question_reading.wants_kind(question_reading.words(question)) is None


def test_a_name_is_given_only_by_a_fact_naming_a_thing_the_question_does_not(engine: Engine) -> None:
    # Facts about Wang's team and LeCun's plan name no model: nothing says what it is called.
    assert not engine.answer("what are the new models Wang's team is preparing called?").answered
    assert not engine.answer("does LeCun's global model have a name yet?").answered
    assert not engine.answer("what's the name of the closed model Wang's lab is building?").answered
    assert engine.answer("which model did the ceo's essay announce?").fact_id == "llama-3-1"


def test_what_somebody_said_is_not_asked_by_a_phrasing_asking_who_they_are(engine: Engine) -> None:
    question = "what did meta's chief ai scientist propose"
    profile = next(p for p in engine.rank(question) if p.fact_id == "who-is-yann-lecun")
    assert "who_phrasing" in profile.penalties
    assert engine.answer(question).fact_id == "lecun-collective-model"
    assert engine.answer("who is meta's chief ai scientist?").fact_id == "who-is-yann-lecun"


def test_a_fact_holding_little_of_what_was_asked_is_not_the_answer_however_alike_the_wording(engine: Engine) -> None:
    question = "What percentage of Meta's revenue goes into AI R&D?"
    best = engine.rank(question)[0]
    assert best.fact_id == "scale-ai-stake" and best.score >= engine.thresholds.min_score
    assert best.coverage < engine.thresholds.min_coverage
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "low_score"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Zuckerberg's title?", "who-is-mark-zuckerberg"),
        ("what's Yann LeCun's job at Meta?", "who-is-yann-lecun"),
        # A post asked of a person the way other languages ask it.
        ("what job has Mark Zuckerberg at Meta?", "who-is-mark-zuckerberg"),
        ("which title does Alexandr Wang hold", "alexandr-wang"),
    ],
)
def test_a_persons_post_asks_who_they_are(engine: Engine, question: str, expected: str) -> None:
    assert engine._analyze(question).who_is
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Sam Altman, who is this person?", "who-is-sam-altman"),
        ("yann lecun who is he", "who-is-yann-lecun"),
        ("Alexandr Wang... who's that guy?", "alexandr-wang"),
        ("who is this LeCun person", "who-is-yann-lecun"),  # a word for a person after the name
        ("who's this wang guy?", "alexandr-wang"),
        ("who's altman, the guy quoted on oversight?", "who-is-sam-altman"),  # the rest says which Altman
        ("the one non-Meta exec quoted on oversight - who is Altman exactly?", "who-is-sam-altman"),
        ("new in support - who's Mark Zuckerberg exactly?", "who-is-mark-zuckerberg"),
    ],
)
def test_a_person_named_and_then_asked_about_asks_who_they_are(engine: Engine, question: str, expected: str) -> None:
    assert engine._analyze(question).who_is
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question", ["Meta, who is this?", "Altman, who is he talking to?", "LeCun's regulation view, who is this person?"]
)
def test_only_a_person_named_alone_before_who_is_this_is_asked_about(engine: Engine, question: str) -> None:
    assert not engine._analyze(question).who_is


def test_a_guy_is_chat_for_a_person_not_a_subject_of_its_own(engine: Engine) -> None:
    assert engine.answer("is sam altman the openai guy? what's his role").fact_id == "who-is-sam-altman"


def test_a_role_in_something_is_no_post(engine: Engine) -> None:
    assert not engine._analyze("what is LeCun's role in the global model?").who_is
    assert not engine._analyze("what role does LeCun play in the global model?").who_is
    assert not engine._analyze("what position does Zuckerberg take on regulation?").who_is
    assert engine.answer("what is LeCun's role in the global model?").fact_id == "lecun-collective-model"


def test_asking_for_example_questions_is_asking_for_help(engine: Engine) -> None:
    assert engine.answer("can you give me some example questions to ask?").status == "help"
    assert engine.answer("show me a sample question").status == "help"
    assert engine.answer("What kinds of questions should I be asking you?").status == "help"


def test_what_somebody_told_or_mentioned_is_what_they_said(engine: Engine) -> None:
    # Altman, not LeCun, spoke on the All-In podcast.
    question = "Why did LeCun tell the All-In podcast that AI needs international oversight?"
    assert engine._analyze(question).speakers == {"yann lecun"}
    assert not engine.answer(question).answered
    assert engine.answer("What did Altman tell the All-In podcast about oversight?").fact_id == "altman-international-oversight"


@pytest.mark.parametrize(
    "question",
    [
        "Has Meta responded to the open washing accusations?",
        "How did regulators respond to LeCun's call for forward-thinking regulation?",
        "how did other people at the summit react to lecuns proposal",
    ],
)
def test_a_reaction_asked_of_a_fact_reporting_none_says_so(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered
    assert "reaction" in question_reading.question_types(question_reading.words(question))
    if "summit" not in question:  # asked of the summit fact, it is too unclear to say what is missing
        assert answer.reason == "not_given:reaction"


def test_a_reaction_is_given_by_a_fact_reporting_one_and_a_persons_response_is_what_they_say(engine: Engine) -> None:
    assert engine.answer("how has the tech community responded to meta's plan to open source the new models?").fact_id == (
        "public-reactions"
    )
    # "A response to mounting pressures" is a cause, not how anyone took something.
    assert "reaction" not in engine._by_id["new-models-open-source-plan"].answers
    assert "reaction" in engine._by_id["public-reactions"].answers
    question = "How does Zuckerberg respond to national security concerns about open source?"
    assert "reaction" not in engine._analyze(question).asks
    assert engine.answer(question).fact_id == "bad-actors-objection"


def test_of_two_related_facts_too_close_to_call_the_one_holding_clearly_more_of_the_question_answers(engine: Engine) -> None:
    question = "the billions in GPUs and the 49% Scale AI stake: what are Meta's goals there?"
    first, second = engine.rank(question)[:2]
    assert (first.fact_id, second.fact_id) == ("scale-ai-stake", "ai-leadership-pursuit")
    assert second.coverage - first.coverage >= 0.25 and first.score - second.score < engine.thresholds.min_margin
    assert engine.answer(question).fact_id == "ai-leadership-pursuit"
    # Asked of the stake alone, the fact on the stake holds as much of it and stays the answer.
    assert engine.answer("How much of Scale AI does Meta own?").fact_id == "scale-ai-stake"


def test_an_owner_compared_with_is_not_whose_fact_is_asked(engine: Engine) -> None:
    question = "won't open-sourcing just prove Meta's models are worse than OpenAI's and Google's?"
    assert Engine._owner_words(question) == {"meta"}
    assert Engine._owner_words("what is Google's strategy compared to OpenAI's?") == {"google"}
    assert engine.answer(question).fact_id == "underperformance-doubts"


def test_an_owner_whose_thing_goes_unsaid_is_compared_with(engine: Engine) -> None:
    """"Behind OpenAI's?" names OpenAI's AI only by the thing named before it: a comparison,
    whatever word sets it up; an owner at a question's end is read wherever the "'s" ends."""
    assert Engine._owner_words("is Meta's AI behind OpenAI's?") == {"meta"}
    assert Engine._owner_words("how does Google's stance differ from OpenAI's, per the blog?") == {"google"}
    assert Engine._owner_words("what is OpenAI's stance?") == {"openai"}
    assert words("than OpenAI's? or Google's, and Meta's") == ["than", "openai", "or", "google", "and", "meta"]
    assert engine.answer("won't opening the models just show Meta's AI is behind OpenAI's?").fact_id == (
        "underperformance-doubts"
    )


def test_an_owner_typed_without_its_apostrophe_is_an_owner(engine: Engine) -> None:
    assert engine._analyze("whats zuckerbergs net worth these days").owners == {"mark zuckerberg"}
    assert not engine.answer("whats zuckerbergs net worth these days").answered  # his, not Meta's billions
    assert engine._analyze("metas plans for llama").owners == {"meta"}


def test_then_typed_for_than_after_a_comparative_compares_too(engine: Engine) -> None:
    question = "wont open sourcing just prove meta's models are worse then openai's and google's?"
    assert Engine._owner_words(question) == {"meta"}
    assert Engine._owner_words("is Gemma better then GPT's models?") == set()
    # "then" that is not after a comparative stays a word of time: the owner is asked about.
    assert Engine._owner_words("Meta released Llama, then OpenAI's answer came") == {"openai"}
    assert engine.answer(question).fact_id == "underperformance-doubts"


@pytest.mark.parametrize("question", ["the performance review form, where is it?", "what's the budget template deadline"])
def test_a_question_naming_nothing_the_base_is_about_is_not_answered_by_an_everyday_word(
    engine: Engine, question: str
) -> None:
    # "review" and "budget" are words facts use; "form", "template" and "deadline" no fact
    # knows, and nothing names Meta, AI, a model or anybody the sources speak of.
    assert "off_domain" in engine.rank(question)[0].penalties
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "how much of Scale AI does Meta own, ballpark?",  # a name the base knows
        "does the blog say GPUs are pricier than cafeteria lunches?",  # a source pointed at
        "are open models cheaper for a startup with zero runway?",  # words most facts use
    ],
)
def test_a_question_naming_what_the_base_is_about_is_not_taken_for_another_subject(
    engine: Engine, question: str
) -> None:
    assert engine._analyze(question).unknown  # words the base has never seen
    assert all("off_domain" not in parts.penalties for parts in engine.rank(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is Zuckerberg the chief AI scientist or the CEO?", "who-is-mark-zuckerberg"),
        ("was LeCun Meta's CTO?", "who-is-yann-lecun"),  # a post no source gives is no subject
        ("hi, is Altman the head of OpenAI now?", "who-is-sam-altman"),
    ],
)
def test_asking_whether_a_person_holds_a_post_asks_who_they_are(engine: Engine, question: str, expected: str) -> None:
    assert engine._analyze(question).who_is
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question", ["is Zuckerberg the CEO who wrote the essay?", "is LeCun for regulation?", "is Wang leading the new models?"]
)
def test_a_person_asked_of_more_than_a_post_is_asked_about_that(engine: Engine, question: str) -> None:
    assert not engine._analyze(question).who_is


@pytest.mark.parametrize(
    ("question", "saying_it_is"),
    [
        ("why did LeCun claim AI needs no regulation whatsoever?", "lecun-careful-regulation"),
        ("why did Altman argue that nobody needs to oversee powerful models?", "altman-international-oversight"),
    ],
)
def test_why_somebody_said_something_is_not_so_is_not_told_by_a_fact_saying_it_is(
    engine: Engine, question: str, saying_it_is: str
) -> None:
    assert engine._analyze(question).denied_said
    assert "denied" in next(parts for parts in engine.rank(question) if parts.fact_id == saying_it_is).penalties
    assert not engine.answer(question).answered


def test_why_somebody_said_something_is_not_so_is_told_by_a_fact_saying_so(engine: Engine) -> None:
    # "closed-source models are not immune either"; a phrasing may say it too ("aren't really open")
    assert engine.answer("why does zuck say closed models aren't safer either?").fact_id == "bad-actors-objection"
    assert engine.answer("why does Zuckerberg say open source won't concentrate power?").fact_id == "power-not-concentrated"
    assert not engine._analyze("why did LeCun say countries should share data?").denied_said


def test_a_verb_of_saying_asking_what_somebody_said_asks_no_subject_of_its_own(engine: Engine) -> None:
    # the fact says Altman stressed the need for oversight, never that he argued
    question = "What was Sam Altman arguing for on the All-In podcast?"
    assert engine.answer(question).fact_id == "altman-international-oversight"
    assert engine.canon("arguing") in engine._analyze(question).light
    # whether he warned is what a yes-or-no question asks: the verb is its claim
    assert engine.canon("warn") not in engine._analyze("did Altman warn of global risks?").light


@pytest.mark.parametrize(
    "question",
    ["in Zuckerberg's own words, why does Meta need open source for its business?", "Zuckerberg's quote on the business model?"],
)
def test_somebodys_words_are_what_they_said_not_a_thing_of_theirs(engine: Engine, question: str) -> None:
    assert not engine._analyze(question).owners & {"mark zuckerberg"}
    assert engine.answer(question).fact_id == "meta-business-model"


def test_a_company_or_outlets_stance_is_still_theirs(engine: Engine) -> None:
    assert "googl" in {key.split()[-1] for key in engine._analyze("what's Google's stance on open models?").owners}


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("Meta paid $14 billion for Scale?", {"14"}),
        ("350k H100s or 600k GPUs?", {"350", "600"}),
        ("does Meta own 51 percent of Scale AI?", {"51"}),
        ("did it grow 100x?", {"100"}),
        ("350,000 GPUs?", {"350000"}),
        ("Llama 3.1 vs Llama 4 since 2023", set()),  # releases and years are no figures
    ],
)
def test_the_figures_a_question_states_are_read_as_digits(question: str, figures: set[str]) -> None:
    assert figures_stated(question) == figures


def test_a_figure_no_fact_gives_is_not_confirmed_by_a_fact_on_the_subject(engine: Engine) -> None:
    question = "so Meta forked out $20 billion for the Scale AI stake?"
    assert all("figure" in parts.penalties for parts in engine.rank(question)[:3])
    assert not engine.answer(question).answered
    # a wrong figure of what a fact gives is answered with the fact's own
    assert engine.answer("does Meta own 51% of Scale AI?").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which firm is LeCun at?", "who-is-yann-lecun"),
        ("who does Zuckerberg work for?", "who-is-mark-zuckerberg"),  # not "working with the government"
        ("what company is Sam Altman with these days?", "who-is-sam-altman"),
        ("where does Alexandr Wang work now?", "alexandr-wang"),
    ],
)
def test_asking_whom_a_person_works_for_asks_who_they_are(engine: Engine, question: str, expected: str) -> None:
    assert engine._analyze(question).who_is
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question", ["who does LeCun work with on the global model?", "what company does Meta own a stake in?"]
)
def test_asking_more_of_a_persons_work_is_not_asking_their_employer(engine: Engine, question: str) -> None:
    assert not engine._asks_employer(engine._words(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is LeCun known for?", "who-is-yann-lecun"),
        ("give me a quick intro to lecun", "who-is-yann-lecun"),
        ("what's zuckerberg's deal", "who-is-mark-zuckerberg"),  # not the Scale AI deal
    ],
)
def test_asking_about_a_person_as_a_whole_asks_who_they_are(engine: Engine, question: str, expected: str) -> None:
    assert engine._analyze(question).who_is
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["tell me about LeCun's global model", "zuck and the scale deal?"])
def test_a_person_named_with_a_subject_is_asked_about_that(engine: Engine, question: str) -> None:
    assert not engine._asks_of_the_person(engine._words(question))


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("how many g p us does meta have", ["how", "many", "gpus", "does", "meta", "have"]),
        ("android vs i o s", ["android", "vs", "ios"]),
        ("did llama grow ten x", ["did", "llama", "grow", "10x"]),
        ("r u able to help", ["r", "u", "able", "to", "help"]),  # no word the base knows
        ("android and eye oh s", ["android", "and", "ios"]),  # letters as speech-to-text writes them
        ("do you see", ["do", "you", "see"]),
        ("what did the open you kay people say", ["what", "did", "the", "open", "u", "k", "people", "say"]),
        ("what did open a i say", ["what", "did", "open", "a", "i", "say"]),  # left to the name
    ],
)
def test_a_word_dictated_letter_by_letter_is_put_together(engine: Engine, question: str, read: list[str]) -> None:
    assert engine._words(question, asked=True) == read
    assert engine.answer("did llama really grow ten x since 2023?").fact_id == "llama-tenfold-growth"


def test_a_family_name_as_speech_to_text_heard_it_is_read_after_the_first_name(engine: Engine) -> None:
    def read(text: str) -> list[str]:
        return engine._heard_family_names(engine._words(text))

    assert read("what did yan lacoon propose") == ["what", "did", "yan", "lecun", "propose"]
    assert engine.answer("so who is yan lacoon anyway").fact_id == "who-is-yann-lecun"
    # on its own, a name that sounds alike is somebody else
    assert read("who is lucian") == ["who", "is", "lucian"]
    assert not engine.answer("who is Lucian?").answered


@pytest.mark.parametrize(
    "question", ["what did the WhatsApp head say about Llama?", "what did the show's host think about open models?"]
)
def test_what_a_post_nobody_in_the_sources_holds_said_is_not_told_by_a_fact(engine: Engine, question: str) -> None:
    assert engine._analyze(question).speaker_roles
    assert not engine.answer(question).answered


def test_a_post_the_sources_say_who_holds_is_asked_of_its_holder(engine: Engine) -> None:
    question = "what did Meta's Chief AI Scientist say about regulation?"
    assert not engine._analyze(question).speaker_roles
    assert engine.answer(question).fact_id == "lecun-careful-regulation"


@pytest.mark.parametrize(
    "question",
    [
        "does Meta own half of Scale AI?",
        "True or false: Meta owns half of Scale AI",
        "fact check: Meta holds less than half of Scale AI",
    ],
)
def test_a_half_stated_of_a_stake_is_a_share_the_fact_gives_another_figure_of(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "scale-ai-stake"


def test_the_other_half_of_a_plan_is_no_share(engine: Engine) -> None:
    assert engine.answer("what's the other half of Meta's plan besides catching up?").fact_id != "scale-ai-stake"


@pytest.mark.parametrize(
    "question", ["which group accused Meta of open washing?", "name the open source group that accused Meta of open washing"]
)
def test_a_group_asked_for_is_named_by_a_fact_naming_an_organisation(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "openuk-criticism"


def test_a_multiple_answers_how_many_times(engine: Engine) -> None:
    assert engine.answer("how many times has Llama grown since 2023?").fact_id == "llama-tenfold-growth"
    # a multiple counts no users
    assert engine.answer("how many users does Llama have?").fact_id != "llama-tenfold-growth"


def test_which_two_asks_the_noun_after_the_number_and_two_kinds_joined_name_its_instances() -> None:
    assert question_reading.instances_asked("which two languages would india add".split())[0] == ["languages"]
    assert question_reading.instances_asked("which two things were leaders balancing".split())[0] == []  # a generic noun
    assert dict(question_reading.nouns_named("governments must balance privacy and security concerns"))["concerns"] == ()
    # a noun only mentioned names nothing
    assert "reducers" not in dict(question_reading.nouns_named("farms use it to identify crop yield reducers"))


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Governments have to balance which two concerns without hindering open-source AI?", "privacy-security-balance"),
        ("Name Meta's Chief AI Scientist", "who-is-yann-lecun"),
        ("procurement: who is Sam Altman?", "who-is-sam-altman"),
        ("exec assistant: who is Sam Altman, for the briefing note?", "who-is-sam-altman"),
        ("HR here - how much of Scale AI does Meta own?", "scale-ai-stake"),
        # whom the asker will tell, and how to tell it, say nothing of what is asked
        ("how do I explain open washing to my boss?", "open-washing"),
        ("who is Alexandr Wang, for a class of first-years", "alexandr-wang"),
        ("presenting to the sales team: what did LeCun propose at the summit?", "lecun-ai-action-summit"),
        ("how should we describe the Linux Foundation study when talking to execs?", "linux-foundation-study"),
    ],
)
def test_labels_purposes_and_quiz_forms_leave_the_question(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "are OpenAI's models only for their customers?",
        "is the blog's case for AI leadership convincing?",
        "an example for students of how local languages feed into the global model?",
    ],
)
def test_people_the_facts_speak_of_are_no_audience(question: str) -> None:
    assert without_purpose(question) == question


def test_a_label_of_words_the_base_knows_is_part_of_the_question(engine: Engine) -> None:
    assert engine._without_label("Llama 4: when?") == "Llama 4: when?"
    assert engine._without_label("necesity or oportunity: which is it?") == "necesity or oportunity: which is it?"
    assert engine._without_label("board liaison: who is LeCun?") == "who is LeCun?"


@pytest.mark.parametrize(
    "question",
    [
        "before I ask anything: what are you able to help me with?",
        "hey bot, what subjects do you cover? prepping for the team quiz",
        "can you make me flashcards? what do you actually know about?",
    ],
)
def test_asking_what_the_bot_covers_gets_the_help(engine: Engine, question: str) -> None:
    assert engine.answer(question).status == "help"


@pytest.mark.parametrize(
    "question",
    ["which industry uses Llama for crop yields?", "in which industry do organisations use Llama to spot crop yield reducers?"],
)
def test_which_industry_asks_the_industry_not_a_verb_or_a_noun_further_on(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "llama-crop-yield-adoption"


@pytest.mark.parametrize(
    "question",
    [
        "Just give me a yes or no: should our team build on Llama?",
        "should I buy Meta stock before earnings?",
        "Will Meta still be open-sourcing models in five years? your prediction please",
        "Personally, do you think releasing open weights is ethical?",
        "which vector database would you recommend for our project?",
        "which article is most sceptical of meta?",  # judging the sources
        "which source would you trust most",
        "rank the 5 sources from most to least critical",
        "do you think zuck was wise to buy into scale ai?",  # the bot's judgement of a choice
        "who d'you reckon comes out on top, google or meta?",
        "do you think meta stock is a buy right now",  # a verdict on a stock
        "do you think meta should stay open",
        "would you bet on llama growing another 10x",
        "are meta shares still worth buying?",
    ],
)
def test_asking_the_bots_own_advice_or_opinion_is_answered_by_no_fact(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "advice"
    assert "no advice or opinions of my own" in dont_know(answer)


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("should we worry about open models being misused?", "open-model-misuse-concerns"),
        ("should us tech companies work with washington on ai, per zuck?", "us-companies-and-government"),
        ("What's Meta's GPU spend? Should we build on Llama?", "gpu-spending"),
        ("gemma vs gpt, which one is more open?", "gemma-and-gpt"),  # of two things, not of the sources
        ("was the scale ai deal a buy of shares?", "scale-ai-stake"),  # a purchase, not a verdict
    ],
)
def test_a_worry_a_view_of_somebody_or_a_question_beside_advice_is_still_answered(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    "message",
    [
        "this bot sucks",
        "ok what CAN you actually answer, ffs?",
        "what's your scope, bot? Meta stuff only or what",
        "do you give opinions or just stick to facts?",
        "can you help me choose between AI vendors, or is that outside what you do?",
    ],
)
def test_venting_at_the_bot_or_asking_what_it_does_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("useless bot. WHO IS YANN LECUN", "who-is-yann-lecun"),
        ("who tf is yan lecun", "who-is-yann-lecun"),
        ("LeCun works for OpenAI, right?", "who-is-yann-lecun"),
        ("Sam Altman works for Meta now?", "who-is-sam-altman"),
        ("Altman works at Google, ne?", "who-is-sam-altman"),  # a tag closing the claim
        ("our deck says Sam Altman runs Google - right?", "who-is-sam-altman"),  # a claim reported
        # a company the base never mentions, claimed as the employer, is no subject asked about
        ("Sam Altman is the CEO of Anthropic, right?", "who-is-sam-altman"),
        ("sam altman runs google deepmind, yeah?", "who-is-sam-altman"),
        ("is LeCun the chief AI scientist at Anthropic?", "who-is-yann-lecun"),
        ("yann lecun works at anthropic right?", "who-is-yann-lecun"),
    ],
)
def test_a_blunt_question_or_a_wrong_employer_asks_who_the_person_is(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


def test_a_founder_claimed_or_a_company_asked_about_is_not_a_wrong_employer(engine: Engine) -> None:
    # No source says who founded Scale AI, and Anthropic's own CEO is nobody the base knows.
    assert not engine.answer("wasn't Alexandr Wang the founder of Scale AI?").answered
    assert engine.answer("who is the CEO of Anthropic?").reason.startswith("unknown_entity")


@pytest.mark.parametrize(
    "message",
    [
        "thanks, that's all I needed for my memo",
        "perfect, that's everything I needed",
        "ok thats all for now",
        "hey bot, what kinds of claims can you check?",
        "can you verify a claim for me?",
        "can i paste a link for you to verify?",
        # in what form it answers, whether it follows a thread, what it is, a test message
        "can you answer in french?",
        # asked without inverting, as many who learnt English later write it
        "you answer also in spanish or only in english?",
        "good morning! you are working?",
        "from where you take the informations?",
        # where an answer came from, and how to reach the bot in a channel
        "can you show which article your answer came from?",
        "do i need to tag you or can i just type a question",
        "hey, not sure how this works, do I just type my question here?",
        "can you answer in tables or only plain text?",
        "how do i get you to include sources in your answers",
        "can i follow up on your last answer or do i need to repeat the context",
        "sorry, wrong channel... actually wait, are you the meta open-source faq bot?",
        "okay testing testing one two three",
    ],
)
def test_closing_a_conversation_or_asking_what_it_checks_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


@pytest.mark.parametrize(
    "question",
    [
        "is Meta's stake in Scale AI a controlling interest or a minority one?",
        "does meta hold a majority stake in scale ai?",
        "my manager asked how much of Scale AI Meta owns",  # who asked is no part of the question
    ],
)
def test_kinds_of_stake_and_who_asked_leave_the_question_of_the_stake(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("whats zuck's actual title these days", "who-is-mark-zuckerberg"),  # a post qualified
        ("LeCun's official role?", "who-is-yann-lecun"),
        ("what is wang cooking up at meta?", "alexandr-wang"),  # cooking up: preparing
    ],
)
def test_a_qualified_post_and_what_is_cooked_up_are_read(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


def test_number_one_is_the_lead_and_a_number_is_no_lead(engine: Engine) -> None:
    assert engine.answer("is meta out to be number one in ai?").fact_id == "ai-leadership-pursuit"
    assert not engine.answer("how much is meta paying to poach ai researchers, ballpark number").answered


def test_a_post_qualifier_is_no_post_elsewhere(engine: Engine) -> None:
    assert engine.answer("LeCun's role in the global model").fact_id == "lecun-collective-model"


def test_zuckerbergs_letter_is_his_essay_and_other_letters_are_not(engine: Engine) -> None:
    assert engine.answer("what did Zuckerberg argue in his open letter?").fact_id == "zuckerberg-essay-argument"
    assert engine.answer("summarise zuck's letter").fact_id == "zuckerberg-essay-argument"
    assert not engine.answer("can you write me a cover letter?").answered
    assert not engine.answer("what did zuck say in the shareholder letter").answered


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("how big a slice of scale ai did meta take? just the number", "scale-ai-stake"),
        ("comms: summarise Zuckerberg's essay on open AI in two lines", "zuckerberg-essay-argument"),
        ("Just give me a yes or no: should our team build on Llama?", None),  # still the bot's advice
    ],
)
def test_the_shape_asked_of_an_answer_leaves_the_question(engine: Engine, question: str, fact_id: str | None) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize("message", ["whats 49 percent of 2300", "what's 17 times 23?", "how much is 3.5 x 12"])
def test_a_sum_to_work_out_is_a_task_the_bot_does_not_do(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert not answer.answered and answer.reason == "task:calculate"


def test_a_figure_of_the_sources_asked_about_is_no_sum(engine: Engine) -> None:
    assert engine.answer("is 49% of Scale AI a majority?").fact_id == "scale-ai-stake"


def test_the_animal_is_no_llama_model(engine: Engine) -> None:
    assert engine.answer("llamas vs alpacas, which one is bigger").reason.startswith("unknown_entity")


def test_a_question_about_testing_or_answering_in_court_is_no_plea_for_help(engine: Engine) -> None:
    assert engine.answer("is llama a test model?").status != "help"
    assert engine.answer("can meta answer in court for misuse of llama?").status != "help"


def test_a_claim_to_check_is_still_answered_after_asking_for_a_check(engine: Engine) -> None:
    assert engine.answer("can you check a claim: meta owns 49% of scale ai").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    "message",
    [
        "what sort of stuff do you cover, mate?",
        "what are you good for, eh? like what questions can I chuck at you?",
        "yo bot what's your whole deal, what topics you got?",
        "what can you actually do, bot? ngl no idea what you're for",
        "thanks! what else can you answer?",
        "besides Llama, what can I ask you?",
        "can you help with anything beyond the Meta open-source stuff?",
        "what can this bot help with, beyond the regulation stuff?",
        "Do you know about anything other than Meta's AI strategy?",
        "yaar, are you only about Meta's AI stuff or can you answer anything?",
        "bitte, which topics do you cover?",
    ],
)
def test_asking_what_the_bot_does_in_slang_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Sam Altman runs Google, yeah?", "who-is-sam-altman"),
        ("who's this LeCun geezer then?", "who-is-yann-lecun"),
        ("what was LeCun banging on about at the AI Action Summit, like?", "lecun-ai-action-summit"),
        ("would Meta sit on a model if it was too dodgy to release?", "holding-back-unsafe-models"),
    ],
)
def test_regional_english_and_slang_leave_the_question(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


def test_small_talk_in_a_greeting_asks_no_fact(engine: Engine) -> None:
    assert not engine.answer("good morning all, how's everyone keeping?").answered


@pytest.mark.parametrize(
    ("message", "word"),
    [
        ("and what did he say about oversight?", "he"),
        ("ok and how much of it do they own?", "it"),
        ("follow-up: how much did they spend on that?", "they"),
        ("thanks, and what's his title?", "his"),
        ("what did he say about regulation?", "he"),
        ("and the third benefit?", "the third"),
        ("what about the earlier versions?", "the earlier"),
    ],
)
def test_a_reply_pointing_back_into_a_thread_is_answered_by_no_fact(engine: Engine, message: str, word: str) -> None:
    answer = engine.answer(message)
    assert not answer.answered and answer.reason == "pointing_back:" + word
    assert f'can\'t tell what "{word}" points to' in dont_know(answer)


@pytest.mark.parametrize(
    ("message", "fact_id"),
    [
        # the message names what it points at, first or elsewhere
        ("and the transparency point for the global model, how is that supposed to build trust?", "transparency-and-trust"),
        ("so yann gave a talk at the action summit, what was he pushing for?", "lecun-ai-action-summit"),
        ("What did Meta's CEO claim about Llama 3.1 when he announced it?", "llama-3-1"),
        ("Who is Yann LeCun? And what did he propose?", "who-is-yann-lecun"),
        # "this" and "it" without an opener continuing a thread frame the question
        ("is it true two thirds of orgs think open source ai is cheaper than proprietary?", "linux-foundation-study"),
        # "they" with no thread opener is Meta, the base's subject
        ("why did they open source Llama?", "llama-family"),
    ],
)
def test_a_pronoun_whose_subject_the_message_gives_still_asks(engine: Engine, message: str, fact_id: str) -> None:
    assert engine.answer(message).fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "did Meta's stock go up after the essay came out?",
        "did the French scientist leave Meta after that summit?",
        "what happened with Meta's models after the Gizmodo article came out?",
        "which countries have signed up to LeCun's global model so far?",
        "Has India officially agreed to join the global model?",
        # how something came out, asked yes or no
        "did the farming pilots with Llama work out?",
        "did LeCun end up persuading the summit in the end?",
        "so did Meta end up releasing Llama 4 under a closed licence?",
        "has Meta changed its licence since the essay came out?",
        "did the developers flock to the new models after launch?",
        "how did Meta's stock do after Llama 2 was released?",
        "did Brazil agree to contribute its data to the global model?",
        "did any nation sign on to LeCun's model yet?",
        # whether somebody still holds the post the sources give
        "is LeCun still at Meta now?",
        "is alexandr wang still working at meta these days?",
    ],
)
def test_what_happened_after_the_sources_events_is_not_told(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:later"
    assert "doesn't say what happened afterwards" in dont_know(answer)


def test_what_a_person_does_at_a_company_is_still_told(engine: Engine) -> None:
    assert engine.answer("what is LeCun's role at Meta?").fact_id == "who-is-yann-lecun"
    assert engine.answer("does Meta still believe in open source at all?").answered  # "still" of a stance


def test_how_an_announcement_was_taken_is_told(engine: Engine) -> None:
    assert engine.answer("how did people react after the announcement?").fact_id == "public-reactions"


def test_how_something_came_about_is_told(engine: Engine) -> None:
    # "end up" after "how" or "what" asks what the texts tell, not what came of it later
    assert engine.answer("how did Llama 2 end up open to businesses?").fact_id == "llama-2-commercial"
    assert engine.answer("how much of Scale AI did Meta end up owning?").fact_id == "scale-ai-stake"


@pytest.mark.parametrize(
    "question",
    ["What's the exact dollar figure of Meta's GPU spend?", "how much does meta spend on GPUs exactly?"],
)
def test_a_figure_asked_exactly_is_not_given_by_an_order_of_size(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and (answer.reason or "").startswith("not_given:")


def test_a_figure_asked_exactly_is_given_by_a_fact_stating_it(engine: Engine) -> None:
    assert engine.answer("exactly what percentage of Scale AI does Meta own?").fact_id == "scale-ai-stake"
    assert engine.answer("how much exactly has Llama grown since 2023?").fact_id == "llama-tenfold-growth"
    # asked without "exactly", the order of size is the answer
    assert engine.answer("how much is Meta spending on GPUs?").fact_id == "gpu-spending"


def test_who_one_person_named_before_is_asks_who_they_are(engine: Engine) -> None:
    assert engine.answer("why is sam altman even in an article about meta? who is he again?").fact_id == "who-is-sam-altman"
    assert engine.answer("Mark Zuckerberg, who is this person?").fact_id == "who-is-mark-zuckerberg"


@pytest.mark.parametrize(
    ("question", "rest", "excluded"),
    [
        ("besides cost, what benefits do open models bring?", "what benefits do open models bring?", "cost"),
        ("Quiz: besides transparency, what's another benefit?", "Quiz: what's another benefit?", "transparency"),
        ("Llama aside, what else has Meta open-sourced?", "what else has Meta open-sourced?", "Llama"),
        ("leaving the Gizmodo piece aside, what does the blog say?", "what does the blog say?", "the Gizmodo piece"),
    ],
)
def test_what_a_question_opens_by_setting_apart_is_read_apart(question: str, rest: str, excluded: str) -> None:
    assert question_reading.set_apart(question) == (rest, excluded)


@pytest.mark.parametrize(
    "question",
    [
        "who besides Meta gains from the Llama initiatives?",  # asked before it sets apart
        "can rivals take Meta's open models and skip the development costs?",  # a verb, not a setting apart
        "what is open washing?",
    ],
)
def test_a_question_that_opens_with_nothing_set_apart_is_read_whole(question: str) -> None:
    assert question_reading.set_apart(question) is None


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("besides oversight, what danger did Altman flag?", "altman-global-risks"),
        ("apart from vendor lock-in, how does the blog say open models speed up innovation?", "accelerate-innovation"),
        ("besides agriculture, has Meta's open AI been used in medicine?", "healthcare-clinical-tools"),
    ],
)
def test_the_fact_on_what_is_set_apart_is_not_the_answer(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    "message",
    [
        "¿Qué porcentaje de Scale AI tiene Meta?",
        "Wer ist Yann LeCun eigentlich?",
        # one function word of its language and words of none of English
        "Quanto a Meta paga pelos GPUs?",
        "Jak Meta finansuje otwarte modele?",
    ],
)
def test_a_message_in_another_language_is_answered_by_no_fact_and_says_so(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert not answer.answered and answer.reason == "not_english"
    assert "English only" in dont_know(answer)


@pytest.mark.parametrize(
    ("message", "fact_id"),
    [
        ("merci, who is Yann LeCun?", "who-is-yann-lecun"),
        ("c'est quoi the hybrid approach?", "hybrid-approach"),
        ("hola! quick one, how much of Scale AI does Meta own?", "scale-ai-stake"),
        ("que? how much of scael ai does meta own", "scale-ai-stake"),  # a slip is English misspelt
    ],
)
def test_a_word_of_another_language_around_an_english_question_leaves_it(engine: Engine, message: str, fact_id: str) -> None:
    assert engine.answer(message).fact_id == fact_id


@pytest.mark.parametrize(
    ("message", "fact_id"),
    [
        ("can you book a room for thurs? also what does meta's big AI spending spree signal about its goals?", "ai-leadership-pursuit"),
        ("who's yann lecun, and how old is he?", "who-is-yann-lecun"),
    ],
)
def test_a_question_beside_a_task_or_a_detail_no_fact_gives_is_answered(engine: Engine, message: str, fact_id: str) -> None:
    answer = engine.answer(message)
    assert answer.fact_id == fact_id
    assert part_note(answer) is not None  # the other question is to be asked on its own


def test_a_task_alone_is_still_no_question(engine: Engine) -> None:
    assert engine.answer("can you draft an email to legal about the Llama license?").reason == "task:draft"


def test_asking_what_the_bot_is_able_to_do_gets_the_help(engine: Engine) -> None:
    assert engine.answer("hello! new here - what are you able to do?").status == "help"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("[01:12:09] context? something about holding back", "holding-back-unsafe-models"),
        ("[1:13:22] in the podcast notes, which open-source precedents is he talking about?", "pytorch-open-compute"),
    ],
)
def test_a_time_in_the_podcast_points_at_the_facts_quoting_it_there(plain_engine: Engine, question: str, fact_id: str) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer(question).fact_id == fact_id


def test_a_time_of_day_is_no_time_in_the_podcast(engine: Engine) -> None:
    assert not engine.answer("meet at 10:30?").answered


@pytest.mark.parametrize(
    "message",
    [
        "if I paste a quote, can you tell me which article it came from?",
        "do you give links to the original articles when I ask about a quote?",
        "hey how does this work — do I paste the excerpt first and then my question?",
        "how do i use this bot, do i just type a name?",
        "can I ask you about people or only companies?",
        "how reliable are your citations?",
        "do you know about things that happened after these articles?",
        "how do I get you to show the exact quote",
        "can you explain things more simply?",
        "how do you decide which answer to give me",
        "why do you only know about meta stuff",
        "usage tips",
        "can you predict stuff or do you only answer from your facts?",
        "is there a way to ask you about a specific article?",
        "what sources are you pulling these answers from?",
        "can you do summaries of whole articles?",
        "could you handle comparison questions?",
        "can we ask u several things at once?",
        "could I paste a link for you to summarise?",
        "do you remember my last question?",
        "can you point me to where your answers come from?",
    ],
)
def test_asking_how_to_use_the_bot_with_quotes_gets_the_help(engine: Engine, message: str) -> None:
    assert engine.answer(message).status == "help"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I use Llama for free?", None),  # how to use Llama, not the bot
        ("can I ask you about Scale AI's stake?", "scale-ai-stake"),
        ("how reliable are open models, per Zuckerberg?", None),
    ],
)
def test_asking_how_to_use_something_else_is_no_help_request(engine: Engine, question: str, expected: str | None) -> None:
    answer = engine.answer(question)
    assert answer.status != "help"
    if expected:
        assert answer.fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("altman oversight view", "altman-international-oversight"),
        ("altman's view on regulation", "altman-international-oversight"),
        ("altman's take on ai rules", "altman-international-oversight"),
    ],
)
def test_the_one_person_named_gets_their_own_view_not_the_overview_of_several(
    engine: Engine, question: str, expected: str
) -> None:
    """The overview of who thinks what wins these on "view(s)", which only its phrasings
    share; the question names one of its people, whose own related fact is the answer."""
    ranked = engine.rank(question)
    assert ranked[0].fact_id == "regulation-views"  # the overview scores first ...
    assert engine.answer(question).fact_id == expected  # ... and the person's own fact answers


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what do LeCun and Altman think about regulation?", "regulation-views"),  # two people
        ("didn't LeCun say there should be international oversight of AI?", "regulation-views"),  # Altman's words
    ],
)
def test_the_overview_answers_several_people_or_words_of_another(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("author of the lecun summit piece?", "author"),
        ("who's the author of the gizmodo article", "author"),
        ("who edited the risky-move article", "author"),
        ("gizmodo piece byline?", "author"),
        ("date on the meta investment blog post?", "dated"),
        ("when was the meta investment blog post published?", "dated"),
        ("is there a date anywhere on the podcast notes", "dated"),
        ("when was zuck's essay published?", "dated"),
    ],
)
def test_who_wrote_a_source_or_when_is_a_detail_no_source_gives(engine: Engine, question: str, detail: str) -> None:
    """No source names its author or gives its date: the closest fact of that source is offered."""
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == f"not_given:{detail}"
    assert answer.suggestions
    assert dont_know(answer).endswith("source was written." if detail == "dated" else "who wrote its source.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which article says meta owns 49% of scale ai?", "scale-ai-stake"),
        ("who wrote 'the core commitment to open-source AI remains a powerful force'?", None),
        ("what does the blog post say about the date Llama 2 opened up?", None),
    ],
)
def test_asking_which_source_says_something_is_not_asking_of_the_source_itself(
    engine: Engine, question: str, expected: str | None
) -> None:
    assert engine._analyze(question).of_the_text is None
    if expected:
        assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("closed source AI, explain like im five", "closed-models-openai-google"),
        ("whats LeCun's big idea about a global AI model, simple version pls", "lecun-collective-model"),
        ("can someone summarize zuckerberg's open source essay for a non-engineer", "zuckerberg-essay-argument"),
    ],
)
def test_asking_for_a_simple_telling_asks_the_same_fact(engine: Engine, question: str, expected: str) -> None:
    """"simple version", "explain like im five", "for a non-engineer" say how, not what: no
    "version" of Llama, no "engineer" for a developer."""
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who is Alexandr Wang, in one line?", "alexandr-wang"),
        ("short answer: how much of Scale AI does Meta own", "scale-ai-stake"),
        ("in short, what is open washing", "open-washing"),
        ("the Linux Foundation study, summed up", "linux-foundation-study"),
    ],
)
def test_asking_for_a_short_telling_asks_the_same_fact(engine: Engine, question: str, expected: str) -> None:
    """"in one line", "short answer", "summed up" say how long, not what: no "line" of an article."""
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("is Meta getting cold feet about openness?", "industry-caution-trend"),
        ("is Meta opening its models because it's feeling the heat?", "competitive-pressure-response"),
        ("are the critics throwing shade at Meta's licence?", "restrictive-licensing"),
        ("is open versus closed AI like Android versus the iPhone?", "android-vs-ios"),
    ],
)
def test_common_idioms_read_as_what_they_mean(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the podcast's "not just about community goodwill" is its own word, not philanthropy
        ("is open sourcing only goodwill for big firms, or is it strategic?", "strategic-position-standards"),
        ("is Meta's open source push charity?", "strategic-not-philanthropic"),
        ("what was the mood after Meta said it would open its new models?", "public-reactions"),
        # catching up is what Meta is after; lagging is the doubt that it can
        ("is Meta only opening up to keep pace with OpenAI and Google?", "necessity-and-opportunity"),
        ("will opening the models show Meta lagging behind its rivals?", "underperformance-doubts"),
        ("what did the podcast notes wrap up with?", "open-source-cornerstone"),
        ("is Meta afraid of being stuck in a rival's ecosystem?", "avoid-vendor-lock-in"),
        ("why is open source needed for a positive future, per Zuckerberg?", "open-source-necessary"),
    ],
)
def test_near_words_that_tell_facts_apart(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["what is a transformer in AI, eli5", "eli5 AGI? the blog keeps saying it"])
def test_eli5_of_a_notion_no_fact_explains_is_not_answered(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    ("question", "expected"),
    [("llama 2 details", "llama-2-commercial"), ("Llama 3.1 in a nutshell", "llama-3-1")],
)
def test_the_one_release_named_gets_its_own_fact_not_the_list_of_versions(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected


def test_a_fact_with_one_quote_naming_several_products_is_no_overview(engine: Engine) -> None:
    """"Llama in Facebook, Instagram and WhatsApp" names several products in one quote: a
    question on Llama is not sent on to another fact naming Llama alone."""
    question = "Does Meta use Llama only for outside developers, or in its own apps too?"
    assert engine.answer(question).fact_id == "llama-internal-use"


@pytest.mark.parametrize(
    "question",
    [
        "what does scale ai actually do?",
        "what does the open compute project actually do",
        "what does OpenUK do?",
        "what does pytorch do",
        "what does OpenUK do as an organisation?",
        "remind me what Scale AI actually does",
    ],
)
def test_what_a_company_or_product_does_is_not_told_by_a_fact_that_only_names_it(
    engine: Engine, question: str
) -> None:
    """Meta's stake in Scale AI says nothing of what Scale AI does: the bot says so and
    offers the fact naming it."""
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:business"
    assert answer.suggestions
    assert dont_know(answer).endswith("doesn't say what that company or product does.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what does llama do", "llama-family"),  # a phrasing asks what Llama is
        ("what does meta do with llama", "llama-family"),  # asks more than its business
        ("what does Zuckerberg do at Meta?", "who-is-mark-zuckerberg"),  # a person's job
    ],
)
def test_what_a_thing_does_is_answered_where_the_base_tells_it(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize("question", ["would meta ever refuse to release a model?", "could Meta decline to release a model?"])
def test_refusing_to_release_is_holding_back(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "holding-back-unsafe-models"


@pytest.mark.parametrize(
    "question",
    [
        "is Meta going open because it has to, or because it sees a chance?",
        "did meta go open because it had no choice?",
        "Is Meta opening up out of desperation, or because it spots an opportunity?",
    ],
)
def test_having_to_or_seeing_a_chance_is_necessity_or_opportunity(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "necessity-and-opportunity"


def test_forcing_someones_hand_is_no_necessity_of_meta(engine: Engine) -> None:
    """"forced into", "no choice" are necessity; "what's forcing Meta's hand" asks the pressure."""
    assert engine.answer("whats forcing metas hand on opening the new models").fact_id != "necessity-and-opportunity"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("are other AI labs getting cagey about their top models too?", "industry-caution-trend"),
        ("why does Zuck think AI only turns out well if it's open?", "open-source-necessary"),
        ("why does Zuck frame open source as a must-have for AI going well?", "open-source-necessary"),
    ],
)
def test_everyday_words_for_caution_and_a_good_outcome(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


def test_a_need_of_the_asker_is_no_necessity_of_open_source(engine: Engine) -> None:
    assert engine.answer("how do the sources introduce mark zuckerberg? need his role for the slide").fact_id != (
        "open-source-necessary"
    )


@pytest.mark.parametrize("question", ["alexandr wang salary", "what's Zuckerberg's compensation?"])
def test_a_salary_is_money_no_fact_gives(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    "question", ["is meta's open source stance set in stone?", "could Meta flip its open-source stance later?"]
)
def test_set_in_stone_or_flipping_asks_whether_meta_may_reconsider(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "reconsider-open-source-stance"


@pytest.mark.parametrize(
    "question",
    ["LF study sample size?", "what was the sample size of the Linux Foundation survey?", "how many respondents did the study have?"],
)
def test_how_many_a_survey_asked_is_a_count_its_shares_do_not_give(engine: Engine, question: str) -> None:
    """"two-thirds" and "nearly half" are shares of those asked, not how many were asked."""
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:count"
    assert answer.suggestions[0].fact_id == "linux-foundation-study"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what's in it for developers with open source AI?", "developers-benefit"),
        ("how does Meta come out ahead when outsiders improve its open models?", "community-refines-models"),
    ],
)
def test_whats_in_it_for_someone_asks_how_they_benefit(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    "question",
    [
        "whats the point of all the gpu buying plus the scale ai deal, what does it say about what meta wants",
        "how does the scale ai deal tie into meta's bigger ambitions in AI?",
    ],
)
def test_the_scale_ai_deal_is_the_acquisition_the_blog_reads_ambition_into(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "ai-leadership-pursuit"


def test_both_sticking_around_is_coexisting(engine: Engine) -> None:
    question = "Long term, does open or closed AI win, or do both stick around?"
    assert engine.answer(question).fact_id == "open-closed-coexist"


def test_what_a_person_says_of_a_company_is_no_claim_of_their_employer(engine: Engine) -> None:
    assert engine.answer("what does LeCun say about OpenAI").fact_id != "who-is-yann-lecun"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("does the blog mention open washing anywhere", "open-washing"),
        ("does the gizmodo article talk about the scale ai deal", "scale-ai-stake"),
    ],
)
def test_whether_a_source_mentions_what_another_source_tells_is_not_answered(
    engine: Engine, question: str, fact_id: str
) -> None:
    """The fact that tells it quotes another source: offered, not stated as the named one's."""
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:source"
    assert answer.suggestions[0].fact_id == fact_id
    assert dont_know(answer).endswith("comes from another source than the one you named.")


def test_whether_a_source_mentions_what_it_does_tell_is_answered(plain_engine: Engine) -> None:
    engine = plain_engine  # how the question is read, without the gate's doubt (see conftest)
    assert engine.answer("does the gizmodo-based piece mention open washing?").fact_id == "open-washing"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("will meta keep using llama inside facebook, insta and whatsapp?", "llama-internal-use"),
        ("is open source going to stay a cornerstone of ai development?", "open-source-cornerstone"),
        ("will Meta buy the rest of Scale AI?", None),  # what is to come, of a stake held
        ("will llama stay free?", None),  # an adjective alone: what is to come
    ],
)
def test_whether_something_stays_as_it_is_is_answered_by_how_it_is(
    engine: Engine, question: str, expected: str | None
) -> None:
    answer = engine.answer(question)
    assert answer.fact_id == expected
    if expected is None:
        assert answer.reason == "not_given:future"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how does the Gizmodo piece end?", "strengthen-place-lead"),
        ("how does the blog post begin?", "strategic-pivot"),
        ("what's the last line of the essay article?", "power-not-concentrated"),
        ("how does the LeCun article open?", "lecun-collective-model"),
        ("how does the podcast writeup end?", "openness-security-balance"),  # the notes, not the article quoting a podcast
    ],
)
def test_how_a_text_opens_or_ends_is_the_fact_quoting_it_first_or_last(
    engine: Engine, question: str, expected: str
) -> None:
    """"end" is no end result and "open" no open source when a text is asked how it ends or opens."""
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what does the podcast conclude?", "open-source-cornerstone"),  # what it concludes, not its last line
        ("how did the blog say Llama 2 ended up open to businesses?", "llama-2-commercial"),  # asks more
        ("how does open source help developers?", "developers-benefit"),  # no text pointed at
    ],
)
def test_a_question_asking_more_than_where_a_text_opens_or_ends_is_read_as_usual(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "position"),
    [
        ("how does the gizmodo article end?", "end"),
        ("how do the notes open", "start"),
        ("the first paragraph of the blog", "start"),
        ("the ending of the lecun piece", "end"),
        ("what does the blog say about open source", None),
        ("how does open source help", None),
    ],
)
def test_where_in_a_text_a_question_asks(question: str, position: str | None) -> None:
    assert question_reading.asks_position(words(question)) == position


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did LeCun, not Altman, say about regulation?", "lecun-careful-regulation"),
        ("what did Gizmodo, not Meta, say about opening the models?", "gizmodo-sucks-line"),
        ("the stake in Scale AI, not OpenAI - how big is it?", "scale-ai-stake"),
        # a name the sources never mention, offered as what it might have been
        ("what did Gizmodo - or was it The Verge? - say about Meta opening its models", "gizmodo-sucks-line"),
    ],
)
def test_a_name_ruled_out_is_no_subject_of_the_question(engine: Engine, question: str, expected: str) -> None:
    assert engine.answer(question).fact_id == expected


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # formal framing says nothing of what is asked
        ("Please confirm the proportion of Scale AI owned by Meta.", "scale-ai-stake"),
        ("Clarification is sought as to the position held by Mr. LeCun.", "who-is-yann-lecun"),
        ("Kindly state the office held by Mr. Altman.", "who-is-sam-altman"),
        # a possessive typed without its apostrophe still asks the person's post
        ("remind me of mark zuckerbergs title", "who-is-mark-zuckerberg"),
        # "anticipated" is "expected"
        ("what is anticipated of llama 4", "llama-4"),
        # a message sent before its last word was done
        ("what did zuck say about the open source framew", "developers-benefit"),
        ("altman on the all-in podcast, his point on oversi", "altman-international-oversight"),
    ],
)
def test_formal_and_cut_off_questions(engine: Engine, question: str, fact_id: str) -> None:
    answer = engine.answer(question)
    assert answer.fact_id == fact_id, (answer.status, answer.reason, answer.fact_id)


@pytest.mark.parametrize(
    "question",
    [
        "Kindly advise on the procedure for submitting a question to this bot.",
        "Is this the appropriate channel for questions about Meta's open models?",
        "What is the scope of matters this service may be consulted on?",
        "Thank you for your assistance.",
        "do you show the quote when you answer a question",
    ],
)
def test_formal_questions_about_the_bot_get_help(engine: Engine, question: str) -> None:
    assert engine.answer(question).status == "help"


def test_a_whole_word_at_the_end_is_not_read_as_cut_off(engine: Engine) -> None:
    # "press" is a word of its own, not "pressure" cut off; "late" is too short to tell.
    assert engine._completed("press") is None and engine._completed("late") is None
    assert engine._completed("leadersh") == engine.canon("leadership")
    assert not engine.answer("is the cafeteria open late").answered


def test_what_something_shows_is_asked_of_the_fact_saying_so(engine: Engine) -> None:
    # "How much is Meta spending on GPUs?" gives the spending, not what it says of Meta's aims.
    assert engine.answer("what does the spending on gpus tell us about meta's goals").fact_id == "ai-leadership-pursuit"
    # What a text or a person says is what they say, no reading of it.
    assert engine.answer("what does the blog say about llama 4?").fact_id == "llama-4"
    assert engine.answer("what did the critics say about open washing?").fact_id == "open-washing"


def test_words_asking_what_something_shows() -> None:
    from bot.question_reading import asks_what_it_shows

    assert asks_what_it_shows(words("what do the GPU buys signal"))
    assert asks_what_it_shows(words("what does all that spending tell us about Meta"))
    assert not asks_what_it_shows(words("what does the report say about costs"))
    assert not asks_what_it_shows(words("what did Altman say about oversight"))
    assert not asks_what_it_shows(words("how much is Meta spending"))


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("list the traits of closed models from openai and google", "closed-models-openai-google"),
        ("which pressures pushed meta to open source its new models", "competitive-pressure-response"),
    ],
)
def test_points_a_text_makes_are_told_not_named(engine: Engine, question: str, fact_id: str) -> None:
    # "which pressures", "list the traits": answered by what the fact says, with no names of a kind
    assert engine.answer(question).fact_id == fact_id
    assert not engine.answer("which hospitals use Meta's clinical tools?").answered  # names asked, none given


def test_other_companies_and_other_industries_are_one_thing_each(engine: Engine) -> None:
    # "other firms" are the other companies a fact says may follow, not "U.S. companies"
    assert engine.answer("might other firms follow zuck and go open as well").fact_id == "influence-on-other-companies"
    assert engine.answer("could open sourcing widen meta's sway in other fields?").fact_id == "influence-across-sectors"


@pytest.mark.parametrize(
    "question",
    ["what is apple's take on open-source models?", "has apple released an open llm", "why won't apple share its AI?"],
)
def test_a_company_named_only_for_its_goods_is_not_what_the_fact_is_about(engine: Engine, question: str) -> None:
    """The base names Apple only as iOS's maker ("Apple's proprietary iOS", "Apple devices")."""
    assert engine._by_id["android-vs-ios"].owners_only.keys() == {engine.canon("apple"), engine.canon("google")}
    assert not engine.answer(question).answered


@pytest.mark.parametrize(
    "question", ["why compare apple's ios with google's android?", "the phone comparison, Apple vs Google?"]
)
def test_asked_of_their_goods_the_company_is_still_the_facts(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "android-vs-ios"


@pytest.mark.parametrize(
    "question",
    ["has Meta held back any model yet?", "have they actually kept a frontier model closed so far?"],
)
def test_asking_whether_something_has_happened_needs_a_fact_that_says_it_has(engine: Engine, question: str) -> None:
    # The fact tells a contingency ("a contingency to hold back future models"), not that it was used.
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:happened"
    assert dont_know(answer) == f"{DONT_KNOW} The closest fact I have doesn't say that it has happened."


def test_asking_what_would_happen_or_what_did_happen_is_still_answered(engine: Engine) -> None:
    # "would ... ever" asks the plan, which the fact tells; what a fact says did happen answers "did ... ever"
    assert engine.answer("would meta ever hold back a model").fact_id == "holding-back-unsafe-models"
    assert question_reading.asks_if_it_happened(words("has meta ever held back a model"))
    assert not question_reading.asks_if_it_happened(words("would meta ever hold back a model"))
    assert not question_reading.asks_if_it_happened(words("did the article think devs would actually contribute"))
    assert not question_reading.asks_if_it_happened(words("has meta held back a model"))  # no "ever", "yet", ...


@pytest.mark.parametrize(
    "question",
    ["what are Llama 4's variants called?", "give me the names of the llama 4 variants", "list every llama 4 variant"],
)
def test_names_of_one_releases_variants_need_a_fact_naming_them(engine: Engine, question: str) -> None:
    # The versions fact names Llama 2, 3.1 and 4, and says Llama 4 has variants, naming none.
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "not_given:kind"


def test_the_releases_of_a_family_are_still_named_by_the_versions_fact(engine: Engine) -> None:
    assert engine.answer("which llama versions are out?").fact_id == "llama-versions"
    assert engine.answer("what are all the llama releases called?").fact_id == "llama-versions"
    assert not engine.answer("name of the licence llama is released under?").answered  # the licence, not Llama
    assert question_reading.name_asked_for(words("what is the name of the license llama ships under")) == [
        "license",
        "llama",
        "ships",
    ]


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("which sectors might a worldwide open model shake up?", "global-model-use-cases"),
        ("could going open rewrite the standards of the AI industry?", "redefine-industry-standards"),
        ("how does meta juggle openness and safety?", "openness-security-balance"),
        ("why are some folks cynical about the announcement while others are hopeful?", "skepticism-and-hope"),
        ("could openness put meta ahead of the pack?", "strengthen-place-lead"),
        ("how much does FB pour into GPUs?", "gpu-spending"),
    ],
)
def test_everyday_words_for_what_the_facts_say_are_read_as_their_words(
    engine: Engine, question: str, fact_id: str
) -> None:
    # "shake up" is transform, "rewrite" redefine, "juggle" balance, "cynical" sceptical, "ahead
    # of the pack" leadership; "FB" is Facebook's and so Meta's short name
    assert engine.answer(question).fact_id == fact_id


def test_fearing_lock_in_is_the_lock_in_fact_and_the_business_model_is_zuckerbergs(engine: Engine) -> None:
    # Two sources say Meta avoids a rival's closed ecosystem; the blog's fact is about that, the
    # essay's about Meta's business model. Either offers the other as related.
    assert engine.answer("why won't meta rely on a competitor's closed platform?").fact_id == "avoid-vendor-lock-in"
    assert engine.answer("what did zuck write about meta's business model?").fact_id == "meta-business-model"
    assert "avoid-vendor-lock-in" in engine._by_id["meta-business-model"].related


def test_a_long_synonym_misspelt_is_read_as_the_word_it_means(engine: Engine) -> None:
    # The base writes "vulnerabilities"; "vulnerability", a synonym, is known misspelt too.
    assert engine._correct("vulnerabilty") == "vulnerability"
    assert engine._correct("charitible") == "charitable"
    assert engine.answer("how do open models raise the vulnerabilty risk?").fact_id == "security-vulnerability-risk"
    # A short synonym is not: "flagged" is no slip of "lagged", nor "rumour" of "humour".
    assert engine._correct("flagged") != "lagged"
    assert engine._correct("rumour") != "humour"


def test_how_big_a_deal_asks_how_much_it_matters_not_a_figure(engine: Engine) -> None:
    assert "number" not in question_reading.question_types(words("how big a deal is llama for meta"))
    assert "number" not in question_reading.question_types(words("how much of a risk is opening models"))
    assert "number" in question_reading.question_types(words("how big a stake does meta hold"))
    assert "number" in question_reading.question_types(words("how much of scale ai does meta own"))


def test_a_text_named_by_two_words_of_its_title_is_cited(engine: Engine) -> None:
    # "Meta's risky move to open-source its AI models": "risky move" names it, "open-source" (the
    # base's whole subject) does not
    assert engine._analyze("per the risky move piece, how do google and openai differ?").cited == {"gizmodo-risky-move"}
    assert engine._analyze("in the risky-move article, what's the take on licences?").cited == {"gizmodo-risky-move"}
    assert engine._analyze("in the open source article, what's the take on licences?").cited == frozenset()
    assert engine.answer("how does google's approach differ from meta's, per the risky move piece").fact_id == (
        "gemma-and-gpt"
    )


def test_naming_a_facts_own_source_asks_nothing_of_anyone_else(engine: Engine) -> None:
    # Gizmodo is what the risky-move article is based on; a person is no outlet.
    assert engine._by_id["smaller-players-calculated-risk"].source_keys == {"gizmodo"}
    assert engine._by_id["android-vs-ios"].source_keys == frozenset()
    assert engine.answer("gizmodo says it's a calculated risk, who benefits?").fact_id == (
        "smaller-players-calculated-risk"
    )
    # someone else's text is still someone else's: the LeCun piece is no text of Zuckerberg's
    parts = next(p for p in engine.rank("did zuckerberg propose the global model?") if p.fact_id == "lecun-collective-model")
    assert "entity" in parts.penalties


def test_how_people_took_a_plan_asks_how_they_reacted(engine: Engine) -> None:
    # "taken" before the plan made known asks the reaction, as before "the news"
    assert engine.answer("how has the community taken meta's plan to open its models?").fact_id == "public-reactions"


@pytest.mark.parametrize(
    "question",
    [
        "why is sam altman in a piece about meta's plans? who is he",
        "you brought up altman and his podcast appearance - who is he exactly?",
    ],
)
def test_who_is_he_after_a_description_asks_who_the_one_person_named_is(engine: Engine, question: str) -> None:
    assert engine.answer(question).fact_id == "who-is-sam-altman"


def test_a_name_naming_a_text_is_not_the_person_asked_who_he_is(engine: Engine) -> None:
    # "the LeCun article" says where; the man asked about is somebody else in it
    assert engine.answer("the openai guy halfway through the lecun article, who is he exactly").fact_id != (
        "who-is-yann-lecun"
    )


def test_who_made_a_thing_names_it_for_which_one_it_is(engine: Engine) -> None:
    # "The study, published by Linux Foundation Research": which study is answered
    assert ("study", ("linux", "foundation", "research")) in question_reading.nouns_named(
        "The study, published by Linux Foundation Research, found that costs fall."
    )
    assert engine.answer("which study did the blog quote on costs?").fact_id == "linux-foundation-study"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("which artcile brings up the decentralized data centers?", "decentralized-data-centers"),
        ("which text uses india as its example of languages and dialects?", "linguistic-diversity-india"),
    ],
)
def test_which_text_asks_which_source_misspelt_or_not(engine: Engine, question: str, fact_id: str) -> None:
    # every answer says which text it quotes: no names of a kind are wanted
    assert engine.answer(question).fact_id == fact_id


def test_who_gains_offering_a_group_is_answered_by_a_fact_speaking_of_it(engine: Engine) -> None:
    # "who benefits, competitors?" is answered by a fact on what competitors gain; "who
    # benefits from open-source AI?" is not by one that only names benefits (see above)
    assert engine.answer("who else gains when meta hands its models out, rivals?").fact_id == "competitors-benefit-risk"
    assert engine._analyze("who stands to gain from it, startups?").groups_offered == {engine.canon("startups")}
    assert not engine._analyze("who leads meta's ai lab, researchers?").groups_offered  # leading is no gaining


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("is llama gaining traction?", "llama-tenfold-growth"),  # growth, not adoption by farmers
        ("was the essay a shot at google and openai?", "zuckerberg-essay-argument"),
        ("can't wait for llama 4, what is it meant to do?", "llama-4"),  # excitement frames the question
        ("i always forget what open washing refers to", "open-washing"),  # a roundabout asker's hedge
    ],
)
def test_chat_idioms_read_as_what_they_mean(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("is meta open sourcing just to be nice?", "strategic-not-philanthropic"),
        ("in zuckerberg's own words, why does meta's business need open source?", "meta-business-model"),
        ("wait, how much of scale ai does meta own?", "scale-ai-stake"),
    ],
)
def test_being_nice_is_philanthropy_and_own_words_or_wait_only_frame(engine: Engine, question: str, fact_id: str) -> None:
    assert engine.answer(question).fact_id == fact_id


def test_two_letters_typed_the_wrong_way_round_in_a_short_word_are_corrected(engine: Engine) -> None:
    assert engine._correct("opne") == "open"
    assert engine._correct("plna") == "plan"
    # a common word of four letters is the word its asker meant: "meat" is not "meta"
    assert engine._correct("meat") is None
    assert engine.answer("whats opne washing").fact_id == "open-washing"


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("is meta opening up out of desperation, like a losing team switching tactics?", "is meta opening up out of desperation?"),
        ("did meta keep models secret in the past, apple style?", "did meta keep models secret in the past?"),
        ("is meta crowdsourcing its r&d the way game studios lean on modders?", "is meta crowdsourcing its r&d?"),
        # not a likeness: a wish, an example named, a style that says what a thing is
        ("i'd like to know what lecun said", "i'd like to know what lecun said"),
        ("does lecun name a law, like the EU AI Act?", "does lecun name a law, like the EU AI Act?"),
        ("did altman want an IAEA-style agency", "did altman want an IAEA-style agency"),
    ],
)
def test_a_likeness_drawn_to_make_a_question_clear_is_no_part_of_it(question: str, plain: str) -> None:
    assert question_reading.without_likeness(question) == plain


def test_a_question_drowned_by_its_likeness_is_answered_without_it(engine: Engine) -> None:
    answer = engine.answer("did meta keep its best models to itself in the past, apple style?")
    assert answer.fact_id == "historically-under-wraps"
    assert answer.matched_part == "did meta keep its best models to itself in the past?"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the names the press gives companies and people by what they are known for
        ("what did the ChatGPT maker's chief executive tell All-In", "altman-international-oversight"),
        ("how much did the Facebook parent pay for GPUs", "gpu-spending"),
        ("who is the facebook founder and what does he do now", "who-is-mark-zuckerberg"),
    ],
)
def test_a_company_or_person_named_by_what_they_are_known_for_is_read_as_named(
    engine: Engine, question: str, expected: str
) -> None:
    assert engine.answer(question).fact_id == expected


def test_the_product_a_company_is_known_for_is_not_the_company(engine: Engine) -> None:
    assert engine.answer("is chatgpt open source?").reason == "unknown_entity:ChatGPT"


def test_a_place_the_asker_sits_in_is_not_what_they_ask_about(engine: Engine) -> None:
    answer = engine.answer("how much does Meta spend on GPUs? asking for our Paris team")
    assert answer.fact_id == "gpu-spending"
    # a place asked about is: the sources say nothing of Meta in Europe
    assert engine.answer("what is Meta's AI strategy in Europe?").reason == "unknown_entity:Europe"
