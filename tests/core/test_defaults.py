"""A new server starts with the defaults the code names, whatever the migrations wrote."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Database
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo
from bot.services import defaults
from bot.services.pairing import PairingInput

GUILD = 777777777777777777


async def test_a_new_server_starts_with_the_named_defaults(db: Database) -> None:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, datetime(2026, 11, 23, tzinfo=UTC))
    config = await guilds.config(GUILD)
    assert config is not None and config.timezone == defaults.DEFAULT_TIMEZONE
    coffee = await CoffeeRepo(db).settings(GUILD)
    assert (coffee.avoid_rounds, coffee.checkin_days) == (
        defaults.AVOID_REPEAT_ROUNDS,
        defaults.CHECKIN_DAYS,
    )
    assert await KindnessRepo(db).daily_limit(GUILD) == defaults.KINDNESS_DAILY_LIMIT


async def test_an_unknown_server_reads_the_same_defaults(db: Database) -> None:
    coffee = await CoffeeRepo(db).settings(GUILD + 1)
    assert (coffee.avoid_rounds, coffee.checkin_days) == (
        defaults.AVOID_REPEAT_ROUNDS,
        defaults.CHECKIN_DAYS,
    )
    assert await KindnessRepo(db).daily_limit(GUILD + 1) == defaults.KINDNESS_DAILY_LIMIT
    assert PairingInput(participants=()).avoid_repeat_rounds == defaults.AVOID_REPEAT_ROUNDS
