"""/feeds, /feed add|remove and /stats through the Bot API stand-in: for the user ids in
telegram.admin_ids only, in Spanish and English; /feed add fetches the address once through the real
fetcher and parse pool (the loopback feed server), and stores only a feed; admin feeds survive a restart.

The configured feeds are replaced by two on the loopback server, so that nothing here reaches for the
internet, and `fetch.allow_private_addresses` is on, since the feed server is itself a loopback address
(the test that leaves it off shows the guard refusing it). Ingestion cycles run when a test says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from handlers.jobs import INGEST_JOB
from handlers.menu import menus
from handlers.services import Services
from handlers.texts import ADMIN_COMMANDS, COMMANDS
from model import FeedOrigin, FeedSpec, FeedStatus, Scope
from settings import Settings
from storage import feeds as feed_store
from tests.handlers.conftest import ADMIN, GROUP, TOKEN, USER, Driver
from tests.support.botapi import BotApiStandIn
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer, running_server
from tests.support.running import running_bot

OWNER = 777  # the bot's administrator (telegram.admin_ids); USER and the group's ADMIN are not

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.org/</link>
<item><title>Maduro anuncia nuevas medidas</title><link>https://example.org/1</link><guid>1</guid></item>
<item><title>El CNE publica el cronograma</title><link>https://example.org/2</link><guid>2</guid></item>
</channel></rss>"""
HTML = "<!doctype html><html><head><title>Not a feed</title></head><body><p>Hola</p></body></html>"

NOT_ALLOWED = {"es": "Este comando es solo para quienes administran el bot.",
               "en": "This command is only for the bot's administrators."}


def rss(title: str = "Nuevo Medio") -> str:
    return RSS.format(title=title)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


@pytest.fixture
def settings(settings: Settings, feed_server: FeedServer) -> Settings:
    """Two config feeds on the loopback server, OWNER as the bot's administrator, private addresses allowed."""
    feeds = (FeedSpec(url=feed_server.route("/pitazo", rss("El Pitazo")), name="El Pitazo", scope=Scope.VENEZUELA),
             FeedSpec(url=feed_server.route("/bbc", rss("BBC Mundo")), name="BBC Mundo", scope=Scope.WORLD))
    return dataclasses.replace(
        settings, feeds=feeds, telegram=dataclasses.replace(settings.telegram, admin_ids=(OWNER,)),
        fetch=dataclasses.replace(settings.fetch, allow_private_addresses=True))


@pytest.fixture
def bot(bot: Driver) -> Driver:
    """The running bot without its ingestion job (due 2 s after start): tests run cycles themselves, so
    that what the feed server saw and what /feeds shows depend on the test alone."""
    for job in bot.app.job_queue.get_jobs_by_name(INGEST_JOB):  # type: ignore[union-attr]
        job.schedule_removal()
    return bot


async def owner(bot: Driver, text: str, *, lang: str = "en") -> str:
    """What the bot answers OWNER in their private chat (which speaks `lang` if this is its first message)."""
    return await bot.say(text, chat_id=OWNER, language_code=lang)


async def owner_in_spanish(bot: Driver, text: str) -> str:
    """What the bot answers OWNER in a group that speaks Spanish."""
    return await bot.say(text, chat_id=GROUP, chat_type="supergroup", user_id=OWNER, language_code="es")


async def stored(bot: Driver) -> dict[str, FeedStatus]:
    """url -> stored feed, every feed active or not."""
    services: Services = bot.app.bot_data
    async with services.database.transaction() as session:
        return {status.url: status for status in await feed_store.feed_statuses(session)}


# --------------------------------------------------------------------------------------------------
# Who may


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("text", ["/feeds", "/feed add https://example.org/feed/", "/feed remove 1", "/stats",
                                  "/feed", "/feed frobnicate"])
