"""Tests of the Bot API stand-in, driven by a real python-telegram-bot client.

If these pass, PTB accepts what the stand-in answers, so bot tests that use it
exercise the same code paths as against Telegram.
"""

import asyncio
import datetime as dtm
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.support.botapi import (
    MAX_MESSAGE_LENGTH,
    TOKEN,
    BotApiStandIn,
    Entity,
    Failure,
    HtmlParseError,
    bad_markup,
    blocked,
    chat_not_found,
    disconnect,
    kicked,
    migrated,
    parse_html,
    retry_after,
    server_error,
    thread_not_found,
    topic_closed,
    utf16_len,
)

USER = 5001
GROUP = -1001234567890  # wider than 32 bits, like real supergroup ids






def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d, callback_data=d) for d in data]]
    )


# ------------------------------------------------------------------- HTML parser


def test_parse_html_gives_visible_text_and_utf16_entities() -> None:
    parsed = parse_html(
        "  😀 <b>bold <i>both</i></b> &lt;3 &amp; &quot;q&quot; &#65;&#x42; "
        '<a href="https://e.com/?a=1&amp;b=2">link</a>\n'
    )

    assert parsed.plain == '😀 bold both <3 & "q" AB link'
    assert parsed.entities == (
        Entity("bold", 3, 9),
        Entity("italic", 8, 4),
        Entity("text_link", 25, 4, "https://e.com/?a=1&b=2"),
    )


@pytest.mark.parametrize(
    "html",
    [
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler>',
        "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><s>f</s><u>g</u>",
        '<pre><code class="language-python">print("x")</code></pre>',
        "<blockquote expandable>long quote</blockquote><blockquote>q</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<B>upper case tags</B> and a > sign",
        "<b>closed by an empty end tag</>",
        "<span class=tg-spoiler>unquoted attribute value</span>",
    ],
)
def test_parse_html_accepts_telegram_subset(html: str) -> None:
    assert parse_html(html).plain


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("ñ <b", "Unclosed start tag at byte offset 3"),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped as "&amp;"'),
        ("&nbsp;", 'Character "&" at byte offset 0 must be escaped as "&amp;"'),
        (
            '<span class="x">y</span>',
            'Tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
        (
            "<a href=https://e.com>x</a>",
            "Unexpected end of name token at byte offset 8",
        ),
        (
            "<b x>y</b>",
            'Expected equal sign in declaration of an attribute of the tag "b"',
        ),
    ],
)
def test_parse_html_rejects_like_telegram(html: str, detail: str) -> None:
    with pytest.raises(HtmlParseError, match="^" + re.escape(detail)):
        parse_html(html)


# ------------------------------------------------------------------ wire protocol


async def test_get_me_describes_configured_bot(telegram_bot: Bot) -> None:
    me = await telegram_bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123, "CentinelaTestBot", True)


async def test_wrong_token_is_rejected_as_invalid(api: BotApiStandIn) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server") as info:
        async with Bot("123:WRONG", base_url=api.base_url):
            pass  # initialize() calls getMe

    assert str(info.value.__cause__) == "Unauthorized"


