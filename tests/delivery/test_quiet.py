"""quiet_until by table: windows across midnight and within a day, their edges, and a daylight-saving night."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from delivery.quiet import quiet_until
from model import QuietHours

NIGHT = QuietHours(time(23, 0), time(7, 0))
LUNCH = QuietHours(time(13, 0), time(15, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("quiet", "timezone", "now", "until"), [
    pytest.param(NIGHT, "America/Caracas", utc(2026, 11, 24, 3, 30), utc(2026, 11, 24, 11), id="before-midnight"),
    pytest.param(NIGHT, "America/Caracas", utc(2026, 11, 24, 9), utc(2026, 11, 24, 11), id="after-midnight"),
    pytest.param(NIGHT, "America/Caracas", utc(2026, 11, 24, 3), utc(2026, 11, 24, 11), id="its-first-minute"),
    pytest.param(NIGHT, "America/Caracas", utc(2026, 11, 24, 11), None, id="its-end-is-outside"),
    pytest.param(NIGHT, "America/Caracas", utc(2026, 11, 24, 2, 59), None, id="just-before"),
    pytest.param(LUNCH, "Europe/Madrid", utc(2026, 11, 24, 12, 30), utc(2026, 11, 24, 14), id="within-a-day"),
    pytest.param(LUNCH, "Europe/Madrid", utc(2026, 11, 24, 14, 30), None, id="after-a-day-window"),
    # Madrid moves from CET to CEST at 02:00 on 29 March 2026: 23:00 is 22:00 UTC, 07:00 is 05:00 UTC
    pytest.param(NIGHT, "Europe/Madrid", utc(2026, 3, 29, 1), utc(2026, 3, 29, 5), id="spring-forward-night"),
])
def test_quiet_until(quiet: QuietHours, timezone: str, now: datetime, until: datetime | None) -> None:
    assert quiet_until(quiet, timezone, now) == until
