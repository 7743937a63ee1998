"""Reports made in worker processes that read the database file themselves give the
same files, byte for byte, as the same reports built and written right here."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_digest import GUILD as DIGEST_GUILD
from test_digest import TEXTS, Community, at, seed_community
from test_funders import GUILD as FUNDERS_GUILD
from test_funders import NOW as FUNDERS_NOW
from test_funders import build_community, names

from bot.clock import FakeClock
from bot.db import Database
from bot.offload import Offload
from bot.problems import UserFacingError
from bot.repos.analytics import AnalyticsRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.services import charts
from bot.services.content import load_content
from bot.services.funders import FundersReportService
from bot.services.outcomes import OutcomesService, Period
from bot.services.pulse import load_pulse_content
from bot.services.report import CSV_FILES, REPORT_FILE, FutureMonthError, ReportService
from bot.services.report.tables import write_csv
from bot.services.spreadsheet import to_csv

CONTENT = load_content()


@pytest.fixture(scope="module")
def offload() -> Iterator[Offload]:
    """One pool of two workers for the module (starting workers takes a while)."""
    pool = Offload(workers=2)
    try:
        yield pool
    finally:
        asyncio.run(pool.close())


def contents(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


def monthly(community: Community, offload: Offload | None) -> ReportService:
    analytics = AnalyticsRepo(community.db)
    return ReportService(analytics, CONTENT, community.clock, TEXTS, offload)


def funders(db: Database, offload: Offload | None) -> FundersReportService:
    pulse, clock = load_pulse_content(), FakeClock(FUNDERS_NOW)
    outcomes = OutcomesService(OutcomesRepo(db), PulseRepo(db), AnalyticsRepo(db), pulse, clock)
    return FundersReportService(outcomes, AnalyticsRepo(db), CONTENT, clock, offload=offload)


async def test_the_monthly_report_from_workers_equals_the_one_built_inline(
    db: Database, tmp_path: Path, offload: Offload
) -> None:
    community = await seed_community(db, FakeClock(at(2, 9, month=12)))
    inline = monthly(community, None)
    report = await inline.build(DIGEST_GUILD, 2026, 11)
    expected = await inline.write(report, tmp_path / "inline")
    expected_heatmap = charts.bridging_heatmap(report.current.bridging, TEXTS)

    written, heatmap = await monthly(community, offload).make_files(
        DIGEST_GUILD, 2026, 11, tmp_path / "workers"
    )

    assert [p.name for p in written] == [REPORT_FILE, *CSV_FILES]
    assert contents(written) == contents(expected)
    assert heatmap == expected_heatmap
    assert all(p.parent == tmp_path / "workers" for p in written)


async def test_the_funders_report_from_a_worker_equals_the_one_built_inline(
    db: Database, tmp_path: Path, offload: Offload
) -> None:
    await build_community(db)
    for period in (Period.month(2026, 10), Period.year(2026)):
        inline = funders(db, None)
        report = await inline.build(FUNDERS_GUILD, period, "Kind Town", names)
        expected = await inline.write(report, tmp_path / f"inline-{period.first}")

        written = await funders(db, offload).make_files(
            FUNDERS_GUILD, period, "Kind Town", tmp_path / f"worker-{period.first}", names
        )

        assert contents(written) == contents(expected)
        page = (tmp_path / f"worker-{period.first}" / "impact-report.html").read_text("utf-8")
        assert "Priya" in page  # the name looked up here reached the worker


async def test_a_built_funders_report_is_written_by_a_worker_the_same_way(
    db: Database, tmp_path: Path, offload: Offload
) -> None:
    await build_community(db)
    report = await funders(db, None).build(FUNDERS_GUILD, Period.month(2026, 10), "Kind Town")
    expected = await funders(db, None).write(report, tmp_path / "inline")
    written = await funders(db, offload).write(report, tmp_path / "worker")
    assert contents(written) == contents(expected)


async def test_refusals_come_before_any_work_is_sent_to_a_worker(
    db: Database, tmp_path: Path
) -> None:
    community = await seed_community(db, FakeClock(at(2, 9, month=12)))
    pool = Offload(workers=1)
    try:
        with pytest.raises(FutureMonthError):
            await monthly(community, pool).make_files(DIGEST_GUILD, 2027, 1, tmp_path / "out")
        await build_community(db)
        with pytest.raises(UserFacingError) as caught:
            await funders(db, pool).make_files(
                FUNDERS_GUILD, Period.month(2026, 12), "Kind Town", tmp_path / "out"
            )
        assert caught.value.key == "pulse.period_future"
        assert not pool.started
        assert not (tmp_path / "out").exists()
    finally:
        await pool.close()


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["=SUM(A1)", "+1", "-24", "@x", "\tx", "\rx", "", "'quoted"]),
)


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(st.text(max_size=8), min_size=1, max_size=4),
    rows=st.lists(st.lists(cells, max_size=5), max_size=8),
)
def test_csv_files_written_row_by_row_have_the_bytes_of_the_spreadsheet_safe_text(
    tmp_path_factory: pytest.TempPathFactory, header: list[str], rows: list[list[object]]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    write_csv(path, (header, iter(rows)))
    assert path.read_bytes() == ("\ufeff" + to_csv(header, rows)).encode("utf-8")
