"""Text helpers: finding the question inside a chat message."""

from __future__ import annotations

import pytest

from bot.text import question_parts


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("Sorry to bother you, but how much of Scale AI does Meta own?", ["how much of Scale AI does Meta own?"]),
        ("hey team! quick one: who is Alexandr Wang?", ["who is Alexandr Wang?"]),
        ("What is open washing? people keep accusing Meta of it", ["What is open washing?"]),
        ("Is Llama open; is Gemma open?", ["Is Llama open", "is Gemma open?"]),
        # A possessive after a name points at that name, inside the part.
        ("ok so: when did Zuckerberg publish his essay?", ["when did Zuckerberg publish his essay?"]),
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
    ],
)
def test_parts_that_lean_on_the_rest_of_the_message_are_not_questions_of_their_own(message: str) -> None:
    assert question_parts(message) == []
