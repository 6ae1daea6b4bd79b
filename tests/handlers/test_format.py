"""The formatter's output is valid Telegram HTML with every outside text escaped, under 4096 characters;
each command's reply is built from the catalogue in the chat's language."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from delivery.render import MAX_MESSAGE, MAX_TITLE, escape, split_messages, story_block, visible_length
from handlers import format as fmt
from handlers.args import toggle_data
from model import (
    Chat,
    ChatMode,
    FeedOrigin,
    FeedStatus,
    KeywordAlert,
    Localized,
    Scope,
    Source,
    Stats,
    Story,
    Topic,
    TopicFeedback,
)
from tests.support.botapi import HtmlParseError, parse_html
from text import shorten

WHEN = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)


def story(title: str, *, link: str = "https://elpitazo.net/a", sources: int = 1) -> Story:
    return Story(id=1, title=title, link=link, published_at=WHEN,
                 sources=tuple(Source(f"Outlet {n}", link, title) for n in range(sources)))


def visible(html_text: str) -> str:
    return parse_html(html_text).plain


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("<b>bold</b> claim", id="a tag in a title is shown, not applied"),
        pytest.param("Tom & Jerry &amp; co", id="ampersands and entities stay literal"),
        pytest.param("</a><a href='javascript:alert(1)'>x", id="a closing anchor cannot break out of the link"),
        pytest.param('"quoted" <script>alert(1)</script>', id="scripts are text"),
    ],
)
def test_hostile_titles_are_shown_as_written(title: str) -> None:
    block = story_block(story(title), lang="en", timezone="America/Caracas")
    assert title in visible(block)


def test_a_link_with_quotes_and_ampersands_stays_one_attribute() -> None:
    block = story_block(story("T", link='https://x.org/?a=1&b="2"'), lang="es", timezone="America/Caracas")
    parsed = parse_html(block)
    assert [entity.argument for entity in parsed.entities if entity.kind == "text_link"] == ['https://x.org/?a=1&b="2"']


def test_time_is_shown_in_the_chat_time_zone_and_every_source_is_named_up_to_eight() -> None:
    text = visible(story_block(story("T", sources=3), lang="en", timezone="America/Caracas"))
    assert text.endswith("Outlet 0, Outlet 1, Outlet 2 · 23 Nov 08:30")  # 12:30 UTC is 08:30 in Caracas
    text = visible(story_block(story("T", sources=11), lang="es", timezone="America/Caracas"))
    assert text.endswith("Outlet 6, Outlet 7 · 23/11 08:30 · +3 fuentes más")


def test_an_outlet_credited_under_two_spellings_is_named_once() -> None:
    """Seen in the demo: Tal Cual's own feed and Google News ("TalCual") reported one story."""
    reports = tuple(Source(name, "https://talcualdigital.com/a", "T") for name in ("Tal Cual", "TalCual", "Reuters"))
    block = story_block(Story(id=1, title="T", link="https://talcualdigital.com/a", published_at=WHEN, sources=reports),
                        lang="es", timezone="America/Caracas")
    assert visible(block).endswith("Tal Cual, Reuters · 23/11 08:30")


def test_a_5000_character_title_is_cut_and_the_message_stays_valid() -> None:
    block = story_block(story("palabra " * 625), lang="es", timezone="America/Caracas")
    assert visible_length(block) < 500
    assert visible(block).count("…") == 1


def test_messages_split_on_block_boundaries_under_the_limit() -> None:
    blocks = [story_block(story(f"Noticia número {n} " + "x" * 250), lang="es", timezone="America/Caracas")
              for n in range(40)]
    messages = split_messages(blocks, header="<b>Resumen</b>")
    assert len(messages) > 1
    for message in messages:
        assert visible_length(message) <= MAX_MESSAGE
        assert message.startswith("<b>Resumen</b>")
        parse_html(message)  # valid Telegram HTML
    joined = "".join(messages)
    assert all(f"Noticia número {n} " in joined for n in range(40))


@settings(max_examples=300, deadline=None)
@given(title=st.text(max_size=6000), feed=st.text(max_size=200), link=st.text(max_size=300))
def test_any_story_text_gives_valid_html_under_the_limit(title: str, feed: str, link: str) -> None:
    item = Story(id=1, title=title, link=link or "https://x.org", published_at=WHEN,
                 sources=(Source(feed, link, title),))
    block = story_block(item, lang="en", timezone="Europe/Madrid")
    try:
        parsed = parse_html(block)
    except HtmlParseError as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"invalid HTML for title {title!r}: {exc}") from exc
    assert visible_length(block) <= MAX_MESSAGE
    assert shorten(title, MAX_TITLE).strip() in parsed.plain  # the user sees the title as written


