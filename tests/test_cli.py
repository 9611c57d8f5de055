"""The command line, run as users run it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.terminal import part_note, to_text

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
    )


def test_ask_prints_the_answer_the_quote_and_the_source() -> None:
    result = run_bot("ask", "How much of Scale AI does Meta own?")
    assert result.returncode == 0, result.stderr
    assert "49%" in result.stdout
    assert "  > " in result.stdout and "49% stake in Scale AI" in result.stdout
    assert "(blog post)" in result.stdout
    assert "[scale-ai-stake]" in result.stdout


def test_ask_json_has_the_documented_shape() -> None:
    result = run_bot("ask", "--json", "How much of Scale AI does Meta own?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answered"] is True and data["fact_id"] == "scale-ai-stake"
    assert "49% stake in Scale AI" in data["quote"]
    assert data["source"]["id"] == "meta-investment-blog" and data["source"]["title"]
    assert data["quotes"][0] == {"quote": data["quote"], "source": data["source"]}
    assert isinstance(data["score"], float) and data["related"]
    assert all(set(s) == {"fact_id", "question", "score"} for s in data["suggestions"])


def test_ask_json_for_an_abstention_nulls_the_fact_and_offers_suggestions() -> None:
    data = json.loads(run_bot("ask", "--json", "What is Microsoft's AI strategy?").stdout)
    assert data["answered"] is False
    assert data["fact_id"] is None and data["answer"] is None and data["quote"] is None and data["source"] is None
    assert data["quotes"] == [] and data["suggestions"]


def test_ask_json_from_stdin_prints_one_object_per_line_in_order() -> None:
    questions = ["How much of Scale AI does Meta own?", "", "what is open washing", "What is Apple's revenue?"]
    result = run_bot("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    # One object per input line, blank ones included, so answers pair with their lines.
    assert [o["question"] for o in objects] == questions
    assert objects[0]["fact_id"] == "scale-ai-stake"
    assert objects[1]["answered"] is False and objects[1]["fact_id"] is None and objects[1]["topics"]


def test_podcast_quotes_show_their_timestamp() -> None:
    result = run_bot("fact", "pytorch-open-compute")
    assert result.returncode == 0, result.stderr
    assert "at 01:13:22" in result.stdout


def test_topics_and_fact() -> None:
    topics = run_bot("topics")
    assert topics.returncode == 0 and "llama:" in topics.stdout and "e.g." in topics.stdout
    assert run_bot("fact", "no-such-fact").returncode == 2


def test_fact_takes_the_id_as_an_answer_shows_it_and_names_a_near_miss() -> None:
    # An answer ends with `[scale-ai-stake]`: copied with its brackets, the id still works.
    for given in ("[scale-ai-stake]", " Scale-AI-Stake "):
        result = run_bot("fact", given)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("How much of Scale AI does Meta own?  [scale-ai-stake, topic investments]")
    slip = run_bot("fact", "scale-ai-stak")
    assert slip.returncode == 2 and slip.stdout == ""
    assert slip.stderr == (
        "error: no fact with id 'scale-ai-stak'; did you mean scale-ai-stake? "
        "'python -m bot topics --all' lists them\n"
    )


@pytest.mark.parametrize(
    "args",
    [("ask",), ("bogus",), ("ask", "--nope", "x"), ("knowledge",), ("fact",), ()],
)
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...]) -> None:
    result = run_bot(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_knowledge_check_is_clean_and_reports_coverage() -> None:
    result = run_bot("knowledge", "check")
    assert result.returncode == 0, result.stderr
    assert "facts:" in result.stdout and "alternates per fact" in result.stdout
    assert "source sentences quoted by some fact" in result.stdout


def test_knowledge_check_fails_with_one_line_per_problem(tmp_path: Path) -> None:
    import shutil

    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    facts = kb / "facts" / "investments.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("like a 49% stake", "like a 51% stake", 1), encoding="utf-8")
    result = run_bot("knowledge", "check", env={"BOT_KNOWLEDGE_DIR": str(kb)})
    assert result.returncode == 1
    assert "not verbatim" in result.stderr and "Traceback" not in result.stderr


def test_knowledge_check_names_folders_whose_files_it_does_not_read(tmp_path: Path) -> None:
    # Facts moved into a subfolder drop out of the base; check said "ok" and nothing more.
    import shutil

    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    (kb / "facts" / "drafts").mkdir()
    (kb / "facts" / "drafts" / "idea.yaml").write_text("not loaded from here", encoding="utf-8")
    (kb / "facts" / "drafts" / "notes.txt").write_text("not a fact file", encoding="utf-8")
    (kb / "sources" / "old" / "2023").mkdir(parents=True)
    for name in ("a.md", "b.md"):
        (kb / "sources" / "old" / "2023" / name).write_text("x", encoding="utf-8")
    (kb / "facts" / "empty").mkdir()
    result = run_bot("knowledge", "check", env={"BOT_KNOWLEDGE_DIR": str(kb)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("not read:")] == [
        "not read: facts/drafts/ (1 file); only the files directly in facts/ are",
        "not read: sources/old/ (2 files); only the files directly in sources/ are",
    ]
    assert lines[-1] == "ok: no problems found"


def test_a_broken_fact_base_stops_ask_with_a_clear_error(tmp_path: Path) -> None:
    result = run_bot("ask", "hello", env={"BOT_KNOWLEDGE_DIR": str(tmp_path / "missing")})
    assert result.returncode == 1
    assert "no such directory" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_setting_is_one_clear_line() -> None:
    result = run_bot("ask", "hello", env={"BOT_MIN_SCORE": "high"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: BOT_MIN_SCORE is invalid")


def test_serve_without_tokens_is_the_terminal_chat_until_eof() -> None:
    result = run_bot("serve", stdin="How much of Scale AI does Meta own?\n\nhelp\n")
    assert result.returncode == 0, result.stderr
    assert "49%" in result.stdout
    assert "Topics:" in result.stdout
    assert "you>" not in result.stdout  # no prompt when stdin is not a terminal


def test_serve_with_a_misspelt_token_says_which_setting_was_meant_and_never_its_value() -> None:
    # A slip in a token's name is the likeliest reason to land in the terminal chat.
    result = run_bot("serve", stdin="help\n", env={"SLACK_BOT_TOKN": "xoxb-secret", "DISCORD_BOT_TOKEN": "secret"})
    assert result.returncode == 0 and "Topics:" in result.stdout
    assert sorted(result.stderr.splitlines()) == [
        "warning: DISCORD_BOT_TOKEN (in the environment) is not a setting; did you mean DISCORD_TOKEN?",
        "warning: SLACK_BOT_TOKN (in the environment) is not a setting; did you mean SLACK_BOT_TOKEN?",
    ]
    assert "secret" not in result.stderr


def test_every_command_names_a_misspelt_setting_it_would_otherwise_pass_over() -> None:
    # BOT_MIN_SCOR is no setting: `ask` answers with the default threshold, and says why.
    result = run_bot("ask", "--json", "Who is Yann LeCun?", env={"BOT_MIN_SCOR": "0.99"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fact_id"] == "who-is-yann-lecun"
    assert result.stderr == (
        "warning: BOT_MIN_SCOR (in the environment) is not a setting; did you mean BOT_MIN_SCORE?\n"
    )
    assert run_bot("topics", env={"BOT_MIN_SCORE": "0.99"}).stderr == ""


def test_names_in_the_env_file_meant_for_the_bot_but_no_setting_are_named(tmp_path: Path) -> None:
    from bot.config import unknown_setting_names

    env_file = tmp_path / ".env"
    env_file.write_text(
        "DIGEST_CHANNEL=slack:C1\nSLACK_WEBHOOK_URL=https://example.invalid\nDIGEST_GRACE_HOURS=2\n"
        "digest_size=2\nDIGEST_GRACE=2h\nTZ=UTC\nCOMPOSE_PROJECT_NAME=bot\n"
    )
    assert unknown_setting_names(env_file, environ={"PATH": "/bin", "HOME": "/root", "SLACK_WEBHOOK_URL": "x"}) == [
        f"DIGEST_CHANNEL (in {env_file}) is not a setting; did you mean DIGEST_CHANNELS?",
        f"SLACK_WEBHOOK_URL (in {env_file}) is not a setting, so it is ignored; the settings are in the README",
        f"DIGEST_GRACE_HOURS (in {env_file}) is not a setting; did you mean DIGEST_GRACE?",
    ]


def test_the_terminal_chat_bounds_question_length() -> None:
    result = run_bot("serve", stdin="scale " * 200 + "\n")
    assert "too long" in result.stdout


def test_eval_command_reports_both_shares(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- {q: 'How much of Scale AI does Meta own?', expect: scale-ai-stake, kind: paraphrase}\n"
        "- {q: 'What is the weather in Paris?', expect: null, kind: out_of_scope}\n"
        "- {q: 'What is the weather in Rome?', expect: scale-ai-stake, kind: typo}\n",
        encoding="utf-8",
    )
    result = run_bot("eval", str(cases))
    assert result.returncode == 0, result.stderr
    assert "answerable: 1/2" in result.stdout and "unanswerable: 1/1" in result.stdout
    assert "0 with another fact, 1 not answered" in result.stdout
    assert "by kind: paraphrase 1/1, out_of_scope 1/1, typo 0/1" in result.stdout
    assert "[typo] 'What is the weather in Rome?': expected scale-ai-stake" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {q: 'x', expect: not-a-fact, kind: paraphrase}\n", encoding="utf-8")
    result = run_bot("eval", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {bad}:1: `expect` is 'not-a-fact', which is no fact in the fact base")


def test_eval_reads_its_questions_from_stdin_given_as_a_dash(tmp_path: Path) -> None:
    case = "- {q: 'How much of Scale AI does Meta own?', expect: scale-ai-stake, kind: paraphrase}\n"
    piped = run_bot("eval", "-", stdin=case)
    assert piped.returncode == 0, piped.stderr
    assert "answerable: 1/1" in piped.stdout
    # A terminal or /dev/null is no file of questions: said as a usage error, not "no such file".
    nothing = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "-"], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=60,
    )
    assert nothing.returncode == 2
    assert nothing.stderr == (
        "error: - reads the questions from stdin, which is no file or pipe here: python -m bot eval - < FILE\n"
    )


def test_eval_takes_stdin_once_and_its_help_says_it_takes_a_dash() -> None:
    case = "- {q: 'How much of Scale AI does Meta own?', expect: scale-ai-stake, kind: paraphrase}\n"
    twice = run_bot("eval", "-", "-", stdin=case)  # the second read found stdin empty: "holds no questions"
    assert twice.returncode == 2 and twice.stdout == ""
    assert twice.stderr == (
        "error: give - once: stdin holds one file of questions, and it is read through the first time\n"
    )
    usage = run_bot("eval", "--help").stdout
    assert "- reads one from stdin" in usage and "from 0 to 1" in usage
    assert "[llama-4], works too" in run_bot("fact", "--help").stdout


def test_an_answer_to_one_of_several_questions_says_which_it_answers(engine: Engine) -> None:
    answer = engine.answer("who is Yann LeCun and what is his salary?")
    assert answer.fact_id == "who-is-yann-lecun"
    assert to_text(answer).splitlines()[0] == 'Answering "who is Yann LeCun"; ask your other question on its own.'
    # Control characters typed into the question are not echoed to the terminal.
    noisy = engine.answer("who is Yann\x07\x08\x1b LeCun and what is his salary?")
    assert to_text(noisy).splitlines()[0] == 'Answering "who is Yann LeCun"; ask your other question on its own.'
    # Words around one question are not another question: no note.
    assert part_note(engine.answer("Sorry to bother you, but how much of Scale AI does Meta own?")) is None
    assert part_note(engine.answer("How much of Scale AI does Meta own?")) is None


def test_json_names_the_question_answered_when_the_message_asked_more() -> None:
    both = json.loads(run_bot("ask", "--json", "who is Yann LeCun and what is his salary?").stdout)
    assert both["fact_id"] == "who-is-yann-lecun" and both["answered_part"] == "who is Yann LeCun"
    one = json.loads(run_bot("ask", "--json", "Sorry to bother you, but who is Yann LeCun?").stdout)
    assert one["fact_id"] == "who-is-yann-lecun" and one["answered_part"] is None


def test_the_terminal_lists_the_sources_when_asked_where_answers_come_from(engine: Engine) -> None:
    text = to_text(engine.answer("what are your sources?"))
    assert text.splitlines()[0] == "I answer from these 5 sources, quoting them word for word:"
    assert "Meta's risky move to open-source its AI models (news article, based on a Gizmodo report)" in text
    assert "Topics:" in text


def test_an_abstention_calls_its_suggestions_closest_only_when_they_come_close(engine: Engine) -> None:
    near = to_text(engine.answer("how much did Meta pay for its Scale AI stake?"))
    assert "Closest questions I can answer:" in near
    far = engine.answer("how do I get a refund for my flight?")
    assert far.suggestions and all(s.score == 0 for s in far.suggestions)
    assert "Some questions I can answer:" in to_text(far) and "Closest" not in to_text(far)
