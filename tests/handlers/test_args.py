"""Command arguments: what each command accepts, and what it refuses with which message key."""

from __future__ import annotations

from datetime import time

import pytest

from errors import UsageError
from handlers import args
from model import ChatMode, Localized, Scope, Topic


def _topic(id_: str, es: str, en: str) -> Topic:
    return Topic(id=id_, name=Localized(es, en), description=Localized("d", "d"), terms_es=("x",), terms_en=("x",))


TOPICS = (
    _topic("protests", "Protestas", "Protests"),
    _topic("sanctions", "Sanciones", "Sanctions"),
    _topic("cne", "CNE y elecciones", "CNE and elections"),
    _topic("dialogue", "Diálogo", "Dialogue"),
)


def _refusal(call, *values):  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError) as caught:
        call(*values)
    return caught.value


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["sanctions"], ("sanctions",), id="by-id"),
    pytest.param(["SANCTIONS"], ("sanctions",), id="any-case"),
    pytest.param(["Sanciones"], ("sanctions",), id="by-spanish-name"),
    pytest.param(["dialogo"], ("dialogue",), id="accents-optional"),
    pytest.param(["DIÁLOGO"], ("dialogue",), id="accents-and-case"),
    pytest.param(["CNE", "y", "elecciones"], ("cne",), id="a-name-of-several-words"),
    pytest.param(["cne", "and", "elections", "protests"], ("cne", "protests"), id="a-long-name-then-an-id"),
    pytest.param(["sanctions,cne"], ("sanctions", "cne"), id="commas-separate"),
    pytest.param(["#cne", "cne"], ("cne",), id="hashtag-and-duplicates"),
    pytest.param(['"sanctions"'], ("sanctions",), id="quotes-dropped"),
])
def test_subscribe_names_topics_forgivingly(given: list[str], expected: tuple[str, ...]) -> None:
    assert args.parse_subscribe(given, TOPICS) == expected


@pytest.mark.parametrize(("given", "key", "suggestion"), [
    pytest.param(["cen"], "topics.unknown_suggest", "cne", id="typo-suggests-the-closest"),
    pytest.param(["sancions"], "topics.unknown_suggest", "sanctions", id="misspelt-name"),
    pytest.param(["protestas", "weather"], "topics.unknown", None, id="nothing-close"),
    pytest.param([], "topics.missing", None, id="missing-lists-the-topics"),
])
def test_subscribe_refuses_unknown_topics_with_the_list(given: list[str], key: str, suggestion: str | None) -> None:
    error = _refusal(args.parse_subscribe, given, TOPICS)
    assert (error.command, error.detail_key) == ("subscribe", key)
    assert error.detail_args.get("suggestion") == suggestion
    assert error.detail_args["known"] == "protests, sanctions, cne, dialogue"


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["all"], args.UnsubscribeArgs((), everything=True), id="all"),
    pytest.param(["Todos"], args.UnsubscribeArgs((), everything=True), id="todos-in-spanish"),
    pytest.param(["cne", "protestas"], args.UnsubscribeArgs(("cne", "protests")), id="topics"),
])
def test_unsubscribe(given: list[str], expected: args.UnsubscribeArgs) -> None:
    assert args.parse_unsubscribe(given, TOPICS) == expected


def test_unsubscribe_without_arguments_is_refused() -> None:
    assert _refusal(args.parse_unsubscribe, [], TOPICS).detail_key == "topics.missing"


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param([], args.LatestArgs((), 5), id="defaults-to-5-of-the-chats-topics"),
    pytest.param(["sanctions"], args.LatestArgs(("sanctions",), 5), id="a-topic"),
    pytest.param(["sanctions", "10"], args.LatestArgs(("sanctions",), 10), id="topic-then-number"),
    pytest.param(["3", "Sanciones"], args.LatestArgs(("sanctions",), 3), id="number-then-topic"),
    pytest.param(["7"], args.LatestArgs((), 7), id="only-a-number"),
    pytest.param(["20"], args.LatestArgs((), 20), id="twenty-is-allowed"),
    pytest.param(["500"], args.LatestArgs((), 20, capped=True), id="more-than-twenty-is-capped"),
])
def test_latest(given: list[str], expected: args.LatestArgs) -> None:
    assert args.parse_latest(given, TOPICS) == expected


