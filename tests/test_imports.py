"""The core knows no platform: importing `bot` (and running its CLI) loads no platform SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_MODULES = ("slack_bolt", "slack_sdk", "discord", "aiohttp", "prometheus_client")


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_every_core_module_loads_no_platform_sdk() -> None:
    modules = sorted(p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__main__")
    loaded = _loaded_after("\n".join(f"import bot.{m}" for m in modules))
    leaked = {m for m in loaded if m.split(".")[0] in PLATFORM_MODULES}
    assert not leaked, f"bot imported platform modules: {sorted(leaked)}"
    assert "bot.engine" in loaded


def test_answering_a_question_loads_no_platform_sdk() -> None:
    loaded = _loaded_after(
        "from bot.cli import main\nimport io\nmain(['ask', 'How much of Scale AI does Meta own?'], out=io.StringIO())"
    )
    assert not {m for m in loaded if m.split(".")[0] in PLATFORM_MODULES}
    assert "rapidfuzz" in loaded
