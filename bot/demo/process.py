"""Runs the real ``python -m bot run`` as a child process against an emulator.

End-to-end tests, benchmarks and demos need the unmodified bot in its own process (its
own event loop, signal handlers and database connection) while the emulator runs in
the caller's loop. :class:`BotProcess` starts it, collects its log lines as they come
and stops it; waiting is always on real signals (a log line, the process exiting),
never on fixed sleeps.

Usage::

    emu = await DiscordEmulator().start()
    bot = await start_bot(emu, tmp / "kindbot.sqlite3")   # returns once "ready as" is logged
    ...
    assert await bot.stop() == 0
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

import bot

if TYPE_CHECKING:
    from sandbox.core import EmulatorCore

#: What the bot logs (to stderr) once ``on_ready`` has run.
READY_LINE = "kindbot is ready as"
#: The folder that holds the ``bot`` package this process imported: a checkout or
#: site-packages. It goes first on the child's ``PYTHONPATH``, so the child runs the
#: same kindbot as its parent, installed or not.
IMPORT_ROOT = Path(bot.__file__).resolve().parent.parent
#: Longest stderr line kept whole; longer lines are split rather than failing the reader.
_LINE_LIMIT = 1 << 20


class BotProcessError(AssertionError):
    """The bot process did not do what the caller waited for.

    An ``AssertionError`` so that test frameworks report it as a failed expectation,
    with the bot's log in the message.
    """


class BotExited(BotProcessError):
    """The process ended before logging the awaited line."""


class LogTimeout(BotProcessError):
    """The awaited line did not appear in time."""


def bot_env(
    emu: EmulatorCore,
    db_path: Path,
    *,
    log_level: str = "INFO",
    base: Mapping[str, str] | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment for a bot that talks to ``emu`` and stores its data in ``db_path``.

    Inherited ``KINDBOT_*`` and ``DISCORD_*`` variables are dropped so a developer's own
    token or database can never leak into a run; ``extra`` is applied last.
    """
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    python_path = [str(IMPORT_ROOT)]
    if source.get("PYTHONPATH"):
        python_path.append(source["PYTHONPATH"])
    env.update(
        DISCORD_TOKEN=emu.bot_token,
        KINDBOT_DB=str(db_path),
        KINDBOT_DISCORD_API=emu.api_base,
        LOG_LEVEL=log_level,
        PYTHONPATH=os.pathsep.join(python_path),
    )
    env.update(extra)
    return env


class BotProcess:
    """One running bot process, with every stderr line collected in :attr:`lines`."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        #: stderr lines so far, without line endings.
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read(), name=f"bot-{proc.pid}-stderr")

    @classmethod
    async def start(
        cls,
        env: Mapping[str, str],
        *,
        cwd: Path,
        args: Sequence[str] = ("run",),
        python: str = sys.executable,
        interpreter_args: Sequence[str] = (),
    ) -> BotProcess:
        """Starts ``python *interpreter_args -m bot *args`` in ``cwd``; returns at once.

        ``cwd`` matters: the bot reads ``.env`` from it, so use a directory without one.
        ``interpreter_args`` allows e.g. ``("-m", "cProfile", "-o", path)`` to profile the
        bot without changing it (the profile is written when it exits cleanly).
        """
        proc = await asyncio.create_subprocess_exec(
            python,
            *interpreter_args,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            limit=_LINE_LIMIT,
            # Its own process group, so a kill also ends the worker processes it started
            # (they hold its stderr open, and would outlive a crash of the bot alone).
            start_new_session=True,
        )
        return cls(proc)

    async def _read(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        try:
            while True:
                try:
                    raw = await stream.readline()
                except ValueError:
                    raw = await stream.read(_LINE_LIMIT)
                if not raw:
                    break
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._changed.set()
        finally:
            self._changed.set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while the process runs."""
        return self.proc.returncode

    @property
    def log(self) -> str:
        """Everything logged so far, for error messages."""
        return "\n".join(self.lines)

    @property
    def traceback_lines(self) -> list[str]:
        """Lines that start a traceback: a run that logs one has hit a bug."""
        return [line for line in self.lines if "Traceback" in line]

    def _finished(self) -> bool:
        return self.proc.returncode is not None and self._reader.done()

    async def wait_for_log(self, text: str, within: float = 20.0, *, after: int = 0) -> str:
        """Returns the first line containing ``text`` among ``lines[after:]``.

        Pass ``after=len(bot.lines)`` to ignore what was logged before an action.
        Raises :class:`BotExited` if the process ends first, :class:`LogTimeout` after
        ``within`` seconds.
        """
        seen = after

        async def scan() -> str:
            nonlocal seen
            while True:
                self._changed.clear()
                for line in self.lines[seen:]:
                    if text in line:
                        return line
                seen = max(seen, len(self.lines))
                if self._reader.done():
                    await self.proc.wait()
                    raise BotExited(
                        f"bot exited with code {self.proc.returncode} before logging "
                        f"{text!r}:\n{self.log}"
                    )
                await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), within)
        except TimeoutError:
            raise LogTimeout(f"bot never logged {text!r} within {within}s:\n{self.log}") from None

    async def wait_ready(self, within: float = 20.0) -> str:
        """Waits for the line the bot logs once connected and ready for interactions."""
        return await self.wait_for_log(READY_LINE, within)

    async def stop(self, sig: int = signal.SIGTERM, within: float = 20.0) -> int:
        """Sends ``sig`` (if still running) and returns the exit code.

        Raises ``TimeoutError`` if the process outlives ``within``; it is left running,
        so callers can decide to :meth:`kill` it.
        """
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), within)
        await self._finish_reading()
        return code

    async def kill(self) -> int:
        """SIGKILL: the crash case, with no chance to clean up. Returns the exit code.

        The whole process group goes, as in a crash of the machine or the container: the
        bot and any worker processes it started.
        """
        if self.proc.returncode is None:
            self._signal_group(signal.SIGKILL)
        code = await self.proc.wait()
        await self._finish_reading()
        return code

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def _finish_reading(self) -> None:
        """Read the log to its end; workers left behind are ended so the pipe closes."""
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), 5)
        except TimeoutError:
            self._signal_group(signal.SIGKILL)
            await self._reader

    async def shutdown(self, within: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited after ``within`` seconds."""
        try:
            return await self.stop(within=within)
        except TimeoutError:
            return await self.kill()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()


async def start_bot(
    emu: EmulatorCore,
    db_path: Path,
    *,
    cwd: Path | None = None,
    within: float = 20.0,
    log_level: str = "INFO",
    env: Mapping[str, str] | None = None,
    interpreter_args: Sequence[str] = (),
    **extra_env: str,
) -> BotProcess:
    """Starts the bot against ``emu`` and returns once it logged :data:`READY_LINE`.

    ``env`` replaces :func:`bot_env` entirely when given (``extra_env`` still applies);
    ``cwd`` defaults to the database's directory. If the bot does not get ready, it is
    shut down and the error (with its log) propagates.
    """
    if env is None:
        full_env = bot_env(emu, db_path, log_level=log_level) | extra_env
    else:
        full_env = {**env, **extra_env}
    process = await BotProcess.start(
        full_env, cwd=cwd or db_path.parent, interpreter_args=interpreter_args
    )
    try:
        await process.wait_ready(within)
    except BaseException:
        await process.shutdown()
        raise
    return process


__all__ = [
    "IMPORT_ROOT",
    "READY_LINE",
    "BotExited",
    "BotProcess",
    "BotProcessError",
    "LogTimeout",
    "bot_env",
    "start_bot",
]
