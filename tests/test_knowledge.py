"""Loading and validating the fact base: every kind of problem gets one clear line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.knowledge import default_knowledge_dir, knowledge_stats, load_fact_base
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
    assert problem.startswith("kb/facts/things.yaml: fact one: quote is not verbatim in source 'essay'")
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


def test_empty_and_missing_fields(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", answer="   "), _fact("two", question=None)])
    problems = _problems(root)
    assert any("fact one: `answer` answer is empty" in p for p in problems)
    assert any("fact two: `question` is missing" in p for p in problems)


def test_too_few_alternates(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one", alternates=["only one"])])
    assert "fact one: has 1 alternates; give at least 6" in _problems(root)[0]


def test_malformed_yaml_gives_the_line_number(tmp_path: Path) -> None:
    root = _write_base(tmp_path / "kb", [_fact("one")])
    (root / "facts" / "broken.yaml").write_text("topic: broken\ntitle: Broken\nfacts:\n  - id: x\n    question: [unclosed\n", encoding="utf-8")
    (problem,) = _problems(root)
    assert re.match(r"kb/facts/broken\.yaml:\d+: malformed YAML", problem)


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
    assert any("kb/sources/other.md: `kind`" in p for p in problems)


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
    assert any("synonyms.yaml: must be a list of groups" in p for p in problems)
    assert any("outside_entities.yaml: 'Scale AI' is an entity of a fact" in p for p in problems)


def test_entity_kinds_are_validated(tmp_path: Path) -> None:
    kinds = "company: [Scale AI, Scael AI]\nplanet: [Mars]\nproduct: [Scale AI]\n"
    root = _write_base(tmp_path / "kb", [_fact("one", entities=["Scale AI"])], extra_files={"entity_kinds.yaml": kinds})
    problems = _problems(root)
    assert any("entity_kinds.yaml: 'Scael AI' is not an entity of any fact" in p for p in problems)
    assert any("entity_kinds.yaml: unknown kind 'planet'; use one of: person, company, institution, product, place" in p for p in problems)
    assert any("entity_kinds.yaml: 'Scale AI' is listed as both company and product; keep one" in p for p in problems)


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
    assert any("former_names.yaml: 'Scael AI' (for 'Scale') is not an entity of any fact" in p for p in _problems(root))
    (root / "former_names.yaml").write_text("- Scale\n", encoding="utf-8")
    assert any("former_names.yaml: must map each former name" in p for p in _problems(root))


def test_former_names_load(tmp_path: Path) -> None:
    root = _write_base(
        tmp_path / "kb", [_fact("one", entities=["Scale AI"])], extra_files={"former_names.yaml": "Scale Inc: Scale AI\n"}
    )
    assert load_fact_base(root).former_names == {"Scale Inc": "Scale AI"}


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
