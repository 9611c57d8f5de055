"""The Makefile's set-up of .venv, with a stand-in Python so that nothing is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# A Python that answers the version check, makes a virtual environment as `python -m venv`
# does where ensurepip is missing (Debian and Ubuntu without python3-venv: the folder and its
# python are made, pip is not, and venv exits 1), and stands in for that environment's
# python and pip, noting each call.
FAKE_PYTHON = """#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
echo "python $*" >> "$here/calls"
if [ "$1" = "-c" ]; then exit 0; fi
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    ln -sf "$here/python" "$3/bin/python"
    if [ ! -e "$here/ensurepip" ]; then
        echo "The virtual environment was not created successfully because ensurepip is not available." >&2
        exit 1
    fi
    printf '#!/bin/sh\\necho "pip $*" >> "%s/calls"\\n' "$here" > "$3/bin/pip"
    chmod +x "$3/bin/pip"
fi
exit 0
"""


def _make(work: Path, fake: Path, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(
        ["make", "--no-print-directory", target, f"PYTHON={fake}"],
        cwd=work, capture_output=True, text=True, timeout=60, env=env,
    )


def test_a_venv_left_without_pip_is_made_again_by_the_next_run(tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)

    first = _make(work, fake, "run")
    assert first.returncode != 0
    assert "ensurepip is not available" in first.stderr

    (tools / "ensurepip").touch()  # the newcomer installs python3-venv, as venv's message says
    second = _make(work, fake, "run")
    assert second.returncode == 0, second.stderr
    calls = (tools / "calls").read_text().splitlines()
    assert calls.count("python -m venv .venv") == 2
    assert "pip install --quiet -e ." in calls
    assert calls[-1] == "python -m bot serve"
