"""The curator's commands: `report` (what was missed, and where it belongs) and `explain` (why)."""

from __future__ import annotations

import argparse
import re
import stat
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.config import Settings, Thresholds
from bot.db import DB_FILE, Database
from bot.engine import DOUBTFUL, LONE_TERM_MIN_COVERAGE, Engine, ScoreParts
from bot.errors import ConfigError, UsageError
from bot.feedback import FeedbackStore
from bot.models import Answer
from bot.question_log import QuestionLog
from bot.report import LogTally, Report, build_report, build_report_from_tally, to_text, to_yaml
from bot.service import knowledge_dir, load_engine
from bot.terminal import MAX_QUESTION_CHARS, bound_question, to_json_line
from bot.text import clean_text, printable

EXPLAIN_CANDIDATES = 5
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, *, now: datetime) -> datetime | None:
    """`7d`, `24h`, `30m`, `2w` back from now, a date or ISO time, or `all` (None: no bound)."""
    text = text.strip()
    if text.lower() == "all":
        return None
    match = _DURATION.match(text)
    if match:
        try:
            return now - timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
        except OverflowError:
            raise UsageError(f"--since {text!r} reaches back further than the calendar goes; try 'all'") from None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a duration like 7d, 24h, 30m or 2w, a date like 2025-06-01, or 'all'"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def fact_files(root: Path) -> dict[str, str]:
    """Topic id -> the fact file that holds it, as a curator opens it (for the YAML suggestions)."""
    found = {}
    for path in sorted((root / "facts").glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(document, dict) and isinstance(document.get("topic"), str):
            try:
                shown = path.relative_to(Path.cwd())
            except ValueError:
                shown = path
            found[document["topic"]] = str(shown)
    return found


def cmd_report(args: argparse.Namespace, settings: Settings, out: TextIO, *, now: datetime | None = None) -> int:
    now = now or datetime.now(timezone.utc)
    since = parse_since(args.since, now=now)
    _check_data_dir(Path(settings.bot_data_dir))
    engine = load_engine(settings)
    path = Path(settings.bot_data_dir) / DB_FILE
    # Don't create a database just to report that it is empty.
    if path.exists():
        report = _report_from_database(Database(path), settings, engine=engine, since=since, now=now)
    else:
        report = build_report([], [], engine=engine, since=since)
    if args.yaml:
        out.write(to_yaml(report, fact_files=fact_files(knowledge_dir(settings))))
    else:
        out.write(to_text(report) + "\n")
    return 0


def _check_data_dir(data_dir: Path) -> None:
    """Refuse a BOT_DATA_DIR that is not a directory: an empty report there would only say
    that nobody asked, when the log is somewhere else."""
    where = data_dir.absolute()
    try:
        status = data_dir.stat()
    except FileNotFoundError:
        problem = f"at {where / DB_FILE}: BOT_DATA_DIR {str(data_dir)!r} does not exist"
    except OSError as error:
        problem = f"at {where}: BOT_DATA_DIR {str(data_dir)!r} cannot be read ({error.strerror or error})"
    else:
        if stat.S_ISDIR(status.st_mode):
            return
        what = "is a file, not a directory" if stat.S_ISREG(status.st_mode) else "is not a directory"
        problem = f"at {where}: BOT_DATA_DIR {str(data_dir)!r} {what}"
    raise ConfigError(
        f"there is no question log {problem}; set BOT_DATA_DIR to the directory 'python -m bot serve' keeps its "
        "database in (the default, ./data, is relative to where a command runs)"
    )


def _report_from_database(
    db: Database, settings: Settings, *, engine: Engine, since: datetime | None, now: datetime
) -> Report:
    """The report with the question log counted by the database: memory stays flat however long the log."""
    try:
        log = QuestionLog.for_report(settings, db)
        # The retention holds even while the bot is not running, for questions and votes alike.
        log.prune(now=now)
        feedback = FeedbackStore(db)
        feedback.prune(before=now - log.retention)
        votes = feedback.votes(since=since)
        with closing(log.unanswered_questions(since=since)) as unanswered:
            tally = LogTally(
                statuses=log.status_counts(since=since),
                reasons=log.abstention_reasons(since=since),
                answered_facts=frozenset(log.answered_fact_ids(since=since)),
                unanswered=unanswered,
            )
            return build_report_from_tally(tally, votes, engine=engine, since=since)
    finally:
        db.close()


def explain(engine: Engine, question: str, *, limit: int = EXPLAIN_CANDIDATES) -> dict[str, Any]:
    """Why the engine answers `question` as it does: the decision, thresholds and top candidates."""
    answer = engine.answer(question)
    ranked = engine.rank(answer.matched_part or engine.reading_of(question.strip()))[:limit]
    return {
        "question": question,
        "matched_part": answer.matched_part,
        "decision": _decision(answer, engine, ranked, question),
        "status": answer.status,
        "fact_id": answer.fact_id,
        "reason": answer.reason,
        "score": answer.score,
        "margin": answer.margin,
        "confidence": answer.confidence,
        "thresholds": engine.thresholds.model_dump(),
        "gate": None if engine.gate is None else {"veto": engine.gate.veto, "threshold": engine.gate.threshold},
        "candidates": [_candidate(parts, engine) for parts in ranked],
    }


def _candidate(parts: ScoreParts, engine: Engine) -> dict[str, Any]:
    fact = engine.base.facts.get(parts.fact_id)
    return {
        "fact_id": parts.fact_id,
        "question": fact.question if fact else None,
        # Unrounded: the text view rounds once, so it shows what the engine computed.
        "score": parts.score,
        "coverage": parts.coverage,
        "phrasing": parts.phrasing,
        "fuzzy": parts.fuzzy,
        "penalty": parts.penalty,
        "penalties": list(parts.penalties),
        "matched_phrasing": parts.matched_phrasing,
    }


def _decision(answer: Answer, engine: Engine, ranked: list[ScoreParts], question: str) -> str:
    t = engine.thresholds
    if answer.status == "answered" and (placed := engine.place_asked(answer.matched_part or question)):
        source, end = placed
        title = engine.base.sources[source].title
        return (
            f"answered with {answer.fact_id}: it asks how {title!r} {'opens' if end == 'start' else 'ends'}, which"
            f" the fact quoting that text {'first' if end == 'start' else 'last'} tells"
        )
    if answer.status == "answered" and (described := engine.part_asked(answer.matched_part or question)):
        return f"answered with {answer.fact_id}: it asks about {described}, which that fact quotes"
    if answer.status == "answered":
        part = ""
        if answer.matched_part:
            part = (
                f" (read as {answer.matched_part!r}: the message as written is unclear, or matches"
                " a fact that answers none of its questions)"
            )
        elif ranked and ranked[0].fact_id != answer.fact_id:
            part = (
                f" (over {ranked[0].fact_id}, a related fact scoring within min_margin of it that holds"
                " clearly less of the question)"
            )
        if answer.confidence is not None and engine.gate is not None and not _thresholds_allow(answer, ranked, t):
            return (
                f"answered with {answer.fact_id}{part}: score {answer.score:.3f} and margin {answer.margin:.3f} fall"
                f" short of the thresholds, but the answer gate is sure (confidence {answer.confidence:.3f}"
                f" >= {engine.gate.threshold:.3f})"
            )
        gated = "" if answer.confidence is None else f"; the answer gate's confidence {answer.confidence:.3f}"
        return (
            f"answered with {answer.fact_id}{part}: score {answer.score:.3f} >= min_score {t.min_score:.3f} "
            f"and margin {answer.margin:.3f} >= min_margin {t.min_margin:.3f}{gated}"
        )
    if answer.status == "help":
        return "help: the question only greets or asks what the bot can do, so it gets the topic list"
    reason = answer.reason or "unknown"
    if reason == DOUBTFUL:
        confidence = f"{answer.confidence:.3f}" if answer.confidence is not None else "unknown"
        veto = f" < veto {engine.gate.veto:.3f}" if engine.gate is not None else ""
        why = (
            f"score {answer.score:.3f} and margin {answer.margin:.3f} pass the thresholds, but the answer gate"
            f" doubts the best fact (confidence {confidence}{veto}); it is offered first instead"
        )
    elif reason == "low_score" and answer.score >= t.min_score and ranked and ranked[0].coverage >= t.min_coverage:
        why = (
            f"it shares one word with the base among words the base does not know, and the best fact holds"
            f" less than {LONE_TERM_MIN_COVERAGE:.2f} of its weighted words"
        )
    elif reason == "low_score" and answer.score >= t.min_score:
        why = f"the best fact holds less than min_coverage {t.min_coverage:.3f} of the question's weighted words"
    elif reason == "low_score":
        why = f"best score {answer.score:.3f} < min_score {t.min_score:.3f}"
    elif reason == "too_close":
        why = f"margin {answer.margin:.3f} over the next unrelated fact < min_margin {t.min_margin:.3f}"
    elif reason == "too_broad":
        why = "its one word is shared by most facts, so it names none of them"
    elif reason == "no_match":
        why = "no fact shares a word with the question"
    elif reason.startswith("unknown_entity:"):
        why = f"it names {reason.split(':', 1)[1]}, whom the sources say nothing about"
    elif reason.startswith("unknown_subject:"):
        why = f"it asks about {reason.split(':', 1)[1]}, which no fact knows; its other words only frame the question"
    elif reason.startswith("task:"):
        why = f"it asks the bot to {reason.split(':', 1)[1]} something, a task rather than a question"
    elif reason.startswith("pointing_back:"):
        why = f"it points back with \"{reason.split(':', 1)[1]}\" at something it does not name, as a reply in a thread does"
    elif reason == "not_english":
        why = "it is written in another language, and the bot reads English only"
    elif reason == "advice":
        why = "it asks the bot's own advice or opinion, which no source gives"
    elif reason.startswith("not_given:"):
        why = f"its closest fact would answer but for the detail asked for ({reason.split(':', 1)[1]}), which it does not give"
    else:
        why = reason
    if answer.confidence is not None and engine.gate is not None and reason == "low_score":
        why += f", and the answer gate is not sure enough to answer (confidence {answer.confidence:.3f} < {engine.gate.threshold:.3f})"
    return f"abstained ({reason.split(':', 1)[0]}): {why}"


def _thresholds_allow(answer: Answer, ranked: list[ScoreParts], t: Thresholds) -> bool:
    """Whether the thresholds alone would let the best fact answer."""
    coverage = ranked[0].coverage if ranked else 0.0
    return answer.score >= t.min_score and answer.margin >= t.min_margin and coverage >= t.min_coverage


def explain_to_text(data: dict[str, Any]) -> str:
    t = data["thresholds"]
    lines = [
        f"Question: {printable(data['question'], limit=MAX_QUESTION_CHARS)}",
        f"Decision: {data['decision']}",
        f"Thresholds: min_score {t['min_score']:.3f}, min_margin {t['min_margin']:.3f}, "
        f"min_coverage {t['min_coverage']:.3f}, suggestion_floor {t['suggestion_floor']:.3f}; "
        + (
            f"answer gate: veto {data['gate']['veto']:.2f}, threshold {data['gate']['threshold']:.2f}"
            if data.get("gate")
            else "answer gate off"
        ),
        "",
    ]
    if not data["candidates"]:
        lines.append("Candidates: none, no fact shares a content word with the question")
    else:
        lines.append(
            f"Top {len(data['candidates'])} candidates (score = penalty x weighted coverage, phrasing, fuzzy):"
        )
    for rank, c in enumerate(data["candidates"], start=1):
        penalty = "" if c["penalty"] == 1 else f"  penalty x{c['penalty']:.2f} ({', '.join(c['penalties'])})"
        lines.append(f"  {rank}. {c['fact_id']}  score {c['score']:.3f}")
        lines.append(
            f"     coverage {c['coverage']:.3f}  phrasing {c['phrasing']:.3f}  fuzzy {c['fuzzy']:.3f}{penalty}"
        )
        lines.append(f"     matched phrasing: {c['matched_phrasing']}")
    return "\n".join(lines)


def cmd_explain(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    text = clean_text(" ".join(args.question)).strip()
    if not text:
        raise UsageError('give a question, e.g. python -m bot explain "Who owns Scale AI?"')
    question = bound_question(text)
    if question is None:
        raise UsageError(f"that question is too long; keep it to {MAX_QUESTION_CHARS} characters or fewer")
    data = explain(load_engine(settings), question)
    if args.json:
        out.write(to_json_line(data, out=out))
    else:
        out.write(explain_to_text(data) + "\n")
    return 0


def register(subparsers: Any) -> None:
    """Add `report` and `explain` to the CLI (called from bot.cli._command_modules)."""
    report = subparsers.add_parser("report", help="what colleagues asked and what the bot missed, for curators")
    report.add_argument(
        "--since", default="7d", help="how far back: 7d, 24h, 30m, 2w, a date like 2025-06-01, or all (default 7d)"
    )
    report.add_argument(
        "--yaml", action="store_true", help="print, per cluster of misses, alternates to review and paste"
    )
    report.set_defaults(handler=cmd_report)

    explain_parser = subparsers.add_parser("explain", help="show why the engine answers a question as it does")
    explain_parser.add_argument("question", nargs="*", help="the question")
    explain_parser.add_argument("--json", action="store_true", help="print the explanation as one JSON object")
    explain_parser.set_defaults(handler=cmd_explain)