async def test_anyone_else_is_not_allowed_in_their_language(bot: Driver, feed_server: FeedServer, text: str,
                                                            lang: str) -> None:
    assert await bot.say(text, language_code=lang) == NOT_ALLOWED[lang]
    assert await bot.group(text, user_id=ADMIN, language_code=lang) == NOT_ALLOWED[lang]  # a group's admin too
    assert feed_server.requests == []


async def test_the_owner_may_use_them_in_a_group_too(bot: Driver) -> None:
    assert (await owner_in_spanish(bot, "/feeds")).startswith("Fuentes: 2 activas, 0 con errores.")


async def test_help_lists_the_admin_commands_for_the_owner_only(bot: Driver) -> None:
    assert "/feed add https://example.org/feed/ world" in await owner(bot, "/help")
    assert "For the bot's administrators" in await owner(bot, "/help")
    assert "/feed" not in await bot.say("/help")


async def test_the_admin_commands_are_in_the_owners_menu_only(bot: Driver) -> None:
    def names(scope: dict | None, code: str) -> list[str]:  # type: ignore[type-arg]
        return [command["command"] for command in bot.api.commands_for(scope, code)]

    # Published once polling has begun, one setMyCommands per list.
    await bot.api.wait_for_calls("setMyCommands", len(menus(bot.settings.telegram.admin_ids)))
    mine = {"type": "chat", "chat_id": OWNER}
    assert names(mine, "") == list(COMMANDS + ADMIN_COMMANDS) == names(mine, "es")
    for scope in (None, {"type": "all_group_chats"}, {"type": "all_chat_administrators"}):
        assert not set(ADMIN_COMMANDS) & set(names(scope, "")) and not set(ADMIN_COMMANDS) & set(names(scope, "es"))
    spanish = {command["command"]: command["description"] for command in bot.api.commands_for(mine, "es")}
    assert spanish["feed"] == "Añadir o quitar una fuente"


# --------------------------------------------------------------------------------------------------
# /feeds


async def test_feeds_lists_every_active_feed_by_number_with_its_health(bot: Driver) -> None:
    ids = {status.name: status.id for status in (await stored(bot)).values()}
    answer = await owner(bot, "/feeds")
    assert answer.startswith("Feeds: 2 active, 0 failing.\nThe number is the one for /feed remove N.")
    assert f"#{ids['El Pitazo']} ⏳ El Pitazo · 127.0.0.1\nvenezuela · config.toml · not read yet" in answer
    assert f"#{ids['BBC Mundo']} ⏳ BBC Mundo · 127.0.0.1\nworld · config.toml · not read yet" in answer
    assert "venezuela · config.toml · aún sin leer" in await owner_in_spanish(bot, "/feeds")


async def test_feeds_shows_successes_and_failures_after_a_cycle(bot: Driver, feed_server: FeedServer) -> None:
    feed_server.route("/bbc", "gone", status=404)
    services: Services = bot.app.bot_data
    await services.ingestion.run_cycle(now=bot.clock())
    answer = await owner(bot, "/feeds")
    assert answer.startswith("Feeds: 2 active, 1 failing.")
    assert "✅ El Pitazo · 127.0.0.1\nvenezuela · config.toml · last success 23 Nov 08:00" in answer
    assert "⚠️ BBC Mundo · 127.0.0.1\nworld · config.toml · failed last time: http_404 23 Nov 08:00" in answer


# --------------------------------------------------------------------------------------------------
# /feed add


async def test_feed_add_fetches_reads_and_stores_an_admin_feed(bot: Driver, feed_server: FeedServer) -> None:
    url = feed_server.route("/nuevo", rss("Nuevo  <b>Medio</b> &amp; Cía"))
    answer = await owner(bot, f"/feed add {url} venezuela")
    feed = (await stored(bot))[url]
    assert answer == (f"Feed added: #{feed.id} Nuevo Medio & Cía (127.0.0.1, venezuela), 2 entries. "
                      "I'll read it in the next cycle.")
    assert (feed.origin, feed.scope, feed.active, feed.name) == (
        FeedOrigin.ADMIN, Scope.VENEZUELA, True, "Nuevo Medio & Cía")
    assert len(feed_server.hits("/nuevo")) == 1
    listed = await owner(bot, "/feeds")
    assert f"#{feed.id} ⏳ Nuevo Medio & Cía · 127.0.0.1\nvenezuela · added by an admin · not read yet" in listed


