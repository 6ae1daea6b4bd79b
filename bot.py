"""Centinela's command line and its one composition root.

This is the only module that reads the environment, the real clock and the config path. `build_runtime`
builds the services the bot runs on, once: the database, the feed fetcher and parse pool, ingestion with
its on-new hook (fan-out, holding the keyword-alert index), the one Sender and the digest service.
`run`, `demo`, `fetch` and the benches all use it; `run` also builds the python-telegram-bot
`Application` and installs the runtime into its handlers and jobs. It holds no business logic, and
nothing below it imports it (tests and benches do).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import logging
import os
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

# PTB 22 deprecates integer durations (RetryAfter.retry_after and friends); opt in to timedelta before
# telegram is imported, so no deprecation path is ever taken.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from errors import AnotherInstance, ConfigError, StorageError  # noqa: E402
from settings import Settings, load  # noqa: E402

if TYPE_CHECKING:
    from delivery.digests import DigestService
    from delivery.fanout import FanOutHook
    from delivery.outcome import SendPolicy
    from delivery.sender import MaySend, MessageBot, Sender, WaitUntil
    from feeds.pool import ParsePool
    from feeds.service import Ingestion
    from feeds.worker import Classify
    from handlers.services import BotApplication, Services
    from model import Clock
    from ops.metrics import Metrics
    from storage.engine import Database
    from storage.instance import ActiveLock

log = logging.getLogger("centinela")

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DATABASE_WATCH_SECONDS = 2  # how often `run` checks that its SQLite file is still the one it opened
START_RETRY_FIRST = 2  # seconds before trying an unreachable Telegram again at start, doubled each time...
START_RETRY_MAX = 60  # ...up to this
OPENING_AT_STOP = 10  # seconds a stop waits for the runtime to finish opening (the updates meanwhile wait for it)
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"


def utc_now() -> datetime:
    """The real clock. Everything below this module receives it (or a fake) as an argument."""
    return datetime.now(UTC)


class RedactingFilter(logging.Filter):
    """Replaces every occurrence of the secrets in a log record's final text with a placeholder.

    HTTP client libraries log request URLs, and Bot API URLs contain the token.
    """

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[REDACTED]")
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, so the formatter does not print the raw one.
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self._secrets:
                text = text.replace(secret, "[REDACTED]")
            record.exc_text = text
            record.exc_info = None
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RetriedAtStart(logging.Filter):
    """PTB logs a network failure of its start-up (getMe) as an ERROR with a traceback before raising it;
    `run` retries it and says so in one WARNING line, so that record is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        from telegram.error import NetworkError

        failure = record.exc_info[1] if record.exc_info else None
        return not (record.name.startswith("telegram.ext") and "Bootstrap" in record.getMessage()
                    and isinstance(failure, NetworkError))


def configure_logging(level: str, secrets: Sequence[str], stream: TextIO = sys.stderr) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RetriedAtStart())  # before the redaction, which renders and drops the exception
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and those URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)  # one line per SQLite call at DEBUG


# ---------------------------------------------------------------------------------------------------
# The runtime: every service the bot runs on, built once


@dataclass(frozen=True, slots=True)
class Runtime:
    """The services of one bot process. `sender` and `digests` exist only when a bot to send with was
    given (`fetch` sends nothing)."""

    settings: Settings
    clock: Clock
    database: Database
    metrics: Metrics
    pool: ParsePool  # the parse worker processes (also in `ingestion`)
    ingestion: Ingestion  # the fetcher, the parse pool and `on_new`
    on_new: FanOutHook  # fan-out after each stored batch, holding the keyword-alert index
    delivery: tuple[Sender, DigestService] | None

    @property
    def sender(self) -> Sender:
        """The one Sender: alerts, digests and /digest now share its per-chat pacing and its 429 hold."""
        return self._delivery()[0]

    @property
    def digests(self) -> DigestService:
        """The digest service, sending through `sender`."""
        return self._delivery()[1]

    def _delivery(self) -> tuple[Sender, DigestService]:
        if self.delivery is None:
            raise RuntimeError("this runtime was built without a bot, so it sends nothing")
        return self.delivery