def test_escape_is_html_escape_with_quotes() -> None:
    assert escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"


# --------------------------------------------------------------------------------------------------
# Command replies

T0 = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
TOPICS = (
    Topic(id="sanctions", name=Localized("Sanciones", "Sanctions"), description=Localized("Sanciones & <más>", "US & EU"),
          terms_es=("x",), terms_en=("x",)),
    Topic(id="cne", name=Localized("CNE y elecciones", "CNE and elections"), description=Localized("CNE", "CNE"),
          terms_es=("x",), terms_en=("x",)),
)


def _chat(**overrides: object) -> Chat:
    values: dict[str, object] = dict(id=1, type="private", language="es", timezone="America/Caracas",
                                     digest_time=time(8, 0), mode=ChatMode.INSTANT, active=True)
    values.update(overrides)
    return Chat(**values)  # type: ignore[arg-type]


def _story(title: str, *, id_: int = 1, sources: int = 1) -> Story:
    return Story(id=id_, title=title, link="https://example.org/a?x=1&y=<2>", published_at=T0,
                 sources=tuple(Source(f"Outlet <{n}>", f"https://o{n}.example", title) for n in range(sources)))


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("<b>", "&lt;b&gt;", id="tags"),
    pytest.param("A & B", "A &amp; B", id="ampersand"),
    pytest.param('say "hi"', "say &quot;hi&quot;", id="quotes"),
    pytest.param("</a>", "&lt;/a&gt;", id="closing-tag"),
])
def test_escape(value: str, expected: str) -> None:
    assert fmt.escape(value) == expected


def test_a_hostile_title_and_link_are_escaped_in_a_story_block() -> None:
    block = fmt.story_block(_story('</a><b>Maduro & "Co"'), lang="en", timezone="America/Caracas")
    assert "&lt;/a&gt;&lt;b&gt;Maduro &amp; &quot;Co&quot;" in block
    assert 'href="https://example.org/a?x=1&amp;y=&lt;2&gt;"' in block
    assert "Outlet &lt;0&gt;" in block


@pytest.mark.parametrize(("timezone", "lang", "expected"), [
    pytest.param("America/Caracas", "es", "23/11 08:05", id="caracas-is-utc-minus-4"),
    pytest.param("Europe/Madrid", "en", "23 Nov 13:05", id="madrid-in-english"),
    pytest.param("UTC", "es", "23/11 12:05", id="utc"),
])
def test_local_time(timezone: str, lang: str, expected: str) -> None:
    assert fmt.local_time(T0, timezone, lang) == expected  # type: ignore[arg-type]


def test_a_story_block_shows_the_time_in_the_chats_zone_and_the_other_sources() -> None:
    block = fmt.story_block(_story("T", sources=3), lang="es", timezone="America/Caracas")
    assert "Outlet &lt;0&gt;, Outlet &lt;1&gt;, Outlet &lt;2&gt; · 23/11 08:05" in block


def test_twenty_long_stories_are_split_on_story_boundaries_under_4096() -> None:
    stories = [_story("palabra " * 300, id_=n) for n in range(20)]
    messages = fmt.latest_messages(stories, ["sanctions"], TOPICS, lang="es", timezone="UTC", capped=False,
                                   maximum=20)
    assert len(messages) > 1
    assert all(visible_length(message) <= 4096 for message in messages)
    assert sum(message.count("<b><a href") for message in messages) == 20
    assert all(message.startswith("<b>Últimas noticias: Sanciones</b>") for message in messages)


def test_latest_with_no_stories_says_so_and_names_the_topics() -> None:
    assert fmt.latest_messages([], ["cne", "sanctions"], TOPICS, lang="en", timezone="UTC", capped=False,
                               maximum=20) == ["No news about Sanctions, CNE and elections yet."]


def test_latest_says_when_it_capped_the_count() -> None:
    [message] = fmt.latest_messages([_story("T")], ["cne"], TOPICS, lang="en", timezone="UTC", capped=True,
                                    maximum=20)
    assert "I show 20 at most." in message


