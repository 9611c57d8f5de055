"""The command line at its edges: odd bytes on stdin, closed and full outputs, bad settings."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import runpy
import select
import shutil
import signal
import socket
import stat
import sqlite3
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot import cli
from bot.cli import healthz_url, main
from bot.config import Settings, load_settings
from bot.db import DB_FILE
from bot.errors import ConfigError
from bot.knowledge import default_knowledge_dir
from bot.terminal import MAX_LINE_BYTES, MAX_QUESTION_CHARS, CutLine, read_lines

ROOT = Path(__file__).resolve().parent.parent
# The README's keys, plus `topics` (the topic list a help answer carries).
JSON_KEYS = {
    "question", "answered", "status", "fact_id", "answer", "quote", "source", "quotes",
    "score", "margin", "reason", "suggestions", "related", "topics", "sources", "answered_part",
}


def _env(**extra: str) -> dict[str, str]:
    """The environment of a user with no bot settings; stdout block-buffered, as in a pipe."""
    prefixes = ("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "LOG_", "PYTHONUNBUFFERED", "PYTHONIOENCODING")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**clean, **extra}


def _bot(
    *args: str | bytes, stdin: bytes = b"", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot ARGS` run from `cwd` (the project's code whatever the folder)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=60,
        env=env or (_env() if cwd == ROOT else _env(PYTHONPATH=str(ROOT))),
    )


def _one_error_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


def _in_process(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


# -- ask --json - and the chat: one answer per input line, whatever the bytes ----------------


# Strict decoding (PYTHONIOENCODING=utf-8) and the C locale's lenient one both must work.
@pytest.mark.parametrize("encoding", [None, "utf-8"])
def test_ask_json_stdin_takes_any_bytes_and_prints_utf8_one_line_each(encoding: str | None) -> None:
    lines = [b"How much of Scale AI does Meta own?", b"", b"scale \xff\xfe ai", b"what is open washing", b"x" * 5000]
    stdin = lines[0] + b"\r\n" + b"\r\n".join(lines[1:4]) + b"\n" + lines[4]  # CRLF, LF, no final newline
    env = _env(PYTHONIOENCODING=encoding) if encoding else _env()
    result = _bot("ask", "--json", "-", stdin=stdin, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [o["question"] for o in objects[:4]] == [
        "How much of Scale AI does Meta own?", "", "scale \ufffd\ufffd ai", "what is open washing"
    ]
    assert len(objects) == 5 and objects[4]["reason"] == "too_long"
    assert all(set(o) == JSON_KEYS for o in objects)
    assert objects[0]["fact_id"] == "scale-ai-stake" and objects[2]["fact_id"] == "scale-ai-stake"


# A line no question can fill: the bound, and then some, in a two-byte character.
LONG_LINE = "é" * (MAX_LINE_BYTES // 2 + 10)
TOO_LONG = f"That question is too long; keep it to {MAX_QUESTION_CHARS} characters or fewer.\n\n"


class _Reader:
    """stdin's bytes, noting the most read into one piece: what reading a line costs in memory."""

    def __init__(self, data: bytes) -> None:
        self.stream, self.largest = io.BytesIO(data), 0

    def readline(self, size: int = -1) -> bytes:
        chunk = self.stream.readline(size)
        self.largest = max(self.largest, len(chunk))
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


class _PipedStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = _Reader(data)

    def isatty(self) -> bool:
        return False


def _piped(monkeypatch: pytest.MonkeyPatch, data: bytes) -> _Reader:
    stdin = _PipedStdin(data)
    monkeypatch.setattr(sys, "stdin", stdin)
    return stdin.buffer


def test_a_line_over_the_bound_is_read_a_piece_at_a_time_and_the_next_line_is_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin = f"  {LONG_LINE}  \nllama 4\n".encode("utf-8")
    for argv in (("ask", "--json", "-"), ("serve",)):
        reader = _piped(monkeypatch, stdin)
        code, out = _in_process(*argv)
        assert code == 0
        # Never more than the bound and a line ending in memory at once, whatever the line.
        assert reader.largest <= MAX_LINE_BYTES + 2
        if argv[0] == "ask":
            first, second = [json.loads(line) for line in out.splitlines()]
            # As for any over-long line: the reason, and the first characters of the question.
            assert first["reason"] == "too_long" and first["question"] == "é" * MAX_QUESTION_CHARS
            assert set(first) == JSON_KEYS and second["fact_id"] == "llama-4"
        else:
            assert out.startswith(TOO_LONG) and "[llama-4]" in out


# Over the bound, a line is too long even when what is kept of it is blank, or a question.
BLANK_THEN_A_QUESTION_IN_BLANKS = b" " * 70_000 + b"\n" + b" " * 60_000 + b"llama 4" + b" " * 10_000 + b"\n"


def test_a_line_over_the_bound_is_too_long_whatever_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    _piped(monkeypatch, BLANK_THEN_A_QUESTION_IN_BLANKS)
    code, out = _in_process("ask", "--json", "-")
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["reason"] for o in objects] == ["too_long", "too_long"]
    assert [o["question"][:7] for o in objects] == ["", "llama 4"]
    _piped(monkeypatch, BLANK_THEN_A_QUESTION_IN_BLANKS)
    assert _in_process("serve") == (0, TOO_LONG * 2)


