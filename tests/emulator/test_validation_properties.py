"""Invariants of the emulator's form-body rules, over many generated bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.router import DiscordHTTPError
from sandbox.validation import EMBED_TOTAL_MAX, check_commands, check_message

JSON = dict[str, Any]

_field = st.fixed_dictionaries({"name": st.integers(1, 256), "value": st.integers(1, 1024)}).map(
    lambda f: {"name": "n" * f["name"], "value": "v" * f["value"]}
)

_embed = st.fixed_dictionaries(
    {
        "title": st.integers(0, 256),
        "description": st.integers(0, 4096),
        "footer": st.integers(0, 2048),
        "author": st.integers(0, 256),
        "fields": st.lists(_field, max_size=8),
    }
).map(
    lambda e: {
        "title": "t" * e["title"],
        "description": "d" * e["description"],
        "footer": {"text": "f" * e["footer"]},
        "author": {"name": "a" * e["author"]},
        "fields": e["fields"],
    }
)


def _size(emb: JSON) -> int:
    parts = [emb["title"], emb["description"], emb["footer"]["text"], emb["author"]["name"]]
    parts += [f["name"] + f["value"] for f in emb["fields"]]
    return sum(len(p) for p in parts)


def _refusal(body: JSON) -> DiscordHTTPError | None:
    try:
        check_message(body, creating=True, has_files=False)
    except DiscordHTTPError as err:
        return err
    return None


@settings(max_examples=150, deadline=None)
@given(st.lists(_embed, min_size=1, max_size=10))
def test_embeds_within_field_limits_are_refused_only_over_6000_in_total(
    embeds: list[JSON],
) -> None:
    err = _refusal({"embeds": embeds})
    total = sum(_size(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        assert err is not None and err.errors is not None
        assert [e["code"] for e in err.errors["embeds"]["_errors"]] == ["MAX_EMBED_SIZE_EXCEEDED"]
    else:
        assert err is None


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=2100))
def test_content_is_refused_exactly_over_2000_characters(content: str) -> None:
    err = _refusal({"content": content})
    assert (err is not None) == (len(content) > 2000)
    if err is not None:
        assert err.errors == {
            "content": {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
                ]
            }
        }


_required = st.lists(st.booleans(), min_size=1, max_size=10)


@settings(max_examples=100, deadline=None)
@given(_required)
def test_options_are_refused_iff_a_required_one_follows_an_optional_one(
    required: list[bool],
) -> None:
    options = [
        {"type": 3, "name": f"o{i}", "description": "d", "required": r}
        for i, r in enumerate(required)
    ]
    misplaced = [i for i, r in enumerate(required) if r and any(not q for q in required[:i])]
    body = [{"name": "cmd", "description": "d", "options": options}]
    if not misplaced:
        check_commands(body)
        return
    with pytest.raises(DiscordHTTPError) as info:
        check_commands(body)
    assert info.value.errors is not None
    assert sorted(int(k) for k in info.value.errors["0"]["options"]) == misplaced
