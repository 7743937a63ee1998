"""``kindbot demo``: checks the output folder, then plays the offline demo."""

from __future__ import annotations

from pathlib import Path

from bot.cli.common import CliError


async def demo(out: Path, weeks: int, members: int) -> int:
    from bot.demo.runner import DemoOutputError, run_demo

    try:
        await run_demo(out, weeks=weeks, members=members)
    except DemoOutputError as exc:
        raise CliError(str(exc)) from exc
    return 0
