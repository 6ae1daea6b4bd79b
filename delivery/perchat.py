"""One holder per chat at a time: what keeps two sends to one chat from overlapping (the Sender) and one
chat's updates in order while other chats' run alongside (the bot's update processor)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class OneAtATimePerChat:
    """`alone(chat_id)`: one holder per chat at a time, first come first served; other chats never wait.
    The Sender holds it for each send (so no two sends to one chat are in flight), the bot's update
    processor for each update (so one chat's commands run in order while other chats' run alongside)."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat id -> its lock, and how many hold or want it

    @contextlib.asynccontextmanager
    async def alone(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)
