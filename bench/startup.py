"""How long `bot.py run` takes from process start to its first getUpdates, beside a bare PTB application's.

    .venv/bin/python bench/startup.py [--runs 5]

Starts the real process (`bot.py --config ... run`, an SQLite database already migrated, no feeds) N times
against the Bot API stand-in (`tests/support/botapi.py`) and times, from the spawn to the stand-in receiving
the first getUpdates; then the same for a bare python-telegram-bot Application (builder, token, base_url,
run_polling), alternately. Prints min / median / max of each and the load average. Goal: `run` within 0.6 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.support.botapi import TOKEN, BotApiStandIn  # noqa: E402
from tests.support.botprocess import BotProcess, prepare_database, write_config  # noqa: E402

BARE_PTB = """
import os, sys
os.environ.setdefault("PTB_TIMEDELTA", "true")
from telegram.ext import ApplicationBuilder
ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(sys.argv[1]).build().run_polling()
"""



async def time_bot(api: BotApiStandIn, config: Path, folder: Path) -> float:
    began, seen = time.perf_counter(), len(api.calls_to("getUpdates"))
    bot = BotProcess(config, token=TOKEN, cwd=folder, log_level="WARNING")
    await bot.start()
    try:
        await api.wait_for(lambda: len(api.calls_to("getUpdates")) > seen, timeout=60, what="the first getUpdates")
        return time.perf_counter() - began
    finally:
        await bot.stop()


async def time_bare(api: BotApiStandIn) -> float:
    began, seen = time.perf_counter(), len(api.calls_to("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BARE_PTB, api.base_url, env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN})
    try:
        await api.wait_for(lambda: len(api.calls_to("getUpdates")) > seen, timeout=60, what="the first getUpdates")
        return time.perf_counter() - began
    finally:
        process.terminate()
        await process.wait()


def summary(label: str, seconds: list[float]) -> str:
    return (f"{label:<28} min {min(seconds):.2f} s  median {statistics.median(seconds):.2f} s  "
            f"max {max(seconds):.2f} s  ({len(seconds)} runs)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="centinela-startup-") as name:
        folder = Path(name)
        async with BotApiStandIn() as api:
            url = await prepare_database(f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}", chats=[-1])
            config = write_config(folder, base_url=api.base_url, feeds=[], database=url)
            ours: list[float] = []
            bare: list[float] = []
            for _ in range(args.runs):  # alternately, so that both see the same load
                ours.append(await time_bot(api, config, folder))
                bare.append(await time_bare(api))
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print(summary("bot.py run, first getUpdates", ours))
    print(summary("bare PTB, first getUpdates", bare))


if __name__ == "__main__":
    asyncio.run(main())
