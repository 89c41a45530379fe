"""The ``--since``/``--until`` arguments, in the form records give times (pure).

Records carry ``time`` as RFC 3339 in UTC with milliseconds, e.g.
``2024-05-01T12:34:56.789Z`` (the contract checks it). In that form, and only in that
form, comparing the strings compares the instants, which keeps the hot loops of
:mod:`.summarise` free of datetime objects. So a bound given by the user (a date, or
RFC 3339 with any offset and precision) is converted to that form once, here.
"""

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))\Z"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def format_utc(moment: datetime) -> str:
    """Return *moment* (timezone-aware) as a canonical UTC time string."""
    utc = moment.astimezone(timezone.utc)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def parse_rfc3339(text: str) -> Optional[datetime]:
    """Return the instant *text* names, or ``None`` if it is not RFC 3339 with an offset."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(0)
        if not zulu:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            if sign == "-":
                offset = -offset
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        # RFC 3339 allows a leap second (:60); datetime does not: count it as :59.999999.
        if second == "60":
            second, micro = "59", 999999
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            micro,
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None


def parse_bound(text: str, *, end_of_day: bool) -> str:
    """Turn a ``--since``/``--until`` argument into a canonical time.

    *text* is a date (``2024-05-01``) or an RFC 3339 time. A date stands for the start of
    that day in UTC, or, with *end_of_day* (for ``--until``, which is inclusive), for its
    last millisecond. Raises :class:`ValueError` with a message fit for the user.
    """
    text = text.strip()
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date") from None
        moment = datetime.combine(day, time(0), tzinfo=timezone.utc)
        if end_of_day:
            moment += timedelta(days=1, milliseconds=-1)
        return format_utc(moment)
    parsed = parse_rfc3339(text)
    if parsed is None:
        raise ValueError(
            f"{text!r} is neither a date (YYYY-MM-DD) nor an RFC 3339 time "
            "(YYYY-MM-DDTHH:MM:SSZ or with an offset such as +02:00)"
        )
    return format_utc(parsed)
