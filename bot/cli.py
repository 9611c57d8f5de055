"""The command line: ask, topics, fact, knowledge check and confusions, eval, serve, healthcheck.

Only this module picks exit codes: 0 done, 1 the fact base, a setting or a file given (an
evaluation file, .env) has a problem, 2 the command was called the wrong way.
"""

from __future__ import annotations

import argparse
import difflib
import http.client
import io
import ipaddress
import logging
import os
import sqlite3
import stat
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TextIO

from bot.config import Settings, load_settings, unknown_setting_names
from bot.db import how_to_fix
from bot.errors import BotError, ConfigError, UsageError
from bot.models import Answer, ResolvedQuote
from bot.knowledge import unread_folders
from bot.logging_setup import SecretRedactor, log_handler, log_level, secrets_from_settings
from bot.service import AskService, knowledge_dir, load_base, load_engine
from bot.terminal import (
    MAX_QUESTION_CHARS,
    TOO_LONG,
    CutLine,
    bound_question,
    part_note,
    read_lines,
    run_chat,
    to_json_line,
    to_text,
    writes_unicode,
)
from bot.text import clean_text

COMMANDS = "ask, topics, fact, knowledge, eval, serve, healthcheck, report, explain, digest or discord"
HEALTHCHECK_TIMEOUT = 2.0
"""Seconds `healthcheck` waits for /healthz: under the Dockerfile's HEALTHCHECK --timeout."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of the whole usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


class _SubcommandParser(_Parser):
    """A subcommand's parser (`ask`, `knowledge check`, ...): it reports the arguments it does not
    know itself, so the error points at its own --help. argparse would hand them up to the
    top-level parser, whose error names 'python -m bot --help'."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


class _TopParser(_Parser):
    """The `python -m bot` parser: an option written where the command given does not take it
    is a usage error that says where it goes: after its command (`python -m bot --json ask
    ...`), or with the command that takes it (`--margin` is `knowledge confusions`')."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        argv = list(sys.argv[1:] if args is None else args)
        if not {"-h", "--help"} & set(argv[: argv.index("--") if "--" in argv else len(argv)]):
            self._check_options_placed(argv)  # asked for help, the help is the answer
        return super().parse_known_args(argv, namespace)

    def _check_options_placed(self, argv: list[str]) -> None:
        parser: argparse.ArgumentParser = self
        misplaced: list[str] = []  # options the command reached so far does not take
        args = iter(argv)
        for arg in args:
            if arg == "--":
                break
            commands = _commands_of(parser)
            if arg in commands:
                parser = commands[arg]
                for option in misplaced:
                    if (own := _option_of(parser, option)) is not None:
                        parser.error(f"{option} goes after the command: {parser.prog} {own} ...")
                continue
            if not arg.startswith("-") or arg == "-":
                continue
            option = arg.split("=", 1)[0]
            own = _option_of(parser, option)
            places = [(parser, own)] if own is not None else _commands_taking(self, option)
            if own is None:
                misplaced.append(option)
            if "=" not in arg and any(_takes_value(place, name) for place, name in places):
                next(args, None)  # its value, which may be a command's name
        for option in misplaced:
            if places := _commands_taking(self, option):
                self._say_where_it_goes(parser, option, places)

    def _say_where_it_goes(
        self, given: argparse.ArgumentParser, option: str, places: list[tuple[argparse.ArgumentParser, str]]
    ) -> None:
        (first, name), *others = places
        example = f"{'e.g. ' if others else ''}{first.prog} {name} ..."
        helper = given if others else first
        commands = [place.prog.removeprefix(self.prog + " ") for place, _ in places]
        if all(place.prog.startswith(given.prog + " ") for place, _ in places):
            takes = f"the command that takes it, {_listed(commands, 'or')}, " if others else "the command: "
            helper.error(f"{option} goes after {takes}{example}")
        helper.error(
            f"{option} is an option of {_listed(commands, 'and')}, not of "
            f"{given.prog.removeprefix(self.prog + ' ')}: {example}"
        )


def _listed(names: list[str], last: str) -> str:
    """The names as a sentence lists them: a; a and b; a, b and c (with `last` for "and")."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands `parser` takes, by name (none for a command that has none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _option_of(parser: argparse.ArgumentParser, option: str) -> str | None:
    """The option of `parser` that `option` names, as argparse reads it: the same, or the one
    long option it is the start of (`--verb` for `--verbose`); None when it names none."""
    if option in parser._option_string_actions:
        return option
    if not option.startswith("--"):
        return None
    matches = {name for name in parser._option_string_actions if name.startswith(option)}
    return matches.pop() if len(matches) == 1 else None