def test_usage_escapes_what_the_user_typed_and_ends_with_an_example() -> None:
    message = fmt.usage("es", "subscribe", "topics.unknown_suggest",
                        {"topic": "<script>", "suggestion": "cne", "known": "cne, sanctions"})
    assert "«&lt;script&gt;»" in message and "<code>cne</code>" in message
    assert message.endswith("Ejemplo: <code>/subscribe sanctions cne</code>")


def test_usage_with_an_unknown_detail_key_still_shows_the_usage() -> None:
    assert fmt.usage("en", "alert", "alert.some_key_from_elsewhere", {}).startswith("Usage: <code>/alert add")


def test_usage_of_the_alert_example_escapes_its_quotes() -> None:
    assert "&quot;Edmundo González&quot;" in fmt.usage("es", "alert")


def test_topics_message_marks_followed_topics_and_escapes_descriptions() -> None:
    message = fmt.topics_message(TOPICS, {"cne"}, "es")
    assert "▫️ <b>Sanciones</b>  <code>sanctions</code>\nSanciones &amp; &lt;más&gt;" in message
    assert "✅ <b>CNE y elecciones</b>" in message


def test_topic_keyboard_has_one_toggle_per_topic() -> None:
    keyboard = fmt.topic_keyboard(TOPICS, {"cne"}, "en", view="start", data=toggle_data)
    assert keyboard == ((fmt.Button("▫️ Sanctions", "topic:start:sanctions"),
                         fmt.Button("✅ CNE and elections", "topic:start:cne")),)


@pytest.mark.parametrize(("lang", "expected"), [
    pytest.param("es", "Ahora sigues: Sanciones.\nYa seguías: CNE y elecciones.\n"
                       "Este chat sigue: Sanciones, CNE y elecciones.", id="es"),
    pytest.param("en", "You now follow: Sanctions.\nYou already followed: CNE and elections.\n"
                       "This chat follows: Sanctions, CNE and elections.", id="en"),
])
def test_subscribed(lang: str, expected: str) -> None:
    assert fmt.subscribed(["sanctions"], ["cne"], ["cne", "sanctions"], TOPICS, lang) == expected  # type: ignore[arg-type]


def test_unsubscribed_names_what_was_not_followed() -> None:
    assert fmt.unsubscribed([], ["cne"], [], TOPICS, "en") == (
        "You did not follow: CNE and elections.\nThis chat follows no topic. /topics to choose.")


def test_alerts_are_numbered_and_escaped() -> None:
    message = fmt.alerts_message([KeywordAlert(1, 1, '"edmundo gonzalez" -futbol'), KeywordAlert(2, 1, "<x>")],
                                 "en", maximum=20)
    assert "1. <code>&quot;edmundo gonzalez&quot; -futbol</code>\n2. <code>&lt;x&gt;</code>" in message
    assert "(2 of 20)" in message


def test_settings_show_everything_in_the_chats_language() -> None:
    message = fmt.settings_message(_chat(mode=ChatMode.DIGEST, digest_time=None), ["sanctions"], 3, TOPICS)
    assert message.splitlines()[1:] == [
        "Idioma: español", "Zona horaria: America/Caracas", "Resumen diario: desactivado",
        "Modo: solo resumen diario", "Horas de silencio: ninguno", "Temas: Sanciones", "Alertas de palabras: 3 (/alerts)",
        "Estado: activo"]


def test_turning_the_digest_off_in_digest_mode_warns_that_nothing_will_come() -> None:
    assert "no recibirá nada" in fmt.digest_off(_chat(mode=ChatMode.DIGEST, digest_time=None))
    assert "no recibirá nada" not in fmt.digest_off(_chat(digest_time=None))


@pytest.mark.parametrize(("chat", "expected"), [
    pytest.param(_chat(), "Modo instantáneo", id="instant"),
    pytest.param(_chat(mode=ChatMode.DIGEST), "a las 08:00", id="digest-says-when"),
    pytest.param(_chat(mode=ChatMode.DIGEST, digest_time=None), "desactivado", id="digest-while-off-says-so"),
])
def test_mode_set(chat: Chat, expected: str) -> None:
    assert expected in fmt.mode_set(chat)


