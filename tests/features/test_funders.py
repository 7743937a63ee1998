"""The report funders read, built from a hand-made community: its context, its CSV pack,
its HTML (escaped, with context figures labelled) and how it prints in Chromium."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile
from bot.problems import UserFacingError
from bot.repos.analytics import AnalyticsRepo
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.pulse import PulseRepo
from bot.services.content import load_content
from bot.services.funders import FundersReportService
from bot.services.outcomes import OutcomesService, Period
from bot.services.pulse import BASELINE, load_pulse_content
from bot.timeutil import to_db

GUILD = 777777777777777777
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NAMED = 3  # the one member who agreed to be named


def utc(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def build_community(db: Database) -> dict[str, int]:
    """40 champions in four groups: 20 joined in September, 20 in October. Everyone
    answered a baseline pulse when they joined and the 2026-Q4 pulse in November;
    fewer feel lonely at the later pulse. Shared acts and reflections give stories."""
    await GuildRepo(db).ensure(GUILD, utc(9, 1))
    groups = {g.name: g.group_id for g in await GuildRepo(db).groups(GUILD)}
    four = [groups[n] for n in ("Health & care", "Justice", "Education", "Community groups")]
    champions = ChampionRepo(db)
    for user in range(1, 41):
        joined = utc(9, 5) if user <= 20 else utc(10, 5)
        group = four[user % 4]
        profile = Profile(group_id=group, coffee_opt_in=True, digest_name_ok=user == NAMED)
        await champions.save(GUILD, user, profile, joined)
        lonely_before = 0 if user % 2 else user % 5  # half often lonely at first
        lonely_after = user % 5  # a fifth later
        for period, when, lonely in (
            (BASELINE, joined + timedelta(hours=2), lonely_before),
            ("2026-Q4", utc(11, 10), lonely_after),
        ):
            for question, choice in (("lonely", lonely), ("kind", user % 3), ("bridging", 2)):
                await db.execute(
                    "INSERT INTO pulse_answers (guild_id, user_id, period_key, question_key, "
                    "choice, group_id, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (GUILD, user, period, question, choice, group, to_db(when)),
                )
    outcomes = OutcomesRepo(db)
    for user in range(1, 41):
        visibility = "shareable" if user in (1, 2, 3, 4, 5, 6) else "private"
        what = "Walked a new volunteer round the ward" if user != 2 else "<b>Baked</b> & shared"
        written = await db.execute(
            "INSERT INTO acts (guild_id, user_id, group_id, what, condition_number, visibility, "
            "text_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (GUILD, user, four[user % 4], what, 1 + user % 3, visibility, f"k{user}",
             to_db(utc(10, 10 + user % 15)), to_db(utc(10, 10 + user % 15))),
        )  # fmt: skip
        assert written.lastrowid is not None
        await outcomes.set_act_beneficiary(GUILD, user, written.lastrowid, four[(user + 1) % 4])
    await db.execute(
        "INSERT INTO reflections (guild_id, user_id, group_id, period_key, body, visibility, "
        "created_at, updated_at) VALUES (?, 3, ?, '2026-W43', 'Meeting across teams "
        "<script>x()</script> changed how I see the court staff.', 'shareable', ?, ?)",
        (GUILD, four[3], to_db(utc(10, 21)), to_db(utc(10, 21))),
    )
    return groups


def service(db: Database) -> FundersReportService:
    pulse = load_pulse_content()
    outcomes = OutcomesService(
        OutcomesRepo(db), PulseRepo(db), AnalyticsRepo(db), pulse, FakeClock(NOW)
    )
    return FundersReportService(outcomes, AnalyticsRepo(db), load_content(), FakeClock(NOW))


async def names(user_id: int) -> str | None:
    return {NAMED: "Priya"}.get(user_id)


async def test_the_context_holds_the_figures_funders_ask_for(db: Database) -> None:
    await build_community(db)
    report = await service(db).build(GUILD, Period.quarter(2026, 4), "Kind Town", names)
    assert report.community == "Kind Town"
    assert report.period == "2026-Q4, to date (1 October 2026 to 23 November 2026)"
    assert report.summary.startswith("In 2026-Q4, to date")
    figures = {row[0]: row[1:] for row in report.table("headline_figures").rows}
    assert figures["Members taking part"][0] == 40  # everyone logged an act in October
    assert figures["Members who joined"][0] == 20
    lonely = figures["Pulse: feel lonely often or always"]
    assert lonely[0] == 8 and lonely[1] == 20.0  # 8 of 40 at their latest answer
    assert lonely[2] is not None and lonely[2] < 20.0 < lonely[3]  # the Wilson interval

    change = report.table("pulse_change")
    everyone = next(
        r for r in change.rows if r[0] == "feel lonely often or always" and r[1] == "Everyone"
    )
    assert everyone[2] == 40
    assert everyone[3] == 60.0 and everyone[6] == 20.0
    assert everyone[-1] == -40.0  # a fall is a negative number
    by_cohort = [
        r for r in change.rows if r[0] == "feel lonely often or always" and r[1] != "Everyone"
    ]
    assert {r[1] for r in by_cohort} == {"2026-09", "2026-10"}

    # Group cross-tabs: ten people per group, so any answer given by fewer than five
    # in a group reads "fewer than 5", never a number.
    by_group = report.table("pulse_by_group").rows
    withheld = {"fewer than 5", "not shown, to protect a small group"}
    assert by_group
    assert all(r[3] in withheld if isinstance(r[3], str) else r[3] >= 5 for r in by_group)
    assert any(r[3] == "fewer than 5" for r in by_group)

    published = report.table("published_context").rows
    assert any("52" in str(r[1]) or r[1] == 52.0 for r in published)
    assert [s.credit for s in report.stories].count("Priya") == len(
        [s for s in report.stories if s.credit == "Priya"]
    )
    assert 3 <= len(report.stories) <= 5
    credits = {s.credit for s in report.stories}
    assert "Priya" in credits
    assert all(c == "Priya" or c.startswith("a champion from ") for c in credits)


async def test_the_html_is_escaped_and_labels_national_figures_as_context(
    db: Database, tmp_path: Path
) -> None:
    await build_community(db)
    funders = service(db)
    report = await funders.build(GUILD, Period.month(2026, 10), "Kind <Town>", names)
    written = await funders.write(report, tmp_path)
    html = (tmp_path / "impact-report.html").read_text("utf-8")
    assert "Kind &lt;Town&gt;" in html and "<Town>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>" not in html
    assert "context, not a comparison group" in html
    assert "Carnegie UK and Ipsos MORI" in html
    assert "@page { size: A4" in html
    assert "http://" not in html and "https://" not in html
    assert {p.name for p in written} >= {
        "impact-report.html",
        "headline_figures.csv",
        "pulse_change.csv",
    }
    with (tmp_path / "pulse_change.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0][0] == "Question" and rows[0][-1] == "Change (points)"
    changes = [float(r[-1]) for r in rows[1:] if r[-1]]
    assert changes and any(c < 0 for c in changes)  # negatives stay numbers, not '-text


async def test_a_future_period_is_refused_clearly(db: Database) -> None:
    await build_community(db)
    with pytest.raises(UserFacingError) as caught:
        await service(db).build(GUILD, Period.month(2026, 12), "Kind Town")
    assert caught.value.key == "pulse.period_future"


async def test_a_member_who_is_forgotten_leaves_the_next_report(db: Database) -> None:
    await build_community(db)
    before = await service(db).build(GUILD, Period.year(2026), "Kind Town", names)
    assert "Priya" in {s.credit for s in before.stories}
    await PrivacyRepo(db).forget(GUILD, NAMED)
    after = await service(db).build(GUILD, Period.year(2026), "Kind Town", names)
    assert "Priya" not in {s.credit for s in after.stories}
    respondents = {r[0]: r[1] for r in after.table("headline_figures").rows}
    assert respondents["Pulse: feel lonely often or always"] in (7, 8)
    lonely = [r for r in after.table("pulse_change").rows if r[0] == "feel lonely often or always"]
    assert next(r[2] for r in lonely if r[1] == "Everyone") == 39


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "the report is checked in headless Chromium: install the 'chromium' package"
    return found


async def test_the_report_prints_to_a4_and_renders_in_headless_chromium(
    db: Database, tmp_path: Path
) -> None:
    await build_community(db)
    funders = service(db)
    report = await funders.build(GUILD, Period.quarter(2026, 4), "Kind Town", names)
    await funders.write(report, tmp_path / "out")
    page = (tmp_path / "out" / "impact-report.html").as_uri()
    flags = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    await asyncio.to_thread(
        subprocess.run,
        [*flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page],
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip
    await asyncio.to_thread(
        subprocess.run,
        [*flags, "--window-size=1200,1600", f"--screenshot={png}", page],
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "the PDF has no pages"
    for width, height in boxes:  # A4 is 595 × 842 points
        assert abs(float(width) - 595.3) < 2 and abs(float(height) - 841.9) < 2
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png.read_bytes()), format="png")
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # not a blank page


async def test_the_cli_writes_a_quarter_a_span_and_refuses_the_future(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.report import run_report_cli

    await build_community(db)
    out = tmp_path / "q"
    code = await asyncio.to_thread(
        run_report_cli, db.path, GUILD, None, out, period="2026-Q4", community="Kind Town"
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert {"impact-report.html", "pulse_change.csv", "stories.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert "Impact report: Kind Town" in (out / "impact-report.html").read_text("utf-8")
    code = await asyncio.to_thread(
        run_report_cli, db.path, GUILD, None, tmp_path / "s", first="2026-10-01", last="2026-10-31"
    )
    assert code == 0, capsys.readouterr().err
    code = await asyncio.to_thread(
        run_report_cli, db.path, GUILD, None, tmp_path / "f", period="2027"
    )
    captured = capsys.readouterr()
    assert code == 2 and "hasn't started yet" in captured.err
    assert captured.err.count("\n") == 1
    code = await asyncio.to_thread(
        run_report_cli, db.path, GUILD, None, tmp_path / "b", period="26-Q9"
    )
    assert code == 2 and "is not a period like" in capsys.readouterr().err


def test_pulse_replies_are_explained_from_the_pulse_wording() -> None:
    from bot.errors import explain
    from bot.text import Messages

    text = explain(UserFacingError("pulse.period_future"), Messages.load())
    assert "hasn't started yet" in text
    assert explain(UserFacingError("pulse.frequency_unknown"), Messages.load()).startswith(
        "Please choose how often"
    )


async def test_retention_says_withheld_rather_than_leaving_a_blank(db: Database) -> None:
    await build_community(db)
    report = await service(db).build(GUILD, Period.quarter(2026, 4), "Kind Town")
    september = next(r for r in report.table("retention").rows if r[0] == "2026-09")
    assert september[1] == 20
    # All 20 were still taking part after 30 days: 0 left would be a cell under 5.
    assert september[2] in ("fewer than 5", "not shown, to protect a small group")
