"""An agreed meeting time as an ``.ics`` file (RFC 5545) members can add to a calendar.

One VEVENT in a VCALENDAR, with CRLF line endings, lines folded at 75 octets without
splitting a UTF-8 character, TEXT values escaped, and times in UTC. The UID depends
only on the meeting, so a re-sent file updates the same calendar entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT_ID = "-//kindbot//Programmes//EN"
UID_DOMAIN = "kindbot"
MAX_LINE_OCTETS = 75
CRLF = "\r\n"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""


def meeting_uid(guild_id: int, meeting_id: int) -> str:
    """The calendar UID of a meeting: the same every time it is asked for."""
    return f"meeting-{meeting_id}-{guild_id}@{UID_DOMAIN}"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (RFC 5545 3.1).

    Each continuation starts with one space, which counts towards its 75 octets.
    """
    chunks: list[str] = []
    current = ""
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size, limit = " ", 1, MAX_LINE_OCTETS
        current += char
        size += width
    chunks.append(current)
    return CRLF.join(chunks)


def utc_stamp(when: datetime) -> str:
    """A DATE-TIME in UTC form, like ``20261201T090000Z``."""
    if when.tzinfo is None:
        raise ValueError("calendar times must be aware datetimes")
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(event: CalendarEvent, *, stamp: datetime) -> bytes:
    """The whole calendar file, UTF-8 encoded, ready to attach."""
    if event.end <= event.start:
        raise ValueError("an event must end after it starts")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines).encode("utf-8")