def test_help_lists_every_command_with_an_example() -> None:
    message = fmt.help_message("en")
    for example in ("/start", "/subscribe sanctions cne", "/latest sanctions 10", "/digest 07:30", "/stop"):
        assert f"<code>{fmt.escape(example)}</code>" in message


def test_an_empty_digest_now_says_since_when_and_for_which_topics() -> None:
    message = fmt.digest_now_empty(["sanctions"], TOPICS, since=T0, lang="en", timezone="UTC")
    assert message == "No news about Sanctions since 23 Nov 12:05."
    assert fmt.digest_now_empty([], TOPICS, since=T0, lang="es", timezone="UTC").startswith("Este chat no sigue")


@settings(max_examples=200, deadline=None)
@given(typed=st.text(max_size=300))
def test_whatever_a_user_types_the_usage_reply_is_valid_html_that_shows_it(typed: str) -> None:
    message = fmt.usage("en", "subscribe", "topics.unknown_suggest",
                        {"topic": typed, "suggestion": "cne", "known": "protests, sanctions, cne, dialogue"})
    assert typed.strip() in parse_html(message).plain or not typed.strip()


# ---------------------------------------------------------------------------------------------------
# Admin commands


def feed_status(feed_id: int, name: str = "El Pitazo", url: str = "https://elpitazo.net/feed/", **health: object) -> FeedStatus:
    values: dict[str, object] = {
        "scope": Scope.VENEZUELA, "origin": FeedOrigin.CONFIG, "active": True, "last_fetched_at": None,
        "last_success_at": None, "last_error_at": None, "last_error_kind": None, "last_error_detail": None,
        "consecutive_failures": 0, "next_fetch_at": None, **health}
    return FeedStatus(id=feed_id, url=url, name=name, **values)  # type: ignore[arg-type]


def test_feeds_are_numbered_by_id_with_their_health_in_the_chats_zone() -> None:
    feeds = [
        feed_status(7, "Armando.info", "https://armando.info/feed", origin=FeedOrigin.ADMIN, scope=Scope.WORLD,
                    last_success_at=WHEN),
        feed_status(2, "Runrunes", "https://runrun.es/feed/", consecutive_failures=3, last_error_kind="timeout",
                    last_error_at=WHEN, last_error_detail="no complete answer within 20 s", last_success_at=WHEN),
        feed_status(3, "Old", active=False),
        feed_status(1),
    ]
    [message] = fmt.feeds_message(feeds, lang="en", timezone="America/Caracas")
    assert visible(message) == (
        "Feeds: 3 active, 1 failing.\nThe number is the one for /feed remove N.\n\n"
        "#1 ⏳ El Pitazo · elpitazo.net\nvenezuela · config.toml · not read yet\n\n"
        "#2 ⚠️ Runrunes · runrun.es\nvenezuela · config.toml · 3 failures in a row, the last timeout 23 Nov 08:30 "
        "“no complete answer within 20 s” · last success 23 Nov 08:30\n\n"
        "#7 ✅ Armando.info · armando.info\nworld · added by an admin · last success 23 Nov 08:30")


def test_no_active_feed_says_how_to_add_one() -> None:
    assert fmt.feeds_message([feed_status(1, active=False)], lang="es", timezone="UTC") == [
        "No hay fuentes activas. Añade una con <code>/feed add URL</code>."]


@pytest.mark.parametrize("name", [
    pytest.param("<b>Fake</b> & co", id="markup-in-a-name"),
    pytest.param("</code><a href='x'>", id="closing-tags"),
    pytest.param("x" * 5000, id="5000-characters"),
])
def test_hostile_feed_names_urls_and_errors_stay_text(name: str) -> None:
    hostile = feed_status(1, name, "https://evil.example/<b>?a=1&b=2", consecutive_failures=1,
                          last_error_kind="http_500", last_error_detail="<i>boom</i> & " + "y" * 5000)
    for message in fmt.feeds_message([hostile], lang="es", timezone="UTC"):
        shown = visible(message)
        assert name[:40] in shown and "<i>boom</i> & y" in shown and visible_length(message) <= MAX_MESSAGE
    for reply in (fmt.feed_added(hostile, 3, "en"), fmt.feed_known(hostile, "es"), fmt.feed_removed(hostile, "en"),
                  fmt.feed_from_config(hostile, "es"), fmt.feed_refused("<x>", "<b>bold</b> & more", "en")):
        assert visible_length(reply) <= MAX_MESSAGE
        parse_html(reply)