async def test_the_scope_is_world_unless_told_and_the_answer_is_in_the_chats_language(
        bot: Driver, feed_server: FeedServer) -> None:
    url = feed_server.route("/mundo", rss("Medio Mundial"))
    answer = await owner(bot, f"/feed add {url}", lang="es")
    assert answer.endswith("Medio Mundial (127.0.0.1, world), 2 entradas. La leeré en el próximo ciclo.")
    assert (await stored(bot))[url].scope is Scope.WORLD


async def test_an_added_feed_is_ingested_by_the_next_cycle(bot: Driver, feed_server: FeedServer) -> None:
    url = feed_server.route("/nuevo", rss())
    await owner(bot, f"/feed add {url}")
    services: Services = bot.app.bot_data
    report = await services.ingestion.run_cycle(now=bot.clock())
    assert {line.name: line.new_items for line in report.feeds}["Nuevo Medio"] == 2
    assert "News: 6 in the last 24 h (6 in all)" in await owner(bot, "/stats")


async def test_an_address_already_stored_is_not_added_twice(bot: Driver, feed_server: FeedServer) -> None:
    config = (await stored(bot))[feed_server.url("/pitazo")]
    assert await owner(bot, f"/feed add {config.url}") == f"That address already is feed #{config.id} El Pitazo."
    url = feed_server.route("/nuevo", rss())
    await owner(bot, f"/feed add {url}")
    again = await owner(bot, f"/feed add {url}")
    assert again == f"That address already is feed #{(await stored(bot))[url].id} Nuevo Medio."
    assert len(feed_server.hits("/nuevo")) == 1 and feed_server.hits("/pitazo") == []  # known: not fetched


@pytest.mark.parametrize(("route", "expected"), [
    pytest.param({"body": HTML, "headers": {"Content-Type": "text/html"}},
                 "I did not add the feed: what is there is not an RSS, Atom or RDF feed.\nnot_a_feed", id="html"),
    pytest.param({"body": "gone", "status": 404},
                 "I did not add the feed: the server answered with HTTP status 404.\nhttp_404", id="404"),
    pytest.param({"body": "", "status": 200}, "I did not add the feed: the answer is empty.\nempty", id="empty"),
])
async def test_an_address_that_gives_no_feed_is_refused_with_its_kind(
        bot: Driver, feed_server: FeedServer, route: dict, expected: str) -> None:  # type: ignore[type-arg]
    url = feed_server.route("/bad", **route)
    assert (await owner(bot, f"/feed add {url}")).startswith(expected)
    assert url not in await stored(bot)


async def test_a_redirect_loop_is_refused(bot: Driver, feed_server: FeedServer) -> None:
    feed_server.redirect("/a", feed_server.url("/b"))
    feed_server.redirect("/b", feed_server.url("/a"))
    answer = await owner(bot, f"/feed add {feed_server.url('/a')}", lang="es")
    assert answer.startswith("No añadí la fuente: sus redirecciones no llevan a ningún feed.\nredirect_loop")


async def test_feed_add_does_not_hold_up_other_chats(bot: Driver, feed_server: FeedServer) -> None:
    gate = feed_server.gate()
    url = feed_server.route("/lento", rss("Lento"), gate=gate)
    before = len(bot.api.messages_for(OWNER))
    bot.clock.advance(seconds=1)
    bot.api.inject_message(OWNER, f"/feed add {url}", user_id=OWNER, language_code="en")
    assert (await bot.say("/help")).startswith("Commands")  # answered while /feed add waits for its feed
    assert len(bot.api.messages_for(OWNER)) == before
    gate.set()
    [added] = (await bot.api.wait_for_messages(OWNER, before + 1))[before:]
    assert added.plain_text.startswith("Feed added: #")


