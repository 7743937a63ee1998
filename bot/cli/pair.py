"""JSON in and out for the coordinators' offline ``kindbot pair`` command.

Input is checked strictly, because a typo in an id or a key would otherwise quietly
weaken "never repeat" or "never pair me with": every problem becomes a one-line
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.services.defaults import AVOID_REPEAT_ROUNDS
from bot.services.pairing import Meeting, PairingInput, PairingInputError, Participant, make_round

PROG = "kindbot pair"
EXIT_OK = 0
EXIT_OUTPUT_FAILED = 1
EXIT_BAD_INPUT = 2
TOP_LEVEL_KEYS = frozenset(
    {"members", "history", "blocked", "avoid_repeat_rounds", "group_size", "format", "sit_outs"}
)
DEFAULT_AVOID_REPEAT_ROUNDS = AVOID_REPEAT_ROUNDS


def run_pair_cli(input_path: str, seed: int | None, output_path: str | None) -> int:
    """Read ``input_path``, make a round, write JSON to ``output_path`` or stdout."""
    try:
        inp = read_pairing_input(input_path, seed or 0)
        result = make_round(inp)
    except PairingInputError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stats = result.stats
    document = {
        "meetings": [list(m) for m in result.meetings],
        "spread_hours": list(result.spread_hours),
        "sat_out": [{"id": s.id, "reason": s.reason} for s in result.sat_out],
        "stats": {
            "same_group_pairs": stats.same_group_pairs,
            "min_same_group_pairs": stats.min_same_group_pairs,
            "repeats": stats.repeats,
            "blocked_pairs": stats.blocked_pairs,
            "triads": stats.triads,
            "soft_score": stats.soft_score,
            "sit_outs": stats.sit_outs,
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output_path is None:
        sys.stdout.write(text)
    else:
        try:
            Path(output_path).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"{PROG}: cannot write {output_path!r}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_OUTPUT_FAILED
    if stats.repeats:
        print(
            f"{PROG}: warning: no round avoids every recent pair; this one has "
            f"{_count(stats.repeats, 'repeat', 'repeats')}",
            file=sys.stderr,
        )
    if result.sat_out:
        print(
            f"{PROG}: warning: {_count(len(result.sat_out), 'member sits', 'members sit')} "
            "this round out (see 'sat_out')",
            file=sys.stderr,
        )
    return EXIT_OK


def read_pairing_input(path: str, seed: int) -> PairingInput:
    """Load and check the input file; raises :class:`PairingInputError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PairingInputError(f"input file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PairingInputError(f"cannot read input file {path!r}: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PairingInputError(
            f"input is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    return parse_pairing_input(document, seed)


def parse_pairing_input(document: Any, seed: int) -> PairingInput:
    """Check a decoded JSON document and build the engine input."""
    if not isinstance(document, dict):
        raise PairingInputError("input must be a JSON object")
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise PairingInputError(f"unknown top-level key {unknown[0]!r}")
    if "members" not in document:
        raise PairingInputError("input has no 'members' list")
    members = _parse_members(document["members"])
    known = {m.id for m in members}
    history = _parse_history(document.get("history", []), known)
    blocked = _parse_blocked(document.get("blocked", []), known)
    avoid = document.get("avoid_repeat_rounds", DEFAULT_AVOID_REPEAT_ROUNDS)
    if not isinstance(avoid, int) or isinstance(avoid, bool) or avoid < 0:
        raise PairingInputError("'avoid_repeat_rounds' must be a non-negative integer")
    if len(members) < 2:
        raise PairingInputError(f"a round needs at least 2 members, got {len(members)}")
    group_size = document.get("group_size", 2)
    if not isinstance(group_size, int) or isinstance(group_size, bool):
        raise PairingInputError("'group_size' must be an integer from 2 to 8")
    meeting_format = document.get("format", "online")
    if meeting_format not in ("online", "in_person"):
        raise PairingInputError('\'format\' must be "online" or "in_person"')
    sit_outs = document.get("sit_outs", {})
    if not isinstance(sit_outs, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in sit_outs.values()
    ):
        raise PairingInputError("'sit_outs' must map member ids to non-negative integers")
    return PairingInput(
        participants=members,
        history=history,
        blocked=blocked,
        avoid_repeat_rounds=avoid,
        seed=seed,
        group_size=group_size,
        format=meeting_format,
        sit_outs=sit_outs,
    )


def _parse_members(raw: Any) -> list[Participant]:
    if not isinstance(raw, list):
        raise PairingInputError("'members' must be a list")
    members: list[Participant] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f"member #{position}"
        if not isinstance(item, dict):
            raise PairingInputError(f"{where} must be an object")
        member_id = _text(item, "id", where)
        where = f"member {member_id!r}"
        if member_id in seen:
            raise PairingInputError(f"duplicate member id {member_id!r}")
        seen.add(member_id)
        group = _text(item, "group", where)
        timezone = item.get("timezone")
        if timezone is not None and (not isinstance(timezone, str) or not timezone):
            raise PairingInputError(f"{where}: 'timezone' must be a non-empty string or null")
        interests = item.get("interests", [])
        if not isinstance(interests, list) or not all(isinstance(i, str) for i in interests):
            raise PairingInputError(f"{where}: 'interests' must be a list of strings")
        region = item.get("region")
        if region is not None and (not isinstance(region, str) or not region.strip()):
            raise PairingInputError(f"{where}: 'region' must be a non-empty string or null")
        members.append(Participant(member_id, group, timezone, frozenset(interests), region))
    return members


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PairingInputError(f"{where}: '{key}' must be a non-empty string")
    return value


def _parse_history(raw: Any, known: set[str]) -> list[tuple[Meeting, ...]]:
    if not isinstance(raw, list):
        raise PairingInputError("'history' must be a list of rounds")
    rounds: list[tuple[Meeting, ...]] = []
    for position, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise PairingInputError(f"history entry #{position} must be an object")
        label = entry.get("round", position)
        if not isinstance(label, int | str) or isinstance(label, bool):
            raise PairingInputError(f"history entry #{position}: 'round' must be a number")
        name = f"history round {label}"
        meetings = entry.get("meetings")
        if not isinstance(meetings, list):
            raise PairingInputError(f"{name}: 'meetings' must be a list")
        parsed: list[Meeting] = []
        for meeting in meetings:
            if _is_known_meeting(meeting, known):
                parsed.append(tuple(meeting))
                continue
            if not _is_id_list(meeting) or len(meeting) < 2:
                raise PairingInputError(f"{name}: each meeting must list at least 2 member ids")
            for member_id in meeting:
                if member_id not in known:
                    raise PairingInputError(f"{name} names unknown member {member_id!r}")
            if len(set(meeting)) < len(meeting):
                raise PairingInputError(f"{name}: a meeting lists the same member twice")
            parsed.append(tuple(meeting))
        rounds.append(tuple(parsed))
    return rounds


def _parse_blocked(raw: Any, known: set[str]) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        raise PairingInputError("'blocked' must be a list of [id, id] pairs")
    pairs: list[tuple[str, str]] = []
    for position, pair in enumerate(raw, start=1):
        if not _is_id_list(pair) or len(pair) != 2 or pair[0] == pair[1]:
            raise PairingInputError(f"blocked entry #{position} must be two different member ids")
        for member_id in pair:
            if member_id not in known:
                raise PairingInputError(
                    f"blocked entry #{position} names unknown member {member_id!r}"
                )
        pairs.append((pair[0], pair[1]))
    return pairs


def _is_known_meeting(value: Any, known: set[str]) -> bool:
    """The common case, checked in one go: two or more different known member ids."""
    if not isinstance(value, list) or len(value) < 2:
        return False
    try:
        return known.issuperset(value) and len(set(value)) == len(value)
    except TypeError:  # an unhashable entry: the full checks explain it
        return False


def _is_id_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _count(number: int, one: str, other: str) -> str:
    return f"{number} {one if number == 1 else other}"