def test_hundreds_of_feeds_split_on_feed_boundaries_under_4096() -> None:
    feeds = [feed_status(number, f"Feed {number} " + "n" * 70, f"https://feed{number}.example/rss",
                         consecutive_failures=2, last_error_kind="connection", last_error_at=WHEN,
                         last_error_detail="d" * 300) for number in range(1, 301)]
    messages = fmt.feeds_message(feeds, lang="en", timezone="UTC")
    assert len(messages) > 1 and all(visible_length(message) <= MAX_MESSAGE for message in messages)
    shown = "".join(visible(message) for message in messages)
    assert all(shown.count(f"#{number} ⚠️") == 1 for number in range(1, 301))


@pytest.mark.parametrize(("kind", "reason"), [
    pytest.param("blocked_address", "its address is not public", id="blocked"),
    pytest.param("http_503", "the server answered with HTTP status 503.", id="http-status"),
    pytest.param("too_many_redirects", "its redirects lead to no feed.", id="redirects"),
    pytest.param("parser_crashed", "it could not be read.", id="any-other-kind"),
    pytest.param("http", "it could not be read.", id="http-without-status"),
])
def test_a_refusal_says_why_and_names_the_kind(kind: str, reason: str) -> None:
    shown = visible(fmt.feed_refused(kind, "detail", "en"))
    assert shown.startswith(f"I did not add the feed: {reason}") and shown.endswith(f"\n{kind} detail")


def test_an_added_feed_counts_its_entries() -> None:
    feed = feed_status(4, "Nuevo", "https://nuevo.example/rss", origin=FeedOrigin.ADMIN, scope=Scope.WORLD)
    assert visible(fmt.feed_added(feed, 1, "es")) == (
        "Fuente añadida: #4 Nuevo (nuevo.example, world), 1 entrada. La leeré en el próximo ciclo.")
    assert "no entries yet" in visible(fmt.feed_added(feed, 0, "en"))
    assert "12 entries" in visible(fmt.feed_added(feed, 12, "en"))


def test_stats_lists_every_topic_and_the_ones_that_left_the_config() -> None:
    stats = Stats(feeds_ok=15, feeds_failing=2, items_total=1234, items_today=56, chats_active=9, forum_topics_active=2,
                  subscriptions=(("cne", 3), ("weather", 1)), deliveries=(("failed", 1), ("pending", 4), ("sent", 80)),
                  last_fetch_at=WHEN)
    topics = (Topic(id="sanctions", name=Localized("Sanciones", "Sanctions"), description=Localized("d", "d"),
                    terms_es=("x",), terms_en=("x",)),
              Topic(id="cne", name=Localized("CNE y elecciones", "CNE & elections"), description=Localized("d", "d"),
                    terms_es=("x",), terms_en=("x",)))
    feedback = (TopicFeedback("sanctions", 12, 1), TopicFeedback("cne", 0, 0), TopicFeedback("weather", 1000, 3))
    assert visible(fmt.stats_message(stats, topics, lang="es", timezone="America/Caracas", feedback=feedback,
                                     feedback_days=7)) == (
        "Estadísticas\n"
        "Chats activos: 9; temas de foro con su propia configuración: 2\n"
        "Suscripciones: Sanciones 0 · CNE y elecciones 3 · weather 1\n"
        "Noticias: 56 en las últimas 24 h (1234 en total)\n"
        "Fuentes: 15 bien, 2 con errores; última lectura: 23/11 08:30\n"
        "Envíos: 4 pendientes, 1 fallidos, 80 enviados\n"
        "Alertas de los últimos 7 días marcadas «no es de este tema»: "
        "Sanciones 1 de 12 (8,3 %) · CNE y elecciones 0 de 0 · weather 3 de 1000 (0,3 %)")
    english = visible(fmt.stats_message(stats, topics, lang="en", timezone="UTC", feedback=(), feedback_days=30))
    assert "CNE & elections 3" in english
    assert english.endswith("Alerts of the last 30 days flagged “not about this topic”: none")


def test_help_shows_the_admin_commands_to_admins_only() -> None:
    assert "/feed add https://example.org/feed/ world" not in fmt.help_message("en")
    admin = visible(fmt.help_message("en", admin=True))
    assert "For the bot's administrators\n\n/feeds\nFeeds and their health" in admin
