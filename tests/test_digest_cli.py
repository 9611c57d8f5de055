"""`python -m bot digest ...` arguments: a bad one is one usage line and exit 2."""

from __future__ import annotations

import io

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
