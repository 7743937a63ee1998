"""``kindbot demo`` end to end, in a short version: one week, twelve champions."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.demo.runner import report_month, run_demo

PNG = b"\x89PNG\r\n\x1a\n"


def figures(out: Path, name: str = "figures.csv") -> list[list[str]]:
    with (out / "report" / name).open(encoding="utf-8-sig") as file:
        return list(csv.reader(file))


async def test_short_demo_runs_end_to_end_and_twice_the_same(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "report").mkdir(parents=True)
    (out / "digest-9.png").write_bytes(PNG)  # left over from an earlier, longer run
    (out / "report" / "report.html").write_text("old")
    (out / "my-notes.txt").write_text("not the demo's")

    lines: list[str] = []
    await run_demo(out, weeks=1, members=12, echo=lines.append)
    printed = "\n".join(lines)
    assert "12 people join as champions" in printed
    assert 'switch on "help us learn what works" and answer their first pulse' in printed
    assert "12 champions answer the next month's pulse" in printed
    assert "Your coffee match this week" in printed
    assert "This week: condition 1" in printed
    assert "This week in our kindness community" in printed
    assert "Did you manage to meet" in printed

    assert sorted(p.name for p in out.glob("digest-*.png")) == ["digest-1.png"]
    assert (out / "my-notes.txt").read_text() == "not the demo's"
    assert (out / "digest-1.png").read_bytes().startswith(PNG)
    assert (out / "report" / "bridging.png").read_bytes().startswith(PNG)
    html = (out / "report" / "report.html").read_text()
    assert "<html" in html and "http://" not in html and "https://" not in html
    for name in ("acts.csv", "reflections.csv", "rounds.csv", "meetings.csv", "figures.csv"):
        assert (out / "report" / name).exists()

    # The transcript keeps what members read in full: intros, digests, highlights.
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert "Hi, I'm Ada from health & care." in transcript
    assert "This week in our kindness community" in transcript
    assert "Welcome, @ada!" in transcript
    assert "<@" not in transcript

    # The report covers the month the activity falls in, so its figures are not zero.
    table = figures(out)
    header, rows = table[0], {(r[0], r[1]): r for r in table[1:]}
    assert header[2] == f"This month ({report_month(1)})"
    assert int(rows[("New champions", "All")][2]) == 12
    assert int(rows[("Acts of kindness logged", "All")][2]) > 0
    assert int(rows[("Coffee meetings arranged", "All")][2]) == 6
    assert not any(r[4].startswith("-") for r in table[1:] if r[4])

    # The funders' report sets the first pulse beside the latest, per joining month and
    # for everyone, with real figures: every cell holds at least 5 members.
    change = figures(out, "pulse_change.csv")
    assert [r[1] for r in change[1:]] == ["Everyone", "2026-11"] * 5
    for question, _, members, before, *_, after, _, _, points in change[1:]:
        assert int(members) == 12
        assert 0 < float(before) < 100 and 0 < float(after) < 100
        hoped = -1 if "lonely" in question else 1
        assert hoped * float(points) > 0, question  # a slight improvement
    # Acts that say which group they helped count towards the acts across groups.
    by_condition = figures(out, "acts_by_condition.csv")
    assert sum(int(r[2]) for r in by_condition[1:] if r[2].isdigit()) > 0
    impact = (out / "report" / "impact-report.html").read_text(encoding="utf-8")
    pulse_section = impact[impact.index("strongly agree that people here are kind") :]
    assert "41.7" in pulse_section and "50" in pulse_section
    assert (
        "Pulse, first and latest (12 members): trust people from other groups: 41.7% → 50.0%"
        in printed
    )

    again = tmp_path / "again"
    await run_demo(again, weeks=1, members=12, echo=lambda _: None)
    assert figures(again) == table
    assert figures(again, "pulse_change.csv") == change
    assert (again / "transcript.txt").read_text(encoding="utf-8") == transcript
