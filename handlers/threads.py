"""Which forum topic an update was made in: what makes a topic of a supergroup a chat of its own."""

from __future__ import annotations

from telegram import Update


def forum_thread(update: Update) -> int | None:
    """The forum topic (message_thread_id) the update was made in; None in the General topic, in a group
    without topics (where a thread is only a chain of replies) and in private chats and channels."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or not chat.is_forum or not getattr(message, "is_topic_message", False):
        return None
    return getattr(message, "message_thread_id", None)
