"""A built engine kept on disk, so a new process skips reading and indexing an unchanged fact base.

The file's name is a digest of everything the engine is built from: the files of the fact
base, the code and data of the `bot` package, the thresholds, and the versions of Python and
of the libraries whose objects it holds. Any edit gives another name, so a stale engine is
never read; only an engine built from a base that loaded cleanly is ever written. The cache
is an aid: a folder it cannot use, or a file it cannot read, means building as before.

The files are pickles, so they are read only from a folder of the user's own that nobody
else can write to.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import pydantic
import rapidfuzz

from bot.engine import Engine
from bot.knowledge import MAX_FILE_BYTES
from bot.config import Thresholds

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
"""Raised when the way entries are written changes, so older files are not read."""
KEPT_ENGINES = 4
"""How many built engines a cache folder keeps (one per fact base or code version in use)."""
_PREFIX = "engine-"
_WRITING = ".building-"
ABANDONED_AFTER_S = 600.0
"""A file still being written after this long was left by a process that stopped."""
_SUFFIX = ".pickle"
_PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGE_FILES = (".py", ".txt", ".yaml", ".json")


def default_cache_dir() -> Path:
    """Where caches go on this machine: `$XDG_CACHE_HOME`, else `~/.cache`, under the bot's name."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "meta-ai-factbot"


class EngineCache:
    """Built engines in one folder, each under the digest of what it was built from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, knowledge_root: Path, thresholds: Thresholds) -> str | None:
        """The digest naming the engine built from `knowledge_root` with `thresholds`; None
        when a file cannot be read (building then reports it, as it would without a cache)."""
        digest = hashlib.sha256()
        for part in (
            f"format {CACHE_FORMAT}",
            sys.implementation.cache_tag or sys.version,
            f"pydantic {pydantic.VERSION}",
            f"rapidfuzz {rapidfuzz.__version__}",
            thresholds.model_dump_json(),
        ):
            digest.update(part.encode() + b"\0")
        try:
            _add_files(digest.update, "bot", _PACKAGE_DIR, _package_files())
            _add_files(digest.update, "knowledge", knowledge_root, _knowledge_entries(knowledge_root))
        except OSError:
            return None
        return digest.hexdigest()

    def load(self, key: str) -> Engine | None:
        """The engine stored under `key`, or None when there is none this process may trust."""
        path = self._path(key)
        try:
            if not _private(self.folder) or not _private(path, folder=False):
                return None
            with path.open("rb") as handle:
                engine = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception as error:  # a truncated or foreign file: build instead, and drop it
            log.warning("the engine cache file %s could not be read (%s); building the index instead", path, error)
            _remove(path)
            return None
        if not isinstance(engine, Engine):
            log.warning("the engine cache file %s holds no engine; building the index instead", path)
            _remove(path)
            return None
        return engine

    def store(self, key: str, engine: Engine) -> None:
        """Write `engine` under `key` (whole or not at all), and drop the oldest beyond KEPT_ENGINES."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.folder):
                log.info(
                    "the engine cache folder %s is another user's, or others can write to it; not using it "
                    "(set BOT_CACHE_DIR to a folder of your own)",
                    self.folder,
                )
                return
            handle = tempfile.NamedTemporaryFile(dir=self.folder, prefix=_WRITING, suffix=_SUFFIX, delete=False)
            try:
                with handle:
                    pickle.dump(engine, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(handle.name, self._path(key))
            except BaseException:
                _remove(Path(handle.name))
                raise
        except OSError as error:
            log.debug("the engine was not cached in %s: %s", self.folder, error)
            return
        self._prune()

    def _path(self, key: str) -> Path:
        return self.folder / f"{_PREFIX}{key}{_SUFFIX}"

    def _prune(self) -> None:
        """Drop the engines beyond the KEPT_ENGINES newest, and what a process stopped in the
        middle of writing one left behind."""
        try:
            entries = [(p.stat().st_mtime, p) for p in self.folder.glob(f"{_PREFIX}*{_SUFFIX}")]
            left = [(p.stat().st_mtime, p) for p in self.folder.glob(f"{_WRITING}*{_SUFFIX}")]
        except OSError:
            return
        for _, path in sorted(entries, reverse=True)[KEPT_ENGINES:]:
            _remove(path)
        for written, path in left:
            if time.time() - written > ABANDONED_AFTER_S:
                _remove(path)


def load_or_build(
    knowledge_root: Path, thresholds: Thresholds, *, cache: EngineCache | None, build: Callable[[], Engine]
) -> Engine:
    """The engine for `knowledge_root`: from `cache` when it holds one built from these very
    files, else `build()`, stored for the next process when the files did not change meanwhile."""
    if cache is None:
        return build()
    key = cache.key(knowledge_root, thresholds)
    if key is not None:
        engine = cache.load(key)
        if engine is not None:
            return engine
    engine = build()
    if key is not None and cache.key(knowledge_root, thresholds) == key:
        cache.store(key, engine)
    return engine


def _add_files(update: Callable[[bytes], None], label: str, root: Path, paths: list[Path]) -> None:
    """Add each of `paths` in a stable order: its path from `root` and, for a file, its bytes
    (a folder counts by its name alone)."""
    update(label.encode() + b"\0")
    for path in sorted(paths):
        update(path.relative_to(root).as_posix().encode() + b"\0")
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            continue
        if info.st_size > MAX_FILE_BYTES:  # refused unread by the loader: its size and time tell a change
            update(f"{info.st_size} {info.st_mtime_ns}".encode())
        else:
            update(hashlib.sha256(path.read_bytes()).digest())


def _package_files() -> list[Path]:
    """The code and data of the `bot` package, compiled and hidden files aside."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(_PACKAGE_DIR, onerror=_raise):
        subfolders[:] = [s for s in subfolders if not s.startswith(".") and s != "__pycache__"]
        found.extend(Path(folder, n) for n in names if not n.startswith(".") and Path(n).suffix in _PACKAGE_FILES)
    return found


def _knowledge_entries(root: Path) -> list[Path]:
    """What loading the fact base reads or looks at: the entries of its folder and of its
    `sources/` and `facts/` folders, hidden ones aside (as the loader leaves them); a folder
    deeper down is never read, so its name is all that counts."""
    found: list[Path] = []
    for folder in (root, root / "sources", root / "facts"):
        if folder is not root and not folder.is_dir():
            continue
        found.extend(p for p in folder.iterdir() if not p.name.startswith("."))
    return found


def _raise(error: OSError) -> None:
    raise error


def _private(path: Path, *, folder: bool = True) -> bool:
    """Whether `path` is a folder (or a plain file) of this user's own that nobody else can
    write to (owners are not compared where the system has none)."""
    info = path.stat()
    if not (stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)):
        return False
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
