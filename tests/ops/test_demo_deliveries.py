"""The demo's second half: after ingestion, what a subscriber to each topic (and to a keyword alert) would
receive, printed exactly as it would be sent."""

from __future__ import annotations

import io
from datetime import timedelta

from bot import build_runtime
from ops.demo import DEMO_POLICY, DemoClock, PrintingBot, no_wait, print_deliveries
from settings import Settings
from tests.support.botapi import parse_html
from tests.support.builders import add_story
from tests.support.clock import FakeClock


async def test_each_topic_subscriber_gets_its_alerts_and_digest_printed_as_sent(
        settings: Settings, clock: FakeClock) -> None:
    when, seen = clock() - timedelta(hours=2), clock()  # ingested just now
    demo_clock, printer = DemoClock(clock()), PrintingBot()
    async with build_runtime(settings, clock=demo_clock, bot=printer, policy=DEMO_POLICY,
                             wait_until=no_wait) as runtime:
        database = runtime.database
        await add_story(database, title="Marcha <masiva> & pacífica en Caracas", published_at=when, fetched_at=seen,
                        topics={"protests": ("marcha",)})
        await add_story(database, title="OFAC sanciona a funcionarios de Maduro", published_at=when, fetched_at=seen,
                        topics={"sanctions": ("ofac",)})
        for n in range(7):
            await add_story(database, title=f"El CNE anuncia la medida número {n}",
                            published_at=when + timedelta(minutes=n), fetched_at=seen, topics={"cne": ("cne",)})
        out = io.StringIO()

        sent = await print_deliveries(runtime, settings, printer, demo_clock, out)

    printed = out.getvalue()
    by_chat = {chat_id: [kind for kind, _ in messages] for chat_id, messages in sent.items()}
    assert by_chat == {1: ["alert", "digest"], 2: ["alert", "digest"], 3: ["alert", "digest"],
                       5: ["alert", "digest"]}  # 4 (dialogue) has nothing; 5 follows «maduro»
    assert "Subscriber to Diálogo (chat 4): 0 alert message(s), 0 digest message(s)" in printed
    assert "🔔 <b>7 alertas nuevas</b>" in sent[3][0][1]  # seven at once: one bundle
    for messages in sent.values():
        for _, text in messages:
            parse_html(text)  # valid Telegram HTML
            assert text in printed  # printed exactly as sent
    assert "Marcha &lt;masiva&gt; &amp; pacífica en Caracas" in printed
    assert "Alerta: «maduro»" in sent[5][0][1]
    assert "📰 <b>Resumen diario · 24/11/2026</b>" in sent[1][1][1]  # at the next digest time, 08:00 tomorrow
