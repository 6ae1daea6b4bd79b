"""A local stand-in for the Telegram Bot API, for tests.

Why this exists: Centinela talks to Telegram only through python-telegram-bot (PTB).
Mocking PTB objects would test our assumptions about PTB instead of PTB itself, and
hitting the real Bot API is slow, flaky and needs secrets. This module runs a small
aiohttp server on ``127.0.0.1`` that speaks the Bot API wire protocol closely enough
that an unmodified ``telegram.Bot`` / ``telegram.ext.Application`` can be pointed at
it with ``base_url=api.base_url``. Tests then inject user input as updates, let the
real polling loop deliver them, and assert on what the bot sent.

What it emulates, following https://core.telegram.org/bots/api:

* the ``/bot<token>/<method>`` routes, 401 for a wrong token, 404 for unknown methods;
* request parameters the way PTB's ``HTTPXRequest`` sends them: a form-encoded (or
  multipart) POST where every value is a string and non-string values are
  JSON-encoded (``chat_id=123``, ``reply_markup={"inline_keyboard": ...}``); a JSON
  body and the query string are accepted too;
* ``getUpdates`` long polling with offset confirmation and 409 conflicts;
* ``sendMessage``/``editMessageText`` with Telegram's HTML parse-mode validation,
  the 4096 UTF-16 code unit limit and whitespace trimming;
* commands, webhook, chat and chat-member methods, callback queries;
* ``sendDocument`` with an uploaded file (multipart), its caption validated like a text;
* inline keyboards: every button's ``callback_data`` is 1-64 bytes, as Telegram requires;
* forum supergroups: topics opened, closed and deleted by the test, messages in a topic
  (``message_thread_id``, ``is_topic_message``), and ``sendMessage`` into a thread with
  Telegram's refusals ("message thread not found", "TOPIC_CLOSED");
* inline mode: inline queries injected as updates and ``answerInlineQuery`` with its
  checks (open query id, at most 50 results, unique ids, each article's message
  validated like sendMessage);
* injected failures (flood control, blocked, kicked, migrated, 5xx, dropped
  connection) and, optionally, Telegram's documented flood limits.

Deliberate simplifications: in a chat without topics a ``message_thread_id`` (a chain of
replies, for Telegram) is recorded but not checked. Markdown parse modes are not parsed (their text is
recorded verbatim); sent messages carry no ``entities``; chats that the bot writes
to without having seen them first are created on the fly. HTML validation is a
little stricter than Telegram's: a bare ``&`` is rejected, as the Bot API docs
require it to be escaped, although the real server lets it through.

Waiting is event driven: every state change wakes waiters, nothing polls or sleeps.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple, NoReturn, Self

from aiohttp import web

JSONDict = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096
"""Maximum length of a message's visible text, in UTF-16 code units."""
MAX_CAPTION_LENGTH = 1024
"""Maximum length of a document's visible caption, in UTF-16 code units."""
MAX_CALLBACK_DATA = 64
"""Maximum length of an inline button's callback_data, in bytes."""

# --------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class Failure:
    """An error answer of the Bot API.

    ``status`` is the HTTP status and ``error_code``; ``parameters`` becomes the
    ``ResponseParameters`` object (``retry_after``, ``migrate_to_chat_id``).
    ``status == 0`` is special: the server closes the connection without answering.
    """

    status: int
    description: str
    parameters: Mapping[str, int] | None = None

    @property
    def drops_connection(self) -> bool:
        """Whether this failure is a dropped connection rather than an HTTP answer."""
        return self.status == 0

    def to_json(self) -> JSONDict:
        """The response body Telegram sends for this error."""
        body: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def retry_after(seconds: int) -> Failure:
    """Flood control: PTB raises ``telegram.error.RetryAfter``."""
    return Failure(
        429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
    )


def blocked() -> Failure:
    """The user blocked the bot: PTB raises ``telegram.error.Forbidden``."""
    return Failure(403, "Forbidden: bot was blocked by the user")


def kicked() -> Failure:
    """The bot was removed from a group: PTB raises ``telegram.error.Forbidden``."""
    return Failure(403, "Forbidden: bot was kicked from the group chat")


def chat_not_found() -> Failure:
    """Unknown chat: PTB raises ``telegram.error.BadRequest``."""
    return Failure(400, "Bad Request: chat not found")


def bad_markup(detail: str = 'Unsupported start tag "foo" at byte offset 0') -> Failure:
    """Invalid HTML/Markdown: PTB raises ``telegram.error.BadRequest``."""
    return Failure(400, f"Bad Request: can't parse entities: {detail}")