async def test_raw_http_accepts_json_body_and_query_string(api: BotApiStandIn) -> None:
    base = f"{api.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/sendMessage",
            json={
                "chat_id": GROUP,
                "text": "hola",
                "reply_markup": {"inline_keyboard": []},
            },
        ) as response:
            assert (await response.json())["result"]["chat"]["id"] == GROUP
        async with session.get(
            f"{base}/getChatMember?chat_id={GROUP}&user_id=7"
        ) as response:
            assert (await response.json())["result"]["status"] == "member"
        async with session.get(
            f"{base}/getme"
        ) as response:  # names are case-insensitive
            assert (await response.json())["result"]["id"] == 123
        async with session.post(f"{base}/sendPhoto", data={"chat_id": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with session.get(f"{api.base_url}999:OTHER/getMe") as response:
            assert response.status == 401

    assert api.messages_for(GROUP)[0].reply_markup == {"inline_keyboard": []}
    assert [call.method for call in api.calls] == [
        "sendMessage",
        "getChatMember",
        "getMe",
        "sendPhoto",
    ]


# ------------------------------------------------------------------ sending


async def test_send_message_is_recorded_with_what_the_user_sees(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    sent = await telegram_bot.send_message(
        GROUP,
        "<b>Alerta</b>: Maduro &amp; la ANC",
        parse_mode="HTML",
        reply_markup=keyboard("more"),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        message_thread_id=4,
    )

    assert sent.text == "Alerta: Maduro & la ANC"
    assert sent.chat.id == GROUP
    assert sent.from_user is not None and sent.from_user.id == 123
    assert sent.reply_markup == keyboard("more")
    [record] = api.messages_for(GROUP)
    assert record.message_id == sent.message_id
    assert record.text == "<b>Alerta</b>: Maduro &amp; la ANC"
    assert record.plain_text == "Alerta: Maduro & la ANC"
    assert record.parse_mode == "HTML"
    assert record.reply_markup == keyboard("more").to_dict()
    assert record.disable_preview is True
    assert api.calls[-1].params["chat_id"] == GROUP  # decoded from the string PTB sends
    assert api.calls[-1].params["message_thread_id"] == 4


async def test_legacy_disable_web_page_preview_is_recorded(api: BotApiStandIn) -> None:
    async with aiohttp.ClientSession() as session:
        await session.post(
            f"{api.base_url}{TOKEN}/sendMessage",
            data={"chat_id": "1", "text": "x", "disable_web_page_preview": "true"},
        )

    assert api.sent[0].disable_preview is True


async def test_invalid_html_is_a_bad_request(api: BotApiStandIn, telegram_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as info:
        await telegram_bot.send_message(USER, "1 < 2 <br>", parse_mode="HTML")

    assert "unsupported start tag" in info.value.message
    assert api.sent == []
    assert api.failures[0][1].description.startswith(
        "Bad Request: can't parse entities: "
    )


async def test_html_is_not_checked_without_parse_mode(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    await telegram_bot.send_message(USER, "1 < 2 & <br>")

    assert api.sent[0].plain_text == "1 < 2 & <br>"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * MAX_MESSAGE_LENGTH, True),
        ("a" * (MAX_MESSAGE_LENGTH + 1), False),
        ("😀" * (MAX_MESSAGE_LENGTH // 2), True),
        ("😀" * (MAX_MESSAGE_LENGTH // 2) + "a", False),  # 2049 characters, 4098 units
        ("<b>" + "a" * MAX_MESSAGE_LENGTH + "</b>", True),  # tags do not count
        ("&amp;" * MAX_MESSAGE_LENGTH, True),
        (
            "  " + "a" * MAX_MESSAGE_LENGTH + "\n",
            True,
        ),  # surrounding blanks are trimmed
    ],
)
async def test_length_limit_counts_visible_utf16_units(
    api: BotApiStandIn, telegram_bot: Bot, text: str, ok: bool
) -> None:
    if ok:
        await telegram_bot.send_message(USER, text, parse_mode="HTML")
        assert utf16_len(api.sent[0].plain_text) <= MAX_MESSAGE_LENGTH
    else:
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await telegram_bot.send_message(USER, text, parse_mode="HTML")


@pytest.mark.parametrize("text", ["<b></b>", " \n ", "<i> </i>"])
async def test_empty_visible_text_is_rejected(telegram_bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await telegram_bot.send_message(USER, text, parse_mode="HTML")


async def test_unknown_parse_mode_is_rejected(telegram_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await telegram_bot.send_message(USER, "x", parse_mode="Textile")


# ------------------------------------------------------------------ failures


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (retry_after(7), RetryAfter),
        (blocked(), Forbidden),
        (kicked(), Forbidden),
        (chat_not_found(), BadRequest),
        (bad_markup(), BadRequest),
        (migrated(-1009999999999), ChatMigrated),
        (server_error(), NetworkError),
        (server_error(502), NetworkError),
        (disconnect(), NetworkError),
    ],
)
async def test_injected_failures_map_to_ptb_exceptions(
    api: BotApiStandIn, telegram_bot: Bot, failure: Failure, expected: type[TelegramError]
) -> None:
    api.fail_next("sendMessage", error=failure)

    with pytest.raises(expected) as info:
        await telegram_bot.send_message(USER, "hola")
    second = await telegram_bot.send_message(USER, "otra vez")

    assert type(info.value) is expected
    assert [m.plain_text for m in api.sent] == ["otra vez"]
    assert [call.method for call in api.calls] == [
        "getMe",
        "sendMessage",
        "sendMessage",
    ]
    assert api.failures == [(api.calls[1], failure)]
    assert second.message_id == 1  # the failed call did not consume a message id


async def test_failure_details_reach_ptb(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.fail_next(error=retry_after(7))
    api.fail_next(error=migrated(-1009999999999))
    api.fail_next(error=blocked())

    with pytest.raises(RetryAfter) as flood:
        await telegram_bot.send_message(USER, "x")
    with pytest.raises(ChatMigrated) as moved:
        await telegram_bot.send_message(USER, "x")
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await telegram_bot.send_message(USER, "x")

    assert flood.value.retry_after == dtm.timedelta(seconds=7)
    assert moved.value.new_chat_id == -1009999999999


async def test_failures_can_target_a_chat_and_repeat(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    api.fail_next("sendMessage", chat_id=GROUP, times=2, error=kicked())

    await telegram_bot.send_message(USER, "private is fine")
    for _ in range(2):
        with pytest.raises(Forbidden, match="kicked"):
            await telegram_bot.send_message(GROUP, "group fails")
    await telegram_bot.send_message(GROUP, "third time works")

    assert [m.plain_text for m in api.sent] == ["private is fine", "third time works"]


async def test_failures_target_a_method(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.fail_next("getChat", error=server_error())
    await telegram_bot.send_message(USER, "x")

    with pytest.raises(NetworkError):
        await telegram_bot.get_chat(USER)
    assert (await telegram_bot.get_chat(USER)).id == USER


# ------------------------------------------------------------------ updates


async def test_long_poll_returns_injected_command(api: BotApiStandIn, telegram_bot: Bot) -> None:
    poll = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await api.wait_for_calls("getUpdates")
    assert not poll.done()

    api.inject_message(
        USER, "/start@CentinelaTestBot hola", language_code="es", username="ana"
    )
    [update] = await asyncio.wait_for(poll, 5)

    message = update.message
    assert message is not None and message.text == "/start@CentinelaTestBot hola"
    assert message.entities == (
        MessageEntity(MessageEntity.BOT_COMMAND, 0, len("/start@CentinelaTestBot")),
    )
    assert message.from_user is not None
    assert (message.from_user.id, message.from_user.language_code) == (USER, "es")
    assert message.chat.type == "private" and message.chat.username == "ana"
    assert update.effective_message is message


async def test_offset_confirms_updates(api: BotApiStandIn, telegram_bot: Bot) -> None:
    first = api.inject_message(USER, "uno")
    api.inject_message(USER, "dos")

    assert [u.message.text for u in await telegram_bot.get_updates(limit=1) if u.message] == [
        "uno"
    ]
    assert len(await telegram_bot.get_updates()) == 2  # not confirmed yet
    rest = await telegram_bot.get_updates(offset=first["update_id"] + 1)
    assert [u.message.text for u in rest if u.message] == ["dos"]
    assert await telegram_bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert api.pending_updates == []


async def test_negative_offset_keeps_the_latest_updates(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    for text in ("a", "b", "c"):
        api.inject_message(USER, text)

    updates = await telegram_bot.get_updates(offset=-1)

    assert [u.message.text for u in updates if u.message] == ["c"]


async def test_allowed_updates_filter_delivery(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.inject_channel_post(-1005, "post")
    api.inject_message(USER, "msg")

    updates = await telegram_bot.get_updates(allowed_updates=["message"])

    assert [u.message.text for u in updates if u.message] == ["msg"]


async def test_command_entity_length_counts_utf16(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.inject_message(
        GROUP, "/alerta😀 x", chat_type="supergroup", user_id=USER, title="Sala"
    )
    api.inject_message(GROUP, "no command /here", chat_type="supergroup", user_id=USER)

    first, second = await telegram_bot.get_updates()

    assert first.message is not None and second.message is not None
    assert first.message.entities[0].length == len("/alerta")
    assert first.message.chat.title == "Sala" and first.message.chat.id == GROUP
    assert second.message.entities == ()


async def test_stop_releases_a_pending_long_poll() -> None:
    stand_in = BotApiStandIn(token=TOKEN)
    await stand_in.start()
    async with Bot(TOKEN, base_url=stand_in.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=60))
        await stand_in.wait_for_calls("getUpdates")
        await stand_in.stop()
        assert await asyncio.wait_for(poll, 2) == ()


async def test_a_second_long_poll_ends_the_first_with_conflict(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    first = asyncio.create_task(telegram_bot.get_updates(timeout=30))
    await api.wait_for_calls("getUpdates")

    # A second Bot, as in "two instances running": one Bot can't poll twice at once,
    # its getUpdates connection pool holds a single connection.
    async with Bot(TOKEN, base_url=api.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_channel_post_is_parsed(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.inject_channel_post(-1007, "noticia", "Canal", username="canal")

    [update] = await telegram_bot.get_updates()

    assert update.channel_post is not None
    assert update.channel_post.chat.type == "channel"
    assert update.channel_post.sender_chat == update.channel_post.chat
    assert (await telegram_bot.get_chat("@canal")).id == -1007


async def test_webhook_blocks_polling_until_deleted(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    api.inject_message(USER, "hola")
    await telegram_bot.set_webhook("https://example.com/hook")

    assert (await telegram_bot.get_webhook_info()).url == "https://example.com/hook"
    assert (await telegram_bot.get_webhook_info()).pending_update_count == 1
    with pytest.raises(Conflict, match="webhook is active"):
        await telegram_bot.get_updates()
    await telegram_bot.delete_webhook(drop_pending_updates=True)
    assert await telegram_bot.get_updates() == ()
    assert (await telegram_bot.get_webhook_info()).url == ""


# ------------------------------------------------------------------ callbacks & edits


async def test_callback_query_carries_the_bot_message(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    sent = await telegram_bot.send_message(USER, "¿Seguir?", reply_markup=keyboard("si", "no"))
    api.inject_callback(USER, sent.message_id, "si", language_code="es")

    [update] = await telegram_bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "si"
    assert query.from_user.id == USER
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == keyboard("si", "no")

    assert await query.answer("Hecho")
    edited = await query.edit_message_text("<i>Listo</i>", parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.edit_date is not None

    [record] = api.messages_for(USER)
    assert record.plain_text == "Listo"
    assert record.edited_texts == ["<i>Listo</i>"]
    assert (
        record.reply_markup is None
    )  # editing without reply_markup removes the keyboard
    assert api.callback_answers == [{"callback_query_id": query.id, "text": "Hecho"}]
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()


async def test_callback_data_is_one_to_64_bytes_like_telegram(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    await telegram_bot.send_message(USER, "ok", reply_markup=keyboard("n" * 64))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await telegram_bot.send_message(USER, "too long", reply_markup=keyboard("ñ" * 33))
    assert [message.plain_text for message in api.messages_for(USER)] == ["ok"]


async def test_send_document_uploads_a_file_with_a_caption(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    sent = await telegram_bot.send_document(
        USER, document=b'{"id": 1}\n', filename="items.jsonl", caption="<b>1</b> línea", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "items.jsonl"
    assert sent.caption == "1 línea"
    [document] = api.documents
    assert (document.chat_id, document.filename, document.content, document.caption_plain) == (
        USER, "items.jsonl", b'{"id": 1}\n', "1 línea")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await telegram_bot.send_document(USER, document=b"x", filename="x.txt", caption="x" * 1025)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await telegram_bot.send_document(USER, document="not-a-file-id")


async def test_inject_callback_needs_a_bot_message(api: BotApiStandIn) -> None:
    with pytest.raises(ValueError, match="no message 9"):
        api.inject_callback(USER, 9, "x")


async def test_edit_message_text_like_telegram(api: BotApiStandIn, telegram_bot: Bot) -> None:
    sent = await telegram_bot.send_message(
        USER, "<b>v1</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )

    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await telegram_bot.edit_message_text(
            "<strong>v1</strong>",
            USER,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("a"),
        )
    await telegram_bot.edit_message_text("v1", USER, sent.message_id, reply_markup=keyboard("a"))
    await telegram_bot.edit_message_text("v2", USER, sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await telegram_bot.edit_message_text("v3", USER, sent.message_id + 1)
    with pytest.raises(BadRequest, match=r"^Can't parse entities"):
        await telegram_bot.edit_message_text("<b>v3", USER, sent.message_id, parse_mode="HTML")

    [record] = api.messages_for(USER)
    assert record.edited_texts == [
        "v1",
        "v2",
    ]  # the first v1 edit only dropped the bold
    assert (record.text, record.plain_text, record.parse_mode) == ("v2", "v2", None)


async def test_reply_markup_edit_and_delete(api: BotApiStandIn, telegram_bot: Bot) -> None:
    sent = await telegram_bot.send_message(USER, "x", reply_markup=keyboard("a"))

    await telegram_bot.edit_message_reply_markup(
        USER, sent.message_id, reply_markup=keyboard("b")
    )
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await telegram_bot.edit_message_reply_markup(
            USER, sent.message_id, reply_markup=keyboard("b")
        )
    assert api.sent[0].reply_markup == keyboard("b").to_dict()

    assert await telegram_bot.delete_message(USER, sent.message_id)
    assert api.sent[0].deleted
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await telegram_bot.delete_message(USER, sent.message_id)


# ------------------------------------------------------------------ commands & chats


async def test_commands_are_stored_per_scope_and_language(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    private = BotCommandScopeAllPrivateChats()
    spanish = [BotCommand("start", "Empezar"), BotCommand("temas", "Elegir temas")]

    await telegram_bot.set_my_commands(spanish, scope=private, language_code="es")
    await telegram_bot.set_my_commands([BotCommand("start", "Start")])

    assert await telegram_bot.get_my_commands(scope=private, language_code="es") == tuple(
        spanish
    )
    assert await telegram_bot.get_my_commands(scope=private) == ()
    assert api.commands_for({"type": "all_private_chats"}, "es") == [
        {"command": "start", "description": "Empezar"},
        {"command": "temas", "description": "Elegir temas"},
    ]
    assert api.commands_for() == [{"command": "start", "description": "Start"}]
    await telegram_bot.delete_my_commands(scope=private, language_code="es")
    assert api.commands_for({"type": "all_private_chats"}, "es") == []
    await telegram_bot.set_my_commands(
        [BotCommand("ayuda", "Ayuda")], scope=BotCommandScopeChat(GROUP)
    )
    assert api.commands_for({"type": "chat", "chat_id": GROUP}) == [
        {"command": "ayuda", "description": "Ayuda"}
    ]


async def test_invalid_command_names_are_rejected(telegram_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await telegram_bot.set_my_commands([BotCommand("Start", "Mayúscula")])


async def test_chat_member_statuses(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.inject_message(GROUP, "hola", chat_type="supergroup", user_id=USER)
    api.set_admins(GROUP, [7, 8], creator=9)
    api.set_admins(GROUP, [8], creator=9)  # replaces the previous administrators

    assert isinstance(await telegram_bot.get_chat_member(GROUP, 9), ChatMemberOwner)
    assert isinstance(await telegram_bot.get_chat_member(GROUP, 8), ChatMemberAdministrator)
    member = await telegram_bot.get_chat_member(GROUP, 7)
    assert isinstance(member, ChatMemberMember)
    assert (await telegram_bot.get_chat_member(GROUP, USER)).user.first_name == "Ana"
    api.inject_message(USER, "hola")
    assert isinstance(await telegram_bot.get_chat_member(USER, USER), ChatMemberMember)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await telegram_bot.get_chat_member(-42, USER)


async def test_get_chat_knows_injected_chats(api: BotApiStandIn, telegram_bot: Bot) -> None:
    api.inject_message(
        GROUP, "hola", chat_type="supergroup", user_id=USER, title="Noticias"
    )

    chat = await telegram_bot.get_chat(GROUP)

    assert (chat.id, chat.type, chat.title) == (GROUP, "supergroup", "Noticias")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await telegram_bot.get_chat(-77)


async def test_my_chat_member_changes_what_sending_does(
    api: BotApiStandIn, telegram_bot: Bot
) -> None:
    await telegram_bot.send_message(GROUP, "antes")
    api.inject_my_chat_member(
        GROUP, new_status="kicked", user_id=USER, chat_type="supergroup"
    )
    api.inject_my_chat_member(USER, new_status="kicked", chat_type="private")

    group_update, private_update = await telegram_bot.get_updates()

    change = group_update.my_chat_member
    assert change is not None
    assert (change.old_chat_member.status, change.new_chat_member.status) == (
        "member",
        "kicked",
    )
    assert change.new_chat_member.user.id == 123
    assert private_update.my_chat_member is not None
    with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
        await telegram_bot.send_message(GROUP, "después")
    with pytest.raises(Forbidden, match="blocked by the user"):
        await telegram_bot.send_message(USER, "después")
    api.inject_my_chat_member(
        GROUP, new_status="administrator", user_id=USER, chat_type="supergroup"
    )
    await telegram_bot.send_message(GROUP, "de vuelta")
    assert isinstance(await telegram_bot.get_chat_member(GROUP, 123), ChatMemberAdministrator)


# ------------------------------------------------------------------ waiting


async def test_wait_for_messages_fails_helpfully(api: BotApiStandIn, telegram_bot: Bot) -> None:
    await telegram_bot.send_message(USER, "uno")
    with pytest.raises(BadRequest):
        await telegram_bot.send_message(USER, "<b>roto", parse_mode="HTML")

    with pytest.raises(
        AssertionError, match=r"got 1: \['uno'\].*sendMessage: Bad Request"
    ):
        await api.wait_for_messages(USER, count=2, timeout=0)
    assert [m.plain_text for m in await api.wait_for_messages(USER, timeout=0)] == [
        "uno"
    ]


async def test_wait_for_calls_fails_helpfully(api: BotApiStandIn) -> None:
    with pytest.raises(AssertionError, match="expected at least 1 getUpdates call"):
        await api.wait_for_calls("getUpdates", timeout=0)


# ------------------------------------------------------------------ flood limits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def limited() -> AsyncIterator[tuple[BotApiStandIn, Bot, FakeClock]]:
    clock = FakeClock()
    stand_in = BotApiStandIn(token=TOKEN, enforce_limits=True, clock=clock)
    async with stand_in, Bot(TOKEN, base_url=stand_in.base_url) as client:
        yield stand_in, client, clock


async def test_private_chats_allow_a_burst_then_one_per_second(
    limited: tuple[BotApiStandIn, Bot, FakeClock],
) -> None:
    api, telegram_bot, clock = limited
    for _ in range(3):
        await telegram_bot.send_message(USER, "x")
    with pytest.raises(RetryAfter) as info:
        await telegram_bot.send_message(USER, "x")
    assert info.value.retry_after == dtm.timedelta(seconds=1)

    clock.now += 1
    await telegram_bot.send_message(USER, "x")
    await telegram_bot.send_message(USER + 1, "another chat has its own budget")
    assert api.flood_errors == 1


async def test_groups_allow_twenty_per_minute(
    limited: tuple[BotApiStandIn, Bot, FakeClock],
) -> None:
    api, telegram_bot, clock = limited
    for _ in range(20):
        await telegram_bot.send_message(GROUP, "x")
        clock.now += 1
    with pytest.raises(RetryAfter) as info:
        await telegram_bot.send_message(GROUP, "x")
    assert info.value.retry_after == dtm.timedelta(seconds=40)

    clock.now += 40
    await telegram_bot.send_message(GROUP, "x")
    assert api.flood_errors == 1


async def test_thirty_messages_per_second_overall(
    limited: tuple[BotApiStandIn, Bot, FakeClock],
) -> None:
    api, telegram_bot, clock = limited
    for chat_id in range(1, 31):
        await telegram_bot.send_message(chat_id, "x")
    with pytest.raises(RetryAfter):
        await telegram_bot.send_message(31, "x")

    clock.now += 1
    await telegram_bot.send_message(31, "x")
    assert (api.flood_errors, len(api.sent)) == (1, 31)


# ------------------------------------------------------------------ whole application


async def test_application_polling_loop_answers_start(api: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>Hola</b>, soy Centinela")

    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        api.inject_message(USER, "/start")
        [reply] = await api.wait_for_messages(USER)
        await app.updater.stop()
        await app.stop()

    assert reply.plain_text == "Hola, soy Centinela"
    assert api.pending_updates == []  # the updater's shutdown confirmed the update
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= {
        call.method for call in api.calls
    }


# ------------------------------------------------------------------ forum topics


async def test_a_message_in_a_forum_topic_carries_its_thread(api: BotApiStandIn, telegram_bot: Bot) -> None:
    thread = api.open_forum_topic(GROUP, title="Redacción")
    api.inject_message(GROUP, "/settings", user_id=USER, chat_type="supergroup", thread_id=thread)
    api.inject_message(GROUP, "/settings", user_id=USER, chat_type="supergroup")  # the General topic
    in_topic, in_general = [update.message for update in await telegram_bot.get_updates()]
    assert in_topic is not None and in_general is not None
    assert in_topic.chat.is_forum and in_topic.is_topic_message and in_topic.message_thread_id == thread
    assert in_general.chat.is_forum and not in_general.is_topic_message and in_general.message_thread_id is None

    reply = await in_topic.reply_text("ok")  # PTB answers in the same topic by itself
    assert reply.is_topic_message and reply.message_thread_id == thread
    assert [message.thread_id for message in api.messages_for(GROUP)] == [thread]
    assert api.messages_in(GROUP, thread)[0].message_id == reply.message_id


@pytest.mark.parametrize(("end", "failure"), [("delete_forum_topic", thread_not_found()),
                                              ("close_forum_topic", topic_closed())])
async def test_sending_to_a_deleted_or_closed_topic_is_refused_like_telegram(
        api: BotApiStandIn, telegram_bot: Bot, end: str, failure: Failure) -> None:
    gone, alive = api.open_forum_topic(GROUP), api.open_forum_topic(GROUP)
    getattr(api, end)(GROUP, gone)
    with pytest.raises(BadRequest) as refused:
        await telegram_bot.send_message(GROUP, "x", message_thread_id=gone)
    assert failure.description.lower().endswith(refused.value.message.lower())  # PTB re-capitalises it
    with pytest.raises(BadRequest, match="Message thread not found"):
        await telegram_bot.send_message(GROUP, "x", message_thread_id=999)
    await telegram_bot.send_message(GROUP, "to the other topic", message_thread_id=alive)
    await telegram_bot.send_message(GROUP, "to the General topic")
    assert [(m.thread_id, m.text) for m in api.sent] == [(alive, "to the other topic"), (None, "to the General topic")]


def test_only_supergroups_have_topics_and_users_cannot_write_in_a_deleted_one(api: BotApiStandIn) -> None:
    with pytest.raises(ValueError, match="only supergroups"):
        api.open_forum_topic(-4242)
    thread = api.open_forum_topic(GROUP)
    api.delete_forum_topic(GROUP, thread)
    with pytest.raises(ValueError, match="no topic"):
        api.inject_message(GROUP, "hola", user_id=USER, chat_type="supergroup", thread_id=thread)


# ------------------------------------------------------------------ inline mode


def article(result_id: str, text: str = "<b>Título</b>") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "Título", InputTextMessageContent(text, parse_mode="HTML"))


async def test_an_inline_query_reaches_ptb_and_its_answer_is_recorded(api: BotApiStandIn, telegram_bot: Bot) -> None:
    query_id = api.inject_inline_query(USER, "sanciones", language_code="es", chat_type="supergroup")
    [update] = await telegram_bot.get_updates()
    assert update.inline_query is not None
    assert (update.inline_query.id, update.inline_query.query, update.inline_query.chat_type) == (
        query_id, "sanciones", "supergroup")
    assert update.inline_query.from_user.language_code == "es"

    await update.inline_query.answer([article("1"), article("2", "<i>otro</i>")], cache_time=30, is_personal=False)
    answer = await api.wait_for_inline_answer(query_id)
    assert [result["id"] for result in answer.results] == ["1", "2"]
    assert [parsed.plain for parsed in answer.texts] == ["Título", "otro"]
    assert (answer.params["cache_time"], answer.params["is_personal"]) == (30, False)
    with pytest.raises(BadRequest, match="Query is too old"):  # answered once only
        await update.inline_query.answer([])


@pytest.mark.parametrize(("results", "refusal"), [
    pytest.param([article(str(n)) for n in range(51)], "Results_too_much", id="more than 50"),
    pytest.param([article("1"), article("1")], "Result_id_duplicate", id="two with one id"),
    pytest.param([article("x" * 65)], "Result_id_invalid", id="id over 64 bytes"),
    pytest.param([article("1", "<b>unclosed")], "can't parse entities", id="bad HTML in the message"),
    pytest.param([article("1", "   ")], "message text is empty", id="empty message"),
])
async def test_a_wrong_inline_answer_is_refused(api: BotApiStandIn, telegram_bot: Bot,
                                                results: list[InlineQueryResultArticle], refusal: str) -> None:
    query_id = api.inject_inline_query(USER, "x")
    with pytest.raises(BadRequest, match=f"(?i){re.escape(refusal)}"):
        await telegram_bot.answer_inline_query(query_id, results)
    assert api.inline_answers == []
    with pytest.raises(AssertionError, match="was refused"):
        await api.wait_for_inline_answer(query_id)

