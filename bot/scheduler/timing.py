"""When a weekly job is due, computed with the same cron trigger APScheduler fires.

Using one trigger for both the wake-ups and the "what was due last?" question
keeps the two in agreement, DST changes included (zoneinfo does the offsets).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.models import WeeklyTime
from bot.timeutil import day_key, iso_week_key

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_trigger(when: WeeklyTime, timezone: str, *, daily: bool = False) -> CronTrigger:
    return CronTrigger(
        day_of_week=None if daily else _DAYS[when.day_of_week],
        hour=when.hour,
        minute=when.minute,
        second=0,
        timezone=ZoneInfo(timezone),
    )


def latest_due(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The last fire time at or before ``now``, looking back at most ``lookback``."""
    start = now - lookback
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    latest: datetime | None = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def period_key_for(due: datetime, timezone: str, *, daily: bool = False) -> str:
    """The period a due time belongs to, in the guild's own calendar."""
    local = due.astimezone(ZoneInfo(timezone)).date()
    return day_key(local) if daily else iso_week_key(local)