def _commands_taking(parser: argparse.ArgumentParser, option: str) -> list[tuple[argparse.ArgumentParser, str]]:
    """(command, its option's name) for every command under `parser` that takes `option`."""
    found = []
    for command in dict.fromkeys(_commands_of(parser).values()):  # an alias is the same parser
        if (name := _option_of(command, option)) is not None and name not in ("-h", "--help"):
            found.append((command, name))
        found += _commands_taking(command, option)
    return found


def _takes_value(parser: argparse.ArgumentParser, option: str) -> bool:
    return parser._option_string_actions[option].nargs != 0


def _source_json(quote: ResolvedQuote) -> dict[str, Any]:
    data = quote.source.model_dump(exclude_none=True)
    if quote.timestamp:
        data["timestamp"] = quote.timestamp
    return data


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` object: `quote`/`source` are the primary quote, `quotes` all of them."""
    primary = answer.quotes[0] if answer.quotes else None
    return {
        "question": answer.question,
        "answered": answer.answered,
        "status": answer.status,
        "fact_id": answer.fact_id,
        "answer": answer.text,
        "quote": primary.text if primary else None,
        "source": _source_json(primary) if primary else None,
        "quotes": [{"quote": q.text, "source": _source_json(q)} for q in answer.quotes],
        "score": round(answer.score, 4),
        "margin": round(answer.margin, 4),
        "reason": answer.reason,
        "suggestions": [s.model_dump() for s in answer.suggestions],
        "related": [r.fact_id for r in answer.related],
        "topics": [t.model_dump() for t in answer.topics],
        "sources": [s.model_dump(exclude_none=True) for s in answer.sources],
        "answered_part": part if (part := answer.matched_part) and part_note(answer) else None,
    }


def _service(settings: Settings) -> AskService:
    return AskService(load_engine(settings))


# -- commands ------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    text = clean_text(" ".join(args.question)).strip()
    if not text:
        raise UsageError("give a question, e.g. python -m bot ask \"How much of Scale AI does Meta own?\"")
    if args.question[0] == "-" and len(args.question) > 1:
        raise UsageError("give either - (one question per line on stdin) or a question, not both")
    service = _service(settings)
    if text == "-":
        for line in read_lines(sys.stdin):
            if line.strip() or isinstance(line, CutLine):
                _print_answer(service, line, as_json=args.json, out=out)
            elif args.json:
                # One object per input line, so a script can pair answers with its lines;
                # a blank line asks nothing and gets the help, unlogged.
                out.write(to_json_line(answer_to_json(service.engine.help("")), out=out))
                out.flush()
        return 0
    _print_answer(service, text, as_json=args.json, out=out)
    return 0


def _print_answer(service: AskService, question: str, *, as_json: bool, out: TextIO) -> None:
    bounded = bound_question(question)
    if bounded is None:
        answer = Answer(question=question.strip()[:MAX_QUESTION_CHARS], status="abstained", reason="too_long")
        message = TOO_LONG
    else:
        answer = service.ask(bounded, platform="cli")
        message = to_text(answer)
    if as_json:
        out.write(to_json_line(answer_to_json(answer), out=out))
    else:
        out.write(message + "\n")
    out.flush()


def cmd_topics(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    engine = load_engine(settings)
    for topic in engine.topics():
        out.write(f"{topic.id}: {topic.title} ({topic.fact_count} facts)\n    e.g. {topic.example}\n")
        if args.all:
            for fact_id in engine.base.topics[topic.id].fact_ids:
                out.write(f"    - [{fact_id}] {engine.base.facts[fact_id].question}\n")
    return 0


def cmd_fact(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    engine = load_engine(settings)
    fact_id = to_fact_id(args.fact_id)
    answer = engine.answer_fact(fact_id)
    if answer is None:
        close = difflib.get_close_matches(fact_id, engine.base.facts, n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UsageError(f"no fact with id {args.fact_id!r}; {hint}'python -m bot topics --all' lists them")
    fact = engine.base.facts[fact_id]
    if args.json:
        out.write(to_json_line({**answer_to_json(answer), "fact": fact.model_dump()}, out=out))
        return 0
    out.write(f"{fact.question}  [{fact.id}, topic {fact.topic}]\n\n{to_text(answer)}\n")
    out.write("\nAlso asked as:\n" + "".join(f"  - {a}\n" for a in fact.alternates))
    if answer.related:
        out.write("Related:\n" + "".join(f"  - [{r.fact_id}] {r.question}\n" for r in answer.related))
    return 0


def to_fact_id(text: str) -> str:
    """A fact id as a person gives it: copied with the brackets an answer shows it in
    (`[scale-ai-stake]`), with spaces around it or in capitals."""
    return text.strip().removeprefix("[").removesuffix("]").strip().lower()


def cmd_knowledge_check(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.knowledge_stats import knowledge_stats

    base = load_base(settings)
    stats = knowledge_stats(base)
    out.write(f"sources: {stats.sources}\n")
    for source in base.sources.values():
        covered, total = stats.per_source[source.id]
        out.write(f"  {source.id}: {source.kind}, {covered}/{total} sentences quoted\n")
    out.write(f"topics: {stats.topics}\nfacts: {stats.facts} ({stats.quotes} quotes)\n")
    out.write(
        f"alternates per fact: min {stats.alternates_min}, mean {stats.alternates_mean:.1f}, "
        f"max {stats.alternates_max}\n"
    )
    if args.verbose:
        for fact in base.facts.values():
            out.write(f"  {fact.id}: {len(fact.alternates)}\n")
    out.write(
        f"source sentences quoted by some fact: {stats.quoted_sentences}/{stats.sentences} "
        f"({stats.quoted_share:.0%})\n"
    )
    for folder, count in unread_folders(knowledge_dir(settings)):
        files = "file" if count == 1 else "files"
        parent = folder.split("/", 1)[0]
        out.write(f"not read: {folder} ({count} {files}); only the files directly in {parent}/ are\n")
    out.write("ok: no problems found\n")
    return 0


def cmd_knowledge_confusions(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.confusions import find_confusions, find_lost_phrasings, find_overpromises, find_twin_phrasings

    if not 0.0 <= args.margin <= 1.0:
        raise UsageError(f"--margin {args.margin} is not between 0 and 1; try 0.1")
    engine = load_engine(settings)
    lost = find_lost_phrasings(engine)
    _write_listing(
        out,
        f"{_counted(len(lost), 'phrasing finds', 'phrasings find')} no fact at all: "
        "give each words that say what its fact is about",
        [f"[{fact_id}] {phrasing!r}" for fact_id, phrasing in lost],
    )
    twins = find_twin_phrasings(engine)
    _write_listing(
        out,
        f"{_counted(len(twins), 'set of phrasings reads', 'sets of phrasings read')} as the same words to the "
        "engine across facts: reword one so it says what only its own fact says",
        ["; ".join(f"[{fact_id}] {phrasing!r}" for fact_id, phrasing in group) for group in twins],
    )
    promises = find_overpromises(engine)
    _write_listing(
        out,
        f"{_counted(len(promises), 'phrasing asks', 'phrasings ask')} for what the fact's answer and quotes "
        "do not give: ask as the answer does, or the engine answers such questions with the fact",
        [f"[{fact_id}] {phrasing!r}: {wanted}" for fact_id, phrasing, wanted in promises],
    )
    confusions = find_confusions(engine, margin=args.margin)
    if not confusions:
        out.write(f"no confusions: every phrasing beats every unrelated fact by more than {args.margin}\n")
        return 0
    total = len({(owner, phrasing) for c in confusions for owner, phrasing, _, _ in c.phrasings})
    out.write(
        f"{_counted(total, 'phrasing scores', 'phrasings score')} within {args.margin} on "
        f"{_counted(len(confusions), 'pair', 'pairs')} of unrelated facts\n"
    )
    out.write("Link a pair as related when both answer the question, or make the phrasing say what only its fact says.\n")
    for confusion in confusions:
        first, second = confusion.fact_ids
        out.write(f"\n{first} / {second}\n")
        for owner, phrasing, own, other in confusion.phrasings:
            mine = f"{own:.2f}" if own else "its own fact is not a candidate"
            out.write(f"  [{owner}] {phrasing!r}: {mine} against {other:.2f}\n")
    return 0


def _counted(count: int, one: str, many: str) -> str:
    """`count` with the singular or plural words after it: "1 phrasing finds", "3 phrasings find"."""
    return f"{count} {one if count == 1 else many}"


def _write_listing(out: TextIO, header: str, rows: list[str]) -> None:
    """A finding of `knowledge confusions`: its header line and one indented row per item,
    then a blank line; nothing when there are no rows."""
    if rows:
        out.write(header + "\n" + "".join(f"  {row}\n" for row in rows) + "\n")


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.evaluation import evaluate, read_case_files

    if args.min is not None and not 0.0 <= args.min <= 1.0:
        raise UsageError(f"--min {args.min} is not between 0 and 1; try 0.9")
    if args.files.count("-") > 1:
        raise UsageError("give - once: stdin holds one file of questions, and it is read through the first time")
    engine = load_engine(settings)
    paths = [_stdin_path() if path == "-" else path for path in args.files]
    files = read_case_files(paths, known_ids=set(engine.base.facts))
    report = evaluate([case for found in files for case in found.cases], engine.answer)
    out.write(
        f"answerable: {report.answered_right}/{report.answerable} answered with the right fact "
        f"({report.accuracy:.1%}); {report.answered_wrong} with another fact, "
        f"{report.answerable_abstained} not answered ({report.suggested_right} of them suggesting the right fact)\n"
        f"unanswerable: {report.abstained_right}/{report.unanswerable} correctly abstained or helped "
        f"({report.abstention:.1%})\n"
    )
    kinds = ", ".join(f"{kind} {right}/{total}" for kind, (right, total) in report.by_kind.items())
    out.write(f"by kind: {kinds}\n")
    if report.misses:
        out.write(f"misses ({len(report.misses)}):\n")
    for miss in report.misses:
        expected = miss.case.expect or ("help" if miss.case.kind == "help" else "abstain")
        out.write(
            f"  [{miss.case.kind}] {miss.case.q!r}: expected {expected}, got {miss.got} "
            f"(score {miss.score:.3f}{', ' + miss.reason if miss.reason else ''})\n"
        )
    failed = args.min is not None and min(report.accuracy, report.abstention) < args.min
    return 1 if failed else 0


def _stdin_path() -> str:
    """`-` of `eval`, stdin as for `ask -`: read through /dev/stdin when it is a file or a pipe."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # closed, or not a real descriptor
        mode = 0
    if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
        raise UsageError(
            "- reads the questions from stdin, which is no file or pipe here: python -m bot eval - < FILE"
        )
    return "/dev/stdin"


def cmd_serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    settings.check_platforms()
    if settings.slack_configured or settings.discord_configured:
        # The entry point is the composition root: only here does `bot` reach for adapters.
        from adapters.runtime import serve

        return serve(settings)
    # A misspelt token is the likeliest reason to land in the terminal chat: say so first.
    _warn_of_unknown_settings()
    service = _service(settings)
    return run_chat(lambda q: service.ask(q, platform="terminal"), stdin=sys.stdin, stdout=out)


def _warn_of_unknown_settings() -> None:
    """One warning line on stderr per name meant for the bot that is no setting (BOT_MIN_SCOR):
    every command reads the settings, so a slip would otherwise leave it on the default unsaid."""
    for problem in unknown_setting_names():
        print(f"warning: {problem}", file=sys.stderr)


def healthz_url(settings: Settings) -> str:
    """Where `serve` answers /healthz, as seen from the same host: an every-interface BOT_HOST is
    probed on loopback (0.0.0.0 on 127.0.0.1, :: on ::1)."""
    host = settings.bot_host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{settings.port}/healthz"  # a host name
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{settings.port}/healthz"


def cmd_healthcheck(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Probe the running `serve` for a container's HEALTHCHECK: 0 when /healthz answers 200."""
    if not (settings.slack_configured or settings.discord_configured):
        out.write("ok: no platform is configured, so serve is the terminal chat and has no port to probe\n")
        return 0
    if settings.port == 0:
        raise ConfigError("PORT is 0 (any free port), so healthcheck cannot know where serve listens; set PORT")
    url = healthz_url(settings)
    # No proxy: a proxy from the environment would probe some other machine, or nothing.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    found: dict[str, Any] = {}

    def probe() -> None:
        try:
            with opener.open(url, timeout=HEALTHCHECK_TIMEOUT) as response:
                found["status"] = response.status
        except urllib.error.HTTPError as error:
            found["status"] = error.code
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            found["error"] = error

    # The timeout bounds each read, not the whole answer: a server trickling its headers out
    # would keep the check going. The probe gets the whole timeout once, in a thread.
    prober = threading.Thread(target=probe, name="healthcheck", daemon=True)
    prober.start()
    prober.join(HEALTHCHECK_TIMEOUT)
    if prober.is_alive():
        found = {"error": TimeoutError()}
    if "error" in found:
        error = found["error"]
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"no answer within {HEALTHCHECK_TIMEOUT:g} s"
        elif isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror
        reason = " ".join(str(reason).split())[:200]  # a server that speaks no HTTP may answer anything
        raise BotError(f"{url} cannot be reached ({reason}); is 'python -m bot serve' running?") from None
    status = found["status"]
    if status != 200:
        raise BotError(f"{url} answered HTTP {status}, not 200")
    out.write(f"ok: {url} answered 200\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _TopParser(prog="python -m bot", description="Answers questions about Meta's open-source AI strategy.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_SubcommandParser)

    ask = commands.add_parser("ask", help="answer one question ('-' reads one per line from stdin)")
    ask.add_argument("question", nargs="*", help="the question, or - for stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.set_defaults(handler=cmd_ask)

    topics = commands.add_parser("topics", help="list the topics with an example question each")
    topics.add_argument("--all", action="store_true", help="also list every fact's question")
    topics.set_defaults(handler=cmd_topics)

    fact = commands.add_parser("fact", help="show one fact by id")
    fact.add_argument("fact_id", help="its id; as answers show it, [llama-4], works too")
    fact.add_argument("--json", action="store_true", help="print the fact as one JSON object")
    fact.set_defaults(handler=cmd_fact)

    knowledge = commands.add_parser("knowledge", help="work with the fact base")
    knowledge_commands = knowledge.add_subparsers(
        dest="knowledge_command", metavar="SUBCOMMAND", parser_class=_SubcommandParser
    )
    check = knowledge_commands.add_parser("check", help="validate the fact base and print its statistics")
    check.add_argument("-v", "--verbose", action="store_true", help="list the alternates count of every fact")
    check.set_defaults(handler=cmd_knowledge_check)
    confusions = knowledge_commands.add_parser(
        "confusions", help="list phrasings that an unrelated fact matches about as well as their own"
    )
    confusions.add_argument("--margin", type=float, default=0.1, help="how close counts as confused (default 0.1)")
    confusions.set_defaults(handler=cmd_knowledge_confusions)

    evaluation = commands.add_parser("eval", help="score the engine on labelled questions")
    evaluation.add_argument("files", nargs="+", help="YAML files of {q, expect, kind}; - reads one from stdin")
    evaluation.add_argument(
        "--min", type=float, default=None, help="exit 1 when either share is below this, from 0 to 1 (e.g. 0.9)"
    )
    evaluation.set_defaults(handler=cmd_eval)

    serve = commands.add_parser("serve", help="run every configured platform; the terminal chat when none is")
    serve.set_defaults(handler=cmd_serve)

    healthcheck = commands.add_parser(
        "healthcheck", help="check that serve answers /healthz (for a container HEALTHCHECK)"
    )
    healthcheck.set_defaults(handler=cmd_healthcheck)

    for register in _command_modules():
        register(commands)
    return parser


def _command_modules() -> list[Callable[[Any], None]]:
    """Commands that live beside their feature (digest, report, ...), each adding its own parsers."""
    from adapters.discord_cli import register as register_discord  # imports no discord until run
    from bot.curation_cli import register as register_curation
    from bot.digest_cli import register as register_digest
    return [register_curation, register_discord, register_digest]


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run one command and return its exit code; output that cannot be written ends it quietly."""
    out = out if out is not None else sys.stdout
    if out is None:
        print("error: stdout is closed; give the command somewhere to write", file=sys.stderr)
        return 1
    if not writes_unicode(out) and isinstance(out, io.TextIOWrapper):
        # A stdout that cannot encode every character (PYTHONIOENCODING=ascii, a redirected
        # Windows console): the quotes' curly apostrophes are written as escapes, not a traceback.
        out.reconfigure(errors="backslashreplace")
    try:
        try:
            code = _run(argv, out)
        except SystemExit as stop:  # --help printed its text and asked to exit
            code = stop.code if isinstance(stop.code, int) else 0
        # Flushed here, not at interpreter exit, so a closed pipe lands in the handlers below.
        out.flush()
        if sys.stdout is not None and sys.stdout is not out:
            sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader stopped reading (`python -m bot topics | head -1`): not an error.
        _quiet_stdout()
        return 0
    except OSError as error:
        if _quiet_stdout():
            print(f"error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        else:
            where = f"{error.filename}: " if error.filename else ""
            print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return 1


PROJECT_LOGGERS = ("bot", "adapters")
"""The loggers of this program's own packages, whose records a command other than `serve` logs."""


def command_log_level(settings: Settings) -> int:
    """The level a command other than `serve` logs at: LOG_LEVEL, with INFO taken as WARNING.

    A command says what it did itself (`posted the digest ...`, `synced 3 commands ...`): the
    INFO lines of the same work would only say it again, and a DEBUG log is asked for on purpose.
    """
    level = log_level(settings)
    return logging.WARNING if level is None or level == logging.INFO else level


@contextmanager
def command_logging(settings: Settings) -> Iterator[None]:
    """Log what a command's work logs (the digest's scheduler, the platform adapters) as `serve`
    would, for as long as the command runs: one line per record on stderr, in LOG_FORMAT, with
    every secret redacted, at `command_log_level`.

    Without it Python prints their WARNING and ERROR records bare and unredacted, with nothing to
    tell them from the command's own `error:` line. Only this program's loggers get the handler:
    a library's records go where they went before (discord.py's and slack_sdk's nowhere, for
    each gives its loggers a handler that drops them), so a command's output does not fill with
    the warnings of a client it uses in part (no voice, no gateway). The loggers are as they were
    afterwards.
    """
    level = command_log_level(settings)
    handler = log_handler(settings, SecretRedactor(secrets_from_settings(settings)))
    handler.setLevel(level)
    loggers = [logging.getLogger(name) for name in PROJECT_LOGGERS]
    levels_before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
    try:
        yield
    finally:
        handler.flush()
        for logger, level_before in zip(loggers, levels_before):
            logger.removeHandler(handler)
            logger.setLevel(level_before)


def _run(argv: Sequence[str] | None, out: TextIO) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            if args.command == "knowledge":
                raise UsageError("say what to do with the fact base: python -m bot knowledge check (or confusions)")
            raise UsageError(f"give a command: {COMMANDS} (see 'python -m bot --help')")
        settings = load_settings()
        if handler is cmd_serve:  # serve sets up its own log, and names unknown settings in it
            return handler(args, settings, out)
        _warn_of_unknown_settings()
        with command_logging(settings):
            return handler(args, settings, out)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BotError as error:  # ConfigError, KnowledgeError and the rest: the setup, not the call
        print(f"error: {error}", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(f"error: the database in BOT_DATA_DIR failed: {error}; {how_to_fix(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run_to_stdout(run: Callable[[], int]) -> int:
    """Run a script's `main` and return its exit code; a reader that stops reading
    (`benchmarks/typos.py --show | head`) ends it quietly with 0, as it does `main` here, and
    a bad fact base, setting or labelled file is one line, as it is for `main`."""
    try:
        try:
            code = run()
        except SystemExit as stop:  # --help printed its text and asked to exit
            if not isinstance(stop.code, (int, type(None))):
                raise
            code = stop.code or 0
        except BotError as error:
            print(f"error: {error}", file=sys.stderr)
            code = 2 if isinstance(error, UsageError) else 1
        if sys.stdout is not None:
            sys.stdout.flush()  # here, not at exit, so a closed pipe lands below
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return 0


def _quiet_stdout() -> bool:
    """Whether stdout has stopped taking output; if so it is pointed at /dev/null, so the
    interpreter's own last flush at exit does not print a second error."""
    stream = sys.stdout
    if stream is None:
        return False
    try:
        stream.flush()
        return False
    except (OSError, ValueError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return True
