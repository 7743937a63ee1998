"""Everything the bot uses, built in one place and handed to the Bot constructor.

Cogs reach storage only through the services here; the repositories stay inside
them (and inside the scheduler). Tests build the same container around a temporary
database, a fake clock or stand-ins, and pass it to the real ``KindBot``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.clock import Clock, OffsetClock, SystemClock
from bot.db import Database
from bot.offload import Offload
from bot.repos.alerts import AlertRepo
from bot.repos.analytics import AnalyticsRepo
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.invites import GreetingRepo, InviteRepo
from bot.repos.jobs import JobRepo
from bot.repos.kindness import KindnessRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.programmes import ProgrammeRepo
from bot.repos.prompts import PromptRepo
from bot.repos.pulse import PulseRepo
from bot.repos.reflections import ReflectionRepo
from bot.repos.setup_progress import SetupProgressRepo
from bot.scheduler import JobScheduler
from bot.services.about import AboutService
from bot.services.alerts import AlertService
from bot.services.bridging import BridgingService
from bot.services.champions import ChampionsService
from bot.services.coffee import CoffeeService
from bot.services.content import ContentLibrary, load_content
from bot.services.digest import DigestService
from bot.services.funders import FundersReportService
from bot.services.invites import GreetingService, InviteService
from bot.services.kindness import KindnessService
from bot.services.onboarding import OnboardingService
from bot.services.outcomes import OutcomesService
from bot.services.programmes import (
    ProgrammeService,
    load_places,
    load_region_neighbours,
    programme_texts,
)
from bot.services.prompts import PromptService
from bot.services.pulse import PulseService, load_pulse_content
from bot.services.reflections import ReflectionService
from bot.services.report import ReportService, load_report_texts
from bot.services.setup import SetupService
from bot.services.setup_wizard import SetupWizard
from bot.settings import Settings
from bot.text import Messages


@dataclass
class Services:
    db: Database  # the bot opens, migrates and closes it; cogs never use it
    clock: Clock
    texts: Messages
    scheduler: JobScheduler
    content: ContentLibrary
    setup: SetupService
    onboarding: OnboardingService
    champions: ChampionsService
    prompts: PromptService
    coffee: CoffeeService
    kindness: KindnessService
    reflections: ReflectionService
    digest: DigestService
    bridging: BridgingService
    report: ReportService
    # Coordinators' tools: alerts, invitations, greeting clean-up, guided set-up
    alerts: AlertService
    invites: InviteService
    greetings: GreetingService
    wizard: SetupWizard
    about: AboutService
    # Programmes: any rhythm, any group size, online or in person by region
    programmes: ProgrammeService
    programme_texts: Messages
    # Outcomes: the opt-in pulse and the figures funders ask for
    pulse: PulseService
    outcomes: OutcomesService
    funders: FundersReportService
    #: Worker processes for CPU-heavy jobs; started by the first one, stopped on close.
    offload: Offload = field(default_factory=Offload)

    @classmethod
    def build(
        cls,
        db_path: Path,
        *,
        clock: Clock | None = None,
        texts: Messages | None = None,
        content: ContentLibrary | None = None,
        catch_up_grace: timedelta = timedelta(hours=24),
        content_dir: Path | None = None,
    ) -> Services:
        clock = clock or SystemClock()
        db = Database(db_path)
        content = content or load_content(override=content_dir)
        guilds = GuildRepo(db)
        jobs = JobRepo(db)
        champions = ChampionRepo(db)
        privacy = PrivacyRepo(db)
        prompts = PromptService(content, PromptRepo(db))
        coffee_repo = CoffeeRepo(db)
        analytics = AnalyticsRepo(db)
        texts = texts or Messages.load(override_dir=content_dir)
        pulse_content = load_pulse_content()
        pulse_repo = PulseRepo(db)
        offload = Offload()
        outcomes = OutcomesService(OutcomesRepo(db), pulse_repo, analytics, pulse_content, clock)
        services = cls(
            db=db,
            clock=clock,
            texts=texts,
            scheduler=JobScheduler(jobs, guilds, clock, catch_up_grace=catch_up_grace),
            content=content,
            setup=SetupService(guilds, clock),
            onboarding=OnboardingService(guilds, champions, privacy, content, clock),
            champions=ChampionsService(guilds, champions, privacy, clock),
            prompts=prompts,
            coffee=CoffeeService(coffee_repo, champions, guilds, prompts, clock, offload),
            kindness=KindnessService(KindnessRepo(db), champions, guilds, clock),
            reflections=ReflectionService(ReflectionRepo(db), champions, guilds, prompts, clock),
            digest=DigestService(analytics, prompts, clock),
            bridging=BridgingService(analytics),
            report=ReportService(
                analytics, content, clock, load_report_texts(content_dir), offload
            ),
            offload=offload,
            alerts=AlertService(AlertRepo(db), guilds, texts, clock),
            invites=InviteService(InviteRepo(db), clock),
            greetings=GreetingService(GreetingRepo(db), clock),
            wizard=SetupWizard(SetupProgressRepo(db), clock),
            about=AboutService(jobs, clock),
            programmes=ProgrammeService(
                ProgrammeRepo(db),
                champions,
                guilds,
                clock,
                places=load_places(override_dir=content_dir),
                neighbours=load_region_neighbours(content, override_dir=content_dir),
                offload=offload,
            ),
            programme_texts=programme_texts(override_dir=content_dir),
            pulse=PulseService(pulse_repo, pulse_content, clock),
            outcomes=outcomes,
            funders=FundersReportService(
                outcomes, analytics, content, clock, override_dir=content_dir, offload=offload
            ),
        )
        # Coordinators hear when a weekly job ran late because the bot was down.
        services.scheduler.set_catch_up_listener(services.alerts.caught_up)
        return services

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        clock: Clock = OffsetClock(settings.clock_start) if settings.clock_start else SystemClock()
        return cls.build(
            settings.db_path,
            clock=clock,
            catch_up_grace=settings.catch_up_grace,
            content_dir=settings.content_dir,
        )
