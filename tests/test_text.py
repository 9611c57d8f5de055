"""Text helpers: the words of a chat message, and the question inside it."""

from __future__ import annotations

import pytest

from bot.text import (
    STOPWORDS,
    asks_more_than,
    pieces,
    question_parts,
    reads_as_question,
    site_name,
    stem,
    halves_as_shares,
    without_asker,
    without_askers_setting,
    without_filler,
    without_idioms,
    without_links,
    without_purpose,
    without_format,
    without_told_simply,
    without_verb_take,
    words,
)


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("Sorry to bother you, but how much of Scale AI does Meta own?", ["how much of Scale AI does Meta own?"]),
        ("hey team! quick one: who is Alexandr Wang?", ["who is Alexandr Wang?"]),
        ("What is open washing? people keep accusing Meta of it", ["What is open washing?"]),
        ("Is Llama open; is Gemma open?", ["Is Llama open", "is Gemma open?"]),
        # A possessive after a name points at that name, inside the part.
        ("ok so: when did Zuckerberg publish his essay?", ["when did Zuckerberg publish his essay?"]),
        # Two questions joined by "and"; a part may open with "remind me" or "so" before its question word.
        ("remind me, who is Yann LeCun and why does he matter?", ["remind me, who is Yann LeCun"]),
        ("what is open washing and who's behind the term?", ["what is open washing", "who's behind the term?"]),
        ("what is open washing and who coined the term?", ["what is open washing", "who coined the term?"]),
        ("who is Yann LeCun and how much of Scale AI does Meta own?",
         ["who is Yann LeCun", "how much of Scale AI does Meta own?"]),
        ("who is Yann LeCun and what year did Zuckerberg publish the essay?",
         ["who is Yann LeCun", "what year did Zuckerberg publish the essay?"]),
        ("who is Yann LeCun and which Llama model is the biggest?",
         ["who is Yann LeCun", "which Llama model is the biggest?"]),
        ("Didn't read the essay: how many countries signed up?", ["how many countries signed up?"]),
        # A question may ask in the negative.
        ("didn't Meta keep its AI secret? when did that change?", ["didn't Meta keep its AI secret?"]),
        # A question mark typed straight into the next question still ends the first.
        ("How much of Scale AI does Meta own?Also,who is Alexandr Wang?",
         ["How much of Scale AI does Meta own?", "Also,who is Alexandr Wang?"]),
        ("Who is Yann LeCun?Who's Sam Altman?", ["Who is Yann LeCun?", "Who's Sam Altman?"]),
        ("Who is Yann LeCun??Who is Sam Altman?", ["Who is Yann LeCun??", "Who is Sam Altman?"]),
        ("What came with Llama 3.1?Who is Sam Altman?", ["What came with Llama 3.1?", "Who is Sam Altman?"]),
        # Each line of a message is a part of its own.
        ("who is yann lecun\nwho is sam altman", ["who is yann lecun", "who is sam altman"]),
        ("Hi bot,\nhow much of Scale AI does Meta own?\nthanks", ["how much of Scale AI does Meta own?"]),
        # Not a question mark inside a link.
        ("How much of Scale AI does Meta own? see https://example.com/a?id=abc&utm_source=x",
         ["How much of Scale AI does Meta own?"]),
        # "It" after a name in the same question points at the name, not at another part.
        ("My manager says Meta is hedging. What do Meta's investments say about what it's aiming for?",
         ["What do Meta's investments say about what it's aiming for?"]),
        # "That" opening a clause after a noun or a verb of saying points at nothing before.
        ("Prepping talking points. Does the article say that strict regulation could stifle innovation?",
         ["Does the article say that strict regulation could stifle innovation?"]),
        ("Reading group notes. What's the idea LeCun floated about a model that every nation contributes to?",
         ["What's the idea LeCun floated about a model that every nation contributes to?"]),
        # "These", "that" before the texts answers come from; "is it true" points at what follows.
        ("Glossary for onboarding. Who is Sam Altman in these sources?", ["Who is Sam Altman in these sources?"]),
        ("There's a line on Llama. What was the series aimed at, according to that piece?",
         ["What was the series aimed at, according to that piece?"]),
        ("Client call tomorrow. Is it true Meta plans to open source its new models?",
         ["Is it true Meta plans to open source its new models?"]),
        # The other way a question offers may point at its first way.
        ("My manager forwarded the piece. Is Meta planning to open source its new models, or is that speculation?",
         ["Is Meta planning to open source its new models, or is that speculation?"]),
        # A question may open with a phrase set off by a comma.
        ("Partners keep asking. Per the podcast notes, is Meta open to changing its approach?",
         ["Per the podcast notes, is Meta open to changing its approach?"]),
        ("Board memo again. In Zuckerberg's own words, what does the business model require?",
         ["In Zuckerberg's own words, what does the business model require?"]),
    ],
)
def test_the_questions_inside_a_longer_message_are_found(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


@pytest.mark.parametrize(
    "message",
    [
        "How much of Scale AI does Meta own?",  # one part: nothing to split
        "Llama 3.1 is out, and it is big",  # no part asks anything
        "Zuckerberg wrote an essay. How does that lead him to open source?",  # "that", "him"
        "I read about the deal, but what did they pay?",  # "they"
        "I read about Meta, but what is its stake?",  # "its" with no name before it in the part
        "Llama 3.1 is out and Meta says so",  # "3.1" is not a sentence's end
        "Meta. ?! ...",  # punctuation asks nothing
        "Meta and Google and OpenAI",  # "and" before a name joins words, not questions
        "remind me about Llama and how it grew",  # "remind me about" opens no question
        "Is there a link between Llama and how Meta makes money?",  # "how Meta makes money" asks nothing alone
        "How do the study's numbers and what Zuckerberg said line up?",
        "Don't tell me about Llama again. Can't find the essay anywhere.",  # statements, not questions
        "Saw the thread. Can you spell out both sides of that?",  # "that" after a preposition points back
        "Read the blog. What's the gist of that risk?",  # "that" before a noun of its own points back
        "Heard about the deal. So what, they think it helps?",  # a phrase before the comma, then "they"
    ],
)
def test_parts_that_lean_on_the_rest_of_the_message_are_not_questions_of_their_own(message: str) -> None:
    assert question_parts(message) == []


def test_a_name_known_in_lower_case_is_a_name_a_possessive_points_at() -> None:
    message = "Client call tomorrow. so does meta plan to open source its new models?"
    assert question_parts(message) == []  # "its" with no capitalised name before it
    assert question_parts(message, known_name=lambda word: word == "meta") == [
        "so does meta plan to open source its new models?"
    ]


def test_emoji_codes_are_not_words_but_times_and_versions_stay() -> None:
    assert words("how much of scale ai does meta own :thinking_face: :+1:") == "how much of scale ai does meta own".split()
    assert words("is llama 4 out <:llama:112233445566> <a:party:998877>") == ["is", "llama", "4", "out"]
    assert words("the 10:30:45 call: llama 3.1") == ["the", "10", "30", "45", "call", "llama", "3.1"]


def test_a_number_written_onto_a_name_is_its_version_but_one_running_into_letters_is_a_word() -> None:
    assert words("is llama4 out, and llama3.1?") == ["is", "llama", "4", "out", "and", "llama", "3.1"]
    assert words("was llama leaked on 4chan, in 4K or 3D?") == ["was", "llama", "leaked", "on", "4chan", "in", "4k", "or", "3d"]
    # After a lone letter, a code: "Q3" is a quarter, "H100" a chip.
    assert words("Q3 revenue on H100s") == ["q3", "revenue", "on", "h100s"]


def test_us_in_capitals_is_the_country_as_u_s_is() -> None:
    assert words("should US companies work with the government") == words("should U.S. companies work with the government")
    assert "us" in words("can you tell us about llama") and "us" in words("WHAT DOES THIS MEAN FOR US")


def test_showing_up_is_framing() -> None:
    assert without_idioms(words("why does India show up in the article")) == words("why does India in the article")
    assert without_idioms(words("where did OpenUK pop up")) == words("where did OpenUK")


def test_a_claim_closed_to_check_it_keeps_only_the_claim() -> None:
    assert without_idioms(words("meta owns 49% of scale ai - true?")) == words("meta owns 49% of scale ai")
    assert without_idioms(words("lecun wants careful regulation, is that correct?")) == words("lecun wants careful regulation")
    assert without_idioms(words("is it true")) == words("is it true")  # too short to be a claim closed
    assert without_idioms(words("is the 49% figure accurate?")) == words("is the 49% figure")


def test_framing_idioms_are_dropped_wherever_they_stand() -> None:
    assert without_idioms(words("what's the deal with Alexandr Wang")) == ["alexandr", "wang"]
    assert without_idioms(words("whats the deal with Alexandr Wang")) == ["alexandr", "wang"]  # typed without the apostrophe
    assert without_idioms(words("Llama 4: any news on it? remind me")) == ["llama", "4", "it"]
    # The same words outside the idiom stay: the Scale AI deal is a subject of its own.
    assert without_idioms(words("what was the deal with Scale AI worth")) == words("what was the deal with Scale AI worth")
    # When, said only to frame the question: "going forward", "these days".
    assert without_idioms(words("how should AI be built going forward")) == words("how should AI be built")
    assert without_idioms(words("what is Meta doing these days")) == words("what is Meta doing")
    # How a roundabout asker hedges: "do you happen to know", "any idea", "in case it matters".
    assert without_idioms(words("do you happen to know if pooling data cuts bias")) == words("if pooling data cuts bias")
    assert without_idioms(words("any idea why Meta opened its models")) == words("why Meta opened its models")
    assert without_idioms(words("in case it matters, what's LeCun's role")) == words("what's LeCun's role")
    # "idea" of its own stays: LeCun's idea is a subject
    assert without_idioms(words("what's LeCun's idea")) == words("what's LeCun's idea")


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("is meta pro-OSS w/ govt regs?", ["is", "meta", "pro", "open", "source", "with", "government", "regulations"]),
        ("wat can u do b/c i need help w/o fuss", ["what", "can", "u", "do", "because", "i", "need", "help", "without", "fuss"]),
        ("w/meta", ["with", "meta"]),
        ("nxt llama b4 tmrw?", ["next", "llama", "before", "tomorrow"]),
        # Not inside a link's path, and not forms that mean more than one thing ("cos", "sec").
        ("https://example.com/w/abc", ["https", "example", "com", "w", "abc"]),
        ("one sec, cos i'm late", ["one", "sec", "cos", "im", "late"]),
    ],
)
def test_chat_shorthand_is_read_as_the_words_it_stands_for(message: str, read: list[str]) -> None:
    assert words(message) == read


