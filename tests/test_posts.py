"""The posts the sources say people hold, and questions read with a post's holder named."""

from __future__ import annotations

from bot.engine import Engine
from bot.models import FactBase
from bot.posts import Post, PostReader, posts_in

PEOPLE = ["Mark Zuckerberg", "Yann LeCun", "Sam Altman", "Alexandr Wang"]
COMPANIES = ["Meta", "OpenAI", "Google"]


def test_posts_are_learned_where_a_source_writes_them_beside_a_name() -> None:
    texts = [
        "Meta CEO Mark Zuckerberg called for an open-source future.",
        "Meta’s Chief AI Scientist, Yann LeCun, has put forward an ambitious idea.",
        "Sam Altman, CEO of OpenAI, recently voiced similar concerns.",
        "Under the leadership of its Chief AI Officer Alexandr Wang, Meta is preparing new models.",
        "Meta and Yann LeCun agree.",  # a company beside a name is no post
    ]
    assert set(posts_in(texts, PEOPLE, COMPANIES)) == {
        Post(person="Mark Zuckerberg", title="CEO", at="Meta"),
        Post(person="Yann LeCun", title="Chief AI Scientist", at="Meta"),
        Post(person="Sam Altman", title="CEO", at="OpenAI"),
    }  # whose post "its Chief AI Officer" is would be a guess


def test_a_post_split_over_lines_is_learned_and_one_written_twice_once() -> None:
    texts = ["Meta CEO\nMark Zuckerberg wrote.", "Meta CEO Mark Zuckerberg said."]
    assert posts_in(texts, PEOPLE, COMPANIES) == [Post(person="Mark Zuckerberg", title="CEO", at="Meta")]
    assert posts_in(texts, [], COMPANIES) == [] and posts_in(texts, PEOPLE, []) == []


def _reader() -> PostReader:
    posts = [
        Post(person="Mark Zuckerberg", title="CEO", at="Meta"),
        Post(person="Sam Altman", title="CEO", at="OpenAI"),
        Post(person="Yann LeCun", title="Chief AI Scientist", at="Meta"),
    ]
    synonyms = {"ceo": "ceo", "chief": "ceo", "boss": "ceo", "chief executive": "ceo"}
    return PostReader(posts, synonyms=synonyms, other_names={"Facebook": "Meta"})


def test_a_post_is_read_as_its_holder_however_it_is_typed() -> None:
    reader = _reader()
    for question, reading in [
        ("What was OpenAI's CEO arguing for?", "What was Sam Altman arguing for?"),
        ("what did the head of openai say", "what did Sam Altman say"),
        ("why does the Meta boss think so", "why does Mark Zuckerberg think so"),
        ("the chief executive of Facebook wrote", "Mark Zuckerberg wrote"),  # a former name
        ("what did metas AI scientist propose", "what did Yann LeCun propose"),
        ("what did the chief AI scientist propose", "what did Yann LeCun propose"),  # one holds it
    ]:
        assert reader.with_holders(question) == reading, question


def test_asking_who_runs_a_company_is_read_as_asking_who_its_head_is() -> None:
    reader = _reader()
    for question, reading in [
        ("who heads OpenAI?", "who is Sam Altman?"),
        ("Who runs Meta", "who is Mark Zuckerberg"),
        ("who's in charge of Facebook?", "who is Mark Zuckerberg?"),  # a former name
        ("who’s at the helm at openai", "who is Sam Altman"),
        ("so who currently leads the Meta?", "so who is Mark Zuckerberg?"),
    ]:
        assert reader.with_holders(question) == reading, question
    for question in [
        "who leads Meta's AI research?",  # something of the company's, not the company
        "who runs OpenAI's safety team",
        "who heads Google?",  # no source says who that is
    ]:
        assert reader.with_holders(question) == question, question


def test_a_post_of_another_company_or_another_post_is_left_as_it_is() -> None:
    reader = _reader()
    for question in [
        "what did Google's CEO say",  # no source says who that is
        "what did the CEO say",  # Meta's or OpenAI's
        "what is Meta's chief AI officer preparing",  # "chief" alone begins another post
        "the metaverse boss",
    ]:
        assert reader.with_holders(question) == question
    assert not PostReader([], synonyms={}, other_names={})


def test_a_question_asking_by_post_is_answered_from_its_holders_facts(engine: Engine) -> None:
    for question, fact_id in [
        ("What did OpenAI's head tell the All-In podcast about supervising AI worldwide?", "altman-international-oversight"),
        ("what reason does the Meta CEO give that AI needs openness to benefit humanity?", "open-source-necessary"),
        ("who's in charge over at OpenAI these days?", "who-is-sam-altman"),
    ]:
        answer = engine.answer(question)
        assert answer.fact_id == fact_id and answer.question == question, question
        assert answer.matched_part is not None and "CEO" not in answer.matched_part and "head" not in answer.matched_part


def test_a_question_naming_its_person_is_not_read_by_post(engine: Engine) -> None:
    # "did Sam Altman replace the Meta CEO?" asks of the post itself, not of Mark Zuckerberg
    question = "did Sam Altman replace the Meta CEO recently?"
    assert not engine.answer(question).answered
    assert not any("Zuckerberg" in reading for reading in engine._readings(question))
    assert any("Zuckerberg" in reading for reading in engine._readings("did the Meta CEO step down recently?"))


def test_the_real_sources_teach_the_posts_of_the_people_they_name(fact_base: FactBase) -> None:
    people = [name for name, kind in fact_base.entity_kinds.items() if kind == "person"]
    companies = [name for name, kind in fact_base.entity_kinds.items() if kind == "company"]
    found = posts_in((source.body for source in fact_base.sources.values()), people, companies)
    assert {(post.person, post.title.lower(), post.at) for post in found} >= {
        ("Mark Zuckerberg", "ceo", "Meta"),
        ("Sam Altman", "ceo", "OpenAI"),
        ("Yann LeCun", "chief ai scientist", "Meta"),
    }
