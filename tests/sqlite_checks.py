"""Reading a kindbot SQLite file directly, as a test would inspect what was stored."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql, params).fetchall())


def tables_mentioning(db: Path, value: int) -> list[str]:
    """Every table with a cell containing ``value`` (for "no trace left" checks)."""
    found = []
    with closing(sqlite3.connect(db)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                if any(str(value) in str(cell) for cell in row):
                    found.append(table)
                    break
    return found
