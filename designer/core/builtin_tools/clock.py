"""``current_datetime``: today's date and the time, optionally in an IANA timezone."""

from __future__ import annotations

import re
from datetime import datetime, timezone as dt_timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A key like "Europe/Paris" or "UTC": checked before ZoneInfo sees it, because ZoneInfo
# reads files named by the key and a model's argument must never name a path.
_ZONE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]{0,40}(/[A-Za-z0-9_+\-]{1,40}){0,3}$")

#: Replaceable in tests: the current instant, timezone-aware.
now: Callable[[], datetime] = lambda: datetime.now(dt_timezone.utc)  # noqa: E731


def current_datetime(timezone: str = "") -> str:
    """The current date and time (ISO 8601) with the weekday.

    Args:
        timezone: An IANA timezone name such as 'Europe/Paris' or 'America/New_York'. Empty: this computer's local time.
    """
    instant = now()
    if timezone.strip():
        name = timezone.strip()
        if not _ZONE_RE.fullmatch(name) or ".." in name:
            raise ValueError(f"{timezone!r} is not a timezone name: use an IANA name such as 'Europe/Paris'")
        try:
            local = instant.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {name!r}: use an IANA name such as 'Europe/Paris'") from None
        label = name
    else:
        local = instant.astimezone()
        label = local.tzname() or "local time"
    return f"{local.isoformat(timespec='seconds')} ({local.strftime('%A')}, {label})"
