"""`python -m bot digest ...`: a bad argument is one usage line and exit 2; a send that fails is
one `error:` line, with what else its work logged in the log's own format."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.cli import PROJECT_LOGGERS, command_log_level, main
from bot.config import Settings
from bot.digest_schedule import log as schedule_log
from tests.fakes.discord_api import FakeDiscord


def _today() -> str:
    """The day `digest send` posts for, in the default time zone (UTC)."""
    return datetime.now(timezone.utc).date().isoformat()

ROOT = Path(__file__).resolve().parent.parent
DIGEST_CHANNEL = "1300000000000000005"


@pytest.mark.parametrize("text", ["31/03/2025", "2025-02-30", "20250331", "2025-W14-1", "2025-3-31", "2025-03-31T09:00", ""])
def test_preview_refuses_anything_but_a_real_yyyy_mm_dd_day(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["digest", "preview", "--date", text], out=out) == 2
    assert out.getvalue() == ""
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"error: argument --date: give a real day as YYYY-MM-DD, e.g. 2025-03-30, not {text!r} "
        "(see 'python -m bot digest preview --help')"
    )


def test_preview_takes_a_day_with_spaces_around_it() -> None:
    out = io.StringIO()
    assert main(["digest", "preview", "--date", " 2025-03-31 "], out=out) == 0
    assert "Fact of the day · Monday 31 March 2025" in out.getvalue()


def test_a_discord_channel_id_given_as_a_slack_channel_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Slack channel ids start with a letter; digits only are a Discord channel's id with the wrong
    # prefix, which Slack would refuse only when the digest is due.
    monkeypatch.setenv("DIGEST_CHANNELS", "slack:C0123ABC,slack:123456789012345678")
    out = io.StringIO()
    assert main(["digest", "preview"], out=out) == 1
    assert out.getvalue() == ""
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "error: DIGEST_CHANNELS is invalid: entry 'slack:123456789012345678' has an id of digits only, as "
        "Discord's are: Slack channel ids are capital letters and digits, like slack:C0123ABC (not the #name); "
        "fix it in the environment or .env"
    )


def test_send_to_a_slack_channel_of_digits_only_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    out = io.StringIO()
    assert main(["digest", "send", "--channel", "slack:123456789012345678"], out=out) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: --channel 'slack:123456789012345678' has an id of digits only, as Discord's are")
    assert not (tmp_path / "data").exists(), "nothing was claimed"


def test_preview_without_a_channel_says_it_shows_what_a_new_channel_would_get(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGEST_CHANNELS", raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    out = io.StringIO()
    assert main(["digest", "preview", "--date", "2025-03-31"], out=out) == 0
    first, second = out.getvalue().splitlines()[:2]
    assert first == "Fact of the day · Monday 31 March 2025"  # no channel label ("preview:")
    assert second == "(what a new channel would get; DIGEST_CHANNELS is not set, and no --channel was given)"


def test_preview_with_a_data_dir_the_system_cannot_look_into_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    too_long = tmp_path / ("a" * 300)
    monkeypatch.setenv("BOT_DATA_DIR", str(too_long))
    out = io.StringIO()
    assert main(["digest", "preview", "--date", "2025-03-31"], out=out) == 1
    assert out.getvalue() == ""
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: cannot look for the database at {too_long}/bot.sqlite3: ")
    assert line.endswith("; set BOT_DATA_DIR to a readable directory")


# -- a send that fails ---------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.close()


async def send_digest(fake: FakeDiscord, tmp_path: Path, **env: str) -> tuple[int, str, list[str]]:
    """`python -m bot digest send` to the fake's channel, as a user runs it: its exit code, stdout
    and stderr lines. A subprocess, for Python's own handling of log records is what is tested."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "send", "--channel", f"discord:{DIGEST_CHANNEL}",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISCORD_TOKEN": "test-token",
             "DISCORD_API_URL": fake.base_url, "BOT_DATA_DIR": str(tmp_path / "data"), **env},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode().splitlines()


async def test_a_post_discord_refuses_is_one_error_line(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.fail("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", status=403, code=50013, message="Missing Permissions")

    code, out, err = await send_digest(fake, tmp_path)

    # The scheduler's own line on it ("digest for ... not posted: ...") would say the same again.
    assert (code, out) == (1, "")
    assert err == [f"error: the digest of {_today()} for discord:{DIGEST_CHANNEL} was not posted: Discord: 403 Missing Permissions"]
    assert fake.created == []


async def test_what_only_the_log_says_is_one_line_in_the_chosen_log_format_above_the_error(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    # The bot's permissions in the channel cannot be read: only the log says so, and what came of it.
    fake.fail("GET", f"^/channels/{DIGEST_CHANNEL}$", status=403, code=50001, message="Missing Access")
    fake.fail("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", status=403, code=50013, message="Missing Permissions")

    code, _, err = await send_digest(fake, tmp_path, LOG_FORMAT="json")

    assert code == 1 and len(err) == 2, err
    logged = json.loads(err[0])
    assert (logged["level"], logged["logger"]) == ("WARNING", "adapters.digest")
    assert logged["message"].startswith(f"could not tell whether the bot may embed links in Discord channel {DIGEST_CHANNEL}")
    assert "403" in logged["message"]
    assert err[1] == f"error: the digest of {_today()} for discord:{DIGEST_CHANNEL} was not posted: Discord: 403 Missing Permissions"


async def test_after_a_send_the_schedulers_log_and_the_programs_loggers_are_as_they_were(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A serving bot in the same process logs every verdict of its schedule: only the command's
    # own send leaves it to the command.
    fake.fail("POST", f"^/channels/{DIGEST_CHANNEL}/messages$", status=403, code=50013, message="Missing Permissions")
    monkeypatch.setenv("DISCORD_TOKEN", "test-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base_url)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    loggers = [logging.getLogger(name) for name in PROJECT_LOGGERS]
    before = [(list(logger.handlers), logger.level) for logger in loggers]

    code = await asyncio.to_thread(main, ["digest", "send", "--channel", f"discord:{DIGEST_CHANNEL}"], out=io.StringIO())

    assert code == 1 and capsys.readouterr().err.startswith(f"error: the digest of {_today()} for discord:{DIGEST_CHANNEL}")
    assert schedule_log.filters == []
    assert [(list(logger.handlers), logger.level) for logger in loggers] == before


@pytest.mark.parametrize(
    ("log_level", "level"),
    [("INFO", logging.WARNING), ("debug", logging.DEBUG), ("WARNING", logging.WARNING), ("error", logging.ERROR)],
)
def test_a_command_logs_at_log_level_with_info_taken_as_warning(log_level: str, level: int) -> None:
    # A command prints what it did: its INFO lines ("posted ...") would only say it again.
    assert command_log_level(Settings(log_level=log_level)) == level
