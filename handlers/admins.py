"""Who may change a chat's settings: anyone in a private chat, only administrators in a group.

The decision that needs no network (`admin_without_lookup`) is pure and tested by table; the rest asks
Telegram with getChatMember every time, since admin lists change and a stale cache would let a demoted
member keep changing things.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from handlers.services import Context

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


class AdminOnly(Exception):
    """A group member who is not an administrator tried to change a setting; the error handler answers."""


def admin_without_lookup(*, chat_type: str, chat_id: int, sender_chat_id: int | None, user_id: int | None,
                         is_post: bool) -> bool | None:
    """True or False when the update itself settles it; None when Telegram must be asked.

    `is_post`: the update is a message or channel post (not a button press).
    """
    if chat_type == ChatType.PRIVATE:
        return True  # the user owns a private chat with the bot
    if chat_type == ChatType.CHANNEL and is_post:
        return True  # only a channel's administrators can post in it
    if sender_chat_id is not None and sender_chat_id == chat_id:
        return True  # an anonymous group administrator writes as the group itself
    if sender_chat_id is not None or user_id is None:
        return False  # written on behalf of another chat (a channel), or nobody to ask about
    return None


async def may_change_settings(update: Update, context: Context) -> bool:
    chat = update.effective_chat
    if chat is None:
        return False
    post = update.message or update.channel_post
    user = update.effective_user
    settled = admin_without_lookup(chat_type=chat.type, chat_id=chat.id,
                                   sender_chat_id=post.sender_chat.id if post and post.sender_chat else None,
                                   user_id=user.id if user else None, is_post=post is not None)
    if settled is not None:
        return settled
    assert user is not None
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


async def require_admin(update: Update, context: Context) -> None:
    """Raise AdminOnly unless the sender may change this chat's settings."""
    if not await may_change_settings(update, context):
        raise AdminOnly