def test_a_hyphenated_name_of_small_words_is_one_word_and_other_hyphens_split() -> None:
    assert words("the All-In podcast") == ["the", "allin", "podcast"]
    assert words("open-source, state-of-the-art, one-third") == ["open", "source", "state", "of", "the", "art", "one", "third"]


@pytest.mark.parametrize(("form", "base"), [("sought", "seek"), ("written", "write"), ("bought", "buy"), ("led", "lead")])
def test_an_irregular_verb_form_stems_as_its_base_word(form: str, base: str) -> None:
    assert stem(form) == stem(base)


def test_the_us_is_one_word_and_a_lone_u_is_you() -> None:
    assert words("U.S. companies") == words("US companies") == words("the U.S.A.")[1:] + ["companies"] == ["usa", "companies"]
    assert words("is it up to us?")[-1] == "us"  # the pronoun, in small letters
    assert "u" in STOPWORDS  # "hey bot u there?"


def test_own_after_an_owner_owns_nothing() -> None:
    assert words("Apple's own stance") == words("Apple's stance") == ["apple", "stance"]
    assert "own" in words("how much does Meta own")


def test_an_officer_is_not_an_office() -> None:
    assert stem("officer") == stem("officers") != stem("office")


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("organisation", "organization"),
        ("organisations", "organizations"),
        ("criticised", "criticized"),
        ("licence", "license"),
        ("defence", "defense"),
        ("organisational", "organizational"),
        ("sympathise", "sympathize"),  # -ise after "th", as -ize is written there
        ("centre", "center"),
        ("centres", "centers"),
        ("analyse", "analyze"),
        ("modelling", "modeling"),
    ],
)
def test_a_british_spelling_stems_as_the_american_one(british: str, american: str) -> None:
    assert stem(british) == stem(american)