# The bound is on the line without its ending: a line of exactly MAX_LINE_BYTES is whole.
@pytest.mark.parametrize("ending", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
def test_a_line_of_exactly_the_bound_is_answered_and_one_byte_more_is_too_long(ending: bytes) -> None:
    at = b" " * (MAX_LINE_BYTES - len(b"llama 4")) + b"llama 4"
    over = b" " + at
    lines = list(read_lines(_Stdin(io.BytesIO(at + ending + over + ending + b"ok" + ending))))  # type: ignore[arg-type]
    assert [type(line) for line in lines] == [str, CutLine, str]
    assert lines[0] == at.decode() and lines[1] == over[:MAX_LINE_BYTES].decode() and lines[2] == "ok"
    result = _bot("ask", "--json", "-", stdin=at + ending + over + ending)
    assert result.returncode == 0 and result.stderr == b""
    first, second = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert first["fact_id"] == "llama-4" and second["reason"] == "too_long"


# Runs the bot and prints its peak memory in KiB on stderr's last line. (Not ru_maxrss: it
# keeps the peak of the forked test process from before the exec.)
_PEAK = """import runpy, sys
sys.argv = ["bot", *sys.argv[1:]]
try:
    runpy.run_module("bot", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")), file=sys.stderr)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc/self/status")
@pytest.mark.parametrize("args", [("ask", "--json", "-"), ("serve",)])
def test_a_line_without_end_is_read_in_bounded_memory(args: tuple[str, ...]) -> None:
    def peak(stdin: bytes) -> tuple[int, bytes]:
        result = subprocess.run(
            [sys.executable, "-c", _PEAK, *args], cwd=ROOT, input=stdin, capture_output=True, timeout=60, env=_env()
        )
        assert result.returncode == 0, result.stderr
        *_, last = result.stderr.decode().splitlines()
        return int(last), result.stdout

    small, _ = peak(b"llama 4\n")
    large, out = peak(b"x" * 64_000_000 + b"\nllama 4\n")  # read whole, it took 200 MB more
    assert large - small < 16 * 1024
    assert b"too long" in out or b"too_long" in out
    assert b"llama-4" in out


class _Endless(io.RawIOBase):
    """`size` bytes of one line with no end, then `tail`, made as they are read."""

    def __init__(self, size: int, tail: bytes) -> None:
        self.left, self.tail = size, tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        if self.left:
            n = min(len(buffer), self.left)
            buffer[:n] = b"y" * n
            self.left -= n
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


class _Stdin:
    def __init__(self, raw: io.RawIOBase) -> None:
        self.buffer = io.BufferedReader(raw)


def test_reading_a_long_line_keeps_only_its_start() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        lines = list(read_lines(_Stdin(_Endless(50_000_000, b"\nllama 4\r\n"))))  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(line) for line in lines] == [CutLine, str]
    assert lines[0] == "y" * MAX_LINE_BYTES and lines[1] == "llama 4"
    assert peak < 1_000_000


def test_a_character_cut_at_the_bound_is_dropped_not_an_error() -> None:
    stdin = _Stdin(io.BytesIO("abcdé€fgh\nok\n".encode("utf-8")))  # type: ignore[arg-type]
    assert list(read_lines(stdin, limit=5)) == ["abcd", "ok"]  # type: ignore[arg-type]
    assert list(read_lines(_Stdin(io.BytesIO(b"ab\xc3")))) == ["ab\ufffd"]  # type: ignore[arg-type]


def test_a_byte_order_mark_opening_stdin_is_not_part_of_the_first_question() -> None:
    # Notepad's "UTF-8 with BOM" and Windows PowerShell's pipes start the text with one.
    result = _bot("ask", "--json", "-", stdin=b"\xef\xbb\xbfllama 4\nopen \xef\xbb\xbf washing\n")
    assert result.returncode == 0, result.stderr
    questions = [json.loads(line)["question"] for line in result.stdout.decode("utf-8").splitlines()]
    assert questions == ["llama 4", "open \ufeff washing"]  # only the mark that opens the text goes
    # The mark takes no room from a line at the length bound, nor makes a line of its own.
    marked = _Stdin(io.BytesIO(b"\xef\xbb\xbfabcde\r\nok"))
    assert [type(line) for line in read_lines(marked, limit=5)] == [str, str]  # type: ignore[arg-type]
    assert list(read_lines(_Stdin(io.BytesIO(b"\xef\xbb\xbfabcde\nok")), limit=5)) == ["abcde", "ok"]  # type: ignore[arg-type]
    assert list(read_lines(_Stdin(io.BytesIO(b"\xef\xbb\xbf")))) == []  # type: ignore[arg-type]
    # A file whose first line is blank but for the mark: the chat passes over it as a blank line.
    chat = _bot("serve", stdin=b"\xef\xbb\xbf\r\nllama 4\r\n")
    assert chat.returncode == 0, chat.stderr
    assert "Topics:" not in chat.stdout.decode("utf-8") and "[llama-4]" in chat.stdout.decode("utf-8")


def test_a_line_separator_inside_a_question_stays_inside_its_json_line() -> None:
    questions = ["llama\u2028 4", "open\u2029wash\x85ing", "scale ai"]
    result = _bot("ask", "--json", "-", stdin="\n".join(questions).encode("utf-8"))
    assert result.returncode == 0, result.stderr
    # str.splitlines() breaks at U+2028, U+2029 and U+0085 too: the output must not contain them raw.
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [o["question"] for o in objects] == questions


def test_a_question_argument_that_is_not_utf8_prints_valid_json() -> None:
    result = _bot("ask", "--json", b"scale ai \xff stake", env=_env(PYTHONIOENCODING="utf-8"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.decode("utf-8"))
    assert data["question"] == "scale ai \ufffd stake"


def test_the_help_object_has_every_key_and_nulls() -> None:
    result = _bot("ask", "--json", "hello")
    data = json.loads(result.stdout)
    assert set(data) == JSON_KEYS
    assert data["status"] == "help" and data["answered"] is False
    assert (data["fact_id"], data["answer"], data["quote"], data["source"]) == (None, None, None, None)
    assert data["quotes"] == [] and data["related"] == [] and data["topics"] and data["sources"] == []


def test_asked_for_its_sources_the_help_object_lists_them() -> None:
    data = json.loads(_bot("ask", "--json", "what are your sources?").stdout)
    assert data["status"] == "help"
    assert {s["id"] for s in data["sources"]} == {p.stem for p in (ROOT / "knowledge" / "sources").glob("*.md")}
    assert all(s["title"] and s["kind"] for s in data["sources"])


@pytest.mark.parametrize("encoding", [None, "utf-8"])
def test_the_terminal_chat_reads_bytes_that_are_not_utf8(encoding: str | None) -> None:
    env = _env(PYTHONIOENCODING=encoding) if encoding else _env()
    result = _bot("serve", stdin=b"scale ai \xff stake\r\nhelp", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    text = result.stdout.decode("utf-8")
    assert "[scale-ai-stake]" in text and "Topics:" in text and "you>" not in text


@pytest.mark.parametrize("args", [("ask", "--json", "-"), ("serve",)])
def test_a_closed_stdin_is_the_end_of_input(args: tuple[str, ...]) -> None:
    command = " ".join([sys.executable, "-m", "bot", *args]) + " <&-"
    result = subprocess.run(["sh", "-c", command], cwd=ROOT, capture_output=True, timeout=60, env=_env())
    assert result.returncode == 0 and result.stdout == b"" and result.stderr == b""


@pytest.mark.parametrize("args", [("serve",), ("ask", "--json", "-")])
def test_ctrl_c_ends_reading_with_130_and_no_traceback(args: tuple[str, ...]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"llama 4\n")
    process.stdin.flush()
    assert process.stdout.readline()  # it has answered, so it is waiting for the next line
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and stderr == b""


def _read_until(fd: int, token: bytes, *, timeout: float = 60) -> bytes:
    """What the terminal shows up to and including `token` (or until the program ends)."""
    seen = b""
    while token not in seen:
        # Only a guard against a hung program: a working one answers well within this.
        if not select.select([fd], [], [], timeout)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the program ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("key", "code"), [(b"\x03", 130), (b"\x04", 0)])
def test_the_chat_on_a_terminal_prompts_and_ends_its_line_on_ctrl_c_or_ctrl_d(key: bytes, code: int) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the bot on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "serve"], _env())
    try:
        assert _read_until(fd, b"you> ").startswith(b"Ask me about")
        os.write(fd, b"llama 4\n")
        assert b"[llama-4]" in _read_until(fd, b"you> ")
        _wait_until_reading(pid)
        os.write(fd, key)
        rest = _read_until(fd, b"\0", timeout=10)  # everything until the program ends
    finally:
        ended, status = _ended_within(pid, seconds=5)
        os.close(fd)
    assert ended and os.waitstatus_to_exitcode(status) == code
    assert rest.endswith(b"\r\n") and b"Traceback" not in rest


def _wait_until_reading(pid: int, *, timeout: float = 10) -> None:
    """Wait until the program sits in its read of the terminal, as it does by the time a person
    presses a key: a Ctrl-C that lands between the prompt being drawn and that read beginning
    is handled but wakes nothing (CPython's readline loop checks for signals only when its
    select() is interrupted), so the program would wait for the next line. Where /proc does
    not tell, a short pause stands in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/wchan", encoding="ascii") as wchan:
                waiting_in = wchan.read()
        except OSError:
            time.sleep(0.5)
            return
        if "poll" in waiting_in or "select" in waiting_in:
            return
        time.sleep(0.01)


def _ended_within(pid: int, *, seconds: float) -> tuple[bool, int]:
    """Whether the program ended within `seconds`, and its wait status; one still running is
    killed, so a test that fails never leaves it behind nor waits for it forever."""
    deadline = time.monotonic() + seconds
    while not (ended_status := os.waitpid(pid, os.WNOHANG))[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    ended, status = ended_status
    if not ended:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return bool(ended), status


def _has_readline() -> bool:
    try:
        import readline  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not hasattr(os, "fork") or not _has_readline(), reason="needs a pseudo-terminal and readline")
@pytest.mark.parametrize("term", ["xterm", None], ids=["xterm", "no TERM"])
def test_the_chat_on_a_terminal_edits_lines_with_the_arrow_keys_and_recalls_questions(term: str | None) -> None:
    """Left arrow to fix a slip, up arrow to ask again: the keys move the cursor and recall the
    last question, instead of their codes (^[[D, ^[[A) being read as words of the question."""
    import pty

    env = {k: v for k, v in _env().items() if k != "TERM"} | ({"TERM": term} if term else {})
    pid, fd = pty.fork()
    if pid == 0:  # the child: the bot on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "serve"], env)
    try:
        _read_until(fd, b"you> ")
        os.write(fd, b"who is lecn\x1b[Du\n")  # the u typed before the n
        assert b"[who-is-yann-lecun]" in _read_until(fd, b"you> ")
        os.write(fd, b"\x1b[A\n")  # the previous question again
        assert b"[who-is-yann-lecun]" in _read_until(fd, b"you> ")
    finally:
        os.kill(pid, signal.SIGKILL)  # done asking; and a chat that answered nothing stops here too
        os.waitpid(pid, 0)
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("word", [b"quit", b"exit", b":q", b"  Quit "])
def test_the_chat_on_a_terminal_ends_on_quit(word: bytes) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the bot on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "serve"], _env())
    try:
        assert b"'quit'" in _read_until(fd, b"you> ")
        os.write(fd, word + b"\n")
        rest = _read_until(fd, b"\0", timeout=10)  # everything until the program ends
    finally:
        ended, status = _ended_within(pid, seconds=5)  # not ended: still asking for questions
        os.close(fd)
    assert ended and os.waitstatus_to_exitcode(status) == 0
    assert b"know" not in rest and b"you> " not in rest  # no answer, no second prompt


