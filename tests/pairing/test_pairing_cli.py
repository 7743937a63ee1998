from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.pair import run_pair_cli

MEMBERS = [
    {"id": "a", "group": "Health & care", "timezone": "Europe/London", "interests": ["food"]},
    {"id": "b", "group": "Justice", "timezone": "Europe/Paris"},
    {"id": "c", "group": "Education", "interests": ["music", "food"]},
    {"id": "d", "group": "Health & care", "timezone": None},
    {"id": "e", "group": "Justice"},
]


def write(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "input.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_happy_path_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = {
        "members": MEMBERS,
        "history": [{"round": 1, "meetings": [["a", "b"], ["d", "e"]]}],
        "blocked": [["a", "c"]],
        "avoid_repeat_rounds": 8,
    }
    assert run_pair_cli(write(tmp_path, document), seed=7, output_path=None) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    output = json.loads(captured.out)
    meetings = output["meetings"]
    assert sorted(m for meeting in meetings for m in meeting) == ["a", "b", "c", "d", "e"]
    assert sorted(len(m) for m in meetings) == [2, 3]
    assert not any({"a", "b"} <= set(m) or {"d", "e"} <= set(m) for m in meetings)
    assert not any({"a", "c"} <= set(m) for m in meetings)
    stats = output["stats"]
    assert stats["same_group_pairs"] == stats["min_same_group_pairs"] == 0
    assert stats["repeats"] == 0
    assert stats["blocked_pairs"] == 0


def test_output_file_and_determinism(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, {"members": MEMBERS})
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert run_pair_cli(source, seed=None, output_path=str(first)) == 0
    assert run_pair_cli(source, seed=0, output_path=str(second)) == 0
    assert capsys.readouterr().out == ""
    assert first.read_text() == second.read_text()
    assert set(json.loads(first.read_text())) == {"meetings", "spread_hours", "sat_out", "stats"}


def test_unavoidable_block_seats_both_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {"members": MEMBERS[:2], "blocked": [["a", "b"]]}
    assert run_pair_cli(write(tmp_path, document), seed=None, output_path=None) == 0
    captured = capsys.readouterr()
    output = json.loads(captured.out)
    assert output["meetings"] == []
    assert output["stats"]["blocked_pairs"] == 0
    assert output["stats"]["sit_outs"] == 2
    assert output["sat_out"] == [
        {"id": "a", "reason": "blocked"},
        {"id": "b", "reason": "blocked"},
    ]
    assert "2 member(s) sit this round out" in captured.err


def test_groups_in_person_by_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    regions = ["North", "North", "North", "South", "South", "West"]
    members = [
        {"id": f"p{i}", "group": f"g{i % 2}", "region": region} for i, region in enumerate(regions)
    ]
    document = {"members": members, "group_size": 3, "format": "in_person", "sit_outs": {}}
    assert run_pair_cli(write(tmp_path, document), seed=None, output_path=None) == 0
    captured = capsys.readouterr()
    output = json.loads(captured.out)
    assert output["meetings"] == [["p0", "p1", "p2"], ["p3", "p4"]]
    assert output["sat_out"] == [{"id": "p5", "reason": "region-too-small"}]
    assert output["spread_hours"] == [0.0, 0.0]
    assert output["stats"]["sit_outs"] == 1
    assert "1 member(s) sit this round out" in captured.err


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "input is not valid JSON"),
        ([], "input must be a JSON object"),
        ({"members": MEMBERS, "histroy": []}, "unknown top-level key 'histroy'"),
        ({}, "input has no 'members' list"),
        ({"members": {"a": 1}}, "'members' must be a list"),
        ({"members": [MEMBERS[0]]}, "a round needs at least 2 members, got 1"),
        ({"members": [MEMBERS[0], MEMBERS[0]]}, "duplicate member id 'a'"),
        ({"members": ["a", "b"]}, "member #1 must be an object"),
        ({"members": [{"id": 3, "group": "x"}, MEMBERS[1]]}, "member #1: 'id' must be"),
        ({"members": [{"id": "a"}, MEMBERS[1]]}, "member 'a': 'group' must be a non-empty"),
        (
            {"members": [{**MEMBERS[0], "interests": "food"}, MEMBERS[1]]},
            "member 'a': 'interests' must be a list of strings",
        ),
        (
            {"members": [{**MEMBERS[0], "timezone": 5}, MEMBERS[1]]},
            "member 'a': 'timezone' must be",
        ),
        (
            {"members": [{**MEMBERS[0], "timezone": "Mars/Olympus"}, MEMBERS[1]]},
            "unknown timezone 'Mars/Olympus' for member 'a'",
        ),
        (
            {"members": MEMBERS, "history": [{"round": 3, "meetings": [["a", "zz"]]}]},
            "history round 3 names unknown member 'zz'",
        ),
        ({"members": MEMBERS, "history": {"round": 1}}, "'history' must be a list"),
        (
            {"members": MEMBERS, "history": [{"round": 1, "meetings": [["a"]]}]},
            "history round 1: each meeting must list at least 2",
        ),
        ({"members": MEMBERS, "history": [{"round": 2}]}, "history round 2: 'meetings' must"),
        (
            {"members": MEMBERS, "history": [{"meetings": [["a", "a"]]}]},
            "history round 1: a meeting lists the same member twice",
        ),
        ({"members": MEMBERS, "blocked": [["a"]]}, "blocked entry #1 must be two different"),
        ({"members": MEMBERS, "blocked": [["a", "zz"]]}, "blocked entry #1 names unknown"),
        ({"members": MEMBERS, "avoid_repeat_rounds": -1}, "'avoid_repeat_rounds' must be"),
        ({"members": MEMBERS, "avoid_repeat_rounds": "8"}, "'avoid_repeat_rounds' must be"),
        ({"members": MEMBERS, "group_size": 9}, "group_size must be between 2 and 8"),
        ({"members": MEMBERS, "group_size": "4"}, "'group_size' must be an integer"),
        ({"members": MEMBERS, "format": "hybrid"}, "'format' must be"),
        ({"members": MEMBERS, "sit_outs": {"a": -1}}, "'sit_outs' must map"),
        (
            {"members": [{**MEMBERS[0], "region": 3}, MEMBERS[1]]},
            "member 'a': 'region' must be",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, message: str
) -> None:
    assert run_pair_cli(write(tmp_path, document), seed=None, output_path=None) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("kindbot pair: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.json")
    assert run_pair_cli(missing, seed=None, output_path=None) == 2
    err = capsys.readouterr().err
    assert err == f"kindbot pair: input file {missing!r} does not exist\n"


def test_unreadable_output_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, {"members": MEMBERS})
    target = str(tmp_path / "missing-folder" / "out.json")
    assert run_pair_cli(source, seed=None, output_path=target) == 1
    err = capsys.readouterr().err
    assert err.startswith("kindbot pair: cannot write") and err.count("\n") == 1
