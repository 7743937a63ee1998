"""kindbot's SQLite connections: one writer with explicit, serialised transactions,
and a few read-only connections beside it.

aiosqlite runs each connection on its own thread. Coroutines share the writer, so
without a lock one coroutine's statements could land inside another's open
transaction. Every write here therefore takes the lock, and a transaction holds it
from ``BEGIN`` to ``COMMIT``.

Reads outside a transaction go to a small pool of read-only connections
(``PRAGMA query_only``), which WAL lets run while the writer holds a transaction.
Every write commits before it returns, and a read starts a fresh snapshot, so a
read that follows a write always sees it. Read connections are opened on first use.

The writer never checkpoints (copies the write-ahead log back into the file) inside a
commit. SQLite would otherwise do it in whichever commit takes the log past 1,000
pages, which costs that commit a third of a second after a 20,000-member round. A
connection of its own runs a passive checkpoint instead, a moment after writes, off
the writer and off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 5000
#: Read-only connections opened at most; each one is a thread.
READERS = 3
#: Seconds after a write before the log is checkpointed (writes meanwhile share it).
CHECKPOINT_AFTER = 1.0


class DatabaseOpenError(Exception):
    """The database file cannot be opened or used; the message is one line for a human."""


def describe(exc: BaseException) -> str:
    """A short reason for an OS or SQLite error, for one-line messages."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


class Written(NamedTuple):
    """What a write statement changed."""

    rowcount: int
    lastrowid: int | None


class Tx:
    """Statements run inside an open transaction (the lock is already held)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Written:
        cursor = await self._conn.execute(sql, params)
        written = Written(cursor.rowcount, cursor.lastrowid)
        await cursor.close()
        return written

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database:
    """Opens the file with WAL, foreign keys and a busy timeout, and hands out queries."""

    def __init__(self, path: Path, *, readers: int = READERS) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._max_readers = readers
        self._readers: list[aiosqlite.Connection] = []
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._opening = 0
        self._checkpointer: aiosqlite.Connection | None = None
        self._checkpoint: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def connect(self) -> None:
        """Open the file; a file that is not a database, or a folder kindbot cannot
        write, raises :class:`DatabaseOpenError` with the connection's thread stopped
        (a thread left running would keep the process from ever exiting)."""
        if self._conn is not None:
            return
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise DatabaseOpenError(
                f"{folder} is a file, so the database {self.path} cannot be there"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseOpenError(
                f"cannot create the folder for the database {self.path} ({describe(exc)})"
            ) from exc
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseOpenError(f"cannot open the database {self.path} ({exc})") from exc
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, sqlite3.OperationalError):
                raise DatabaseOpenError(
                    f"cannot use the database {self.path} ({exc}): kindbot needs to write "
                    "to the file and to its folder"
                ) from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise DatabaseOpenError(f"{self.path} is not a database ({exc})") from exc
            raise
        self._conn = conn
        log.debug("Opened database %s", self.path)

    async def close(self) -> None:
        if self._conn is None:
            return
        checkpoint, self._checkpoint = self._checkpoint, None
        if checkpoint is not None:
            checkpoint.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checkpoint
        if self._checkpointer is not None:
            await self._checkpointer.close()
            self._checkpointer = None
        async with self._lock:
            conn, self._conn = self._conn, None
            readers, self._readers = self._readers, []
            self._idle = asyncio.Queue()
            for reader in readers:
                await reader.close()
            try:
                await conn.execute("PRAGMA optimize")
            except sqlite3.Error as exc:
                log.debug("PRAGMA optimize skipped: %s", exc)
            finally:
                await conn.close()
        log.debug("Closed database %s", self.path)

    def wrote_elsewhere(self) -> None:
        """Another connection (a worker process) committed to the file: plan the same
        checkpoint as after a write of this one's."""
        self._wrote()

    def _wrote(self) -> None:
        """A write committed: checkpoint the log soon, unless that is already planned."""
        if self._checkpoint is None or self._checkpoint.done():
            self._checkpoint = asyncio.get_running_loop().create_task(self._checkpoint_soon())

    async def _checkpoint_soon(self) -> None:
        await asyncio.sleep(CHECKPOINT_AFTER)
        try:
            if self._checkpointer is None:
                self._checkpointer = await aiosqlite.connect(self.path, isolation_level=None)
                await self._checkpointer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # PASSIVE copies what no reader still needs and never waits for anyone.
            await self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next write plans another
            log.debug("Checkpoint skipped: %s", exc)

    async def _open_reader(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA query_only = ON")
        except BaseException:
            await conn.close()
            raise
        return conn

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Tx]:
        """A read-only connection of the pool, for one or more reads outside a transaction."""
        if self._conn is None:
            raise RuntimeError("the database is not open; call connect() first")
        if self._max_readers <= 0:
            async with self._lock:
                yield Tx(self.raw)
            return
        idle = self._idle
        if idle.empty() and len(self._readers) + self._opening < self._max_readers:
            self._opening += 1
            try:
                conn = await self._open_reader()
            finally:
                self._opening -= 1
            self._readers.append(conn)
        else:
            conn = await idle.get()
        try:
            yield Tx(conn)
        finally:
            if conn in self._readers:
                idle.put_nowait(conn)

    @property
    def raw(self) -> aiosqlite.Connection:
        """The underlying connection, for the migration runner and backups."""
        if self._conn is None:
            raise RuntimeError("the database is not open; call connect() first")
        return self._conn

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the lock without a transaction (for PRAGMAs and backups)."""
        async with self._lock:
            yield self.raw

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
        async with self._lock:
            conn = self.raw
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")
                self._wrote()

    async def execute(self, sql: str, params: Params = ()) -> Written:
        async with self._lock:
            written = await Tx(self.raw).execute(sql, params)
        self._wrote()
        return written

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._lock:
            await Tx(self.raw).executemany(sql, rows)
        self._wrote()

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self.reading() as reader:
            return await reader.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self.reading() as reader:
            return await reader.fetchall(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        async with self.reading() as reader:
            return await reader.fetchval(sql, params)