@pytest.mark.parametrize(("given", "key"), [
    pytest.param(["0"], "latest.bad_count", id="zero"),
    pytest.param(["-3"], "latest.bad_count", id="negative"),
    pytest.param(["3", "4"], "latest.two_counts", id="two-numbers"),
    pytest.param(["weather"], "topics.unknown", id="unknown-topic"),
])
def test_latest_refusals(given: list[str], key: str) -> None:
    error = _refusal(args.parse_latest, given, TOPICS)
    assert (error.command, error.detail_key) == ("latest", key)


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["08:00"], args.DigestAt(time(8, 0)), id="hh-mm"),
    pytest.param(["7:30"], args.DigestAt(time(7, 30)), id="single-digit-hour"),
    pytest.param(["19.45"], args.DigestAt(time(19, 45)), id="dot-separator"),
    pytest.param(["off"], args.DigestOff(), id="off"),
    pytest.param(["Apagar"], args.DigestOff(), id="off-in-spanish"),
    pytest.param(["now"], args.DigestNow(), id="now"),
    pytest.param(["ya"], args.DigestNow(), id="now-in-spanish"),
])
def test_digest(given: list[str], expected: args.DigestArgs) -> None:
    assert args.parse_digest(given) == expected


@pytest.mark.parametrize(("given", "key"), [
    pytest.param([], None, id="missing-shows-usage"),
    pytest.param(["25:00"], "digest.bad_time", id="hour-out-of-range"),
    pytest.param(["8"], "digest.bad_time", id="no-minutes"),
    pytest.param(["tomorrow"], "digest.bad_time", id="a-word"),
    pytest.param(["08:00", "now"], "common.too_many_args", id="two-arguments"),
])
def test_digest_refusals(given: list[str], key: str | None) -> None:
    error = _refusal(args.parse_digest, given)
    assert (error.command, error.detail_key) == ("digest", key)


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["instant"], ChatMode.INSTANT, id="instant"),
    pytest.param(["Digest"], ChatMode.DIGEST, id="digest-any-case"),
    pytest.param(["resumen"], ChatMode.DIGEST, id="resumen-in-spanish"),
    pytest.param(["instantáneo"], ChatMode.INSTANT, id="instantaneo-with-accent"),
])
def test_mode(given: list[str], expected: ChatMode) -> None:
    assert args.parse_mode(given) is expected


@pytest.mark.parametrize("given", [[], ["weekly"]], ids=["missing", "unknown-mode"])
def test_mode_refusals_show_the_usage(given: list[str]) -> None:
    assert _refusal(args.parse_mode, given).command == "mode"


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["es"], "es", id="es"),
    pytest.param(["EN"], "en", id="en-any-case"),
    pytest.param(["Español"], "es", id="espanol"),
    pytest.param(["english"], "en", id="english"),
])
def test_language(given: list[str], expected: str) -> None:
    assert args.parse_language(given) == expected


def test_an_unknown_language_shows_the_usage() -> None:
    assert _refusal(args.parse_language, ["fr"]).command == "language"


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["America/Caracas"], "America/Caracas", id="iana-name"),
    pytest.param(["europe/madrid"], "Europe/Madrid", id="any-case"),
    pytest.param(["UTC"], "UTC", id="utc"),
])
def test_timezone(given: list[str], expected: str) -> None:
    assert args.parse_timezone(given) == expected


@pytest.mark.parametrize(("given", "key", "suggestion"), [
    pytest.param(["Caracas"], "timezone.unknown_suggest", "America/Caracas", id="a-city-suggests-its-zone"),
    pytest.param(["America/Caracs"], "timezone.unknown_suggest", "America/Caracas", id="a-typo-suggests"),
    pytest.param(["Mars/Olympus"], "timezone.unknown", None, id="nothing-close"),
    pytest.param(["../etc/passwd"], "timezone.unknown", None, id="no-paths"),
    pytest.param([], None, None, id="missing"),
])
def test_timezone_refusals(given: list[str], key: str | None, suggestion: str | None) -> None:
    error = _refusal(args.parse_timezone, given)
    assert (error.command, error.detail_key, error.detail_args.get("suggestion")) == ("timezone", key, suggestion)


