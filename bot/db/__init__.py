"""SQLite access: one connection, explicit transactions, numbered migrations."""

from bot.db.connection import Database, DatabaseOpenError, Tx, Written
from bot.db.migrations import MigrationError, SchemaTooNewError, migrate

__all__ = [
    "Database",
    "DatabaseOpenError",
    "MigrationError",
    "SchemaTooNewError",
    "Tx",
    "Written",
    "migrate",
]
