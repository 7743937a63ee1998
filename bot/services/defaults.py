"""The defaults kindbot starts every server with, defined once.

The first migrations write the same values as SQL column defaults (a migration
never changes once released); a test checks that the two agree.
"""

from __future__ import annotations

#: The timezone of a server's weekly schedule until a coordinator picks another.
DEFAULT_TIMEZONE = "Europe/London"

#: A member is not paired again with someone they met in this many recent rounds.
AVOID_REPEAT_ROUNDS = 8
#: Days between making a round and asking "Did you meet?".
CHECKIN_DAYS = 5
#: Unanswered check-ins in a row after which a member is paused, with a kind message.
MISSED_CHECKINS_BEFORE_PAUSE = 3
#: The longest break a member can take with ``/coffee pause``.
MAX_PAUSE_WEEKS = 12
#: The earliest a "skip this week?" heads-up can go out before pairing.
MAX_HEADSUP_HOURS = 72

#: Acts of kindness a member can log per day until a coordinator changes it.
KINDNESS_DAILY_LIMIT = 20
