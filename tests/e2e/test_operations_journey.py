"""The running bot, as an operator sees it: health, heartbeat, JSON logs, backups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import Harness


def health(db_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    env["KINDBOT_DB"] = str(db_path)
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=db_path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_health_follows_the_running_bot(harness: Harness) -> None:
    assert health(harness.db_path).returncode == 1
    bot = await harness.start_bot(LOG_FORMAT="json")
    await bot.wait_for_log("Heartbeat:")
    assert health(harness.db_path).returncode == 0
    events = [json.loads(line) for line in bot.lines]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)
    assert not [e for e in events if "voice will NOT be supported" in e["message"]]
    assert await bot.stop() == 0
    stopped = health(harness.db_path)
    assert stopped.returncode == 1 and "no heartbeat" in stopped.stderr
