"""Centinela's one error hierarchy.

Every error carries data (a key, a kind, a URL) rather than only prose, so that callers can log it,
store it in a feed's health record, or show a user a translated message without parsing strings.
Imports: stdlib only.
"""

from __future__ import annotations


class CentinelaError(Exception):
    """Base class of every error Centinela raises on purpose."""


class ConfigError(CentinelaError):
    """The configuration is unusable; `key` names the offending setting (e.g. ``feeds[3].url``)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class FetchError(CentinelaError):
    """A feed could not be fetched. `kind` is a short stable string such as ``timeout`` or ``http_404``."""

    def __init__(self, url: str, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.url = url
        self.kind = kind
        self.detail = detail


class ParseError(CentinelaError):
    """A fetched body is not a feed that can be read (``not_a_feed``, ``empty``...)."""

    def __init__(self, url: str, kind: str = "not_a_feed", detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.url = url
        self.kind = kind
        self.detail = detail


class StorageError(CentinelaError):
    """The database itself failed (unreachable, locked, out of disk): raised by `storage.engine.Database`
    for a transaction, with the driver's message. Ingestion records it as the feed's `storage` error."""


class AnotherInstance(CentinelaError):
    """Another bot process is active on this database (`storage.instance`); `where` names the database."""

    def __init__(self, where: str) -> None:
        super().__init__(f"another instance is active on this database ({where})")
        self.where = where


class UsageError(CentinelaError):
    """A command was called with arguments it cannot use.

    `command` is the command's name without the slash; the handler answers with that command's
    usage line from the message catalogue, optionally with `detail_key` explaining what was wrong.
    """

    def __init__(self, command: str, detail_key: str | None = None, **detail_args: object) -> None:
        super().__init__(f"/{command}: {detail_key or 'usage'}")
        self.command = command
        self.detail_key = detail_key
        self.detail_args = detail_args
