"""Quiet hours: whether a moment falls in a chat's nightly window, and when that window ends.

The window is in the chat's local time and may span midnight (23:00-07:00); across a daylight-saving change
its ends are the wall-clock times of their own days (zoneinfo). Pure: standard library and model only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from model import QuietHours


def quiet_until(quiet: QuietHours, timezone: str, now: datetime) -> datetime | None:
    """The UTC moment the quiet window around `now` ends, or None when `now` is outside it (the end itself
    is outside: alerts go out at 07:00 sharp)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    for start_day in (today - timedelta(days=1), today):
        end_day = start_day if quiet.end > quiet.start else start_day + timedelta(days=1)
        start = datetime.combine(start_day, quiet.start, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(UTC)
        if start <= now < end:
            return end
    return None
