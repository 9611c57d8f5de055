"""Loading and validating the fact base: every kind of problem gets one clear line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.cli import main
from bot.errors import KnowledgeError
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.knowledge_stats import knowledge_stats
from bot.text import normalize_typography

SOURCE = """---
id: essay
title: "An essay"
kind: news article
---
Meta’s business model is about building the best experiences. It holds a 49% stake in Scale AI.
Open‑source models can be “accessed, modified, and improved” by anyone — so it says.
"""


def _fact(fact_id: str, **changes: object) -> dict:
    fact = {
        "id": fact_id,
        "question": f"What about {fact_id}?",
        "alternates": [f"{fact_id} alternate {n}" for n in range(6)],
        "answer": "An answer.",
        "quote": "It holds a 49% stake in Scale AI.",
        "source": "essay",
    }
    fact.update(changes)
    return {k: v for k, v in fact.items() if v is not None}


def _write_base(root: Path, facts: list[dict], *, topic: str = "things", extra_files: dict[str, str] | None = None) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "sources" / "essay.md").write_text(SOURCE, encoding="utf-8")
    (root / "facts" / f"{topic}.yaml").write_text(
        yaml.safe_dump({"topic": topic, "title": "Things", "facts": facts}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    for name, text in (extra_files or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_fact_base(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_base_loads_with_curly_quotes_and_non_breaking_hyphens_normalised(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb",
        [
            _fact("one", quote='Open-source models can be "accessed, modified, and improved" by anyone - so it says.'),
            _fact("two", quote="Meta's business model is about building the best experiences.", related=["one"]),
        ],
    )
    base = load_fact_base(root)
    assert list(base.facts) == ["one", "two"]
    assert base.facts["one"].topic == "things"
    assert base.facts["two"].quotes[0].source == "essay"
    assert base.topics["things"].fact_ids == ["one", "two"]


def test_a_quote_that_is_not_verbatim_names_file_fact_and_closest_passage(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", quote="It holds a 51% stake in Scale AI.")])
    (problem,) = _problems(root)
    assert re.match(r"kb/facts/things\.yaml:\d+: fact one: quote is not verbatim in source 'essay'", problem)
    assert "closest passage: 'It holds a 49% stake in Scale AI" in problem


def test_punctuation_is_not_ignored_by_the_quote_check(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", quote="It holds a 49 stake in Scale AI.")])
    assert "not verbatim" in _problems(root)[0]


def test_unknown_source_and_unknown_related_id(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", source="nowhere", related=["ghost"])])
    problems = _problems(root)
    assert any("fact one: related id 'ghost' is not a fact" in p for p in problems)
    assert any("fact one: unknown source 'nowhere' (known: essay)" in p for p in problems)


def test_duplicate_ids(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb", [_fact("one"), _fact("one", question="Other?", alternates=[f"x{n}" for n in range(6)])]
    )
    (problem,) = _problems(root)
    assert "fact one: duplicate id" in problem


def test_an_alternate_shared_by_two_facts_is_reported_after_folding_case_and_punctuation(tmp_path: Path) -> None:
    shared = ["What is the stake?"] + [f"two alternate {n}" for n in range(5)]
    root = _write_base(
        tmp_path / "kb",
        [_fact("one", alternates=["what is the STAKE"] + [f"one alternate {n}" for n in range(5)]), _fact("two", alternates=shared)],
    )
    (problem,) = _problems(root)
    assert "fact two: alternate 'What is the stake?' is also a phrasing of fact 'one'" in problem
    # Where the other one is written: the line added may be either.
    assert re.search(r"of fact 'one' \(at kb/facts/things\.yaml:\d+\)", problem)


def test_empty_and_missing_fields(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", answer="   "), _fact("two", question=None)])
    problems = _problems(root)
    assert any("fact one: `answer` is empty; fill it in" in p for p in problems)
    assert any("fact two: `question` is missing" in p for p in problems)


@pytest.mark.parametrize(
    "opening", ["Yes;", "No:", "Not necessarily:", "Reportedly yes:", "yes,", "No.", "Not according to the blog:"]
)
def test_an_answer_opening_with_yes_or_no_is_a_problem(tmp_path: Path, opening: str) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", answer=f"{opening} Meta holds 49% of Scale AI.")])
    (problem,) = _problems(root)
    assert "fact one: `answer` opens with" in problem and "state the fact instead" in problem


def test_an_answer_may_open_with_words_that_only_look_like_yes_or_no(tmp_path: Path) -> None:
    answers = ["Not only Meta: Google opens Gemma.", "Nobody says so.", "No other company is named.", "Not yet known."]
    facts = [_fact(f"f{n}", answer=answer) for n, answer in enumerate(answers)]
    assert len(load_fact_base(_write_base(tmp_path / "kb", facts)).facts) == len(answers)


def test_too_few_alternates(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", alternates=["only one"])])
    assert "fact one: has 1 alternate; give at least 6 other ways colleagues ask it" in _problems(root)[0]


def test_malformed_yaml_gives_the_line_number(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    (root / "facts" / "broken.yaml").write_text("topic: broken\ntitle: Broken\nfacts:\n  - id: x\n    question: [unclosed\n", encoding="utf-8")
    (problem,) = _problems(root)
    assert re.match(r"kb/facts/broken\.yaml:\d+: fact x: malformed YAML", problem)


@pytest.mark.parametrize(
    ("broken", "line", "code"),
    [
        ("    question:\u00a0What?\n    answer: An answer.\n", 5, "U+00A0"),  # YAML sees it one key later
        ("    question: What?\n    answer: >-\n      An\u2028 answer.\n    quote: x\n", 7, "U+2028"),
        # Valid YAML, but YAML counts it as a line: every later line number would be off by one.
        ('    question: "What\u2029 now?"\n', 5, "U+2029"),
    ],
)
def test_a_look_alike_of_a_space_that_breaks_the_yaml_is_named_on_its_line(
    tmp_path: Path, broken: str, line: int, code: str
) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    (root / "facts" / "broken.yaml").write_text("topic: broken\ntitle: Broken\nfacts:\n  - id: x\n" + broken, encoding="utf-8")
    (problem,) = _problems(root)
    assert problem.startswith(f"kb/facts/broken.yaml:{line}: fact x: holds {code} (")
    assert "replace it with a plain space" in problem


@pytest.mark.parametrize("indent", ["\t", "  \t", "\t  "])
def test_a_line_indented_with_a_tab_is_named_as_such(tmp_path: Path, indent: str) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    text = "topic: broken\ntitle: Broken\nfacts:\n  - id: x\n    alternates:\n      - one way\n" + indent + "  - another\n"
    (root / "facts" / "broken.yaml").write_text(text, encoding="utf-8")
    (problem,) = _problems(root)
    assert problem == (
        "kb/facts/broken.yaml:7: fact x: is indented with a tab, which YAML does not allow; "
        "indent with spaces, as the lines around it are"
    )


def test_a_tab_inside_text_is_not_blamed_for_a_yaml_error_elsewhere(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    text = "topic: broken\ntitle: Broken\nfacts:\n  - id: x\n    question: What\tnow?\n    answer: [unclosed\n"
    (root / "facts" / "broken.yaml").write_text(text, encoding="utf-8")
    (problem,) = _problems(root)
    assert "malformed YAML" in problem


def test_a_no_break_space_inside_text_is_not_blamed_for_a_yaml_error_elsewhere(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    text = "topic: broken\ntitle: Broken\nfacts:\n  - id: x\n    question: What\u00a0now?\n    answer: [unclosed\n"
    (root / "facts" / "broken.yaml").write_text(text, encoding="utf-8")
    (problem,) = _problems(root)
    assert "malformed YAML" in problem


def test_unknown_fields_and_bad_ids_are_named(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", anwser="typo"), _fact("Bad_Id")])
    problems = _problems(root)
    assert any("fact one: `anwser` is not a known field" in p for p in problems)
    assert any("must be lowercase letters, digits and single dashes" in p for p in problems)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", source="nowhere"), _fact("two", related=["ghost"])])
    assert len(_problems(root)) == 2


def test_source_front_matter_is_checked(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    (root / "sources" / "other.md").write_text("---\nid: other\ntitle: T\nkind: tweet\n---\nBody text here.\n", encoding="utf-8")
    problems = _problems(root)
    assert "kb/sources/other.md:4: `kind` is the text 'tweet'; use one of: 'news article', 'blog post' or 'podcast notes'" in problems


def test_a_missing_directory_is_one_clear_problem(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "nowhere")
    assert "no such directory" in problem


def test_synonym_and_outside_entity_files_are_validated(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb",
        [_fact("one", entities=["Scale AI"])],
        extra_files={"synonyms.yaml": "- [stake]\n", "outside_entities.yaml": "- Scale AI\n- Microsoft\n"},
    )
    problems = _problems(root)
    assert "kb/synonyms.yaml:1: group 1 is not two or more words; write it like [stake, share]" in problems
    assert any("outside_entities.yaml:1: 'Scale AI' is an entity of a fact" in p for p in problems)


def test_entity_kinds_are_validated(tmp_path: Path) -> None:
    kinds = "company: [Scale AI, Scael AI]\nplanet: [Mars]\nproduct: [Scale AI]\n"
    root = _write_base(tmp_path / "kb", [_fact("one", entities=["Scale AI"])], extra_files={"entity_kinds.yaml": kinds})
    problems = _problems(root)
    assert any("entity_kinds.yaml:1: 'Scael AI' is not an entity of any fact" in p for p in problems)
    assert any("entity_kinds.yaml:2: unknown kind 'planet'; use one of: person, company, institution, product, place" in p for p in problems)
    assert any("entity_kinds.yaml:3: 'Scale AI' is listed as both company and product; keep one" in p for p in problems)


def test_entity_kinds_must_be_lists_of_names(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")], extra_files={"entity_kinds.yaml": "- Scale AI\n"})
    assert any("entity_kinds.yaml: must map each kind" in p for p in _problems(root))


def test_entity_kinds_load(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb", [_fact("one", entities=["Scale AI"])], extra_files={"entity_kinds.yaml": "company: [Scale AI]\n"}
    )
    assert load_fact_base(root).entity_kinds == {"Scale AI": "company"}


def test_former_names_are_validated(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb",
        [_fact("one", entities=["Scale AI"])],
        extra_files={"former_names.yaml": "Scale: Scael AI\n"},
    )
    assert any("former_names.yaml:1: 'Scael AI' (for 'Scale') is not an entity of any fact" in p for p in _problems(root))
    (root / "former_names.yaml").write_text("- Scale\n", encoding="utf-8")
    assert any("former_names.yaml: must map each former name" in p for p in _problems(root))


def test_former_names_load(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb", [_fact("one", entities=["Scale AI"])], extra_files={"former_names.yaml": "Scale Inc: Scale AI\n"}
    )
    assert load_fact_base(root).former_names == {"Scale Inc": "Scale AI"}


# -- wrong shapes, YAML features and encodings: one line per problem, never a traceback ------


def _raw_fact(fact_id: str = "one", extra: str = "", *, quote: str | None = '"It holds a 49% stake in Scale AI."') -> str:
    """A fact as a curator types it, so a test can change any one line of it."""
    text = f"  - id: {fact_id}\n    question: What is the stake of {fact_id}?\n    alternates:\n"
    text += "".join(f"      - {fact_id} stake alternate {n}\n" for n in range(6))
    text += "    answer: An answer.\n"
    if quote is not None:
        text += f"    quote: {quote}\n    source: essay\n"
    return text + extra


def _write_raw(root: Path, facts: str, *, head: str = "topic: things\ntitle: Things\nfacts:\n", source: str = SOURCE) -> Path:
    _write_base(root, [])
    (root / "sources" / "essay.md").write_text(source, encoding="utf-8")
    (root / "facts" / "things.yaml").write_text(head + facts, encoding="utf-8")
    return root


WRONG_SHAPES = [
    ("question: 123", "kb/facts/things.yaml:5: fact one: `question` must be text, not the number 123; put it in quotes"),
    ("alternates: yes", "kb/facts/things.yaml:6: fact one: `alternates` is yes, which YAML reads as true or false, not a list; write it as [a, b] or one `- item` per line"),
    ("entities: Meta", "kb/facts/things.yaml:16: fact one: `entities` is the text 'Meta', not a list; write it as [a, b] or one `- item` per line"),
    ("answer: no", "kb/facts/things.yaml:13: fact one: `answer` must be text, not no, which YAML reads as true or false; put it in quotes"),
    ("answer:", "kb/facts/things.yaml:13: fact one: `answer` is empty; fill it in"),
    ("related: [one, 7]", "kb/facts/things.yaml:16: fact one: `related` item 2 must be text, not the number 7; put it in quotes"),
    ("alternates: [[a, b], c, d, e, f, g]", "kb/facts/things.yaml:6: fact one: `alternates` item 1 is a list, not one piece of text; write it on one line"),
    ("quote: [a, b]", "kb/facts/things.yaml:14: fact one: `quote` is a list, not one piece of text; write it on one line"),
    ("quotes: {}", "kb/facts/things.yaml:14: fact one: `quotes` is a mapping of fields, not a list; write it as [a, b] or one `- item` per line"),
    ("quotes: []", "kb/facts/things.yaml:14: fact one: `quotes` is an empty list; give at least one item"),
    ("quotes: [hello]", "kb/facts/things.yaml:14: fact one: `quotes` item 1 is the text 'hello', not fields; give it `text:` and `source:`"),
    ("id: 12", "kb/facts/things.yaml:4: `id` must be text, not the number 12; put it in quotes"),
]


@pytest.mark.parametrize(("line", "expected"), WRONG_SHAPES, ids=[line for line, _ in WRONG_SHAPES])
def test_a_value_of_the_wrong_shape_is_one_line_naming_field_line_and_fix(tmp_path: Path, line: str, expected: str) -> None:
    key = line.split(":")[0]
    fact = _raw_fact(quote=None) if key in ("quote", "quotes") else _raw_fact()
    if key == "quote":
        fact += f"    {line}\n    source: essay\n"
    elif key == "quotes" or not re.search(rf"^\s*-?\s*{key}:", fact, flags=re.MULTILINE):
        fact += f"    {line}\n"
    else:
        fact = re.sub(rf"^(\s*-?\s*){key}:.*$", lambda m: m.group(1) + line, fact, count=1, flags=re.MULTILINE)
        if key == "alternates":
            fact = re.sub(r"^      - one stake alternate \d\n", "", fact, flags=re.MULTILINE)
    assert _problems(_write_raw(tmp_path / "kb", fact)) == [expected]


def test_a_blank_item_of_a_list_is_named_on_its_own_line(tmp_path: Path) -> None:
    # The line was the list's first item's, wherever the blank one was.
    fact = _raw_fact().replace("      - one stake alternate 2\n", '      - "  "\n')
    assert _problems(_write_raw(tmp_path / "kb", fact)) == [
        "kb/facts/things.yaml:9: fact one: `alternates` item 3 is empty; fill it in or remove it"
    ]


def test_wrong_shapes_in_a_quotes_list_name_the_quote(tmp_path: Path) -> None:
    quotes = "    quotes:\n      - text: 5\n        source: essay\n        page: 3\n"
    problems = _problems(_write_raw(tmp_path / "kb", _raw_fact(quote=None, extra=quotes)))
    assert problems == [
        "kb/facts/things.yaml:15: fact one: `text` of `quotes` item 1 must be text, not the number 5; put it in quotes",
        "kb/facts/things.yaml:17: fact one: `page` of `quotes` item 1 is not a known field; "
        "check its spelling (the fields are text, source, timestamp)",
    ]


def test_a_fact_with_both_quote_and_quotes_or_neither_is_one_problem_each(tmp_path: Path) -> None:
    both = _raw_fact("one", "    quotes:\n      - text: It holds a 49% stake in Scale AI.\n        source: essay\n")
    neither = _raw_fact("two", quote=None)
    half = _raw_fact("three", quote=None, extra='    quote: "It holds a 49% stake in Scale AI."\n')
    assert _problems(_write_raw(tmp_path / "kb", both + neither + half)) == [
        "kb/facts/things.yaml:14: fact one: has both `quote` and `quotes`; keep `quote` and `source` for one quote, or put every quote in `quotes`",
        "kb/facts/things.yaml:19: fact two: has no quote; add `quote` and `source`, or a list `quotes`",
        "kb/facts/things.yaml:39: fact three: has `quote` but no `source`; add `source:`",
    ]


def test_every_problem_of_a_fact_is_reported_not_just_the_first(tmp_path: Path) -> None:
    fact = _raw_fact(quote=None, extra="    date: 2025-02-30\n").replace("question: What is the stake of one?", "question: 123")
    problems = _problems(_write_raw(tmp_path / "kb", fact))
    assert [p.split(": ", 2)[2][:12] for p in problems] == ["has no quote", "`question` m", "`date` '2025"]


def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(extra="    answer: Another answer.\n"))
    assert _problems(root) == ["kb/facts/things.yaml:16: fact one: `answer` is given twice in the same mapping (first on line 13); keep one"]
    # Above the first fact, a problem belongs to no fact.
    (root / "facts" / "things.yaml").write_text("topic: things\ntopic: again\ntitle: Things\nfacts:\n" + _raw_fact(), encoding="utf-8")
    assert _problems(root) == ["kb/facts/things.yaml:2: `topic` is given twice in the same mapping (first on line 1); keep one"]
    (root / "entity_kinds.yaml").write_text("company: [Meta]\ncompany: [Google]\n", encoding="utf-8")
    (root / "facts" / "things.yaml").write_text("topic: things\ntitle: Things\nfacts:\n" + _raw_fact(), encoding="utf-8")
    assert _problems(root) == ["kb/entity_kinds.yaml:2: `company` is given twice in the same mapping (first on line 1); keep one"]


def test_yaml_tags_are_refused_and_nothing_they_name_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    evil = f"    entities: !!python/object/apply:os.system ['touch {marker}']\n"
    root = _write_raw(tmp_path / "kb", _raw_fact("one", evil) + _raw_fact("two", "    entities: !!set {Meta: null}\n"))
    (root / "synonyms.yaml").write_text("- !!binary aGVsbG8=\n", encoding="utf-8")
    assert _problems(root) == [
        "kb/facts/things.yaml:16: fact one: uses the YAML tag !!python/object/apply:os.system; tags are not supported, so remove it",
        "kb/facts/things.yaml:29: fact two: uses the YAML tag !!set; tags are not supported, so remove it",
        "kb/synonyms.yaml:1: uses the YAML tag !!binary; tags are not supported, so remove it",
    ]
    assert not marker.exists()


def test_aliases_are_refused_once_per_name_and_never_expanded(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi")
    )
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    entities: &who [Meta]\n") + _raw_fact("two", "    entities: *who\n"))
    (root / "entity_kinds.yaml").write_text(laughs, encoding="utf-8")
    problems = _problems(root)
    assert problems[0] == "kb/facts/things.yaml:29: fact two: uses the alias *who; anchors and aliases are not supported, so write the value out"
    assert problems[1:] == [
        f"kb/entity_kinds.yaml:{n + 2}: uses the alias *{name}; anchors and aliases are not supported, so write the value out"
        for n, name in enumerate("abcdefgh")
    ]


def test_deeply_nested_yaml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact())
    (root / "synonyms.yaml").write_text("- " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    script = "import sys; from bot.knowledge import load_fact_base\ntry:\n    load_fact_base(sys.argv[1])\nexcept Exception as e:\n    print(e)"
    run = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr[-500:]  # libyaml used to overflow the C stack here
    assert "kb/synonyms.yaml:1: nests lists and mappings more than 20 deep; flatten it" in run.stdout


def test_a_file_too_large_is_refused_unread_and_closest_passages_are_searched_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact())
    monkeypatch.setattr(knowledge, "MAX_FILE_BYTES", 5_000)
    (root / "synonyms.yaml").write_text("- [stake, share]\n" * 1_000, encoding="utf-8")
    assert _problems(root) == [
        "kb/synonyms.yaml: is 0.017 MB, more than the 0.005 MB a fact base file may be; split it, or check that it is the right file"
    ]
    monkeypatch.undo()
    (root / "synonyms.yaml").unlink()
    filler = "Filler words that are nothing like the quote at all. " * 3_000  # 160 kB on one line
    (root / "sources" / "essay.md").write_text(SOURCE + filler + "\n", encoding="utf-8")
    bad = "".join(_raw_fact(f"f{n}", quote=f'"{"Zebra crossing " * 400}{n}"') for n in range(25))
    (root / "facts" / "things.yaml").write_text("topic: things\ntitle: Things\nfacts:\n" + bad, encoding="utf-8")
    problems = _problems(root)
    assert len(problems) == 25 and all("quote is not verbatim" in p for p in problems)
    assert sum("closest passage" in p for p in problems) == knowledge.CLOSEST_PASSAGE_SEARCHES


def test_empty_files_say_what_they_should_hold(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact())
    (root / "facts" / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (root / "facts" / "none.yaml").write_text("topic: none\ntitle: None\nfacts: []\n", encoding="utf-8")
    (root / "synonyms.yaml").write_text("", encoding="utf-8")
    assert _problems(root) == [
        "kb/facts/empty.yaml: is empty; give it `topic`, `title` and a list `facts`",
        "kb/facts/none.yaml:3: `facts` is empty; add a fact or delete the file",
        "kb/synonyms.yaml: is empty; list groups of interchangeable words, like - [stake, share], or delete the file",
    ]


def test_topic_missing_not_a_slug_disagreeing_or_shared_by_two_files(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    topic: other\n"))
    (root / "facts" / "again.yaml").write_text("topic: things\ntitle: T\nfacts:\n" + _raw_fact("two"), encoding="utf-8")
    (root / "facts" / "bad.yaml").write_text("topic: Big Things\ntitle: T\nfacts:\n" + _raw_fact("three"), encoding="utf-8")
    (root / "facts" / "none.yaml").write_text("title: T\ntitel: x\nfacts:\n" + _raw_fact("four"), encoding="utf-8")
    assert _problems(root) == [
        "kb/facts/bad.yaml:1: `topic` 'Big Things' must be lowercase letters, digits and single dashes, like investments",
        "kb/facts/none.yaml:2: `titel` is not a field of a fact file; check its spelling (the fields are topic, title and facts)",
        "kb/facts/none.yaml: has no `topic`; add `topic:` with a slug shared by its facts, like investments",
        "kb/facts/things.yaml:16: fact one: `topic` is the text 'other', not the file's topic 'things'; "
        "remove the fact's `topic`, or move the fact to the file of its topic",
        "kb/facts/things.yaml:1: topic 'things' is already the topic of kb/facts/again.yaml; "
        "give each file its own topic, or move these facts into that file",
    ]


def test_a_quote_must_sit_in_one_paragraph_and_start_and_end_on_word_boundaries(tmp_path: Path) -> None:
    facts = (
        _raw_fact("one", quote='"so it says. A new paragraph starts here with words."')
        + _raw_fact("two", quote='"in Scale AI. Open-source models can be"')
        + _raw_fact("three", quote='"holds a 4"')
        + _raw_fact("four", quote='"t holds a 49% stake"')
        + _raw_fact("five", quote='"Another one follows it..."')  # the ellipsis is typography
    )
    source = SOURCE + "\nA new paragraph starts here with words. Another one follows it…\n"
    problems = _problems(_write_raw(tmp_path / "kb", facts, source=source))
    crossing = "quote runs across a paragraph break of source 'essay'; quote within one paragraph, or give each part as its own quote in `quotes`"
    cut = "quote starts or ends inside a word of source 'essay'; extend it to whole words"
    assert problems == [
        f"kb/facts/things.yaml:14: fact one: {crossing}",
        f"kb/facts/things.yaml:26: fact two: {crossing}",
        f"kb/facts/things.yaml:38: fact three: {cut}",
        f"kb/facts/things.yaml:50: fact four: {cut}",
    ]


def test_a_quote_has_one_to_three_sentences(tmp_path: Path) -> None:
    source = SOURCE + "\nOne. Two. Three. Four. Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa. Lambda mu nu\n"
    facts = (
        _raw_fact("one", quote='"—"')
        + _raw_fact("two", quote='"One. Two. Three. Four."')
        + _raw_fact("three", quote='"Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa. Lambda mu"')
        + _raw_fact("four", quote='"Epsilon zeta eta theta. Iota kappa. Lambda mu"')
    )
    assert _problems(_write_raw(tmp_path / "kb", facts, source=source)) == [
        "kb/facts/things.yaml:14: fact one: quote '—' has no words; quote one to three sentences",
        "kb/facts/things.yaml:26: fact two: quote has 4 sentences; keep it to one to 3, or split it into several quotes",
        "kb/facts/things.yaml:38: fact three: quote has 4 sentences; keep it to one to 3, or split it into several quotes",
    ]


def test_timestamps_must_be_real_times_and_unquoted_ones_are_read_as_written(tmp_path: Path) -> None:
    good = _raw_fact("one", "    timestamp: 1:06:08\n")  # YAML 1.1 would read 3968
    listed = "    quotes:\n      - text: It holds a 49% stake in Scale AI.\n        source: essay\n        timestamp: 16:08\n"
    podcast = SOURCE.replace("news article", "podcast notes")
    root = _write_raw(tmp_path / "kb", good + _raw_fact("two", listed, quote=None), source=podcast)
    base = load_fact_base(root)
    assert [base.facts[f].quotes[0].timestamp for f in ("one", "two")] == ["1:06:08", "16:08"]
    bad = _raw_fact("one", "    timestamp: '99:99'\n") + _raw_fact("two", "    timestamp: 5\n")
    fix = 'write HH:MM:SS or MM:SS in quotes, like "01:06:08"'
    assert _problems(_write_raw(tmp_path / "kb2", bad)) == [
        f"kb2/facts/things.yaml:16: fact one: `timestamp` '99:99' is not a time with minutes and seconds under 60; {fix}",
        f"kb2/facts/things.yaml:29: fact two: `timestamp` 5 is not a time; {fix}",
    ]


def test_a_timestamp_belongs_to_quotes_of_podcast_notes_only(tmp_path: Path) -> None:
    listed = "    quotes:\n      - text: It holds a 49% stake in Scale AI.\n        source: essay\n        timestamp: '16:08'\n"
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    timestamp: 1:06:08\n") + _raw_fact("two", listed, quote=None))
    fix = "only applies to quotes of podcast notes, and source 'essay' is a news article; remove it"
    assert _problems(root) == [
        f"kb/facts/things.yaml:16: fact one: `timestamp` '1:06:08' {fix}",
        f"kb/facts/things.yaml:30: fact two: `timestamp` '16:08' {fix}",
    ]
    (root / "sources" / "essay.md").write_text(SOURCE.replace("news article", "podcast notes"), encoding="utf-8")
    assert load_fact_base(root).facts["one"].quotes[0].timestamp == "1:06:08"


def test_dates_must_be_real_dates_quoted_or_not(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    date: 2025-06-01\n") + _raw_fact("two", "    date: 2025\n"))
    assert [f.date for f in load_fact_base(root).facts.values()] == ["2025-06-01", "2025"]
    facts = "".join(
        _raw_fact(fact_id, f"    date: {date}\n")
        for fact_id, date in (("one", "2025-02-30"), ("two", "'2025-13'"), ("three", "true"), ("four", "2025/06"))
    )
    assert _problems(_write_raw(tmp_path / "kb2", facts)) == [
        "kb2/facts/things.yaml:16: fact one: `date` '2025-02-30' is not a real date; check the month and the day",
        "kb2/facts/things.yaml:29: fact two: `date` '2025-13' is not a real date; check the month and the day",
        'kb2/facts/things.yaml:42: fact three: `date` True is not a date; write YYYY, YYYY-MM or YYYY-MM-DD in quotes, like "2025-06"',
        "kb2/facts/things.yaml:55: fact four: `date` '2025/06' must be YYYY, YYYY-MM or YYYY-MM-DD, like \"2025-06\"",
    ]


def test_related_entities_and_quotes_may_not_repeat_or_point_at_the_fact_itself(tmp_path: Path) -> None:
    repeated = "    related: [one, two, two]\n    entities: [Meta, Meta]\n    quotes:\n" + (
        "      - text: It holds a 49% stake in Scale AI.\n        source: essay\n" * 2
    )
    root = _write_raw(tmp_path / "kb", _raw_fact("one", repeated, quote=None) + _raw_fact("two"))
    assert _problems(root) == [
        "kb/facts/things.yaml:14: fact one: lists itself in `related`; remove 'one'",
        "kb/facts/things.yaml:14: fact one: lists 'two' twice in `related`; remove one",
        "kb/facts/things.yaml:15: fact one: lists entity 'Meta' twice; remove one",
        "kb/facts/things.yaml:19: fact one: quote 2 repeats quote 1; remove it",
    ]


def test_entities_that_differ_only_in_case_are_listed_twice(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    entities: [Scale AI, Meta, scale  ai]\n"))
    assert _problems(root) == ["kb/facts/things.yaml:16: fact one: lists entity 'scale  ai' twice (as 'Scale AI' too); remove one"]


def test_an_alternate_repeating_the_question_or_another_alternate(tmp_path: Path) -> None:
    fact = _raw_fact().replace("one stake alternate 1", "what is the STAKE of one").replace("stake alternate 3", "stake alternate 0")
    assert _problems(_write_raw(tmp_path / "kb", fact)) == [
        "kb/facts/things.yaml:8: fact one: alternate 'what is the STAKE of one' repeats the question; ask it another way or remove it",
        "kb/facts/things.yaml:10: fact one: alternate 'one stake alternate 0' is listed twice; remove one",
    ]


def test_text_typed_in_decomposed_unicode_matches_its_composed_twin(tmp_path: Path) -> None:
    cafe, decomposed = "café", unicodedata.normalize("NFD", "café")
    source = SOURCE.replace("so it says.", f"so it says at the {cafe}.")
    fact = _raw_fact(quote=f'"so it says at the {decomposed}."', extra=f"    entities: [{decomposed}]\n")
    root = _write_raw(tmp_path / "kb", fact, source=source)
    (root / "entity_kinds.yaml").write_text(f"place: [{cafe}]\n", encoding="utf-8")
    base = load_fact_base(root)
    assert base.entity_kinds == {cafe: "place"} and base.facts["one"].entities == [cafe]


def test_a_byte_order_mark_and_windows_line_endings_are_read(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(), source="\ufeff" + SOURCE.replace("\n", "\r\n"))
    crlf = ("\ufefftopic: things\ntitle: Things\nfacts:\n" + _raw_fact(extra="    date: '2025-02-30'\n")).replace("\n", "\r\n")
    (root / "facts" / "things.yaml").write_text(crlf, encoding="utf-8", newline="")
    assert _problems(root) == ["kb/facts/things.yaml:16: fact one: `date` '2025-02-30' is not a real date; check the month and the day"]
    (root / "facts" / "things.yaml").write_text(crlf.replace("2025-02-30", "2025-02-28"), encoding="utf-8", newline="")
    assert load_fact_base(root).sources["essay"].body.startswith("Meta’s business model")


FRONT_MATTER = [
    ("Just a body.\n", "kb/sources/essay.md:1: must start with front matter: a line '---', the fields id, title and kind, then a line '---'"),
    ("---\nid: essay\ntitle: T\nkind: blog post\nBody.\n", "kb/sources/essay.md:1: front matter has no closing '---' line; add one after its last field"),
    ("---\n---\nBody here.\n", "kb/sources/essay.md:1: front matter is empty; give it at least id, title and kind"),
    ("---\n- essay\n---\nBody here.\n", "kb/sources/essay.md:2: front matter is a list, not fields; write `id:`, `title:` and `kind:` lines"),
    ("---\nid: essay\ntitle: T\nkind: blog post\nbody: x\n---\nBody.\n", "kb/sources/essay.md:5: `body` is not a front matter field; the body is the text after the closing '---'"),
    ("---\nid: essay\ntitle: T\nkind: blog post\n---\n", "kb/sources/essay.md:2: has no text after the front matter; add the article's body"),
    ("---\nid: other\ntitle: T\nkind: blog post\n---\nBody.\n", "kb/sources/essay.md:2: id 'other' differs from the file name 'essay.md'; rename the file to other.md or set `id: essay`"),
    ("---\nid: essay\ntitle: 5\nkind: blog post\n---\nBody.\n", "kb/sources/essay.md:3: `title` must be text, not the number 5; put it in quotes"),
    ("---\nid: essay\n1: T\nkind: blog post\n---\nBody.\n", "kb/sources/essay.md:3: has a key that is the number 1, not text; put the key in quotes"),
]


@pytest.mark.parametrize(("text", "expected"), FRONT_MATTER, ids=[e.split(": ", 1)[1][:40] for _, e in FRONT_MATTER])
def test_a_broken_source_is_one_problem_and_its_quotes_are_not_reported_again(tmp_path: Path, text: str, expected: str) -> None:
    assert _problems(_write_raw(tmp_path / "kb", _raw_fact(), source=text)) == [expected]


def test_a_file_that_is_not_utf8_or_not_readable_is_one_problem_among_the_others(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    related: [lost]\n    date: '2025-13'\n"))
    (root / "facts" / "latin1.yaml").write_bytes("topic: latin\ntitle: Café\nfacts:\n".encode("latin-1") + _raw_fact("lost").encode())
    (root / "facts" / "wide.yaml").write_bytes("topic: wide\n".encode("utf-16"))
    (root / "facts" / "folder.yaml").mkdir()
    assert _problems(root) == [
        "kb/facts/folder.yaml: cannot read: Is a directory; make it a readable file",
        "kb/facts/latin1.yaml:2: is not UTF-8 text; save it as UTF-8",
        "kb/facts/wide.yaml: is UTF-16 text; save it as UTF-8",
        "kb/facts/things.yaml:17: fact one: `date` '2025-13' is not a real date; check the month and the day",
    ]  # `related: [lost]` names a fact of the unreadable file: not reported twice


def test_related_ids_are_not_reported_when_a_fact_file_cannot_be_read_at_all(tmp_path: Path) -> None:
    """A folder named like a fact file gives no ids to learn: any related id may be one of its facts."""
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    related: [lost]\n"))
    (root / "facts" / "folder.yaml").mkdir()
    assert _problems(root) == ["kb/facts/folder.yaml: cannot read: Is a directory; make it a readable file"]


def test_a_base_without_fact_files_is_one_problem_not_one_per_name_the_aids_list(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one"))
    for path in (root / "facts").glob("*.yaml"):
        path.unlink()
    (root / "entity_kinds.yaml").write_text("company: [Scale AI, Meta]\nperson: [Yann LeCun]\n", encoding="utf-8")
    (root / "former_names.yaml").write_text("Facebook: Meta\n", encoding="utf-8")
    assert _problems(root) == ["kb/facts: no fact files (*.yaml) found; add at least one"]


@pytest.mark.parametrize("sources", ["missing", "empty", "a file"])
def test_a_base_without_source_files_is_one_problem_not_one_per_quote(tmp_path: Path, sources: str) -> None:
    """Every quote cites a source that is not there: the folder's one line says why, once."""
    root = _write_raw(tmp_path / "kb", _raw_fact("one") + _raw_fact("two"))
    for path in (root / "sources").iterdir():
        path.unlink()
    if sources != "empty":
        (root / "sources").rmdir()
    if sources == "a file":
        (root / "sources").write_text("not a folder\n", encoding="utf-8")
    [problem] = _problems(root)
    assert problem.startswith("kb/sources: ") and "unknown source" not in problem


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_named_like_a_fact_file_is_one_problem_not_a_hang(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one"))
    os.mkfifo(root / "facts" / "pipe.yaml")  # reading it would wait for a writer forever
    assert _problems(root) == [
        "kb/facts/pipe.yaml: is not a regular file (a pipe, a device or a socket); make it a plain file"
    ]


def test_a_broken_fact_is_not_reported_again_where_it_is_named(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact("one", "    related: [two]\n") + _raw_fact("two", "    entities: [Scale AI]\n    date: nope\n"))
    (root / "entity_kinds.yaml").write_text("company: [Scale AI]\n", encoding="utf-8")
    assert _problems(root) == [
        "kb/facts/things.yaml:30: fact two: `date` 'nope' must be YYYY, YYYY-MM or YYYY-MM-DD, like \"2025-06\""
    ]


def test_a_file_with_a_near_miss_extension_is_named_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact())
    (root / "facts" / "more.yml").write_text("topic: more\n", encoding="utf-8")
    (root / "sources" / "other.MD").write_text(SOURCE, encoding="utf-8")
    (root / "facts" / ".#things.yaml").symlink_to(root / "nowhere")  # an editor's lock file
    assert _problems(root) == [
        "kb/sources/other.MD: is not read, since source files end in .md; rename it to other.md",
        "kb/facts/more.yml: is not read, since fact files end in .yaml; rename it to more.yaml",
    ]


