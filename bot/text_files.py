"""Files a person writes (fact files, sources, evaluation files) read as text: bounded in size,
UTF-8, and every way they can be wrong one line."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TextProblem:
    """Why a file's bytes are not text to use: what is wrong and how to fix it, and where."""

    problem: str
    line: int | None = None


class NotAFile(Exception):
    """The path is a pipe, a device or a socket: opening it could wait for a writer forever,
    and reading it might never end. `kind` says which, as a problem names it ("a pipe")."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}")
        self.path, self.kind = path, kind


def file_kind(mode: int) -> str:
    """What a path of this mode is, when not a regular file: "a directory", "a pipe", "a socket"
    or "a device"."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def read_text_file(path: Path, *, limit: int, holder: str, given_pipes: bool = False) -> str | TextProblem:
    """The file as text (UTF-8 without a byte order mark, line ends as \\n), or what is wrong with its bytes.

    A file over `limit` bytes is refused before it is read; `holder` names what the file is
    for in that problem ("an evaluation file"). What is not a regular file is told from its
    status, never opened: a directory raises IsADirectoryError, anything else NotAFile. With
    `given_pipes`, a pipe this process holds open (`<(command)`, /dev/stdin) is read, at most
    `limit` bytes of it, since no writer has to come. Any other OSError is raised as it is.
    """
    mode = (status := path.stat()).st_mode
    too_big = f"more than the {limit / 1_000_000:.3g} MB {holder} may be; split it, or check that it is the right file"
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode) and not (given_pipes and stat.S_ISFIFO(mode) and _is_given_descriptor(path)):
        raise NotAFile(path, file_kind(mode))
    if stat.S_ISREG(mode) and status.st_size > limit:
        return TextProblem(f"is {status.st_size / 1_000_000:.3g} MB, {too_big}")
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:  # a pipe, or a file that grew since its size was read
        return TextProblem(f"is {too_big}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return TextProblem("is UTF-16 text; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return TextProblem("is not UTF-8 text; save it as UTF-8", data[: error.start].count(b"\n") + 1)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_given_descriptor(path: Path) -> bool:
    """Whether `path` names a descriptor this process was given open: `<(command)` is
    /dev/fd/63 (or /proc/self/fd/63), /dev/stdin is descriptor 0."""
    absolute = os.path.abspath(path)
    folder, name = os.path.split(absolute)
    if absolute == "/dev/stdin":
        return True
    return name.isdigit() and folder in ("/dev/fd", "/proc/self/fd", f"/proc/{os.getpid()}/fd")