def migrated(new_chat_id: int) -> Failure:
    """A group became a supergroup: PTB raises ``telegram.error.ChatMigrated``."""
    return Failure(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


def thread_not_found() -> Failure:
    """A deleted forum topic, or a thread id the chat never had: PTB raises ``BadRequest``."""
    return Failure(400, "Bad Request: message thread not found")


def topic_closed() -> Failure:
    """A closed forum topic: PTB raises ``telegram.error.BadRequest``."""
    return Failure(400, "Bad Request: TOPIC_CLOSED")


def server_error(status: int = 500) -> Failure:
    """A 5xx answer: PTB raises plain ``telegram.error.NetworkError``."""
    description = "Bad Gateway" if status == 502 else "Internal Server Error"
    return Failure(status, description)


def disconnect() -> Failure:
    """Close the connection without answering: PTB raises ``NetworkError``."""
    return Failure(0, "connection dropped by the stand-in")


class _ApiError(Exception):
    """Raised by method implementations to answer with ``failure``."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.description)
        self.failure = failure


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(Failure(400, f"Bad Request: {detail}"))


# ------------------------------------------------------------------------ text parsing


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of all Telegram offsets."""
    return len(text.encode("utf-16-le")) // 2


class Entity(NamedTuple):
    """A formatting span of a parsed text; offsets in UTF-16 code units."""

    kind: str
    offset: int
    length: int
    argument: str = ""


@dataclass(frozen=True)
class ParsedText:
    """Visible text of a message and its formatting, as the recipient sees it."""

    plain: str
    entities: tuple[Entity, ...] = ()


class HtmlParseError(ValueError):
    """Telegram would answer "can't parse entities" with this detail."""


_SPACES = " \t\r\n\v\f\0"
_TRIMMED = " \t\r\n\v\f"
_TAG_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHARACTER_REFERENCE = re.compile(
    r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));"
)
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")


class _OpenTag(NamedTuple):
    name: str
    kind: str
    argument: str
    start: int


