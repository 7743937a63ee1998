"""Reads the rows for a period and builds its :class:`OutcomeFigures`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.repos.analytics import AnalyticsRepo, SharedItem, Window
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.services.outcomes.figures import (
    OutcomeFigures,
    TieFigures,
    acts_figures,
    bridging_figures,
    participation_figures,
    question_change,
    question_result,
    tie_figures,
)
from bot.services.outcomes.periods import Period, ResolvedPeriod, month_edges, resolve_period
from bot.services.pulse import PulseContent, custom_question
from bot.timeutil import to_db

#: At most this many joining months in the cohort table (the newest).
COHORT_MONTHS = 24


def quarter_key(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


class UnknownGuildError(LookupError):
    """The guild has never been set up in this database."""


class OutcomesService:
    def __init__(
        self,
        outcomes: OutcomesRepo,
        pulse: PulseRepo,
        analytics: AnalyticsRepo,
        content: PulseContent,
        clock: Clock,
    ) -> None:
        self._outcomes = outcomes
        self._pulse = pulse
        self._analytics = analytics
        self.content = content
        self._clock = clock

    async def resolve(self, guild_id: int, period: Period) -> ResolvedPeriod:
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(guild_id)
        return resolve_period(period, self._clock.now(), timezone)

    async def build(self, guild_id: int, period: Period) -> OutcomeFigures:
        resolved = await self.resolve(guild_id, period)
        window, timezone = resolved.window, resolved.timezone
        names = await self._analytics.group_names(guild_id)
        now = self._clock.now()
        periods = month_edges(period.first, window, timezone)
        periods[0] = (periods[0][0], window.since, periods[0][2])

        first_joined = await self._outcomes.first_joined(guild_id)
        cohort_edges: list[tuple[str, datetime, datetime]] = []
        if first_joined is not None:
            first_day = datetime.fromisoformat(first_joined).astimezone(ZoneInfo(timezone))
            cohort_edges = month_edges(first_day.date(), window, timezone)[-COHORT_MONTHS:]

        # The reads are independent: they run side by side on the read connections
        # (SQLite lets go of the GIL while it works, so they share the cores).
        o, p = self._outcomes, self._pulse
        edges = [(label, to_db(s), to_db(u)) for label, s, u in cohort_edges]
        task = asyncio.ensure_future
        ties_read = task(self._ties(guild_id, window))
        statuses_read = task(o.statuses(guild_id, window, now))
        cohorts_read = task(o.cohorts(guild_id, cohort_edges, window.until))
        bridging_read = task(o.bridging_by_month(guild_id, periods))
        custom_read = task(p.custom_questions(guild_id))
        counts_read = task(p.answer_counts(guild_id, window.since, window.until))
        paired_read = task(p.paired_answers(guild_id, edges))
        conditions_read = task(o.acts_by_condition(guild_id, window))
        across_read = task(o.acts_across_groups(guild_id, window))
        await asyncio.gather(
            ties_read,
            statuses_read,
            cohorts_read,
            bridging_read,
            custom_read,
            counts_read,
            paired_read,
            conditions_read,
            across_read,
        )
        statuses, cohort_rows = statuses_read.result(), cohorts_read.result()
        counts, paired = counts_read.result(), paired_read.result()
        participation, cohorts = participation_figures(
            statuses, cohort_rows, {label for label, _, _ in periods}, resolved
        )
        questions = (
            *self.content.questions,
            *(custom_question(r) for r in custom_read.result()),
        )
        pulse = [
            question_result(
                q, [(c.group_id, c.choice, c.members) for c in counts.get(q.key, [])], names
            )
            for q in questions
        ]
        changes = [question_change(q, paired.get(q.key, [])) for q in questions if q.headline]
        return OutcomeFigures(
            guild_id=guild_id,
            period=resolved,
            ties=ties_read.result(),
            bridging=bridging_figures(bridging_read.result(), names),
            participation=participation,
            cohorts=cohorts,
            acts=acts_figures(conditions_read.result(), across_read.result(), names),
            pulse=tuple(pulse),
            changes=tuple(changes),
        )

    async def set_auto_quarterly(self, guild_id: int, on: bool) -> None:
        await self._outcomes.set_auto_quarterly(guild_id, on)

    async def quarter_to_post(self, guild_id: int) -> Period | None:
        """The quarter just finished, when the quarterly report is on and not yet posted."""
        on, posted = await self._outcomes.auto_quarterly(guild_id)
        timezone = await self._analytics.guild_timezone(guild_id)
        if not on or timezone is None:
            return None
        today = self._clock.now().astimezone(ZoneInfo(timezone)).date()
        year, quarter = today.year, (today.month - 1) // 3  # the one before this
        if quarter == 0:
            year, quarter = year - 1, 4
        key = quarter_key(year, quarter)
        return None if posted is not None and posted >= key else Period.quarter(year, quarter)

    async def mark_quarter_posted(self, guild_id: int, period: Period) -> None:
        quarter = (period.first.month - 1) // 3 + 1
        await self._outcomes.mark_quarter_posted(guild_id, quarter_key(period.first.year, quarter))

    async def story_items(self, guild_id: int, window: Window, limit: int) -> list[SharedItem]:
        """The newest acts and reflections shared with the community, up to ``limit`` each."""
        acts = await self._analytics.shareable_acts(guild_id, window, limit=limit)
        return [*acts, *await self._outcomes.story_reflections(guild_id, window, limit)]

    async def _ties(self, guild_id: int, window: Window) -> TieFigures:
        counts = await self._outcomes.ties(guild_id, window)
        return tie_figures(counts.taking_part, counts.groups_met, counts.cross_group_ties)
