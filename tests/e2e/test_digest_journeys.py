"""The weekly digest and the impact report, as coordinators and champions see them."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.e2e.conftest import Harness
from tests.e2e.flows import configure, join, label, rows, scenario

FRIDAY = datetime.fromisoformat("2026-11-27T16:05:00+00:00")  # just after the 16:00 digest
PNG = b"\x89PNG\r\n\x1a\n"


def at(when: datetime) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": when.isoformat()}


async def test_digest_is_posted_once_across_a_restart(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(FRIDAY - timedelta(days=2)))
    await configure(h)
    ada = h.member("ada")
    await join(h, ada, "Education", digest=True)
    await scenario(h).log_act(ada, "Made the tea for the whole shift")
    await h.restart_bot(**at(FRIDAY))
    digest_channel = h.channel("digest")
    post = await h.emu.wait_for_message(digest_channel, lambda m: bool(m.embeds), within=10)
    assert post.attachments[0].data.startswith(PNG)
    assert "Made the tea for the whole shift" in post.text
    assert "Ada" in post.text  # she agreed to be named
    await h.restart_bot(**at(FRIDAY + timedelta(minutes=10)))
    assert h.bot is not None
    await h.bot.wait_for_log("Scheduler started")
    await h.restart_bot(**at(FRIDAY + timedelta(hours=2)))
    assert len(h.emu.bot_messages(digest_channel)) == 1
    assert rows(h.db_path, "SELECT count(*) FROM job_runs WHERE job = 'digest'") == [(1,)]


async def test_quiet_week_preview_and_impact_report(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(FRIDAY - timedelta(days=2)))
    await configure(h)
    preview = await (await h.emu.slash(h.guild, h.owner, "digest preview")).final()
    assert preview.ephemeral
    assert label("digest.quiet") in preview.text
    assert preview.attachments[0].data.startswith(PNG)
    assert h.emu.bot_messages(h.channel("digest")) == []

    bad = await (await h.emu.slash(h.guild, h.owner, "impact", month="2026-13")).final()
    assert bad.ephemeral and bad.content == label("digest.month_invalid", month="2026-13")
    report = await (await h.emu.slash(h.guild, h.owner, "impact", month="2026-11")).final(within=30)
    names = {a.filename for a in report.attachments}
    assert {"report.html", "acts.csv", "meetings.csv", "figures.csv", "bridging.png"} <= names
    html = next(a for a in report.attachments if a.filename == "report.html").data.decode()
    assert "2026-11" in html
    bridging = await (await h.emu.slash(h.guild, h.owner, "digest bridging", weeks=4)).final()
    assert bridging.ephemeral and "of the **15** possible pairs" in bridging.content
    assert bridging.attachments[0].data.startswith(PNG)


async def test_unconsented_names_never_appear_in_the_digest(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(FRIDAY - timedelta(days=2)))
    await configure(h)
    quiet = h.member("zoltan")
    await join(h, quiet, "Justice")  # did not agree to be named
    await scenario(h).log_act(quiet, "Fixed a neighbour's gate")
    await h.restart_bot(**at(FRIDAY))
    post = await h.emu.wait_for_message(h.channel("digest"), lambda m: bool(m.embeds), within=10)
    assert "Fixed a neighbour's gate" in post.text
    assert "a champion from Justice" in post.text
    assert "zoltan" not in post.text.casefold()
    assert str(quiet.user.id) not in post.text