def test_a_misnamed_file_or_folder_beside_the_facts_is_named_with_the_name_it_likely_means(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(extra="    entities: [Meta]\n"))
    for name in ("synonym.yaml", "outside-entities.yaml", "Former_Names.yaml", "notes.txt", "README.md"):
        (root / name).write_text("- Microsoft\n", encoding="utf-8")
    for name in ("outside_entities.yaml", ".synonym.yaml.swp", "synonyms.yaml~", "#synonyms.yaml#", "synonyms.yaml.bak"):
        (root / name).write_text("- Microsoft\n", encoding="utf-8")  # read, an editor's leftover or a backup
    (root / "fact").mkdir()
    (root / "facts.bak").mkdir()
    unread = "is not read, since the fact base has no"
    # Where the file system does not tell case apart (macOS, Windows), Former_Names.yaml is read.
    case_blind = (root / "readme.md").exists()
    assert _problems(root) == [
        *([] if case_blind else [f"kb/Former_Names.yaml: {unread} file of that name; rename it to former_names.yaml"]),
        f"kb/fact: {unread} folder of that name; move what it holds into facts/",
        f"kb/outside-entities.yaml: {unread} file of that name; merge it into outside_entities.yaml and delete it",
        f"kb/synonym.yaml: {unread} file of that name; rename it to synonyms.yaml",
    ]  # notes.txt, named like none of them, is somebody's notes: left alone


