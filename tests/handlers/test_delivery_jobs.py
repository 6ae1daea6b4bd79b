"""The delivery jobs as the Application registers them, and their callbacks run by hand (APScheduler itself
is not re-tested): the drain sends the outbox, the digest tick sends due digests, and configured channels
become chats the bot posts to."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.ext import Application

from bot import build_application
from delivery.digests import DigestService
from delivery.sender import Sender
from handlers.channels import sync_channels
from handlers.routing import start_handling
from handlers.services import Services
from model import ChatMode
from settings import ChannelSpec, Settings, TelegramSettings
from storage import deliveries as outbox
from storage.engine import Database
from storage.tables import chats, subscriptions
from tests.handlers.conftest import TOKEN
from tests.support.botapi import BotApiStandIn
from tests.support.builders import add_story
from tests.support.chats import add_chat
from tests.support.clock import FakeClock


@pytest.fixture
async def application(api: BotApiStandIn, settings: Settings, database: Database,
                      clock: FakeClock) -> AsyncIterator[Application]:
    settings = dataclasses.replace(
        settings, telegram=TelegramSettings(base_url=api.base_url, admin_ids=()),
        channels=(ChannelSpec(chat=-1005550001, topics=("sanctions",), mode=ChatMode.INSTANT, language="en"),))
    app = build_application(settings, token=TOKEN, clock=clock)
    async with app:
        services: Services = app.bot_data
        # What post_init does with the runtime: the Application's bot, one Sender for alerts and digests.
        services.install(settings=settings, database=database, clock=clock)
        sender = Sender(app.bot, database, clock, settings.topics)
        services.install_delivery(sender, DigestService(sender, database, clock, settings.topics))
        start_handling(app, settings)
        yield app


def job(app: Application, name: str):  # type: ignore[no-untyped-def]
    assert app.job_queue is not None
    [found] = app.job_queue.get_jobs_by_name(name)
    return found


def test_the_delivery_jobs_are_registered_with_their_intervals(application: Application, settings: Settings) -> None:
    intervals = {name: job(application, name).job.trigger.interval for name in ("drain", "digest", "channels")}
    assert intervals == {"drain": settings.schedule.send_interval, "digest": timedelta(minutes=1),
                         "channels": timedelta(hours=1)}
    services: Services = application.bot_data
    assert job(application, "drain").data is None and job(application, "digest").data is None  # they use Services
    assert services.digests.sender is services.sender  # one Sender: shared pacing


async def test_the_callbacks_sync_channels_drain_the_outbox_and_send_digests(
        application: Application, api: BotApiStandIn, database: Database, clock: FakeClock) -> None:
    await job(application, "channels").run(application)
    async with database.transaction() as session:
        channel = (await session.execute(select(chats).where(chats.c.id == -1005550001))).one()
        topics = list((await session.execute(
            select(subscriptions.c.topic).where(subscriptions.c.chat_id == -1005550001))).scalars())
    assert (channel.origin, channel.language, channel.active, topics) == ("config", "en", True, ["sanctions"])

    await add_chat(database, 7, topics=["sanctions"])
    story_id = await add_story(database, title="OFAC sanciona a funcionarios", published_at=clock() - timedelta(hours=1),
                               topics={"sanctions": ("ofac",)})
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(-1005550001, story_id, ("sanctions",)),
                                       outbox.NewDelivery(7, story_id, ("sanctions",))], now=clock())
    await job(application, "drain").run(application)
    assert sorted(m.chat_id for m in api.sent) == [-1005550001, 7]
    assert api.sent[0].disable_preview

    clock.set(datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC))  # 08:00 in Caracas the next day
    await add_story(database, title="El CNE fija la fecha", published_at=clock() - timedelta(hours=2),
                    topics={"sanctions": ("x",)}, fetched_at=clock() - timedelta(hours=1))
    await job(application, "digest").run(application)
    assert sorted(m.chat_id for m in api.sent[2:]) == [-1005550001, 7]
    assert all("El CNE fija la fecha" in m.plain_text for m in api.sent[2:])


async def test_a_channel_named_by_username_is_resolved_to_its_id(api: BotApiStandIn, settings: Settings,
                                                                 database: Database, clock: FakeClock) -> None:
    api.inject_channel_post(-1007770001, "hola", username="centinela_test", title="Centinela Test")
    specs = (ChannelSpec(chat="@centinela_test", topics=("cne",), mode=ChatMode.DIGEST, language="es"),
             ChannelSpec(chat="@no_such_channel", topics=("cne",), mode=ChatMode.DIGEST, language="es"))
    await add_chat(database, -1009990001, type="channel")
    async with database.transaction() as session:
        await session.execute(chats.update().where(chats.c.id == -1009990001).values(origin="config"))
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        stored = await sync_channels(bot, database, specs, settings.schedule, now=clock())
    assert stored == [-1007770001]
    async with database.transaction() as session:
        rows = {row.id: row for row in await session.execute(select(chats))}
    assert (rows[-1007770001].title, rows[-1007770001].mode, rows[-1007770001].type) == (
        "Centinela Test", "digest", "channel")
    assert rows[-1009990001].active  # one channel could not be resolved: nothing is retired this time