@asynccontextmanager
async def build_runtime(settings: Settings, *, clock: Clock = utc_now, bot: MessageBot | None = None,
                        classify: Classify | None = None, policy: SendPolicy | None = None,
                        wait_until: WaitUntil | None = None, serve_health: bool = False,
                        may_send: MaySend | None = None) -> AsyncIterator[Runtime]:
    """Open everything `settings` describes (migrating the database and registering the config's feeds),
    yield it as a `Runtime`, and close it all on the way out. Items are classified by the configured topics
    unless `classify` says otherwise; `serve_health` starts the health and metrics port when the config has
    one (`run` does; `demo` and `fetch` do not); `may_send` is asked before every send round (`run` passes
    its active-instance lock's confirmation)."""
    from delivery.fanout import FanOutHook
    from feeds.fetch import open_fetcher
    from feeds.ingest import IngestDeps, no_classification, register_config_feeds
    from feeds.pool import ParsePool
    from feeds.service import Ingestion
    from ops.health import HealthServer
    from ops.metrics import Metrics
    from storage.engine import Database

    database = Database(settings.database.url)
    async with AsyncExitStack() as opened:
        opened.push_async_callback(database.close)
        await database.upgrade()
        metrics = Metrics()
        if serve_health and settings.health.port:
            server = HealthServer(database, metrics, clock, max_cycle_age=settings.health.max_cycle_age)
            await server.start(settings.health.listen, settings.health.port)
            opened.push_async_callback(server.stop)
        await register_config_feeds(database, settings.feeds, now=clock())
        fetcher = await opened.enter_async_context(
            open_fetcher(settings.fetch, user_agents=settings.feed_user_agents()))
        # The configured classifier runs in the parse workers, off the event loop; one given here (tests) runs
        # in this process.
        pool = ParsePool(settings.fetch.parse_workers, budget=settings.fetch.parse_timeout,
                         classify=None if classify else classifier_for(settings))
        opened.callback(pool.close)
        on_new = FanOutHook(clock)
        deps = IngestDeps(database=database, fetcher=fetcher, pool=pool, limits=settings.fetch,
                          interval=settings.schedule.fetch_interval, classify=classify or no_classification,
                          on_new=on_new)
        delivery = None
        if bot is not None:  # `fetch` sends nothing, and is spared telegram's imports
            from delivery.digests import DigestService
            from delivery.sender import Sender, always_active

            sender = Sender(bot, database, clock, settings.topics, policy=policy, wait_until=wait_until,
                            metrics=metrics, may_send=may_send or always_active)
            delivery = (sender, DigestService(sender, database, clock, settings.topics,
                                              per_group=settings.schedule.digest_stories_per_topic))
        yield Runtime(settings=settings, clock=clock, database=database, metrics=metrics,
                      pool=pool, ingestion=Ingestion(deps), on_new=on_new, delivery=delivery)


def settle_memory() -> None:
    """Once the runtime is open: what start-up allocated (the imports, the runtime, the classifier) is kept for
    good, so the garbage collector's full collections stop scanning it. During a first cycle each of those
    collections stopped the event loop for 60-200 ms, and commands with it (docs/design.md, issue 14)."""
    gc.collect()
    gc.freeze()


def classifier_for(settings: Settings) -> Classify:
    """What ingestion calls to give an item its topics: the configured topics, compiled once."""
    from feeds.topics import ConfiguredTopics, load_classifier

    return ConfiguredTopics(load_classifier(settings))


# What the runtime and the handlers import (SQLAlchemy, Alembic, aiohttp, feedparser, the classifier's model):
# about a second of CPU, imported in a thread once the bot polls.
RUNTIME_MODULES = ("storage.engine", "feeds.service", "feeds.ingest", "feeds.fetch", "feeds.pool", "feeds.topics",
                   "delivery.fanout", "delivery.digests", "delivery.sender", "ops.health", "handlers.routing")


def import_runtime() -> None:
    for name in RUNTIME_MODULES:
        importlib.import_module(name)