def test_spelling_rules_keep_words_with_their_own_forms() -> None:
    # -ise that is not an American -ize stays, with its other forms.
    assert stem("advertise") == stem("advertisement") and stem("surprise") == stem("surprisingly")
    assert stem("promise") == stem("promises") and stem("install") == stem("installing")
    assert stem("unpromising") != stem("unpromizing") and stem("metropolises") == stem("metropolis")
    assert stem("monopolise") == stem("monopolize")
    # An -ing or -ed form stems as its -er or -or word does, British -our read as -or:
    # every form of "favour", "favor", "offer" agrees ("favor" strips "or", so "favored" must too).
    assert len({stem(w) for w in ("favour", "favoured", "favouring", "favor", "favored", "favoring")}) == 1
    assert stem("offer") == stem("offering") == stem("offered")
    # Words of their own ending in -our are no -or words: "devour" is no "dev(elop)".
    assert stem("devour") != stem("dev") and stem("detour") != stem("deter")
    # "metre" is no "meter": the stemmer would read it as "met".
    assert stem("metre") != stem("met")


def test_irregular_forms_that_are_words_of_their_own_are_left_alone() -> None:
    # "left" is a side, "found" a verb of its own, "given" a premise, "held" an event, not "holding" a stake.
    assert (stem("left"), stem("found"), stem("given")) == ("left", "found", "given")
    assert stem("held") != stem("hold")



