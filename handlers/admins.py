"""Who may do what: a chat's settings are anyone's in a private chat and only its administrators' in a
group; the bot's own feeds and statistics are for the user ids in `telegram.admin_ids`.

The decision that needs no network (`admin_without_lookup`) is pure and tested by table; the rest asks
Telegram with getChatMember every time, since admin lists change and a stale cache would let a demoted
member keep changing things. The bot's administrators are known by user id alone, in any chat.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from handlers.services import Context

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


class AdminOnly(Exception):
    """A group member who is not an administrator tried to change a setting; the error handler answers."""


class NotAllowed(Exception):
    """Someone not in `telegram.admin_ids` used an admin command (/feeds, /feed, /stats); the error
    handler answers."""


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


def is_bot_admin(update: Update, context: Context) -> bool:
    """Whether the sender is one of the bot's administrators. An anonymous group administrator or a
    channel post has no user id of its own, so it never is."""
    user = update.effective_user
    post = update.effective_message
    if user is None or (post is not None and post.sender_chat is not None):
        return False
    return user.id in context.bot_data.settings.telegram.admin_ids


def require_bot_admin(update: Update, context: Context) -> None:
    """Raise NotAllowed unless the sender is one of the bot's administrators."""
    if not is_bot_admin(update, context):
        raise NotAllowed
