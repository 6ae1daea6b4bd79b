"""Prometheus metrics: counters the jobs update as they work, and gauges read from the database at scrape time.

Each `Metrics` owns its registry (not the global one), so tests and several bots in one process do not mix.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from model import Stats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.cycle_seconds = Histogram(
            "centinela_ingest_cycle_seconds", "Duration of one ingestion cycle over all due feeds.",
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300), registry=self.registry)
        self.items_ingested = Counter(
            "centinela_items_ingested", "New items stored by ingestion.", registry=self.registry)
        self.messages_sent = Counter(
            "centinela_messages_sent", "Messages Telegram accepted (alerts, bundles, digests).",
            registry=self.registry)
        self.send_failures = Counter(
            "centinela_send_failures", "Sends Telegram refused, by outcome.", ["outcome"], registry=self.registry)
        self._feeds = Gauge("centinela_feeds", "Active feeds by health.", ["state"], registry=self.registry)
        self._items = Gauge("centinela_items_stored", "Items in the database.", registry=self.registry)
        self._chats = Gauge("centinela_chats_active", "Chats the bot serves, not counting forum topics.",
                            registry=self.registry)
        self._forum_topics = Gauge("centinela_forum_topics_active", "Forum topics with settings of their own.",
                                   registry=self.registry)
        self._deliveries = Gauge("centinela_deliveries", "Deliveries in the outbox by status.", ["status"],
                                 registry=self.registry)

    def count_sent(self) -> None:
        """A message Telegram accepted (`delivery.sender.SendCounters`)."""
        self.messages_sent.inc()

    def count_refused(self, outcome: str) -> None:
        """A send Telegram refused, by what the sender does about it."""
        self.send_failures.labels(outcome=outcome).inc()

    def render(self, stats: Stats) -> bytes:
        """The exposition text, with the database gauges set from `stats` first."""
        self._feeds.labels(state="ok").set(stats.feeds_ok)
        self._feeds.labels(state="failing").set(stats.feeds_failing)
        self._items.set(stats.items_total)
        self._chats.set(stats.chats_active)
        self._forum_topics.set(stats.forum_topics_active)
        for status in ("pending", "sent", "failed", "cancelled"):
            self._deliveries.labels(status=status).set(dict(stats.deliveries).get(status, 0))
        return generate_latest(self.registry)
