"""``/coffee run-now``'s reply during a long round: progress while the reply can be edited,
and the final word in the coordinators' log once the interaction token is nearly spent."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.text import Messages
from cogs.coffee._progress import EDIT_EVERY, REPLY_LIFETIME, RunNowReply

TEXTS = Messages.load()
START = datetime.fromisoformat("2026-11-25T12:00:00+00:00")


class Screens:
    """What the coordinator sees: the reply's edits and the coordinators' log."""

    def __init__(self) -> None:
        self.reply: list[str] = []
        self.log: list[str] = []

    async def edit(self, text: str) -> None:
        self.reply.append(text)

    async def tell_log(self, text: str) -> None:
        self.log.append(text)


def reply(clock: FakeClock, screens: Screens) -> RunNowReply:
    return RunNowReply(clock, TEXTS, "2026-W48", screens.edit, screens.tell_log)


async def test_a_quick_round_only_shows_the_final_word() -> None:
    clock, screens = FakeClock(START), Screens()
    run = reply(clock, screens)
    await run.progress(1, 2)
    await run.progress(2, 2)
    await run.finish("done")
    assert screens.reply == ["done"] and screens.log == []


async def test_a_slow_round_says_it_carries_on_and_counts_meetings() -> None:
    clock, screens = FakeClock(START), Screens()
    run = reply(clock, screens)
    await run.went_quiet()
    assert screens.reply == [TEXTS("coffee.run_announcing", week="2026-W48")]
    clock.advance(EDIT_EVERY)
    await run.progress(12, 40)
    await run.progress(13, 40)  # too soon for another edit
    assert screens.reply[-1] == TEXTS(
        "coffee.run_progress_other", done=12, count=40, week="2026-W48"
    )
    assert "12 of 40 meetings announced" in screens.reply[-1]
    assert len(screens.reply) == 2
    await run.finish("done")
    assert screens.reply[-1] == "done" and screens.log == []


async def test_after_fourteen_minutes_the_summary_goes_to_the_log() -> None:
    clock, screens = FakeClock(START), Screens()
    run = reply(clock, screens)
    await run.went_quiet()
    for done in range(1, 41):
        clock.advance(timedelta(seconds=30))
        await run.progress(done, 40)
    edits = len(screens.reply)
    assert clock.now() - START >= REPLY_LIFETIME
    assert all(
        "announced" in text for text in screens.reply[1:]
    )  # progress only while it could be edited
    await run.finish("The round is made.")
    assert len(screens.reply) == edits
    assert screens.log == ["The round is made."]


@given(st.integers(min_value=0, max_value=10_000))
def test_plural_picks_the_form_for_the_count(count: int) -> None:
    text = TEXTS("coffee.run_progress", count=count, done=0, week="W")
    assert (" meeting announced" in text) == (count == 1)
    assert f"of {count} meeting" in text