class _HtmlParser:
    """Parses Telegram's HTML subset the way the Bot API server (tdlib) does.

    Error details mimic tdlib's wording, including byte offsets into the UTF-8 text.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._out: list[str] = []
        self._pos16 = 0
        self._open: list[_OpenTag] = []
        self._entities: list[Entity] = []

    def parse(self) -> ParsedText:
        text, i = self._text, 0
        while i < len(text):
            char = text[i]
            if char == "&":
                i = self._character_reference(i, self._emit)
            elif char != "<":
                self._emit(char)
                i += 1
            elif text.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self._open:
            name = self._open[-1].name
            self._fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        return _trim("".join(self._out), self._entities)

    def _fail(self, detail: str) -> NoReturn:
        raise HtmlParseError(detail)

    def _unclosed_start_tag(self, index: int) -> NoReturn:
        self._fail(f"Unclosed start tag {self._at(index)}")

    def _at(self, index: int) -> str:
        """Where ``index`` is, in tdlib's wording: a byte offset into the UTF-8 text."""
        return f"at byte offset {len(self._text[:index].encode('utf-8'))}"

    def _emit(self, chunk: str) -> None:
        self._out.append(chunk)
        self._pos16 += utf16_len(chunk)

    def _character_reference(self, i: int, sink: Callable[[str], object]) -> int:
        match = _CHARACTER_REFERENCE.match(self._text, i)
        if match is not None:
            named, decimal, hexadecimal = match.groups()
            if named:
                sink(_NAMED_CHARACTERS[named])
                return match.end()
            code = int(decimal) if decimal else int(hexadecimal, 16)
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                sink(chr(code))
                return match.end()
        self._fail(f'Character "&" {self._at(i)} must be escaped as "&amp;"')

    def _skip_spaces(self, j: int) -> int:
        while j < len(self._text) and self._text[j] in _SPACES:
            j += 1
        return j

    def _skip_name(self, j: int, stop: str) -> int:
        while (
            j < len(self._text)
            and self._text[j] not in _SPACES
            and self._text[j] not in stop
        ):
            j += 1
        return j

    def _start_tag(self, begin: int) -> int:
        text = self._text
        j = self._skip_name(begin + 1, ">")
        if j >= len(text):
            self._unclosed_start_tag(begin)
        name = text[begin + 1 : j].lower()
        if name not in _TAG_KINDS:
            self._fail(f'Unsupported start tag "{name}" {self._at(begin)}')
        attributes: dict[str, str] = {}
        while True:
            j = self._skip_spaces(j)
            if j >= len(text):
                self._unclosed_start_tag(begin)
            if text[j] == ">":
                break
            attribute_begin = j
            j = self._skip_name(j, "=>")
            attribute = text[attribute_begin:j].lower()
            if not attribute:
                self._fail(
                    f'Empty attribute name in the tag "{name}" '
                    + self._at(attribute_begin)
                )
            j = self._skip_spaces(j)
            if (
                j < len(text)
                and text[j] != "="
                and name == "blockquote"
                and attribute == "expandable"
            ):
                attributes[attribute] = ""
                continue
            if j >= len(text):
                self._unclosed_start_tag(begin)
            if text[j] != "=":
                self._fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" {self._at(j)}'
                )
            j = self._skip_spaces(j + 1)
            if j >= len(text):
                self._unclosed_start_tag(begin)
            attributes[attribute], j = self._attribute_value(j)
        self._open.append(
            _OpenTag(name, *self._tag_meaning(name, attributes, begin), self._pos16)
        )
        return j + 1

    def _attribute_value(self, j: int) -> tuple[str, int]:
        text = self._text
        quote = text[j]
        if quote not in "\"'":
            token = _NAME_TOKEN.match(text, j)
            assert token is not None  # the pattern also matches the empty string
            end = token.end()
            if end >= len(text) or (text[end] not in _SPACES and text[end] != ">"):
                self._fail(f"Unexpected end of name token {self._at(j)}")
            return token.group().lower(), end
        value: list[str] = []
        j += 1
        while j < len(text) and text[j] != quote:
            if text[j] == "&":
                j = self._character_reference(j, value.append)
            else:
                value.append(text[j])
                j += 1
        if j >= len(text):
            self._unclosed_start_tag(j - 1)
        return "".join(value), j + 1

    def _tag_meaning(
        self, name: str, attributes: dict[str, str], begin: int
    ) -> tuple[str, str]:
        """Entity kind and argument for a start tag."""
        if name == "span" and attributes.get("class") != "tg-spoiler":
            self._fail(f'Tag "span" must have class "tg-spoiler" {self._at(begin)}')
        if name == "a":
            return "text_link", attributes.get("href", "")
        if name == "code":
            return "code", attributes.get("class", "").removeprefix("language-")
        if name == "tg-emoji":
            return "custom_emoji", attributes.get("emoji-id", "")
        if name == "blockquote" and "expandable" in attributes:
            return "expandable_blockquote", ""
        return _TAG_KINDS[name], ""

    def _end_tag(self, begin: int) -> int:
        if not self._open:
            self._fail(f"Unexpected end tag {self._at(begin)}")
        text = self._text
        j = self._skip_name(begin + 2, ">")
        end_name = text[begin + 2 : j].lower()
        j = self._skip_spaces(j)
        if j >= len(text) or text[j] != ">":
            self._fail(f"Unclosed end tag {self._at(begin)}")
        tag = self._open.pop()
        if end_name and end_name != tag.name:
            self._fail(
                f"Unmatched end tag {self._at(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        if self._pos16 > tag.start:
            self._entities.append(
                Entity(tag.kind, tag.start, self._pos16 - tag.start, tag.argument)
            )
        return j + 1


def _trim(plain: str, entities: Iterable[Entity]) -> ParsedText:
    """Strip surrounding whitespace like Telegram and clip entities to what remains."""
    stripped = plain.strip(_TRIMMED)
    lead = utf16_len(plain[: len(plain) - len(plain.lstrip(_TRIMMED))])
    total = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(0, entity.offset - lead)
        end = min(total, entity.offset + entity.length - lead)
        if end > start:
            kept.append(entity._replace(offset=start, length=end - start))
    kept.sort(key=lambda e: (e.offset, -e.length))
    return ParsedText(stripped, tuple(kept))


def parse_html(text: str) -> ParsedText:
    """Parse ``text`` in Telegram's HTML parse mode; ``HtmlParseError`` if invalid."""
    return _HtmlParser(text).parse()


def _parse_message_text(text: str, parse_mode: str | None) -> ParsedText:
    """Validate a message text like sendMessage does; ``_ApiError`` if rejected."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text)
        except HtmlParseError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from None
    elif mode in ("", "markdown", "markdownv2"):
        parsed = _trim(text, ())
    else:
        raise _bad_request("unsupported parse_mode")
    if not parsed.plain:
        raise _bad_request("message text is empty")
    if utf16_len(parsed.plain) > MAX_MESSAGE_LENGTH:
        raise _bad_request("message is too long")
    return parsed


# ---------------------------------------------------------------------- request params

# PTB sends every value as a string and JSON-encodes the non-string ones, so the
# server has to know each parameter's type, exactly like the real Bot API does.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "entities",
        "reply_parameters",
        "results",
        "button",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
    }
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "is_personal",
    }
)
_TRUE_STRINGS = frozenset({"true", "1"})
_FALSE_STRINGS = frozenset({"false", "0"})
_INTEGER = re.compile(r"-?[0-9]+")


def _decode_param(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad_request(
                    "can't parse reply keyboard markup JSON object"
                ) from None
            raise _bad_request(f"can't parse {name} JSON object") from None
    if name == "chat_id":
        return int(value) if _INTEGER.fullmatch(value) else value
    if name in _INT_PARAMS or name in _FLOAT_PARAMS:
        number = int if name in _INT_PARAMS else float
        try:
            return number(value)
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None
    if name in _BOOL_PARAMS:
        if value.lower() in _TRUE_STRINGS:
            return True
        if value.lower() in _FALSE_STRINGS:
            return False
        raise _bad_request(f"invalid {name} specified")
    return value


async def _read_raw_params(request: web.Request) -> dict[str, Any]:
    """Query string, then the body (form, multipart or JSON) on top of it."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise _bad_request("JSON request body must be an object")
        params.update(body)
    else:
        params.update(await request.post())
    return params


# ---------------------------------------------------------------------- flood limits


class _FloodLimiter:
    """Telegram's documented sending limits, leniently applied.

    * 30 messages per second overall;
    * private chats: a burst of 3, then 1 message per second (token bucket);
    * groups and channels (negative ids): 20 messages per minute.
    """

    GLOBAL_PER_SECOND = 30
    PRIVATE_BURST = 3
    PRIVATE_PER_SECOND = 1.0
    GROUP_PER_MINUTE = 20

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._recent: deque[float] = deque()
        self._group_recent: dict[int, deque[float]] = {}
        self._private_bucket: dict[int, tuple[float, float]] = {}

    def admit(self, chat_id: int) -> int | None:
        """Record a message to ``chat_id``, or return the seconds to wait."""
        now = self._clock()
        waits: list[float] = []
        _forget_before(self._recent, now - 1.0)
        if len(self._recent) >= self.GLOBAL_PER_SECOND:
            waits.append(self._recent[0] + 1.0 - now)
        if chat_id < 0:
            group = self._group_recent.setdefault(chat_id, deque())
            _forget_before(group, now - 60.0)
            if len(group) >= self.GROUP_PER_MINUTE:
                waits.append(group[0] + 60.0 - now)
        elif (tokens := self._private_tokens(chat_id, now)) < 1.0:
            waits.append((1.0 - tokens) / self.PRIVATE_PER_SECOND)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._recent.append(now)
        if chat_id < 0:
            self._group_recent[chat_id].append(now)
        else:
            self._private_bucket[chat_id] = (
                self._private_tokens(chat_id, now) - 1,
                now,
            )
        return None

    def _private_tokens(self, chat_id: int, now: float) -> float:
        tokens, since = self._private_bucket.get(chat_id, (self.PRIVATE_BURST, now))
        refilled = tokens + (now - since) * self.PRIVATE_PER_SECOND
        return min(float(self.PRIVATE_BURST), refilled)


def _forget_before(stamps: deque[float], horizon: float) -> None:
    while stamps and stamps[0] <= horizon:
        stamps.popleft()


# ------------------------------------------------------------------------------ records


class Call(NamedTuple):
    """One request the bot made: canonical method name and decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class SentMessage:
    """A message the bot sent, as the stand-in stored it.

    ``text``, ``parse_mode``, ``plain_text``, ``entities`` and ``reply_markup`` describe
    the current state, i.e. after the latest edit; ``edited_texts`` lists the texts of
    all edits in order (empty if never edited). ``plain_text`` is what the user sees.
    """

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    plain_text: str
    entities: tuple[Entity, ...]
    reply_markup: JSONDict | None
    disable_preview: bool
    date: int
    edited_texts: list[str] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    thread_id: int | None = None
    """The forum topic it was sent to (``message_thread_id``), None for the chat itself."""


@dataclass
class InlineAnswer:
    """An accepted answerInlineQuery: its parameters, and each result's message as a user would see it."""

    params: dict[str, Any]
    results: list[JSONDict]
    texts: list[ParsedText]
    """The parsed ``input_message_content`` of each result, in order."""


@dataclass
class SentDocument:
    """A file the bot sent with sendDocument: its name, its bytes and its caption as the user sees it."""

    chat_id: int
    message_id: int
    filename: str
    content: bytes
    caption: str
    caption_plain: str
    date: int


@dataclass
class _FailureRule:
    method: str
    chat_id: int | str | None
    failure: Failure
    remaining: int


_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "my_chat_member",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "chat_join_request",
    }
)
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SUPERGROUP_ID_LIMIT = -1_000_000_000_000


