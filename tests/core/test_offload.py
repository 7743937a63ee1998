"""Heavy work runs in worker processes that start on first use and stop on close."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.offload import Offload
from bot.repos.analytics import AnalyticsRepo
from bot.repos.guilds import GuildRepo
from bot.repos.prompts import PromptRepo
from bot.services import drawing
from bot.services.content import load_content
from bot.services.digest import DigestService
from bot.services.prompts import PromptService
from bot.services.report import load_report_texts

GUILD = 4040


async def test_work_runs_in_another_process_started_on_first_use() -> None:
    offload = Offload(workers=1)
    assert not offload.started
    try:
        worker = await offload.run(os.getpid)
        assert offload.started
        assert worker != os.getpid()
        assert await offload.run(divmod, 17, 5) == (3, 2)
    finally:
        await offload.close()
    assert not offload.started


async def test_an_error_in_a_worker_reaches_the_caller() -> None:
    offload = Offload(workers=1)
    try:
        with pytest.raises(ZeroDivisionError):
            await offload.run(divmod, 1, 0)
    finally:
        await offload.close()


async def test_threads_instead_of_processes_when_asked() -> None:
    offload = Offload(processes=False)
    assert await offload.run(os.getpid) == os.getpid()
    assert not offload.started
    await offload.close()


def _loaded_by(imports: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a fresh interpreter has loaded after running ``imports``."""
    report = f"print(json.dumps([m for m in {names!r} if m in sys.modules]))"
    code = f"import json, sys\n{imports}\n{report}"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out))


def test_the_offline_pair_command_never_loads_the_worker_pool() -> None:
    assert _loaded_by("import bot.cli.pair", ("bot.offload", "concurrent.futures.process")) == []


def _imported(name: str) -> bool:
    return name in sys.modules


async def test_warming_starts_every_worker_with_the_round_code_imported() -> None:
    offload = Offload(workers=2)
    try:
        await offload.warm("bot.services.coffee")
        assert offload.started
        pids = {await offload.run(os.getpid) for _ in range(4)}
        assert os.getpid() not in pids
        assert await offload.run(_imported, "bot.services.coffee")
    finally:
        await offload.close()
    threads = Offload(processes=False)
    await threads.warm("bot.services.coffee")
    assert not threads.started


def test_the_bot_process_never_loads_matplotlib() -> None:
    """Charts are drawn in the drawing worker only: the bot and its cogs import none of it."""
    imports = (
        "import importlib\n"
        "import bot.core, bot.wiring\n"
        "for name in bot.core.DEFAULT_EXTENSIONS:\n"
        "    importlib.import_module(name)"
    )
    assert _loaded_by(imports, ("matplotlib",)) == []


async def test_charts_are_drawn_in_a_worker_of_their_own(db: Database, clock: FakeClock) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    digest = await DigestService(
        AnalyticsRepo(db), PromptService(load_content(), PromptRepo(db)), clock
    ).build(GUILD)
    offload = Offload(workers=1)
    try:
        png = await offload.draw(drawing.digest_chart, digest, load_report_texts())
        assert png.startswith(b"\x89PNG")
        drawer, general = await offload.draw(os.getpid), await offload.run(os.getpid)
        assert len({drawer, general, os.getpid()}) == 3
        assert await offload.draw(_imported, "matplotlib")
        # the general worker (rounds, CSVs, exports) stays small: it never drew
        assert not await offload.run(_imported, "matplotlib")
    finally:
        await offload.close()
    assert not offload.started
