"""``kindbot demo`` end to end, in a short version: one week, eight champions."""

from __future__ import annotations

from pathlib import Path

from bot.demo.runner import run_demo

PNG = b"\x89PNG\r\n\x1a\n"


async def test_short_demo_runs_end_to_end(tmp_path: Path) -> None:
    lines: list[str] = []
    out = await run_demo(tmp_path / "out", weeks=1, members=8, echo=lines.append)
    transcript = "\n".join(lines)
    assert "8 people join as champions" in transcript
    assert "Your coffee match this week" in transcript
    assert "This week: condition 1" in transcript
    assert "This week in our kindness community" in transcript
    assert "Did you manage to meet" in transcript
    digest = out / "digest-1.png"
    assert digest.read_bytes().startswith(PNG)
    assert (out / "report" / "bridging.png").read_bytes().startswith(PNG)
    html = (out / "report" / "report.html").read_text()
    assert "<html" in html and "http://" not in html and "https://" not in html
    for name in ("acts.csv", "reflections.csv", "rounds.csv", "meetings.csv", "figures.csv"):
        assert (out / "report" / name).exists()
