"""Abuse, end to end through the Bot API stand-in and the running bot: a user who floods the bot is answered
a few times at most and told once, other users are not slowed down, and oversized arguments are refused
at once with a short answer that does not echo them.

(The throttle's arithmetic is unit-tested in test_throttle.py; the parsers' refusals are tested here by
table too, and `resolve_topics` stays linear however many words it is given.)
"""

from __future__ import annotations

import time

import pytest

from errors import UsageError
from handlers import args
from handlers.args import MAX_ARGUMENTS
from handlers.services import Services
from settings import load
from tests.conftest import REPO
from tests.handlers.conftest import ADMIN, GROUP, MEMBER, Driver
from tests.support.botapi import parse_html

TOPICS = load(REPO / "config.toml").topics
OTHER_USER = 2002


async def test_a_flood_is_answered_a_burst_then_one_notice_and_the_rest_dropped(bot: Driver) -> None:
    services: Services = bot.app.bot_data
    burst = services.throttle.burst

    def flood(command: str) -> None:
        bot.api.inject_message(GROUP, command, user_id=MEMBER, chat_type="supergroup", title="Grupo de prueba",
                               language_code="en")

    bot.clock.advance(seconds=60)  # a full bucket
    for _ in range(20):  # a member sends twenty commands to the group in the same instant (the clock stands)
        flood("/help")
    bot.api.inject_message(OTHER_USER, "/help", language_code="en")  # someone else, elsewhere, meanwhile
    for _ in range(20):
        flood("/settings")
    # One chat's updates are handled in order: once a command another member sends after the flood is
    # answered, every command of the flood has been handled.
    bot.api.inject_message(GROUP, "/topics", user_id=ADMIN, chat_type="supergroup", title="Grupo de prueba",
                           language_code="en")
    answered = await bot.api.wait_for_messages(GROUP, burst + 2, timeout=10)

    texts = [message.plain_text for message in answered]
    assert all(text.startswith("Commands") for text in texts[:burst]), texts
    assert texts[burst] == "You are going too fast. I will ignore your messages for a few seconds."
    assert texts[burst + 1].startswith("Topics"), texts  # the rest of the flood was dropped
    [other] = await bot.api.wait_for_messages(OTHER_USER, 1)
    assert other.plain_text.startswith("Commands")  # not held up by the flood
    bot.clock.advance(seconds=3)  # the bucket refills at two a second: the member is answered again
    assert (await bot.group("/topics", user_id=MEMBER, language_code="en")).startswith("Topics")


OVERSIZED = [
    pytest.param("/alert add " + "palabra " * 625, id="a 5,000-character alert"),
    pytest.param("/alert add " + "x" * 5000, id="a 5,000-character word as an alert"),
    pytest.param("/alert remove " + "y" * 5000, id="removing a 5,000-character alert"),
    pytest.param("/subscribe " + " ".join(["cne", "sanciones", "protestas", "dialogo", "nada"] * 100),
                 id="subscribing to 500 topics"),
    pytest.param("/latest " + "cne " * 1000, id="the latest of 1,000 topics"),
    pytest.param("/timezone " + "America/" + "Caracas" * 570, id="a 4,000-character time zone"),
    pytest.param("/digest " + "0" * 4000, id="a 4,000-character digest time"),
    pytest.param("/mode " + "instant " * 500, id="a 4,000-character mode"),
]


@pytest.mark.parametrize("command", OVERSIZED)
async def test_an_oversized_argument_is_refused_at_once_without_an_echo(bot: Driver, command: str) -> None:
    started = time.perf_counter()
    [reply] = await bot.send(command)
    assert time.perf_counter() - started < 5
    shown = parse_html(reply.text).plain
    assert f"That is too long: at most {MAX_ARGUMENTS} characters." in shown
    assert "Usage:" in shown
    assert len(shown) < 600, "the refusal does not repeat what was sent"


async def test_an_argument_just_under_the_limit_is_still_read(bot: Driver) -> None:
    phrase = "  sanciones  " + " " * (MAX_ARGUMENTS - 40) + "chevron"
    assert (await bot.say(f"/alert add {phrase}")).startswith("Alert saved: sanciones chevron")


PARSERS = [
    pytest.param("alert", lambda words: args.parse_alert(["add", *words]), id="alert"),
    pytest.param("subscribe", lambda words: args.parse_subscribe(words, TOPICS), id="subscribe"),
    pytest.param("unsubscribe", lambda words: args.parse_unsubscribe(words, TOPICS), id="unsubscribe"),
    pytest.param("latest", lambda words: args.parse_latest(words, TOPICS), id="latest"),
    pytest.param("digest", args.parse_digest, id="digest"),
    pytest.param("mode", args.parse_mode, id="mode"),
    pytest.param("language", args.parse_language, id="language"),
    pytest.param("timezone", args.parse_timezone, id="timezone"),
]


@pytest.mark.parametrize(("command", "parse"), PARSERS)
def test_every_parser_refuses_arguments_over_the_limit(command: str, parse) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError) as refused:
        parse(["cne"] * (MAX_ARGUMENTS // 4 + 1))
    assert (refused.value.command, refused.value.detail_key) == (command, "common.too_long")
    assert refused.value.detail_args == {"limit": MAX_ARGUMENTS}


def test_resolving_topics_is_linear_in_the_words_given() -> None:
    """It once tried every run of words from each position to the end: 1,024 words took 18 s."""
    tokens = ["cne", "sanciones", "CNE y elecciones", "protestas"] * 500
    started = time.perf_counter()
    assert args.resolve_topics("subscribe", tokens, TOPICS) == ("cne", "sanctions", "protests")
    assert time.perf_counter() - started < 0.5