@pytest.mark.parametrize(("given", "key"), [
    pytest.param([], None, id="nothing"),
    pytest.param(["maduro"], "alert.unknown_action", id="no-action"),
    pytest.param(["add"], "alert.missing_phrase", id="add-without-phrase"),
    pytest.param(["remove"], "alert.missing_phrase", id="remove-without-phrase"),
    pytest.param(["remove", "0"], "alert.bad_number", id="number-zero"),
])
def test_alert_refusals(given: list[str], key: str | None) -> None:
    error = _refusal(args.parse_alert, given)
    assert (error.command, error.detail_key) == ("alert", key)


@pytest.mark.parametrize(("given", "key"), [
    pytest.param(["add", "x" * 101], "alert_too_long", id="longer-than-100-characters"),
    pytest.param(["add", "-futbol"], "alert_only_exclusions", id="only-exclusions"),
    pytest.param(["add", '"Edmundo', "González"], "alert_unbalanced_quote", id="unclosed-quote"),
    pytest.param(["add", "¡¿…?!"], "alert_empty", id="no-words"),
])
def test_alert_phrases_that_cannot_match_are_refused_by_the_keyword_parser(given: list[str], key: str) -> None:
    error = _refusal(args.parse_alert, given)
    assert (error.command, error.detail_key) == ("alert", key)


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["add", '"Edmundo', 'González"', "-Fútbol"],
                 args.AlertAdd('"edmundo gonzalez" -futbol', '"Edmundo González" -Fútbol'),
                 id="add-stores-the-canonical-form"),
    pytest.param(["añadir", "Maduro", "maduro", "OFAC"], args.AlertAdd("maduro ofac", "Maduro maduro OFAC"),
                 id="add-in-spanish-sorted-once"),
    pytest.param(["remove", "MADURO"], args.AlertRemove(phrase="maduro", raw="MADURO"), id="remove-by-phrase"),
    pytest.param(["remove", "-x"], args.AlertRemove(phrase=None, raw="-x"), id="remove-an-unparsable-phrase-as-typed"),
    pytest.param(["remove", "3"], args.AlertRemove(number=3), id="remove-by-number"),
    pytest.param(["borrar", "2"], args.AlertRemove(number=2), id="remove-in-spanish"),
    pytest.param(["list"], args.AlertList(), id="list"),
])
def test_alert_actions_without_a_query(given: list[str], expected: args.AlertArgs) -> None:
    assert args.parse_alert(given) == expected


@pytest.mark.parametrize(("data", "expected"), [
    pytest.param("topic:list:cne", args.ToggleArgs("list", "cne"), id="list-view"),
    pytest.param("topic:start:sanctions", args.ToggleArgs("start", "sanctions"), id="start-view"),
    pytest.param("topic:list:weather", None, id="a-topic-no-longer-configured"),
    pytest.param("topic:other:cne", None, id="unknown-view"),
    pytest.param("something else", None, id="not-ours"),
    pytest.param(None, None, id="no-data"),
])
def test_toggle_data(data: str | None, expected: args.ToggleArgs | None) -> None:
    assert args.parse_toggle(data, TOPICS) == expected


def test_toggle_data_round_trips_and_fits_telegrams_64_bytes() -> None:
    for topic in TOPICS:
        data = args.toggle_data("start", topic.id)
        assert len(data.encode()) <= 64
        assert args.parse_toggle(data, TOPICS) == args.ToggleArgs("start", topic.id)