def build_application(settings: Settings, *, token: str, clock: Clock = utc_now,
                      classify: Classify | None = None, standby: bool = False) -> BotApplication:
    """The Telegram bot over one runtime, installed into the handlers' `Services`, closed at shutdown.

    post_init takes the active-instance lock (before anything that polls or sends) and returns: polling
    begins at once, and the runtime (with the Application's bot, so that every send goes through its rate
    limiter) opens meanwhile, its imports in a thread; updates wait until it is open and the handlers are in.
    If it cannot open, the bot stops with status 1."""
    from handlers.app import build_application as telegram_application

    runtimes = AsyncExitStack()
    stoppers: list[Callable[[], None]] = []  # once the runtime is open: stop the Sender, cancel the cycle
    tasks: list[asyncio.Task[None]] = []  # the opening first, then the stop

    async def when_running(application: BotApplication) -> None:
        """`stop_running` does nothing until `run_polling` has started the Application."""
        while not application.running:
            await asyncio.sleep(0.05)
        application.stop_running()

    async def stop_after_opening(application: BotApplication) -> None:
        """A stop while the runtime opens lets it finish (for up to OPENING_AT_STOP seconds), so that the updates
        that came meanwhile are handled, not lost."""
        await asyncio.wait(tasks[:1], timeout=OPENING_AT_STOP)
        tasks[0].cancel()
        for stop in stoppers:
            stop()
        await when_running(application)

    def stop_soon(application: BotApplication) -> None:
        """SIGTERM or SIGINT: the message in flight finishes, the cycle in progress is abandoned, and
        the process is gone within seconds (systemd's TimeoutStopSec is 30), whatever it was doing."""
        log.info("stopping: the message in flight finishes; nothing else is started")
        tasks.append(asyncio.create_task(stop_after_opening(application)))

    async def open_runtime(application: BotApplication, lock: ActiveLock) -> None:
        await asyncio.to_thread(import_runtime)
        from handlers.jobs import IngestRuntime, schedule_ingest
        from handlers.routing import start_handling

        runtime = await runtimes.enter_async_context(
            build_runtime(settings, clock=clock, bot=application.bot, classify=classify, serve_health=True,
                          may_send=lock.confirm))
        services: Services = application.bot_data
        services.metrics = runtime.metrics
        services.install(settings=settings, database=runtime.database, clock=clock)
        services.install_ingestion(runtime.ingestion)
        services.install_delivery(runtime.sender, runtime.digests)
        services.install_fanout(runtime.on_new)
        assert application.job_queue is not None, "the JobQueue is missing: install python-telegram-bot[job-queue]"
        ingesting = schedule_ingest(application.job_queue, runtime.ingestion).data
        assert isinstance(ingesting, IngestRuntime)
        stoppers.extend((runtime.sender.stop, ingesting.cancel))

        async def watch_database(_context: object) -> None:
            try:
                runtime.database.check_file()
            except StorageError as exc:
                log.error("%s: the bot stops (restore the file or fix the path, then start it again)", exc)
                services.exit_status = 4
                stop_soon(application)
            if not await lock.confirm() and lock.superseded:
                log.error("another instance took the active-instance lock while this one had lost its database "
                          "session: this one stops")
                services.exit_status = 3
                stop_soon(application)

        application.job_queue.run_repeating(watch_database, interval=DATABASE_WATCH_SECONDS,
                                            first=DATABASE_WATCH_SECONDS, name="database-watch")
        start_handling(application, settings)
        settle_memory()
        log.info("ready: the database is open and commands are answered")

    async def opening(application: BotApplication, lock: ActiveLock) -> None:
        services: Services = application.bot_data
        try:
            await open_runtime(application, lock)
        except asyncio.CancelledError:
            services.handling.set()  # the updates that waited go unanswered, and the Application can stop
            raise
        except Exception:  # noqa: BLE001 - reported once, redacted, with its traceback
            log.exception("the bot could not open its database and services: it stops")
            services.exit_status = 1
            services.handling.set()
            await when_running(application)

    async def start_runtime(application: BotApplication) -> None:
        from storage.instance import active_instance

        # Before anything that sends or polls: one active bot per database (a standby waits here).
        lock = await runtimes.enter_async_context(active_instance(settings.database.url, standby=standby))
        loop = asyncio.get_running_loop()
        for stop_signal in STOP_SIGNALS:
            loop.add_signal_handler(stop_signal, stop_soon, application)
        tasks.append(asyncio.create_task(opening(application, lock)))

    async def stop_runtime(_application: BotApplication) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtimes.aclose()

    return telegram_application(settings, token=token, start_runtime=start_runtime, stop_runtime=stop_runtime)


# ---------------------------------------------------------------------------------------------------
# Subcommands


