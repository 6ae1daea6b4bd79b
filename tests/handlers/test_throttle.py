"""A user flooding the bot is answered a few times a second at most, told once, and the rest dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.throttle import Decision, Throttle

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_burst_is_allowed_then_one_notice_then_silence() -> None:
    throttle = Throttle(rate=2.0, burst=5)
    decisions = [throttle.decide(7, T0) for _ in range(9)]
    assert decisions == [Decision.ALLOW] * 5 + [Decision.NOTIFY] + [Decision.DROP] * 3


def test_the_bucket_refills_with_time_and_the_notice_can_come_again() -> None:
    throttle = Throttle(rate=2.0, burst=5)
    for _ in range(6):
        throttle.decide(7, T0)
    assert throttle.decide(7, T0 + timedelta(milliseconds=400)) is Decision.DROP
    assert throttle.decide(7, T0 + timedelta(seconds=1)) is Decision.ALLOW
    assert throttle.decide(7, T0 + timedelta(seconds=1)) is Decision.ALLOW
    assert throttle.decide(7, T0 + timedelta(seconds=1)) is Decision.NOTIFY


def test_users_are_throttled_independently() -> None:
    throttle = Throttle(rate=1.0, burst=1)
    assert throttle.decide(1, T0) is Decision.ALLOW
    assert throttle.decide(1, T0) is Decision.NOTIFY
    assert throttle.decide(2, T0) is Decision.ALLOW


def test_a_steady_two_per_second_is_never_throttled() -> None:
    throttle = Throttle(rate=2.0, burst=5)
    assert all(throttle.decide(3, T0 + timedelta(milliseconds=500 * n)) is Decision.ALLOW for n in range(100))


def test_memory_is_bounded_by_forgetting_idle_users() -> None:
    throttle = Throttle(rate=1.0, burst=1, max_tracked=2)
    throttle.decide(1, T0)
    assert throttle.decide(1, T0) is Decision.NOTIFY
    throttle.decide(2, T0 + timedelta(minutes=20))
    throttle.decide(3, T0 + timedelta(minutes=21))  # a third user: user 1, idle for 21 minutes, is dropped
    assert sorted(throttle._buckets) == [2, 3]