def test_matching_aid_files_name_the_line_of_each_problem(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(extra="    entities: [Meta]\n"))
    (root / "synonyms.yaml").write_text("- [stake, share, share]\n- [cost, 5]\n", encoding="utf-8")
    (root / "outside_entities.yaml").write_text("- Microsoft\n-\n- Microsoft\n", encoding="utf-8")
    (root / "entity_kinds.yaml").write_text("company: [Meta, Meta]\nproduct: Llama\n", encoding="utf-8")
    (root / "former_names.yaml").write_text("Meta: Meta\nFacebook: [Meta]\n", encoding="utf-8")
    assert _problems(root) == [
        "kb/synonyms.yaml:1: word 'share' is listed twice in its group; remove one",
        "kb/synonyms.yaml:2: group 2 is not two or more words; write it like [stake, share]",
        "kb/outside_entities.yaml:2: item 2 is empty, not a name; write a name or remove the line",
        "kb/outside_entities.yaml:3: 'Microsoft' is listed twice; remove one",
        "kb/entity_kinds.yaml:1: 'Meta' is listed twice as company; remove one",
        "kb/entity_kinds.yaml:2: `product` is the text 'Llama', not a list of names; write it like [Meta, Google]",
        "kb/former_names.yaml:1: 'Meta' maps to itself; remove the line",
        "kb/former_names.yaml:2: 'Facebook' maps to a list; map it to the current name, like Facebook: Meta",
    ]