def command_run(settings: Settings, args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"error: {TOKEN_ENV} is not set; get a token from @BotFather and export it", file=sys.stderr)
        return 2
    webhook_secret = os.environ.get(WEBHOOK_SECRET_ENV, "").strip() or secrets.token_urlsafe(32)
    # The token's secret half too: it is the part that matters, and it may appear on its own.
    configure_logging(args.log_level or settings.log_level, [token, token.partition(":")[2], webhook_secret])
    # Imported here, not at the top: the parse worker processes run this module's top level again (that is
    # how multiprocessing prepares a child), and they have no use for telegram.
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    if args.webhook and not settings.webhook.enabled:
        print("error: --webhook needs webhook.url in the config", file=sys.stderr)
        return 2
    backend = settings.database.url.split("://")[0]
    wait = START_RETRY_FIRST
    while True:
        asyncio.set_event_loop(asyncio.new_event_loop())  # each try runs (and PTB closes) a loop of its own
        application = build_application(settings, token=token, standby=args.standby)
        # Whatever stops the bot goes through the (redacting) log, never as a bare traceback: PTB's
        # InvalidToken, for one, quotes the whole token.
        try:
            if settings.webhook.enabled:
                log.info("starting (webhook on %s:%d), database %s", settings.webhook.listen, settings.webhook.port,
                         backend)
                application.run_webhook(listen=settings.webhook.listen, port=settings.webhook.port, stop_signals=None,
                                        url_path=urlsplit(settings.webhook.url).path.lstrip("/"),
                                        webhook_url=settings.webhook.url, secret_token=webhook_secret,
                                        allowed_updates=Update.ALL_TYPES)
            else:
                log.info("starting (long polling), database %s", backend)
                application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)  # ours: STOP_SIGNALS
            return application.bot_data.exit_status
        except InvalidToken:
            log.error("Telegram rejected the token in %s: check it with @BotFather", TOKEN_ENV)
            return 2
        except AnotherInstance as exc:
            log.error("%s: this one stops (run it with --standby to take over when that one ends)", exc)
            return 3
        except NetworkError as exc:  # only at start: once running, PTB retries a failed poll by itself
            log.warning("Telegram is unreachable (%s: %s); trying again in %d s", type(exc).__name__, exc, wait)
            time.sleep(wait)
            wait = min(wait * 2, START_RETRY_MAX)
        except Exception:  # noqa: BLE001 - reported once, redacted, with its traceback
            log.exception("the bot stopped on an unexpected error")
            return 1