async def test_private_addresses_are_refused_unless_the_config_allows_them(
        api: BotApiStandIn, settings: Settings, clock: FakeClock, feed_server: FeedServer) -> None:
    guarded = dataclasses.replace(settings, fetch=dataclasses.replace(settings.fetch, allow_private_addresses=False))
    url = feed_server.route("/interno", rss())
    async with running_bot(guarded, api, token=TOKEN, clock=clock) as app:
        bot = Driver(api=api, app=app, clock=clock, settings=guarded)
        for answer, expected in ((await owner(bot, f"/feed add {url}"), "I did not add the feed: its address is not public"),
                                 (await owner_in_spanish(bot, f"/feed add {url}"),
                                  "No añadí la fuente: su dirección no es pública")):
            assert answer.startswith(expected), answer
            assert "fetch.allow_private_addresses = true" in answer
            assert "blocked_address 127.0.0.1 is loopback" in answer
        assert url not in await stored(bot)
    assert feed_server.hits("/interno") == []


# --------------------------------------------------------------------------------------------------
# /feed remove


async def test_feed_remove_switches_an_admin_feed_off_and_add_brings_it_back(
        bot: Driver, feed_server: FeedServer) -> None:
    url = feed_server.route("/nuevo", rss())
    await owner(bot, f"/feed add {url}")
    feed_id = (await stored(bot))[url].id
    assert await owner(bot, f"/feed remove {feed_id}") == (
        f"Feed #{feed_id} Nuevo Medio switched off; its news stays. "
        "/feed add with the same address brings it back.")
    assert not (await stored(bot))[url].active
    assert "Nuevo Medio" not in await owner(bot, "/feeds")
    assert await owner(bot, f"/feed remove #{feed_id}") == f"There is no active feed #{feed_id}. /feeds lists them."
    assert (await owner(bot, f"/feed add {url}")).startswith(f"Feed added: #{feed_id} Nuevo Medio")
    assert (await stored(bot))[url].active


async def test_a_config_feed_is_not_removed_here(bot: Driver, feed_server: FeedServer) -> None:
    feed = (await stored(bot))[feed_server.url("/pitazo")]
    assert await owner(bot, f"/feed remove {feed.id}", lang="es") == (
        f"La fuente #{feed.id} El Pitazo viene de config.toml: para quitarla, bórrala allí y reinicia el bot.")
    assert (await stored(bot))[feed_server.url("/pitazo")].active


async def test_an_unknown_number_is_not_found(bot: Driver) -> None:
    assert await owner(bot, "/feed remove 999", lang="es") == (
        "No hay ninguna fuente activa #999. /feeds muestra las que hay.")


async def test_admin_feeds_survive_a_restart_and_config_feeds_follow_the_config(
        api: BotApiStandIn, settings: Settings, clock: FakeClock, feed_server: FeedServer) -> None:
    url = feed_server.route("/nuevo", rss())
    async with running_bot(settings, api, token=TOKEN, clock=clock) as app:
        await Driver(api=api, app=app, clock=clock, settings=settings).say(f"/feed add {url}", chat_id=OWNER)
    fewer = dataclasses.replace(settings, feeds=settings.feeds[:1])  # BBC Mundo left config.toml
    async with running_bot(fewer, api, token=TOKEN, clock=clock) as app:
        answer = await Driver(api=api, app=app, clock=clock, settings=fewer).say("/feeds", chat_id=OWNER)
    assert answer.startswith("Feeds: 2 active, 0 failing.")
    assert "Nuevo Medio · 127.0.0.1\nworld · added by an admin" in answer
    assert "El Pitazo" in answer and "BBC Mundo" not in answer


# --------------------------------------------------------------------------------------------------
# Bad arguments