@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("what about Llama 4", True),
        ("so why is that", True),
        ("interesting, and the stake?", True),
        ("tell me about Llama 4", True),
        ("explain open washing", True),
        ("how cool", False),
        ("what a great answer", False),
        ("thanks!", False),
        ("I disagree", False),
        ("interesting", False),
        ("ok", False),
        ("", False),
        ("Llama 4?pls", True),
        ("see https://example.com/a?utm_source=slack", False),  # a link's query string asks nothing
    ],
)
def test_a_message_reads_as_a_question_with_a_question_mark_or_word(message: str, asks: bool) -> None:
    assert reads_as_question(message) is asks


@pytest.mark.parametrize(
    ("message", "part", "more"),
    [
        ("who is Yann LeCun and what is his salary?", "who is Yann LeCun", True),
        ("Sorry to bother you, but how much of Scale AI does Meta own?", "how much of Scale AI does Meta own?", False),
        ("Who is Yann LeCun. How cool.", "Who is Yann LeCun.", False),
        ("What a day. Who is Yann LeCun?", "Who is Yann LeCun?", False),
        ("how much of Scale AI does Facebook own?", "how much of Scale AI does Meta own?", False),  # a renaming
        # A link's query string asks nothing.
        ("How much of Scale AI does Meta own? Source: https://ex.com/a?id=abc", "How much of Scale AI does Meta own?", False),
    ],
)
def test_a_message_asks_more_than_its_part_only_with_another_question(message: str, part: str, more: bool) -> None:
    assert asks_more_than(message, part) is more


@pytest.mark.parametrize(
    ("text", "opinion"),
    [
        ("What's LeCun's take on regulation?", True),
        ("Gizmodo\u2019s take", True),
        ("what is the take on open washing", True),
        ("lecun take on ai rules", True),
        ("any hot takes about Llama 4?", True),
        ("what stake did Meta take in Scale AI?", False),
        ("remind me, what size stake did Meta end up taking in Scale AI?", False),
        ("how did the crowd take the news?", False),
        ("Where could Meta take the lead?", False),
        ("has it been taken well?", False),
    ],
)
def test_take_is_an_opinion_only_after_an_owner_or_article_or_before_on(text: str, opinion: bool) -> None:
    kept = [w for w in words(without_verb_take(text)) if w.startswith("tak")]
    assert bool(kept) is opinion


@pytest.mark.parametrize(
    ("text", "reaction"),
    [
        ("how did the tech crowd take the news?", True),
        ("How has the community taken Meta's big open source move?", True),
        ("how are devs taking it", True),
        ("How did people take that?", True),
        ("how did Meta take the lead", False),
        ("how much of Scale AI did Meta take?", False),
        ("what stake did Meta take in Scale AI? how was the news taken", False),
        ("did people take the news well?", False),
    ],
)
def test_taking_the_news_after_how_asks_how_people_reacted(text: str, reaction: bool) -> None:
    assert ("react" in words(without_verb_take(text))) is reaction


def test_take_off_is_left_for_the_phrase_it_makes() -> None:
    assert words(without_verb_take("is Llama taking off?")) == ["is", "llama", "taking", "off"]


