"""Plain-text rendering of answers, and the terminal chat that reads questions from stdin."""

from __future__ import annotations

import codecs
import json
import sys
import textwrap
from typing import IO, Any, Callable, Iterator, TextIO

from bot.models import Answer, ResolvedQuote, SourceInfo
from bot.text import asks_more_than, clean_text, printable

MAX_QUESTION_CHARS = 500
TOO_LONG = f"That question is too long; keep it to {MAX_QUESTION_CHARS} characters or fewer."
MAX_LINE_BYTES = 64 * 1024
"""How much of one input line, without its line ending, is kept: room for a question of
MAX_QUESTION_CHARS in any script, with white space around it. A longer line is too long; the
rest of it is read and dropped."""
WIDTH = 88
PROMPT = "you> "
QUIT_WORDS = frozenset({"quit", "exit", ":q"})
"""What ends the chat when a person is typing; piped in, they are questions like any other."""
DONT_KNOW = "I don't know that."
# What an abstention says its closest fact does not give, by the detail the question asked for.
_NOT_GIVEN = {
    "when": "doesn't say when",
    "where": "doesn't say where",
    "age": "doesn't say how old",
    "count": "doesn't say how many",
    "percent": "doesn't give that percentage",
    "number": "doesn't give that number",
    "currency": "doesn't give that amount",
    "money": "doesn't give that amount",
    "howto": "doesn't say how to do that",
    "before": "doesn't say what came before",
    "later": "doesn't say what happened afterwards",
    "reaction": "doesn't say how anyone reacted",
    "future": "doesn't say what will happen",
    "happened": "doesn't say that it has happened",
    "kind": "doesn't name which ones",
    "who": "doesn't say who",
    "author": "doesn't say who wrote its source",
    "dated": "doesn't say when its source was written",
    "heading": "doesn't give the headings of its source",
    "business": "doesn't say what that company or product does",
    "source": "comes from another source than the one you named",
}
# Characters JSON leaves unescaped that str.splitlines() still reads as line breaks.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def source_label(source: SourceInfo, *, timestamp: str | None = None) -> str:
    """`Title (kind, outlet)` plus the podcast timestamp, as every surface names a source."""
    details = [source.kind]
    if source.outlet:
        details.append(source.outlet)
    if source.based_on:
        details.append(f"based on a {source.based_on} report")
    label = f"{source.title} ({', '.join(details)})"
    if timestamp:
        label += f" at {timestamp}"
    return label


def quote_to_text(quote: ResolvedQuote) -> str:
    body = textwrap.fill(
        quote.text, width=WIDTH - 4, initial_indent="  > ", subsequent_indent="  > ", break_on_hyphens=False
    )
    return f"{body}\n    - {source_label(quote.source, timestamp=quote.timestamp)}"