LONG_URL = "https://example.org/" + "a" * 2100
BAD_FEED_ARGS = [
    ("/feed", None),
    ("/feed frobnicate", ("Primero di qué hacer", "First say what to do")),
    ("/feed add", ("Falta la dirección del feed.", "The feed's address is missing.")),
    ("/feed add example.org/feed", ("«example.org/feed» no es una dirección http(s) completa",
                                    "“example.org/feed” is not a full http(s) address")),
    ("/feed add ftp://example.org/feed", ("no es una dirección http(s)", "is not a full http(s) address")),
    ("/feed add http://example.org:99999/", ("no es una dirección http(s)", "is not a full http(s) address")),
    (f"/feed add {LONG_URL}", ("Esa dirección tiene 2120 caracteres; como mucho acepto 2048.",
                               "That address has 2120 characters; I take 2048 at most.")),
    ("/feed add https://ana:secreto@example.org/feed", ("No guardo direcciones con usuario o contraseña",
                                                        "I don't store addresses with a user name or password")),
    ("/feed add https://example.org/feed moon", ("«moon» no es un alcance.", "“moon” is not a scope.")),
    ("/feed add https://example.org/feed world extra", ("Sobra algo: «extra».", "Something is left over: “extra”.")),
    ("/feed remove", ("Falta el número de la fuente", "The feed's number is missing")),
    ("/feed remove tres", ("«tres» no es un número de fuente de /feeds.", "“tres” is not a feed number from /feeds.")),
    ("/feed remove 0", ("«0» no es un número", "“0” is not a feed number")),
    ("/feed remove 1 2", ("Sobra algo: «2».", "Something is left over: “2”.")),
]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize(("text", "detail"), BAD_FEED_ARGS, ids=[case[0][:40] for case in BAD_FEED_ARGS])
async def test_bad_arguments_are_answered_with_what_was_wrong_and_the_usage(
        bot: Driver, feed_server: FeedServer, text: str, detail: tuple[str, str] | None, lang: str) -> None:
    answer = await owner(bot, text, lang=lang)
    if detail is not None:
        assert detail[0 if lang == "es" else 1] in answer.partition("\n")[0], answer
    usage = {"es": "Uso: /feed add URL [venezuela|world]  ·  /feed remove N\n"
                   "Ejemplo: /feed add https://example.org/feed/ world",
             "en": "Usage: /feed add URL [venezuela|world]  ·  /feed remove N\n"
                   "Example: /feed add https://example.org/feed/ world"}[lang]
    assert answer.endswith(usage)
    assert len(answer) < 1000  # an oversized argument is not echoed back
    assert feed_server.requests == []


# --------------------------------------------------------------------------------------------------
# /stats


async def test_stats_counts_chats_subscriptions_news_and_deliveries(bot: Driver) -> None:
    await bot.say("/subscribe sanctions cne")
    await bot.group("/subscribe sanctions", user_id=ADMIN)
    await bot.say("/start", chat_id=USER + 1)
    spanish = await owner(bot, "/stats", lang="es")
    # A chat is stored once it saves something: USER and the group; not USER + 1, who only said /start.
    assert spanish.startswith("Estadísticas\nChats activos: 2\nSuscripciones: Protestas 0 · Sanciones 2")
    assert spanish.endswith("Envíos: 0 pendientes, 0 fallidos, 0 enviados\n"
                            "Alertas de los últimos 7 días marcadas «no es de este tema»: Protestas 0 de 0 · "
                            "Sanciones 0 de 0 · CNE y elecciones 0 de 0 · Diálogo 0 de 0")
    await owner(bot, "/language en")
    assert await owner(bot, "/stats") == (
        "Statistics\n"
        "Active chats: 3\n"  # USER, the group and OWNER's own chat (which saved its language)
        "Subscriptions: Protests 0 · Sanctions 2 · CNE and elections 1 · Dialogue 0\n"
        "News: 0 in the last 24 h (0 in all)\n"
        "Feeds: 2 fine, 0 failing; last read: never\n"
        "Deliveries: 0 pending, 0 failed, 0 sent\n"
        "Alerts of the last 7 days flagged “not about this topic”: Protests 0 of 0 · Sanctions 0 of 0 · "
        "CNE and elections 0 of 0 · Dialogue 0 of 0")
