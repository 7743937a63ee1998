"""Who is invited, the pace of progress updates, greeting clean-up and the set-up's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.models import ChannelPurpose, GuildConfig, Profile
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.invites import GreetingRepo, InviteRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.setup_progress import SetupProgressRepo
from bot.services.invites import (
    INVITE_COOLDOWN,
    Candidate,
    GreetingService,
    InviteProgress,
    InviteService,
)
from bot.services.setup_wizard import (
    SetupWizard,
    WizardStep,
    channel_overwrites,
    purposes_to_create,
)

GUILD = 555555555555555555
ADA, BEA, CAL, DAN = (
    700000000000000001,
    700000000000000002,
    700000000000000003,
    700000000000000004,
)


@pytest.fixture
async def invites(db: Database, clock: FakeClock) -> InviteService:
    await GuildRepo(db).ensure(GUILD, clock.now())
    return InviteService(InviteRepo(db), clock)


async def test_bots_champions_and_the_recently_invited_are_skipped(
    invites: InviteService, db: Database, clock: FakeClock
) -> None:
    await ChampionRepo(db).save(GUILD, DAN, Profile(), clock.now())
    assert await invites.claim(GUILD, CAL)
    people = [(ADA, False), (BEA, True), (CAL, False), (DAN, False), (ADA, False)]
    plan = await invites.plan(GUILD, [Candidate(user, bot) for user, bot in people])
    assert plan.invite == [ADA]
    assert (plan.bots, plan.champions, plan.recent, plan.skipped) == (1, 1, 1, 3)


async def test_an_invitation_is_claimed_once_per_thirty_days(
    invites: InviteService, clock: FakeClock
) -> None:
    assert await invites.claim(GUILD, ADA)
    assert not await invites.claim(GUILD, ADA)  # a repeat or a resumed run sends nothing
    clock.advance(INVITE_COOLDOWN - timedelta(minutes=1))
    assert not await invites.claim(GUILD, ADA)
    clock.advance(timedelta(minutes=2))
    assert await invites.claim(GUILD, ADA)
    assert (await invites.plan(GUILD, [Candidate(ADA, False)])).invite == []


async def test_forget_me_removes_invitations_and_unlinks_greetings(
    invites: InviteService, db: Database, clock: FakeClock
) -> None:
    greetings = GreetingService(GreetingRepo(db), clock)
    await invites.claim(GUILD, ADA)
    await greetings.record(GUILD, 10, 11, ADA)
    exported = await PrivacyRepo(db).export(GUILD, ADA)
    assert len(exported["invitations"]) == 1 and len(exported["welcome_greetings"]) == 1
    await PrivacyRepo(db).forget(GUILD, ADA)
    assert await db.fetchall("SELECT * FROM invitations") == []
    assert await db.fetchval("SELECT user_id FROM welcome_greetings") is None
    clock.advance(timedelta(days=8))
    assert [g.message_id for g in await greetings.due(GUILD)] == [11]  # still tidied up


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(steps=st.lists(st.floats(min_value=0.0, max_value=5.0), min_size=1, max_size=200))
def test_progress_is_edited_at_most_every_two_seconds_and_never_after_fourteen_minutes(
    steps: list[float],
) -> None:
    ticker = Ticker()
    progress = InviteProgress(len(steps), monotonic=ticker)
    edits: list[float] = []
    for step in steps:
        ticker.now += step
        progress.advance()
        if progress.edit_due():
            edits.append(ticker.now)
    assert all(later - earlier >= 2.0 for earlier, later in zip([0.0, *edits], edits, strict=False))
    assert all(when < 14 * 60 for when in edits)
    assert progress.token_usable == (ticker.now < 14 * 60)


async def test_greetings_are_due_after_the_servers_days_and_zero_keeps_them(
    db: Database, clock: FakeClock
) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    greetings = GreetingService(GreetingRepo(db), clock)
    await greetings.record(GUILD, 10, 100, ADA)
    clock.advance(timedelta(days=1))
    await greetings.record(GUILD, 10, 101, BEA)
    assert await greetings.cleanup_days(GUILD) == 7
    clock.advance(timedelta(days=6, hours=1))
    assert [g.message_id for g in await greetings.due(GUILD)] == [100]
    await greetings.mark_deleted(100)
    assert await greetings.due(GUILD) == []
    await greetings.set_cleanup_days(GUILD, 0)
    clock.advance(timedelta(days=30))
    assert await greetings.due(GUILD) == []
    with pytest.raises(UserFacingError):
        await greetings.set_cleanup_days(GUILD, 366)


async def test_the_wizard_resumes_at_the_step_reached(db: Database, clock: FakeClock) -> None:
    wizard = SetupWizard(SetupProgressRepo(db), clock)
    assert await wizard.current(GUILD) is WizardStep.CHANNELS
    assert await wizard.complete(GUILD, WizardStep.CHANNELS) is WizardStep.TIMEZONE
    assert await wizard.current(GUILD) is WizardStep.TIMEZONE
    assert await wizard.complete(GUILD, WizardStep.WELCOME) is WizardStep.DONE
    assert await wizard.complete(GUILD, WizardStep.DONE) is WizardStep.DONE


def test_created_channels_get_the_permissions_they_need() -> None:
    log = {p.target: p for p in channel_overwrites(ChannelPurpose.LOG, coordinator_role=True)}
    assert log["everyone"].deny == ("view_channel",)
    assert "view_channel" in log["coordinators"].allow and "view_channel" in log["bot"].allow
    without_role = channel_overwrites(ChannelPurpose.LOG, coordinator_role=False)
    assert {p.target for p in without_role} == {"everyone", "bot"}
    (coffee,) = channel_overwrites(ChannelPurpose.COFFEE, coordinator_role=True)
    assert {"create_private_threads", "send_messages_in_threads"} <= set(coffee.allow)


def test_only_unset_or_deleted_channels_are_created(clock: FakeClock) -> None:
    config = GuildConfig(
        guild_id=GUILD,
        timezone="Europe/London",
        channels={
            ChannelPurpose.WELCOME: 1,
            ChannelPurpose.COFFEE: 2,
            ChannelPurpose.REFLECTIONS: None,
            ChannelPurpose.DIGEST: 4,
            ChannelPurpose.LOG: 5,
        },
        coordinator_role_id=None,
        created_at=clock.now(),
    )
    assert purposes_to_create(config, {1, 2, 4, 5}) == [ChannelPurpose.REFLECTIONS]
    assert purposes_to_create(config, {1, 4}) == [
        ChannelPurpose.COFFEE,
        ChannelPurpose.REFLECTIONS,
        ChannelPurpose.LOG,
    ]