def test_quit_piped_in_is_a_question_like_any_other() -> None:
    result = _bot("serve", stdin=b"quit\nllama 4\n")  # `echo ... | make run` reads to the end
    assert result.returncode == 0 and result.stderr == b""
    text = result.stdout.decode("utf-8")
    assert text.startswith("I don't know that.") and "[llama-4]" in text


# -- output that cannot be written ----------------------------------------------------------


@pytest.mark.parametrize("args", [("topics",), ("--help",), ("fact", "llama-versions")])
def test_a_reader_that_stops_reading_gets_no_error(args: tuple[str, ...]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the bot writes anything: every write meets a closed pipe
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert stderr == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_error_line() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "topics"], cwd=ROOT, env=_env(), stdout=full, stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 1
    assert "No space left on device" in _one_error_line(result.stderr)


def test_a_closed_stdout_is_one_error_line() -> None:
    command = f"{sys.executable} -m bot topics >&-"
    result = subprocess.run(["sh", "-c", command], cwd=ROOT, capture_output=True, timeout=60, env=_env())
    assert result.returncode == 1
    assert "stdout is closed" in _one_error_line(result.stderr)


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_stdout_that_cannot_encode_every_character_gets_escapes_not_a_traceback(encoding: str) -> None:
    # The quotes hold curly apostrophes; a question may hold emoji. JSON stays valid JSON.
    as_json = _bot("ask", "--json", "what is llama \U0001F914", env=_env(PYTHONIOENCODING=encoding))
    assert as_json.returncode == 0 and as_json.stderr == b""
    data = json.loads(as_json.stdout.decode(encoding))
    assert data["question"] == "what is llama \U0001F914" and data["answered"]
    as_text = _bot("ask", "how much of scale ai does meta own", env=_env(PYTHONIOENCODING=encoding))
    assert as_text.returncode == 0 and as_text.stderr == b""
    assert "49%" in as_text.stdout.decode(encoding)


