"""Delivery steps take effect once: lost answers, kills after a post, refusals and DMs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.repos.deliveries import DeliveryRepo
from bot.scheduler.delivery import (
    NONCE_LENGTH,
    Deliverer,
    Delivery,
    DeliveryRefused,
    step_nonce,
)


@dataclass
class Posted:
    message_id: int
    nonce: str
    at: datetime


@dataclass
class FakeChannel:
    """Behaves like a Discord channel towards one author: nonces dedupe for a window."""

    clock: FakeClock
    window: timedelta = timedelta(minutes=5)
    messages: list[Posted] = field(default_factory=list)
    lose_answers: int = 0
    next_id: int = 1000

    async def send(self, nonce: str) -> int:
        for posted in self.messages:
            if posted.nonce == nonce and self.clock.now() - posted.at < self.window:
                existing = posted.message_id
                break
        else:
            self.next_id += 1
            self.messages.append(Posted(self.next_id, nonce, self.clock.now()))
            existing = self.next_id
        if self.lose_answers:
            self.lose_answers -= 1
            raise ConnectionResetError("server disconnected before answering")
        return existing

    async def find(self, nonce: str, since: datetime) -> int | None:
        for posted in self.messages:
            if posted.nonce == nonce and posted.at >= since - timedelta(seconds=1):
                return posted.message_id
        return None


def _deliverer(db: Database, clock: FakeClock) -> Deliverer:
    return Deliverer(
        DeliveryRepo(db),
        clock,
        guild_id=1,
        job="digest",
        period_key="2026-W48",
        retry_delays=(0, 0),
    )


async def test_a_step_is_sent_once_and_remembered(db: Database, clock: FakeClock) -> None:
    channel = FakeChannel(clock)
    first = await _deliverer(db, clock).deliver("post", channel.send, target_id=5)
    again = await _deliverer(db, clock).deliver("post", channel.send, target_id=5)
    assert first.outcome is Delivery.SENT
    assert again.outcome is Delivery.ALREADY_SENT
    assert again.message_id == first.message_id
    assert len(channel.messages) == 1


async def test_a_lost_answer_is_retried_with_the_same_nonce(db: Database, clock: FakeClock) -> None:
    channel = FakeChannel(clock, lose_answers=1)
    result = await _deliverer(db, clock).deliver("post", channel.send)
    assert result.outcome is Delivery.SENT
    assert len(channel.messages) == 1
    assert result.message_id == channel.messages[0].message_id


async def test_every_answer_lost_leaves_the_step_pending_then_a_resume_finds_it(
    db: Database, clock: FakeClock
) -> None:
    channel = FakeChannel(clock, lose_answers=10)
    with pytest.raises(ConnectionResetError):
        await _deliverer(db, clock).deliver("post", channel.send, find=channel.find)
    record = await DeliveryRepo(db).get(1, "digest", "2026-W48", "post")
    assert record is not None and record.status == "pending"
    # Long after Discord's nonce window: only looking in the channel can prevent a repeat.
    clock.advance(timedelta(hours=3))
    channel.lose_answers = 0
    resumed = await _deliverer(db, clock).deliver("post", channel.send, find=channel.find)
    assert resumed.outcome is Delivery.FOUND
    assert len(channel.messages) == 1
    assert resumed.message_id == channel.messages[0].message_id


async def test_a_kill_before_sending_sends_on_resume(db: Database, clock: FakeClock) -> None:
    """Pending but never stored in Discord (killed between the record and the send)."""
    repo = DeliveryRepo(db)
    deliverer = _deliverer(db, clock)
    await repo.begin(
        1,
        "digest",
        "2026-W48",
        "post",
        nonce=deliverer.nonce("post"),
        target_id=None,
        now=clock.now(),
    )
    channel = FakeChannel(clock)
    clock.advance(timedelta(hours=1))
    result = await deliverer.deliver("post", channel.send, find=channel.find)
    assert result.outcome is Delivery.SENT
    assert len(channel.messages) == 1


async def test_a_refusal_is_final_and_reported_the_same_way_on_resume(
    db: Database, clock: FakeClock
) -> None:
    calls = 0

    async def closed_dms(nonce: str) -> int:
        nonlocal calls
        calls += 1
        raise DeliveryRefused("Cannot send messages to this user")

    first = await _deliverer(db, clock).deliver("dm:7", closed_dms, target_id=7)
    again = await _deliverer(db, clock).deliver("dm:7", closed_dms, target_id=7)
    assert first.outcome is again.outcome is Delivery.REFUSED
    assert not first.reached
    assert again.detail == "Cannot send messages to this user"
    assert calls == 1


async def test_dms_are_tracked_per_member_across_a_kill(db: Database, clock: FakeClock) -> None:
    inboxes = {uid: FakeChannel(clock) for uid in (11, 12, 13)}
    # The first process DMs 11, then is killed while 12's answer is in flight.
    inboxes[12].lose_answers = 10
    first = _deliverer(db, clock)
    await first.deliver("dm:11", inboxes[11].send, target_id=11, find=inboxes[11].find)
    with pytest.raises(ConnectionResetError):
        await first.deliver("dm:12", inboxes[12].send, target_id=12, find=inboxes[12].find)
    clock.advance(timedelta(minutes=30))
    inboxes[12].lose_answers = 0
    second = _deliverer(db, clock)
    for uid in (11, 12, 13):
        await second.deliver(f"dm:{uid}", inboxes[uid].send, target_id=uid, find=inboxes[uid].find)
    assert {uid: len(box.messages) for uid, box in inboxes.items()} == {11: 1, 12: 1, 13: 1}


async def test_forget_member_removes_their_delivery_rows(db: Database, clock: FakeClock) -> None:
    channel = FakeChannel(clock)
    await _deliverer(db, clock).deliver("dm:21", channel.send, target_id=21)
    await _deliverer(db, clock).deliver("dm:22", channel.send, target_id=22)
    repo = DeliveryRepo(db)
    assert [row["step"] for row in await repo.export_member(1, 21)] == ["dm:21"]
    assert await repo.forget_member(1, 21) == 1
    assert await repo.export_member(1, 21) == []
    assert len(await repo.export_member(1, 22)) == 1


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(st.integers(1, 2**62), st.text(max_size=20), st.text(max_size=10)),
    st.tuples(st.integers(1, 2**62), st.text(max_size=20), st.text(max_size=10)),
)
def test_nonces_fit_discord_and_name_their_step(
    a: tuple[int, str, str], b: tuple[int, str, str]
) -> None:
    na = step_nonce(a[0], "job", a[1], a[2])
    nb = step_nonce(b[0], "job", b[1], b[2])
    assert 1 <= len(na) <= NONCE_LENGTH
    assert na == step_nonce(a[0], "job", a[1], a[2])
    assert (na == nb) == (a == b)
