from __future__ import annotations

import asyncio

import pytest

from bot.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


async def test_requests_are_spaced_to_the_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(50, monotonic=fake.monotonic, sleep=fake.sleep)
    for _ in range(101):
        await pacer.wait()
    assert fake.now == pytest.approx(102.0)  # 100 intervals of 20 ms
    assert fake.slept == [0.02] * 100


async def test_a_quiet_pacer_does_not_wait() -> None:
    fake = FakeTime()
    pacer = Pacer(10, monotonic=fake.monotonic, sleep=fake.sleep)
    await pacer.wait()
    fake.now += 5
    await pacer.wait()
    assert fake.slept == []


async def test_concurrent_callers_share_the_budget() -> None:
    fake = FakeTime()
    pacer = Pacer(10, monotonic=fake.monotonic, sleep=fake.sleep)
    await asyncio.gather(*(pacer.wait() for _ in range(5)))
    assert fake.now == pytest.approx(100.4)


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
