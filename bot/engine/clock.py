"""Today's date: what the engine asks of the world, from a clock its caller chooses.

The engine never reads the system date itself: `Engine(..., clock=...)` is given a clock, tests
pin one (`fixed`), and the command line takes `--today` / BOT_TODAY. By default it is today in
China, where the district is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

# Asia/Shanghai: UTC+8 all year (China keeps no daylight saving time), so no tz database needed
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

Clock = Callable[[], date]


def china_today() -> date:
    """Today's date in China."""
    return datetime.now(CHINA).date()


def fixed(day: date) -> Clock:
    """A clock that always says `day`."""
    return lambda: day


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date; ValueError (with a readable message) otherwise."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None


def clock_for(day: date | None) -> Clock:
    """A clock pinned to `day`, or today in China when there is none."""
    return china_today if day is None else fixed(day)
