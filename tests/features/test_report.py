"""The monthly impact report: figures, comparison, HTML, CSVs, privacy and the CLI."""

from __future__ import annotations

import asyncio
import base64
import csv
import sqlite3
from contextlib import closing
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_digest import (
    COORDINATORS_TEXT,
    GUILD,
    LEFT,
    NAMED,
    PRIVATE_REFLECTION,
    PRIVATE_TEXT,
    SECRET,
    TEXTS,
    Community,
    at,
    digest_service,
    png_size,
    seed_community,
)

from bot.cli.report import run_report_cli
from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.repos.analytics import AnalyticsRepo
from bot.repos.privacy import PrivacyRepo
from bot.services.content import load_content
from bot.services.digest import UnknownGuildError
from bot.services.report import (
    CSV_FILES,
    REPORT_FILE,
    FutureMonthError,
    MonthlyReport,
    ReportService,
    parse_month,
    pseudonym,
    render_html,
)
from bot.text import Messages

CONTENT = load_content()


@pytest.fixture
async def community(db: Database) -> Community:
    return await seed_community(db, FakeClock(at(2, 9, month=12)))  # early December


def service(community: Community) -> ReportService:
    return ReportService(AnalyticsRepo(community.db), CONTENT, community.clock, TEXTS)


async def november(community: Community) -> MonthlyReport:
    return await service(community).build(GUILD, 2026, 11)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        for name in ("href", "src"):
            if values.get(name) and tag != "img":
                self.links.append(values[name] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


async def test_figures_and_previous_month(community: Community) -> None:
    report = await november(community)
    now, then = report.current, report.previous
    assert (now.label, then.label) == ("2026-11", "2026-10")
    assert now.acts == 8 and then.acts == 2
    assert {c.number: c.count for c in then.acts_by_condition}[5] == 2
    assert now.reflections == 2 and now.reflections_shareable == 1
    assert then.reflections == 1
    assert {g.name: g.count for g in now.new_champions}["Health & care"] == 2
    assert now.new_total == 2 and then.new_total == 8
    # Took part in November: act or reflection authors, and "yes" answerers.
    active = {g.name: g.count for g in now.active_champions}
    assert active == {
        "Health & care": 4,  # LEFT and E logged acts; A and G said they met
        "Justice": 2,  # SECRET, D
        "Education": 2,  # NAMED, C
        "Local government": 0,
        "Community groups": 0,
        "Voluntary sector": 0,
    }
    assert now.active_total == 8
    assert now.rounds == 2 and now.meetings == 5
    assert now.cross_group_meetings == 3
    assert now.meetings_met == 4  # W47: pair + trio; W48: both (answered early)
    assert now.cross_group_meetings_met == 3
    assert now.checked_meetings == 3 + 2  # on 2 December both check-ins have passed
    assert now.meeting_rate == pytest.approx(100 * 4 / 5)
    assert then.meeting_rate is None and then.meetings == 0
    assert now.group_pairs_connected == 3 and now.possible_group_pairs == 15
    rows = {(r.key, r.detail): r for r in report.rows(TEXTS)}
    assert rows[("acts", None)].change == 6
    assert rows[("meeting_rate", None)].change is None
    assert rows[("new_champions", "Health & care")].previous == 4  # LEFT, E, F, G


async def test_meeting_rate_only_counts_rounds_checked_in(community: Community) -> None:
    community.clock.set(at(27, 16))  # W48's check-in (28 Nov) has not happened yet
    report = await november(community)
    assert report.current.checked_meetings == 3
    assert report.current.meeting_rate == pytest.approx(100 * 2 / 3)


async def test_html_is_self_contained_and_shows_the_figures(community: Community) -> None:
    report = await november(community)
    page = render_html(report, TEXTS)
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert parser.tags[:1] == ["html"]
    assert {"table", "h1", "h2", "style"} <= set(parser.tags)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert len(parser.images) == 2
    for src in parser.images:
        assert src.startswith("data:image/png;base64,")
        width, _ = png_size(base64.b64decode(src.split(",", 1)[1]))
        assert width >= 800
    assert parser.links == []
    assert "http" not in page and "url(" not in page and "@import" not in page
    text = " ".join(parser.text)
    assert TEXTS("figure.acts") in text
    assert "2026-11" in text and "2026-10" in text
    assert "80.0%" in text  # meeting rate
    assert "+6" in text  # acts compared with October


async def test_write_produces_all_files_with_spreadsheet_safe_cells(
    community: Community, tmp_path: Path
) -> None:
    from test_digest import add_act

    from bot.models import Visibility

    edu = community.groups["Education"]
    await add_act(community.db, NAMED, edu, '=HYPERLINK("x")', 1, Visibility.SHAREABLE, at(12))
    report = await november(community)
    written = await service(community).write(report, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted([REPORT_FILE, *CSV_FILES])
    acts = read_csv(tmp_path / "out" / "acts.csv")
    assert acts[0][:2] == [TEXTS("csv.date"), TEXTS("csv.group")]
    whats = [row[3] for row in acts[1:]]
    assert '\'=HYPERLINK("x")' in whats
    assert PRIVATE_TEXT not in whats and COORDINATORS_TEXT not in whats
    assert len(acts) - 1 == 7  # the November shareable acts only
    reflections = read_csv(tmp_path / "out" / "reflections.csv")
    assert [row[3] for row in reflections[1:]] == ["I learnt to ask before helping"]
    rounds = read_csv(tmp_path / "out" / "rounds.csv")
    assert [row[0] for row in rounds[1:]] == ["2026-W47", "2026-W48"]
    figures = read_csv(tmp_path / "out" / "figures.csv")
    acts_row = next(r for r in figures if r[0] == TEXTS("figure.acts") and r[1] == "All")
    assert acts_row[2:] == ["9", "2", "7"]


async def test_no_unconsented_identity_or_hidden_text_anywhere(
    community: Community, tmp_path: Path
) -> None:
    """Seeded ids and private text are searched for in every output."""
    await PrivacyRepo(community.db).forget(GUILD, LEFT)
    report = await november(community)
    written = await service(community).write(report, tmp_path)
    digest = await digest_service(community).build(GUILD, "2026-W48")
    outputs = {path.name: path.read_text(encoding="utf-8-sig") for path in written}
    outputs["digest repr"] = repr(digest)
    outputs["report repr"] = repr(report)
    hidden = (PRIVATE_TEXT, COORDINATORS_TEXT, PRIVATE_REFLECTION)
    for name, text in outputs.items():
        assert str(SECRET) not in text, name
        assert str(LEFT) not in text, name
        for marker in hidden:
            assert marker not in text, (name, marker)
        if name != "digest repr":
            assert str(NAMED) not in text, name  # reports carry no ids at all
    members = read_csv(tmp_path / "meetings.csv")
    ids = {row[3] for row in members[1:]}
    assert all(i.startswith("c-") and len(i) == 12 for i in ids - {TEXTS("csv.anonymous")})
    salt = await AnalyticsRepo(community.db).report_salt(GUILD, community.clock.now())
    assert pseudonym(GUILD, salt, SECRET) in ids
    assert pseudonym(GUILD, salt, NAMED) in ids


async def test_erased_members_stay_anonymous(community: Community, tmp_path: Path) -> None:
    await PrivacyRepo(community.db).forget(GUILD, SECRET)
    report = await november(community)
    await service(community).write(report, tmp_path)
    rows = read_csv(tmp_path / "meetings.csv")[1:]
    assert sum(row[3] == TEXTS("csv.anonymous") for row in rows) == 1
    assert report.current.meetings == 5  # the meeting itself is still counted


async def test_pseudonyms_are_stable_per_guild_and_salted(community: Community) -> None:
    repo = AnalyticsRepo(community.db)
    salt = await repo.report_salt(GUILD, community.clock.now())
    assert salt == await repo.report_salt(GUILD, community.clock.now())
    assert len(salt) >= 32
    assert pseudonym(GUILD, salt, SECRET) == pseudonym(GUILD, salt, SECRET)
    assert pseudonym(GUILD, salt, SECRET) != pseudonym(GUILD, "other", SECRET)
    assert pseudonym(GUILD, salt, None) is None


async def test_unknown_guild_and_bad_month(community: Community) -> None:
    with pytest.raises(UnknownGuildError):
        await service(community).build(GUILD + 1, 2026, 11)
    for bad in ("2026-13", "2026-00", "2026-1", "November", "26-11", ""):
        with pytest.raises(ValueError):
            parse_month(bad)
    assert parse_month("2026-01") == (2026, 1)


async def test_cli_happy_path(
    community: Community, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    code = await asyncio.to_thread(run_report_cli, community.db.path, GUILD, "2026-11", out)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    assert str(out) in captured.out
    names = {p.name for p in out.iterdir()}
    assert {REPORT_FILE, *CSV_FILES, "bridging.png"} <= names
    png_size((out / "bridging.png").read_bytes())


@pytest.mark.parametrize(
    ("month", "guild", "database", "message"),
    [
        ("2026-13", GUILD, "good", "not a month that exists"),
        ("Nov 2026", GUILD, "good", "not a month like"),
        ("2026-11", GUILD + 1, "good", "is not in"),
        ("2026-11", GUILD, "missing", "there is no database"),
        ("2026-11", GUILD, "garbage", "is not a kindbot database"),
        ("2026-11", GUILD, "old", "run 'kindbot db migrate' first"),
    ],
)
async def test_cli_bad_inputs(
    community: Community,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    month: str,
    guild: int,
    database: str,
    message: str,
) -> None:
    paths = {
        "good": community.db.path,
        "missing": tmp_path / "nope.sqlite3",
        "garbage": tmp_path / "garbage.sqlite3",
        "old": tmp_path / "old.sqlite3",
    }
    paths["garbage"].write_bytes(b"not a database at all" * 10)
    with closing(sqlite3.connect(paths["old"])) as conn:
        conn.execute("PRAGMA user_version = 2")
    code = await asyncio.to_thread(run_report_cli, paths[database], guild, month, tmp_path / "o")
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert message in captured.err
    assert "Traceback" not in captured.err


async def test_cli_on_a_database_without_guilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(tmp_path / "empty.sqlite3")
    await db.connect()
    await migrate(db)
    await db.close()
    code = await asyncio.to_thread(
        run_report_cli, tmp_path / "empty.sqlite3", GUILD, "2026-11", tmp_path / "o"
    )
    assert code == 2
    assert capsys.readouterr().err.startswith(f"kindbot report: server {GUILD} is not in")


async def test_a_month_in_progress_is_labelled_to_date_with_its_real_last_day(
    community: Community, tmp_path: Path
) -> None:
    report = await service(community).build(GUILD, 2026, 12)  # the clock says 2 December
    assert report.current.in_progress and not report.previous.in_progress
    assert report.current.last_day == date(2026, 12, 2)
    assert report.previous.last_day == date(2026, 11, 30)
    page = render_html(report, TEXTS)
    to_date = TEXTS("period.to_date", month="2026-12", end="2026-12-02")
    assert to_date in page
    assert "2026-12-31" not in page
    assert "2026-12-02" in page
    await service(community).write(report, tmp_path)
    header = read_csv(tmp_path / "figures.csv")[0]
    assert header[2] == TEXTS("csv.this_month", month=to_date)
    whole = render_html(await november(community), TEXTS)
    assert TEXTS("period.to_date", month="2026-11", end="2026-11-30") not in whole
    assert "2026-11-30" in whole


async def test_a_month_that_has_not_started_is_refused(community: Community) -> None:
    with pytest.raises(FutureMonthError) as refused:
        await service(community).build(GUILD, 2027, 1)
    assert refused.value.key == "digest.month_future"
    kind = Messages.load()(refused.value.key, **refused.value.params)
    assert "2027-01" in kind and "hasn't started yet" in kind
    assert "2027-01" in str(refused.value) and "\n" not in str(refused.value)
    community.clock.set(at(1, 0, month=12).replace(year=2027, month=1))
    january = await service(community).build(GUILD, 2027, 1)
    assert january.current.in_progress and january.previous.label == "2026-12"


async def test_cli_refuses_a_future_month_in_one_line(
    community: Community, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await asyncio.to_thread(
        run_report_cli, community.db.path, GUILD, "2999-01", tmp_path / "o"
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("kindbot report: ") and "2999-01" in captured.err
    assert not (tmp_path / "o").exists()


async def test_figures_csv_writes_numbers_as_numbers_and_escapes_only_text(
    community: Community, tmp_path: Path
) -> None:
    from test_digest import add_act

    from bot.models import Visibility

    edu = community.groups["Education"]
    await add_act(community.db, NAMED, edu, "-1 cup of tea", 1, Visibility.SHAREABLE, at(1, 9, 12))
    report = await service(community).build(GUILD, 2026, 12)
    await service(community).write(report, tmp_path)
    figures = read_csv(tmp_path / "figures.csv")
    acts_row = next(r for r in figures if r[0] == TEXTS("figure.acts") and r[1] == "All")
    assert acts_row[2:] == ["1", "8", "-7"]
    assert all(not cell.startswith("'") for row in figures[1:] for cell in row[2:])
    raw = (tmp_path / "figures.csv").read_bytes().decode("utf-8-sig")
    assert ",-7\r\n" in raw
    acts = read_csv(tmp_path / "acts.csv")
    assert [row[3] for row in acts[1:]] == ["'-1 cup of tea"]