def test_an_outside_entity_the_facts_are_asked_by_is_named_with_how_many_phrasings_use_it(tmp_path: Path) -> None:
    podcast = "    entities: [Meta, Dwarkesh Patel podcast]\n"
    one = _raw_fact("one", podcast).replace("one stake alternate 5", "the Dwarkesh Patel podcast")
    root = _write_raw(tmp_path / "kb", one + _raw_fact("two"))
    (root / "outside_entities.yaml").write_text("- Microsoft\n- Stake\n- Dwarkesh Patel\n- Alternate 5\n", encoding="utf-8")
    refused = "which the bot would refuse as outside the sources; remove it from the outside list"
    assert _problems(root) == [  # inside the longer name the facts list, "Dwarkesh Patel" is not read alone
        f"kb/outside_entities.yaml:2: 'Stake' is in 13 phrasings of the facts, like 'What is the stake of one?' (fact one), {refused}",
        f"kb/outside_entities.yaml:4: 'Alternate 5' is in 1 phrasing of the facts, like 'two stake alternate 5' (fact two), {refused}",
    ]


def test_a_synonym_group_may_not_hold_an_outside_entity_or_merge_two_entities_of_the_facts(tmp_path: Path) -> None:
    entities = "    entities: [Meta, Facebook, Google, Mark Zuckerberg, Llama, GPT, Gemma]\n"
    aids = {"outside_entities.yaml": "- Microsoft\n", "former_names.yaml": "Facebook: Meta\n"}
    groups = "- [scale, microsoft]\n- [google, meta]\n- [llama, gpt, gemma]\n- [zuckerberg, zuck, mark zuckerberg]\n"
    root = _write_raw(tmp_path / "kb", _raw_fact("one", entities))
    for name, text in {**aids, "synonyms.yaml": groups}.items():
        (root / name).write_text(text, encoding="utf-8")
    merged = "different entities of the facts, so a question about one would get facts about another; keep the words of one of them"
    assert _problems(root) == [  # one person's names in a group are fine
        "kb/synonyms.yaml:1: word 'microsoft' is an outside entity, which the sources never mention; remove it from its group",
        f"kb/synonyms.yaml:2: group ['google', 'meta'] names 'Google' and 'Meta', {merged}",
        f"kb/synonyms.yaml:3: group ['llama', 'gpt', 'gemma'] names 'Llama', 'GPT' and 'Gemma', {merged}",
    ]
    (root / "synonyms.yaml").write_text("- [meta, facebook, fb]\n", encoding="utf-8")  # a former name is the same thing
    assert load_fact_base(root).synonyms["facebook"] == "meta"