def test_reading_stdin_and_a_question_at_once_is_a_usage_error() -> None:
    result = _bot("ask", "-", "extra")
    assert result.returncode == 2
    assert "not both" in _one_error_line(result.stderr)


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_MIN_SCORE", "2"),
        ("BOT_MIN_SCORE", "nan"),
        ("BOT_MIN_SCORE", "inf"),
        ("BOT_MIN_MARGIN", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("BOT_RETENTION_DAYS", "99999999"),
        ("DIGEST_GRACE", "inf"),
        ("DIGEST_GRACE", "2000m"),
        ("DIGEST_GRACE", "h"),
        ("DIGEST_TIME", "09:00+02:00"),
        ("BOT_HOST", "not a host"),
        ("BOT_HOST", "999.1.1.1"),
        ("BOT_HOST", "http://127.0.0.1"),
        ("BOT_HOST", "127.0.0.1:3000"),
        ("BOT_HOST", "-bot.internal"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(name, value)
    code, out = _in_process("ask", "hello")
    assert code == 1 and out == ""
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line.startswith(f"error: {name} is invalid")


# A malformed value for every setting that can have one, and what the error line must say it takes.
MALFORMED = [
    ("BOT_MIN_SCORE", "high", "a number from 0 to 1, like 0.52"),
    ("BOT_MIN_SCORE", "2", "a number from 0 to 1, like 0.52"),
    ("BOT_MIN_MARGIN", "-1", "a number from 0 to 1, like 0.06"),
    ("BOT_LOG_QUESTIONS", "maybe", "true or false (or 1/0, yes/no, on/off)"),
    ("BOT_ENGINE_CACHE", "sometimes", "true or false (or 1/0, yes/no, on/off)"),
    ("BOT_RETENTION_DAYS", "1.5", "a whole number of days from 1 to 36500, like 90"),
    ("BOT_RATE_LIMIT", "ten", "a whole number of questions a minute per user, like 10, or 0 for no limit"),
    ("BOT_HOST", "not a host", "an IP address or host name, like 127.0.0.1"),
    ("PORT", "70000", "a port number from 0 to 65535, like 3000"),
    ("PORT", "http", "a port number from 0 to 65535, like 3000"),
    ("LOG_FORMAT", "xml", "text or json"),
    ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("SLACK_MODE", "webhook", "socket or http"),
    ("SLACK_COMMAND", "/fact bot", "a slash command"),
    ("DIGEST_TIME", "9am", "a time as HH:MM (24-hour, e.g. 09:00)"),
    ("DIGEST_TIME", "25:00", "a time as HH:MM (24-hour, e.g. 09:00)"),
    ("DIGEST_SIZE", "11", "a whole number of facts from 1 to 10, like 3"),
    ("DIGEST_GRACE", "abc", "a duration from 0 to 24h like 90m, 6h or 1800s (a bare number counts as hours)"),
    ("DIGEST_GRACE", "6d", "a duration from 0 to 24h like 90m, 6h or 1800s"),
    ("DIGEST_GRACE", "-1h", "a duration from 0 to 24h like 90m, 6h or 1800s"),
    # Checked on every start, as DIGEST_TIME is, not only once the digest runs.
    ("DIGEST_TIMEZONE", "Berlin", "an IANA time zone name such as Europe/Berlin"),
    ("DIGEST_TIMEZONE", "../../etc/passwd", "an IANA time zone name such as Europe/Berlin"),
]


@pytest.mark.parametrize(("name", "value", "takes"), MALFORMED)
def test_a_bad_setting_says_what_the_setting_takes(
    name: str, value: str, takes: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(name, value)
    assert _in_process("ask", "hello")[0] == 1
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line.startswith(f"error: {name} is invalid: {value!r} is not ")
    assert takes in line and line.endswith("; fix it in the environment or .env")
    assert "Input should" not in line  # pydantic's own words name no format


def test_the_examples_users_reported_read_as_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TIME", "9am")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (
        "DIGEST_TIME is invalid: '9am' is not a time as HH:MM (24-hour, e.g. 09:00); fix it in the environment or .env"
    )
    monkeypatch.delenv("DIGEST_TIME")
    monkeypatch.setenv("DIGEST_GRACE", "abc")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (
        "DIGEST_GRACE is invalid: 'abc' is not a duration from 0 to 24h like 90m, 6h or 1800s "
        "(a bare number counts as hours); fix it in the environment or .env"
    )


def test_a_bad_digest_channel_stops_every_command_with_the_entry_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIGEST_CHANNELS", "slack:C0123ABC, teams:C01")
    assert _in_process("ask", "hello")[0] == 1
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line == (
        "error: DIGEST_CHANNELS is invalid: entry 'teams:C01' does not start with slack: or discord: "
        "(like slack:C0123ABC or discord:123456789012345678); fix it in the environment or .env"
    )
    monkeypatch.setenv("DIGEST_CHANNELS", "slack:C0123ABC,discord:123456789012345678")
    assert load_settings().digest_channels == "slack:C0123ABC,discord:123456789012345678"


def test_the_time_zone_is_checked_without_the_systems_zone_files(tmp_path: Path) -> None:
    # Windows and slim images have no /usr/share/zoneinfo: the tzdata package stands in, so
    # the default zone, and any other, still reads everywhere. It must be a dependency, not
    # only installed here.
    assert '"tzdata' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    result = _bot("ask", "who is yann lecun", env=_env(PYTHONTZPATH=str(tmp_path), DIGEST_TIMEZONE="Europe/Berlin"))
    assert result.returncode == 0 and b"LeCun" in result.stdout, result.stderr


def test_a_blank_time_zone_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TIMEZONE", "   ")
    assert load_settings().digest_timezone == "UTC"


def test_every_setting_that_can_be_malformed_has_a_case_above() -> None:
    free_text = (str, str | None, Path, Path | None)  # any text is a value, or a path checked where it is used
    checked = {name for name, _, _ in MALFORMED}
    for field_name, info in Settings.model_fields.items():
        name = (info.alias or field_name).upper()
        if info.annotation not in free_text or name in ("BOT_HOST", "LOG_LEVEL"):
            assert name in checked, f"{name} has no malformed example in MALFORMED"


@pytest.mark.parametrize(("value", "hours"), [("6", 6.0), ("6h", 6.0), ("90m", 1.5), ("1800s", 0.5), ("0", 0.0), ("24h", 24.0)])
def test_every_grace_form_the_error_names_is_taken(value: str, hours: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_GRACE", value)
    assert load_settings().digest_grace_hours == hours


@pytest.mark.parametrize(
    "name",
    ["BOT_MIN_SCORE", "BOT_MIN_MARGIN", "DIGEST_SIZE", "DIGEST_TIME", "DIGEST_GRACE", "LOG_LEVEL", "BOT_RATE_LIMIT", "BOT_HOST"],
)
def test_a_setting_left_empty_means_its_default(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_ENGINE_CACHE")  # every setting at its default (the cache in the test's own folder)
    monkeypatch.setenv(name, "")
    assert _in_process("ask", "hello")[0] == 0
    assert load_settings().model_dump() == Settings.model_construct().model_dump()


@pytest.mark.parametrize(
    "name", sorted((info.alias or field_name).upper() for field_name, info in Settings.model_fields.items())
)
def test_a_setting_of_spaces_only_means_its_default(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # What an environment entry left blank in a compose file or a shell script can hold.
    monkeypatch.delenv("BOT_ENGINE_CACHE")  # every setting at its default (the cache in the test's own folder)
    monkeypatch.setenv(name, "   ")
    assert _in_process("ask", "hello")[0] == 0
    assert load_settings().model_dump() == Settings.model_construct().model_dump()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_LOG_QUESTIONS", "false"), ("DIGEST_TIME", "07:30"), ("BOT_DATA_DIR", "/srv/factbot"),
        ("BOT_KNOWLEDGE_DIR", str(ROOT / "knowledge")), ("PORT", "8080"), ("BOT_MIN_SCORE", "0.6"),
        ("SLACK_MODE", "http"), ("LOG_FORMAT", "json"), ("DIGEST_TIMEZONE", "Europe/Berlin"),
        ("DIGEST_GRACE", "90m"), ("BOT_RETENTION_DAYS", "30"),
    ],
)
def test_a_setting_with_spaces_around_it_reads_as_without(name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a quoted value in a compose file or a shell script can hold: every setting reads
    # alike, rather than some refusing `" false"` as not true or false, or keeping the space
    # at the end of a folder's name.
    monkeypatch.setenv(name, value)
    expected = load_settings().model_dump()
    monkeypatch.setenv(name, f"  {value} \t\n")  # a YAML block scalar ends in a line break
    assert load_settings().model_dump() == expected


@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
def test_a_setting_left_blank_in_the_environment_leaves_the_one_in_env_file(
    blank: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An entry left blank in a compose file or a shell script sets nothing: what .env says counts.
    (tmp_path / ".env").write_text("PORT=8080\nSLACK_MODE=http\nBOT_MIN_SCORE=0.6\n")  # the tests run in tmp_path
    for name in ("PORT", "SLACK_MODE", "BOT_MIN_SCORE"):
        monkeypatch.setenv(name, blank)
    settings = load_settings()
    assert (settings.port, settings.slack_mode, settings.bot_min_score) == (8080, "http", 0.6)


def test_the_ops_server_listens_on_every_interface_unless_host_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BOT_HOST", raising=False)
    assert load_settings().bot_host == "0.0.0.0"  # a container's probes come from outside it
    for given, read in [
        ("127.0.0.1", "127.0.0.1"), (" 10.1.2.3 ", "10.1.2.3"), ("::1", "::1"), ("[::1]", "::1"),
        ("localhost", "localhost"), ("bot-1.internal.example.", "bot-1.internal.example."), ("   ", "0.0.0.0"),
    ]:
        monkeypatch.setenv("BOT_HOST", given)
        assert load_settings().bot_host == read, given


def test_a_log_level_in_lower_case_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert _in_process("ask", "hello")[0] == 0


def test_an_env_file_that_is_not_utf8_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_bytes(b"BOT_MIN_SCORE=0.5\nNOTE=caf\xe9\n")  # the tests run in tmp_path
    code, _ = _in_process("ask", "hello")
    assert code == 1
    assert ".env is not UTF-8" in _one_error_line(capsys.readouterr().err.encode())


def test_an_env_line_that_cannot_be_read_is_named_not_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # python-dotenv skips such a line with a warning: the bot ran as the terminal chat,
    # Discord and the digest silently off. Its value (a token) is never shown.
    (tmp_path / ".env").write_text('DISCORD_TOKEN="abc.secret\nDIGEST_CHANNELS=discord:123456789012345678\n')
    code, _ = _in_process("ask", "hello")
    assert code == 1
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line.startswith("error: .env line 1 (DISCORD_TOKEN) cannot be read") and "secret" not in line


def _socket_at(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(os.path.relpath(path))  # short: a socket's path has a length limit


@pytest.mark.parametrize(
    ("make", "says"),
    [
        # What `docker run -v ./.env:/app/.env` makes when there is no .env to mount.
        (lambda env: env.mkdir(), ".env is a directory, not a settings file"),
        (lambda env: env.symlink_to(".env"), ".env is a symbolic link that leads back to itself"),
        (lambda env: env.symlink_to("gone.env"), ".env is a symbolic link to gone.env, which does not exist"),
        (lambda env: env.symlink_to("/dev/zero"), ".env is a device, not a settings file"),
        (_socket_at, ".env is a socket, not a settings file"),
    ],
)
def test_an_env_that_is_no_settings_file_is_one_line(
    make, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    if says.startswith(".env is a device") and not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    make(tmp_path / ".env")  # the tests run in tmp_path
    assert _in_process("ask", "hello") == (1, "")
    assert _one_error_line(capsys.readouterr().err.encode()).startswith(f"error: {says}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_env_that_is_a_pipe_is_one_line_not_a_wait(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".env")  # opened, it would wait for a writer forever
    result = _bot("ask", "hello", cwd=tmp_path)
    assert result.returncode == 1
    assert _one_error_line(result.stderr).startswith("error: .env is a pipe, not a settings file")


def test_no_env_file_is_fine(tmp_path: Path) -> None:
    assert not (tmp_path / ".env").exists()
    assert _in_process("ask", "How much of Scale AI does Meta own?")[0] == 0


def test_an_env_linked_to_dev_null_is_no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").symlink_to(os.devnull)  # a way to say "no .env"
    monkeypatch.setenv("BOT_MIN_SCORE", "0.5")
    assert load_settings().bot_min_score == 0.5
    assert _in_process("ask", "How much of Scale AI does Meta own?")[0] == 0


def test_an_env_that_is_another_node_of_the_null_device_is_no_settings(tmp_path: Path) -> None:
    """What `docker run -v /dev/null:/app/.env` gives: the host's null device, which is not
    the container's /dev/null file but the same device."""
    null = os.stat(os.devnull)
    try:
        os.mknod(tmp_path / ".env", stat.S_IFCHR | 0o666, null.st_rdev)
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    assert not os.path.samestat(os.stat(tmp_path / ".env"), null)
    assert _in_process("ask", "How much of Scale AI does Meta own?")[0] == 0


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing", "no such directory"),
        (lambda tmp: (tmp / "file").write_text("x") and tmp / "file", "not a directory"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no sources/ or facts/ folder"),
        (lambda tmp: tmp / ("x" * 300), "File name too long"),
        (lambda tmp: (tmp / "loop").symlink_to(tmp / "loop") or tmp / "loop", "Too many levels of symbolic links"),
    ],
)
def test_a_knowledge_dir_that_is_not_a_fact_base_is_one_line(
    make, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(make(tmp_path)))
    for argv in (("ask", "hello"), ("knowledge", "check"), ("digest", "preview")):
        assert _in_process(*argv)[0] == 1
        line = _one_error_line(capsys.readouterr().err.encode())
        assert "BOT_KNOWLEDGE_DIR" in line and says in line


def test_a_blank_knowledge_dir_means_the_built_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", "")
    code, out = _in_process("ask", "How much of Scale AI does Meta own?")
    assert code == 0 and "[scale-ai-stake]" in out


def test_a_directory_setting_starting_with_a_tilde_is_in_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # .env, docker --env-file and systemd's EnvironmentFile leave `~` as it is written; the bot
    # made a folder named `~` where it ran and kept its database there.
    home = tmp_path / "home"
    shutil.copytree(default_knowledge_dir(), home / "kb")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("BOT_DATA_DIR=~/factbot-data\nBOT_KNOWLEDGE_DIR=~/kb\n")
    settings = load_settings()
    assert settings.bot_data_dir == home / "factbot-data"
    assert settings.bot_knowledge_dir == home / "kb"
    code, out = _in_process("ask", "How much of Scale AI does Meta own?")
    assert code == 0 and "[scale-ai-stake]" in out
    assert not (tmp_path / "~").exists()


@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(default_knowledge_dir(), root)
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(root))
    return root


def test_a_fact_file_that_is_not_utf8_is_named(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = knowledge / "facts" / "llama.yaml"
    lines = path.read_bytes().count(b"\n")
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    assert _in_process("knowledge", "check")[0] == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"kb/facts/llama.yaml:{lines + 1}: is not UTF-8 text" in err


def test_a_fact_file_that_cannot_be_read_is_named(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (knowledge / "facts" / "zz.yaml").symlink_to(knowledge / "nowhere.yaml")
    assert _in_process("ask", "hello")[0] == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "kb/facts/zz.yaml: cannot read" in err


def test_a_database_the_bot_cannot_use_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / DB_FILE) as conn:  # a table of the same name with other columns
        conn.execute("CREATE TABLE question_log (id INTEGER PRIMARY KEY)")
    conn.close()
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    assert _in_process("report")[0] == 1
    assert "BOT_DATA_DIR" in _one_error_line(capsys.readouterr().err.encode())


def test_a_database_another_process_holds_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.db

    data = tmp_path / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    bot.db.Database.in_data_dir(data).close()
    monkeypatch.setattr(bot.db, "BUSY_TIMEOUT_SECONDS", 0.05)
    holder = sqlite3.connect(data / DB_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        assert _in_process("report")[0] == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = _one_error_line(capsys.readouterr().err.encode())
    assert "another process holds it" in line and "writable" not in line


# -- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("report", "--since", "999999d"), "--since '999999d'"),
        (("eval", "--min", "2", "cases.yaml"), "--min 2.0 is not between 0 and 1"),
        (("eval", "--min", "nan", "cases.yaml"), "--min nan is not between 0 and 1"),
        ((), "explain"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    argv: tuple[str, ...], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cases.yaml").write_text("- {q: hello, expect: null, kind: help}\n", encoding="utf-8")
    assert _in_process(*argv)[0] == 2
    assert says in _one_error_line(capsys.readouterr().err.encode())


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[]\n", "e.yaml:1: holds no questions"),
        (b"", "e.yaml: holds no questions"),
        (b"# questions to come\n", "e.yaml: holds no questions"),
        (b"- {q: caf\xe9, expect: null, kind: out_of_scope}\n", "e.yaml:1: is not UTF-8 text; save it as UTF-8"),
        (b"q: hello\n", "e.yaml:1: is a mapping of fields, not a list of questions"),
        ("- {q: hi, expect: null, kind: help}\n".encode("utf-16"), "e.yaml: is UTF-16 text; save it as UTF-8"),
    ],
)
def test_an_eval_file_that_cannot_be_scored_is_one_line_with_exit_1(
    content: bytes, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An empty file scored 0/0 (100.0%) and passed any --min: a gate that could not fail.
    (tmp_path / "e.yaml").write_bytes(content)
    assert _in_process("eval", "e.yaml", "--min", "0.95") == (1, "")
    assert _one_error_line(capsys.readouterr().err.encode()).startswith(f"error: {says}")


def test_an_eval_file_with_no_questions_is_an_error_beside_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text("- {q: hello, expect: null, kind: help}\n", encoding="utf-8")
    (tmp_path / "none.yaml").write_text("[]\n", encoding="utf-8")
    assert _in_process("eval", "good.yaml", "none.yaml") == (1, "")
    assert _one_error_line(capsys.readouterr().err.encode()).startswith("error: none.yaml:1: holds no questions")


def test_an_eval_file_over_the_bound_is_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(tmp_path / "big.yaml", "wb") as big:
        big.truncate(3_000_000)  # sparse: nothing to read but zeros
    # Its size, which only the file's status gives: read, it would be "more than 2 MB" and no more.
    assert _in_process("eval", "big.yaml") == (1, "")
    assert _one_error_line(capsys.readouterr().err.encode()) == (
        "error: big.yaml: is 3 MB, more than the 2 MB an evaluation file may be; split it, or check that it is the right file"
    )


def test_eval_names_every_problem_of_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "unknown.yaml").write_text("- {q: hi, expect: null, kind: help}\n- {q: x, expect: no-such-fact, kind: short}\n")
    (tmp_path / "kind.yaml").write_text("- {q: x, expect: null, kind: outofscope}\n")
    assert _in_process("eval", "unknown.yaml", "kind.yaml") == (1, "")
    assert capsys.readouterr().err.splitlines() == [
        "error: the evaluation files have 2 problems:",
        "  unknown.yaml:2: `expect` is 'no-such-fact', which is no fact in the fact base; use an id that "
        "'python -m bot topics --all' lists",
        "  kind.yaml:1: `kind` is the text 'outofscope'; use one of paraphrase, typo, short, out_of_scope, near_miss, help",
    ]
    # A path that is no file is a usage error (exit 2), and the other files' problems are still named.
    assert _in_process("eval", "kind.yaml", "missing.yaml", "unknown.yaml") == (2, "")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: the evaluation files have 3 problems:"
    assert [line.split(": ")[0] for line in err[1:]] == ["  kind.yaml:1", "  missing.yaml", "  unknown.yaml:2"]


@contextlib.contextmanager
def _given_pipe(data: bytes) -> Iterator[str]:
    """A pipe this process holds open, as `<(command)` gives one: its /dev/fd path, with `data`
    written into it from a thread."""
    if not Path("/dev/fd").is_dir():
        pytest.skip("needs /dev/fd")
    read_end, write_end = os.pipe()

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), os.fdopen(write_end, "wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield f"/dev/fd/{read_end}"
    finally:
        os.close(read_end)
        writer.join(timeout=10)


def test_an_eval_file_given_as_a_commands_output_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    with _given_pipe((ROOT / "tests" / "eval" / "dev.yaml").read_bytes()) as path:
        code, out = _in_process("eval", path)
    assert code == 0 and out.startswith("answerable: "), capsys.readouterr().err


def test_a_commands_output_over_the_bound_is_read_up_to_it(capsys: pytest.CaptureFixture[str]) -> None:
    with _given_pipe(b"#" * 3_000_000) as path:
        assert _in_process("eval", path) == (1, "")
    assert _one_error_line(capsys.readouterr().err.encode()) == (
        f"error: {path}: is more than the 2 MB an evaluation file may be; split it, or check that it is the right file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_eval_path_that_is_a_named_pipe_is_a_usage_error_not_a_wait(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.yaml")  # opened, it would wait for a writer forever
    result = _bot("eval", "f.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert _one_error_line(result.stderr) == (
        "error: f.yaml: is a pipe, not a file; give a file of questions, or a command's output as <(command)"
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("eval", "missing.yaml"), "missing.yaml: no such file; check the path"),
        (("eval", "."), ".: is a directory; give the files in it, e.g. ./*.yaml"),
        pytest.param(
            ("eval", "/dev/zero"), "/dev/zero: is a device, not a file; give a file of questions",
            marks=pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero"),
        ),
    ],
)
def test_an_eval_path_that_is_no_file_is_a_usage_error(
    argv: tuple[str, ...], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _in_process(*argv) == (2, "")
    assert _one_error_line(capsys.readouterr().err.encode()) == f"error: {says}"


@pytest.mark.parametrize(
    ("argv", "help_command"),
    [
        (("ask", "--jsn", "x"), "python -m bot ask"),
        (("topics", "--x"), "python -m bot topics"),
        (("report", "--x"), "python -m bot report"),
        (("knowledge", "check", "--bad"), "python -m bot knowledge check"),
        (("knowledge", "confusions", "--bad"), "python -m bot knowledge confusions"),
        (("knowledge", "nope"), "python -m bot knowledge"),
        (("digest", "send", "--channel", "slack:C0123ABC", "--x"), "python -m bot digest send"),
        (("digest", "preview", "--x"), "python -m bot digest preview"),
        (("digest", "send"), "python -m bot digest send"),
        (("discord", "sync", "--x"), "python -m bot discord sync"),
        (("discord", "--x"), "python -m bot discord"),
        (("healthcheck", "--x"), "python -m bot healthcheck"),
        (("--x", "ask"), "python -m bot"),
    ],
)
def test_a_usage_error_points_at_the_help_of_the_command_given(
    argv: tuple[str, ...], help_command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _in_process(*argv)[0] == 2
    assert _one_error_line(capsys.readouterr().err.encode()).endswith(f"(see '{help_command} --help')")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ("--json", "ask", "llama"),
            "--json goes after the command: python -m bot ask --json ... (see 'python -m bot ask --help')",
        ),
        (("--since", "7d", "report"), "--since goes after the command: python -m bot report --since ..."),
        (("--since=all", "report"), "--since goes after the command: python -m bot report --since ..."),
        (("-v", "knowledge", "check"), "-v goes after the command: python -m bot knowledge check -v ..."),
        (("knowledge", "-v", "check"), "-v goes after the command: python -m bot knowledge check -v ..."),
        (("--x", "ask", "llama"), "unrecognized arguments: --x (see 'python -m bot --help')"),
        # An option of another command, its value not taken for the command.
        (
            ("--margin", "0.5", "ask", "llama"),
            "--margin is an option of knowledge confusions, not of ask: python -m bot knowledge confusions "
            "--margin ... (see 'python -m bot knowledge confusions --help')",
        ),
        (("ask", "--all", "llama"), "--all is an option of topics, not of ask: python -m bot topics --all ..."),
        (
            ("--json", "topics"),
            "--json is an option of ask, fact and explain, not of topics: e.g. python -m bot ask --json ... "
            "(see 'python -m bot topics --help')",
        ),
        (("--margin",), "--margin goes after the command: python -m bot knowledge confusions --margin ..."),
        (("--json",), "--json goes after the command that takes it, ask, fact or explain, e.g. python -m bot ask --json"),
        # Abbreviated, as argparse takes them: the whole option is shown.
        (("--verb", "knowledge", "check"), "--verb goes after the command: python -m bot knowledge check --verbose ..."),
        (("--js", "ask", "llama"), "--js goes after the command: python -m bot ask --json ..."),
    ],
)
def test_a_commands_option_given_before_it_says_where_it_goes(
    argv: tuple[str, ...], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _in_process(*argv) == (2, "")
    assert _one_error_line(capsys.readouterr().err.encode()).startswith(f"error: {says}")


def test_a_question_that_names_a_command_is_a_question() -> None:
    code, out = _in_process("ask", "--json", "what", "does", "report", "say")
    assert code == 0 and json.loads(out)["question"] == "what does report say"


# -- healthcheck: what the container's HEALTHCHECK runs -------------------------------------------


class _Healthz(http.server.BaseHTTPRequestHandler):
    """/healthz answering the server's `status`; every path asked for is recorded."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        server: _HealthzServer = self.server  # type: ignore[assignment]
        server.paths.append(self.path)
        body = b"ok"
        self.send_response(server.status if self.path == "/healthz" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HealthzServer(http.server.ThreadingHTTPServer):
    status = 200

    def __init__(self, host: str, family: socket.AddressFamily = socket.AF_INET) -> None:
        self.address_family = family
        self.paths: list[str] = []
        super().__init__((host, 0), _Healthz)


def _serving(server: _HealthzServer) -> Iterator[_HealthzServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def healthz() -> Iterator[_HealthzServer]:
    yield from _serving(_HealthzServer("127.0.0.1"))


def _a_platform_on(monkeypatch: pytest.MonkeyPatch, port: int, host: str | None = None) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("PORT", str(port))
    if host is not None:
        monkeypatch.setenv("BOT_HOST", host)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthcheck_passes_when_serve_answers_healthz_on_loopback(
    healthz: _HealthzServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = healthz.server_address[1]
    _a_platform_on(monkeypatch, port)  # BOT_HOST is 0.0.0.0 by default: probed on 127.0.0.1
    assert _in_process("healthcheck") == (0, f"ok: http://127.0.0.1:{port}/healthz answered 200\n")
    assert healthz.paths == ["/healthz"]


def test_healthcheck_fails_with_one_line_when_healthz_is_not_200(
    healthz: _HealthzServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    healthz.status = 503
    port = healthz.server_address[1]
    _a_platform_on(monkeypatch, port, "127.0.0.1")
    assert _in_process("healthcheck") == (1, "")
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line == f"error: http://127.0.0.1:{port}/healthz answered HTTP 503, not 200"


def test_healthcheck_fails_with_one_line_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _a_platform_on(monkeypatch, _free_port())
    assert _in_process("healthcheck") == (1, "")
    line = _one_error_line(capsys.readouterr().err.encode())
    assert "cannot be reached (Connection refused)" in line and "python -m bot serve" in line


def test_healthcheck_with_any_free_port_says_it_cannot_know_the_port(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _a_platform_on(monkeypatch, 0)
    assert _in_process("healthcheck") == (1, "")
    assert "PORT is 0" in _one_error_line(capsys.readouterr().err.encode())


def test_healthcheck_gives_up_on_a_server_that_never_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.HEALTHCHECK_TIMEOUT == 2.0
    monkeypatch.setattr(cli, "HEALTHCHECK_TIMEOUT", 0.2)
    with socket.socket() as silent:  # the kernel completes the connection; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        _a_platform_on(monkeypatch, silent.getsockname()[1])
        assert _in_process("healthcheck") == (1, "")
    assert "no answer within 0.2 s" in _one_error_line(capsys.readouterr().err.encode())


def _answering(reply: Callable[[socket.socket], None]) -> Iterator[int]:
    """A loopback port whose server answers each connection with `reply`, in a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                with connection:
                    connection.recv(4096)
                    with contextlib.suppress(OSError):
                        reply(connection)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def _trickle(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(40):  # a header every 0.1 s: each read is quick, the answer never ends
        time.sleep(0.1)
        connection.sendall(b"X-Slow: 1\r\n")


def test_healthcheck_gives_up_on_a_server_that_trickles_its_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "HEALTHCHECK_TIMEOUT", 0.5)
    for port in _answering(_trickle):
        _a_platform_on(monkeypatch, port)
        started = time.monotonic()
        assert _in_process("healthcheck") == (1, "")
        assert time.monotonic() - started < 3.5  # the answer would trickle on for 4 s
    assert "no answer within 0.5 s" in _one_error_line(capsys.readouterr().err.encode())


def test_healthcheck_on_a_port_that_speaks_no_http_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for port in _answering(lambda connection: connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")):
        _a_platform_on(monkeypatch, port)
        assert _in_process("healthcheck") == (1, "")
    assert "cannot be reached" in _one_error_line(capsys.readouterr().err.encode())


def test_healthcheck_probes_ipv6_loopback_for_every_ipv6_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        server = _HealthzServer("::1", socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    for running in _serving(server):
        port = running.server_address[1]
        _a_platform_on(monkeypatch, port, "::")
        assert _in_process("healthcheck") == (0, f"ok: http://[::1]:{port}/healthz answered 200\n")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:3000/healthz"),
        ("::", "http://[::1]:3000/healthz"),
        ("[::1]", "http://[::1]:3000/healthz"),
        ("10.1.2.3", "http://10.1.2.3:3000/healthz"),
        ("fd00::5", "http://[fd00::5]:3000/healthz"),
        ("bot.internal", "http://bot.internal:3000/healthz"),
    ],
)
def test_healthcheck_probes_where_serve_listens(host: str, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_HOST", host)
    assert healthz_url(load_settings()) == url


def test_healthcheck_without_a_platform_passes_as_the_terminal_chat_opens_no_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", str(_free_port()))  # nothing listens there, and nothing need
    code, out = _in_process("healthcheck")
    assert code == 0
    assert out == "ok: no platform is configured, so serve is the terminal chat and has no port to probe\n"
    # As the container runs it: a tokenless image is healthy.
    result = _bot("healthcheck")
    assert result.returncode == 0 and result.stderr == b"" and len(result.stdout.splitlines()) == 1


def test_the_docker_healthcheck_runs_the_healthcheck_command() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    [healthcheck] = [line for line in lines if line.startswith("HEALTHCHECK")]
    assert healthcheck == 'HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-m", "bot", "healthcheck"]'


# -- benchmarks read through a pipe ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("typos.py", "--show", "--rounds", "1"),
        ("typos.py", "--help"),
        ("heldout_alternates.py", "--worst", "3"),
        ("calibrate.py", "a.yaml", "b.yaml"),
        ("autocomplete.py", "a.yaml", "b.yaml"),
    ],
)
def test_a_benchmark_whose_reader_stops_reading_ends_quietly(argv: tuple[str, ...], tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            '- {q: hello, expect: null, kind: help}\n'
            '- {q: "How much of Scale AI does Meta own?", expect: scale-ai-stake, kind: paraphrase}\n',
            encoding="utf-8",
        )
    script, *args = argv
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=tmp_path, env=_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `| head` that has read all it wants
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0, stderr.decode()
    assert stderr == b""


@pytest.mark.parametrize("script", ["calibrate.py", "autocomplete.py"])
def test_a_benchmark_given_a_bad_labelled_file_says_so_in_one_line(script: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {q: x, expect: null, kind: paraphrase}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), str(bad)],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {bad}:1: `expect` is null") and "Traceback" not in result.stderr


@pytest.mark.parametrize("script", ["calibrate.py", "autocomplete.py"])
def test_a_benchmark_checks_the_expected_facts_as_eval_does(script: str, tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("- {q: hi, expect: null, kind: help}\n- {q: x, expect: no-such-fact, kind: short}\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), str(unknown)],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert _one_error_line(result.stderr.encode()) == (
        f"error: {unknown}:2: `expect` is 'no-such-fact', which is no fact in the fact base; "
        "use an id that 'python -m bot topics --all' lists"
    )


@pytest.mark.parametrize("argv", [("--json", "--help"), ("ask", "--help", "--margin"), ("-v", "knowledge", "check", "-h")])
def test_asking_for_help_with_a_misplaced_option_gets_the_help(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _in_process(*argv)[0] == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: python -m bot") and err == ""


def test_ctrl_c_while_the_modules_load_exits_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    class Interrupted(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "bot.cli", Interrupted("bot.cli"))
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("bot", run_name="__main__")
    assert stopped.value.code == 130
