"""One writer and a pool of read-only connections: reads never wait for a write."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database

GUILD = 42


WHEN = "2026-11-23T10:00:00+00:00"


async def _add_guild(db: Database, guild_id: int) -> None:
    await db.execute(
        "INSERT INTO guilds (guild_id, created_at) VALUES (?, '2026-11-23T10:00:00+00:00')",
        (guild_id,),
    )


async def test_reads_proceed_while_a_write_transaction_is_open(db: Database) -> None:
    await _add_guild(db, GUILD)
    inside = asyncio.Event()
    release = asyncio.Event()

    async def long_write() -> None:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO guilds (guild_id, created_at) VALUES (7, '2026-11-23T10:00:00+00:00')"
            )
            inside.set()
            await release.wait()

    writer = asyncio.create_task(long_write())
    await inside.wait()
    # Several reads at once, all answered while the transaction is still open; they
    # see the last committed state, not the write in progress.
    counts = await asyncio.wait_for(
        asyncio.gather(*(db.fetchval("SELECT count(*) FROM guilds") for _ in range(8))),
        timeout=5,
    )
    assert counts == [1] * 8
    assert not writer.done()
    release.set()
    await writer
    assert await db.fetchval("SELECT count(*) FROM guilds") == 2


async def test_a_read_connection_refuses_writes(db: Database) -> None:
    async with db.reading() as reader:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await reader.execute("INSERT INTO guilds (guild_id, created_at) VALUES (1, 'x')")
    assert await db.fetchval("SELECT count(*) FROM guilds") == 0


async def test_reads_outnumbering_the_pool_all_finish(db: Database) -> None:
    await _add_guild(db, GUILD)
    results = await asyncio.gather(*(db.fetchone("SELECT guild_id FROM guilds") for _ in range(40)))
    assert {row[0] for row in results if row is not None} == {GUILD}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["insert", "update", "delete"]), min_size=1, max_size=12))
async def test_every_read_after_a_write_sees_it(db: Database, steps: list[str]) -> None:
    await db.execute("DELETE FROM guilds")
    expected: dict[int, int] = {}
    for number, step in enumerate(steps):
        if step == "insert" or not expected:
            guild_id = 1000 + number
            await _add_guild(db, guild_id)
            expected[guild_id] = 20
        elif step == "update":
            guild_id = min(expected)
            await db.execute(
                "UPDATE guilds SET kindness_daily_limit = ? WHERE guild_id = ?",
                (number, guild_id),
            )
            expected[guild_id] = number
        else:
            guild_id = max(expected)
            await db.execute("DELETE FROM guilds WHERE guild_id = ?", (guild_id,))
            del expected[guild_id]
        rows = await db.fetchall("SELECT guild_id, kindness_daily_limit FROM guilds")
        assert {row[0]: row[1] for row in rows} == expected


async def test_a_big_commit_leaves_the_checkpoint_to_its_own_connection(db: Database) -> None:
    """The log goes back into the file a moment after the commit, not inside it."""
    await db.execute("CREATE TABLE filler (x BLOB)")
    start = db.path.stat().st_size
    # About 1,500 pages: past the 1,000 at which a commit would checkpoint by itself.
    await db.executemany("INSERT INTO filler (x) VALUES (?)", [(bytes(4000),)] * 1500)
    assert db.path.stat().st_size < start + 1_000_000  # still only in the log
    assert await db.fetchval("SELECT count(*) FROM filler") == 1500
    for _ in range(100):
        if db.path.stat().st_size > start + 5_000_000:
            break
        await asyncio.sleep(0.05)
    assert db.path.stat().st_size > start + 5_000_000  # copied into the file
    assert await db.fetchval("SELECT count(*) FROM filler") == 1500