def _now() -> int:
    return int(time.time())


def _member_json(user: JSONDict, status: str) -> JSONDict:
    """A ChatMember object with the fields PTB requires for ``status``."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_pin_messages=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _chat_kind(chat: JSONDict) -> str:
    """The chat-type wording Telegram uses in Forbidden descriptions."""
    return {"supergroup": "supergroup chat", "channel": "channel chat"}.get(
        chat["type"], "group chat"
    )


# ------------------------------------------------------------------------ the server

_Handler = Callable[[dict[str, Any]], Awaitable[Any]]


TOKEN = "123:ABC"
"""The token of the stand-in's bot unless a test gives another."""


class BotApiStandIn:
    """A Bot API server on ``127.0.0.1`` (random port) for one bot token.

    Use as ``async with BotApiStandIn() as api:``; give PTB ``base_url=api.base_url``.
    ``clock`` only drives the optional flood-limit emulation (``enforce_limits``).
    """

    def __init__(
        self,
        token: str = TOKEN,
        bot_username: str = "CentinelaTestBot",
        *,
        bot_first_name: str = "Centinela",
        enforce_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
        supports_inline_queries: bool = False,
    ) -> None:
        self._token = token
        self._wanted_port = port  # 0: any free port
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": supports_inline_queries,
        }
        self.sent: list[SentMessage] = []
        """Every message the bot sent successfully, in order."""
        self.documents: list[SentDocument] = []
        """Every document the bot sent successfully, in order."""
        self.calls: list[Call] = []
        """Every authorized request, including failed ones, in order."""
        self.failures: list[tuple[Call, Failure]] = []
        """Every request that was answered with an error, and that error."""
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        """setMyCommands store: (canonical scope JSON, language_code) -> commands."""
        self.callback_answers: list[dict[str, Any]] = []
        """Parameters of every successful answerCallbackQuery."""
        self.inline_answers: list[InlineAnswer] = []
        """Every successful answerInlineQuery, in order."""
        self.flood_errors = 0
        """How many 429s the flood-limit emulation gave."""
        self.webhook_url = ""
        """URL set by setWebhook; while set, getUpdates answers 409 like Telegram."""
        self.answer_delay = 0.0
        """Seconds each sendMessage answer takes after the message was taken: a slow or distant Telegram
        (the message arrives even if the bot stops waiting for the answer)."""
        self._limiter = _FloodLimiter(clock) if enforce_limits else None
        self._updates: list[JSONDict] = []
        self._allowed_updates = _DEFAULT_UPDATE_TYPES
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._inline_ids = itertools.count(1)
        self._open_inline_queries: set[str] = set()
        self._forum_topics: dict[int, dict[int, str]] = {}  # chat -> thread id -> open | closed | deleted
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {self.bot_user["id"]: self.bot_user}
        self._statuses: dict[int, dict[int, str]] = {}
        self._failure_rules: list[_FailureRule] = []
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "answerInlineQuery": self._answer_inline_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
            }.items()
        }

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self._wanted_port)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Release pending long polls (they answer ``[]``) and shut the server down."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``; PTB appends the token and ``/method``."""
        if self._port is None:
            raise RuntimeError("BotApiStandIn is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    # ------------------------------------------------------------- inspection

    def messages_for(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, in order (deleted ones included)."""
        return [message for message in self.sent if message.chat_id == chat_id]

    def messages_in(self, chat_id: int, thread_id: int | None) -> list[SentMessage]:
        """Messages the bot sent to one forum topic of ``chat_id`` (None: outside any topic)."""
        return [m for m in self.messages_for(chat_id) if m.thread_id == thread_id]

    def calls_to(self, method: str) -> list[Call]:
        """Requests (also failed ones) made to ``method``, in order."""
        return [call for call in self.calls if call.method == method]

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands stored by setMyCommands for ``scope`` (default scope if None)."""
        return self.commands.get((_scope_key(scope), language_code), [])

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot sent ``count`` messages to ``chat_id``; return all."""
        if not await self._wait_until(
            lambda: len(self.messages_for(chat_id)) >= count, timeout
        ):
            got = [message.plain_text for message in self.messages_for(chat_id)]
            others = {m.chat_id for m in self.sent} - {chat_id}
            raise AssertionError(
                f"expected at least {count} message(s) to chat {chat_id} "
                f"within {timeout}s, got {len(got)}: {got!r}; "
                f"chats with other messages: {sorted(others)}; "
                f"failed calls: {self._describe_failures()}"
            )
        return self.messages_for(chat_id)

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        """Wait until ``method`` was requested ``count`` times; return those calls."""
        if not await self._wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout
        ):
            seen = [call.method for call in self.calls]
            raise AssertionError(
                f"expected at least {count} {method} call(s) within {timeout}s, "
                f"got {len(self.calls_to(method))}; all calls: {seen}; "
                f"failed calls: {self._describe_failures()}"
            )
        return self.calls_to(method)

    async def wait_for(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate()`` holds, checked again after every request the stand-in
        handles; ``AssertionError`` naming ``what`` if it does not within ``timeout``."""
        if not await self._wait_until(predicate, timeout):
            raise AssertionError(
                f"{what}: not within {timeout}s; {len(self.sent)} message(s) sent, "
                f"failed calls: {self._describe_failures()[-5:]}"
            )

    def _describe_failures(self) -> list[str]:
        return [
            f"{call.method}: {failure.description}" for call, failure in self.failures
        ]

    # ----------------------------------------------------------------- set-up

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], creator: int | None = None
    ) -> None:
        """Make ``user_ids`` the administrators (and ``creator`` the owner) of a group.

        Replaces the chat's previous administrators, the bot included; everybody
        else is a "member". Registers the chat if the stand-in has not seen it yet.
        """
        self._chat_by_id(chat_id, create=True)
        statuses = self._statuses.setdefault(chat_id, {})
        for user_id, status in list(statuses.items()):
            if status in ("administrator", "creator"):
                del statuses[user_id]
        for user_id in user_ids:
            statuses[user_id] = "administrator"
        if creator is not None:
            statuses[creator] = "creator"

    def fail_next(
        self,
        method: str = "sendMessage",
        *,
        error: Failure,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``error``.

        With ``chat_id``, only calls to that chat count.

        Rules are used in the order they were added; a failed call has no effect.
        """
        self._failure_rules.append(_FailureRule(method, chat_id, error, times))

    def open_forum_topic(self, chat_id: int, *, title: str | None = None) -> int:
        """Make ``chat_id`` a supergroup with topics (if it is not) and open a topic in it; return its
        ``message_thread_id`` (Telegram uses the id of the topic's service message)."""
        chat = self._chat_by_id(chat_id, create=True)
        if chat["type"] != "supergroup":
            raise ValueError(f"chat {chat_id} is a {chat['type']}; only supergroups have topics")
        if title is not None:
            chat["title"] = title
        chat["is_forum"] = True
        thread_id = self._next_message_id(chat_id)
        self._forum_topics.setdefault(chat_id, {})[thread_id] = "open"
        return thread_id

    def close_forum_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a topic: the bot's messages to it are refused with TOPIC_CLOSED."""
        self._set_topic_state(chat_id, thread_id, "closed")

    def reopen_forum_topic(self, chat_id: int, thread_id: int) -> None:
        """Reopen a closed topic: the bot may write to it again."""
        self._set_topic_state(chat_id, thread_id, "open")

    def delete_forum_topic(self, chat_id: int, thread_id: int) -> None:
        """Delete a topic: the bot's messages to it are refused with "message thread not found"."""
        self._set_topic_state(chat_id, thread_id, "deleted")

    def _set_topic_state(self, chat_id: int, thread_id: int, state: str) -> None:
        topics = self._forum_topics.get(chat_id, {})
        if thread_id not in topics:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        topics[thread_id] = state
        self._notify()

    def _thread_failure(self, chat: JSONDict, thread_id: int) -> Failure | None:
        state = self._forum_topics.get(chat["id"], {}).get(thread_id, "deleted")
        if state == "deleted":
            return thread_not_found()
        if state == "closed":
            return topic_closed()
        return None

    # -------------------------------------------------------------- injection

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        first_name: str = "Ana",
        username: str | None = None,
        title: str | None = None,
        thread_id: int | None = None,
    ) -> JSONDict:
        """Queue a text message from a user; return the update.

        A leading ``/command`` or ``/command@botname`` gets a ``bot_command`` entity. ``thread_id``: the
        message is written in that topic of a forum (see ``open_forum_topic``), which must not be deleted.
        """
        user_id = self._sender_id(chat_id, chat_type, user_id)
        user = self._register_user(user_id, first_name, username, language_code)
        chat = self._register_chat(chat_id, chat_type, title=title, user=user)
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "date": _now(),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if thread_id is not None:
            if self._forum_topics.get(chat_id, {}).get(thread_id, "deleted") == "deleted":
                raise ValueError(f"chat {chat_id} has no topic {thread_id} to write in")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        command = _BOT_COMMAND.match(text)
        if command:
            message["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": utf16_len(command.group()),
                }
            ]
        return self._queue_update("message", message)

    def inject_channel_post(
        self,
        chat_id: int,
        text: str,
        title: str = "Test Channel",
        *,
        username: str | None = None,
    ) -> JSONDict:
        """Queue a post in a channel the bot is a member of; return the update."""
        chat: JSONDict = {"id": chat_id, "type": "channel", "title": title}
        if username is not None:
            chat["username"] = username
        self._chats[chat_id] = chat
        post = {
            "message_id": self._next_message_id(chat_id),
            "date": _now(),
            "chat": chat,
            "sender_chat": chat,
            "text": text,
        }
        return self._queue_update("channel_post", post)

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        language_code: str = "en",
        chat_type: str | None = None,
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSONDict:
        """Queue a press of an inline button of the bot's message; return the update.

        ``chat_type`` defaults to the type of the chat the message was sent to and, if
        given, must match it.
        """
        message = self._find_message(chat_id, message_id)
        if message is None:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        chat = self._chats[chat_id]
        if chat_type is not None and chat_type != chat["type"]:
            raise ValueError(
                f"chat {chat_id} is a {chat['type']} chat, not {chat_type}"
            )
        user_id = self._sender_id(chat_id, chat["type"], user_id)
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": self._register_user(user_id, first_name, username, language_code),
            "message": self._message_json(message),
            "chat_instance": str(abs(chat_id) * 7919),
            "data": data,
        }
        return self._queue_update("callback_query", query)

    def inject_inline_query(
        self,
        user_id: int,
        query: str,
        *,
        language_code: str = "en",
        chat_type: str = "sender",
        first_name: str = "Ana",
    ) -> str:
        """Queue an inline query (the user typed ``@bot query`` in a chat of ``chat_type``); return its id."""
        if len(query) > 256:
            raise ValueError("Telegram sends inline queries of at most 256 characters")
        query_id = f"inline-{next(self._inline_ids)}"
        self._open_inline_queries.add(query_id)
        self._queue_update("inline_query", {
            "id": query_id,
            "from": self._register_user(user_id, first_name, None, language_code),
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        })
        return query_id

    def inline_answer(self, query_id: str) -> InlineAnswer:
        """The accepted answer to the inline query ``query_id``."""
        for answer in self.inline_answers:
            if answer.params["inline_query_id"] == query_id:
                return answer
        raise LookupError(f"inline query {query_id} was not answered")

    async def wait_for_inline_answer(self, query_id: str, timeout: float = 5.0) -> InlineAnswer:
        """Wait until the inline query ``query_id`` was answered; AssertionError if it was refused."""
        await self.wait_for(
            lambda: query_id not in self._open_inline_queries
            or any(call.params.get("inline_query_id") == query_id for call, _ in self.failures),
            timeout=timeout, what=f"an answer to inline query {query_id}")
        try:
            return self.inline_answer(query_id)
        except LookupError:
            refusals = [failure.description for call, failure in self.failures
                        if call.params.get("inline_query_id") == query_id]
            raise AssertionError(f"inline query {query_id} was refused: {refusals}") from None

    def inject_my_chat_member(
        self,
        chat_id: int,
        *,
        new_status: str,
        old_status: str | None = None,
        user_id: int | None = None,
        chat_type: str = "group",
        title: str | None = None,
        first_name: str = "Ana",
        username: str | None = None,
    ) -> JSONDict:
        """Queue a change of the bot's own membership; return the update.

        Statuses: creator, administrator, member, left, kicked. In a private chat,
        "kicked" means the user blocked the bot. ``old_status`` defaults to the bot's
        current status in the chat: "member" if the stand-in has seen the chat,
        else "left". The new status is
        applied: e.g. sending to a chat the bot was kicked from then answers 403.
        """
        if new_status not in _MEMBER_STATUSES:
            raise ValueError(f"unsupported status {new_status!r}")
        user_id = self._sender_id(chat_id, chat_type, user_id)
        statuses = self._statuses.setdefault(chat_id, {})
        bot_id = self.bot_user["id"]
        known = "member" if chat_id in self._chats else "left"
        previous = old_status or statuses.get(bot_id, known)
        statuses[bot_id] = new_status
        user = self._register_user(user_id, first_name, username, "en")
        chat = self._register_chat(chat_id, chat_type, title=title, user=user)
        update = {
            "chat": chat,
            "from": user,
            "date": _now(),
            "old_chat_member": _member_json(self.bot_user, previous),
            "new_chat_member": _member_json(self.bot_user, new_status),
        }
        return self._queue_update("my_chat_member", update)

    def _sender_id(self, chat_id: int, chat_type: str, user_id: int | None) -> int:
        if chat_type == "private":
            if user_id not in (None, chat_id):
                raise ValueError("in a private chat the user id is the chat id")
            return chat_id
        if user_id is None:
            raise ValueError(f"a {chat_type} chat needs an explicit user_id")
        return user_id

    def _register_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _register_chat(
        self, chat_id: int, chat_type: str, *, title: str | None, user: JSONDict
    ) -> JSONDict:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        elif chat_type in ("group", "supergroup"):
            title = (
                title or self._chats.get(chat_id, {}).get("title") or f"Group {chat_id}"
            )
            chat = {"id": chat_id, "type": chat_type, "title": title}
            if chat_id in self._forum_topics:
                chat["is_forum"] = True
        else:
            raise ValueError(f"unsupported chat type {chat_type!r}")
        self._chats[chat_id] = chat
        return chat

    def _queue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self._notify()
        return update

    # --------------------------------------------------------------- plumbing

    def _notify(self) -> None:
        """Wake everything waiting in ``_wait_until``."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(
        self, predicate: Callable[[], bool], timeout: float | None
    ) -> bool:
        """Wait until ``predicate()`` holds, re-checking on every state change."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            return predicate()
        return True

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if token != self._token:
            if re.fullmatch(r"[0-9]+:[A-Za-z0-9_-]+", token):
                return web.json_response(
                    Failure(401, "Unauthorized").to_json(), status=401
                )
            return web.json_response(Failure(404, "Not Found").to_json(), status=404)
        method = request.match_info["method"]
        name, handler = self._methods.get(method.lower(), (method, self._not_found))
        params: dict[str, Any] = {}
        failure: Failure | None = None
        try:
            params = await _read_raw_params(request)
            params = {key: _decode_param(key, value) for key, value in params.items()}
            failure = self._injected_failure(name, params)
        except _ApiError as exc:
            failure = exc.failure
        call = Call(name, params)
        self.calls.append(call)
        self._notify()
        if failure is None:
            try:
                result = await handler(params)
            except _ApiError as exc:
                failure = exc.failure
            else:
                if self.answer_delay and name == "sendMessage":
                    await asyncio.sleep(self.answer_delay)
                return web.json_response({"ok": True, "result": result})
        self.failures.append((call, failure))
        self._notify()
        if failure.drops_connection:
            # The response below is then silently discarded; the client sees the
            # connection close without an answer.
            assert request.transport is not None
            request.transport.close()
        return web.json_response(failure.to_json(), status=failure.status or 500)

    def _injected_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        for rule in self._failure_rules:
            if rule.method == method and rule.chat_id in (None, params.get("chat_id")):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failure_rules.remove(rule)
                return rule.failure
        return None

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _chat_by_id(self, chat_id: int, *, create: bool) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            if not create:
                raise _ApiError(chat_not_found())
            if chat_id > 0:
                chat = {
                    "id": chat_id,
                    "type": "private",
                    "first_name": f"User {chat_id}",
                }
            else:
                chat_type = "supergroup" if chat_id < _SUPERGROUP_ID_LIMIT else "group"
                chat = {"id": chat_id, "type": chat_type, "title": f"Group {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _chat(self, params: dict[str, Any], *, create: bool = False) -> JSONDict:
        """The chat named by ``chat_id`` (an id or ``@username``)."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            for chat in self._chats.values():
                if f"@{chat.get('username', '')}".lower() == chat_id.lower():
                    return chat
            raise _ApiError(chat_not_found())
        return self._chat_by_id(chat_id, create=create)

    def _find_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        for message in self.sent:
            if message.chat_id == chat_id and message.message_id == message_id:
                return None if message.deleted else message
        return None

    def _message_json(self, message: SentMessage) -> JSONDict:
        chat = self._chats[message.chat_id]
        result: JSONDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat,
            "text": message.plain_text,
        }
        if chat["type"] == "channel":
            result["sender_chat"] = chat
        else:
            result["from"] = self.bot_user
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.thread_id is not None:
            result["message_thread_id"] = message.thread_id
            result["is_topic_message"] = True
        return result

    def _membership_failure(self, chat: JSONDict) -> Failure | None:
        status = self._statuses.get(chat["id"], {}).get(self.bot_user["id"])
        if status == "kicked":
            if chat["type"] == "private":
                return blocked()
            return Failure(
                403, f"Forbidden: bot was kicked from the {_chat_kind(chat)}"
            )
        if status == "left" and chat["type"] != "private":
            return Failure(
                403, f"Forbidden: bot is not a member of the {_chat_kind(chat)}"
            )
        return None

    def _message_to_edit(self, params: dict[str, Any], missing: str) -> SentMessage:
        chat = self._chat(params)
        message = self._find_message(chat["id"], params.get("message_id", 0))
        if message is None:
            raise _bad_request(missing)
        return message

    # ---------------------------------------------------------------- methods

    async def _not_found(self, params: dict[str, Any]) -> NoReturn:
        raise _ApiError(Failure(404, "Not Found"))

    async def _get_me(self, params: dict[str, Any]) -> JSONDict:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[JSONDict]:
        if self.webhook_url:
            raise _ApiError(Failure(409, _CONFLICT_WEBHOOK))
        offset = params.get("offset", 0)
        limit = min(max(params.get("limit", 100), 1), 100)
        if params.get("allowed_updates"):
            self._allowed_updates = frozenset(params["allowed_updates"])
        elif "allowed_updates" in params:
            self._allowed_updates = _DEFAULT_UPDATE_TYPES
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll now ends with a conflict

        def deliverable() -> list[JSONDict]:
            return [
                u for u in self._updates if _update_kind(u) in self._allowed_updates
            ]

        await self._wait_until(
            lambda: (
                self._closing
                or generation != self._poll_generation
                or bool(deliverable())
            ),
            max(params.get("timeout", 0), 0),
        )
        if generation != self._poll_generation:
            raise _ApiError(Failure(409, _CONFLICT_OTHER_POLL))
        return deliverable()[:limit]

    async def _send_message(self, params: dict[str, Any]) -> JSONDict:
        chat = self._chat(params, create=True)
        failure = self._membership_failure(chat)
        thread_id = params.get("message_thread_id")
        if failure is None and thread_id is not None and chat["id"] in self._forum_topics:
            failure = self._thread_failure(chat, thread_id)
        if failure is not None:
            raise _ApiError(failure)
        parsed = _parse_message_text(params.get("text", ""), params.get("parse_mode"))
        markup = _reply_markup(params)
        if self._limiter is not None:
            wait = self._limiter.admit(chat["id"])
            if wait is not None:
                self.flood_errors += 1
                raise _ApiError(retry_after(wait))
        message = SentMessage(
            chat_id=chat["id"],
            message_id=self._next_message_id(chat["id"]),
            text=params["text"],
            parse_mode=params.get("parse_mode"),
            plain_text=parsed.plain,
            entities=parsed.entities,
            reply_markup=markup,
            disable_preview=_preview_disabled(params),
            date=_now(),
            thread_id=thread_id,
        )
        self.sent.append(message)
        self._notify()
        return self._message_json(message)

    async def _send_document(self, params: dict[str, Any]) -> JSONDict:
        chat = self._chat(params, create=True)
        failure = self._membership_failure(chat)
        if failure is not None:
            raise _ApiError(failure)
        upload = params.get("document")
        if not isinstance(upload, web.FileField):
            raise _bad_request("wrong file identifier/HTTP URL specified")
        content = upload.file.read()
        if not content:
            raise _bad_request("file must be non-empty")
        caption = params.get("caption", "")
        plain = ""
        if caption:
            parsed = _parse_message_text(caption, params.get("parse_mode"))
            if utf16_len(parsed.plain) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
            plain = parsed.plain
        _reply_markup(params)
        document = SentDocument(
            chat_id=chat["id"],
            message_id=self._next_message_id(chat["id"]),
            filename=upload.filename,
            content=content,
            caption=caption,
            caption_plain=plain,
            date=_now(),
        )
        self.documents.append(document)
        self._notify()
        result: JSONDict = {
            "message_id": document.message_id,
            "date": document.date,
            "chat": chat,
            "document": {
                "file_id": f"doc-{chat['id']}-{document.message_id}",
                "file_unique_id": f"u{chat['id']}{document.message_id}",
                "file_name": document.filename,
                "file_size": len(content),
            },
        }
        if plain:
            result["caption"] = plain
        if chat["type"] == "channel":
            result["sender_chat"] = chat
        else:
            result["from"] = self.bot_user
        return result

    async def _edit_message_text(self, params: dict[str, Any]) -> JSONDict:
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the stand-in")
        message = self._message_to_edit(params, "message to edit not found")
        parsed = _parse_message_text(params.get("text", ""), params.get("parse_mode"))
        markup = _reply_markup(params)
        if (parsed.plain, parsed.entities, markup) == (
            message.plain_text,
            message.entities,
            message.reply_markup,
        ):
            raise _bad_request(_NOT_MODIFIED)
        message.text = params["text"]
        message.parse_mode = params.get("parse_mode")
        message.plain_text = parsed.plain
        message.entities = parsed.entities
        message.reply_markup = markup
        message.disable_preview = _preview_disabled(params)
        message.edited_texts.append(params["text"])
        message.edit_date = _now()
        self._notify()
        return self._message_json(message)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> JSONDict:
        message = self._message_to_edit(params, "message to edit not found")
        markup = _reply_markup(params)
        if markup == message.reply_markup:
            raise _bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        message.edit_date = _now()
        self._notify()
        return self._message_json(message)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._message_to_edit(params, "message to delete not found")
        message.deleted = True
        self._notify()
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(params)
        return True

    async def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = params.get("inline_query_id")
        if query_id not in self._open_inline_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH")
        texts = []
        for result in results:
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise _bad_request("RESULT_ID_INVALID")
            if result.get("type") != "article":
                raise _bad_request("the stand-in answers inline queries with articles only")
            if not str(result.get("title", "")).strip():
                raise _bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            texts.append(_parse_message_text(str(content.get("message_text", "")), content.get("parse_mode")))
        if len({str(result["id"]) for result in results}) != len(results):
            raise _bad_request("RESULT_ID_DUPLICATE")
        self._open_inline_queries.discard(query_id)
        self.inline_answers.append(InlineAnswer(params, results, texts))
        self._notify()
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), params.get("language_code", ""))
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[JSONDict]:
        return self.commands_for(params.get("scope"), params.get("language_code", ""))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(
            (_scope_key(params.get("scope")), params.get("language_code", "")), None
        )
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params.get("url", "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_chat(self, params: dict[str, Any]) -> JSONDict:
        return {
            **self._chat(params),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: dict[str, Any]) -> JSONDict:
        chat = self._chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad_request("invalid user_id specified")
        user = self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }
        status = self._statuses.get(chat["id"], {}).get(user_id, "member")
        return _member_json(user, status)


def _update_kind(update: JSONDict) -> str:
    return next(key for key in update if key != "update_id")


def _scope_key(scope: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(scope or {"type": "default"}), sort_keys=True)


def _reply_markup(params: dict[str, Any]) -> JSONDict | None:
    markup = params.get("reply_markup")
    if markup is not None and not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise _bad_request("BUTTON_DATA_INVALID")
    return markup


def _preview_disabled(params: dict[str, Any]) -> bool:
    options = params.get("link_preview_options")
    if isinstance(options, dict) and options.get("is_disabled"):
        return True
    return bool(params.get("disable_web_page_preview", False))
