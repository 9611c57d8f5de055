"""`python -m bot digest ...` arguments: a bad one is one usage line and exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main


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
