"""Who may change settings without asking Telegram, and what getChatMember says for everyone else."""

from __future__ import annotations

import pytest

from handlers.admins import admin_without_lookup
from tests.handlers.conftest import ADMIN, GROUP, MEMBER, Driver

CHANNEL = -100900900


@pytest.mark.parametrize(("chat_type", "chat_id", "sender_chat_id", "user_id", "is_post", "expected"), [
    pytest.param("private", 7, None, 7, True, True, id="private-chat-user-owns-it"),
    pytest.param("private", 7, None, 7, False, True, id="private-chat-button"),
    pytest.param("channel", CHANNEL, CHANNEL, None, True, True, id="channel-post-is-by-an-admin"),
    pytest.param("channel", CHANNEL, None, 9, False, None, id="channel-button-press-asks-telegram"),
    pytest.param("supergroup", GROUP, GROUP, None, True, True, id="anonymous-group-admin-writes-as-the-group"),
    pytest.param("supergroup", GROUP, CHANNEL, None, True, False, id="posting-as-another-channel-is-not-admin"),
    pytest.param("group", GROUP, None, None, True, False, id="nobody-to-ask-about"),
    pytest.param("supergroup", GROUP, None, MEMBER, True, None, id="group-member-asks-telegram"),
    pytest.param("supergroup", GROUP, None, MEMBER, False, None, id="group-button-press-asks-telegram"),
])
def test_admin_without_lookup(chat_type: str, chat_id: int, sender_chat_id: int | None, user_id: int | None,
                              is_post: bool, expected: bool | None) -> None:
    assert admin_without_lookup(chat_type=chat_type, chat_id=chat_id, sender_chat_id=sender_chat_id,
                                user_id=user_id, is_post=is_post) is expected


@pytest.mark.parametrize(("status", "allowed"), [
    pytest.param("creator", True, id="owner"),
    pytest.param("administrator", True, id="administrator"),
    pytest.param("member", False, id="member"),
])
async def test_group_settings_follow_getchatmember(bot: Driver, status: str, allowed: bool) -> None:
    bot.api.set_admins(GROUP, [ADMIN] if status == "administrator" else [],
                       creator=ADMIN if status == "creator" else None)
    answer = await bot.group("/mode digest", user_id=ADMIN)
    assert ("Modo resumen" in answer) is allowed
    lookups = bot.api.calls_to("getChatMember")
    assert lookups and lookups[-1].params["user_id"] == ADMIN


async def test_a_demoted_admin_is_refused_at_once(bot: Driver) -> None:
    assert "Modo resumen" in await bot.group("/mode digest")
    bot.api.set_admins(GROUP, [])
    assert "solo los administradores" in await bot.group("/mode instant")


async def test_private_chats_never_ask_telegram_who_is_admin(bot: Driver) -> None:
    await bot.say("/mode digest")
    assert bot.api.calls_to("getChatMember") == []