def to_text(answer: Answer) -> str:
    """The answer as the terminal and `bot ask` show it."""
    if answer.status == "help":
        lines = []
        if answer.sources:
            lines.append(f"I answer from these {len(answer.sources)} sources, quoting them word for word:")
            lines += [f"  - {source_label(s)}" for s in answer.sources]
        lines += [
            "Ask me about Meta's open-source AI strategy in your own words; I answer from the",
            "articles my fact base is built from and quote my source. Topics:",
        ]
        lines += [f"  - {t.title}: e.g. \"{t.example}\"" for t in answer.topics]
        return "\n".join(lines)
    if answer.status == "limited":
        return answer.reason or "You are asking faster than I can answer; try again in a minute."
    if not answer.answered:
        lines = [dont_know(answer)]
        if answer.suggestions:
            lines.append(f"{suggestions_heading(answer)}:")
            lines += [f"  - {s.question}  [{s.fact_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    note = part_note(answer)
    lines = [note] if note else []
    lines += [textwrap.fill(answer.text or "", width=WIDTH), ""]
    lines += [quote_to_text(q) for q in answer.quotes]
    lines.append(f"  [{answer.fact_id}]")
    return "\n".join(lines)


def part_note(answer: Answer) -> str | None:
    """For an answer to one of several questions in a message, which one it answers; None
    when it answers the message (or the one question the message wraps in other words)."""
    part = answer.matched_part
    if not answer.answered or not part or not asks_more_than(answer.question, part):
        return None
    return f'Answering "{printable(part, limit=MAX_QUESTION_CHARS)}"; ask your other question on its own.'


def dont_know(answer: Answer) -> str:
    """The first line of an abstention: that the bot does not know, and why when it can tell
    (a name or subject its sources never mention, a detail its closest fact does not give)."""
    kind, _, detail = (answer.reason or "").partition(":")
    if kind == "unknown_entity":
        # A name as the asker wrote it ("Mark Cuban"): shown without what a terminal would run.
        return f"{DONT_KNOW} My sources say nothing about {printable(detail)}."
    if kind == "unknown_subject":
        # Words as the asker wrote them, a noun or not ("quantization", "flop", "sue"): quoted.
        return f'{DONT_KNOW} My sources say nothing about "{printable(detail)}".'
    if kind == "task":
        # The verb as the engine read it ("translate", "draft"): a word of its own list.
        return f'{DONT_KNOW} I only answer questions from my sources; "{printable(detail)}" is not something I can do.'
    if kind == "not_english":
        return f"{DONT_KNOW} I read questions in English only; ask again in English."
    if kind == "pointing_back":
        # The pointing word as the engine read it ("he", "that"): one of its own short list.
        return (
            f'{DONT_KNOW} I read each message on its own, so I can\'t tell what "{detail}" points to;'
            " ask again naming who or what you mean."
        )
    if kind == "advice":
        return f"{DONT_KNOW} I answer from my sources and give no advice or opinions of my own."
    if kind == "not_given":
        missing = _NOT_GIVEN.get(detail, "doesn't give that detail")
        return f"{DONT_KNOW} The closest fact I have {missing}."
    if kind == "doubtful":
        return f"{DONT_KNOW} The closest fact I have may not be what you asked; it comes first below."
    return DONT_KNOW


def suggestions_heading(answer: Answer) -> str:
    """What an abstention's suggestions are: the closest questions the bot can answer, or, when
    none comes close ("what's the weather in Paris?"), a few it can answer to start from."""
    if any(s.score is None or s.score > 0 for s in answer.suggestions):
        return "Closest questions I can answer"
    return "Some questions I can answer"


class CutLine(str):
    """The start of an input line longer than MAX_LINE_BYTES: too long, whatever it holds."""


def bound_question(line: str) -> str | None:
    """The question as the engine takes it, or None when it is over the length limit."""
    if isinstance(line, CutLine):
        return None
    line = line.strip()
    return None if len(line) > MAX_QUESTION_CHARS else line


def to_json_line(data: Any, *, out: IO[str] | None = None) -> str:
    """`data` as one line of JSON: whatever the text holds, a reader splitting lines sees one.
    Characters `out` cannot encode (an ASCII or cp1252 stdout) are written as JSON escapes."""
    text = json.dumps(data, ensure_ascii=out is not None and not writes_unicode(out))
    for char, escaped in _LINE_BREAKS.items():
        text = text.replace(char, escaped)
    return text + "\n"


def writes_unicode(stream: IO[str]) -> bool:
    """Whether `stream` can encode every character (a UTF encoding, or text kept in memory)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def read_lines(stream: IO[str] | None, *, limit: int = MAX_LINE_BYTES) -> Iterator[str]:
    """Each line of `stream` without its line ending (LF or CRLF), read as UTF-8 whatever the locale.

    Bytes that are not UTF-8 become U+FFFD instead of stopping the read, and only LF ends a
    line, so every input line is one question. A byte order mark opening the input (Notepad's
    "UTF-8 with BOM", Windows PowerShell's pipes) is no part of the first question. A closed
    stream (None) has no lines. A line
    of more than `limit` bytes (not counting its line ending) comes as a CutLine of its first
    `limit` bytes, as soon as they are read; the rest of it is then read a piece at a time
    and dropped, so memory stays bounded however long the line (`< /dev/zero`).
    """
    if stream is None:
        return
    raw = getattr(stream, "buffer", None)
    # readline, not iteration: iterating a buffered reader can end as if at EOF when Ctrl-C
    # interrupts its read, and the interrupt then surfaces later, outside the command.
    read = raw.readline if raw is not None else stream.readline
    # Room for the line ending too, so a line of exactly `limit` bytes and its CRLF is whole.
    size = limit + 2
    first = True
    while True:
        chunk = read(size)
        if not chunk:
            return
        lf, cr = (b"\n", b"\r") if isinstance(chunk, bytes) else ("\n", "\r")
        if first:
            first = False
            mark = b"\xef\xbb\xbf" if isinstance(chunk, bytes) else "\ufeff"
            if chunk.startswith(mark):
                chunk = chunk[len(mark):]
                if len(chunk) + len(mark) == size and not chunk.endswith(lf):
                    chunk += read(len(mark))  # the room the mark took, for the line's own bytes
                if not chunk:
                    continue
        ended = chunk.endswith(lf)
        body = chunk.removesuffix(lf).removesuffix(cr)
        cut = len(body) > limit
        if cut:
            body = body[:limit]
        if isinstance(body, bytes):
            # Incremental, so a character cut at the bound is dropped, not made an error.
            line = codecs.getincrementaldecoder("utf-8")("replace").decode(body, final=not cut)
        else:
            line = clean_text(body)
        if not cut:
            yield line
            continue
        yield CutLine(line)
        while not ended and len(chunk) == size:  # a shorter piece without an LF ends the input
            chunk = read(size)
            ended = chunk.endswith(lf)


def run_chat(
    ask: Callable[[str], Answer], *, stdin: IO[str] | None = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    """Answer one question per line until EOF; when a person is typing, prompt, and end on
    'quit', 'exit' or ':q' too."""
    interactive = stdin is not None and stdin.isatty()
    if interactive:
        stdout.write("Ask me about Meta's open-source AI strategy ('quit' or Ctrl-D to quit). Type 'help' for topics.\n")
    lines = _typed_lines(stdin, stdout) if interactive else read_lines(stdin)
    try:
        return _chat(ask, lines, stdout, interactive=interactive)
    except KeyboardInterrupt:
        if interactive:  # end the prompt's line, so the shell's prompt starts on its own
            stdout.write("\n")
            stdout.flush()
        raise


def _typed_lines(stdin: IO[str] | None, stdout: TextIO) -> Iterator[str]:
    """The lines a person types, each after the prompt.

    On the process's own terminal, where Python has its readline module, they are read with
    line editing: the arrow keys move in the line and recall earlier questions, where a plain
    read took the keys' codes (`^[[A`) as words of the question. Read as UTF-8 whatever the
    locale, as read_lines reads; elsewhere read_lines reads them.
    """
    if _can_edit_lines(stdin, stdout):
        while True:
            try:
                yield clean_text(input(PROMPT))
            except EOFError:
                return
    lines = read_lines(stdin)
    while True:
        stdout.write(PROMPT)
        stdout.flush()
        line = next(lines, None)
        if line is None:
            return
        yield line


def _can_edit_lines(stdin: IO[str] | None, stdout: TextIO) -> bool:
    """Whether input() reads `stdin` with line editing: only when both streams are the process's
    own terminal and readline can be imported (importing it is what turns the editing on)."""
    try:
        own = stdin is sys.stdin and stdout is sys.stdout and stdin.fileno() == 0 and stdout.fileno() == 1
        if not (own and stdin.isatty() and stdout.isatty()):
            return False
        import readline  # noqa: F401
        # What input() decodes with; bytes that are not UTF-8 come out as U+FFFD (clean_text).
        sys.stdin.reconfigure(encoding="utf-8", errors="surrogateescape")  # type: ignore[union-attr]
    except (ImportError, AttributeError, OSError, ValueError):
        return False
    return True


def _chat(ask: Callable[[str], Answer], lines: Iterator[str], stdout: TextIO, *, interactive: bool) -> int:
    while True:
        line = next(lines, None)
        if line is None:
            if interactive:
                stdout.write("\n")
            return 0
        if not line.strip() and not isinstance(line, CutLine):
            continue
        if interactive and line.strip().lower() in QUIT_WORDS:
            return 0
        question = bound_question(line)
        if question is None:
            stdout.write(TOO_LONG + "\n\n")
            continue
        stdout.write(to_text(ask(question)) + "\n\n")
        stdout.flush()