def command_demo(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(args.log_level or settings.log_level, [])
    from feeds.snapshots import serve_snapshots
    from ops.demo import DEMO_POLICY, DemoClock, PrintingBot, demo_settings, no_wait, run_demo

    async def demo() -> int:
        clock, printer = DemoClock(), PrintingBot()
        with tempfile.TemporaryDirectory(prefix="centinela-demo-") as folder:
            async with serve_snapshots() as server, build_runtime(
                    demo_settings(settings, server, Path(folder)), clock=clock, bot=printer, policy=DEMO_POLICY,
                    wait_until=no_wait) as runtime:
                return await run_demo(settings, runtime, printer, clock, sys.stdout)

    return asyncio.run(demo())


def command_fetch(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(args.log_level or settings.log_level, [])

    async def fetch() -> int:
        async with build_runtime(settings) as runtime:
            while True:
                report = await runtime.ingestion.run_cycle(now=utc_now(), everything=args.once)
                print("\n".join(report.lines()), flush=True)
                if args.once:
                    return 1 if report.feeds and len(report.failed) == len(report.feeds) else 0
                await asyncio.sleep(settings.schedule.fetch_interval.total_seconds())

    try:
        return asyncio.run(fetch())
    except KeyboardInterrupt:
        return 130


def command_db(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(args.log_level or settings.log_level, [])
    from storage.engine import Database

    async def upgrade() -> str | None:
        database = Database(settings.database.url)
        try:
            await database.upgrade()
            return await database.revision()
        finally:
            await database.close()

    print(f"database at migration {asyncio.run(upgrade())}")
    return 0


def command_classify(settings: Settings, args: argparse.Namespace) -> int:
    from ops.classify import run_classify

    if args.file is None:
        return run_classify(settings, sys.stdin, sys.stdout)
    try:
        with open(args.file, encoding="utf-8") as stream:
            return run_classify(settings, stream, sys.stdout)
    except OSError as exc:
        print(f"error: {args.file}: {exc.strerror}", file=sys.stderr)
        return 2


def command_evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from model import Scope
    from ops.classify import run_evaluate

    return run_evaluate(settings, args.file, sys.stdout, split=args.split,
                        scope=Scope(args.scope) if args.scope else None)


def command_fit(settings: Settings, args: argparse.Namespace) -> int:
    from feeds.topics import model_path
    from ops.fit import run_fit

    output = Path(args.out) if args.out else model_path(settings)
    if output is None:
        print("error: classifier.model is empty in the config: say where to write the model with --out",
              file=sys.stderr)
        return 2
    return run_fit(settings, Path(args.file), output, sys.stdout, sys.stderr)


def command_fit_stories(settings: Settings, args: argparse.Namespace) -> int:
    from ops.fit_stories import WEIGHTS, run_fit_stories

    return run_fit_stories([Path(name) for name in args.files], Path(args.out) if args.out else WEIGHTS, sys.stdout,
                           sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py",
        description="Centinela: a Telegram bot that watches Venezuelan politics (topic alerts, keyword "
        "alerts and daily digests from news feeds).",
    )
    parser.add_argument("--config", default="config.toml", metavar="PATH",
                        help="configuration file (default: config.toml)")
    parser.add_argument("--log-level", default=None, choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="logging level (default: logging.level in the config)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help=f"run the bot with long polling (needs {TOKEN_ENV})",
                              description=f"Run the bot against Telegram. Needs {TOKEN_ENV} in the environment.")
    run.add_argument("--webhook", action="store_true",
                     help="receive updates by webhook (webhook.url in the config) instead of long polling")
    run.add_argument("--standby", action="store_true",
                     help="if another instance is active on this database, wait and take over when it ends "
                          "(one machine in standby for another)")
    run.set_defaults(handler=command_run)

    demo = commands.add_parser("demo", help="offline demo: no token, no network",
                               description="Run the whole pipeline offline on the feed snapshots shipped "
                               "in the repository and print what subscribers would receive.")
    demo.set_defaults(handler=command_demo)

    fetch = commands.add_parser("fetch", help="ingest the configured feeds without Telegram (`fetch --once`)",
                                description="Fetch, parse and store the configured feeds, printing a line per "
                                "feed and a total. With --once: one cycle over every active feed, then exit "
                                "(status 1 if every feed failed). Without: a cycle every "
                                "schedule.fetch_interval_seconds over the feeds that are due, until Ctrl-C.")
    fetch.add_argument("--once", action="store_true", help="run one cycle over every active feed and exit")
    fetch.set_defaults(handler=command_fetch)
    classify = commands.add_parser(
        "classify", help="classify JSON Lines items (title, summary, scope) from FILE or standard input",
        description="Read JSON Lines with title, optional summary and scope; write one JSON line per item "
        "with its topics and the terms that fired.")
    classify.add_argument("file", nargs="?", help="JSON Lines file (default: standard input)")
    classify.set_defaults(handler=command_classify)

    evaluate = commands.add_parser(
        "evaluate", help="precision, recall and F1 per topic on labelled JSON Lines",
        description="Classify labelled JSON Lines (with a topics list) and print precision, recall and F1 "
        "per topic and macro-averaged, then the misclassified items.")
    evaluate.add_argument("file", help="labelled JSON Lines file")
    evaluate.add_argument("--split", choices=("train", "dev", "test"),
                          help="only the lines of this split (their \"split\" key)")
    evaluate.add_argument("--scope", choices=("venezuela", "world"),
                          help="read every line as from a feed of this scope")
    evaluate.set_defaults(handler=command_evaluate)

    fit = commands.add_parser(
        "fit", help="fit the classifier's learned model on labelled JSON Lines (splits train and dev)",
        description="Fit one logistic regression per topic on the train and dev lines of a labelled JSON Lines "
        "file, with thresholds chosen out of fold for precision, and write it where classifier.model says.")
    fit.add_argument("file", help="labelled JSON Lines file (tests/data/eval/corpus.jsonl)")
    fit.add_argument("--out", help="where to write the model (default: classifier.model in the config)")
    fit.set_defaults(handler=command_fit)

    fit_stories = commands.add_parser(
        "fit-stories", help="fit story merging's pair scorer on labelled headline pairs",
        description="Fit the logistic regression that decides whether two headlines report one event on the "
        "pairs of labelled JSON Lines files, with its threshold chosen out of fold for precision, and "
        "write it as a Python module.")
    fit_stories.add_argument("files", nargs="+", metavar="file",
                             help="labelled headline pairs (tests/data/stories/pairs.jsonl fresh.jsonl fresh2.jsonl)")
    fit_stories.add_argument("--out", help="where to write the weights (default: the shipped feeds/story_weights.py)")
    fit_stories.set_defaults(handler=command_fit_stories)

    db = commands.add_parser("db", help="database maintenance: `db upgrade` applies the schema migrations",
                             description="Apply the schema migrations (run also does this on start).")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(handler=command_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load(args.config)
        return int(args.handler(settings, args))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
