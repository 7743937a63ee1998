"""Long lists in embeds: whatever the lines, the embed stays within Discord's limits."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import Messages
from cogs.shared.fields import (
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    add_list_fields,
    join_lines,
)

TEXTS = Messages.load()
line = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=1200)
lines = st.lists(line.filter(lambda s: s.strip()), max_size=60)


def _within_limits(embed: discord.Embed) -> None:
    assert len(embed.fields) <= FIELDS_MAX
    assert len(embed) <= EMBED_TOTAL_MAX
    for field in embed.fields:
        assert field.value and len(field.value) <= FIELD_VALUE_MAX
        assert field.name and len(field.name) <= 256


@settings(max_examples=60, deadline=None)
@given(first=lines, second=lines, prefix=st.integers(0, 3000))
def test_lists_always_fit_and_say_what_was_left_out(
    first: list[str], second: list[str], prefix: int
) -> None:
    embed = discord.Embed(title="Set-up", description="d" * prefix)
    left_first = add_list_fields(embed, "Groups", first, TEXTS)
    left_second = add_list_fields(embed, "Problems", second, TEXTS, empty="none")
    _within_limits(embed)
    assert 0 <= left_first <= len(first) and 0 <= left_second <= len(second)
    if left_second:
        assert embed.fields[-1].value.endswith(TEXTS("common.and_more", count=left_second))


def test_a_long_list_continues_in_more_fields_between_lines() -> None:
    names = [f"🤝 Group {i:02d} " + "k" * 41 for i in range(25)]
    embed = discord.Embed(title="Groups")
    assert add_list_fields(embed, "Groups (25)", names, TEXTS) == 0
    assert len(embed.fields) == 2
    assert embed.fields[1].name == TEXTS("common.continued", name="Groups (25)")
    assert [v for f in embed.fields for v in (f.value or "").split("\n")] == names


def test_what_cannot_fit_is_counted() -> None:
    embed = discord.Embed(title="Problems")
    problems = ["⚠️ " + "x" * 400 for _ in range(30)]
    left = add_list_fields(embed, "Problems (30)", problems, TEXTS)
    _within_limits(embed)
    assert left > 0
    shown = sum((f.value or "").count("⚠️") for f in embed.fields)
    assert shown + left == 30
    assert (embed.fields[-1].value or "").endswith(TEXTS("common.and_more", count=left))


def test_join_lines_cuts_between_lines() -> None:
    text = join_lines(["a" * 100] * 50, TEXTS, limit=1000)
    assert len(text) <= 1000
    assert text.endswith(TEXTS("common.and_more", count=41))
    assert join_lines(["one", "two"], TEXTS) == "one\ntwo"
