"""A member's pulse answers are in their data export, and forgetting them deletes them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Database
from bot.models import Profile
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.pulse import PulseRepo

GUILD = 555555555555555555
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


async def test_my_data_has_the_answers_and_forget_me_deletes_them(db: Database) -> None:
    await GuildRepo(db).ensure(GUILD, NOW)
    await ChampionRepo(db).save(GUILD, 1, Profile(), NOW)
    await ChampionRepo(db).save(GUILD, 2, Profile(), NOW)
    pulse = PulseRepo(db)
    for user in (1, 2):
        assert await pulse.set_consent(GUILD, user, True, NOW)
        assert await pulse.add_invite(GUILD, user, "baseline", NOW)
        await pulse.save_answer(GUILD, user, "baseline", "lonely", 3, NOW)
    await pulse.save_answer(GUILD, 1, "baseline", "lonely", 4, NOW)  # replaces the first

    privacy = PrivacyRepo(db)
    exported = await privacy.export(GUILD, 1)
    answers = [row for table, rows in exported.items() if "pulse_answers" in table for row in rows]
    assert [(a["question_key"], a["choice"]) for a in answers] == [("lonely", 4)]
    assert any("pulse_invites" in table and rows for table, rows in exported.items())

    await privacy.forget(GUILD, 1)
    assert await pulse.answers(GUILD, 1, "baseline") == {}
    assert await pulse.invites(GUILD, 1) == {}
    assert await pulse.answers(GUILD, 2, "baseline") == {"lonely": 3}  # others stay
