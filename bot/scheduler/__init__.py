"""Weekly per-guild jobs that take effect once per period and survive restarts."""

from bot.scheduler.delivery import Delivered, Delivery, DeliveryRefused, step_nonce
from bot.scheduler.jobs import JobContext, JobSkipped, JobSpec, RunOutcome
from bot.scheduler.runner import JobScheduler
from bot.scheduler.timing import latest_due, period_key_for, weekly_trigger

__all__ = [
    "Delivered",
    "Delivery",
    "DeliveryRefused",
    "JobContext",
    "JobScheduler",
    "JobSkipped",
    "JobSpec",
    "RunOutcome",
    "latest_due",
    "period_key_for",
    "step_nonce",
    "weekly_trigger",
]