def test_mentions_pasted_into_a_question_are_not_words_of_it() -> None:
    assert words("<@U123> <!channel> <#C1|general> <@!42> <@&7> who is lecun") == ["who", "is", "lecun"]
    assert words("is 3 < 4 and <b>bold</b>?") == ["is", "3", "4", "and", "b", "bold", "b"]
    assert words("FYI @channel @here who is lecun, @maria.k?") == ["fyi", "who", "is", "lecun"]
    assert words("@meta-ai-bot help") == ["help"]
    assert words("mail me at team@here.com") == ["mail", "me", "at", "team", "here", "com"]


@pytest.mark.parametrize(
    "signed",
    [
        "who is lecun?\n\n\u2014 dan (platform team)",
        "who is lecun?\n-- Tom",
        "who is lecun?\n\u2013 sent between meetings",
        "who is lecun?\nSent from my iPhone",
        "who is lecun?\n\nsent via Slack mobile",
    ],
)
def test_a_last_line_signing_the_message_is_not_read(signed: str) -> None:
    assert words(signed) == ["who", "is", "lecun"]
    assert pieces(signed) == ["who is lecun?"]


def test_a_list_item_or_a_question_on_the_last_line_is_no_signature() -> None:
    assert words("compare:\n- llama 2\n- llama 4") == ["compare", "llama", "2", "llama", "4"]
    assert words("hi\n-- who is lecun?") == ["hi", "who", "is", "lecun"]


def test_chat_courtesies_frame_a_question() -> None:
    assert without_idioms(words("thanks in advance, no rush: how would it work in practice")) == [
        "how", "would", "it", "work"
    ]


def test_the_one_piece_asking_among_others_is_a_question_of_its_own() -> None:
    assert question_parts("following up on the thread -\nllama versions mentioned??") == ["llama versions mentioned??"]
    assert question_parts("saw the news. is that true?") == []  # points back
    assert question_parts("llama 4 out? llama 3 out?") == []  # two of them: neither is the one


def test_hashtags_after_the_last_sentence_file_the_message_and_one_inside_is_read() -> None:
    assert words("lecun's model, what's that about? \U0001f440 #ai-policy #til") == ["lecun", "model", "what", "that", "about"]
    assert words("is #openwashing fair?") == ["is", "openwashing", "fair"]
    assert words("#llama") == ["llama"]


def test_a_colon_after_re_is_part_of_the_question() -> None:
    assert pieces("what did Zuck say re: Llama 3.1?") == ["what did Zuck say re: Llama 3.1?"]
    assert pieces("quick q: who is lecun?") == ["quick q", "who is lecun?"]


def test_an_abbreviation_s_dot_ends_no_piece() -> None:
    assert pieces("catching up vs. driving innovation: which is it?") == ["catching up vs. driving innovation", "which is it?"]
    assert pieces("will the a.i. be less biased, e.g. for India?") == ["will the a.i. be less biased, e.g. for India?"]
    assert pieces("Meta vs. Google. Who wins?") == ["Meta vs. Google.", "Who wins?"]


def test_a_spaced_dash_parts_a_message_and_a_hyphen_does_not() -> None:
    assert pieces("read the blog \u2014 is the decision a reaction to competition?") == [
        "read the blog", "is the decision a reaction to competition?"
    ]
    assert pieces("open-source vs closed - which wins?") == ["open-source vs closed - which wins?"]


def test_an_emoji_code_ends_no_piece_of_a_message() -> None:
    assert pieces("what's lecun's global model idea :thinking_face: thx!") == ["what's lecun's global model idea   thx!"]
    assert pieces("quick q: who is lecun?") == ["quick q", "who is lecun?"]


@pytest.mark.parametrize(
    ("link", "name"),
    [
        ("https://www.gizmodo.com/meta-open-source-123", "gizmodo"),
        ("http://about.fb.com/news/2024/07/?utm_source=x", "fb"),
        ("www.bbc.co.uk/news/technology", "bbc"),
        ("https://user@example.org:8080/path", "example"),
        ("https://localhost/path", "localhost"),
    ],
)
def test_a_link_goes_by_its_site_name(link: str, name: str) -> None:
    assert site_name(link) == name


