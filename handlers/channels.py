"""Channels named in config.toml become chats the bot posts to, like subscribed ones.

An `@username` is resolved to the numeric id with `getChat` (the bot must be an administrator of the
channel); the chat row is keyed by that id, so a renamed channel keeps its history. A channel that cannot
be resolved is skipped with a warning and tried again at the next sync.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from telegram import Bot
from telegram.error import TelegramError

from model import ConfiguredChannel
from settings import ChannelSpec, ScheduleSettings
from storage import channels as store
from storage.engine import Database

log = logging.getLogger(__name__)


async def sync_channels(bot: Bot, database: Database, channels: Sequence[ChannelSpec], schedule: ScheduleSettings,
                        *, now: datetime) -> list[int]:
    """Store every configured channel (topics exactly as configured, its mode and language, the default
    digest time and time zone) and deactivate configured channels no longer named. Returns the ids stored."""
    stored: list[int] = []
    complete = True
    for spec in channels:
        chat_id: int | None = spec.chat if isinstance(spec.chat, int) else None
        title: str | None = None if isinstance(spec.chat, int) else spec.chat
        kind = "channel"
        if chat_id is None:
            try:
                chat = await bot.get_chat(spec.chat)
            except TelegramError as exc:
                log.warning("configured channel %s cannot be resolved (%s); skipped until the next sync",
                            spec.chat, exc.message)
                complete = False
                continue
            chat_id, title, kind = chat.id, chat.title or title, chat.type
        async with database.transaction() as session:
            await store.upsert_channel(session, ConfiguredChannel(
                chat_id=chat_id, title=title, type=kind, topics=spec.topics, mode=spec.mode, language=spec.language,
                timezone=schedule.timezone, digest_time=schedule.digest_time), now=now)
        stored.append(chat_id)
    if complete:
        async with database.transaction() as session:
            retired = await store.retire_channels(session, stored, now=now)
        for chat_id in retired:
            log.info("channel %s is no longer configured; deactivated", chat_id)
    return stored
