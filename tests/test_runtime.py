"""The one runtime of `bot.build_runtime`: alerts, digests and `/digest now` go out through one Sender, so
a 429 that Telegram answered to the outbox drain holds the digest sent on demand too."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Bot

from bot import build_runtime
from delivery.fanout import FanOut
from feeds.ingest import no_classification
from settings import Settings
from tests.support.botapi import BotApiStandIn, retry_after
from tests.support.builders import add_story
from tests.support.chats import add_chat, new_story_events
from tests.support.clock import FakeClock
from tests.support.delivery import clock_waiter


async def test_digest_now_shares_the_senders_pacing_and_429_hold(api: BotApiStandIn, telegram_bot: Bot,
                                                                 settings: Settings, clock: FakeClock) -> None:
    waits: list[datetime] = []
    async with build_runtime(settings, clock=clock, bot=telegram_bot, classify=no_classification,
                             wait_until=clock_waiter(clock, waits)) as runtime:
        assert runtime.digests.sender is runtime.sender
        await add_chat(runtime.database, 1, topics=["cne"], digest_time=None)
        await add_chat(runtime.database, 2, topics=["cne"])
        story = await add_story(runtime.database, title="El CNE fija la fecha", topics={"cne": ("cne",)},
                                published_at=clock() - timedelta(hours=1),
                                fetched_at=clock() - timedelta(minutes=30))
        events = await new_story_events(runtime.database, [story])
        async with runtime.database.transaction() as session:
            await FanOut(now=clock()).on_new(session, events)
        api.fail_next(error=retry_after(30), chat_id=2)
        held_until = clock() + timedelta(seconds=30)

        await runtime.sender.drain()  # chat 1 gets its alert; chat 2's send is refused with a 429
        assert waits == [] and len(api.messages_for(1)) == 1

        assert await runtime.digests.send_now(1) == 1  # /digest now
    assert waits[-1] == held_until  # it waited out the hold Telegram gave the drain
    assert [m.chat_id for m in api.sent] == [1, 1]
