"""What ``/about`` tells: the version, how long the bot has run, and its latest jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import __version__
from bot.clock import Clock
from bot.models import ScheduledJob
from bot.repos.jobs import JobRepo

#: The jobs ``/about`` reports, in the order it shows them.
REPORTED_JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob.PAIRING,
    ScheduledJob.PROMPT,
    ScheduledJob.DIGEST,
)


@dataclass(frozen=True)
class AboutFacts:
    version: str
    started_at: datetime
    #: When each reported job last ran here; None for never.
    last_runs: dict[ScheduledJob, datetime | None]


class AboutService:
    def __init__(self, jobs: JobRepo, clock: Clock, *, version: str = __version__) -> None:
        self._jobs = jobs
        self._clock = clock
        self._version = version
        #: The services are built once per process, as the bot starts.
        self.started_at = clock.now()

    async def facts(self, guild_id: int) -> AboutFacts:
        finished = await self._jobs.last_finished(guild_id)
        return AboutFacts(
            version=self._version,
            started_at=self.started_at,
            last_runs={job: finished.get(job.value) for job in REPORTED_JOBS},
        )