def test_a_link_is_its_label_or_a_known_site_name_or_nothing() -> None:
    known = {"gizmodo"}.__contains__
    assert without_links("saw https://www.gizmodo.com/meta-open-123 - is it open?", known).split() == [
        "saw", "gizmodo", "-", "is", "it", "open?"
    ]
    assert without_links("saw https://www.example.com/meta-scale-ai-49 today", known).split() == ["saw", "today"]
    assert without_links("per <https://gizmodo.com/x|the Gizmodo piece>, why?", known).split() == [
        "per", "the", "Gizmodo", "piece", ",", "why?"
    ]
    assert without_links("see <https://example.com/a-b> and www.example.com/c", known).split() == ["see", "and"]
    assert without_links("mail bob@www.example.com", known) == "mail bob@www.example.com"


def test_a_transcripts_speaker_label_is_no_word_of_the_question() -> None:
    assert words("Speaker 1: who is lecun") == ["who", "is", "lecun"]
    assert words("[00:14] Speaker B: llama four") == ["llama", "four"]
    # a speaker spoken of is a word
    assert words("what did the keynote speaker say: llama?") == ["what", "did", "the", "keynote", "speaker", "say", "llama"]


def test_chat_filler_like_and_a_closing_or_what_are_no_words_of_the_question() -> None:
    assert without_filler(words("does meta own like half of it or what")) == ["does", "meta", "own", "half", "of", "it"]
    assert without_filler(words("what about like bad actors")) == ["what", "about", "bad", "actors"]
    # a comparison and the verb stay
    assert "like" in without_filler(words("a model like Llama"))
    assert "like" in without_filler(words("do people like Llama"))
    assert "like" in without_filler(words("is open source AI like Android"))
    assert without_filler(words("or what")) == ["or", "what"]  # a question of its own words stays


def test_half_reads_as_a_share_where_it_is_one_of_something() -> None:
    assert halves_as_shares(words("does meta own half of scale ai")) == ["does", "meta", "own", "percent", "of", "scale", "ai"]
    assert "percent" in halves_as_shares(words("is it less than half"))
    assert "percent" in halves_as_shares(words("Meta bought nearly half the company"))
    # a part of a plan or of a year is no share
    assert "half" in halves_as_shares(words("what's the other half of the plan"))
    assert "half" in halves_as_shares(words("in the first half of 2025"))
    assert "half" in halves_as_shares(words("is meta going half open half closed"))