def test_former_names_may_not_go_round_in_a_circle_or_be_empty(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(extra="    entities: [Meta, Facebook]\n"))
    former = "Facebook: Meta\n'': Meta\nThe Facebook: Meta\nMeta: Facebook\n"
    (root / "former_names.yaml").write_text(former, encoding="utf-8")
    assert _problems(root) == [
        "kb/former_names.yaml:2: a former name is empty (mapped to the text 'Meta'); "
        "write the name people still use before the colon, or remove the line",
        "kb/former_names.yaml:1: former names go round in a circle (Facebook -> Meta -> Facebook); "
        "remove the line of the name that is current",
    ]


def test_a_problem_is_always_one_line(tmp_path: Path) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact().replace("id: one", 'id: "bad\\nid"'))
    (problem,) = _problems(root)
    assert "\n" not in str(problem) and "fact bad\\nid: `id` 'bad\\nid' must be lowercase" in problem


def test_knowledge_check_exits_non_zero_with_one_line_per_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _write_raw(tmp_path / "kb", _raw_fact(extra="    date: 2025-02-30\n    answer: Twice.\n"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(root))
    assert main(["knowledge", "check"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        "error: the fact base has 1 problem:",
        "  kb/facts/things.yaml:17: fact one: `answer` is given twice in the same mapping (first on line 13); keep one",
    ]


# A corpus of bad edits: every problem line says where, what is wrong and what to do.
BAD_EDITS = [line for line, _ in WRONG_SHAPES] + [
    "date: 2025-02-30", "timestamp: '7:99'", "related: [one]", "topic: other", "anwser: typo", "entities: !!set {a: null}",
]


def test_every_problem_line_names_the_place_and_gives_a_fix(tmp_path: Path) -> None:
    for number, edit in enumerate(BAD_EDITS):
        root = _write_raw(tmp_path / f"kb{number}", _raw_fact(quote=None) + f"    {edit}\n")
        for problem in _problems(root):
            where, _, says = problem.partition(": ")
            assert re.fullmatch(rf"kb{number}/facts/things\.yaml:\d+", where), problem
            assert ";" in says and "Input should" not in says and "\n" not in says, problem


# -- the real fact base ---------------------------------------------------------------------


def test_the_real_fact_base_loads_and_meets_the_coverage_floor(fact_base) -> None:
    assert len(fact_base.sources) == 5
    assert len(fact_base.facts) >= 60
    assert all(len(f.alternates) >= 6 for f in fact_base.facts.values())
    kinds = {s.kind for s in fact_base.sources.values()}
    assert kinds == {"news article", "blog post", "podcast notes"}
    stats = knowledge_stats(fact_base)
    assert stats.quoted_share > 0.5


def test_overview_facts_carry_one_quote_per_part(fact_base) -> None:
    versions = fact_base.facts["llama-versions"]
    texts = " ".join(q.text for q in versions.quotes)
    assert len(versions.quotes) >= 3 and all(v in texts for v in ("Llama 2", "Llama 3.1", "Llama 4"))
    views = fact_base.facts["regulation-views"]
    assert {q.source for q in views.quotes} >= {"lecun-global-model"}
    assert len(views.quotes) >= 3


SHARED_ARTICLES = Path(os.environ.get("SHARED_ARTICLES", default_knowledge_dir().parent.parent / "shared" / "articles"))


@pytest.mark.skipif(not SHARED_ARTICLES.is_dir(), reason="the original articles are not beside this clone")
def test_every_quote_is_verbatim_in_the_original_article_too(fact_base) -> None:
    originals = {
        source.id: normalize_typography((SHARED_ARTICLES / source.article).read_text(encoding="utf-8"))
        for source in fact_base.sources.values()
    }
    for fact in fact_base.facts.values():
        for quote in fact.quotes:
            assert normalize_typography(quote.text) in originals[quote.source], (fact.id, quote.text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- " + "[" * 5_000 + "]" * 5_000 + "\n", 1),  # past PyYAML's own flow limit (6.0.4 and later)
        ("".join("  " * i + "k:\n" for i in range(3_000)) + "  " * 3_000 + "v\n", 21),
    ],
)
def test_deep_nesting_is_the_same_problem_whichever_limit_stops_it_first(text: str, line: int) -> None:
    from bot.strict_yaml import parse_strict_yaml

    doc, problems = parse_strict_yaml(text)
    assert doc is None
    assert problems == [("nests lists and mappings more than 20 deep; flatten it", line)]