# --------------------------------------------------------------------------------------------------
# /feed (admin)


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param(["add", "https://example.org/feed/"], args.FeedAdd("https://example.org/feed/", Scope.WORLD),
                 id="world-by-default"),
    pytest.param(["add", "https://example.org/feed/", "venezuela"],
                 args.FeedAdd("https://example.org/feed/", Scope.VENEZUELA), id="scope-venezuela"),
    pytest.param(["añadir", "http://example.org/rss", "Mundo"], args.FeedAdd("http://example.org/rss", Scope.WORLD),
                 id="spanish-words"),
    pytest.param(["ADD", "<https://example.org/feed/>", "vzla"],
                 args.FeedAdd("https://example.org/feed/", Scope.VENEZUELA), id="angle-brackets-and-case"),
    pytest.param(["add", "HTTPS://Example.org:8443/feed?x=1"], args.FeedAdd("HTTPS://Example.org:8443/feed?x=1"),
                 id="port-and-query-kept-as-typed"),
    pytest.param(["add", "https://[2606:4700::1111]/feed"], args.FeedAdd("https://[2606:4700::1111]/feed"),
                 id="an-ipv6-literal-is-syntax-the-fetcher-judges"),
    pytest.param(["add", "http://127.0.0.1/feed"], args.FeedAdd("http://127.0.0.1/feed"),
                 id="loopback-is-not-refused-here-but-after-dns"),
    pytest.param(["remove", "3"], args.FeedRemove(3), id="remove"),
    pytest.param(["quitar", "#12"], args.FeedRemove(12), id="remove-with-hash"),
])
def test_feed(given: list[str], expected: args.FeedArgs) -> None:
    assert args.parse_feed(given) == expected


@pytest.mark.parametrize(("given", "key"), [
    pytest.param([], None, id="nothing"),
    pytest.param(["list"], "feed.unknown_action", id="unknown-action"),
    pytest.param(["add"], "feed.missing_url", id="no-url"),
    pytest.param(["add", "example.org/feed"], "feed.bad_url", id="no-scheme"),
    pytest.param(["add", "ftp://example.org/feed"], "feed.bad_url", id="not-http"),
    pytest.param(["add", "javascript:alert(1)"], "feed.bad_url", id="javascript"),
    pytest.param(["add", "https:///feed"], "feed.bad_url", id="no-host"),
    pytest.param(["add", "http://[::1/feed"], "feed.bad_url", id="broken-ipv6"),
    pytest.param(["add", "http://example.org:99999/"], "feed.bad_url", id="port-out-of-range"),
    pytest.param(["add", "http://example.org/a\u0000b"], "feed.bad_url", id="control-character"),
    pytest.param(["add", "https://example.org/" + "a" * 2029], "feed.url_too_long", id="2049-characters"),
    pytest.param(["add", "https://example.org/" + "a" * 100_000], "feed.url_too_long", id="huge"),
    pytest.param(["add", "https://ana:pw@example.org/feed"], "feed.credentials", id="credentials"),
    pytest.param(["add", "https://ana@example.org/feed"], "feed.credentials", id="user-name"),
    pytest.param(["add", "https://example.org/feed", "latam"], "feed.bad_scope", id="unknown-scope"),
    pytest.param(["add", "https://example.org/feed", "world", "now"], "common.too_many_args", id="left-over"),
    pytest.param(["remove"], "feed.missing_number", id="no-number"),
    pytest.param(["remove", "tres"], "feed.bad_number", id="a-word"),
    pytest.param(["remove", "0"], "feed.bad_number", id="zero"),
    pytest.param(["remove", "-2"], "feed.bad_number", id="negative"),
    pytest.param(["remove", "١٢"], "feed.bad_number", id="non-ascii-digits"),
    pytest.param(["remove", "9" * 4000], "feed.bad_number", id="a-number-no-database-holds"),
    pytest.param(["remove", "1", "2"], "common.too_many_args", id="two-numbers"),
])
def test_feed_refusals(given: list[str], key: str | None) -> None:
    refusal = _refusal(args.parse_feed, given)
    assert (refusal.command, refusal.detail_key) == ("feed", key)
    assert all(len(str(value)) <= args.ECHO for value in refusal.detail_args.values())


def test_the_longest_url_accepted_is_2048_characters() -> None:
    url = "https://example.org/" + "a" * 2028
    assert len(url) == args.MAX_URL and args.parse_feed(["add", url]) == args.FeedAdd(url)