@pytest.mark.parametrize(
    "framed",
    [
        "True or false: Meta owns 49% of Scale AI",
        "fact check: Meta owns 49% of Scale AI",
        "pub quiz question: Meta owns 49% of Scale AI",
        "multiple choice - Meta owns 49% of Scale AI",
        "trivia: Meta owns 49% of Scale AI",
    ],
)
def test_a_quiz_frame_is_no_word_of_the_question(framed: str) -> None:
    kept = [w for w in without_idioms(words(framed)) if w not in STOPWORDS]
    assert kept == ["meta", "owns", "49", "percent", "scale", "ai"]


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("who is Sam Altman, for the briefing note?", "who is Sam Altman?"),
        ("for the board memo, what is Meta's GPU spend?", "what is Meta's GPU spend?"),
        ("for a customer deck: is Llama free for commercial use?", "is Llama free for commercial use?"),
        # a source is no purpose, nor a meeting the question is about
        ("what did LeCun say, for the blog?", "what did LeCun say, for the blog?"),
        ("what's the dress code for the client offsite", "what's the dress code for the client offsite"),
        ("for the memo", "for the memo"),
    ],
)
def test_what_an_answer_is_for_is_no_part_of_the_question(message: str, read: str) -> None:
    assert without_purpose(message) == read


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("in simple terms, how does open source stop a few firms owning AI?", "how does open source stop a few firms owning AI?"),
        ("whats LeCun's big idea, simple version pls", "whats LeCun's big idea"),
        ("closed source AI, explain like im five", "closed source AI"),
        ("summarize zuck's essay for a non-engineer", "summarize zuck's essay"),
        ("open washing in layman's terms?", "open washing ?"),
        # a simple version asked for, the emoji code closing a message, the words alone
        ("is there a simple version of llama?", "is there a simple version of llama?"),
        ("who's yann lecun again? :sweat_smile:", "who's yann lecun again? :sweat_smile:"),
        ("in plain english", "in plain english"),
    ],
)
def test_how_simply_it_should_be_told_is_no_part_of_the_question(message: str, read: str) -> None:
    assert without_told_simply(message) == read


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("lecun's idea of a model that every country feeds into, 2 bullets max", "lecun's idea of a model that every country feeds into"),
        ("define open washing in under 20 words", "define open washing"),
        ("how big a slice of scale ai did meta take? just the number", "how big a slice of scale ai did meta take?"),
        ("TL;DR first pls: meta's plan for its new ai models", "meta's plan for its new ai models"),
        ("in 3 bullets, why is meta open sourcing llama?", "why is meta open sourcing llama?"),
        ("Just give me a yes or no: should our team build on Llama?", "should our team build on Llama?"),
        ("which of meta's apps is it tuning llama for, as a bullet list", "which of meta's apps is it tuning llama for"),
        ("what did lecun say about regulation, with the quote", "what did lecun say about regulation"),
        ("zuck's title, one word", "zuck's title"),
        ("open source goals, bullets", "open source goals"),
        # the shape is what is asked, or no shape is asked
        ("give me just the quote where lecun talks about india", "give me just the quote where lecun talks about india"),
        ("blog's final bullet", "blog's final bullet"),
        ("is it OpenUK or Open UK, one word?", "is it OpenUK or Open UK, one word?"),
        ("list the four aims", "list the four aims"),
        ("yes or no", "yes or no"),
    ],
)
def test_how_the_answer_should_be_shaped_is_no_part_of_the_question(message: str, read: str) -> None:
    assert without_format(message) == read


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("HR here - does open source affect hiring?", "does open source affect hiring?"),
        ("what sort of stuff do you know about? sales here", "what sort of stuff do you know about?"),
        ("legal here: is the stake a majority?", "is the stake a majority?"),
        ("is Llama used here?", "is Llama used here?"),
        ("anyone from Meta here?", "anyone from Meta here?"),
        # who passed the question on
        ("my manager asked how much of Scale AI Meta owns", "how much of Scale AI Meta owns"),
        ("our CFO keeps asking: why does Meta give Llama away?", "why does Meta give Llama away?"),
        ("the board wants to know what Meta spends on GPUs", "what Meta spends on GPUs"),
        ("the team asked", "the team asked"),  # nothing passed on
        ("what has the OpenAI CEO asked regulators for?", "what has the OpenAI CEO asked regulators for?"),
    ],
)
def test_who_asks_is_no_part_of_the_question(message: str, read: str) -> None:
    assert without_asker(message) == read


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("how much does Meta spend on GPUs? asking for our Paris team", "how much does Meta spend on GPUs?"),
        ("is Llama 4 out, heard rumours in our Singapore office", "is Llama 4 out, heard rumours"),
        ("for those of us in Europe short of compute, what does Meta spend on GPUs?", "what does Meta spend on GPUs?"),
        ("from a Brussels policy angle, what does the stake say?", "what does the stake say?"),
        # a place asked about, and an emoji code closing the message, are left as they are
        ("what is Meta's AI strategy in Europe?", "what is Meta's AI strategy in Europe?"),
        ("what will the new models be called? :label:", "what will the new models be called? :label:"),
    ],
)
def test_where_the_asker_sits_is_no_part_of_the_question(message: str, read: str) -> None:
    assert without_askers_setting(message) == read


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        # a hyphen typed as a dash ends a piece before a question
        ("whatsapp is huge in brazil - does meta use llama inside whatsapp?", ["does meta use llama inside whatsapp?"]),
        # not before an answer offered, which belongs to the question
        ("where was the ai action summit - paris? or seoul", ["where was the ai action summit - paris?"]),
    ],
)
def test_a_hyphen_typed_as_a_dash_before_a_question_ends_a_piece(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


def test_a_closing_like_or_and_that_is_chat_filler() -> None:
    assert without_filler(words("what was he banging on about, like?")) == ["what", "was", "he", "banging", "on", "about"]
    assert without_filler(words("with GPT and Gemma and that")) == ["with", "gpt", "and", "gemma"]


def test_common_slips_of_small_words_are_small_words() -> None:
    from bot.text import STOPWORDS

    # "why did zuck bring those up on teh podcast": "teh" says no more than "the" does
    assert {"teh", "hte", "adn", "hwo"} <= STOPWORDS
