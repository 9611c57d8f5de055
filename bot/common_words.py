"""Common English words: a question's word among them is a word its asker meant, not a
misspelling of a different word the fact base uses ("stock" is not "stack", "scared" is not
"shared"). It may still be the same word with another ending or spelling ("regulators" for
"regulatory", "organisations" for "organizations").

The list (`common_words.txt`) says where it comes from and how it was made.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_LIST = Path(__file__).with_name("common_words.txt")
_FOUR_LETTER_LIST = Path(__file__).with_name("common_four_letter_words.txt")
# How many letters of the shorter word two words must share from the start to differ only in
# their ending: all but its last letter, and never fewer than four.
_SHARED_START = 4


@cache
def common_words() -> frozenset[str]:
    """The list's words, lower-cased; read once per process."""
    return _read_list(_LIST)


@cache
def common_four_letter_words() -> frozenset[str]:
    """Common English words of four letters (`common_four_letter_words.txt`); read once per process."""
    return _read_list(_FOUR_LETTER_LIST)


def _read_list(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as lines:
        return frozenset(word for line in lines if (word := line.strip()) and not word.startswith("#"))


def differs_only_in_ending(word: str, other: str) -> bool:
    """Whether two words are one word written with another ending or in the other spelling of
    English: "works"/"work", "regulators"/"regulatory", "alexander"/"alexandr",
    "criticised"/"criticized"; not "stock"/"stack" or "ahead"/"head"."""
    if word.replace("z", "s") == other.replace("z", "s"):
        return True
    shared = 0
    for a, b in zip(word, other):
        if a != b:
            break
        shared += 1
    if shared < max(_SHARED_START, min(len(word), len(other)) - 1):
        return False
    shorter, longer = sorted((word, other), key=len)
    if len(shorter) == len(longer) and shared == len(shorter) - 1:
        # One last letter for another is an ending only where English makes one: "announces"/
        # "announced", "maker"/"makes", "regulators"/"regulatory", "simple"/"simply"; not
        # "story"/"store", "thread"/"threat", "police"/"policy".
        ends = {word[-1], other[-1]}
        stem = shorter[:-1]
        return (
            (stem.endswith("e") and ends <= set("sdrn"))
            or (stem.endswith("or") and ends == {"s", "y"})
            or (stem.endswith("l") and ends == {"e", "y"})
        )
    if len(longer) == len(shorter) + 1 and longer.startswith(shorter):
        return longer[-1] in "sdny"  # "speeds", "given", "indian"; not "pasta", "metal", "officer"
    return True
