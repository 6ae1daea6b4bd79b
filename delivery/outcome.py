"""What the sender does about Telegram's answers, and how it paces itself: pure, tested by table.

`delivery.sender` turns each refusal (a python-telegram-bot exception) into one of the `Outcome`s here;
everything else in this module is plain data and arithmetic: the retry backoff, the send policy, and the fate
of one message (`Transmission`), which the drain and the digest service act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# ---------------------------------------------------------------------------------------------------
# What to do about a refusal


@dataclass(frozen=True, slots=True)
class Wait:
    """429: Telegram says when to try again. Not the delivery's fault: no attempt is counted."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Deactivate:
    """The bot may no longer write to this chat (blocked, kicked, chat gone): stop for good. `topic_only`:
    only the forum topic is gone (deleted or closed); the group and its other topics carry on."""

    reason: str
    topic_only: bool = False


@dataclass(frozen=True, slots=True)
class Move:
    """The group became a supergroup: move the chat to its new id and send again."""

    new_chat_id: int


@dataclass(frozen=True, slots=True)
class ResendPlain:
    """Telegram refused the message itself (bad markup, should never happen): send it as plain text."""

    reason: str


@dataclass(frozen=True, slots=True)
class Retry:
    """A network error, a timeout or a 5xx: try again later with backoff, up to a limit; a lower limit
    (`SendPolicy.timed_out_attempts`) when the message may have arrived all the same (no answer in time),
    since each retry of those can be a copy."""

    reason: str
    maybe_delivered: bool = False


Outcome = Wait | Deactivate | Move | ResendPlain | Retry

# BadRequest descriptions that mean the chat is gone for the bot, not that the message is wrong.
_CHAT_GONE = ("chat not found", "peer_id_invalid", "group chat was deactivated", "user is deactivated",
              "have no rights to send", "not enough rights to send", "need administrator rights")


# BadRequest descriptions that mean the forum topic is gone (deleted, closed), not the group.
_TOPIC_GONE = ("message thread not found", "topic_closed", "topic_deleted", "topic_id_invalid")


def bad_request_outcome(description: str) -> Deactivate | ResendPlain:
    """A 400 answer -> what to do. Its description is read only to tell 'this chat (or forum topic) is
    gone' from 'this message is wrong', which PTB does not distinguish by class."""
    lowered = description.lower()
    if any(marker in lowered for marker in _TOPIC_GONE):
        return Deactivate(f"bad request: {description}", topic_only=True)
    if any(marker in lowered for marker in _CHAT_GONE):
        return Deactivate(f"bad request: {description}")
    return ResendPlain(f"bad request: {description}")


def backoff(attempt: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after the `attempt`-th failure (1-based): base, 2 x base, 4 x base ... up to cap."""
    return min(base * (1 << max(attempt - 1, 0)), cap)


# ---------------------------------------------------------------------------------------------------
# How the sender paces itself


@dataclass(frozen=True, slots=True)
class SendPolicy:
    # Sends in flight at once, each to a different chat. One in flight caps the bot at 1/RTT (9 messages a
    # second at 100 ms from a VPS to Telegram); Telegram's 30/s needs 30 x RTT in flight (4.5 at 150 ms), and
    # 8 reach it up to ~270 ms. A crash can repeat each message Telegram accepted but the outbox had not yet
    # marked sent: at most one per slot, and since no two slots are ever the same chat, at most one per chat.
    concurrency: int = 8
    chats_per_round: int = 200  # chats claimed at a time
    alerts_per_chat: int = 30  # deliveries of one chat per round; the rest wait for the next round
    private_interval: timedelta = timedelta(seconds=1)  # Telegram: about one message a second per chat
    group_interval: timedelta = timedelta(seconds=3.2)  # Telegram: 20 a minute per group (and channel)
    max_attempts: int = 5
    timed_out_attempts: int = 2  # a send whose answer did not come in time is tried once more, not five times
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(hours=1)
    drain_budget: timedelta = timedelta(seconds=60)  # no new round after this long; the next tick goes on


# ---------------------------------------------------------------------------------------------------
# One message's fate


@dataclass(frozen=True, slots=True)
class Delivered:
    chat_id: int  # where it went: the new id after a migration


@dataclass(frozen=True, slots=True)
class Deferred:
    chat_id: int
    until: datetime | None  # None: the caller's backoff decides
    reason: str
    counts: bool  # whether this counts as a failed attempt of the message
    attempts: int | None = None  # the most attempts this kind of failure allows (None: the policy's limit)


@dataclass(frozen=True, slots=True)
class Dropped:
    """The chat was deactivated and everything pending for it cancelled."""

    chat_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Refused:
    """This message cannot be sent, even as plain text."""

    chat_id: int
    reason: str


Transmission = Delivered | Deferred | Dropped | Refused
