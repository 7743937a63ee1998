"""Posts and direct messages that take effect once, even when Discord's answer is lost.

A job's side effect is a *delivery step*. Before it happens, the step is written to the
``deliveries`` ledger as pending, with a nonce derived from the step's key; once Discord
answers, it is marked sent (or refused). The message is sent with that nonce and
``enforce_nonce``, so a retry within Discord's window returns the first message instead
of making a second one. A step found pending later (the bot was killed, or the answer
never arrived) is first looked for in Discord (the caller's ``find``, which reads the
channel's recent history) before it is tried again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.repos.deliveries import DeliveryRepo

log = logging.getLogger(__name__)

#: Discord allows nonces of up to 25 characters.
NONCE_LENGTH = 25
#: Pauses between immediate retries of a send whose outcome is unknown.
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)

#: Sends the message with the given nonce; returns the message's id (None for no message).
Send = Callable[[str], Awaitable[int | None]]
#: Looks for a message this step already made: (nonce, since) -> its id, or None.
Find = Callable[[str, datetime], Awaitable[int | None]]


class DeliveryRefused(Exception):
    """Discord refused the step for good (closed DMs, missing access): do not retry it."""


class Delivery(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    FOUND = "found"
    REFUSED = "refused"


@dataclass(frozen=True)
class Delivered:
    outcome: Delivery
    message_id: int | None = None
    detail: str | None = None

    @property
    def reached(self) -> bool:
        """Whether the message exists in Discord (now or from an earlier attempt)."""
        return self.outcome is not Delivery.REFUSED


def step_nonce(guild_id: int, job: str, period_key: str, step: str) -> str:
    """A nonce that names the step: the same on every attempt, different for every step."""
    key = json.dumps([guild_id, job, period_key, step], ensure_ascii=False)
    digest = hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
    return f"k{digest}"[:NONCE_LENGTH]


class Deliverer:
    """Runs delivery steps for one job run (guild, job, period)."""

    def __init__(
        self,
        repo: DeliveryRepo,
        clock: Clock,
        *,
        guild_id: int,
        job: str,
        period_key: str,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._repo = repo
        self._clock = clock
        self.guild_id = guild_id
        self.job = job
        self.period_key = period_key
        self._retry_delays = tuple(retry_delays)

    def nonce(self, step: str) -> str:
        return step_nonce(self.guild_id, self.job, self.period_key, step)

    async def deliver(
        self,
        step: str,
        send: Send,
        *,
        target_id: int | None = None,
        find: Find | None = None,
    ) -> Delivered:
        """Make the step take effect once; see the module docstring.

        ``send`` raises :class:`DeliveryRefused` when Discord refuses for good. Any other
        exception leaves the outcome unknown: the step stays pending, is retried at once
        with the same nonce, and after the last retry the exception propagates (the job
        fails, and its next attempt looks for the message before sending again).
        """
        repo = self._repo
        key = (self.guild_id, self.job, self.period_key, step)
        existing = await repo.get(*key)
        if existing is not None and existing.status == "sent":
            return Delivered(Delivery.ALREADY_SENT, existing.message_id)
        if existing is not None and existing.status == "failed":
            return Delivered(Delivery.REFUSED, None, existing.detail)
        if existing is not None and find is not None:
            found = await find(existing.nonce, existing.started_at)
            if found is not None:
                await repo.finish(existing, "sent", self._clock.now(), message_id=found)
                log.info("Step %s of %s (%s) had already been delivered", step, self.job, key[0])
                return Delivered(Delivery.FOUND, found)
        nonce = existing.nonce if existing is not None else self.nonce(step)
        record = await repo.begin(*key, nonce=nonce, target_id=target_id, now=self._clock.now())
        for attempt, delay in enumerate((*self._retry_delays, None)):
            try:
                message_id = await send(nonce)
            except DeliveryRefused as refused:
                await repo.finish(record, "failed", self._clock.now(), detail=str(refused))
                return Delivered(Delivery.REFUSED, None, str(refused))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if delay is None:
                    raise
                log.warning(
                    "Step %s of %s: outcome unknown (%s: %s); retrying with the same nonce "
                    "(attempt %d)",
                    step,
                    self.job,
                    type(exc).__name__,
                    exc,
                    attempt + 2,
                )
                await asyncio.sleep(delay)
                continue
            await repo.finish(record, "sent", self._clock.now(), message_id=message_id)
            return Delivered(Delivery.SENT, message_id)
        raise AssertionError("unreachable")  # the loop returns or raises
